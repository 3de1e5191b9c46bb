#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# searchd's security promises (docs/protocol.md, Security): the socket has
# its configured mode and group from the first moment anyone can connect;
# other files at the socket path are refused and left alone; sun_path
# overflow is a clear error; started as root it serves as another user
# with no way back; the index is opened read-only and never changed; TCP
# is loopback unless explicitly allowed; stored text comes out as valid,
# escaped JSON (snippets HTML-escaped); ids never become file paths.
. "$(dirname "$0")/../lib.sh"
need curl python3 pgrep ss setpriv getent md5sum stat cmp diff
tmpdir
umask 022
ISROOT=0
[ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1 && ISROOT=1
# Non-root runs cannot switch users; as root searchd drops to nobody.
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "$1" "http://x$2"; }
child_of() { local c; c=$(pgrep -P "$1" | head -1); echo "${c:-$1}"; }

# An index of corpus/ plus hostile stored text.
cat > "$T/evil.jsonl" <<'EOF'
{"id": "evil/</script>\"<b>", "title": "Evil </script>\"<b> title \u0001\u0007\u001f\u007f end \u2028 zzevilword", "text": "Body with <script>alert('x')</script> & \"quotes\" and a \u0002 control; zzevilword appears <b>here</b> & there.", "category": "<i>cat</i>"}
{"id": "../../../../etc/passwd", "title": "Not the password file zzpathword", "text": "This article's id looks like a path; zzpathword."}
EOF
"$BIN/indexer" --db "$T/db" -q "$ROOT/corpus" "$T/evil.jsonl" 2> "$T/index.log" || { echo "Bail out! indexer failed"; cat "$T/index.log"; exit 1; }

# ---- the socket's mode from the first moment ----
# A watcher spins on the path from before searchd starts: every mode it
# sees, and the mode when its first connect succeeds (root connects
# whatever the mode, so this is the moment listen() is called).
cat > "$T/watch.py" <<'EOF'
import os, socket, stat, sys, time
path = sys.argv[1]
seen = set()
t0 = time.monotonic()
while time.monotonic() - t0 < 10:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        continue
    seen.add(stat.S_IMODE(st.st_mode))
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
    except OSError:
        s.close()
        continue
    st = os.lstat(path)
    print("%04o %d %s" % (stat.S_IMODE(st.st_mode), st.st_gid, " ".join("%04o" % m for m in sorted(seen))))
    s.close()
    sys.exit(0)
