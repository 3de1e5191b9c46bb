#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# indexer end to end: index corpus/, then replace/skip/prune/delete/rebuild
# semantics, bad inputs, a kill -9 in the middle of a run.
. "$(dirname "$0")/../lib.sh"
need curl python3 xapian-check xapian-delve gzip zcat stat du
tmpdir
chmod 755 "$T"
IDX=$BIN/indexer
doccount() { "$IDX" --db "$1" --stats | awk '/^documents:/ {print $2}'; }
has_term() { xapian-delve -t "$2" "$(live "$1")" 2>/dev/null | grep -q 'termfreq [1-9]'; }

# ---- the sample corpus ---------------------------------------------------
cp -r "$ROOT/corpus" "$T/corpus"
"$IDX" --db "$T/db" "$T/corpus" > "$T/out" 2>&1
ok $? "indexes corpus/ (exit 0)"
n_files=$(find "$T/corpus" -name '*.txt' -o -name '*.txt.gz' -o -name '*.html' | wc -l)
n_jsonl=$(zcat -f "$T"/corpus/extra/*.jsonl* | grep -c .)
want=$((n_files + n_jsonl))
got=$(doccount "$T/db")
[ "$got" = "$want" ]; ok $? "document count $got = $want articles (txt + html + jsonl lines)"
grep -q "$want added" "$T/out"; ok $? "summary line counts $want added"
has_term "$T/db" "Qen/sleep/hypnic-jerks.txt"; ok $? "id term from the path under the root"
has_term "$T/db" "XCsleep"; ok $? "category filter term from the folder"
has_term "$T/db" "Lzh"; ok $? "language filter term (zh detected)"
has_term "$T/db" "Len"; ok $? "language filter term (en)"
has_term "$T/db" "Sjerks"; ok $? "title field term (S)"
has_term "$T/db" "Zjerk"; ok $? "stemmed term (Z)"
has_term "$T/db" "covid-19"; ok $? "compound kept whole (covid-19)"
has_term "$T/db" "失眠"; ok $? "Chinese word term"
has_term "$T/db" "XPheart attack" || has_term "$T/db" "XPhypnic jerks"; ok $? "title phrases for completions (XP)"
xapian-delve -A XT "$(live "$T/db")" 2>/dev/null | grep -q XT; ok $? "title keys for links (XT)"
docid=$(xapian-delve -t "Qen/sleep/hypnic-jerks.txt" "$(live "$T/db")" | sed 's/.*: *//' | awk '{print $1}')
xapian-delve -1 -r "$docid" "$(live "$T/db")" > "$T/terms"
grep -qx "recommend" "$T/terms"; [ $? -ne 0 ]; ok $? "the Recommend heading is not indexed as a body word"
grep -qx "apnea" "$T/terms"; [ $? -ne 0 ]; ok $? "Recommend titles (sleep apnea ...) are not body words"
xapian-check "$(live "$T/db")" > /dev/null 2>&1; ok $? "xapian-check passes"
"$IDX" --db "$T/db" --stats > "$T/stats"
grep -q "^documents: *$want" "$T/stats" && grep -q "sleep" "$T/stats" && grep -q "synonyms:" "$T/stats"
ok $? "--stats reports documents, categories, synonyms"

# ---- skip unchanged, replace changed, no duplicates ---------------------------
"$IDX" --db "$T/db" "$T/corpus" > "$T/out" 2>&1
grep -q "0 added, 0 updated, $want unchanged" "$T/out"; ok $? "rerun over an unchanged corpus writes nothing"
sed -i 's/drifting off/drifting off to sleep/' "$T/corpus/en/sleep/hypnic-jerks.txt"
"$IDX" --db "$T/db" "$T/corpus" > "$T/out" 2>&1
grep -q "0 added, 1 updated" "$T/out"; ok $? "a changed article is replaced"
[ "$(doccount "$T/db")" = "$want" ]; ok $? "no duplicate after replace"
has_term "$T/db" "drifting"; ok $? "replaced text is searchable"

# ---- --delete, --prune ----------------------------------------------------
"$IDX" --db "$T/db" --delete en/dental/gum-disease.txt > "$T/out" 2>&1
ok $? "--delete exits 0"
[ "$(doccount "$T/db")" = $((want - 1)) ]; ok $? "--delete removes one article"
rm "$T/corpus/en/eyes/dry-eye.txt"
"$IDX" --db "$T/db" --prune "$T/corpus" > "$T/out" 2>&1
ok $? "--prune exits 0"
has_term "$T/db" "Qen/eyes/dry-eye.txt"; [ $? -ne 0 ]; ok $? "--prune removed the article whose file is gone"
"$IDX" --db "$T/db" --delete no/such/id > "$T/out" 2>&1
grep -q "no such article" "$T/out"; ok $? "--delete of an unknown id warns"

# ---- bad inputs: reported, counted, the batch completes -------------------------
B=$T/bad
mkdir -p "$B"
# UTF-8 (three valid multi-byte characters) with two bad bytes: repaired
printf 'Good title\n\nGood body \xe2\x80\x94 about \xe2\x80\x9cinsulin\xe2\x80\x9d \xff\xfe invalid bytes and insulin.\n' > "$B/invalid-utf8.txt"
head -c 4096 /dev/urandom > "$B/binary.txt"; printf '\0\0\0' >> "$B/binary.txt"
gzip -c "$ROOT/corpus/en/heart/hypertension.txt" | head -c 300 > "$B/truncated.txt.gz"
printf '{"id":"j1","title":"First","body":"one"}\n{"id": broken\n{"id":"j3","title":"Third","body":"three"}\n' > "$B/mixed.jsonl"
: > "$B/empty.txt"
printf '{"id":"dup","title":"A","body":"first copy"}\n{"id":"dup","title":"A","body":"second copy"}\n' > "$B/dups.jsonl"
ln -s /nonexistent/file.txt "$B/dangling.txt"
mkdir -p "$B/loop"; ln -s .. "$B/loop/up"
python3 -c "import json; print(json.dumps({'id':'huge','title':'Huge article','body':('insulin glucose ' * 3300000)}))" > "$B/huge.jsonl"
"$IDX" --db "$T/bad-db" "$B" > "$T/out" 2>&1
rc=$?
[ $rc = 1 ]; ok $? "bad inputs: exit status 1 (finished with failed inputs), got $rc"
grep -q "invalid-utf8.txt.*UTF-8" "$T/out"; ok $? "invalid UTF-8 named (file and reason)"
grep -q "binary.txt.*binary" "$T/out"; ok $? "binary file named"
grep -q "truncated.txt.gz.*" "$T/out" && grep -qi "gzip\|truncated" "$T/out"; ok $? "truncated gzip named"
grep -q "mixed.jsonl:2" "$T/out"; ok $? "broken JSON line named with its line number"
grep -q "empty.txt" "$T/out"; ok $? "empty file named"
grep -q "dangling.txt" "$T/out"; ok $? "unreadable (dangling) file named"
grep -qi "loop" "$T/out"; ok $? "directory symlink loop reported, not followed forever"
has_term "$T/bad-db" "Qj1" && has_term "$T/bad-db" "Qj3"; ok $? "good JSON lines around a broken one are indexed"
has_term "$T/bad-db" "Qhuge"; ok $? "a 50 MB article is indexed"
has_term "$T/bad-db" "Qdup"; ok $? "duplicate ids: indexed once"
[ "$(xapian-delve -t Qdup "$(live "$T/bad-db")" | grep -o 'termfreq [0-9]*')" = "termfreq 1" ]; ok $? "duplicate ids: one document"
has_term "$T/bad-db" "insulin"; ok $? "the repaired invalid-UTF-8 article is searchable"
xapian-check "$(live "$T/bad-db")" > /dev/null 2>&1; ok $? "xapian-check passes after bad inputs"

# ---- --dry-run, standard input, --shard ------------------------------------
"$IDX" --db "$T/dry" --dry-run "$ROOT/corpus/en/sleep" > "$T/out" 2>&1
ok $? "--dry-run exits 0"
[ ! -e "$T/dry" ]; ok $? "--dry-run writes nothing"
zcat "$ROOT/corpus/extra/articles.jsonl.gz" | "$IDX" --db "$T/stdin" - > "$T/out" 2>&1
[ "$(doccount "$T/stdin")" = "$(zcat "$ROOT/corpus/extra/articles.jsonl.gz" | grep -c .)" ]; ok $? "- reads standard input"
total=0
for k in 1 2 3; do
    "$IDX" -q --db "$T/shard$k" --shard $k/3 "$T/corpus"
    total=$((total + $(doccount "$T/shard$k")))
done
[ "$total" = "$(doccount "$T/db")" ]; ok $? "--shard 1/3, 2/3, 3/3 split the corpus without loss or overlap ($total)"
"$IDX" --db "$T/x" --shard 4/3 x > /dev/null 2>&1; [ $? = 2 ]; ok $? "--shard 4/3: usage error"

# ---- usage and lock ---------------------------------------------------------------
"$IDX" > /dev/null 2>&1; [ $? = 2 ]; ok $? "no --db: exit status 2"
"$IDX" --db "$T/db" --threads 1025 x > "$T/out" 2>&1; [ $? = 2 ] && grep -q -- "--threads: 1025 is out of range \[0, 1024\]" "$T/out"
ok $? "bad --threads: exit status 2, the range of [index] threads named"
printf '[index]\nthreads = 1025\n' > "$T/bad.conf"
"$IDX" --config "$T/bad.conf" --db "$T/db" x > "$T/out" 2>&1; [ $? = 2 ] && grep -q "1025 is out of range \[0, 1024\]" "$T/out"
ok $? "the same value in the file: the same range, the same refusal"
"$IDX" --db "$T/db" --commit-every 0 x > "$T/out" 2>&1; [ $? = 2 ] && grep -q -- "--commit-every: 0 is out of range" "$T/out"
ok $? "bad --commit-every: exit status 2, its range named"
"$IDX" --help | grep -q -- "--rebuild"; ok $? "--help lists options"

# ---- --rebuild swaps atomically while a reader holds the old index ------------
"$IDX" -q --db "$T/rb" "$ROOT/corpus/en/sleep" || true
old_live=$(live "$T/rb")
exec 9< "$old_live/postlist.glass"   # a reader holding the old files
"$IDX" --db "$T/rb" --rebuild "$ROOT/corpus/en" > "$T/out" 2>&1
ok $? "--rebuild exits 0"
new_live=$(live "$T/rb")
[ "$new_live" != "$old_live" ]; ok $? "--rebuild swapped to a new generation ($new_live)"
[ "$(doccount "$T/rb")" = "$(find "$ROOT/corpus/en" -name '*.txt' | wc -l)" ]; ok $? "rebuilt index has every article"
exec 9<&-
xapian-check "$new_live" > /dev/null 2>&1; ok $? "rebuilt (compacted) index passes xapian-check"

# ---- a second writer is refused while the first holds the lock -----------------------
"$BIN/gencorpus" 3000 "$ROOT/corpus" > "$T/gen.jsonl"
"$IDX" -q --db "$T/lock" --commit-every 500 "$T/gen.jsonl" & p1=$!
sleep 0.3
"$IDX" -q --db "$T/lock" "$ROOT/corpus/en/sleep" > "$T/out" 2>&1; rc=$?
wait $p1
if [ $rc = 3 ]; then grep -qi "locked" "$T/out"; ok $? "second indexer: exit 3 and a 'locked' message"
else skip "second indexer refused" "first run finished before the second started"; fi

# ---- kill -9 in the middle, then rerun -------------------------------------------------
"$IDX" -q --db "$T/kill" --commit-every 500 "$T/gen.jsonl" & pid=$!
sleep 1.5
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
xapian-check "$(live "$T/kill")" > /dev/null 2>&1; ok $? "after kill -9: xapian-check passes"
n=$(doccount "$T/kill")
[ $((n % 500)) = 0 ] || [ "$n" = 3000 ]; ok $? "after kill -9: count $n is a committed batch boundary"
"$IDX" -q --db "$T/kill" --commit-every 500 "$T/gen.jsonl"
ok $? "rerun after kill -9 exits 0"
[ "$(doccount "$T/kill")" = 3000 ]; ok $? "rerun completes: exactly 3000 documents, no duplicates"
# ---- a large JSON Lines file is streamed (memory stays flat) --------------
gzip -c "$T/gen.jsonl" > "$T/gen.jsonl.gz"
"$IDX" -q --db "$T/stream" "$T/gen.jsonl.gz"
ok $? "a $(du -k "$T/gen.jsonl" | cut -f1) KB JSONL file (gzip) indexes"
[ "$(doccount "$T/stream")" = 3000 ]; ok $? "streamed: all 3000 articles"
head -c $(($(stat -c %s "$T/gen.jsonl.gz") / 2)) "$T/gen.jsonl.gz" > "$T/cut.jsonl.gz"
"$IDX" --db "$T/cut" "$T/cut.jsonl.gz" > "$T/out" 2>&1; rc=$?
n=$(doccount "$T/cut")
[ $rc = 1 ] && grep -q "cut.jsonl.gz:[0-9]*: .*truncated gzip" "$T/out" && [ "$n" -gt 500 ] && [ "$n" -lt 3000 ]
ok $? "a truncated JSONL.gz: exit 1, the line named, the $n articles before the cut indexed"
# An input root with empty directories in it (a scraper's folder not yet
# filled): nothing to read there, no error (a sanitizer build checks the
# empty listing is handled without undefined behaviour).
mkdir -p "$T/emp/a/b" "$T/emp/c"
cp "$ROOT/corpus/en/sleep/insomnia.txt" "$T/emp/c/"
"$IDX" -q --db "$T/empdb" "$T/emp" > "$T/out" 2>&1; rc=$?
[ $rc = 0 ] && [ "$(doccount "$T/empdb")" = 1 ]
ok $? "empty directories in the input: exit 0 ($rc), the one article indexed"
done_testing
