//! Arguments -> reading inputs, cleaning them, writing the chosen output.
//!
//! Plain-text documents are independent: they are cleaned on all threads, a few per task, and
//! their output is written in input order as it comes back. A JSON Lines input is streamed: a
//! thread reads ahead in pieces of whole lines, each piece is cleaned as one task on the pool
//! while earlier ones are written in order and flushed; memory stays bounded by the pieces in
//! flight (a few MiB), not the input.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use paradedup::boilerplate::{Rule, State};
use paradedup::html::{Document, Section};
use paradedup::jsonl::{clean_record_with, CleanedRecord, Grouping, RecordError, RecordFormat};
use paradedup::render::{self, DiffStyle, Report};
use paradedup::{decode, Cleaner, PageSite, Stats};
use std::sync::Arc;

use crate::cli::{Args, ColorWhen, OnError};
use crate::files::{self, Source};
use crate::learn;
use crate::ordered::InOrder;
use crate::readahead::{split_bom, split_ending, Piece, ReadAhead};
use crate::review::{self, Review};
use crate::stdout::{Escaping, UntilClosed};

/// Text documents cleaned as one task…
const TASK_DOCS: usize = 16;
/// …with at most this many tasks being cleaned or waiting to be written.
const TASKS_IN_FLIGHT: usize = 8;
/// Threads that write cleaned files (`--in-place`, `--output-dir`), besides those that clean.
/// Each mostly waits for the disk to confirm a sync; several waiting together share one
/// journal commit, so files are written several times faster than one by one.
const WRITERS: usize = 16;
/// Documents cleaned and waiting for their file to be written, at most.
const WRITES_IN_FLIGHT: usize = 2 * WRITERS;
/// JSON Lines input being cleaned or waiting to be written, at most (plus one piece); the
/// reader holds up to 4 MiB more.
const IN_FLIGHT_BYTES: usize = 4 << 20;

/// What to print for each input.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Clean,
    Diff,
    Json,
    Check,
}

/// Where cleaned text goes.
#[derive(Clone, PartialEq, Eq)]
enum Dest {
    Stdout,
    InPlace { dry_run: bool },
    OutputDir(PathBuf),
}

impl Dest {
    /// Whether a document's cleaned text is written to a file: always into `--output-dir`,
    /// in place only when something was removed (and not with `--dry-run`).
    fn writes_file(&self, changed: bool) -> bool {
        match self {
            Dest::OutputDir(_) => true,
            Dest::InPlace { dry_run } => !dry_run && changed,
            Dest::Stdout => false,
        }
    }
}

/// Everything decided once from the arguments.
struct Ctx {
    cleaner: Cleaner,
    mode: Mode,
    dest: Dest,
    /// How diffs are written: for `patch`, or for a terminal.
    diff_style: DiffStyle,
    /// Whether standard output is a terminal, where the control characters of scraped text are
    /// shown escaped (in a diff, also where it is colored on request).
    terminal: bool,
    jsonl: bool,
    format: RecordFormat,
    on_error: OnError,
    pool: rayon::ThreadPool,
    /// The [`WRITERS`], when cleaned text goes to files.
    writers: Option<rayon::ThreadPool>,
    /// Site boilerplate counts, with `--boilerplate` or `--across`.
    boilerplate: Option<(Arc<State>, Rule)>,
    grouping: Grouping,
    /// Render a review page section for each document (`--html`).
    html: bool,
    /// The files written (`--in-place`, `--output-dir`), made durable at the end of the run.
    writes: files::Writes,
}

/// Totals over the run.
#[derive(Default)]
struct Summary {
    documents: usize,
    /// Documents that could not be read, cleaned or written (counted in `documents` too).
    failed_documents: usize,
    changed: usize,
    stats: Stats,
    records: Records,
    failed: bool,
    /// The `--html` page, filled as documents are written.
    review: Option<Review>,
}

/// JSON Lines record counts.
#[derive(Default, Clone, Copy)]
struct Records {
    read: usize,
    written: usize,
    passed: usize,
    skipped: usize,
}

/// What cleaning one text document produced, to be written in order.
#[derive(Default)]
struct Outcome {
    stdout: Vec<u8>,
    stderr: String,
    stats: Stats,
    changed: bool,
    failed: bool,
    /// Size of the input.
    bytes: usize,
    /// The document's part of the `--html` page.
    section: Option<Section>,
    /// The cleaned text, while it waits to be written to the document's file.
    output: Option<Vec<u8>>,
}

impl Ctx {
    /// Whether the run only says what it would remove (`--check`, `--dry-run`), writing no
    /// cleaned text anywhere.
    fn previews(&self) -> bool {
        matches!(
            (&self.dest, self.mode),
            (Dest::Stdout, Mode::Check) | (Dest::InPlace { dry_run: true }, _)
        )
    }
}

