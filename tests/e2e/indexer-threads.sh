#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The indexer checks that its threads start. Under RLIMIT_NPROC (prlimit),
# as a user of its own (setpriv: the limit counts that user's tasks, so
# only this indexer counts), each thread creation in turn is made to fail:
# the run stops with "cannot start a thread" and exit status 3 instead of
# joining a thread that never started and waiting forever, and the index
# it was updating is unchanged and consistent. A first build with side
# writers (a big input) fails the same way when a side writer cannot start.
# With enough room the same command indexes everything.
. "$(dirname "$0")/../lib.sh"
need prlimit setpriv timeout xapian-check xapian-delve stat
tmpdir
IDX=$BIN/indexer
if [ "$(id -u)" != 0 ]; then
    skip "thread creation failures" "needs root to run the indexer as a user of its own (setpriv)"
    done_testing
    exit 0
fi
# An unused uid, so that no other process counts against its limit.
U=$((300000 + RANDOM))
while ps -o pid= -u "$U" > /dev/null 2>&1; do U=$((U + 1)); done
chown "$U" "$T"
# A copy of corpus/ that the uid can read (the checkout may sit under a
# directory only root can enter, as in the fresh-machine check's /root).
cp -r "$ROOT/corpus" "$T/corpus" && chmod -R a+rX "$T/corpus"
docs() { xapian-delve "$(live "$1")" 2>/dev/null | sed -n 's/^number of documents = //p'; }
# as_user NPROC ARGS...: the indexer as $U with at most NPROC tasks; the
# timeout only turns a hang into a failure (status 124). Under a
# sanitizer build (make SAN=1), LeakSanitizer's exit-time scan needs a
# task of its own, which a limit of one task leaves no room for: it then
# fails with status 1, so the leak scan is left to the runs with room.
as_user() {
    local np=$1; shift
    local asan=${ASAN_OPTIONS:-}
    [ "$np" -lt 4 ] && asan="${asan:+$asan:}detect_leaks=0"
    ASAN_OPTIONS=$asan timeout 600 prlimit --nproc="$np:$np" setpriv --reuid="$U" --regid="$U" --clear-groups "$IDX" "$@"
}

# --threads 2 on a small input: the walker, 2 readers, 2 builders.
as_user 64 --db "$T/db" --threads 2 -q "$T/corpus/en"
ok $? "indexes corpus/en as uid $U with room for its threads"
n0=$(docs "$T/db")
[ "${n0:-0}" -gt 0 ]; ok $? "the index holds $n0 articles"
for np in 1 2 3 4 5; do
    as_user "$np" --db "$T/db" --threads 2 -q "$T/corpus" > "$T/out" 2>&1
    rc=$?
    [ $rc = 3 ]; ok $? "nproc $np: thread $np cannot start: exit status 3 (got $rc)"
    grep -q "cannot start a thread: " "$T/out"; ok $? "nproc $np: says why ($(grep -o 'cannot start.*' "$T/out" | head -1))"
    [ "$(docs "$T/db")" = "$n0" ]; ok $? "nproc $np: the index is unchanged ($n0 articles)"
done
xapian-check "$(live "$T/db")" > /dev/null 2>&1; ok $? "xapian-check passes after the failed runs"
as_user 64 --db "$T/db" --threads 2 -q "$T/corpus"
ok $? "with room again the same update runs"
[ "$(docs "$T/db")" -gt "$n0" ]; ok $? "and adds the rest of corpus/ ($(docs "$T/db") articles)"

# A first build of a big input opens side writers, started first.
"$BIN/gencorpus" 2500 "$ROOT/corpus" > "$T/gen.jsonl" && chmod a+r "$T/gen.jsonl"
[ "$(stat -c %s "$T/gen.jsonl")" -gt 1048576 ]; ok $? "the generated input is big enough for side writers"
for np in 1 2; do
    as_user "$np" --db "$T/big$np" --threads 2 -q "$T/gen.jsonl" > "$T/out" 2>&1
    rc=$?
    [ $rc = 3 ]; ok $? "first build, nproc $np: exit status 3 (got $rc)"
    grep -q "cannot start a thread: " "$T/out"; ok $? "first build, nproc $np: says why"
    [ ! -f "$T/big$np/XAPIANDB" ] || [ "$(docs "$T/big$np")" = 0 ]
    ok $? "first build, nproc $np: no article is left behind"
done
as_user 64 --db "$T/big1" --threads 2 -v "$T/gen.jsonl" > "$T/out" 2>&1
ok $? "with room the first build runs (where it failed before)"
grep -q "2 writers" "$T/out"; ok $? "with two writers"
[ "$(docs "$T/big1")" = 2500 ]; ok $? "and indexes all 2500 articles ($(docs "$T/big1"))"
xapian-check "$(live "$T/big1")" > /dev/null 2>&1; ok $? "xapian-check passes"
done_testing
