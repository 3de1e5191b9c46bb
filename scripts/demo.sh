#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh (make demo): index corpus/ into demo/db, start searchd on
# demo/searchd.sock, run a few searches through the `search` client, and
# leave searchd running for you to try.  `make demo-stop` stops it.
set -eu
cd "$(dirname "$0")/.."
D=$PWD/demo
mkdir -p "$D"
chmod 755 "$D"
bold() { if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi; }

if [ -f "$D/searchd.pid" ] && kill -0 "$(cat "$D/searchd.pid")" 2>/dev/null; then
    kill -TERM "$(cat "$D/searchd.pid")"; sleep 0.5
fi
bold "indexing corpus/ into demo/db"
build/indexer --db "$D/db" corpus
# Started as root, searchd serves as `nobody`, who must be able to read the
# index.  A clone under /root (mode 0700) hides it: then the demo, and only
# the demo, keeps root deliberately (--user root) and says why.
USER_ARG=()
if [ "$(id -u)" = 0 ] && ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -r "$D/db/XAPIANDB" 2>/dev/null; then
    echo "note: user nobody cannot read $D (a parent directory is private);"
    echo "      for this demo searchd keeps root (--user root). A real install serves as its own user."
    USER_ARG=(--user root)
fi
bold "starting searchd on demo/searchd.sock (log: demo/searchd.log)"
nohup build/searchd --db "$D/db" --socket "$D/searchd.sock" --foreground "${USER_ARG[@]+"${USER_ARG[@]}"}" > "$D/searchd.log" 2>&1 &
echo $! > "$D/searchd.pid"
up=0
for _ in $(seq 100); do
    curl -s -o /dev/null --unix-socket "$D/searchd.sock" http://x/health && { up=1; break; }
    kill -0 "$(cat "$D/searchd.pid")" 2>/dev/null || break
    sleep 0.1
done
if [ $up = 0 ]; then
    echo "demo: searchd did not start; its log (demo/searchd.log):" >&2
    tail -5 "$D/searchd.log" >&2
    exit 1
fi
export MEDSEARCH_SOCKET=$D/searchd.sock
S=build/search
run() { bold "search $*"; "$S" "$@" || true; }
run --limit 3 body shakes when falling asleep
run --limit 3 insomina
run --limit 3 heart attack
run --limit 3 失眠怎么办
run --limit 3 '"vitamin d"' -children
run --related en/sleep/hypnic-jerks.txt --limit 5
run --suggest 'heart att'
cat <<MSG

searchd is still running (pid $(cat "$D/searchd.pid")) on $D/searchd.sock. Try:
    export MEDSEARCH_SOCKET=$D/searchd.sock
    build/search hypnic jerk
    build/search --json insomnia | head -c 600
    curl --unix-socket $D/searchd.sock 'http://x/search?q=itchy+skin&limit=3'
Stop it with:  make demo-stop
MSG
