//! Site boilerplate: paragraphs that recur on many pages of one site ("Share this article",
//! footers, menus) are junk on every page, their first copy included.
//!
//! A [`State`] counts, per site, how many pages were seen and on how many of them each
//! paragraph occurs. A paragraph is identified by its [`fingerprint`]: the key of its
//! normalized words, the key the core finds normalized repeats by, so boilerplate and in-page
//! repeats are decided on one footing. States add up ([`State::merge`]: associative and
//! commutative), so any map-reduce engine can learn from shards and combine them in any order.
//!
//! # File format
//!
//! A state file is UTF-8 text, deterministic for the same counts:
//!
//! ```text
//! paradedup-state 3
//! site<TAB>NAME<TAB>PAGES<TAB>N
//! FINGERPRINT<TAB>COUNT          (N lines, fingerprints as 16 lowercase hex digits, ascending)
//! site<TAB>…                     (sites in ascending byte order of NAME)
//! end
//! ```
//!
//! The `end` line says the file is whole: a file cut short (a copy or a transfer that
//! stopped) is refused, not read as fewer sites or smaller counts. Format 2, the same without
//! it, is still read.
//!
//! NAME is the site as grouped (tabs and newlines in it are replaced by spaces). Every
//! fingerprint is written, even those seen on one page only: another shard may have seen it
//! too, and merging must give the same counts as learning from all the pages at once. Counts
//! are 32-bit and stop at 4,294,967,295 rather than wrap (which keeps merging associative).
//!
//! Format 1, written by earlier builds, held the xxh3 of each normalized text: the same
//! paragraphs under other numbers. Such a file is refused, with a message to learn it again.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufRead, Write};

use rustc_hash::{FxHashMap, FxHashSet};
use xxhash_rust::xxh3::Xxh3;

use crate::fingerprint::{hash, words_key};
use crate::normalize::{word_hashes_into, Normalized, MAX_KEPT_SCRATCH};
use crate::segment::{segment, Unit};

/// The first line of a state file.
pub const HEADER: &str = "paradedup-state 3";

/// The first line of a state file of format 2, which has no `end` line.
const HEADER_2: &str = "paradedup-state 2";

/// The last line of a state file (format 3 on).
const END: &str = "end";

/// The first line of a state file of format 1, whose fingerprints were other numbers.
const HEADER_1: &str = "paradedup-state 1";

/// The fingerprint of a paragraph whose words are `normalized` (their hashes are enough):
/// two paragraphs have the same one when they are normalized repeats of each other (but for a
/// chance as small as a collision of 64-bit hashes), which is what
/// [`crate::fingerprint::words_key`] gives.
pub fn fingerprint(normalized: &Normalized) -> u64 {
    words_key(&normalized.hashes)
}

/// Default least number of pages a paragraph must be on to be boilerplate.
pub const DEFAULT_MIN_PAGES: u32 = 2;
/// Default least share of a site's pages a paragraph must be on to be boilerplate.
pub const DEFAULT_MIN_SHARE: f64 = 0.5;

/// Counts for one site.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteCounts {
    /// Pages seen.
    pub pages: u32,
    /// For each paragraph fingerprint, the number of pages it is on.
    pub counts: FxHashMap<u64, u32>,
}

impl SiteCounts {
    /// How many of the site's pages the paragraph with fingerprint `fp` is on, when that makes
    /// it boilerplate under `rule`.
    pub fn boilerplate(&self, fp: u64, rule: Rule) -> Option<u32> {
        let n = *self.counts.get(&fp)?;
        rule.admits(n, self.pages).then_some(n)
    }
}

/// Per-site paragraph counts.
#[derive(Clone, Debug, Default)]
pub struct State {
    sites: BTreeMap<String, SiteCounts>,
    /// The [`page_key`]s of the pages counted by this state (not read from a file, nor
    /// written).
    seen: FxHashSet<u64>,
}

/// States are equal when their counts are.
impl PartialEq for State {
    fn eq(&self, other: &State) -> bool {
        self.sites == other.sites
    }
}

impl Eq for State {}

/// What a page of `site` with these paragraph `fingerprints` is known by: two pages with the
/// same key are one page counted twice (see [`State::add_fingerprints`]). `learn --pairs`
/// writes it on each of a page's lines, for an engine to count each page once.
pub fn page_key(site: &str, fingerprints: &[u64]) -> u64 {
    let mut key = Xxh3::new();
    key.update(site.as_bytes());
    key.update(&[0xFF]); // no UTF-8 string has this byte: the site ends here
    for fp in fingerprints {
        key.update(&fp.to_le_bytes());
    }
    key.digest()
}

