#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A first build and a --rebuild with several writers (side writers merged
# by the compactor at the end) make the same index as one writer: same
# documents, terms, lengths, synonyms and spelling data, no duplicates
# (an id met twice goes to the same writer), nothing left behind. The kill
# and full-disk cases of a multi-writer build are in crash-kill.sh and
# disk-full.sh.
. "$(dirname "$0")/../lib.sh"
need python3 xapian-check xapian-delve diff stat
tmpdir
IDX=$BIN/indexer
stats() { "$IDX" --db "$1" --stats | grep -Ev '^(index|size|revision):'; }
qcount() { xapian-delve -A Q "$(live "$1")" 2>/dev/null | tr ' ' '\n' | grep -c '^Q'; }

N=2500
"$BIN/gencorpus" "$N" "$ROOT/corpus" > "$T/gen.jsonl"
# 40 ids a second time, later in the same file (another version of the
# article): replaced, not added
"$BIN/gencorpus" --seed 9 40 "$ROOT/corpus" | sed 's/"body": *"/&Revised. /' > "$T/again.jsonl"
cat "$T/gen.jsonl" "$T/again.jsonl" > "$T/all.jsonl"
[ "$(stat -c %s "$T/gen.jsonl")" -gt 1048576 ]; ok $? "the input is big enough for several writers"

"$IDX" --db "$T/one" --threads 1 -q "$T/all.jsonl"
ok $? "first build, one thread"
"$IDX" --db "$T/two" --threads 2 -v "$T/all.jsonl" > "$T/out" 2>&1
ok $? "first build, two threads"
grep -q "2 writers" "$T/out"; ok $? "the two-thread build uses two writers"
grep -q "$N added, 40 updated" "$T/out"; ok $? "summary: $N added, 40 updated ($(grep -o '[0-9]* added, [0-9]* updated' "$T/out"))"
stats "$T/one" > "$T/s1"
stats "$T/two" > "$T/s2"
diff "$T/s1" "$T/s2" > "$T/diff"; ok $? "same documents, terms, length, synonyms, spelling ($(tr '\n' ' ' < "$T/diff"))"
grep -q "^documents: *$N$" "$T/s2"; ok $? "$N documents"
[ "$(qcount "$T/two")" = "$N" ]; ok $? "no duplicates: $N distinct ids"
grep -Eq '^spelling: *[1-9][0-9]* words' "$T/s2"; ok $? "spelling data from every writer"
ls "$T/two" | grep -q '^side-'; [ $? -ne 0 ]; ok $? "no side database left ($(ls "$T/two" | tr '\n' ' '))"
[ "$(ls -d "$T"/two/idx-* | wc -l)" = 1 ]; ok $? "one generation left"
xapian-check "$(live "$T/two")" > /dev/null 2>&1; ok $? "xapian-check passes"
xapian-delve -m "$(live "$T/two")" 2>/dev/null | grep -q medsearch_schema ||
    xapian-delve -M medsearch_schema "$(live "$T/two")" 2>/dev/null | grep -q .
ok $? "the schema version is in the merged index's metadata"
id=$(head -1 "$T/again.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
docid=$(xapian-delve -t "Q$id" "$(live "$T/two")" | sed 's/.*: *//' | awk '{print $1}')
xapian-delve -1 -r "$docid" "$(live "$T/two")" | grep -qx revised; ok $? "a repeated id holds its later version"

# A second run over the same input: one writer; the 40 ids met twice are
# written again (the last copy wins; an earlier copy is written too only
# when it reached the writer before the later one was met: 40 to 80
# writes), each reported as a duplicate; the rest is unchanged.
"$IDX" --db "$T/two" --threads 2 -v "$T/all.jsonl" > "$T/out" 2>&1
ok $? "second run"
grep -q "writers" "$T/out"; [ $? -ne 0 ]; ok $? "a second run has one writer"
upd=$(sed -n 's/.* 0 added, \([0-9]*\) updated, '"$((N - 40))"' unchanged.*/\1/p' "$T/out")
[ -n "$upd" ] && [ "$upd" -ge 40 ] && [ "$upd" -le 80 ] && grep -q '40 duplicate ids in this run' "$T/out"
ok $? "second run: $((N - 40)) unchanged ($(grep -o '[0-9]* added, [0-9]* updated, [0-9]* unchanged' "$T/out"))"
xapian-delve -1 -r "$(xapian-delve -t "Q$id" "$(live "$T/two")" | sed 's/.*: *//' | awk '{print $1}')" "$(live "$T/two")" |
    grep -qx revised
ok $? "and the repeated id still holds its later version"

# --rebuild with two writers, a reader holding the old generation open.
old=$(live "$T/two")
"$IDX" --db "$T/two" --rebuild --threads 2 -v "$T/all.jsonl" > "$T/out" 2>&1
ok $? "--rebuild, two threads"
grep -q "2 writers" "$T/out"; ok $? "the rebuild uses two writers"
[ "$(live "$T/two")" != "$old" ]; ok $? "the rebuild is live ($(basename "$(live "$T/two")"))"
stats "$T/two" > "$T/s3"
diff "$T/s1" "$T/s3" > "$T/diff"; ok $? "the rebuilt index equals the one-writer build ($(tr '\n' ' ' < "$T/diff"))"
ls "$T/two" | grep -Eq '^side-'; [ $? -ne 0 ]; ok $? "no side database left after the rebuild"
xapian-check "$(live "$T/two")" > /dev/null 2>&1; ok $? "xapian-check passes on the rebuilt index"

# A leftover side database (a killed build) is removed by the next run.
mkdir -p "$T/two/side-1" && echo junk > "$T/two/side-1/junk"
"$IDX" --db "$T/two" -q "$T/gen.jsonl"
ok $? "a run with a leftover side-1"
[ ! -e "$T/two/side-1" ]; ok $? "the leftover side-1 is removed"
done_testing
