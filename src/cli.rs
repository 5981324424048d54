//! Command-line arguments. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgGroup, CommandFactory, FromArgMatches, Parser, ValueEnum};

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
#[command(group(ArgGroup::new("dest").args(["in_place", "output_dir"])))]
#[command(group(ArgGroup::new("sites").args(["across", "boilerplate"])))]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// `learn` and `merge` build site boilerplate states; without one, clean.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The flags about JSON Lines records given on the command line (not left at their
    /// defaults), as they are spelt there: see [`Args::parse_all`].
    #[arg(skip)]
    pub record_flags: Vec<&'static str>,

    /// Files or directories to clean; none or `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Rewrite each file in place, atomically (temporary file, fsync, rename); files with
    /// nothing to remove are not touched.
    #[arg(short = 'i', long)]
    pub in_place: bool,

    /// Write cleaned copies under DIR, mirroring the input tree.
    #[arg(short = 'o', long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// With --in-place: report what would change, write nothing.
    #[arg(long, requires = "in_place")]
    pub dry_run: bool,

    /// Walk directories given as FILE.
    #[arg(short = 'r', long)]
    pub recursive: bool,

    /// With --recursive: clean only files whose name or relative path matches GLOB (repeat for
    /// several; default `*.txt` and `*.jsonl`). Files named on the command line are always
    /// cleaned.
    #[arg(short = 'g', long = "glob", value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Read JSON Lines: clean the string at --field in each record, write the record back with
    /// only that field changed. Files ending in `.jsonl` are read this way without the flag.
    #[arg(long)]
    pub jsonl: bool,

    /// The field to clean in JSON Lines records; a dotted path reaches nested objects
    /// (`content.body`).
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub field: String,

    /// With --jsonl and --json: the top-level field that receives per-record stats
    /// (`{"removed": N, "removed_bytes": B}`); a dot in NAME is part of the key. Refused when it
    /// is --field or on its path (`--field c.body --stats-field c`). Stats of an earlier run are
    /// replaced; a record with a field of that name of its own is a bad record (see --on-error).
    #[arg(long, default_value = "paradedup", value_name = "NAME")]
    pub stats_field: String,

    /// What to do with a JSON Lines record that is not JSON, not an object, or lacks the field:
    /// `stop` (exit 2 after writing every earlier record), `pass` (write it unchanged), `skip`
    /// (drop it). pass and skip report each bad line on stderr.
    #[arg(long, value_enum, default_value_t = OnError::Stop, value_name = "POLICY")]
    pub on_error: OnError,

    /// Number of threads that clean, 1 to 1024 (default: all cores). Output order does not
    /// depend on it. Files written by --in-place and --output-dir are written by 16 more
    /// threads, which mostly wait for the disk.
    #[arg(short = 'j', long, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// No progress bar and no summary.
    #[arg(short, long)]
    pub quiet: bool,

    /// Print the summary even for a single input.
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,

    /// Print a unified diff of what would be removed, and why, instead of the cleaned text.
    /// Plain text only: a JSON Lines input is refused (use --json or --html for records).
    #[arg(long)]
    pub diff: bool,

    /// Print a JSON report per file (one line each): what was removed, where, why, and counts.
    /// With --jsonl: add per-record stats to each record instead (see --stats-field).
    #[arg(long)]
    pub json: bool,

    /// Print nothing on stdout; exit 1 if anything would be removed, 0 if not.
    #[arg(long)]
    pub check: bool,

    /// What to compare: `line` (one paragraph per line), `paragraph` (blocks between blank
    /// lines), or `auto`: lines when any line is longer than 100 characters, else blocks that
    /// look hard-wrapped are paragraphs and other blocks are cut into lines. A fenced code
    /// block (``` or ~~~) and a Markdown table (| a | b | over |---|---|, outer pipes
    /// optional) are one unit in every mode.
    #[arg(long, value_enum, default_value_t = UnitArg::Auto, value_name = "UNIT")]
    pub unit: UnitArg,

    /// Least similarity (0 < T <= 1) for a near-duplicate: the share of words two paragraphs
    /// have in common (Dice coefficient). 1 removes only exact and normalized repeats, and
    /// paragraphs of 20 words or more with the same words in another order.
    #[arg(long, default_value_t = paradedup::DEFAULT_THRESHOLD, value_name = "T",
          allow_negative_numbers = true, value_parser = parse_threshold)]
    pub threshold: f64,

    /// Also write a review page to FILE: one self-contained HTML file (no scripts, nothing
    /// fetched) showing every document with each removed paragraph in place, struck through,
    /// with why and a link to the copy that stays. Works with every mode and destination.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// With --html: open the page in a browser when a display is present (DISPLAY or
    /// WAYLAND_DISPLAY set, or macOS); otherwise say where it is.
    #[arg(long, requires = "html")]
    pub open: bool,

    /// When to color the diff (with colors or without, a terminal gets the text's control
    /// characters escaped; a colored diff escapes them anywhere): `auto` colors on a
    /// terminal whose TERM is set and not `dumb`, unless NO_COLOR is set or CLICOLOR=0;
    /// CLICOLOR set to anything else, or CI set, colors a terminal whatever TERM says;
    /// CLICOLOR_FORCE colors even a pipe (the diff is then not byte-exact). NO_COLOR wins over
    /// CLICOLOR_FORCE; `always` and `never` ignore them all.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    /// Also remove site boilerplate: paragraphs on many pages of the same site, first copy
    /// included. Reads the inputs twice (files only): once to count, once to clean.
    #[arg(long, conflicts_with = "boilerplate")]
    pub across: bool,

    /// Remove the site boilerplate counted in STATE (from `paradedup learn` or `merge`).
    #[arg(long, value_name = "STATE")]
    pub boilerplate: Option<PathBuf>,

    /// Boilerplate is on at least N pages of its site (2 or more)…
    #[arg(long, value_name = "N", default_value_t = paradedup::boilerplate::DEFAULT_MIN_PAGES,
          allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(2..),
          requires = "sites")]
    pub min_pages: u32,

    /// …and on at least this share of them (0 to 1).
    #[arg(long, value_name = "SHARE", default_value_t = paradedup::boilerplate::DEFAULT_MIN_SHARE,
          allow_negative_numbers = true, value_parser = parse_share, requires = "sites")]
    pub min_share: f64,

    /// JSON Lines field with the page's headline, which is never boilerplate on its own page.
    #[arg(long, default_value = "title", value_name = "NAME", requires = "sites")]
    pub title_field: String,

    #[command(flatten)]
    pub grouping: Grouping,
}

