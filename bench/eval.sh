#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# eval.sh (make eval): relevance of medsearch on every dataset of
# ../shared/datasets, scored exactly like the peer engines.
#
# For each dataset (corpus.jsonl.gz + queries.tsv + qrels.tsv): index the
# corpus (build/indexer; a rerun skips unchanged articles), start searchd,
# run the queries through `search --run --k 100`, score nDCG@10, R@100 and
# MRR@10 with ../shared/bench/score.py. For MedQuAD also the related
# articles (/related on related-seeds.tsv: nDCG@5, P@5, MRR@10). Prints one
# table and writes it to bench/results/eval-DATE.md.
#
# Environment:
#   SHARED=DIR        the shared folder (default ../shared)
#   DATASETS="a b"    only these datasets (names of folders)
#   PEERS=1           also run the peers (sphinx xapian fts5 lucene) through
#                     ../shared/bench/run.sh and related.sh, side by side
#   CONFIG=FILE       a medsearch config for searchd ([ranking] keys: ablations)
#   TAG=NAME          name of this run in the table (default medsearch)
#   WORK=DIR          indexes and runs (default /var/tmp/medsearch-eval)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
BENCH=$SHARED/bench
WORK=${WORK:-/var/tmp/medsearch-eval}
TAG=${TAG:-medsearch}
if [ ! -d "$SHARED/datasets" ] || [ ! -f "$BENCH/score.py" ]; then
    echo "eval: $SHARED/datasets or $BENCH/score.py not found: nothing to evaluate (skipped)"
    exit 0
fi
mkdir -p "$WORK" bench/results
chmod 755 "$WORK"
out=bench/results/eval-$(date +%F).md
tmp_table=$(mktemp)
trap 'rm -f "$tmp_table"; [ -n "${SPID:-}" ] && kill -TERM "$SPID" 2>/dev/null; true' EXIT

start_searchd() { # DB SOCK LOG
    rm -f "$2"
    local cfg=()
    [ -n "${CONFIG:-}" ] && cfg=(--config "$CONFIG")
    build/searchd --db "$1" --socket "$2" --foreground "${cfg[@]}" > "$3" 2>&1 &
    SPID=$!
    for _ in $(seq 600); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$2" http://x/health)" = 200 ] && return 0
        kill -0 "$SPID" 2>/dev/null || { tail "$3" >&2; return 1; }
        sleep 0.1
    done
    return 1
}
stop_searchd() { kill -TERM "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null || true; SPID=; }
now() { date +%s.%N; }

printf '| dataset | engine | queries | nDCG@10 | R@100 | MRR@10 | index s | ms/query |\n|---|---|---:|---:|---:|---:|---:|---:|\n' > "$tmp_table"
related_rows=()
for ds in "$SHARED"/datasets/*/; do
    name=$(basename "$ds")
    [ -f "$ds/corpus.jsonl.gz" ] && [ -f "$ds/queries.tsv" ] && [ -f "$ds/qrels.tsv" ] || continue
    if [ -n "${DATASETS:-}" ] && [[ " $DATASETS " != *" $name "* ]]; then continue; fi
    w=$WORK/$name
    mkdir -p "$w"; chmod 755 "$w"
    echo "== $name: indexing" >&2
    t0=$(now)
    build/indexer --db "$w/db" --quiet "$ds/corpus.jsonl.gz"
    t1=$(now)
    start_searchd "$w/db" "$w/s.sock" "$w/searchd.log"
    nq=$(grep -c . "$ds/queries.tsv")
    echo "== $name: $nq queries" >&2
    t2=$(now)
    build/search --socket "$w/s.sock" --run "$ds/queries.tsv" --k 100 --tag "$TAG" > "$w/run.trec" || true
    t3=$(now)
    read -r ndcg rec mrr < <(python3 "$BENCH/score.py" "$ds/qrels.tsv" "$w/run.trec" --queries "$ds/queries.tsv" --tsv \
        --metrics ndcg@10,recall@100,mrr@10 | awk -F'\t' 'NR==2 {print $(NF-2), $(NF-1), $NF}')
    printf '| %s | %s | %s | %s | %s | %s | %.1f | %.2f |\n' "$name" "$TAG" "$nq" "$ndcg" "$rec" "$mrr" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" \
        "$(awk -v a="$t2" -v b="$t3" -v n="$nq" 'BEGIN {print (b - a) * 1000 / n}')" >> "$tmp_table"
    if [ -f "$ds/related-seeds.tsv" ] && [ -f "$ds/related-qrels.tsv" ]; then
        echo "== $name: related articles" >&2
        python3 "$BENCH/adapters/medsearch/related_run.py" "$w/s.sock" "$ds/related-seeds.tsv" 10 "$TAG" \
            > "$w/related.trec" 2> "$w/related.log" || true
        read -r rn rp rm < <(python3 "$BENCH/score.py" "$ds/related-qrels.tsv" "$w/related.trec" --tsv \
            --metrics ndcg@5,p@5,mrr@10 | awk -F'\t' 'NR==2 {print $(NF-2), $(NF-1), $NF}')
        related_rows+=("| $name | $TAG | $rn | $rp | $rm |")
    fi
    stop_searchd
done
{
    echo "## medsearch relevance, $(date +%F), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(git describe --always --dirty 2>/dev/null)"
    echo
    cat "$tmp_table"
    if [ ${#related_rows[@]} -gt 0 ]; then
        echo
        echo '| dataset (related) | engine | nDCG@5 | P@5 | MRR@10 |'
        echo '|---|---|---:|---:|---:|'
        printf '%s\n' "${related_rows[@]}"
    fi
} > "$out.new"
cat "$out.new"
cat "$out.new" >> "$out"; rm -f "$out.new"
echo "(appended to $out)" >&2

if [ "${PEERS:-0}" = 1 ]; then
    for ds in "$SHARED"/datasets/*/; do
        name=$(basename "$ds")
        [ -f "$ds/corpus.jsonl.gz" ] && [ -f "$ds/queries.tsv" ] || continue
        if [ -n "${DATASETS:-}" ] && [[ " $DATASETS " != *" $name "* ]]; then continue; fi
        MEDSEARCH_DIR=$ROOT RESULTS_DIR=$ROOT/bench/results "$BENCH/run.sh" "$ds" sphinx xapian fts5 lucene medsearch || true
        if [ -f "$ds/related-seeds.tsv" ]; then
            MEDSEARCH_DIR=$ROOT RESULTS_DIR=$ROOT/bench/results "$BENCH/related.sh" "$ds" xapian lucene fts5 medsearch || true
        fi
    done
fi
