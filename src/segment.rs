//! Text -> units (paragraphs or lines) as byte ranges into the input. Nothing is copied.
//!
//! A *line* ends at `\n` (a `\r` just before it belongs to the line ending). A line whose
//! content is only whitespace is *blank*; runs of non-blank lines separated by blank lines
//! are *blocks*. A [`Segment`] is one unit of comparison: either a whole block or one line of
//! a block, depending on [`Unit`]. A fenced code block and a table count as one line, in every
//! mode; a code block's blank lines separate no blocks (see [`is_verbatim`]).

mod fence;
mod tables;

use std::ops::Range;

use crate::bytes::{is, Finder};

/// How the text is cut into units of comparison.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Decide from the text itself (the default); see [`segment`].
    #[default]
    Auto,
    /// Every non-blank line is a unit (extractor output: one paragraph per line).
    Line,
    /// Every block of lines between blank lines is a unit (hard-wrapped prose).
    Paragraph,
}

/// Lines longer than this many characters are never hard-wrapped prose. Wrap widths in the
/// wild are 60–80 columns; 100 leaves room for a long word.
pub const MAX_WRAP_WIDTH: usize = 100;

/// Narrowest line width at which a block can be taken for hard-wrapped prose: blocks of
/// shorter lines (lists, table cells, stacked captions) are compared line by line.
pub const MIN_WRAP_WIDTH: usize = 40;

/// One unit of comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Byte offset of the first byte of the unit's first line.
    pub start: usize,
    /// Byte offset just past the unit's last content byte (its line ending excluded).
    pub end: usize,
    /// 1-based line number of the unit's first line.
    pub line: usize,
    /// Index of the block the unit belongs to: two units in the same block are separated by a
    /// line ending only, units in different blocks by at least one blank line.
    pub block: usize,
}

/// Cuts `text` into units.
///
/// With [`Unit::Auto`], a document that has any line longer than [`MAX_WRAP_WIDTH`]
/// characters is not hard-wrapped (an extractor or editor kept each paragraph on one line),
/// so every line is a unit. Otherwise each block is checked on its own: it is one unit when its
/// lines look hard-wrapped (each line but the last is filled, so the next line's first word
/// would not have fitted, and the widest line is at least [`MIN_WRAP_WIDTH`] characters);
/// else its lines are units.
///
/// A fenced code block is one unit in every mode, blank lines and all, and so is a table (see
/// [`is_verbatim`]). An opening fence that nothing closes is an ordinary line.
///
/// Units come out in text order and never overlap; blank lines outside code fences belong to
/// no unit.
pub fn segment(text: &str, unit: Unit) -> Vec<Segment> {
    // Every non-blank line, as a unit of its own.
    let lines = lines(text);
    let unit = match unit {
        Unit::Auto if has_long_line(text, &lines) => Unit::Line,
        other => other,
    };
    if unit == Unit::Line {
        return lines;
    }
    let mut out = Vec::with_capacity(lines.len());
    for block in lines.chunk_by(|a, b| a.block == b.block) {
        // With `Unit::Paragraph`, every block is one unit; with `Unit::Auto`, one that
        // looks hard-wrapped.
        let whole = unit == Unit::Paragraph || block.len() == 1 || looks_wrapped(text, block);
        if whole {
            out.push(Segment {
                start: block[0].start,
                end: block[block.len() - 1].end,
                line: block[0].line,
                block: block[0].block,
            });
        } else {
            out.extend_from_slice(block);
        }
    }
    out
}

/// The non-blank lines of `text`, each with the index of its block; a fenced code block or a
/// table is one of them.
fn lines(text: &str) -> Vec<Segment> {
    let bytes = text.as_bytes();
    // Lines of scraped text are some tens of bytes long: most texts need no more room.
    let mut lines = Vec::with_capacity(text.len() / 64);
    let mut block = 0;
    let mut start = 0;
    let mut newlines = Finder::new(bytes, |v| is(v, b'\n'));
    // The lines that may be code fences or rows of tables, by index into `lines`.
    let mut marks = Vec::new();
    for number in 1.. {
        let newline = newlines.next(start).unwrap_or(bytes.len());
        if start > bytes.len() || (newline == bytes.len() && start == bytes.len()) {
            break;
        }
        let mut end = newline;
        if end > start && bytes[end - 1] == b'\r' && newline < bytes.len() {
            end -= 1;
        }
        // Most lines start with a visible ASCII character: no need to trim them.
        let visible = bytes.get(start).is_some_and(u8::is_ascii_graphic);
        if !visible && text[start..end].trim().is_empty() {
            if lines.last().is_some_and(|l: &Segment| l.block == block) {
                block += 1;
            }
        } else {
            if may_start_verbatim(bytes[start]) {
                marks.push(lines.len());
            }
            lines.push(Segment {
                start,
                end,
                line: number,
                block,
            });
        }
        start = newline + 1;
    }
    if !marks.is_empty() {
        join_verbatim(text, &mut lines, marks);
    }
    lines
}

