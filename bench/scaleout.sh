#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scaleout.sh (part of make bench): what remote shards cost a request.
#
# For N = 1, 2 and 3 shards (indexer --shard K/N, indexer --dictionary),
# each served by a real xapian-tcpsrv on 127.0.0.1, one searchd over them:
#   - latency (median, p95) of ids-only (fields=id,score) and default
#     /search over one keep-alive connection (build/loadgen -c 1);
#   - throughput (default /search) at 1 and 16 connections;
#   - round trips, messages and bytes per shard per request, from a
#     second searchd whose shards sit behind tests/tools/xapcount.py (the
#     counting proxy adds its own latency, so it is not in the timed runs).
# Collection: MedQuAD from ../shared/datasets/medquad (its queries.tsv),
# else corpus/ (with built-in queries). Prints a table and appends it to
# bench/results/scaleout-DATE.md.
#
# Environment: SHARED=DIR, WORK=DIR (default /var/tmp/medsearch-scaleout),
# REQS requests per latency run (default 300), DURATION seconds per
# throughput run (default 15), SHARDS (default "1 2 3").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
WORK=${WORK:-/var/tmp/medsearch-scaleout}
REQS=${REQS:-300}
DURATION=${DURATION:-15}
SHARDS=${SHARDS:-1 2 3}
for b in indexer searchd loadgen; do
    [ -x "build/$b" ] || { echo "scaleout: build/$b missing (make tests)" >&2; exit 2; }
done
command -v xapian-tcpsrv > /dev/null || scripts/deps.sh xapian-tcpsrv
rm -rf "$WORK"; mkdir -p "$WORK" bench/results
user=()
[ "$(id -u)" = 0 ] && { user=(--user nobody); chmod 755 "$WORK"; }

if [ -f "$SHARED/datasets/medquad/corpus.jsonl.gz" ]; then
    name=medquad; src=$SHARED/datasets/medquad/corpus.jsonl.gz
    cut -f2 "$SHARED/datasets/medquad/queries.tsv" > "$WORK/queries.txt"
else
    echo "scaleout: $SHARED/datasets/medquad not found: corpus/ instead (small; numbers not comparable)" >&2
    name=corpus; src=$ROOT/corpus
    printf '%s\n' sleep "heart attack" "blood pressure" diabetes "hypnic jerk" cancer "tooth decay" \
        insomnia "what are the symptoms of diabetes" "how is asthma treated" > "$WORK/queries.txt"
