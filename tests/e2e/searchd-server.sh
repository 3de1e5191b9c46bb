#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# searchd's core on a real socket over a real index (built by mkdb): health,
# metrics, errors, hostile requests, socket hygiene, signals, connection
# pressure, privilege dropping, TCP and socket activation.
. "$(dirname "$0")/../lib.sh"
need curl python3 pgrep stat
tmpdir

# As root, searchd refuses to start without --user; tests run as root
# say so explicitly (one test below checks the refusal and the drop).
ASROOT=()
[ "$(id -u)" = 0 ] && ASROOT=(--user root)

# jget KEY.SUB...: a field of the JSON on stdin ("" if absent).
jget() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else v)' "$1"; }
# req SOCKET PATH: sets STATUS and BODY (in this shell, not a subshell).
req() {
    local out
    out=$(curl -s --max-time 10 --unix-socket "$1" -w '\n%{http_code}' "http://x$2")
    STATUS=${out##*$'\n'}
    BODY=${out%$'\n'*}
}
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$1" "http://x$2"; }

"$BIN/mkdb" "$T/db" 25 || { echo "Bail out! mkdb failed"; exit 1; }
S=$T/s.sock
start_searchd "$T/db" "$S" --threads 2 "${ASROOT[@]}"
ok $? "searchd starts and answers /health"

req "$S" /health
[ "$STATUS" = 200 ] && [ "$(jget documents <<< "$BODY")" = 25 ] && [ "$(jget status <<< "$BODY")" = ok ] \
    && [ "$(jget revision <<< "$BODY")" = 1 ] && [ -n "$(jget uptime_s <<< "$BODY")" ]
ok $? "/health: 200 with 25 documents, revision 1, uptime"

[ "$(curl -s -o /dev/null -w '%{http_code}' -I --unix-socket "$S" http://x/health)" = 200 ]
ok $? "HEAD /health: 200"

# keep-alive: two requests on one connection
n=$(curl -s -v --unix-socket "$S" http://x/health http://x/health 2>&1 | grep -c 'Re-using existing connection')
[ "$n" -ge 1 ]
ok $? "keep-alive: the second request reuses the connection"

req "$S" /nope
[ "$STATUS" = 404 ] && [ "$(jget error.type <<< "$BODY")" = not_found ] && [ "$(jget error.status <<< "$BODY")" = 404 ]
ok $? "unknown path: 404 JSON not_found"

hdr=$(curl -s -i -X POST --unix-socket "$S" -d 'x=1' http://x/health)
grep -q '^HTTP/1.1 405' <<< "$hdr" && grep -qi '^Allow: GET, HEAD' <<< "$hdr" && grep -q '"type":"method"' <<< "$hdr"
ok $? "POST: 405 with Allow: GET, HEAD"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE --unix-socket "$S" http://x/nope)" = 405 ]
ok $? "DELETE on an unknown path: 405"

body=$(curl -s -w '\n%{http_code}' -X GET -H 'Content-Type: text/plain' --data-binary 'hello' --unix-socket "$S" http://x/health)
[ "${body##*$'\n'}" = 400 ] && grep -q 'must not have a body' <<< "$body"
ok $? "a body on GET: 400"

req "$S" '/health?q=ab%zzc'
[ "$STATUS" = 400 ] && [ "$(jget error.param <<< "$BODY")" = q ] && grep -q 'percent-encoding' <<< "$BODY"
ok $? "bad percent-encoding: 400 naming the parameter"
req "$S" '/health?q=%4'
[ "$STATUS" = 400 ]
ok $? "truncated percent-encoding: 400"
req "$S" '/health?q=%C3%28'
[ "$STATUS" = 400 ] && grep -q 'UTF-8' <<< "$BODY" && [ "$(jget error.param <<< "$BODY")" = q ]
ok $? "invalid UTF-8: 400"
req "$S" '/health?q=%ED%A0%80'
[ "$STATUS" = 400 ]
ok $? "UTF-8 surrogate: 400"
req "$S" '/health?q=a%00b'
[ "$STATUS" = 400 ] && grep -q 'NUL' <<< "$BODY"
ok $? "NUL (%00): 400"
req "$S" '/health?q=1&q=2'
[ "$STATUS" = 400 ] && grep -q 'twice' <<< "$BODY"
ok $? "duplicate parameter: 400"
[ "$(status_of "$S" '/health?q=%E5%BF%83%E8%84%8F+x&&y')" = 200 ]
ok $? "valid UTF-8, '+' and empty segments: 200"

long=$(head -c 16384 /dev/zero | tr '\0' a)
code=$(status_of "$S" "/health?q=$long")
[[ "$code" == 4* ]]
ok $? "16 KB URL: 4xx ($code)"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: ${long:0:10000}" --unix-socket "$S" http://x/health)
[[ "$code" == 4* ]]
ok $? "10 KB header: 4xx ($code)"
code=$(status_of "$S" "/health?q=${long:0:9000}")
[ "$code" = 413 ]
ok $? "9 KB URL over max_request_bytes: 413 ($code)"
[ "$(status_of "$S" /health)" = 200 ]
ok $? "still healthy after oversize requests"

m=$(curl -s --unix-socket "$S" http://x/metrics)
grep -q '^medsearch_requests_total{endpoint="health",code="200"} [1-9]' <<< "$m" &&
    grep -q '^medsearch_requests_total{endpoint="other",code="404"} 1$' <<< "$m" &&
    grep -q '^medsearch_requests_total{endpoint="health",code="400"} [1-9]' <<< "$m" &&
    grep -q '^medsearch_request_duration_seconds_bucket{endpoint="health",le="+Inf"} [1-9]' <<< "$m" &&
    grep -q '^medsearch_request_duration_seconds_count{endpoint="health"}' <<< "$m" &&
    grep -q '^medsearch_index_documents 25$' <<< "$m" && grep -q '^medsearch_index_revision 1$' <<< "$m" &&
    grep -q '^medsearch_uptime_seconds ' <<< "$m"
ok $? "/metrics: counters by endpoint and code, histogram, index documents and revision"
curl -s -i --unix-socket "$S" http://x/metrics | grep -qi '^Content-Type: text/plain; version=0.0.4'
ok $? "/metrics: Prometheus content type"

[ "$(stat -c %a "$S")" = 660 ]
ok $? "socket mode 0660 by default"

# A second searchd on the live socket refuses and leaves it alone.
"$BIN/searchd" --db "$T/db" --socket "$S" --foreground "${ASROOT[@]}" > "$T/second.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q 'already answering' "$T/second.log" && [ "$(status_of "$S" /health)" = 200 ]
ok $? "a second searchd on a live socket refuses (exit $rc), the first keeps serving"

# The index is swapped under the running daemon (as indexer --rebuild does).
"$BIN/mkdb" "$T/db" 30 > /dev/null
req "$S" /health
[ "$(jget documents <<< "$BODY")" = 30 ]
ok $? "an atomic index swap is followed (30 documents)"

# The index disappears: 503, then it comes back: 200.
mv "$T/db" "$T/db.away"
req "$S" /health
[ "$STATUS" = 503 ] && [ "$(jget error.type <<< "$BODY")" = unavailable ]
ok $? "index gone: 503 unavailable"
mv "$T/db.away" "$T/db"
req "$S" /health
[ "$STATUS" = 200 ] && [ "$(jget documents <<< "$BODY")" = 30 ]
ok $? "index back: 200 again"

kill -HUP "$SEARCHD_PID"
sleep 0.3
kill -0 "$SEARCHD_PID" && [ "$(status_of "$S" /health)" = 200 ] && grep -q 'SIGHUP' "$T/searchd.log"
ok $? "SIGHUP: reloads and keeps serving"

# 200 idle connections, then /health still answers.
python3 - "$S" > "$T/idle.out" 2>&1 <<'EOF' &
import socket, sys, time
conns = []
for _ in range(200):
    c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1]); conns.append(c)
print("open", flush=True)
time.sleep(3)
EOF
idle=$!
for _ in $(seq 600); do grep -q open "$T/idle.out" 2>/dev/null && break; sleep 0.1; done
grep -q open "$T/idle.out" && [ "$(status_of "$S" /health)" = 200 ]
ok $? "200 idle connections open: /health still answers"
wait $idle

# SIGTERM: exit 0 and the socket is gone.
kill -TERM "$SEARCHD_PID"
wait "$SEARCHD_PID"
rc=$?
SEARCHD_PID=
[ $rc = 0 ] && [ ! -e "$S" ]
ok $? "SIGTERM: exit 0 (got $rc) and the socket is removed"

# A stale socket (nobody listening) is replaced.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/stale.sock"
[ -S "$T/stale.sock" ] && start_searchd "$T/db" "$T/stale.sock" --socket-mode 0600 "${ASROOT[@]}" &&
    [ "$(status_of "$T/stale.sock" /health)" = 200 ]
ok $? "a stale socket file is replaced"
[ "$(stat -c %a "$T/stale.sock")" = 600 ]
ok $? "--socket-mode 0600 is honoured"
stop_searchd

# A regular file at the socket path is refused and left intact.
echo "precious" > "$T/file.sock"
"$BIN/searchd" --db "$T/db" --socket "$T/file.sock" --foreground "${ASROOT[@]}" > "$T/file.log" 2>&1
rc=$?
[ $rc = 2 ] && [ "$(cat "$T/file.sock")" = precious ] && grep -q 'not a socket' "$T/file.log"
ok $? "a regular file at the socket path: refused (exit $rc), left intact"

longpath=$T/$(head -c 120 /dev/zero | tr '\0' x).sock
"$BIN/searchd" --db "$T/db" --socket "$longpath" --foreground "${ASROOT[@]}" > "$T/long.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q 'too long' "$T/long.log"
ok $? "a socket path longer than sun_path: clear error, exit 2 ($rc)"

"$BIN/searchd" --db "$T/nodb" --socket "$T/n.sock" --foreground "${ASROOT[@]}" > "$T/nodb.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q 'cannot open index' "$T/nodb.log" && [ ! -e "$T/n.sock" ]
ok $? "an index that cannot be opened at start-up: exit 2, socket removed"

printf '[searchd]\nthreads = lots\n' > "$T/bad.conf"
"$BIN/searchd" --config "$T/bad.conf" --db "$T/db" --socket "$T/c.sock" --foreground > "$T/conf.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "bad.conf:2: threads: 'lots' is not an integer" "$T/conf.log"
ok $? "a bad config: exit 2 with file:line: key"

# Daemon mode: the command returns once the daemon serves.
# Once serving it logs to --log FILE (and lets go of the caller's stderr).
"$BIN/searchd" --db "$T/db" --socket "$T/d.sock" --log "$T/daemon.log" "${ASROOT[@]}"
rc=$?
for _ in $(seq 600); do grep -q 'ready: ' "$T/daemon.log" && break; sleep 0.1; done
dpid=$(sed -n 's/.*ready: .*(pid \([0-9]*\)).*/\1/p' "$T/daemon.log")
[ $rc = 0 ] && [ "$(status_of "$T/d.sock" /health)" = 200 ] && [ -n "$dpid" ]
ok $? "without --foreground: returns 0 once serving, daemon pid $dpid"
[ -n "$dpid" ] && kill -TERM "$dpid"
for _ in $(seq 600); do [ -e "$T/d.sock" ] || break; sleep 0.1; done
[ ! -e "$T/d.sock" ]
ok $? "the daemon stops on SIGTERM and removes its socket"

# TCP: loopback works, a remote address is refused unless allowed.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_searchd "$T/db" "$T/t.sock" --tcp "127.0.0.1:$port" "${ASROOT[@]}" &&
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" = 200 ]
ok $? "--tcp 127.0.0.1:$port serves /health"
stop_searchd
"$BIN/searchd" --db "$T/db" --socket "$T/t2.sock" --tcp "0.0.0.0:$port" --foreground "${ASROOT[@]}" > "$T/tcp.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q 'not loopback' "$T/tcp.log"
ok $? "--tcp 0.0.0.0 refused without tcp_allow_remote (exit $rc)"

# systemd socket activation: the socket comes in as fd 3.
python3 - "$BIN/searchd" "$T/db" "$T/act.sock" "${ASROOT[@]}" > "$T/act.log" 2>&1 <<'EOF' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[3]); s.listen(16)
if s.fileno() != 3: os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[1], [sys.argv[1], "--db", sys.argv[2], "--foreground"] + sys.argv[4:])
EOF
apid=$!
for _ in $(seq 600); do [ "$(status_of "$T/act.sock" /health)" = 200 ] && break; sleep 0.1; done
[ "$(status_of "$T/act.sock" /health)" = 200 ] && grep -q 'socket activation' "$T/act.log"
ok $? "systemd socket activation (LISTEN_FDS, fd 3)"
kill -TERM $apid
wait $apid
ok $? "socket-activated searchd exits 0 on SIGTERM"

# Out of file descriptors: no crash, no spin, recovery once clients leave.
(ulimit -n 48; exec "$BIN/searchd" --db "$T/db" --socket "$T/fd.sock" --threads 2 --foreground "${ASROOT[@]}") > "$T/fd.log" 2>&1 &
fpid=$!
for _ in $(seq 600); do [ "$(status_of "$T/fd.sock" /health)" = 200 ] && break; sleep 0.1; done
python3 - "$T/fd.sock" > "$T/hog.out" 2>&1 <<'EOF' &
import socket, sys, time
conns = []
for _ in range(120):
    try:
        c = socket.socket(socket.AF_UNIX); c.settimeout(2); c.connect(sys.argv[1]); conns.append(c)
    except OSError:
        pass
print("hogging", len(conns), flush=True)
time.sleep(3)
EOF
hog=$!
for _ in $(seq 600); do grep -q hogging "$T/hog.out" 2>/dev/null && break; sleep 0.1; done
cpu() { awk '{print $14 + $15}' "/proc/$fpid/stat"; }
c0=$(cpu); sleep 1.5; c1=$(cpu)
ticks=$((c1 - c0))
diag "cpu ticks while out of descriptors: $ticks ($(cat "$T/hog.out"))"
[ "$ticks" -lt 50 ]
ok $? "out of descriptors: searchd does not spin ($ticks ticks in 1.5 s)"
wait $hog
grep -m2 'libmicrohttpd' "$T/fd.log" | sed 's/^/# /'
ok_health=1
for _ in $(seq 600); do [ "$(status_of "$T/fd.sock" /health)" = 200 ] && { ok_health=0; break; }; sleep 0.2; done
kill -0 $fpid && [ $ok_health = 0 ]
ok $? "out of descriptors: recovers and answers once clients leave"
kill -TERM $fpid
wait $fpid
ok $? "and exits 0 on SIGTERM"

# Root: never serves as root. Without --user the serving child drops to
# nobody; the root parent only forwards signals and removes the socket.
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
    chmod 755 "$T"
    "$BIN/searchd" --db "$T/db" --socket "$T/r.sock" --foreground > "$T/root.log" 2>&1 &
    rpid=$!
    for _ in $(seq 600); do [ "$(status_of "$T/r.sock" /health)" = 200 ] && break; sleep 0.1; done
    child=$(pgrep -P $rpid | head -1)
    [ -n "$child" ] && [ "$(awk '/^Uid:/ {print $2 $3}' "/proc/$child/status")" = "$(id -u nobody)$(id -u nobody)" ] &&
        [ "$(status_of "$T/r.sock" /health)" = 200 ]
    ok $? "as root without --user: serves as nobody (child $child of root parent $rpid)"
    kill -TERM $rpid; wait $rpid; rc=$?
    [ $rc = 0 ] && [ ! -e "$T/r.sock" ]
    ok $? "SIGTERM to the root parent: exit $rc, socket removed"
    start_searchd "$T/db" "$T/u.sock" --user nobody
    child=$(pgrep -P "$SEARCHD_PID" | head -1)
    [ -n "$child" ] && [ "$(awk '/^Uid:/ {print $2 $3}' "/proc/$child/status")" = "$(id -u nobody)$(id -u nobody)" ] &&
        [ "$(status_of "$T/u.sock" /health)" = 200 ]
    ok $? "as root with --user nobody: binds, drops to nobody, serves"
    stop_searchd
else
    skip "privilege drop" "not running as root (or no user nobody)"
    skip "privilege drop" "not running as root (or no user nobody)"
    skip "privilege drop" "not running as root (or no user nobody)"
fi

done_testing
