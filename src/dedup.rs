//! Fingerprints -> decisions: for every unit, keep it or remove it as a repeat of an earlier
//! kept unit. The first occurrence always wins; removed units never become originals.
//!
//! Matching runs from cheap to expensive and stops at the first hit:
//! 1. **exact**: same bytes (xxh3 of the raw text, confirmed by comparing bytes);
//! 2. **normalized**: same normalized text (see [`crate::normalize`]): same words, found by
//!    their [`words_key`] and confirmed by comparing the normalized texts;
//! 3. **near**: earlier kept units filed under the same [`NearKeys`] (their first two words,
//!    their last two, and for long units MinHash bands) are candidates; those whose 64-bit word
//!    sketch shows they lack too many of the unit's words are passed over, and the most
//!    promising are confirmed by the exact [`similarity`] and by [`same_facts`]. Only units of at
//!    least [`MIN_NEAR_WORDS`] words take part, and no code listing or table
//!    ([`crate::segment::is_verbatim`]).
//!
//! Every unit is looked up in hash tables a constant number of times (at most
//! [`MAX_CANDIDATES`] confirmations, buckets capped at [`BUCKET_CAP`] and [`ENDS_BUCKET_CAP`]
//! members), so the cost is linear in the number of units, whatever the text.

mod ahead;

use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::cell::Cell;
use std::ops::Range;

use crate::buckets::Buckets;
use crate::fingerprint::{hash, is_site_suffix, near_keys, words_key, NearKeys, Words};
use crate::normalize::{normalize, normalize_into, word_hashes_into, words_into, Normalized};
use crate::segment::{holds_verbatim, is_long_line, lines_look_wrapped, starts_verbatim, Segment};
use ahead::{Ahead, MadeAhead};

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
    /// On many pages of the same site (see [`crate::boilerplate`]).
    Boilerplate,
}

impl Reason {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Exact => "exact",
            Reason::Normalized => "normalized",
            Reason::Near => "near",
            Reason::Boilerplate => "boilerplate",
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
    /// The unit is site boilerplate (see [`crate::boilerplate`]) and goes, first copy included.
    Boilerplate {
        /// The number of the site's pages it is on.
        pages: u32,
    },
}

impl Decision {
    /// Whether the unit goes.
    pub fn is_removed(&self) -> bool {
        *self != Decision::Keep
    }
}

/// Tells whether a unit is boilerplate, and on how many pages, given its text, its words and
/// their [`crate::boilerplate::fingerprint`] (found once, for the check and the index alike).
/// The words may have only their hashes (no normalized text, no capitals or labels); what the
/// check needs beyond that, it makes from the text.
pub type BoilerplateCheck<'a> = &'a dyn Fn(&str, &Normalized, u64) -> Option<u32>;

/// Units with fewer words than this are only removed as exact or normalized repeats: in a
/// very short line, one changed word is a different line.
pub const MIN_NEAR_WORDS: usize = 4;
/// At most this many near-duplicate candidates are confirmed per unit (the most similar by
/// their sketches first).
pub const MAX_CANDIDATES: usize = 8;
/// A candidate must share at least this many of the 16 MinHash bands: one shared band is
/// mostly chance (two short lines with one word in common), a near-duplicate shares many.
pub const MIN_SHARED_BANDS: u32 = 2;
// An entry's weight in a search (sharing both ends and every band) fits in a byte.
const _: () =
    assert!(2 * MIN_SHARED_BANDS as usize + crate::fingerprint::BANDS <= u8::MAX as usize);
/// A MinHash bucket remembers at most this many units.
pub const BUCKET_CAP: usize = 16;
/// A bucket of units with the same first or last two words remembers at most this many: menus
/// and link lists have long runs of lines such as "CTV News Calgary", "CTV News Edmonton", …
/// which the candidates' sketches pass over cheaply.
pub const ENDS_BUCKET_CAP: usize = 64;

/// Decides every unit of `text`. `threshold` is the least [`similarity`] of a near-duplicate.
///
/// With `whole_blocks`, consecutive units of one block (lines of a block that was cut into
/// lines) are first tried together: when the block as a whole repeats an earlier unit or block
/// exactly or after normalization (a paragraph repeated with a line break inside it, or a stack
/// of repeated lines), all its lines go. Otherwise its lines are decided one by one, and the
/// block is remembered as a whole so a later one-line copy of it is found too.
///
/// With `boilerplate`, a unit it names is removed as [`Decision::Boilerplate`] before any
/// other matching, and never becomes an original.
///
/// Units are decided in order, on the calling thread. In a long text (tens of thousands of
/// units), their words and keys are found ahead, on another thread of the current rayon pool
/// when it has one (outside any pool, the global pool); the decisions are the same.
///
/// # Panics
///
/// If a segment's range is not within `text` or does not start and end on character
/// boundaries. [`crate::segment::segment`] makes segments that never do; segments made by hand
/// must be in order and not overlap, or decisions may point at later units.
pub fn decide(
    text: &str,
    segments: &[Segment],
    threshold: f64,
    whole_blocks: bool,
    boilerplate: Option<BoilerplateCheck<'_>>,
) -> Vec<Decision> {
    // The tables of the previous text on this thread, emptied: their memory is reused.
    let mut index = INDEX.with_borrow_mut(std::mem::take);
    index.clear();
    let scratch = std::mem::take(&mut index.scratch);
    // Whether the text has a line too long for hard-wrapped prose (then `segment` made every
    // line a unit, and wrapped paragraphs are single units otherwise).
    let long_lines = whole_blocks && segments.iter().any(|s| is_long_line(text, s));
    let mut decider = Decider {
        text,
        segments,
        threshold,
        whole_blocks,
        boilerplate,
        long_lines,
        kept_long: false,
        index,
        scratch,
        decisions: Vec::with_capacity(segments.len()),
        next: 0,
    };
    if ahead::worth_it(segments.len()) {
        // While this thread decides a chunk, another thread of the pool makes the next one.
        let mut ahead = Ahead::default();
        let mut next = Ahead::default();
        ahead.make(text, segments, 0);
        loop {
            let end = ahead.units().end;
            rayon::in_place_scope(|scope| {
                if end < segments.len() {
                    scope.spawn(|_| next.make(text, segments, end));
                }
                decider.decide_until(end, &mut ahead);
            });
            if end == segments.len() {
                break;
            }
            std::mem::swap(&mut ahead, &mut next);
        }
    } else {
        decider.decide_until(segments.len(), &mut ());
    }
    let Decider {
        mut index,
        scratch,
        decisions,
        ..
    } = decider;
    index.scratch = scratch;
    index.scratch.shrink();
    let_go_if_large(&mut index.near.get_mut().entry_words);
    INDEX.with_borrow_mut(|slot| *slot = index);
    decisions
}

/// [`decide`] under way: its text and settings, the index, and the units decided so far.
struct Decider<'t, 'b> {
    text: &'t str,
    segments: &'t [Segment],
    threshold: f64,
    whole_blocks: bool,
    boilerplate: Option<BoilerplateCheck<'b>>,
    /// Whether the text has a line too long for hard-wrapped prose.
    long_lines: bool,
    /// Whether such a line was kept.
    kept_long: bool,
    index: Index,
    scratch: Scratch,
    decisions: Vec<Decision>,
    /// The first unit not decided yet.
    next: usize,
}