fi

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
wait_sd() {
    local i
    for ((i = 0; i < 600; i++)); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "$1" http://x/health)" = 200 ] && return 0
        sleep 0.1
    done
    echo "scaleout: searchd on $1 did not come up" >&2; return 1
}
lg() {          # lg SOCKET TEMPLATE ARGS...: loadgen's JSON report
    build/loadgen --socket "$1" --queries "$WORK/queries.txt" --template "$2" --timeout 60 --json "${@:3}"
}
jget() { python3 -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

IDS='/search?q=%s&limit=10&fields=id,score'
DEF='/search?q=%s&limit=10'
rows=$WORK/rows
: > "$rows"
for n in $SHARDS; do
    echo "scaleout: $n shard(s) of $name" >&2
    dbs=()
    for ((k = 1; k <= n; k++)); do
        build/indexer --db "$WORK/n$n-s$k" --shard "$k/$n" --quiet "$src" > "$WORK/ix.log" 2>&1 ||
            { cat "$WORK/ix.log" >&2; exit 1; }
        dbs+=("$WORK/n$n-s$k")
    done
    build/indexer --dictionary "$WORK/n$n-dict" "${dbs[@]}" >> "$WORK/ix.log" 2>&1 || { cat "$WORK/ix.log" >&2; exit 1; }
    direct=() counted=()
    for ((k = 1; k <= n; k++)); do
        p=$(free_port)
        setsid xapian-tcpsrv --quiet --interface 127.0.0.1 --port "$p" "$WORK/n$n-s$k" > "$WORK/tcpsrv-$k.log" 2>&1 &
        PIDS+=($!)
        wait_port "$p"
        x=$(free_port)
        python3 tests/tools/xapcount.py "$x" "127.0.0.1:$p" "$WORK/px-$k.json" &
        PX[$k]=$!; PIDS+=($!)
        wait_port "$x"
        direct+=("tcp:127.0.0.1:$p"); counted+=("tcp:127.0.0.1:$x")
    done
    build/searchd --db "$(IFS=,; echo "${direct[*]}")" --dictionary "$WORK/n$n-dict" --socket "$WORK/d.sock" \
        --foreground "${user[@]}" > "$WORK/sd-d.log" 2>&1 &
    PIDS+=($!)
    build/searchd --db "$(IFS=,; echo "${counted[*]}")" --dictionary "$WORK/n$n-dict" --socket "$WORK/c.sock" \
        --foreground "${user[@]}" > "$WORK/sd-c.log" 2>&1 &
    PIDS+=($!)
    wait_sd "$WORK/d.sock"; wait_sd "$WORK/c.sock"

    # round trips and bytes per shard per request (20 queries in file order, after a warm-up)
    cnt() {     # cnt TEMPLATE -> "rt_mean rt_max bytes_mean"
        lg "$WORK/c.sock" "$1" -c 1 -n 5 --sequential > /dev/null
        for ((k = 1; k <= n; k++)); do kill -USR2 "${PX[$k]}"; done
        lg "$WORK/c.sock" "$1" -c 1 -n 20 --sequential > /dev/null
        for ((k = 1; k <= n; k++)); do rm -f "$WORK/px-$k.json"; kill -USR1 "${PX[$k]}"; done
        for ((k = 1; k <= n; k++)); do
            for ((i = 0; i < 100; i++)); do [ -s "$WORK/px-$k.json" ] && break; sleep 0.1; done
        done
        python3 -c '
import json, sys
s = [json.load(open(f)) for f in sys.argv[1:]]
rt = [x["round_trips"] / 20 for x in s]
by = [(x["bytes_in"] + x["bytes_out"]) / 20 for x in s]
print("%.1f %.1f %.0f" % (sum(rt) / len(rt), max(rt), sum(by) / len(by) / 1024))' "$WORK"/px-*.json
    }
    read -r ids_rt ids_rtmax ids_kb <<< "$(cnt "$IDS")"
    read -r def_rt def_rtmax def_kb <<< "$(cnt "$DEF")"

    lg "$WORK/d.sock" "$DEF" -c 4 -n 200 > /dev/null     # warm the caches
    ids=$(lg "$WORK/d.sock" "$IDS" -c 1 -n "$REQS")
    def=$(lg "$WORK/d.sock" "$DEF" -c 1 -n "$REQS")
    q1=$(lg "$WORK/d.sock" "$DEF" -c 1 -d "$DURATION")
    q16=$(lg "$WORK/d.sock" "$DEF" -c 16 -d "$DURATION")
    fails=$(for j in "$ids" "$def" "$q1" "$q16"; do echo "$j" | jget 'j["failed"]'; done | awk "{ s += \$1 } END { print s }")
    printf '| %d | %.1f / %.1f | %.1f / %.1f | %.1f | %.1f | %s (max %s) / %s KB | %s (max %s) / %s KB | %s |\n' "$n" \
        "$(echo "$ids" | jget 'j["latency_ms"]["p50"]')" "$(echo "$ids" | jget 'j["latency_ms"]["p95"]')" \
        "$(echo "$def" | jget 'j["latency_ms"]["p50"]')" "$(echo "$def" | jget 'j["latency_ms"]["p95"]')" \
        "$(echo "$q1" | jget 'j["rps"]')" "$(echo "$q16" | jget 'j["rps"]')" \
        "$ids_rt" "$ids_rtmax" "$ids_kb" "$def_rt" "$def_rtmax" "$def_kb" "$fails" >> "$rows"
    stop
    rm -rf "$WORK"/n"$n"-*
done

out=bench/results/scaleout-$(date +%F).md
{
    echo "## remote shards (xapian-tcpsrv on 127.0.0.1), $name, $(date -u '+%F %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(git describe --always --dirty 2>/dev/null)"
    echo
    echo "| shards | ids-only ms p50 / p95 | default ms p50 / p95 | QPS 1 client | QPS 16 clients | ids-only round trips per shard (max) / bytes | default round trips per shard (max) / bytes | failed |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    cat "$rows"
    echo
    echo "(latency: $REQS requests over 1 keep-alive connection, build/loadgen; QPS: default /search for $DURATION s;"
    echo "round trips and bytes (both ways): mean over the shards of 20 requests through tests/tools/xapcount.py)"
} > "$WORK/out.md"
cat "$WORK/out.md"
cat "$WORK/out.md" >> "$out"