impl Source {
    /// How the input is named in messages: on one line, its control characters shown escaped
    /// (see [`render::escape_line`]).
    pub(crate) fn label(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_owned(),
            Source::File { path, .. } => {
                let name = path.display().to_string();
                render::escape_line(&name).into_owned()
            }
        }
    }

    /// How the input is named in its diff's headers (see [`render::diff_name`]), without `.`
    /// parts (`./x.txt` is `x.txt`), which `git apply` refuses.
    fn diff_name(&self) -> Cow<'_, str> {
        match self {
            Source::Stdin => Cow::Borrowed("<stdin>"),
            Source::File { path, .. } => {
                let parts = path.components().filter(|c| *c != Component::CurDir);
                let path: PathBuf = parts.collect();
                Cow::Owned(render::diff_name(path.as_os_str().as_encoded_bytes()).into_owned())
            }
        }
    }

    fn json_path(&self) -> String {
        match self {
            Source::Stdin => "-".to_owned(),
            Source::File { path, .. } => path.display().to_string(),
        }
    }

    /// Whether the input is read as JSON Lines (`forced` by `--jsonl`, else by extension).
    pub(crate) fn is_jsonl(&self, forced: bool) -> bool {
        forced
            || matches!(self, Source::File { path, .. }
                if path.extension().is_some_and(|e| e == "jsonl"))
    }

    /// Whether the input is a regular file (not standard input, a pipe or a device).
    pub(crate) fn is_regular_file(&self) -> bool {
        matches!(self, Source::File { path, .. } if path.metadata().is_ok_and(|m| m.is_file()))
    }

    /// Opens the input for reading.
    pub(crate) fn open(&self) -> io::Result<Box<dyn Read + Send>> {
        Ok(match self {
            Source::Stdin => Box::new(io::stdin()),
            // `files::expand` named the directories given without `--recursive`.
            Source::File { path, .. } => Box::new(File::open(path)?),
        })
    }
}

