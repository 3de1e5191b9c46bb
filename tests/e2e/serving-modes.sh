#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serving-modes.sh: two ways searchd serves that must never change an
# answer, on an index of corpus/ with two worker threads.
# [searchd] helper_threads (searchd/assist.h): a helper thread decodes a
# request's hits and makes their snippets while the worker computes the
# see-also block. One helper (the default) and none give the same answers,
# byte for byte but took_ms, on the first page, a later page, a filter,
# Chinese, a typo and a query whose page expanded hits fill; /metrics
# counts every hit once, by the thread that made it, and a sequential
# client (an idle worker) gets a helper's work; an out-of-range value is
# refused.
# [searchd] mmap_reads (searchd/mmapread.h): the index read through memory
# maps gives the same answers as pread, with no block read a system call;
# articles added while serving (the files grow past their maps) are found;
# a table file cut shorter under its map costs an error reply, not a crash.
. "$(dirname "$0")/../lib.sh"
need curl python3 truncate stat
tmpdir
chmod 755 "$T"

"$BIN/indexer" --db "$T/db" "$ROOT/corpus" > "$T/index.log" 2>&1
ok $? "indexes corpus/" || { sed 's/^/# /' "$T/index.log"; done_testing; exit; }
chmod -R a+rX "$T/db"
user=(); [ "$(id -u)" = 0 ] && user=(--user nobody)

# The queries: every English and Chinese title (the words of a real search
# box), and the cases that take other paths through a search.
python3 - "$ROOT/corpus" > "$T/paths" <<'EOF'
import os, sys, urllib.parse
titles = []
for d, _, fs in sorted(os.walk(sys.argv[1])):
    for f in sorted(fs):
        if f.endswith(".txt"):
            with open(os.path.join(d, f), encoding="utf-8", errors="replace") as fh:
                for line in fh: # the scraped layout: the title is the first line
                    if line.strip():
                        titles.append(line.strip())
                        break
paths = ["/search?q=%s" % urllib.parse.quote(t) for t in titles if t]
paths += ["/search?q=%s&offset=5&limit=5" % urllib.parse.quote("sleep heart"),
          "/search?q=sleep&category=sleep",
          "/search?q=insomina",
          "/search?q=%s" % urllib.parse.quote("睡眠"),
          "/search?q=troponin&limit=20",
          "/search?q=%s&fields=id,snippet" % urllib.parse.quote("blood pressure")]
print("\n".join(paths))
EOF
n=$(wc -l < "$T/paths")
[ "$n" -ge 40 ]
ok $? "$n requests to compare"

# answers SOCKET OUT: every path's answer, took_ms dropped, one per line
answers() {
    python3 - "$1" "$T/paths" > "$2" <<'EOF'
import json, socket, sys
sock, paths = sys.argv[1], [l.strip() for l in open(sys.argv[2]) if l.strip()]
for p in paths:
    s = socket.socket(socket.AF_UNIX); s.connect(sock)
    s.sendall(("GET %s HTTP/1.0\r\nHost: x\r\n\r\n" % p).encode())
    buf = b""
    while True:
        d = s.recv(65536)
        if not d: break
        buf += d
    s.close()
    head, body = buf.split(b"\r\n\r\n", 1)
    d = json.loads(body)
    d.pop("took_ms", None)
    print(head.split(b" ")[1].decode(), json.dumps(d, sort_keys=True, ensure_ascii=False))
EOF
}
js() { printf '%s' "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$2"; }
# tasks SOCKET: "worker helper" of medsearch_hit_tasks_total
tasks() {
    get "$1" /metrics | awk '/^medsearch_hit_tasks_total\{thread="worker"\}/ {w=$2} /^medsearch_hit_tasks_total\{thread="helper"\}/ {h=$2} END {print w+0, h+0}'
}
# hits FILE: the hits of its answers
hits() { python3 -c 'import json,sys; print(sum(len(json.loads(l.split(" ",1)[1])["hits"]) for l in open(sys.argv[1])))' "$1"; }

