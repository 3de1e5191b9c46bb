#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""sphinxql-load.py: closed-loop SphinxQL load on Sphinx searchd.

usage: sphinxql-load.py PORT INDEX QUERIES.tsv [-c CONNS] [--duration S] [--k 10]

The Sphinx side of issue 10's throughput bar (bench/qps-compare.sh runs
both): CONNS connections over loopback, each sending the next query as
soon as the answer is in, for S seconds, cycling through the queries (the
statements of ../shared/bench/adapters/sphinx: an OR of the query's
words, BM25 ranker, top K). Prints requests/s and p50/p95/p99 in ms.
The MySQL-protocol client is the shared adapter's (stdlib sockets).
"""
import argparse
import os
import sys
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
for shared in (os.path.join(here, "..", "..", "shared"), os.path.join(here, "..", "..", "..", "shared")):
    adapter = os.path.join(shared, "bench", "adapters", "sphinx")
    if os.path.isdir(adapter):
        sys.path.insert(0, adapter)
        break
import sphinxql_run  # noqa: E402  (MiniMySQL, build_sql)
import benchlib  # noqa: E402  (sphinxql_run put ../shared/bench/lib on the path)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))] if xs else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("index")
    ap.add_argument("queries")
    ap.add_argument("-c", type=int, default=16)
    ap.add_argument("--duration", type=float, default=20)
    ap.add_argument("--k", type=int, default=10)
    a = ap.parse_args()
    stmts = []
    for qid, text in benchlib.read_queries(a.queries):
        b = sphinxql_run.build_sql(a.index, text, a.k, "bm25", qid)
        if b:
            stmts.append(b[0])
    if not stmts:
        sys.exit("sphinxql-load: no queries")
    lat, errors = [], [0]
    lock = threading.Lock()
    end = time.perf_counter() + a.duration

    def run(first):
        c = sphinxql_run.MiniMySQL("127.0.0.1", a.port)
        mine, i = [], first
        while time.perf_counter() < end:
            t = time.perf_counter()
            try:
                c.query(stmts[i % len(stmts)])
            except RuntimeError:
                with lock:
                    errors[0] += 1
            mine.append(time.perf_counter() - t)
            i += 1
        c.close()
        with lock:
            lat.extend(mine)

    t0 = time.perf_counter()
    ts = [threading.Thread(target=run, args=(i * 7919,)) for i in range(a.c)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    wall = time.perf_counter() - t0
    print("sphinx: %d connections, %.0f s: %d requests, %.1f requests/s, p50 %.2f ms, p95 %.2f ms, "
          "p99 %.2f ms, %d errors"
          % (a.c, wall, len(lat), len(lat) / wall, pct(lat, 50) * 1e3, pct(lat, 95) * 1e3, pct(lat, 99) * 1e3,
             errors[0]))


if __name__ == "__main__":
    main()
