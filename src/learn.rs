//! `paradedup learn` and `paradedup merge`, and the counting pass of `--across`: pages ->
//! per-site paragraph counts (a [`State`]).

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, IsTerminal, Read, Write};
use std::ops::ControlFlow;

use rayon::prelude::*;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use paradedup::boilerplate::{page_fingerprints, page_key, State};
use paradedup::jsonl::{record_page, GroupBy, Grouping, RecordFormat};
use paradedup::{decode, Unit};

use crate::cli::{self, LearnArgs, MergeArgs};
use crate::files::{self, Source};
use crate::readahead::{split_bom, split_ending, ReadAhead};

/// How `learn` reads pages.
pub struct Reading {
    /// Read every input as JSON Lines.
    pub jsonl: bool,
    /// Where the text is in records, and how records are grouped.
    pub format: RecordFormat,
    /// How records and files are grouped.
    pub grouping: Grouping,
    /// How pages are cut into units.
    pub unit: Unit,
    /// Whether inputs and records that cannot be counted are reported on stderr (not by
    /// `--across`, whose cleaning pass reports them as its `--on-error` says).
    pub report: bool,
}

/// The grouping chosen by the flags.
pub fn grouping(g: &cli::Grouping) -> Grouping {
    Grouping {
        by: match g.group_by.as_deref() {
            None => GroupBy::Site,
            Some("dir") => GroupBy::Dir,
            Some("none") => GroupBy::None,
            Some(field) => GroupBy::Field(field.to_owned()),
        },
        site_field: g.site_field.clone(),
        url_field: g.url_field.clone(),
        // Counting reads no headline: the headline guard is the cleaning run's.
        ..Grouping::default()
    }
}

/// The site of a plain-text file: its directory, unless grouping says one group. The
/// directory as named, without `.` parts: `./site/a.txt` and `site/a.txt` are pages of one
/// site, `site`.
pub fn file_site(path: &Path, grouping: &Grouping) -> String {
    match grouping.by {
        GroupBy::None => String::new(),
        _ => path
            .parent()
            .map(|dir| {
                let parts = dir.components().filter(|c| *c != Component::CurDir);
                parts.collect::<PathBuf>().display().to_string()
            })
            .unwrap_or_default(),
    }
}

/// Counts every page of `sources`, calling `page(site, fingerprints)` for each, in input
/// order, until it breaks; pages are fingerprinted on all threads of the current rayon pool.
/// Bad inputs and records are reported on stderr and skipped; returns which were.
pub fn each_page(sources: &[Source], reading: &Reading, page: &mut Count) -> Failed {
    let mut counter = Counter::new(page, reading.report);
    let mut texts = Vec::new();
    for src in sources {
        if counter.stopped {
            break;
        }
        if !src.is_jsonl(reading.jsonl) {
            texts.push(src);
            if texts.len() == TEXTS_AT_ONCE {
                counter.then(|| each_text(&texts, reading));
                texts.clear();
            }
            continue;
        }
        counter.then(|| each_text(&texts, reading));
        texts.clear();
        match src.open() {
            Ok(reader) => {
                let regular_file = src.is_regular_file();
                let format = match src {
                    Source::File { path, .. } => {
                        (reading.format).in_dir(|| file_site(path, &reading.grouping))
                    }
                    Source::Stdin => Cow::Borrowed(&reading.format),
                };
                let reading = (&*format, reading.unit);
                each_record(reader, regular_file, &src.label(), reading, &mut counter);
            }
            Err(err) => counter.then(|| vec![Err(Uncounted::input(src, &err))]),
        }
    }
    counter.then(|| each_text(&texts, reading));
    counter.finish()
}

/// What is called with each page's site and fingerprints, in input order; `Break` stops the
/// reading. It may run on any thread, while the next pages are fingerprinted.
pub type Count<'a> = dyn FnMut(&str, &[u64]) -> ControlFlow<()> + Send + 'a;

/// Pages fingerprinted, in input order: each its site and fingerprints, or what to report
/// instead.
type Batch = Vec<Result<(String, Vec<u64>), Uncounted>>;

/// What could not be counted: the message that names it, and whether it was an input that
/// could not be read (a file that cannot be opened, a read error), not a bad page or record.
struct Uncounted {
    message: String,
    input: bool,
}

impl Uncounted {
    /// The input `src`, which cannot be read for `err`.
    fn input(src: &Source, err: &dyn std::fmt::Display) -> Uncounted {
        Uncounted {
            message: format!("{}: {err}", src.label()),
            input: true,
        }
    }
}

