//! JSON Lines input read on a thread of its own, in pieces of whole lines, so that reading goes
//! on while earlier pieces are cleaned.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::{Arc, Condvar, Mutex};

/// A piece holds about this many bytes (a longer line is a piece of its own)…
const PIECE_BYTES: usize = 256 << 10;
/// …and at most this many lines, so that what cleaning a piece keeps per line stays small.
const PIECE_LINES: usize = 1024;
/// The reader waits while this many bytes are read and not yet taken.
const AHEAD_BYTES: usize = 4 << 20;
/// Smallest read, when a line outgrows its piece.
const MIN_READ: usize = 64 << 10;

/// Whole lines read together, each with its ending.
#[derive(Debug)]
pub struct Piece {
    data: Vec<u8>,
    /// Where each line ends in `data`.
    ends: Vec<usize>,
    /// 1-based number of the first line in the input.
    first: usize,
}

impl Piece {
    /// The lines with their 1-based numbers.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &[u8])> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .enumerate()
            .map(|(i, (start, &end))| (self.first + i, &self.data[start..end]))
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Size in bytes.
    pub fn bytes(&self) -> usize {
        self.data.len()
    }
}

/// A line's content and its ending (`\n`, `\r\n` or nothing).
pub fn split_ending(line: &[u8]) -> (&[u8], &[u8]) {
    let cut = if line.ends_with(b"\r\n") {
        line.len() - 2
    } else if line.ends_with(b"\n") {
        line.len() - 1
    } else {
        line.len()
    };
    line.split_at(cut)
}

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The byte-order mark that starts line `number` of an input, and the rest of the line. Only
/// the first line can have one: it belongs to the input, not to the record, and is written back
/// as it came. A mark further down (two files put together) stays part of its line, which is
/// then no JSON.
pub fn split_bom(number: usize, line: &[u8]) -> (&[u8], &[u8]) {
    match line.strip_prefix(BOM) {
        Some(rest) if number == 1 => (BOM, rest),
        _ => (&[], line),
    }
}

/// What the reading thread shares with the cleaner.
#[derive(Default)]
struct Shared {
    pieces: VecDeque<Piece>,
    /// Bytes in `pieces`.
    bytes: usize,
    /// The input ended: `Some(None)` at its end, `Some(Some(err))` on a read error.
    end: Option<Option<io::Error>>,
    /// The cleaner stopped listening.
    closed: bool,
}

type Link = Arc<(Mutex<Shared>, Condvar)>;

/// Pieces of an input, read ahead on a thread of its own. Lines are handed over as soon as the
/// cleaner has nothing left to take, so a slow producer's records are never held back; the
/// reader waits while [`AHEAD_BYTES`] wait to be taken.
pub struct ReadAhead {
    link: Link,
}

impl ReadAhead {
    /// Starts reading; `regular_file` when the input is one (reads then fill whole pieces,
    /// where a pipe's are handed over as they come). The thread is not joined: if the cleaner
    /// stops early while the reader waits for input, it ends with the process.
    pub fn new<R: Read + Send + 'static>(reader: R, regular_file: bool) -> ReadAhead {
        let link = Link::default();
        let theirs = Arc::clone(&link);
        std::thread::spawn(move || read(reader, regular_file, &theirs));
        ReadAhead { link }
    }

    /// Whether [`Iterator::next`] would return at once: lines are waiting, or the input ended.
    pub fn ready(&self) -> bool {
        let (lock, _) = &*self.link;
        lock.lock().map_or(true, |shared| {
            !shared.pieces.is_empty() || shared.end.is_some()
        })
    }
}

impl Iterator for ReadAhead {
    type Item = io::Result<Piece>;

