//! Remove duplicate and near-duplicate paragraphs from scraped articles, keep the first
//! occurrence of each, leave every kept byte as it was, and say what was removed and why.
//!
//! Data flows one way: [`segment`] cuts the text into units (paragraphs or lines),
//! [`normalize`] brings each to a comparable form, [`fingerprint`] hashes it (xxh3, and each
//! word) and signs its word set (MinHash), [`dedup`] decides for each unit whether it repeats
//! an earlier one, [`cut`] turns the decisions into byte ranges to remove, and [`render`]
//! writes the cleaned text, a unified diff or a JSON report.
//!
//! # Example
//!
//! ```
//! use paradedup::{Cleaner, Reason};
//!
//! let page = "Storm Hits Coast\n\nHeavy rain fell all night.\n\nSTORM HITS COAST\n\nRoads are closed.\n";
//! let cleaned = Cleaner::builder().threshold(0.8).build()?.clean(page);
//!
//! assert_eq!(cleaned.output(), "Storm Hits Coast\n\nHeavy rain fell all night.\n\nRoads are closed.\n");
//! let removed: Vec<_> = cleaned.removals().collect();
//! assert_eq!(removed.len(), 1);
//! assert_eq!(removed[0].line, 5);
//! assert_eq!(removed[0].reason, Reason::Normalized);
//! assert_eq!(removed[0].of_line, Some(1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod boilerplate;
mod buckets;
mod bytes;
pub mod cut;
pub mod dedup;
mod error;
pub mod fingerprint;
pub mod html;
pub mod jsonl;
pub mod normalize;
pub mod render;
pub mod segment;
mod table;

// Every ```rust block of the README is compiled and run by `cargo test --doc`, so that the
// example there cannot drift from the API as it did (`of_line` became an `Option`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

use std::borrow::Cow;
use std::io;
use std::ops::Range;

pub use dedup::{Decision, Reason};
pub use error::{decode, Error, Result};
pub use segment::{Segment, Unit};

/// The default least similarity of a near-duplicate (see [`dedup::similarity`]).
pub const DEFAULT_THRESHOLD: f64 = 0.8;

/// Cleans texts with fixed settings. Cheap to build, shareable across threads.
#[derive(Clone, Debug)]
pub struct Cleaner {
    unit: Unit,
    threshold: f64,
}

impl Default for Cleaner {
    fn default() -> Self {
        Cleaner {
            unit: Unit::Auto,
            threshold: DEFAULT_THRESHOLD,
        }
    }
}

impl Cleaner {
    /// A cleaner with the default settings.
    pub fn new() -> Cleaner {
        Cleaner::default()
    }

    /// Starts building a cleaner with non-default settings.
    pub fn builder() -> CleanerBuilder {
        CleanerBuilder {
            cleaner: Cleaner::default(),
        }
    }

