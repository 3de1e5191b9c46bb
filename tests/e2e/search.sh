#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# search.sh: GET /search on a real searchd over an index of corpus/:
# ranking, the query language, filters, pagination, snippets, did you mean,
# synonyms, Chinese, malformed syntax, limits, and the search client.
. "$(dirname "$0")/../lib.sh"
need curl python3
tmpdir
chmod 755 "$T"

"$BIN/indexer" --db "$T/db" "$ROOT/corpus" > "$T/index.log" 2>&1
ok $? "indexes corpus/" || { sed 's/^/# /' "$T/index.log"; done_testing; exit; }
chmod -R a+rX "$T/db"
# Room for the long-query tests: a 100 KB query must reach the limit check.
cat > "$T/conf" <<'EOF'
[searchd]
max_request_bytes = 1048576
max_query_bytes = 65536
EOF
S=$T/s.sock
user=(); [ "$(id -u)" = 0 ] && user=(--user nobody)
start_searchd "$T/db" "$S" --config "$T/conf" "${user[@]}"
ok $? "searchd starts" || { done_testing; exit; }

# jq is not installed: JSON checks in python. js BODY EXPR: EXPR over d.
js() { printf '%s' "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$2"; }
# enc TEXT: percent-encode for a URL.
enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
q() { get "$S" "/search?q=$(enc "$1")${2:-}"; }
ids='[h["id"] for h in d["hits"]]'

b=$(q "body shakes when falling asleep")
js "$b" "d['hits'][0]['id'] == 'en/sleep/hypnic-jerks.txt'"; ok $? "hypnic jerks rank first for 'body shakes when falling asleep'"
js "$b" "all(k in d for k in ('query','understood','total','offset','limit','took_ms','timed_out','did_you_mean','hits','related'))"
ok $? "answer has every top-level field"
js "$b" "all(set(h) >= {'rank','id','title','url','score','percent','category','lang','date','snippet'} for h in d['hits'])"
ok $? "hits have every field"
js "$b" "[h['rank'] for h in d['hits']] == list(range(1, len(d['hits']) + 1)) and d['hits'][0]['category'] == 'sleep'"
ok $? "ranks are 1..n, category is set"

# Phrase, exclusion, field, prefix.
b=$(q '"myocardial infarction"')
js "$b" "$ids == ['en/heart/heart-muscle-damage.txt']"; ok $? "phrase finds the one article with it"
b=$(q 'infarction myocardial' "&limit=100"); b2=$(q '"infarction myocardial"')
js "$b2" "d['total'] == 0"; ok $? "phrase respects word order"
b=$(q "sleep" "&limit=100")
js "$b" "'en/sleep/insomnia.txt' in $ids"; ok $? "sleep finds the insomnia article"
b=$(q "sleep -insomnia" "&limit=100")
js "$b" "'en/sleep/insomnia.txt' not in $ids and len(d['hits']) > 0"; ok $? "-insomnia excludes it"
b=$(q "title:sleep" "&limit=100")
js "$b" "len(d['hits']) > 0 and all('sleep' in h['title'].lower() for h in d['hits'])"; ok $? "title:sleep only titles with sleep"
b=$(q "insom*")
js "$b" "'en/sleep/insomnia.txt' in $ids"; ok $? "prefix insom* finds insomnia"

# Filters: parameters and the query syntax, folded.
b=$(q "sleep" "&category=SLEEP&limit=100")
js "$b" "len(d['hits']) > 0 and all(h['category'] == 'sleep' for h in d['hits'])"; ok $? "category=SLEEP filters"
b=$(q "pain category:sleep" "&limit=100")
js "$b" "all(h['category'] == 'sleep' for h in d['hits'])"; ok $? "category:sleep in the query filters"
b=$(q "sleep" "&lang=zh&limit=100")
js "$b" "all(h['lang'] == 'zh' for h in d['hits'])"; ok $? "lang=zh filters"
b=$(q "失眠" "&lang=en")
js "$b" "d['total'] == 0"; ok $? "lang=en drops the Chinese article"

# Pagination: pages 1-3 of a broad query.
p1=$(q "the" "&limit=5"); p2=$(q "the" "&limit=5&offset=5"); p3=$(q "the" "&limit=5&offset=10")
all=$(q "the" "&limit=15")
python3 - "$p1" "$p2" "$p3" "$all" <<'EOF'
import json, sys
p = [json.loads(x) for x in sys.argv[1:]]
pages = [h["id"] for x in p[:3] for h in x["hits"]]
whole = [h["id"] for h in p[3]["hits"]]
assert len(pages) == 15 and len(set(pages)) == 15, pages
assert pages == whole, (pages, whole)
assert len({x["total"] for x in p}) == 1
assert [h["rank"] for h in p[2]["hits"]] == list(range(11, 16))
EOF
ok $? "pages 1-3: no duplicates, no gaps, same totals, absolute ranks"

# Snippets.
b=$(q "falling asleep")
python3 - "$b" <<'EOF'
import json, re, sys
d = json.loads(sys.argv[1])
s = d["hits"][0]["snippet"]
marks = re.findall(r"<mark>(.*?)</mark>", s)
assert marks and all(m.lower() in ("falling", "asleep", "fall") for m in marks), marks
rest = re.sub(r"</?mark>", "", s)
assert "<" not in rest and ">" not in rest and '"' not in rest
assert len(rest) < 400
EOF
ok $? "snippet marks the matched words, is escaped and short"
b=$(q "jerks")
js "$b" "'<mark>jerk' in d['hits'][0]['snippet'].lower()"; ok $? "snippet marks stems"
b=$(q "sleep" "&fields=id,score")
js "$b" "all(set(h) == {'id','score'} for h in d['hits']) and 'related' not in d and 'did_you_mean' not in d"
ok $? "fields=id,score gives only those"