impl Decider<'_, '_> {
    /// Decides the units from the first one not decided yet up to the block unit `end` is in;
    /// `ahead` holds what some of them are decided from.
    fn decide_until(&mut self, end: usize, ahead: &mut impl MadeAhead) {
        let (text, segments, threshold) = (self.text, self.segments, self.threshold);
        let (whole_blocks, boilerplate, long_lines) =
            (self.whole_blocks, self.boilerplate, self.long_lines);
        let is_long = |s: &Segment| long_lines && is_long_line(text, s);
        let (mut i, mut kept_long) = (self.next, self.kept_long);
        let Decider {
            index,
            scratch:
                Scratch {
                    normalized,
                    lines,
                    block_words,
                },
            decisions,
            ..
        } = self;
        // `lines` are the normalized lines of the current block (a block is the words of its
        // lines, in order), `block_words` the block as a whole.
        while i < end {
            if let Some(near) = ahead.near(i + PREFETCH_UNITS) {
                index.prefetch(near);
            }
            let block = segments[i].block;
            let run = if whole_blocks {
                segments[i..]
                    .iter()
                    .take_while(|s| s.block == block)
                    .count()
            } else {
                1
            };
            let seg = &segments[i];
            // The xxh3 of a one-unit block's bytes, computed before anything else.
            let mut one_raw = None;
            if run == 1 && (kept_long || !is_long(seg)) {
                // A byte-for-byte repeat needs no normalizing (the common repeat in scraped text).
                // It is no boilerplate either: the unit it repeats was kept, so the same check of
                // the same normalized text said no.
                let raw =
                    (ahead.raw(i)).unwrap_or_else(|| hash(&text.as_bytes()[seg.start..seg.end]));
                one_raw = Some(raw);
                if let Some(decision) = index.find_exact(text, seg.start..seg.end, raw) {
                    decisions.push(decision);
                    i += 1;
                    continue;
                }
            }
            if lines.len() < run {
                lines.resize_with(run, Normalized::default);
            }
            // The words' hashes are enough to find a repeat: their capitals and labels are found
            // again for the few units a near candidate is confirmed for. Where they are not few (in
            // a text of near repeats), they are found at once.
            let flags = 8 * index.near.get_mut().confirmed > i;
            for (j, (seg, line)) in (i..).zip(segments[i..i + run].iter().zip(lines.iter_mut())) {
                if ahead.take_words(j, line) {
                    continue;
                }
                let unit = &text[seg.start..seg.end];
                match flags {
                    true => words_into(unit, line),
                    false => word_hashes_into(unit, line),
                }
            }
            let mut whole = None;
            if run > 1 {
                let range = segments[i].start..segments[i + run - 1].end;
                block_words.clear();
                lines[..run]
                    .iter()
                    .for_each(|line| block_words.extend(line));
                if !block_words.is_empty() {
                    let prints = Prints::of(text, range.clone(), block_words);
                    let found = index
                        .find_same(text, range.clone(), block_words, prints)
                        .filter(|_| kept_long || !segments[i..i + run].iter().any(is_long));
                    if let Some(decision) = found {
                        decisions.extend(std::iter::repeat_n(decision, run));
                        i += run;
                        continue;
                    }
                    whole = Some(range);
                }
            }
            let first_entry = index.entries.len();
            let kept_long_before = kept_long;
            let mut keys = None;
            for (j, seg) in segments.iter().enumerate().skip(i).take(run) {
                let range = seg.start..seg.end;
                let normalized = &lines[j - i];
                if normalized.is_empty() {
                    // Nothing to compare: rules, ornaments and emoji lines stay where they are.
                    decisions.push(Decision::Keep);
                    continue;
                }
                let key = (ahead.key(j)).unwrap_or_else(|| words_key(&normalized.hashes));
                let check =
                    |check: BoilerplateCheck<'_>| check(&text[range.clone()], normalized, key);
                if let Some(pages) = boilerplate.and_then(check) {
                    decisions.push(Decision::Boilerplate { pages });
                    continue;
                }
                let prints = Prints {
                    raw: (one_raw.or_else(|| ahead.raw(j)))
                        .unwrap_or_else(|| hash(text[range.clone()].as_bytes())),
                    normalized: key,
                };
                let mut decision = index.find(
                    text,
                    range.clone(),
                    normalized,
                    prints,
                    threshold,
                    one_raw.is_some(),
                    (ahead.near(j), &mut keys),
                );
                // The first long line stays: without one, a second run would read the text as
                // hard-wrapped and cut it into other units (and cleaning twice could remove more
                // than cleaning once). Once one is kept, no line needs measuring.
                let first_long = !kept_long && is_long(seg);
                if first_long {
                    decision = Decision::Keep;
                }
                if decision == Decision::Keep {
                    kept_long |= first_long;
                    index.insert(j, range, normalized, prints, keys.as_ref());
                }
                decisions.push(decision);
            }
            if let Some(range) = whole {
                let own = i..i + run;
                let kept: Vec<usize> = own
                    .clone()
                    .filter(|&j| decisions[j] == Decision::Keep)
                    .collect();
                if kept.len() == run {
                    let prints = Prints::of(text, range.clone(), block_words);
                    index.insert(i, range, block_words, prints, None);
                } else if let Some(&first) = kept.first() {
                    let mut rest_keys = None;
                    // What stays of the block is what a second run sees as the block: compare it
                    // now, so cleaning twice removes nothing more than cleaning once.
                    let sources: Vec<Range<usize>> = kept
                        .iter()
                        .map(|&j| segments[j].start..segments[j].end)
                        .collect();
                    let rest: Vec<&str> = sources.iter().map(|r| &text[r.clone()]).collect();
                    normalized.clear();
                    kept.iter().for_each(|&j| normalized.extend(&lines[j - i]));
                    let key = words_key(&normalized.hashes);
                    // Where the lines left would read as one wrapped paragraph, a second run takes
                    // them as one unit and may find it a near-duplicate too.
                    let one_unit = !long_lines && rest.len() > 1 && lines_look_wrapped(&rest);
                    let found = if one_unit {
                        let query = (&*normalized, &sources[..]);
                        let (found, keys) = index.find_rest(text, query, key, threshold, &own);
                        rest_keys = keys;
                        found
                    } else {
                        index.find_normalized(text, (normalized, &sources), key)
                    };
                    // A match with one of the block's own lines is no repeat (one line is left, or
                    // one line and punctuation).
                    let found = found
                        .filter(|d| matches!(d, Decision::Remove { of, .. } if !own.contains(of)))
                        .filter(|_| {
                            kept_long_before || !kept.iter().any(|&j| is_long(&segments[j]))
                        });
                    if normalized.is_empty() {
                        // Only punctuation is left: nothing a later unit could repeat.
                    } else if let Some(decision) = found {
                        for entry in &mut index.entries[first_entry..] {
                            entry.alive = false;
                        }
                        // Lines that repeated lines of this block now point past them too.
                        for j in own.clone() {
                            let points_inside = matches!(decisions[j],
                            Decision::Remove { of, .. } if own.contains(&of));
                            if decisions[j] == Decision::Keep || points_inside {
                                decisions[j] = decision;
                            }
                        }
                    } else {
                        // Kept for good: with its text, which later matches compare.
                        let rest = with_text(text, &sources);
                        index.insert_rest(first, range, rest, key, rest_keys.as_ref());
                    }
                }
            }
            i += run;
        }
        (self.next, self.kept_long) = (i, kept_long);
    }
}

/// Where units were made ahead, the buckets a unit's near-duplicate keys are looked up in are
/// asked for this many units before its turn. (The exact and normalized tables stay hashbrown's:
/// most of their lookups find nothing, which there reads a control byte, in an array a sixteenth
/// the size of the slots that would be prefetched; tables of the crate's own for them made the
/// one big file 9–17% slower on one thread, where nothing is made ahead.)
const PREFETCH_UNITS: usize = 6;

/// One kept unit (or kept block) in the index.
struct Entry {
    /// The unit removals point at.
    unit: usize,
    /// Where its words are in [`NearScratch::known`] once a search needed them, else
    /// `u32::MAX`.
    known: Cell<u32>,
    /// False once the unit was removed after all (its block turned out to repeat something):
    /// nothing may point at it any more.
    alive: bool,
    /// The text it stands for.
    range: Range<usize>,
}

impl Entry {
    /// A live entry.
    fn new(unit: usize, range: Range<usize>) -> Entry {
        Entry {
            unit,
            known: Cell::new(u32::MAX),
            alive: true,
            range,
        }
    }
}

/// An entry as it is filed under its near-duplicate keys: with what the search needs to pass
/// over most candidates without reading the entry itself (in an index of millions of entries,
/// that read is a cache miss per candidate).
#[derive(Clone, Copy, Default)]
struct Filed {
    /// The entry (its index in [`Index::entries`]).
    entry: u32,
    /// Its number of words. The words themselves are recomputed from its range for the rare
    /// candidates: storing them would cost more memory than the text.
    words: u32,
    /// Its words as a 64-bit set (see [`sketch`]): a candidate that lacks too many of the
    /// words of a unit is passed over without recomputing its words.
    sketch: u64,
}

impl Filed {
    /// Entry `entry`, whose words are `normalized`, as it is filed.
    fn new(entry: u32, normalized: &Normalized) -> Filed {
        Filed {
            entry,
            words: u32::try_from(normalized.len()).unwrap_or(u32::MAX),
            sketch: sketch(&normalized.hashes),
        }
    }
}

thread_local! {
    static INDEX: std::cell::RefCell<Index> = std::cell::RefCell::new(Index::default());
}

/// Hash tables over the kept units.
#[derive(Default)]
struct Index {
    entries: Vec<Entry>,
    raw: FxHashMap<u64, usize>,
    normalized: FxHashMap<u64, usize>,
    /// Near-duplicate key -> the entries filed under it.
    buckets: Buckets<Filed>,
    /// Normalized text of entries for which it is not the normalized text of their range (the
    /// kept lines of a block whose other lines were removed).
    rests: FxHashMap<usize, Normalized>,
    /// Buffers of [`decide`], kept from text to text.
    scratch: Scratch,
    /// Buffers of the near-duplicate search.
    near: std::cell::RefCell<NearScratch>,
}

/// Buffers of [`Index::best_near`]: the entries filed under a unit's keys, each entry's weight
/// of the keys of the current search it is filed under (zero between searches), the
/// candidates among them (with their shared keys and similarity bound), one candidate's
/// normalized words, and the words of the entries compared so far in this text (a menu or a
/// list makes the same entries candidates again and again); and how many units of this text
/// had a candidate confirmed (which takes their capitals and labels).
#[derive(Default)]
struct NearScratch {
    touched: Vec<Filed>,
    /// One byte per entry, a cache line for 64 of them: the few weights touched in an index
    /// of millions of entries are mostly in the cache.
    weights: Vec<u8>,
    query_bits: Vec<[u64; 2]>,
    candidates: Vec<(usize, u32, f64)>,
    entry_words: Normalized,
    known: Vec<(Words, Order)>,
    confirmed: usize,
}

/// Buffers of [`decide`]: a unit (or what stays of a block), the lines of a block, the block.
#[derive(Default)]
struct Scratch {
    normalized: Normalized,
    lines: Vec<Normalized>,
    block_words: Normalized,
}

impl Scratch {
    /// Lets go of buffers a very long unit made large, so one huge text does not keep its
    /// memory for the rest of the run.
    fn shrink(&mut self) {
        std::iter::once(&mut self.normalized)
            .chain(&mut self.lines)
            .chain([&mut self.block_words])
            .for_each(let_go_if_large);
    }
}

/// Empties `n`, letting go of its memory, when a very long unit made it large.
fn let_go_if_large(n: &mut Normalized) {
    if n.text.capacity() > crate::normalize::MAX_KEPT_SCRATCH {
        *n = Normalized::default();
    }
}

impl Index {
    /// Forgets every entry, keeping the memory.
    fn clear(&mut self) {
        self.entries.clear();
        self.raw.clear();
        self.normalized.clear();
        self.buckets.clear();
        self.rests.clear();
        let near = self.near.get_mut();
        near.known.clear();
        near.confirmed = 0;
    }

    /// An exact or normalized match for the text at `range`, whose words are `normalized`.
    fn find_same(
        &self,
        text: &str,
        range: Range<usize>,
        normalized: &Normalized,
        prints: Prints,
    ) -> Option<Decision> {
        let query = (normalized, std::slice::from_ref(&range));
        (self.find_exact(text, range.clone(), prints.raw))
            .or_else(|| self.find_normalized(text, query, prints.normalized))
    }

    /// Asks for the buckets of a unit with these near-duplicate keys to be read into the
    /// cache (see [`crate::table::Table::prefetch`]).
    fn prefetch(&self, near: &NearKeys) {
        let bands = near.bands.iter().flatten();
        (near.ends.iter().chain(bands)).for_each(|&k| self.buckets.prefetch(k));
    }

    /// An exact match for the text at `range`, whose xxh3 is `raw`.
    fn find_exact(&self, text: &str, range: Range<usize>, raw: u64) -> Option<Decision> {
        let bytes = &text[range];
        let e = &self.entries[*self.raw.get(&raw)?];
        (e.alive && text[e.range.clone()] == *bytes).then(|| remove(e.unit, Reason::Exact, 1.0))
    }

