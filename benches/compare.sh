#!/usr/bin/env bash
# End-to-end benchmark: paradedup's modes against the floor (cat, wc -l), the classic exact
# line dedup (awk '!seen[$0]++') and, with --peers, trafilatura's and dolma's paragraph dedup,
# all on the same bytes in the same run. Prints one Markdown table.
#
#   benches/compare.sh [--mb 200] [--runs 3] [--peers [--peer-mb 20]]
#
# The corpus is ../shared/corpus/pages.jsonl replicated to --mb megabytes by
# benches/make_corpus.py (JSON Lines, one text file per page, and all pages in one text file).
# Every row runs once per round, for --runs rounds; times are the median of a row's runs (wall
# clock to the microsecond); peak RSS is the largest of them (/usr/bin/time).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

mb=200 runs=3 peers=0 peer_mb=20
while [ $# -gt 0 ]; do
    case $1 in
        --mb) mb=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --peers) peers=1; shift ;;
        --peer-mb) peer_mb=$2; shift 2 ;;
        *) echo "usage: $0 [--mb N] [--runs N] [--peers]" >&2; exit 2 ;;
    esac
done

cargo build --release --quiet
bin=${PARADEDUP_BIN:-$PWD/target/release/paradedup}
dir=target/bench
if [ ! -f "$dir/sites.jsonl" ] || [ "$(cat "$dir/.mb" 2>/dev/null)" != "$mb" ]; then
    rm -rf "$dir"
    python3 benches/make_corpus.py --mb "$mb" --out "$dir" >&2
    echo "$mb" > "$dir/.mb"
