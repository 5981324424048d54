//! JSON Lines records: clean the text in one string field and write the record back with
//! nothing else changed.
//!
//! A record is edited in place: the byte range of the field's value in the line is replaced by
//! the cleaned string, JSON-encoded, and every other byte (key order, spacing, number
//! formatting, escapes in other fields) stays as it came in. A record whose text loses nothing
//! comes out byte for byte the same.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use crate::bytes::{is, within, Finder};

use std::sync::Arc;

use crate::boilerplate::{url_host, Rule, State};
use crate::{Cleaned, Cleaner, PageSite, Stats};

/// Where the text is in a record, and what to add to it.
#[derive(Clone, Debug)]
pub struct RecordFormat {
    field: Vec<String>,
    stats_field: Option<String>,
    grouping: Grouping,
    boilerplate: Option<(Arc<State>, Rule)>,
}

/// How records are grouped into sites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// The site field if the record has it, else the host of its URL field.
    Site,
    /// The value of this field.
    Field(String),
    /// Everything in one group.
    None,
    /// The directory of the input the record is in ([`RecordFormat::in_dir`]).
    Dir,
}

/// Which fields name a record's site and headline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grouping {
    /// How to group.
    pub by: GroupBy,
    /// The site field (for [`GroupBy::Site`]).
    pub site_field: String,
    /// The URL field (for [`GroupBy::Site`]).
    pub url_field: String,
    /// The headline field.
    pub title_field: String,
    /// The directory of the input being read, for [`GroupBy::Dir`].
    pub dir: String,
}

impl Default for Grouping {
    fn default() -> Self {
        Grouping {
            by: GroupBy::Site,
            site_field: "site".into(),
            url_field: "url".into(),
            title_field: "title".into(),
            dir: String::new(),
        }
    }
}

impl Grouping {
    /// The site of a record (empty when it names none).
    pub fn site_of(&self, line: &str) -> String {
        match &self.by {
            GroupBy::None => String::new(),
            GroupBy::Dir => self.dir.clone(),
            GroupBy::Field(f) => string_field(line, f).unwrap_or_default(),
            GroupBy::Site => string_field(line, &self.site_field)
                .or_else(|| string_field(line, &self.url_field).and_then(|u| url_host(&u)))
                .unwrap_or_default(),
        }
    }

    /// The headline of a record, when it has one.
    pub fn title_of(&self, line: &str) -> Option<String> {
        string_field(line, &self.title_field)
    }
}

/// The string at `path` (dotted) in a JSON object, if there is one.
pub fn string_field(line: &str, path: &str) -> Option<String> {
    let path: Vec<String> = path.split('.').map(str::to_owned).collect();
    let range = find_field(line, &path).ok()?;
    serde_json::from_str(&line[range]).ok()
}

