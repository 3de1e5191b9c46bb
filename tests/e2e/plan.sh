#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# plan.sh: the search plan end to end, on a real searchd over corpus/:
# a default /search stays within its Xapian work budget (/metrics), the
# total counts real matches (checked against the index's posting lists
# read with xapian-delve), every hit shows why it matched, a zero-hit typo
# runs the corrected query, and the order is the same across pages, a
# restart and a 2-shard --db A,B of the same articles.
. "$(dirname "$0")/../lib.sh"
need curl python3 xapian-delve
tmpdir
chmod 755 "$T"

"$BIN/indexer" --db "$T/db" "$ROOT/corpus" > "$T/index.log" 2>&1
ok $? "indexes corpus/" || { sed 's/^/# /' "$T/index.log"; done_testing; exit; }
chmod -R a+rX "$T/db"
S=$T/s.sock
user=(); [ "$(id -u)" = 0 ] && user=(--user nobody)
start_searchd "$T/db" "$S" "${user[@]}"
ok $? "searchd starts" || { done_testing; exit; }
# serve [NAME]: restart searchd on corpus/'s index, with $T/NAME.conf if given.
serve() { stop_searchd; start_searchd "$T/db" "$S" "${user[@]}" ${1:+--config "$T/$1.conf"}; }

js() { printf '%s' "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$2"; }
jv() { printf '%s' "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"; }
enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
q() { get "$S" "/search?q=$(enc "$1")${2:-}"; }
# docs TERM...: the docids holding any of the terms (the index's posting lists).
docs() {
    local t
    for t in "$@"; do
        xapian-delve -t "$t" "$(live "$T/db")" 2>/dev/null | sed -n 's/^Posting List for term.*): //p' | tr ' ' '\n'
    done | grep . | sort -u | wc -l
}
# live DIR: the database a stub directory names.

# ---- the work budget ----------------------------------------------------------
for qq in "heart attack" "what is glaucoma" "why do my legs jerk when falling asleep" "sleep" "insomina"; do
    q "$qq" > /dev/null
done
M=$(get "$S" /metrics)
n=$(printf '%s\n' "$M" | sed -n 's/^medsearch_xapian_passes_count{endpoint="search"} //p')
p3=$(printf '%s\n' "$M" | sed -n 's/^medsearch_xapian_passes_bucket{endpoint="search",le="3"} //p')
t20=$(printf '%s\n' "$M" | sed -n 's/^medsearch_xapian_termlists_bucket{endpoint="search",le="20"} //p')
e1=$(printf '%s\n' "$M" | sed -n 's/^medsearch_xapian_esets_bucket{endpoint="search",le="1"} //p')
r3=$(printf '%s\n' "$M" | sed -n 's/^medsearch_xapian_rescores_bucket{endpoint="search",le="3"} //p')
rs=$(printf '%s\n' "$M" | sed -n 's/^medsearch_xapian_rescores_sum{endpoint="search"} //p')
diag "searches $n: <= 3 passes $p3, <= 20 termlists $t20, <= 1 expand set $e1, <= 3 re-rankings $r3 ($rs in all)"
[ "${n:-0}" -ge 5 ] && [ "$p3" = "$n" ]
ok $? "every default /search did at most 3 match passes (/metrics)"
[ "${n:-0}" -ge 5 ] && [ "$t20" = "$n" ]
ok $? "every default /search read at most 20 termlists"
[ "${n:-0}" -ge 5 ] && [ "$e1" = "$n" ]
ok $? "every default /search computed at most one expand set (PRF and related share it)"
[ "${n:-0}" -ge 5 ] && [ "$r3" = "$n" ] && [ "${rs:-0}" -ge 1 ]
ok $? "every default /search re-ranked a window at most 3 times (the late boosts, feedback, related), and some did"

