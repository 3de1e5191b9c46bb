#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ops.sh (issue 14): what an operator of an unattended indexing job relies
# on, end to end: duplicate ids reported with both places (--duplicates),
# standard input needs an id (--stdin-id), errors that name the real cause
# (an index not writable by you, searchd's user unable to read the index,
# a mistyped input path), a daemonized searchd that lets go of the
# caller's stdout/stderr (--log), progress with a total, the merge and
# compaction phases, --dry-run marked, no ratios for tiny inputs, and the
# client: $MEDSEARCH_CONFIG, --doc links listed once, a 404 said once,
# --offset past the end.
. "$(dirname "$0")/../lib.sh"
need curl python3 xapian-delve setpriv timeout
tmpdir
chmod 755 "$T"
IDX=$BIN/indexer
qterms() { xapian-delve -A Q "$1" 2>/dev/null | tr ' ' '\n' | grep '^Q' | sort | tr '\n' ' '; }
AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
getent group nogroup > /dev/null || AS_NOBODY=(setpriv --reuid=nobody --regid=nobody --clear-groups)

# ---- duplicate ids ----
mkdir -p "$T/r1/health" "$T/r2/health"
printf 'Alpha title\n\nThe first root says fever.\n' > "$T/r1/health/a.txt"
printf 'Alpha title\n\nThe second root says cough.\n' > "$T/r2/health/a.txt"
printf '{"id":"x1","title":"One","text":"first copy zebra"}\n{"id":"x2","title":"Two","text":"two"}\n{"id":"x1","title":"One again","text":"second copy giraffe"}\n' > "$T/d.jsonl"
"$IDX" --db "$T/dup" "$T/r1" "$T/r2" "$T/d.jsonl" > "$T/out" 2>&1
rc=$?
sed 's/^/# /' "$T/out"
[ $rc = 0 ]; ok $? "duplicates (default last): exit 0 (got $rc)"
grep -q "r2/health/a.txt: duplicate id 'health/a.txt' (also at $T/r1/health/a.txt): the last is kept" "$T/out"
ok $? "two roots holding health/a.txt: reported with both places"
grep -q "d.jsonl:3: duplicate id 'x1' (also at $T/d.jsonl:1): the last is kept" "$T/out"
ok $? "a JSONL file repeating an id: reported with both lines"
grep -q '2 duplicate ids in this run' "$T/out"; ok $? "the summary counts the duplicates"
# A losing copy already queued to a writer may be written and then replaced
# (counted as updated); the index still holds one document per id.
grep -Eq ' 3 added, [0-2] updated' "$T/out" && [ "$(qterms "$T/dup" | wc -w)" = 3 ]
ok $? "3 documents, one per id (ids: $(qterms "$T/dup"))"
lastkept() { # DB WORD: the word is indexed in some document
    xapian-delve -t "$2" "$1" 2>/dev/null | grep -q '(termfreq 1,'
}
lastkept "$T/dup" cough && ! lastkept "$T/dup" fever && lastkept "$T/dup" giraffe && ! lastkept "$T/dup" zebra
ok $? "the last copy in input order is the one indexed (cough, giraffe)"
"$IDX" --db "$T/dupf" --duplicates=first "$T/r1" "$T/r2" "$T/d.jsonl" > "$T/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'the first is kept (--duplicates=first)' "$T/out" && lastkept "$T/dupf" fever && lastkept "$T/dupf" zebra && ! lastkept "$T/dupf" cough
ok $? "--duplicates=first keeps the first copies (exit $rc)"
"$IDX" --db "$T/dupe" --duplicates=error "$T/r1" "$T/r2" > "$T/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "an error (--duplicates=error)" "$T/out" && grep -q ' 1 failed' "$T/out"
ok $? "--duplicates=error: reported as a failed record, exit 1 (got $rc)"
"$IDX" --db "$T/dupx" --duplicates=newest "$T/r1" > "$T/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "expected last, first or error" "$T/out" && [ ! -e "$T/dupx" ]
ok $? "--duplicates=newest: usage error, exit 2 (got $rc)"

# ---- standard input needs an id ----
printf 'Stdin title\n\nA page piped in about insomnia.\n' | "$IDX" --db "$T/in1" - > "$T/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q 'an article on standard input without an id .*--stdin-id ID' "$T/out" && [ -z "$(qterms "$T/in1")" ]
ok $? "an article on stdin without an id is refused, named, exit 1 (got $rc; ids: $(qterms "$T/in1"))"
printf 'Stdin title\n\nA page piped in about insomnia.\n' | "$IDX" --db "$T/in2" --stdin-id sleep/piped - > "$T/out" 2>&1
rc=$?
[ $rc = 0 ] && [ "$(qterms "$T/in2")" = "Qsleep/piped " ]
ok $? "--stdin-id names it (exit $rc, ids: $(qterms "$T/in2"))"
printf '{"title":"A","text":"one"}\n{"title":"B","text":"two"}\n' | "$IDX" --db "$T/in3" --stdin-id feed - > "$T/out" 2>&1
rc=$?
[ $rc = 0 ] && [ "$(qterms "$T/in3")" = "Qfeed#1 Qfeed#2 " ]
ok $? "JSONL lines on stdin without ids: ID#LINE, none replaces another ($(qterms "$T/in3"))"
printf '{"id":"own-1","title":"A","text":"one"}\n' | "$IDX" --db "$T/in4" - > "$T/out" 2>&1
rc=$?
[ $rc = 0 ] && [ "$(qterms "$T/in4")" = "Qown-1 " ]
ok $? "an article with its own id needs no --stdin-id"