/// The site and text of one record, for counting boilerplate.
pub fn record_page(line: &[u8], format: &RecordFormat) -> Result<(String, String), RecordError> {
    let line = crate::error::utf8(line).map_err(|e| RecordError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    let mut decoded = Decoded::default();
    let (text, range) = match top_level_string(line, &format.field, &mut decoded) {
        Some(range) => (decoded.text, Some(range)),
        None => (
            field_string(line, find_field(line, &format.field)?, format)?,
            None,
        ),
    };
    let others = format.other_fields(line, range);
    Ok((format.grouping.site_of(&others), text))
}

impl RecordFormat {
    /// The record for reading its site and headline: without the contents of the text
    /// string at `text` (usually most of the record), so serde_json need not read the text
    /// once more for each of them. The record as it is when the grouping reads the text field
    /// itself.
    fn other_fields<'a>(&self, line: &'a str, text: Option<Range<usize>>) -> Cow<'a, str> {
        let field = self.field.join(".");
        let g = &self.grouping;
        let reads_text = [&g.site_field, &g.url_field, &g.title_field].contains(&&field)
            || g.by == GroupBy::Field(field.clone());
        match text {
            Some(range) if !reads_text => Cow::Owned(without_contents(line, range)),
            _ => Cow::Borrowed(line),
        }
    }

    /// Cleans the string at `field`, a key or a dotted path such as `content.body` into nested
    /// objects.
    pub fn new(field: &str) -> RecordFormat {
        RecordFormat {
            field: field.split('.').map(str::to_owned).collect(),
            stats_field: None,
            grouping: Grouping::default(),
            boilerplate: None,
        }
    }

    /// How records are grouped into sites.
    pub fn grouping(mut self, grouping: Grouping) -> RecordFormat {
        self.grouping = grouping;
        self
    }

    /// The format for the records of an input in directory `dir` (its site with
    /// [`GroupBy::Dir`]); borrowed as it is for any other grouping.
    pub fn in_dir(&self, dir: impl FnOnce() -> String) -> Cow<'_, RecordFormat> {
        match self.grouping.by {
            GroupBy::Dir => {
                let mut format = self.clone();
                format.grouping.dir = dir();
                Cow::Owned(format)
            }
            _ => Cow::Borrowed(self),
        }
    }

    /// Also removes the site boilerplate counted in `state`.
    pub fn boilerplate(mut self, state: Option<(Arc<State>, Rule)>) -> RecordFormat {
        self.boilerplate = state;
        self
    }

    /// Also adds `"NAME": {"removed": N, "removed_bytes": B}` to each record (with
    /// `"boilerplate": K` too when site boilerplate is removed), replacing the stats of an
    /// earlier run (an object of those keys only) at the top level when there are some. A
    /// record with a field of that name that holds anything else is refused
    /// ([`RecordError::FieldTaken`]): its data would be lost. `name` is one key, dots and all;
    /// when it is the first key of the field's path, every record is refused so (the command
    /// line refuses such a name before reading any).
    pub fn stats_field(mut self, name: Option<&str>) -> RecordFormat {
        self.stats_field = name.map(str::to_owned);
        self
    }

    /// The field path as given.
    pub fn field(&self) -> String {
        self.field.join(".")
    }
}

/// Why a line is not a record that can be cleaned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordError {
    /// The line is not valid UTF-8.
    InvalidUtf8 {
        /// Byte offset of the first invalid byte in the line.
        offset: usize,
    },
    /// The line is not JSON.
    NotJson(String),
    /// The line is JSON but not an object (or a step of the field path is not).
    NotObject(String),
    /// The field is missing.
    MissingField(String),
    /// The field is not a string.
    NotString(String),
    /// The record has a field of the stats' name that is not stats of an earlier run: it
    /// would be replaced by them.
    FieldTaken(String),
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::InvalidUtf8 { offset } => {
                write!(f, "invalid UTF-8 at byte {offset} of the line")
            }
            RecordError::NotJson(e) => write!(f, "not JSON: {e}"),
            RecordError::NotObject(at) => write!(f, "{at} is not a JSON object"),
            RecordError::MissingField(name) => write!(f, "no field '{name}'"),
            RecordError::NotString(name) => write!(f, "field '{name}' is not a string"),
            RecordError::FieldTaken(name) => write!(
                f,
                "field '{name}' is the record's own, and the stats would replace it (name \
                 another with --stats-field)"
            ),
        }
    }
}

impl std::error::Error for RecordError {}

/// A cleaned record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanedRecord<'a> {
    /// The record to write (without its line ending): borrowed when nothing changed.
    pub line: Cow<'a, str>,
    /// What was removed from its text.
    pub stats: Stats,
    /// Whether the text was left as it was because it is all site boilerplate.
    pub left_as_is: bool,
}

/// Cleans one JSON Lines record: `line` without its line ending (`\n` or `\r\n`) and, on a
/// file's first line, without a UTF-8 byte-order mark, which JSON does not allow (the command
/// line takes them off, and puts them back around the cleaned record).
///
/// ```
/// use paradedup::jsonl::{clean_record, RecordFormat};
/// use paradedup::Cleaner;
///
/// let line = br#"{"id": 7, "text": "Storm hits coast\n\nRain fell.\n\nSTORM HITS COAST"}"#;
/// let cleaned = clean_record(line, &Cleaner::new(), &RecordFormat::new("text")).unwrap();
/// assert_eq!(cleaned.line, r#"{"id": 7, "text": "Storm hits coast\n\nRain fell."}"#);
/// assert_eq!(cleaned.stats.removed_paragraphs, 1);
/// ```
pub fn clean_record<'a>(
    line: &'a [u8],
    cleaner: &Cleaner,
    format: &RecordFormat,
) -> Result<CleanedRecord<'a>, RecordError> {
    clean_record_with(line, cleaner, format, &mut |_| {})
}