# fields=id,score reads no stored record: the id is the sort key the match
# already holds (equal scores are ordered by it), and it is the record's id.
dsum() { get "$S" /metrics | sed -n 's/^medsearch_xapian_docs_sum{endpoint="search"} //p'; }
same=1 read=0
for qq in "heart attack" "what is glaucoma" "sleep"; do
    d0=$(dsum)
    a=$(q "$qq" "&fields=id,score&limit=20" | python3 -c 'import json,sys; print(" ".join(h["id"] for h in json.load(sys.stdin)["hits"]))')
    d1=$(dsum)
    read=$((read + ${d1:-1} - ${d0:-0}))
    b=$(q "$qq" "&fields=id,title&limit=20" | python3 -c 'import json,sys; print(" ".join(h["id"] for h in json.load(sys.stdin)["hits"]))')
    [ -n "$a" ] && [ "$a" = "$b" ] || { same=0; diag "'$qq': id,score: $a; id,title: $b"; }
done
d2=$(dsum)
[ "$same" = 1 ]
ok $? "fields=id,score gives the ids of fields=id,title"
diag "stored documents read by 3 id,score searches: $read; by the last id,title one: $((d2 - d0))"
[ -n "$d0" ] && [ "$read" = 0 ] && [ $((d2 - d0)) -gt 0 ]
ok $? "fields=id,score reads no stored document, fields=id,title does (/metrics docs)"

# Term frequencies are kept while the index stays at one revision: a
# query asked again on the same connection (so the same worker and
# database handle) reads none from the index (/metrics termfreqs), and
# answers the same.
tf() { sed -n 's/^medsearch_xapian_termfreqs_sum{endpoint="search"} //p' "$1"; }
u="http://x/search?q=$(enc "chest pain when breathing deeply")&fields=id,score,related"
curl -s --max-time 20 --unix-socket "$S" http://x/metrics -o "$T/m0" "$u" -o "$T/a1" \
    http://x/metrics -o "$T/m1" "$u" -o "$T/a2" http://x/metrics -o "$T/m2"
f0=$(tf "$T/m0") f1=$(tf "$T/m1") f2=$(tf "$T/m2")
diag "term frequencies read: first ask $((f1 - f0)), second ask $((f2 - f1))"
[ -n "$f0" ] && [ $((f1 - f0)) -gt 0 ] && [ $((f2 - f1)) = 0 ] &&
    [ "$(jv "$(cat "$T/a1")" "d['hits'], d['related']")" = "$(jv "$(cat "$T/a2")" "d['hits'], d['related']")" ]
ok $? "a query asked again at the same revision reads no term frequency from the index, and answers the same"

# ---- honest totals ---------------------------------------------------------------
# Two words without synonyms: the articles holding either word or its stem.
b=$(q "troponin sleeping")
want=$(docs Ztroponin Zsleep troponin sleeping)
got=$(jv "$b" "d['total']")
diag "troponin sleeping: total $got, posting lists $want"
[ "$got" = "$want" ] && js "$b" "d['total_exact'] is True"
ok $? "'troponin sleeping': total = articles with either word or its stem, and exact"
b=$(q "sleep")
[ "$(jv "$b" "d['total']")" = "$(docs Zsleep sleep)" ]
ok $? "'sleep': total = articles with sleep or its stem (PRF only re-ranks)"
# A synonym widens the matches by its own articles only.
b=$(q "heart attack")
got=$(jv "$b" "d['total']")
words=$(docs Zheart Zattack heart attack)
mi=$(docs Zmyocardi)
diag "heart attack: total $got, word postings $words"
[ "$got" -ge "$words" ] && [ "$got" -le $((words + mi)) ] && [ "$got" -lt 52 ]
ok $? "'heart attack': total = its words' articles plus the synonym's, not the whole corpus"
# Function words never match alone, yet a query of them works.
b=$(q "what is glaucoma")
[ "$(jv "$b" "d['total']")" = "$(docs Zglaucoma glaucoma)" ]
ok $? "'what is glaucoma': only the glaucoma articles match"
b=$(q "the")
js "$b" "d['total'] > 10 and len(d['hits']) == 10"
ok $? "a query of a function word alone still finds articles"
# track_total=0 (a client that shows no total): the same page; the total
# is a count only when the match knew it, else an estimate that says so.
t0=$(q "sleep heart" "&fields=id,score&limit=3&track_total=0")
t1=$(q "sleep heart" "&fields=id,score&limit=3")
python3 - "$t0" "$t1" <<'EOF2'
import json, sys
a, b = (json.loads(x) for x in sys.argv[1:])
assert [h["id"] for h in a["hits"]] == [h["id"] for h in b["hits"]], (a["hits"], b["hits"])
assert b["total_exact"] is True and b["total"] > 3, b
assert isinstance(a["total_exact"], bool) and a["total"] >= len(a["hits"]), a
assert a["total"] == b["total"] if a["total_exact"] else True, (a, b)
EOF2
ok $? "track_total=0: the same page; total exact, or an estimate with total_exact false"
req "$S" "/search?q=sleep&track_total=-1"; [ "$STATUS" = 400 ]
ok $? "track_total=-1: 400"
req "$S" "/search?q=sleep&track_total=100000000"; [ "$STATUS" = 422 ] && js "$BODY" "d['error']['param'] == 'track_total'"
ok $? "track_total over max_window: 422 naming it"

