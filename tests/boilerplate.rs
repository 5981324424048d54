//! Site boilerplate across pages: learn, merge, --boilerplate, --across.

mod common;

use common::{assert_one_line_error, cmd, Scratch};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

const SHARE: &str = "Share this article";
const FOOTER: &str = "© 2026 Valley Courier. All rights reserved.";
const WIRE: &str =
    "The agency said on Monday that the storm would reach the coast by Wednesday night.";

fn page(id: u32, site: &str, title: &str, body: &[&str]) -> Value {
    json!({"id": id, "site": site, "title": title, "text": body.join("\n\n")})
}

/// Three pages of one site and two of another. Every page of site a ends with the share line
/// and the footer and lists the headlines of its other pages; the wire paragraph is on a page of
/// each site; the exit notices differ in their numbers only.
fn pages() -> Vec<Value> {
    let t = [
        "Bridge Reopens After Repairs",
        "Council Backs New Library",
        "Floods Close Valley Road",
    ];
    vec![
        page(
            1,
            "a",
            t[0],
            &[
                t[0],
                "The bridge opened at dawn.",
                "The north exit closes at 6 pm on platform 4.",
                SHARE,
                t[1],
                t[2],
                FOOTER,
            ],
        ),
        page(
            2,
            "a",
            t[1],
            &[
                t[1],
                "Councillors voted nine to two.",
                WIRE,
                "The north exit closes at 9 pm on platform 2.",
                SHARE,
                t[0],
                t[2],
                FOOTER,
            ],
        ),
        page(
            3,
            "a",
            t[2],
            &[t[2], "Water rose overnight.", SHARE, t[0], t[1], FOOTER],
        ),
        page(
            4,
            "b",
            "Storm Warning",
            &["Storm Warning", WIRE, "Residents stocked up."],
        ),
        page(
            5,
            "b",
            "Market Day",
            &["Market Day", "Stalls filled the square.", SHARE],
        ),
    ]
}

fn jsonl(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

fn texts(stdout: &[u8]) -> Vec<String> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn across_removes_site_boilerplate_and_keeps_the_rest() {
    let dir = Scratch::new("across");
    let input = dir.file("pages.jsonl", &jsonl(&pages()));
    let out = cmd().args(["--across"]).arg(&input).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = texts(&out.stdout);
    // Site a: share line, footer and the related headlines go, first copies included; each
    // page keeps its own headline; the templated exit notices stay.
    assert_eq!(got[0], "Bridge Reopens After Repairs\n\nThe bridge opened at dawn.\n\nThe north exit closes at 6 pm on platform 4.");
    assert_eq!(got[1], format!("Council Backs New Library\n\nCouncillors voted nine to two.\n\n{WIRE}\n\nThe north exit closes at 9 pm on platform 2."));
    assert_eq!(got[2], "Floods Close Valley Road\n\nWater rose overnight.");
    // Site b: the wire copy is on one page of b only, the share line on one of two pages of b
    // (2 pages needed): nothing goes.
    assert_eq!(
        got[3],
        format!("Storm Warning\n\n{WIRE}\n\nResidents stocked up.")
    );
    assert_eq!(
        got[4],
        format!("Market Day\n\nStalls filled the square.\n\n{SHARE}")
    );
}

#[test]
fn json_stats_and_report_name_boilerplate() {
    let dir = Scratch::new("stats");
    let input = dir.file("pages.jsonl", &jsonl(&pages()));
    let out = cmd()
        .args(["--across", "--json"])
        .arg(&input)
        .output()
        .unwrap();
    let first: Value =
        serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["paradedup"]["boilerplate"], 4);
    assert_eq!(first["paradedup"]["removed"], 4);

    // Plain files: grouped by directory, reported with reason and page count.
    let body = |extra: &str| {
        format!("{extra}\n\nShare this article\n\nSubscribe to our newsletter today\n")
    };
    let a = dir.file("site/one.txt", &body("First story text."));
    dir.file("site/two.txt", &body("Second story text."));
    dir.file("other/three.txt", &body("Third story text."));
    let out = cmd()
        .args(["--across", "--json"])
        .arg(&a)
        .arg(dir.0.join("site/two.txt"))
        .arg(dir.0.join("other/three.txt"))
        .output()
        .unwrap();
    let reports: Vec<Value> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    let removed = reports[0]["removed"].as_array().unwrap();
    assert_eq!(removed.len(), 2);
    assert_eq!(removed[0]["reason"], "boilerplate");
    assert_eq!(removed[0]["pages"], 2);
    assert_eq!(removed[0]["repeats_line"], Value::Null);
    assert_eq!(
        reports[2]["removed_paragraphs"], 0,
        "another directory is another site"
    );

    let out = cmd()
        .args(["--across", "--diff", "--color", "never"])
        .arg(&a)
        .arg(dir.0.join("site/two.txt"))
        .output()
        .unwrap();
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.contains("line 3 (boilerplate on 2 pages of the site)"),
        "{diff}"
    );
}