/// When a paragraph counts as boilerplate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    /// Least number of pages. The command line asks for 2 or more: with 1, a paragraph on one
    /// page can be boilerplate, and on a site of one page every paragraph is (the page is then
    /// left as it is, see [`crate::Cleaned::left_as_is`]).
    pub min_pages: u32,
    /// Least share of the site's pages, in `[0, 1]`. Over 1, or NaN, nothing is boilerplate.
    pub min_share: f64,
}

impl Rule {
    /// Whether a paragraph on `n` of a site's `pages` pages is boilerplate.
    pub fn admits(&self, n: u32, pages: u32) -> bool {
        let share = f64::from(n) / f64::from(pages.max(1));
        n >= self.min_pages && share >= self.min_share
    }
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            min_pages: DEFAULT_MIN_PAGES,
            min_share: DEFAULT_MIN_SHARE,
        }
    }
}

/// The fingerprints of the paragraphs of one page, each once, in text order.
pub fn page_fingerprints(text: &str, unit: Unit) -> Vec<u64> {
    SCRATCH.with_borrow_mut(|scratch| {
        let PageScratch {
            seen,
            seen_bytes,
            normalized,
        } = scratch;
        let mut out = Vec::new();
        for seg in segment(text, unit) {
            let paragraph = &text[seg.start..seg.end];
            // A byte-for-byte repeat has its fingerprint in `out` already.
            if !seen_bytes.insert(hash(paragraph.as_bytes())) {
                continue;
            }
            // The words' hashes are all a fingerprint needs: no normalized text is made.
            word_hashes_into(paragraph, normalized);
            if normalized.is_empty() {
                continue;
            }
            let fp = fingerprint(normalized);
            if seen.insert(fp) {
                out.push(fp);
            }
        }
        scratch.clear();
        out
    })
}

thread_local! {
    static SCRATCH: RefCell<PageScratch> = RefCell::default();
}

/// Buffers of [`page_fingerprints`], kept from page to page on each thread (a crawl's pages
/// made two hash sets and their regrowth each).
#[derive(Default)]
struct PageScratch {
    seen: FxHashSet<u64>,
    seen_bytes: FxHashSet<u64>,
    normalized: Normalized,
}

impl PageScratch {
    /// Empties the buffers, letting go of those a very long page made large.
    fn clear(&mut self) {
        for set in [&mut self.seen, &mut self.seen_bytes] {
            set.clear();
            set.shrink_to(KEPT_PARAGRAPHS);
        }
        if self.normalized.hashes.capacity() * 8 > MAX_KEPT_SCRATCH {
            self.normalized = Normalized::default();
        }
    }
}

/// [`PageScratch`]'s sets keep room for this many paragraphs.
const KEPT_PARAGRAPHS: usize = 4096;

impl State {
    /// An empty state.
    pub fn new() -> State {
        State::default()
    }

    /// Counts one page of `site`, unless this state counted a page of `site` with the same
    /// paragraphs before: returns whether it did count it (see [`State::add_fingerprints`]).
    ///
    /// ```
    /// use paradedup::boilerplate::{Rule, State};
    /// use paradedup::{Cleaner, PageSite, Unit};
    ///
    /// let mut state = State::new();
    /// let article = "A headline\n\nThe article's only paragraph.\n\nShare this article";
    /// assert!(state.add_page("news.example", article, Unit::Auto));
    /// // The same page fetched twice is one page: its paragraphs are not on two pages.
    /// assert!(!state.add_page("news.example", article, Unit::Auto));
    /// assert!(state.add_page("news.example", "Another story\n\nShare this article", Unit::Auto));
    ///
    /// let site = PageSite::new(&state, "news.example", Rule::default());
    /// let cleaned = Cleaner::new().clean_page(article, Some(&site));
    /// assert_eq!(cleaned.output(), "A headline\n\nThe article's only paragraph.");
    /// ```
    pub fn add_page(&mut self, site: &str, text: &str, unit: Unit) -> bool {
        let fps = page_fingerprints(text, unit);
        self.add_fingerprints(site, &fps)
    }

