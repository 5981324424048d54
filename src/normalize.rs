//! Paragraph -> comparable form. Pure functions, no state.
//!
//! The normalized form of a paragraph is its words, lowercased, joined by single spaces.
//! Before the words are cut (by Unicode word boundaries, UAX #29, from unicode-segmentation,
//! so Cyrillic, Arabic and CJK text splits correctly), the text is brought to Unicode
//! compatibility form (NFKC: full-width letters, ligatures, non-breaking and other exotic spaces
//! become their plain forms), curly and other apostrophes become `'`, and invisible characters
//! (zero-width spaces and joiners, soft hyphens, byte-order marks, direction marks, variation
//! selectors) are dropped. Everything that
//! is not part of a word (punctuation, quotes of any kind, dashes, whitespace) falls away.

mod ascii;

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;
use wide::u8x16;

use crate::bytes::{is, within};

/// A paragraph in comparable form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    /// The words, lowercased, joined by single spaces.
    pub text: String,
    /// For each word of `text`, whether it started with a capital letter in the original: a
    /// hint that the word is a name. Empty when made by [`word_hashes_into`].
    pub capitalized: Vec<bool>,
    /// For each word of `text`, its [`crate::fingerprint::word_hash`].
    pub hashes: Vec<u64>,
    /// For each word of `text`, whether it is a label (see [`is_label`]): a number, or one
    /// character ("Plan A"). Empty when made by [`word_hashes_into`].
    pub labels: Vec<bool>,
}

impl Normalized {
    /// The words of the normalized text.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        // Words hold no whitespace; they are joined by single spaces.
        self.text.split_ascii_whitespace()
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether the paragraph has no words at all (only punctuation, symbols or space).
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Whether each word's capital and label are known: not when it was made by
    /// [`word_hashes_into`].
    pub fn has_flags(&self) -> bool {
        self.capitalized.len() == self.len()
    }

    /// Empties it, keeping the memory.
    pub fn clear(&mut self) {
        self.text.clear();
        self.capitalized.clear();
        self.hashes.clear();
        self.labels.clear();
    }

    /// Appends the words of `other`.
    pub fn extend(&mut self, other: &Normalized) {
        if other.is_empty() {
            return;
        }
        // Either has no text when it was made by [`words_into`].
        if !self.text.is_empty() && !other.text.is_empty() {
            self.text.push(' ');
        }
        self.text.push_str(&other.text);
        self.capitalized.extend_from_slice(&other.capitalized);
        self.hashes.extend_from_slice(&other.hashes);
        self.labels.extend_from_slice(&other.labels);
    }

    /// Where the words end now, to go back to with [`Normalized::truncate`].
    fn mark(&self) -> (usize, usize) {
        (self.text.len(), self.len())
    }

    fn truncate(&mut self, (text, words): (usize, usize)) {
        self.text.truncate(text);
        self.capitalized.truncate(words);
        self.hashes.truncate(words);
        self.labels.truncate(words);
    }

    /// Starts a word: returns where its text begins.
    fn begin_word(&mut self) -> usize {
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        self.text.len()
    }

    /// Appends `c` lowercased to the text of the word being made.
    fn push_lowercase(&mut self, c: char) {
        match caseless(c) {
            true => self.text.push(c),
            false => self.text.extend(c.to_lowercase()),
        }
    }

    /// Ends the word whose text began at `at`.
    fn end_word(&mut self, at: usize, capitalized: bool) {
        let label = is_label(&self.text[at..]);
        self.end_word_labelled(at, capitalized, label);
    }

    /// [`Normalized::end_word`] of a word known to be a label or not.
    fn end_word_labelled(&mut self, at: usize, capitalized: bool, label: bool) {
        let hash = crate::fingerprint::word_hash(&self.text.as_bytes()[at..]);
        self.push_word(hash, capitalized, label);
    }

    /// Adds a word's hash, whether it was capitalized and whether it is a label; its text is
    /// added to `text` by the caller.
    fn push_word(&mut self, hash: u64, capitalized: bool, label: bool) {
        self.capitalized.push(capitalized);
        self.hashes.push(hash);
        self.labels.push(label);
    }
}

/// Whether a word (normalized) is a label: it has a digit (any numeric character) or is one
/// character ("Plan A"). Two similar paragraphs that differ in a label state different facts.
pub fn is_label(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some() && chars.next().is_none() || word.chars().any(numeric)
}

/// [`is_label`] of a word of the mask path with a non-ASCII byte. A word of ASCII letters and
/// letters of two bytes from Latin-1 to Latin Extended-B (up to `ȿ`) and Cyrillic (none of
/// them numeric) is a label when it is one letter; its bytes tell without decoding it.
fn is_wide_label(word: &str) -> bool {
    /// The bytes of such words: all but ASCII digits and the first bytes of other characters
    /// (`,` and `;` join digits only).
    const LETTER_BYTES: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = matches!(b as u8, b'a'..=b'z' | b'A'..=b'Z' | b'\'' | b'.' | b':' | b'_'
                | 0x80..=0xBF | 0xC3..=0xC8 | 0xD0..=0xD3);
            b += 1;
        }
        table
    };
    match word.bytes().all(|b| LETTER_BYTES[usize::from(b)]) {
        // Every character has at most two bytes, and one has two.
        true => word.len() == 2,
        false => is_label(word),
    }
}

