#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The `search` client: command line, exit statuses, the one clear line when
# searchd is not reachable (no socket, a dead socket, a socket that never
# answers), --run on bad input; and, when build/searchd can serve, answers
# from a real searchd on a temporary socket.
. "$(dirname "$0")/../lib.sh"
need curl python3 timeout cmp
tmpdir
S=$BIN/search

# --- help, version, usage errors (exit 2, one line on stderr) ---
"$S" --help > "$T/out" 2> "$T/err"; ok $? "--help exits 0"
grep -q "^Exit status: 0 results found" "$T/out" && [ ! -s "$T/err" ]; ok $? "--help documents the exit statuses"
"$S" --version | grep -q "^search (medsearch) "; ok $? "--version"

usage() {   # usage NAME ARGS...: exit 2, nothing on stdout, one line on stderr
    local name=$1; shift
    "$S" --socket "$T/none.sock" "$@" > "$T/out" 2> "$T/err"
    local rc=$?
    [ $rc -eq 2 ] && [ ! -s "$T/out" ] && [ "$(wc -l < "$T/err")" -eq 1 ] && grep -q '^search: ' "$T/err"
    ok $? "usage error: $name (exit $rc: $(head -c 120 "$T/err"))"
}
usage "no query"
usage "blank query" "  "
usage "--limit not a number" --limit abc heart
usage "--limit 0" --limit 0 heart
usage "unknown option" --frobnicate heart
usage "option without its argument" --doc
usage "--doc with --related" --doc a --related b
usage "--suggest with extra words" --suggest heart att
usage "--run with --json" --run "$T/q.tsv" --json
usage "--k without --run" --k 5 heart
usage "--color value" --color purple heart
usage "--timeout value" --timeout 0 heart
usage "--tag with a space" --run - --tag "a b"

# --- searchd not reachable: exit 2, the one clear line ---
unreachable() {   # unreachable NAME SOCKET REASON ARGS...
    local name=$1 sock=$2 reason=$3; shift 3
    "$@" > "$T/out" 2> "$T/err"
    local rc=$?
    local want="search: cannot connect to searchd at $sock: $reason (is searchd running? set --socket or MEDSEARCH_SOCKET)"
    [ $rc -eq 2 ] && [ ! -s "$T/out" ] && [ "$(cat "$T/err")" = "$want" ]
    ok $? "$name: exit 2 and one clear line (exit $rc: $(head -c 160 "$T/err"))"
}
unreachable "no socket file" "$T/none.sock" "No such file or directory" "$S" --socket "$T/none.sock" heart attack
unreachable "MEDSEARCH_SOCKET" "$T/env.sock" "No such file or directory" env MEDSEARCH_SOCKET="$T/env.sock" "$S" heart
unreachable "--socket wins over MEDSEARCH_SOCKET" "$T/flag.sock" "No such file or directory" \
    env MEDSEARCH_SOCKET="$T/env.sock" "$S" --socket "$T/flag.sock" heart
unreachable "default ./medsearch.sock" "./medsearch.sock" "No such file or directory" \
    bash -c 'cd "$1" && env -u MEDSEARCH_SOCKET "$2" heart' _ "$T" "$S"
touch "$T/file.sock"
unreachable "a regular file" "$T/file.sock" "not a socket" "$S" --socket "$T/file.sock" heart
long=$T/$(printf 'x%.0s' {1..120}).sock
unreachable "path longer than sun_path" "$long" "socket path too long (max 107 bytes)" "$S" --socket "$long" heart

# The socket from the config file: [client] socket, else [searchd] socket;
# MEDSEARCH_SOCKET and --socket win over it.  A broken file: exit 2.
printf '[client]\nsocket = %s\n[searchd]\nsocket = %s\n' "$T/client.sock" "$T/daemon.sock" > "$T/c1.conf"
printf '[searchd]\nsocket = %s\n' "$T/daemon.sock" > "$T/c2.conf"
printf '[client]\nsockt = x\n' > "$T/c3.conf"
unreachable "[client] socket of --config" "$T/client.sock" "No such file or directory" \
    env -u MEDSEARCH_SOCKET "$S" --config "$T/c1.conf" heart
unreachable "[searchd] socket of --config" "$T/daemon.sock" "No such file or directory" \
    env -u MEDSEARCH_SOCKET "$S" --config "$T/c2.conf" heart
unreachable "MEDSEARCH_SOCKET wins over --config" "$T/env.sock" "No such file or directory" \
    env MEDSEARCH_SOCKET="$T/env.sock" "$S" --config "$T/c1.conf" heart
