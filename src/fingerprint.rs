//! Fingerprints: xxh3 of raw text, hashes of words and of normalized paragraphs, and the keys
//! (first and last words, MinHash bands of word sets) under which near-duplicate candidates
//! are found. No I/O, no state.

use xxhash_rust::xxh3::xxh3_64;

use crate::normalize::Normalized;

/// xxh3 (64-bit) of a byte string.
pub fn hash(bytes: &[u8]) -> u64 {
    xxh3_64(bytes)
}

/// The fingerprint of a normalized paragraph, from the [`word_hash`]es of its words in order:
/// the same words give the same key, and different ones, but for a chance as small as a
/// collision of xxh3, a different key (a match is confirmed by comparing the normalized
/// texts). It needs no normalized text, only [`crate::normalize::Normalized::hashes`].
pub fn words_key(words: &[u64]) -> u64 {
    // Each word is mixed with its place on its own (the 128-bit product, folded), then the
    // results are summed: no word waits for the one before it. Mixing each word into the key
    // of the words before it made a chain of multiplications that cost 7% of `--jsonl`'s time.
    let sum = (words.iter().zip(0u64..)).fold(0u64, |sum, (&w, i)| {
        sum.wrapping_add(fold(w ^ WYP[0], i ^ WYP[1]))
    });
    mix(sum ^ words.len() as u64)
}

/// A 64-bit hash of one word, for the near-duplicate search (a unit's fingerprints are
/// [`hash`]es). Scraped text has a few words per paragraph and most are under 8 bytes, so this
/// is the wyhash construction (the 128-bit product of two 64-bit halves of the input, folded)
/// cut down to a few instructions per word; it mixes well enough that MinHash bins, band keys
/// and sketches behave as with xxh3.
pub fn word_hash(word: &[u8]) -> u64 {
    let n = word.len();
    let r8 = |at: usize| u64::from_le_bytes(word[at..at + 8].try_into().unwrap());
    // Two 64-bit halves that together hold every byte (they overlap for odd lengths).
    let (a, b) = match n {
        // Every byte, little-endian, in one half: from two loads that overlap where the word
        // is shorter than them (an overlapping byte is the same byte in both).
        4..=8 => {
            let r4 =
                |at: usize| u64::from(u32::from_le_bytes(word[at..at + 4].try_into().unwrap()));
            (r4(0) | r4(n - 4) << (8 * (n - 4)), 0)
        }
        1..=3 => {
            let byte = |at: usize| u64::from(word[at]) << (8 * at);
            (byte(0) | byte(n / 2) | byte(n - 1), 0)
        }
        0 => (0, 0),
        9..=16 => (r8(0), r8(n - 8)),
        _ => {
            let mut h = 0;
            let mut at = 0;
            while at + 16 < n {
                h = fold(r8(at) ^ WYP[1], r8(at + 8) ^ h);
                at += 16;
            }
            (r8(n - 16) ^ h, r8(n - 8))
        }
    };
    mix_halves(a, b, n)
}

/// The hash of a word of `n` bytes from the two 64-bit halves that hold its bytes.
fn mix_halves(a: u64, b: u64, n: usize) -> u64 {
    fold(fold(a ^ WYP[1], b ^ WYP[0] ^ n as u64) ^ WYP[2], WYP[3])
}

/// [`word_hash`] of `bytes[start..end]`, a word of one to eight bytes read as one 8-byte load
/// when eight bytes from `start` are in `bytes` (longer words, and words too near the end, take
/// [`word_hash`]).
pub(crate) fn word_hash_at(bytes: &[u8], start: usize, end: usize) -> u64 {
    let n = end - start;
    let chunk = bytes.get(start..).and_then(<[u8]>::first_chunk::<8>);
    let Some(&chunk) = chunk.filter(|_| (1..=8).contains(&n)) else {
        return word_hash(&bytes[start..end]);
    };
    // The word's bytes, little-endian, and zeros past its end.
    mix_halves(u64::from_le_bytes(chunk) & u64::MAX >> (64 - 8 * n), 0, n)
}