/// [`char::is_numeric`], without its table lookup for the letters of the scripts most scraped
/// text is in (Latin, Cyrillic, Thai letters and marks, kana, CJK ideographs, Hangul syllables),
/// none of which is numeric (a test checks it).
fn numeric(c: char) -> bool {
    match c {
        '\0'..='\u{7F}' => c.is_ascii_digit(),
        '\u{C0}'..='\u{24F}'
        | '\u{400}'..='\u{4FF}'
        | '\u{E01}'..='\u{E4F}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7A3}' => false,
        _ => c.is_numeric(),
    }
}

/// Normalizes `paragraph` into `out`, reusing its buffers.
///
/// A paragraph of ASCII text (where curly apostrophes, typographic quotes, dashes and exotic
/// spaces count as their ASCII stand-ins, and Latin, Cyrillic, Arabic and Hangul letters as
/// letters) is cut into words by bit masks, 64 bytes at a time. Otherwise one pass over the
/// text handles those and CJK ideographs, kana, Thai letters and marks, with the same result
/// as the general path (tests check it character by character), and a whitespace-separated
/// chunk holding anything else (other scripts, combining marks, compatibility forms, invisible
/// characters) goes through the general path: no word spans whitespace, so chunks are
/// independent.
pub fn normalize_into(paragraph: &str, out: &mut Normalized) {
    normalize_with::<true, true>(paragraph, out);
}

/// [`normalize_into`] without the normalized text: `out.text` is left empty, and only the
/// words' hashes, capitals and labels are filled in: all it takes to confirm a near repeat
/// ([`crate::fingerprint::Words`]). The fingerprint of the normalized form is
/// [`crate::fingerprint::words_key`] of the hashes; the text is made only to confirm a
/// normalized match.
///
/// ```
/// use paradedup::fingerprint::words_key;
/// use paradedup::normalize::{normalize, words_into, Normalized};
///
/// let mut words = Normalized::default();
/// words_into("The Mayor’s speech, in full", &mut words);
/// assert_eq!(words.text, "");
/// assert_eq!(words.hashes, normalize("the mayor's speech in full").hashes);
/// assert_eq!(words_key(&words.hashes), words_key(&normalize("THE MAYOR'S SPEECH — IN FULL").hashes));
/// ```
pub fn words_into(paragraph: &str, out: &mut Normalized) {
    normalize_with::<false, true>(paragraph, out);
}

/// [`words_into`] without the words' capitals and labels: only `out.hashes` is filled in (its
/// other fields are left empty). That is all it takes to find an exact or normalized repeat
/// ([`crate::fingerprint::words_key`]) and the candidates for a near one
/// ([`crate::fingerprint::near_keys`]); the capitals and labels, which tell two similar
/// paragraphs apart, are needed only to confirm a candidate, and are found then with
/// [`words_into`]. Skipping them makes this the fastest way to a paragraph's word hashes.
///
/// ```
/// use paradedup::normalize::{normalize, word_hashes_into, Normalized};
///
/// let mut words = Normalized::default();
/// word_hashes_into("Plan A: the Mayor’s speech", &mut words);
/// assert_eq!(words.hashes, normalize("plan a the mayor's speech").hashes);
/// assert_eq!(words.len(), 5);
/// assert!(!words.has_flags() && words.capitalized.is_empty() && words.labels.is_empty());
/// ```
pub fn word_hashes_into(paragraph: &str, out: &mut Normalized) {
    normalize_with::<false, false>(paragraph, out);
}

/// [`normalize_into`], with the normalized text when `TEXT` (which needs `FLAGS`), and the
/// words' capitals and labels when `FLAGS`.
fn normalize_with<const TEXT: bool, const FLAGS: bool>(paragraph: &str, out: &mut Normalized) {
    out.clear();
    let done = ASCII.with_borrow_mut(|(stand_in, upper, scratch)| {
        if paragraph.is_ascii() {
            ascii::words::<TEXT, FLAGS>(paragraph, &[], scratch, out);
        } else if stand_ins(paragraph, stand_in, upper) {
            ascii::words::<TEXT, FLAGS>(stand_in, upper, scratch, out);
        } else {
            return false;
        }
        // A copy of a huge paragraph is not kept for the rest of the run.
        if stand_in.capacity() > MAX_KEPT_SCRATCH {
            *stand_in = String::new();
            *upper = Vec::new();
        }
        true
    });
    if !done {
        by_chunks(paragraph, out);
        if !TEXT {
            out.text.clear();
        }
        if !FLAGS {
            out.capitalized.clear();
            out.labels.clear();
        }
    }
}

