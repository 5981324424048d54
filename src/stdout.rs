//! Standard output: on a terminal, what scraped text holds is shown, never acted on; and a
//! reader that has had enough need not cost the run its other outputs.

use std::io::{self, Write};

use paradedup::render::{escape_controls, escape_json_controls};

/// A writer that shows the control characters of what goes through it escaped: as `\u{1b}` in
/// text ([`escape_controls`]), as `\u001b` in JSON ([`escape_json_controls`], which keeps it
/// the same JSON). Bytes that are not UTF-8 (a line passed through as it was) go as they are.
pub struct Escaping<W: Write> {
    inner: W,
    json: bool,
    /// The first bytes of a character whose last ones have not been written yet.
    partial: Vec<u8>,
}

impl<W: Write> Escaping<W> {
    /// Escapes what goes to `inner`: JSON when `json`, else text.
    pub fn new(inner: W, json: bool) -> Escaping<W> {
        Escaping {
            inner,
            json,
            partial: Vec::new(),
        }
    }

    fn write_text(&mut self, text: &str) -> io::Result<()> {
        let shown = match self.json {
            true => escape_json_controls(text),
            false => escape_controls(text),
        };
        self.inner.write_all(shown.as_bytes())
    }
}

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let joined;
        let mut rest = match self.partial.is_empty() {
            true => buf,
            false => {
                let mut bytes = std::mem::take(&mut self.partial);
                bytes.extend_from_slice(buf);
                joined = bytes;
                &joined[..]
            }
        };
        while !rest.is_empty() {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.write_text(text)?;
                    break;
                }
                Err(err) => {
                    let (valid, after) = rest.split_at(err.valid_up_to());
                    let text = std::str::from_utf8(valid).expect("checked");
                    self.write_text(text)?;
                    match err.error_len() {
                        Some(n) => {
                            self.inner.write_all(&after[..n])?;
                            rest = &after[n..];
                        }
                        None => {
                            self.partial = after.to_vec();
                            break;
                        }
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let partial = std::mem::take(&mut self.partial);
        self.inner.write_all(&partial)?;
        self.inner.flush()
    }
}

/// A writer that, once its reader has closed the pipe (`paradedup --html r.html big.txt | head`),
/// takes everything else without writing it: the run goes on for its other outputs (the
/// review page) and ends as if the pipe were open.
pub struct UntilClosed<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> UntilClosed<W> {
    pub fn new(inner: W) -> UntilClosed<W> {
        UntilClosed {
            inner,
            closed: false,
        }
    }

    fn unless_closed(&mut self, result: io::Result<()>) -> io::Result<()> {
        match result {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

impl<W: Write> Write for UntilClosed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.closed {
            let result = self.inner.write_all(buf);
            self.unless_closed(result)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.unless_closed(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(json: bool, writes: &[&[u8]]) -> Vec<u8> {
        let mut out = Escaping::new(Vec::new(), json);
        for w in writes {
            out.write_all(w).unwrap();
        }
        out.flush().unwrap();
        out.inner
    }

    #[test]
    fn controls_are_shown_escaped_however_the_writes_fall() {
        let text = "a\u{1b}[2J é\u{9b}1m\r\nb\u{202e}c\n";
        let bytes = text.as_bytes();
        let whole = shown(false, &[bytes]);
        assert_eq!(
            String::from_utf8(whole.clone()).unwrap(),
            "a\\u{1b}[2J é\\u{9b}1m\r\nb\\u{202e}c\n"
        );
        // Cut inside `é` and inside U+009B and U+202E.
        for cut in 1..bytes.len() {
            assert_eq!(
                shown(false, &[&bytes[..cut], &bytes[cut..]]),
                whole,
                "{cut}"
            );
        }
        let json = shown(true, &["{\"t\":\"\u{9b}\u{202e}\"}\n".as_bytes()]);
        assert_eq!(json, b"{\"t\":\"\\u009b\\u202e\"}\n");
    }

    #[test]
    fn bytes_that_are_not_utf8_go_as_they_are() {
        assert_eq!(
            shown(false, &[b"a\xff\x1b b\xe2\x80"]),
            b"a\xff\\u{1b} b\xe2\x80"
        );
    }
}