    /// A normalized match for `query`, whose [`words_key`] is `key`.
    fn find_normalized(&self, text: &str, query: Query<'_>, key: u64) -> Option<Decision> {
        let id = *self.normalized.get(&key)?;
        let e = Some(&self.entries[id]).filter(|e| e.alive)?;
        let kept = match self.rests.get(&id) {
            Some(kept) => Cow::Borrowed(kept),
            None => Cow::Owned(normalize(&text[e.range.clone()])),
        };
        // The same words, confirmed by the same normalized text.
        let same = kept.hashes == query.0.hashes && kept.text == with_text(text, query.1).text;
        same.then(|| remove(e.unit, Reason::Normalized, 1.0))
    }

    /// Any match for what stays of a block (its kept lines) taken as one unit, whose
    /// [`words_key`] is `key`, and its near-duplicate keys when they were computed.
    fn find_rest(
        &self,
        text: &str,
        query: Query<'_>,
        key: u64,
        threshold: f64,
        own: &Range<usize>,
    ) -> (Option<Decision>, Option<NearKeys>) {
        let outside = |d: &Decision| matches!(d, Decision::Remove { of, .. } if !own.contains(of));
        if let Some(d) = self.find_normalized(text, query, key).filter(outside) {
            return (Some(d), None);
        }
        if query.0.len() < MIN_NEAR_WORDS {
            return (None, None);
        }
        let keys = near_keys(&query.0.hashes);
        let found = self.best_near(text, &keys, query, threshold, own);
        (found, Some(keys))
    }

    /// The most similar near-duplicate among the kept entries filed under `keys`.
    fn best_near(
        &self,
        text: &str,
        keys: &NearKeys,
        (query, sources): Query<'_>,
        threshold: f64,
        own: &Range<usize>,
    ) -> Option<Decision> {
        let mut scratch = self.near.borrow_mut();
        let NearScratch {
            touched,
            weights,
            query_bits,
            candidates,
            entry_words,
            known,
            confirmed,
        } = &mut *scratch;
        touched.clear();
        if weights.len() < self.entries.len() {
            weights.resize(self.entries.len(), 0);
        }
        // Each entry's weight sums those of the keys it is filed under: sharing an end counts
        // as much as the least number of bands a candidate must share. Even sharing both ends
        // and every band, it fits in a byte (asserted after `MIN_SHARED_BANDS`).
        let ends = keys.ends.iter().map(|k| (k, MIN_SHARED_BANDS as u8));
        let bands = keys.bands.iter().flatten().map(|k| (k, 1));
        for (key, weight) in ends.chain(bands) {
            for &filed in self.buckets.get(key) {
                let sum = &mut weights[filed.entry as usize];
                if *sum == 0 {
                    touched.push(filed);
                }
                *sum += weight;
            }
        }
        if touched.is_empty() {
            return None;
        }
        // Candidates that cannot reach the threshold (going by their number of words and their
        // sketch) are dropped before the best are confirmed, and before their entries are read.
        // Every weight is set back to zero. The words' sketch bits are found for the first
        // entry that gets that far.
        query_bits.clear();
        candidates.clear();
        let found = touched.iter().filter_map(|filed| {
            let e = filed.entry as usize;
            let shared = u32::from(std::mem::take(&mut weights[e]));
            if shared < MIN_SHARED_BANDS
                || dice_bound(query.len(), filed.words as usize) < threshold
            {
                return None;
            }
            if query_bits.is_empty() {
                query_bits.extend(query.hashes.iter().map(|&w| sketch_bits(w)));
            }
            let bound = sketch_bound(query_bits, filed);
            (bound >= threshold).then_some((e, shared, bound))
        });
        candidates.extend(found);
        // The most similar by their sketches first, then those sharing the most keys, then the
        // earliest entry.
        candidates.sort_unstable_by(|a, b| {
            (b.2.total_cmp(&a.2))
                .then(b.1.cmp(&a.1))
                .then(a.0.cmp(&b.0))
        });
        let mut best: Option<(usize, f64)> = None;
        let mut words = None;
        let mut tried = 0;
        for &(e, _, bound) in candidates.iter() {
            // No candidate is more similar than its sketch allows, and the rest allow no more
            // than this one: once the best found is as similar as that, none can beat it.
            if tried == MAX_CANDIDATES || best.is_some_and(|(_, sim)| sim >= bound) {
                break;
            }
            // Entries are read only here, for the few candidates tried. A block's rest never
            // repeats one of its own lines.
            let entry = &self.entries[e];
            if !entry.alive || own.contains(&entry.unit) {
                continue;
            }
            tried += 1;
            let at = &entry.known;
            if at.get() == u32::MAX {
                let words = match self.rests.get(&e) {
                    Some(rest) => Words::new(rest),
                    None => {
                        words_into(&text[entry.range.clone()], entry_words);
                        Words::new(entry_words)
                    }
                };
                at.set(known.len() as u32);
                known.push((words, Order::new()));
            }
            let (kept, kept_order) = &known[at.get() as usize];
            // The cheapest test first, on the words' hashes alone: it passes over most
            // siblings in a list without finding the unit's capitals and labels.
            if !one_edit_hashes(&kept.hashes, &query.hashes) {
                continue;
            }
            let (words, order) = words.get_or_insert_with(|| {
                *confirmed += 1;
                let words = match query.has_flags() {
                    true => Words::new(query),
                    false => {
                        joined(text, sources, words_into, entry_words);
                        Words::new(entry_words)
                    }
                };
                (words, Order::new())
            });
            // A differing word with a fact refuses the match, unless the words only one of the
            // two has are the other's site suffix.
            let sim = match near_one_edit((kept, kept_order), (words, order), threshold) {
                Some((sim, false)) => sim,
                Some((sim, true))
                    if self.only_site_suffix(text, e, kept, (words, sources))
                        || self.only_letters_added(text, e, kept, (words, sources)) =>
                {
                    sim
                }
                _ => continue,
            };
            // One word replaced in a short unit: a spelling of the same word, or another line.
            if let Some(at) = replaced_word(&kept.hashes, &words.hashes) {
                if !self.replaced_by_variant(text, e, at, sources) {
                    continue;
                }
            }
            if best.is_none_or(|(_, s)| sim > s) && !self.either_holds_verbatim(text, e, sources) {
                best = Some((entry.unit, sim));
            }
        }
        best.map(|(of, sim)| remove(of, Reason::Near, sim))
    }

    /// Whether the kept entry `e` or the unit at `sources` of `text` is or holds a code block or
    /// a table ([`holds_verbatim`]). `find` rules out most of them by their first byte, before
    /// the search; the others are filed and searched for like paragraphs, and refused here,
    /// for the few matches confirmed: a table without outer pipes, and a block of
    /// `Unit::Paragraph` (or a block's rest) that starts with prose and goes on with a listing.
    #[cold]
    #[inline(never)]
    fn either_holds_verbatim(&self, text: &str, e: usize, sources: &[Range<usize>]) -> bool {
        let holds = |range: &Range<usize>| holds_verbatim(&text[range.clone()]);
        holds(&self.entries[e].range) || sources.iter().any(holds)
    }

    /// Whether the kept entry `e`, whose words are `kept`, and a unit whose words are `query`,
    /// the words of the ranges `sources` of `text`, differ only in the longer one's site suffix
    /// (see [`only_site_suffix`]). A block's rest, and the lines of a block taken together,
    /// have none. Asked only of a match a fact refused: it reads the raw text again.
    #[cold]
    #[inline(never)]
    fn only_site_suffix(
        &self,
        text: &str,
        e: usize,
        kept: &Words,
        (query, sources): (&Words, &[Range<usize>]),
    ) -> bool {
        let kept_raw = match self.rests.contains_key(&e) {
            true => None,
            false => Some(&text[self.entries[e].range.clone()]),
        };
        let query_raw = match sources {
            [range] => Some(&text[range.clone()]),
            _ => None,
        };
        only_site_suffix((kept, kept_raw), (query, query_raw))
    }

    /// Whether the kept entry `e`, whose words are `kept`, and a unit whose words are `query`,
    /// the words of the ranges `sources` of `text`, differ only in Chinese or Japanese
    /// characters added at one place (see [`only_letters_added`]). Asked only of a match a
    /// fact refused: it normalizes the raw text again.
    #[cold]
    #[inline(never)]
    fn only_letters_added(
        &self,
        text: &str,
        e: usize,
        kept: &Words,
        (query, sources): (&Words, &[Range<usize>]),
    ) -> bool {
        let Some((query_longer, _)) = added_at(kept, query) else {
            return false;
        };
        // Most refused matches are in other scripts: a look at the bytes of the longer unit,
        // eight at a time while they are ASCII, rules them out before any normalizing.
        let unspaced = |range: &Range<usize>| {
            let bytes = &text.as_bytes()[range.clone()];
            !bytes.is_ascii() && bytes.iter().any(|&b| may_be_unspaced(b))
        };
        let longer = match query_longer {
            true => sources,
            false => std::slice::from_ref(&self.entries[e].range),
        };
        if !longer.iter().any(unspaced) {
            return false;
        }
        let mut own = Normalized::default();
        let kept_text = self.normalized_text(text, e, &mut own);
        only_letters_added((kept, kept_text), (query, &with_text(text, sources)))
    }

    /// Whether the word at `at` of the kept entry `e` and of a unit made of the ranges
    /// `sources` of `text` (the one word the two do not share) are one word spelt two ways
    /// ([`variants`]). Asked only of a near match by a replaced word: it normalizes the raw
    /// text again.
    #[cold]
    #[inline(never)]
    fn replaced_by_variant(
        &self,
        text: &str,
        e: usize,
        (at_kept, at_query): (usize, usize),
        sources: &[Range<usize>],
    ) -> bool {
        let mut own = Normalized::default();
        let kept = self.normalized_text(text, e, &mut own);
        variant_at((kept, &with_text(text, sources)), (at_kept, at_query))
    }