# ---- every hit explained -------------------------------------------------------------
bad=0
for qq in "heart attack" "sleep" "what is glaucoma" "troponin sleeping" "covid-19 vaccine" "high blood pressure" \
          "why do my legs jerk when falling asleep" "itchy eyes"; do
    b=$(q "$qq" "&limit=20")
    if ! js "$b" "all('<mark>' in h['snippet'] for h in d['hits'])"; then
        diag "'$qq': a hit without a highlighted match: $(jv "$b" "[h['id'] for h in d['hits'] if '<mark>' not in h['snippet']]")"
        bad=1
    fi
done
[ $bad = 0 ]
ok $? "every hit's snippet highlights why it matched"

# ---- corrected query ---------------------------------------------------------------
b=$(q "insomina")
js "$b" "d['corrected'] == {'from': 'insomina', 'to': 'insomnia'} and d['total'] > 0 and 'insomnia' in d['hits'][0]['id']"
ok $? "a zero-hit typo answers the corrected query's hits with corrected"
b=$(q "insomina" "&fields=id,did_you_mean")
js "$b" "d['corrected']['to'] == 'insomnia' and d['did_you_mean']['query'] == 'insomnia' and d['total'] > 0"
ok $? "the corrected answer's did_you_mean names the same correction"
b=$(q "insomina" "&correct=0")
js "$b" "d['corrected'] is None and d['total'] == 0 and d['did_you_mean']['query'] == 'insomnia'"
ok $? "correct=0: no correction, zero hits, did_you_mean offered"
b=$(q "sleep")
js "$b" "d['corrected'] is None"
ok $? "a query with hits is not corrected"

# ---- deterministic order --------------------------------------------------------------
order() { # QUERY SOCKET: every hit id in order, 7 a page
    local o=0 out="" page
    while :; do
        page=$(get "$2" "/search?q=$(enc "$1")&limit=7&offset=$o&fields=id")
        page=$(jv "$page" "' '.join(h['id'] for h in d['hits'])")
        [ -z "$page" ] && break
        out="$out $page"; o=$((o + 7))
    done
    echo "$out"
}
all() { jv "$(get "$2" "/search?q=$(enc "$1")&limit=100&fields=id")" "' ' + ' '.join(h['id'] for h in d['hits'])"; }
declare -A first
for qq in "the" "heart attack" "sleep"; do
    first[$qq]=$(all "$qq" "$S")
    [ "$(order "$qq" "$S")" = "${first[$qq]}" ]
    ok $? "'$qq': pages of 7 give the one-page order"
