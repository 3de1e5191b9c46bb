# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh: sourced by the shell tests.  TAP output and helpers for starting
# a real searchd on a temporary socket.
#   ok COND-EXIT-STATUS NAME   e.g.  ok $? "indexes 40 articles"
#   check NAME CMD...          runs CMD; ok if it succeeds
#   skip NAME WHY
#   tmpdir                     sets $T to a fresh directory removed at exit
set -u
ROOT=${MEDSEARCH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BIN=$ROOT/build
SHARED=${MEDSEARCH_SHARED:-$ROOT/../shared}
_tap_n=0
_tap_fail=0
ok() {
    _tap_n=$((_tap_n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2"; else echo "not ok $_tap_n - $2"; _tap_fail=$((_tap_fail + 1)); fi
}
check() { local name=$1; shift; "$@"; ok $? "$name"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $1: $2"; }
diag() { echo "# $*"; }
tmpdir() {
    T=$(mktemp -d "${TMPDIR:-/tmp}/medsearch-test.XXXXXX")
    # searchd started as root serves as nobody: it must read the index here
    chmod 755 "$T"
    trap '_cleanup' EXIT
}
_cleanup_hooks=()
on_exit() { _cleanup_hooks+=("$1"); }
_cleanup() {
    local h
    for h in "${_cleanup_hooks[@]+"${_cleanup_hooks[@]}"}"; do eval "$h" || true; done
    [ -n "${T:-}" ] && rm -rf "$T"
}
# need CMD...: the commands this script runs.  A missing one is a failure
# (never a quiet skip) naming the command and the Debian package that has
# it (scripts/packages.txt, which scripts/deps.sh installs).
need() {
    local c pkg missing=0
    for c in "$@"; do
        command -v "$c" > /dev/null 2>&1 && continue
        pkg=$(awk -v c="$c" '($1 == "cmd" || $1 == "tool") && ($2 == c || $2 ~ "/" c "$") { print $3; exit }' "$ROOT/scripts/packages.txt")
        ok 1 "need $c: command not found (Debian package ${pkg:-unknown, add it to scripts/packages.txt}; run scripts/deps.sh)"
        missing=1
    done
    if [ $missing -ne 0 ]; then done_testing; exit 1; fi
}
done_testing() { echo "1..$_tap_n"; [ $_tap_fail -eq 0 ]; }

# start_searchd DB SOCKET [args...]: start build/searchd in the foreground
# (background job), wait for /health = 200 (up to 120 s: a busy machine is
# not a failure), set SEARCHD_PID.
start_searchd() {
    local db=$1 sock=$2; shift 2
    "$BIN/searchd" --db "$db" --socket "$sock" --foreground "$@" > "$T/searchd.log" 2>&1 &
    SEARCHD_PID=$!
    on_exit "stop_searchd"
    local deadline=$((SECONDS + 120))
    while [ $SECONDS -lt $deadline ]; do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$sock" http://x/health)" = 200 ]; then
            return 0
        fi
        kill -0 "$SEARCHD_PID" 2>/dev/null || { diag "searchd died:"; sed 's/^/# /' "$T/searchd.log"; return 1; }
        sleep 0.1
    done
    diag "searchd did not answer /health"; return 1
}
# stop_searchd: SIGTERM, and one more TAP line: searchd exited with status
# 0 and no sanitizer report (leaks at exit, data races) in its log.
stop_searchd() {
    [ -n "${SEARCHD_PID:-}" ] || return 0
    kill -TERM "$SEARCHD_PID" 2>/dev/null
    local i rc
    for ((i = 0; i < 600; i++)); do kill -0 "$SEARCHD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SEARCHD_PID" 2>/dev/null
    wait "$SEARCHD_PID" 2>/dev/null
    rc=$?
    SEARCHD_PID=
    if [ $rc -ne 0 ] || grep -q 'Sanitizer' "$T/searchd.log" 2>/dev/null; then
        sed 's/^/# /' "$T/searchd.log" | tail -40
        ok 1 "searchd exited cleanly (status $rc)"
    fi
}
# req SOCKET PATH-AND-QUERY: sets BODY and STATUS in this shell (call it
# directly, not in $(...)).
req() {
    local out
    out=$(curl -s --max-time 10 --unix-socket "$1" -w '\n%{http_code}' "http://x$2")
    STATUS=${out##*$'\n'}
    BODY=${out%$'\n'*}
}
# get SOCKET PATH-AND-QUERY: the body on stdout (status: use req).
get() { curl -s --max-time 10 --unix-socket "$1" "http://x$2"; }
# live DIR: the database an index directory serves (its stub's generation,
# or DIR itself); meta DIR KEY: a metadata value of it; postings DIR TERM:
# how many articles hold TERM (empty: none)
live() { if [ -f "$1/XAPIANDB" ]; then echo "$1/$(awk '{print $2}' "$1/XAPIANDB")"; else echo "$1"; fi; }
meta() { "$BIN/setmeta" "$(live "$1")" "$2"; }
postings() { xapian-delve -t "$2" "$(live "$1")" 2>/dev/null | sed -n 's/^Posting List for term.*(termfreq \([0-9]*\),.*/\1/p'; }
