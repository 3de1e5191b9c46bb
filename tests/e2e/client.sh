#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The `search` client: command line, exit statuses, the one clear line when
# searchd is not reachable (no socket, a dead socket, a socket that never
# answers), --run on bad input; and, when build/searchd can serve, answers
# from a real searchd on a temporary socket.
. "$(dirname "$0")/../lib.sh"
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
for _ in $(seq 50); do grep -q up "$T/mute.log" && break; sleep 0.1; done
start=$(date +%s%N)
"$S" --socket "$T/mute.sock" --timeout 0.5 heart > "$T/out" 2> "$T/err"
rc=$? ms=$((($(date +%s%N) - start) / 1000000))
[ $rc -eq 2 ] && [ "$(cat "$T/err")" = "search: searchd at $T/mute.sock did not answer within 0.5 s" ] && [ $ms -lt 5000 ]
ok $? "a searchd that never answers: exit 2 after --timeout (exit $rc, ${ms} ms: $(cat "$T/err"))"
kill $mute 2>/dev/null

# --run input errors.
"$S" --socket "$T/dead.sock" --run "$T/missing.tsv" > "$T/out" 2> "$T/err"
[ $? -eq 2 ] && grep -q "missing.tsv: No such file or directory" "$T/err"; ok $? "--run with a missing file: exit 2"

# --- against a real searchd ---
# The server helper's searchd answers /health; the other endpoints come
# later.  A searchd that cannot serve yet (placeholder) skips this part.
if ! "$BIN/searchd" --help 2>/dev/null | grep -q -- "--db"; then
    skip "real searchd" "build/searchd is a placeholder"
    done_testing; exit
fi
