//! The command-line contract: modes, exit codes, errors, colors, pipes.

mod common;

use common::{assert_one_line_error, cmd, sample, Scratch};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

const HEAD: &str = "Storm Closes Coastal Road for a Second Night";
const DOC: &str = "Storm Closes Coastal Road for a Second Night\n\n\
    Waves broke over the sea wall at high tide.\n\n\
    STORM CLOSES COASTAL ROAD FOR A SECOND NIGHT\n\n\
    Police asked drivers to use the inland route.\n";
const CLEAN: &str = "Storm Closes Coastal Road for a Second Night\n\n\
    Waves broke over the sea wall at high tide.\n\n\
    Police asked drivers to use the inland route.\n";

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn cleans_stdin_to_stdout() {
    let out = cmd().write_stdin(DOC).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), CLEAN);
    assert!(out.stderr.is_empty());
}

#[test]
fn check_exits_1_on_repeats_and_0_without() {
    let out = cmd().arg("--check").write_stdin(DOC).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(stderr_of(&out).contains("would remove 1 of 4 paragraphs"));
    let out = cmd().arg("--check").write_stdin(CLEAN).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn json_report_describes_each_removal() {
    let out = cmd().arg("--json").write_stdin(DOC).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["path"], "-");
    assert_eq!(v["paragraphs"], 4);
    assert_eq!(v["kept_paragraphs"], 3);
    assert_eq!(v["removed_paragraphs"], 1);
    assert_eq!(v["kept_bytes"].as_u64().unwrap() as usize, CLEAN.len());
    assert_eq!(
        v["removed_bytes"].as_u64().unwrap() as usize,
        DOC.len() - CLEAN.len()
    );
    let removed = v["removed"].as_array().unwrap();
    assert_eq!(removed.len(), 1);
    let r = &removed[0];
    assert_eq!(r["text"], HEAD.to_uppercase());
    assert_eq!(r["line"], 5);
    assert_eq!(r["reason"], "normalized");
    assert_eq!(r["repeats_line"], 1);
    assert_eq!(r["similarity"], 1.0);
    let (s, e) = (
        r["start"].as_u64().unwrap() as usize,
        r["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&DOC[s..e], HEAD.to_uppercase());
}

#[test]
fn json_diff_and_check_take_several_files() {
    let dir = Scratch::new("several");
    let a = dir.file("a.txt", DOC.as_bytes());
    let b = dir.file("b.txt", CLEAN.as_bytes());
    let out = cmd().arg("--json").args([&a, &b]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = out
        .stdout
        .split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["path"], a.to_str().unwrap());
    assert_eq!(lines[0]["removed_paragraphs"], 1);
    assert_eq!(lines[1]["removed_paragraphs"], 0);

    let out = cmd().arg("--diff").args([&a, &b]).output().unwrap();
    let diff = String::from_utf8(out.stdout).unwrap();
    // The unchanged file has nothing to show.
    assert_eq!(diff.lines().filter(|l| l.starts_with("+++ ")).count(), 1);
    assert!(diff.starts_with(&format!("--- {}\n", a.display())));

    let out = cmd().arg("--check").args([&b, &a]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).starts_with(&format!("{}: would remove", a.display())));
}

#[test]
fn cleaning_several_files_to_stdout_is_refused() {
    let dir = Scratch::new("refuse");
    let a = dir.file("a.txt", DOC.as_bytes());
    let out = cmd().args([&a, &a]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(stderr_of(&out).starts_with("paradedup: 2 text inputs given"));
}

#[test]
fn diff_shows_what_went_and_why() {
    let out = cmd()
        .args(["--diff", "--color", "never", "-"])
        .write_stdin(DOC)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let diff = String::from_utf8(out.stdout).unwrap();
    let expected = format!(
        "--- <stdin>\n+++ <stdin>\n\
         @@ -2,6 +2,4 @@ removed line 5 (normalized repeat of line 1)\n \n \
         Waves broke over the sea wall at high tide.\n \n\
         -{}\n-\n \
         Police asked drivers to use the inland route.\n",
        HEAD.to_uppercase()
    );
    assert_eq!(diff, expected);
}

/// A diff of a file whose name has a space, a quote, a backslash, a newline or (on Unix) a
/// byte that is not UTF-8 applies with `git apply`, which reads headers as `patch` does: the
/// file it names is the file it patches, and the result is the cleaned text.
#[test]
fn diffs_of_oddly_named_files_apply_to_those_files() {
    let dir = Scratch::new("odd-names");
    let mut names: Vec<std::ffi::OsString> = [
        "two words.txt",
        "q\"uote.txt",
        "back\\slash.txt",
        "new\nline.txt",
        // `git apply` refuses `./` in a name ("invalid path").
        "./dot.txt",
    ]
    .map(Into::into)
    .into();
    #[cfg(unix)]
    names.push(std::os::unix::ffi::OsStringExt::from_vec(
        b"x\xff.txt".to_vec(),
    ));
    for name in names {
        let path = dir.0.join(&name);
        std::fs::write(&path, DOC).unwrap();
        let out = cmd()
            .current_dir(&dir.0)
            .args(["--diff", "--color", "never"])
            .arg(&name)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{name:?}: {}", stderr_of(&out));
        let applied = StdCommand::new("git")
            .current_dir(&dir.0)
            .args(["apply", "-p0", "--unsafe-paths", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut git| {
                git.stdin.take().unwrap().write_all(&out.stdout)?;
                git.wait_with_output()
            })
            .expect("git runs");
        assert!(
            applied.status.success(),
            "{name:?}: {}\n{}",
            stderr_of(&applied),
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), CLEAN, "{name:?}");
    }
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let colored = cmd()
        .args(["--diff", "--color", "always"])
        .write_stdin(DOC)
        .output()
        .unwrap();
    assert!(String::from_utf8(colored.stdout)
        .unwrap()
        .contains("\u{1b}[31m-STORM"));
    // Not a terminal: auto means no color.
    let auto = cmd().args(["--diff"]).write_stdin(DOC).output().unwrap();
    assert!(!auto.stdout.contains(&0x1b));
    let never = cmd()
        .args(["--diff", "--color", "never"])
        .write_stdin(DOC)
        .output()
        .unwrap();
    assert!(!never.stdout.contains(&0x1b));
}

#[test]
fn no_color_turns_off_auto_color_on_a_terminal() {
    // `script` gives the command a real terminal; skip where it is missing.
    if StdCommand::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script`");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("paradedup");
    let file = sample("seed-article.txt");
    let run = |no_color: bool| {
        let mut c = StdCommand::new("script");
        c.args([
            "-qec",
            &format!("{} --diff {}", bin.display(), file.display()),
            "/dev/null",
        ]);
        c.env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env("TERM", "xterm");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        c.stdin(Stdio::null()).output().unwrap().stdout
    };
    assert!(run(false).contains(&0x1b), "a terminal gets color");
    assert!(!run(true).contains(&0x1b), "NO_COLOR turns it off");
}

/// Scraped text can hold escape sequences that retitle a terminal, erase the line above (a
/// removal, out of sight) or write to the clipboard. On a terminal they are shown escaped in
/// every mode, with colors or without, and so are those in a file's name on stderr.
#[test]
fn scraped_escape_codes_never_reach_a_terminal() {
    if StdCommand::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script`");
        return;
    }
    let dir = Scratch::new("escapes");
    let evil = "Tail \u{1b}]0;pwned\u{7}\u{1b}[1A\u{1b}[2K and \u{9b}2J";
    let text = format!("Headline here\n\n{evil}\n\nBody.\n\nHeadline here\n\n{evil}\n");
    let name = "a\u{1b}]0;PWN\u{7}b.txt";
    let file = dir.file(name, &text);
    let record = serde_json::json!({ "text": text }).to_string() + "\n";
    let records = dir.file("r.jsonl", &record);
    let bin = assert_cmd::cargo::cargo_bin("paradedup");
    let on_terminal = |args: &str, input: &Path, color: bool| {
        let mut c = StdCommand::new("script");
        let command = format!("{} {args} '{}'", bin.display(), input.display());
        c.args(["-qec", &command, "/dev/null"]);
        c.env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR")
            .env("TERM", "xterm");
        if !color {
            c.env("NO_COLOR", "1");
        }
        let out = c.stdin(Stdio::null()).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    for (args, input) in [
        ("--diff", &file),
        ("--diff --color never", &file),
        ("", &file),
        ("--json", &file),
        ("--check", &file),
        ("--jsonl", &records),
        ("--jsonl --json", &records),
    ] {
        let shown = on_terminal(args, input, false);
        for raw in ['\u{1b}', '\u{7}', '\u{9b}'] {
            assert!(!shown.contains(raw), "{args}: {raw:?} in {shown:?}");
        }
        let json = args.contains("json");
        if args != "--check" {
            let escaped = match json {
                true => "\\u001b]0;pwned\\u0007",
                false => "\\u{1b}]0;pwned\\u{7}",
            };
            assert!(shown.contains(escaped), "{args}: {shown:?}");
        }
        // Diff headers name files as git does (C escapes); messages as the text is shown.
        let named = match (json, args.starts_with("--diff")) {
            (true, _) => "a\\u001b]0;PWN\\u0007b.txt",
            (false, true) => "a\\033]0;PWN\\007b.txt",
            (false, false) => "a\\u{1b}]0;PWN\\u{7}b.txt",
        };
        if input == &file && !args.is_empty() {
            assert!(shown.contains(named), "{args}: {shown:?}");
        }
    }
    // With colors, only the diff's own escape sequences reach the terminal.
    let colored = on_terminal("--diff", &file, true);
    assert!(colored.contains("\u{1b}[31m-Headline here"), "{colored:?}");
    assert!(
        colored.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[1A"),
        "{colored:?}"
    );
    assert!(!colored.contains("\u{1b}]0;"), "{colored:?}");
}

/// A walk that finds nothing to read (a glob that matches nothing, the wrong directory) says
/// so, and is no error.
#[test]
fn a_walk_that_finds_nothing_says_so() {
    let dir = Scratch::new("nothing");
    dir.file("notes.md", "Not a page.\n");
    let out = cmd().arg("-r").arg(&dir.0).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr_of(&out),
        format!(
            "paradedup: warning: no file to read in {} (files matching *.txt, *.jsonl)\n",
            dir.0.display()
        )
    );
    let out = cmd()
        .args(["-r", "-g", "*.md", "-q"])
        .arg(&dir.0)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr_of(&out), "");
}

/// Flags about records do nothing where every input is read as text: `cat crawl.jsonl |
/// paradedup --field body` (without `--jsonl`) gets a warning, and `--min-pages` without
/// `--across` or `--boilerplate` is refused.
#[test]
fn flags_that_would_change_nothing_are_named() {
    let record = "{\"body\": \"Same line\\n\\nSame line\"}\n";
    let out = cmd()
        .args(["--field", "body"])
        .write_stdin(record)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout.clone()).unwrap(), record);
    assert_eq!(
        stderr_of(&out),
        "paradedup: warning: --field is for JSON Lines, and every input is read as text (add \
         --jsonl to read standard input, or files not ending in .jsonl, as records)\n"
    );
    let out = (cmd().args(["--jsonl", "--field", "body"]))
        .write_stdin(record)
        .output()
        .unwrap();
    assert_eq!(stderr_of(&out), "");
    assert_eq!(out.stdout, b"{\"body\": \"Same line\"}\n");
    for flag in [
        ["--min-pages", "3"],
        ["--min-share", "0.7"],
        ["--title-field", "t"],
    ] {
        let out = cmd().args(flag).write_stdin(record).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag:?}");
        assert!(stderr_of(&out).contains("<--across|--boilerplate <STATE>>"));
    }
}

