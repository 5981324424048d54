//! The library's error type.

use std::fmt;

/// Everything that can go wrong in the library.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The input is not valid UTF-8.
    InvalidUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// 1-based line of that byte.
        line: usize,
        /// 1-based column (in bytes) of that byte.
        column: usize,
    },
    /// A similarity threshold outside `(0, 1]`.
    InvalidThreshold(f64),
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidUtf8 {
                offset,
                line,
                column,
            } => write!(
                f,
                "invalid UTF-8 at byte {offset} (line {line}, column {column})"
            ),
            Error::InvalidThreshold(t) => {
                write!(f, "threshold must be greater than 0 and at most 1, got {t}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// `bytes` as text when they are UTF-8, checked with SIMD instructions (simdutf8); else the
/// standard library's error, which says where they stop being UTF-8.
pub(crate) fn utf8(bytes: &[u8]) -> std::result::Result<&str, std::str::Utf8Error> {
    simdutf8::basic::from_utf8(bytes).or_else(|_| std::str::from_utf8(bytes))
}

/// Checks that `bytes` are UTF-8 and returns them as text, or says where they are not.
pub fn decode(bytes: &[u8]) -> Result<&str> {
    utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let before = &bytes[..offset];
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
        Error::InvalidUtf8 {
            offset,
            line: memchr::memchr_iter(b'\n', before).count() + 1,
            column: offset - line_start + 1,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_the_position() {
        let err = decode(b"ok\nab\xffcd").unwrap_err();
        assert_eq!(
            err,
            Error::InvalidUtf8 {
                offset: 5,
                line: 2,
                column: 3
            }
        );
        assert_eq!(
            err.to_string(),
            "invalid UTF-8 at byte 5 (line 2, column 3)"
        );
        assert_eq!(decode("é".as_bytes()), Ok("é"));
    }
}