    fn next(&mut self) -> Option<io::Result<Piece>> {
        let (lock, changed) = &*self.link;
        let mut shared = lock.lock().ok()?;
        while shared.pieces.is_empty() && shared.end.is_none() {
            shared = changed.wait(shared).ok()?;
        }
        if let Some(piece) = shared.pieces.pop_front() {
            shared.bytes -= piece.bytes();
            changed.notify_all();
            return Some(Ok(piece));
        }
        shared.end.as_mut()?.take().map(Err)
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        let (lock, changed) = &*self.link;
        if let Ok(mut shared) = lock.lock() {
            shared.closed = true;
            changed.notify_all();
        }
    }
}

/// The reading thread: fills a piece, hands over its whole lines when it is full or the
/// cleaner has nothing to take, and keeps the unfinished line for the next piece.
fn read(mut reader: impl Read, fill: bool, link: &Link) {
    let (lock, changed) = &**link;
    let mut filling = Filling::default();
    loop {
        let read = filling.read(&mut reader, fill);
        let end = match read {
            Ok(0) => Some(None),
            Ok(_) => None,
            Err(err) => Some(Some(err)),
        };
        if matches!(end, Some(None)) {
            filling.end_last_line();
        }
        let Ok(mut shared) = lock.lock() else { return };
        let complete = filling.ends.len();
        if complete > 0
            && (end.is_some()
                || shared.pieces.is_empty()
                || filling.len() >= PIECE_BYTES
                || complete >= PIECE_LINES)
        {
            for piece in filling.take() {
                shared.bytes += piece.bytes();
                shared.pieces.push_back(piece);
            }
            changed.notify_all();
        }
        if end.is_some() {
            shared.end = end;
            changed.notify_all();
            return;
        }
        while !shared.closed && shared.bytes >= AHEAD_BYTES {
            let Ok(next) = changed.wait(shared) else {
                return;
            };
            shared = next;
        }
        if shared.closed {
            return;
        }
    }
}

/// The piece being read into.
struct Filling {
    /// The bytes read are `data[..filled]`; the rest of `data` is room already zeroed (a pipe
    /// hands over a little at a time, and the room is zeroed once, not before every read).
    data: Vec<u8>,
    filled: usize,
    /// Where each whole line read so far ends.
    ends: Vec<usize>,
    /// Number of the first line.
    first: usize,
}

impl Default for Filling {
    fn default() -> Filling {
        Filling {
            data: Vec::with_capacity(PIECE_BYTES),
            filled: 0,
            ends: Vec::new(),
            first: 1,
        }
    }
}

impl Filling {
    /// Reads once, into the room left in the piece (at least [`MIN_READ`] bytes).
    ///
    /// With `fill` (a regular file: no producer to wait for), the room is read full, into
    /// memory that is not zeroed first.
    fn read(&mut self, reader: &mut impl Read, fill: bool) -> io::Result<usize> {
        let len = self.filled;
        let read = if fill {
            self.data.truncate(len);
            let room = (self.data.capacity() - len).max(MIN_READ);
            // Bytes read before an error stay in `data`.
            let read = reader
                .by_ref()
                .take(room as u64)
                .read_to_end(&mut self.data);
            self.filled = self.data.len();
            read.map(|_| self.filled - len)
        } else {
            if self.data.len() - len < MIN_READ {
                let room = (self.data.capacity() - len).max(MIN_READ);
                self.data.resize(len + room, 0);
            }
            let read = loop {
                match reader.read(&mut self.data[len..]) {
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    read => break read,
                }
            };
            self.filled = len + *read.as_ref().unwrap_or(&0);
            read
        };
        let new = memchr::memchr_iter(b'\n', &self.data[len..self.filled]);
        self.ends.extend(new.map(|at| len + at + 1));
        read
    }

    /// Bytes read into the piece so far.
    fn len(&self) -> usize {
        self.filled
    }

    /// At the end of the input, a last line without a line break is a whole line.
    fn end_last_line(&mut self) {
        if self.ends.last().copied().unwrap_or(0) < self.filled {
            self.ends.push(self.filled);
        }
    }

