#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# replication.sh (part of make bench): what a read replica costs per update.
#
# MedQuAD (../shared/datasets/medquad/corpus.jsonl.gz) indexed as the
# master with [index] changesets = 100; a real xapian-replicate-server on
# 127.0.0.1 and a xapian-replicate client (-i 1: it asks every second)
# keep a replica current; a searchd serves the replica (--master). Then
# BATCHES batches of 100 changed MedQuAD articles (each indexer run is one
# commit). Per batch:
#   - changeset bytes: the size of the changeset file the master wrote for
#     that commit (what xapian-replicate ships);
#   - lag: from the commit's time (the indexer's stamp) to the replica's
#     searchd serving that commit (/metrics medsearch_index_commit_seq,
#     polled every 0.1 s), so it includes the client's 1 s poll interval.
# And for comparison the full copy a --rebuild or --compact ships to every
# replica: its bytes and the time of one forced copy (xapian-replicate -f).
# Prints a table and appends it to bench/results/replication-DATE.md.
#
# Environment: SHARED=DIR, WORK=DIR (default /var/tmp/medsearch-replication),
# BATCHES (default 10), BATCH (articles per batch, default 100).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
WORK=${WORK:-/var/tmp/medsearch-replication}
BATCHES=${BATCHES:-10}
BATCH=${BATCH:-100}
SRC=$SHARED/datasets/medquad/corpus.jsonl.gz
if [ ! -f "$SRC" ]; then
    echo "replication: $SRC not found: skipped (the MedQuAD corpus is needed)" >&2
    exit 0
fi
for b in indexer searchd setmeta; do
    [ -x "build/$b" ] || { echo "replication: build/$b missing (make tests)" >&2; exit 2; }
done
for c in xapian-replicate xapian-replicate-server; do
    command -v $c > /dev/null || scripts/deps.sh $c
done
rm -rf "$WORK"; mkdir -p "$WORK/master" "$WORK/replica" bench/results
user=()
[ "$(id -u)" = 0 ] && { user=(--user nobody); chmod 755 "$WORK"; }

