//! The `paradedup` command: a thin layer over the library.

/// `eprintln!` that does not panic when standard error cannot be written (`2>/dev/full`, a
/// closed pipe): a message that cannot be shown is dropped, and the exit status still says
/// how the run went.
macro_rules! stderr_line {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// [`stderr_line!`] without the line break (`eprint!`).
macro_rules! stderr_text {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;
mod files;
mod learn;
mod ordered;
mod readahead;
mod review;
mod run;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
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
