#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The search box's two helpers on a real searchd over corpus/: "did you
# mean" corrects plain and phonetic slips (a neighbouring word decides),
# and keeps quiet on real words the index lacks (a rare medical term, a
# word hunspell inflects), numbers, ids, Chinese and absurdly long input;
# /suggest completes prefixes to the articles' topics and words, ranked
# by score (a title word that only leads into the next one counts less, a
# topic's stem twin is the topic, an adjective or verb comes after nouns;
# a misspelled prefix only when nothing completes it), and answers
# Chinese and over-long input sanely.
. "$(dirname "$0")/../lib.sh"
need curl python3
tmpdir
user=()
[ "$(id -u)" = 0 ] && user=(--user nobody)

"$BIN/indexer" --db "$T/db" --quiet "$ROOT/corpus" > "$T/indexer.log" 2>&1; ok $? "index corpus/"
sock=$T/s.sock
start_searchd "$T/db" "$sock" "${user[@]}"; ok $? "searchd answers /health"

# dym QUERY WANT: /search's did_you_mean.query is WANT ("" = none). correct=0:
# the suggestion itself, not the corrected rerun of a zero-hit query (plan.sh).
dym() {
    local q=$1 want=$2 got
    got=$(curl -s --max-time 30 --unix-socket "$sock" -G "http://x/search" --data-urlencode "q=$q" \
          --data-urlencode "limit=1" --data-urlencode "correct=0" --data-urlencode "fields=id,did_you_mean" |
          python3 -c 'import json,sys; d=json.load(sys.stdin).get("did_you_mean"); print(d["query"] if d else "")' 2>&1)
    [ "$got" = "$want" ]; ok $? "did you mean: '$q' -> '${want:-(none)}'$( [ "$got" = "$want" ] || echo " (got '$got')")"
}
dym "insomina" "insomnia"                           # two letters swapped
dym "conjunctivitus" "conjunctivitis"               # a vowel
dym "atrial fibrilation" "atrial fibrillation"      # a doubled letter left out
dym "hypertenshun" "hypertension"                   # phonetic: -sion as it sounds
dym "dehydrashun treatment" "dehydration treatment"
dym "Insomina and anxeity" "insomnia and anxiety"   # two words, the rest as typed
dym "insomnia" ""                                   # in the index
dym "dysphasia" ""                                  # a real word the index lacks: not dysphagia
dym "myelomeningocele" ""                           # a rare medical term from the word lists
dym "insomnias" ""                                  # an inflection hunspell knows
dym "b12 2024 covid-19 il-6" ""                     # numbers and ids
dym "xq7-4411" ""
dym "失眠" ""                                       # Chinese is not spell-checked
dym "zzqxv" ""                                      # nothing close: no guess

# very long input: answered (a 200 or a 4xx naming the limit), searchd lives
long=$(python3 -c 'print(" ".join(["insomina"] * 300))')
st=$(curl -s -o "$T/long.json" -w '%{http_code}' --max-time 60 --unix-socket "$sock" -G "http://x/search" \
     --data-urlencode "q=$long" --data-urlencode "fields=id,did_you_mean")
case $st in 200|413|414|422) ok 0 "300 misspelled words: answered ($st)" ;; *) ok 1 "300 misspelled words: status $st" ;; esac
many=$(python3 -c 'print(" ".join(["insomina", "anxeity", "conjunctivitus", "hypertenshun"] * 10))')
st=$(curl -s -o "$T/many.json" -w '%{http_code}' --max-time 60 --unix-socket "$sock" -G "http://x/search" \
     --data-urlencode "q=$many" --data-urlencode "correct=0" --data-urlencode "fields=id,did_you_mean")
[ "$st" = 200 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["did_you_mean"]; assert d["query"].startswith("insomnia anxiety conjunctivitis hypertension "), d' "$T/many.json"
ok $? "40 misspelled words: 200, the first ones corrected (a bounded number are tried)"
st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$sock" "http://x/health")
[ "$st" = 200 ]; ok $? "searchd still answers after the long query"

# ---- /suggest ----
# sug PREFIX PYTHON: the check on s (the suggestions' texts) and j (the reply)
sug() {
    local p=$1 code=$2
    curl -s --max-time 10 --unix-socket "$sock" -G "http://x/suggest" --data-urlencode "q=$p" \
         --data-urlencode "limit=5" > "$T/s.json"
    python3 -c "import json,sys
j = json.load(open(sys.argv[1])); s = [x['text'] for x in j['suggestions']]
$code" "$T/s.json" 2> "$T/py.err"
    ok $? "suggest '$p'$( [ -s "$T/py.err" ] && echo " ($(tail -1 "$T/py.err" | head -c 200))")"
}
sug "insom" "assert s[0] == 'insomnia', s"
sug "migr" "assert s[0] == 'migraine', s                      # the topic of 'Migraine: more than a bad headache'
assert j['suggestions'][0].get('topic') is True, j"
sug "hypert" "assert s[0] == 'hypertension', s"
sug "atrial fib" "assert s[0] == 'atrial fibrillation', s"
sug "conj" "assert 'conjunctivitis' in s[:2], s"
sug "dehyd" "assert s[0] == 'dehydration', s"
sug "a" "sc = [x['score'] for x in j['suggestions'] if x['kind'] != 'title']
assert sc == sorted(sc, reverse=True), j"
sug "失" "assert isinstance(s, list), j"
# nothing completes the last word: one slip undone, and "corrected" says so
sug "migrian" "assert s[0] == 'migraine' and j.get('corrected') == 'migrain', j"
sug "heart attak" "assert s[0] == 'heart attack' and j.get('corrected') == 'heart attac', j"
sug "hypertenshun" "assert s[0] == 'hypertension', j           # phonetic: -tion as it sounds"
sug "insom" "assert 'corrected' not in j, j                  # a prefix that completes is never respelled"
# one typed word: the word before longer names that go on from it
# ("depression is more than sadness" is a topic, but 'dep' wants 'depression')
sug "dep" "assert s[0] == 'depression', s"
sug "sle" "assert s[0] in ('sleep', 'sleepiness') and s.index('sleep') < s.index('sleep apnea'), s"
sug "zzqxv" "assert s == [], s"
st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$sock" -G "http://x/suggest" \
     --data-urlencode "q=$long")
