#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# related-eval.sh [DATASET_DIR] -- quick /related scoring for tuning.
#
# Indexes DATASET_DIR/corpus.jsonl.gz once (kept in $WORK/db, default
# /tmp/medsearch-related-eval), starts build/searchd on it, asks
# /related?id=SEED&limit=10 for every seed of related-seeds.tsv, and scores
# the run with ../shared/bench/score.py (nDCG@5, P@5, MRR@10). Environment
# variables are passed to searchd unchanged. The official numbers come from
# ../shared/bench/related.sh (docs/relevance.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${MEDSEARCH_SHARED:-$root/../shared}
[ -d "$shared/bench" ] || shared=/work/shared
ds=${1:-$shared/datasets/medquad}
[ -s "$ds/related-seeds.tsv" ] || { echo "related-eval: no $ds/related-seeds.tsv (skipped)" >&2; exit 0; }
work=${WORK:-/tmp/medsearch-related-eval}
mkdir -p "$work"
chmod 1777 "$work"  # searchd may run as nobody: it makes and unlinks its socket here
if [ ! -d "$work/db" ]; then
    "$root/build/indexer" --db "$work/db" --quiet "$ds/corpus.jsonl.gz"
    chmod -R a+rX "$work/db"
fi
user=()
[ "$(id -u)" = 0 ] && user=(--user nobody)
rm -f "$work/s.sock"
"$root/build/searchd" --db "$work/db" --socket "$work/s.sock" --foreground "${user[@]}" > "$work/searchd.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$work/s.sock" http://x/health)" = 200 ] && break
    sleep 0.1
done
python3 - "$work/s.sock" "$ds/related-seeds.tsv" > "$work/run.trec" <<'PY'
import json, socket, sys, urllib.parse, http.client
class C(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("x"); self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX); self.sock.connect(self.path)
c = C(sys.argv[1])
for line in open(sys.argv[2]):
    seed = line.split("\t")[0].strip()
    if not seed: continue
    c.request("GET", "/related?limit=10&id=" + urllib.parse.quote(seed, safe=""))
    r = c.getresponse(); body = r.read()
    if r.status != 200: sys.exit("seed %s: HTTP %d %s" % (seed, r.status, body[:200]))
    for i, h in enumerate(json.loads(body)["related"]):
        print(seed, "Q0", h["id"], i + 1, h.get("score", 0), "medsearch")
PY
python3 "$shared/bench/score.py" "$ds/related-qrels.tsv" "$work/run.trec" --queries "$ds/related-seeds.tsv" \
    --metrics ndcg@5,p@5,mrr@10 --tsv
