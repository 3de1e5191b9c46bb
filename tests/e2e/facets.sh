#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# facets.sh: /search?facets=category,lang on a real searchd over an index
# of corpus/: the counts are over every match (not the page), agree with
# the hits' own fields, and each value, passed back as a filter, finds
# exactly that many articles; bad parameters are clear 400s.
. "$(dirname "$0")/../lib.sh"
need curl python3
tmpdir
"$BIN/indexer" --db "$T/db" "$ROOT/corpus" > "$T/index.log" 2>&1
ok $? "indexes corpus/" || { sed 's/^/# /' "$T/index.log"; done_testing; exit; }
chmod -R a+rX "$T/db"
S=$T/s.sock
user=(); [ "$(id -u)" = 0 ] && user=(--user nobody)
start_searchd "$T/db" "$S" "${user[@]}"
ok $? "searchd starts" || { done_testing; exit; }

js() { printf '%s' "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$2"; }
enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# The counts of a page of 1 hit equal the fields of all the hits.
for query in "pain" "sleep" "infection OR 失眠" "heart"; do
    one=$(get "$S" "/search?q=$(enc "$query")&limit=1&facets=category,lang&facet_limit=100&fields=id")
    all=$(get "$S" "/search?q=$(enc "$query")&limit=100&fields=category,lang&facets=lang")
    printf '%s\n%s\n' "$one" "$all" | python3 -c '
import json, sys, collections
one, every = (json.loads(l) for l in sys.stdin.read().splitlines())
assert every["total"] == len(every["hits"]) > 1, (every["total"], len(every["hits"]))
for f in ("category", "lang"):
    # facet values are folded like the category=/lang= filters they feed
    want = collections.Counter(h[f].casefold() for h in every["hits"] if h[f])
    got = {x["value"]: x["count"] for x in one["facets"][f]}
    assert got == dict(want), (f, got, want)
    counts = [x["count"] for x in one["facets"][f]]
    assert counts == sorted(counts, reverse=True), counts
assert len(one["hits"]) == 1
' 2> "$T/err"
    ok $? "'$query': facet counts over all matches equal the hits' fields" || sed 's/^/# /' "$T/err"
done

b=$(get "$S" "/search?q=$(enc "infection OR 失眠")&limit=1&facets=lang")
js "$b" "sorted(x['value'] for x in d['facets']['lang']) == ['en', 'zh'] and 'category' not in d['facets']"
ok $? "a mixed query counts both languages; only the asked facets come back"

# Every value, passed back as a filter, finds exactly its count.
b=$(get "$S" "/search?q=pain&limit=1&facets=category&facet_limit=100")
bad=0
while IFS=$'\t' read -r v n; do
    t=$(get "$S" "/search?q=pain&limit=1&category=$(enc "$v")&facets=category&fields=id")
    js "$t" "d['total'] == $n and [x['value'] for x in d['facets']['category']] == ['$v']" || { diag "category $v: want $n: $t"; bad=1; }
done < <(printf '%s' "$b" | python3 -c 'import json,sys; [print(x["value"], x["count"], sep="\t") for x in json.load(sys.stdin)["facets"]["category"]]')
ok $bad "each category value, as a filter, finds its count and only itself"

b=$(get "$S" "/search?q=pain&limit=1&facets=category&facet_limit=2")
js "$b" "len(d['facets']['category']) == 2"; ok $? "facet_limit=2 keeps the two largest"
b=$(get "$S" "/search?q=pain&limit=1")
js "$b" "'facets' not in d"; ok $? "no facets unless asked"
b=$(get "$S" "/search?q=zzzqqqxxx&facets=category,lang")
js "$b" "d['total'] == 0 and d['facets'] == {'category': [], 'lang': []}"; ok $? "no match: empty facet lists"

req "$S" "/search?q=pain&facets=category,colour"
[ "$STATUS" = 400 ] && js "$BODY" "'colour' in d['error']['message']"; ok $? "unknown facet: 400 naming it"
req "$S" "/search?q=pain&facets=category&facet_limit=0"
[ "$STATUS" = 400 ]; ok $? "facet_limit=0: 400"
req "$S" "/search?q=pain&facets=category&facet_limit=101"
[ "$STATUS" = 400 ] || [ "$STATUS" = 422 ]; ok $? "facet_limit above 100: refused ($STATUS)"

stop_searchd
done_testing
