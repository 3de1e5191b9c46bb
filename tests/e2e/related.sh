#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# GET /related on a real searchd over corpus/ (and a small JSONL corpus
# for near-duplicates): linked and similar articles, never the seed, links
# resolved by title and by id, deterministic, limit honoured, 404/400/422,
# and the client's --related.
. "$(dirname "$0")/../lib.sh"
need curl python3 cmp
tmpdir
user=()
[ "$(id -u)" = 0 ] && user=(--user nobody)

"$BIN/indexer" --db "$T/db" --quiet "$ROOT/corpus" > "$T/indexer.log" 2>&1; ok $? "index corpus/"
sock=$T/s.sock
fetch() { req "$sock" "$2"; printf '%s\n' "$BODY" > "$1"; }   # fetch FILE PATH: body to FILE, $STATUS
start_searchd "$T/db" "$sock" "${user[@]}"; ok $? "searchd answers /health"

# jcheck NAME FILE PYTHON: run the Python expression-block on j = the JSON in FILE
jcheck() {
    local name=$1 file=$2 code=$3
    python3 -c "import json,sys
j = json.load(open(sys.argv[1]))
$code" "$file" 2> "$T/py.err"
    ok $? "$name$( [ -s "$T/py.err" ] && echo " ($(tail -1 "$T/py.err" | head -c 200))")"
}

seed=en/sleep/hypnic-jerks.txt
fetch "$T/r1.json" "/related?id=$seed"
[ "$STATUS" = 200 ]; ok $? "/related of $seed: 200"
jcheck "answer names the seed and lists 10 articles" "$T/r1.json" "
assert j['id'] == '$seed', j['id']
assert len(j['related']) == 10, len(j['related'])"
jcheck "never the seed itself, no id twice" "$T/r1.json" "
ids = [r['id'] for r in j['related']]
assert '$seed' not in ids and len(set(ids)) == len(ids), ids"
jcheck "every item has id, title, url, score and a reason; scores descend" "$T/r1.json" "
prev = None
for r in j['related']:
    assert set(r) == {'id', 'title', 'url', 'score', 'reason'}, r
    assert r['reason'] in ('link', 'similar', 'link+similar'), r
    assert isinstance(r['title'], str) and r['title'], r
    assert prev is None or r['score'] <= prev, (prev, r)
    prev = r['score']"
# its '>>:' next link and its Recommend block, resolved by title
jcheck "the next link and the Recommend titles come first, as links" "$T/r1.json" "
want = {'en/sleep/insomnia.txt', 'en/sleep/sleep-apnea.txt', 'en/nutrition/vitamin-d.txt',
        'en/mental-health/anxiety.txt'}
top = j['related'][:4]
assert {r['id'] for r in top} == want, top
assert all(r['reason'].startswith('link') for r in top), top"
jcheck "similar articles fill the rest" "$T/r1.json" "
assert any(r['reason'] == 'similar' for r in j['related']), j"

fetch "$T/r2.json" "/related?id=$seed"
cmp -s "$T/r1.json" "$T/r2.json"; ok $? "deterministic: two calls give the same answer"

fetch "$T/r3.json" "/related?id=$seed&limit=3"
jcheck "limit=3: three articles, the first three of the full list" "$T/r3.json" "
full = json.load(open('$T/r1.json'))['related']
assert [r['id'] for r in j['related']] == [r['id'] for r in full[:3]], j"

# JSON Lines "related": a title and an id
fetch "$T/m.json" "/related?id=ex-migraine&limit=20"
jcheck "JSONL related links resolved by id and by title" "$T/m.json" "
ids = {r['id']: r['reason'] for r in j['related']}
assert ids.get('ex-kidney-stones', '').startswith('link'), ids
assert ids.get('en/sleep/insomnia.txt', '').startswith('link'), ids
assert ids.get('en/mental-health/anxiety.txt', '').startswith('link'), ids"

# a Chinese article
fetch "$T/zh.json" "/related?id=zh/insomnia.txt&limit=5"
jcheck "a Chinese article: related articles, not itself" "$T/zh.json" "
ids = [r['id'] for r in j['related']]
assert ids and 'zh/insomnia.txt' not in ids, ids"

# errors
fetch "$T/e.json" "/related?id=no/such/article.txt"
[ "$STATUS" = 404 ]; ok $? "unknown id: 404"
jcheck "404 names the parameter" "$T/e.json" "
e = j['error']; assert e['status'] == 404 and e['type'] == 'not_found' and e['param'] == 'id', e"
fetch /dev/null "/related?id=../../etc/passwd"
[ "$STATUS" = 404 ]; ok $? "a path as id is only a term: 404"
fetch "$T/e.json" "/related"
[ "$STATUS" = 400 ]; ok $? "no id: 400"
fetch /dev/null "/related?id=$seed&limit=0"
[ "$STATUS" = 400 ]; ok $? "limit=0: 400"
fetch "$T/e.json" "/related?id=$seed&limit=100000"
[ "$STATUS" = 422 ]; ok $? "limit over max_limit: 422"
jcheck "422 names limit" "$T/e.json" "assert j['error']['param'] == 'limit', j"