"$S" --config "$T/c3.conf" heart > "$T/out" 2> "$T/err"
[ $? -eq 2 ] && [ "$(cat "$T/err")" = "search: $T/c3.conf:2: sockt: unknown key in [client]" ]
ok $? "a bad --config: exit 2 naming file:line and key ($(cat "$T/err"))"
"$S" --config "$T/missing.conf" heart > "$T/out" 2> "$T/err"
[ $? -eq 2 ] && grep -q "missing.conf" "$T/err"; ok $? "a missing --config: exit 2"

# A socket file nobody listens on (left by a dead daemon): refused.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/dead.sock"
unreachable "dead socket" "$T/dead.sock" "Connection refused" "$S" --socket "$T/dead.sock" heart
unreachable "dead socket, --doc" "$T/dead.sock" "Connection refused" "$S" --socket "$T/dead.sock" --doc x
printf '1\theart attack\n' > "$T/q.tsv"
unreachable "dead socket, --run" "$T/dead.sock" "Connection refused" "$S" --socket "$T/dead.sock" --run "$T/q.tsv"
unreachable "dead socket, --run --parallel 4" "$T/dead.sock" "Connection refused" \
    "$S" --socket "$T/dead.sock" --run "$T/q.tsv" --parallel 4

# A socket that accepts connections but never answers: --timeout.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
print("up", flush=True); time.sleep(60)' "$T/mute.sock" > "$T/mute.log" &
mute=$!
on_exit "kill $mute 2>/dev/null"
for _ in $(seq 600); do grep -q up "$T/mute.log" && break; sleep 0.1; done
start=$(date +%s%N)
"$S" --socket "$T/mute.sock" --timeout 0.5 heart > "$T/out" 2> "$T/err"
rc=$? ms=$((($(date +%s%N) - start) / 1000000))
[ $rc -eq 2 ] && [ "$(cat "$T/err")" = "search: searchd at $T/mute.sock did not answer within 0.5 s" ] && [ $ms -lt 30000 ]
ok $? "a searchd that never answers: exit 2 after --timeout (exit $rc, ${ms} ms: $(cat "$T/err"))"
kill $mute 2>/dev/null

# --run input errors.
"$S" --socket "$T/dead.sock" --run "$T/missing.tsv" > "$T/out" 2> "$T/err"
[ $? -eq 2 ] && grep -q "missing.tsv: No such file or directory" "$T/err"; ok $? "--run with a missing file: exit 2"

# --- against a real searchd ---
# Needs the real indexer and searchd (placeholders skip).  Each endpoint is
# probed first: one that the router does not know yet (404 for a valid
# request) must make the client report searchd's error and exit 3.
# ENDPOINT-MISSING asserts: they change once the endpoint exists.
if ! "$BIN/searchd" --help 2>/dev/null | grep -q -- "--db" ||
   ! "$BIN/indexer" --help 2>/dev/null | grep -q -- "--db"; then
    skip "real searchd" "build/searchd or build/indexer is still a placeholder"
    done_testing; exit