/// Makes each code block and each table among `lines` one of them (see [`is_verbatim`]);
/// `marks` are the lines that may be fences or delimiter rows, by index into `lines`.
fn join_verbatim(text: &str, lines: &mut Vec<Segment>, marks: Vec<usize>) {
    let bytes = text.as_bytes();
    let line = |s: &Segment| &bytes[s.start..s.end];
    let fences: Vec<(usize, fence::Fence)> = (marks.iter())
        .filter_map(|&i| Some((i, fence::Fence::of(line(&lines[i]))?)))
        .collect();
    let code = fence::blocks(&fences);
    join(lines, &code);
    // Delimiter rows inside code blocks are code, and past one the lines moved.
    let delimiters: Vec<usize> = match code.is_empty() {
        true => (marks.into_iter())
            .filter(|&i| tables::is_delimiter_row(line(&lines[i])))
            .collect(),
        false => (0..lines.len())
            .filter(|&i| tables::is_delimiter_row(line(&lines[i])))
            .collect(),
    };
    let tables = tables::tables(text, lines, &delimiters);
    join(lines, &tables);
}

/// Makes each run of `lines` given by `runs` (first and last index, in order) one line, and
/// numbers the blocks again: blank lines inside a run separate nothing.
fn join(lines: &mut Vec<Segment>, runs: &[(usize, usize)]) {
    if runs.is_empty() {
        return;
    }
    let mut out = Vec::with_capacity(lines.len());
    // Blocks that the runs so far have joined into others.
    let mut joined = 0;
    let mut runs = runs.iter().peekable();
    let mut i = 0;
    while i < lines.len() {
        let (first, last) = runs
            .next_if(|&&(first, _)| first == i)
            .map_or((i, i), |&run| run);
        let (a, b) = (lines[first], lines[last]);
        out.push(Segment {
            end: b.end,
            block: a.block - joined,
            ..a
        });
        joined += b.block - a.block;
        i = last + 1;
    }
    *lines = out;
}

/// Whether a line or a unit starting with `byte` may be a code fence, a table's delimiter row
/// or a table that starts with a pipe: `` ` ``, `~`, `|`, `-`, `:`, or a space (of up to
/// three). Asked of every line and every unit.
#[inline(always)]
fn may_start_verbatim(byte: u8) -> bool {
    // A look in a table: six comparisons cost as much as the rest of finding a line.
    const STARTS: [bool; 256] = {
        let mut starts = [false; 256];
        let mut i = 0;
        while i < 256 {
            starts[i] = matches!(i as u8, b'`' | b'~' | b'|' | b'-' | b':' | b' ');
            i += 1;
        }
        starts
    };
    STARTS[usize::from(byte)]
}

/// Whether a unit is a code listing (a fenced code block: a line of three or more `` ` `` or
/// `~`, the code, and a line of the same character at least as long) or a table (Markdown's:
/// a row with a `|`, a delimiter row such as `|---|:--:|` or `---|---`, and the rows after
/// it). Their lines are not paragraphs: lines of code and rows of a table repeat without
/// repeating anything, and a fence removed without its partner would turn the rest of the text
/// into code. So each is one unit in every mode, compared as it stands and never as a
/// near-duplicate: two listings one token apart are two programs, two tables one cell apart
/// two tables.
pub fn is_verbatim(unit: &str) -> bool {
    is_verbatim_at(unit, 0..unit.len())
}

/// [`is_verbatim`] for the unit at `range` of `text`.
pub(crate) fn is_verbatim_at(text: &str, range: Range<usize>) -> bool {
    starts_verbatim(text, range.clone()) || {
        let unit = &text[range];
        tables::may_be_table(unit.as_bytes()) && tables::is_table(unit)
    }
}

/// Whether `unit` is, or holds, a code block or a table ([`is_verbatim`]): a block of
/// [`Unit::Paragraph`] may start with prose and go on with a listing. Reads the unit's lines
/// again: asked only where a match is confirmed.
pub(crate) fn holds_verbatim(unit: &str) -> bool {
    // Either takes two lines at least.
    memchr::memchr(b'\n', unit.as_bytes()).is_some()
        && lines(unit)
            .iter()
            .any(|l| is_verbatim_at(unit, l.start..l.end))
}

/// [`is_verbatim_at`] for every code block and for the tables whose first byte may start one
/// (a `|`, a space): a look at that byte rules out almost every unit. A table whose header row
/// starts otherwise (`Home | Away` over `---|---`) is one it misses; finding those takes a look
/// for the unit's second line.
#[inline(always)]
pub(crate) fn starts_verbatim(text: &str, range: Range<usize>) -> bool {
    text.as_bytes()
        .get(range.start)
        .is_some_and(|&b| may_start_verbatim(b))
        && verbatim(&text[range])
}