    /// Finds the repeats in `text`. Nothing is copied: the result borrows `text`.
    ///
    /// A long text (tens of thousands of paragraphs) also uses a second thread of the current
    /// rayon pool, or of the global pool outside any: see [`dedup::decide`].
    pub fn clean<'t>(&self, text: &'t str) -> Cleaned<'t> {
        self.clean_page(text, None)
    }

    /// Finds the repeats in `text`, one page of a site, and its site boilerplate.
    ///
    /// A page that would lose every paragraph that has words is left as it is (see
    /// [`Cleaned::left_as_is`]).
    pub fn clean_page<'t>(&self, text: &'t str, site: Option<&PageSite<'_>>) -> Cleaned<'t> {
        let segments = segment::segment(text, self.unit);
        // Only a site with boilerplate needs its pages' paragraphs checked: most sites of a
        // crawl have a page or two, and none.
        let site = site.filter(|s| s.counts.is_some_and(|c| !c.counts.is_empty()));
        // Without a title, the first paragraph with words: its fingerprint and its text.
        let first_words = site.filter(|s| s.title.is_none()).and_then(|_| {
            segments.iter().find_map(|seg| {
                let n = normalize::normalize(&text[seg.start..seg.end]);
                (!n.is_empty()).then(|| (boilerplate::fingerprint(&n), n.text))
            })
        });
        let check = |unit: &str, n: &normalize::Normalized, fp: u64| -> Option<u32> {
            let site = site?;
            let pages = (site.counts?).boilerplate(fp, site.rule)?;
            // The first paragraph's fingerprint, confirmed by its text.
            let first = first_words.as_ref().is_some_and(|(first, first_text)| {
                *first == fp && normalize::normalize(unit).text == *first_text
            });
            let headline = first || site.is_headline(unit, n, self.threshold);
            (!headline).then_some(pages)
        };
        let check_ref: dedup::BoilerplateCheck<'_> = &check;
        let mut decisions = dedup::decide(
            text,
            &segments,
            self.threshold,
            self.unit == Unit::Auto,
            site.map(|_| check_ref),
        );
        let mut left_as_is = false;
        let boilerplate = decisions
            .iter()
            .any(|d| matches!(d, Decision::Boilerplate { .. }));
        if boilerplate {
            let keeps_words = segments.iter().zip(&decisions).any(|(seg, d)| {
                *d == Decision::Keep && !normalize::normalize(&text[seg.start..seg.end]).is_empty()
            });
            if !keeps_words {
                decisions.fill(Decision::Keep);
                left_as_is = true;
            }
        }
        let cuts = cut::cuts(&segments, &decisions);
        Cleaned {
            text,
            segments,
            decisions,
            cuts,
            left_as_is,
        }
    }
}

/// One page's site, for removing site boilerplate with [`Cleaner::clean_page`].
#[derive(Clone, Debug)]
pub struct PageSite<'s> {
    /// The counts of the page's site, if the state has any.
    counts: Option<&'s boilerplate::SiteCounts>,
    rule: boilerplate::Rule,
    title: Option<fingerprint::Words>,
    title_text: Option<String>,
    /// The title as given, for its site suffix (see [`dedup::near_in_text`]).
    title_raw: String,
}

impl<'s> PageSite<'s> {
    /// The page belongs to `site`, whose counts are in `state`.
    pub fn new(state: &'s boilerplate::State, site: &str, rule: boilerplate::Rule) -> Self {
        PageSite {
            counts: state.site(site),
            rule,
            title: None,
            title_text: None,
            title_raw: String::new(),
        }
    }

    /// The page's own headline: a paragraph that is it, or a near-duplicate of it (the title
    /// with a site suffix), is never boilerplate, even where other pages of the site list it
    /// among related articles. Without a title, the page's first paragraph is protected.
    pub fn title(mut self, title: Option<&str>) -> Self {
        let normalized = title.map(normalize::normalize).filter(|n| !n.is_empty());
        self.title = normalized.as_ref().map(fingerprint::Words::new);
        self.title_text = normalized.map(|n| n.text);
        self.title_raw = title.unwrap_or_default().to_owned();
        self
    }

    /// Whether `unit`, whose words are `n` (their hashes at least), is the headline or a
    /// near-duplicate of it.
    fn is_headline(&self, unit: &str, n: &normalize::Normalized, threshold: f64) -> bool {
        let (Some(words), Some(text)) = (&self.title, &self.title_text) else {
            return false;
        };
        // The words' hashes rule out most paragraphs (boilerplate is asked about often on a
        // site with much of it); the rest are normalized again, with text and capitals.
        if !dedup::one_edit_hashes(&words.hashes, &n.hashes) {
            return false;
        }
        let n = normalize::normalize(unit);
        let (title, unit) = (
            (words, &*self.title_raw),
            (&fingerprint::Words::new(&n), unit),
        );
        *text == n.text || dedup::near_in_text(title, unit, threshold).is_some()
    }
}

