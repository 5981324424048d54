//! What a long text's units are decided from, made on another thread ahead of the decisions.
//!
//! A unit is decided against the index of every unit kept before it, so one text is decided
//! on one thread. What its decision starts from needs no index: the xxh3 of its bytes, its
//! words' hashes with their capitals and labels, their [`words_key`], and its near-duplicate
//! keys. In a text of at least [`MIN_UNITS`] units, when the rayon pool it runs on has another
//! thread, those are made for the next [`CHUNK`] units by that thread while this one decides
//! the current ones. When the other thread is busy, this one makes them itself at the end of
//! the chunk: the work is the same, done later.

use std::ops::Range;

use crate::fingerprint::{hash, near_keys, words_key, NearKeys};
use crate::normalize::{words_into, Normalized};
use crate::segment::Segment;

use super::MIN_NEAR_WORDS;

/// Units made ahead at a time: about 200 KB of scraped text.
pub(super) const CHUNK: usize = 4096;

/// Texts of fewer units are decided as they are read: a page of a crawl has a few hundred.
pub(super) const MIN_UNITS: usize = 4 * CHUNK;

/// Whether `units` units are worth making ahead on the current rayon pool (which, called from
/// outside one, is the global pool).
pub(super) fn worth_it(units: usize) -> bool {
    // The pool is asked only for a long text: asking starts the global pool.
    units >= MIN_UNITS && rayon::current_num_threads() > 1
}

/// One unit made ahead.
#[derive(Default)]
struct Made {
    /// The xxh3 of its bytes.
    raw: u64,
    /// Its words, with their capitals and labels (not their text).
    words: Normalized,
    /// [`words_key`] of its words.
    key: u64,
    /// Its near-duplicate keys, when it has words enough to be searched for.
    near: Option<NearKeys>,
}

/// The units `start..start + made.len()` of a text, made ahead.
#[derive(Default)]
pub(super) struct Ahead {
    start: usize,
    made: Vec<Made>,
}

impl Ahead {
    /// The units this holds.
    pub(super) fn units(&self) -> Range<usize> {
        self.start..self.start + self.made.len()
    }

    /// Makes units `start..` of `segments`, at most [`CHUNK`] of them, reusing the memory of
    /// the ones made before.
    pub(super) fn make(&mut self, text: &str, segments: &[Segment], start: usize) {
        let end = segments.len().min(start + CHUNK);
        self.start = start;
        self.made.resize_with(end - start, Made::default);
        for (made, seg) in self.made.iter_mut().zip(&segments[start..end]) {
            let unit = &text[seg.start..seg.end];
            made.raw = hash(unit.as_bytes());
            words_into(unit, &mut made.words);
            made.key = words_key(&made.words.hashes);
            made.near = (made.words.len() >= MIN_NEAR_WORDS).then(|| near_keys(&made.words.hashes));
        }
    }

    fn get(&self, unit: usize) -> Option<&Made> {
        self.made.get(unit.checked_sub(self.start)?)
    }
}

/// What units are decided from, for the units it was made ahead for: `()` for none.
pub(super) trait MadeAhead {
    /// The xxh3 of unit `unit`'s bytes.
    fn raw(&self, unit: usize) -> Option<u64>;

    /// Swaps the words of unit `unit` into `out`, with their capitals and labels: a unit's
    /// words are taken once (what is left in their place is what `out` held). Returns whether
    /// they were made ahead.
    fn take_words(&mut self, unit: usize, out: &mut Normalized) -> bool;

    /// The [`words_key`] of unit `unit`'s words.
    fn key(&self, unit: usize) -> Option<u64>;

    /// The near-duplicate keys of unit `unit`, if it has words enough to be searched for.
    fn near(&self, unit: usize) -> Option<&NearKeys>;
}

impl MadeAhead for Ahead {
    fn raw(&self, unit: usize) -> Option<u64> {
        self.get(unit).map(|m| m.raw)
    }

    fn take_words(&mut self, unit: usize, out: &mut Normalized) -> bool {
        let made = (unit.checked_sub(self.start)).and_then(|at| self.made.get_mut(at));
        made.map(|m| std::mem::swap(&mut m.words, out)).is_some()
    }

    fn key(&self, unit: usize) -> Option<u64> {
        self.get(unit).map(|m| m.key)
    }

    fn near(&self, unit: usize) -> Option<&NearKeys> {
        self.get(unit).and_then(|m| m.near.as_ref())
    }
}