#[test]
fn a_page_of_nothing_but_boilerplate_is_left_as_it_is() {
    let records = vec![
        page(1, "c", "One", &["One", "Body one.", SHARE, FOOTER]),
        page(2, "c", "Two", &["Two", "Body two.", SHARE, FOOTER]),
        json!({"id": 3, "site": "c", "title": "Notice", "text": format!("{SHARE}\n\n{FOOTER}")}),
    ];
    let dir = Scratch::new("empty");
    let input = dir.file("pages.jsonl", &jsonl(&records));
    let out = cmd().args(["--across"]).arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(texts(&out.stdout)[2], format!("{SHARE}\n\n{FOOTER}"));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("pages.jsonl:3: nothing but site boilerplate; left as it is"),
        "{err}"
    );
}

#[test]
fn learn_merge_apply_equals_across() {
    let dir = Scratch::new("learn");
    let all = pages();
    let input = dir.file("pages.jsonl", &jsonl(&all));
    let part1 = dir.file("p1.jsonl", &jsonl(&all[..2]));
    let part2 = dir.file("p2.jsonl", &jsonl(&all[2..4]));
    let part3 = dir.file("p3.jsonl", &jsonl(&all[4..]));
    let learn = |input: &Path, out: &str| {
        let o = cmd()
            .arg("learn")
            .arg(input)
            .arg("-o")
            .arg(dir.0.join(out))
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        dir.0.join(out)
    };
    let whole = learn(&input, "all.state");
    let (s1, s2, s3) = (
        learn(&part1, "1.state"),
        learn(&part2, "2.state"),
        learn(&part3, "3.state"),
    );
    let merge = |states: &[&PathBuf]| {
        let o = cmd().arg("merge").args(states).output().unwrap();
        assert_eq!(o.status.code(), Some(0));
        o.stdout
    };
    let all_bytes = fs::read(&whole).unwrap();
    assert_eq!(merge(&[&s1, &s2, &s3]), all_bytes);
    assert_eq!(merge(&[&s3, &s1, &s2]), all_bytes, "merge is commutative");
    let s12 = dir.0.join("12.state");
    fs::write(&s12, merge(&[&s2, &s1])).unwrap();
    assert_eq!(merge(&[&s3, &s12]), all_bytes, "and associative");

    let applied = cmd()
        .arg("--boilerplate")
        .arg(&whole)
        .write_stdin(jsonl(&all))
        .arg("--jsonl")
        .output()
        .unwrap();
    let across = cmd().arg("--across").arg(&input).output().unwrap();
    assert_eq!(applied.stdout, across.stdout);
}

