//! Arbitrary bytes through the JSON Lines record cleaner.
//!
//! Byte 0 picks the field path and whether stats are added; the rest is one line. A bad line
//! must be an error, never a panic or a stack overflow; a good one must come out as JSON with
//! only the field (and the stats field) changed, its text cleaned exactly as the library
//! cleans plain text, and a second pass must remove nothing more.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paradedup::jsonl::{clean_record, RecordFormat};
use paradedup::Cleaner;
use serde_json::Value;

const FIELDS: [&str; 4] = ["text", "content.body", "a.b.c", ""];

fuzz_target!(|data: &[u8]| {
    let [choice, line @ ..] = data else {
        return;
    };
    let field = FIELDS[usize::from(choice & 3)];
    let stats = (choice & 4 != 0).then_some("paradedup");
    let format = RecordFormat::new(field).stats_field(stats);
    let cleaner = Cleaner::new();
    let record = match clean_record(line, &cleaner, &format) {
        Ok(record) => record,
        Err(err) => {
            assert!(!err.to_string().is_empty());
            return;
        }
    };
    // `Value` stops at 128 levels of nesting; clean_record reads other fields as raw text and
    // has no such limit, so a record nested deeper is fine but cannot be compared here.
    let Ok(input) = serde_json::from_slice::<Value>(line) else {
        return;
    };
    let output: Value = serde_json::from_str(&record.line).expect("the output is JSON");
    let path: Vec<&str> = field.split('.').collect();
    let original = get(&input, &path)
        .and_then(Value::as_str)
        .expect("the field was a string");
    let cleaned = cleaner.clean(original);
    assert_eq!(record.stats, cleaned.stats());
    assert_eq!(
        get(&output, &path).and_then(Value::as_str),
        Some(cleaned.output().as_ref())
    );
    // Nothing else changed: put the old text back (and drop the stats) and it is the input.
    let mut restored = output.clone();
    *get_mut(&mut restored, &path).unwrap() = Value::String(original.to_owned());
    if let Some(name) = stats {
        let added = restored
            .as_object_mut()
            .unwrap()
            .remove(name)
            .expect("stats");
        assert_eq!(
            added["removed"].as_u64(),
            Some(record.stats.removed_paragraphs as u64)
        );
        assert_eq!(
            added["removed_bytes"].as_u64(),
            Some(record.stats.removed_bytes as u64)
        );
        if let Some(old) = input.get(name) {
            // A stats field from an earlier run is replaced (no field path runs through it).
            restored
                .as_object_mut()
                .unwrap()
                .insert(name.to_owned(), old.clone());
        }
    } else if !cleaned.is_changed() {
        // Nothing to remove and nothing to add: the very same bytes.
        assert_eq!(record.line.as_bytes(), line);
    }
    assert_eq!(restored, input);

    // A second pass finds nothing more (`PARADEDUP_FUZZ_IDEMPOTENCE=0` skips this, as in the
    // `clean` target).
    if std::env::var_os("PARADEDUP_FUZZ_IDEMPOTENCE").is_some_and(|v| v == "0") {
        return;
    }
    let again =
        clean_record(record.line.as_bytes(), &cleaner, &format).expect("output is a record");
    assert_eq!(again.stats.removed_paragraphs, 0, "{:?}", record.line);
});

fn get<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, key| v.as_object()?.get(*key))
}

fn get_mut<'v>(v: &'v mut Value, path: &[&str]) -> Option<&'v mut Value> {
    path.iter()
        .try_fold(v, |v, key| v.as_object_mut()?.get_mut(*key))
}
