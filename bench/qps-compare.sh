#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# qps-compare.sh: issue 10's search-box bars on one collection, one run,
# every figure with the load average it was measured at:
#   0. (PEERS) the shared harness, ../shared/bench/run.sh DATASET medsearch
#      PEERS...: the batch run's per-query latency of every engine, and the
#      fastest peer (lowest p50);
#   1. a search-box request (/search?q=...&limit=10: every default field)
#      over one keep-alive connection (build/loadgen -c 1, every query once,
#      in file order) against that fastest peer (bar: p50 at most 1.5x its
#      p50, p99 at most 4x) and against plain Xapian BM25 top 10 on the
#      same index (bench/xapian-bm25.py; the 500,000-article bar: 1.0x at
#      p50, 1.5x at p99);
#   2. throughput at CONNS connections for DURATION s: medsearch (loadgen,
#      default fields, limit 10) against Sphinx searchd over SphinxQL on
#      loopback (bench/sphinxql-load.py: the same queries, the same
#      concurrency, top 10; bar: at least 2x Sphinx), and at least 100
#      requests/s. Each server's CPU time per request is printed too
#      (/proc/PID/stat): on a shared machine it compares more steadily than
#      wall-clock throughput.
#
#   bench/qps-compare.sh [DATASET]     (default medquad, from ../shared/datasets)
#
# Environment:
#   DB=DIR        serve this medsearch index instead of indexing DATASET
#                 (e.g. the 500,000-article one of build/gencorpus)
#   QUERIES=FILE  qid<TAB>text queries (default: DATASET's queries.tsv)
#   N             queries of the one-connection runs (default 0: all)
#   PEERS         engines for the shared harness (default "xapian lucene
#                 sphinx fts5"; empty: skip step 0)
#   SPHINX=0      skip the Sphinx throughput run
#   WORK          default /var/tmp/medsearch-qps; DURATION seconds per load
#                 run (default 20); CONNS (default 16)
# Needs build/ (make tests), sphinxsearch, python3-xapian, and for PEERS the
# shared harness's own dependencies (its setup scripts install them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
[ -d "$SHARED/datasets" ] || SHARED=$ROOT/../../shared
ds=${1:-medquad}
D=$SHARED/datasets/$ds
WORK=${WORK:-/var/tmp/medsearch-qps}/$ds
DURATION=${DURATION:-20}
CONNS=${CONNS:-16}
N=${N:-0}
PEERS=${PEERS-xapian lucene sphinx fts5}
SPHINX=${SPHINX:-1}
PY=/usr/bin/python3
QUERIES=${QUERIES:-$D/queries.tsv}
[ -f "$QUERIES" ] || { echo "qps-compare: $QUERIES not found" >&2; exit 2; }
[ -n "${DB:-}" ] || [ -f "$D/corpus.jsonl.gz" ] || { echo "qps-compare: $D/corpus.jsonl.gz not found" >&2; exit 2; }
for b in indexer searchd loadgen; do
    [ -x "build/$b" ] || { echo "qps-compare: build/$b missing (make tests)" >&2; exit 2; }
done
mkdir -p "$WORK"
# the queries without a header line, the first N (0: all)
awk -F'\t' -v n="$N" 'NR == 1 && tolower($1) ~ /^(qid|query-id|query_id|id)$/ { next }
    $2 != "" && (n == 0 || k++ < n) { print }' "$QUERIES" > "$WORK/queries.tsv"