/// The low and the high half of the 128-bit product, xor-ed.
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ (product >> 64) as u64
}

/// wyhash's default secret: odd 64-bit constants with 32 bits set.
const WYP: [u64; 4] = [
    0x2d35_8dcc_aa6c_78a5,
    0x8bb8_4b93_962e_acc9,
    0x4b33_a62e_d433_d4a3,
    0x4d5a_2da5_1de1_aa47,
];

/// The words of a normalized paragraph as [`word_hash`]es, in order, each with a flag saying
/// whether it carries a fact that tells two similar paragraphs apart: a number, a one-letter
/// label ("Plan A"), or a capitalized word inside a sentence (most likely a name). Words of
/// facts in any paragraph (negations, numbers in words) are known by their hashes: see
/// [`Words::fact`]. In a title-cased line (most words capitalized, as in headlines, and the
/// others articles, conjunctions or prepositions) capitals say nothing about names and are not
/// flagged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Words {
    /// [`word_hash`] of each word.
    pub hashes: Vec<u64>,
    /// Whether each word carries a fact.
    pub facts: Vec<bool>,
}

impl Words {
    /// The words of `normalized`.
    ///
    /// # Panics
    ///
    /// When `normalized` lacks its words' capitals and labels ([`Normalized::has_flags`]), as
    /// one made by [`crate::normalize::word_hashes_into`] does.
    pub fn new(normalized: &Normalized) -> Words {
        assert!(
            normalized.has_flags(),
            "words without their capitals and labels"
        );
        let capitals = normalized.capitalized.iter().filter(|&&c| c).count();
        let title_case = capitals * 2 > normalized.len() && !has_lowercase_content(normalized);
        let mut facts = normalized.labels.clone();
        if !title_case {
            let names = normalized.capitalized.iter().skip(1);
            facts
                .iter_mut()
                .skip(1)
                .zip(names)
                .for_each(|(f, &c)| *f |= c);
        }
        Words {
            hashes: normalized.hashes.clone(),
            facts,
        }
    }

    /// Whether word `i` carries a fact: flagged, or a word of facts in any paragraph, an
    /// English negation or number in words (asked only of the few words two similar
    /// paragraphs do not share).
    pub fn fact(&self, i: usize) -> bool {
        self.facts[i] || fact_words().binary_search(&self.hashes[i]).is_ok()
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }
}

/// Whether a word of `normalized` that title case would capitalize is in lowercase: one that is
/// neither capitalized, nor a label, nor a minor word (see [`MINOR_WORDS`]). "Nadal beat
/// Federer in Paris" has mostly capitals, but "beat" says it is a sentence of names, not a
/// headline in title case.
fn has_lowercase_content(normalized: &Normalized) -> bool {
    let minor = minor_words();
    (normalized
        .hashes
        .iter()
        .zip(&normalized.capitalized)
        .zip(&normalized.labels))
    .any(|((h, &capital), &label)| !capital && !label && minor.binary_search(h).is_err())
}

/// Words that title case leaves in lowercase: articles, conjunctions and prepositions
/// (English, and the particles of names such as "van der").
const MINOR_WORDS: &str = "a an the and but or nor for so yet as at by in of on to up off out \
    per via vs v with from into onto over upon than amid near like past down about \
    de la le les du des da di del della van von der den y e et";

/// The [`word_hash`]es of [`MINOR_WORDS`], sorted.
fn minor_words() -> &'static [u64] {
    static HASHES: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    HASHES.get_or_init(|| hashes_sorted(MINOR_WORDS))
}

/// The [`word_hash`]es of the words of `words`, sorted.
fn hashes_sorted(words: &str) -> Vec<u64> {
    let mut hashes: Vec<u64> = words
        .split_whitespace()
        .map(|w| word_hash(w.as_bytes()))
        .collect();
    hashes.sort_unstable();
    hashes
}