/// Runs the command; `Err` is an output error (the caller reports it and exits 2).
pub fn run(args: &Args) -> io::Result<ExitCode> {
    // `paradedup -j2 learn … -o s.state` is a cleaning run of a file named `learn` (the
    // commands take no options before them), which would go on to clean the pages into a
    // directory `s.state`: refused before anything is done.
    let missing = args.files.first().filter(|f| !f.exists());
    let command = missing.and_then(|first| {
        let cli = <Args as clap::CommandFactory>::command();
        let name = cli
            .get_subcommands()
            .map(|c| c.get_name())
            .find(|n| first.as_os_str() == *n);
        name.map(str::to_owned)
    });
    if let Some(command) = command {
        return usage(&format!(
            "{command}: no such file; to run `paradedup {command}`, put it first, before any \
             option (see `paradedup {command} --help`)"
        ));
    }
    let Some(mut ctx) = context(args)? else {
        return Ok(ExitCode::from(2));
    };
    let stdin_only = args.files.is_empty();
    if stdin_only && io::stdin().is_terminal() {
        return usage("no input: give a FILE, or pipe text in (see --help)");
    }
    let sources = if stdin_only {
        vec![Ok(Source::Stdin)]
    } else {
        let skip = args.output_dir.as_deref();
        let sources = files::expand_skipping(&args.files, args.recursive, &args.globs, skip);
        match ctx.dest {
            Dest::InPlace { .. } => sources.into_iter().map(rewritable).collect(),
            _ => sources,
        }
    };
    if let Err(message) = check_outputs(args, &sources) {
        return usage(&message);
    }
    if !args.quiet {
        files::warn_if_nothing(sources.len(), &args.files, &args.globs);
        warn_no_records(args, &ctx, &sources);
    }
    let texts_to_stdout = sources
        .iter()
        .filter(|s| !matches!(s, Ok(src) if src.is_jsonl(ctx.jsonl)))
        .count();
    if ctx.dest == Dest::Stdout && ctx.mode == Mode::Clean && texts_to_stdout > 1 {
        return usage(&format!(
            "{texts_to_stdout} text inputs given: printing cleaned text takes one \
             (use --in-place, --output-dir, --diff, --json or --check for several)"
        ));
    }
    if ctx.dest != Dest::Stdout && sources.iter().any(|s| matches!(s, Ok(Source::Stdin))) {
        return usage("--in-place and --output-dir need files, not standard input");
    }
    if ctx.mode == Mode::Diff
        && sources
            .iter()
            .any(|s| matches!(s, Ok(src) if src.is_jsonl(ctx.jsonl)))
    {
        return usage("--diff takes plain text, not JSON Lines (use --json for per-record stats)");
    }
    if ctx.mode == Mode::Json
        && paths_overlap(&args.stats_field, &args.field)
        && sources
            .iter()
            .any(|s| matches!(s, Ok(src) if src.is_jsonl(ctx.jsonl)))
    {
        // The stats would replace the text, or the object holding it (`--field c.body
        // --stats-field c`). The stats field is a top-level key, dots and all, so
        // `--stats-field c.body` would not, but it reads as the same field.
        return usage(&format!(
            "--stats-field {} overlaps --field {} (the same field, or one inside the other): \
             choose another --stats-field",
            args.stats_field, args.field
        ));
    }

    // Only a progress bar needs the sizes: no file is looked at for them otherwise.
    let total = || -> Option<u64> {
        sources
            .iter()
            .map(|s| match s {
                Ok(Source::File { path, .. }) => Some(path.metadata().map_or(0, |m| m.len())),
                Ok(Source::Stdin) => None,
                Err(_) => Some(0),
            })
            .sum()
    };
    if args.across {
        if sources.iter().any(|s| matches!(s, Ok(Source::Stdin))) {
            return usage("--across reads its inputs twice: give files, not standard input");
        }
        // A pipe or device (`/dev/stdin`, `<(…)`, a FIFO) would be used up by the counting
        // pass, and the cleaning pass would find nothing (or wait forever for a writer).
        let stream = sources.iter().find_map(|s| match s {
            Ok(Source::File { path, .. }) => {
                files::is_stream(path).is_ok_and(|s| s).then_some(path)
            }
            _ => None,
        });
        if let Some(path) = stream {
            return usage(&format!(
                "--across reads its inputs twice: {} is a pipe or device, not a file",
                path.display()
            ));
        }
        let files: Vec<Source> = sources
            .iter()
            .filter_map(|s| s.as_ref().ok().cloned())
            .collect();
        let reading = learn::Reading {
            jsonl: ctx.jsonl,
            format: ctx.format.clone(),
            grouping: ctx.grouping.clone(),
            unit: args.unit.into(),
            report: false,
        };
        let (mut state, _) = ctx.pool.install(|| learn::learn_state(&files, &reading));
        let rule = Rule {
            min_pages: args.min_pages,
            min_share: args.min_share,
        };
        state.retain_boilerplate(rule);
        ctx.boilerplate = Some((Arc::new(state), rule));
        ctx.format = ctx.format.clone().boilerplate(ctx.boilerplate.clone());
    }
    // A bar on the terminal that also shows what is printed would be drawn into it.
    let prints = match (&ctx.dest, ctx.mode) {
        (Dest::Stdout, Mode::Check) => false,
        (Dest::Stdout, _) | (_, Mode::Json) => true,
        _ => false,
    };
    let progress = progress_bar(args.quiet || prints && io::stdout().is_terminal(), total);
    let mut out: Box<dyn Write> = Box::new(BufWriter::with_capacity(1 << 16, io::stdout().lock()));
    if args.html.is_some() {
        // The review page is written even when the reader of standard output leaves early.
        out = Box::new(UntilClosed::new(out));
    }
    // A diff escapes its text itself (its colors are escape sequences).
    if ctx.terminal && ctx.mode != Mode::Diff {
        out = Box::new(Escaping::new(out, ctx.jsonl || ctx.mode == Mode::Json));
    }
    let mut summary = Summary::default();
    if let Some(path) = &args.html {
        summary.review = Some(Review::create(path)?);
    }
    let cleaned = clean_all(&ctx, sources, &mut out, &mut summary, &progress);
    // Also when writing to stdout failed: the files written so far are made durable.
    ctx.writes.sync();
    cleaned?;
    out.flush().map_err(writing)?;
    progress.finish_and_clear();
    if let Some(page) = summary.review.take() {
        let path = page.finish(summary.failed)?;
        if !args.quiet {
            stderr_line!("paradedup: review page written to {}", path.display());
        }
        if args.open {
            review::open(&path);
        }
    }

    let batch = summary.documents > 1 || ctx.dest != Dest::Stdout;
    if !args.quiet && (args.verbose || batch) {
        stderr_line!(
            "paradedup: {}",
            summary_line(
                &summary,
                ctx.jsonl || summary.records.read > 0,
                ctx.previews()
            )
        );
    }
    Ok(if summary.failed {
        ExitCode::from(2)
    } else if ctx.mode == Mode::Check && summary.changed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `source` for `--in-place`, or a failure for a FIFO, device or socket, said before it is read
/// (a FIFO without a writer would be waited on forever, `/dev/zero` read until memory runs out).
/// Only files named on the command line are looked at: a walk keeps regular files only.
fn rewritable(source: files::Expanded) -> files::Expanded {
    match source {
        Ok(Source::File { path, root: None }) if files::is_stream(&path).is_ok_and(|s| s) => {
            let err = io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file (a FIFO, device or socket cannot be rewritten in place)",
            );
            Err((path, err))
        }
        source => source,
    }
}

/// Refuses, before anything runs, copies under `--output-dir` that would replace an input
/// (`-o .`) or each other (`a/x.txt` and `b/x.txt` named on the command line both go to
/// `DIR/x.txt`).
fn check_outputs(args: &Args, sources: &[files::Expanded]) -> Result<(), String> {
    let Some(dir) = &args.output_dir else {
        return Ok(());
    };
    let inputs: HashMap<files::FileId, &Path> = sources
        .iter()
        .filter_map(|s| match s {
            Ok(Source::File { path, .. }) => Some((files::FileId::of(path)?, &**path)),
            _ => None,
        })
        .collect();
    let mut copies: HashMap<PathBuf, &Path> = HashMap::with_capacity(sources.len());
    for source in sources {
        let Ok(Source::File { path, root }) = source else {
            continue;
        };
        let copy = files::output_path(path, root.as_deref(), dir);
        if let Some(&input) = files::FileId::of(&copy).and_then(|id| inputs.get(&id)) {
            let replaced = match input == &**path {
                true => "itself".to_owned(),
                false => format!("the input {}", input.display()),
            };
            return Err(format!(
                "--output-dir {}: the copy of {} would replace {replaced} (--in-place \
                 rewrites inputs)",
                dir.display(),
                path.display(),
            ));
        }
        if let Some(other) = copies.insert(copy.clone(), path) {
            return Err(format!(
                "--output-dir {}: {} and {} would both be written to {}",
                dir.display(),
                other.display(),
                path.display(),
                copy.display()
            ));
        }
    }
    Ok(())
}

/// Whether `a` and `b`, read as dotted paths, are the same field or one is inside the other.
fn paths_overlap(a: &str, b: &str) -> bool {
    a.split('.').zip(b.split('.')).all(|(a, b)| a == b)
}

fn usage(message: &str) -> io::Result<ExitCode> {
    stderr_line!("paradedup: {message}");
    Ok(ExitCode::from(2))
}

/// Decides everything from the arguments once; `None` after reporting a bad combination.
fn context(args: &Args) -> io::Result<Option<Ctx>> {
    let cleaner = Cleaner::builder()
        .unit(args.unit.into())
        .threshold(args.threshold)
        .build()
        .map_err(io::Error::other)?;
    let mode = match (args.diff, args.json, args.check) {
        (true, _, _) => Mode::Diff,
        (_, true, _) => Mode::Json,
        (_, _, true) => Mode::Check,
        _ => Mode::Clean,
    };
    let dest = match (&args.output_dir, args.in_place) {
        (Some(dir), _) => Dest::OutputDir(dir.clone()),
        (None, true) => Dest::InPlace {
            dry_run: args.dry_run,
        },
        (None, false) => Dest::Stdout,
    };
    if let Some(dir) = args
        .output_dir
        .as_ref()
        .filter(|d| d.exists() && !d.is_dir())
    {
        // Said once, before anything runs, rather than once per input.
        stderr_line!("paradedup: --output-dir {}: not a directory", dir.display());
        return Ok(None);
    }
    if args.dry_run && !args.in_place {
        // clap's `requires` counts --output-dir, of the same group, as --in-place.
        stderr_line!("paradedup: --dry-run goes with --in-place, not --output-dir");
        return Ok(None);
    }
    if dest != Dest::Stdout && matches!(mode, Mode::Diff | Mode::Check) {
        stderr_line!(
            "paradedup: --diff and --check write nothing; use --in-place --dry-run to preview"
        );
        return Ok(None);
    }
    let color = match args.color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
        }
    };
    // Without colors, a terminal still gets the scraped text's control characters escaped.
    // Colors asked for in a pipe (`--color always`, CLICOLOR_FORCE) are the diff's alone: the
    // cleaned text and JSON stay byte-exact there.
    let terminal = io::stdout().is_terminal();
    let diff_style = match (color, terminal) {
        (true, _) => DiffStyle::Colored,
        (false, true) => DiffStyle::Escaped,
        (false, false) => DiffStyle::Plain,
    };
    let threads = args.threads.map_or(0, usize::from);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(io::Error::other)?;
    let writers = (dest.writes_file(true))
        .then(|| {
            let builder = rayon::ThreadPoolBuilder::new().num_threads(WRITERS);
            builder.build().map_err(io::Error::other)
        })
        .transpose()?;
    let stats_field = (mode == Mode::Json).then_some(args.stats_field.as_str());
    let rule = Rule {
        min_pages: args.min_pages,
        min_share: args.min_share,
    };
    let boilerplate = match &args.boilerplate {
        Some(path) => {
            let mut state = learn::read_state(path)?;
            state.retain_boilerplate(rule);
            Some((Arc::new(state), rule))
        }
        None => None,
    };
    let grouping = Grouping {
        title_field: args.title_field.clone(),
        ..learn::grouping(&args.grouping)
    };
    Ok(Some(Ctx {
        cleaner,
        mode,
        dest,
        diff_style,
        terminal,
        jsonl: args.jsonl,
        format: RecordFormat::new(&args.field)
            .stats_field(stats_field)
            .grouping(grouping.clone())
            .boilerplate(boilerplate.clone()),
        on_error: args.on_error,
        pool,
        writers,
        boilerplate,
        grouping,
        html: args.html.is_some(),
        writes: files::Writes::default(),
    }))
}

