//! The `paradedup` command: a thin layer over the library.

/// `eprintln!` that does not panic when standard error cannot be written (`2>/dev/full`, a
/// closed pipe): a message that cannot be shown is dropped, and the exit status still says
/// how the run went. The message is one line: control characters and line breaks in it (of a
/// file's name) are shown escaped (see [`paradedup::render::escape_line`]).
macro_rules! stderr_line {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = format!($($arg)*);
        let _ = writeln!(std::io::stderr(), "{}", paradedup::render::escape_line(&line));
    }};
}

/// [`stderr_line!`] of lines: without the line break at the end (`eprint!`), and with the
/// line breaks in the text kept.
macro_rules! stderr_text {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let _ = write!(std::io::stderr(), "{}", paradedup::render::escape_controls(&text));
    }};
}

mod cli;
mod files;
mod learn;
mod ordered;
mod readahead;
mod review;
mod run;
mod stdout;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Args::parse_all();
    let result = match &args.command {
        Some(cli::Command::Learn(learn)) => learn::learn(learn),
        Some(cli::Command::Merge(merge)) => learn::merge(merge),
        None => run::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`paradedup big.txt | head`) is the reader saying it has enough,
            // not an error: stop quietly, as cat and ripgrep do.
            if err.kind() == std::io::ErrorKind::BrokenPipe {
                return ExitCode::SUCCESS;
            }
            stderr_line!("paradedup: {err}");
            ExitCode::from(2)
        }
    }
}
