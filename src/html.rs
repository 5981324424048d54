//! Decisions -> an HTML review page: every document as it will be published, each removed unit
//! shown in place, struck through and tinted by reason, with a label saying why and a link to
//! the kept copy it repeats.
//!
//! The page is one self-contained file: inline CSS, no script, nothing fetched (its
//! Content-Security-Policy forbids both, should any markup ever slip through the escaping). It
//! is built from [`Cleaned`], the same data as the diff and the JSON report: rendering never
//! decides.
//!
//! A run over many documents never holds them all. Each document becomes a [`Section`] on its
//! own (on any thread); [`Page::add`] appends it to a sections stream (a temporary file, say)
//! and keeps only counts and a bounded number of rows for the table of documents;
//! [`Page::finish`] writes the head, the summary and the table, then copies the sections after
//! them.
//!
//! ```
//! use paradedup::html::{Document, Page, Section};
//! use paradedup::Cleaner;
//!
//! let text = "Storm Hits Coast\n\nRain all night.\n\nSTORM HITS COAST\n";
//! let cleaned = Cleaner::new().clean(text);
//! let mut page = Page::new();
//! let mut sections = Vec::new();
//! page.add(Section::new(&Document::new(1, "storm.txt"), &cleaned), &mut sections)?;
//! let mut html = Vec::new();
//! page.finish(&mut html, &mut sections.as_slice())?;
//! let html = String::from_utf8(html)?;
//! assert!(html.contains(r##"<a class="of" href="#d1-l1">line 1</a>"##));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use similar::{capture_diff_slices_deadline, Algorithm, DiffTag};

use crate::normalize::{word_hashes_into, Normalized};
use crate::{Cleaned, Decision, Reason, Removal, Stats};

/// Rows in the table of documents: the documents that lost the most. Every document still has
/// its section; the table only stays readable (and its memory bounded) on a large crawl.
pub const TABLE_ROWS: usize = 1000;

/// A word diff of two long near-duplicates gives up looking for the smallest diff after this
/// long and falls back to a correct but coarser one.
const WORD_DIFF_TIMEOUT: Duration = Duration::from_millis(200);

/// Escapes `&`, `<`, `>`, `"` and `'` so that `text` reads as text in HTML content and in
/// quoted attribute values, and shows each control character but tab, line feed and carriage
/// return (C0 controls, DEL, C1 controls) as `\u{…}`, as the terminal diff does: HTML forbids
/// them in a page (a strict parser rejects it) and a browser shows them as nothing or as
/// U+FFFD, so a reviewer would not see them. Bidirectional overrides and isolates, which would
/// reorder the text around them, and noncharacters (U+FFFE, U+FDD0, …), which HTML forbids
/// too, are shown so as well. Borrowed when there is nothing to escape.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !(0..text.len()).any(|i| special_len(text.as_bytes(), i) > 0) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    push_text(&mut out, text, Controls::Plain);
    Cow::Owned(out)
}

/// The length in bytes of the character at `bytes[i]` when it is one that [`escape`] escapes;
/// 0 for any other byte.
fn special_len(bytes: &[u8], i: usize) -> usize {
    match bytes[i] {
        b'&' | b'<' | b'>' | b'"' | b'\'' => 1,
        b'\t' | b'\n' | b'\r' => 0,
        0..=0x1F | 0x7F => 1,
        // The C1 controls, U+0080 to U+009F, are 0xC2 0x80 to 0xC2 0x9F in UTF-8.
        0xC2 if matches!(bytes.get(i + 1), Some(0x80..=0x9F)) => 2,
        // The bidirectional overrides and isolates, U+202A to U+202E and U+2066 to U+2069,
        // which would reorder what the reviewer reads.
        0xE2 if matches!(
            (bytes.get(i + 1), bytes.get(i + 2)),
            (Some(0x80), Some(0xAA..=0xAE)) | (Some(0x81), Some(0xA6..=0xA9))
        ) =>
        {
            3
        }
        // Noncharacters (U+FDD0 to U+FDEF, and the last two code points of every plane), which
        // HTML forbids as it forbids controls.
        0xEF..=0xF4 => {
            let end = (i + 4).min(bytes.len());
            let c = (bytes[i..end].utf8_chunks().next())
                .and_then(|chunk| chunk.valid().chars().next())
                .map_or(0, u32::from);
            match (0xFDD0..=0xFDEF).contains(&c) || c & 0xFFFE == 0xFFFE {
                true => char::from_u32(c).map_or(0, char::len_utf8),
                false => 0,
            }
        }
        _ => 0,
    }
}

/// How [`push_text`] shows a control character that [`escape`] escapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Controls {
    /// `\u{1b}` in a `<span class="ctl">`, set apart from text that spells the same: in
    /// element content.
    Marked,
    /// `\u{1b}` as it is: in attribute values and in `<title>`, whose text holds no markup.
    Plain,
}

/// Appends `text` to `out`, escaped as by [`escape`], with its control characters
/// [`Controls::Marked`]: for text in element content.
fn push_escaped(out: &mut String, text: &str) {
    push_text(out, text, Controls::Marked);
}

/// Appends `text` to `out`, escaped as by [`escape`], with its control characters shown as
/// `controls` says.
fn push_text(out: &mut String, text: &str, controls: Controls) {
    let bytes = text.as_bytes();
    let (mut done, mut i) = (0, 0);
    while i < bytes.len() {
        let len = special_len(bytes, i);
        if len == 0 {
            i += 1;
            continue;
        }
        out.push_str(&text[done..i]);
        match bytes[i] {
            b'&' => out.push_str("&amp;"),
            b'<' => out.push_str("&lt;"),
            b'>' => out.push_str("&gt;"),
            b'"' => out.push_str("&quot;"),
            b'\'' => out.push_str("&#39;"),
            _ => {
                let c = text[i..].chars().next().unwrap_or_default();
                push_control(out, c, controls);
            }
        }
        i += len;
        done = i;
    }
    out.push_str(&text[done..]);
}

/// Appends the escape of control character `c`.
fn push_control(out: &mut String, c: char, controls: Controls) {
    if controls == Controls::Marked {
        out.push_str("<span class=\"ctl\" title=\"control character\">");
    }
    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
    if controls == Controls::Marked {
        out.push_str("</span>");
    }
}

