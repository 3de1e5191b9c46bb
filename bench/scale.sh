#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scale.sh: the scaling curve of a first build. For each size N (default
# "10000 100000 500000 1000000"), a synthetic corpus of N articles
# (build/gencorpus from corpus/, one JSONL file) is indexed from scratch
# with --threads 2; wall time, CPU time, peak RSS and index size go to
# bench/results/scale-DATE.tsv, and gnuplot draws docs/scaling.png (build
# time and index size against N, log-log).
#
# Environment: SIZES="N...", WORK=DIR (default /var/tmp/medsearch-scale),
# THREADS=2.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-10000 100000 500000 1000000}
WORK=${WORK:-/var/tmp/medsearch-scale}
THREADS=${THREADS:-2}
command -v gnuplot > /dev/null || scripts/deps.sh --tools
[ -x /usr/bin/time ] || scripts/deps.sh time
[ -x build/gencorpus ] || make build/gencorpus > /dev/null
mkdir -p "$WORK" bench/results docs
tsv=bench/results/scale-$(date +%F).tsv
printf 'articles\tinput_mb\twall_s\tcpu_s\tpeak_rss_mb\tindex_mb\n' > "$tsv"
for n in $SIZES; do
    build/gencorpus "$n" corpus > "$WORK/gen.jsonl"
    rm -rf "$WORK/db"
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" \
        build/indexer --db "$WORK/db" --threads "$THREADS" --quiet "$WORK/gen.jsonl"
    read -r wall user sys rss < "$WORK/time"
    in_mb=$(du -m "$WORK/gen.jsonl" | cut -f1)
    idx_mb=$(du -sm "$WORK/db" | cut -f1)
    printf '%s\t%s\t%s\t%.1f\t%d\t%s\n' "$n" "$in_mb" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
        $((rss / 1024)) "$idx_mb" | tee -a "$tsv"
done
rm -rf "$WORK/db" "$WORK/gen.jsonl"
gnuplot <<GP
set terminal png size 900,500
set output 'docs/scaling.png'
set title 'medsearch first build, $THREADS threads (synthetic articles, $(date +%F))'
set xlabel 'articles'
set logscale xy
set grid
set key top left
set ylabel 'seconds / MB'
plot '$tsv' using 1:3 skip 1 with linespoints title 'build wall s', \
     '$tsv' using 1:4 skip 1 with linespoints title 'build CPU s', \
     '$tsv' using 1:6 skip 1 with linespoints title 'index MB', \
     '$tsv' using 1:5 skip 1 with linespoints title 'peak RSS MB'
GP
echo "wrote $tsv and docs/scaling.png"
