#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind.sh: memcheck over an indexer run on corpus/ and a short searchd
# session (/health, /metrics and, where they exist, /search, /related,
# /suggest, /doc with curl). Run on demand (slow), not by make check:
#
#   make && tests/valgrind.sh
#
# Needs a build without sanitizers (valgrind and ASan do not mix). Leaks
# counted: definitely and indirectly lost; "possibly lost" is listed but
# not counted (thread stacks and ICU's interior pointers show up there).
# Suppressions, each justified, for third-party libraries only:
# tests/valgrind.supp. Exit status 0 when both runs are clean.
set -u
cd "$(dirname "$0")/.."
BIN=build
command -v valgrind > /dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }
for p in indexer searchd; do
    [ -x "$BIN/$p" ] || { echo "valgrind.sh: $BIN/$p is missing: run make" >&2; exit 2; }
    if nm -D "$BIN/$p" 2>/dev/null | grep -q '__asan_init\|__tsan_init'; then
        echo "valgrind.sh: $BIN/$p is a sanitizer build: run make clean && make" >&2; exit 2
    fi
done
T=$(mktemp -d "${TMPDIR:-/tmp}/medsearch-valgrind.XXXXXX")
chmod 755 "$T"
SPID=
cleanup() {
    [ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
VG=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect --track-origins=yes --num-callers=30
    --suppressions=tests/valgrind.supp --error-exitcode=99)
# searchd allocates with mimalloc: memcheck replaces mimalloc's functions
# too (so leaks and bad accesses are still seen); its operator delete is
# seen as free(), so new/free pairs are not checked there.
VG_SEARCHD=(--soname-synonyms=somalloc=*mimalloc* --show-mismatched-frees=no)
bad=0

# Summary of one valgrind log: errors, leak lines; 1 when not clean.
report() {
    local name=$1 log=$2 rc=$3
    local errors def ind pos
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tail -1)
    def=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -1)
    ind=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -1)
    pos=$(sed -n 's/.*possibly lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -1)
    printf '%-8s exit %-3s errors %-4s definitely lost %-8s indirectly lost %-8s possibly lost %s\n' \
        "$name" "$rc" "${errors:-?}" "${def:-0}" "${ind:-0}" "${pos:-0}"
    if [ "${errors:-1}" != 0 ] || [ "$rc" != 0 ]; then
        echo "--- $name: first problems (full log: $log)"
        grep -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|Source and|Argument|[0-9,]+ bytes in)' -A 14 "$log" | head -120
        return 1
    fi
    return 0
}

# 1. The indexer over the sample corpus (every format, gzip, links, synonyms).
echo "valgrind.sh: indexer over corpus/ (a minute or two)"
"${VG[@]}" --log-file="$T/indexer.vg" "$BIN/indexer" --db "$T/db" --threads 2 corpus > "$T/indexer.out" 2>&1
rc=$?
report indexer "$T/indexer.vg" $rc || bad=1

# 1b. A first build of over 1 MB with two threads: two writers (side
# databases) merged by the compactor at the end.
echo "valgrind.sh: indexer, a first build with two writers (a few minutes)"
"$BIN/gencorpus" 2500 corpus > "$T/gen.jsonl"
"${VG[@]}" --log-file="$T/indexer2.vg" "$BIN/indexer" --db "$T/db2" --threads 2 -v "$T/gen.jsonl" \
    > "$T/indexer2.out" 2>&1
rc=$?
grep -q "2 writers" "$T/indexer2.out" || { echo "indexer2: not two writers"; bad=1; }
report indexer2 "$T/indexer2.vg" $rc || bad=1

# 2. searchd: start under valgrind, a few requests, SIGTERM.
echo "valgrind.sh: searchd session"
"${VG[@]}" "${VG_SEARCHD[@]}" --log-file="$T/searchd.vg" "$BIN/searchd" --db "$T/db" --socket "$T/s" --foreground --threads 2 \
    > "$T/searchd.out" 2>&1 &
SPID=$!
up=0
for ((i = 0; i < 300; i++)); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "$T/s" http://x/health)" = 200 ]; then up=1; break; fi
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.2
done
if [ $up = 0 ]; then
    echo "searchd did not come up under valgrind:"; cat "$T/searchd.out"; exit 1
fi
n=0 codes=
overflow="/search?q=heart$(printf '&%.0s' $(seq 500))" # 414: arguments overflow libmicrohttpd's pool
for path in /health /health /metrics "$overflow" \
    '/search?q=heart+attack' '/search?q=%22chest+pain%22+AND+angina&limit=3' '/search?q=covid-19+-influenza' \
    '/search?q=insomn*&category=sleep' '/search?q=slep+apnia' '/search?q=%E5%A4%B1%E7%9C%A0' \
    '/search?q=title%3Acancer+OR+melanoma&offset=2' '/search?q=%ZZ' '/search?q=a&q=b' \
    '/related?id=en/heart/hypertension.txt' '/suggest?q=hyp' '/doc?id=en/sleep/insomnia.txt' /nope; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 --unix-socket "$T/s" "http://x$path")
    codes="$codes $code"
    n=$((n + 1))
done
echo "  $n requests, statuses:$codes"
kill -TERM "$SPID"
wait "$SPID"
rc=$?
SPID=
report searchd "$T/searchd.vg" $rc || bad=1
[ $bad = 0 ] && echo "valgrind.sh: clean" || echo "valgrind.sh: problems found"
exit $bad