/// Where a document came from, as the page names it.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    /// A number unique within the page: the section's anchor is `#d{number}` and each unit's
    /// `#d{number}-l{line}`.
    pub number: usize,
    /// The document's name: a path, `<stdin>`, or `file.jsonl:LINE` for a record.
    pub name: &'a str,
    /// A record's `id`, shown in its heading.
    pub id: Option<&'a str>,
    /// A record's `url`, shown as text (never as a link: the page fetches and opens nothing).
    pub url: Option<&'a str>,
}

impl<'a> Document<'a> {
    /// A document named `name`, without id or URL.
    pub fn new(number: usize, name: &'a str) -> Document<'a> {
        Document {
            number,
            name,
            id: None,
            url: None,
        }
    }
}

/// Units and bytes removed for one reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Tally {
    paragraphs: usize,
    bytes: usize,
}

/// Counts per reason, in the order [`rank`] gives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ByReason(Vec<(Reason, Tally)>);

impl ByReason {
    fn add(&mut self, reason: Reason, tally: Tally) {
        match self.0.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, t)) => {
                t.paragraphs += tally.paragraphs;
                t.bytes += tally.bytes;
            }
            None => {
                self.0.push((reason, tally));
                self.0.sort_by_key(|(r, _)| rank(*r));
            }
        }
    }
}

/// The order reasons are listed in: strictest match first.
fn rank(reason: Reason) -> u8 {
    match reason {
        Reason::Exact => 0,
        Reason::Normalized => 1,
        Reason::Near => 2,
        Reason::Boilerplate => 3,
    }
}

/// What a reason means, for the summary's legend.
fn meaning(reason: Reason) -> &'static str {
    match reason {
        Reason::Exact => "the same bytes as the kept copy",
        Reason::Normalized => "the same words; case, punctuation, quotes or spacing differ",
        Reason::Near => "a small edit of the kept copy (word differences highlighted)",
        Reason::Boilerplate => "on many pages of the same site (menus, share lines, footers)",
    }
}

/// One document's row in the table of documents.
#[derive(Clone, Debug)]
struct Row {
    number: usize,
    name: String,
    id: Option<String>,
    stats: Stats,
    by_reason: ByReason,
}

impl Row {
    /// Most bytes removed first, then most units, then page order.
    fn key(&self) -> (usize, usize, Reverse<usize>) {
        (
            self.stats.removed_bytes,
            self.stats.removed_paragraphs,
            Reverse(self.number),
        )
    }
}

impl PartialEq for Row {
    fn eq(&self, other: &Row) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Row {}

impl PartialOrd for Row {
    fn partial_cmp(&self, other: &Row) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Row {
    fn cmp(&self, other: &Row) -> Ordering {
        self.key().cmp(&other.key())
    }
}

/// One document's part of the page, rendered on its own.
#[derive(Clone, Debug)]
pub struct Section {
    html: String,
    row: Row,
}

impl Section {
    /// Renders `cleaned`: each unit in text order, kept ones as they are, removed ones struck
    /// through with their reason, a label and a link to the kept copy. A document with nothing
    /// removed gets a short section with its text folded away.
    pub fn new(doc: &Document<'_>, cleaned: &Cleaned<'_>) -> Section {
        let removals: Vec<Removal<'_>> = cleaned.removals().collect();
        let bytes = removed_bytes(cleaned.cuts(), &removals);
        let mut by_reason = ByReason::default();
        for (r, &bytes) in removals.iter().zip(&bytes) {
            by_reason.add(
                r.reason,
                Tally {
                    paragraphs: 1,
                    bytes,
                },
            );
        }
        let stats = cleaned.stats();
        let n = doc.number;
        let mut h = String::with_capacity(cleaned.original().len() * 5 / 4 + 512);
        let _ = write!(h, "<section class=\"doc\" id=\"d{n}\">\n<h2>");
        let _ = write!(h, "<a class=\"self\" href=\"#d{n}\">");
        push_escaped(&mut h, doc.name);
        h.push_str("</a></h2>\n");
        if doc.id.is_some() || doc.url.is_some() {
            h.push_str("<dl class=\"meta\">");
            for (key, value) in [("id", doc.id), ("url", doc.url)] {
                if let Some(value) = value {
                    let _ = write!(h, "<div class=\"{key}\"><dt>{key}</dt><dd><code>");
                    push_escaped(&mut h, value);
                    h.push_str("</code></dd></div>");
                }
            }
            h.push_str("</dl>\n");
        }
        h.push_str("<p class=\"stat\">");
        push_stat(&mut h, &stats, &by_reason);
        h.push_str("</p>\n");

        let empty = cleaned.segments().is_empty();
        if !cleaned.is_changed() && !empty {
            let _ = writeln!(
                h,
                "<details><summary>Show the text ({} {})</summary>",
                stats.paragraphs,
                plural(stats.paragraphs, "paragraph", "paragraphs")
            );
        }
        if !empty {
            h.push_str("<div class=\"text\">\n");
            push_units(&mut h, n, cleaned, &removals);
            h.push_str("</div>\n");
        }
        if !cleaned.is_changed() && !empty {
            h.push_str("</details>\n");
        }
        h.push_str("<p class=\"back\"><a href=\"#top\">Back to the summary</a></p>\n</section>\n");
        Section {
            html: h,
            row: Row {
                number: n,
                name: doc.name.to_owned(),
                id: doc.id.map(str::to_owned),
                stats,
                by_reason,
            },
        }
    }