impl Args {
    /// Parses the command line, noting which of the flags about records were given (a
    /// warning says so when no input is read as records).
    pub fn parse_all() -> Args {
        let matches = Args::command().get_matches();
        let mut args = Args::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
        let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
        args.record_flags = [
            ("field", "--field"),
            ("stats_field", "--stats-field"),
            ("on_error", "--on-error"),
        ]
        .into_iter()
        .filter_map(|(id, flag)| given(id).then_some(flag))
        .collect();
        args
    }
}

/// How pages are grouped into sites.
#[derive(Debug, clap::Args)]
pub struct Grouping {
    /// JSON Lines field naming the page's site.
    #[arg(long, default_value = "site", value_name = "NAME")]
    pub site_field: String,

    /// JSON Lines field with the page's URL: its host is the site when there is no site field.
    #[arg(long, default_value = "url", value_name = "NAME")]
    pub url_field: String,

    /// Group pages by this JSON Lines field, by `dir` (the directory of their file, for
    /// records too), or `none` (one group). Default: the site field, else the URL's host, for
    /// records; the directory, for files.
    #[arg(long, value_name = "FIELD|dir|none")]
    pub group_by: Option<String>,
}

/// Subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Count, per site, the pages each paragraph is on, and write a state file.
    Learn(LearnArgs),
    /// Add state files together (in any order: the result is the same).
    Merge(MergeArgs),
}

