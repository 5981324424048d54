//! Fingerprints -> decisions: for every unit, keep it or remove it as a repeat of an earlier
//! kept unit. The first occurrence always wins; removed units never become originals.
//!
//! Matching runs from cheap to expensive and stops at the first hit:
//! 1. **exact**: same bytes (xxh3 of the raw text, confirmed by comparing bytes);
//! 2. **normalized**: same normalized text (see [`crate::normalize`]), confirmed by comparing it;
//! 3. **near**: MinHash band keys find earlier kept units that share words; each candidate is
//!    confirmed by the exact [`similarity`] and by [`same_facts`]. Only units of at least
//!    [`MIN_NEAR_WORDS`] words take part.
//!
//! Every unit is looked up in hash tables a constant number of times (at most
//! [`MAX_CANDIDATES`] confirmations, buckets capped at [`BUCKET_CAP`] members), so the cost is
//! linear in the number of units, whatever the text.

use std::collections::HashMap;

use crate::fingerprint::{band_keys, hash, word_hashes, BandKeys};
use crate::normalize::{normalize, normalize_into, Normalized};
use crate::segment::Segment;

/// Why a unit was removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    /// Byte for byte the same as the kept unit.
    Exact,
    /// The same after normalization (case, punctuation, quotes, spaces, Unicode forms).
    Normalized,
    /// Similar enough to the kept unit (a small edit of it).
    Near,
}

impl Reason {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Exact => "exact",
            Reason::Normalized => "normalized",
            Reason::Near => "near",
        }
    }
}

/// What happens to one unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision {
    /// The unit stays.
    Keep,
    /// The unit repeats unit `of` (an index into the same segment list, always an earlier kept
    /// unit) and goes.
    Remove {
        /// Index of the kept unit this one repeats.
        of: usize,
        /// How it matched.
        reason: Reason,
        /// Similarity to the kept unit: 1.0 for exact and normalized matches.
        similarity: f64,
    },
}

/// Units with fewer words than this are only removed as exact or normalized repeats: in a
/// very short line, one changed word is a different line.
pub const MIN_NEAR_WORDS: usize = 4;
/// At most this many near-duplicate candidates are confirmed per unit (those sharing the most
/// band keys first).
pub const MAX_CANDIDATES: usize = 8;
/// A MinHash bucket remembers at most this many units.
pub const BUCKET_CAP: usize = 32;

/// Decides every unit of `text`. `threshold` is the least [`similarity`] of a near-duplicate.
pub fn decide(text: &str, segments: &[Segment], threshold: f64) -> Vec<Decision> {
    let mut index = Index::default();
    let mut normalized = Normalized::default();
    segments
        .iter()
        .enumerate()
        .map(|(i, seg)| {
            let raw = &text[seg.start..seg.end];
            normalize_into(raw, &mut normalized);
            if normalized.is_empty() {
                // Nothing to compare: rules, ornaments and emoji lines stay where they are.
                return Decision::Keep;
            }
            let (decision, keys) = index.find(text, segments, raw, &normalized, threshold);
            if decision == Decision::Keep {
                index.insert(i, raw, &normalized, keys);
            }
            decision
        })
        .collect()
}

/// Hash tables over the kept units.
#[derive(Default)]
struct Index {
    raw: HashMap<u64, usize>,
    normalized: HashMap<u64, usize>,
    buckets: HashMap<u64, Vec<u32>>,
    /// Word count of each unit inserted, by unit index (0 for units never inserted).
    words: Vec<u32>,
}

