#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# concepts.sh: MeSH concepts (indexer --concepts, XM terms, VAL_CONCEPTS)
# and how /related uses them. A small JSON Lines corpus and a small concept
# file: the seed names a fruit "mangosteen", one article calls it "Garcinia
# mangostana" (one concept, no shared name), another shares more words with
# the seed but not the fruit. On a real index and a real searchd: the
# concept terms and the index's mark; words alone (concept_weight = 0)
# rank the wordy article first, concepts alone (1) the same-fruit one; a
# run with another concept file clears the mark, with a warning, and
# /related compares words only until --rebuild; bad lines of the file are
# named and skipped; the shipped file is found by default.
. "$(dirname "$0")/../lib.sh"
need curl python3 xapian-delve
tmpdir

# related SOCKET ID: "id:score" of each related article, best first
related() {
    get "$1" "/related?id=$2&limit=10" | python3 -c '
import json, sys
print(" ".join("%s:%.4f" % (r["id"], r["score"]) for r in json.load(sys.stdin)["related"]))'
}

printf '%s\n' \
    '# test concepts' \
    'D000001	Garcinia mangostana	Mangosteen	Mangosteens' \
    'D000002	Fruit	Fruits' \
    'D000003	Tea	Green Tea' \
    'D000004	Hypertension	High Blood Pressure' \
    'D000005	Antioxidants	Antioxidant' \
    'X000006	a bad line' > "$T/concepts.tsv"
python3 - "$T/corpus.jsonl" <<'EOF'
import json, sys
arts = [
    ("seed", "Mangosteen juice and blood pressure",
     "Mangosteen juice was given to adults with high blood pressure in a small trial. "
     "The juice of the mangosteen is sold as a health drink."),
    ("same-fruit", "Garcinia mangostana pericarp extract",
     "An extract of Garcinia mangostana pericarp was studied in a small trial. "
     "The extract is sold as a health supplement."),
    ("wordy", "Green tea juice drink trial",
     "Green tea juice was given to adults in a small trial with a health drink. "
     "The juice and the drink were sold in a small shop as a health drink."),
    ("other", "Broken bones", "A broken bone needs a cast and rest."),
]
with open(sys.argv[1], "w") as f:
    for i, t, b in arts:
        f.write(json.dumps({"id": i, "title": t, "text": b}) + "\n")
EOF