S0=$T/s0.sock S1=$T/s1.sock
printf '[searchd]\nmmap_reads = false\n' > "$T/nomap.conf"
start_searchd "$T/db" "$S0" --threads 2 --helper-threads 0 --config "$T/nomap.conf" "${user[@]}"
ok $? "searchd starts without helpers, reading with pread" || { done_testing; exit; }
grep -q 'serving with 2 worker threads (0 helper)' "$T/searchd.log"
ok $? "its log says 0 helpers"
answers "$S0" "$T/a0"
read -r w0 h0 < <(tasks "$S0")
total=$(hits "$T/a0")
[ "$h0" = 0 ] && [ "$w0" = "$total" ] && [ "$total" -gt 100 ]
ok $? "without helpers the workers make every hit ($w0 of $total)"
stop_searchd
cp "$T/searchd.log" "$T/searchd0.log"

start_searchd "$T/db" "$S1" --threads 2 "${user[@]}"
ok $? "searchd starts with the default helpers" || { done_testing; exit; }
grep -q 'serving with 2 worker threads (1 helper)' "$T/searchd.log"
ok $? "two workers get one helper by default"
answers "$S1" "$T/a1"
cmp -s "$T/a0" "$T/a1"
ok $? "one helper and none, maps and pread, give the same answers" || diff "$T/a0" "$T/a1" | head -6 | sed 's/^/# /'
m=$(get "$S1" /metrics)
maps=$(echo "$m" | awk '/^medsearch_index_maps / {print $2}')
sys=$(echo "$m" | awk '/^medsearch_index_read_syscalls_total / {print $2}')
[ "${maps:-0}" -ge 6 ] && [ "$sys" = 0 ]
ok $? "the tables are read through maps ($maps maps), no block by a system call ($sys)"
read -r w1 h1 < <(tasks "$S1")
[ $((w1 + h1)) = "$total" ]
ok $? "each hit is made once ($w1 by workers + $h1 by the helper = $total)"
# A sequential client leaves a worker idle, so the request may borrow a
# core; on a busy machine the helper may be scheduled too late for some
# requests (the worker then makes them): ask until it has made some.
for ((i = 0; i < 20 && h1 == 0; i++)); do
    answers "$S1" "$T/a2"
    read -r w1 h1 < <(tasks "$S1")
done
[ "$h1" -gt 0 ]
ok $? "the helper makes hits of a sequential client's searches ($h1)"

# Articles added while serving: the tables grow past their maps.
mkdir -p "$T/more"
for i in $(seq 1 300); do
    printf 'Zyxoquine note %d\n\nZyxoquine is a made-up word for this test, note %d, with some text about sleep and the heart so that the tables grow.\n' "$i" "$i" > "$T/more/n$i.txt"
done
"$BIN/indexer" --db "$T/db" "$T/more" > "$T/more.log" 2>&1
ok $? "the indexer adds 300 articles to the served index" || sed 's/^/# /' "$T/more.log"
chmod -R a+rX "$T/db"
req "$S1" "/search?q=zyxoquine&limit=1"
[ "$STATUS" = 200 ] && js "$BODY" "d['total'] == 300"
ok $? "all 300 are found through the grown maps" || diag "$STATUS ${BODY:0:200}"
answers "$S1" "$T/a3"
[ "$(wc -l < "$T/a3")" = "$n" ] && ! grep -qv '^200 ' "$T/a3"
ok $? "every search still answers 200"
stop_searchd

# A table cut shorter under its map (by hand, or a failing disk).
cp -a "$T/db" "$T/cut"
S2=$T/s2.sock
start_searchd "$T/cut" "$S2" --threads 1 "${user[@]}"
ok $? "searchd serves a copy" || { done_testing; exit; }
get "$S2" "/search?q=sleep" > /dev/null
pl=$(ls "$T"/cut/*/postlist.glass "$T"/cut/postlist.glass 2>/dev/null | head -1)
truncate -s $(( $(stat -c %s "$pl") / 4 )) "$pl"
for q in sleep heart%20attack zyxoquine glaucoma; do req "$S2" "/search?q=$q"; done
kill -0 "$SEARCHD_PID" && [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$S2" http://x/metrics)" = 200 ]
ok $? "after the cut searchd still runs and answers (last search: $STATUS)"
stop_searchd

"$BIN/searchd" --db "$T/db" --socket "$T/bad.sock" --foreground --helper-threads 65 > "$T/bad.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q 'helper_threads' "$T/bad.log"
ok $? "--helper-threads 65 is refused at start-up, naming the key (status $rc)" || sed 's/^/# /' "$T/bad.log"

done_testing