    /// The section's HTML.
    pub fn html(&self) -> &str {
        &self.html
    }
}

/// "5 of 28 paragraphs removed, 289 of 5.2 KiB (5.4%): 4 exact, 1 near".
fn push_stat(h: &mut String, stats: &Stats, by_reason: &ByReason) {
    let total_bytes = stats.kept_bytes + stats.removed_bytes;
    if stats.paragraphs == 0 {
        h.push_str("Empty: no paragraphs.");
        return;
    }
    if stats.removed_paragraphs == 0 {
        let _ = write!(
            h,
            "Nothing removed: {} {}, {}.",
            stats.paragraphs,
            plural(stats.paragraphs, "paragraph", "paragraphs"),
            human_bytes(total_bytes)
        );
        return;
    }
    let _ = write!(
        h,
        "{} of {} {} removed, {} of {} ({}):",
        stats.removed_paragraphs,
        stats.paragraphs,
        plural(stats.paragraphs, "paragraph", "paragraphs"),
        human_bytes(stats.removed_bytes),
        human_bytes(total_bytes),
        percent(stats.removed_bytes, total_bytes)
    );
    push_chips(h, by_reason);
}

/// " <span class="chip r-exact">4 exact</span> …" for each reason.
fn push_chips(h: &mut String, by_reason: &ByReason) {
    for (reason, tally) in &by_reason.0 {
        let name = reason.as_str();
        let _ = write!(
            h,
            " <span class=\"chip r-{name}\">{} {name}</span>",
            tally.paragraphs
        );
    }
}

/// The units of the text, in order.
fn push_units(h: &mut String, n: usize, cleaned: &Cleaned<'_>, removals: &[Removal<'_>]) {
    let text = cleaned.original();
    let segments = cleaned.segments();
    // For each kept unit, the lines of the copies removed in its favour, for back-links.
    let mut copies: Vec<Vec<usize>> = vec![Vec::new(); segments.len()];
    for (seg, decision) in segments.iter().zip(cleaned.decisions()) {
        if let Decision::Remove { of, .. } = *decision {
            copies[of].push(seg.line);
        }
    }
    let mut removals = removals.iter().peekable();
    for (i, seg) in segments.iter().enumerate() {
        let gap = if i > 0 && segments[i - 1].block != seg.block {
            " gap"
        } else {
            ""
        };
        let line = seg.line;
        let unit = &text[seg.start..seg.end];
        match removals.next_if(|r| r.start == seg.start) {
            // Most units: one element, as little markup as the text allows.
            None if copies[i].is_empty() => {
                let _ = write!(h, "<p class=\"u keep t{gap}\" id=\"d{n}-l{line}\">");
                push_escaped(h, unit);
                h.push_str("</p>\n");
            }
            None => {
                let _ = write!(
                    h,
                    "<div class=\"u keep orig{gap}\" id=\"d{n}-l{line}\"><p class=\"t\">"
                );
                push_escaped(h, unit);
                h.push_str("</p><p class=\"copies\">kept; repeated at ");
                for (k, copy) in copies[i].iter().enumerate() {
                    if k > 0 {
                        h.push_str(", ");
                    }
                    let _ = write!(h, "<a href=\"#d{n}-l{copy}\">line {copy}</a>");
                }
                h.push_str("</p></div>\n");
            }
            Some(r) => {
                let reason = r.reason.as_str();
                let _ = write!(
                    h,
                    "<div class=\"u rm r-{reason}{gap}\" id=\"d{n}-l{line}\" \
                     data-reason=\"{reason}\"><p class=\"why\"><span class=\"tag\">{reason}</span> "
                );
                push_label(h, n, r);
                h.push_str("</p><del class=\"t\">");
                if let (Reason::Near, Some(of)) = (r.reason, r.of.clone()) {
                    push_word_diff(h, &text[of], r.text);
                } else {
                    push_escaped(h, r.text);
                }
                h.push_str("</del></div>\n");
            }
        }
    }
}

/// "repeats line 1", "near-duplicate of line 12, 0.91", with the line linked.
fn push_label(h: &mut String, n: usize, r: &Removal<'_>) {
    let Some(of) = r.of_line else {
        let pages = r.pages.unwrap_or_default();
        let _ = write!(h, "site boilerplate, on {pages} pages of the site");
        return;
    };
    let link = format!("<a class=\"of\" href=\"#d{n}-l{of}\">line {of}</a>");
    let _ = match r.reason {
        Reason::Exact => write!(h, "repeats {link}"),
        Reason::Normalized => write!(
            h,
            "repeats {link} <span class=\"note\">(case, punctuation or spacing differ)</span>"
        ),
        Reason::Near => write!(h, "near-duplicate of {link}, {:.2}", r.similarity),
        Reason::Boilerplate => Ok(()),
    };
}

/// `removed`, with the words that are not in `kept` highlighted and the words of `kept` that it
/// lacks shown where they were, set apart (not struck through). Words are compared as the
/// matching compares them, as multisets of normalized words ([`word_diff`]): a near-duplicate
/// with its words in another order has none highlighted.
fn push_word_diff(h: &mut String, kept: &str, removed: &str) {
    let (kept, removed) = (Tokens::new(kept), Tokens::new(removed));
    let pieces = word_diff(&kept, &removed);
    let mut at = 0;
    let mut marking = false;
    let mut gone: Vec<usize> = Vec::new();
    for piece in pieces {
        let (token, added) = match piece {
            Piece::Kept(token) => {
                gone.push(token);
                continue;
            }
            Piece::Removed { token, added } => (token, added),
        };
        let range = removed.ranges[token].clone();
        let space = &removed.text[at..range.start];
        // Runs of words only in the removed copy become one element, the spaces between them
        // inside it and those around them outside.
        let run_goes_on = added && marking && gone.is_empty();
        if run_goes_on {
            push_escaped(h, space);
        } else {
            if marking {
                h.push_str("</mark>");
            }
            push_escaped(h, space);
            push_gone(h, &kept, &mut gone, added);
            if added {
                h.push_str("<mark class=\"w-add\">");
            }
        }
        push_escaped(h, &removed.text[range.clone()]);
        marking = added;
        at = range.end;
    }
    if marking {
        h.push_str("</mark>");
    }
    push_escaped(h, &removed.text[at..]);
    push_gone(h, &kept, &mut gone, false);
}

/// Shows the tokens `gone` of the kept copy in one element, apart from the removed text, and
/// empties it. `replaced` when words of the removed copy follow in their place: an arrow
/// points at them.
fn push_gone(h: &mut String, kept: &Tokens<'_>, gone: &mut Vec<usize>, replaced: bool) {
    if gone.is_empty() {
        return;
    }
    let class = if replaced { "w-gone w-sub" } else { "w-gone" };
    let _ = write!(h, "<span class=\"{class}\" title=\"in the kept copy\">");
    for (k, &token) in gone.iter().enumerate() {
        if k > 0 {
            h.push(' ');
        }
        push_escaped(h, &kept.text[kept.ranges[token].clone()]);
    }
    h.push_str("</span>");
    gone.clear();
}

/// A unit cut for the word diff: its tokens (the runs of text between whitespace, which the
/// page highlights) and the words the matching compares, each with its token.
#[derive(Debug)]
struct Tokens<'a> {
    text: &'a str,
    /// Each token's bytes in `text`.
    ranges: Vec<std::ops::Range<usize>>,
    /// The words, in order: each token's normalized words ([`word_hashes_into`]: case,
    /// punctuation and quotes fall away, as in matching); a token without any (`|`, `–`) is
    /// one word of its own, its text, so that a separator only one copy has is highlighted
    /// too.
    words: Vec<Word<'a>>,
    /// The token of each word.
    token_of: Vec<usize>,
}

