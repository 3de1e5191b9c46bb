#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# synphrase.sh: synonym phrases as index terms (schema.h, PFX_SYNPHRASE).
# The indexer gives every article one XY term per synonym phrase it holds
# and marks the index (medsearch_synphrases = the table's hash); searchd
# then matches a phrase alternative with that one term instead of a
# positional phrase. Checked on a real index of corpus/ and a real searchd:
# the same articles and totals as the positional phrases, a changed table
# falls back to phrases (with a warning) until --rebuild, and --rebuild
# makes the new table's phrases terms again.
. "$(dirname "$0")/../lib.sh"
need curl python3 xapian-delve
tmpdir

enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# answers SOCKET QUERY...: one line per query: total, then id:score of each hit
answers() {
    local s=$1 qq; shift
    for qq in "$@"; do
        get "$s" "/search?q=$(enc "$qq")&fields=id,score&limit=50" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["total"], " ".join("%s:%.6f" % (h["id"], h["score"]) for h in d["hits"]))'
    done
}

"$BIN/indexer" --db "$T/db" "$ROOT/corpus" > "$T/index.log" 2>&1
ok $? "indexes corpus/" || { sed 's/^/# /' "$T/index.log"; done_testing; exit; }
chmod -R a+rX "$T/db"

h=$(meta "$T/db" synonyms_hash)
f=$(meta "$T/db" medsearch_synphrases)
diag "synonyms_hash $h, medsearch_synphrases $f"
[ ${#h} = 16 ] && [ "$f" = "$h" ]
ok $? "a fresh index is marked as holding the table's phrases (medsearch_synphrases = synonyms_hash)"
n=$(postings "$T/db" "XYheart attack")
[ "${n:-0}" -ge 1 ]
ok $? "an article with 'heart attack' holds the term XYheart attack ($n articles)"
n=$(postings "$T/db" "XYheart")
[ -z "$n" ]
ok $? "single words get no XY term (their synonyms are plain terms)"
"$BIN/indexer" --db "$T/db" --stats > "$T/stats.txt" 2>&1
grep -qE '^synonyms: +[0-9]+ keys; [1-9][0-9]* phrases found in articles, matched as terms$' "$T/stats.txt"
ok $? "indexer --stats says the phrases are matched as terms" || sed 's/^/# /' "$T/stats.txt"

# The same index with the mark cleared: searchd falls back to positional
# phrases. Both must select the same articles.
cp -a "$T/db" "$T/db2"
"$BIN/setmeta" "$(live "$T/db2")" medsearch_synphrases "" && [ -z "$(meta "$T/db2" medsearch_synphrases)" ]
ok $? "setmeta clears the mark on a copy"
QS=("heart attack" "myocardial infarction" "high blood pressure" "hay fever" "sleep apnea" "trouble sleeping"
    "nose bleed" "heart attack troponin" "stroke")
S=$T/s.sock
user=(); [ "$(id -u)" = 0 ] && user=(--user nobody)
start_searchd "$T/db" "$S" "${user[@]}"
ok $? "searchd starts on the marked index" || { done_testing; exit; }
answers "$S" "${QS[@]}" > "$T/terms.txt"
grep -q 'searchd\[info\]: synonym phrases: matched as the index.s XY terms' "$T/searchd.log"
ok $? "searchd's log says synonym phrases match as XY terms"
stop_searchd
start_searchd "$T/db2" "$S" "${user[@]}"
ok $? "searchd starts on the unmarked copy" || { done_testing; exit; }
answers "$S" "${QS[@]}" > "$T/phrases.txt"
grep -q "searchd\[warn\]: synonym phrases match by their words' positions (slower).*indexer --rebuild makes them terms" "$T/searchd.log"
ok $? "on the unmarked copy it warns that they match by positions, and names --rebuild"
stop_searchd

python3 - "$T/terms.txt" "$T/phrases.txt" "${QS[@]}" > "$T/cmp.txt" <<'EOF'
import sys
a = open(sys.argv[1]).read().splitlines()
b = open(sys.argv[2]).read().splitlines()
qs = sys.argv[3:]
same = differ = 0
for q, x, y in zip(qs, a, b):
    tx, *hx = x.split(" ")
    ty, *hy = y.split(" ")
    ix = sorted(h.split(":")[0] for h in hx if h)
    iy = sorted(h.split(":")[0] for h in hy if h)
    print("# %-24s total %s / %s, %d / %d hits" % (q, tx, ty, len(ix), len(iy)))
    if tx == ty and ix == iy and ix:
        same += 1
    if hx != hy:
        differ += 1
print("same", same, "of", len(qs), "scores-differ", differ)
EOF
grep '^#' "$T/cmp.txt"
last=$(tail -1 "$T/cmp.txt")
[ "$(wc -l < "$T/terms.txt")" = ${#QS[@]} ] && [ "$last" = "same ${#QS[@]} of ${#QS[@]} scores-differ ${last##* }" ]
ok $? "every query selects the same articles and total with XY terms as with positional phrases ($last)"
[ "${last##* }" -ge 1 ]
ok $? "the XY terms are what matched: some scores differ (a term's weight is not a phrase's)"

# A changed table under existing articles: their XY terms are the old
# table's, so the mark is cleared and a new phrase matches by positions.
printf '# extra\nsalt intake | brine quota\n' > "$T/extra.txt"
SYN=(--synonyms "$ROOT/data/synonyms.txt" --synonyms "$ROOT/data/lay-synonyms.txt" --synonyms "$T/extra.txt")
"$BIN/indexer" --db "$T/db" "${SYN[@]}" "$ROOT/corpus" > "$T/index2.log" 2>&1
ok $? "an incremental run with a new synonym file succeeds"
grep -q 'the synonym table changed: its phrases match by .*indexer --rebuild' "$T/index2.log"
ok $? "it warns that phrases match by positions until --rebuild" || sed 's/^/# /' "$T/index2.log"
h2=$(meta "$T/db" synonyms_hash)
[ -n "$h2" ] && [ "$h2" != "$h" ] && [ -z "$(meta "$T/db" medsearch_synphrases)" ]
ok $? "the table's hash changed ($h2) and the mark is cleared"
"$BIN/indexer" --db "$T/db" --stats 2>&1 | grep -q 'matched by positions (indexer --rebuild makes them terms)$'
ok $? "indexer --stats says they match by positions until --rebuild"
start_searchd "$T/db" "$S" "${user[@]}"
ok $? "searchd starts on the changed index" || { done_testing; exit; }
hit() { get "$S" "/search?q=$(enc "$1")&fields=id,title,url&limit=5" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join((h.get("url") or "") + "|" + (h.get("title") or "") for h in d["hits"]))'; }
r=$(hit "brine quota")
diag "brine quota: $r"
case $r in "|Cutting down on salt"*) true ;; *) false ;; esac
ok $? "the new phrase 'brine quota' (no article has its words) finds the salt intake article first, by positions"
stop_searchd

"$BIN/indexer" --db "$T/db" "${SYN[@]}" --rebuild "$ROOT/corpus" > "$T/index3.log" 2>&1
ok $? "indexer --rebuild with the new table succeeds" || sed 's/^/# /' "$T/index3.log"
chmod -R a+rX "$T/db"
[ "$(meta "$T/db" medsearch_synphrases)" = "$h2" ] && [ "$(meta "$T/db" synonyms_hash)" = "$h2" ]
ok $? "after --rebuild the index is marked with the new table"
n=$(postings "$T/db" "XYsalt intake")
[ "${n:-0}" -ge 1 ]
ok $? "the new phrase is an XY term ($n articles)"
start_searchd "$T/db" "$S" "${user[@]}"
ok $? "searchd starts on the rebuilt index" || { done_testing; exit; }
r=$(hit "brine quota")
case $r in "|Cutting down on salt"*) true ;; *) false ;; esac
ok $? "'brine quota' finds the salt intake article first, by its XY term"
answers "$S" "${QS[@]}" > "$T/terms2.txt"
cut -d' ' -f1 "$T/terms2.txt" > "$T/t2"; cut -d' ' -f1 "$T/terms.txt" > "$T/t1"
cmp -s "$T/t1" "$T/t2"
ok $? "the shipped synonyms' queries keep their totals after the rebuild"
stop_searchd