done
# Equal scores: by article id.
b=$(get "$S" "/search?q=the&limit=100&fields=id,score")
js "$b" "all(a['id'] < b['id'] for a, b in zip(d['hits'], d['hits'][1:]) if a['score'] == b['score'])"
ok $? "equal scores come in article-id order"
serve
for qq in "the" "heart attack" "sleep"; do
    [ "$(all "$qq" "$S")" = "${first[$qq]}" ]
    ok $? "'$qq': the same order after a restart"
done
stop_searchd
# Two shards of the same articles (the same root layout, half the files each).
mkdir -p "$T/a" "$T/b"
cp -r "$ROOT/corpus/." "$T/a/"; cp -r "$ROOT/corpus/." "$T/b/"
i=0
while IFS= read -r f; do
    if [ $((i % 2)) = 0 ]; then rm "$T/b/$f"; else rm "$T/a/$f"; fi
    i=$((i + 1))
done < <(cd "$ROOT/corpus" && find . -type f | sort)
"$BIN/indexer" --db "$T/da" "$T/a" > "$T/ia.log" 2>&1 && "$BIN/indexer" --db "$T/db2" "$T/b" > "$T/ib.log" 2>&1
ok $? "indexes two halves of corpus/"
chmod -R a+rX "$T/da" "$T/db2"
start_searchd "$T/da,$T/db2" "$S" "${user[@]}"
for qq in "the" "heart attack" "sleep"; do
    got=$(all "$qq" "$S")
    [ "$got" = "${first[$qq]}" ] || diag "'$qq': one db:${first[$qq]}; two shards:$got"
    [ "$got" = "${first[$qq]}" ]
    ok $? "'$qq': the same order over a 2-shard --db A,B"
done

# ---- feedback re-ranks a window ---------------------------------------------------
# PRF's terms re-rank the first prf_window matches, each with the weight
# the AND_MAYBE(query, expansion) match gives it; the matches after the
# window keep the plain order and weights. "sleep": 13 matches (limit 10:
# no expanded hits may fill the page), feedback
# on, and it swaps the first two.
hits() { jv "$(get "$S" "/search?q=$(enc "$1")&fields=id,score$2")" "' '.join('%s=%.6f' % (h['id'], h['score']) for h in d['hits'])"; }
printf '[ranking]\nprf_window = 3\n' > "$T/w3.conf"
printf '[ranking]\nprf_docs = 0\n' > "$T/noprf.conf"
shards=$(hits sleep "&limit=10") # the 2-shard searchd above
serve w3
w3=$(hits sleep "&limit=10")
w3page=$(hits sleep "&limit=3&offset=2")
serve noprf
plain=$(hits sleep "&limit=10")
serve
full=$(hits sleep "&limit=10")
diag "sleep, no feedback: ${plain:0:200}"
diag "sleep, window 3:    ${w3:0:200}"
diag "sleep, window 100:  ${full:0:200}"
check() { python3 - "$plain" "$w3" "$full" "$w3page" "$shards" "$1" <<'PY'
import sys
plain, w3, full, page, shards = ([tuple(x.split("=")) for x in a.split()] for a in sys.argv[1:6])
what = sys.argv[6]
fullw = dict(full)
if what == "moved":
    ok = len(plain) == len(full) == 10 and [i for i, _ in plain[:3]] != [i for i, _ in full[:3]]
elif what == "window":
    ok = (sorted(i for i, _ in w3[:3]) == sorted(i for i, _ in plain[:3])
          and all(fullw[i] == w for i, w in w3[:3])
          and [float(w) for _, w in w3[:3]] == sorted((float(w) for _, w in w3[:3]), reverse=True))
elif what == "after":
    ok = len(w3) == len(plain) and w3[3:] == plain[3:]
elif what == "page":
    ok = page == w3[2:5]
elif what == "shards":
    ok = shards == full
sys.exit(0 if ok else 1)
PY
}
check moved
ok $? "feedback changes the first three of 'sleep' (or this section shows nothing)"
check window
ok $? "a window of 3: its articles re-ranked, each with the weight of the AND_MAYBE match"
check after
ok $? "a window of 3: the matches after it keep the plain order and scores"
check page
ok $? "a window of 3: offset 2, limit 3 is that list's slice"
check shards
ok $? "over 2 shards (the window's articles found by their id terms) the same hits and scores as one index"

