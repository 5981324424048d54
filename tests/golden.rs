//! Golden tests: every `samples/NAME.txt` cleaned with the default settings must equal
//! `samples/expected/NAME.txt`, fed both as a file and on stdin, and a CRLF twin of each LF
//! sample must come out as the CRLF twin of the expected output. `BLESS=1 cargo test` rewrites
//! the expected files (read the diff before committing them).

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use similar::TextDiff;

fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut out: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    out.sort();
    assert!(out.len() >= 10, "samples/ went missing");
    out
}

fn expected_path(sample: &Path) -> PathBuf {
    sample
        .parent()
        .unwrap()
        .join("expected")
        .join(sample.file_name().unwrap())
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
    let mut cmd = Command::cargo_bin("paradedup").unwrap();
    cmd.args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{args:?}: {:?}", out);
    out.stdout
}

fn assert_same(what: &str, expected: &[u8], got: &[u8]) {
    if expected != got {
        let (e, g) = (
            String::from_utf8_lossy(expected),
            String::from_utf8_lossy(got),
        );
        let diff = TextDiff::from_lines(e.as_ref(), g.as_ref());
        panic!(
            "{what}: output differs from expected\n{}",
            diff.unified_diff().header("expected", "got")
        );
    }
}

#[test]
fn samples_clean_to_their_expected_output() {
    let bless = std::env::var_os("BLESS").is_some();
    for sample in samples() {
        let path = sample.to_str().unwrap();
        let got = run(&[path], None);
        let expected = expected_path(&sample);
        if bless {
            fs::create_dir_all(expected.parent().unwrap()).unwrap();
            fs::write(&expected, &got).unwrap();
            continue;
        }
        let want = fs::read(&expected).unwrap_or_else(|e| panic!("{}: {e}", expected.display()));
        assert_same(path, &want, &got);
        let input = fs::read(&sample).unwrap();
        assert_same(&format!("{path} on stdin"), &want, &run(&[], Some(&input)));
        assert_same(&format!("{path} as -"), &want, &run(&["-"], Some(&input)));
    }
}

/// LF -> CRLF on every line ending.
fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

#[test]
fn crlf_twins_clean_like_their_lf_originals() {
    for sample in samples() {
        let input = fs::read(&sample).unwrap();
        if input.windows(2).any(|w| w == b"\r\n") {
            continue;
        }
        let want = fs::read(expected_path(&sample)).unwrap();
        let got = run(&[], Some(&to_crlf(&input)));
        assert_same(
            &format!("{} as CRLF", sample.display()),
            &to_crlf(&want),
            &got,
        );
    }
}

#[test]
fn expected_outputs_are_clean_already() {
    // Idempotence on real text: cleaning an expected output changes nothing.
    for sample in samples() {
        let expected = expected_path(&sample);
        let out = Command::cargo_bin("paradedup")
            .unwrap()
            .arg("--check")
            .arg(&expected)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{} is not clean",
            expected.display()
        );
    }
}

#[test]
fn seed_article_keeps_the_headline_once() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/seed-article.txt");
    let input = fs::read_to_string(&seed).unwrap();
    let headline = "Caliphate Renaissance: Islamists Maintain Strategic Calm";
    assert_eq!(input.matches(headline).count(), 6);
    let out = String::from_utf8(run(&[seed.to_str().unwrap()], None)).unwrap();
    assert_eq!(out.matches(headline).count(), 1);
    assert!(out.starts_with(headline));
    // Every other line is still there, in order, and no blank lines doubled up.
    let others: Vec<&str> = input.lines().filter(|l| *l != headline).collect();
    let kept: Vec<&str> = out.lines().filter(|l| *l != headline).collect();
    assert_eq!(squeeze(others), kept);
    assert!(!out.contains("\n\n\n"));
    assert!(
        out.ends_with("World news"),
        "the missing final newline stays missing"
    );
}

/// Collapses runs of empty lines into one.
fn squeeze(lines: Vec<&str>) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for l in lines {
        if !(l.is_empty() && out.last().is_some_and(|p| p.is_empty())) {
            out.push(l);
        }
    }
    out
}