/// `paradedup learn`.
#[derive(Debug, clap::Args)]
pub struct LearnArgs {
    /// Pages: text files, directories with -r, JSON Lines; none or `-` reads standard input.
    #[arg(value_name = "INPUT")]
    pub files: Vec<PathBuf>,

    /// Where to write the state: a file, replaced atomically; `-` is standard output; a pipe
    /// or device is written to as it is.
    #[arg(short, long, value_name = "STATE", default_value = "-")]
    pub output: PathBuf,

    /// Write `SITE<TAB>FINGERPRINT<TAB>PAGE` for each distinct paragraph of each page and
    /// `SITE<TAB>*<TAB>PAGE` for each page, for an engine to count, instead of a state: drop
    /// repeated lines first, and a page that is in the input twice (same site, same paragraphs,
    /// same PAGE key) is counted once, as `learn` counts it. They go to standard output (not
    /// with --output).
    #[arg(long, conflicts_with = "output")]
    pub pairs: bool,

    /// Read JSON Lines (files ending in `.jsonl` are read this way anyway).
    #[arg(long)]
    pub jsonl: bool,

    /// The field holding the page text in JSON Lines.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub field: String,

    /// Walk directories.
    #[arg(short = 'r', long)]
    pub recursive: bool,

    /// With --recursive: only files matching GLOB.
    #[arg(short = 'g', long = "glob", value_name = "GLOB")]
    pub globs: Vec<String>,

    /// What to compare (must match the cleaning run's --unit).
    #[arg(long, value_enum, default_value_t = UnitArg::Auto, value_name = "UNIT")]
    pub unit: UnitArg,

    #[command(flatten)]
    pub grouping: Grouping,
}

/// `paradedup merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// State files to add together.
    #[arg(value_name = "STATE", required = true)]
    pub states: Vec<PathBuf>,

    /// Where to write the sum: a file, replaced atomically; `-` is standard output; a pipe or
    /// device is written to as it is.
    #[arg(short, long, value_name = "STATE", default_value = "-")]
    pub output: PathBuf,
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

/// `--on-error` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnError {
    /// Stop with exit status 2.
    Stop,
    /// Write the bad line through unchanged.
    Pass,
    /// Drop the bad line.
    Skip,
}

/// `--color` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Color a terminal, or a pipe under CLICOLOR_FORCE, as the environment says.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

fn parse_share(s: &str) -> Result<f64, String> {
    let t: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if (0.0..=1.0).contains(&t) {
        Ok(t)
    } else {
        Err(format!("{t} is not between 0 and 1"))
    }
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

    /// A negative number is a value out of range, not an unknown flag (`unexpected argument
    /// '-0' found`).
    #[test]
    fn negative_numbers_are_values_out_of_range() {
        for (flag, value) in [
            ("--threshold", "-0.1"),
            ("--min-pages", "-1"),
            ("--min-share", "-0.5"),
            ("-j", "-2"),
        ] {
            let err = Args::try_parse_from(["paradedup", flag, value]).unwrap_err();
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{flag}"
            );
            assert!(err
                .to_string()
                .contains(&format!("invalid value '{value}'")));
        }
    }

    #[test]
    fn open_needs_html() {
        assert!(Args::try_parse_from(["paradedup", "--open"]).is_err());
        let a =
            Args::try_parse_from(["paradedup", "--html", "r.html", "--open", "--check"]).unwrap();
        assert_eq!(a.html.as_deref(), Some(std::path::Path::new("r.html")));
        assert!(a.open && a.check);
    }

    #[test]
    fn defaults() {
        let a = Args::try_parse_from(["paradedup"]).unwrap();
        assert_eq!((a.unit, a.color), (UnitArg::Auto, ColorWhen::Auto));
        assert_eq!(a.threshold, paradedup::DEFAULT_THRESHOLD);
        assert!(a.files.is_empty());
        assert!(a.html.is_none() && !a.open);
    }
}
