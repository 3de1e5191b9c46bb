#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 16 concurrent clients search while the indexer commits changes and then
# swaps in a rebuilt index: no request may fail, and searchd follows both.
. "$(dirname "$0")/../lib.sh"
need curl python3
tmpdir
IDX=$BIN/indexer
"$BIN/gencorpus" 800 "$ROOT/corpus" > "$T/gen.jsonl"
"$IDX" -q --db "$T/db" "$ROOT/corpus" "$T/gen.jsonl"
ok $? "index corpus/ + 800 generated articles"
start_searchd "$T/db" "$T/s.sock" --threads 2
ok $? "searchd serves (2 worker threads)"
rev0=$(curl -s --unix-socket "$T/s.sock" http://x/health | python3 -c 'import json,sys; print(json.load(sys.stdin)["revision"])')

# Each client: its own keep-alive curl session (one process, many URLs),
# writing one status code per request.
client() { # client NAME N
    local name=$1 i=$2 args=() q
    for q in "sleep" "heart+attack" "insomnia" "vitamin+d" "%E5%A4%B1%E7%9C%A0" "cancer+staging" "itchy+skin" \
             "hypnic+jerk" "blood+pressure" "covid-19"; do
        for _ in 1 2 3 4; do args+=(-o /dev/null "http://x/search?q=$q&limit=5&offset=$((i % 3))"); done
    done
    curl -s --unix-socket "$T/s.sock" -w '%{http_code}\n' "${args[@]}" > "$T/client.$name"
}
pids=()
for round in 1 2; do
    for i in $(seq 16); do client "$round-$i" "$i" & pids+=($!); done
    # meanwhile: a commit of changed articles
    "$BIN/gencorpus" --seed $round --start 100000 300 "$ROOT/corpus" > "$T/upd.jsonl"
    "$IDX" -q --db "$T/db" --commit-every 100 "$T/upd.jsonl"
    wait "${pids[@]}"; pids=()
done
# and a rebuild swap under load
for i in $(seq 16); do client "r-$i" "$i" & pids+=($!); done
"$IDX" -q --db "$T/db" --rebuild "$ROOT/corpus" "$T/gen.jsonl"
ok $? "--rebuild under load exits 0"
wait "${pids[@]}"
total=$(cat "$T"/client.* | wc -l)
bad=$(grep -cv '^200$' <(cat "$T"/client.*))
[ "$total" = $((16 * 3 * 40)) ] && [ "$bad" = 0 ]
ok $? "$total requests from 16 concurrent clients during commits and a rebuild: $bad failed"
rev1=$(curl -s --unix-socket "$T/s.sock" http://x/health | python3 -c 'import json,sys; print(json.load(sys.stdin)["revision"])')
docs=$(curl -s --unix-socket "$T/s.sock" http://x/health | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])')
[ "$docs" = $((60 + 800)) ]; ok $? "after the swap searchd serves the rebuilt index ($docs documents, revision $rev0 -> $rev1)"
# The requests were spread over both worker threads: a complete request
# goes to whichever is free, not to the thread its connection landed on.
metrics=$(curl -s --unix-socket "$T/s.sock" http://x/metrics)
grep -qx 'medsearch_worker_threads 2' <<< "$metrics"
ok $? "both worker threads answered requests ($(grep '^medsearch_worker_threads' <<< "$metrics"))"
grep -qx 'medsearch_requests_queued 0' <<< "$metrics"
ok $? "no request is left queued once the clients are done"
kill -0 "$SEARCHD_PID"; ok $? "searchd still running"
done_testing
