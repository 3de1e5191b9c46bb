#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# eval.sh (make eval): relevance of medsearch on every dataset of
# ../shared/datasets, scored exactly like the peer engines.
#
# For each dataset (corpus.jsonl.gz + queries.tsv + qrels.tsv): index the
# corpus (build/indexer; a rerun skips unchanged articles), start searchd,
# run the queries through `search --run --k 100`, score nDCG@10, R@100 and
# MRR@10 with ../shared/bench/score.py. For MedQuAD also the related
# articles (/related on related-seeds.tsv: nDCG@5, P@5, MRR@10). The same
# queries are then run with every ranking lever off (row "bm25": plain
# BM25 in medsearch itself), which is the latency yardstick: "ms/query" is
# the client's wall time per query (HTTP included), "p50 ms" the median
# time searchd took per /search (its access log), "p50 x bm25" that over
# plain BM25's. Prints one table and appends it to bench/results/eval-DATE.md.
#
# Environment:
#   SHARED=DIR        the shared folder (default ../shared, else ../../shared)
#   DATASETS="a b"    only these datasets (names of folders)
#   PEERS=1           also run the peers (sphinx xapian fts5 lucene) through
#                     ../shared/bench/run.sh and related.sh, side by side
#   CONFIG=FILE       a medsearch config for searchd ([ranking] keys)
#   TAG=NAME          name of this run in the table (default medsearch)
#   BASELINE=0        skip the plain-BM25 row
#   ABLATE=1          also one row per lever, with that lever off (the
#                     ablation table of docs/relevance.md)
#   WORK=DIR          indexes and runs (default /var/tmp/medsearch-eval)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ -z "${SHARED:-}" ]; then
    SHARED=$ROOT/../shared
    [ -d "$SHARED/datasets" ] || SHARED=$ROOT/../../shared
fi
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
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"; [ -n "${SPID:-}" ] && kill -TERM "$SPID" 2>/dev/null; true' EXIT

# Variants: TAG and the [ranking] lines that differ from CONFIG (or from
# the defaults). "bm25" turns every lever off.
OFF="title_weight = 0
heading_weight = 0
title_exact_weight = 0
proximity_weight = 0
synonyms = false
exact_weight = 0
part_weight = 0
latin_in_cjk_weight = 1
cjk_word_weight = 1
bigram_weight = 0
unigram_weight = 0
stopwords = false
question_weight = 1
prf_docs = 0
bm25_k1_cjk = 1.2"
variants=("$TAG")
declare -A vconf=(["$TAG"]="")
if [ "${BASELINE:-1}" = 1 ]; then
    variants+=(bm25)
    vconf[bm25]=$OFF