    /// Entry `e` normalized with its text: the kept rest of its block, or its range of `text`
    /// normalized into `own`.
    fn normalized_text<'a>(
        &'a self,
        text: &str,
        e: usize,
        own: &'a mut Normalized,
    ) -> &'a Normalized {
        match self.rests.get(&e) {
            Some(rest) => rest,
            None => {
                normalize_into(&text[self.entries[e].range.clone()], own);
                own
            }
        }
    }

    /// Adds entry `id`, whose words are `normalized`, to the buckets of its keys.
    fn add_to_buckets(&mut self, id: usize, normalized: &Normalized, keys: Option<&NearKeys>) {
        // An entry past what 32 bits can number (a text of over four billion units) is found
        // by exact and normalized matches only.
        let (Some(keys), Ok(entry)) = (keys, u32::try_from(id)) else {
            return;
        };
        let filed = Filed::new(entry, normalized);
        let ends = keys.ends.iter().map(|&k| (k, ENDS_BUCKET_CAP));
        let bands = keys.bands.iter().flatten().map(|&k| (k, BUCKET_CAP));
        for (key, cap) in ends.chain(bands) {
            self.buckets.add(key, filed, cap);
        }
    }

    /// Remembers the normalized text of what stays of a block whose other lines went (its
    /// [`words_key`] is `key`): found by normalized matches, and with band keys by near
    /// matches too.
    fn insert_rest(
        &mut self,
        unit: usize,
        range: Range<usize>,
        normalized: Normalized,
        key: u64,
        keys: Option<&NearKeys>,
    ) {
        let id = self.entries.len();
        self.entries.push(Entry::new(unit, range));
        self.add_to_buckets(id, &normalized, keys);
        self.rests.insert(id, normalized);
        claim(&mut self.normalized, &self.entries, key, id);
    }

    /// Any match for the text at `range`; `keys` is set to its near-duplicate keys when the
    /// near-duplicate search ran (written in place: they are 152 bytes), which are `made` if
    /// they were made already. With `exact_checked`, it is known to be no exact repeat.
    // Called once per unit, from one place: as a call of its own (which the compiler chose once
    // `decide_until` became generic), it cost 0.8% more instructions per page.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn find(
        &self,
        text: &str,
        range: Range<usize>,
        normalized: &Normalized,
        prints: Prints,
        threshold: f64,
        exact_checked: bool,
        (made, keys): (Option<&NearKeys>, &mut Option<NearKeys>),
    ) -> Decision {
        *keys = None;
        let same = if exact_checked {
            let query = (normalized, std::slice::from_ref(&range));
            self.find_normalized(text, query, prints.normalized)
        } else {
            self.find_same(text, range.clone(), normalized, prints)
        };
        if let Some(decision) = same {
            return decision;
        }
        // Two code listings one token apart are two programs, two tables one cell apart two
        // tables. The tables this misses, which start without a pipe, and blocks that hold a
        // listing after prose, are refused where a match is confirmed (see `best_near`):
        // looking for every unit's second line here cost 1.15% of the instructions per page.
        if normalized.len() < MIN_NEAR_WORDS || starts_verbatim(text, range.clone()) {
            return Decision::Keep;
        }
        let keys = keys.insert(
            made.copied()
                .unwrap_or_else(|| near_keys(&normalized.hashes)),
        );
        let query = (normalized, std::slice::from_ref(&range));
        self.best_near(text, keys, query, threshold, &(0..0))
            .unwrap_or(Decision::Keep)
    }

    /// Remembers a kept text; with near-duplicate keys, it can also be found as one.
    fn insert(
        &mut self,
        unit: usize,
        range: Range<usize>,
        normalized: &Normalized,
        prints: Prints,
        keys: Option<&NearKeys>,
    ) {
        let id = self.entries.len();
        self.entries.push(Entry::new(unit, range));
        claim(&mut self.raw, &self.entries, prints.raw, id);
        claim(&mut self.normalized, &self.entries, prints.normalized, id);
        self.add_to_buckets(id, normalized, keys);
    }
}

/// The words of a unit (without their text when made by [`words_into`]) and the ranges of the
/// text they are the words of, to make the text from when it is needed.
type Query<'a> = (&'a Normalized, &'a [Range<usize>]);

/// The normalized form, with its text, of the ranges of `text` in order.
fn with_text(text: &str, ranges: &[Range<usize>]) -> Normalized {
    let mut all = Normalized::default();
    joined(text, ranges, normalize_into, &mut all);
    all
}

/// The words of the ranges of `text` in order, as `words` makes them ([`normalize_into`] or
/// [`words_into`]), into `out`.
fn joined(
    text: &str,
    ranges: &[Range<usize>],
    words: fn(&str, &mut Normalized),
    out: &mut Normalized,
) {
    if let [range] = ranges {
        return words(&text[range.clone()], out);
    }
    out.clear();
    let mut one = Normalized::default();
    for range in ranges {
        words(&text[range.clone()], &mut one);
        out.extend(&one);
    }
}

/// The fingerprints of a unit: the xxh3 of its bytes and the [`words_key`] of its words.
#[derive(Clone, Copy)]
struct Prints {
    raw: u64,
    normalized: u64,
}

impl Prints {
    fn of(text: &str, range: Range<usize>, normalized: &Normalized) -> Prints {
        Prints {
            raw: hash(text[range].as_bytes()),
            normalized: words_key(&normalized.hashes),
        }
    }
}

/// Points `key` at entry `id` unless a live entry holds it: the first kept copy wins.
fn claim(map: &mut FxHashMap<u64, usize>, entries: &[Entry], key: u64, id: usize) {
    let slot = map.entry(key).or_insert(id);
    if !entries[*slot].alive {
        *slot = id;
    }
}

fn remove(of: usize, reason: Reason, similarity: f64) -> Decision {
    Decision::Remove {
        of,
        reason,
        similarity,
    }
}

/// The words of a unit as a 64-bit set: see [`sketch_bits`].
fn sketch(words: &[u64]) -> u64 {
    words
        .iter()
        .fold(0, |set, &w| set | bits_for(sketch_bits(w), words.len()))
}

/// Units of up to this many words set two bits of their sketch per word, longer ones one.
/// A word a unit lacks looks present when its bits are set by others: with two bits that
/// happens less often up to about 30 words (at 8 words, 5% of the time against 12%; at 24,
/// 28% against 31%), and more often beyond. In a menu of short lines one such false word
/// makes every sibling look as similar as the line that was repeated.
const TWO_BIT_WORDS: usize = 24;

/// The bits of the word whose [`crate::fingerprint::word_hash`] is `w` in the sketch of a
/// unit: bit `w % 64` in that of a long unit, and also the bit its top six bits name in that
/// of a unit of up to [`TWO_BIT_WORDS`] words.
fn sketch_bits(w: u64) -> [u64; 2] {
    let one = 1 << (w & 63);
    [one, one | 1 << (w >> 58)]
}

/// Of a word's [`sketch_bits`], those it has in the sketch of a unit of `words` words.
fn bits_for(bits: [u64; 2], words: usize) -> u64 {
    bits[usize::from(words <= TWO_BIT_WORDS)]
}

/// The highest similarity a unit whose words have the [`sketch_bits`] `query` can have to
/// the entry `filed`, going by the entry's sketch: a word whose bits are not all in it is not
/// in the entry.
fn sketch_bound(query: &[[u64; 2]], filed: &Filed) -> f64 {
    let missing = (query.iter())
        .filter(|&&bits| {
            let bits = bits_for(bits, filed.words as usize);
            filed.sketch & bits != bits
        })
        .count();
    let shared = query.len() - missing;
    2.0 * shared as f64 / (query.len() + filed.words as usize) as f64
}

/// The highest similarity two units of `a` and `b` words can have.
fn dice_bound(a: usize, b: usize) -> f64 {
    2.0 * a.min(b) as f64 / (a + b) as f64
}

/// The similarity of `b` to `a` when `b` is a near-duplicate of `a`: at least `threshold`
/// similar, with the [`same_facts`], by [`one_edit`]. Without their text, two short units
/// with one word replaced are not: [`near_in_text`] reads whether the two words are
/// [`variants`].
pub fn near(a: &Words, b: &Words, threshold: f64) -> Option<f64> {
    if !one_edit(a, b) || replaced_word(&a.hashes, &b.hashes).is_some() {
        return None;
    }
    near_one_edit((a, &Order::new()), (b, &Order::new()), threshold)
        .and_then(|(sim, facts)| (!facts).then_some(sim))
}

/// [`near`] of two units given with their raw text as well: the words only the longer one has
/// at its end may be its site's name ("… - BBC News": one to four words, none a number or one
/// character, after ` - `, ` – `, ` — `, `|`, ` · `, ` :: ` or ` » `), whose capitals are no
/// facts.
pub fn near_in_text(a: (&Words, &str), b: (&Words, &str), threshold: f64) -> Option<f64> {
    if !one_edit(a.0, b.0) {
        return None;
    }
    let sim = match near_one_edit((a.0, &Order::new()), (b.0, &Order::new()), threshold)? {
        (sim, false) => sim,
        (sim, true) => (only_site_suffix((a.0, Some(a.1)), (b.0, Some(b.1)))
            || only_letters_added((a.0, &normalize(a.1)), (b.0, &normalize(b.1))))
        .then_some(sim)?,
    };
    match replaced_word(&a.0.hashes, &b.0.hashes) {
        Some(at) => variant_at((&normalize(a.1), &normalize(b.1)), at).then_some(sim),
        None => Some(sim),
    }
}

/// Whether word `at.0` of `a` and word `at.1` of `b` (normalized, with their text) are
/// [`variants`]: the one word two units do not share is the same word spelt otherwise.
fn variant_at((a, b): (&Normalized, &Normalized), (at_a, at_b): (usize, usize)) -> bool {
    matches!((a.words().nth(at_a), b.words().nth(at_b)), (Some(x), Some(y)) if variants(x, y))
}

/// Where two units of fewer than [`LONG_UNIT_WORDS`] words differ by one word replaced: the
/// index of that word in each. Such units are near-duplicates only when the two words are
/// [`variants`] (which takes their text).
fn replaced_word(a: &[u64], b: &[u64]) -> Option<(usize, usize)> {
    if a.len().min(b.len()) >= LONG_UNIT_WORDS {
        return None;
    }
    let (start, end) = common_ends(a, b);
    (a.len() - start - end == 1 && b.len() - start - end == 1).then_some((start, start))
}