fi
jsonl_mb=$(awk "BEGIN{print $(stat -c %s "$dir/pages.jsonl")/1e6}")
text_mb=$(awk "BEGIN{print $(stat -c %s "$dir/pages.txt")/1e6}")
sites_mb=$(awk "BEGIN{print $(stat -c %s "$dir/sites.jsonl")/1e6}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Rows are registered first and then run in rounds, every row once per round: a slow moment of
# the machine (a shared one drifts by 20% within minutes) slows one run of every row, not every
# run of one row, and each row's median comes from runs spread over the whole benchmark.
names=() sizes=() inputs=() removed_cmds=() commands=() per_round=() afters=()
# row NAME MB INPUT REMOVED-COMMAND -- COMMAND...: INPUT (a file or a directory) is read
# (untimed) before each run, so every run finds it in the page cache: this machine pages out
# what has not been read for a while (DAMON), and a run that reads from the disk measures the
# disk. REMOVED-COMMAND is evaluated once, on the stdout and stderr of the row's first run
# ($tmp/out, $tmp/err). With AFTER set, it is run (untimed) after each run; with PER_ROUND,
# the row runs that many times a round.
row() {
    names+=("$1") sizes+=("$2") inputs+=("$3") removed_cmds+=("$4")
    shift 5
    commands+=("$(printf '%q ' "$@")")
    per_round+=("${PER_ROUND:-1}")
    afters+=("${AFTER:-}")
}

# run_rows: the rounds. Wall time from the shell's microsecond clock (time's %e has
# centiseconds: too coarse for the short peer-subset runs); peak RSS from time.
declare -A times rss removed
run_rows() {
    for round in $(seq "$runs"); do
        echo "round $round of $runs" >&2
        for i in "${!names[@]}"; do
            for _ in $(seq "${per_round[$i]}"); do
                find "${inputs[$i]}" -type f -exec cat {} + > /dev/null
                local start=$EPOCHREALTIME
                eval "/usr/bin/time -f %M -o $tmp/time ${commands[$i]}" > "$tmp/out" 2> "$tmp/err" || {
                    echo "${names[$i]} failed:" >&2; tail -5 "$tmp/err" >&2; return 1; }
                local end=$EPOCHREALTIME
                local m
                read -r m < "$tmp/time"
                times[$i]+="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }') "
                [ "$m" -gt "${rss[$i]:-0}" ] && rss[$i]=$m
                if [ -z "${removed[$i]+set}" ]; then
                    removed[$i]=$(eval "${removed_cmds[$i]}" 2>/dev/null || echo "")
                fi
                [ -z "${afters[$i]}" ] || eval "${afters[$i]}"
            done
        done
    done
}

summary_removed='grep -o "[0-9]* paragraphs\? removed" $tmp/err | tail -1 | cut -d" " -f1'
row "cat > /dev/null" "$text_mb" "$dir/pages.txt" 'echo -' -- cat "$dir/pages.txt"
row "wc -l" "$text_mb" "$dir/pages.txt" 'echo -' -- wc -l "$dir/pages.txt"
row "awk '!seen[\$0]++' (exact lines, incl. blank ones)" "$text_mb" "$dir/pages.txt" \
    'echo $(( $(wc -l < '"$dir"'/pages.txt) - $(wc -l < $tmp/out) ))' -- awk '!seen[$0]++' "$dir/pages.txt"
row "paradedup, text files, -j1" "$text_mb" "$dir/pages" "$summary_removed" -- "$bin" --in-place --dry-run -r -j1 "$dir/pages"
row "paradedup, text files, -j2" "$text_mb" "$dir/pages" "$summary_removed" -- "$bin" --in-place --dry-run -r -j2 "$dir/pages"
row "paradedup, one text file, -j1" "$text_mb" "$dir/pages.txt" 'echo -' -- "$bin" -j1 "$dir/pages.txt"
row "paradedup, one text file, -j2" "$text_mb" "$dir/pages.txt" 'echo -' -- "$bin" -j2 "$dir/pages.txt"
row "paradedup --jsonl -j1" "$jsonl_mb" "$dir/pages.jsonl" "$summary_removed" -- "$bin" --jsonl -j1 --verbose "$dir/pages.jsonl"
row "paradedup --jsonl -j2" "$jsonl_mb" "$dir/pages.jsonl" "$summary_removed" -- "$bin" --jsonl -j2 --verbose "$dir/pages.jsonl"
row "paradedup --diff, text files, -j1" "$text_mb" "$dir/pages" "$summary_removed" -- "$bin" --diff --color never -r -j1 "$dir/pages"
row "paradedup --json, text files, -j1" "$text_mb" "$dir/pages" "$summary_removed" -- "$bin" --json -r -j1 "$dir/pages"
row "paradedup --jsonl --across -j1" "$jsonl_mb" "$dir/pages.jsonl" "$summary_removed" -- "$bin" --jsonl --across -j1 --verbose "$dir/pages.jsonl"
row "paradedup --jsonl --across -j2" "$jsonl_mb" "$dir/pages.jsonl" "$summary_removed" -- "$bin" --jsonl --across -j2 --verbose "$dir/pages.jsonl"
# The corpus's own site boilerplate, each copy on sites of its own (see make_corpus.py).
row "paradedup --jsonl --across -j1, copies as sites" "$sites_mb" "$dir/sites.jsonl" "$summary_removed" -- "$bin" --jsonl --across -j1 --verbose "$dir/sites.jsonl"
# The text-file rows above clean every file and write nothing. These write the cleaned
# copies (into a fresh directory each run), each to a temporary file that is fsynced and
# renamed, each directory fsynced at the end. Each run is followed by a sync: what the disk
# still has to do afterwards must not slow the next run.
AFTER=sync row "paradedup --output-dir, text files, -j1 (writes)" "$text_mb" "$dir/pages" "$summary_removed" -- \
    sh -c 'exec "$1" --output-dir "$(mktemp -d -p "$2")" -r -j1 "$3"' sh "$bin" "$tmp" "$dir/pages"
AFTER=sync row "paradedup --jsonl --output-dir -j1 (writes)" "$jsonl_mb" "$dir/pages.jsonl" "$summary_removed" -- \
    sh -c 'exec "$1" --jsonl --verbose --output-dir "$(mktemp -d -p "$2")" -j1 "$3"' sh "$bin" "$tmp" "$dir/pages.jsonl"

if [ "$peers" = 1 ]; then
    # trafilatura is slow: it and paradedup run on the first $peer_mb MB of the same records.
    # dolma runs on all records (the same bytes as "paradedup --jsonl -j1"): it spends about a
    # second starting up (Python, a 32 MB Bloom filter), which would dominate a small input.
    head -c "$((peer_mb * 1000000))" "$dir/pages.jsonl" | sed '$d' > "$dir/peers.jsonl"
    peers_mb=$(awk "BEGIN{print $(stat -c %s "$dir/peers.jsonl")/1e6}")
    if ! target/venv-trafilatura/bin/python -c "import trafilatura" 2>/dev/null; then
        python3 -m venv target/venv-trafilatura
        target/venv-trafilatura/bin/pip install --quiet trafilatura lxml_html_clean
    fi
    if [ ! -x target/venv-dolma/bin/dolma ]; then
        python3 -m venv target/venv-dolma
        # pip's resolver backtracks through every boto3 release here; the legacy one does not.
        target/venv-dolma/bin/pip install --quiet --use-deprecated=legacy-resolver "numpy<2" "dolma==1.2.1"
    fi
    rm -rf "$dir/dolma" && mkdir -p "$dir/dolma/documents"
    gzip -1 -c "$dir/pages.jsonl" > "$dir/dolma/documents/pages.jsonl.gz"
    # A fifth of a second: five runs a round, so one slow moment of the machine does not
    # decide the median.
    PER_ROUND=5 row "paradedup --jsonl -j1 (peer subset)" "$peers_mb" "$dir/peers.jsonl" "$summary_removed" -- \
        "$bin" --jsonl -j1 --verbose "$dir/peers.jsonl"
    row "trafilatura duplicate_test + Simhash (peer subset)" "$peers_mb" "$dir/peers.jsonl" 'tail -1 $tmp/out' -- \
        target/venv-trafilatura/bin/python benches/peers/trafilatura_dedup.py "$dir/peers.jsonl"
    row "dolma dedupe, paragraphs (all records, reads gzip)" "$jsonl_mb" "$dir/dolma/documents" 'tail -1 $tmp/out' -- \
        bash benches/peers/dolma_dedup.sh target/venv-dolma "$dir/dolma"
fi

echo "measuring on $jsonl_mb MB of JSON Lines, $text_mb MB of text, $runs rounds" >&2
run_rows

rows=()
for i in "${!names[@]}"; do
    # shellcheck disable=SC2086 # the times are words
    median=$(printf '%s\n' ${times[$i]} | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
    rows+=("${names[$i]}|${sizes[$i]}|$median|${rss[$i]}|${removed[$i]}")
    echo "  ${names[$i]}: ${median}s (${times[$i]% })" >&2
done

if [ "$peers" = 1 ]; then
    # Fixed cost of each peer: one record.
    head -1 "$dir/peers.jsonl" > "$tmp/one.jsonl"
    rm -rf "$tmp/dolma-one" && mkdir -p "$tmp/dolma-one/documents"
    gzip -1 -c "$tmp/one.jsonl" > "$tmp/dolma-one/documents/one.jsonl.gz"
    fixed() { /usr/bin/time -f %e -o "$tmp/fixed" "$@" > /dev/null 2>&1; cat "$tmp/fixed"; }
    fixed_cost="one record: dolma $(fixed bash benches/peers/dolma_dedup.sh target/venv-dolma "$tmp/dolma-one") s, \
trafilatura $(fixed target/venv-trafilatura/bin/python benches/peers/trafilatura_dedup.py "$tmp/one.jsonl") s, \
paradedup $(fixed "$bin" --jsonl -q "$tmp/one.jsonl") s"
fi

ours=$(printf '%s\n' "${rows[@]}" | awk -F'|' '$1=="paradedup --jsonl -j1" {print $2/$3}')
ours_peers=$(printf '%s\n' "${rows[@]}" | awk -F'|' '$1 ~ /^paradedup --jsonl -j1 \(peer/ {print $2/$3}')
echo
echo "| command | MB/s | vs paradedup --jsonl -j1 (same bytes) | peak RSS | paragraphs removed |"
echo "| --- | ---: | ---: | ---: | ---: |"
for row in "${rows[@]}"; do
    IFS='|' read -r name size secs rss removed <<< "$row"
    base=$ours
    case $name in *"peer subset"*) base=$ours_peers ;; esac
    awk -v n="$name" -v s="$size" -v t="$secs" -v r="$rss" -v x="$removed" -v o="$base" 'BEGIN{
        if (t > 0) printf "| %s | %.1f | %.2f× | %.0f MB | %s |\n", n, s / t, (o > 0 ? s / t / o : 0), r / 1024, x
        else printf "| %s | > %.0f | > %.0f× | %.0f MB | %s |\n", n, s / 0.01, (o > 0 ? s / 0.01 / o : 0), r / 1024, x }'
done
[ -n "${fixed_cost:-}" ] && echo && echo "$fixed_cost"
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
