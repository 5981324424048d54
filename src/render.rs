//! Decisions -> what people and programs read: a unified diff and a JSON report. Nothing here
//! decides anything; this is the only module that knows about ANSI colors.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::ops::Range;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use similar::udiff::UnifiedHunkHeader;
use similar::{ChangeTag, DiffOp, TextDiff};

use crate::{Cleaned, Reason, Removal, Stats};

/// Diffs of large texts give up looking for the smallest diff after this long and fall back
/// to a correct but coarser one.
const DIFF_TIMEOUT: Duration = Duration::from_secs(5);
/// Lines of context around each change.
const CONTEXT: usize = 3;
/// Removals named in one hunk header before "and N more".
const NAMED_PER_HUNK: usize = 3;

const HEADER: Style = Style::new().bold();
const HUNK: Style = AnsiColor::Cyan.on_default();
const WHY: Style = AnsiColor::Yellow.on_default();
const DELETE: Style = AnsiColor::Red.on_default();
const INSERT: Style = AnsiColor::Green.on_default();

/// How a diff is written: for `patch`, or for a terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffStyle {
    /// Byte-exact, as `patch` and `git apply` read it.
    Plain,
    /// For a terminal without colors: control characters in the text shown escaped (see
    /// [`escape_controls`]), so that scraped text cannot act on the terminal.
    Escaped,
    /// For a terminal: colored, control characters escaped.
    Colored,
}

/// Writes a unified diff of the original against the cleaned text, as `patch` reads it. Each
/// hunk header says which lines went and what they repeat, after the `@@ … @@` ranges where
/// patch tools ignore it. `style` says whether it is for `patch` (byte-exact) or for a terminal.
/// Prints nothing when nothing is removed.
pub fn diff(
    cleaned: &Cleaned<'_>,
    old_name: &str,
    new_name: &str,
    style: DiffStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    if !cleaned.is_changed() {
        return Ok(());
    }
    let new = cleaned.output();
    // Lines end at `\n` only, as everywhere else in paradedup: a lone `\r` is content (similar's
    // own line splitting would end a line there and the diff would not apply).
    let old_lines = line_vec(cleaned.original());
    let new_lines = line_vec(&new);
    let ops = line_ops(cleaned.original(), cleaned.cuts(), &old_lines, &new_lines);
    let removals: Vec<Removal<'_>> = cleaned.removals().collect();
    let paint = |color: Style, text: &str| -> String {
        match style {
            DiffStyle::Plain => text.to_owned(),
            DiffStyle::Escaped => escape_controls(text).into_owned(),
            DiffStyle::Colored => format!("{color}{}{color:#}", escape_controls(text)),
        }
    };
    writeln!(out, "{}", paint(HEADER, &format!("--- {old_name}")))?;
    writeln!(out, "{}", paint(HEADER, &format!("+++ {new_name}")))?;
    for hunk in similar::group_diff_ops(ops, CONTEXT) {
        let old_range = hunk[0].old_range().start + 1..hunk[hunk.len() - 1].old_range().end + 1;
        // Removals are in text order: the hunk's are found by halving, not by reading them
        // all for every hunk (which made a long text's diff quadratic).
        let first = removals.partition_point(|r| r.line < old_range.start);
        let end = removals.partition_point(|r| r.line < old_range.end);
        let why = explain(removals[first..end].iter());
        write!(
            out,
            "{}",
            paint(HUNK, &UnifiedHunkHeader::new(&hunk).to_string())
        )?;
        writeln!(out, " {}", paint(WHY, &why))?;
        for change in hunk
            .iter()
            .flat_map(|op| op.iter_changes(&old_lines, &new_lines))
        {
            let (sign, color) = match change.tag() {
                ChangeTag::Delete => ('-', DELETE),
                ChangeTag::Insert => ('+', INSERT),
                ChangeTag::Equal => (' ', Style::new()),
            };
            let line = change.value();
            let body = line.strip_suffix('\n').unwrap_or(line);
            if style != DiffStyle::Plain {
                writeln!(out, "{}", paint(color, &format!("{sign}{body}")))?;
            } else {
                // Most of a diff is these lines: written as they are, not formatted.
                out.write_all(&[sign as u8])?;
                out.write_all(body.as_bytes())?;
                out.write_all(b"\n")?;
            }
            if !line.ends_with('\n') {
                out.write_all(b"\\ No newline at end of file\n")?;
            }
        }
    }
    Ok(())
}