/// Whether two normalized words are one word spelt two ways, so that a short line with one
/// replaced by the other repeats it: one is the other cut short ("su…" of "supremacists",
/// "flood" of "flooding"), or, in words of four letters or more, one letter is added, dropped
/// or changed ("colour", "color"). Two different words ("Friday", "Monday"; "reset",
/// "change"; "opening", "closing") make two different lines: a menu, a list, a FAQ.
///
/// ```
/// use paradedup::dedup::variants;
///
/// assert!(variants("su", "supremacists") && variants("flood", "flooding"));
/// assert!(variants("colour", "color") && variants("organise", "organize"));
/// assert!(!variants("friday", "monday") && !variants("red", "rod") && !variants("a", "an"));
/// ```
pub fn variants(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = match a.len() <= b.len() {
        true => (a, b),
        false => (b, a),
    };
    if short.len() >= 2 && long.starts_with(&short) {
        return true;
    }
    if short.len() < 4 || long.len() - short.len() > 1 {
        return false;
    }
    let same = |(x, y): (&char, &char)| x == y;
    let start = short.iter().zip(&long).take_while(|&p| same(p)).count();
    let (short, long) = (&short[start..], &long[start..]);
    let end = (short.iter().rev().zip(long.iter().rev()))
        .take_while(|&p| same(p))
        .count();
    short.len() - end <= 1 && long.len() - end <= 1
}

/// The [`sorted`] hashes of a unit's words, sorted when first needed: a unit compared with
/// several others is sorted once.
type Order = std::cell::OnceCell<Vec<(u64, usize)>>;

/// The similarity of two units known to be [`one_edit`] apart (the search tests that first,
/// before it finds a unit's capitals and labels), each with its [`Order`], when it is at least
/// `threshold`, and whether a word only one of them has carries a fact (then they are no
/// [`near`] duplicates, unless [`only_site_suffix`]).
///
/// The words the two have in common at their start and at their end cancel out of the
/// multiset difference. Where few words are left between (one edit: a word or a few), only
/// they are compared, without sorting either unit's words. The words found only in one unit
/// are then those [`word_difference`] finds, unless one of them also comes in the common end:
/// there it names that word's last copies, whose facts may differ, and the sorted words are
/// compared instead, as they are where many words are left between.
fn near_one_edit(
    (a, order_a): (&Words, &Order),
    (b, order_b): (&Words, &Order),
    threshold: f64,
) -> Option<(f64, bool)> {
    let (start, end) = common_ends(&a.hashes, &b.hashes);
    let (ends_a, ends_b) = (a.len() - end, b.len() - end);
    let (between_a, between_b) = (&a.hashes[start..ends_a], &b.hashes[start..ends_b]);
    let common_end = &a.hashes[ends_a..];
    let (mut only_a, mut facts, mut counted) = (0, false, true);
    if between_a.len() + between_b.len() <= FEW_BETWEEN {
        // A word is only in one unit when the other has fewer copies of it between the ends
        // than come before it (the first copies are the ones both have).
        let count = |words: &[u64], w: u64| words.iter().filter(|&&x| x == w).count();
        let sides = [
            (a, between_a, between_b, true),
            (b, between_b, between_a, false),
        ];
        for (words, between, other, in_a) in sides {
            for (i, &w) in between.iter().enumerate() {
                if count(&between[..i], w) >= count(other, w) {
                    only_a += usize::from(in_a);
                    facts |= words.fact(start + i);
                    counted &= !common_end.contains(&w);
                }
            }
        }
    } else {
        counted = false;
    }
    if !counted {
        (only_a, facts) = (0, false);
        let (sa, sb) = (
            order_a.get_or_init(|| sorted(a)),
            order_b.get_or_init(|| sorted(b)),
        );
        each_difference(sa, sb, |in_a, i| {
            only_a += usize::from(in_a);
            facts |= if in_a { a.fact(i) } else { b.fact(i) };
        });
    }
    let sim = dice(a, b, only_a);
    (sim >= threshold).then_some((sim, facts))
}

/// Whether two units, each with its raw text when known, differ only in the longer one's site
/// suffix: the shorter is the start of the longer, and the rest of the longer follows a
/// separator at its end ([`is_site_suffix`]): "Storm hits coast as thousands flee - BBC News"
/// and "Storm hits coast as thousands flee". Then the capitals of the rest are a site's name,
/// not facts ([`same_facts`]).
fn only_site_suffix(a: (&Words, Option<&str>), b: (&Words, Option<&str>)) -> bool {
    let ((shorter, _), (longer, raw)) = match a.0.len() < b.0.len() {
        true => (a, b),
        false => (b, a),
    };
    shorter.len() < longer.len()
        && longer.hashes.starts_with(&shorter.hashes)
        && raw.is_some_and(|raw| is_site_suffix(raw, &longer.hashes, shorter.len()))
}

/// Where the longer of two units has words the shorter lacks, added at one place: whether `b`
/// is the longer, and the range of its words that were added. None when neither is the other
/// with words added.
fn added_at(a: &Words, b: &Words) -> Option<(bool, Range<usize>)> {
    let b_longer = a.len() < b.len();
    let (shorter, longer) = match b_longer {
        true => (a, b),
        false => (b, a),
    };
    let (start, end) = common_ends(&shorter.hashes, &longer.hashes);
    (shorter.len() < longer.len() && start + end == shorter.len())
        .then(|| (b_longer, start..longer.len() - end))
}

/// Where characters are words, the shorter of two units needs this many to be the other with
/// characters added, as an English line needs [`MIN_NEAR_WORDS`]: "日本経済新聞 電子版" (9) and
/// "日本経済新聞 電子版について" ("About …") are two links.
const MIN_UNSPACED_WORDS: usize = 10;

/// Whether two units, each normalized with its text, differ only in words added at one place
/// whose facts are all Chinese or Japanese characters (see [`unspaced_letter`]): "…于下月…" /
/// "…于下个月…", "…来月開業…" / "…来月に開業…", a headline and the same with "- 新浪新闻" after
/// it. There every character is a word, and a word of one character is a label
/// ([`crate::normalize::is_label`]), which would refuse every such pair. A character replaced
/// stays a fact ("北京" / "上海": without capitals, a name cannot be told from a word), and so
/// does an added numeral or negation ("三人" / "三十人", "同意" / "不同意"). The shorter unit
/// needs [`MIN_UNSPACED_WORDS`] words.
fn only_letters_added(
    (a, a_text): (&Words, &Normalized),
    (b, b_text): (&Words, &Normalized),
) -> bool {
    let Some((b_longer, added)) = added_at(a, b) else {
        return false;
    };
    let (longer, text) = match b_longer {
        true => (b, b_text),
        false => (a, a_text),
    };
    if longer.len() - added.len() < MIN_UNSPACED_WORDS {
        return false;
    }
    (added.clone().zip(text.words().skip(added.start)))
        .all(|(i, word)| !longer.fact(i) || unspaced_letter(word))
}

/// Whether `byte` may begin a character that [`unspaced_letter`] takes, as the raw text has
/// it: those from U+3000 to U+9FFF begin with `E3` to `E9`, the compatibility ideographs
/// (which NFKC makes ideographs) with `EF`, those of the planes beyond with `F0`.
fn may_be_unspaced(byte: u8) -> bool {
    matches!(byte, 0xE3..=0xE9 | 0xEF | 0xF0)
}

/// Whether a word is one Chinese or Japanese character that is neither a numeral nor a
/// negation: a Han ideograph, or a kana (scripts written without spaces, where each character
/// is a word of its own).
fn unspaced_letter(word: &str) -> bool {
    /// Numerals and negations, which are facts however they are written.
    const FACTS: &str =
        "〇零一二三四五六七八九十百千万萬亿億兆两兩半几幾第不没沒无無非未否别別莫勿";
    let mut chars = word.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return false;
    };
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3ffff}')
        && !c.is_numeric()
        && !FACTS.contains(c)
}

/// Up to this many words between the common ends (of both units together), [`near_one_edit`]
/// counts copies of each instead of sorting them.
const FEW_BETWEEN: usize = 16;

/// How many words `a` and `b` have in common at their start, and then at their end.
fn common_ends(a: &[u64], b: &[u64]) -> (usize, usize) {
    let same = |(x, y): &(&u64, &u64)| x == y;
    let start = a.iter().zip(b).take_while(same).count();
    let (a, b) = (&a[start..], &b[start..]);
    (
        start,
        a.iter().rev().zip(b.iter().rev()).take_while(same).count(),
    )
}

/// The hashes of `words` sorted, each with the index of its word: two such lists are compared
/// as multisets in one pass.
fn sorted(words: &Words) -> Vec<(u64, usize)> {
    let mut order: Vec<(u64, usize)> = words.hashes.iter().copied().zip(0..).collect();
    order.sort_unstable();
    order
}

fn dice(a: &Words, b: &Words, only_a: usize) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    2.0 * (a.len() - only_a) as f64 / (a.len() + b.len()) as f64
}

/// Similarity of two paragraphs: the Dice coefficient of their word multisets,
/// `2·|A ∩ B| / (|A| + |B|)`. 1.0 for the same words in any order; a six-word headline with one
/// word changed scores 0.83, the same headline with a two-word site suffix 0.86.
pub fn similarity(a: &Words, b: &Words) -> f64 {
    dice(a, b, word_difference(a, b).0.len())
}

/// Whether two similar paragraphs state the same facts: no word that is in one but not the
/// other carries a fact (see [`Words`]): "day 3" vs "day 4", "Plan A" vs "Plan D", "Smith
/// said" vs "Jones said" are different paragraphs however similar.
pub fn same_facts(a: &Words, b: &Words) -> bool {
    let (only_a, only_b) = word_difference(a, b);
    !only_a.iter().any(|&i| a.fact(i)) && !only_b.iter().any(|&i| b.fact(i))
}

/// Units of at least this many words are near-duplicates on similarity alone; shorter ones
/// must also pass [`one_edit`].
pub const LONG_UNIT_WORDS: usize = 20;
/// A short unit with one word replaced is a near-duplicate only from this many words on.
pub const MIN_REPLACE_WORDS: usize = 6;

/// Whether the shorter of two similar paragraphs became the other by one edit: words added or
/// removed at one place (a site suffix, a dropped word), or, in units of at least
/// [`MIN_REPLACE_WORDS`] words, one word replaced. Two or more separate changes in a short line
/// mean a template filled in twice (menu entries, recipe lines, table rows), not a repeat.
/// Paragraphs of [`LONG_UNIT_WORDS`] words or more pass: there, similarity alone decides.
pub fn one_edit(a: &Words, b: &Words) -> bool {
    one_edit_hashes(&a.hashes, &b.hashes)
}