# the client
"$BIN/search" --socket "$sock" --related "$seed" > "$T/out" 2> "$T/err"; ok $? "search --related: exit 0"
grep -q "Insomnia: why you lie awake" "$T/out"; ok $? "search --related prints the related titles"

# serve NAME: index $T/NAME.jsonl into its own database and serve it
# (after the searchd before it)
serve() {
    stop_searchd
    "$BIN/indexer" --db "$T/$1.db" --quiet "$T/$1.jsonl" > "$T/$1.log" 2>&1; ok $? "index $1.jsonl"
    start_searchd "$T/$1.db" "$sock" "${user[@]}"; ok $? "searchd on $1.db"
}

# near-duplicates: b copies a's body, d copies c's; a's related has
# neither b (the seed's duplicate) nor both c and d
long="Shingles is a painful rash caused by the varicella zoster virus, the same virus that causes chickenpox."
long="$long $long $long Years after chickenpox the virus can wake up in a nerve and cause a band of blisters on one side of the body."
cat > "$T/dup.jsonl" <<JSONL
{"id": "a", "title": "Shingles: a painful rash", "body": "$long Treatment with antiviral medicine helps."}
{"id": "b", "title": "Shingles rash (copy)", "body": "$long Treatment with antiviral medicine helps."}
{"id": "c", "title": "Shingles vaccine", "body": "The shingles vaccine lowers the risk of shingles and its nerve pain. $long"}
{"id": "d", "title": "Shingles vaccine for adults", "body": "The shingles vaccine lowers the risk of shingles and its nerve pain. $long"}
{"id": "e", "title": "Antiviral medicine for cold sores", "body": "Antiviral medicine shortens outbreaks of cold sores. Treatment helps most when started early."}
{"id": "f", "title": "Sunburn", "body": "Sunburn is skin damage from ultraviolet light. Cool water and shade help."}
{"id": "g", "title": "Dehydration", "body": "Dehydration means the body lacks water. Drink small sips often."}
{"id": "h", "title": "Zygomycosis", "body": "Zygomycosis xylophone quartz."}
JSONL
serve dup
fetch "$T/d.json" "/related?id=a"
jcheck "near-duplicates: not the seed's copy, one of two copies" "$T/d.json" "
ids = [r['id'] for r in j['related']]
assert 'b' not in ids, ids
assert ('c' in ids) != ('d' in ids), ids
assert 'e' in ids, ids"
fetch "$T/h.json" "/related?id=h"
[ "$STATUS" = 200 ]; ok $? "an article like no other: 200"
jcheck "an article like no other: an empty list" "$T/h.json" "assert j == {'id': 'h', 'related': []}, j"

# a word that begins with a non-ASCII letter (after diacritics are
# folded: Cyrillic, Greek) relates two articles: its stem is selected as
# its frequency is looked up; one letter of another script ("β" of
# "β-carotene") does not
cat > "$T/letters.jsonl" <<JSONL
{"id": "p", "title": "Carrots", "body": "Carrots hold β-carotene, β β β. In Russian clinics grippe is грипп, and грипп season is winter."}
{"id": "q", "title": "Heart rhythm drugs", "body": "β-blockers slow the heart: β β β β."}
{"id": "r", "title": "Flu words", "body": "Clinicians write грипп for influenza; грипп peaks yearly."}
{"id": "s", "title": "Sunburn", "body": "Sunburn is skin damage from ultraviolet light."}
{"id": "t", "title": "Dehydration", "body": "Dehydration means the body lacks water."}
JSONL
serve letters
fetch "$T/p.json" "/related?id=p"
jcheck "a shared word that begins with a non-ASCII letter relates; a shared Greek letter does not" "$T/p.json" "
ids = [r['id'] for r in j['related']]
assert 'r' in ids and 'q' not in ids, ids"

# The heads of listed articles a thread read last are kept (doc.c) for
# one revision: asked again, /related answers the same from them; an
# article renamed in a new revision is listed with its new title.
heads() { get "$sock" /metrics | awk -v r="$1" '$1 == "medsearch_head_cache_total{result=\"" r "\"}" {print $2}'; }
h0=$(heads hit)
for i in 1 2 3; do fetch "$T/p$i.json" "/related?id=p"; done
h1=$(heads hit)
cmp -s "$T/p.json" "$T/p1.json" && cmp -s "$T/p1.json" "$T/p3.json" && [ "${h1:-0}" -gt "${h0:-0}" ]
ok $? "asked again: the same answer, heads from the cache (hits $h0 -> $h1)"
sed -i 's/"title": "Flu words"/"title": "Flu words, renamed"/' "$T/letters.jsonl"
"$BIN/indexer" --db "$T/letters.db" --quiet "$T/letters.jsonl" > "$T/letters2.log" 2>&1
ok $? "the renamed article is indexed in place"
fetch "$T/p4.json" "/related?id=p"
jcheck "the new revision lists the new title" "$T/p4.json" "
t = [r['title'] for r in j['related'] if r['id'] == 'r']
assert t == ['Flu words, renamed'], t"

done_testing