    /// Counts one page of `site` given its (distinct) paragraph fingerprints, unless this state
    /// counted a page of `site` with the same fingerprints before (the same article fetched
    /// twice, or under two addresses): counted twice, each of its paragraphs would be on two of
    /// a small site's pages, and the article would go as boilerplate from both copies. Returns
    /// whether it counted the page. States merged ([`State::merge`]) or read from files do not
    /// know each other's pages: a page in two shards is counted once in each.
    pub fn add_fingerprints(&mut self, site: &str, fingerprints: &[u64]) -> bool {
        if !self.seen.insert(page_key(site, fingerprints)) {
            return false;
        }
        let counts = self.site_mut(site);
        counts.pages = counts.pages.saturating_add(1);
        for &fp in fingerprints {
            let n = counts.counts.entry(fp).or_default();
            *n = n.saturating_add(1);
        }
        true
    }

    fn site_mut(&mut self, site: &str) -> &mut SiteCounts {
        let name = clean_site(site);
        if !self.sites.contains_key(&name) {
            self.sites.insert(name.clone(), SiteCounts::default());
        }
        self.sites.get_mut(&name).expect("just inserted")
    }

    /// Forgets every paragraph that is not boilerplate under `rule`: what stays answers
    /// [`State::boilerplate`] as before, from tables small enough to stay in the cache (most
    /// paragraphs are on one page). It is for a state that is done counting: the forgotten
    /// counts are lost, so pages added or states merged afterwards count from zero for those
    /// paragraphs, and [`State::write_to`] writes only what stays.
    pub fn retain_boilerplate(&mut self, rule: Rule) {
        self.seen = FxHashSet::default();
        for site in self.sites.values_mut() {
            let pages = site.pages;
            site.counts.retain(|_, &mut n| rule.admits(n, pages));
            site.counts.shrink_to_fit();
        }
    }

    /// Adds `other`'s counts to these. A page that both counted is counted twice: the counts
    /// do not say which pages they came from (see [`State::add_fingerprints`]).
    pub fn merge(&mut self, other: State) {
        self.seen.extend(other.seen);
        for (name, theirs) in other.sites {
            let ours = self.sites.entry(name).or_default();
            ours.pages = ours.pages.saturating_add(theirs.pages);
            for (fp, n) in theirs.counts {
                let count = ours.counts.entry(fp).or_default();
                *count = count.saturating_add(n);
            }
        }
    }

    /// The counts of one site.
    pub fn site(&self, site: &str) -> Option<&SiteCounts> {
        self.sites.get(&clean_site(site))
    }

    /// The sites, in order.
    pub fn sites(&self) -> impl Iterator<Item = (&str, &SiteCounts)> {
        self.sites.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of distinct (site, paragraph) pairs counted.
    pub fn len(&self) -> usize {
        self.sites.values().map(|s| s.counts.len()).sum()
    }

    /// Whether no page was counted. A page without paragraphs counts: then [`State::len`] is 0
    /// and the state is not empty.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    /// Writes the state (see the [module docs](self) for the format).
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{HEADER}")?;
        for (name, site) in &self.sites {
            let mut rows: Vec<(u64, u32)> = site.counts.iter().map(|(&fp, &n)| (fp, n)).collect();
            rows.sort_unstable();
            writeln!(out, "site\t{name}\t{}\t{}", site.pages, rows.len())?;
            for (fp, n) in rows {
                writeln!(out, "{fp:016x}\t{n}")?;
            }
        }
        writeln!(out, "{END}")
    }