case $st in 200|413|414|422) ok 0 "a long prefix: answered ($st)" ;; *) ok 1 "a long prefix: status $st" ;; esac
# ---- /suggest's candidates: each source keeps its own best ----
# 40 rare topics share the prefix "spa"; a common body word ("spasms", in
# 12 articles, no title) is still offered: the topics do not fill the
# candidate pool before the common score is computed.
stop_searchd
mkdir -p "$T/pool"
python3 -c 'import json
for i in range(1, 41):
    print(json.dumps({"id": "sp%d" % i, "focus": "Spastic paraplegia type %d" % i,
                      "title": "What is (are) Spastic paraplegia type %d ?" % i,
                      "text": "Spastic paraplegia type %d is a rare inherited disorder of the legs." % i}))
for i in range(1, 13):
    print(json.dumps({"id": "cr%d" % i, "title": "Cramps after exercise, note %d" % i,
                      "text": "Night cramps and muscle spasms can follow hard exercise; stretching helps."}))
for i in range(1, 13):
    print(json.dumps({"id": "wk%d" % i, "focus": "Walking", "title": "Note %d: daily walks" % i,
                      "text": "Daily walks keep the heart strong."}))
for i in range(1, 7):
    print(json.dumps({"id": "mk%d" % i, "focus": "Bones", "title": "Note %d: dairy for strong bones" % i,
                      "text": "Dairy gives calcium."}))
for i in range(1, 3):
    print(json.dumps({"id": "bl%d" % i, "focus": "Blister", "title": "Blister", "text": "A blister is a bubble of skin."}))
for i in range(1, 9):
    print(json.dumps({"id": "ft%d" % i, "focus": "Feet", "title": "Note %d: feet" % i,
                      "text": "New shoes give blisters."}))
for i in range(1, 11):
    print(json.dumps({"id": "hb%d" % i, "focus": "Heartbeat", "title": "Note %d: heartbeat" % i,
                      "text": "An irregular heartbeat needs a check."}))
for i in range(1, 7):
    print(json.dumps({"id": "cm%d" % i, "focus": "Mood", "title": "Note %d: mood" % i,
                      "text": "Irritability can come with poor sleep."}))' \
    > "$T/pool/pool.jsonl"
"$BIN/indexer" --db "$T/pooldb" --quiet "$T/pool/pool.jsonl" > "$T/pool/indexer.log" 2>&1; ok $? "index 96 generated articles"
start_searchd "$T/pooldb" "$sock" "${user[@]}"; ok $? "searchd over them answers /health"
sug "spa" "assert 'spasms' in s, s
assert set(s[:2]) == {'spasms', 'spastic'}, s  # one word typed: the words first, the 4-word topics after"
# a title word that leads into the next one is a modifier, not a subject:
# "daily" (12 titles, always "daily walks") comes after "dairy" (6 titles
# that end their phrase on it: "dairy for ..." is not going on to a word)
sug "dai" "assert s[:2] == ['dairy', 'daily'], s"
# a plain word whose stem twin is a topic is that topic too: "blisters"
# (8 articles) and the topic "blister" (2) are one thing to the index
sug "blis" "assert set(s[:2]) == {'blister', 'blisters'}, s
assert all(x.get('topic') for x in j['suggestions'][:2]), j"
# a word that names no thing (an adjective by hunspell's affix rules:
# irregular -> irregularly) comes after a noun used less
if [ -r /usr/share/hunspell/en_US.dic ] && [ -r /usr/share/hunspell/en_US.aff ]; then
    sug "irr" "assert s[:2] == ['irritability', 'irregular'], s"
else
    skip "suggest 'irr': a noun before an adjective" "hunspell's en_US is not installed"
fi
done_testing