#[cold]
fn verbatim(unit: &str) -> bool {
    fence::is_code(unit) || tables::is_table(unit)
}

/// Width of a line in characters.
pub fn width(s: &str) -> usize {
    s.chars().count()
}

fn has_long_line(text: &str, lines: &[Segment]) -> bool {
    lines.iter().any(|l| is_long_line(text, l))
}

/// Whether `text` at `s` is a line too long for hard-wrapped prose; code blocks and tables,
/// which hold more than one line, are not.
pub(crate) fn is_long_line(text: &str, s: &Segment) -> bool {
    // The length first: most lines are short, and slicing the text checks char boundaries.
    s.end - s.start > MAX_WRAP_WIDTH && {
        let t = &text[s.start..s.end];
        // Over four bytes per character, more bytes than that are more characters too.
        (t.len() > 4 * MAX_WRAP_WIDTH || width(t) > MAX_WRAP_WIDTH)
            && memchr::memchr(b'\n', t.as_bytes()).is_none()
    }
}

/// Whether a block of several lines reads as one hard-wrapped paragraph.
fn looks_wrapped(text: &str, block: &[Segment]) -> bool {
    let lines: Vec<&str> = block.iter().map(|l| &text[l.start..l.end]).collect();
    lines_look_wrapped(&lines)
}

/// Whether these lines (without line endings), as one block, read as one hard-wrapped
/// paragraph; see [`segment`].
pub fn lines_look_wrapped(lines: &[&str]) -> bool {
    // A code fence or a table is no line of prose.
    if lines.iter().any(|l| is_verbatim(l)) {
        return false;
    }
    let lines: Vec<&str> = lines.iter().map(|l| l.trim_end()).collect();
    let widest = lines.iter().map(|l| width(l)).max().unwrap_or(0);
    if !(MIN_WRAP_WIDTH..=MAX_WRAP_WIDTH).contains(&widest) {
        return false;
    }
    lines.windows(2).all(|pair| {
        let next = pair[1].trim_start();
        let first_word = next.split_whitespace().next().unwrap_or("");
        !starts_with_list_marker(next) && width(pair[0]) + 1 + width(first_word) > widest
    })
}