/// The lines of `text`, each with its `\n`, in a vector sized for them at once.
fn line_vec(text: &str) -> Vec<&str> {
    let mut lines = Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    lines.extend(self::lines(text));
    lines
}

/// The lines of `text`, each with its `\n`.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut newlines = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut start = 0;
    std::iter::from_fn(move || {
        let end = newlines.next().map_or(text.len(), |at| at + 1);
        let line = (start < end).then(|| &text[start..end]);
        start = end;
        line
    })
}

/// The diff of `original` (`old` lines) against what is left of it without `cuts` (`new`
/// lines), as operations on lines. Read off the cuts, so a removed line is shown where it was
/// removed, not as one of its identical neighbours (which a shortest diff may pick); Myers
/// finds it when a cut cannot be put on line boundaries (a last line without a line break).
fn line_ops(original: &str, cuts: &[Range<usize>], old: &[&str], new: &[&str]) -> Vec<DiffOp> {
    cut_ops(original, cuts, old, new).unwrap_or_else(|| {
        let diff = TextDiff::configure()
            .timeout(DIFF_TIMEOUT)
            .diff_slices(old, new);
        diff.ops().to_vec()
    })
}

/// [`line_ops`] read off the cuts, or `None` when they do not fall on line boundaries.
fn cut_ops(
    original: &str,
    cuts: &[Range<usize>],
    old: &[&str],
    new: &[&str],
) -> Option<Vec<DiffOp>> {
    let bytes = original.as_bytes();
    let line_start = |at: usize| at == 0 || bytes[at - 1] == b'\n';
    // Deleted ranges of whole lines. A cut of a line break and the line after it ("\nR") leaves
    // the same text as a cut of that line and the line break after it ("R\n"): the same bytes
    // turned round.
    let mut deleted: Vec<Range<usize>> = Vec::with_capacity(cuts.len());
    for cut in cuts {
        let mut cut = cut.clone();
        if !(line_start(cut.start) && line_start(cut.end)) {
            let ending = ["\r\n", "\n"]
                .into_iter()
                .find(|e| original[cut.start..].starts_with(e))?;
            original[cut.end..].starts_with(ending).then_some(())?;
            cut = cut.start + ending.len()..cut.end + ending.len();
        }
        if deleted.last().is_some_and(|last| last.end > cut.start) {
            return None;
        }
        deleted.push(cut);
    }
    // Each old line is deleted whole or kept whole.
    let mut ops: Vec<DiffOp> = Vec::new();
    let (mut at, mut new_index) = (0, 0);
    let mut cuts = deleted.iter().peekable();
    for (old_index, line) in old.iter().enumerate() {
        while cuts.next_if(|c| c.end <= at).is_some() {}
        let end = at + line.len();
        let gone = match cuts.peek() {
            Some(c) if c.start <= at && end <= c.end => true,
            Some(c) if c.start < end => return None,
            _ => false,
        };
        match (gone, ops.last_mut()) {
            (true, Some(DiffOp::Delete { old_len, .. })) => *old_len += 1,
            (true, _) => ops.push(DiffOp::Delete {
                old_index,
                old_len: 1,
                new_index,
            }),
            (false, _) if new.get(new_index) != Some(line) => return None,
            (false, Some(DiffOp::Equal { len, .. })) => {
                *len += 1;
                new_index += 1;
            }
            (false, _) => {
                ops.push(DiffOp::Equal {
                    old_index,
                    new_index,
                    len: 1,
                });
                new_index += 1;
            }
        }
        at = end;
    }
    (new_index == new.len()).then_some(ops)
}