/// [`clean_record`], also handing the cleaned text of the field to `inspect` (for reports that
/// need more than the stats, such as the HTML review page). `inspect` is not called for a
/// line that is not a record. What it is handed borrows a buffer that the next record on the
/// thread reuses: copy out what is kept (its removals, say) inside `inspect`.
pub fn clean_record_with<'a>(
    line: &'a [u8],
    cleaner: &Cleaner,
    format: &RecordFormat,
    inspect: &mut dyn FnMut(&Cleaned<'_>),
) -> Result<CleanedRecord<'a>, RecordError> {
    let line = crate::error::utf8(line).map_err(|e| RecordError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    // The field's text is decoded into a buffer kept between records.
    let mut buffer = DECODED.with_borrow_mut(std::mem::take);
    let (range, fast) = match top_level_string(line, &format.field, &mut buffer) {
        Some(range) => (range, true),
        None => {
            let range = find_field(line, &format.field)?;
            let fast = unescape(&line[range.clone()], &mut buffer);
            (range, fast)
        }
    };
    let decoded: String;
    let text = if fast {
        &buffer.text
    } else {
        decoded = field_string(line, range.clone(), format)?;
        &decoded
    };
    let site = format.boilerplate.as_ref().map(|(state, rule)| {
        let others = format.other_fields(line, fast.then(|| range.clone()));
        PageSite::new(state, &format.grouping.site_of(&others), *rule)
            .title(format.grouping.title_of(&others).as_deref())
    });
    let cleaned = cleaner.clean_page(text, site.as_ref());
    inspect(&cleaned);
    let stats = cleaned.stats();
    let mut out = Cow::Borrowed(line);
    if cleaned.is_changed() && fast {
        out = Cow::Owned(splice_kept(line, range, &buffer, cleaned.cuts()));
    } else if cleaned.is_changed() {
        // Only if serde_json decoded a string the fast decoder did not (a proptest checks there
        // is none): encode the cleaned text anew.
        let encoded =
            serde_json::to_string(cleaned.output().as_ref()).expect("a string always encodes");
        out = Cow::Owned(splice(line, range, &encoded));
    }
    if let Some(name) = &format.stats_field {
        let mut stats_json = format!(
            "{{\"removed\": {}, \"removed_bytes\": {}",
            stats.removed_paragraphs, stats.removed_bytes
        );
        if format.boilerplate.is_some() {
            stats_json += &format!(", \"boilerplate\": {}", stats.boilerplate_paragraphs);
        }
        stats_json.push('}');
        out = Cow::Owned(set_top_level(&out, name, &stats_json)?);
    }
    let left_as_is = cleaned.left_as_is();
    // The buffer is kept for the next record, unless a huge record made it huge.
    if buffer.text.capacity() <= crate::normalize::MAX_KEPT_SCRATCH {
        DECODED.with_borrow_mut(|slot| *slot = buffer);
    }
    Ok(CleanedRecord {
        line: out,
        stats,
        left_as_is,
    })
}

thread_local! {
    /// The decoded text of the record being cleaned, kept between records.
    static DECODED: std::cell::RefCell<Decoded> = std::cell::RefCell::default();
}

/// A JSON string's text, with where its escapes are: enough to find the JSON text of any piece
/// of the text, so kept pieces are copied from the record as they were written.
#[derive(Default)]
struct Decoded {
    text: String,
    /// For each escape, in order: where its character ends in `text`, and how many more bytes
    /// the JSON string's contents have than `text` up to there.
    escapes: Vec<(usize, usize)>,
}

impl Decoded {
    /// Where byte `at` of the text (a character boundary) is in the JSON string's contents.
    fn raw_offset(&self, at: usize) -> usize {
        let before = self.escapes.partition_point(|&(end, _)| end <= at);
        at + before.checked_sub(1).map_or(0, |i| self.escapes[i].1)
    }
}