"$BIN/indexer" --db "$T/db" --concepts "$T/concepts.tsv" "$T/corpus.jsonl" > "$T/index.log" 2>&1
ok $? "indexes the corpus with a concept file" || { sed 's/^/# /' "$T/index.log"; done_testing; exit; }
grep -q "concepts.tsv:7: 1 line is not \"D<number><TAB>term...\": left out" "$T/index.log"
ok $? "the concept file's bad line is named with its line and counted" || sed 's/^/# /' "$T/index.log"
chmod -R a+rX "$T/db"
[ "$(postings "$T/db" XM1)" = 2 ] && [ "$(postings "$T/db" XM4)" = 1 ] && [ -z "$(postings "$T/db" XM6)" ]
ok $? "mangosteen and Garcinia mangostana are one concept (XM1 in 2 articles); high blood pressure is XM4"
d=$(meta "$T/db" medsearch_concepts)
[ ${#d} = 16 ]
ok $? "a fresh index is marked with the concept file's digest ($d)"
"$BIN/indexer" --db "$T/db" --stats > "$T/stats.txt" 2>&1
grep -qE '^concepts: +3 distinct, 4 article-concept pairs, compared by related articles$' "$T/stats.txt"
ok $? "indexer --stats counts the concepts and says related articles compare them" || sed 's/^/# /' "$T/stats.txt"

S=$T/s.sock
user=(); [ "$(id -u)" = 0 ] && user=(--user nobody)
for w in 0 1; do
    printf '[related]\nconcept_weight = %s\n' $w > "$T/w$w.conf"
done
start_searchd "$T/db" "$S" --config "$T/w0.conf" "${user[@]}" || { done_testing; exit; }
words=$(related "$S" seed)
diag "concept_weight 0: $words"
[ "${words%%:*}" = wordy ]
ok $? "words alone rank the wordy article first"
stop_searchd
start_searchd "$T/db" "$S" --config "$T/w1.conf" "${user[@]}" || { done_testing; exit; }
concepts=$(related "$S" seed)
diag "concept_weight 1: $concepts"
[ "${concepts%% *}" = same-fruit:1.0000 ]
ok $? "concepts alone rank the same fruit first, with the best cosine (1)"
stop_searchd
start_searchd "$T/db" "$S" "${user[@]}" || { done_testing; exit; }
def=$(related "$S" seed)
diag "default (0.3): $def"
[ -n "$def" ] && [ "$def" != "$words" ]
ok $? "the default fuses both (another list than words alone)"
# /metrics: the concepts read, one value an article (the seed and its
# candidates: at most 31)
get "$S" /metrics > "$T/metrics.txt"
v=$(sed -n 's/^medsearch_xapian_values_sum{endpoint="related"} //p' "$T/metrics.txt")
c=$(sed -n 's/^medsearch_xapian_values_count{endpoint="related"} //p' "$T/metrics.txt")
diag "values read: $v in $c /related"
[ "${c:-0}" = 1 ] && [ "${v:-0}" -ge 2 ] && [ "${v:-99}" -le 31 ]
ok $? "/metrics counts the concept values a /related read (seed and candidates: $v)"
stop_searchd

# Another concept file under the same articles: the mark is cleared, with
# a warning, and /related compares words only.
sed 's/Green Tea/Green Teas/' "$T/concepts.tsv" > "$T/concepts2.tsv"
printf '%s\n' '{"id": "late", "title": "Tea", "text": "Green tea."}' > "$T/late.jsonl"
"$BIN/indexer" --db "$T/db" --concepts "$T/concepts2.tsv" "$T/late.jsonl" > "$T/index2.log" 2>&1
ok $? "indexes one more article with another concept file"
grep -q "the concept file changed" "$T/index2.log" && [ -z "$(meta "$T/db" medsearch_concepts)" ]
ok $? "says the concept file changed and clears the mark" || sed 's/^/# /' "$T/index2.log"
start_searchd "$T/db" "$S" --config "$T/w1.conf" "${user[@]}" || { done_testing; exit; }
stale=$(related "$S" seed)
diag "stale concepts, concept_weight 1: $stale"
[ "${stale%%:*}" = wordy ]
ok $? "without the mark, concept_weight 1 changes nothing: words only"
stop_searchd
"$BIN/indexer" --db "$T/db" --concepts "$T/concepts2.tsv" --rebuild "$T/corpus.jsonl" "$T/late.jsonl" > "$T/index3.log" 2>&1
ok $? "--rebuild with the new file"
[ ${#d} = 16 ] && [ "$(meta "$T/db" medsearch_concepts)" != "" ] && [ "$(meta "$T/db" medsearch_concepts)" != "$d" ]
ok $? "--rebuild marks the index with the new file's digest"

# --concepts none: no concept term at all; the shipped file by default.
"$BIN/indexer" --db "$T/none" --concepts none "$T/corpus.jsonl" > "$T/none.log" 2>&1 &&
    [ -z "$(postings "$T/none" XM1)" ] && [ -z "$(meta "$T/none" medsearch_concepts)" ]
ok $? "--concepts none: no XM term and no mark"
if [ -r "$ROOT/data/mesh-concepts.tsv.gz" ]; then
    "$BIN/indexer" --db "$T/shipped" "$T/corpus.jsonl" > "$T/shipped.log" 2>&1
    n=$(postings "$T/shipped" XM29762) # D029762 Garcinia mangostana
    [ "$n" = 2 ] && [ -n "$(meta "$T/shipped" medsearch_concepts)" ]
    ok $? "the shipped MeSH file by default: D029762 (Garcinia mangostana) in 2 articles"
else
    skip "shipped file" "data/mesh-concepts.tsv.gz not readable"
fi
"$BIN/indexer" --db "$T/bad" --concepts "$T/nope.tsv" "$T/corpus.jsonl" > "$T/bad.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "nope.tsv" "$T/bad.log" && [ ! -e "$T/bad" ]
ok $? "a missing concept file is a usage error (status 2) that names it, before anything is created" ||
    sed 's/^/# /' "$T/bad.log"
done_testing