/// "removed line 37 (exact repeat of line 1), …" for the removals of one hunk.
fn explain<'a>(removals: impl Iterator<Item = &'a Removal<'a>>) -> String {
    let removals: Vec<_> = removals.collect();
    let mut why = String::from("removed ");
    for (i, r) in removals.iter().take(NAMED_PER_HUNK).enumerate() {
        if i > 0 {
            why.push_str(", ");
        }
        let of = r.of_line.unwrap_or_default();
        let _ = match r.reason {
            Reason::Near => write!(
                why,
                "line {} (near-duplicate of line {of}, {:.2})",
                r.line, r.similarity
            ),
            Reason::Boilerplate => write!(
                why,
                "line {} (boilerplate on {} pages of the site)",
                r.line,
                r.pages.unwrap_or_default()
            ),
            reason => write!(
                why,
                "line {} ({} repeat of line {of})",
                r.line,
                reason.as_str()
            ),
        };
    }
    if removals.len() > NAMED_PER_HUNK {
        let _ = write!(why, " and {} more", removals.len() - NAMED_PER_HUNK);
    }
    why
}

/// Shows control and bidirectional-override characters as `\u{…}` so scraped text cannot move
/// the cursor, recolor or reorder a terminal. Tabs and line breaks stay, and so does a `\r`
/// that ends a line (of a CRLF text); a lone `\r`, which would let a line be written over, is
/// shown.
///
/// ```
/// use paradedup::render::escape_controls;
///
/// assert_eq!(escape_controls("a\u{1b}[2J\tb\r\n"), "a\\u{1b}[2J\tb\r\n");
/// assert_eq!(escape_controls("shown\rhidden"), "shown\\u{d}hidden");
/// ```
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// [`escape_controls`], also of line breaks and of a `\r` before one: a name (of a file, in a
/// message) shown on one line.
pub fn escape_line(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, one_line: bool) -> Cow<'_, str> {
    let bad = |c: char, next: Option<char>| match c {
        '\t' => false,
        '\n' => one_line,
        '\r' => one_line || !matches!(next, None | Some('\n')),
        _ => c.is_control() || is_bidi_control(c),
    };
    let mut chars = text.chars().peekable();
    let mut clean = 0;
    while let Some(c) = chars.next() {
        if bad(c, chars.peek().copied()) {
            break;
        }
        clean += c.len_utf8();
    }
    if clean == text.len() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..clean]);
    let mut chars = text[clean..].chars().peekable();
    while let Some(c) = chars.next() {
        if bad(c, chars.peek().copied()) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The characters that override or isolate the direction of text around them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// JSON text with the characters that JSON leaves as they are but a terminal may act on (DEL,
/// the C1 controls, bidirectional overrides) written as `\u` escapes: the same JSON, safe to
/// show. Such characters occur only inside strings, where the escape means the character (a
/// line that is not JSON, passed through, gets its other controls escaped too).
///
/// ```
/// use paradedup::render::escape_json_controls;
///
/// let json = "{\"text\":\"a\u{9b}2J\u{202e}b\"}";
/// assert_eq!(escape_json_controls(json), r#"{"text":"a\u009b2J\u202eb"}"#);
/// let value: serde_json::Value = serde_json::from_str(&escape_json_controls(json)).unwrap();
/// assert_eq!(value["text"], "a\u{9b}2J\u{202e}b");
/// ```
pub fn escape_json_controls(json: &str) -> Cow<'_, str> {
    // Tabs and line breaks are JSON's whitespace (any other C0 control in a string is invalid).
    let bad = |c: char| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || is_bidi_control(c);
    if !json.chars().any(bad) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if bad(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A file name as a diff header names it: as it is when `patch` and `git apply` read it back
/// so, else in double quotes with C escapes, as git writes it (both tools read that form).
/// Quoted are names with a space (where `patch` would end the name), a control character,
/// `"` or `\\`, and names that are not UTF-8, whose other bytes are written in octal.
pub fn diff_name(name: &[u8]) -> Cow<'_, str> {
    let plain = |b: u8| !(b.is_ascii_control() || matches!(b, b' ' | b'"' | b'\\'));
    if let Ok(name) = std::str::from_utf8(name) {
        if name.bytes().all(plain) {
            return Cow::Borrowed(name);
        }
    }
    let mut out = String::with_capacity(name.len() + 8);
    out.push('"');
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c if c.is_ascii_control() => {
                    let _ = write!(out, "\\{:03o}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\{b:03o}");
        }
    }
    out.push('"');
    Cow::Owned(out)
}

/// The JSON report of one text.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report<'a> {
    /// Where the text came from (a path, or `-` for standard input).
    pub path: &'a str,
    /// Counts of what was kept and removed.
    #[serde(flatten)]
    pub stats: Stats,
    /// The removed units, in text order.
    pub removed: Vec<ReportEntry<'a>>,
}