/// A line starting a list item is never the continuation of a wrapped line.
fn starts_with_list_marker(line: &str) -> bool {
    let mut chars = line.chars();
    match chars.next() {
        Some('-' | '*' | '•' | '·' | '–' | '—' | '>') => chars.next() == Some(' '),
        Some(c) if c.is_ascii_digit() => {
            let rest = line.trim_start_matches(|c: char| c.is_ascii_digit());
            rest.starts_with(". ") || rest.starts_with(") ")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, unit: Unit) -> Vec<&str> {
        segment(text, unit)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    #[test]
    fn blank_line_paragraphs() {
        let t = "One.\n\nTwo.\n \nThree.";
        assert_eq!(texts(t, Unit::Auto), ["One.", "Two.", "Three."]);
        let segs = segment(t, Unit::Auto);
        assert_eq!(segs.iter().map(|s| s.line).collect::<Vec<_>>(), [1, 3, 5]);
        assert_eq!(segs.iter().map(|s| s.block).collect::<Vec<_>>(), [0, 1, 2]);
    }

    #[test]
    fn crlf_endings_are_not_content() {
        let t = "One\r\nTwo\r\n\r\nThree\r\n";
        assert_eq!(texts(t, Unit::Line), ["One", "Two", "Three"]);
        assert_eq!(texts(t, Unit::Paragraph), ["One\r\nTwo", "Three"]);
    }

    #[test]
    fn lone_carriage_return_at_end_is_content() {
        assert_eq!(texts("a\r", Unit::Line), ["a\r"]);
    }

    #[test]
    fn long_lines_make_every_line_a_unit() {
        let long = "word ".repeat(30);
        let t = format!("Head\nHead\n\n{long}\n");
        let segs = segment(&t, Unit::Auto);
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[0].block, segs[1].block);
    }

    #[test]
    fn hard_wrapped_prose_is_one_unit() {
        let t = "The council met on Tuesday evening to discuss the proposed budget for\n\
                 the coming year, which includes new spending on roads and a small\n\
                 increase in the library fund.\n\nNext paragraph.\n";
        let got = texts(t, Unit::Auto);
        assert_eq!(got.len(), 2);
        assert!(got[0].ends_with("library fund."));
    }

    #[test]
    fn short_stacked_lines_are_separate_units() {
        let t = "Menu\nHome\nWorld\n\nSome text.\n";
        assert_eq!(
            texts(t, Unit::Auto),
            ["Menu", "Home", "World", "Some text."]
        );
    }

    #[test]
    fn list_items_are_not_wrapped_lines() {
        let t = "- the first item in a list that is long enough to look wrapped\n\
                 - the second item in a list that is long enough to look wrap\n";
        assert_eq!(texts(t, Unit::Auto).len(), 2);
    }

    #[test]
    fn unfilled_lines_are_separate_units() {
        let t = "A short line that ends early.\n\
                 Another line that is much longer than the first one and keeps going on\n";
        assert_eq!(texts(t, Unit::Auto).len(), 2);
    }

    #[test]
    fn a_code_fence_is_one_unit_in_every_mode() {
        let t = "Intro\n```python\nimport os\n\nprint(1)\n```\nAfter\n\nEnd\n";
        let code = "```python\nimport os\n\nprint(1)\n```";
        assert_eq!(texts(t, Unit::Line), ["Intro", code, "After", "End"]);
        assert_eq!(texts(t, Unit::Auto), ["Intro", code, "After", "End"]);
        assert_eq!(texts(t, Unit::Paragraph), [&t[..t.len() - 6], "End"]);
        // The blank line inside separates no blocks: "After" is in the fence's block, "End" in
        // the next.
        let blocks: Vec<usize> = segment(t, Unit::Line).iter().map(|s| s.block).collect();
        assert_eq!(blocks, [0, 0, 0, 1]);
        assert_eq!(segment(t, Unit::Line)[3].line, 9);
    }

    #[test]
    fn a_table_is_one_unit_in_every_mode() {
        let table = "| Home | Away |\n|---|:-:|\n| Ajax | PSV |\n| Ajax | PSV |";
        let t = format!("Results\n{table}\nAfter\n\n| not | a table |\n| Ajax | PSV |\n");
        let want = [
            "Results",
            table,
            "After",
            "| not | a table |",
            "| Ajax | PSV |",
        ];
        assert_eq!(texts(&t, Unit::Line), want);
        assert_eq!(texts(&t, Unit::Auto), want);
        assert_eq!(texts(&t, Unit::Paragraph).len(), 2);
        // A table in a code block is code.
        let code = format!("```\n{table}\n```");
        assert_eq!(
            texts(&format!("{code}\n{table}\n"), Unit::Line),
            [&code, table]
        );
        // A delimiter row with no row above it, in its block, heads no table.
        assert_eq!(texts("|---|\n| a |\n\n| b |\n|---|", Unit::Line).len(), 3);
    }

    #[test]
    fn a_table_without_outer_pipes_is_one_unit() {
        // As html2text writes tables: no outer pipes, two spaces before each line break.
        let table = "Team | Score  \n---|---  \nReds | 3  \nBlues | 1  ";
        let t = format!("Results\n\n{table}\n\nAfter\n- a list item\n- another | item\n");
        let want = [
            "Results",
            table,
            "After",
            "- a list item",
            "- another | item",
        ];
        assert_eq!(texts(&t, Unit::Line), want);
        assert_eq!(texts(&t, Unit::Auto), want);
        // A rule under a line is no delimiter row, nor a pipe above one: each is a line.
        for t in [
            "Team | Score\n---\n",
            "Team\n--|--\n",
            "Team | Score\n- | x\n",
        ] {
            assert_eq!(texts(t, Unit::Line).len(), 2, "{t:?}");
        }
        assert!(is_verbatim(table));
        assert!(!is_verbatim("Team | Score\n---"));
        assert!(!is_verbatim("A line\n- a list item | with a pipe"));
    }

    #[test]
    fn an_unclosed_fence_is_a_line() {
        let t = "```python\nimport os\n\nimport os\n";
        assert_eq!(
            texts(t, Unit::Auto),
            ["```python", "import os", "import os"]
        );
    }

    #[test]
    fn code_is_not_prose() {
        // A long line of code does not make the text one of long lines, where every line of a
        // block is a unit.
        let wrapped = "The council met on Tuesday evening to discuss the proposed budget for\n\
                       the coming year, which includes new spending on roads and a small\n\
                       increase in the library fund.";
        let t = format!("{wrapped}\n\n```\n{}\n```\n", "x".repeat(120));
        assert_eq!(texts(&t, Unit::Auto)[0], wrapped);
        // A block with a fence is no wrapped paragraph.
        let t = format!("{}\n~~~\n{}\n~~~\n", "word ".repeat(12), "code ".repeat(12));
        assert_eq!(texts(&t, Unit::Auto).len(), 2);
    }

    #[test]
    fn empty_and_blank_text_have_no_units() {
        assert!(segment("", Unit::Auto).is_empty());
        assert!(segment("\n\n \r\n", Unit::Auto).is_empty());
    }
}