/// `line` with the JSON string at `range` (decoded in `decoded`) cut down to what stays of its
/// text after `cuts` (ranges of the text): the kept pieces are copied as they are in `line`.
fn splice_kept(
    line: &str,
    range: Range<usize>,
    decoded: &Decoded,
    cuts: &[Range<usize>],
) -> String {
    // The string's contents, without its quotes.
    let contents = range.start + 1..range.end - 1;
    let raw = |at: usize| contents.start + decoded.raw_offset(at);
    let len = decoded.text.len();
    let mut out = String::with_capacity(line.len());
    out.push_str(&line[..contents.start]);
    let starts = std::iter::once(0).chain(cuts.iter().map(|c| c.end));
    let ends = cuts.iter().map(|c| c.start).chain([len]);
    for (start, end) in starts.zip(ends).filter(|(s, e)| s < e) {
        out.push_str(&line[raw(start)..raw(end)]);
    }
    out.push_str(&line[contents.end..]);
    out
}

/// Decodes `raw`, a JSON string, into `decoded`. Returns false, leaving the decoding to
/// serde_json (which says what is wrong), when `raw` is no string or not valid JSON, or has a
/// `\u` escape of a lone UTF-16 surrogate.
fn unescape(raw: &str, decoded: &mut Decoded) -> bool {
    unescape_at(raw, 0, decoded) == Some(raw.len())
}

/// Decodes the JSON string that starts at byte `start` of `line` into `decoded`, and returns
/// where it ends (past its closing quote); `None` when there is no valid string there that
/// decodes to text (see [`unescape`]).
fn unescape_at(line: &str, start: usize, decoded: &mut Decoded) -> Option<usize> {
    let Decoded { text: out, escapes } = decoded;
    out.clear();
    escapes.clear();
    let bytes = line.as_bytes();
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let mut extra = 0;
    let mut from = start + 1;
    // Where the string's contents end or change: `"`, `\` and control characters.
    let mut specials = Finder::new(bytes, |v| is(v, b'"') | is(v, b'\\') | within(v, 0, 0x1F));
    loop {
        let at = specials.next(from)?;
        // Between the two escapes of a paragraph break there is nothing to copy.
        if at > from {
            out.push_str(&line[from..at]);
        }
        match bytes[at] {
            b'"' => return Some(at + 1),
            b'\\' => {}
            // JSON strings hold control characters only escaped.
            _ => return None,
        }
        let rest = &line[at..];
        let hex = |from: usize| {
            let digits = rest.get(from..from + 4)?;
            digits
                .bytes()
                .all(|b| b.is_ascii_hexdigit())
                .then_some(())?;
            u32::from_str_radix(digits, 16).ok()
        };
        let (c, len) = match rest.as_bytes().get(1) {
            Some(b'n') => ('\n', 2),
            Some(b't') => ('\t', 2),
            Some(b'r') => ('\r', 2),
            Some(b'b') => ('\u{8}', 2),
            Some(b'f') => ('\u{c}', 2),
            Some(&b @ (b'"' | b'\\' | b'/')) => (char::from(b), 2),
            Some(b'u') => {
                let unit = hex(2)?;
                match unit {
                    0xD800..=0xDBFF => {
                        // A surrogate pair: the high half, then `\u` and the low half.
                        let low = (rest.get(6..8) == Some("\\u"))
                            .then(|| hex(8))
                            .flatten()
                            .filter(|low| (0xDC00..=0xDFFF).contains(low))?;
                        let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                        (char::from_u32(code)?, 12)
                    }
                    _ => (char::from_u32(unit)?, 6),
                }
            }
            _ => return None,
        };
        out.push(c);
        extra += len - c.len_utf8();
        escapes.push((out.len(), extra));
        from = at + len;
    }
}

/// `line` with the contents of the JSON string at `string` (quotes included) left out: the
/// string becomes `""`.
fn without_contents(line: &str, string: Range<usize>) -> String {
    [&line[..string.start + 1], &line[string.end - 1..]].concat()
}

