//! Arbitrary bytes and options through the whole library: decode, clean, render.
//!
//! Input layout: byte 0 picks the unit, byte 1 the threshold (valid or not), the rest is the
//! text. Checks every invariant the README promises: the cuts and the kept pieces rebuild the
//! input, kept units are never cut, removals point at earlier kept units, cleaning twice
//! removes nothing more, the JSON report's byte ranges are the removed text, and the plain
//! diff applied as a patch gives the cleaned text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paradedup::render::{self, DiffStyle, Report};
use paradedup::{decode, Cleaned, Cleaner, Decision, Error, Unit};

#[path = "../../tests/common/patch.rs"]
mod patch;
use patch::apply_patch;

fuzz_target!(|data: &[u8]| {
    let [u, t, rest @ ..] = data else {
        return;
    };
    let unit = [Unit::Auto, Unit::Line, Unit::Paragraph][usize::from(*u) % 3];
    let threshold = match *t {
        0 => 0.0,
        1 => -0.5,
        2 => 1.5,
        3 => f64::NAN,
        4 => f64::INFINITY,
        5 => 1e-300,
        6 => 1.0,
        b => f64::from(b) / 255.0,
    };
    let built = Cleaner::builder().unit(unit).threshold(threshold).build();
    let valid = threshold > 0.0 && threshold <= 1.0;
    assert_eq!(built.is_ok(), valid, "threshold {threshold}");
    let Ok(cleaner) = built else { return };

    let text = match decode(rest) {
        Ok(text) => {
            assert_eq!(Ok(text), std::str::from_utf8(rest));
            text
        }
        Err(Error::InvalidUtf8 {
            offset,
            line,
            column,
        }) => {
            let e = std::str::from_utf8(rest).expect_err("decode rejected UTF-8");
            assert_eq!(offset, e.valid_up_to());
            let before = &rest[..offset];
            assert_eq!(line, before.iter().filter(|&&b| b == b'\n').count() + 1);
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            assert_eq!(column, offset - line_start + 1);
            // The valid prefix is text like any other.
            let prefix = std::str::from_utf8(&rest[..offset]).unwrap();
            check(prefix, &cleaner.clean(prefix), &cleaner);
            return;
        }
        Err(e) => panic!("unexpected error {e}"),
    };
    check(text, &cleaner.clean(text), &cleaner);
});

fn check(text: &str, c: &Cleaned<'_>, cleaner: &Cleaner) {
    // Cuts: sorted, disjoint, non-empty, on char boundaries; with the gaps they are the input.
    let mut at = 0;
    let mut gaps = Vec::new();
    for r in c.cuts() {
        assert!(
            at <= r.start && r.start < r.end && r.end <= text.len(),
            "{r:?}"
        );
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        if at < r.start {
            gaps.push(&text[at..r.start]);
        }
        at = r.end;
    }
    if at < text.len() {
        gaps.push(&text[at..]);
    }
    let kept: Vec<&str> = c.kept().collect();
    assert_eq!(kept, gaps);
    let out = c.output();
    assert_eq!(out, kept.concat());
    let mut written = Vec::new();
    c.write_to(&mut written).unwrap();
    assert_eq!(written, out.as_bytes());
    let stats = c.stats();
    assert_eq!(stats.kept_bytes, out.len());
    assert_eq!(stats.kept_bytes + stats.removed_bytes, text.len());
    assert_eq!(c.is_changed(), !c.cuts().is_empty());

    // Units: in order, non-blank; kept ones untouched by cuts, removed ones inside a cut and
    // pointing at an earlier kept unit.
    let segs = c.segments();
    let decisions = c.decisions();
    assert_eq!(segs.len(), decisions.len());
    for pair in segs.windows(2) {
        assert!(pair[0].end < pair[1].start, "{pair:?}");
    }
    for (i, (s, d)) in segs.iter().zip(decisions).enumerate() {
        assert!(s.start < s.end && s.end <= text.len(), "{s:?}");
        assert!(!text[s.start..s.end].trim().is_empty(), "{s:?}");
        let cut = |inside: bool| {
            c.cuts().iter().any(|k| {
                if inside {
                    k.start <= s.start && s.end <= k.end
                } else {
                    k.start < s.end && s.start < k.end
                }
            })
        };
        match *d {
            Decision::Keep => assert!(!cut(false), "kept unit {i} is cut"),
            Decision::Remove { of, similarity, .. } => {
                assert!(cut(true), "removed unit {i} is not cut whole");
                assert!(of < i && decisions[of] == Decision::Keep, "{i} -> {of}");
                assert!((0.0..=1.0).contains(&similarity), "{similarity}");
            }
            Decision::Boilerplate { .. } => panic!("boilerplate without a site state: unit {i}"),
        }
    }

    // Idempotence. `PARADEDUP_FUZZ_IDEMPOTENCE=0` skips it, to look for other failures past a
    // known one.
    if std::env::var_os("PARADEDUP_FUZZ_IDEMPOTENCE").is_some_and(|v| v == "0") {
        return check_renders(text, c);
    }
    let again = cleaner.clean(&out);
    assert!(
        !again.is_changed(),
        "second pass removes {:?}\nfrom {out:?}\n(input {text:?})",
        again.removals().collect::<Vec<_>>()
    );
    check_renders(text, c);
}

/// The JSON report and the diffs.
fn check_renders(text: &str, c: &Cleaned<'_>) {
    let out = c.output();
    let stats = c.stats();

    // The JSON report: one line, and its byte ranges are the removed units.
    let mut report = Vec::new();
    Report::new("x", c).write_to(&mut report).unwrap();
    assert!(report.ends_with(b"\n"));
    assert_eq!(report.iter().filter(|&&b| b == b'\n').count(), 1);
    let v: serde_json::Value = serde_json::from_slice(&report).expect("report is JSON");
    let removed = v["removed"].as_array().expect("removed");
    assert_eq!(removed.len(), stats.removed_paragraphs);
    for (entry, r) in removed.iter().zip(c.removals()) {
        let start = entry["start"].as_u64().unwrap() as usize;
        let end = entry["end"].as_u64().unwrap() as usize;
        assert_eq!((start, end), (r.start, r.end));
        assert_eq!(entry["text"].as_str(), Some(&text[start..end]));
    }
    assert_eq!(
        v["removed_bytes"].as_u64(),
        Some(stats.removed_bytes as u64)
    );

    // Diffs: the colored one renders, the plain one applies as a patch.
    let mut colored = Vec::new();
    render::diff(c, "a", "b", DiffStyle::Colored, &mut colored).unwrap();
    let mut plain = Vec::new();
    render::diff(c, "a", "b", DiffStyle::Plain, &mut plain).unwrap();
    let plain = String::from_utf8(plain).expect("plain diff is UTF-8");
    if c.is_changed() {
        match apply_patch(text, &plain) {
            Ok(patched) => assert_eq!(patched, out, "diff:\n{plain}"),
            Err(e) => panic!("{e}\ndiff:\n{plain}"),
        }
    } else {
        assert!(plain.is_empty() && colored.is_empty());
    }
}