/// Which pages were not counted: those of inputs that could not be read, or bad pages and
/// records (not UTF-8, not JSON, without the text field).
#[derive(Clone, Copy, Debug, Default)]
pub struct Failed {
    /// An input could not be read.
    pub inputs: bool,
    /// A page or record was bad.
    pub records: bool,
}

impl Failed {
    /// Whether anything was not counted.
    pub fn any(self) -> bool {
        self.inputs || self.records
    }

    fn add(&mut self, uncounted: &Uncounted) {
        match uncounted.input {
            true => self.inputs = true,
            false => self.records = true,
        }
    }

    fn or(self, other: Failed) -> Failed {
        Failed {
            inputs: self.inputs || other.inputs,
            records: self.records || other.records,
        }
    }
}

/// Counts batches of pages while the next is fingerprinted: counting is serial (one state, in
/// input order), and waiting for it would leave the other threads idle.
struct Counter<'a, 'b> {
    page: &'a mut Count<'b>,
    /// Whether what cannot be counted is reported.
    report: bool,
    /// The batch fingerprinted last, not yet counted.
    waiting: Batch,
    failed: Failed,
    /// Whether `page` said to stop.
    stopped: bool,
}

impl<'a, 'b> Counter<'a, 'b> {
    fn new(page: &'a mut Count<'b>, report: bool) -> Self {
        Counter {
            page,
            report,
            waiting: Vec::new(),
            failed: Failed::default(),
            stopped: false,
        }
    }

    /// Counts the batch waiting while `fingerprint` makes the next (unless counting stopped).
    fn then(&mut self, fingerprint: impl FnOnce() -> Batch + Send) {
        if self.stopped {
            return;
        }
        let waiting = std::mem::take(&mut self.waiting);
        let (page, report) = (&mut *self.page, self.report);
        let counting = || count(waiting, report, page);
        let (next, (failed, stopped)) = rayon::join(fingerprint, counting);
        self.waiting = next;
        self.failed = self.failed.or(failed);
        self.stopped |= stopped;
    }

    /// Counts the last batch; returns which inputs and records were not counted.
    fn finish(mut self) -> Failed {
        if !self.stopped {
            let waiting = std::mem::take(&mut self.waiting);
            let (failed, _) = count(waiting, self.report, self.page);
            self.failed = self.failed.or(failed);
        }
        self.failed
    }
}

/// Calls `page` for every page of `batch`, reporting the others when asked to, until `page`
/// breaks; returns which others there were, and whether it broke.
fn count(batch: Batch, report: bool, page: &mut Count) -> (Failed, bool) {
    let mut failed = Failed::default();
    for result in batch {
        match result {
            Ok((site, fingerprints)) => {
                if page(&site, &fingerprints).is_break() {
                    return (failed, true);
                }
            }
            Err(err) => {
                if report {
                    stderr_line!("paradedup: {}", err.message);
                }
                failed.add(&err);
            }
        }
    }
    (failed, false)
}

/// Plain-text inputs fingerprinted together.
const TEXTS_AT_ONCE: usize = 64;

/// Reads and fingerprints plain-text inputs on all threads.
fn each_text(texts: &[&Source], reading: &Reading) -> Batch {
    texts
        .par_iter()
        .map(|&src| {
            let mut bytes = Vec::new();
            src.open()
                .and_then(|mut r| r.read_to_end(&mut bytes))
                .map_err(|e| Uncounted::input(src, &e))?;
            // A page that is not text is not counted, as a bad record is not.
            let text = decode(&bytes).map_err(|e| Uncounted {
                message: format!("{}: {e}{}", src.label(), files::compressed_hint(&bytes)),
                input: false,
            })?;
            let site = match src {
                Source::File { path, .. } => file_site(path, &reading.grouping),
                Source::Stdin => String::new(),
            };
            Ok((site, page_fingerprints(text, reading.unit)))
        })
        .collect()
}

/// A few pieces of JSON Lines are fingerprinted at a time, on all threads.
const PIECES_AT_ONCE: usize = 16;