# ---- the late boosts re-rank a window ---------------------------------------------
# The word as typed and its stem in titles and headings re-rank the first
# boost_window matches (50) instead of joining the match: where every
# match is in the window, hits and scores are those of boost_window = 0
# (the boosts joined), with feedback on and off; "total" is the same.
# "HbA1c" is also in zh/diabetes.txt, a Chinese article whose Latin words
# have no English stem: there the word as typed still matches.
printf '[ranking]\nboost_window = 0\n' > "$T/joined.conf"
printf '[ranking]\nboost_window = 0\nprf_docs = 0\n' > "$T/joined-noprf.conf"
printf '[ranking]\nboost_window = 2\nprf_docs = 0\n' > "$T/b2.conf"
lq=("sleeping" "heart attacks" "what is glaucoma" "the" "vitamins -iron" "title:sleep" "coughing children" "HbA1c" "blood sugar -HbA1c")
late_of() { local qq; for qq in "${lq[@]}"; do
    jv "$(get "$S" "/search?q=$(enc "$qq")&fields=id,score&limit=50")" "'%d %s' % (d['total'], ' '.join('%s=%.6f' % (h['id'], h['score']) for h in d['hits']))"
done; }
late=$(late_of)
for c in joined joined-noprf noprf; do
    serve "$c"
    printf -v "out_${c//-/_}" '%s' "$(late_of)"
done
joined=$out_joined joined_np=$out_joined_noprf late_np=$out_noprf
diag "late:   $(printf '%s' "$late" | head -1 | cut -c1-160)"
diag "joined: $(printf '%s' "$joined" | head -1 | cut -c1-160)"
[ -n "$late" ] && [ "$late" = "$joined" ] && [ "$(printf '%s\n' "$late" | grep -c '=')" = ${#lq[@]} ]
ok $? "${#lq[@]} queries: the late boosts give the joined boosts' hits, scores and totals"
[ -n "$late_np" ] && [ "$late_np" = "$joined_np" ] && [ "$late_np" != "$late" ]
ok $? "the same without feedback (prf_docs = 0)"
serve b2
b2=$(hits sleeping "&limit=10")
serve noprf
plain=$(hits sleeping "&limit=10")
serve
diag "sleeping, boost_window 2: ${b2:0:160}"
diag "sleeping, boost_window 50: ${plain:0:160}"
python3 - "$b2" "$plain" <<'PY'
import sys
b2, full = ([tuple(x.split("=")) for x in a.split()] for a in sys.argv[1:3])
fw = dict(full)
# the window's two re-ranked with their full weights; the rest keep the
# match's order, below them, with their weights without the boosts
ok = (len(b2) == len(full) >= 4 and all(fw[i] == w for i, w in b2[:2])
      and any(fw[i] != w for i, w in b2[2:]) and [float(w) for _, w in b2[2:]] == sorted((float(w) for _, w in b2[2:]), reverse=True))
sys.exit(0 if ok else 1)
PY
ok $? "a boost window of 2: its articles carry the boosts, the others follow in the match's order"

# ---- the client -------------------------------------------------------------------
printf 'q1\theart attack\nq2\tinsomina\n' > "$T/q.tsv"
"$BIN/search" --socket "$S" --run "$T/q.tsv" --k 5 --latency "$T/lat.tsv" > "$T/run.trec" &&
    [ "$(cut -f1 "$T/lat.tsv" | tr '\n' ' ')" = "q1 q2 " ] && ! grep -qvP '^q[12]\t[0-9]+\.[0-9]{6}$' "$T/lat.tsv"
ok $? "search --run --latency writes qid<TAB>seconds per query, in input order"
out=$("$BIN/search" --socket "$S" --color never insomina)
printf '%s\n' "$out" | grep -q "Showing results for insomnia; search instead for insomina"
ok $? "the client says which query it shows results for"

done_testing