impl Index {
    fn find(
        &mut self,
        text: &str,
        segments: &[Segment],
        raw: &str,
        normalized: &Normalized,
        threshold: f64,
    ) -> (Decision, Option<BandKeys>) {
        if let Some(&of) = self.raw.get(&hash(raw.as_bytes())) {
            if slice(text, &segments[of]) == raw {
                return (remove(of, Reason::Exact, 1.0), None);
            }
        }
        if let Some(&of) = self.normalized.get(&hash(normalized.text.as_bytes())) {
            if normalize(slice(text, &segments[of])).text == normalized.text {
                return (remove(of, Reason::Normalized, 1.0), None);
            }
        }
        if normalized.len() < MIN_NEAR_WORDS {
            return (Decision::Keep, None);
        }
        let keys = band_keys(&word_hashes(normalized));
        let mut candidates: Vec<(usize, u32)> = Vec::new();
        for key in &keys {
            for &member in self.buckets.get(key).into_iter().flatten() {
                match candidates.iter_mut().find(|(c, _)| *c == member as usize) {
                    Some((_, shared)) => *shared += 1,
                    None => candidates.push((member as usize, 1)),
                }
            }
        }
        // Most shared bands first, then the earliest unit.
        candidates.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut best: Option<(usize, f64)> = None;
        for &(of, _) in candidates.iter().take(MAX_CANDIDATES) {
            let (a, b) = (normalized.len(), self.words[of] as usize);
            if dice_bound(a, b) < threshold {
                continue;
            }
            let kept = normalize(slice(text, &segments[of]));
            let sim = similarity(&kept, normalized);
            if sim >= threshold
                && best.is_none_or(|(_, s)| sim > s)
                && same_facts(&kept, normalized)
            {
                best = Some((of, sim));
            }
        }
        let decision = match best {
            Some((of, sim)) => remove(of, Reason::Near, sim),
            None => Decision::Keep,
        };
        (decision, Some(keys))
    }

    fn insert(&mut self, unit: usize, raw: &str, normalized: &Normalized, keys: Option<BandKeys>) {
        self.raw.entry(hash(raw.as_bytes())).or_insert(unit);
        self.normalized
            .entry(hash(normalized.text.as_bytes()))
            .or_insert(unit);
        if let Some(keys) = keys {
            if self.words.len() <= unit {
                self.words.resize(unit + 1, 0);
            }
            self.words[unit] = normalized.len() as u32;
            for key in keys {
                let bucket = self.buckets.entry(key).or_default();
                if bucket.len() < BUCKET_CAP {
                    bucket.push(unit as u32);
                }
            }
        }
    }
}

fn slice<'t>(text: &'t str, seg: &Segment) -> &'t str {
    &text[seg.start..seg.end]
}

fn remove(of: usize, reason: Reason, similarity: f64) -> Decision {
    Decision::Remove {
        of,
        reason,
        similarity,
    }
}

/// The highest similarity two units of `a` and `b` words can have.
fn dice_bound(a: usize, b: usize) -> f64 {
    2.0 * a.min(b) as f64 / (a + b) as f64
}

/// Similarity of two normalized paragraphs: the Dice coefficient of their word multisets,
/// `2·|A ∩ B| / (|A| + |B|)`. 1.0 for the same words in any order; a six-word headline with one
/// word changed scores 0.83, the same headline with a two-word site suffix 0.86.
pub fn similarity(a: &Normalized, b: &Normalized) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (_, only_a, only_b) = word_difference(a, b);
    let common = a.len() - only_a.len();
    debug_assert_eq!(common, b.len() - only_b.len());
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// Whether two similar paragraphs state the same facts: a near-duplicate may not differ in a
/// number ("day 3" vs "day 4"), nor in a capitalized word inside a sentence, which is most
/// likely a name ("Smith said" vs "Jones said"). In a title-cased line (most words
/// capitalized, as in headlines) capitals say nothing about names and are not checked.
pub fn same_facts(a: &Normalized, b: &Normalized) -> bool {
    let (_, only_a, only_b) = word_difference(a, b);
    let differs_in = |side: &Normalized, only: &[usize]| {
        let title_case = side.capitalized.iter().filter(|&&c| c).count() * 2 > side.len();
        let words: Vec<&str> = side.words().collect();
        only.iter().any(|&i| {
            words[i].chars().any(|c| c.is_numeric())
                || (!title_case && i > 0 && side.capitalized[i])
        })
    };
    !differs_in(a, &only_a) && !differs_in(b, &only_b)
}