/// Words that carry a fact as numbers do, in their normalized form: negations ("the suspect
/// was not armed") and numbers in words ("three schools", "$2 billion"), in English, and
/// negations and the common numbers in German, French, Spanish, Italian, Portuguese, Russian
/// and Arabic ("nicht", "jamais", "nunca", "не", "لا"; "drei", "trois", "tres", "пять"). A
/// word that is one of these in one language and something else in another ("sin", "mai")
/// only keeps two lines apart that differ in it. Words of other languages are facts by their
/// digits and capitals alone.
const FACT_WORDS: &str = "not no never nor neither none nobody nothing nowhere without non \
    cannot can't isn't aren't wasn't weren't don't doesn't didn't couldn't won't \
    wouldn't shouldn't hasn't haven't hadn't mustn't needn't ain't \
    zero one two three four five six seven eight nine ten eleven twelve thirteen \
    fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty \
    sixty seventy eighty ninety hundred thousand million billion trillion dozen \
    half twice first second third fourth fifth \
    nicht kein keine keinen keinem keiner keines nie niemals ohne \
    eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf zwanzig dreißig hundert \
    tausend millionen milliarde milliarden \
    ne pas jamais aucun aucune sans \
    deux trois quatre cinq sept huit neuf dix onze douze vingt trente cent mille milliard \
    nunca jamás ningún ninguno ninguna tampoco sin \
    dos tres cuatro cinco seis siete ocho nueve diez doce veinte treinta cien ciento mil \
    millón millones \
    mai nessun nessuno nessuna senza \
    due quattro cinque sette otto nove dieci venti trenta cento mila milione miliardo \
    não nenhum nenhuma sem \
    duas três quatro sete oito dez vinte trinta milhão milhões bilhão \
    не нет ни никогда никто ничего без \
    один одна два две три четыре пять шесть семь восемь девять десять двадцать тридцать \
    сто тысяча тысячи миллион миллиона миллиард \
    لا لم لن ليس غير بدون \
    واحد اثنان ثلاث ثلاثة أربع أربعة خمس خمسة ست ستة سبع سبعة ثمانية تسع تسعة عشر عشرة مئة \
    ألف مليون مليار";

/// The [`word_hash`]es of [`FACT_WORDS`], sorted.
fn fact_words() -> &'static [u64] {
    static HASHES: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    HASHES.get_or_init(|| hashes_sorted(FACT_WORDS))
}

/// What stands between a page's headline and the name of its site or section after it
/// ("Storm hits coast - BBC News", "… | TheHill", "… — The Guardian").
const SITE_SEPARATORS: [&str; 7] = [" - ", " – ", " — ", "|", " · ", " :: ", " » "];

/// A site suffix has at most this many words.
pub(crate) const MAX_SITE_WORDS: usize = 4;

/// Whether the words of the unit `raw`, whose [`word_hash`]es are `hashes`, from word `at` on
/// are its site suffix: one to [`MAX_SITE_WORDS`] words after a separator (a dash with spaces
/// around it, `|`, ` · `, ` :: ` or ` » `) at its end, none of them a label (a number or one
/// character: "Page 2" is a fact), with words before them, all on the unit's last line. The
/// suffix may have separators inside: a section and a site ("| World | News |
/// Express.co.uk").
///
/// The capitals of a site's name say nothing about the headline before it: "Storm hits coast
/// as thousands flee - BBC News" repeats "Storm hits coast as thousands flee". It reads the raw
/// text again, so it is asked only where it decides a match (see `crate::dedup`).
pub(crate) fn is_site_suffix(raw: &str, hashes: &[u64], at: usize) -> bool {
    let words = hashes.len().saturating_sub(at);
    if at == 0 || !(1..=MAX_SITE_WORDS).contains(&words) {
        return false;
    }
    // The separators are tried from the last one back, each with a few more words after it,
    // until one has as many words after it as are asked about.
    let (mut end, mut n) = (raw.len(), Normalized::default());
    for _ in 0..MAX_SITE_WORDS {
        let last = SITE_SEPARATORS
            .iter()
            .filter_map(|sep| raw[..end].rfind(sep).map(|i| (i, i + sep.len())))
            .max();
        let Some((sep, after)) = last.filter(|&(_, after)| !raw[after..].contains('\n')) else {
            return false;
        };
        // No word spans a separator (each has a space or `|` in it, where words break), so
        // the words after it are the unit's last words.
        crate::normalize::words_into(&raw[after..], &mut n);
        if n.len() >= words {
            return n.hashes == hashes[at..] && !n.labels.contains(&true);
        }
        end = sep;
    }
    false
}