# ---- errors that name the real cause ----
"$IDX" --db "$T/typo-db" "$T/r1" "$T/no-such-dir" > "$T/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "no-such-dir: no such file or directory" "$T/out" && [ ! -e "$T/typo-db" ]
ok $? "a mistyped input path: usage error, exit 2, no index directory left (got $rc)"
if [ "$(id -u)" = 0 ]; then
    "$IDX" -q --db "$T/ro" "$T/r1"
    chmod -R a+rX "$T/ro"
    "${AS_NOBODY[@]}" "$IDX" --db "$T/ro" "$T/r2" > "$T/out" 2>&1
    rc=$?
    sed 's/^/# /' "$T/out"
    [ $rc = 3 ] && grep -q 'permission denied, the index is not writable by you: you are nobody' "$T/out" && ! grep -q 'locked' "$T/out"
    ok $? "an index not writable by the user: 'permission denied ... you are nobody', not 'locked' (exit $rc)"
    # searchd started as root serves as nobody, who cannot read this index
    mkdir -p "$T/private"
    chmod 700 "$T/private"
    "$IDX" -q --db "$T/private/db" "$T/r1"
    "$BIN/searchd" --db "$T/private/db" --socket "$T/p.sock" --foreground > "$T/out" 2>&1
    rc=$?
    sed 's/^/# /' "$T/out"
    [ $rc = 2 ] && grep -q "as user nobody: permission denied on $T/private; make the index readable by nobody (chmod -R a+rX $T/private/db" "$T/out" &&
        grep -q -- '--user' "$T/out"
    ok $? "searchd as root, index unreadable by nobody: names the user, the place and the fix (exit $rc)"
    chmod 755 "$T/private"
    chmod -R go-rwx "$T/private/db"
    "$BIN/searchd" --db "$T/private/db" --socket "$T/p.sock" --foreground > "$T/out" 2>&1
    rc=$?
    [ $rc = 2 ] && grep -q "as user nobody: permission denied on $T/private/db" "$T/out"
    ok $? "... and when the index directory itself is closed (exit $rc)"
else
    skip "an index not writable by the user" "needs root (to run as nobody)"
    skip "searchd as root, index unreadable by nobody" "needs root"
    skip "... and when the index directory itself is closed" "needs root"
fi