/// Colors asked for in a pipe are the diff's: cleaned text and JSON stay byte-exact there,
/// control characters and all (they are escaped on a terminal only).
#[test]
fn forced_colors_leave_piped_text_byte_exact() {
    let doc = "Head \u{1b}[1m line\n\nBody.\n\nHead \u{1b}[1m line\n";
    for args in [&["--color", "always"][..], &[]] {
        let out = cmd()
            .args(args)
            .env("CLICOLOR_FORCE", "1")
            .write_stdin(doc)
            .output()
            .unwrap();
        assert_eq!(out.stdout, b"Head \x1b[1m line\n\nBody.\n", "{args:?}");
    }
    let out = (cmd().args(["--jsonl", "--color", "always"]))
        .write_stdin("{\"text\": \"a \u{9b} b\"}\n")
        .output()
        .unwrap();
    assert_eq!(out.stdout, "{\"text\": \"a \u{9b} b\"}\n".as_bytes());
}

/// A line break in a file's name does not split its error in two lines.
#[test]
fn a_name_with_a_line_break_is_named_on_one_line() {
    let out = cmd().arg("no/such\nfile.txt").output().unwrap();
    assert_eq!(
        assert_one_line_error(&out),
        "paradedup: no/such\\u{a}file.txt: No such file or directory (os error 2)\n"
    );
}