# Did you mean, synonyms, Chinese.
b=$(q "insomina" "&correct=0")
js "$b" "d['did_you_mean'] and d['did_you_mean']['query'] == 'insomnia' and d['did_you_mean']['html'] == '<mark>insomnia</mark>'"
ok $? "insomina -> did you mean insomnia"
b=$(q "insomina treatment")
js "$b" "d['did_you_mean']['query'] == 'insomnia treatment'"; ok $? "correction keeps the other words"
for w in dysphasia prednisolone insomnia dysphagia; do
    b=$(q "$w"); js "$b" "d['did_you_mean'] is None"; ok $? "$w is not corrected"
done
b=$(q "heart attack" "&limit=10")
js "$b" "'en/heart/heart-muscle-damage.txt' in $ids"; ok $? "heart attack finds the myocardial infarction article"
b=$(q "失眠")
js "$b" "d['hits'][0]['id'] == 'zh/insomnia.txt' and '<mark>失眠</mark>' in d['hits'][0]['snippet']"
ok $? "失眠 finds the Chinese insomnia article first"
b=$(q "失眠 insomnia" "&limit=20")
js "$b" "{'zh/insomnia.txt', 'en/sleep/insomnia.txt'} <= set($ids)"; ok $? "mixed Chinese/English query finds both"

# Malformed syntax: 200 and something sensible.
for m in '"sleep apnea' '(sleep apnea' 'sleep apnea)' '-' 'OR OR' '"' '*' 'a*' 'sleep OR OR apnea' \
         '+' 'NOT' '(((' 'title:' '-sleep' '"" ()'; do
    req "$S" "/search?q=$(enc "$m")"
    [ "$STATUS" = 200 ] && js "$BODY" "isinstance(d['hits'], list)"; ok $? "malformed '$m': 200"
done
b=$(q '"sleep apnea'); js "$b" "d['hits'][0]['id'] == 'en/sleep/sleep-apnea.txt'"; ok $? "unbalanced quote: phrase to the end"
b=$(q '(sleep apnea'); js "$b" "d['hits'][0]['id'] == 'en/sleep/sleep-apnea.txt'"; ok $? "unbalanced parenthesis: words"

# Limits.
req "$S" "/search?q="; [ "$STATUS" = 400 ]; ok $? "empty q: 400"
req "$S" "/search"; [ "$STATUS" = 400 ]; ok $? "missing q: 400"
long=$(python3 -c 'print("sleep" * 20480)')
req "$S" "/search?q=$long"; [[ "$STATUS" = 4* ]]; ok $? "100 KB query: 4xx ($STATUS)"
many=$(python3 -c 'print("+".join("w%d" % i for i in range(5000)))')
req "$S" "/search?q=$many"; [ "$STATUS" = 422 ] && js "$BODY" "d['error']['limit'] == 64 and d['error']['param'] == 'q'"
ok $? "5,000 terms in syntax mode: 422 naming max_terms"
req "$S" "/search?q=$many&mode=plain"; [ "$STATUS" = 200 ] && js "$BODY" "d['truncated'] is True"
ok $? "5,000 terms in plain mode: 200, truncated"
req "$S" "/search?q=sleep&offset=999999999"; [ "$STATUS" = 422 ] && js "$BODY" "d['error']['type'] == 'limit'"
ok $? "huge offset: 422"
req "$S" "/search?q=sleep&offset=9995&limit=10"; [ "$STATUS" = 422 ] && js "$BODY" "d['error']['limit'] == 10000"
ok $? "offset+limit over max_window: 422 naming it"
req "$S" "/search?q=sleep&limit=-1"; [ "$STATUS" = 400 ]; ok $? "negative limit: 400"
req "$S" "/search?q=sleep&offset=-3"; [ "$STATUS" = 400 ]; ok $? "negative offset: 400"
req "$S" "/search?q=sleep&limit=abc"; [ "$STATUS" = 400 ]; ok $? "non-numeric limit: 400"
req "$S" "/search?q=sleep&mode=weird"; [ "$STATUS" = 400 ]; ok $? "unknown mode: 400"
b=$(q "OR" "&mode=plain"); js "$b" "d['understood'] == 'or'"; ok $? "plain mode interprets no operator"
req "$S" "/health"; [ "$STATUS" = 200 ]; ok $? "searchd still up"

# The client.
"$BIN/search" --socket "$S" body shakes when falling asleep > "$T/out" 2>&1
ok $? "search client: a query exits 0"
grep -q "Why the body jerks" "$T/out"; ok $? "search client prints the hit"
"$BIN/search" --socket "$S" zzqqxxv > /dev/null 2>&1; [ $? = 1 ]; ok $? "search client: no results exits 1"
printf 'q1\tbody shakes when falling asleep\nq2\t失眠\nq3\tsleep "apnea" OR -\n' > "$T/q.tsv"
"$BIN/search" --socket "$S" --run "$T/q.tsv" --k 3 --tag t > "$T/run" 2>"$T/run.err"
ok $? "search --run exits 0"
python3 - "$T/run" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
assert all(len(r) == 6 and r[1] == "Q0" and r[5] == "t" for r in rows), rows
assert rows[0][0] == "q1" and rows[0][2] == "en/sleep/hypnic-jerks.txt" and rows[0][3] == "1"
assert [r[2] for r in rows if r[0] == "q2"][0] == "zh/insomnia.txt"
assert len([r for r in rows if r[0] == "q3"]) == 3
EOF
ok $? "TREC run lines are right"

done_testing
