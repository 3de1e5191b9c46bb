#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh (make bench): indexing speed and size.
#
# For every ../shared/datasets/*/corpus.jsonl.gz and for a synthetic
# corpus made by build/gencorpus (SYNTH_N articles mixing real texts,
# default 500000), a fresh index with --threads 1 and --threads 2:
# wall time, docs/s, MB/s of input text, peak RSS, index size per MB of
# text; then the tokenizer alone (build/tokbench). Writes
# bench/results/bench-DATE.md and prints it.
#
# Environment: SHARED=DIR (default ../shared), SYNTH_N=N (0: skip the
# synthetic corpus), DATASETS=0 (skip the datasets), THREADS="1 2",
# WORK=DIR (default /var/tmp/medsearch-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-$PWD/../shared}
WORK=${WORK:-/var/tmp/medsearch-bench}
SYNTH_N=${SYNTH_N:-500000}
THREADS=${THREADS:-1 2}
mkdir -p "$WORK" bench/results
[ -x /usr/bin/time ] || scripts/deps.sh time
out=bench/results/bench-$(date +%F).md
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

# one NAME CORPUS...: index with each thread count, one table row each.
one() {
    local name=$1; shift
    for t in $THREADS; do
        rm -rf "$WORK/db"
        /usr/bin/time -v -o "$WORK/time" build/indexer --db "$WORK/db" --threads "$t" "$@" 2> "$WORK/log" || true
        local sum wall rss
        sum=$(grep 'added' "$WORK/log" | tail -1)
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s}' "$WORK/time")
        rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2 / 1024}' "$WORK/time")
        # "... in 10.95 s: 1498 docs/s, 1.88 MB/s of text; index 125.3 MB = 6.08 MB per MB of text"
        echo "$sum" | awk -v name="$name" -v t="$t" -v wall="$wall" -v rss="$rss" '{
            for (i = 1; i <= NF; i++) {
                if ($i == "added,") docs = $(i - 1)
                if ($i == "docs/s,") dps = $(i - 1)
                if ($i == "MB/s") mbs = $(i - 1)
                if ($i == "index") size = $(i + 1)
                if ($i == "per" && $(i + 1) == "MB") ratio = $(i - 2)
            }
            printf "| %s | %s | %s | %.1f | %s | %s | %s | %s | %s |\n", name, t, docs, wall, dps, mbs, rss, size, ratio
        }' >> "$rows"
    done
}

if [ "${DATASETS:-1}" = 0 ]; then
    :
elif [ -d "$SHARED/datasets" ]; then
    for ds in "$SHARED"/datasets/*/; do
        [ -f "$ds/corpus.jsonl.gz" ] && one "$(basename "$ds")" "$ds/corpus.jsonl.gz"
    done
else
    echo "bench: $SHARED/datasets not found: datasets skipped" >&2
fi
if [ "$SYNTH_N" -gt 0 ]; then
    src=corpus
    [ -f "$SHARED/datasets/medquad/corpus.jsonl.gz" ] && src=$SHARED/datasets/medquad/corpus.jsonl.gz
    echo "bench: generating $SYNTH_N synthetic articles from $src" >&2
    build/gencorpus "$SYNTH_N" "$src" > "$WORK/synth.jsonl"
    one "synthetic-$SYNTH_N" "$WORK/synth.jsonl"
    rm -f "$WORK/synth.jsonl"
fi
tok=$(build/tokbench "$SHARED/datasets/medquad/corpus.jsonl.gz" 3 2>&1 | tail -1 || true)
{
    echo "## indexing, $(date +%F), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(git describe --always --dirty 2>/dev/null)"
    echo
    echo "| corpus | threads | docs | wall s | docs/s | MB/s of text | peak RSS MB | index MB | MB per MB of text |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    cat "$rows"
    echo
    echo "tokenizer alone (build/tokbench, MedQuAD titles and texts): $tok"
} > "$out.new"
cat "$out.new"
cat "$out.new" >> "$out"; rm -f "$out.new"
rm -rf "$WORK/db"
