#!/usr/bin/env bash
# What writing the cleaned files costs: `--in-place` and `--output-dir` over the bench tree
# (target/bench/pages, made by benches/compare.sh), each run on a freshly made ext4 file system,
# so that the state of the machine's own disk (slow after many deletions) plays no part.
#
# Usage: sudo benches/write.sh [--runs N] [BIN...]
#   BIN: paradedup binaries to compare, run in turn (default: this checkout's release build).
# Prints wall, user and system seconds of every run, then the median per binary and mode.
# Needs: root (mkfs.ext4 and a loop mount), GNU time at /usr/bin/time, about 4 GB in target/.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
bins=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    *) bins+=("$(realpath "$1")"); shift ;;
    esac
done
[[ $(id -u) == 0 ]] || { echo "write.sh: needs root, to make and mount a file system" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "write.sh: needs GNU time at /usr/bin/time" >&2; exit 2; }
tree=$PWD/target/bench/pages
[[ -d $tree ]] || { echo "write.sh: no $tree: run benches/compare.sh once first" >&2; exit 2; }
if [[ ${#bins[@]} == 0 ]]; then
    cargo build --release --quiet
    bins=("$PWD/target/release/paradedup")
fi

image=$PWD/target/write-fs.img
mnt=$(mktemp -d)
cleanup() { umount "$mnt" 2>/dev/null || true; rmdir "$mnt"; rm -f "$image"; }
trap cleanup EXIT

fresh() { # a new, empty ext4 at $mnt
    umount "$mnt" 2>/dev/null || true
    rm -f "$image"
    truncate -s 4G "$image"
    mkfs.ext4 -q -F "$image"
    mount -o loop "$image" "$mnt"
}

results=$(mktemp)
for _ in $(seq "$runs"); do
    for bin in "${bins[@]}"; do
        fresh
        cp -r "$tree" "$mnt/in"
        sync
        /usr/bin/time -f "$bin in-place %e %U %S" -a -o "$results" \
            "$bin" --in-place -q -r -j1 "$mnt/in"
        fresh
        sync
        /usr/bin/time -f "$bin output-dir %e %U %S" -a -o "$results" \
            "$bin" --output-dir "$mnt/out" -q -r -j1 "$tree"
    done
done
echo "binary mode: wall user system (seconds), every run"
cat "$results"
echo
echo "median wall seconds (--in-place / --output-dir, -j1, $(ls "$tree" | wc -l) files):"
for bin in "${bins[@]}"; do
    for mode in in-place output-dir; do
        awk -v b="$bin" -v m="$mode" '$1 == b && $2 == m { print $3 }' "$results" | sort -n |
            awk -v b="$bin" -v m="$mode" '{ v[NR] = $1 } END { printf "%s %s: %.2f s\n", b, m, v[int((NR + 1) / 2)] }'
    done
done
rm -f "$results"