/// One removed unit in the JSON report.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ReportEntry<'a> {
    /// The unit's text.
    pub text: &'a str,
    /// 1-based line where it starts.
    pub line: usize,
    /// Byte offset of its first byte.
    pub start: usize,
    /// Byte offset just past its last byte.
    pub end: usize,
    /// `exact`, `normalized`, `near` or `boilerplate`.
    pub reason: Reason,
    /// 1-based line of the kept unit it repeats; `null` for boilerplate.
    pub repeats_line: Option<usize>,
    /// Similarity to that unit, rounded to three decimals.
    pub similarity: f64,
    /// For boilerplate, the number of the site's pages it is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
}

impl<'a> Report<'a> {
    /// The report of `cleaned`, read from `path`.
    pub fn new(path: &'a str, cleaned: &Cleaned<'a>) -> Report<'a> {
        Report {
            path,
            stats: cleaned.stats(),
            removed: cleaned
                .removals()
                .map(|r| ReportEntry {
                    text: r.text,
                    line: r.line,
                    start: r.start,
                    end: r.end,
                    reason: r.reason,
                    repeats_line: r.of_line,
                    similarity: (r.similarity * 1000.0).round() / 1000.0,
                    pages: r.pages,
                })
                .collect(),
        }
    }

    /// Writes the report as one line of JSON.
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        // Serialized into a buffer of a known type first: serde_json writes a line in many
        // small pieces, each a call through `dyn Write` otherwise.
        let mut line = serde_json::to_vec(self)?;
        line.push(b'\n');
        out.write_all(&line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cleaner;

    fn diff_of(text: &str, style: DiffStyle) -> String {
        let cleaned = Cleaner::new().clean(text);
        let mut out = Vec::new();
        diff(&cleaned, "a", "b", style, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn diff_names_what_went_and_why() {
        let got = diff_of("Head line\n\nBody.\n\nHead line\n", DiffStyle::Plain);
        assert_eq!(
            got,
            "--- a\n+++ b\n@@ -1,5 +1,3 @@ removed line 5 (exact repeat of line 1)\n \
             Head line\n \n Body.\n-\n-Head line\n"
        );
    }

    #[test]
    fn diff_names_are_quoted_only_where_patch_would_misread_them() {
        let cases: [(&[u8], &str); 7] = [
            (b"notes/page.txt", "notes/page.txt"),
            ("caf\u{e9}.txt".as_bytes(), "caf\u{e9}.txt"),
            (b"two words.txt", r#""two words.txt""#),
            (b"tab\there", r#""tab\there""#),
            (b"new\nline\r", r#""new\nline\r""#),
            (b"q\"uote\\d\x01", r#""q\"uote\\d\001""#),
            (b"x\xff\xc3.txt", r#""x\377\303.txt""#),
        ];
        for (name, header) in cases {
            assert_eq!(diff_name(name), header, "{}", name.escape_ascii());
        }
    }

    #[test]
    fn every_hunk_names_its_own_removals() {
        // A repeat after every third paragraph, each far enough from the next for a hunk of
        // its own.
        let mut text = String::new();
        for i in 0..40 {
            text += &format!("Paragraph number {i} stands alone here.\n\n");
            if i % 4 == 3 {
                text += &format!("Paragraph number {} stands alone here.\n\n", i - 3);
            }
        }
        let diff = diff_of(&text, DiffStyle::Plain);
        let headers: Vec<&str> = diff.lines().filter(|l| l.starts_with("@@")).collect();
        assert_eq!(headers.len(), 10);
        for (k, header) in headers.iter().enumerate() {
            // Paragraph 4k+3 is on line 10k+7, its repeat of 4k on line 10k+9.
            let why = format!(
                "removed line {} (exact repeat of line {})",
                10 * k + 9,
                10 * k + 1
            );
            assert!(header.ends_with(&format!(" {why}")), "{header}");
        }
    }

    #[test]
    fn diff_of_unchanged_text_is_empty() {
        assert_eq!(diff_of("One.\n\nTwo.\n", DiffStyle::Plain), "");
    }

    #[test]
    fn diffs_for_terminals_escape_controls() {
        let text = "A\u{1b}[2J line\r\n\r\nA\u{1b}[2J line\r\n\r\nshown\rhidden\r\n";
        let colored = diff_of(text, DiffStyle::Colored);
        assert!(colored.contains("-A\\u{1b}[2J line\r"), "{colored}");
        assert!(colored.contains("shown\\u{d}hidden\r"), "{colored}");
        assert!(colored.contains("\u{1b}[31m"));
        // Without colors, no escape sequence at all is left.
        let escaped = diff_of(text, DiffStyle::Escaped);
        assert!(!escaped.contains('\u{1b}'), "{escaped}");
        assert!(escaped.contains("\n-A\\u{1b}[2J line\r\n"), "{escaped}");
        assert!(escaped.contains(" shown\\u{d}hidden\r\n"), "{escaped}");
        // For patch, byte-exact.
        assert!(diff_of(text, DiffStyle::Plain).contains("\n-A\u{1b}[2J line\r\n"));
    }

    #[test]
    fn missing_final_newline_is_marked() {
        let got = diff_of("Head\n\nBody\n\nHead", DiffStyle::Plain);
        let end =
            "-Body\n-\n-Head\n\\ No newline at end of file\n+Body\n\\ No newline at end of file\n";
        assert!(got.ends_with(end), "{got}");
    }

    #[test]
    fn removed_lines_are_shown_where_they_were_cut() {
        // The repeat goes with the blank line after it (a shortest diff may as well show the
        // blank line before it go).
        let text = "More\n\nReport\n\nIntro.\n\nMore\n\nVideo\n\nReport\n\nPodcast\n";
        let got = diff_of(text, DiffStyle::Plain);
        assert!(got.ends_with(" Video\n \n-Report\n-\n Podcast\n"), "{got}");
    }

    proptest::proptest! {
        /// With a line break at the end of the text, every diff is read off the cuts (no
        /// shortest-diff search), in texts of either line ending; what it keeps is the cleaned
        /// text and what it deletes is the bytes that went.
        #[test]
        fn diffs_are_read_off_the_cuts(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "Head line", "HEAD LINE", "Body text of the page", "", " ", "Share this",
                "a b c d e", "a b c d f",
            ]), 0..14),
            crlf: bool,
            last_break: bool,
        ) {
            let ending = if crlf { "\r\n" } else { "\n" };
            let mut text = pieces.join(ending);
            if last_break {
                text.push_str(ending);
            }
            let cleaned = Cleaner::new().clean(&text);
            let new = cleaned.output();
            let old_lines: Vec<&str> = lines(&text).collect();
            let new_lines: Vec<&str> = lines(&new).collect();
            let ops = cut_ops(&text, cleaned.cuts(), &old_lines, &new_lines);
            let to_end = cleaned.cuts().last().is_some_and(|c| c.end == text.len());
            let ops_found = ops.is_some();
            proptest::prop_assert_eq!(ops_found, last_break || !to_end, "{:?}", text);
            let (mut kept, mut deleted) = (String::new(), 0);
            for op in ops.unwrap_or_default() {
                for change in op.iter_changes(&old_lines, &new_lines) {
                    match change.tag() {
                        ChangeTag::Equal => kept.push_str(change.value()),
                        ChangeTag::Delete => deleted += change.value().len(),
                        ChangeTag::Insert => proptest::prop_assert!(false, "an insert"),
                    }
                }
            }
            if ops_found {
                proptest::prop_assert_eq!(kept, new.as_ref());
                proptest::prop_assert_eq!(deleted, text.len() - new.len());
            }
        }
    }

    #[test]
    fn report_serializes_every_field() {
        let text = "Head line\n\nBody.\n\nHEAD LINE\n";
        let cleaned = Cleaner::new().clean(text);
        let mut out = Vec::new();
        Report::new("x.txt", &cleaned).write_to(&mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["path"], "x.txt");
        assert_eq!(v["removed_paragraphs"], 1);
        assert_eq!(v["kept_paragraphs"], 2);
        let r = &v["removed"][0];
        assert_eq!(r["reason"], "normalized");
        assert_eq!(
            (r["line"].as_u64(), r["repeats_line"].as_u64()),
            (Some(5), Some(1))
        );
        let (s, e) = (
            r["start"].as_u64().unwrap() as usize,
            r["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[s..e], "HEAD LINE");
        assert_eq!(r["similarity"], 1.0);
    }
}
