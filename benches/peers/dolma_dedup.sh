#!/usr/bin/env bash
# dolma's paragraph dedupe (exact paragraphs, Bloom filter) over WORK/documents/*.jsonl.gz, as a
# benchmark peer; prints the number of duplicate paragraph spans last.
#   dolma_dedup.sh VENV WORK
set -euo pipefail
venv=$1 work=$2
rm -rf "$work/attributes" "$work/bloom.bin"
cat > "$work/config.json" <<JSON
{
  "documents": ["$work/documents/*.jsonl.gz"],
  "dedupe": {
    "name": "paragraphs",
    "paragraphs": {"attribute_name": "bff_duplicate_paragraph_spans"},
    "skip_empty": true
  },
  "bloom_filter": {
    "file": "$work/bloom.bin",
    "read_only": false,
    "estimated_doc_count": 10000000,
    "desired_false_positive_rate": 0.0001
  },
  "processes": 1
}
JSON
"$venv/bin/dolma" -c "$work/config.json" dedupe >&2
zcat "$work"/attributes/*/*.gz | "$venv/bin/python" -c '
import json, sys
print(sum(len(json.loads(l)["attributes"].get("bff_duplicate_paragraph_spans", [])) for l in sys.stdin))'