/// Cleans every input in order: consecutive text documents together, each JSON Lines input
/// streamed. Stops early after a bad record that stops the run, or when output cannot be
/// written.
fn clean_all(
    ctx: &Ctx,
    sources: Vec<files::Expanded>,
    out: &mut dyn Write,
    summary: &mut Summary,
    progress: &ProgressBar,
) -> io::Result<()> {
    let mut texts: Vec<Source> = Vec::new();
    for source in sources {
        match source {
            Err((path, err)) => {
                // Said after the documents named before it, in the order they were given.
                clean_texts(ctx, &texts, out, summary, progress)?;
                texts.clear();
                stderr_line!("paradedup: {}: {err}", path.display());
                summary.failed = true;
                // An input that could not be opened or walked; a bad --glob is none.
                if path.as_os_str() != "--glob" {
                    summary.documents += 1;
                    summary.failed_documents += 1;
                }
            }
            Ok(src) if src.is_jsonl(ctx.jsonl) => {
                clean_texts(ctx, &texts, out, summary, progress)?;
                texts.clear();
                if jsonl_source(ctx, &src, out, summary, progress)? {
                    return Ok(());
                }
            }
            Ok(src) => texts.push(src),
        }
    }
    clean_texts(ctx, &texts, out, summary, progress)
}

