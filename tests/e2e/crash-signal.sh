#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIGTERM and SIGINT (issue 3, 6): an interrupted indexer commits what it
# indexed, says "interrupted" and exits 1 promptly; the same command run
# again finishes the job. An interrupted --rebuild is abandoned: the live
# index is unchanged and nothing is left beside it. Behaviour, not speed:
# the indexer is stopped (SIGSTOP) the moment it has committed a batch, so
# the signal lands mid-run however busy the machine; "promptly" is a
# generous 60 s deadline, the time taken is only reported.
. "$(dirname "$0")/../lib.sh"
need curl xapian-check xapian-delve
tmpdir
IDX=$BIN/indexer
N=4000
stat_of() { "$IDX" --db "$1" --stats 2>/dev/null | awk -v k="$2:" '$1 == k {print $2}'; }
qcount() { xapian-delve -A Q "$(live "$1")" 2>/dev/null | tr ' ' '\n' | grep -c '^Q'; }
gens() { (cd "$1" && ls -d idx-* 2>/dev/null | tr '\n' ' '); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

"$BIN/gencorpus" $N "$ROOT/corpus" > "$T/gen.jsonl"

# interrupt SIG: run the indexer, send SIG once it has committed a batch
# (the index revision went up); sets rc, n (documents after it), took (ms
# from the signal to the exit) and late (1: it was not gone in 60 s).
# The indexer is held stopped while the signal is queued (SIGCONT
# delivers it), so the run cannot finish in between.
interrupt() {
    local rev0 pid t k
    rev0=$(stat_of "$T/db" revision)
    "$IDX" --db "$T/db" --commit-every 500 "$T/gen.jsonl" > "$T/out" 2> "$T/err" &
    pid=$!
    for ((k = 0; k < 3000; k++)); do
        [ "$(stat_of "$T/db" revision)" -gt "${rev0:-0}" ] 2>/dev/null && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    kill -STOP $pid
    t=$(now_ms)
    kill -"$1" $pid
    kill -CONT $pid
    late=1
    for ((k = 0; k < 600; k++)); do kill -0 $pid 2>/dev/null || { late=0; break; }; sleep 0.1; done
    [ $late = 1 ] && kill -KILL $pid
    wait $pid; rc=$?
    took=$(($(now_ms) - t))
    n=$(stat_of "$T/db" documents)
}

for sig in TERM INT; do
    before=$(stat_of "$T/db" documents); before=${before:-0}
    interrupt $sig
    [ "$rc" = 1 ]; ok $? "SIG$sig: exit status 1 (got $rc)"
    grep -q "interrupted: committed what was indexed" "$T/err"; ok $? "SIG$sig: 'interrupted' message on stderr"
    grep -q "added" "$T/out" "$T/err"; ok $? "SIG$sig: the summary is printed"
    [ "$late" = 0 ]; ok $? "SIG$sig: exits promptly (${took} ms after the signal; deadline 60 s)"
    if [ "${n:-0}" -gt "$before" ] && [ "$n" -lt $N ]; then
        ok 0 "SIG$sig: what was indexed is committed ($before -> $n documents)"
    else
        ok 1 "SIG$sig: what was indexed is committed ($before -> ${n:-?} documents of $N)"
    fi
    [ "$(qcount "$T/db")" = "$n" ]; ok $? "SIG$sig: no duplicates"
    xapian-check "$(live "$T/db")" > /dev/null 2>&1; ok $? "SIG$sig: xapian-check passes"
done
"$IDX" --db "$T/db" --commit-every 500 "$T/gen.jsonl" > "$T/out" 2>&1
ok $? "the rerun exits 0"
grep -q "$((N - n)) added, 0 updated, $n unchanged" "$T/out"; ok $? "the rerun adds only the rest ($((N - n)) added, $n unchanged)"
[ "$(stat_of "$T/db" documents)" = $N ] && [ "$(qcount "$T/db")" = $N ]; ok $? "exactly $N documents, no duplicates"

# ---- an interrupted --rebuild is abandoned ----------------------------------------
gen=$(live "$T/db") rev=$(stat_of "$T/db" revision)
"$IDX" --db "$T/db" --rebuild --commit-every 500 "$ROOT/corpus" "$T/gen.jsonl" > "$T/out" 2> "$T/err" &
pid=$!
# signalled while it builds: once its new generation holds a database
for ((k = 0; k < 3000; k++)); do
    ls "$T"/db/idx-*/iamglass 2>/dev/null | grep -vq "^$gen/" && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
kill -TERM $pid
wait $pid; rc=$?
[ "$rc" = 1 ]; ok $? "SIGTERM during --rebuild: exit status 1 (got $rc)"
grep -q "interrupted: the rebuild was abandoned; the live index is unchanged" "$T/err"; ok $? "SIGTERM during --rebuild: says the rebuild was abandoned"
[ "$(live "$T/db")" = "$gen" ] && [ "$(stat_of "$T/db" revision)" = "$rev" ] && [ "$(stat_of "$T/db" documents)" = $N ]
ok $? "SIGTERM during --rebuild: the live index is unchanged ($(basename "$gen"), revision $rev, $N documents)"
[ "$(gens "$T/db")" = "$(basename "$gen") " ]; ok $? "SIGTERM during --rebuild: no half-built generation left ($(gens "$T/db"))"
done_testing