/// A word of [`Tokens`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Word<'a> {
    /// A normalized word's [`crate::fingerprint::word_hash`].
    Hash(u64),
    /// A token without words, as it is.
    Symbol(&'a str),
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Tokens<'a> {
        let mut tokens = Tokens {
            text,
            ranges: Vec::new(),
            words: Vec::new(),
            token_of: Vec::new(),
        };
        let mut normalized = Normalized::default();
        let mut start = None;
        for (at, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (start, c.is_whitespace()) {
                (None, false) => start = Some(at),
                (Some(from), true) => {
                    tokens.push(from..at, &mut normalized);
                    start = None;
                }
                _ => {}
            }
        }
        tokens
    }

    /// Adds the token at `range`; `normalized` is a buffer to reuse.
    fn push(&mut self, range: std::ops::Range<usize>, normalized: &mut Normalized) {
        let token = &self.text[range.clone()];
        let index = self.ranges.len();
        self.ranges.push(range);
        // Words never span whitespace, so a token's words are those the whole unit has there.
        word_hashes_into(token, normalized);
        if normalized.is_empty() {
            self.words.push(Word::Symbol(token));
            self.token_of.push(index);
        }
        for &hash in &normalized.hashes {
            self.words.push(Word::Hash(hash));
            self.token_of.push(index);
        }
    }
}

/// One piece of a near-duplicate's word diff, in the order shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece {
    /// A token of the removed copy; `added` when it has a word the kept copy does not have.
    Removed {
        /// The token's index in the removed copy's [`Tokens`].
        token: usize,
        /// Whether it has a word the kept copy lacks.
        added: bool,
    },
    /// A token of the kept copy with a word the removed copy lacks.
    Kept(usize),
}

/// The word diff of a removed copy against the kept one: every token of `removed` once, in
/// order, and the tokens of `kept` that have words `removed` lacks, each once, where a sequence
/// diff puts them.
///
/// What is highlighted agrees with the matching, which compares the copies' words as multisets
/// (Dice coefficient): a word of the removed copy counts as added only when the kept copy has
/// fewer copies of it, and one of the kept copy as gone only when the removed copy has fewer.
/// A sequence diff alone would call a word that moved both added and gone. It only places
/// them: of the words it leaves unaligned, those the other copy left unaligned too moved, and
/// are neither. The diff gives up looking for the smallest one after [`WORD_DIFF_TIMEOUT`],
/// which places words more coarsely but flags the same ones.
fn word_diff(kept: &Tokens<'_>, removed: &Tokens<'_>) -> Vec<Piece> {
    let deadline = Instant::now() + WORD_DIFF_TIMEOUT;
    let ops = capture_diff_slices_deadline(
        Algorithm::Myers,
        &kept.words,
        &removed.words,
        Some(deadline),
    );
    let mut aligned_kept = vec![true; kept.words.len()];
    let mut aligned_removed = vec![true; removed.words.len()];
    for op in &ops {
        let (tag, old, new) = op.as_tag_tuple();
        if tag != DiffTag::Equal {
            aligned_kept[old].fill(false);
            aligned_removed[new].fill(false);
        }
    }
    let gone = unshared(&kept.words, &aligned_kept, &removed.words, &aligned_removed);
    let added = unshared(&removed.words, &aligned_removed, &kept.words, &aligned_kept);
    let mut kept_shown = vec![false; kept.ranges.len()];
    let mut removed_shown = vec![false; removed.ranges.len()];
    let mut added_tokens = vec![false; removed.ranges.len()];
    for (i, _) in added.iter().enumerate().filter(|(_, &a)| a) {
        added_tokens[removed.token_of[i]] = true;
    }
    let mut pieces = Vec::with_capacity(removed.ranges.len());
    for op in &ops {
        let (_, old, new) = op.as_tag_tuple();
        for i in old.filter(|&i| gone[i]) {
            let token = kept.token_of[i];
            if !std::mem::replace(&mut kept_shown[token], true) {
                pieces.push(Piece::Kept(token));
            }
        }
        for j in new {
            let token = removed.token_of[j];
            if !std::mem::replace(&mut removed_shown[token], true) {
                pieces.push(Piece::Removed {
                    token,
                    added: added_tokens[token],
                });
            }
        }
    }
    pieces
}