#[test]
fn missing_file_is_a_one_line_error() {
    let out = cmd().arg("no/such/file.txt").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1);
    assert!(
        err.starts_with("paradedup: no/such/file.txt: No such file or directory"),
        "{err}"
    );
}

#[test]
fn a_command_after_an_option_is_refused_before_anything_is_done() {
    let dir = Scratch::new("command");
    let pages = dir.file("pages.jsonl", "{\"text\": \"a\\n\\na\"}\n");
    let state = dir.0.join("s.state");
    let out = cmd()
        .current_dir(&dir.0)
        .args(["-j1", "learn", "--jsonl"])
        .arg(&pages)
        .arg("-o")
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr_of(&out),
        "paradedup: learn: no such file; to run `paradedup learn`, put it first, before any \
         option (see `paradedup learn --help`)\n"
    );
    // Nothing was cleaned into a directory named after the state file.
    assert!(!state.exists());
    // A file of that name is cleaned as any other.
    dir.file("merge", "x\n\nx\n");
    let out = cmd()
        .current_dir(&dir.0)
        .args(["-q", "merge"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(out.stdout, b"x\n");
}

#[test]
fn directory_is_an_error() {
    let dir = Scratch::new("dir");
    let out = cmd().arg(&dir.0).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.starts_with(&format!("paradedup: {}: ", dir.0.display())),
        "{err}"
    );
    assert!(err.to_lowercase().contains("directory"), "{err}");
}

