//! Text -> units (paragraphs or lines) as byte ranges into the input. Nothing is copied.
//!
//! A *line* ends at `\n` (a `\r` just before it belongs to the line ending). A line whose
//! content is only whitespace is *blank*; runs of non-blank lines separated by blank lines
//! are *blocks*. A [`Segment`] is one unit of comparison: either a whole block or one line of
//! a block, depending on [`Unit`]. A fenced code block counts as one line, in every mode: its
//! blank lines separate no blocks (see [`is_code`]).

mod fence;

pub use fence::is_code;
pub(crate) use fence::is_code_at;

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
/// A fenced code block (from a line of three or more `` ` `` or `~` to one that closes it) is
/// one unit in every mode, blank lines and all: its lines are code, which repeats lines
/// without repeating anything, and a fence removed without its partner would turn the rest of
/// the text into code.
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

/// The non-blank lines of `text`, each with the index of its block; a fenced code block is
/// one of them.
fn lines(text: &str) -> Vec<Segment> {
    let bytes = text.as_bytes();
    // Lines of scraped text are some tens of bytes long: most texts need no more room.
    let mut lines = Vec::with_capacity(text.len() / 64);
    let mut block = 0;
    let mut start = 0;
    let mut newlines = Finder::new(bytes, |v| is(v, b'\n'));
    // The lines that open or close code fences, by index into `lines`.
    let mut fences = Vec::new();
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
            if fence::may_start(bytes[start]) {
                if let Some(fence) = fence::Fence::of(&bytes[start..end]) {
                    fences.push((lines.len(), fence));
                }
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
    if !fences.is_empty() {
        fence::join(&mut lines, &fences);
    }
    lines
}

/// Width of a line in characters.
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// Whether a line is too long for hard-wrapped prose; code fences, whose lines are code, do
/// not count.
fn has_long_line(text: &str, lines: &[Segment]) -> bool {
    lines.iter().any(|l| {
        let line = &text[l.start..l.end];
        line.len() > MAX_WRAP_WIDTH
            && width(line) > MAX_WRAP_WIDTH
            && memchr::memchr(b'\n', line.as_bytes()).is_none()
    })
}

/// Whether a block of several lines reads as one hard-wrapped paragraph.
fn looks_wrapped(text: &str, block: &[Segment]) -> bool {
    let lines: Vec<&str> = block.iter().map(|l| &text[l.start..l.end]).collect();
    lines_look_wrapped(&lines)
}

/// Whether these lines (without line endings), as one block, read as one hard-wrapped
/// paragraph; see [`segment`].
pub fn lines_look_wrapped(lines: &[&str]) -> bool {
    // A code fence is no line of prose.
    if lines.iter().any(|l| is_code(l)) {
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