#[test]
fn pairs_count_to_the_same_state() {
    let out = cmd()
        .args(["learn", "--jsonl", "--pairs"])
        .write_stdin(jsonl(&pages()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut counts = std::collections::BTreeMap::<(String, String), u32>::new();
    for line in text.lines() {
        let [site, fp, page] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("{line}");
        };
        assert_eq!(page.len(), 16, "{line}");
        *counts.entry((site.to_owned(), fp.to_owned())).or_default() += 1;
    }
    assert_eq!(counts[&("a".to_owned(), "*".to_owned())], 3);
    let state = cmd()
        .args(["learn", "--jsonl"])
        .write_stdin(jsonl(&pages()))
        .output()
        .unwrap();
    let state = String::from_utf8(state.stdout).unwrap();
    for ((site, fp), n) in &counts {
        if fp == "*" {
            assert!(
                state.contains(&format!("site\t{site}\t{n}\t")),
                "{site} pages"
            );
        } else {
            assert!(state.contains(&format!("{fp}\t{n}\n")), "{site} {fp} {n}");
        }
    }
}

#[test]
fn group_by_none_and_url_hosts() {
    let records = vec![
        json!({"url": "https://news.example.com/1", "text": "Alpha story.\n\nShare this article"}),
        json!({"url": "https://news.example.com/2", "text": "Beta story.\n\nShare this article"}),
        json!({"url": "https://other.example.org/3", "text": "Gamma story.\n\nShare this article"}),
    ];
    let dir = Scratch::new("group");
    let input = dir.file("pages.jsonl", &jsonl(&records));
    let out = cmd().arg("--across").arg(&input).output().unwrap();
    let got = texts(&out.stdout);
    assert_eq!(
        got,
        [
            "Alpha story.",
            "Beta story.",
            "Gamma story.\n\nShare this article"
        ]
    );
    let out = cmd()
        .args(["--across", "--group-by", "none", "--min-pages", "3"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        texts(&out.stdout),
        ["Alpha story.", "Beta story.", "Gamma story."]
    );
}

#[test]
fn bad_state_files_are_clear_errors() {
    let dir = Scratch::new("badstate");
    let bad = dir.file("bad.state", "hello\n");
    let out = cmd()
        .arg("--boilerplate")
        .arg(&bad)
        .write_stdin("x\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        format!(
            "paradedup: {}: line 1: not a paradedup state file (bad header)\n",
            bad.display()
        )
    );
    let out = cmd()
        .args(["--across"])
        .write_stdin("x\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn real_pages_learn_and_across_agree() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/pages.jsonl");
    if !corpus.exists() {
        eprintln!("skipped: no corpus");
        return;
    }
    let dir = Scratch::new("real");
    let state = dir.0.join("state");
    let o = cmd()
        .arg("learn")
        .arg(&corpus)
        .arg("-o")
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let applied = cmd()
        .arg("--jsonl")
        .arg("--boilerplate")
        .arg(&state)
        .arg(&corpus)
        .output()
        .unwrap();
    let across = cmd().arg("--across").arg(&corpus).output().unwrap();
    assert_eq!(applied.stdout, across.stdout);
    let original = fs::read(&corpus).unwrap();
    assert!(
        across.stdout.len() < original.len() * 3 / 4,
        "boilerplate is a large share of full pages"
    );
}

/// The counting pass reads pages on all threads: many pages (more than one piece of input,
/// bad records among them) give the same output whatever the number of threads.
#[test]
fn across_counts_alike_on_any_number_of_threads() {
    let dir = Scratch::new("across-threads");
    let mut lines = String::new();
    for i in 0..3000 {
        let site = ["a", "b", "c"][i % 3];
        let body = format!("Story {i} begins here and goes on at some length about item {i}.");
        let footer = format!("Read more news from site {site} every day.");
        lines +=
            &json!({"site": site, "text": format!("{body}\n\n{footer}\n\n{SHARE}")}).to_string();
        lines.push('\n');
        if i % 1000 == 999 {
            lines += "not json\n";
        }
    }
    let input = dir.file("pages.jsonl", &lines);
    let run = |j: &str| {
        let out = cmd()
            .args(["--across", "--on-error", "skip", "-j", j])
            .arg(&input)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        // Each bad record is named once, by the cleaning pass, as --on-error says.
        assert_eq!(stderr.matches("(not counted)").count(), 0, "{stderr}");
        assert_eq!(stderr.lines().count(), 3, "{stderr}");
        assert!(stderr.contains(":1001: "), "{stderr}");
        assert_eq!(stderr.matches("(skipped)").count(), 3, "{stderr}");
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("4"));
    let got = texts(&one);
    assert_eq!(got.len(), 3000);
    // Footer and share line are on every page of their site: only the story stays.
    for (i, text) in got.iter().enumerate() {
        assert_eq!(
            *text,
            format!("Story {i} begins here and goes on at some length about item {i}.")
        );
    }
}

#[test]
fn learn_reports_what_it_skipped_in_input_order() {
    // Pages are fingerprinted in batches, each counted while the next is fingerprinted: each
    // record file here is six pieces of records (1,024 lines a piece), text files lie between
    // them, and bad records and inputs are spread among them.
    let dir = Scratch::new("learn-order");
    let records = |file: &str, bad: &[usize]| {
        let mut lines = String::new();
        for i in 1..=6000 {
            if bad.contains(&i) {
                lines += "not json\n";
                continue;
            }
            let text = format!("Story {i} of {file} runs on about item {i}.\n\n{SHARE}");
            lines += &json!({"site": "a", "text": text}).to_string();
            lines.push('\n');
        }
        lines
    };
    let first = dir.file("first.jsonl", &records("first", &[7, 5999]));
    let broken = dir.file("broken.txt", b"fine\n\xffnot UTF-8\n");
    let fine = dir.file("fine.txt", "A page of text.\n\nShare this article\n");
    let second = dir.file("second.jsonl", &records("second", &[2, 3000]));
    for threads in ["1", "2", "4"] {
        let out = cmd()
            .env("RAYON_NUM_THREADS", threads)
            .args(["learn", "-o", "-"])
            .args([&first, &broken, &fine, &second])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8(out.stderr).unwrap();
        let lines: Vec<&str> = stderr.lines().collect();
        let name = |p: &Path| p.display().to_string();
        assert_eq!(lines.len(), 5, "{stderr}");
        assert!(
            lines[0].starts_with(&format!("paradedup: {}:7: ", name(&first))),
            "{stderr}"
        );
        assert!(lines[1].starts_with(&format!("paradedup: {}:5999: ", name(&first))));
        assert!(
            lines[2].starts_with(&format!("paradedup: {}: ", name(&broken))),
            "{stderr}"
        );
        assert!(lines[3].starts_with(&format!("paradedup: {}:2: ", name(&second))));
        assert!(lines[4].starts_with(&format!("paradedup: {}:3000: ", name(&second))));
        // Every other page was counted: 11,996 records, and the fine text file as the one page
        // of its directory.
        let state = String::from_utf8(out.stdout).unwrap();
        assert!(state.contains("site\ta\t11996\t"), "{threads}: {state}");
        let dir_site = format!("site\t{}\t1\t", dir.0.display());
        assert!(state.contains(&dir_site), "{threads}: {state}");
    }
}

#[test]
fn states_can_be_written_to_pipes_and_devices() {
    let dir = Scratch::new("state-out");
    let input = dir.file("pages.jsonl", &jsonl(&pages()));
    let learn = |out: &str| {
        cmd()
            .args(["learn", "--jsonl", "-o", out])
            .arg(&input)
            .output()
            .unwrap()
    };
    let piped = learn("-");
    assert_eq!(piped.status.code(), Some(0));
    assert!(piped.stdout.starts_with(b"paradedup-state 3\n"));
    // Standard output is a pipe here: written as it is, not replaced.
    let named = learn("/dev/stdout");
    assert_eq!(named.status.code(), Some(0), "{:?}", named.stderr);
    assert_eq!(named.stdout, piped.stdout);
    let discarded = learn("/dev/null");
    assert_eq!(discarded.status.code(), Some(0));
    assert!(discarded.stdout.is_empty());
    // A device that fails is named.
    if Path::new("/dev/full").exists() {
        let full = learn("/dev/full");
        assert_eq!(full.status.code(), Some(2));
        let stderr = String::from_utf8(full.stderr).unwrap();
        assert!(stderr.starts_with("paradedup: /dev/full: "), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let to_dir = learn(dir.0.to_str().unwrap());
    assert_eq!(to_dir.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(to_dir.stderr).unwrap(),
        format!("paradedup: {}: a directory, not a file\n", dir.0.display())
    );
    // A state file is still replaced atomically: nothing else is left in its directory.
    let state = dir.0.join("s.state");
    fs::write(&state, "paradedup-state 2\n").unwrap();
    assert_eq!(learn(state.to_str().unwrap()).status.code(), Some(0));
    assert_eq!(fs::read(&state).unwrap(), piped.stdout);
    let mut names: Vec<_> = fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["pages.jsonl", "s.state"]);
}

/// `--across` reads its inputs twice, so a pipe given by name (`/dev/stdin`, `<(…)`) is
/// refused as standard input is: the counting pass would use it up and the cleaning pass
/// would write nothing, with exit status 0.
#[cfg(unix)]
#[test]
fn across_refuses_pipes_named_as_files() {
    let out = cmd()
        .args(["--across", "--jsonl", "/dev/stdin"])
        .write_stdin(jsonl(&pages()))
        .output()
        .unwrap();
    assert!(out.stdout.is_empty());
    assert_eq!(
        assert_one_line_error(&out),
        "paradedup: --across reads its inputs twice: /dev/stdin is a pipe or device, not a file\n"
    );
}

/// `learn -o` and `merge -o` replace a state file, never a file of something else (the crawl
/// itself, named twice by mistake): that is refused before any work. `--pairs` goes to
/// standard output only.
#[test]
fn learn_never_replaces_a_file_that_is_not_a_state() {
    let dir = Scratch::new("learn-not-state");
    let crawl = dir.file("crawl.jsonl", &jsonl(&pages()));
    let before = fs::read(&crawl).unwrap();
    let out = cmd()
        .arg("learn")
        .arg("-o")
        .arg(&crawl)
        .arg(&crawl)
        .output()
        .unwrap();
    assert_eq!(
        assert_one_line_error(&out),
        format!(
            "paradedup: {}: not a state file, and would be replaced by one (remove it, or \
             name another file)\n",
            crawl.display()
        )
    );
    assert_eq!(fs::read(&crawl).unwrap(), before);
    let state = dir.0.join("s.state");
    for _ in 0..2 {
        let out = cmd()
            .arg("learn")
            .arg("-o")
            .arg(&state)
            .arg(&crawl)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
    }
    let out = cmd()
        .arg("merge")
        .arg(&state)
        .arg("-o")
        .arg(&crawl)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(fs::read(&crawl).unwrap(), before);
    let pairs = dir.0.join("pairs.txt");
    let out = cmd()
        .args(["learn", "--pairs", "-o"])
        .arg(&pairs)
        .arg(&crawl)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!pairs.exists());
}

/// A state counted without one of its inputs (misspelt, or a directory without `-r`) would
/// replace a good state with a poorer one: `learn` names the input and writes no state. A bad
/// record is named and not counted, and the state of the others is written (exit status 2).
#[test]
fn learn_writes_no_state_without_an_input() {
    let dir = Scratch::new("learn-missing");
    let crawl = dir.file("crawl.jsonl", &jsonl(&pages()));
    let state = dir.0.join("s.state");
    let learn = |args: &[&std::ffi::OsStr]| cmd().arg("learn").args(args).output().unwrap();
    let out = learn(&["-o".as_ref(), state.as_ref(), crawl.as_ref()]);
    assert_eq!(out.status.code(), Some(0));
    let good = fs::read(&state).unwrap();
    let missing = dir.0.join("nosuch.jsonl");
    let sub = dir.0.join("site");
    fs::create_dir(&sub).unwrap();
    for bad in [&missing, &sub] {
        let out = learn(&["-o".as_ref(), state.as_ref(), crawl.as_ref(), bad.as_ref()]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8(out.stderr).unwrap();
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 2, "{stderr}");
        assert!(lines[0].starts_with(&format!("paradedup: {}: ", bad.display())));
        assert_eq!(
            lines[1],
            format!(
                "paradedup: no state written to {}: an input could not be read (see above), and \
                 a state is made only from all of them",
                state.display()
            )
        );
        assert_eq!(fs::read(&state).unwrap(), good, "{}", bad.display());
        // Nor on standard output.
        let out = learn(&[crawl.as_ref(), bad.as_ref()]);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
    }
    // A bad record is not counted; the others are.
    let with_bad = dir.file("bad.jsonl", &format!("{}not json\n", jsonl(&pages())));
    let out = learn(&["-o".as_ref(), state.as_ref(), with_bad.as_ref()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .ends_with("(not counted)\n"));
    assert_eq!(fs::read(&state).unwrap(), good);
}

/// A crawl that holds its pages twice counts each page once: counted twice, every paragraph
/// of a page was on two of its site's pages, and the articles went as boilerplate. The state
/// is the state of one copy, and `--across` cleans each copy as it cleans the one.
#[test]
fn a_page_twice_in_a_crawl_is_counted_once() {
    let dir = Scratch::new("twice");
    let once = dir.file("once.jsonl", &jsonl(&pages()));
    let twice = dir.file("twice.jsonl", &jsonl(&[pages(), pages()].concat()));
    let learn = |input: &Path| cmd().arg("learn").arg(input).output().unwrap();
    let (one, two) = (learn(&once), learn(&twice));
    assert_eq!(two.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(two.stdout).unwrap(),
        String::from_utf8(one.stdout).unwrap()
    );
    let across = |input: &Path| {
        let out = cmd().arg("--across").arg(input).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        texts(&out.stdout)
    };
    let cleaned = across(&once);
    assert_eq!(across(&twice), [cleaned.clone(), cleaned].concat());
    // `--pairs` writes both copies, with their page's key: without repeated lines, they are
    // the lines of one copy.
    let pairs = |input: &Path| {
        let out = cmd()
            .args(["learn", "--pairs"])
            .arg(input)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let distinct: std::collections::BTreeSet<String> = lines.iter().cloned().collect();
        (lines.len(), distinct)
    };
    let ((n_once, once_lines), (n_twice, twice_lines)) = (pairs(&once), pairs(&twice));
    assert_eq!(n_twice, 2 * n_once);
    assert_eq!(twice_lines, once_lines);
    // The same text on another site is a page of that site.
    let mut other = pages();
    other.iter_mut().for_each(|p| p["site"] = json!("c"));
    let both = dir.file("both.jsonl", &jsonl(&[pages(), other].concat()));
    let out = String::from_utf8(learn(&both).stdout).unwrap();
    assert!(
        out.contains("site\ta\t3\t") && out.contains("site\tc\t5\t"),
        "{out}"
    );
}

/// A misspelt site field makes one site of every page: said once on stderr, as a warning
/// (the run goes on), and not when one group is asked for or the field is there.
#[test]
fn a_site_field_no_record_has_is_warned_of() {
    let dir = Scratch::new("no-site");
    let input = dir.file("pages.jsonl", &jsonl(&pages()));
    let run = |args: &[&str]| cmd().args(args).arg(&input).output().unwrap();
    let warning = "paradedup: warning: no page names its site (no string field `sitee` or \
                   `url`): all are counted as one site (--group-by none says so on purpose)\n";
    let out = run(&["-q", "--across", "--site-field", "sitee"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stderr).unwrap(), warning);
    assert_eq!(texts(&out.stdout).len(), 5);
    let out = run(&["learn", "--group-by", "sitee"]);
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .starts_with("paradedup: warning: no page names its site (no string field `sitee`)"));
    for args in [
        &["-q", "--across"][..],
        &["-q", "--across", "--group-by", "none"],
    ] {
        assert!(run(args).stderr.is_empty(), "{args:?}");
    }
}

/// A page's headline is never its site's boilerplate, also when its title has the site's name
/// after it and is in sentence case (where the name's capitals looked like facts that tell the
/// headline and the title apart, and the headline went from its own page).
#[test]
fn a_headline_is_kept_under_a_title_with_a_site_suffix() {
    let dir = Scratch::new("title-suffix");
    let (a, b) = (
        "Storm hits coast as thousands flee",
        "Floods close valley road",
    );
    let records = [
        json!({"site": "s", "title": format!("{a} - BBC News"),
               "text": format!("{a}\n\nRain fell all night.\n\n{b}")}),
        json!({"site": "s", "title": format!("{b} | BBC News"),
               "text": format!("{b}\n\nWater rose.\n\n{a}")}),
    ];
    let input = dir.file("pages.jsonl", &jsonl(&records));
    let out = cmd().args(["-q", "--across"]).arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        texts(&out.stdout),
        [
            format!("{a}\n\nRain fell all night."),
            format!("{b}\n\nWater rose.")
        ]
    );
}

