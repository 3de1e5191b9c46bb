#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The "see also" block of /search, scored against a collection's qrels.

usage: related-block-eval.py SEARCHD DB QUERIES.tsv QRELS.tsv [--config F]
                             [--n N] [--save LISTS.json] [--compare LISTS.json]

Starts SEARCHD (one worker thread) on DB, asks every query
(/search?q=...&limit=10&fields=id,related) and scores related.articles
(the block excludes the page's hits) against the query's qrels: a judged
article the results page did not show is one more useful answer. Prints
P@5 and nDCG@5 of the block, the share of queries whose block holds a
relevant article, and searchd's CPU time a request (the whole /search).
Collections with many judged articles a query (NFCorpus) tell most.
--save writes the lists; --compare reports how many are the same as the
saved ones (a change that should not move the block: identical lists).
"""
import argparse
import http.client
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def cpu_ticks(pid):
    """User + system ticks of pid and its children (searchd forks its server)."""
    pids = [pid]
    try:
        pids += [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                text=True).stdout.split()]
    except OSError:
        pass
    t = 0
    for p in pids:
        try:
            f = open("/proc/%d/stat" % p).read().rsplit(")", 1)[1].split()
            t += int(f[11]) + int(f[12])
        except (OSError, IndexError):
            pass
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("searchd")
    ap.add_argument("db")
    ap.add_argument("queries")
    ap.add_argument("qrels")
    ap.add_argument("--config")
    ap.add_argument("--n", type=int, default=0)
    ap.add_argument("--save")
    ap.add_argument("--compare")
    a = ap.parse_args()

    qrels = {}
    for line in open(a.qrels):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 3 and f[2].lstrip("-").isdigit() and int(f[2]) > 0:
            qrels.setdefault(f[0], {})[f[1]] = int(f[2])
    queries = []
    for line in open(a.queries):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 2 and f[0] in qrels and f[1]:
            queries.append((f[0], f[1]))
    if a.n:
        queries = queries[:a.n]

    tmp = tempfile.mkdtemp(prefix="relblock.")
    sock = os.path.join(tmp, "s.sock")
    args = [a.searchd, "--db", a.db, "--socket", sock, "--foreground", "--threads", "1"]
    if a.config:
        args += ["--config", a.config]
    log = open(os.path.join(tmp, "searchd.log"), "w")
    proc = subprocess.Popen(args, stdout=log, stderr=log)
    try:
        for _ in range(600):
            try:
                c = UnixHTTP(sock)
                c.request("GET", "/health")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("searchd did not start: see %s" % log.name)
        conn = UnixHTTP(sock)

        def ask(text):
            conn.request("GET", "/search?q=%s&limit=10&fields=id,related" % urllib.parse.quote(text))
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                sys.exit("HTTP %d for %r: %s" % (r.status, text, body[:200]))
            return json.loads(body)

        for _, text in queries[:50]:   # warm the caches
            ask(text)
        t0 = cpu_ticks(proc.pid)
        lists = {}
        for qid, text in queries:
            j = ask(text)
            lists[qid] = [x["id"] for x in (j.get("related") or {}).get("articles") or []]
        t1 = cpu_ticks(proc.pid)
    finally:
        proc.terminate()
        proc.wait()

    p5 = ndcg5 = some = 0.0
    for qid, _ in queries:
        rel = qrels[qid]
        got = lists[qid][:5]
        p5 += sum(1 for d in got if d in rel) / 5.0
        dcg = sum((2 ** rel.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(got))
        ideal = sorted(rel.values(), reverse=True)[:5]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg5 += dcg / idcg if idcg else 0
        some += any(d in rel for d in got)
    n = len(queries)
    hz = os.sysconf("SC_CLK_TCK")
    print("queries %d  block P@5 %.4f  nDCG@5 %.4f  with a relevant article %.3f  cpu %.2f ms/request  load %s"
          % (n, p5 / n, ndcg5 / n, some / n, (t1 - t0) * 1000.0 / hz / n, open("/proc/loadavg").read().split()[0]))
    if a.save:
        json.dump(lists, open(a.save, "w"))
    if a.compare:
        old = json.load(open(a.compare))
        same = sum(1 for q in lists if old.get(q) == lists[q])
        inter = [len(set(old.get(q, [])) & set(lists[q])) / max(1, len(lists[q])) for q in lists]
        print("identical lists %d of %d, mean overlap %.3f" % (same, len(lists), sum(inter) / len(inter)))


if __name__ == "__main__":
    main()
