#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Read replicas on Xapian replication: a master index (indexer with
# [index] changesets), a real xapian-replicate-server on 127.0.0.1, a real
# xapian-replicate client keeping a replica directory current, and a
# searchd on the replica (--master pointing at the master's index).
# 20 update cycles (an article added and one changed per indexer run)
# while 2 clients search the replica without pause: 0 failed requests,
# every update after the first copy arrives as a changeset (the client's
# -v log), the replica's searchd serves each new commit (bounded by a
# generous poll, not a timing check), and the lag gauges of /metrics and
# /health return to 0 once caught up. Then the master commits with no
# client running, the lag shows (1 commit behind), and a continuous client
# (a new process on the same replica) brings it back to 0. Last an indexer --rebuild: a full copy, followed.
. "$(dirname "$0")/../lib.sh"
need curl python3 setsid stdbuf
for c in xapian-replicate xapian-replicate-server; do
    if ! command -v $c > /dev/null 2>&1; then
        skip "replication" "$c not found (Debian package xapian-tools)"
        done_testing
        exit
    fi
done
tmpdir
user=()
[ "$(id -u)" = 0 ] && user=(--user nobody)

PIDS=()
stop_all() {
    local p
    touch "$T/stop"
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; done
    wait 2>/dev/null
}
on_exit stop_all
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    local i
    for ((i = 0; i < 200; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
until_ok() {    # until_ok SECONDS CMD...: a bound, not a timing check
    local end=$((SECONDS + $1)); shift
    while ! "$@"; do [ $SECONDS -ge $end ] && return 1; sleep 0.2; done
}
# metric NAME: its value in the replica searchd's /metrics ("" if absent)
metric() { get "$T/r.sock" /metrics | awk -v n="$1" '$1 == n { print $2 }'; }
master_seq() { "$BIN/setmeta" "$T/master/med" medsearch_commit_seq 2>/dev/null; }
# pull: one update of the replica (xapian-replicate -o), its -v log
# appended to client.log. During the cycles the client runs once after
# each commit, never during one: Xapian 1.4's master makes a commit's
# revision visible before its changeset file (glass set_revision_number:
# version file, then changes.commit), so a poll that lands in between is
# answered with a full copy. Continuous clients meet that now and then
# (docs/scale-out.md); here every update must be a changeset.
pull() {
    timeout 300 stdbuf -oL -eL xapian-replicate -h 127.0.0.1 -p "$PORT" -m med -o -v "$T/replica/med" >> "$T/client.log" 2>&1
}
# replicate LOG: the continuous client (every second), in a process
# group of its own
replicate() {
    setsid stdbuf -oL -eL xapian-replicate -h 127.0.0.1 -p "$PORT" -m med -i 1 -v "$T/replica/med" > "$T/$1" 2>&1 &
    REP_PID=$!
    PIDS+=("$REP_PID")
}

mkdir -p "$T/master" "$T/replica" "$T/upd"
printf '[index]\nchangesets = 100\n' > "$T/idx.conf"
ix() { "$BIN/indexer" --config "$T/idx.conf" --db "$T/master/med" --quiet "$@" >> "$T/ix.log" 2>&1; }
ix "$ROOT/corpus/en"; ok $? "the master: corpus/en indexed with [index] changesets = 100"
seq0=$(master_seq)
[ -n "$seq0" ] && [ "$seq0" -ge 1 ]; ok $? "the indexer stamps its commits (medsearch_commit_seq = $seq0)"

PORT=$(free_port)
setsid stdbuf -oL xapian-replicate-server -I 127.0.0.1 -p "$PORT" "$T/master" > "$T/server.log" 2>&1 &
PIDS+=($!)
wait_port "$PORT"; ok $? "xapian-replicate-server serves the master on 127.0.0.1:$PORT"
pull && test -f "$T/replica/med/XAPIANDB"; ok $? "xapian-replicate made the replica"

start_searchd "$T/replica/med" "$T/r.sock" --threads 4 --master "$T/master/med" "${user[@]}"
ok $? "searchd serves the replica, --master names the master's index"
caught_up() { [ "$(metric medsearch_replica_behind_commits)" = 0 ] && [ "$(metric medsearch_replica_lag_seconds)" = 0.000 ]; }
until_ok 60 caught_up; ok $? "/metrics: 0 commits and 0 s behind once the copy is served"

# Two clients search the replica without pause until $T/stop exists.
searcher() {
    local n=0 bad=0 code q
    while [ ! -e "$T/stop" ]; do
        for q in gum+disease zyxq cancer+screening tooth; do
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 --unix-socket "$T/r.sock" "http://x/search?q=$q")
            n=$((n + 1))
            [ "$code" = 200 ] || { bad=$((bad + 1)); echo "$code $q" >> "$T/bad-$1"; }
        done
    done
    echo "$n $bad" > "$T/count-$1"
}
searcher 1 & S1=$!
searcher 2 & S2=$!

# cycle word K: a word no other article has (letters only)
word() { printf 'zyxq%s' "$(printf '%s' "abcdefghijklmnopqrstuvwxyz" | cut -c"$1")"; }
# top WORD: the id of the first hit for WORD ("" when none)
top() {
    get "$T/r.sock" "/search?q=$1&limit=1&fields=id" |
        python3 -c 'import json,sys; h = json.load(sys.stdin)["hits"]; print(h[0]["id"] if h else "")' 2>/dev/null
}
served() { [ "$(top "$1")" = "$2" ]; }
fail_at=""
for ((k = 1; k <= 20; k++)); do
    w=$(word $k)
    { printf '{"id":"rep-%d","title":"Replication cycle %d","text":"The %s marker of cycle %d, for the replica."}\n' $k $k "$w" $k
      printf '{"id":"rep-base","title":"Changed every cycle","text":"Revision %d of an article the cycles update."}\n' $k
    } > "$T/upd/u.jsonl"
    ix "$T/upd/u.jsonl" || { fail_at="indexer failed at cycle $k"; break; }
    t0=$SECONDS
    pull || { fail_at="xapian-replicate failed at cycle $k"; break; }
    until_ok 60 served "$w" "rep-$k" || { fail_at="cycle $k ($w) not served within 60 s"; break; }
    diag "cycle $k: served after about $((SECONDS - t0)) s"
done
[ -z "$fail_at" ]; ok $? "20 update cycles on the master: the replica's searchd serves each one${fail_at:+ ($fail_at)}"
until_ok 60 caught_up; ok $? "/metrics: back to 0 commits and 0 s behind after the cycles"
seq_m=$(master_seq) seq_r=$(metric medsearch_index_commit_seq)
[ "$seq_r" = "$seq_m" ] && [ "$seq_m" -ge $((seq0 + 20)) ]
ok $? "the replica serves the master's last commit ($seq_r of $seq_m, 20+ commits after $seq0)"

touch "$T/stop"; wait $S1 $S2
read -r n1 b1 < "$T/count-1"; read -r n2 b2 < "$T/count-2"
[ "$b1" = 0 ] && [ "$b2" = 0 ] && [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ]
ok $? "2 clients searching throughout: $((n1 + n2)) requests, $((b1 + b2)) failed$(cat "$T"/bad-* 2>/dev/null | head -3 | tr '\n' ' ')"

# The client's -v log: "Update complete: C copies, S changesets, ...".
python3 - "$T/client.log" > "$T/updates.txt" << 'EOF'
import re, sys
ups = [(int(c), int(s)) for c, s in re.findall(r"Update complete: (\d+) copies, (\d+) changesets", open(sys.argv[1]).read())]
first = next((i for i, (c, s) in enumerate(ups) if c or s), None)
later = ups[first + 1:] if first is not None else []
print(len(ups), first, ups[first] if first is not None else None, sum(c for c, _ in later), sum(s for _, s in later))
EOF
read -r nup first firstup copies changesets < <(sed 's/[(),]//g' "$T/updates.txt" | awk '{print $1, $2, $3"/"$4, $5, $6}')
diag "xapian-replicate: first update $firstup (copies/changesets), then $copies copies and $changesets changesets"
[ "$first" = 0 ] && [ "${firstup%%/*}" = 1 ] && [ "$copies" = 0 ] && [ "$changesets" -ge 20 ]
ok $? "updates after the first full copy arrive as changesets only ($changesets changesets, $copies full copies)"

# Lag while no client runs: the master commits, the replica cannot.
printf '{"id":"rep-late","title":"Late","text":"The zyxqlate marker, committed while the replica is cut off."}\n' > "$T/upd/u.jsonl"
ix "$T/upd/u.jsonl"
seq_m=$(master_seq)
behind() { [ "$(metric medsearch_replica_master_commit_seq)" = "$seq_m" ]; }
until_ok 60 behind
b=$(metric medsearch_replica_behind_commits) lag=$(metric medsearch_replica_lag_seconds)
[ "$b" = 1 ] && python3 -c "import sys; sys.exit(not float('$lag') > 0)"
ok $? "no client, master committed: /metrics says 1 commit behind, lag $lag s"
req "$T/r.sock" /health
python3 -c "import json,sys
j = json.loads(sys.argv[1]); r = j['replica']
assert j['commit']['seq'] == $seq_m - 1 and r['master_up'] is True and r['behind_commits'] == 1 and r['lag_s'] > 0, j" \
    "$BODY" 2> "$T/py.err"
ok $? "/health: commit and replica (1 behind)$( [ -s "$T/py.err" ] && tail -1 "$T/py.err" | head -c 300)"
replicate client2.log
until_ok 60 served zyxqlate rep-late && until_ok 60 caught_up
ok $? "a continuous xapian-replicate (-i 1): the late commit is served and the lag is back to 0"
req "$T/r.sock" /health
python3 -c "import json,sys
j = json.loads(sys.argv[1]); r = j['replica']
assert j['commit']['seq'] == $seq_m and r['behind_commits'] == 0 and r['lag_s'] == 0, j" "$BODY" 2> "$T/py.err"
ok $? "/health: 0 behind$( [ -s "$T/py.err" ] && tail -1 "$T/py.err" | head -c 300)"

# A rebuild swaps a new database in on the master: the counter goes on,
# the replica gets a full copy (a new stub) and searchd follows it.
ix --rebuild "$ROOT/corpus/en"; ok $? "indexer --rebuild on the master"
seq_r=$(master_seq)
[ "$seq_r" -gt "$seq_m" ]; ok $? "the commit counter goes on across --rebuild ($seq_m -> $seq_r)"
seq_m=$seq_r
rebuilt() { [ "$(top zyxqlate)" != rep-late ] && caught_up && [ "$(metric medsearch_index_commit_seq)" = "$seq_m" ]; }
until_ok 60 rebuilt; ok $? "the replica's searchd serves the rebuilt index, 0 behind"
grep -Eq 'Update complete: [1-9][0-9]* copies' "$T/client2.log"
ok $? "the rebuild reached the replica as a full copy ($(grep -o 'Update complete: [0-9]* copies, [0-9]* changesets' "$T/client2.log" | tail -1))"
stop_searchd
done_testing