/// Cleans text documents on all threads, a few per task, and writes their output in input
/// order as it comes back: no thread waits for the slowest document of a batch, and writing
/// goes on while later documents are cleaned. Cleaned files are written by the [`WRITERS`],
/// and reported in input order once written.
fn clean_texts(
    ctx: &Ctx,
    texts: &[Source],
    out: &mut dyn Write,
    summary: &mut Summary,
    progress: &ProgressBar,
) -> io::Result<()> {
    let mut tasks = InOrder::new();
    let mut writes = InOrder::new();
    ctx.pool.in_place_scope(|scope| {
        in_writers_scope(ctx, |writers| {
            let mut docs = texts.chunks(TASK_DOCS).enumerate();
            loop {
                while tasks.pending() < TASKS_IN_FLIGHT {
                    let Some((task, docs)) = docs.next() else {
                        break;
                    };
                    let first = summary.review.as_mut().map_or(0, |r| r.reserve(docs.len()));
                    tasks.spawn(scope, move || {
                        let docs = docs.iter().enumerate();
                        let outcomes = docs.map(|(i, src)| text_source(ctx, src, first + i));
                        (task, outcomes.collect::<Vec<_>>())
                    });
                }
                if tasks.pending() == 0 {
                    break;
                }
                let (task, outcomes) = tasks.next();
                for (i, outcome) in outcomes.into_iter().enumerate() {
                    match writers {
                        Some(writers) if outcome.output.is_some() || writes.pending() > 0 => {
                            let src = &texts[task * TASK_DOCS + i];
                            writes.spawn(writers, move || write_output(ctx, src, outcome));
                        }
                        _ => write_text(outcome, out, summary, progress)?,
                    }
                    while writes.pending() > WRITES_IN_FLIGHT {
                        write_text(writes.next(), out, summary, progress)?;
                    }
                }
            }
            while writes.pending() > 0 {
                write_text(writes.next(), out, summary, progress)?;
            }
            Ok(())
        })
    })
}

/// Runs `work` in a scope of the [`WRITERS`], if there are any.
fn in_writers_scope<'a, R>(ctx: &'a Ctx, work: impl FnOnce(Option<&rayon::Scope<'a>>) -> R) -> R {
    match &ctx.writers {
        Some(pool) => pool.in_place_scope(|scope| work(Some(scope))),
        None => work(None),
    }
}

/// Writes a cleaned document's text to its file; a failure is reported with the document.
fn write_output(ctx: &Ctx, src: &Source, mut outcome: Outcome) -> Outcome {
    if let Some(bytes) = outcome.output.take() {
        if let Err(err) = write_file(ctx, src, &bytes) {
            outcome.stderr += &format!("paradedup: {}: {err}\n", src.label());
            outcome.failed = true;
        }
    }
    outcome
}

/// Writes what cleaning one text document produced, and counts it.
fn write_text(
    outcome: Outcome,
    out: &mut dyn Write,
    summary: &mut Summary,
    progress: &ProgressBar,
) -> io::Result<()> {
    out.write_all(&outcome.stdout).map_err(writing)?;
    if let (Some(review), Some(section)) = (&mut summary.review, outcome.section) {
        review.add(section)?;
    }
    if !outcome.stderr.is_empty() {
        progress.suspend(|| stderr_text!("{}", outcome.stderr));
    }
    summary.documents += 1;
    // A document that could not be read or written saved nothing.
    if !outcome.failed {
        summary.changed += usize::from(outcome.changed);
        summary.stats += outcome.stats;
    }
    summary.failed |= outcome.failed;
    summary.failed_documents += usize::from(outcome.failed);
    progress.inc(outcome.bytes as u64);
    progress.set_message(format!("{} documents", summary.documents));
    Ok(())
}

/// Cleans one plain-text document; `number` names its section of the review page.
fn text_source(ctx: &Ctx, src: &Source, number: usize) -> Outcome {
    let mut outcome = Outcome::default();
    let label = src.label();
    let fail = |mut o: Outcome, err: &dyn std::fmt::Display| {
        o.stderr = format!("paradedup: {label}: {err}\n");
        o.failed = true;
        o
    };
    let mut bytes = Vec::new();
    if let Err(err) = src.open().and_then(|mut r| r.read_to_end(&mut bytes)) {
        return fail(outcome, &err);
    }
    outcome.bytes = bytes.len();
    let text = match decode(&bytes) {
        Ok(text) => text,
        Err(err) => {
            let hint = files::compressed_hint(&bytes);
            return fail(outcome, &format_args!("{err}{hint}"));
        }
    };
    let site = match (&ctx.boilerplate, src) {
        (Some((state, rule)), Source::File { path, .. }) => Some(PageSite::new(
            state,
            &learn::file_site(path, &ctx.grouping),
            *rule,
        )),
        _ => None,
    };
    let cleaned = ctx.cleaner.clean_page(text, site.as_ref());
    if cleaned.left_as_is() {
        outcome.stderr =
            format!("paradedup: {label}: nothing but site boilerplate; left as it is\n");
    }
    if ctx.html {
        outcome.section = Some(Section::new(&Document::new(number, &label), &cleaned));
    }
    outcome.stats = cleaned.stats();
    outcome.changed = cleaned.is_changed();
    let result = match (&ctx.dest, ctx.mode) {
        // With --json and a destination, the report goes to stdout and the text to its file.
        (_, Mode::Json) => Report::new(&src.json_path(), &cleaned).write_to(&mut outcome.stdout),
        (Dest::Stdout, Mode::Clean) => cleaned.write_to(&mut outcome.stdout),
        (Dest::Stdout, Mode::Diff) => {
            let name = src.diff_name();
            render::diff(&cleaned, &name, &name, ctx.diff_style, &mut outcome.stdout)
        }
        (Dest::Stdout, Mode::Check) | (Dest::InPlace { dry_run: true }, _) => {
            if outcome.changed {
                let s = cleaned.stats();
                outcome.stderr = format!(
                    "{label}: would remove {} of {} paragraphs ({} bytes)\n",
                    s.removed_paragraphs, s.paragraphs, s.removed_bytes
                );
            }
            Ok(())
        }
        _ => Ok(()),
    };
    if let Err(err) = result {
        return fail(outcome, &err);
    }
    if ctx.dest.writes_file(outcome.changed) {
        outcome.output = Some(cleaned.output().into_owned().into_bytes());
    }
    outcome
}

