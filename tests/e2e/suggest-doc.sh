#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# GET /suggest and GET /doc on a real searchd over corpus/: completions of
# a last word and of whole phrases, topic names ranked high, no dangling
# function words, limits and errors; the stored article with headings and
# links; and the client's --suggest and --doc.
. "$(dirname "$0")/../lib.sh"
need curl python3 cmp
tmpdir
user=()
[ "$(id -u)" = 0 ] && user=(--user nobody)

"$BIN/indexer" --db "$T/db" --quiet "$ROOT/corpus" > "$T/indexer.log" 2>&1; ok $? "index corpus/"
sock=$T/s.sock
fetch() { req "$sock" "$2"; printf '%s\n' "$BODY" > "$1"; }   # fetch FILE PATH: body to FILE, $STATUS
start_searchd "$T/db" "$sock" "${user[@]}"; ok $? "searchd answers /health"

jcheck() {   # jcheck NAME FILE PYTHON (j = the JSON in FILE)
    local name=$1 file=$2 code=$3
    python3 -c "import json,sys
j = json.load(open(sys.argv[1]))
$code" "$file" 2> "$T/py.err"
    ok $? "$name$( [ -s "$T/py.err" ] && echo " ($(tail -1 "$T/py.err" | head -c 200))")"
}
texts="[s['text'] for s in j['suggestions']]"

# ---- /suggest ----
fetch "$T/s.json" "/suggest?q=heart%20att"
[ "$STATUS" = 200 ]; ok $? "/suggest?q=heart att: 200"
jcheck "'heart att' completes to the phrase 'heart attack' (a heading of chest-pain-warning.txt)" "$T/s.json" "
assert j['q'] == 'heart att', j
assert 'heart attack' in $texts, j"
jcheck "every item has text, kind and score; kinds are phrase, word or title" "$T/s.json" "
for s in j['suggestions']:
    assert {'text', 'kind', 'score'} <= set(s) and s['kind'] in ('phrase', 'word', 'title'), s"

fetch "$T/s.json" "/suggest?q=insom"
jcheck "'insom' completes to 'insomnia', first" "$T/s.json" "assert $texts[0] == 'insomnia', j"
fetch "$T/s2.json" "/suggest?q=Insom"
sed 's/"q":"Insom"/"q":"insom"/' "$T/s2.json" | cmp -s "$T/s.json" -; ok $? "case does not matter"

fetch "$T/s.json" "/suggest?q=sleep%20a"
jcheck "'sleep a' completes to 'sleep apnea'" "$T/s.json" "assert 'sleep apnea' in $texts, j"

fetch "$T/s.json" "/suggest?q=vitamin%20"
jcheck "'vitamin ' (a finished word) gives phrases that go on: 'vitamin d', 'vitamin b12'" "$T/s.json" "
t = $texts
assert 'vitamin d' in t and 'vitamin b12' in t, t
assert all(x.lower().startswith('vitamin') for x in t), t"

fetch "$T/s.json" "/suggest?q=a"
jcheck "one letter: 8 suggestions, a topic name first, ranked by score, no function words" "$T/s.json" "
s = j['suggestions']
assert len(s) == 8, s
assert s[0].get('topic') is True, s
sc = [x['score'] for x in s if x['kind'] != 'title']
assert sc == sorted(sc, reverse=True), s
assert not any(x['text'] in ('a', 'and', 'about', 'after', 'all', 'are') for x in s), s"
jcheck "no completion ends in a function word" "$T/s.json" "
stop = {'a', 'an', 'and', 'of', 'the', 'to', 'in', 'for', 'with', 'is', 'are', 'why', 'what', 'you'}
assert not any(x['text'].split()[-1] in stop and len(x['text'].split()) > 1 for x in j['suggestions']), j"

fetch "$T/s.json" "/suggest?q=%E5%A4%B1"
jcheck "Chinese: '失' completes to '失眠'" "$T/s.json" "assert '失眠' in $texts, j"