/// `--group-by dir` groups records by the directory of their file, as it groups text files
/// (it grouped them by their site field, as if not given): the same footer on two sites' pages
/// in one directory is boilerplate there, and not on the one page of another directory.
#[test]
fn group_by_dir_groups_records_by_their_files_directory() {
    let dir = Scratch::new("group-dir");
    let page =
        |site: &str, body: &str| json!({"site": site, "text": format!("{body}\n\nSubscribe now")});
    let one = dir.file(
        "s1/p.jsonl",
        &jsonl(&[page("a.com", "One."), page("b.com", "Two.")]),
    );
    let two = dir.file("s2/p.jsonl", &jsonl(&[page("a.com", "Three.")]));
    let out = cmd()
        .args(["-q", "--across", "--group-by", "dir"])
        .args([&one, &two])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        texts(&out.stdout),
        ["One.", "Two.", "Three.\n\nSubscribe now"]
    );
    let state = cmd()
        .args(["learn", "--group-by", "dir"])
        .args([&one, &two])
        .output()
        .unwrap();
    let state = String::from_utf8(state.stdout).unwrap();
    let site = |p: &Path| format!("site\t{}\t", p.parent().unwrap().display());
    assert!(state.contains(&format!("{}2\t", site(&one))), "{state}");
    assert!(state.contains(&format!("{}1\t", site(&two))), "{state}");
}
