#!/usr/bin/env bash
# Two builds of paradedup on one command, their runs taken by turns so that the machine's drift
# falls on both alike. Prints each build's fastest and median wall time, and whether their
# outputs (standard output) are the same.
#
#   benches/ab.sh [--runs 8] OLD NEW -- ARGS...
#
# e.g. cp target/bench/pages.jsonl /dev/shm/ &&
#      benches/ab.sh /tmp/old target/release/paradedup -- --jsonl -q -j1 /dev/shm/pages.jsonl
#
# Inputs in /dev/shm are not paged out between runs (see docs/performance.md).
set -euo pipefail
export LC_ALL=C

runs=8
if [ "${1:-}" = --runs ]; then
    runs=$2
    shift 2
fi
if [ $# -lt 3 ] || [ "$3" != -- ]; then
    echo "usage: $0 [--runs N] OLD NEW -- ARGS..." >&2
    exit 2
fi
old=$1 new=$2
shift 3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The outputs, once each, untimed.
"$old" "$@" > "$tmp/old.out" 2> /dev/null || true
"$new" "$@" > "$tmp/new.out" 2> /dev/null || true

for _ in $(seq "$runs"); do
    for which in old new; do
        bin=$old
        [ "$which" = new ] && bin=$new
        start=$(date +%s%N)
        "$bin" "$@" > /dev/null 2>&1 || true
        end=$(date +%s%N)
        echo $(((end - start) / 1000)) >> "$tmp/$which.times"
    done
done

for which in old new; do
    sort -n "$tmp/$which.times" | awk -v name="$which" '
        { t[NR] = $1 }
        END { printf "%s: fastest %.3f s, median %.3f s (%d runs)\n",
              name, t[1] / 1e6, t[int((NR + 1) / 2)] / 1e6, NR }'
done
if cmp -s "$tmp/old.out" "$tmp/new.out"; then
    echo "outputs: the same ($(wc -c < "$tmp/new.out") bytes)"
else
    echo "outputs: DIFFERENT ($(wc -c < "$tmp/old.out") and $(wc -c < "$tmp/new.out") bytes)"
fi