    /// Reads a state written by [`write_to`](Self::write_to).
    pub fn read_from(input: &mut dyn BufRead) -> Result<State, StateError> {
        let mut state = State::new();
        let mut lines = input.lines().enumerate();
        let bad = |line: usize, why: &str| StateError::Format {
            line: line + 1,
            why: why.to_owned(),
        };
        // Whether the file must end with its `end` line (not format 2).
        let ended = match lines.next() {
            Some((_, Ok(h))) if h == HEADER => true,
            Some((_, Ok(h))) if h == HEADER_2 => false,
            Some((_, Ok(h))) if h == HEADER_1 => {
                return Err(bad(
                    0,
                    "a state file of an earlier paradedup (format 1, other fingerprints): \
                     learn it again",
                ))
            }
            Some((_, Err(e))) => return Err(StateError::Io(e.to_string())),
            _ => return Err(bad(0, "not a paradedup state file (bad header)")),
        };
        let mut last = 0;
        while let Some((no, line)) = lines.next() {
            let line = line.map_err(|e| StateError::Io(e.to_string()))?;
            if ended && line == END {
                return match lines.next() {
                    None => Ok(state),
                    Some((no, _)) => Err(bad(no, "lines after the end line")),
                };
            }
            let parts: Vec<&str> = line.split('\t').collect();
            let ["site", name, pages, n] = parts[..] else {
                return Err(bad(no, "expected a site line"));
            };
            let pages: u32 = pages.parse().map_err(|_| bad(no, "bad page count"))?;
            let n: usize = n.parse().map_err(|_| bad(no, "bad row count"))?;
            let site = state.site_mut(name);
            site.pages = site.pages.saturating_add(pages);
            for _ in 0..n {
                let (no, line) = lines
                    .next()
                    .ok_or_else(|| bad(no, "the file ends inside a site"))?;
                let line = line.map_err(|e| StateError::Io(e.to_string()))?;
                let (fp, count) = line
                    .split_once('\t')
                    .ok_or_else(|| bad(no, "expected FINGERPRINT<TAB>COUNT"))?;
                let fp = u64::from_str_radix(fp, 16).map_err(|_| bad(no, "bad fingerprint"))?;
                let count: u32 = count.parse().map_err(|_| bad(no, "bad count"))?;
                let n = site.counts.entry(fp).or_default();
                *n = n.saturating_add(count);
                last = no;
            }
            last = last.max(no);
        }
        match ended {
            true => Err(bad(
                last + 1,
                "the file ends before its end line: it was cut short (learn it, or copy it, again)",
            )),
            false => Ok(state),
        }
    }

    /// How many pages of `site` the paragraph with fingerprint `fp` is on, when that makes it
    /// boilerplate under `rule`.
    pub fn boilerplate(&self, site: &str, fp: u64, rule: Rule) -> Option<u32> {
        self.site(site)?.boilerplate(fp, rule)
    }
}

/// Site names are written on one line between tabs.
fn clean_site(site: &str) -> String {
    site.replace(['\t', '\n', '\r'], " ")
}

/// A state file that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateError {
    /// Reading failed.
    Io(String),
    /// The content is not a state file.
    Format {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        why: String,
    },
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::Io(e) => write!(f, "{e}"),
            StateError::Format { line, why } => write!(f, "line {line}: {why}"),
        }
    }
}

impl std::error::Error for StateError {}