/// Counts every record of a JSON Lines input, in input order. Records are read ahead and
/// fingerprinted on all threads (the current rayon pool); bad ones are reported on stderr and
/// skipped.
fn each_record(
    reader: impl Read + Send + 'static,
    regular_file: bool,
    label: &str,
    (format, unit): (&RecordFormat, Unit),
    counter: &mut Counter,
) {
    let mut pieces = ReadAhead::new(reader, regular_file);
    let mut ended = false;
    while !ended && !counter.stopped {
        // What has been read (waiting only for the first piece), up to a few pieces.
        let mut batch = Vec::new();
        let mut read_error = None;
        while batch.len() < PIECES_AT_ONCE && (batch.is_empty() || pieces.ready()) {
            match pieces.next() {
                Some(Ok(piece)) => batch.push(piece),
                Some(Err(err)) => {
                    read_error = Some(Err(Uncounted {
                        message: format!("{label}: {err}"),
                        input: true,
                    }));
                    ended = true;
                    break;
                }
                None => {
                    ended = true;
                    break;
                }
            }
        }
        counter.then(|| {
            let mut pages: Batch = batch
                .par_iter()
                .flat_map_iter(|piece| {
                    piece.lines().filter_map(|(number, line)| {
                        let (body, _) = split_ending(line);
                        let (_, body) = split_bom(number, body);
                        if body.iter().all(u8::is_ascii_whitespace) {
                            return None;
                        }
                        let page = record_page(body, format)
                            .map(|(site, text)| (site, page_fingerprints(&text, unit)))
                            .map_err(|err| {
                                let hint = files::record_hint(number, body);
                                Uncounted {
                                    message: format!("{label}:{number}: {err}{hint} (not counted)"),
                                    input: false,
                                }
                            });
                        Some(page)
                    })
                })
                .collect();
            pages.extend(read_error);
            pages
        });
    }
}

/// Counts `sources` into a state.
pub fn learn_state(sources: &[Source], reading: &Reading) -> (State, Failed) {
    let mut state = State::new();
    let failed = each_page(sources, reading, &mut |site, fps| {
        state.add_fingerprints(site, fps);
        ControlFlow::Continue(())
    });
    warn_one_site(sources, reading, &state);
    (state, failed)
}

/// Says so when JSON Lines records were read and none named a site: a misspelt `--site-field`
/// or `--group-by` field makes one site of every page, and a paragraph common to many sites'
/// pages (a wire story) would go as boilerplate of it.
fn warn_one_site(sources: &[Source], reading: &Reading, state: &State) {
    let records = sources.iter().any(|s| s.is_jsonl(reading.jsonl));
    // One page is no boilerplate of anything: nothing to warn of.
    let one_unnamed = state.sites().count() == 1 && state.site("").is_some_and(|s| s.pages > 1);
    if !records || !one_unnamed || matches!(reading.grouping.by, GroupBy::None | GroupBy::Dir) {
        return;
    }
    let g = &reading.grouping;
    let fields = match &g.by {
        GroupBy::Field(field) => format!("`{field}`"),
        _ => format!("`{}` or `{}`", g.site_field, g.url_field),
    };
    stderr_line!(
        "paradedup: warning: no page names its site (no string field {fields}): all are \
         counted as one site (--group-by none says so on purpose)"
    );
}

fn expand(files: &[PathBuf], recursive: bool, globs: &[String]) -> (Vec<Source>, bool) {
    if files.is_empty() {
        return (vec![Source::Stdin], false);
    }
    let mut failed = false;
    let mut sources = Vec::new();
    for s in files::expand(files, recursive, globs) {
        match s {
            Ok(src) => sources.push(src),
            Err((path, err)) => {
                stderr_line!("paradedup: {}: {err}", path.display());
                failed = true;
            }
        }
    }
    (sources, failed)
}

/// Writes `bytes` to `path`, or standard output for `-`. A file is replaced atomically; a pipe
/// or a device (`/dev/stdout`, `>(gzip > s.gz)`) is written to as it is.
fn write_output(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    if path == Path::new("-") {
        let mut out = io::stdout().lock();
        out.write_all(bytes)?;
        return out.flush();
    }
    if files::is_stream(path).map_err(named)? {
        let mut out = File::options().write(true).open(path).map_err(named)?;
        return out.write_all(bytes).map_err(named);
    }
    files::write_atomic(path, bytes).map_err(named)
}

/// Refuses, before any work, an output file that is not a state file (`learn -o crawl.jsonl
/// crawl.jsonl`): it would be replaced by one.
fn check_output(path: &Path) -> io::Result<()> {
    if path == Path::new("-") {
        return Ok(());
    }
    let header = paradedup::boilerplate::HEADER
        .split_once(' ')
        .map_or("", |(name, _)| name);
    files::replaceable(path, header.as_bytes(), "a state file")
}