/// Builds a [`Cleaner`].
#[derive(Clone, Debug)]
pub struct CleanerBuilder {
    cleaner: Cleaner,
}

impl CleanerBuilder {
    /// How the text is cut into units (default [`Unit::Auto`]).
    pub fn unit(&mut self, unit: Unit) -> &mut Self {
        self.cleaner.unit = unit;
        self
    }

    /// The least similarity, in `(0, 1]`, at which a unit counts as a near-duplicate of an
    /// earlier one (default [`DEFAULT_THRESHOLD`]). 1.0 turns near-duplicate matching off
    /// except for the same words in another order.
    pub fn threshold(&mut self, threshold: f64) -> &mut Self {
        self.cleaner.threshold = threshold;
        self
    }

    /// The cleaner, or [`Error::InvalidThreshold`].
    pub fn build(&self) -> Result<Cleaner> {
        let t = self.cleaner.threshold;
        if !(t > 0.0 && t <= 1.0) {
            return Err(Error::InvalidThreshold(t));
        }
        Ok(self.cleaner.clone())
    }
}

/// The result of cleaning one text: its units, a decision for each, and the cuts.
#[derive(Clone, Debug)]
pub struct Cleaned<'t> {
    text: &'t str,
    segments: Vec<Segment>,
    decisions: Vec<Decision>,
    cuts: Vec<Range<usize>>,
    left_as_is: bool,
}

/// One removed unit, as reported.
#[derive(Clone, Debug, PartialEq)]
pub struct Removal<'t> {
    /// The unit's text (without its line ending).
    pub text: &'t str,
    /// 1-based line where the unit starts.
    pub line: usize,
    /// Byte offset of the unit's first byte.
    pub start: usize,
    /// Byte offset just past the unit's last byte.
    pub end: usize,
    /// How it matched.
    pub reason: Reason,
    /// 1-based line of the kept unit it repeats (none for boilerplate).
    pub of_line: Option<usize>,
    /// Byte range of the kept unit it repeats (none for boilerplate).
    pub of: Option<Range<usize>>,
    /// Similarity to the kept unit (1.0 unless near; 1.0 for boilerplate).
    pub similarity: f64,
    /// For boilerplate, the number of the site's pages it is on.
    pub pages: Option<u32>,
}

/// Counts of what was kept and removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Units in the text.
    pub paragraphs: usize,
    /// Units kept.
    pub kept_paragraphs: usize,
    /// Units removed.
    pub removed_paragraphs: usize,
    /// Bytes kept.
    pub kept_bytes: usize,
    /// Bytes removed (units and the separators that went with them).
    pub removed_bytes: usize,
    /// Units removed as site boilerplate (counted in `removed_paragraphs` too).
    pub boilerplate_paragraphs: usize,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, o: Stats) {
        self.paragraphs += o.paragraphs;
        self.kept_paragraphs += o.kept_paragraphs;
        self.removed_paragraphs += o.removed_paragraphs;
        self.kept_bytes += o.kept_bytes;
        self.removed_bytes += o.removed_bytes;
        self.boilerplate_paragraphs += o.boilerplate_paragraphs;
    }
}

