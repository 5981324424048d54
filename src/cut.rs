//! Decisions -> the byte ranges to cut out of the text.
//!
//! A removed unit goes together with one of the separators around it, so no empty line or
//! double blank line is left behind. For each run of consecutive removed units, every separator
//! inside the run goes, plus the separator after it; the separator before it goes instead when
//! the run ends the text (so the text keeps its own ending: final newline or none), or when the
//! run ends a block whose earlier lines stay (so the blank line that follows still separates
//! that block from the next). A run that goes from inside one block into another whose later
//! lines stay is cut in two around the blank line after the first block, so the kept lines of
//! two blocks never end up in one.
//!
//! Invariant: the cuts are sorted, disjoint and non-empty, and the text with the cuts taken out
//! is the kept text; the kept pieces and the cuts, put back in order, are the input.

use std::ops::Range;

use crate::dedup::Decision;
use crate::segment::Segment;

/// The byte ranges of `text` to remove, in order.
///
/// # Panics
///
/// If there are fewer `decisions` than `segments`: there is one per segment, as
/// [`crate::dedup::decide`] makes them.
pub fn cuts(segments: &[Segment], decisions: &[Decision]) -> Vec<Range<usize>> {
    debug_assert_eq!(segments.len(), decisions.len());
    let removed = |i: usize| decisions[i].is_removed();
    let mut out = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        if !removed(i) {
            i += 1;
            continue;
        }
        let first = i;
        while i < segments.len() && removed(i) {
            i += 1;
        }
        let last = i - 1;
        let before = first.checked_sub(1).map(|p| &segments[p]);
        let after = segments.get(i);
        let cut = match (before, after) {
            // The run goes from inside one block into another, and lines stay on both sides:
            // cut it in two so the blank line after the first block still separates the two
            // blocks' kept lines (joined, they would read as one block, which a second run
            // could find repeated).
            (Some(b), Some(a))
                if b.block == segments[first].block
                    && a.block == segments[last].block
                    && b.block != a.block =>
            {
                let split = (first..=last)
                    .find(|&j| segments[j].block != b.block)
                    .expect("the run reaches another block");
                out.push(b.end..segments[split - 1].end);
                segments[split].start..a.start
            }
            // The separator before the run is a line break inside a block whose earlier lines
            // stay, and the one after it a blank line: keep the blank line.
            (Some(b), Some(a))
                if b.block == segments[first].block && a.block != segments[last].block =>
            {
                b.end..segments[last].end
            }
            (_, Some(a)) => segments[first].start..a.start,
            (Some(b), None) => b.end..segments[last].end,
            (None, None) => segments[first].start..segments[last].end,
        };
        out.push(cut);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::Reason;
    use crate::segment::{segment, Unit};

    /// Cleans `text`, removing the units whose text is listed in `gone`.
    fn cut(text: &str, unit: Unit, gone: &[usize]) -> String {
        let segs = segment(text, unit);
        let decisions: Vec<Decision> = (0..segs.len())
            .map(|i| {
                if gone.contains(&i) {
                    Decision::Remove {
                        of: 0,
                        reason: Reason::Exact,
                        similarity: 1.0,
                    }
                } else {
                    Decision::Keep
                }
            })
            .collect();
        let mut out = String::new();
        let mut at = 0;
        for r in cuts(&segs, &decisions) {
            out.push_str(&text[at..r.start]);
            at = r.end;
        }
        out.push_str(&text[at..]);
        out
    }

    #[test]
    fn middle_paragraph_takes_the_blank_line_after_it() {
        assert_eq!(cut("A\n\nB\n\nC\n", Unit::Line, &[1]), "A\n\nC\n");
    }

    #[test]
    fn last_paragraph_takes_the_blank_line_before_it() {
        assert_eq!(cut("A\n\nB\n", Unit::Line, &[1]), "A\n");
        assert_eq!(cut("A\n\nB", Unit::Line, &[1]), "A");
        assert_eq!(cut("A\r\n\r\nB\r\n", Unit::Line, &[1]), "A\r\n");
    }

    #[test]
    fn whole_stacked_block_goes() {
        assert_eq!(cut("A\n\nH\nH\n\nC", Unit::Line, &[1, 2]), "A\n\nC");
    }

    #[test]
    fn last_line_of_a_block_keeps_the_blank_line() {
        assert_eq!(cut("A\nH\n\nC\n", Unit::Line, &[1]), "A\n\nC\n");
        assert_eq!(cut("A\nH\n\nC\n", Unit::Line, &[0]), "H\n\nC\n");
    }

    #[test]
    fn blocks_with_kept_lines_stay_apart() {
        // The end of one block and the start of the next go; the blank line between stays.
        assert_eq!(
            cut(
                "A
X

Y
B
",
                Unit::Line,
                &[1, 2]
            ),
            "A

B
"
        );
        assert_eq!(
            cut(
                "A
X

M

Y
B",
                Unit::Line,
                &[1, 2, 3]
            ),
            "A

B"
        );
    }

    #[test]
    fn lines_without_blank_lines() {
        assert_eq!(cut("A\nB\nA\nC\n", Unit::Line, &[2]), "A\nB\nC\n");
        assert_eq!(cut("A\nB\nA", Unit::Line, &[2]), "A\nB");
    }

    #[test]
    fn leading_and_trailing_space_stays() {
        assert_eq!(cut("\n\nA\n\nB\n\n\n", Unit::Line, &[1]), "\n\nA\n\n\n");
    }

    #[test]
    fn everything_removed_leaves_the_surroundings() {
        assert_eq!(cut("\nA\n\nB\n", Unit::Line, &[0, 1]), "\n\n");
    }
}
