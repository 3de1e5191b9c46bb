#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The stored records' preset zlib dictionary (docrec.h, indexer/docdict.c):
# a run that starts an index learns it from its first records and stores
# it in the index; every record, with or without it, reads back exactly
# through searchd's /doc; an incremental run reuses it, --rebuild learns
# its own, a first build with two writers stores it once.
. "$(dirname "$0")/../lib.sh"
need curl python3
tmpdir
IDX=$BIN/indexer
meta() { "$BIN/setmeta" "$1" "$2"; }
N=900
"$BIN/gencorpus" "$N" "$ROOT/corpus" > "$T/gen.jsonl"
"$IDX" --db "$T/db" --threads 1 --quiet "$T/gen.jsonl"
ok $? "indexes $N articles"
list=$(meta "$T/db" medsearch_docdicts)
echo "$list" | grep -Eqx '[0-9a-f]{8}'; ok $? "the index lists its dictionary ($list)"
[ "$(meta "$T/db" "medsearch_docdict.$list" | wc -c)" -gt 1000 ]; ok $? "and holds it"

# /doc gives back every sampled (plain) and later (dictionary) record exactly
same_docs() { # DB JSONL IDS...: /doc body and title = the input's
    local db=$1 jsonl=$2; shift 2
    start_searchd "$db" "$T/s.sock"
    local id rc=0
    for id in "$@"; do
        curl -s --unix-socket "$T/s.sock" "http://x/doc?id=$id" > "$T/doc.json"
        python3 - "$jsonl" "$id" "$T/doc.json" <<'PY' || rc=1
import json, sys
want = None
for line in open(sys.argv[1]):
    a = json.loads(line)
    if a["id"] == sys.argv[2]:
        want = a
got = json.load(open(sys.argv[3]))
norm = lambda s: " ".join(s.split())
if not want or got.get("title") != want["title"] or norm(got.get("body", "")) != norm(want["body"]):
    print("# %s differs: %r" % (sys.argv[2], str(got)[:200]))
    sys.exit(1)
PY
    done
    stop_searchd
    return $rc
}
same_docs "$T/db" "$T/gen.jsonl" synth-0 synth-1 synth-450 synth-898 synth-899
ok $? "/doc reads records with and without the dictionary"

# an incremental run keeps using the index's dictionary
"$BIN/gencorpus" "$N" "$ROOT/corpus" | sed 's/"body": *"/&Updated today. /' | tail -3 > "$T/upd.jsonl"
"$IDX" --db "$T/db" --threads 1 --quiet "$T/upd.jsonl"
ok $? "updates 3 articles"
list2=$(meta "$T/db" medsearch_docdicts | tr -d '\n')
[ "$list2" = "$list" ]; ok $? "the update adds no dictionary ($list2)"
same_docs "$T/db" "$T/upd.jsonl" synth-897 synth-899
ok $? "updated records read back"

# --rebuild, two writers: one new dictionary, stored once, every record reads
"$BIN/gencorpus" 3000 "$ROOT/corpus" > "$T/big.jsonl"
"$IDX" --db "$T/db" --threads 2 --rebuild --quiet "$T/big.jsonl"
ok $? "rebuilds with two threads"
list3=$(meta "$T/db" medsearch_docdicts | tr -d '\n')
[ -n "$list3" ] && [ "$(echo "$list3" | wc -w)" = 1 ]; ok $? "one dictionary in the rebuilt index ($list3)"
same_docs "$T/db" "$T/big.jsonl" synth-0 synth-1 synth-1500 synth-2998 synth-2999
ok $? "/doc reads every record of the merged index"
done_testing
