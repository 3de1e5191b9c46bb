#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# qps-compare.sh: issue 10's search-box bars on one collection, one run:
#   1. latency of a search-box request (every default field) over one
#      keep-alive connection (bench/loadgen -c 1) against plain Xapian
#      BM25 top 10 on the same index (bench/xapian-bm25.py);
#   2. throughput at CONNS connections: medsearch (loadgen, default
#      fields) against Sphinx searchd over SphinxQL on loopback
#      (bench/sphinxql-load.py, same queries, same concurrency).
#
#   bench/qps-compare.sh [DATASET]     (default medquad, from ../shared/datasets)
#
# Environment: WORK (default /var/tmp/medsearch-qps), DURATION seconds per
# load run (default 20), CONNS (default 16), N queries for the latency runs
# (default 500). Needs build/ (make tests), sphinxsearch and python3-xapian.
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
N=${N:-500}
PY=/usr/bin/python3
[ -f "$D/corpus.jsonl.gz" ] || { echo "qps-compare: $D/corpus.jsonl.gz not found" >&2; exit 2; }
for b in indexer searchd loadgen; do
    [ -x "build/$b" ] || { echo "qps-compare: build/$b missing (make tests)" >&2; exit 2; }
done
mkdir -p "$WORK"
head -n $((N + 1)) "$D/queries.tsv" > "$WORK/queries.tsv"
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# medsearch: index (a rerun skips unchanged articles) and searchd.
build/indexer --db "$WORK/ms-db" --quiet "$D/corpus.jsonl.gz"
rm -f "$WORK/ms.sock"
build/searchd --db "$WORK/ms-db" --socket "$WORK/ms.sock" --foreground > "$WORK/ms.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$WORK/ms.sock" http://x/health)" = 200 ] && break
    sleep 0.1
done
live=$WORK/ms-db; [ -f "$live/XAPIANDB" ] && live=$WORK/ms-db/$(awk '{print $2}' "$live/XAPIANDB")

echo "== $ds: $(wc -l < "$WORK/queries.tsv") queries, load $(cut -d' ' -f1-3 /proc/loadavg)"
# warm both (page cache, searchd's workers)
build/loadgen --socket "$WORK/ms.sock" --queries "$WORK/queries.tsv" -c 1 -n 200 > /dev/null || true
$PY bench/xapian-bm25.py "$live" "$WORK/queries.tsv" > /dev/null || true
echo "-- one connection, search-box request (every default field) vs plain Xapian BM25 top 10"
build/loadgen --socket "$WORK/ms.sock" --queries "$WORK/queries.tsv" -c 1 -n "$N" --sequential | grep -E 'p50|requests/s|throughput' || true
$PY bench/xapian-bm25.py "$live" "$WORK/queries.tsv"
echo "-- $CONNS connections, $DURATION s"
build/loadgen --socket "$WORK/ms.sock" --queries "$WORK/queries.tsv" -c "$CONNS" -d "$DURATION" | grep -E 'p50|requests/s|throughput' || true

# Sphinx: the shared adapter's index, searchd on a free loopback port.
if command -v searchd > /dev/null && [ "$(readlink -f "$(command -v searchd)")" != "$ROOT/build/searchd" ]; then
    if [ ! -d "$WORK/sphinx/data" ]; then
        "$SHARED/bench/adapters/sphinx/index.sh" "$D/corpus.jsonl.gz" "$WORK/sphinx" > "$WORK/sphinx-index.log" 2>&1
    fi
    port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    run=$WORK/sphinx/searchd; mkdir -p "$run"
    { sed -n '/^index corpus/,/^}/p' "$WORK/sphinx/sphinx.conf"
      printf 'searchd\n{\n    listen = 127.0.0.1:%s:mysql41\n    log = %s/searchd.log\n    pid_file = %s/searchd.pid\n    binlog_path =\n    workers = threads\n    preopen_indexes = 1\n}\n' "$port" "$run" "$run"
    } > "$run/searchd.conf"
    /usr/bin/searchd --config "$run/searchd.conf" --nodetach > "$run/searchd.out" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 300); do grep -q 'accepting connections' "$run/searchd.out" 2>/dev/null && break; sleep 0.1; done
    $PY bench/sphinxql-load.py "$port" corpus "$WORK/queries.tsv" -c "$CONNS" --duration 3 > /dev/null
    $PY bench/sphinxql-load.py "$port" corpus "$WORK/queries.tsv" -c "$CONNS" --duration "$DURATION"
else
    echo "sphinx: searchd (sphinxsearch) not installed: no Sphinx figures"
fi