/// [`one_edit`] of two units' word hashes.
pub(crate) fn one_edit_hashes(a: &[u64], b: &[u64]) -> bool {
    let shorter = a.len().min(b.len());
    if shorter >= LONG_UNIT_WORDS {
        return true;
    }
    let (start, end) = common_ends(a, b);
    // The words between the common ends. Where both sides have some, a word both keep in
    // between would split the change in two places, and without one it is a replacement.
    let (only_a, only_b) = (a.len() - start - end, b.len() - start - end);
    only_a == 0 || only_b == 0 || (only_a == 1 && only_b == 1 && shorter >= MIN_REPLACE_WORDS)
}

/// Multiset difference of the words of `a` and `b`: the indices of the words only in `a` and
/// of those only in `b`.
fn word_difference(a: &Words, b: &Words) -> (Vec<usize>, Vec<usize>) {
    sorted_difference(&sorted(a), &sorted(b))
}

/// [`word_difference`] of sorted (hash, index) lists.
fn sorted_difference(sa: &[(u64, usize)], sb: &[(u64, usize)]) -> (Vec<usize>, Vec<usize>) {
    let (mut only_a, mut only_b) = (Vec::new(), Vec::new());
    each_difference(sa, sb, |in_a, i| match in_a {
        true => only_a.push(i),
        false => only_b.push(i),
    });
    (only_a, only_b)
}