#[test]
fn invalid_utf8_names_file_and_offset() {
    let dir = Scratch::new("utf8");
    let bad = dir.file("bad.txt", b"Fine line\n\nbroken \xff\xfe here\n");
    let out = cmd().arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr_of(&out),
        format!(
            "paradedup: {}: invalid UTF-8 at byte 18 (line 3, column 8)\n",
            bad.display()
        )
    );
}

#[test]
fn one_bad_file_does_not_stop_the_others() {
    let dir = Scratch::new("partial");
    let good = dir.file("good.txt", DOC.as_bytes());
    let out = cmd()
        .arg("--json")
        .arg("missing.txt")
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["removed_paragraphs"], 1);
}

#[test]
fn bad_threshold_and_conflicting_modes_are_usage_errors() {
    for args in [
        &["--threshold", "0"][..],
        &["--threshold", "2"],
        &["--diff", "--json"],
        &["--unit", "word"],
        &["-j", "0"],
        // Thousands of threads took minutes to start for a page of text.
        &["-j", "1025"],
    ] {
        let out = cmd().args(args).write_stdin(DOC).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn unit_flag_changes_what_is_compared() {
    let wrapped = std::fs::read_to_string(sample("hard-wrapped.txt")).unwrap();
    let count = |unit: &str| {
        let out = cmd()
            .args(["--json", "--unit", unit])
            .write_stdin(wrapped.clone())
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["paragraphs"].as_u64().unwrap()
    };
    assert!(count("line") > count("paragraph"));
    assert_eq!(count("auto"), count("paragraph"));
}

#[test]
fn threshold_one_keeps_near_duplicates() {
    let doc = format!("{HEAD}\n\nBody text.\n\n{HEAD} | World News\n");
    let out = cmd()
        .args(["--threshold", "1"])
        .write_stdin(doc.clone())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), doc);
    let out = cmd().write_stdin(doc).output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{HEAD}\n\nBody text.\n")
    );
}

/// `paradedup --html r.html big.txt | head`: the reader of standard output leaves early, and
/// the review page asked for is still written, with every removal.
#[test]
fn the_review_page_outlives_a_closed_pipe() {
    let dir = Scratch::new("html-pipe");
    let mut big: String = (0..20_000)
        .map(|i| format!("Paragraph number {i} is here.\n\n"))
        .collect();
    big += "Paragraph number 7 is here.\n";
    let input = dir.file("big.txt", &big);
    let page = dir.0.join("r.html");
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("paradedup"))
        .arg("--html")
        .arg(&page)
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    let stdout = child.stdout.as_mut().unwrap();
    stdout.read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("1 exact</span>"), "no removal on the page");
}

#[test]
fn broken_pipe_exits_quietly() {
    let big: String = (0..20_000)
        .map(|i| format!("Paragraph number {i} is here.\n\n"))
        .collect();
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("paradedup"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(big.as_bytes());
    });
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn full_disk_is_a_clear_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full");
        return;
    };
    let out = StdCommand::new(assert_cmd::cargo::cargo_bin("paradedup"))
        .arg(sample("seed-article.txt"))
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr_of(&out),
        "paradedup: writing output: No space left on device (os error 28)\n"
    );
}