print("none")
EOF
GROUP_ARGS=()
grp=root gid=0
if getent group nogroup > /dev/null; then grp=nogroup gid=$(getent group nogroup | cut -d: -f3); fi
printf '[searchd]\nsocket_group = %s\n' "$grp" > "$T/group.conf"
for mode in 0600 0660 0666; do
    bad=""
    for run in 1 2 3; do
        sock=$T/m$run.sock
        python3 "$T/watch.py" "$sock" > "$T/watch.out" &
        w=$!
        "$BIN/searchd" --db "$T/db" --socket "$sock" --socket-mode $mode --config "$T/group.conf" --foreground > "$T/m.log" 2>&1 &
        p=$!
        wait $w
        read -r first sgid seen < "$T/watch.out"
        kill -TERM $p; wait $p
        [ "$first" = $mode ] && [ "$sgid" = "$gid" ] || bad="$bad run $run: mode $first group $sgid;"
        for m in $seen; do (( (8#$m & ~8#$mode) == 0 )) || bad="$bad run $run: saw $m;"; done
    done
    [ -z "$bad" ]
    ok $? "socket mode $mode, group $grp from the first connect; never looser before (3 runs)${bad:+:$bad}"
done

if [ $ISROOT = 1 ]; then
    # Real permission checks, as an unprivileged client.
    as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
    start_searchd "$T/db" "$T/p.sock" --socket-mode 0660
    [ "$(stat -c '%U %G %a' "$T/p.sock")" = "root root 660" ] && [ "$(as_nobody curl -s -o /dev/null -w '%{http_code}' --unix-socket "$T/p.sock" http://x/health)" = 000 ]
    ok $? "mode 0660 root:root: user nobody cannot connect"
    stop_searchd
    start_searchd "$T/db" "$T/p.sock" --socket-mode 0660 --config "$T/group.conf"
    [ "$(as_nobody curl -s -o /dev/null -w '%{http_code}' --unix-socket "$T/p.sock" http://x/health)" = 200 ]
    ok $? "mode 0660 with socket_group = $grp: a member of $grp connects"
    stop_searchd
else
    skip "socket permissions as another user" "not root"
    skip "socket group" "not root"
fi

# ---- the socket path ----
refused() { # NAME PATH: searchd must refuse PATH and leave it exactly as it was
    local before after rc
    before=$(stat -c '%F %i %s %Y %a' "$2"; [ -L "$2" ] && readlink "$2"; [ -f "$2" ] && md5sum < "$2"; [ -d "$2" ] && ls -A "$2")
    "$BIN/searchd" --db "$T/db" --socket "$2" --foreground > "$T/ref.log" 2>&1
    rc=$?
    after=$(stat -c '%F %i %s %Y %a' "$2"; [ -L "$2" ] && readlink "$2"; [ -f "$2" ] && md5sum < "$2"; [ -d "$2" ] && ls -A "$2")
    [ $rc = 2 ] && [ "$before" = "$after" ] && grep -q 'not a socket\|exists' "$T/ref.log"
    ok $? "$1 at the socket path: refused (exit $rc) and left intact: $(grep -v "\[info\]" "$T/ref.log" | head -1 | cut -c22-130)"
}
echo "precious data" > "$T/file"
refused "a regular file" "$T/file"
mkdir "$T/dir" && touch "$T/dir/inside"
refused "a directory" "$T/dir"
ln -s "$T/file" "$T/link"
refused "a symlink to a file" "$T/link"
ln -s "$T/nowhere" "$T/dangling"
refused "a dangling symlink" "$T/dangling"
[ ! -e "$T/nowhere" ]
ok $? "the dangling symlink's target was not created"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/stale.sock"
ln -s "$T/stale.sock" "$T/socklink"
refused "a symlink to a socket" "$T/socklink"
mkfifo "$T/fifo"
refused "a FIFO" "$T/fifo"

pad() { local n=$1 p=$T/; while [ ${#p} -lt $((n - 5)) ]; do p=${p}x; done; echo "$p.sock"; }
p108=$(pad 108)
"$BIN/searchd" --db "$T/db" --socket "$p108" --foreground > "$T/long.log" 2>&1
rc=$?
[ ${#p108} = 108 ] && [ $rc = 2 ] && grep -q 'too long' "$T/long.log" && [ ! -e "$p108" ]
ok $? "a 108-byte socket path (sun_path holds 107): exit $rc, '$(grep -o 'too long[^:]*' "$T/long.log" | head -1)', nothing created"
p107=$(pad 107)
start_searchd "$T/db" "$p107" && [ -S "$p107" ] && [ ${#p107} = 107 ]
ok $? "a 107-byte socket path works"
stop_searchd
[ ! -e "$p107" ]
ok $? "and is removed on exit"

# ---- privileges ----
ids_of() { awk '/^Uid:/ {u = $2 " " $3 " " $4 " " $5} /^Gid:/ {g = $2 " " $3 " " $4 " " $5} /^Groups:/ {$1 = ""; gr = $0} /^CapEff:/ {c = $2} END {print u "|" g "|" gr "|" c}' "/proc/$1/status"; }
if [ $ISROOT = 1 ]; then
    nu=$(id -u nobody) ng=$(id -g nobody)
    start_searchd "$T/db" "$T/r.sock"
    c=$(child_of "$SEARCHD_PID")
    got=$(ids_of "$c")
    [ "$c" != "$SEARCHD_PID" ] && { [ "$got" = "$nu $nu $nu $nu|$ng $ng $ng $ng| $ng|0000000000000000" ] || [ "$got" = "$nu $nu $nu $nu|$ng $ng $ng $ng| |0000000000000000" ]; }
    ok $? "as root without --user: serves as nobody, real/effective/saved ids, only its group, no capabilities ($got)"
    stop_searchd
    if id daemon > /dev/null 2>&1; then
        du=$(id -u daemon) dg=$(id -g daemon)
        start_searchd "$T/db" "$T/r.sock" --user daemon
        c=$(child_of "$SEARCHD_PID")
        got=$(ids_of "$c")
        [[ "$got" == "$du $du $du $du|$dg $dg $dg $dg|"*"|0000000000000000" ]] && [ "$(status_of "$T/r.sock" /health)" = 200 ]
        ok $? "--user daemon is honoured ($got)"
        stop_searchd
    else
        skip "--user daemon" "no user daemon"
    fi
    "$BIN/searchd" --db "$T/db" --socket "$T/u.sock" --user no-such-user-here --foreground > "$T/nouser.log" 2>&1
    rc=$?
    [ $rc = 2 ] && [ ! -e "$T/u.sock" ]
    ok $? "--user with an unknown user: exit $rc: $(grep -v "\[info\]" "$T/nouser.log" | head -1 | cut -c22-130)"
else
    skip "privilege drop" "not root"
    skip "--user" "not root"
    skip "--user unknown" "not root"
fi

# ---- the index is opened read-only and never changed ----
snapshot() { (cd "$T/db" && find . -printf '%p %y %s %T@ %m %i\n' | sort && find . -type f -exec md5sum {} + | sort); }
snapshot > "$T/db.before"
USER_ROOT=()
[ $ISROOT = 1 ] && USER_ROOT=(--user root)  # able to write: the test means something
start_searchd "$T/db" "$T/ro.sock" "${USER_ROOT[@]}"
c=$(child_of "$SEARCHD_PID")
for p in /health /metrics '/search?q=sleep' '/search?q=zzevilword' '/doc?id=en%2Fsleep%2Fhypnic-jerks.txt' \
    '/related?id=en%2Fsleep%2Fhypnic-jerks.txt' '/suggest?q=sle' '/nope'; do
    status_of "$T/ro.sock" "$p" > /dev/null
done
kill -HUP "$SEARCHD_PID"
sleep 0.3
status_of "$T/ro.sock" /health > /dev/null
dbfds=0 rw=""
for fd in /proc/"$c"/fd/*; do
    tgt=$(readlink "$fd") || continue
    [[ "$tgt" == "$T/db"* ]] || continue
    dbfds=$((dbfds + 1))
    flags=$(awk '/^flags:/ {print $2}' "/proc/$c/fdinfo/${fd##*/}")
    (( (8#$flags & 3) == 0 )) || rw="$rw ${tgt#$T/db/}($flags)"
done
[ $dbfds -gt 0 ] && [ -z "$rw" ]
ok $? "every descriptor searchd holds on the index ($dbfds) is read-only${rw:+; written:$rw}"
stop_searchd
snapshot > "$T/db.after"
diff -u "$T/db.before" "$T/db.after" | sed -n '3,12s/^/# /p'
cmp -s "$T/db.before" "$T/db.after"
ok $? "after a session (all endpoints, SIGHUP, SIGTERM) the index folder is unchanged (names, sizes, mtimes, contents)"

# ---- TCP ----
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
listening() { ss -Hltn "sport = :$1" | awk '{print $4}' | sort | tr '\n' ' '; }
port=$(freeport)
start_searchd "$T/db" "$T/t.sock" --tcp "127.0.0.1:$port"
l=$(listening "$port")
[ "$l" = "127.0.0.1:$port " ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" = 200 ]
ok $? "--tcp 127.0.0.1:$port listens on loopback only ($l)"
stop_searchd
start_searchd "$T/db" "$T/t.sock" --tcp "localhost:$port"
l=$(listening "$port")
[ -n "$l" ] && ! grep -qvE '^(127\.[0-9.]+|\[::1\]):' <<< "$(tr ' ' '\n' <<< "$l" | sed '/^$/d')"
ok $? "--tcp localhost:$port listens on loopback only ($l)"
stop_searchd
for spec in "0.0.0.0:$port" "[::]:$port" "192.0.2.1:$port" ":$port"; do
    "$BIN/searchd" --db "$T/db" --socket "$T/t2.sock" --tcp "$spec" --foreground > "$T/tcp.log" 2>&1 &
    p=$!
    for _ in $(seq 30); do kill -0 $p 2> /dev/null || break; [ -n "$(listening "$port")" ] && break; sleep 0.1; done
    l=$(listening "$port")
    if kill -0 $p 2> /dev/null; then kill -TERM $p; fi
    wait $p
    rc=$?
    [ $rc = 2 ] && [ -z "$l" ] || { [ -n "$l" ] && ! grep -qvE '^(127\.[0-9.]+|\[::1\]):' <<< "$(tr ' ' '\n' <<< "$l" | sed '/^$/d')"; }
    ok $? "--tcp $spec: refused or loopback only (exit $rc, listening on '${l% }'): $(grep -m1 -o 'not loopback\|error.*' "$T/tcp.log" | cut -c1-60)"
done
printf '[searchd]\ntcp_allow_remote = true\n' > "$T/remote.conf"
start_searchd "$T/db" "$T/t.sock" --tcp "0.0.0.0:$port" --config "$T/remote.conf"
l=$(listening "$port")
[ "$l" = "0.0.0.0:$port " ]
ok $? "with tcp_allow_remote = true, --tcp 0.0.0.0:$port is honoured ($l)"
stop_searchd
start_searchd "$T/db" "$T/t.sock"
c=$(child_of "$SEARCHD_PID")
n=$(ss -Hltnp | grep -c "pid=$c,\|pid=$SEARCHD_PID,")
[ "$n" = 0 ]
ok $? "without --tcp no TCP socket is open ($n)"

# ---- stored text in JSON ----
S=$T/t.sock
json_ok() { # FILE: strict JSON, no raw control byte, one value then a newline
    python3 - "$1" <<'EOF'
import json, sys
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b"\n"), "no final newline"
bad = [b for b in raw[:-1] if b < 0x20]
assert not bad, "raw control bytes %r" % bad[:5]
json.loads(raw.decode("utf-8"))
EOF
}
if [ "$(status_of "$S" /doc)" = 400 ]; then   # the route exists (id missing)
    curl -s --unix-socket "$S" "http://x/doc?id=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("evil/</script>\"<b>", safe=""))')" > "$T/doc.json"
    json_ok "$T/doc.json" && python3 - "$T/doc.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["id"] == 'evil/</script>"<b>', d["id"]
assert '</script>"<b>' in d["title"], d["title"]
assert "<script>alert('x')</script>" in d["body"], d["body"]
EOF
    ok $? "/doc: valid JSON, no raw control byte, </script>\"<b> in id, title and body round-trip as text"
    curl -s --unix-socket "$S" 'http://x/doc?id=..%2F..%2F..%2F..%2Fetc%2Fpasswd' > "$T/passwd.json"
    json_ok "$T/passwd.json" && grep -q zzpathword "$T/passwd.json" && ! grep -q 'root:' "$T/passwd.json"
    ok $? "/doc?id=../../../../etc/passwd returns the indexed article, not the file"
    curl -s --unix-socket "$S" 'http://x/doc?id=%2Fetc%2Fpasswd' -o "$T/abs.json" -w '%{http_code}' > "$T/abs.code"
    [ "$(cat "$T/abs.code")" = 404 ] && ! grep -q 'root:' "$T/abs.json"
    ok $? "/doc?id=/etc/passwd: 404"
else
    skip "/doc escaping" "no /doc endpoint yet"
    skip "/doc ids are not paths" "no /doc endpoint yet"
    skip "/doc absolute path" "no /doc endpoint yet"
fi
if [ "$(status_of "$S" '/search?q=zzevilword')" = 200 ]; then
    curl -s --unix-socket "$S" 'http://x/search?q=zzevilword' > "$T/search.json"
    json_ok "$T/search.json" && python3 - "$T/search.json" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
hits = [h for h in d["hits"] if h["id"].startswith("evil/")]
assert hits, "the evil article is not found"
h = hits[0]
assert '</script>"<b>' in h["title"], h["title"]
sn = h.get("snippet") or ""
assert sn, "no snippet"
tags = re.findall(r"<[^>]*>", sn)
assert all(t in ("<mark>", "</mark>") for t in tags), "unescaped markup in the snippet: %r" % sn
assert "&lt;" in sn or "&amp;" in sn or "&quot;" in sn, "nothing escaped in %r" % sn
assert not re.search(r"&(?!amp;|lt;|gt;|quot;|#39;|#x27;)", sn), "a bare & in %r" % sn
EOF
    ok $? "/search: valid JSON; the snippet is HTML-escaped with only <mark> tags"
else
    skip "/search escaping" "no /search endpoint yet"
fi
for p in '/suggest?q=zzevil' '/related?id=evil%2F%3C%2Fscript%3E%22%3Cb%3E' '/health' '/metrics?x=%3Cb%3E' '/nope%3Cb%3E?q=%22%3C'; do
    code=$(curl -s --unix-socket "$S" "http://x$p" -o "$T/any.out" -w '%{http_code}')
    if [ "$p" = "${p#/metrics}" ] && { [ "$code" = 200 ] || [[ "$code" == 4* ]]; }; then
        json_ok "$T/any.out"
        ok $? "$p: $code, valid JSON"
    elif [ "$code" = 200 ]; then
        ! grep -q '[<>]' "$T/any.out"
        ok $? "$p: no markup echoed"
    else
        ok 1 "$p: answered $code"
    fi
done
stop_searchd

done_testing