/// The range of the field at `path`, a top-level string, with its text decoded into
/// `decoded`, found without serde_json reading the text: the record with the string's
/// contents left out is parsed instead, and must have the field, empty, at the same place.
/// `None` leaves the record to the full parse (a nested path, a key written with escapes, a
/// field that is no string, bad JSON).
fn top_level_string(line: &str, path: &[String], decoded: &mut Decoded) -> Option<Range<usize>> {
    let [name] = path else { return None };
    let key = serde_json::to_string(name).ok()?;
    let bytes = line.as_bytes();
    let space = |at: &mut usize| {
        while matches!(bytes.get(*at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            *at += 1;
        }
    };
    for found in memchr::memmem::find_iter(bytes, key.as_bytes()) {
        let mut at = found + key.len();
        space(&mut at);
        if bytes.get(at) != Some(&b':') {
            continue;
        }
        at += 1;
        space(&mut at);
        let end = unescape_at(line, at, decoded)?;
        let shell = without_contents(line, at..end);
        let map = members(&shell, "the record").ok()?;
        let value = map.get(name.as_str())?.get();
        let offset = value.as_ptr() as usize - shell.as_ptr() as usize;
        return (offset == at && value == "\"\"").then_some(at..end);
    }
    None
}

/// The top-level member `name` of the record `line` as text: a string's value, or the JSON
/// text of a number or boolean. `None` when the line is not an object, or the member is
/// missing, null, an array or an object. Used to name records (`id`, `url`) in reports.
pub fn top_level_text(line: &str, name: &str) -> Option<String> {
    let map = members(line, "the record").ok()?;
    let raw = map.get(name)?.get();
    match raw.as_bytes().first()? {
        b'"' => serde_json::from_str::<String>(raw).ok(),
        b'{' | b'[' | b'n' => None,
        _ => Some(raw.to_owned()),
    }
}

fn splice(line: &str, range: Range<usize>, with: &str) -> String {
    let mut out = String::with_capacity(line.len() - range.len() + with.len());
    out.push_str(&line[..range.start]);
    out.push_str(with);
    out.push_str(&line[range.end..]);
    out
}

/// The members of the JSON object in `text`, each value as its raw text.
fn members<'a>(
    text: &'a str,
    what: &str,
) -> Result<HashMap<Cow<'a, str>, &'a RawValue>, RecordError> {
    serde_json::from_str(text).map_err(|_| match serde_json::from_str::<IgnoredAny>(text) {
        Ok(_) => RecordError::NotObject(what.to_owned()),
        // The syntax error ("EOF while parsing a list"), not the map's complaint about the
        // first token ("invalid type: sequence, expected a map at line 1 column 0").
        Err(syntax) => RecordError::NotJson(syntax.to_string()),
    })
}

/// The field's value (at `range` in `line`) decoded as a string, or why not: another type of
/// value, or a string JSON cannot decode to text (a lone UTF-16 surrogate escape such as
/// `\ud800`).
fn field_string<'a, T: serde::Deserialize<'a>>(
    line: &'a str,
    range: Range<usize>,
    format: &RecordFormat,
) -> Result<T, RecordError> {
    let raw = &line[range.clone()];
    serde_json::from_str(raw).map_err(|e| {
        if !raw.starts_with('"') {
            return RecordError::NotString(format.field());
        }
        // serde_json counts from the start of the value; say where it is in the line.
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        RecordError::NotJson(format!(
            "{message} in field '{}' at line 1 column {}",
            format.field(),
            range.start + e.column()
        ))
    })
}

/// Byte range in `line` of the value at `path`.
fn find_field(line: &str, path: &[String]) -> Result<Range<usize>, RecordError> {
    let mut object = line;
    let mut what = "the record".to_owned();
    let mut value: Option<&RawValue> = None;
    for (depth, key) in path.iter().enumerate() {
        let map = members(object, &what)?;
        let found = *map
            .get(key.as_str())
            .ok_or_else(|| RecordError::MissingField(path[..=depth].join(".")))?;
        object = found.get();
        what = format!("field '{}'", path[..=depth].join("."));
        value = Some(found);
    }
    let value = value.expect("a field path has at least one key");
    let start = value.get().as_ptr() as usize - line.as_ptr() as usize;
    Ok(start..start + value.get().len())
}

