#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Recommend block an editor would accept, on corpus/: for at least 90 %
# of the sample articles, the first related article is one the seed links
# to (Recommend block, prev/next, JSON Lines related) or one in the seed's
# folder (its category). The others are listed with their scores.
. "$(dirname "$0")/../lib.sh"
need python3
tmpdir
user=()
[ "$(id -u)" = 0 ] && user=(--user nobody)

"$BIN/indexer" --db "$T/db" --quiet "$ROOT/corpus" > "$T/indexer.log" 2>&1; ok $? "index corpus/"
sock=$T/s.sock
start_searchd "$T/db" "$sock" "${user[@]}"; ok $? "searchd answers /health"

python3 - "$sock" "$ROOT/corpus" > "$T/out" 2> "$T/err" <<'PY'
import glob, gzip, http.client, json, os, socket, sys, urllib.parse
class Conn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("x"); self.unix = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX); self.sock.connect(self.unix)
c = Conn(sys.argv[1]); root = sys.argv[2]
def get(path):
    c.request("GET", path); r = c.getresponse(); body = r.read()
    assert r.status == 200, (path, r.status, body[:200])
    return json.loads(body)
ids = []
for f in sorted(glob.glob(root + "/**/*", recursive=True)):
    rel = os.path.relpath(f, root)
    if rel.endswith((".txt", ".txt.gz", ".html")):
        ids.append(rel)
for l in open(root + "/extra/articles.jsonl"):
    ids.append(json.loads(l)["id"])
for l in gzip.open(root + "/extra/articles.jsonl.gz", "rt"):
    ids.append(json.loads(l)["id"])
docs = {}
def doc(i):
    if i not in docs:
        docs[i] = get("/doc?id=" + urllib.parse.quote(i, safe=""))
    return docs[i]
good, others = 0, []
for i in ids:
    d = doc(i)
    rel = get("/related?limit=1&id=" + urllib.parse.quote(i, safe=""))["related"]
    if not rel:
        others.append("%s: nothing related" % i); continue
    f = doc(rel[0]["id"])
    linked = any(l.get("target") == f["id"] or (l.get("title") and l["title"] == f["title"])
                 for l in d.get("links") or [])
    if linked or d.get("category") == f.get("category"):
        good += 1
    else:
        others.append("%s -> %s (score %s)" % (i, rel[0]["id"], rel[0]["score"]))
print(good, len(ids))
for o in others:
    print(o)
PY
ok $? "asked /related for every sample article$( [ -s "$T/err" ] && echo " ($(tail -1 "$T/err" | head -c 200))")"
read -r good total < "$T/out"
diag "first related linked or in the seed's folder: $good of $total"
tail -n +2 "$T/out" | while read -r l; do diag "  other: $l"; done
[ "$total" -ge 60 ]; ok $? "all $total sample articles asked (60 expected)"
[ $((good * 10)) -ge $((total * 9)) ]; ok $? "first related linked or in the folder for at least 90 % ($good of $total)"

done_testing