/// Messages that cannot be written (standard error full or closed) are dropped: the run
/// goes on and its exit status says what it found, where Rust's `eprintln!` would panic
/// (exit 101).
#[test]
fn an_unwritable_stderr_changes_no_exit_status() {
    let dir = Scratch::new("stderr-full");
    let a = dir.file("a.txt", DOC);
    let cases: [(&[&str], i32); 4] = [
        (&["--check"], 1),
        (&["-v"], 0),
        (&["--check", "missing.txt"], 2),
        (&["--json", "-v"], 0),
    ];
    for (args, code) in cases {
        let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
            eprintln!("skipped: no /dev/full");
            return;
        };
        let out = StdCommand::new(assert_cmd::cargo::cargo_bin("paradedup"))
            .current_dir(&dir.0)
            .args(args)
            .arg(&a)
            .stderr(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
    }
}

#[test]
fn help_documents_every_flag() {
    let out = cmd().arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--diff",
        "--json",
        "--check",
        "--unit",
        "--threshold",
        "--color",
        "Exit status",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

/// `--html *.txt` makes the first article the page's name: a file there that is not a review
/// page is refused before any work, and left as it was. A page from an earlier run is replaced.
#[test]
fn an_html_page_never_replaces_a_file_that_is_not_one() {
    let dir = Scratch::new("html-not-page");
    let a = dir.file("a.txt", DOC);
    let b = dir.file("b.txt", DOC);
    let out = cmd()
        .args(["--check", "--html"])
        .args([&a, &b])
        .output()
        .unwrap();
    assert_eq!(
        assert_one_line_error(&out),
        format!(
            "paradedup: --html {}: not a review page, and would be replaced by one (remove it, \
             or name another file)\n",
            a.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&a).unwrap(), DOC);
    let page = dir.0.join("review.html");
    for _ in 0..2 {
        let out = cmd().arg("--html").arg(&page).arg(&b).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    }
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
}

/// Copies under `--output-dir` never replace an input or each other: both are refused before
/// anything is written. A directory walked with `-r` leaves out the output directory inside
/// it, so a second run does not clean the first run's copies.
#[test]
fn output_dir_copies_never_replace_inputs_or_each_other() {
    let dir = Scratch::new("output-collisions");
    let ax = dir.file("a/x.txt", DOC);
    let bx = dir.file("b/x.txt", CLEAN);
    let out_dir = dir.0.join("out");
    let out = cmd()
        .arg("-o")
        .arg(&out_dir)
        .args([&ax, &bx])
        .output()
        .unwrap();
    assert_eq!(
        assert_one_line_error(&out),
        format!(
            "paradedup: --output-dir {}: {} and {} would both be written to {}\n",
            out_dir.display(),
            ax.display(),
            bx.display(),
            out_dir.join("x.txt").display()
        )
    );
    assert!(!out_dir.exists());

    let out = cmd()
        .current_dir(dir.0.join("a"))
        .args(["-o", ".", "x.txt"])
        .output()
        .unwrap();
    assert_eq!(
        assert_one_line_error(&out),
        "paradedup: --output-dir .: the copy of x.txt would replace itself (--in-place \
         rewrites inputs)\n"
    );
    assert_eq!(std::fs::read_to_string(&ax).unwrap(), DOC);

    let site = dir.0.join("site");
    dir.file("site/p.txt", DOC);
    dir.file("site/sub/q.txt", DOC);
    let clean = site.join("clean");
    for _ in 0..2 {
        let out = cmd()
            .args(["-q", "-r", "-o"])
            .arg(&clean)
            .arg(&site)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    }
    let mut written: Vec<_> = walkdir::WalkDir::new(&clean)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(&clean).unwrap().to_path_buf())
        .collect();
    written.sort();
    assert_eq!(
        written,
        ["p.txt", "sub/q.txt"].map(std::path::PathBuf::from)
    );
    assert_eq!(std::fs::read_to_string(clean.join("p.txt")).unwrap(), CLEAN);
}

/// clap lets `--dry-run` through with `--output-dir` (both are destinations); it previews
/// `--in-place` only, so with `--output-dir` it is refused and nothing is written.
#[test]
fn dry_run_goes_with_in_place_only() {
    let dir = Scratch::new("dry-run-output-dir");
    let a = dir.file("a.txt", DOC);
    let out_dir = dir.0.join("out");
    let out = cmd()
        .args(["--dry-run", "-o"])
        .arg(&out_dir)
        .arg(&a)
        .output()
        .unwrap();
    assert_eq!(
        assert_one_line_error(&out),
        "paradedup: --dry-run goes with --in-place, not --output-dir\n"
    );
    assert!(!out_dir.exists());
}
