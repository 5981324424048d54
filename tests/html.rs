//! `--html FILE`: the review page, read back with a real HTML parser (scraper, built on
//! html5ever, the parser of Servo) and checked against the JSON report of the same run: every
//! removal shown once, with its reason, its label and a link that lands on the kept copy; the
//! scraped text inert; the page self-contained.

mod common;

use common::{cmd, sample};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

/// A scratch directory that is removed afterwards.
struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new() -> Scratch {
        Scratch(tempfile::tempdir().unwrap())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        fs::write(&p, text).unwrap();
        p
    }
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

fn run(c: &mut Command) -> Output {
    let out = c.output().unwrap();
    assert!(
        out.status.code() != Some(2),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The page at `path`, parsed.
fn page(path: &Path) -> Html {
    let html = fs::read_to_string(path).unwrap();
    let doc = Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    doc
}

/// The JSON reports of a `--json` run, one per input.
fn reports(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// An element's text, without the words of the kept copy that a near-duplicate's word diff
/// shows inside it (they are not part of the removed text).
fn own_text(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    for child in el.children() {
        if let Some(text) = child.value().as_text() {
            out.push_str(text);
        } else if let Some(child) = ElementRef::wrap(child) {
            if !child.value().classes().any(|c| c == "w-gone") {
                out.push_str(&own_text(child));
            }
        }
    }
    out
}

/// The text of a unit: the unit itself or its `.t` child holds it.
fn unit_text(unit: ElementRef<'_>) -> String {
    if has_class(unit, "t") {
        return unit.text().collect();
    }
    let t = unit.select(&sel(".t")).next().expect("a unit has a .t");
    t.text().collect()
}

fn has_class(el: ElementRef<'_>, class: &str) -> bool {
    el.value().classes().any(|c| c == class)
}

fn by_id<'a>(doc: &'a Html, id: &str) -> Vec<ElementRef<'a>> {
    doc.select(&sel("[id]"))
        .filter(|e| e.value().id() == Some(id))
        .collect()
}

/// Checks one document's section against its JSON report: the removed units, each once, with
/// reason class, label and a link to an existing kept unit holding the kept text.
fn check_section(doc: &Html, section: ElementRef<'_>, report: &Value, text: &str) {
    let number = section.value().id().unwrap().trim_start_matches('d');
    let removed = report["removed"].as_array().unwrap();
    let shown: Vec<ElementRef<'_>> = section.select(&sel(".u.rm")).collect();
    assert_eq!(shown.len(), removed.len(), "{}", report["path"]);
    let lines: Vec<&str> = text.lines().collect();
    for r in removed {
        let line = r["line"].as_u64().unwrap();
        let of = r["repeats_line"].as_u64().unwrap();
        let reason = r["reason"].as_str().unwrap();
        let id = format!("d{number}-l{line}");
        let found = by_id(doc, &id);
        assert_eq!(found.len(), 1, "{id} in {}", report["path"]);
        let el = found[0];
        assert!(has_class(el, "rm"), "{id}");
        assert!(has_class(el, &format!("r-{reason}")), "{id}: {reason}");
        let t = el.select(&sel("del.t")).next().unwrap();
        assert_eq!(own_text(t), r["text"].as_str().unwrap(), "{id}");

        let why: String = el.select(&sel(".why")).next().unwrap().text().collect();
        let label = match reason {
            "near" => format!(
                "near-duplicate of line {of}, {:.2}",
                r["similarity"].as_f64().unwrap()
            ),
            _ => format!("repeats line {of}"),
        };
        assert!(why.starts_with(&format!("{reason} {label}")), "{id}: {why}");

        let links: Vec<_> = el.select(&sel(".why a.of")).collect();
        assert_eq!(links.len(), 1, "{id}");
        let target = format!("d{number}-l{of}");
        assert_eq!(links[0].attr("href"), Some(format!("#{target}").as_str()));
        let kept = by_id(doc, &target);
        assert_eq!(kept.len(), 1, "{target}");
        assert!(has_class(kept[0], "keep"), "{target} is not kept");
        let kept_text = unit_text(kept[0]);
        // The kept unit starts on line `of`; the JSON report carries the removed text only.
        let first_line = lines[of as usize - 1].trim_end_matches('\r');
        assert!(
            kept_text.starts_with(first_line),
            "{target}: {kept_text:?} vs {first_line:?}"
        );
        assert!(
            kept[0]
                .select(&sel(".copies a"))
                .any(|a| a.attr("href") == Some(format!("#{id}").as_str())),
            "{target} does not link back to {id}"
        );
    }
}

/// No script, no external resource, nothing fetched: the page stands alone.
fn check_self_contained(doc: &Html, raw: &str) {
    for tag in [
        "script", "iframe", "object", "embed", "img", "link", "base", "form",
    ] {
        assert_eq!(doc.select(&sel(tag)).count(), 0, "<{tag}> in the page");
    }
    for el in doc.select(&sel("*")) {
        for (name, value) in el.value().attrs() {
            assert!(!name.starts_with("on"), "event handler {name}={value}");
            if name == "href" {
                assert!(value.starts_with('#'), "href={value}");
            }
            assert_ne!(name, "src", "src={value}");
        }
    }
    assert!(!raw.contains("url("), "CSS url() in the page");
    assert!(!raw.contains("@import"), "CSS @import in the page");
    let csp = doc
        .select(&sel("meta[http-equiv=\"Content-Security-Policy\"]"))
        .next()
        .expect("a CSP meta");
    assert!(csp.attr("content").unwrap().contains("default-src 'none'"));
    assert!(doc.select(&sel("meta[name=viewport]")).next().is_some());
}

#[test]
fn seed_page_matches_the_json_report() {
    let dir = Scratch::new();
    let html = dir.path("review.html");
    let seed = sample("seed-article.txt");
    let out = run(cmd().arg("--html").arg(&html).arg("--json").arg(&seed));
    let reports = reports(&out.stdout);
    assert_eq!(reports[0]["removed_paragraphs"], 5);
    let doc = page(&html);
    check_self_contained(&doc, &fs::read_to_string(&html).unwrap());
    let sections: Vec<_> = doc.select(&sel("section.doc")).collect();
    assert_eq!(sections.len(), 1);
    let text = fs::read_to_string(&seed).unwrap();
    check_section(&doc, sections[0], &reports[0], &text);
    assert_eq!(doc.select(&sel(".rm.r-exact")).count(), 5);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("review page written to"), "{stderr}");
}