/// Writes a cleaned document to its destination file.
fn write_file(ctx: &Ctx, src: &Source, bytes: &[u8]) -> io::Result<()> {
    let mut file = begin_file(ctx, src)?;
    file.write_all(bytes)?;
    ctx.writes.commit(file)
}

/// Streams one JSON Lines input. Returns `true` when a bad record stopped the run.
fn jsonl_source(
    ctx: &Ctx,
    src: &Source,
    out: &mut dyn Write,
    summary: &mut Summary,
    progress: &ProgressBar,
) -> io::Result<bool> {
    let label = src.label();
    let reader = match src.open() {
        Ok(r) => r,
        Err(err) => {
            stderr_line!("paradedup: {label}: {err}");
            summary.failed = true;
            summary.documents += 1;
            summary.failed_documents += 1;
            return Ok(false);
        }
    };
    let mut pieces = ReadAhead::new(reader, src.is_regular_file());
    summary.documents += 1;
    let format = match src {
        Source::File { path, .. } => ctx.format.in_dir(|| learn::file_site(path, &ctx.grouping)),
        Source::Stdin => Cow::Borrowed(&ctx.format),
    };
    let stats_before = summary.stats;
    let skipped_before = summary.records.skipped;
    // Records are written as they come: to standard output, or to a temporary file that is put
    // in place at the end (memory stays bounded however big the file).
    let mut sink = io::sink();
    let mut file = None;
    let target: &mut dyn Write = match (&ctx.dest, ctx.mode) {
        (Dest::Stdout, Mode::Check) | (Dest::InPlace { dry_run: true }, _) => &mut sink,
        (Dest::Stdout, _) => out,
        _ => match begin_file(ctx, src) {
            Ok(pending) => file.insert(Latch::new(pending)),
            Err(err) => {
                stderr_line!("paradedup: {label}: {err}");
                summary.failed = true;
                summary.failed_documents += 1;
                return Ok(false);
            }
        },
    };
    let mut changed = false;
    let mut read_error = None;
    // Pieces of the input go to the pool as they are read and come back cleaned, in any order;
    // they are written in input order. A worker that is done takes the next piece while a slow
    // record is still being cleaned elsewhere.
    let mut tasks = InOrder::new();
    let stopped = ctx.pool.in_place_scope(|scope| -> io::Result<bool> {
        let mut out = PieceOut {
            target: &mut *target,
            summary: &mut *summary,
            changed: &mut changed,
        };
        let mut in_flight = 0;
        let mut ended = false;
        loop {
            // Take what has been read while little is in flight; wait for input only when
            // nothing is being cleaned (a slow producer's records are never held back).
            while !ended && in_flight < IN_FLIGHT_BYTES && (tasks.pending() == 0 || pieces.ready())
            {
                match pieces.next() {
                    Some(Ok(piece)) => {
                        let first =
                            (out.summary.review.as_mut()).map_or(0, |r| r.reserve(piece.len()));
                        in_flight += piece.bytes();
                        let (label, format) = (&label, &*format);
                        tasks.spawn(scope, move || {
                            let results = clean_piece((ctx, format), &piece, label, first);
                            (piece, results)
                        });
                    }
                    Some(Err(err)) => {
                        read_error = Some(err);
                        ended = true;
                    }
                    None => ended = true,
                }
            }
            if tasks.pending() == 0 {
                return Ok(false);
            }
            let (piece, results) = tasks.next();
            in_flight -= piece.bytes();
            if write_piece(ctx, &label, &piece, results, &mut out, progress)? {
                return Ok(true);
            }
        }
    })?;
    // A bad record that stopped the run, or a read or write that failed: the document is not
    // written back (to standard output, the records before it were written).
    let mut failed = stopped;
    if let Some(err) = read_error {
        stderr_line!("paradedup: {label}: {err}");
        failed = true;
    }
    let write_back = ctx.dest.writes_file(changed) && !failed;
    // Otherwise the temporary file is dropped, which deletes it: the original stays as it was.
    if let Some(file) = file.filter(|_| write_back) {
        if let Err(err) = file.finish().and_then(|pending| ctx.writes.commit(pending)) {
            stderr_line!("paradedup: {label}: {err}");
            failed = true;
        }
    }
    if failed && ctx.dest != Dest::Stdout {
        // Nothing of it was written (or, with --dry-run, would be): it saved nothing.
        summary.stats = stats_before;
    } else {
        summary.changed += usize::from(changed);
    }
    if ctx.previews() && changed && !failed {
        // As for a text file: what this file's records would lose, all together.
        let (now, before) = (summary.stats, stats_before);
        let skipped = match summary.records.skipped - skipped_before {
            0 => String::new(),
            1 => " and skip 1 bad record".to_owned(),
            n => format!(" and skip {n} bad records"),
        };
        progress.suspend(|| {
            stderr_line!(
                "{label}: would remove {} of {} paragraphs ({} bytes){skipped}",
                now.removed_paragraphs - before.removed_paragraphs,
                now.paragraphs - before.paragraphs,
                now.removed_bytes - before.removed_bytes
            )
        });
    }
    summary.failed |= failed;
    summary.failed_documents += usize::from(failed);
    Ok(stopped)
}

