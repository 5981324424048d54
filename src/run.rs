//! Arguments -> reading inputs, cleaning them, writing the chosen output.

use std::fs;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use paradedup::render::{self, Report};
use paradedup::{decode, Cleaner};

use crate::cli::{Args, ColorWhen};

/// What to print for each input.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Clean,
    Diff,
    Json,
    Check,
}

/// One input: a file or standard input.
enum Input<'a> {
    Stdin,
    File(&'a Path),
}

impl Input<'_> {
    /// The name used in messages and diff headers.
    fn label(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_owned(),
            Input::File(p) => p.display().to_string(),
        }
    }

    /// The name in JSON reports: the path, or `-` for standard input.
    fn json_path(&self) -> String {
        match self {
            Input::Stdin => "-".to_owned(),
            Input::File(p) => p.display().to_string(),
        }
    }

    fn read(&self) -> io::Result<Vec<u8>> {
        match self {
            Input::Stdin => {
                let mut buf = Vec::new();
                io::stdin().lock().read_to_end(&mut buf)?;
                Ok(buf)
            }
            Input::File(p) => fs::read(p),
        }
    }
}

/// Runs the command; `Err` is an output error (the caller reports it and exits 2).
pub fn run(args: &Args) -> io::Result<ExitCode> {
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
    let dash = PathBuf::from("-");
    let inputs: Vec<Input<'_>> = if args.files.is_empty() {
        vec![Input::Stdin]
    } else {
        args.files
            .iter()
            .map(|p| {
                if *p == dash {
                    Input::Stdin
                } else {
                    Input::File(p)
                }
            })
            .collect()
    };
    if args.files.is_empty() && io::stdin().is_terminal() {
        eprintln!("paradedup: no input: give a FILE, or pipe text in (see --help)");
        return Ok(ExitCode::from(2));
    }
    if mode == Mode::Clean && inputs.len() > 1 {
        eprintln!(
            "paradedup: {} inputs given: printing cleaned text takes one \
             (use --diff, --json or --check for several)",
            inputs.len()
        );
        return Ok(ExitCode::from(2));
    }
    let stdout = io::stdout();
    let color = match args.color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never,
    };
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut failed = false;
    let mut changed = false;
    for input in &inputs {
        let bytes = match input.read() {
            Ok(bytes) => bytes,
            Err(err) => {
                eprintln!("paradedup: {}: {err}", input.label());
                failed = true;
                continue;
            }
        };
        let text = match decode(&bytes) {
            Ok(text) => text,
            Err(err) => {
                eprintln!("paradedup: {}: {err}", input.label());
                failed = true;
                continue;
            }
        };
        let cleaned = cleaner.clean(text);
        changed |= cleaned.is_changed();
        let written = match mode {
            Mode::Clean => cleaned.write_to(&mut out),
            Mode::Diff => {
                let label = input.label();
                let (old, new) = (label.clone(), label);
                render::diff(&cleaned, &old, &new, color, &mut out)
            }
            Mode::Json => Report::new(&input.json_path(), &cleaned).write_to(&mut out),
            Mode::Check => {
                let stats = cleaned.stats();
                if stats.removed_paragraphs > 0 {
                    eprintln!(
                        "{}: would remove {} of {} paragraphs ({} bytes)",
                        input.label(),
                        stats.removed_paragraphs,
                        stats.paragraphs,
                        stats.removed_bytes
                    );
                }
                Ok(())
            }
        };
        written.map_err(writing)?;
    }
    out.flush().map_err(writing)?;
    Ok(if failed {
        ExitCode::from(2)
    } else if mode == Mode::Check && changed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Names the output in a write error, keeping its kind (a broken pipe must stay recognizable).
fn writing(err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("writing output: {err}"))
}
