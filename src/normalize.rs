//! Paragraph -> comparable form. Pure functions, no state.
//!
//! The normalized form of a paragraph is its words, lowercased, joined by single spaces.
//! Before the words are cut (by Unicode word boundaries, UAX #29, from unicode-segmentation,
//! so Cyrillic, Arabic and CJK text splits correctly), the text is brought to Unicode
//! compatibility form (NFKC: full-width letters, ligatures, non-breaking and other exotic spaces
//! become their plain forms), curly and other apostrophes become `'`, and invisible characters
//! (zero-width spaces and joiners, soft hyphens, byte-order marks) are dropped. Everything that
//! is not part of a word (punctuation, quotes of any kind, dashes, whitespace) falls away.

use unicode_normalization::UnicodeNormalization;
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
    let folded: String = paragraph.nfkc().filter_map(fold).collect();
    for word in folded.unicode_words() {
        if !out.text.is_empty() {
            out.text.push(' ');
        }
        out.capitalized
            .push(word.chars().next().is_some_and(char::is_uppercase));
        out.text.extend(word.chars().flat_map(char::to_lowercase));
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
