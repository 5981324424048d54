#!/usr/bin/env bash
# dolma's paragraph dedupe (exact paragraphs, Bloom filter) over WORK/documents/*.jsonl.gz, as a
# benchmark peer; prints the number of duplicate paragraph spans last.
#   dolma_dedup.sh VENV WORK
set -euo pipefail
venv=$1 work=$2
rm -rf "$work/attributes" "$work/bloom.bin"
"$venv/bin/dolma" dedupe \
    --documents "$work/documents/*.jsonl.gz" \
    --dedupe.paragraphs.attribute_name bff_duplicate_paragraph_spans \
    --dedupe.skip_empty \
    --bloom_filter.file "$work/bloom.bin" \
    --bloom_filter.estimated_doc_count 10000000 \
    --bloom_filter.desired_false_positive_rate 0.0001 \
    --processes 1 >&2
zcat "$work"/attributes/*/*.gz | "$venv/bin/python" -c '
import json, sys
print(sum(len(json.loads(l)["attributes"].get("bff_duplicate_paragraph_spans", [])) for l in sys.stdin))'