#[test]
fn kept_and_removed_units_rebuild_the_document() {
    // Every unit is on the page once, in text order: the kept ones are the cleaned output.
    let dir = Scratch::new();
    let html = dir.path("review.html");
    let seed = sample("seed-article.txt");
    let out = run(cmd().arg("--html").arg(&html).arg(&seed));
    let doc = page(&html);
    let kept: Vec<String> = doc.select(&sel(".u.keep")).map(unit_text).collect();
    let cleaned = String::from_utf8(out.stdout).unwrap();
    let mut rest = cleaned.as_str();
    for unit in &kept {
        let at = rest.find(unit.as_str()).expect(unit);
        rest = &rest[at + unit.len()..];
    }
    assert!(rest.trim().is_empty(), "left over: {rest:?}");
    assert_eq!(
        kept.len() + doc.select(&sel(".u.rm")).count(),
        28,
        "units on the page"
    );
}

#[test]
fn every_sample_in_one_page() {
    let dir = Scratch::new();
    let html = dir.path("all.html");
    let mut names: Vec<PathBuf> = fs::read_dir(sample(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    let out = run(cmd().arg("--json").arg("--html").arg(&html).args(&names));
    let reports = reports(&out.stdout);
    assert_eq!(reports.len(), names.len());
    let doc = page(&html);
    check_self_contained(&doc, &fs::read_to_string(&html).unwrap());
    let sections: Vec<_> = doc.select(&sel("section.doc")).collect();
    assert_eq!(sections.len(), names.len());
    for ((section, report), name) in sections.iter().zip(&reports).zip(&names) {
        let heading: String = section.select(&sel("h2")).next().unwrap().text().collect();
        assert_eq!(heading, report["path"].as_str().unwrap());
        check_section(&doc, *section, report, &fs::read_to_string(name).unwrap());
    }

    // The table: one row per document, most bytes removed first, each linking to its section.
    let rows: Vec<_> = doc.select(&sel("nav.docs tbody tr")).collect();
    assert_eq!(rows.len(), names.len());
    let mut last = usize::MAX;
    for row in &rows {
        let href = row.select(&sel("a")).next().unwrap().attr("href").unwrap();
        let section = by_id(&doc, &href[1..]);
        assert_eq!(section.len(), 1, "{href}");
        assert_eq!(section[0].value().name(), "section");
        let bytes: usize = row
            .select(&sel("td[data-label=bytes]"))
            .next()
            .unwrap()
            .text()
            .collect::<String>()
            .parse()
            .unwrap();
        assert!(bytes <= last, "table not sorted");
        last = bytes;
    }

    // The summary: totals per reason add up to the JSON reports.
    let total = |key: &str| -> u64 { reports.iter().map(|r| r[key].as_u64().unwrap()).sum() };
    let mut per_reason = std::collections::BTreeMap::<String, (u64, u64)>::new();
    for row in doc.select(&sel("table.reasons tbody tr")) {
        let reason = row.attr("data-reason").unwrap().to_owned();
        let num = |label: &str| -> u64 {
            let css = format!("td[data-label={label}]");
            let cell = row.select(&sel(&css)).next().unwrap();
            cell.text().collect::<String>().parse().unwrap()
        };
        per_reason.insert(reason, (num("paragraphs"), num("bytes")));
    }
    for reason in ["exact", "normalized", "near"] {
        let count = reports
            .iter()
            .flat_map(|r| r["removed"].as_array().unwrap())
            .filter(|r| r["reason"] == reason)
            .count() as u64;
        assert_eq!(per_reason[reason].0, count, "{reason}");
    }
    let paragraphs: u64 = per_reason.values().map(|v| v.0).sum();
    let bytes: u64 = per_reason.values().map(|v| v.1).sum();
    assert_eq!(paragraphs, total("removed_paragraphs"));
    assert_eq!(bytes, total("removed_bytes"));
    let lead: String = doc.select(&sel(".lead")).next().unwrap().text().collect();
    assert!(
        lead.contains(&format!("{paragraphs} of {}", total("paragraphs"))),
        "{lead}"
    );
}

#[test]
fn near_duplicates_highlight_the_words_that_differ() {
    let dir = Scratch::new();
    let html = dir.path("near.html");
    run(cmd()
        .arg("--check")
        .arg("--html")
        .arg(&html)
        .arg(sample("near-duplicates.txt")));
    let doc = page(&html);
    let near: Vec<_> = doc.select(&sel(".rm.r-near")).collect();
    assert_eq!(near.len(), 2);
    // L9: the headline with " – World News" after it.
    let suffix = by_id(&doc, "d1-l9")[0];
    let marked: Vec<String> = suffix
        .select(&sel("mark.w-add"))
        .map(|m| m.text().collect())
        .collect();
    assert_eq!(marked, ["– World News"]);
    // L25: one word spelt otherwise (a typo fixed): the kept word is shown apart, the new one
    // marked. (L23, the headline with another word, "Lengthy" for "Long", is another line.)
    assert!(near.iter().all(|e| e.value().id() != Some("d1-l23")));
    let replaced = by_id(&doc, "d1-l25")[0];
    let gone: Vec<String> = replaced
        .select(&sel(".w-gone"))
        .map(|m| m.text().collect())
        .collect();
    let marked: Vec<String> = replaced
        .select(&sel("mark.w-add"))
        .map(|m| m.text().collect())
        .collect();
    assert_eq!(
        (gone, marked),
        (vec!["increse.".to_owned()], vec!["increase.".to_owned()])
    );
    // Exact and normalized repeats carry no word diff.
    assert_eq!(doc.select(&sel(".rm:not(.r-near) mark")).count(), 0);
}

// Regression: a near-duplicate with its words in another order (similarity 1.00: the matching
// compares word multisets) had the words that moved marked as not in the kept copy, and shown
// again as in the kept copy, by a sequence diff.
#[test]
fn reordered_words_are_not_highlighted() {
    let dir = Scratch::new();
    let words: Vec<&str> = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo \
         lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray"
        .split(' ')
        .collect();
    let swapped = [&words[12..], &words[..12]].concat().join(" ");
    let edited = "The finance director told councillors that rising energy costs had left a \
         gap of almost nineteen million pounds in the budget for next year";
    let text = format!(
        "{}\n\nBody.\n\n{swapped}\n\n{edited}\n\n{}\n",
        words.join(" "),
        edited.replace("rising", "soaring")
    );
    let input = dir.file("swap.txt", &text);
    let html = dir.path("swap.html");
    let out = run(cmd().arg("--json").arg("--html").arg(&html).arg(&input));
    let report = &reports(&out.stdout)[0];
    let removed: Vec<(u64, &str)> = report["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(removed, [(5, "near"), (9, "near")]);
    let doc = page(&html);
    let unit = by_id(&doc, "d1-l5")[0];
    let why: String = unit.select(&sel(".why")).next().unwrap().text().collect();
    assert!(why.ends_with("near-duplicate of line 1, 1.00"), "{why}");
    assert_eq!(unit.select(&sel("mark, .w-gone")).count(), 0);
    let del = unit.select(&sel("del.t")).next().unwrap();
    assert_eq!(own_text(del), swapped);
    // One word replaced: that word marked, the kept one shown apart.
    let unit = by_id(&doc, "d1-l9")[0];
    let texts =
        |css: &str| -> Vec<String> { unit.select(&sel(css)).map(|e| e.text().collect()).collect() };
    assert_eq!(
        (texts("mark.w-add"), texts(".w-gone")),
        (vec!["soaring".to_owned()], vec!["rising".to_owned()])
    );
}

#[test]
fn scraped_markup_is_text() {
    let dir = Scratch::new();
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)> & \"quotes\" 'too'";
    let input = dir.file(
        "<img src=x onerror=alert(3)> & <b>.txt",
        &format!(
            "{evil}\n\nA paragraph </div></section><style>body{{display:none}}</style>.\n\n\
             {evil}\n\nclosing <!-- comment --> ]]> text\n"
        ),
    );
    let html = dir.path("evil.html");
    let out = run(cmd().arg("--html").arg(&html).arg(&input));
    let raw = fs::read_to_string(&html).unwrap();
    let doc = page(&html);
    check_self_contained(&doc, &raw);
    assert_eq!(
        doc.select(&sel("style")).count(),
        1,
        "only the page's own style"
    );
    assert_eq!(doc.select(&sel("b")).count(), 0);
    assert_eq!(doc.select(&sel("section.doc")).count(), 1);
    let removed: Vec<String> = doc
        .select(&sel(".rm del.t"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(removed, [evil]);
    let kept: Vec<String> = doc.select(&sel(".u.keep")).map(unit_text).collect();
    assert_eq!(kept[0], evil);
    assert!(kept[1].contains("</div></section><style>"), "{kept:?}");
    assert!(kept[2].contains("<!-- comment -->"), "{kept:?}");
    let heading: String = doc
        .select(&sel("section.doc h2"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(
        heading.ends_with("<img src=x onerror=alert(3)> & <b>.txt"),
        "{heading}"
    );
    assert!(out.status.success());
}

/// Control characters a scraper leaves in text: ESC (of an ANSI escape), NUL, BEL, vertical
/// tab, form feed, DEL, NEL and CSI (C1).
const CONTROLS: [char; 8] = [
    '\u{1b}', '\0', '\u{7}', '\u{b}', '\u{c}', '\u{7f}', '\u{85}', '\u{9b}',
];

// Regression: raw control characters went into the page as they were; a strict parser
// (html5lib) rejected it ("Invalid codepoint in stream") and a browser showed them as nothing.
#[test]
fn control_characters_are_shown_as_escapes() {
    let dir = Scratch::new();
    let all: String = CONTROLS.iter().collect();
    let storm = "Storm closes the coastal road and the old bridge tonight";
    let text = format!(
        "Evil \u{1b}[2J x\n\nBody.\n\nEvil \u{1b}[2J x\n\nNul\0 y {all}\n\n\
         {storm}\n\n{storm} \u{9b}again\n"
    );
    let input = dir.file("c\u{1b}[31m.txt", &text);
    let record =
        serde_json::json!({"id": "a\u{1b}1", "url": "https://x.example/\u{0}", "text": text});
    let jsonl = dir.file("c.jsonl", &format!("{record}\n"));
    let html = dir.path("c.html");
    run(cmd().arg("--html").arg(&html).arg(&input).arg(&jsonl));
    let raw = fs::read_to_string(&html).unwrap();
    for c in CONTROLS {
        assert!(!raw.contains(c), "{c:?} in the page");
    }
    let doc = page(&html);
    check_self_contained(&doc, &raw);
    let shown: Vec<String> = doc
        .select(&sel(".ctl"))
        .map(|e| e.text().collect())
        .collect();
    for c in CONTROLS {
        let escape = format!("\\u{{{:x}}}", u32::from(c));
        assert!(shown.contains(&escape), "{escape} not shown: {shown:?}");
    }
    let heading = |n: usize| -> String {
        let css = format!("#d{n} h2");
        doc.select(&sel(&css)).next().unwrap().text().collect()
    };
    assert!(heading(1).ends_with("c\\u{1b}[31m.txt"), "{}", heading(1));
    let kept: Vec<String> = doc.select(&sel("#d1 .u.keep")).map(unit_text).collect();
    assert_eq!(kept[0], "Evil \\u{1b}[2J x");
    assert_eq!(
        kept[2],
        "Nul\\u{0} y \\u{1b}\\u{0}\\u{7}\\u{b}\\u{c}\\u{7f}\\u{85}\\u{9b}"
    );
    // In a near-duplicate's word diff too.
    let marked: Vec<String> = doc
        .select(&sel("#d1 .r-near mark.w-add"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(marked, ["\\u{9b}again"]);
    // And in a record's id and url.
    let meta: Vec<String> = doc
        .select(&sel("#d2 .meta dd"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(meta, ["a\\u{1b}1", "https://x.example/\\u{0}"]);
}

#[test]
fn jsonl_records_get_a_section_each_with_id_and_url() {
    let dir = Scratch::new();
    let text = "Storm Hits Coast\n\nRain all night.\n\nSTORM HITS COAST";
    let records = [
        serde_json::json!({"id": "a-1", "url": "https://news.example/a?x=<1>", "text": text}),
        serde_json::json!({"id": 2, "text": "Nothing repeats here.\n\nReally."}),
        serde_json::json!({"text": text, "url": "javascript:alert(1)"}),
    ];
    let mut input = String::new();
    for r in &records {
        input.push_str(&r.to_string());
        input.push('\n');
    }
    input.insert_str(0, "not json\n");
    let jsonl = dir.file("crawl.jsonl", &input);
    let html = dir.path("crawl.html");
    let out = run(cmd()
        .args(["--on-error", "skip", "--html"])
        .arg(&html)
        .arg(&jsonl));
    assert!(out.status.success());
    let doc = page(&html);
    check_self_contained(&doc, &fs::read_to_string(&html).unwrap());
    let sections: Vec<_> = doc.select(&sel("section.doc")).collect();
    assert_eq!(sections.len(), 3);
    let meta = |s: &ElementRef<'_>, key: &str| -> Option<String> {
        let css = format!(".meta .{key} dd");
        s.select(&sel(&css)).next().map(|e| e.text().collect())
    };
    assert_eq!(meta(&sections[0], "id").as_deref(), Some("a-1"));
    assert_eq!(
        meta(&sections[0], "url").as_deref(),
        Some("https://news.example/a?x=<1>")
    );
    assert_eq!(meta(&sections[1], "id").as_deref(), Some("2"));
    assert_eq!(meta(&sections[1], "url"), None);
    assert_eq!(meta(&sections[2], "id"), None);
    assert_eq!(
        meta(&sections[2], "url").as_deref(),
        Some("javascript:alert(1)")
    );
    // Named by file and line (the bad first line is line 1).
    let heading: String = sections[0]
        .select(&sel("h2"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(heading.ends_with("crawl.jsonl:2"), "{heading}");
    for (i, s) in sections.iter().enumerate() {
        let removed = s.select(&sel(".rm")).count();
        assert_eq!(removed, usize::from(i != 1), "record {i}");
    }
    assert!(sections[1].select(&sel("details")).next().is_some());
    // The table shows the ids.
    let ids: Vec<String> = doc
        .select(&sel("nav.docs code.id"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(ids, ["a-1", "2"]);
}

#[test]
fn table_of_a_large_crawl_is_bounded_but_every_record_has_a_section() {
    let dir = Scratch::new();
    let mut input = String::new();
    for i in 0..1010 {
        let text = if i % 2 == 0 {
            format!("Headline {i} here\n\nBody.\n\nHeadline {i} here")
        } else {
            format!("Story {i}.")
        };
        input.push_str(&serde_json::json!({"id": i, "text": text}).to_string());
        input.push('\n');
    }
    let jsonl = dir.file("big.jsonl", &input);
    let html = dir.path("big.html");
    run(cmd().arg("-q").arg("--html").arg(&html).arg(&jsonl));
    let doc = page(&html);
    assert_eq!(doc.select(&sel("section.doc")).count(), 1010);
    assert_eq!(doc.select(&sel("nav.docs tbody tr")).count(), 1000);
    let note: String = doc
        .select(&sel("nav.docs .note"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(note.contains("all 1010"), "{note}");
    // Section ids are unique.
    let mut ids: Vec<&str> = doc
        .select(&sel("section.doc"))
        .map(|s| s.value().id().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1010);
}

#[test]
fn html_leaves_the_normal_output_alone() {
    let dir = Scratch::new();
    let seed = sample("seed-article.txt");
    let plain = run(cmd().arg(&seed));
    let with = run(cmd().arg("--html").arg(dir.path("r.html")).arg(&seed));
    assert_eq!(plain.stdout, with.stdout);
    let stdin = run(cmd()
        .arg("--html")
        .arg(dir.path("s.html"))
        .write_stdin(fs::read(&seed).unwrap()));
    assert_eq!(plain.stdout, stdin.stdout);
    let doc = page(&dir.path("s.html"));
    let heading: String = doc
        .select(&sel("section.doc h2"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert_eq!(heading, "<stdin>");
}

#[test]
fn in_place_with_a_page_in_the_same_directory() {
    let dir = Scratch::new();
    let a = dir.file("a.txt", "Head line\n\nBody.\n\nHead line\n");
    let b = dir.file("b.txt", "Nothing.\n\nTo remove.\n");
    let html = dir.path("review.html");
    fs::write(&html, "<!DOCTYPE html>\nan earlier page").unwrap();
    let out = run(cmd()
        .args(["--in-place", "-r", "--html"])
        .arg(&html)
        .arg(dir.0.path()));
    assert!(out.status.success());
    assert_eq!(fs::read_to_string(&a).unwrap(), "Head line\n\nBody.\n");
    assert_eq!(fs::read_to_string(&b).unwrap(), "Nothing.\n\nTo remove.\n");
    let doc = page(&html);
    assert_eq!(doc.select(&sel("section.doc")).count(), 2);
    let leftovers: Vec<_> = fs::read_dir(dir.0.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn unwritable_page_fails_before_any_work() {
    let dir = Scratch::new();
    let a = dir.file("a.txt", "Head line\n\nBody.\n\nHead line\n");
    let missing = dir.path("no/such/dir/review.html");
    let out = cmd()
        .arg("--in-place")
        .arg("--html")
        .arg(&missing)
        .arg(&a)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "paradedup: --html {}: cannot create a temporary file in {}: No such file or \
             directory (os error 2)\n",
            missing.display(),
            missing.parent().unwrap().display()
        )
    );
    // A directory where the page should go is refused at once too.
    let out = cmd()
        .arg("--in-place")
        .arg("--html")
        .arg(dir.0.path())
        .arg(&a)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "paradedup: cannot write the page to {}: a directory, not a file\n",
            dir.0.path().display()
        )
    );
    assert_eq!(
        fs::read_to_string(&a).unwrap(),
        "Head line\n\nBody.\n\nHead line\n"
    );
}

#[cfg(unix)]
#[test]
fn a_page_goes_through_a_pipe_as_it_is() {
    // Standard output is a pipe here: `--html /dev/stdout` writes the page into it, where a
    // file would have been renamed over the pipe's name.
    let out = run(cmd()
        .arg("--check")
        .arg("--html")
        .arg("/dev/stdout")
        .arg(sample("seed-article.txt")));
    let file = Scratch::new();
    let html = file.path("r.html");
    run(cmd()
        .arg("--check")
        .arg("--html")
        .arg(&html)
        .arg(sample("seed-article.txt")));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        fs::read_to_string(&html).unwrap()
    );
}

#[test]
fn failed_inputs_are_noted_on_the_page() {
    let dir = Scratch::new();
    let html = dir.path("r.html");
    let out = cmd()
        .arg("--check")
        .arg("--html")
        .arg(&html)
        .arg(sample("seed-article.txt"))
        .arg(dir.path("missing.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc = page(&html);
    assert_eq!(doc.select(&sel("section.doc")).count(), 1);
    let note: String = doc
        .select(&sel("header .note"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(note.contains("could not be cleaned"), "{note}");
}

#[test]
fn open_without_a_display_says_where_the_page_is() {
    let dir = Scratch::new();
    let html = dir.path("r.html");
    let out = cmd()
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .args(["--check", "--open", "--html"])
        .arg(&html)
        .arg(sample("no-repeats.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    if cfg!(any(target_os = "macos", windows)) {
        return;
    }
    assert!(stderr.contains("no display"), "{stderr}");
    assert!(stderr.contains("r.html"), "{stderr}");
    assert!(html.exists());
}

#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn open_with_a_display_runs_xdg_open() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Scratch::new();
    let bin = dir.path("bin");
    fs::create_dir(&bin).unwrap();
    let log = dir.path("opened");
    let opener = bin.join("xdg-open");
    fs::write(
        &opener,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{}.part'\nmv '{0}.part' '{0}'\n",
            log.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&opener, fs::Permissions::from_mode(0o755)).unwrap();
    let html = dir.path("r.html");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = cmd()
        .env("PATH", path)
        .env("DISPLAY", ":99")
        .args(["--check", "--open", "--html"])
        .arg(&html)
        .arg(sample("no-repeats.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // The opener is not waited for.
    for _ in 0..100 {
        if log.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let opened = fs::read_to_string(&log).expect("xdg-open was not run");
    assert_eq!(Path::new(&opened), html.canonicalize().unwrap());
}

#[test]
fn open_needs_html() {
    let out = cmd()
        .arg("--open")
        .arg(sample("seed-article.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
