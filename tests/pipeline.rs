//! Pipelines: JSON Lines streams, batches of files, in-place rewrites, threads.

mod common;

use common::{cmd, Scratch};
use std::fs;
use std::path::Path;
use std::process::Command as StdCommand;

const TEXT: &str =
    r#""Storm Closes Coastal Road\n\nWaves broke over the wall.\n\nSTORM CLOSES COASTAL ROAD""#;
const CLEAN: &str = r#""Storm Closes Coastal Road\n\nWaves broke over the wall.""#;
const DOC: &str =
    "Storm Closes Coastal Road\n\nWaves broke over the wall.\n\nSTORM CLOSES COASTAL ROAD\n";
const DOC_CLEAN: &str = "Storm Closes Coastal Road\n\nWaves broke over the wall.\n";

fn out_str(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn jsonl_changes_only_the_field() {
    let input = format!(
        "{{\"id\": 7, \"n\": 1.50, \"text\": {TEXT}, \"tags\": [\"a\"]}}\n\
         {{\"text\": \"Nothing to remove.\", \"n\": 1e3}}\r\n"
    );
    let out = cmd().arg("--jsonl").write_stdin(input).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", out_str(&out.stderr));
    assert_eq!(
        out_str(&out.stdout),
        format!(
            "{{\"id\": 7, \"n\": 1.50, \"text\": {CLEAN}, \"tags\": [\"a\"]}}\n\
             {{\"text\": \"Nothing to remove.\", \"n\": 1e3}}\r\n"
        )
    );
    assert!(
        out.stderr.is_empty(),
        "no summary for one stream without --verbose"
    );
}

#[test]
fn jsonl_nested_field_and_stats() {
    let input = format!("{{\"content\": {{\"body\": {TEXT}}}, \"text\": 3}}\n");
    let out = cmd()
        .args([
            "--jsonl",
            "--field",
            "content.body",
            "--json",
            "--stats-field",
            "dedup",
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", out_str(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["content"]["body"],
        "Storm Closes Coastal Road\n\nWaves broke over the wall."
    );
    assert_eq!(v["text"], 3);
    assert_eq!(v["dedup"]["removed"], 1);
    assert_eq!(
        v["dedup"]["removed_bytes"],
        "\n\nSTORM CLOSES COASTAL ROAD".len()
    );
}

fn bad_input() -> String {
    format!("{{\"text\": {TEXT}}}\nnot json\n[1]\n{{\"body\": \"x\"}}\n{{\"text\": \"last\"}}\n")
}

#[test]
fn bad_record_stops_after_writing_earlier_records() {
    let out = cmd()
        .arg("--jsonl")
        .write_stdin(bad_input())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out_str(&out.stdout), format!("{{\"text\": {CLEAN}}}\n"));
    let err = out_str(&out.stderr);
    assert!(err.starts_with("paradedup: <stdin>:2: not JSON"), "{err}");
}

#[test]
fn bad_records_pass_through() {
    let out = cmd()
        .args(["--jsonl", "--on-error", "pass", "--verbose"])
        .write_stdin(bad_input())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        out_str(&out.stdout),
        format!(
            "{{\"text\": {CLEAN}}}\nnot json\n[1]\n{{\"body\": \"x\"}}\n{{\"text\": \"last\"}}\n"
        )
    );
    let err = out_str(&out.stderr);
    assert!(err.contains("<stdin>:2: not JSON"), "{err}");
    assert!(
        err.contains("<stdin>:3: the record is not a JSON object (passed through)"),
        "{err}"
    );
    assert!(
        err.contains("<stdin>:4: no field 'text' (passed through)"),
        "{err}"
    );
    assert!(
        err.contains("records: 5 read, 2 written, 3 passed, 0 skipped"),
        "{err}"
    );
}

#[test]
fn bad_records_are_skipped() {
    let out = cmd()
        .args(["--jsonl", "--on-error", "skip", "--verbose"])
        .write_stdin(bad_input())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        out_str(&out.stdout),
        format!("{{\"text\": {CLEAN}}}\n{{\"text\": \"last\"}}\n")
    );
    let err = out_str(&out.stderr);
    assert_eq!(err.matches("(skipped)").count(), 3, "{err}");
    assert!(
        err.contains("records: 5 read, 2 written, 0 passed, 3 skipped"),
        "{err}"
    );
}