PIDS=()
stop() {
    local p
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; done
    wait 2>/dev/null || true
    PIDS=()
}
trap 'stop; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { local i; for ((i = 0; i < 300; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
now() { date +%s.%N; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
metric() { curl -s --max-time 10 --unix-socket "$WORK/r.sock" http://x/metrics | awk -v n="$1" '$1 == n { print $2 }'; }
live() { sed -n 's/^glass //p' "$WORK/master/med/XAPIANDB"; }

printf '[index]\nchangesets = 100\n' > "$WORK/idx.conf"
ix() { build/indexer --config "$WORK/idx.conf" --db "$WORK/master/med" --quiet "$@"; }
echo "replication: indexing MedQuAD as the master" >&2
t0=$(now)
ix "$SRC"
build_s=$(minus "$(now)" "$t0")
docs=$(build/indexer --db "$WORK/master/med" --stats | awk '/^documents/ { print $2 }')

PORT=$(free_port)
setsid xapian-replicate-server -I 127.0.0.1 -p "$PORT" "$WORK/master" > "$WORK/server.log" 2>&1 &
PIDS+=($!)
wait_port "$PORT"

# The full copy, timed: one forced copy into a scratch directory.
t0=$(now)
xapian-replicate -h 127.0.0.1 -p "$PORT" -m med -o -f -q "$WORK/copy"
copy_s=$(minus "$(now)" "$t0")
copy_bytes=$(du -sb "$WORK/copy" | cut -f1)
rm -rf "$WORK/copy"

setsid stdbuf -oL xapian-replicate -h 127.0.0.1 -p "$PORT" -m med -i 1 -v "$WORK/replica/med" > "$WORK/client.log" 2>&1 &
PIDS+=($!)
for ((i = 0; i < 600; i++)); do [ -f "$WORK/replica/med/XAPIANDB" ] && break; sleep 0.1; done
build/searchd --db "$WORK/replica/med" --socket "$WORK/r.sock" --master "$WORK/master/med" --foreground "${user[@]}" \
    > "$WORK/searchd.log" 2>&1 &
PIDS+=($!)
for ((i = 0; i < 600; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "$WORK/r.sock" http://x/health)" = 200 ] && break
    sleep 0.1
done

# Batches: BATCH articles each, a different slice of MedQuAD every time,
# their text changed so that each is an update.
zcat "$SRC" | python3 -c '
import json, random, sys
recs = [json.loads(l) for l in sys.stdin if l.strip()]
random.seed(12)
random.shuffle(recs)
n, k = int(sys.argv[1]), int(sys.argv[2])
for b in range(n):
    with open("%s/batch-%d.jsonl" % (sys.argv[3], b + 1), "w") as f:
        for r in recs[b * k:(b + 1) * k]:
            r["text"] = r.get("text", "") + " (Reviewed in update batch %d.)" % (b + 1)
            f.write(json.dumps(r) + "\n")
' "$BATCHES" "$BATCH" "$WORK"

rows=$WORK/rows
: > "$rows"
for ((b = 1; b <= BATCHES; b++)); do
    rev0=$(xapian-delve "$WORK/master/med" | awk '/^revision/ { print $3 }')
    ix "$WORK/batch-$b.jsonl"
    seq=$(build/setmeta "$WORK/master/med" medsearch_commit_seq)
    when=$(build/setmeta "$WORK/master/med" medsearch_commit_time)
    for ((i = 0; i < 1200; i++)); do
        [ "$(metric medsearch_index_commit_seq)" = "$seq" ] && break
        sleep 0.1
    done
    served=$(now)
    bytes=$(stat -c %s "$WORK/master/med/$(live)/changes$rev0" 2> /dev/null || echo 0)
    lag=$(minus "$served" "$when")
    printf '%d %d %.1f\n' "$b" "$bytes" "$lag" >> "$rows"
    echo "replication: batch $b: changeset $bytes bytes, served after $lag s" >&2
done
stop

# after the first update (the initial copy): copies and changesets shipped
read -r copies changesets < <(grep -o 'Update complete: [0-9]* copies, [0-9]* changesets' "$WORK/client.log" |
    tail -n +2 | awk '{ c += $3; s += $5 } END { print c + 0, s + 0 }')
out=bench/results/replication-$(date +%F).md
python3 - "$rows" > "$WORK/summary" << 'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
b = sorted(int(r[1]) for r in rows)
l = sorted(float(r[2]) for r in rows)
print("%d %d %d %.1f %.1f" % (statistics.median(b), b[0], b[-1], statistics.median(l), l[-1]))
EOF
read -r b_med b_min b_max l_med l_max < "$WORK/summary"
{
    echo "## replication (xapian-replicate on 127.0.0.1), MedQuAD ($docs documents), $(date -u '+%F %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(git describe --always --dirty 2>/dev/null)"
    echo
    echo "| | value |"
    echo "|---|---:|"
    echo "| changeset per batch of $BATCH changed articles, median (min-max) | $((b_med / 1024)) KB ($((b_min / 1024))-$((b_max / 1024)) KB) |"
    echo "| per changed article | $((b_med / BATCH / 1024)) KB |"
    echo "| lag, commit to the replica's searchd serving it, median / max (client polls every 1 s) | $l_med s / $l_max s |"
    echo "| full copy (what --rebuild / --compact ship to every replica) | $((copy_bytes / 1048576)) MB in $(printf '%.1f' "$copy_s") s on loopback |"
    echo "| after the first copy: changesets / full copies shipped | $changesets / $copies |"
    echo "| master build (first run, compacted) | $(printf '%.0f' "$build_s") s |"
    echo
    echo "(per batch: batch, changeset bytes, lag s)"
    echo
    sed 's/^/    /' "$rows"
} > "$WORK/out.md"
cat "$WORK/out.md"
cat "$WORK/out.md" >> "$out"
