//! Paragraph -> comparable form. Pure functions, no state.
//!
//! The normalized form of a paragraph is its words, lowercased, joined by single spaces.
//! Before the words are cut (by Unicode word boundaries, UAX #29, from unicode-segmentation,
//! so Cyrillic, Arabic and CJK text splits correctly), the text is brought to Unicode
//! compatibility form (NFKC: full-width letters, ligatures, non-breaking and other exotic spaces
//! become their plain forms), curly and other apostrophes become `'`, and invisible characters
//! (zero-width spaces and joiners, soft hyphens, byte-order marks) are dropped. Everything that
//! is not part of a word (punctuation, quotes of any kind, dashes, whitespace) falls away.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;

/// A paragraph in comparable form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    /// The words, lowercased, joined by single spaces.
    pub text: String,
    /// For each word of `text`, whether it started with a capital letter in the original: a
    /// hint that the word is a name.
    pub capitalized: Vec<bool>,
}

impl Normalized {
    /// The words of the normalized text.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.text.split(' ').filter(|w| !w.is_empty())
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.capitalized.len()
    }

    /// Whether the paragraph has no words at all (only punctuation, symbols or space).
    pub fn is_empty(&self) -> bool {
        self.capitalized.is_empty()
    }
}

/// Normalizes `paragraph` into `out`, reusing its buffers.
pub fn normalize_into(paragraph: &str, out: &mut Normalized) {
    out.text.clear();
    out.capitalized.clear();
    if paragraph.is_ascii() {
        return ascii_words(paragraph, out);
    }
    // No word spans whitespace, so each whitespace-separated chunk can take its own path:
    // scraped prose is mostly ASCII with a curly quote here and a dash there.
    let space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0B' | '\x0C');
    for chunk in paragraph.split(space).filter(|c| !c.is_empty()) {
        if chunk.is_ascii() {
            ascii_words(chunk, out);
        } else {
            unicode_words(chunk, out);
        }
    }
}

thread_local! {
    /// The folded text of the paragraph being normalized, kept between calls.
    static FOLDED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The general path: NFKC (skipped when the text is already in NFKC), folding, UAX #29 words.
fn unicode_words(paragraph: &str, out: &mut Normalized) {
    FOLDED.with_borrow_mut(|folded| {
        folded.clear();
        if is_nfkc_quick(paragraph.chars()) == IsNormalized::Yes {
            folded.extend(paragraph.chars().filter_map(fold));
        } else {
            folded.extend(paragraph.nfkc().filter_map(fold));
        }
        for word in folded.unicode_words() {
            push_word(
                out,
                word.chars().next().is_some_and(char::is_uppercase),
                || word.chars().flat_map(char::to_lowercase),
            );
        }
    });
}

fn push_word<I: Iterator<Item = char>>(
    out: &mut Normalized,
    capitalized: bool,
    lower: impl FnOnce() -> I,
) {
    if !out.text.is_empty() {
        out.text.push(' ');
    }
    out.capitalized.push(capitalized);
    out.text.extend(lower());
}

/// Word-boundary class of an ASCII byte (UAX #29, restricted to ASCII).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// ALetter.
    Letter,
    /// Numeric.
    Digit,
    /// ExtendNumLet (`_`).
    Connector,
    /// MidLetter (`:`): joins two letters.
    MidLetter,
    /// MidNumLet and Single_Quote (`.`, `'`, and `` ` ``, which folds to `'`): join two letters
    /// or two digits.
    MidBoth,
    /// MidNum (`,`, `;`): joins two digits.
    MidNum,
    /// Everything else breaks words.
    Other,
}

fn class(b: u8) -> Class {
    CLASSES[b as usize]
}

/// [`class_of`] for every byte, looked up instead of matched in the hot loop.
const CLASSES: [Class; 256] = {
    let mut table = [Class::Other; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = class_of(b as u8);
        b += 1;
    }
    table
};

const fn class_of(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Connector,
        b':' => Class::MidLetter,
        b'.' | b'\'' | b'`' => Class::MidBoth,
        b',' | b';' => Class::MidNum,
        _ => Class::Other,
    }
}