    /// Takes the whole lines, in pieces of at most [`PIECE_LINES`] lines, keeping the
    /// unfinished one.
    fn take(&mut self) -> Vec<Piece> {
        let whole = self.ends.last().copied().unwrap_or(0);
        let rest = self.data[whole..self.filled].to_vec();
        let mut data = std::mem::replace(&mut self.data, Vec::with_capacity(PIECE_BYTES));
        self.data.extend_from_slice(&rest);
        self.filled = rest.len();
        data.truncate(whole);
        let ends = std::mem::take(&mut self.ends);
        let first = self.first;
        self.first += ends.len();
        if ends.len() <= PIECE_LINES {
            return vec![Piece { data, ends, first }];
        }
        // Many short lines: each piece gets a copy of its part.
        let mut start = 0;
        ends.chunks(PIECE_LINES)
            .enumerate()
            .map(|(i, chunk)| {
                let end = chunk[chunk.len() - 1];
                let piece = Piece {
                    data: data[start..end].to_vec(),
                    ends: chunk.iter().map(|e| e - start).collect(),
                    first: first + i * PIECE_LINES,
                };
                start = end;
                piece
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out the input a few bytes per read, like a slow pipe.
    struct Trickle<'a> {
        input: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.input.len());
            buf[..n].copy_from_slice(&self.input[..n]);
            self.input = &self.input[n..];
            Ok(n)
        }
    }

    fn lines_of(input: &[u8], step: usize, fill: bool) -> Vec<(usize, Vec<u8>)> {
        let input: &'static [u8] = Box::leak(input.to_vec().into_boxed_slice());
        let mut lines = Vec::new();
        for piece in ReadAhead::new(Trickle { input, step }, fill) {
            let piece = piece.unwrap();
            assert!(piece.len() <= PIECE_LINES);
            lines.extend(piece.lines().map(|(n, l)| (n, l.to_vec())));
        }
        lines
    }

    #[test]
    fn every_line_comes_once_in_order_with_its_number() {
        let mut input = Vec::new();
        let mut expected = Vec::new();
        // Short lines (more than a piece holds), long ones (more than a piece's bytes), CRLF
        // endings, blank lines, and a last line without a line break.
        for i in 0..5000 {
            let line = match i % 4 {
                0 => format!("{i}\n"),
                1 if i == 1 => format!("{}\r\n", "x".repeat(300_000)),
                1 => format!("{}\r\n", "x".repeat(i % 50)),
                2 => "\n".to_string(),
                _ => format!("{{\"n\":{i}}}\n"),
            };
            expected.push((i + 1, line.clone().into_bytes()));
            input.extend_from_slice(line.as_bytes());
        }
        input.extend_from_slice(b"no line break");
        expected.push((5001, b"no line break".to_vec()));
        for step in [1 << 20, 4096, 7] {
            for fill in [false, true] {
                let got = lines_of(&input, step, fill);
                assert_eq!(got, expected, "reads of {step} bytes, fill {fill}");
            }
        }
    }

    #[test]
    fn empty_input_has_no_lines() {
        assert!(lines_of(b"", 10, false).is_empty());
        assert!(lines_of(b"", 10, true).is_empty());
    }

    #[test]
    fn a_read_error_ends_the_lines_after_the_whole_ones() {
        struct Failing(bool);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if std::mem::replace(&mut self.0, true) {
                    return Err(io::Error::other("disk on fire"));
                }
                buf[..9].copy_from_slice(b"a\nb\nhalf ");
                Ok(9)
            }
        }
        for fill in [false, true] {
            let mut ahead = ReadAhead::new(Failing(false), fill);
            let piece = ahead.next().unwrap().unwrap();
            let lines: Vec<_> = piece.lines().collect();
            assert_eq!(lines, [(1, &b"a\n"[..]), (2, &b"b\n"[..])]);
            let err = ahead.next().unwrap().unwrap_err();
            assert_eq!(err.to_string(), "disk on fire");
            assert!(ahead.next().is_none());
        }
    }
}