/// Number of bands in a signature.
pub const BANDS: usize = 16;
/// Number of MinHash values per band.
pub const ROWS: usize = 3;
const PERMUTATIONS: usize = BANDS * ROWS;

/// Locality-sensitive keys of a word set: two sets with Jaccard similarity `j` share at least
/// one band key with probability `1 - (1 - j^ROWS)^BANDS` (0.996 at j = 0.66, 0.88 at 0.5,
/// 0.12 at 0.2), so similar paragraphs meet in a bucket and unrelated ones rarely do.
pub type BandKeys = [u64; BANDS];

/// MinHash band keys of a set of word hashes (duplicates in `words` do not matter).
///
/// One-permutation MinHash: each word hash falls into one of the 48 bins (by its low half)
/// and the bin keeps the least high half seen, so a word costs one multiply instead of 48. A
/// bin no word fell into borrows the value of the next filled bin to its right, offset by the
/// distance (rotation densification), which keeps the chance that two sets agree on a bin
/// equal to their Jaccard similarity. A band key mixes the band's three values and its index,
/// so equal values in different bands do not collide.
pub fn band_keys(words: &[u64]) -> BandKeys {
    let mut mins = [u32::MAX; PERMUTATIONS];
    let mut filled = 0u64;
    for &w in words {
        let bin = (((w & 0xFFFF_FFFF) * PERMUTATIONS as u64) >> 32) as usize;
        mins[bin] = mins[bin].min((w >> 32) as u32);
        filled |= 1 << bin;
    }
    if filled != 0 {
        // The filled bins twice over, so the next filled bin to the right of any bin, going
        // round, is the lowest set bit above it.
        let ring = u128::from(filled) | (u128::from(filled) << PERMUTATIONS);
        let mut empty = !filled & ((1 << PERMUTATIONS) - 1);
        while empty != 0 {
            let bin = empty.trailing_zeros() as usize;
            empty &= empty - 1;
            let distance = (ring >> (bin + 1)).trailing_zeros() as usize + 1;
            let source = mins[(bin + distance) % PERMUTATIONS];
            mins[bin] = source.wrapping_add(DENSIFY_STEP.wrapping_mul(distance as u32));
        }
    }
    let mut keys = [0u64; BANDS];
    for (band, key) in keys.iter_mut().enumerate() {
        let [a, b, c] = [0, 1, 2].map(|row| u64::from(mins[band * ROWS + row]));
        *key = mix((a | (b << 32)) ^ c.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (band as u64) << 58);
    }
    keys
}

/// Units of at least this many words are filed by MinHash bands as well as by their ends:
/// two such units can be near-duplicates without being one edit apart (see
/// [`crate::dedup::one_edit`]).
pub const BANDED_WORDS: usize = crate::dedup::LONG_UNIT_WORDS;

/// Where a unit is filed for the near-duplicate search.
///
/// Two near-duplicates of which one has fewer than [`BANDED_WORDS`] words are one edit apart
/// (words added or removed at one place, or one word replaced), so with at least four words
/// each they share their first two words or their last two: the `ends` keys find them all.
/// Longer units also get MinHash `bands`, which find similar ones changed in several places.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NearKeys {
    /// Keys of the first two words and of the last two.
    pub ends: [u64; 2],
    /// MinHash band keys, for units of at least [`BANDED_WORDS`] words.
    pub bands: Option<BandKeys>,
}