/// The fast path for ASCII text, where NFKC and folding change nothing but `` ` `` -> `'`: the
/// same words as [`unicode_words`] (a test checks that), without tables or allocation.
fn ascii_words(text: &str, out: &mut Normalized) {
    let bytes = text.as_bytes();
    let word_char = |c: Class| matches!(c, Class::Letter | Class::Digit | Class::Connector);
    let mut i = 0;
    while i < bytes.len() {
        if !word_char(class(bytes[i])) {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < bytes.len() {
            let c = class(bytes[i]);
            if word_char(c) {
                i += 1;
                continue;
            }
            let (before, after) = (class(bytes[i - 1]), bytes.get(i + 1).map(|&b| class(b)));
            let joins = matches!(
                (before, c, after),
                (
                    Class::Letter,
                    Class::MidLetter | Class::MidBoth,
                    Some(Class::Letter)
                ) | (
                    Class::Digit,
                    Class::MidNum | Class::MidBoth,
                    Some(Class::Digit)
                )
            );
            if !joins {
                break;
            }
            i += 2;
        }
        let word = &bytes[start..i];
        if word.iter().any(u8::is_ascii_alphanumeric) {
            if !out.text.is_empty() {
                out.text.push(' ');
            }
            out.capitalized.push(word[0].is_ascii_uppercase());
            let at = out.text.len();
            out.text.push_str(&text[start..i]);
            let added = &mut out.text[at..];
            added.make_ascii_lowercase();
            if added.contains('`') {
                let folded = added.replace('`', "'");
                out.text.replace_range(at.., &folded);
            }
        }
    }
}

/// Normalizes `paragraph`; see the [module docs](self) for what is folded.
pub fn normalize(paragraph: &str) -> Normalized {
    let mut out = Normalized::default();
    normalize_into(paragraph, &mut out);
    out
}

/// Folds one character before word segmentation; `None` drops it.
fn fold(c: char) -> Option<char> {
    match c {
        // Apostrophes of every kind, so "don’t" and "don't" are the same word.
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{0060}' | '\u{00B4}' | '\u{2032}' => Some('\''),
        // Invisible characters scraped pages are full of; they would split words.
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
        c => Some(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn general(s: &str) -> Normalized {
        let mut out = Normalized::default();
        unicode_words(s, &mut out);
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The ASCII fast path finds exactly the words of the general path.
        #[test]
        fn chunked_paths_match_the_general_path(
            s in "[aZ09_'.:,; \\-\"\t\n\r\x0B\x0Céß’‘“—–…\u{a0}\u{301}\u{200b}ﬁＡ１Жж北京ا]{0,40}"
        ) {
            prop_assert_eq!(normalize(&s), general(&s));
        }

        #[test]
        fn ascii_fast_path_matches_the_general_path(s in "[aZz09_'.:,;` \\-\"!?\t\n()$%]{0,40}") {
            prop_assert_eq!(normalize(&s), general(&s));
        }
    }

    #[test]
    fn ascii_fast_path_edge_cases() {
        for s in [
            "e.g. U.S. 3.5 1,000 a:b 12:30 don't 'quoted' x_y __ _a a._b a.1 1.a",
            "it`s `tick` a'.b a''b 1..2 ::a a:: _ 9_ _9 a,b 1;2 a;b",
        ] {
            assert_eq!(normalize(s), general(s), "{s}");
        }
    }

    fn n(s: &str) -> String {
        normalize(s).text
    }

    #[test]
    fn folds_case_punctuation_and_space() {
        assert_eq!(
            n("Caliphate Renaissance:  Islamists Maintain\tStrategic Calm."),
            "caliphate renaissance islamists maintain strategic calm"
        );
        assert_eq!(n("CALIPHATE RENAISSANCE"), n("Caliphate Renaissance"));
    }

    #[test]
    fn folds_quotes_apostrophes_and_dashes() {
        assert_eq!(n("“It’s over” — he said"), n("\"It's over\" - he said"));
        assert_eq!(n("State’s"), "state's");
    }

    #[test]
    fn folds_compatibility_forms_and_exotic_spaces() {
        assert_eq!(
            n("ＦＵＬＬ\u{00A0}width\u{2009}text ﬁne"),
            "full width text fine"
        );
    }

    #[test]
    fn drops_invisible_characters() {
        assert_eq!(n("wo\u{200B}rd\u{00AD}s \u{FEFF}here"), "words here");
    }

    #[test]
    fn non_latin_scripts_have_words() {
        assert_eq!(n("Привет, МИР!"), "привет мир");
        assert_eq!(n("مرحبا بالعالم."), "مرحبا بالعالم");
        assert!(!normalize("北京今天下雨。").is_empty());
    }

    #[test]
    fn punctuation_only_has_no_words() {
        assert!(normalize("* * * — …").is_empty());
        assert!(normalize("").is_empty());
    }

    #[test]
    fn records_capitalized_words() {
        let got = normalize("Smith met jones in Paris");
        assert_eq!(got.capitalized, [true, false, false, false, true]);
        assert_eq!(got.len(), 5);
        assert_eq!(got.words().count(), 5);
    }
}
