//! The `paradedup` command: a thin layer over the library.

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
            eprintln!("paradedup: {err}");
            ExitCode::from(2)
        }
    }
}