fi
cat > "$T/mini.jsonl" <<'JSONL'
{"id": "sleep/hypnic-jerk", "url": "https://example.org/hypnic-jerk", "title": "Hypnic jerk: why the body shakes when falling asleep", "category": "sleep", "lang": "en", "body": "A hypnic jerk is a sudden twitch of the body that happens when falling asleep. The body shakes for a moment and the sleeper wakes up. Stress, caffeine & tiredness make these sleep starts more frequent.", "related": ["sleep/insomnia"]}
{"id": "sleep/insomnia", "url": "https://example.org/insomnia", "title": "Insomnia", "category": "sleep", "lang": "en", "body": "Insomnia is trouble falling asleep or staying asleep. Good sleep habits help; stress and caffeine make insomnia worse."}
{"id": "heart/mi", "url": "https://example.org/mi", "title": "Myocardial infarction", "category": "heart", "lang": "en", "body": "A myocardial infarction happens when blood flow to part of the heart muscle stops. Chest pain is the usual sign."}
JSONL
"$BIN/indexer" --db "$T/db" --quiet "$T/mini.jsonl" > "$T/indexer.log" 2>&1; ok $? "index three articles"
sock=$T/s.sock
start_searchd "$T/db" "$sock"; ok $? "searchd answers /health"
probe() { req "$sock" "$1"; [ "$STATUS" != 404 ]; }   # 0: the endpoint exists
missing() {   # missing NAME ARGS...: ENDPOINT-MISSING: exit 3 with searchd's error
    local name=$1; shift
    "$S" --socket "$sock" "$@" > "$T/out" 2> "$T/err"
    local rc=$?
    [ $rc -eq 3 ] && grep -q "searchd: .*(HTTP 404)$" "$T/err"
    ok $? "ENDPOINT-MISSING $name: client reports searchd's 404 and exits 3 (exit $rc: $(head -c 160 "$T/err"))"
}
# /search
if probe "/search?q=sleep"; then
    "$S" --socket "$sock" body shakes when falling asleep > "$T/out" 2> "$T/err"
    ok $? "search: exit 0 with results"
    head -1 "$T/out" | grep -qx "1. Hypnic jerk: why the body shakes when falling asleep"
    ok $? "search: the hypnic-jerk article first, plain title (no colour in a pipe): $(head -1 "$T/out")"
    grep -q "^[0-9]* results\?.*(took [0-9.]* ms)" "$T/out"; ok $? "search: the total line"
    ! grep -q $'\033\|<mark>\|&amp;' "$T/out"; ok $? "search: no escape sequence, <mark> or entity when piped"
    "$S" --socket "$sock" --color always body shakes > "$T/out"
    grep -q $'\033\\[1;33m' "$T/out"; ok $? "search --color always: highlighted matches"
    "$S" --socket "$sock" --json body shakes > "$T/out"
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["hits"][0]["id"]=="sleep/hypnic-jerk"' "$T/out"
    ok $? "search --json: searchd's JSON"
    "$S" --socket "$sock" zzzqqqxxx > "$T/out" 2> "$T/err"
    [ $? -eq 1 ] && grep -q "^0 results" "$T/out"; ok $? "search without hits: exit 1, 0 results"
    # --run: header skipped, TREC lines, an over-long query warned about
    # with its qid (exit 3) while the others are answered.
    {
        printf 'query-id\ttext\n'
        printf 'q1\tbody shakes when falling asleep\n\n'
        printf 'q2\t%s\n' "$(head -c 100000 /dev/zero | tr '\0' a)"
        printf 'q3\tinsomnia sleep\n'
    } > "$T/q.tsv"
    "$S" --socket "$sock" --run "$T/q.tsv" --k 2 --tag t1 > "$T/run" 2> "$T/err"
    rc=$?
    [ $rc -eq 3 ] && grep -q "query q2 (line 4)" "$T/err"; ok $? "--run: a failing query is warned about by qid, exit 3 (exit $rc)"
    awk 'NF != 6 || $2 != "Q0" || $6 != "t1" { exit 1 }
         $1 == q && ($4 != r + 1 || $5 >= s) { exit 1 }
         { q = $1; r = $4; s = $5 }' "$T/run" && [ "$(cut -d' ' -f1 "$T/run" | uniq | tr '\n' ' ')" = "q1 q3 " ] &&
        [ "$(head -1 "$T/run" | cut -d' ' -f3)" = sleep/hypnic-jerk ] && [ "$(grep -c '^q1 ' "$T/run")" -le 2 ]
    ok $? "--run: a TREC run, header skipped, ranks rise, scores fall, at most K"
    "$S" --socket "$sock" --run - --k 2 --tag t1 --parallel 4 < "$T/q.tsv" > "$T/run4" 2> /dev/null
    cmp -s "$T/run" "$T/run4"; ok $? "--run --parallel 4: the same run, in input order"
else
    missing "/search" body shakes
    missing "/search (--run)" --run "$T/q.tsv"
fi
# /doc
if probe "/doc?id=sleep%2Fhypnic-jerk"; then
    "$S" --socket "$sock" --doc sleep/hypnic-jerk > "$T/out"
    [ $? -eq 0 ] && head -1 "$T/out" | grep -q "^Hypnic jerk"; ok $? "--doc: the article"
    "$S" --socket "$sock" --doc no/such/id > "$T/out" 2> "$T/err"
    [ $? -eq 1 ] && grep -q "no article with id 'no/such/id'" "$T/err"; ok $? "--doc unknown id: exit 1"
else
    missing "/doc" --doc sleep/hypnic-jerk
fi
# /related
if probe "/related?id=sleep%2Fhypnic-jerk"; then
    "$S" --socket "$sock" --related sleep/hypnic-jerk > "$T/out"
    [ $? -eq 0 ] && grep -q "sleep/insomnia" "$T/out" && ! grep -q "sleep/hypnic-jerk$" "$T/out"
    ok $? "--related: the linked article, never the seed"
else
    missing "/related" --related sleep/hypnic-jerk
fi
# /suggest
if probe "/suggest?q=insom"; then
    "$S" --socket "$sock" --suggest insom > "$T/out"
    [ $? -eq 0 ] && grep -q "^insomnia" "$T/out"; ok $? "--suggest: a completion per line"
else
    missing "/suggest" --suggest insom
fi
stop_searchd
unreachable "searchd stopped" "$sock" "No such file or directory" "$S" --socket "$sock" heart
done_testing
