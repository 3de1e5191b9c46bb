#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# related-eval.sh [CONFIG] -- /related on the yardsticks of issue 16, for
# tuning: nDCG@5 (score.py) on
#   nf      NFCorpus co-citation, the shared cocited-seeds.tsv (500 seeds)
#   nf dev  the same rule over the dev split's qrels (339 seeds, none of the
#           shared ones; bench/cocited_qrels.py): held out
#   mq      MedQuAD same-focus, the shared related-seeds.tsv (500 seeds)
#   mq dev  make_related_qrels.py's held-out half (500 seeds): held out
# The held-out seeds decide. CONFIG is a medsearch.conf (its [related]
# keys; default: the built-in defaults) given to build/searchd. The
# held-out sets and the two indexes (build/indexer) are made once in $WORK
# (default /var/tmp/medsearch-related-eval; remove it after a schema
# change). SETS="nf nfdev mq mqdev" picks sets. The sample corpus's
# yardstick is tests/e2e/related-corpus.sh; the official numbers with the
# peers come from ../shared/bench/related.sh (docs/relevance.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${MEDSEARCH_SHARED:-$root/../shared}
[ -d "$shared/bench" ] || shared=/work/shared
conf=${1:-}
[ -z "$conf" ] || [ -r "$conf" ] || { echo "related-eval: cannot read $conf" >&2; exit 2; }
[ -z "$conf" ] || conf=$(readlink -f "$conf")
nf=$shared/datasets/nfcorpus
mq=$shared/datasets/medquad
for f in "$nf/cocited-seeds.tsv" "$nf/qrels.tsv" "$mq/related-seeds.tsv"; do
    [ -s "$f" ] || { echo "related-eval: no $f (skipped)" >&2; exit 0; }
done
work=${WORK:-/var/tmp/medsearch-related-eval}
mkdir -p "$work"
chmod 1777 "$work"  # searchd may run as nobody: it makes and unlinks its socket here
py=/usr/bin/python3
[ -x "$py" ] || py=python3

# the held-out sets
[ -s "$work/nfdev-qrels.tsv" ] ||
    "$py" "$root/bench/cocited_qrels.py" "$nf/qrels.tsv" "$work/nfdev" --exclude "$nf/cocited-seeds.tsv"
[ -s "$work/mqdev/related-qrels.tsv" ] ||
    "$py" "$shared/bench/lib/make_related_qrels.py" "$mq/corpus.jsonl.gz" "$work/mq" "$work/mqdev" 2> /dev/null
cmp -s "$work/mq/related-qrels.tsv" "$mq/related-qrels.tsv" ||
    { echo "related-eval: make_related_qrels.py no longer gives the shared MedQuAD seeds" >&2; exit 1; }

index() { # name corpus
    [ -d "$work/$1.db" ] && return
    "$root/build/indexer" --db "$work/$1.db" --quiet "$2"
    chmod -R a+rX "$work/$1.db"
}
index nf "$nf/corpus.jsonl.gz"
index mq "$mq/corpus.jsonl.gz"

user=()
[ "$(id -u)" = 0 ] && user=(--user nobody)
pid=
trap '[ -z "$pid" ] || { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; }' EXIT
score() { # db seeds qrels name: one searchd, /related?limit=10 for each seed
    local sock=$work/$4.sock
    rm -f "$sock"
    "$root/build/searchd" --db "$work/$1.db" --socket "$sock" --foreground --threads 1 "${user[@]}" \
        ${conf:+--config "$conf"} > "$work/$4.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$sock" http://x/health)" = 200 ] && break
        kill -0 $pid 2>/dev/null || { echo "related-eval: searchd stopped:" >&2; cat "$work/$4.log" >&2; exit 1; }
        sleep 0.1
    done
    "$py" - "$sock" "$2" > "$work/$4.trec" <<'PY'
import json, socket, sys, urllib.parse, http.client
class C(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("x"); self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX); self.sock.connect(self.path)
c = C(sys.argv[1])
for line in open(sys.argv[2]):
    seed = line.split("\t")[0].strip()
    if not seed or seed == "seed_id": continue
    c.request("GET", "/related?limit=10&id=" + urllib.parse.quote(seed, safe=""))
    r = c.getresponse(); body = r.read()
    if r.status != 200: sys.exit("seed %s: HTTP %d %s" % (seed, r.status, body[:200]))
    for i, h in enumerate(json.loads(body)["related"]):
        print(seed, "Q0", h["id"], i + 1, h.get("score", 0), "medsearch")
PY
    kill -TERM $pid 2>/dev/null
    wait $pid 2>/dev/null || true
    pid=
    "$py" "$shared/bench/score.py" "$3" "$work/$4.trec" --queries "$2" --metrics ndcg@5 --tsv |
        awk -F'\t' -v n="$4" 'END { printf "%s %s\n", n, $NF }'
}
for s in ${SETS:-nf nfdev mq mqdev}; do
    case $s in
    nf) score nf "$nf/cocited-seeds.tsv" "$nf/cocited-qrels.tsv" nf ;;
    nfdev) score nf "$work/nfdev-seeds.tsv" "$work/nfdev-qrels.tsv" nfdev ;;
    mq) score mq "$mq/related-seeds.tsv" "$mq/related-qrels.tsv" mq ;;
    mqdev) score mq "$work/mqdev/related-seeds.tsv" "$work/mqdev/related-qrels.tsv" mqdev ;;
    *) echo "related-eval: unknown set $s (nf nfdev mq mqdev)" >&2; exit 2 ;;
    esac
done
