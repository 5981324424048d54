//! Fenced code blocks (CommonMark): a line of three or more backticks or tildes, the code, and
//! a closing line of the same character, at least as long. Markdown from extractors puts code
//! listings in them, where a line that repeats an earlier one (`import os`, `}`, the opening
//! ```` ```python ````) is code, not a repeat; and a fence removed without its partner turns
//! the rest of the page into code. So a fenced block is one unit: kept or removed whole.
//!
//! An opening fence that nothing closes is an ordinary line: scraped text is often cut short,
//! and a stray fence must not keep the rest of a page from being cleaned.

/// A line that can open or close a fenced code block: up to three spaces, then three or more
/// backticks or tildes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Fence {
    /// `` ` `` or `~`.
    char: u8,
    /// How many of them.
    len: usize,
    /// Whether it can open a block: what follows a backtick fence (the language) has no
    /// backtick, which would make the line inline code.
    opens: bool,
    /// Whether it can close a block: only whitespace follows.
    closes: bool,
}

impl Fence {
    /// The fence `line` (without its line ending) is, if it is one.
    pub(super) fn of(line: &[u8]) -> Option<Fence> {
        let indent = line.iter().take(4).take_while(|&&b| b == b' ').count();
        let rest = line.get(indent..).filter(|_| indent <= 3)?;
        let char = *rest.first().filter(|&&c| c == b'`' || c == b'~')?;
        let len = rest.iter().take_while(|&&b| b == char).count();
        let after = &rest[len..];
        (len >= 3).then(|| Fence {
            char,
            len,
            opens: char == b'~' || !after.contains(&b'`'),
            closes: after.iter().all(u8::is_ascii_whitespace),
        })
    }
}

/// Whether a unit starts with a line that opens a fenced code block and goes on past it.
pub(super) fn is_code(unit: &str) -> bool {
    memchr::memchr(b'\n', unit.as_bytes()).is_some_and(|newline| {
        let line = unit[..newline].trim_end_matches('\r');
        Fence::of(line.as_bytes()).is_some_and(|f| f.opens)
    })
}

/// The fenced code blocks among the lines, as (opening, closing) indices into them, in order;
/// `marks` are the lines that are fences, as (index, fence), in order. Inside a block, a fence
/// line is code; an opening line that nothing closes is not a fence. Linear in the number of
/// marks, however they are arranged.
pub(super) fn blocks(marks: &[(usize, Fence)]) -> Vec<(usize, usize)> {
    let mut closers = [Closers::new(marks, b'`'), Closers::new(marks, b'~')];
    let mut out = Vec::new();
    let mut i = 0;
    while i < marks.len() {
        let (line, fence) = marks[i];
        let closers = &mut closers[usize::from(fence.char == b'~')];
        match fence
            .opens
            .then(|| closers.after(marks, i, fence.len))
            .flatten()
        {
            Some(k) => {
                out.push((line, marks[k].0));
                i = k + 1;
            }
            None => i += 1,
        }
    }
    out
}

/// The marks of one character that can close a block, to find, for openings in order, the
/// first one after each that is long enough.
struct Closers {
    /// Indices into the marks.
    at: Vec<usize>,
    /// For each of them, the longest fence from it on: whether any closer is long enough is
    /// then one look, so an opening that nothing closes costs nothing to find out.
    longest_from: Vec<usize>,
    /// The first of them not passed yet: openings are asked about in order.
    next: usize,
}

impl Closers {
    fn new(marks: &[(usize, Fence)], char: u8) -> Closers {
        let at: Vec<usize> = (0..marks.len())
            .filter(|&k| marks[k].1.char == char && marks[k].1.closes)
            .collect();
        let mut longest_from = vec![0; at.len()];
        let mut longest = 0;
        for (slot, &k) in longest_from.iter_mut().zip(&at).rev() {
            longest = longest.max(marks[k].1.len);
            *slot = longest;
        }
        Closers {
            at,
            longest_from,
            next: 0,
        }
    }

    /// The first closer after mark `opening` at least `len` long. Each closer is passed once:
    /// the search stops at the one it finds, past which the next opening lies.
    fn after(&mut self, marks: &[(usize, Fence)], opening: usize, len: usize) -> Option<usize> {
        while self.at.get(self.next).is_some_and(|&k| k <= opening) {
            self.next += 1;
        }
        if self.longest_from.get(self.next).is_none_or(|&l| l < len) {
            return None;
        }
        let found = (self.next..self.at.len()).find(|&n| marks[self.at[n]].1.len >= len)?;
        self.next = found + 1;
        Some(self.at[found])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fence(line: &str) -> Option<(char, usize, bool, bool)> {
        Fence::of(line.as_bytes()).map(|f| (char::from(f.char), f.len, f.opens, f.closes))
    }

    #[test]
    fn fence_lines() {
        assert_eq!(fence("```"), Some(('`', 3, true, true)));
        assert_eq!(fence("   ~~~~ "), Some(('~', 4, true, true)));
        assert_eq!(fence("```python"), Some(('`', 3, true, false)));
        assert_eq!(fence("~~~ a`b"), Some(('~', 3, true, false)));
        // Inline code, which closes a block but opens none.
        assert_eq!(fence("``` a`b"), Some(('`', 3, false, false)));
        for not in ["``", "    ```", "a```", "`` `", ""] {
            assert_eq!(fence(not), None, "{not:?}");
        }
        assert_eq!(fence("```\r"), Some(('`', 3, true, true)));
    }

    fn pairs_of(lines: &[&str]) -> Vec<(usize, usize)> {
        let marks: Vec<(usize, Fence)> = (lines.iter().enumerate())
            .filter_map(|(i, l)| Some((i, Fence::of(l.as_bytes())?)))
            .collect();
        blocks(&marks)
    }

    #[test]
    fn blocks_close_on_a_long_enough_fence_of_their_character() {
        assert_eq!(pairs_of(&["```", "a", "```"]), [(0, 2)]);
        assert_eq!(pairs_of(&["````", "```", "~~~~", "`````"]), [(0, 3)]);
        assert_eq!(pairs_of(&["~~~", "```", "~~~", "```"]), [(0, 2)]);
        // A fence with a language closes nothing: here it is code.
        assert_eq!(pairs_of(&["```", "```js", "```"]), [(0, 2)]);
        assert_eq!(
            pairs_of(&["```a", "x", "```", "```b", "y", "```"]),
            [(0, 2), (3, 5)]
        );
    }

    #[test]
    fn an_opening_that_nothing_closes_is_a_line() {
        assert_eq!(pairs_of(&["````", "```", "a"]), []);
        assert_eq!(pairs_of(&["````a", "```b", "x", "```"]), [(1, 3)]);
        assert_eq!(pairs_of(&["``` a`b", "x", "```", "y"]), []);
    }

    #[test]
    fn code_units() {
        assert!(is_code("```\nx\n```"));
        assert!(is_code("  ~~~ rust\r\nx\r\n~~~"));
        assert!(!is_code("```python"));
        assert!(!is_code("Code:\n```\nx\n```"));
        assert!(!is_code("``` a`b\nx"));
    }
}