fetch "$T/s.json" "/suggest?q=heart&limit=2"
jcheck "limit=2 honoured" "$T/s.json" "assert 1 <= len(j['suggestions']) <= 2, j"
fetch "$T/s.json" "/suggest?q=zzzzqqq"
jcheck "nothing to complete: 200 and an empty list" "$T/s.json" "assert j['suggestions'] == [], j"
fetch "$T/s.json" "/suggest?q="
[ "$STATUS" = 200 ]; ok $? "empty q: 200"
jcheck "empty q: empty list" "$T/s.json" "assert j == {'q': '', 'suggestions': []}, j"
fetch /dev/null "/suggest"
[ "$STATUS" = 400 ]; ok $? "no q: 400"
fetch "$T/e.json" "/suggest?q=a&limit=51"
[ "$STATUS" = 422 ]; ok $? "limit 51: 422"
fetch /dev/null "/suggest?q=a&limit=0"
[ "$STATUS" = 400 ]; ok $? "limit 0: 400"
fetch /dev/null "/suggest?q=$(printf 'x%.0s' {1..5000})"
[ "$STATUS" = 422 ] || [ "$STATUS" = 414 ]; ok $? "a 5000-byte q: 422 or 414 ($STATUS)"

# fast: 200 one- and two-letter prefixes over one keep-alive connection
python3 - "$sock" > "$T/speed" 2>&1 <<'PY'
import http.client, socket, sys, time, string
class C(http.client.HTTPConnection):
    def __init__(self, p): super().__init__("x"); self.p = p
    def connect(self): self.sock = socket.socket(socket.AF_UNIX); self.sock.connect(self.p)
c = C(sys.argv[1]); n = 0; t0 = time.monotonic()
for a in string.ascii_lowercase:
    for q in (a, a + "e", a + "i", a + "o", a + "a", a + "r", a + "h", a + "s"):
        c.request("GET", "/suggest?q=" + q); r = c.getresponse(); r.read()
        assert r.status == 200, (q, r.status); n += 1
print("%d requests, %.2f ms each" % (n, (time.monotonic() - t0) * 1000 / n))
PY
ok $? "208 short prefixes answered: $(cat "$T/speed" | tail -1)"

"$BIN/search" --socket "$sock" --suggest "heart att" > "$T/out" 2> "$T/err"; ok $? "search --suggest: exit 0"
grep -q "heart attack" "$T/out"; ok $? "search --suggest prints the completion"

# ---- /doc ----
id=en/sleep/hypnic-jerks.txt
fetch "$T/d.json" "/doc?id=$id"
[ "$STATUS" = 200 ]; ok $? "/doc of $id: 200"
jcheck "every field of the protocol" "$T/d.json" "
assert set(j) == {'id', 'url', 'title', 'category', 'lang', 'date', 'source', 'headings', 'body', 'links'}, set(j)
assert j['id'] == '$id' and j['title'] == 'Why the body jerks when falling asleep', j['title']
assert j['category'] == 'sleep' and j['lang'] == 'en' and j['url'] is None, j"
jcheck "the body and the headings" "$T/d.json" "
assert 'called a hypnic jerk, or sleep start' in j['body'], j['body'][:200]
assert 'When to see a doctor' in j['headings'], j['headings']"
jcheck "the links: next and five Recommend" "$T/d.json" "
k = [(l['kind'], l['title']) for l in j['links']]
assert ('next', 'Insomnia: why you lie awake and what helps') in k, k
assert sum(1 for x in k if x[0] == 'recommend') == 5, k
assert all(set(l) == {'kind', 'title', 'target'} for l in j['links']), j['links']"
fetch "$T/d.json" "/doc?id=ex-migraine"
jcheck "a JSONL article: url, date and related links" "$T/d.json" "
assert j['url'] == 'https://health.example.org/neurology/migraine' and j['date'] == '2024-02-14', j
assert any(l['kind'] == 'related' for l in j['links']), j['links']"
fetch "$T/e.json" "/doc?id=nope"
[ "$STATUS" = 404 ]; ok $? "unknown id: 404"
jcheck "404 names id" "$T/e.json" "assert j['error']['param'] == 'id' and j['error']['type'] == 'not_found', j"
fetch /dev/null "/doc?id=$ROOT/corpus/$id"
[ "$STATUS" = 404 ]; ok $? "a file path as id is not opened: 404"
fetch /dev/null "/doc"
[ "$STATUS" = 400 ]; ok $? "no id: 400"

"$BIN/search" --socket "$sock" --doc "$id" > "$T/out" 2> "$T/err"; ok $? "search --doc: exit 0"
grep -q "Why the body jerks when falling asleep" "$T/out"; ok $? "search --doc prints the title"

done_testing