/// Writes `paragraph` to `ascii` with its non-ASCII characters replaced by ones of the same
/// word-boundary class that the mask path knows: apostrophes by `'`, what is no part of a word
/// by a space, and letters by their lowercase (of as many bytes), noting in `upper` where
/// the uppercase ones were. Returns false, leaving `ascii` unfinished, at the first other
/// character.
fn stand_ins(paragraph: &str, ascii: &mut String, upper: &mut Vec<usize>) -> bool {
    ascii.clear();
    upper.clear();
    let mut rest = paragraph;
    loop {
        let run = plain_prefix(rest.as_bytes());
        ascii.push_str(&rest[..run]);
        rest = &rest[run..];
        let Some(c) = rest.chars().next() else {
            return true;
        };
        match c {
            '\u{FF01}'..='\u{FF5E}' => ascii.push(char::from(halfwidth(c))),
            'À'..='Ö' | 'Ø'..='Þ' | '\u{0410}'..='\u{042F}' => {
                upper.push(ascii.len());
                ascii.push(char::from_u32(c as u32 + 0x20).expect("a letter"));
            }
            '\u{0400}'..='\u{040F}' => {
                upper.push(ascii.len());
                ascii.push(char::from_u32(c as u32 + 0x50).expect("a letter"));
            }
            // The soft hyphen goes, as `fold` drops it: the word goes on across it.
            '\u{AD}' => {}
            _ => match wide(rest, 0).0 {
                Class::MidBoth => ascii.push('\''),
                Class::Other => ascii.push(' '),
                Class::Letter => {
                    let Some(lower) = lowercase_letter(c) else {
                        return false;
                    };
                    if c.is_uppercase() {
                        upper.push(ascii.len());
                    }
                    ascii.push(lower);
                }
                _ => return false,
            },
        }
        rest = &rest[c.len_utf8()..];
    }
}

/// How many bytes at the start of `bytes` stand for themselves in [`stand_ins`]: ASCII, and
/// the lowercase letters of Latin-1 (`ß` to `ÿ` but `÷`) and of basic Cyrillic (`а` to `џ`),
/// two bytes each. Looked at 16 bytes at a time, so a Russian or French paragraph is copied in
/// long runs, not letter by letter.
fn plain_prefix(bytes: &[u8]) -> usize {
    let mut n = 0;
    loop {
        // 16 bytes and the one after them, to see a letter's second byte; NUL bytes pad the end.
        let rest = &bytes[n..];
        let mut padded = [0; 17];
        let chunk = rest.first_chunk::<17>().unwrap_or_else(|| {
            padded[..rest.len()].copy_from_slice(rest);
            &padded
        });
        let v = u8x16::new(*chunk.first_chunk().expect("16 bytes"));
        let high = v.to_bitmask();
        let leads = match high {
            0 => 0,
            _ => {
                let next = u8x16::new(*chunk.last_chunk().expect("16 bytes"));
                let leads = (is(v, 0xC3) & (within(next, 0x9F, 0xB6) | within(next, 0xB8, 0xBF)))
                    | (is(v, 0xD0) & within(next, 0xB0, 0xBF))
                    | (is(v, 0xD1) & within(next, 0x80, 0x9F));
                leads.to_bitmask()
            }
        };
        let plain = !high | leads | leads << 1;
        if plain & 0xFFFF != 0xFFFF {
            return n + plain.trailing_ones() as usize;
        }
        if rest.len() <= 16 {
            return bytes.len();
        }
        // A letter whose first byte is the 16th goes on into the next 16.
        n += 16 + (leads >> 15) as usize;
    }
}

/// The lowercase of `letter`, a character [`wide`] calls a letter, when it is one character of
/// as many bytes (all of them but `İ`, whose lowercase is `i` and a combining dot).
fn lowercase_letter(letter: char) -> Option<char> {
    if caseless(letter) {
        return Some(letter);
    }
    let mut lower = letter.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if l.len_utf8() == letter.len_utf8() => Some(l),
        _ => None,
    }
}

/// The character-by-character pass over the text; see [`normalize_into`].
fn by_chunks(paragraph: &str, out: &mut Normalized) {
    let bytes = paragraph.as_bytes();
    let mut classes = Classes::new(paragraph);
    // Where the current whitespace-separated chunk starts, and the words before it.
    let mut chunk = 0;
    let mut mark = out.mark();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Bytes that start no word are skipped; a character the fast path does not know is
        // left to `word`, which hands its chunk to the general path.
        let skip = if b < 0x80 {
            match CLASSES[b as usize] {
                Class::Space => {
                    i += 1;
                    chunk = i;
                    mark = out.mark();
                    continue;
                }
                Class::Letter | Class::Digit | Class::Connector => 0,
                _ => 1,
            }
        } else {
            match classes.wide(i) {
                (
                    Class::Letter
                    | Class::Digit
                    | Class::Single
                    | Class::Katakana
                    | Class::Mark
                    | Class::Am
                    | Class::Unsupported,
                    _,
                ) => 0,
                (_, len) => len,
            }
        };
        if skip > 0 {
            i += skip;
            continue;
        }
        match word(&mut classes, i, out) {
            Some(end) => i = end,
            None => {
                // Something in this word needs the general path: redo the whole chunk there.
                out.truncate(mark);
                let end = chunk_end(paragraph, i);
                unicode_words(&paragraph[chunk..end], out);
                i = end;
            }
        }
    }
}

