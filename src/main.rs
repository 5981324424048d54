//! The `paradedup` command: a thin layer over the library.

mod cli;
mod files;
mod review;
mod run;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match run::run(&args) {
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