impl<'t> Cleaned<'t> {
    /// The text that was cleaned.
    pub fn original(&self) -> &'t str {
        self.text
    }

    /// The units, in text order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// One decision per unit, in the same order as [`segments`](Self::segments).
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    /// The byte ranges removed from the text: sorted, disjoint, non-empty. The kept text is
    /// the original with these ranges taken out.
    pub fn cuts(&self) -> &[Range<usize>] {
        &self.cuts
    }

    /// Whether the page was left as it is because its boilerplate was all it had.
    pub fn left_as_is(&self) -> bool {
        self.left_as_is
    }

    /// Whether anything is removed.
    pub fn is_changed(&self) -> bool {
        !self.cuts.is_empty()
    }

    /// The removed units, in text order.
    pub fn removals(&self) -> impl Iterator<Item = Removal<'t>> + '_ {
        self.segments
            .iter()
            .zip(&self.decisions)
            .filter_map(|(seg, decision)| {
                let removal = |reason, of: Option<&Segment>, similarity, pages| Removal {
                    text: &self.text[seg.start..seg.end],
                    line: seg.line,
                    start: seg.start,
                    end: seg.end,
                    reason,
                    of_line: of.map(|k| k.line),
                    of: of.map(|k| k.start..k.end),
                    similarity,
                    pages,
                };
                match *decision {
                    Decision::Keep => None,
                    Decision::Remove {
                        of,
                        reason,
                        similarity,
                    } => Some(removal(reason, Some(&self.segments[of]), similarity, None)),
                    Decision::Boilerplate { pages } => {
                        Some(removal(Reason::Boilerplate, None, 1.0, Some(pages)))
                    }
                }
            })
    }

    /// The kept pieces of the text, in order: their concatenation is the cleaned text.
    pub fn kept(&self) -> impl Iterator<Item = &'t str> + '_ {
        let text = self.text;
        let starts = std::iter::once(0).chain(self.cuts.iter().map(|c| c.end));
        let ends = self.cuts.iter().map(|c| c.start).chain([text.len()]);
        starts
            .zip(ends)
            .filter(|(s, e)| s < e)
            .map(move |(s, e)| &text[s..e])
    }

    /// The cleaned text; borrowed when nothing is removed.
    pub fn output(&self) -> Cow<'t, str> {
        if self.cuts.is_empty() {
            Cow::Borrowed(self.text)
        } else {
            let cut: usize = self.cuts.iter().map(|c| c.len()).sum();
            let mut out = String::with_capacity(self.text.len() - cut);
            out.extend(self.kept());
            Cow::Owned(out)
        }
    }

    /// Writes the cleaned text without building it in memory.
    pub fn write_to(&self, out: &mut dyn io::Write) -> io::Result<()> {
        for piece in self.kept() {
            out.write_all(piece.as_bytes())?;
        }
        Ok(())
    }

    /// Counts of what is kept and removed.
    pub fn stats(&self) -> Stats {
        let removed_paragraphs = self.decisions.iter().filter(|d| d.is_removed()).count();
        let removed_bytes: usize = self.cuts.iter().map(|c| c.len()).sum();
        Stats {
            paragraphs: self.segments.len(),
            kept_paragraphs: self.segments.len() - removed_paragraphs,
            removed_paragraphs,
            kept_bytes: self.text.len() - removed_bytes,
            removed_bytes,
            boilerplate_paragraphs: self
                .decisions
                .iter()
                .filter(|d| matches!(d, Decision::Boilerplate { .. }))
                .count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_rejects_bad_thresholds() {
        for t in [0.0, -0.5, 1.5, f64::NAN] {
            assert!(Cleaner::builder().threshold(t).build().is_err(), "{t}");
        }
        assert!(Cleaner::builder().threshold(1.0).build().is_ok());
    }

    #[test]
    fn unchanged_text_is_borrowed() {
        let t = "One.\n\nTwo.\n";
        let c = Cleaner::new().clean(t);
        assert!(!c.is_changed());
        assert!(matches!(c.output(), Cow::Borrowed(_)));
        assert_eq!(c.stats().kept_bytes, t.len());
    }

    #[test]
    fn stats_add_up() {
        let t = "Same line here.\n\nOther.\n\nSame line here.\n";
        let s = Cleaner::new().clean(t).stats();
        assert_eq!(
            (s.paragraphs, s.kept_paragraphs, s.removed_paragraphs),
            (3, 2, 1)
        );
        assert_eq!(s.kept_bytes + s.removed_bytes, t.len());
        assert_eq!(s.removed_bytes, "\n\nSame line here.".len());
    }
}