/// `paradedup learn`.
pub fn learn(args: &LearnArgs) -> io::Result<ExitCode> {
    if args.files.is_empty() && io::stdin().is_terminal() {
        stderr_line!("paradedup: no input: give pages, or pipe them in (see learn --help)");
        return Ok(ExitCode::from(2));
    }
    check_output(&args.output)?;
    let (sources, mut failed) = expand(&args.files, args.recursive, &args.globs);
    if !failed {
        files::warn_if_nothing(sources.len(), &args.files, &args.globs);
    }
    // A state counted without an input (a misspelt name) would replace a good one: none is
    // made. Bad records are named, and the state is made of the others.
    if failed && !args.pairs {
        return Ok(not_written(&args.output));
    }
    let grouping = grouping(&args.grouping);
    let reading = Reading {
        jsonl: args.jsonl,
        format: RecordFormat::new(&args.field).grouping(grouping.clone()),
        grouping,
        unit: args.unit.into(),
        report: true,
    };
    let mut bytes = Vec::new();
    if args.pairs {
        // Streamed: an engine reading these needs no state in between. Not locked: the lines
        // may be written from any thread of the pool.
        let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
        let mut write_err = None;
        // Every page, each line with its page's key: the engine drops repeated lines before
        // it counts, and so counts a page that is in the input twice once, as `learn` does.
        // A set of the pages seen here would grow without end, and would miss copies in other
        // shards anyway.
        let uncounted = each_page(&sources, &reading, &mut |site, fps| {
            let key = page_key(site, fps);
            let site = site.replace(['\t', '\n', '\r'], " ");
            let mut lines = format!("{site}\t*\t{key:016x}\n");
            for fp in fps {
                lines.push_str(&format!("{site}\t{fp:016x}\t{key:016x}\n"));
            }
            match out.write_all(lines.as_bytes()) {
                Ok(()) => ControlFlow::Continue(()),
                // Reading on would be for nothing (a reader that has had enough, a full disk).
                Err(err) => {
                    write_err = Some(err);
                    ControlFlow::Break(())
                }
            }
        });
        failed |= uncounted.any();
        let writing = |err: io::Error| io::Error::new(err.kind(), format!("writing output: {err}"));
        if let Some(err) = write_err {
            return Err(writing(err));
        }
        out.flush().map_err(writing)?;
    } else {
        let (state, bad) = learn_state(&sources, &reading);
        if bad.inputs {
            return Ok(not_written(&args.output));
        }
        failed |= bad.records;
        state.write_to(&mut bytes)?;
        write_output(&args.output, &bytes)?;
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Says that no state was written, after the inputs that could not be read were named: exit
/// status 2.
fn not_written(output: &Path) -> ExitCode {
    let name = match output == Path::new("-") {
        true => "standard output".to_string(),
        false => output.display().to_string(),
    };
    stderr_line!(
        "paradedup: no state written to {name}: an input could not be read (see above), and \
         a state is made only from all of them"
    );
    ExitCode::from(2)
}

/// Reads a state file, naming it in errors.
pub fn read_state(path: &Path) -> io::Result<State> {
    let file = File::open(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    State::read_from(&mut BufReader::new(file))
        .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))
}

/// `paradedup merge`.
pub fn merge(args: &MergeArgs) -> io::Result<ExitCode> {
    check_output(&args.output)?;
    let mut total = State::new();
    for path in &args.states {
        total.merge(read_state(path)?);
    }
    let mut bytes = Vec::new();
    total.write_to(&mut bytes)?;
    write_output(&args.output, &bytes)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_files_site_is_its_directory_without_dot_parts() {
        let site = |path: &str| file_site(Path::new(path), &Grouping::default());
        for path in [
            "site/a.txt",
            "./site/a.txt",
            "site/./a.txt",
            "././site/a.txt",
        ] {
            assert_eq!(site(path), "site", "{path}");
        }
        assert_eq!(site("./a/../b/c.txt"), "a/../b");
        assert_eq!(site("a.txt"), "");
        assert_eq!(site("/news/world/a.txt"), "/news/world");
        let none = Grouping {
            by: GroupBy::None,
            ..Grouping::default()
        };
        assert_eq!(file_site(Path::new("site/a.txt"), &none), "");
    }
}