/// For each word of `words`, whether it is one only `words` has, counting copies. A word a
/// sequence diff aligned (`aligned`) is in both; an unaligned one is in both while `other` has
/// unaligned copies of it left (taken in order): it moved.
fn unshared(
    words: &[Word<'_>],
    aligned: &[bool],
    other: &[Word<'_>],
    other_aligned: &[bool],
) -> Vec<bool> {
    let mut left: HashMap<Word<'_>, usize> = HashMap::new();
    for (&w, _) in other.iter().zip(other_aligned).filter(|(_, &a)| !a) {
        *left.entry(w).or_default() += 1;
    }
    words
        .iter()
        .zip(aligned)
        .map(|(w, &aligned)| {
            if aligned {
                return false;
            }
            match left.get_mut(w) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        })
        .collect()
}

/// The bytes each removal takes with it: its own and the separators of its cut, so that they
/// add up to [`Stats::removed_bytes`]. A cut holds one or more removed units; each gets the
/// bytes from its start (the cut's start for the first) to the next one's start (the cut's end
/// for the last).
fn removed_bytes(cuts: &[std::ops::Range<usize>], removals: &[Removal<'_>]) -> Vec<usize> {
    let mut out = vec![0; removals.len()];
    let mut i = 0;
    for cut in cuts {
        let first = i;
        while i < removals.len() && removals[i].start < cut.end {
            i += 1;
        }
        for k in first..i {
            let from = if k == first {
                cut.start
            } else {
                removals[k].start
            };
            let to = if k + 1 == i {
                cut.end
            } else {
                removals[k + 1].start
            };
            out[k] = to - from;
        }
    }
    out
}

/// The whole page: totals over the documents added, and the rows of the table.
#[derive(Debug, Default)]
pub struct Page {
    documents: usize,
    changed: usize,
    stats: Stats,
    by_reason: ByReason,
    /// The [`TABLE_ROWS`] rows that removed the most, smallest on top.
    rows: BinaryHeap<Reverse<Row>>,
    first_name: Option<String>,
    notes: Vec<String>,
}

impl Page {
    /// An empty page.
    pub fn new() -> Page {
        Page::default()
    }

    /// Writes `section` to `sections` and counts it.
    pub fn add(&mut self, section: Section, sections: &mut dyn Write) -> io::Result<()> {
        sections.write_all(section.html.as_bytes())?;
        let row = section.row;
        self.documents += 1;
        self.changed += usize::from(row.stats.removed_paragraphs > 0);
        self.stats += row.stats;
        for &(reason, tally) in &row.by_reason.0 {
            self.by_reason.add(reason, tally);
        }
        if self.first_name.is_none() {
            self.first_name = Some(row.name.clone());
        }
        self.rows.push(Reverse(row));
        if self.rows.len() > TABLE_ROWS {
            self.rows.pop();
        }
        Ok(())
    }

    /// Adds a note to the summary (for example, that some inputs could not be read).
    pub fn note(&mut self, text: &str) {
        self.notes.push(text.to_owned());
    }

    /// Writes the page: head, summary, table of documents, then the sections read from
    /// `sections` (what [`add`](Self::add) wrote, in order).
    pub fn finish(self, out: &mut dyn Write, sections: &mut dyn Read) -> io::Result<()> {
        let mut h = String::with_capacity(16 << 10);
        let title = match (&self.first_name, self.documents) {
            (Some(name), 1) => format!("Review of {name}"),
            (_, n) => format!("Review of {n} {}", plural(n, "document", "documents")),
        };
        h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'\">\n",
        );
        h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
        let _ = write!(
            h,
            "<meta name=\"generator\" content=\"paradedup {}\">\n<title>",
            env!("CARGO_PKG_VERSION")
        );
        push_text(&mut h, &title, Controls::Plain);
        h.push_str(" · paradedup</title>\n<style>\n");
        h.push_str(CSS);
        h.push_str("</style>\n</head>\n<body>\n<header id=\"top\" class=\"summary\">\n");
        h.push_str("<p class=\"brand\">paradedup review</p>\n<h1>");
        push_escaped(&mut h, &title);
        h.push_str("</h1>\n");
        self.push_summary(&mut h);
        h.push_str("</header>\n");
        self.push_table(&mut h);
        h.push_str("<main>\n");
        out.write_all(h.as_bytes())?;
        io::copy(sections, out)?;
        let _ = write!(
            out,
            "</main>\n<footer><p>Made by paradedup {}. Removed paragraphs are shown in place, \
             struck through; everything else is published as it is.</p></footer>\n\
             </body>\n</html>\n",
            env!("CARGO_PKG_VERSION")
        );
        Ok(())
    }

    /// The totals and the per-reason table.
    fn push_summary(&self, h: &mut String) {
        let s = &self.stats;
        let total_bytes = s.kept_bytes + s.removed_bytes;
        h.push_str("<p class=\"lead\">");
        if self.documents == 0 {
            h.push_str("No documents.");
        } else {
            let _ = write!(
                h,
                "<strong>{}</strong> of {} {} changed: <strong>{}</strong> of {} {} removed, \
                 <strong>{}</strong> of {} ({}).",
                self.changed,
                self.documents,
                plural(self.documents, "document", "documents"),
                s.removed_paragraphs,
                s.paragraphs,
                plural(s.paragraphs, "paragraph", "paragraphs"),
                human_bytes(s.removed_bytes),
                human_bytes(total_bytes),
                percent(s.removed_bytes, total_bytes)
            );
        }
        h.push_str("</p>\n");
        for note in &self.notes {
            h.push_str("<p class=\"note\">");
            push_escaped(h, note);
            h.push_str("</p>\n");
        }
        if self.by_reason.0.is_empty() {
            return;
        }
        h.push_str(
            "<div class=\"scroll\"><table class=\"reasons cards\">\n<thead><tr><th>reason</th>\
             <th class=\"num\">paragraphs</th><th class=\"num\">bytes</th><th>meaning</th></tr>\
             </thead>\n<tbody>\n",
        );
        for (reason, tally) in &self.by_reason.0 {
            let name = reason.as_str();
            let _ = writeln!(
                h,
                "<tr class=\"r-{name}\" data-reason=\"{name}\"><td><span class=\"tag\">{name}</span></td>\
                 <td class=\"num\" data-label=\"paragraphs\">{}</td>\
                 <td class=\"num\" data-label=\"bytes\">{}</td><td class=\"wide\">{}</td></tr>",
                tally.paragraphs,
                tally.bytes,
                meaning(*reason)
            );
        }
        h.push_str("</tbody>\n</table></div>\n");
    }

    /// The table of documents, most removed first.
    fn push_table(&self, h: &mut String) {
        if self.documents == 0 {
            return;
        }
        let rows = self.rows.clone().into_sorted_vec();
        h.push_str("<nav class=\"docs\" aria-label=\"Documents\">\n<h2>Documents</h2>\n");
        if self.documents > rows.len() {
            let _ = writeln!(
                h,
                "<p class=\"note\">The {} documents that lost the most are listed; all {} \
                 have a section below.</p>",
                rows.len(),
                self.documents
            );
        }
        h.push_str(
            "<div class=\"scroll\"><table class=\"cards\">\n<thead><tr><th>document</th>\
             <th class=\"num\">removed</th><th class=\"num\">bytes</th>\
             <th class=\"num\">share</th><th>why</th></tr></thead>\n<tbody>\n",
        );
        for Reverse(row) in &rows {
            let s = &row.stats;
            let _ = write!(h, "<tr><td class=\"wide\"><a href=\"#d{}\">", row.number);
            push_escaped(h, &row.name);
            h.push_str("</a>");
            if let Some(id) = &row.id {
                h.push_str(" <code class=\"id\">");
                push_escaped(h, id);
                h.push_str("</code>");
            }
            let _ = write!(
                h,
                "</td><td class=\"num\" data-label=\"removed\">{} / {}</td>\
                 <td class=\"num\" data-label=\"bytes\">{}</td>\
                 <td class=\"num\" data-label=\"of the bytes\">{}</td><td class=\"wide\">",
                s.removed_paragraphs,
                s.paragraphs,
                s.removed_bytes,
                percent(s.removed_bytes, s.kept_bytes + s.removed_bytes)
            );
            push_chips(h, &row.by_reason);
            h.push_str("</td></tr>\n");
        }
        h.push_str("</tbody>\n</table></div>\n</nav>\n");
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "0%".to_owned();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

fn human_bytes(n: usize) -> String {
    match n {
        1 => "1 byte".to_owned(),
        n if n < 1 << 10 => format!("{n} bytes"),
        n if n < 1 << 20 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{:.1} MiB", n as f64 / (1 << 20) as f64),
    }
}

/// The page's style: readable on a phone (one column, wrapping anywhere), in print (light,
/// colors kept, no navigation) and in a dark color scheme. Each reason has a tint; `boilerplate`
/// has one ready for when paradedup removes boilerplate.
const CSS: &str = r#":root {
  --bg: #ffffff; --fg: #1f2328; --muted: #656d76; --line: #d8dee4; --link: #0a58ca;
  --panel: #f6f8fa; --mark: #ffd33d; --target: #fff8c5;
  --exact: #cf222e; --exact-bg: #ffebe9;
  --normalized: #9a6700; --normalized-bg: #fff8c5;
  --near: #8250df; --near-bg: #fbefff;
  --boilerplate: #57606a; --boilerplate-bg: #eaeef2;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --link: #4493f8;
    --panel: #161b22; --mark: #6e5a00; --target: #2b2a12;
    --exact: #ff7b72; --exact-bg: #3a1d1f;
    --normalized: #e3b341; --normalized-bg: #33290f;
    --near: #d2a8ff; --near-bg: #2c2140;
    --boilerplate: #9198a1; --boilerplate-bg: #22272e;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0 auto; max-width: 48rem; padding: 1rem 1rem 3rem;
  background: var(--bg); color: var(--fg);
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
}
a { color: var(--link); }
h1 { font-size: 1.5rem; line-height: 1.25; margin: .2rem 0 .6rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; line-height: 1.3; margin: 0 0 .3rem; overflow-wrap: anywhere; }
code { font: .85em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.brand { margin: 0; color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .08em; }
.lead { font-size: 1.05rem; margin: 0 0 .8rem; }
.note { color: var(--muted); font-size: .9rem; }
.scroll { overflow-x: auto; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td a { overflow-wrap: anywhere; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.tag, .chip {
  display: inline-block; border-radius: .3rem; font-size: .72rem; font-weight: 600;
  line-height: 1.5; padding: 0 .4rem; white-space: nowrap;
}
.tag { background: var(--r); color: var(--bg); text-transform: uppercase; letter-spacing: .04em; }
.chip { background: var(--r-bg); color: var(--r); border: 1px solid var(--r); }
.r-exact { --r: var(--exact); --r-bg: var(--exact-bg); }
.r-normalized { --r: var(--normalized); --r-bg: var(--normalized-bg); }
.r-near { --r: var(--near); --r-bg: var(--near-bg); }
.r-boilerplate { --r: var(--boilerplate); --r-bg: var(--boilerplate-bg); }
nav.docs { margin: 1.5rem 0; }
section.doc { border-top: 2px solid var(--line); margin-top: 2rem; padding-top: 1rem; }
a.self { color: inherit; text-decoration: none; }
.meta { margin: 0 0 .3rem; display: flex; flex-wrap: wrap; gap: 0 1rem; font-size: .85rem; }
.meta div { display: flex; gap: .4rem; min-width: 0; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; min-width: 0; }
.stat { color: var(--muted); font-size: .9rem; margin: 0 0 .8rem; }
details > summary { cursor: pointer; color: var(--muted); margin-bottom: .5rem; }
.u { margin: .3rem 0 0; padding: .1rem .6rem; border-left: 3px solid transparent; border-radius: 0 .3rem .3rem 0; }
.u.gap { margin-top: .8rem; }
.t { display: block; margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; unicode-bidi: plaintext; }
.orig { border-left-color: var(--line); }
.copies { margin: 0; font-size: .78rem; color: var(--muted); }
.rm { background: var(--r-bg); border-left-color: var(--r); padding-top: .3rem; padding-bottom: .3rem; }
.rm .t { color: var(--muted); text-decoration: line-through; text-decoration-color: var(--r); }
.why { margin: 0 0 .15rem; font-size: .8rem; color: var(--r); }
.why .note { font-size: inherit; }
.why a { color: inherit; font-weight: 600; }
mark.w-add { background: var(--mark); color: var(--fg); border-radius: .15rem; }
/* Inline blocks do not inherit the struck-through line: words of the kept copy read clearly. */
.w-gone {
  display: inline-block; text-decoration: none; color: var(--r); font-style: italic;
  border-bottom: 1px dashed var(--r); margin: 0 .1rem;
}
.w-sub::after { content: " →"; font-style: normal; }
/* A control character of the text, shown as its escape: not the text's own characters. */
.ctl {
  font: .8em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-style: normal;
  color: var(--exact); background: var(--panel); border: 1px solid var(--line);
  border-radius: .2rem; padding: 0 .1rem;
}
.u:target { outline: 2px solid var(--link); outline-offset: 1px; background: var(--target); }
.back { margin: 1rem 0 0; font-size: .85rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line); }
/* Phones: table rows become cards (figures on one line, name and reasons on their own). */
@media (max-width: 36rem) {
  body { padding: .6rem .6rem 2rem; }
  .u { padding-left: .45rem; padding-right: .45rem; }
  table.cards thead { display: none; }
  table.cards tr {
    display: grid; grid-template-columns: repeat(3, auto) 1fr; gap: .15rem .9rem;
    padding: .45rem 0; border-bottom: 1px solid var(--line);
  }
  table.cards td { border: 0; padding: 0; text-align: left; }
  table.cards td.wide { grid-column: 1 / -1; }
  table.cards td[data-label]::after { content: " " attr(data-label); color: var(--muted); }
}
@media print {
  :root {
    --bg: #ffffff; --fg: #000000; --muted: #444c56; --line: #bbbbbb; --link: #000000;
    --mark: #ffd33d; --target: transparent;
    --exact: #b3131d; --exact-bg: #ffebe9; --normalized: #7a5200; --normalized-bg: #fff8c5;
    --near: #6a3fc0; --near-bg: #fbefff; --boilerplate: #444c56; --boilerplate-bg: #eaeef2;
  }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  a { text-decoration: none; }
  .back, nav.docs .note { display: none; }
  .u, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cleaner;
    use proptest::prelude::*;

    fn page_of(docs: &[(&str, &str)]) -> String {
        let mut page = Page::new();
        let mut sections = Vec::new();
        for (i, (name, text)) in docs.iter().enumerate() {
            let cleaned = Cleaner::new().clean(text);
            let section = Section::new(&Document::new(i + 1, name), &cleaned);
            page.add(section, &mut sections).unwrap();
        }
        let mut out = Vec::new();
        page.finish(&mut out, &mut sections.as_slice()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escape_covers_the_five_characters() {
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert!(matches!(escape("plain text, ünïcode"), Cow::Borrowed(_)));
        assert_eq!(escape(""), "");
        assert_eq!(escape("&&"), "&amp;&amp;");
    }

    #[test]
    fn escape_shows_control_characters() {
        assert_eq!(
            escape("a\u{1b}[2J\0b\u{7f}\u{85}\u{9b}c"),
            "a\\u{1b}[2J\\u{0}b\\u{7f}\\u{85}\\u{9b}c"
        );
        // Whitespace stays, and so do the characters around the C1 block (U+00A0 is `0xC2 0xA0`)
        // and the bidirectional controls (U+2029, U+202F, U+2065, U+206A).
        assert!(matches!(
            escape("a\tb\r\nc\u{a0}\u{7e}é\u{2029}\u{202f}\u{2065}\u{206a}"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            escape("x\u{202e}evil\u{202c}\u{2066}y\u{2069}"),
            "x\\u{202e}evil\\u{202c}\\u{2066}y\\u{2069}"
        );
        // Noncharacters too, but not their neighbours.
        assert_eq!(
            escape("a\u{fffe}\u{ffff}\u{fdd0}\u{fdef}\u{1fffe}\u{10ffff}b"),
            "a\\u{fffe}\\u{ffff}\\u{fdd0}\\u{fdef}\\u{1fffe}\\u{10ffff}b"
        );
        assert!(matches!(
            escape("\u{fdcf}\u{fdf0}\u{fffd}\u{1fffd}\u{20000}é中😀"),
            Cow::Borrowed(_)
        ));
        let mut h = String::new();
        push_escaped(&mut h, "<\u{7}>");
        assert_eq!(
            h,
            "&lt;<span class=\"ctl\" title=\"control character\">\\u{7}</span>&gt;"
        );
    }

    #[test]
    fn control_characters_are_escaped_everywhere() {
        // Every control character but tab, line feed and carriage return.
        let controls: String = ('\0'..='\u{9f}')
            .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let text = format!("Evil {controls} x\n\nBody.\n\nEvil {controls} x\n");
        let html = page_of(&[("ctl\u{1b}[31m.txt", &text)]);
        for c in controls.chars() {
            assert!(!html.contains(c), "{c:?} in the page");
            let shown = format!(">\\u{{{:x}}}</span>", u32::from(c));
            // Twice in the text (kept and removed copy), in the heading and the table.
            assert!(html.matches(&shown).count() >= 2, "{c:?} not shown");
        }
        assert!(html.contains("<title>Review of ctl\\u{1b}[31m.txt · paradedup</title>"));
        assert!(html.contains(
            "<h1>Review of ctl<span class=\"ctl\" title=\"control character\">\\u{1b}</span>[31m.txt</h1>"
        ));
    }

    #[test]
    fn removed_bytes_add_up_to_the_stats() {
        for text in [
            "Head line\n\nBody.\n\nHead line\n",
            "Head\nHead\nHead\n\nBody\n\nHead",
            "A line here.\n\nA line here.\nA line here.\n\nEnd.\n",
        ] {
            let cleaned = Cleaner::new().clean(text);
            let removals: Vec<_> = cleaned.removals().collect();
            let bytes = removed_bytes(cleaned.cuts(), &removals);
            assert_eq!(
                bytes.iter().sum::<usize>(),
                cleaned.stats().removed_bytes,
                "{text:?}"
            );
            assert!(bytes.iter().all(|&b| b > 0), "{text:?}: {bytes:?}");
        }
    }

    #[test]
    fn labels_say_why_and_link_to_the_kept_copy() {
        let html = page_of(&[(
            "a.txt",
            "Head line here\n\nBody.\n\nHEAD LINE HERE\n\nHead line here\n",
        )]);
        assert!(html.contains(
            "<span class=\"tag\">normalized</span> repeats <a class=\"of\" href=\"#d1-l1\">line 1</a>"
        ));
        assert!(html.contains(
            "<span class=\"tag\">exact</span> repeats <a class=\"of\" href=\"#d1-l1\">line 1</a>"
        ));
        assert!(html.contains("id=\"d1-l1\""));
        assert!(html.contains(
            "kept; repeated at <a href=\"#d1-l5\">line 5</a>, <a href=\"#d1-l7\">line 7</a>"
        ));
    }

    #[test]
    fn near_duplicates_show_the_differing_words() {
        let mut h = String::new();
        push_word_diff(
            &mut h,
            "Storm closes the coastal road tonight",
            "Storm closes the coastal road again tonight | Site",
        );
        assert_eq!(
            h,
            "Storm closes the coastal road <mark class=\"w-add\">again</mark> tonight \
             <mark class=\"w-add\">| Site</mark>"
        );
        let mut h = String::new();
        push_word_diff(&mut h, "a <b> c", "a <i> c");
        assert_eq!(
            h,
            "a <span class=\"w-gone w-sub\" title=\"in the kept copy\">&lt;b&gt;</span>\
             <mark class=\"w-add\">&lt;i&gt;</mark> c"
        );
    }

    /// The word diff of `removed` against `kept`, as (words marked, words shown as gone).
    fn marked(kept: &str, removed: &str) -> (Vec<String>, Vec<String>) {
        let (k, r) = (Tokens::new(kept), Tokens::new(removed));
        let (mut added, mut gone) = (Vec::new(), Vec::new());
        for piece in word_diff(&k, &r) {
            match piece {
                Piece::Removed { token, added: true } => {
                    added.push(&removed[r.ranges[token].clone()])
                }
                Piece::Removed { .. } => {}
                Piece::Kept(token) => gone.push(&kept[k.ranges[token].clone()]),
            }
        }
        let owned = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect();
        (owned(added), owned(gone))
    }

    // Regression: a sequence diff marked the 12 words that moved as both added and gone in a
    // near-duplicate of similarity 1.00, whose words the matching compares as multisets.
    #[test]
    fn moved_words_are_not_highlighted() {
        let words: Vec<&str> = "alpha bravo charlie delta echo foxtrot golf hotel india juliet \
             kilo lima mike november oscar papa quebec romeo sierra tango uniform victor \
             whiskey xray"
            .split(' ')
            .collect();
        let kept = words.join(" ");
        let removed = [&words[12..], &words[..12]].concat().join(" ");
        assert_eq!(marked(&kept, &removed), (vec![], vec![]));
        let mut h = String::new();
        push_word_diff(&mut h, &kept, &removed);
        assert_eq!(h, removed);
        // A word moved and one replaced: only the replaced one.
        assert_eq!(
            marked(
                "Storm closes the coastal road tonight",
                "Tonight storm closes the coast road"
            ),
            (vec!["coast".to_owned()], vec!["coastal".to_owned()])
        );
    }

    #[test]
    fn word_diff_counts_copies_and_ignores_case_and_punctuation() {
        // One "the" more than the kept copy has, and one "a" fewer.
        assert_eq!(
            marked(
                "a cat saw a dog by the door",
                "the cat saw a dog, by the door"
            ),
            (vec!["the".to_owned()], vec!["a".to_owned()])
        );
        assert_eq!(
            marked("Storm hits coast", "STORM, hits the “coast”"),
            (vec!["the".to_owned()], vec![])
        );
        // A separator is compared as it is.
        assert_eq!(
            marked("Storm hits coast - BBC", "Storm hits coast | BBC"),
            (vec!["|".to_owned()], vec!["-".to_owned()])
        );
    }

    proptest! {
        /// The words marked are those only the removed copy has, and those shown apart those
        /// only the kept copy has, counting copies, as the matching's multisets do; every
        /// token of the removed copy is shown once, in order.
        #[test]
        fn word_diff_agrees_with_the_multisets(
            kept in proptest::collection::vec(proptest::sample::select(&VOCABULARY[..]), 0..40),
            removed in proptest::collection::vec(proptest::sample::select(&VOCABULARY[..]), 0..40),
        ) {
            let (kept, removed) = (kept.join(" "), removed.join(" \n"));
            let (k, r) = (Tokens::new(&kept), Tokens::new(&removed));
            let pieces = word_diff(&k, &r);
            let shown: Vec<usize> = pieces
                .iter()
                .filter_map(|p| match p {
                    Piece::Removed { token, .. } => Some(*token),
                    Piece::Kept(_) => None,
                })
                .collect();
            prop_assert_eq!(shown, (0..r.ranges.len()).collect::<Vec<_>>());
            let key = |w: &str| match crate::normalize::normalize(w).text {
                text if text.is_empty() => w.to_owned(),
                text => text,
            };
            let (added, gone) = marked(&kept, &removed);
            let mut expected_added = multiset_minus(&r.ranges.iter().map(|t| key(&removed[t.clone()])).collect::<Vec<_>>(), &k.ranges.iter().map(|t| key(&kept[t.clone()])).collect::<Vec<_>>());
            let mut expected_gone = multiset_minus(&k.ranges.iter().map(|t| key(&kept[t.clone()])).collect::<Vec<_>>(), &r.ranges.iter().map(|t| key(&removed[t.clone()])).collect::<Vec<_>>());
            let mut added: Vec<String> = added.iter().map(|w| key(w)).collect();
            let mut gone: Vec<String> = gone.iter().map(|w| key(w)).collect();
            for v in [&mut added, &mut gone, &mut expected_added, &mut expected_gone] {
                v.sort();
            }
            prop_assert_eq!(added, expected_added);
            prop_assert_eq!(gone, expected_gone);
        }

        /// A unit's words are its tokens' words: the word diff cuts a unit into tokens first.
        #[test]
        fn token_words_are_the_unit_words(text in prop_oneof![
            proptest::string::string_regex("(?s).{0,80}").unwrap(),
            proptest::collection::vec(proptest::sample::select(&TRICKY[..]), 0..30)
                .prop_map(|pieces| pieces.concat()),
        ]) {
            let words: Vec<u64> = Tokens::new(&text)
                .words
                .iter()
                .filter_map(|w| match w {
                    Word::Hash(h) => Some(*h),
                    Word::Symbol(_) => None,
                })
                .collect();
            prop_assert_eq!(words, crate::normalize::normalize(&text).hashes);
        }
    }

    /// Pieces of text where words and whitespace meet in unusual ways: exotic and invisible
    /// spaces, apostrophes, combining marks, ligatures, CJK, numbers, controls.
    const TRICKY: [&str; 24] = [
        "a",
        "Bc",
        "don't",
        "’",
        "'",
        " ",
        "\u{a0}",
        "\u{85}",
        "\u{200b}",
        "\u{301}",
        "東京",
        "ﬁ",
        "x.y",
        "-",
        "—",
        "1,000",
        "\t",
        "\u{2028}",
        "\u{3000}",
        "\u{1b}",
        "Ä",
        "\u{feff}",
        "ｆｕｌｌ",
        "\u{2009}",
    ];

    /// Words of one word each (and a separator), differing in case and punctuation.
    const VOCABULARY: [&str; 9] = ["a", "A", "a,", "cat", "Cat.", "the", "dog", "|", "–"];

    /// `a` less `b`, as multisets; a word without letters is its own text.
    fn multiset_minus(a: &[String], b: &[String]) -> Vec<String> {
        let mut b = b.to_vec();
        let mut out = Vec::new();
        for w in a {
            match b.iter().position(|x| x == w) {
                Some(at) => {
                    b.remove(at);
                }
                None => out.push(w.clone()),
            }
        }
        out
    }

    #[test]
    fn text_is_escaped_everywhere() {
        let evil = "<script>alert(1)</script>";
        let html = page_of(&[("<b>name</b>.txt", &format!("{evil}\n\nBody.\n\n{evil}\n"))]);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>name"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn unchanged_documents_are_folded() {
        let html = page_of(&[("same.txt", "One.\n\nTwo.\n"), ("empty.txt", "")]);
        assert!(html.contains("<details><summary>Show the text (2 paragraphs)</summary>"));
        assert!(html.contains("Empty: no paragraphs."));
        assert!(html.contains("<strong>0</strong> of 2 documents changed"));
    }

    #[test]
    fn table_lists_the_documents_that_lost_most_first() {
        let html = page_of(&[
            ("small.txt", "Aa bb\n\nCc.\n\nAa bb\n"),
            ("none.txt", "One.\n\nTwo.\n"),
            (
                "big.txt",
                "A much longer repeated line\n\nx\n\nA much longer repeated line\n",
            ),
        ]);
        let table = &html[html.find("<nav").unwrap()..html.find("</nav>").unwrap()];
        let at = |name: &str| table.find(name).unwrap();
        assert!(at("big.txt") < at("small.txt") && at("small.txt") < at("none.txt"));
    }

    #[test]
    fn table_is_bounded() {
        let mut page = Page::new();
        let mut sink = io::sink();
        let cleaned = Cleaner::new().clean("Aa bb\n\nAa bb\n");
        for n in 0..TABLE_ROWS + 5 {
            page.add(Section::new(&Document::new(n, "x"), &cleaned), &mut sink)
                .unwrap();
        }
        assert_eq!(page.rows.len(), TABLE_ROWS);
        assert_eq!(page.documents, TABLE_ROWS + 5);
    }
}