# Shards indexed with different synonym files: the dictionary cannot
# vouch for their XY terms, says so, and searchd matches by positions.
"$BIN/indexer" --db "$T/sa" "$ROOT/corpus/en/sleep" > "$T/sa.log" 2>&1 &&
    "$BIN/indexer" --db "$T/sb" "${SYN[@]}" "$ROOT/corpus/en/nutrition" > "$T/sb.log" 2>&1 &&
    "$BIN/indexer" --dictionary "$T/dict" "$T/sa" "$T/sb" > "$T/dict.log" 2>&1
ok $? "two shards with different synonym files, and their dictionary"
grep -q "the shards' synonym tables come from different files; synonym phrases will match by their words' positions" "$T/dict.log" &&
    [ -z "$("$BIN/setmeta" "$T/dict" synonyms_hash)" ]
ok $? "indexer --dictionary warns that the tables differ and records none" || sed 's/^/# /' "$T/dict.log"
chmod -R a+rX "$T"
start_searchd "$T/sa,$T/sb" "$S" --dictionary "$T/dict" "${user[@]}"
ok $? "searchd starts on the two shards with the dictionary" || { done_testing; exit; }
grep -q "searchd\[warn\]: synonym phrases match by their words' positions" "$T/searchd.log"
ok $? "searchd warns that phrases match by positions there"
r=$(hit "brine quota")
case $r in "|Cutting down on salt"*) true ;; *) false ;; esac
ok $? "shard B's phrase 'brine quota' still finds its salt intake article (by positions)"
stop_searchd