/// Where the whitespace-separated chunk holding byte `i` ends.
fn chunk_end(text: &str, i: usize) -> usize {
    text.as_bytes()[i..]
        .iter()
        .position(|&b| CLASSES.get(b as usize) == Some(&Class::Space))
        .map_or(text.len(), |n| i + n)
}

/// Reads the word starting at byte `start` (a letter, digit or `_`) into `out`: returns where
/// it ends, or `None` when it holds (or starts with) a character the fast path does not know.
fn word(classes: &mut Classes<'_>, start: usize, out: &mut Normalized) -> Option<usize> {
    let text = classes.text;
    let bytes = text.as_bytes();
    let mut class_at = |i: usize| classes.at(i);
    if let Some((Class::Single, len)) = class_at(start) {
        // UAX #29 joins an ideograph, a hiragana or a Thai letter to nothing but the marks
        // after it. NFKC would reorder marks out of canonical order: they go to the general path.
        // The word's first character (as NFKC makes it), where its marks start, and its end.
        let (mut first, mut marks, mut end) = (&text[start..start + len], start + len, start + len);
        loop {
            let mut last = 0;
            while let Some((Class::Mark, len)) = class_at(end) {
                let order = thai_mark_order(&text[end..end + len]);
                if order != 0 && order < last {
                    return None;
                }
                last = order;
                end += len;
            }
            let next = class_at(end).map(|a| a.0);
            if next == Some(Class::Unsupported) {
                return None;
            }
            let at = out.begin_word();
            out.text.push_str(first);
            out.text.push_str(&text[marks..end]);
            // NFKC makes SARA AM the mark NIKHAHIT, which ends this word, and the letter
            // SARA AA, which starts the next one (a starter each: nothing is reordered).
            let am = next == Some(Class::Am);
            if am {
                out.text.push('\u{0E4D}');
            }
            // One character alone is a label; none of these characters is a number.
            let label = out.text.len() - at == first.len();
            out.end_word_labelled(at, false, label);
            if !am {
                return Some(end);
            }
            end += '\u{0E33}'.len_utf8();
            (first, marks) = ("\u{0E32}", end);
        }
    }
    // The flags of every character so far, OR-ed.
    let mut seen = 0;
    let mut ascii = true;
    let mut prev = Class::Other;
    let mut i = start;
    loop {
        // The common case: a run of ASCII letters and digits.
        let run = i;
        // Katakana joins ASCII letters and digits only through `_`.
        let after_kana = prev == Class::Katakana;
        while let Some(&b) = bytes.get(i) {
            let flags = FLAGS[b as usize];
            if flags & WORD == 0 || (after_kana && i == run && flags & ALNUM != 0) {
                break;
            }
            seen |= flags;
            i += 1;
        }
        if i > run {
            prev = CLASSES[bytes[i - 1] as usize];
        }
        let Some((c, len)) = class_at(i) else { break };
        match c {
            Class::Letter | Class::Digit if prev == Class::Katakana => break,
            Class::Katakana if i > start && !matches!(prev, Class::Katakana | Class::Connector) => {
                break
            }
            Class::Letter | Class::Digit | Class::Katakana => {
                // Only non-ASCII letters and digits get here.
                ascii = false;
                seen |= ALNUM;
                prev = c;
                i += len;
            }
            Class::Unsupported | Class::Mark | Class::Am => return None,
            Class::MidLetter | Class::MidBoth | Class::MidNum => {
                let after = class_at(i + len).map(|a| a.0);
                if matches!(after, Some(Class::Unsupported | Class::Mark | Class::Am)) {
                    return None;
                }
                let joins = matches!(
                    (prev, c, after),
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
                ascii &= len == 1;
                seen |= FLAGS[bytes[i] as usize];
                i += len;
            }
            _ => break,
        }
    }
    if seen & ALNUM == 0 {
        // Only `_`: not a word.
        return Some(i);
    }
    let source = &text[start..i];
    let at = out.begin_word();
    if ascii {
        out.text.push_str(source);
        let added = &mut out.text[at..];
        added.make_ascii_lowercase();
        if seen & BACKTICK != 0 {
            let folded = added.replace('`', "'");
            out.text.replace_range(at.., &folded);
        }
    } else {
        for c in source.chars().map(|c| fold(c).unwrap_or(c)) {
            out.push_lowercase(c);
        }
    }
    let capitalized = source.chars().next().is_some_and(capital);
    out.end_word(at, capitalized);
    Some(i)
}

/// [`FLAGS`] bits: a byte that continues an ASCII word run…
const WORD: u8 = 1;
/// …a letter or digit…
const ALNUM: u8 = 2;
/// …a backtick (folded to `'`).
const BACKTICK: u8 = 4;

/// The flags of every byte: zero for the bytes of non-ASCII characters.
const FLAGS: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = match class_of(b as u8) {
            Class::Letter | Class::Digit => WORD | ALNUM,
            Class::Connector => WORD,
            _ if b == b'`' as usize => BACKTICK,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// The classes of the characters of a text, read forwards: each pass over a character asks
/// for its class more than once (where a word ends, where the next begins), and a non-ASCII
/// one is looked up once.
struct Classes<'a> {
    text: &'a str,
    /// The last non-ASCII character looked up: where it is, its class and length.
    last: (usize, (Class, usize)),
}

impl<'a> Classes<'a> {
    fn new(text: &'a str) -> Classes<'a> {
        Classes {
            text,
            last: (usize::MAX, (Class::Other, 0)),
        }
    }

    /// The class of the character at byte `i` and its length, `None` past the end.
    fn at(&mut self, i: usize) -> Option<(Class, usize)> {
        let b = *self.text.as_bytes().get(i)?;
        Some(match b < 0x80 {
            true => (CLASSES[usize::from(b)], 1),
            false => self.wide(i),
        })
    }

    /// [`wide`] of the non-ASCII character at byte `i`.
    fn wide(&mut self, i: usize) -> (Class, usize) {
        if self.last.0 != i {
            self.last = (i, wide(self.text, i));
        }
        self.last.1
    }
}

/// The class of the non-ASCII character at byte `i`, and its length in bytes.
fn wide(text: &str, i: usize) -> (Class, usize) {
    let c = text[i..].chars().next().unwrap_or_default();
    let class = match c {
        // Letters that NFKC leaves alone and UAX #29 calls ALetter.
        'À'..='Ö' | 'Ø'..='ö' | 'ø'..='ÿ' => Class::Letter,
        '\u{0100}'..='\u{017E}'
            if !matches!(
                c,
                '\u{0132}' | '\u{0133}' | '\u{013F}' | '\u{0140}' | '\u{0149}'
            ) =>
        {
            Class::Letter
        }
        '\u{0400}'..='\u{045F}' => Class::Letter,
        // Arabic letters (not the tatweel, not the vowel marks) and Hangul syllables: no case.
        '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' | '\u{AC00}'..='\u{D7A3}' => {
            Class::Letter
        }
        // CJK ideographs, hiragana and Thai letters: each one a word of its own (with the
        // Thai marks after it).
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3041}'..='\u{3096}'
        | '\u{0E01}'..='\u{0E30}'
        | '\u{0E32}'
        | '\u{0E40}'..='\u{0E46}' => Class::Single,
        '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}' => Class::Mark,
        '\u{0E33}' => Class::Am,
        // Katakana and the prolonged sound mark: a run of them is one word.
        '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FE}' => Class::Katakana,
        // Full-width forms of ASCII characters (NFKC makes them ASCII): of their ASCII
        // class, but `＿`, which joins what the one-pass path does not join.
        '\u{FF01}'..='\u{FF5E}' => match CLASSES[usize::from(halfwidth(c))] {
            Class::Connector => Class::Unsupported,
            class => class,
        },
        // Apostrophes: folded to `'`.
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{2032}' => Class::MidBoth,
        // Quotes, dashes, symbols and spaces that break words and are no part of one (NFKC
        // turns the spaces into ' ' and the ellipsis into "...", which joins nothing).
        '\u{201C}'
        | '\u{201D}'
        | '\u{201E}'
        | '\u{00AB}'
        | '\u{00BB}'
        | '\u{2010}'
        | '\u{2011}'
        | '\u{2012}'
        | '\u{2013}'
        | '\u{2014}'
        | '\u{2015}'
        | '\u{2212}'
        | '\u{2026}'
        | '\u{00A9}'
        | '\u{00AE}'
        | '\u{00B0}'
        | '\u{2022}'
        | '\u{2039}'
        | '\u{203A}'
        | '\u{00D7}'
        | '\u{2192}'
        | '\u{25BA}'
        | '\u{25C0}'
        | '\u{25CF}'
        | '\u{2715}'
        | '\u{279C}'
        | '\u{20AC}'
        | '\u{00A3}'
        | '\u{00A0}'
        | '\u{2002}'..='\u{200A}'
        | '\u{202F}'
        | '\u{205F}'
        // CJK punctuation and the ideographic space.
        | '\u{3000}'..='\u{3002}'
        | '\u{300C}'..='\u{3011}'
        | '\u{30FB}' => Class::Other,
        _ => Class::Unsupported,
    };
    (class, c.len_utf8())
}

/// The ASCII character NFKC makes of a full-width form (`Ａ` to `A`, `，` to `,`).
fn halfwidth(c: char) -> u8 {
    debug_assert!(('\u{FF01}'..='\u{FF5E}').contains(&c));
    (c as u32 - 0xFEE0) as u8
}

/// The canonical combining class of a Thai mark (0 for the marks that are starters): NFKC puts
/// a run of marks of nonzero class in increasing order.
fn thai_mark_order(mark: &str) -> u8 {
    match mark.chars().next() {
        Some('\u{0E38}' | '\u{0E39}') => 103,
        Some('\u{0E3A}') => 9,
        Some('\u{0E48}'..='\u{0E4B}') => 107,
        _ => 0,
    }
}

/// Scratch buffers that grew beyond this many bytes (for a huge paragraph) are let go of
/// after use.
pub(crate) const MAX_KEPT_SCRATCH: usize = 1 << 20;

thread_local! {
    /// The paragraph being normalized with ASCII stand-ins, and the ASCII path's scratch
    /// space, kept between calls.
    static ASCII: std::cell::RefCell<(String, Vec<usize>, ascii::Scratch)> =
        std::cell::RefCell::default();
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
        // A combining mark right after a space makes UAX #29 start the word with the space:
        // words never hold whitespace here, so that chunks between spaces stay independent.
        for word in folded.unicode_words().map(|w| w.trim_start()) {
            let at = out.begin_word();
            for c in word.chars() {
                out.push_lowercase(c);
            }
            let capitalized = word.chars().next().is_some_and(capital);
            out.end_word(at, capitalized);
        }
        if folded.capacity() > MAX_KEPT_SCRATCH {
            *folded = String::new();
        }
    });
}

