//! Command-line arguments. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{ArgGroup, Parser, ValueEnum};

/// Remove duplicate and near-duplicate paragraphs from scraped articles.
///
/// Keeps the first occurrence of every paragraph and removes later exact, normalized (case,
/// punctuation, quotes, spaces, Unicode forms) and near-duplicate repeats. Every kept byte is
/// written exactly as it was.
///
/// Exit status: 0 success, 1 `--check` found repeats, 2 error.
#[derive(Debug, Parser)]
#[command(name = "paradedup", version, max_term_width = 100)]
#[command(group(ArgGroup::new("mode").args(["diff", "json", "check"])))]
pub struct Args {
    /// Files to clean; none or `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Print a unified diff of what would be removed, and why, instead of the cleaned text.
    #[arg(long)]
    pub diff: bool,

    /// Print a JSON report per file (one line each): what was removed, where, why, and counts.
    #[arg(long)]
    pub json: bool,

    /// Print nothing on stdout; exit 1 if anything would be removed, 0 if not.
    #[arg(long)]
    pub check: bool,

    /// What to compare: `line` (one paragraph per line), `paragraph` (blocks between blank
    /// lines), or `auto`: lines when any line is longer than 100 characters, else blocks that
    /// look hard-wrapped are paragraphs and other blocks are cut into lines.
    #[arg(long, value_enum, default_value_t = UnitArg::Auto, value_name = "UNIT")]
    pub unit: UnitArg,

    /// Least similarity (0 < T <= 1) for a near-duplicate: the share of words two paragraphs
    /// have in common (Dice coefficient). 1 removes only exact and normalized repeats and
    /// reordered words.
    #[arg(long, default_value_t = paradedup::DEFAULT_THRESHOLD, value_name = "T",
          value_parser = parse_threshold)]
    pub threshold: f64,

    /// When to color the diff: `auto` colors on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
}

/// `--unit` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UnitArg {
    /// Decide from the text.
    Auto,
    /// Every line is a unit.
    Line,
    /// Every block between blank lines is a unit.
    Paragraph,
}

impl From<UnitArg> for paradedup::Unit {
    fn from(u: UnitArg) -> Self {
        match u {
            UnitArg::Auto => paradedup::Unit::Auto,
            UnitArg::Line => paradedup::Unit::Line,
            UnitArg::Paragraph => paradedup::Unit::Paragraph,
        }
    }
}

/// `--color` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Color when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

fn parse_threshold(s: &str) -> Result<f64, String> {
    let t: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if t > 0.0 && t <= 1.0 {
        Ok(t)
    } else {
        Err(format!("{t} is not greater than 0 and at most 1"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_is_well_formed() {
        Args::command().debug_assert();
    }

    #[test]
    fn modes_exclude_each_other() {
        assert!(Args::try_parse_from(["paradedup", "--diff", "--json"]).is_err());
        assert!(Args::try_parse_from(["paradedup", "--check", "--diff"]).is_err());
    }

    #[test]
    fn threshold_is_checked() {
        assert!(Args::try_parse_from(["paradedup", "--threshold", "0"]).is_err());
        assert!(Args::try_parse_from(["paradedup", "--threshold", "1.2"]).is_err());
        assert!(Args::try_parse_from(["paradedup", "--threshold", "x"]).is_err());
        let a = Args::try_parse_from(["paradedup", "--threshold", "0.9"]).unwrap();
        assert_eq!(a.threshold, 0.9);
    }

    #[test]
    fn defaults() {
        let a = Args::try_parse_from(["paradedup"]).unwrap();
        assert_eq!((a.unit, a.color), (UnitArg::Auto, ColorWhen::Auto));
        assert_eq!(a.threshold, paradedup::DEFAULT_THRESHOLD);
        assert!(a.files.is_empty());
    }
}
