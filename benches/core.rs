//! Micro-benchmarks of each stage, in bytes per second, on real text: the shipped samples and
//! the shared corpus of full pages (when it is beside the repository).
//!
//! `cargo bench --bench core`; results in target/criterion/.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use paradedup::fingerprint::{hash, near_keys, words_key};
use paradedup::normalize::{normalize_into, word_hashes_into, Normalized};
use paradedup::segment::{segment, Unit};
use paradedup::Cleaner;

/// The fixture, page by page: every full page of the shared corpus (each followed by a blank
/// line), or the samples when it is missing.
fn fixture() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus/pages.jsonl");
    if let Ok(lines) = std::fs::read_to_string(&corpus) {
        return lines
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("corpus record");
                v["text"].as_str().expect("text").to_owned() + "\n\n"
            })
            .collect();
    }
    std::fs::read_dir(root.join("samples"))
        .expect("samples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| std::fs::read_to_string(p).expect("sample") + "\n\n")
        .collect()
}

fn stages(c: &mut Criterion) {
    // The stages run over all the pages as one text; "clean" cleans each page on its own, as
    // the command cleans each file or record.
    let pages = fixture();
    let text = pages.concat();
    let units: Vec<&str> = segment(&text, Unit::Auto)
        .iter()
        .map(|s| &text[s.start..s.end])
        .collect();
    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);

    group.bench_function("segment", |b| {
        b.iter(|| segment(black_box(&text), Unit::Auto))
    });
    group.bench_function("normalize", |b| {
        let mut out = Normalized::default();
        b.iter(|| {
            for u in &units {
                normalize_into(black_box(u), &mut out);
            }
        })
    });
    // Everything the search does to a paragraph before it looks anything up: its bytes'
    // fingerprint, its words' hashes (without their text, capitals and labels, as the search
    // makes them) and their fingerprint.
    group.bench_function("before matching (hash, words, words_key)", |b| {
        let mut out = Normalized::default();
        b.iter(|| {
            for u in &units {
                black_box(hash(black_box(u).as_bytes()));
                word_hashes_into(u, &mut out);
                black_box(words_key(&out.hashes));
            }
        })
    });
    let normalized: Vec<Normalized> = units
        .iter()
        .map(|u| {
            let mut n = Normalized::default();
            normalize_into(u, &mut n);
            n
        })
        .collect();
    group.bench_function("fingerprint", |b| {
        b.iter(|| {
            for (u, n) in units.iter().zip(&normalized) {
                black_box(hash(u.as_bytes()));
                black_box(hash(n.text.as_bytes()));
                if n.len() >= paradedup::dedup::MIN_NEAR_WORDS {
                    black_box(near_keys(&n.hashes));
                }
            }
        })
    });
    let cleaner = Cleaner::new();
    group.bench_function("clean (all stages, per page)", |b| {
        b.iter(|| {
            for page in &pages {
                black_box(cleaner.clean(page).stats());
            }
        })
    });
    group.finish();

    // Paragraphs with letters or punctuation beyond ASCII (Cyrillic, accented Latin, curly
    // quotes, CJK) take other paths through normalization.
    let wide: Vec<&str> = units.iter().copied().filter(|u| !u.is_ascii()).collect();
    let mut group = c.benchmark_group("non-ASCII paragraphs");
    group.throughput(Throughput::Bytes(wide.iter().map(|u| u.len() as u64).sum()));
    group.sample_size(20);
    group.bench_function("normalize", |b| {
        let mut out = Normalized::default();
        b.iter(|| {
            for u in &wide {
                normalize_into(black_box(u), &mut out);
            }
        })
    });
    group.finish();
}

/// The near-duplicate search on its worst input: many lines that differ by one word.
fn near_search(c: &mut Criterion) {
    let lines: String = (0..10_000)
        .map(|i| format!("The committee heard item number {i} of the agenda on Tuesday\n"))
        .collect();
    let mut group = c.benchmark_group("near");
    group.throughput(Throughput::Bytes(lines.len() as u64));
    group.sample_size(10);
    let cleaner = Cleaner::new();
    group.bench_function("10k lines differing in one number", |b| {
        b.iter(|| black_box(cleaner.clean(&lines).stats()))
    });
    group.finish();
}

criterion_group!(benches, stages, near_search);
criterion_main!(benches);