/// Nothing made ahead: every unit is made in its turn.
impl MadeAhead for () {
    fn raw(&self, _: usize) -> Option<u64> {
        None
    }

    fn take_words(&mut self, _: usize, _: &mut Normalized) -> bool {
        false
    }

    fn key(&self, _: usize) -> Option<u64> {
        None
    }

    fn near(&self, _: usize) -> Option<&NearKeys> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boilerplate::fingerprint;
    use crate::dedup::{decide, BoilerplateCheck, Decision, Reason};
    use crate::segment::{segment, Unit};

    /// Copies of the samples' lines, each copy with some lines as they are (exact repeats),
    /// some in capitals (normalized repeats) and some with a word added or replaced (near
    /// repeats, and new units). With `wrap`, lines are cut to at most 60 bytes at spaces, so
    /// the text reads as hard-wrapped and its paragraphs are blocks of lines.
    fn copies(wrap: bool) -> String {
        let mut samples: Vec<_> = std::fs::read_dir("samples")
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        samples.sort();
        let lines: Vec<String> = samples
            .iter()
            .flat_map(|p| {
                let text = std::fs::read_to_string(p).unwrap();
                text.lines().map(str::to_owned).collect::<Vec<_>>()
            })
            .collect();
        let mut out = String::new();
        for copy in 0..80 {
            for (n, line) in lines.iter().enumerate() {
                let line = match (n + copy) % 5 {
                    0 | 1 => line.clone(),
                    2 => line.to_uppercase(),
                    3 => format!("{line} copy{copy}"),
                    _ => line.replacen(' ', &format!(" w{copy} "), 1),
                };
                if !wrap {
                    out.push_str(&line);
                    out.push('\n');
                    continue;
                }
                let mut width = 0;
                for word in line.split(' ') {
                    if width > 0 && width + word.len() >= 60 {
                        out.push('\n');
                        width = 0;
                    } else if width > 0 {
                        out.push(' ');
                    }
                    out.push_str(word);
                    width += word.len() + 1;
                }
                out.push('\n');
            }
        }
        out
    }

    fn on_threads(threads: usize, text: &str, unit: Unit, boilerplate: bool) -> Vec<Decision> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let segments = segment(text, unit);
        pool.install(|| {
            assert_eq!(worth_it(segments.len()), threads > 1);
            // A site's boilerplate check, which reads the words and the key made ahead: one
            // paragraph in 16.
            let one_in_16 = |_: &str, n: &Normalized, key: u64| {
                assert_eq!(fingerprint(n), key, "the key is the words' fingerprint");
                key.is_multiple_of(16).then_some(9u32)
            };
            let check = boilerplate.then_some(&one_in_16 as BoilerplateCheck<'_>);
            decide(text, &segments, 0.8, unit == Unit::Auto, check)
        })
    }

    #[test]
    fn units_made_ahead_are_decided_as_units_made_in_turn() {
        let cases = [
            (false, Unit::Auto, false),
            (true, Unit::Auto, false),
            (true, Unit::Line, false),
            (false, Unit::Auto, true),
        ];
        for (wrap, unit, boilerplate) in cases {
            let text = copies(wrap);
            let units = segment(&text, unit).len();
            assert!(units > MIN_UNITS + 2 * CHUNK, "{units} units");
            let ahead = on_threads(2, &text, unit, boilerplate);
            let in_turn = on_threads(1, &text, unit, boilerplate);
            assert_eq!(ahead.len(), in_turn.len());
            let differ = (0..units).find(|&j| ahead[j] != in_turn[j]);
            assert!(
                differ.is_none(),
                "wrap {wrap}, {unit:?}: unit {differ:?} of {units}: {:?} made ahead, {:?} in turn",
                differ.map(|j| ahead[j]),
                differ.map(|j| in_turn[j]),
            );
            // The text has every kind of repeat, and new units too.
            let removed = |reason| {
                (ahead.iter())
                    .filter(|d| matches!(d, Decision::Remove { reason: r, .. } if *r == reason))
                    .count()
            };
            for reason in [Reason::Exact, Reason::Normalized, Reason::Near] {
                assert!(removed(reason) > 100, "{reason:?}: {}", removed(reason));
            }
            let site_boilerplate = (ahead.iter())
                .filter(|d| matches!(d, Decision::Boilerplate { .. }))
                .count();
            assert_eq!(site_boilerplate > 100, boilerplate, "{site_boilerplate}");
            let kept = ahead.iter().filter(|d| **d == Decision::Keep).count();
            assert!(kept > units / 10, "{kept} kept");
        }
    }
}
