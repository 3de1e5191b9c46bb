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
bold "starting searchd on demo/searchd.sock (log: demo/searchd.log)"
nohup build/searchd --db "$D/db" --socket "$D/searchd.sock" --foreground > "$D/searchd.log" 2>&1 &
echo $! > "$D/searchd.pid"
for _ in $(seq 100); do
    curl -s -o /dev/null --unix-socket "$D/searchd.sock" http://x/health && break
    sleep 0.1
done
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