#[test]
fn threads_do_not_change_the_output() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/pages.jsonl");
    let input = match fs::read(&corpus) {
        Ok(bytes) => bytes,
        Err(_) => {
            // Outside the workspace: build a stream from the samples instead.
            let text = fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/seed-article.txt"),
            )
            .unwrap();
            (0..300)
                .map(|i| {
                    format!(
                        "{{\"id\": {i}, \"text\": {}}}\n",
                        serde_json::to_string(&text).unwrap()
                    )
                })
                .collect::<String>()
                .into_bytes()
        }
    };
    let run = |j: &str| {
        let out = cmd()
            .args(["--jsonl", "-j", j])
            .write_stdin(input.clone())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("4"));
    assert_eq!(
        one.iter().filter(|&&b| b == b'\n').count(),
        input.iter().filter(|&&b| b == b'\n').count()
    );
    assert_ne!(one, input, "the corpus has repeats to remove");
}

#[test]
fn in_place_rewrites_changed_files_only() {
    let dir = Scratch::new("inplace");
    let changed = dir.file("a.txt", DOC);
    let same = dir.file("b.txt", DOC_CLEAN);
    let jsonl = dir.file("c.jsonl", &format!("{{\"text\": {TEXT}}}\n"));
    let same_jsonl = dir.file("d.jsonl", &format!("{{\"text\": {CLEAN}}}\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&changed, fs::Permissions::from_mode(0o640)).unwrap();
    }
    let before = fs::metadata(&same).unwrap().modified().unwrap();
    let before_jsonl = fs::metadata(&same_jsonl).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = cmd()
        .arg("--in-place")
        .args([&changed, &same, &jsonl, &same_jsonl])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", out_str(&out.stderr));
    assert_eq!(fs::read_to_string(&changed).unwrap(), DOC_CLEAN);
    assert_eq!(
        fs::read_to_string(&jsonl).unwrap(),
        format!("{{\"text\": {CLEAN}}}\n")
    );
    assert_eq!(fs::metadata(&same).unwrap().modified().unwrap(), before);
    assert_eq!(
        fs::metadata(&same_jsonl).unwrap().modified().unwrap(),
        before_jsonl
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&changed).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
    let leftovers: Vec<_> = fs::read_dir(&dir.0)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.starts_with(".paradedup").then_some(name)
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let err = out_str(&out.stderr);
    assert!(err.contains("4 documents, 2 paragraphs removed"), "{err}");
}

#[test]
fn dry_run_writes_nothing() {
    let dir = Scratch::new("dry");
    let file = dir.file("a.txt", DOC);
    let out = cmd()
        .args(["--in-place", "--dry-run"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(fs::read_to_string(&file).unwrap(), DOC);
    assert!(out_str(&out.stderr).contains("would remove 1 of 3 paragraphs"));
}

#[test]
fn output_dir_mirrors_the_tree() {
    let dir = Scratch::new("outdir");
    dir.file("in/a.txt", DOC);
    dir.file("in/sub/b.txt", DOC_CLEAN);
    dir.file("in/sub/c.jsonl", &format!("{{\"text\": {TEXT}}}\n"));
    dir.file("in/sub/skip.md", DOC);
    dir.file("in/.hidden/d.txt", DOC);
    let out = cmd()
        .args(["--recursive", "--output-dir"])
        .arg(dir.0.join("out"))
        .arg(dir.0.join("in"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", out_str(&out.stderr));
    assert_eq!(
        fs::read_to_string(dir.0.join("out/a.txt")).unwrap(),
        DOC_CLEAN
    );
    assert_eq!(
        fs::read_to_string(dir.0.join("out/sub/b.txt")).unwrap(),
        DOC_CLEAN
    );
    assert_eq!(
        fs::read_to_string(dir.0.join("out/sub/c.jsonl")).unwrap(),
        format!("{{\"text\": {CLEAN}}}\n")
    );
    assert!(!dir.0.join("out/sub/skip.md").exists());
    assert!(!dir.0.join("out/.hidden").exists());
    assert_eq!(
        fs::read_to_string(dir.0.join("in/a.txt")).unwrap(),
        DOC,
        "input untouched"
    );

    // A glob picks other files.
    let out = cmd()
        .args(["-r", "--glob", "*.md", "-o"])
        .arg(dir.0.join("md"))
        .arg(dir.0.join("in"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(dir.0.join("md/sub/skip.md")).unwrap(),
        DOC_CLEAN
    );
    assert!(!dir.0.join("md/a.txt").exists());
}

/// Files are written by threads of their own: reports still come in input order, and a file
/// that cannot be written is reported alone while the others are written.
#[test]
fn a_batch_of_writes_reports_in_order_and_fails_one_file_alone() {
    let dir = Scratch::new("batch");
    let count = 150;
    let clean = |i: usize| format!("Headline {i}\n\nBody {i} of the story.\n");
    for i in 0..count {
        // Every third file has nothing to remove: in place, it is not written.
        let repeat = if i % 3 == 0 {
            String::new()
        } else {
            format!("\nHEADLINE {i}\n")
        };
        dir.file(&format!("in/f{i:03}.txt"), &(clean(i) + &repeat));
    }
    // A directory where a copy should go: no file can replace it.
    fs::create_dir_all(dir.0.join("out-1/f070.txt")).unwrap();
    fs::create_dir_all(dir.0.join("out-2/f070.txt")).unwrap();
    let run = |threads: &str, out: &str| {
        cmd()
            .args(["--json", "-r", "-j", threads, "--output-dir"])
            .arg(dir.0.join(out))
            .arg(dir.0.join("in"))
            .output()
            .unwrap()
    };
    let one = run("1", "out-1");
    let two = run("2", "out-2");
    assert_eq!(out_str(&one.stdout), out_str(&two.stdout));
    for (out, name) in [(&one, "out-1"), (&two, "out-2")] {
        assert_eq!(out.status.code(), Some(2));
        let reports: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
        assert_eq!(reports.len(), count);
        for (i, report) in reports.iter().enumerate() {
            assert!(report.contains(&format!("f{i:03}.txt")), "{i}: {report}");
        }
        let err = out_str(&out.stderr);
        let errors: Vec<&str> = err.lines().filter(|l| !l.contains("documents")).collect();
        assert_eq!(errors.len(), 1, "{err}");
        assert!(
            errors[0].starts_with(&format!(
                "paradedup: {}: cannot replace ",
                dir.0.join("in/f070.txt").display()
            )) && errors[0].ends_with(": a directory"),
            "{err}"
        );
        for i in (0..count).filter(|&i| i != 70) {
            assert_eq!(
                fs::read_to_string(dir.0.join(format!("{name}/f{i:03}.txt"))).unwrap(),
                clean(i)
            );
        }
    }

    // In place, written and unwritten files interleave; the reports keep the input's order.
    let out = cmd()
        .args(["--json", "-r", "-j", "2", "--in-place"])
        .arg(dir.0.join("in"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", out_str(&out.stderr));
    assert_eq!(out_str(&out.stdout), out_str(&one.stdout));
    for i in 0..count {
        let file = dir.0.join(format!("in/f{i:03}.txt"));
        assert_eq!(fs::read_to_string(file).unwrap(), clean(i));
    }
}

/// An input that fails (here: missing) fails alone; a JSON Lines file after it is still
/// cleaned in place (it was left as it was, while the summary counted its removals).
#[test]
fn a_failed_input_does_not_stop_a_later_jsonl_file_from_being_written() {
    let dir = Scratch::new("failfirst");
    let jsonl = dir.file("b.jsonl", &format!("{{\"text\": {TEXT}}}\n"));
    let out = cmd()
        .arg("--in-place")
        .arg(dir.0.join("missing.txt"))
        .arg(&jsonl)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out_str(&out.stderr).contains("missing.txt"));
    assert_eq!(
        fs::read_to_string(&jsonl).unwrap(),
        format!("{{\"text\": {CLEAN}}}\n")
    );
}

#[test]
fn directory_without_recursive_is_an_error() {
    let dir = Scratch::new("norec");
    dir.file("a.txt", DOC);
    let out = cmd().arg("--in-place").arg(&dir.0).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out_str(&out.stderr).contains("--recursive"));
}

#[test]
fn unwritable_directory_leaves_the_original_untouched() {
    let dir = Scratch::new("readonly");
    let file = dir.file("a.txt", DOC);
    // Root ignores permission bits; the immutable attribute stops root too.
    let locked = StdCommand::new("chattr")
        .arg("+i")
        .arg(&dir.0)
        .status()
        .is_ok_and(|s| s.success())
        || {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o555)).unwrap();
            }
            fs::write(dir.0.join("probe"), "x").is_err()
        };
    if !locked {
        eprintln!("skipped: cannot make a directory unwritable here");
        return;
    }
    let out = cmd().arg("--in-place").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = out_str(&out.stderr);
    assert!(
        err.starts_with(&format!("paradedup: {}: ", file.display())),
        "{err}"
    );
    assert!(
        err.contains(&dir.0.display().to_string()),
        "the error names the directory: {err}"
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), DOC);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = StdCommand::new("chattr").arg("-i").arg(&dir.0).status();
        fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn quiet_hides_the_summary() {
    let dir = Scratch::new("quiet");
    let a = dir.file("a.txt", DOC);
    let b = dir.file("b.txt", DOC);
    let out = cmd()
        .args(["--json", "-q"])
        .args([&a, &b])
        .output()
        .unwrap();
    assert!(out.stderr.is_empty());
    let out = cmd().args(["--json"]).args([&a, &b]).output().unwrap();
    assert_eq!(
        out_str(&out.stderr),
        "paradedup: 2 documents, 2 paragraphs removed, 54 bytes saved\n"
    );
    // A preview removes and writes nothing: its summary says what a run would do.
    for preview in [&["--check"][..], &["-i", "--dry-run"]] {
        let out = cmd().args(preview).args([&a, &b]).output().unwrap();
        let stderr = out_str(&out.stderr);
        assert!(
            stderr.ends_with("paradedup: 2 documents, 2 paragraphs to remove, 54 bytes to save\n"),
            "{preview:?}: {stderr}"
        );
    }
    assert_eq!(std::fs::read_to_string(&a).unwrap(), DOC);
}

#[test]
fn text_and_jsonl_inputs_mix_on_stdout() {
    let dir = Scratch::new("mix");
    let a = dir.file("a.jsonl", &format!("{{\"text\": {TEXT}}}\n"));
    let b = dir.file("b.jsonl", "{\"text\": \"x\"}\n");
    let out = cmd().args([&a, &b]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        out_str(&out.stdout),
        format!("{{\"text\": {CLEAN}}}\n{{\"text\": \"x\"}}\n")
    );
}

/// A record is cleaned and written as soon as it is read: a slow producer's records are not
/// held back until a batch fills or the input ends.
#[test]
fn jsonl_records_come_out_while_the_input_is_still_open() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_paradedup"))
        .args(["--jsonl", "-j", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    for _ in 0..3 {
        writeln!(stdin, "{{\"text\": {TEXT}}}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        // Blocks (and the test times out) if the record waits for more input.
        stdout.read_line(&mut line).unwrap();
        assert_eq!(line, format!("{{\"text\": {CLEAN}}}\n"));
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn the_summary_counts_documents_that_failed() {
    let dir = Scratch::new("failed-docs");
    let good = dir.file("a.txt", DOC);
    let bad_text = dir.file("b.txt", b"Fine line.\n\xffnot UTF-8\n");
    let bad_records = dir.file("c.jsonl", "{\"text\": \"A\\n\\nA\"}\nnot json\n");
    let out_dir = dir.0.join("out");
    let out = cmd()
        .arg("--output-dir")
        .arg(&out_dir)
        .args([&good, &bad_text, &bad_records])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = out_str(&out.stderr);
    // The failed documents saved nothing: the paragraph removed is a.txt's.
    let summary = stderr.lines().last().unwrap();
    assert!(
        summary.starts_with("paradedup: 3 documents, 2 failed, 1 paragraph removed, "),
        "{stderr}"
    );
    // Only the good document was written.
    let written: Vec<_> = walk(&out_dir);
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(written[0].ends_with("a.txt"), "{written:?}");
    // A dry run says the same, and does not say the stopped file would change.
    let dry = cmd()
        .args(["--in-place", "--dry-run"])
        .args([&good, &bad_text, &bad_records])
        .output()
        .unwrap();
    let stderr = out_str(&dry.stderr);
    assert!(stderr.contains("a.txt: would remove 1 of 3"), "{stderr}");
    assert!(!stderr.contains("c.jsonl: would"), "{stderr}");
    let summary = stderr.lines().last().unwrap();
    assert!(
        summary.starts_with("paradedup: 3 documents, 2 failed, 1 paragraph to remove, "),
        "{stderr}"
    );
    // An input that cannot be opened is a failed document too, and is reported in its place
    // among the others.
    let missing = dir.0.join("missing.txt");
    let check = cmd()
        .arg("--check")
        .args([&good, &missing, &good])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(2));
    let stderr = out_str(&check.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert!(
        lines[0].ends_with("a.txt: would remove 1 of 3 paragraphs (27 bytes)"),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with(&format!("paradedup: {}: ", missing.display())),
        "{stderr}"
    );
    assert!(
        lines[2].ends_with("a.txt: would remove 1 of 3 paragraphs (27 bytes)"),
        "{stderr}"
    );
    assert!(
        lines[3].starts_with("paradedup: 3 documents, 1 failed, 2 paragraphs to remove, "),
        "{stderr}"
    );
}

#[test]
fn an_output_dir_that_is_a_file_is_refused_once() {
    let dir = Scratch::new("out-is-file");
    let a = dir.file("a.txt", DOC);
    let b = dir.file("b.txt", DOC);
    let not_dir = dir.file("out", "a file");
    let out = cmd()
        .arg("--output-dir")
        .arg(&not_dir)
        .args([&a, &b])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        out_str(&out.stderr),
        format!(
            "paradedup: --output-dir {}: not a directory\n",
            not_dir.display()
        )
    );
    assert_eq!(fs::read_to_string(&not_dir).unwrap(), "a file");
}

/// Every file under `dir`, recursively.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn check_and_dry_run_report_json_lines_files_as_text_files() {
    let dir = Scratch::new("check-jsonl");
    let records = [
        &format!(r#"{{"text": {TEXT}}}"#),
        r#"{"text": "Nothing repeats here."}"#,
        r#"{"text": "Same line.\n\nsame line!"}"#,
    ]
    .join("\n")
        + "\n";
    let changed = dir.file("a.jsonl", &records);
    let clean = dir.file("b.jsonl", "{\"text\": \"Only once.\"}\n");
    for args in [&["--check", "-q"][..], &["--in-place", "--dry-run", "-q"]] {
        let out = cmd().args(args).args([&changed, &clean]).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(if args[0] == "--check" { 1 } else { 0 })
        );
        assert_eq!(
            out_str(&out.stderr),
            format!(
                "{}: would remove 2 of 6 paragraphs (39 bytes)\n",
                changed.display()
            ),
            "{args:?}"
        );
    }
    assert_eq!(fs::read_to_string(&changed).unwrap(), records);
}

/// `--in-place` refuses a FIFO or a device before reading it: `/dev/zero` was read until
/// memory ran out, and a FIFO without a writer waited forever, before "not a regular file".
/// The other files are cleaned.
#[cfg(unix)]
#[test]
fn in_place_refuses_devices_before_reading_them() {
    let dir = Scratch::new("in-place-device");
    let good = dir.file("a.txt", DOC);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("paradedup"))
        .args(["-i", "/dev/zero"])
        .arg(&good)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("/dev/zero is being read");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(2));
    let stderr = out_str(&out.stderr);
    assert!(
        stderr.starts_with(
            "paradedup: /dev/zero: not a regular file (a FIFO, device or socket cannot be \
             rewritten in place)\n"
        ),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&good).unwrap(), DOC_CLEAN);
}

/// A new copy under `--output-dir` is no more open than its source: a private article stays
/// private (it was made `0666` less the umask, readable by all).
#[cfg(unix)]
#[test]
fn copies_are_no_more_open_than_their_sources() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Scratch::new("copy-modes");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let cases = [("a.txt", 0o600), ("b.txt", 0o640), ("c.jsonl", 0o600)];
    for (name, m) in cases {
        let text = match name.ends_with(".jsonl") {
            true => "{\"text\": \"A\\n\\nA\"}\n",
            false => DOC,
        };
        let p = dir.file(&format!("in/{name}"), text);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m)).unwrap();
    }
    let out_dir = dir.0.join("out");
    let out = cmd()
        .args(["-q", "-r", "-o"])
        .arg(&out_dir)
        .arg(dir.0.join("in"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", out_str(&out.stderr));
    for (name, m) in cases {
        assert_eq!(
            mode(&out_dir.join(name)) & !m,
            0,
            "{name}: {:o}",
            mode(&out_dir.join(name))
        );
        // Readable by its owner still.
        assert_eq!(mode(&out_dir.join(name)) & 0o600, 0o600, "{name}");
    }
}

/// `--stats-field` naming `--field`, or the object that holds it, wrote the stats over the
/// cleaned text, exit 0. The stats field is a top-level key, and `--field` a dotted path: any
/// overlap of the two read as paths is refused before anything runs.
#[test]
fn stats_field_overlapping_the_field_is_refused() {
    let dir = Scratch::new("stats-overlap");
    let flat = dir.file("s.jsonl", &format!("{{\"text\": {TEXT}}}\n"));
    let nested = dir.file("s2.jsonl", &format!("{{\"c\": {{\"body\": {TEXT}}}}}\n"));
    let cases: [(&[&str], &Path, &str, &str); 5] = [
        (&["--stats-field", "text"], &flat, "text", "text"),
        (
            &["--field", "c.body", "--stats-field", "c"],
            &nested,
            "c",
            "c.body",
        ),
        (
            &["--field", "c.body", "--stats-field", "c.body"],
            &nested,
            "c.body",
            "c.body",
        ),
        (
            &["--field", "c", "--stats-field", "c.x"],
            &nested,
            "c.x",
            "c",
        ),
        // The default stats field.
        (&["--field", "paradedup"], &flat, "paradedup", "paradedup"),
    ];
    for (args, input, stats, field) in cases {
        let out = cmd().arg("--json").args(args).arg(input).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(
            out_str(&out.stderr),
            format!(
                "paradedup: --stats-field {stats} overlaps --field {field} (the same field, \
                 or one inside the other): choose another --stats-field\n"
            ),
            "{args:?}"
        );
    }
    // Siblings do not overlap, and without --json there are no stats to write.
    let out = cmd()
        .args(["--json", "--field", "c.body", "--stats-field", "c.n"])
        .arg(&nested)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", out_str(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["c.n"]["removed"], 1);
    assert_eq!(
        v["c"]["body"],
        "Storm Closes Coastal Road\n\nWaves broke over the wall."
    );
    let out = cmd()
        .args(["--stats-field", "text"])
        .arg(&flat)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", out_str(&out.stderr));
    assert_eq!(out_str(&out.stdout), format!("{{\"text\": {CLEAN}}}\n"));
    // Nor for text files, which get a report, not stats.
    let txt = dir.file("a.txt", DOC);
    let out = cmd()
        .args(["--json", "--stats-field", "text"])
        .arg(&txt)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", out_str(&out.stderr));
}

/// A record dropped by `--on-error skip` is a change to its file: `-i` left a file whose
/// records lost nothing else as it was, bad line included, while the summary said "1 skipped"
/// (and `-o`, or a removal elsewhere in the file, dropped it). `--on-error pass` changes
/// nothing.
#[test]
fn a_skipped_record_is_a_change() {
    let dir = Scratch::new("skip-change");
    let records = "{\"text\": \"A.\"}\ngarbage\n{\"text\": \"B.\"}\n";
    let file = dir.file("k.jsonl", records);
    let skipped = |name: &Path| {
        format!(
            "paradedup: {}:2: not JSON: expected value at line 1 column 1 (skipped)\n",
            name.display()
        )
    };
    let would = format!(
        "{}: would remove 0 of 2 paragraphs (0 bytes) and skip 1 bad record\n",
        file.display()
    );
    for (args, code) in [(&["--check"][..], 1), (&["-i", "--dry-run"], 0)] {
        let out = cmd()
            .args(args)
            .args(["-q", "--on-error", "skip"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert_eq!(out_str(&out.stderr), skipped(&file) + &would, "{args:?}");
        assert_eq!(fs::read_to_string(&file).unwrap(), records);
    }
    // Passed through, the bad line changes nothing: no report, the file is not touched.
    let before = fs::metadata(&file).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    for args in [&["--check"][..], &["-i", "--dry-run"], &["-i"]] {
        let out = cmd()
            .args(args)
            .args(["-q", "--on-error", "pass"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(
            out_str(&out.stderr),
            format!(
                "paradedup: {}:2: not JSON: expected value at line 1 column 1 (passed through)\n",
                file.display()
            ),
            "{args:?}"
        );
    }
    assert_eq!(fs::metadata(&file).unwrap().modified().unwrap(), before);
    assert_eq!(fs::read_to_string(&file).unwrap(), records);
    let out = cmd()
        .args(["-i", "--on-error", "skip"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        "{\"text\": \"A.\"}\n{\"text\": \"B.\"}\n"
    );
    let err = out_str(&out.stderr);
    assert!(err.starts_with(&skipped(&file)), "{err}");
    assert!(err.contains("1 document, 0 paragraphs removed"), "{err}");
    assert!(
        err.contains("records: 3 read, 2 written, 0 passed, 1 skipped"),
        "{err}"
    );
}