/// Calls `only(true, i)` for each word `i` of `a` not in `b`, and `only(false, i)` for each
/// word `i` of `b` not in `a`, given their sorted (hash, index) lists.
fn each_difference(sa: &[(u64, usize)], sb: &[(u64, usize)], mut only: impl FnMut(bool, usize)) {
    let (mut i, mut j) = (0, 0);
    while i < sa.len() || j < sb.len() {
        match (sa.get(i), sb.get(j)) {
            (Some(x), Some(y)) if x.0 == y.0 => {
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.0 > y.0 => {
                only(false, y.1);
                j += 1;
            }
            (Some(x), _) => {
                only(true, x.1);
                i += 1;
            }
            (None, Some(y)) => {
                only(false, y.1);
                j += 1;
            }
            (None, None) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{segment, Unit};

    fn reasons(text: &str) -> Vec<Option<(Reason, usize)>> {
        let segs = segment(text, Unit::Line);
        decide(text, &segs, 0.8, false, None)
            .into_iter()
            .map(|d| match d {
                Decision::Remove { of, reason, .. } => Some((reason, of)),
                _ => None,
            })
            .collect()
    }

    fn words(s: &str) -> Words {
        Words::new(&normalize(s))
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
    fn code_listings_are_never_near_duplicates() {
        let code = "let total = prices.iter().map(|p| p.amount * p.quantity).sum::<u64>();\n\
                    let average = total / prices.len() as u64;\n\
                    let largest = prices.iter().map(|p| p.amount).max().unwrap_or(0);\n\
                    println!(\"{total} {average} {largest}\");";
        let listing = format!("```rust\n{code}\n```");
        let edited = listing.replace("quantity", "count");
        // The same listing one token apart is another program; the same listing again goes
        // whole; and a paragraph one token apart from a listing is no repeat of it.
        let prose = format!("Here {}", code.replace('\n', " "));
        let t = format!("{listing}\n\n{edited}\n\n{listing}\n\n{prose}\n");
        assert_eq!(
            reasons(&t),
            [None, None, Some((Reason::Exact, 0)), None],
            "{t}"
        );
        // Without the fences, the edited lines are near-duplicates.
        let t = format!(
            "{}\n\n{}",
            code.replace('\n', " "),
            code.replace('\n', " ").replace("quantity", "count")
        );
        assert_eq!(reasons(&t), [None, Some((Reason::Near, 0))]);
        // A block of prose that goes on with a listing, as one unit (`Unit::Paragraph`), holds
        // a program too: one token apart, it is another.
        let block = format!("To find the largest, run:\n{listing}");
        let t = format!("{block}\n\n{}\n", block.replace("quantity", "count"));
        let segs = segment(&t, Unit::Paragraph);
        assert_eq!(segs.len(), 2);
        let decisions = decide(&t, &segs, 0.8, false, None);
        assert_eq!(decisions, [Decision::Keep, Decision::Keep], "{t}");
    }

    /// Chinese and Japanese lines with characters added at one place are near-duplicates,
    /// though each character is a one-character word, a label; with a character replaced, or
    /// a numeral or negation added, they are not.
    #[test]
    fn characters_added_in_chinese_and_japanese() {
        let pairs = [
            (
                "北京市政府今天宣布地铁新线将于下月正式开通运营",
                "北京市政府今天宣布地铁新线将于下个月正式开通运营",
                true,
            ),
            (
                "北京地铁新线今天开通运营",
                "北京地铁新线今天开通运营 - 新浪新闻",
                true,
            ),
            (
                "東京都は本日、新しい地下鉄路線が来月開業すると発表した",
                "東京都は本日、新しい地下鉄路線が来月に開業すると発表した",
                true,
            ),
            // A character replaced: a name, for all one knows.
            (
                "北京市政府今天宣布地铁新线将于下月正式开通运营，预计每天客流十万人次",
                "上海市政府今天宣布地铁新线将于下月正式开通运营，预计每天客流十万人次",
                false,
            ),
            // A numeral or a negation added.
            (
                "警方说这起交通事故造成三人死亡",
                "警方说这起交通事故造成三十人死亡",
                false,
            ),
            (
                "市长表示他同意这个新的预算方案",
                "市长表示他不同意这个新的预算方案",
                false,
            ),
            // Too short to tell a repeat from another link.
            ("日本経済新聞 電子版", "日本経済新聞 電子版について", false),
            // Latin letters and digits added stay facts.
            (
                "北京地铁新线今天开通运营",
                "北京地铁新线今天开通运营 A",
                false,
            ),
            (
                "北京地铁新线今天开通运营",
                "北京地铁新线今天开通运营 2",
                false,
            ),
        ];
        for (a, b, same) in pairs {
            let t = format!("{a}\n{b}\n");
            let want = [None, same.then_some((Reason::Near, 0))];
            assert_eq!(reasons(&t), want, "{a} / {b}");
            let in_text = near_in_text((&words(a), a), (&words(b), b), 0.8);
            assert_eq!(in_text.is_some(), same, "near_in_text: {a} / {b}");
        }
    }

    #[test]
    fn tables_are_never_near_duplicates() {
        let rows = "| Home | Away | Score | Venue | Date |\n|---|---|---|---|---|\n\
                    | Ajax | PSV | 2-1 | Johan Cruijff Arena | Sunday |\n\
                    | Feyenoord | AZ | 1-1 | De Kuip | Saturday |";
        // The same without outer pipes, as html2text writes tables.
        let bare: Vec<&str> = rows.lines().map(|l| l.trim_matches('|').trim()).collect();
        for rows in [rows.to_string(), bare.join("\n")] {
            let edited = rows.replace("Saturday", "Friday");
            let t = format!("{rows}\n\n{edited}\n\n{rows}\n");
            assert_eq!(reasons(&t), [None, None, Some((Reason::Exact, 0))], "{t}");
            // Nor is a paragraph with a table's words, one apart, a repeat of the table.
            let prose = edited
                .lines()
                .filter(|l| !l.contains("---"))
                .collect::<Vec<_>>();
            let t = format!("{rows}\n\n{}\n", prose.join(" ").replace('|', " "));
            assert_eq!(reasons(&t), [None, None], "{t}");
        }
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
            "{HEAD}\n{HEAD} | World News\nCaliphate Renaissance: Islamists Maintain Strategic Ca...\n"
        );
        assert_eq!(
            reasons(&t),
            [None, Some((Reason::Near, 0)), Some((Reason::Near, 0))]
        );
    }

    /// In a short line, one word replaced by another word makes another line (a menu, a
    /// list, a FAQ): only the same word spelt otherwise (cut short, one letter apart) repeats
    /// it.
    #[test]
    fn a_word_replaced_by_another_makes_another_line() {
        for (a, b) in [
            (
                "How do I reset my password?",
                "How do I change my password?",
            ),
            (
                "Follow Condé Nast Traveler on Facebook",
                "Follow Condé Nast Traveler on Twitter",
            ),
            (
                "Fixed a crash when opening large files",
                "Fixed a crash when closing large files",
            ),
            (
                "The 52-Week Low Club for Monday",
                "The 52-Week Low Club for Friday",
            ),
            (HEAD, "Caliphate Renaissance: Islamists Keep Strategic Calm"),
        ] {
            assert_eq!(reasons(&format!("{a}\n{b}\n")), [None, None], "{a} / {b}");
        }
        let near = Some((Reason::Near, 0));
        for (a, b) in [
            (
                "GOP Leader Regrets Talk to White Supremacists",
                "GOP Leader Regrets Talk to White Su...",
            ),
            (
                "At least 24 dead in Sri Lanka flooding",
                "At least 24 dead in Sri Lanka flood...",
            ),
            (
                "The colour of the new city flag",
                "The color of the new city flag",
            ),
        ] {
            assert_eq!(reasons(&format!("{a}\n{b}\n")), [None, near], "{a} / {b}");
        }
    }

    #[test]
    fn numbers_and_names_make_different_lines() {
        let t = "Live: day 3 of the trial, 2 witnesses heard\n\
                 Live: day 4 of the trial, 5 witnesses heard\n\
                 The mayor thanked Smith for the long report on the flood\n\
                 The mayor thanked Jones for the long report on the flood\n\
                 Meal Prep Menu for Eating Plan A\n\
                 Meal Prep Menu for Eating Plan D\n";
        assert_eq!(reasons(t), [None; 6]);
    }

    /// A line of mostly capitals is title case, where capitals say nothing about names, only
    /// when no word that title case capitalizes is in lowercase: "beat" makes "Nadal beat
    /// Federer in Paris on Sunday" a sentence of names.
    #[test]
    fn a_sentence_of_names_is_not_title_case() {
        for (a, b) in [
            (
                "Nadal beat Federer in Paris on Sunday",
                "Nadal beat Federer in Rome on Sunday",
            ),
            (
                "See all West Virginia True rulings",
                "See all West Virginia Mostly True rulings",
            ),
            (
                "Portion Fix Containers: 1 Purple, 1 Red, 1 tsp.",
                "Portion Fix Containers: 1 Purple, 1 Yellow, 1 tsp.",
            ),
        ] {
            assert_eq!(reasons(&format!("{a}\n{b}\n")), [None, None], "{a} / {b}");
        }
        // Title case, its minor words (articles, conjunctions, prepositions) in lowercase.
        let near = Some((Reason::Near, 0));
        for (a, b) in [
            (
                "Storm Hits Coast as Thousands Flee",
                "Storm Hits Coast as Thousands Flee Homes",
            ),
            (
                "The Best Places to Eat in Paris",
                "The Best Places to Eat in Paris Now",
            ),
            (
                "Follow Us on LinkedIn for Daily News",
                "Follow Us on LinkedIn for Daily Business News",
            ),
        ] {
            assert_eq!(reasons(&format!("{a}\n{b}\n")), [None, near], "{a} / {b}");
        }
    }

    /// Negations and numbers in words are facts, as digits are: one word of them changes
    /// what a line says. The same lines with another word changed are near-duplicates.
    #[test]
    fn negations_and_numbers_in_words_make_different_lines() {
        for (a, b) in [
            (
                "Police said the suspect was armed.",
                "Police said the suspect was not armed.",
            ),
            (
                "Police said the suspect was armed.",
                "Police said the suspect wasn't armed.",
            ),
            (
                "The deal is worth two million dollars.",
                "The deal is worth two billion dollars.",
            ),
            (
                "Three schools closed early because of the storm.",
                "Four schools closed early because of the storm.",
            ),
            (
                "The council met for the third time this week.",
                "The council met for the second time this week.",
            ),
            (
                "I do not have an account with the site",
                "I have an account with the site",
            ),
            (
                "Ich stimme dem Plan der Stadt zu.",
                "Ich stimme dem Plan der Stadt nicht zu.",
            ),
            (
                "Я согласен с решением мэрии, станция нужна.",
                "Я не согласен с решением мэрии, станция нужна.",
            ),
            (
                "Le train part de la gare à huit heures du matin.",
                "Le train part de la gare à neuf heures du matin.",
            ),
            (
                "The ticket for the concert is refundable.",
                "The ticket for the concert is non-refundable.",
            ),
        ] {
            assert_eq!(reasons(&format!("{a}\n{b}\n")), [None, None], "{a} / {b}");
        }
        let t = "Police said the suspect was armed.\nPolice said the suspect was clearly armed.\n";
        assert_eq!(reasons(t), [None, Some((Reason::Near, 0))]);
    }

    /// A sentence-case headline with its site's name after it: the capitals of the name
    /// made it look like a fact, and both copies stayed (on 63 of the 341 corpus pages).
    #[test]
    fn a_headline_with_a_site_suffix_repeats_the_bare_headline() {
        let bare = "Storm hits coast as thousands flee";
        let near = Some((Reason::Near, 0));
        for suffixed in [
            format!("{bare} - BBC News"),
            format!("{bare} | TheHill"),
            format!("{bare} — The Guardian"),
            format!("{bare} | World | News | Express.co.uk"),
        ] {
            for (first, second) in [(bare, suffixed.as_str()), (suffixed.as_str(), bare)] {
                let t = format!("{first}\nRain fell all night.\n{second}\n");
                assert_eq!(reasons(&t), [None, None, near], "{t}");
            }
        }
    }

    #[test]
    fn a_site_suffix_is_read_from_the_longer_units_raw_text() {
        let (raw, bare) = (
            "Storm hits coast as thousands flee - BBC News",
            "Storm hits coast as thousands flee",
        );
        let (long, short) = (words(raw), words(bare));
        assert!(only_site_suffix((&long, Some(raw)), (&short, None)));
        assert!(only_site_suffix((&short, None), (&long, Some(raw))));
        // Without it (a block's rest, the lines of a block together) there is none.
        assert!(!only_site_suffix((&long, None), (&short, Some(bare))));
        assert!(!only_site_suffix((&long, Some(raw)), (&long, Some(raw))));
    }

    #[test]
    fn a_site_suffix_does_not_hide_other_differences() {
        let bare = "Storm hits coast as thousands flee";
        // What a suffix must not be: a label, more than four words, words elsewhere or
        // without a separator; and two suffixes are not one ("- BBC News" against "- CNN").
        for (a, b) in [
            (format!("{bare} - Page 2"), bare.to_string()),
            (format!("{bare} - 2019"), bare.to_string()),
            (
                format!("{bare} and rivers rise across the region - Bay News Nine Weather Team"),
                format!("{bare} and rivers rise across the region"),
            ),
            (
                "Storm hits coast - BBC News as thousands flee".to_string(),
                bare.to_string(),
            ),
            (
                "Storm hits coast - BBC".to_string(),
                "Storm hits the coast".to_string(),
            ),
            (format!("{bare} BBC News"), bare.to_string()),
            (
                "Nadal beat Federer in the Paris final".to_string(),
                "Nadal beat Federer in the Paris final as Djokovic watched".to_string(),
            ),
            (
                format!("{bare} - BBC News"),
                "Storm hits coast as thousands flee - CNN".to_string(),
            ),
        ] {
            for (first, second) in [(&a, &b), (&b, &a)] {
                let t = format!("{first}\nRain fell all night.\n{second}\n");
                assert_eq!(reasons(&t), [None; 3], "{t}");
            }
        }
        // The threshold is the same: a short headline with a long suffix is too different.
        let t = "Storm hits the coast\nStorm hits the coast - Bay News Weather Team\n";
        assert_eq!(reasons(t), [None, None]);
        // Four words are a suffix where five are not.
        let long = format!("{bare} and rivers rise across the region");
        let t = format!("{long}\n{long} - Bay News Weather Team\n");
        assert_eq!(reasons(&t), [None, Some((Reason::Near, 0))]);
    }

    #[test]
    fn template_lines_filled_in_twice_are_kept() {
        let t = "Portion Fix Containers: 1 Green, 1 Red, 1 Yellow, 1 tsp.\n\
                 Portion Fix Containers: 1 Green, 1 Purple, 1 Red, 1 tsp.\n\
                 Portion Fix Containers: 1 Purple\n\
                 Portion Fix Containers: 1 tsp.\n";
        assert_eq!(reasons(t), [None, None, None, None]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// One edit is what its documentation says, checked by trying every place: `b` is
        /// `a` with words inserted at one place, or removed at one place, or one word
        /// replaced in a unit of at least `MIN_REPLACE_WORDS` words.
        #[test]
        fn one_edit_is_words_added_removed_or_replaced_at_one_place(
            a in prop::collection::vec(0u64..4, 0..12),
            edits in prop::collection::vec((0..3, any::<prop::sample::Index>(), 0u64..6), 0..3),
        ) {
            // `b` is `a` with up to two words inserted, removed or replaced, at any place.
            let b = edited(&a, edits);
            let words = |hashes: &[u64]| Words {
                facts: vec![false; hashes.len()],
                hashes: hashes.to_vec(),
            };
            // Whether `long` is `short` with a run of words inserted somewhere.
            let inserted = |short: &[u64], long: &[u64]| {
                let extra = long.len() - short.len();
                (0..=short.len()).any(|i| short[..i] == long[..i] && short[i..] == long[i + extra..])
            };
            let expected = match a.len().cmp(&b.len()) {
                std::cmp::Ordering::Less => inserted(&a, &b),
                std::cmp::Ordering::Greater => inserted(&b, &a),
                std::cmp::Ordering::Equal => {
                    let differ = a.iter().zip(&b).filter(|(x, y)| x != y).count();
                    differ == 0 || (differ == 1 && a.len() >= MIN_REPLACE_WORDS)
                }
            };
            prop_assert_eq!(one_edit(&words(&a), &words(&b)), expected);
        }
    }

    /// `words` with each edit made in turn at the place it picks: 0 inserts its word, 1
    /// removes the word there, 2 replaces it (past the last word, only an insert does
    /// anything).
    fn edited(words: &[u64], edits: Vec<(i32, prop::sample::Index, u64)>) -> Vec<u64> {
        let mut b = words.to_vec();
        for (kind, at, word) in edits {
            let at = at.index(b.len() + 1);
            match kind {
                0 => b.insert(at, word),
                _ if at == b.len() => {}
                1 => drop(b.remove(at)),
                _ => b[at] = word,
            }
        }
        b
    }

    #[test]
    fn one_edit_counts_changed_places() {
        let e = |a: &str, b: &str| one_edit(&words(a), &words(b));
        assert!(e("a b c d e f", "a b c d e f g h"));
        assert!(e("a b c d e f", "x y a b c d e f"));
        assert!(e("a b c d e f", "a b x d e f"));
        assert!(
            !e("a b c d e", "a b x d e"),
            "replacement in a five-word line"
        );
        assert!(!e("a b c d e f", "a x c d y f"), "two changes");
        assert!(!e("a b c d e f", "a b x y d e f"), "two words for one");
        let long = "w ".repeat(25);
        assert!(e(&format!("a {long} b"), &format!("x {long} y")));
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
        let a = "alpha bravo charlie delta echo foxtrot golf hotel";
        let b = "alpha bravo charlie delta echo foxtrot golf hotel india";
        let t = format!("{a}\n{b}\n{b}\n");
        // The second copy of b repeats b exactly, but b was removed: it is reported against a.
        let got = reasons(&t);
        assert_eq!(got[1], Some((Reason::Near, 0)));
        assert_eq!(got[2], Some((Reason::Near, 0)));
    }

    fn auto_reasons(text: &str) -> Vec<Option<(Reason, usize)>> {
        let segs = segment(text, Unit::Auto);
        decide(text, &segs, 0.8, true, None)
            .into_iter()
            .map(|d| match d {
                Decision::Remove { of, reason, .. } => Some((reason, of)),
                _ => None,
            })
            .collect()
    }

    const LONG: &str =
        "Inspectors found the cracks during a routine examination on Saturday night, \
                        and the operator closed the bridge to all trains until further notice.";

    #[test]
    fn paragraph_broken_across_lines_matches_its_one_line_copy() {
        let broken = LONG.replacen(", and", ",\nand", 1);
        // One line first, the broken copy later: the broken block goes whole.
        let t = format!("{LONG}\n\nOther text.\n\n{broken}\n");
        assert_eq!(
            auto_reasons(&t),
            [
                None,
                None,
                Some((Reason::Normalized, 0)),
                Some((Reason::Normalized, 0))
            ]
        );
        // The broken copy first, the one-line copy later (after another long paragraph).
        let other = "A second long paragraph that is only here to be long enough, well over a \
                     hundred characters, so that the text is clearly not hard-wrapped.";
        let t = format!("{broken}\n\n{other}\n\n{LONG}\n");
        assert_eq!(
            auto_reasons(&t),
            [None, None, None, Some((Reason::Normalized, 0))]
        );
    }

    #[test]
    fn the_first_long_line_stays() {
        // Without it a second run would read the text as hard-wrapped and cut it into other
        // units, so it stays although it repeats the broken paragraph before it.
        let broken = LONG.replacen(", and", ",\nand", 1);
        let t = format!("{broken}\n\nOther text.\n\n{LONG}\n");
        assert_eq!(auto_reasons(&t), [None, None, None, None]);
    }

    #[test]
    fn what_stays_of_a_block_is_compared_too() {
        // Found by tests/props.rs: the second "Share" goes, and then "Share / this article"
        // repeats the first paragraph; a second run would remove it, so the first run does.
        let t = "Share this article\n\nShare\nShare\nthis article\n";
        let got = auto_reasons(t);
        assert_eq!(got[0], None);
        assert!(got[1..].iter().all(Option::is_some), "{got:?}");
        // One line left of a block is not a repeat of itself.
        let t = "Read more about this story\nRead more about this story\n";
        assert_eq!(auto_reasons(t), [None, Some((Reason::Exact, 0))]);
    }

    #[test]
    fn what_stays_of_a_block_keeps_its_facts() {
        // The block's middle line goes; its other two read as one wrapped paragraph, a near
        // repeat of the first one ("new" became "revised") unless it has a number the first
        // one lacks. The search found its words without their labels: they are found again
        // to confirm the candidate.
        let text = |day| {
            format!(
                "The council met on Tuesday evening for day three of talks to\n\
                 vote on the new budget plan for the coming year.\n\n\
                 Advertisement\n\n\
                 The council met on Tuesday evening for day {day} of talks to\n\
                 Advertisement\n\
                 vote on the revised budget plan for the coming year.\n"
            )
        };
        let near = Some((Reason::Near, 0));
        let got = auto_reasons(&text("three"));
        assert_eq!(got, [None, None, near, Some((Reason::Exact, 1)), near]);
        let got = auto_reasons(&text("3"));
        assert_eq!(got, [None, None, None, Some((Reason::Exact, 1)), None]);
    }

    #[test]
    fn stacked_repeated_lines_go_line_by_line() {
        let t = format!("{HEAD}\n\n{LONG}\n\n{HEAD}\n{HEAD}\n");
        assert_eq!(
            auto_reasons(&t),
            [
                None,
                None,
                Some((Reason::Exact, 0)),
                Some((Reason::Exact, 0))
            ]
        );
    }

    #[test]
    fn similarity_is_dice_of_word_multisets() {
        let a = words("a b c d e f");
        let b = words("a b c d e f g h");
        assert!((similarity(&a, &b) - 12.0 / 14.0).abs() < 1e-9);
        assert_eq!(similarity(&a, &a), 1.0);
        assert_eq!(
            similarity(&words("a a b"), &words("a b b")),
            2.0 * 2.0 / 6.0
        );
    }

    proptest! {
        /// A kept unit's sketch never allows less similarity than its words have: candidates
        /// are passed over, and confirming stops, on that bound. Word lists of up to 40 words
        /// from a small vocabulary: both kinds of sketch, repeated words, chance bits.
        #[test]
        fn a_sketch_never_allows_less_than_the_words_have(
            kept in prop::collection::vec(0u64..60, 1..40),
            unit in prop::collection::vec(0u64..60, 1..40),
        ) {
            let words = |ids: &[u64]| {
                let hashes: Vec<u64> = ids
                    .iter()
                    .map(|id| crate::fingerprint::word_hash(&id.to_le_bytes()))
                    .collect();
                let facts = vec![false; hashes.len()];
                Words { hashes, facts }
            };
            let (kept, unit) = (words(&kept), words(&unit));
            let normalized = Normalized {
                hashes: kept.hashes.clone(),
                ..Normalized::default()
            };
            let filed = Filed::new(0, &normalized);
            let bits: Vec<[u64; 2]> = unit.hashes.iter().map(|&w| sketch_bits(w)).collect();
            prop_assert!(similarity(&kept, &unit) <= sketch_bound(&bits, &filed));
        }

        /// Comparing only the words between the common ends decides as comparing all the
        /// words does: one edit or two of a word list from a small vocabulary, so words repeat
        /// inside the edit and in the common ends, with facts at random (the same word may
        /// carry one in one place and not in another, as a capitalized name does).
        #[test]
        fn near_compares_the_words_between_the_ends_as_all_the_words(
            a in prop::collection::vec((0u64..5, any::<bool>()), 1..30),
            edits in prop::collection::vec((0..3, any::<prop::sample::Index>(), 0u64..7), 0..3),
            facts in prop::collection::vec(any::<bool>(), 40),
            threshold in 0.0f64..1.0,
        ) {
            let a = Words {
                hashes: a.iter().map(|&(w, _)| w).collect(),
                facts: a.iter().map(|&(_, f)| f).collect(),
            };
            // Up to 31 words: `facts` has one for each.
            let b = edited(&a.hashes, edits);
            let b = Words {
                facts: facts[..b.len()].to_vec(),
                hashes: b,
            };
            // A replaced word needs its text to tell whether it is the same word (`variants`).
            let replaced = replaced_word(&a.hashes, &b.hashes).is_some();
            let all_words = (one_edit(&a, &b) && !replaced && same_facts(&a, &b))
                .then(|| similarity(&a, &b))
                .filter(|&sim| sim >= threshold);
            prop_assert_eq!(near(&a, &b, threshold), all_words);
        }
    }

    #[test]
    fn lines_differing_in_a_number_are_all_kept() {
        // They all land in the same buckets, past the bucket cap.
        let t: String = (0..5000)
            .map(|i| format!("The committee heard item number {i} of the agenda today\n"))
            .collect();
        let segs = segment(&t, Unit::Line);
        assert!(decide(&t, &segs, 0.8, false, None)
            .iter()
            .all(|d| *d == Decision::Keep));
    }

    #[test]
    fn a_near_duplicate_in_a_long_menu_is_found() {
        // More lines share the first two words than a MinHash bucket holds; the sketches pass
        // over the siblings and find the one line that was repeated with a word added.
        let mut t: String = (0..40u8)
            .map(|i| {
                let name = [b'a' + i / 26, b'a' + i % 26].map(char::from);
                format!("CTV News Station{}{} Edition\n", name[0], name[1])
            })
            .collect();
        t.push_str("CTV News Vancouver Edition\nCTV News Vancouver Island Edition\n");
        let got = reasons(&t);
        assert_eq!(got[41], Some((Reason::Near, 40)), "{got:?}");
        assert!(got[..41].iter().all(Option::is_none));
    }

    #[test]
    fn a_near_duplicate_is_found_among_siblings_whose_sketches_hold_a_word_it_adds() {
        // Nine menu lines share the query's first two words, and the sketch bit of "news" is
        // also the one bit of `word` in a one-bit sketch: each sibling would look as similar as
        // the one repeated line (missing one word), and come first. Two bits per word tell
        // them apart.
        let h = |w: &str| crate::fingerprint::word_hash(w.as_bytes());
        let siblings: Vec<String> = (0..9).map(|i| format!("More in Topic{i} News")).collect();
        let covers = |line: &str, w: &str| {
            let bits = sketch(&[h(w)]);
            sketch(&normalize(line).hashes) & bits == bits
        };
        let word = (0..100_000)
            .map(|n| format!("w{n}"))
            .find(|w| {
                h(w) & 63 == h("news") & 63
                    && !siblings.iter().any(|s| covers(s, w) || covers(s, "latest"))
                    && !covers(&format!("More Latest {w} News"), "in")
            })
            .expect("one word in 64 shares the bit of \"news\"");
        let mut t: String = siblings.iter().map(|s| format!("{s}\n")).collect();
        t.push_str(&format!(
            "More Latest {word} News\nMore in Latest {word} News\n"
        ));
        let got = reasons(&t);
        assert_eq!(got[10], Some((Reason::Near, 9)), "{word}: {got:?}");
        assert!(got[..10].iter().all(Option::is_none));
    }

    use proptest::prelude::*;

    /// A short unit and a copy of it with one edit: words inserted, words deleted, or one
    /// word replaced, at any place.
    fn edited_pair() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
        let word = prop::sample::select(vec![
            "the", "a", "news", "said", "city", "rain", "road", "club", "game", "vote",
        ])
        .prop_map(String::from);
        let words = prop::collection::vec(word.clone(), 4..19);
        let inserted = prop::collection::vec(word, 1..4);
        (words, inserted, any::<prop::sample::Index>(), 0..3u8).prop_map(
            |(a, inserted, at, kind)| {
                let mut b = a.clone();
                let at = at.index(a.len());
                match kind {
                    0 => {
                        b.splice(at..at, inserted);
                    }
                    1 => {
                        b.drain(at..(at + inserted.len()).min(a.len()));
                    }
                    _ => b[at] = format!("{}x", inserted[0]),
                }
                (a, b)
            },
        )
    }

    proptest! {
        /// Every near-duplicate of a unit under the long-unit size is found, whatever stands
        /// between the two: the keys of their first and last words always meet.
        #[test]
        fn every_short_near_duplicate_is_found(
            (a, b) in edited_pair(),
            fillers in prop::collection::vec("[a-z]{2,6}( [a-z]{2,6}){3,8}", 0..30),
        ) {
            let (a, b) = (a.join(" "), b.join(" "));
            let (wa, wb) = (words(&a), words(&b));
            prop_assume!(wb.len() >= MIN_NEAR_WORDS);
            let mut t = format!("{a}\n");
            for f in &fillers {
                t.push_str(f);
                t.push('\n');
            }
            t.push_str(&b);
            t.push('\n');
            let got = reasons(&t);
            let last = got[got.len() - 1];
            if near(&wa, &wb, 0.8).is_some() {
                prop_assert!(last.is_some(), "{t:?}: {got:?}");
            }
        }
    }
}
