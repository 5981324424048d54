//! Tables (Markdown, GitHub's kind): a header row, a delimiter row (`|---|:--:|`), then the
//! rows. The outer pipes are optional: extractors such as html2text write `Team | Score` over
//! `---|---`. Rows repeat within a table without repeating anything (a return match with the
//! same score, two days with the same opening hours), and a row removed from a table shifts
//! what the rest of it says; a second table with the same columns would lose its header. So a
//! table is one unit: kept or removed whole.

use super::Segment;

/// Whether `line` (without its line ending) is a table's delimiter row: up to three spaces,
/// then nothing but `|`, `-`, `:` and spaces or tabs, with at least one `|` and one `-`
/// (`---` alone is a rule, not a table).
pub(super) fn is_delimiter_row(line: &[u8]) -> bool {
    let indent = line.iter().take(4).take_while(|&&b| b == b' ').count();
    line.get(indent..).is_some_and(|row| {
        indent <= 3
            && matches!(row.first(), Some(b'|' | b'-' | b':'))
            && row.contains(&b'-')
            && row.contains(&b'|')
            && row
                .iter()
                .all(|&b| matches!(b, b'|' | b'-' | b':' | b' ' | b'\t'))
    })
}

/// Whether `line` can be a table row: it has a `|` (a row of one cell has its outer pipes).
fn is_row(line: &[u8]) -> bool {
    memchr::memchr(b'|', line).is_some()
}

/// Whether the second line of `unit` may be a delimiter row: it starts, after up to three
/// spaces, with `|`, `-` or `:`. Rules out most units that do not start as a table with outer
/// pipes would, before [`is_table`] reads them.
#[inline(always)]
pub(super) fn may_be_table(unit: &[u8]) -> bool {
    memchr::memchr(b'\n', unit).is_some_and(|nl| {
        let second = &unit[nl + 1..];
        let indent = second.iter().take(3).take_while(|&&b| b == b' ').count();
        matches!(second.get(indent), Some(b'|' | b'-' | b':'))
    })
}

/// Whether a unit is a table: a row, then a delimiter row (see [`is_delimiter_row`]).
pub(super) fn is_table(unit: &str) -> bool {
    let mut lines = unit
        .split('\n')
        .map(|l| l.trim_end_matches('\r').as_bytes());
    let (Some(header), Some(delimiter)) = (lines.next(), lines.next()) else {
        return false;
    };
    is_row(header) && is_delimiter_row(delimiter)
}

/// The tables among `lines`, as (header row, last row) indices into them, in order: a header
/// row, its delimiter row, and the rows after it in the same block. `delimiters` are the
/// indices of the delimiter rows, in order. Lines that hold more than one line (code blocks)
/// are no rows.
pub(super) fn tables(text: &str, lines: &[Segment], delimiters: &[usize]) -> Vec<(usize, usize)> {
    // A line of `lines` that is a row (a code block, which holds several lines, is none).
    let row = |s: &Segment| {
        let line = &text.as_bytes()[s.start..s.end];
        is_row(line) && memchr::memchr(b'\n', line).is_none()
    };
    let mut tables: Vec<(usize, usize)> = Vec::new();
    for &d in delimiters {
        let Some(header) = d.checked_sub(1) else {
            continue;
        };
        let block = lines[d].block;
        let fresh = tables.last().is_none_or(|&(_, last)| last < header);
        if !fresh || lines[header].block != block || !row(&lines[header]) || !row(&lines[d]) {
            continue;
        }
        let rows = lines[d + 1..]
            .iter()
            .take_while(|s| s.block == block && row(s))
            .count();
        tables.push((header, d + rows));
    }
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_rows() {
        for yes in [
            "|---|",
            "| --- | :-: |",
            "  |:--|--:|",
            "|-",
            "---|---",
            ":--|--:",
            "- | -",
        ] {
            assert!(is_delimiter_row(yes.as_bytes()), "{yes:?}");
        }
        for no in [
            "---",
            "| a |",
            "|:|",
            "    |---|",
            "|--- x",
            "",
            "- item | x",
            ":---:",
            "--- |x",
        ] {
            assert!(!is_delimiter_row(no.as_bytes()), "{no:?}");
        }
    }

    #[test]
    fn tables() {
        assert!(is_table("| a | b |\n|---|---|\n| 1 | 2 |"));
        assert!(is_table("| a |\r\n| -- |"));
        assert!(!is_table("| a | b |"));
        assert!(!is_table("| a |\n| b |"));
        assert!(!is_table("Text\n|---|"));
        assert!(is_table("Team | Score\n---|---\nReds | 3"));
        assert!(is_table("Team | Score  \r\n:--|--:  "));
        assert!(!is_table("Team\n---|---"));
        assert!(!is_table("Team | Score\n---"));
    }
}