nq=$(wc -l < "$WORK/queries.tsv")
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
# cputicks PID: user + system clock ticks of the process and its children
# (all their threads; started as root, searchd serves from a child)
cputicks() {
    local p t=0
    for p in "$1" $(pgrep -P "$1" || true); do
        t=$((t + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo $t
}
hz=$(getconf CLK_TCK)
# pctl FILE P: nearest-rank percentile (as the shared harness's report.py)
# of the seconds in column 2 of FILE (lines starting with '#' skipped), in ms
pctl() {
    grep -v '^#' "$1" | cut -f2 | sort -g |
        awk -v p="$2" '{ v[NR] = $1 } END { k = p * NR / 100; if (k != int(k)) k = int(k) + 1; if (k < 1) k = 1; printf "%.3f", v[k] * 1000 }'
}
# json FILE KEY...: one value from loadgen's --json report
json() { $PY -c 'import json, sys; v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]: v = v[k]
print(v)' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "== qps-compare $ds: $nq queries, commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo -dirty), $(date -u '+%F %T') UTC, $(nproc) cores, load $(load)"

# ---- 0. the shared harness's batch run: the peers' latency ----
best_e='' best50=0 best99=0
if [ -n "$PEERS" ]; then
    echo "-- shared harness: run.sh $ds medsearch $PEERS (load $(load))"
    # µs-resolution Sphinx timings (its default client reports whole ms)
    # shellcheck disable=SC2086
    SPHINX_CLIENT=py MEDSEARCH_DIR=$ROOT WORK_ROOT=$WORK/harness RESULTS_DIR=$WORK/harness \
        "$SHARED/bench/run.sh" "$D" medsearch $PEERS 2> "$WORK/harness.log" | grep -E '^\| ' || true
    echo "   (load $(load))"
    hw=$WORK/harness/$(basename "$D")
    for e in medsearch $PEERS; do
        f=$hw/$e/latency.tsv
        [ -s "$f" ] || { echo "   $e: no latency file"; continue; }
        p50=$(pctl "$f" 50) p99=$(pctl "$f" 99)
        echo "   $e: batch p50 $p50 ms, p99 $p99 ms ($(grep -vc '^#' "$f") queries)"
        if [ "$e" != medsearch ] && { [ -z "$best_e" ] || awk -v a="$p50" -v b="$best50" 'BEGIN { exit !(a < b) }'; }; then
            best_e=$e best50=$p50 best99=$p99
        fi
    done
    [ -n "$best_e" ] && echo "   fastest peer: $best_e (p50 $best50 ms, p99 $best99 ms)"
fi

# ---- medsearch: the index (a rerun skips unchanged articles) and searchd ----
if [ -n "${DB:-}" ]; then
    db=$DB
else
    db=$WORK/ms-db
    build/indexer --db "$db" --quiet "$D/corpus.jsonl.gz"
fi
rm -f "$WORK/ms.sock"
build/searchd --db "$db" --socket "$WORK/ms.sock" --foreground > "$WORK/ms.log" 2>&1 &
ms_pid=$!
pids+=("$ms_pid")
for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$WORK/ms.sock" http://x/health)" = 200 ] && break
    sleep 0.1
done
live=$db; [ -f "$live/XAPIANDB" ] && live=$db/$(awk '{print $2}' "$live/XAPIANDB")
docs=$(curl -s --unix-socket "$WORK/ms.sock" http://x/health | $PY -c 'import json, sys; print(json.load(sys.stdin)["documents"])')
echo "-- medsearch: $docs articles, $(du -sm "$live" | cut -f1) MB ($live)"

# warm both: the index in the page cache, searchd's workers, Python's imports
cat "$live"/*.glass > /dev/null
build/loadgen --socket "$WORK/ms.sock" --queries "$WORK/queries.tsv" -c 1 -n 200 > /dev/null || true
$PY bench/xapian-bm25.py "$live" "$WORK/queries.tsv" > /dev/null || true

# ---- 1. one connection: search box vs plain BM25 top 10 vs the fastest peer ----
echo "-- one connection, $nq search-box requests (every default field, limit 10), in order (load $(load))"
c0=$(cputicks $ms_pid)
build/loadgen --socket "$WORK/ms.sock" --queries "$WORK/queries.tsv" -c 1 -n "$nq" --sequential --json > "$WORK/c1.json" || true
c1=$(cputicks $ms_pid)
s50=$(json "$WORK/c1.json" latency_ms p50) s95=$(json "$WORK/c1.json" latency_ms p95)
s99=$(json "$WORK/c1.json" latency_ms p99) sfail=$(json "$WORK/c1.json" failed)
echo "   medsearch /search: p50 $s50 ms, p95 $s95 ms, p99 $s99 ms, $sfail failed, searchd $(awk -v t=$((c1 - c0)) -v h="$hz" -v n="$nq" 'BEGIN { printf "%.2f", t / h * 1000 / n }') CPU-ms a request (load $(load))"
$PY bench/xapian-bm25.py "$live" "$WORK/queries.tsv" --latency "$WORK/bm25.tsv" > "$WORK/bm25.out" || true
x50=$(pctl "$WORK/bm25.tsv" 50) x99=$(pctl "$WORK/bm25.tsv" 99)
echo "   plain Xapian BM25 top 10 (in process, same index): p50 $x50 ms, p99 $x99 ms (load $(load))"

# ---- 2. CONNS connections: medsearch, then Sphinx ----
echo "-- $CONNS connections, $DURATION s, /search (every default field, limit 10), random order (load $(load))"
c0=$(cputicks $ms_pid)
/usr/bin/time -f '%U %S' -o "$WORK/lg.time" \
    build/loadgen --socket "$WORK/ms.sock" --queries "$WORK/queries.tsv" -c "$CONNS" -d "$DURATION" --json > "$WORK/cN.json" || true
c1=$(cputicks $ms_pid)
mrps=$(json "$WORK/cN.json" rps) mreq=$(json "$WORK/cN.json" requests)
echo "   medsearch: $mrps requests/s, p50 $(json "$WORK/cN.json" latency_ms p50) ms, p99 $(json "$WORK/cN.json" latency_ms p99) ms, $(json "$WORK/cN.json" failed) failed; searchd $(awk -v t=$((c1 - c0)) -v h="$hz" -v n="$mreq" 'BEGIN { printf "%.2f", n ? t / h * 1000 / n : 0 }') CPU-ms a request, loadgen $(awk '{ printf "%.1f", $1 + $2 }' "$WORK/lg.time") CPU-s (load $(load))"

srps=
if [ "$SPHINX" = 1 ] && [ -z "${DB:-}" ]; then
    if command -v searchd > /dev/null && [ -x /usr/bin/searchd ]; then
        if [ ! -d "$WORK/sphinx/data" ]; then
            "$SHARED/bench/adapters/sphinx/index.sh" "$D/corpus.jsonl.gz" "$WORK/sphinx" > "$WORK/sphinx-index.log" 2>&1
        fi
        port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        run=$WORK/sphinx/searchd; mkdir -p "$run"
        { sed -n '/^index corpus/,/^}/p' "$WORK/sphinx/sphinx.conf"
          printf 'searchd\n{\n    listen = 127.0.0.1:%s:mysql41\n    log = %s/searchd.log\n    pid_file = %s/searchd.pid\n    binlog_path =\n    workers = threads\n    preopen_indexes = 1\n}\n' "$port" "$run" "$run"
        } > "$run/searchd.conf"
        /usr/bin/searchd --config "$run/searchd.conf" --nodetach > "$run/searchd.out" 2>&1 &
        sp_pid=$!
        pids+=("$sp_pid")
        for _ in $(seq 1 300); do grep -q 'accepting connections' "$run/searchd.out" 2>/dev/null && break; sleep 0.1; done
        $PY bench/sphinxql-load.py "$port" corpus "$WORK/queries.tsv" -c "$CONNS" --duration 3 > /dev/null
        echo "-- Sphinx searchd, SphinxQL over loopback, $CONNS connections, $DURATION s, top 10 (load $(load))"
        c0=$(cputicks $sp_pid)
        /usr/bin/time -f '%U %S' -o "$WORK/sp.time" \
            $PY bench/sphinxql-load.py "$port" corpus "$WORK/queries.tsv" -c "$CONNS" --duration "$DURATION" > "$WORK/sphinx.out"
        c1=$(cputicks $sp_pid)
        sed 's/^/   /' "$WORK/sphinx.out"
        sreq=$(sed -n 's/.*s: \([0-9]*\) requests.*/\1/p' "$WORK/sphinx.out")
        srps=$(sed -n 's/.* \([0-9.]*\) requests\/s.*/\1/p' "$WORK/sphinx.out")
        echo "   Sphinx searchd $(awk -v t=$((c1 - c0)) -v h="$hz" -v n="$sreq" 'BEGIN { printf "%.2f", n ? t / h * 1000 / n : 0 }') CPU-ms a request, client $(awk '{ printf "%.1f", $1 + $2 }' "$WORK/sp.time") CPU-s (load $(load))"
    else
        echo "sphinx: searchd (sphinxsearch) not installed: no Sphinx figures"
    fi
fi

# ---- the bars ----
echo "-- bars (load $(load))"
if [ -n "$best_e" ]; then
    echo "   search box p50 / fastest peer ($best_e) p50: $(ratio "$s50" "$best50")x (bar 1.5x)"
    echo "   search box p99 / fastest peer p50: $(ratio "$s99" "$best50")x (bar 4x); / its p99: $(ratio "$s99" "$best99")x"
fi
echo "   search box / plain Xapian BM25 top 10: p50 $(ratio "$s50" "$x50")x (bar 1.0x), p99 $(ratio "$s99" "$x99")x (bar 1.5x)"
echo "   $CONNS connections: $mrps requests/s (bar 100)$([ -n "$srps" ] && echo "; / Sphinx $srps: $(ratio "$mrps" "$srps")x (bar 2x)")"
