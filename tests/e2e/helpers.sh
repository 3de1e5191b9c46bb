#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# helpers.sh: [searchd] helper_threads (searchd/assist.h). A helper thread
# decodes a request's hits and makes their snippets while the worker
# computes the see-also block. On an index of corpus/, with two worker
# threads: one helper (the default) and none give the same answers, byte
# for byte but took_ms, on the first page, a later page, a filter, Chinese,
# a typo and a query whose page expanded hits fill; /metrics counts every
# hit once, by the thread that made it, and a sequential client (an idle
# worker) gets a helper's work; an out-of-range value is refused.
. "$(dirname "$0")/../lib.sh"
need curl python3
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
# tasks SOCKET: "worker helper" of medsearch_hit_tasks_total
tasks() {
    get "$1" /metrics | awk '/^medsearch_hit_tasks_total\{thread="worker"\}/ {w=$2} /^medsearch_hit_tasks_total\{thread="helper"\}/ {h=$2} END {print w+0, h+0}'
}
# hits FILE: the hits of its answers
hits() { python3 -c 'import json,sys; print(sum(len(json.loads(l.split(" ",1)[1])["hits"]) for l in open(sys.argv[1])))' "$1"; }

S0=$T/s0.sock S1=$T/s1.sock
start_searchd "$T/db" "$S0" --threads 2 --helper-threads 0 "${user[@]}"
ok $? "searchd starts without helpers" || { done_testing; exit; }
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
ok $? "one helper and none give the same answers" || diff "$T/a0" "$T/a1" | head -6 | sed 's/^/# /'
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
stop_searchd

"$BIN/searchd" --db "$T/db" --socket "$T/bad.sock" --foreground --helper-threads 65 > "$T/bad.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q 'helper_threads' "$T/bad.log"
ok $? "--helper-threads 65 is refused at start-up, naming the key (status $rc)" || sed 's/^/# /' "$T/bad.log"

done_testing