/// Multiset difference of the words of `a` and `b`: the number of shared words, and the
/// indices of the words only in `a` and only in `b`.
fn word_difference(a: &Normalized, b: &Normalized) -> (usize, Vec<usize>, Vec<usize>) {
    let mut unmatched: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, w) in a.words().enumerate() {
        unmatched.entry(w).or_default().push(i);
    }
    let mut common = 0;
    let mut only_b = Vec::new();
    for (i, w) in b.words().enumerate() {
        match unmatched.get_mut(w).and_then(Vec::pop) {
            Some(_) => common += 1,
            None => only_b.push(i),
        }
    }
    let mut only_a: Vec<usize> = unmatched.into_values().flatten().collect();
    only_a.sort_unstable();
    (common, only_a, only_b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{segment, Unit};

    fn reasons(text: &str) -> Vec<Option<(Reason, usize)>> {
        let segs = segment(text, Unit::Line);
        decide(text, &segs, 0.8)
            .into_iter()
            .map(|d| match d {
                Decision::Keep => None,
                Decision::Remove { of, reason, .. } => Some((reason, of)),
            })
            .collect()
    }

    const HEAD: &str = "Caliphate Renaissance: Islamists Maintain Strategic Calm";

    #[test]
    fn exact_repeat_points_at_first_copy() {
        let t = format!("{HEAD}\nBody text here.\n{HEAD}\n{HEAD}\n");
        assert_eq!(
            reasons(&t),
            [
                None,
                None,
                Some((Reason::Exact, 0)),
                Some((Reason::Exact, 0))
            ]
        );
    }

    #[test]
    fn normalized_repeats() {
        let upper = HEAD.to_uppercase();
        let t = format!("{HEAD}\n{upper}\n{HEAD}.\n“{HEAD}”\n");
        let got = reasons(&t);
        assert!(got[1..].iter().all(|r| *r == Some((Reason::Normalized, 0))));
    }

    #[test]
    fn near_duplicates() {
        let t = format!(
            "{HEAD}\n{HEAD} | World News\nCaliphate Renaissance: Islamists Keep Strategic Calm\n"
        );
        assert_eq!(
            reasons(&t),
            [None, Some((Reason::Near, 0)), Some((Reason::Near, 0))]
        );
    }

    #[test]
    fn numbers_and_names_make_different_lines() {
        let t = "Live: day 3 of the trial, 2 witnesses heard\n\
                 Live: day 4 of the trial, 5 witnesses heard\n\
                 The mayor thanked Smith for the long report on the flood\n\
                 The mayor thanked Jones for the long report on the flood\n";
        assert_eq!(reasons(t), [None, None, None, None]);
    }

    #[test]
    fn caption_inside_a_paragraph_is_kept() {
        let t = "Flooded streets in the old town\n\
                 Residents walked through flooded streets in the old town on Monday as the river rose past its banks for the third time this year.\n";
        assert_eq!(reasons(t), [None, None]);
    }

    #[test]
    fn shared_opening_phrase_is_kept() {
        let t =
            "The city council voted on Tuesday to approve the new budget for schools and parks\n\
                 The city council voted on Tuesday to reject a plan to close the central library\n";
        assert_eq!(reasons(t), [None, None]);
    }

    #[test]
    fn short_lines_need_an_exact_or_normalized_match() {
        let t = "World news today\nWorld sport today\nworld NEWS today\n";
        assert_eq!(reasons(t), [None, None, Some((Reason::Normalized, 0))]);
    }

    #[test]
    fn punctuation_only_lines_are_kept() {
        assert_eq!(reasons("* * *\ntext\n* * *\n"), [None, None, None]);
    }

    #[test]
    fn removed_units_are_never_originals() {
        let a = "one two three four five six seven eight";
        let b = "one two three four five six seven eight nine";
        let t = format!("{a}\n{b}\n{b}\n");
        // The second copy of b repeats b exactly, but b was removed: it is reported against a.
        let got = reasons(&t);
        assert_eq!(got[1], Some((Reason::Near, 0)));
        assert_eq!(got[2], Some((Reason::Near, 0)));
    }

    #[test]
    fn similarity_is_dice_of_word_multisets() {
        let a = normalize("a b c d e f");
        let b = normalize("a b c d e f g h");
        assert!((similarity(&a, &b) - 12.0 / 14.0).abs() < 1e-9);
        assert_eq!(similarity(&a, &a), 1.0);
        assert_eq!(
            similarity(&normalize("a a b"), &normalize("a b b")),
            2.0 * 2.0 / 6.0
        );
    }

    #[test]
    fn lines_differing_in_a_number_are_all_kept() {
        // They all land in the same buckets, past the bucket cap.
        let t: String = (0..5000)
            .map(|i| format!("The committee heard item number {i} of the agenda today\n"))
            .collect();
        let segs = segment(&t, Unit::Line);
        assert!(decide(&t, &segs, 0.8).iter().all(|d| *d == Decision::Keep));
    }
}