# ---- a daemonized searchd lets go of the caller's stdout and stderr ----
"$IDX" -q --db "$T/db" "$ROOT/corpus"
chmod -R a+rX "$T/db"
S=$T/d.sock
timeout 120 sh -c "'$BIN/searchd' --db '$T/db' --socket '$S' 2>&1 | tail -5" > "$T/daemon.out"
rc=$?
sed 's/^/# /' "$T/daemon.out"
[ $rc = 0 ]; ok $? "searchd ... 2>&1 | tail returns (exit $rc; 124 would be a hang)"
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 --unix-socket "$S" http://x/health)" = 200 ]
ok $? "the daemon serves"
# stop it: the serving process, and the root parent (privilege separation) if any
spid=$(python3 -c "
import os, sys
for p in os.listdir('/proc'):
    if p.isdigit():
        try: cmd = open('/proc/%s/cmdline' % p, 'rb').read().split(b'\0')
        except OSError: continue
        if len(cmd) > 4 and cmd[0].endswith(b'searchd') and b'$S' in cmd: print(p)" | sort -n | head -1)
[ -n "$spid" ] && kill -TERM "$spid"
for _ in $(seq 300); do [ -e "$S" ] || break; sleep 0.1; done
[ ! -e "$S" ]; ok $? "stopped by SIGTERM (pid $spid), socket removed"
timeout 120 sh -c "'$BIN/searchd' --db '$T/db' --socket '$S' --log '$T/searchd.log' 2>&1 | cat" > "$T/daemon.out"
rc=$?
for _ in $(seq 300); do grep -q 'ready:' "$T/searchd.log" 2>/dev/null && break; sleep 0.1; done
[ $rc = 0 ] && grep -q 'ready: ' "$T/searchd.log"
ok $? "--log FILE: the daemon's log goes there (exit $rc)"
curl -s -o /dev/null --max-time 20 --unix-socket "$S" 'http://x/search?q=sleep'
spid=$(sed -n 's/.*ready: .*(pid \([0-9]*\)).*/\1/p' "$T/searchd.log" | tail -1)
ppid=$(ps -o ppid= -p "$spid" 2>/dev/null | tr -d ' ')
if [ -n "$ppid" ] && [ "$(ps -o comm= -p "$ppid")" = searchd ]; then kill -TERM "$ppid"; else kill -TERM "$spid"; fi
for _ in $(seq 300); do [ -e "$S" ] || break; sleep 0.1; done
grep -q 'stopped' "$T/searchd.log"; ok $? "the log file has the stop too"

# ---- progress, phases, --dry-run, tiny inputs ----
"$IDX" --db "$T/tiny" "$T/r1" > "$T/out" 2>&1
sed 's/^/# /' "$T/out"
summary=$(grep "^indexer: $T/tiny: " "$T/out")
[ -n "$summary" ] && ! grep -q 'MB per MB\|docs/s' <<< "$summary" && grep -q '1 added' <<< "$summary"
ok $? "a tiny input: no rates nor ratios in the summary"
grep -q 'indexing: 100% (0.0 of 0.0 MB)' "$T/out"; ok $? "progress (off a terminal): percentage of the known total"
"$IDX" --db "$T/tiny" --dry-run "$T/r2" > "$T/out" 2>&1
grep -q 'dry run, nothing written: .* 0 would be added, 1 would be updated' "$T/out"; ok $? "--dry-run says it wrote nothing"
"$BIN/gencorpus" 700 "$ROOT/corpus" > "$T/gen.jsonl"
"$IDX" --db "$T/bulk" --threads 2 "$T/gen.jsonl" > "$T/out" 2>&1
sed 's/^/# /' "$T/out"
grep -q "merging: 2 writers' databases" "$T/out" && grep -q 'merged: [0-9.]* MB before, [0-9.]* MB after' "$T/out"
ok $? "a first build with two writers shows the merge phase and its sizes"
mb=$(stat -c %s "$T/gen.jsonl" | awk '{printf "%.1f", $1 / 1048576}')
grep -q "indexing: 100% ($mb of $mb MB)" "$T/out"; ok $? "progress shows the total ($mb MB)"
"$IDX" --db "$T/bulk" --compact > "$T/out" 2>&1
grep -q 'compacting: ' "$T/out" && grep -q 'compacted: [0-9.]* MB before, [0-9.]* MB after' "$T/out"
ok $? "--compact reports the size before and after"

# ---- the client reads MEDSEARCH_CONFIG ----
start_searchd "$T/db" "$T/c.sock" $([ "$(id -u)" = 0 ] && echo --user nobody)
printf '[client]\nsocket = %s\n' "$T/c.sock" > "$T/client.conf"
(cd "$T" && MEDSEARCH_CONFIG=$T/client.conf "$BIN/search" --limit 1 hypnic) > "$T/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'hypnic-jerks' "$T/out"
ok $? "search finds searchd through \$MEDSEARCH_CONFIG (exit $rc)"
(cd "$T" && MEDSEARCH_CONFIG=$T/missing.conf "$BIN/search" hypnic) > "$T/out" 2>&1
rc=$?
[ $rc != 0 ] && grep -q 'missing.conf' "$T/out"
ok $? "a \$MEDSEARCH_CONFIG that does not exist is named (exit $rc)"
(cd "$T" && MEDSEARCH_CONFIG=$T/client.conf "$BIN/search" --doc en/sleep/hypnic-jerks.txt) > "$T/out" 2>&1
links=$(sed -n '/^Links:/,$p' "$T/out" | grep '^  - ' | sed 's/^  - [a-z, ]*: //')
[ -n "$links" ] && [ "$(sort <<< "$links" | uniq -d)" = "" ]
ok $? "--doc lists each linked article once ($(grep -c '^  - .*,' <<< "$(sed -n '/^Links:/,$p' "$T/out")") with several kinds)"
(cd "$T" && MEDSEARCH_CONFIG=$T/client.conf "$BIN/search" --doc no/such/page.txt) > "$T/out" 2> "$T/err"
rc=$?
[ $rc = 1 ] && [ "$(cat "$T/err")" = "search: no article with id 'no/such/page.txt' (HTTP 404)" ]
ok $? "an unknown --doc id: one message that does not repeat itself ($(cat "$T/err"))"
(cd "$T" && MEDSEARCH_CONFIG=$T/client.conf "$BIN/search" --offset 5000 sleep) > "$T/out" 2>&1
grep -q -- '--offset 5000 is past the last one' "$T/out"
ok $? "--offset past the end says so ($(tail -1 "$T/out"))"
grep -q -A4 '^# Started as root, searchd binds' "$ROOT/medsearch.conf.example" && "$BIN/searchd" --help | grep -q 'default nobody'
ok $? "the example config and searchd --help agree on user (default nobody)"
done_testing
