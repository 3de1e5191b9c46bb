#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An index of another schema version (SCHEMA_VERSION, common/schema.h) is
# refused with a clear error naming the cure, never read or extended
# wrongly: searchd will not serve it, an incremental indexer run will not
# add to it, and indexer --rebuild replaces it with a current one.
. "$(dirname "$0")/../lib.sh"
need curl grep
tmpdir
IDX=$BIN/indexer
if [ ! -x "$BIN/setmeta" ]; then
    skip "schema compatibility" "build/setmeta not built (make tests)"
    done_testing
    exit
fi
cp -r "$ROOT/corpus/en/sleep" "$T/sleep"
"$IDX" --db "$T/db" --quiet "$T/sleep" > "$T/out" 2>&1
ok $? "indexes a current index"
"$BIN/setmeta" "$T/db" medsearch_schema 5
ok $? "marks it as schema version 5 (an older layout)"

"$BIN/searchd" --db "$T/db" --socket "$T/s.sock" --foreground > "$T/searchd.log" 2>&1 &
pid=$!
for ((i = 0; i < 100; i++)); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then
    kill -TERM $pid; wait $pid
    ok 1 "searchd refuses to serve the old index"
else
    wait $pid; rc=$?
    [ $rc -ne 0 ]; ok $? "searchd refuses to serve the old index (exit status $rc)"
fi
grep -q "schema version 5.*rebuild it with indexer --rebuild" "$T/searchd.log"
ok $? "searchd names both versions and the cure"
sed 's/^/# /' "$T/searchd.log" | head -5

"$IDX" --db "$T/db" "$T/sleep" > "$T/out2" 2>&1
rc=$?
[ $rc -eq 3 ]; ok $? "an incremental run on it fails with exit status 3 (got $rc)"
grep -q "schema version 5.*rebuild it with indexer --rebuild" "$T/out2"
ok $? "the indexer names the cure"

"$IDX" --db "$T/db" --rebuild --quiet "$T/sleep" > "$T/out3" 2>&1
ok $? "indexer --rebuild replaces it"
start_searchd "$T/db" "$T/s.sock"
n=$(curl -s --unix-socket "$T/s.sock" 'http://x/search?q=hypnic+jerk' | grep -o '"total":[0-9]*' | cut -d: -f2)
[ "${n:-0}" -gt 0 ]; ok $? "the rebuilt index is served ($n hits)"
done_testing
