#!/usr/bin/env bash
# End-to-end check: the Spark job's output equals `paradedup --jsonl --across`, record for record.
# Installs pyspark in a virtualenv under target/ (reused when present). Needs Java 17.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${1:-../shared/corpus/pages.jsonl}
if [ ! -f "$corpus" ]; then
    echo "spark test skipped: no $corpus"
    exit 0
fi
cargo build --release --quiet
bin=$PWD/target/release/paradedup
venv=target/spark-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import pyspark" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet pyspark
fi
export SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON=$PWD/$venv/bin/python PYSPARK_DRIVER_PYTHON=$PWD/$venv/bin/python
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$EPOCHREALTIME
"$venv/bin/python" examples/spark/dedup_job.py --paradedup "$bin" "$corpus" "$out/spark.jsonl" 2> "$out/spark.log" \
    || { cat "$out/spark.log"; exit 1; }
spark_s=$(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $start}")
start=$EPOCHREALTIME
"$bin" --jsonl --across --quiet "$corpus" > "$out/local.jsonl"
local_s=$(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $start}")
if cmp -s "$out/spark.jsonl" "$out/local.jsonl"; then
    echo "spark job: $(wc -l < "$out/spark.jsonl") records identical to --across (spark ${spark_s}s, one machine ${local_s}s)"
else
    echo "spark job output differs from --across" >&2
    diff <(cut -c1-200 "$out/spark.jsonl") <(cut -c1-200 "$out/local.jsonl") | head -20 >&2
    exit 1
fi