fi
if [ "${ABLATE:-0}" = 1 ]; then
    for kv in "title_weight = 0" "heading_weight = 0" "title_exact_weight = 0" "proximity_weight = 0.5" \
              "synonyms = false" "exact_weight = 0" "part_weight = 0" "latin_in_cjk_weight = 1" "unigram_weight = 0" "bigram_weight = 0" \
              "cjk_word_weight = 1" "stopwords = false" "question_weight = 1" "prf_docs = 0"; do
        k=${kv%% =*}
        v=${kv##*= }
        variants+=("$k=$v")
        vconf["$k=$v"]=$kv
    done
fi

# The config file of a variant: CONFIG's lines, the variant's keys replacing them.
make_config() { # VARIANT FILE
    local keys
    keys=$(printf '%s\n' "${vconf[$1]}" | sed -n 's/ *=.*//p')
    {
        if [ -n "${CONFIG:-}" ]; then
            grep -v -x -E "($(printf '%s\naccess_log' "$keys" | paste -sd'|' -)) *=.*" "$CONFIG" || true
        else
            echo "[ranking]"
        fi
        [ -n "${vconf[$1]}" ] && printf '[ranking]\n%s\n' "${vconf[$1]}"
        printf '[searchd]\naccess_log = true\n' # per-request times: the median
    } > "$2"
    chmod 644 "$2"
}

start_searchd() { # DB SOCK LOG CONFIG
    rm -f "$2"
    build/searchd --db "$1" --socket "$2" --foreground --config "$4" > "$3" 2>&1 &
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
score() { # QRELS RUN METRICS [QUERIES] -> the three numbers
    local q=()
    [ -n "${4:-}" ] && q=(--queries "$4")
    python3 "$BENCH/score.py" "$1" "$2" "${q[@]}" --tsv --metrics "$3" |
        awk -F'\t' 'NR==2 {print $(NF-2), $(NF-1), $NF}'
}

table=$tmp/table
printf '| dataset | engine | queries | nDCG@10 | R@100 | MRR@10 | index s | ms/query | p50 ms | p50 x bm25 |\n' > "$table"
printf '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n' >> "$table"
related_rows=()
t_start=$(now)
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
    idx_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
    nq=$(grep -c . "$ds/queries.tsv")
    rows=()
    declare -A ms=() p50=()
    for v in "${variants[@]}"; do
        make_config "$v" "$tmp/$name.conf"
        start_searchd "$w/db" "$w/s.sock" "$w/searchd.log" "$tmp/$name.conf"
        echo "== $name: $nq queries ($v)" >&2
        run=$w/run-${v//[^A-Za-z0-9_.-]/_}.trec
        t2=$(now)
        build/search --socket "$w/s.sock" --run "$ds/queries.tsv" --k 100 --tag "$v" > "$run" || true
        t3=$(now)
        ms[$v]=$(awk -v a="$t2" -v b="$t3" -v n="$nq" 'BEGIN {printf "%.2f", (b - a) * 1000 / n}')
        # Median time searchd took per /search (its access log, unbuffered).
        p50[$v]=$(sed -n 's|.*access: /search?.* \([0-9.]*\)ms$|\1|p' "$w/searchd.log" | sort -g |
            awk '{a[NR] = $1} END {if (NR) printf "%.2f", a[int((NR + 1) / 2)]; else print "-"}')
        read -r ndcg rec mrr < <(score "$ds/qrels.tsv" "$run" ndcg@10,recall@100,mrr@10 "$ds/queries.tsv")
        rows+=("| $name | $v | $nq | $ndcg | $rec | $mrr | $idx_s | ${ms[$v]} | ${p50[$v]} |")
        if [ "$v" = "$TAG" ] && [ -f "$ds/related-seeds.tsv" ] && [ -f "$ds/related-qrels.tsv" ]; then
            echo "== $name: related articles" >&2
            python3 "$BENCH/adapters/medsearch/related_run.py" "$w/s.sock" "$ds/related-seeds.tsv" 10 "$TAG" \
                > "$w/related.trec" 2> "$w/related.log" || true
            read -r rn rp rm < <(score "$ds/related-qrels.tsv" "$w/related.trec" ndcg@5,p@5,mrr@10)
            related_rows+=("| $name | $TAG | $rn | $rp | $rm |")
        fi
        stop_searchd
    done
    for r in "${rows[@]}"; do
        v=$(printf '%s' "$r" | awk -F' [|] ' '{print $2}')
        ratio=-
        [ -n "${p50[bm25]:-}" ] && ratio=$(awk -v a="${p50[$v]}" -v b="${p50[bm25]}" 'BEGIN {printf "%.2f", a / b}')
        echo "$r $ratio |" >> "$table"
    done
    unset ms p50
done
t_end=$(now)
{
    echo "## medsearch relevance, $(date +%F), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(git describe --always --dirty 2>/dev/null)"
    echo
    cat "$table"
    if [ ${#related_rows[@]} -gt 0 ]; then
        echo
        echo '| dataset (related) | engine | nDCG@5 | P@5 | MRR@10 |'
        echo '|---|---|---:|---:|---:|'
        printf '%s\n' "${related_rows[@]}"
    fi
    echo
    echo "eval wall time: $(awk -v a="$t_start" -v b="$t_end" 'BEGIN {printf "%.0f", b - a}') s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$tmp/out"
cat "$tmp/out"
cat "$tmp/out" >> "$out"
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
    echo "(peer tables appended to bench/results/<dataset>-$(date +%F).md)" >&2
fi