# A synonym term too long for the table is named (file and line), not
# dropped silently; the rest of its group still loads.
long=$(printf 'verylongsynonymword%.0s ' $(seq 16))
printf '# long\nsalt intake | %s| brine quota\n' "$long" > "$T/long.txt"
"$BIN/indexer" --db "$T/longdb" --synonyms "$T/long.txt" "$ROOT/corpus/en/nutrition" > "$T/long.log" 2>&1
[ $? = 0 ] && grep -q "indexer\[warn\]: $T/long.txt:2: a synonym term longer than 240 bytes (normalized) is left out: \"verylongsynonymword" "$T/long.log" &&
    [ -n "$(postings "$T/longdb" "XYsalt intake")" ] &&
    xapian-delve -t "XYsalt intake" "$(live "$T/longdb")" > /dev/null 2>&1
ok $? "an over-long synonym term is named by file and line and left out; the rest of its group loads" ||
    sed 's/^/# /' "$T/long.log"

# A copy of the indexer away from data/ finds no synonym files: it says
# so (never a silent index without synonyms), unless told --synonyms none.
mkdir -p "$T/copy/bin"
cp "$BIN/indexer" "$T/copy/bin/"
"$T/copy/bin/indexer" --db "$T/copydb" "$ROOT/corpus/en/sleep" > "$T/copy.log" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "indexer\[warn\]: no synonym files (synonyms.txt, lay-synonyms.txt) in $T/copy/bin/../data, .*--synonyms none" "$T/copy.log" &&
    [ -z "$(meta "$T/copydb" synonyms_hash)" ]
ok $? "a copied indexer without data/ warns that it found no synonym files, and indexes without them" ||
    sed 's/^/# /' "$T/copy.log"
"$T/copy/bin/indexer" --db "$T/copydb2" --synonyms none "$ROOT/corpus/en/sleep" > "$T/copy2.log" 2>&1
[ $? = 0 ] && ! grep -q "no synonym files" "$T/copy2.log"
ok $? "--synonyms none indexes without synonyms and without the warning"
done_testing