/// Starts the file that a cleaned document goes to: itself in place, or its copy.
fn begin_file(ctx: &Ctx, src: &Source) -> io::Result<files::Pending> {
    let Source::File { path, root } = src else {
        return Err(io::Error::other("standard input has no file to write"));
    };
    match &ctx.dest {
        Dest::InPlace { .. } => ctx.writes.begin(path),
        Dest::OutputDir(dir) => {
            let copy = files::output_path(path, root.as_deref(), dir);
            ctx.writes.begin_copy(&copy, path)
        }
        Dest::Stdout => unreachable!("only called with a file destination"),
    }
}

/// A file being written, buffered, that keeps its first error for [`Latch::finish`] and drops
/// what comes after: a file that cannot be written fails alone, and the run goes on.
struct Latch {
    file: BufWriter<files::Pending>,
    error: Option<io::Error>,
}

impl Latch {
    fn new(pending: files::Pending) -> Latch {
        Latch {
            file: BufWriter::with_capacity(1 << 16, pending),
            error: None,
        }
    }

    /// The file with everything written to it, or the first error.
    fn finish(self) -> io::Result<files::Pending> {
        match self.error {
            Some(err) => Err(err),
            None => self
                .file
                .into_inner()
                .map_err(io::IntoInnerError::into_error),
        }
    }
}

impl Write for Latch {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.error.is_none() {
            self.error = self.file.write_all(buf).err();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What became of one record: `None` for a blank line.
type RecordResult = Result<Option<RecordOutcome>, RecordError>;

/// A cleaned record, owning what is written once its piece is.
struct RecordOutcome {
    /// The new line (without its ending) when the record changed; else it is written as read.
    line: Option<String>,
    stats: Stats,
    left_as_is: bool,
    section: Option<Section>,
}

/// Cleans a piece of the input; `first` numbers its first record in the review page.
fn clean_piece(
    (ctx, format): (&Ctx, &RecordFormat),
    piece: &Piece,
    label: &str,
    first: usize,
) -> Vec<RecordResult> {
    piece
        .lines()
        .enumerate()
        .map(|(i, (number, line))| {
            let (body, _) = split_ending(line);
            let (_, body) = split_bom(number, body);
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(None);
            }
            let name = || format!("{label}:{number}");
            let (record, section) = clean_record_sectioned((ctx, format), body, first + i, name)?;
            Ok(Some(RecordOutcome {
                line: match record.line {
                    std::borrow::Cow::Owned(line) => Some(line),
                    std::borrow::Cow::Borrowed(_) => None,
                },
                stats: record.stats,
                left_as_is: record.left_as_is,
                section,
            }))
        })
        .collect()
}

/// Where pieces of records are written, and what their writing adds to.
struct PieceOut<'a> {
    target: &'a mut dyn Write,
    summary: &'a mut Summary,
    /// Whether any record had something removed, or a bad record was dropped.
    changed: &'a mut bool,
}