/// The [`NearKeys`] of a unit with these word hashes (at least two words).
pub fn near_keys(words: &[u64]) -> NearKeys {
    let pair = |a: u64, b: u64, end: u64| mix(a ^ b.rotate_left(29) ^ end);
    let n = words.len();
    let ends = if n >= 2 {
        [
            pair(words[0], words[1], 0x5EED_F1A5),
            pair(words[n - 2], words[n - 1], 0x1A57_0E4D),
        ]
    } else {
        [0; 2]
    };
    NearKeys {
        ends,
        bands: (n >= BANDED_WORDS).then(|| band_keys(words)),
    }
}

/// The splitmix64 finalizer: a fast bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Offset per bin of distance for densified bins (an odd constant, the golden ratio).
const DENSIFY_STEP: u32 = 0x9E37_79B9;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    /// Every word of facts, and every minor word of title case, is written as normalization
    /// makes it (lowercase, one word), or its hash would never match.
    #[test]
    fn listed_words_are_normalized_words() {
        for word in FACT_WORDS
            .split_whitespace()
            .chain(MINOR_WORDS.split_whitespace())
        {
            assert_eq!(
                normalize(word).hashes,
                [word_hash(word.as_bytes())],
                "{word}"
            );
        }
        assert!(fact_words()
            .binary_search(&word_hash("не".as_bytes()))
            .is_ok());
        assert!(fact_words()
            .binary_search(&word_hash("nicht".as_bytes()))
            .is_ok());
    }

    fn keys(s: &str) -> BandKeys {
        band_keys(&Words::new(&normalize(s)).hashes)
    }

    fn shared(a: &BandKeys, b: &BandKeys) -> usize {
        a.iter().zip(b).filter(|(x, y)| x == y).count()
    }

    proptest::proptest! {
        /// The one-load hash of a word inside a longer text is its [`word_hash`].
        #[test]
        fn a_word_hashes_alike_wherever_it_is_read(
            text in proptest::collection::vec(proptest::num::u8::ANY, 1..40),
            start in 0usize..40,
            len in 1usize..20,
        ) {
            let start = start % text.len();
            let end = (start + len).min(text.len());
            proptest::prop_assert_eq!(
                word_hash_at(&text, start, end),
                word_hash(&text[start..end])
            );
        }
    }

    #[test]
    fn a_site_suffix_is_a_few_words_after_a_separator_at_the_end() {
        let suffix =
            |raw: &str, at: usize| is_site_suffix(raw, &Words::new(&normalize(raw)).hashes, at);
        for raw in [
            "Storm hits coast - BBC News",
            "Storm hits coast – BBC News",
            "Storm hits coast — BBC News",
            "Storm hits coast | BBC News",
            "Storm hits coast|BBC News",
            "Storm hits coast · BBC News",
            "Storm hits coast :: BBC News",
            "Storm hits coast » BBC News",
            "Storm hits coast - BBC News Online Edition",
            "Storm hits coast | World | News | Express.co.uk",
            "Storm hits coast - thousands flee - BBC",
        ] {
            assert!(suffix(raw, 3), "{raw}");
        }
        // The words after the last separator, or after one before it, and no others.
        assert!(suffix("Storm hits coast - thousands flee - BBC", 5));
        assert!(!suffix("Storm hits coast - BBC News", 2));
        assert!(!suffix("Storm hits coast - BBC News", 4));
        assert!(!suffix("Storm hits coast - BBC News", 5));
        for raw in [
            // Labels are facts, a site's name or not.
            "Storm hits coast - Page 2",
            "Storm hits coast - 2019",
            "Storm hits coast | E Online",
            // Five words are more than a site's name.
            "Storm hits coast - BBC News Online Weekend Edition",
            // No separator, or not one at the end, or one on another line.
            "Storm hits coast BBC News",
            "Storm hits coast -BBC News",
            "Storm hits coast BBC - News",
            "Storm hits coast |\nBBC News",
        ] {
            assert!(!suffix(raw, 3), "{raw}");
        }
        // Words before it are needed.
        assert!(!suffix("- BBC News", 0));
        assert!(!suffix("| BBC News", 0));
    }

    #[test]
    fn equal_sets_have_equal_keys() {
        assert_eq!(keys("a b c d"), keys("d c b a a"));
    }

    #[test]
    fn headline_with_site_suffix_shares_a_band() {
        let a = keys("Caliphate Renaissance: Islamists Maintain Strategic Calm");
        let b = keys("Caliphate Renaissance: Islamists Maintain Strategic Calm | World News");
        assert!(shared(&a, &b) > 0);
    }

    #[test]
    fn unrelated_paragraphs_share_too_few_bands_to_be_compared() {
        // They share "the" and "on": bins those words win, and empty bins that borrow from
        // them, can make a band alike, but not the two a candidate needs.
        let a = keys("The council approved the budget after a long debate on roads");
        let b = keys("Heavy rain flooded the valley and closed three schools on Monday");
        assert!(shared(&a, &b) < crate::dedup::MIN_SHARED_BANDS as usize);
        // Paragraphs without a word in common share no band at all.
        let paragraph = |p: usize| -> String { (0..20).map(|w| format!("p{p}w{w} ")).collect() };
        let pairs = (0..500).map(|p| (keys(&paragraph(2 * p)), keys(&paragraph(2 * p + 1))));
        assert_eq!(pairs.filter(|(a, b)| shared(a, b) > 0).count(), 0);
    }

    #[test]
    fn one_word_changed_in_a_long_paragraph_shares_a_band() {
        let base: Vec<String> = (0..60).map(|i| format!("word{i}")).collect();
        let mut other = base.clone();
        other[30] = "changed".into();
        assert!(shared(&keys(&base.join(" ")), &keys(&other.join(" "))) > 0);
    }

    #[test]
    fn word_hashes_differ_and_mix() {
        let words: Vec<String> = (0..50_000)
            .map(|i: u64| {
                let len = 1 + (i % 23) as usize;
                let letters = (0..len).map(|k| b'a' + ((i >> (2 * k % 16)) + k as u64) as u8 % 26);
                format!("{}{i}", String::from_utf8(letters.collect()).unwrap())
            })
            .collect();
        let hashes: Vec<u64> = words.iter().map(|w| word_hash(w.as_bytes())).collect();
        let distinct: std::collections::HashSet<_> = hashes.iter().collect();
        assert_eq!(distinct.len(), words.len());
        // Every bit is set in about half of the hashes (MinHash bins use the low bits, values
        // the high ones, sketches the lowest six).
        for bit in 0..64 {
            let set = hashes.iter().filter(|&&h| h >> bit & 1 == 1).count();
            assert!((23_000..27_000).contains(&set), "bit {bit}: {set}");
        }
        // Every length has its own hashes, and the same bytes always hash alike.
        let a = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop";
        let prefixes: std::collections::HashSet<_> = (0..=a.len())
            .map(|n| word_hash(&a.as_bytes()[..n]))
            .collect();
        assert_eq!(prefixes.len(), a.len() + 1);
        assert_eq!(word_hash(b"paragraph"), word_hash(b"paragraph"));
    }

    /// The key of a normalized paragraph depends on its words and their order, not on
    /// anything else (the text is not there when it is computed).
    #[test]
    fn words_key_tells_word_lists_apart() {
        let key = |text: &str| {
            let mut n = Normalized::default();
            crate::normalize::words_into(text, &mut n);
            words_key(&n.hashes)
        };
        assert_eq!(key("The cat sat."), key("the  CAT, sat"));
        let others = [
            "cat the sat",
            "the cat sat sat",
            "the cat",
            "the cat sat on",
            "",
            "sat",
        ];
        let mut keys: Vec<u64> = others.iter().map(|t| key(t)).collect();
        keys.push(key("the cat sat"));
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), others.len() + 1);
    }

    #[test]
    fn empty_set_has_stable_keys() {
        assert_eq!(band_keys(&[]), band_keys(&[]));
    }
}