/// `line` with top-level member `name` set to the stats `value`: replacing the stats of an
/// earlier run (an object of their keys only), else added at the end of the object. A member
/// of that name that holds anything else is the record's own data: refused.
fn set_top_level(line: &str, name: &str, value: &str) -> Result<String, RecordError> {
    let map = members(line, "the record")?;
    if let Some(old) = map.get(name) {
        let stats = serde_json::from_str::<HashMap<&str, IgnoredAny>>(old.get()).is_ok_and(|m| {
            (m.keys()).all(|k| ["removed", "removed_bytes", "boilerplate"].contains(k))
        });
        if !stats {
            return Err(RecordError::FieldTaken(name.to_owned()));
        }
        let start = old.get().as_ptr() as usize - line.as_ptr() as usize;
        return Ok(splice(line, start..start + old.get().len(), value));
    }
    let close = line.rfind('}').expect("an object ends with }");
    let before = line[..close].trim_end();
    let comma = if before.ends_with('{') { "" } else { ", " };
    let key = serde_json::to_string(name).expect("a string always encodes");
    Ok(format!(
        "{before}{comma}{key}: {value}{}",
        &line[before.len()..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn clean(line: &str, field: &str) -> Result<String, RecordError> {
        let format = RecordFormat::new(field);
        clean_record(line.as_bytes(), &Cleaner::new(), &format).map(|r| r.line.into_owned())
    }

    const TEXT: &str = r#""Headline here\n\nBody text.\n\nHeadline here""#;

    proptest::proptest! {
        /// The fast decoder reads every JSON string as serde_json does, and leaves to it
        /// exactly the strings serde_json rejects (lone surrogates).
        #[test]
        fn unescape_decodes_as_serde_json(
            pieces in proptest::collection::vec(proptest::prop_oneof![
                // Long plain runs put escapes and the end on either side of 64-byte blocks.
                "[a-z]{0,70}",
                "[a-z é\"\\\\/\t\n\u{1F600}\u{7f}]{0,8}".prop_map(|s| {
                    let json = serde_json::to_string(&s).unwrap();
                    json[1..json.len() - 1].to_owned()
                }),
                proptest::sample::select(vec![
                    "\\n", "\\t", "\\r", "\\b", "\\f", "\\/", "\\\"", "\\\\",
                    "\\u00e9", "\\u00E9", "\\u0000", "\\u001f", "\\ud83d\\ude00",
                    "\\uD83D\\uDE00", "\\ud800", "\\udc00", "\\ud83d\\u0041", "\\ud83d",
                    // Raw control characters and quotes, which no JSON string holds.
                    "\t", "\u{1}", "\u{1f}", "\"", "\\x", "\\u12g4",
                ]).prop_map(str::to_owned),
            ], 0..12)
        ) {
            let raw = format!("\"{}\"", pieces.concat());
            let mut fast = Decoded::default();
            match serde_json::from_str::<String>(&raw) {
                Ok(text) => {
                    proptest::prop_assert!(unescape(&raw, &mut fast), "{}", raw);
                    proptest::prop_assert_eq!(&fast.text, &text);
                    // Every character boundary of the text maps to where the character is in
                    // the JSON, so any piece of the text is copied as the JSON wrote it.
                    let contents = &raw[1..raw.len() - 1];
                    for (at, _) in text.char_indices().chain([(text.len(), ' ')]) {
                        let piece = &contents[fast.raw_offset(at)..];
                        let rest: String = serde_json::from_str(&format!("\"{piece}\"")).unwrap();
                        proptest::prop_assert_eq!(rest, &text[at..]);
                    }
                }
                Err(_) => proptest::prop_assert!(!unescape(&raw, &mut fast), "{}", raw),
            }
        }

        /// A top-level string field is found where the full parse finds it, with the same
        /// text, or left to the full parse; whatever the other members, their order, the
        /// spacing, duplicate and nested keys of the same name, strings that hold the key, and
        /// broken JSON around it.
        #[test]
        fn top_level_strings_are_found_as_by_the_full_parse(
            members in proptest::collection::vec(proptest::prop_oneof![
                proptest::sample::select(vec![
                    r#""text": "a\nb""#, r#""text":"x\"text\": \"y""#, r#" "text" : "\u00e9\n" "#,
                    r#""text": 5"#, r#""text": null"#, r#""text": {"text": "in"}"#,
                    r#""type": "text""#, r#""t": "\"text\": \"z\"""#, r#""a": ["text", "text"]"#,
                    r#""text": "bad	tab""#, r#""text": "\ud800""#, r#""text": "\q""#,
                    r#""te\u0078t": "esc""#, r#""n": 1.5e3"#, r#""text": "ok""#,
                    r#""x": "\\"text": "#, r#""text": "unterminated"#, r#""o": {"#,
                    r#""text": """#, r#""text" "no colon""#,
                ]).prop_map(str::to_owned),
            ], 0..5),
            name in proptest::sample::select(vec!["text", "t", "x"]),
        ) {
            let line = format!("{{{}}}", members.join(", "));
            let path = vec![name.to_owned()];
            let mut fast = Decoded::default();
            if let Some(range) = top_level_string(&line, &path, &mut fast) {
                let full = find_field(&line, &path);
                proptest::prop_assert_eq!(full, Ok(range.clone()), "{}", line);
                let text: String = serde_json::from_str(&line[range]).unwrap();
                proptest::prop_assert_eq!(&fast.text, &text, "{}", line);
            }
        }
    }

    #[test]
    fn site_and_headline_are_read_without_the_text() {
        let line = r#"{"title": "T \"1\"", "text": "a \"b\"\nc", "url": "https://x.org/p"}"#;
        let at = line.find("\"a ").unwrap();
        let range = at..line.find(", \"url").unwrap();
        let format = RecordFormat::new("text");
        let others = format.other_fields(line, Some(range.clone()));
        assert_eq!(
            others,
            r#"{"title": "T \"1\"", "text": "", "url": "https://x.org/p"}"#
        );
        assert_eq!(format.grouping.site_of(&others), "x.org");
        assert_eq!(
            format.grouping.title_of(&others).as_deref(),
            Some("T \"1\"")
        );
        // A grouping that reads the cleaned field itself reads the whole record.
        let by_text = RecordFormat::new("text").grouping(Grouping {
            title_field: "text".into(),
            ..Grouping::default()
        });
        assert_eq!(by_text.other_fields(line, Some(range)), line);
    }

    #[test]
    fn a_plain_record_takes_the_fast_way() {
        let line = format!(r#"{{"id": 7, "text" : {TEXT}, "url": "u"}}"#);
        let mut fast = Decoded::default();
        let range = top_level_string(&line, &["text".to_owned()], &mut fast);
        assert_eq!(range, find_field(&line, &["text".to_owned()]).ok());
        assert_eq!(fast.text, "Headline here\n\nBody text.\n\nHeadline here");
    }

    #[test]
    fn only_the_field_changes() {
        let line = format!(r#"{{"id": 1.50, "text": {TEXT}, "z":[1e3, "\u00e9"]}}"#);
        assert_eq!(
            clean(&line, "text").unwrap(),
            r#"{"id": 1.50, "text": "Headline here\n\nBody text.", "z":[1e3, "\u00e9"]}"#
        );
    }

    #[test]
    fn kept_text_is_written_as_the_record_wrote_it() {
        // Escapes that decode to the same text stay as they were: `\u00e9`, `\/`, `\u2019`,
        // a surrogate pair, and a repeat written with other escapes is still a repeat.
        let line = r#"{"text": "Caf\u00e9 \/ bar\n\nIt\u2019s \ud83d\ude00 here.\n\nCaf\u00E9 \/ bar\n\nEnd \"quoted\"\t."}"#;
        assert_eq!(
            clean(line, "text").unwrap(),
            r#"{"text": "Caf\u00e9 \/ bar\n\nIt\u2019s \ud83d\ude00 here.\n\nEnd \"quoted\"\t."}"#
        );
    }

    #[test]
    fn unchanged_records_are_borrowed() {
        let line = r#"{"text": "One.\n\nTwo.", "n": 1}"#;
        let format = RecordFormat::new("text");
        let got = clean_record(line.as_bytes(), &Cleaner::new(), &format).unwrap();
        assert!(matches!(got.line, Cow::Borrowed(l) if l == line));
    }

    #[test]
    fn nested_fields() {
        let line = format!(r#"{{"content": {{"body": {TEXT}, "x": 2}}, "text": "keep"}}"#);
        assert_eq!(
            clean(&line, "content.body").unwrap(),
            r#"{"content": {"body": "Headline here\n\nBody text.", "x": 2}, "text": "keep"}"#
        );
    }

    #[test]
    fn stats_field_is_added_or_replaced() {
        let format = RecordFormat::new("text").stats_field(Some("paradedup"));
        let line = format!(r#"{{"text": {TEXT}}}"#);
        let got = clean_record(line.as_bytes(), &Cleaner::new(), &format).unwrap();
        let v: serde_json::Value = serde_json::from_str(&got.line).unwrap();
        assert_eq!(v["paradedup"]["removed"], 1);
        assert_eq!(v["paradedup"]["removed_bytes"], "\n\nHeadline here".len());
        let again = clean_record(got.line.as_bytes(), &Cleaner::new(), &format).unwrap();
        let v: serde_json::Value = serde_json::from_str(&again.line).unwrap();
        assert_eq!(v["paradedup"]["removed"], 0);
        assert_eq!(again.line.matches("paradedup").count(), 1);
        // A field of the record's own under that name is never replaced.
        for own in [
            r#""abc""#,
            "7",
            r#"{"removed": 1, "note": "x"}"#,
            "[]",
            "null",
        ] {
            let line = format!(r#"{{"text": {TEXT}, "paradedup": {own}}}"#);
            assert_eq!(
                clean_record(line.as_bytes(), &Cleaner::new(), &format),
                Err(RecordError::FieldTaken("paradedup".into())),
                "{own}"
            );
        }
    }

    #[test]
    fn bad_records_say_why() {
        assert!(matches!(
            clean("{nope", "text"),
            Err(RecordError::NotJson(_))
        ));
        assert_eq!(
            clean("[1, 2]", "text"),
            Err(RecordError::NotObject("the record".into()))
        );
        assert_eq!(
            clean(r#"{"body": "x"}"#, "text"),
            Err(RecordError::MissingField("text".into()))
        );
        assert_eq!(
            clean(r#"{"text": 3}"#, "text"),
            Err(RecordError::NotString("text".into()))
        );
        assert_eq!(
            clean(r#"{"a": 3}"#, "a.b"),
            Err(RecordError::NotObject("field 'a'".into()))
        );
        assert_eq!(
            clean(r#"{"a": {}}"#, "a.b"),
            Err(RecordError::MissingField("a.b".into()))
        );
        let format = RecordFormat::new("text");
        assert_eq!(
            clean_record(b"{\"text\": \"\xff\"}", &Cleaner::new(), &format),
            Err(RecordError::InvalidUtf8 { offset: 10 })
        );
    }

    #[test]
    fn inspect_sees_the_cleaned_field() {
        let line = format!(r#"{{"id": 7, "text": {TEXT}}}"#);
        let format = RecordFormat::new("text");
        let mut seen = None;
        let got = clean_record_with(line.as_bytes(), &Cleaner::new(), &format, &mut |c| {
            seen = Some((c.original().to_owned(), c.removals().count()));
        })
        .unwrap();
        assert_eq!(got.stats.removed_paragraphs, 1);
        assert_eq!(
            seen,
            Some(("Headline here\n\nBody text.\n\nHeadline here".to_owned(), 1))
        );
    }

    #[test]
    fn top_level_text_names_records() {
        let line = r#"{"id": 12, "url": "https://a.example/\u00e9?q=<x>", "n": null, "o": {}}"#;
        assert_eq!(top_level_text(line, "id").as_deref(), Some("12"));
        assert_eq!(
            top_level_text(line, "url").as_deref(),
            Some("https://a.example/\u{e9}?q=<x>")
        );
        assert_eq!(top_level_text(line, "n"), None);
        assert_eq!(top_level_text(line, "o"), None);
        assert_eq!(top_level_text(line, "missing"), None);
        assert_eq!(top_level_text("[1]", "id"), None);
    }

    /// `[1, 2` used to be reported as "invalid type: sequence, expected a map", and a string
    /// with a lone surrogate escape as "not a string".
    #[test]
    fn bad_json_names_the_syntax_error() {
        let Err(RecordError::NotJson(why)) = clean("[1, 2", "text") else {
            panic!("not a syntax error");
        };
        assert!(why.starts_with("EOF while parsing a list"), "{why}");
        let Err(RecordError::NotJson(why)) = clean(r#"{"text": "\ud800 x"}"#, "text") else {
            panic!("not a syntax error");
        };
        assert_eq!(
            why,
            "unexpected end of hex escape in field 'text' at line 1 column 17"
        );
        // A pair of surrogates is one character.
        assert!(clean(r#"{"text": "\ud83d\ude00"}"#, "text").is_ok());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(clean(&deep, "text").is_err());
        let deep_obj = format!("{}1{}", r#"{"a":"#.repeat(50_000), "}".repeat(50_000));
        assert!(clean(&deep_obj, "text").is_err());
    }
}