/// Writes a cleaned piece in input order, with the errors `--on-error` asks for. Returns
/// `true` when a bad record stopped the run.
fn write_piece(
    ctx: &Ctx,
    label: &str,
    piece: &Piece,
    results: Vec<RecordResult>,
    out: &mut PieceOut<'_>,
    progress: &ProgressBar,
) -> io::Result<bool> {
    let PieceOut {
        target,
        summary,
        changed,
    } = out;
    for ((number, line), result) in piece.lines().zip(results) {
        let (body, ending) = split_ending(line);
        let (bom, body) = split_bom(number, body);
        // The input's byte-order mark goes before its first record, whatever becomes of the
        // record; not before an error that stops the run.
        if !(result.is_err() && ctx.on_error == OnError::Stop) {
            target.write_all(bom).map_err(writing)?;
        }
        let line = &line[bom.len()..];
        match result {
            Ok(None) => target.write_all(line).map_err(writing)?,
            Ok(Some(record)) => {
                if record.left_as_is {
                    progress.suspend(|| {
                        stderr_line!(
                            "paradedup: {label}:{number}: nothing but site boilerplate; \
                             left as it is"
                        )
                    });
                }
                summary.records.read += 1;
                summary.records.written += 1;
                summary.stats += record.stats;
                **changed |= record.stats.removed_paragraphs > 0;
                match &record.line {
                    Some(new) => {
                        target.write_all(new.as_bytes()).map_err(writing)?;
                        target.write_all(ending).map_err(writing)?;
                    }
                    None => target.write_all(line).map_err(writing)?,
                }
                if let (Some(review), Some(section)) = (&mut summary.review, record.section) {
                    review.add(section)?;
                }
            }
            Err(err) => {
                summary.records.read += 1;
                let at = format!("{label}:{number}");
                let err = format!("{err}{}", files::record_hint(number, body));
                match ctx.on_error {
                    OnError::Stop => {
                        target.flush().map_err(writing)?;
                        progress.suspend(|| stderr_line!("paradedup: {at}: {err}"));
                        summary.failed = true;
                        return Ok(true);
                    }
                    OnError::Pass => {
                        progress
                            .suspend(|| stderr_line!("paradedup: {at}: {err} (passed through)"));
                        summary.records.passed += 1;
                        target.write_all(body).map_err(writing)?;
                        target.write_all(ending).map_err(writing)?;
                    }
                    OnError::Skip => {
                        progress.suspend(|| stderr_line!("paradedup: {at}: {err} (skipped)"));
                        summary.records.skipped += 1;
                        // The file loses the line: `--in-place` rewrites it, `--check` and
                        // `--dry-run` say it would change.
                        **changed = true;
                    }
                }
            }
        }
    }
    target.flush().map_err(writing)?;
    progress.inc(piece.bytes() as u64);
    progress.set_message(format!("{} records", summary.records.read));
    Ok(false)
}

/// Cleans one record and, with `--html`, renders its section of the review page from the
/// same cleaning.
fn clean_record_sectioned<'a>(
    (ctx, format): (&Ctx, &RecordFormat),
    body: &'a [u8],
    number: usize,
    name: impl Fn() -> String,
) -> Result<(CleanedRecord<'a>, Option<Section>), RecordError> {
    let mut section = None;
    let record = clean_record_with(body, &ctx.cleaner, format, &mut |cleaned| {
        if ctx.html {
            section = Some(review::record_section(number, &name(), body, cleaned));
        }
    })?;
    Ok((record, section))
}

/// Says so when flags about JSON Lines records were given and every input is read as text
/// (`cat crawl.jsonl | paradedup --field body`, without `--jsonl`): they would change nothing.
fn warn_no_records(args: &Args, ctx: &Ctx, sources: &[files::Expanded]) {
    let records = (sources.iter()).any(|s| matches!(s, Ok(src) if src.is_jsonl(ctx.jsonl)));
    if records || args.record_flags.is_empty() || sources.is_empty() {
        return;
    }
    stderr_line!(
        "paradedup: warning: {} for JSON Lines, and every input is read as text (add --jsonl \
         to read standard input, or files not ending in .jsonl, as records)",
        match args.record_flags.as_slice() {
            [one] => format!("{one} is"),
            flags => format!("{} are", flags.join(", ")),
        }
    );
}

/// A progress bar on standard error that shows up only on a terminal, only for runs that take
/// more than a second, and not when `hidden`.
fn progress_bar(hidden: bool, total_bytes: impl FnOnce() -> Option<u64>) -> ProgressBar {
    if hidden || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let total_bytes = total_bytes();
    let bar = ProgressBar::with_draw_target(total_bytes, ProgressDrawTarget::hidden());
    let template = match total_bytes {
        Some(_) => "{spinner} {msg}: {bytes}/{total_bytes} {bytes_per_sec}, eta {eta}",
        None => "{spinner} {msg}: {bytes} {bytes_per_sec}",
    };
    bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
    let shown = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        if !shown.is_finished() {
            shown.set_draw_target(ProgressDrawTarget::stderr());
            shown.enable_steady_tick(Duration::from_millis(200));
        }
    });
    bar
}

/// The summary of a run: in the future tense for a `preview` (`--check`, `--dry-run`), which
/// removes and writes nothing.
fn summary_line(s: &Summary, records: bool, preview: bool) -> String {
    let failed = match s.failed_documents {
        0 => String::new(),
        n => format!(", {n} failed"),
    };
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let (removed, saved, written) = match preview {
        true => ("to remove", "to save", "to write"),
        false => ("removed", "saved", "written"),
    };
    let mut line = format!(
        "{} document{}{failed}, {} paragraph{} {removed}, {} {saved}",
        s.documents,
        plural(s.documents),
        s.stats.removed_paragraphs,
        plural(s.stats.removed_paragraphs),
        human_bytes(s.stats.removed_bytes)
    );
    if records {
        let r = s.records;
        line += &format!(
            "; records: {} read, {} {written}, {} passed, {} skipped",
            r.read, r.written, r.passed, r.skipped
        );
    }
    line
}

fn human_bytes(n: usize) -> String {
    match n {
        n if n < 1 << 10 => format!("{n} bytes"),
        n if n < 1 << 20 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{:.1} MiB", n as f64 / (1 << 20) as f64),
    }
}

/// Names the output in a write error, keeping its kind (a broken pipe must stay recognizable).
fn writing(err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("writing output: {err}"))
}