/// The host of a URL (`https://www.example.com/a` -> `www.example.com`), lowercased; `None`
/// when there is none. An IPv6 host keeps its brackets (`http://[2001:db8::1]:80/` ->
/// `[2001:db8::1]`); a protocol-relative URL (`//example.com/a`) and one without a scheme
/// (`example.com/a`) have a host too. `learn` state files name sites by this string.
pub fn url_host(url: &str) -> Option<String> {
    let scheme_end = url.find("://").filter(|&at| {
        url[..at]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    });
    let rest = match scheme_end {
        Some(at) => &url[at + 3..],
        None => url.strip_prefix("//").unwrap_or(url),
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if host.starts_with('[') {
        // `[2001:db8::1]:8080`: the port is after the bracket.
        host.find(']').map_or(host, |close| &host[..=close])
    } else {
        host.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(pages: &[(&str, &str)]) -> State {
        let mut s = State::new();
        for (site, text) in pages {
            s.add_page(site, text, Unit::Auto);
        }
        s
    }

    #[test]
    fn counts_pages_not_copies() {
        let s = state(&[
            ("a", "Share this\n\nShare this\n\nOne."),
            ("a", "Share this\n\nTwo."),
        ]);
        let site = s.site("a").unwrap();
        assert_eq!(site.pages, 2);
        let fp = page_fingerprints("Share this", Unit::Auto)[0];
        assert_eq!(site.counts[&fp], 2);
        assert_eq!(s.boilerplate("a", fp, Rule::default()), Some(2));
        assert_eq!(s.boilerplate("b", fp, Rule::default()), None);
    }

    #[test]
    fn normalized_repeats_share_a_fingerprint() {
        let fp = |p: &str| page_fingerprints(p, Unit::Auto);
        assert_eq!(
            fp("Share this article!"),
            fp("  SHARE \u{2014} this \u{201c}article\u{201d}")
        );
        assert_ne!(fp("Share this article"), fp("Share this articles"));
        assert_ne!(fp("Share this article"), fp("Share article this"));
        // The same number from words found with or without their text.
        let n = crate::normalize::normalize("Share this article");
        assert_eq!(fp("Share this article"), [fingerprint(&n)]);
    }

    #[test]
    fn rule_needs_pages_and_share() {
        let mut pages = vec![("a", "Footer line\n\nBody 1.")];
        pages.extend((0..9).map(|_| ("a", "Other body.")));
        let s = state(&pages.iter().map(|(a, b)| (*a, *b)).collect::<Vec<_>>());
        let fp = page_fingerprints("Footer line", Unit::Auto)[0];
        assert_eq!(s.boilerplate("a", fp, Rule::default()), None);
        let s = state(&[
            ("a", "Footer line\n\nX."),
            ("a", "Footer line\n\nY."),
            ("a", "Z."),
        ]);
        assert_eq!(s.boilerplate("a", fp, Rule::default()), Some(2));
        let strict = Rule {
            min_pages: 3,
            min_share: 0.5,
        };
        assert_eq!(s.boilerplate("a", fp, strict), None);
    }

    #[test]
    fn retained_boilerplate_answers_as_before() {
        let pages: Vec<(&str, &str)> = vec![
            ("a", "Footer\n\nShare this\n\nOne."),
            ("a", "Footer\n\nShare this\n\nTwo."),
            ("a", "Footer\n\nThree."),
            ("b", "Footer\n\nFour."),
            ("b", "Share this\n\nFive."),
        ];
        let strict = Rule {
            min_pages: 3,
            min_share: 0.5,
        };
        let fps: Vec<u64> = pages
            .iter()
            .flat_map(|(_, text)| page_fingerprints(text, Unit::Auto))
            .collect();
        for rule in [Rule::default(), strict] {
            let full = state(&pages);
            let mut kept = full.clone();
            kept.retain_boilerplate(rule);
            for site in ["a", "b", "c"] {
                for &fp in &fps {
                    assert_eq!(
                        kept.boilerplate(site, fp, rule),
                        full.boilerplate(site, fp, rule)
                    );
                }
            }
            // Only boilerplate is left: "Footer" on site a, and "Share this" by the default rule.
            let left: usize = kept.sites().map(|(_, c)| c.counts.len()).sum();
            assert_eq!(left, if rule == strict { 1 } else { 2 });
            assert_eq!(kept.site("a").map(|c| c.pages), Some(3));
        }
    }

    #[test]
    fn merge_is_associative_and_commutative() {
        let a = state(&[("x", "A line\n\nB line"), ("y", "C line")]);
        let b = state(&[("x", "A line\n\nD line")]);
        let c = state(&[("y", "C line\n\nA line"), ("x", "B line")]);
        let mut ab_c = a.clone();
        ab_c.merge(b.clone());
        ab_c.merge(c.clone());
        let mut c_ba = c.clone();
        let mut ba = b.clone();
        ba.merge(a.clone());
        c_ba.merge(ba);
        assert_eq!(ab_c, c_ba);
    }

    #[test]
    fn counts_stop_at_their_largest_instead_of_wrapping() {
        let most = u32::MAX;
        let file = format!(
            "{HEADER}\nsite\ta\t{most}\t1\n00000000000000aa\t{most}\nsite\ta\t1\t1\n\
             00000000000000aa\t1\nend\n"
        );
        let read = State::read_from(&mut file.as_bytes()).unwrap();
        let site = read.site("a").unwrap();
        assert_eq!((site.pages, site.counts[&0xaa]), (most, most));
        let mut merged = read.clone();
        merged.merge(read.clone());
        assert_eq!(merged, read);
        merged.add_fingerprints("a", &[0xaa]);
        assert_eq!(merged, read);
    }

    #[test]
    fn file_round_trips_deterministically() {
        let s = state(&[
            ("x", "A line\n\nB line"),
            ("x", "A line"),
            ("y\tz", "C line"),
        ]);
        let mut bytes = Vec::new();
        s.write_to(&mut bytes).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.starts_with("paradedup-state 3\nsite\tx\t2\t2\n"),
            "{text}"
        );
        assert!(text.contains("site\ty z\t1\t1\n"));
        assert!(text.ends_with("\nend\n"));
        let back = State::read_from(&mut bytes.as_slice()).unwrap();
        let mut again = Vec::new();
        back.write_to(&mut again).unwrap();
        assert_eq!(bytes, again);
    }

    /// A file cut short at a line's end, or inside a line (a count that loses its last
    /// digits), is refused; format 2, which had no end line, is read as it was.
    #[test]
    fn a_state_cut_short_is_refused() {
        let s = state(&[("x", "A line\n\nB line"), ("y", "C line\n\nD line")]);
        let mut bytes = Vec::new();
        s.write_to(&mut bytes).unwrap();
        for cut in 1..bytes.len() - 1 {
            let err = State::read_from(&mut &bytes[..cut]);
            assert!(err.is_err(), "cut at {cut}: read as {:?}", err.unwrap());
            if bytes[cut - 1] == b'\n' && cut > HEADER.len() + 1 {
                let message = err.unwrap_err().to_string();
                assert!(
                    message.contains("cut short") || message.contains("inside a site"),
                    "{cut}: {message}"
                );
            }
        }
        // Only the line break after `end` may be missing.
        assert_eq!(State::read_from(&mut &bytes[..bytes.len() - 1]).unwrap(), s);
        let err = State::read_from(&mut "paradedup-state 3\nsite\tx\t2\t0\n".as_bytes());
        assert_eq!(
            err.unwrap_err().to_string(),
            "line 3: the file ends before its end line: it was cut short (learn it, or copy it, \
             again)"
        );
        let err = State::read_from(&mut "paradedup-state 3\nend\nsite\tx\t2\t0\n".as_bytes());
        assert_eq!(
            err.unwrap_err().to_string(),
            "line 3: lines after the end line"
        );
        let text = String::from_utf8(bytes).unwrap();
        let two = text.replacen("paradedup-state 3", "paradedup-state 2", 1);
        let two = two.strip_suffix("end\n").unwrap();
        assert_eq!(State::read_from(&mut two.as_bytes()).unwrap(), s);
    }

    #[test]
    fn bad_files_say_where() {
        let err = State::read_from(&mut "nope\n".as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1: not a paradedup state file (bad header)"
        );
        let err =
            State::read_from(&mut "paradedup-state 2\nsite\tx\t2\t1\n".as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "line 2: the file ends inside a site");
        let err = State::read_from(&mut "paradedup-state 2\nsite\tx\t2\t1\nzz\t3\n".as_bytes())
            .unwrap_err();
        assert_eq!(err.to_string(), "line 3: bad fingerprint");
        // Format 1's fingerprints are other numbers: reading them would find no boilerplate.
        let err =
            State::read_from(&mut "paradedup-state 1\nsite\tx\t2\t0\n".as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1: a state file of an earlier paradedup (format 1, other fingerprints): \
             learn it again"
        );
    }

    #[test]
    fn hosts() {
        assert_eq!(
            url_host("https://www.Example.com:8080/a?b").as_deref(),
            Some("www.example.com")
        );
        assert_eq!(
            url_host("http://user@host.org").as_deref(),
            Some("host.org")
        );
        assert_eq!(url_host("example.com/path").as_deref(), Some("example.com"));
        assert_eq!(url_host(""), None);
    }

    /// An IPv6 literal was cut at its first `:` (`[2001:db8::1]` and `[2001:db8::2]` were both
    /// `[2001`), and a protocol-relative URL (`//a.com/x`) had no host.
    #[test]
    fn ipv6_and_protocol_relative_hosts() {
        let host = |url| url_host(url);
        assert_eq!(
            host("http://[2001:db8::1]/").as_deref(),
            Some("[2001:db8::1]")
        );
        assert_eq!(
            host("http://[2001:db8::2]/").as_deref(),
            Some("[2001:db8::2]")
        );
        assert_eq!(
            host("https://user@[2001:DB8::A]:8443/p?q#f").as_deref(),
            Some("[2001:db8::a]")
        );
        assert_eq!(host("//[::1]:80").as_deref(), Some("[::1]"));
        assert_eq!(host("//A.com/x").as_deref(), Some("a.com"));
        assert_eq!(host("//a.com:8080?x").as_deref(), Some("a.com"));
        assert_eq!(host("//user@a.com").as_deref(), Some("a.com"));
        // `://` in the query is not a scheme's.
        assert_eq!(
            host("example.com/go?to=http://other.org").as_deref(),
            Some("example.com")
        );
        assert_eq!(host("//"), None);
        assert_eq!(host("http://[::1"), Some("[::1".to_owned()));
    }
}