/// Whether `c` is a capital letter (the case tables are skipped for [`caseless`] scripts).
fn capital(c: char) -> bool {
    !caseless(c) && c.is_uppercase()
}

/// Whether `c` is in a script without case (Arabic, Thai, kana, CJK, Hangul syllables), so
/// it is its own lowercase and no capital: the case tables are skipped for them.
fn caseless(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0E00}'..='\u{0E7F}' | '\u{3040}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7A3}')
}

/// Word-boundary class of a character (UAX #29, restricted to what the fast path knows).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// ALetter.
    Letter,
    /// Numeric.
    Digit,
    /// ExtendNumLet (`_`).
    Connector,
    /// A letter that is a word by itself (CJK ideographs, hiragana, Thai letters).
    Single,
    /// Katakana: joins katakana, and letters or digits through `_`.
    Katakana,
    /// A Thai vowel or tone mark: part of the word of the letter before it.
    Mark,
    /// Thai SARA AM (`ำ`): a mark of the word of the letter before it, and the letter of the
    /// next word, once NFKC has split it in two.
    Am,
    /// MidLetter (`:`): joins two letters.
    MidLetter,
    /// MidNumLet and Single_Quote (`.`, `'`, and the apostrophes folded to `'`): join two
    /// letters or two digits.
    MidBoth,
    /// MidNum (`,`, `;`): joins two digits.
    MidNum,
    /// ASCII whitespace: ends a chunk.
    Space,
    /// Breaks words and is no part of one.
    Other,
    /// Not known to the fast path.
    Unsupported,
}

/// The class of every ASCII byte, looked up instead of matched in the hot loop.
const CLASSES: [Class; 128] = {
    let mut table = [Class::Other; 128];
    let mut b = 0;
    while b < 128 {
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
        b' ' | b'\t' | b'\n' | b'\r' | b'\x0B' | b'\x0C' => Class::Space,
        _ => Class::Other,
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
        '\u{FF01}'..='\u{FF5E}' => fold(char::from(halfwidth(c))),
        // Apostrophes of every kind, so "don’t" and "don't" are the same word.
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{0060}' | '\u{00B4}' | '\u{2032}' => Some('\''),
        // Invisible characters scraped pages are full of; they would split words: soft
        // hyphens, zero-width spaces and joiners, byte-order marks, the marks and controls of
        // text direction (Arabic and Hebrew pages), variation selectors, the grapheme joiner,
        // and the invisible math operators.
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' => None,
        '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => None,
        '\u{FE00}'..='\u{FE0F}' | '\u{034F}' | '\u{180E}' => None,
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
            s in "[aZ09_'.:,; \\-\"\t\n\r\x0B\x0Céß’‘“—–…\u{a0}\u{301}\u{200b}ﬁＡ１ａ０，：；．＿｀Жж北京اكٌـ한국ひがカターｶ々、。「」・\u{3000}\u{3099}！กาำเ\u{E31}\u{E38}\u{E3A}\u{E48}\u{E4C}๑]{0,40}"
        ) {
            prop_assert_eq!(normalize(&s), general(&s));
        }

        #[test]
        fn latin_and_cyrillic_match_the_general_path(
            s in "[aZ09_'.:,; \t\nÀÖØöøÿĀĲĳĿŀŉſžİЀЁЖжяџ’‘ʼ´′“”«»—–…©°\u{a0}\u{2009}\u{202f}·ª¹\u{301}\u{200b}\u{ad}›×北]{0,30}"
        ) {
            prop_assert_eq!(normalize(&s), general(&s));
        }

        /// `words()` gives one word per entry of `capitalized` and `hashes` (Words::new counts
        /// on it to find labels), whatever the text.
        #[test]
        fn words_line_up_with_their_traits(s in "\\PC{0,40}|[a1 é北ア\u{301}\u{3000}_.]{0,40}") {
            let n = normalize(&s);
            prop_assert_eq!(n.words().count(), n.len());
            prop_assert_eq!(n.hashes.len(), n.len());
            prop_assert_eq!(n.labels.len(), n.len());
            for (word, &hash) in n.words().zip(&n.hashes) {
                prop_assert_eq!(crate::fingerprint::word_hash(word.as_bytes()), hash);
            }
        }

        /// Without its text, a paragraph has the same words (hashes, capitals and labels) as
        /// with it, on every path: one block, longer, stand-ins, and the general path. Without
        /// capitals and labels either, the same hashes, and the capitals and labels left empty
        /// (not half filled in).
        #[test]
        fn words_without_the_text_are_the_same_words(
            s in "([aZ09_'.:,;` \n]{1,9}|[A-Za-z]{3,70}|’|—|[éÉЖж]{1,3}|ﬁ|北京|\u{301}){0,30}"
        ) {
            let with = normalize(&s);
            let mut without = Normalized::default();
            words_into(&s, &mut without);
            prop_assert_eq!(&without.hashes, &with.hashes);
            prop_assert_eq!(&without.capitalized, &with.capitalized);
            prop_assert_eq!(&without.labels, &with.labels);
            prop_assert_eq!(without.text, "");
            let mut hashes = Normalized::default();
            // Left from an earlier paragraph: nothing of it may stay.
            normalize_into("Plan A, day 3", &mut hashes);
            word_hashes_into(&s, &mut hashes);
            prop_assert_eq!(&hashes.hashes, &with.hashes);
            prop_assert_eq!(hashes.len(), with.len());
            prop_assert!(hashes.capitalized.is_empty() && hashes.labels.is_empty());
            prop_assert!(hashes.text.is_empty());
            prop_assert_eq!(hashes.has_flags(), with.is_empty());
        }

        /// Each word's label is that of the word read on its own (a number, or one character),
        /// wherever the words fall against the 64-byte blocks of the mask path.
        #[test]
        fn labels_are_those_of_each_word(
            words in proptest::collection::vec(
                "[ab7]{1,3}|x{1,70}|x{1,70}7|7x{1,70}|é[éx]{1,70}|[a-z]{1,9}[0-9]|ⅷ|北|a٣|[жЖ][жxя]{0,9}|[ȿɀ][ȿɀx]{0,2}|ж[²٣7]", 0..40
            )
        ) {
            let n = normalize(&words.join(" "));
            let each: Vec<bool> = n
                .words()
                .map(|w| w.chars().count() == 1 || w.chars().any(char::is_numeric))
                .collect();
            prop_assert_eq!(n.labels, each);
        }

        /// The runs copied whole by [`stand_ins`] end where a plain reading of the characters
        /// says, wherever the 16-byte steps fall.
        #[test]
        fn plain_prefix_stops_at_the_first_character_to_replace(
            s in "[az .éÉÿ÷жЖџЀ’北]{0,60}"
        ) {
            let plain = |c: &char| c.is_ascii() || matches!(c, 'ß'..='ö' | 'ø'..='ÿ' | 'а'..='џ');
            let expected: usize = s.chars().take_while(plain).map(char::len_utf8).sum();
            prop_assert_eq!(plain_prefix(s.as_bytes()), expected);
        }

        #[test]
        fn ascii_fast_path_matches_the_general_path(s in "[aZz09_'.:,;` \\-\"!?\t\n()$%]{0,40}") {
            prop_assert_eq!(normalize(&s), general(&s));
        }

        /// Paragraphs of about one 64-byte block: those of up to 64 bytes take the path that
        /// keeps its copy on the stack, longer ones the general mask path.
        #[test]
        fn paragraphs_around_one_block_match_the_general_path(
            s in "[aZz09_'.:,;` \\-\"!?\t\n]{56,72}"
        ) {
            prop_assert_eq!(normalize(&s), general(&s));
        }

        /// Paragraphs longer than one 64-byte block of the mask path, with words and joins
        /// across block edges, with the non-ASCII characters that have ASCII stand-ins, and
        /// with letters of two and three bytes.
        #[test]
        fn long_paragraphs_match_the_general_path(
            s in "([aZ09_'.:,;` \n]{1,9}|[A-Za-z]{3,70}|’|“|—|…|\u{a0}|[éÉßŸЖжا한]{1,5}){0,60}"
        ) {
            prop_assert_eq!(normalize(&s), general(&s));
        }
    }

    #[test]
    fn labels_are_words_with_a_number_or_of_one_character() {
        let n = normalize("Plan A: 3rd x7 ab é ab٣ ⅷ 北京 word 1,000");
        let labels: Vec<(&str, bool)> = n.words().zip(n.labels.iter().copied()).collect();
        let expected = [
            ("plan", false),
            ("a", true),
            ("3rd", true),
            ("x7", true),
            ("ab", false),
            ("é", true),
            ("ab٣", true),
            // NFKC: the Roman numeral is the word "viii".
            ("viii", false),
            ("北", true),
            ("京", true),
            ("word", false),
            ("1,000", true),
        ];
        assert_eq!(labels, expected);
    }

    /// The letters [`numeric`] answers for without looking them up are no numbers.
    #[test]
    fn letters_taken_for_no_number_are_none() {
        let letters = ('\u{C0}'..='\u{24F}')
            .chain('\u{400}'..='\u{4FF}')
            .chain('\u{3040}'..='\u{30FF}')
            .chain('\u{4E00}'..='\u{9FFF}')
            .chain('\u{AC00}'..='\u{D7A3}')
            .chain('\u{E01}'..='\u{E4F}');
        for c in letters {
            assert!(!c.is_numeric(), "{c:?}");
            assert!(!numeric(c));
        }
        assert!(numeric('7') && numeric('٣') && numeric('ⅷ') && !numeric('x'));
    }

    /// Every character the fast path knows, in every position of a word, against the general
    /// path (the ASCII ones are covered by the proptests above).
    #[test]
    fn every_fast_character_matches_the_general_path() {
        let fast = (0x80..0xE000)
            .chain(0xFF00..0xFFF0)
            .filter_map(char::from_u32)
            .filter(|&c| wide(c.encode_utf8(&mut [0; 4]), 0).0 != Class::Unsupported);
        let mut checked = 0;
        for c in fast {
            for context in [
                "{}",
                "a{}",
                "{}b",
                "a{}b",
                "1{}2",
                "A{}{}Z",
                "x.{}",
                "{}'s",
                "_{}_",
                "ア{}ア",
                "北{}",
                "{}ひ",
                "{}_a",
                "1_{}",
                "{}\u{3099}",
                "{}\u{301}",
                "ก{}",
                "ก{}{}",
                "{}\u{E48}",
                "{}\u{E38}\u{E48}",
                "{}\u{E48}\u{E38}",
                "ก\u{E38}{}",
                "ก\u{E49}{}",
                "ก{}\u{E48}",
                "ก{}ก",
                "{}ก",
                "ก{}\u{E38}\u{E48}",
            ] {
                let s = context.replace("{}", &c.to_string());
                assert_eq!(normalize(&s), general(&s), "{c:?} in {s:?}");
            }
            checked += 1;
        }
        assert!(checked > 300, "{checked}");
    }

    /// Scraped text breaks long words with soft hyphens, which NFKC keeps and folding drops:
    /// the word goes on across one, on the stand-in path (short and long paragraphs) as on the
    /// general one.
    #[test]
    fn a_soft_hyphen_inside_a_word_is_dropped() {
        let long = "The council’s ".repeat(6);
        for s in [
            "co\u{AD}operation",
            "Жук, «co\u{AD}operation»",
            &format!("{long}co\u{AD}operation and re\u{AD}view"),
        ] {
            let n = normalize(s);
            assert_eq!(n, general(s), "{s:?}");
            assert!(n.words().any(|w| w == "cooperation"), "{s:?}: {:?}", n.text);
        }
    }

    #[test]
    fn paragraphs_longer_than_a_window_match_the_general_path() {
        // Windows end at whitespace: words, joins ("U.S.", "3.5"), capitals of other scripts
        // and runs without any whitespace around the window edges come out as in one piece.
        let words = [
            "U.S.", "3.5", "don't", "a:b", "x_y", "Word", "1,000", "end.", "Élan", "Жук", "ÿes",
        ];
        let mut text: String = (0..30_000)
            .map(|i| words[i % words.len()])
            .collect::<Vec<_>>()
            .join(" ");
        text.push_str(&"long".repeat(40_000));
        text.push_str("\n tail");
        assert!(text.len() > 3 * 65_536);
        assert_eq!(normalize(&text), general(&text));
    }

    #[test]
    fn letters_lowercase_as_the_standard_library_does() {
        let letters = (0x80..0xE000)
            .filter_map(char::from_u32)
            .filter(|&c| wide(c.encode_utf8(&mut [0; 4]), 0).0 == Class::Letter);
        let mut checked = 0;
        for c in letters {
            let lower: String = c.to_lowercase().collect();
            let expected = (lower.chars().count() == 1 && lower.len() == c.len_utf8())
                .then(|| lower.chars().next().unwrap());
            assert_eq!(lowercase_letter(c), expected, "{c:?}");
            checked += 1;
        }
        assert!(checked > 10_000, "{checked}");
        assert_eq!(lowercase_letter('İ'), None);
    }

    #[test]
    fn caseless_characters_have_no_case() {
        let caseless = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| caseless(c));
        for c in caseless {
            assert!(!c.is_uppercase() && !c.is_lowercase(), "{c:?}");
            assert_eq!(c.to_lowercase().collect::<String>(), c.to_string(), "{c:?}");
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
        // Direction marks and isolates, in a word and after it.
        assert_eq!(n("Bre\u{200E}aking News\u{200F}"), "breaking news");
        assert_eq!(n("\u{2067}خبر\u{2069} \u{061C}عاجل\u{202B}"), "خبر عاجل");
        assert_eq!(n("go\u{FE0F} o\u{034F}n\u{2063}"), "go on");
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
