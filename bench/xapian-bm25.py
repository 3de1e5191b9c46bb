#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xapian-bm25.py: plain Xapian BM25, top 10, on a medsearch index.

usage: xapian-bm25.py DB QUERIES.tsv [--k 10] [--threads N] [--repeat R] [--latency OUT]

The yardstick of issue 10's latency bar: the same libxapian and the same
index medsearch serves, without any of medsearch's work. Each query
("qid<TAB>text" lines, a header skipped) is an OR of its words, stemmed as
the index stores them (Xapian's QueryParser, English stemmer, STEM_SOME:
unstemmed words and Z stems), BM25 with Xapian's defaults, top K. Prints
p50/p95/p99/max latency in ms and the queries per second; with --threads
N, N threads each with its own Database share the queries (Xapian's
Python binding releases the GIL inside the library). --latency writes
"qid<TAB>seconds" per query (the last repeat).

Needs python3-xapian (scripts/packages.txt).
"""
import argparse
import sys
import threading
import time

import xapian


def load_queries(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            qid, _, text = line.rstrip("\n").partition("\t")
            if n == 0 and qid.lower() in ("qid", "query-id", "query_id", "id"):
                continue
            if text.strip():
                out.append((qid, text))
    return out


def pct(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]


def worker(db_path, queries, k, lat, errors):
    db = xapian.Database(db_path)
    qp = xapian.QueryParser()
    qp.set_database(db)
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_default_op(xapian.Query.OP_OR)
    enq = xapian.Enquire(db)
    enq.set_weighting_scheme(xapian.BM25Weight())
    for qid, text in queries:
        t0 = time.perf_counter()
        try:
            q = qp.parse_query(text, 0)  # no operators: plain words
            enq.set_query(q)
            m = enq.get_mset(0, k)
            for it in m:
                it.docid
        except xapian.Error as e:
            errors.append("%s: %s" % (qid, e))
        lat.append((qid, time.perf_counter() - t0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("queries")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--latency")
    a = ap.parse_args()
    qs = load_queries(a.queries)
    if not qs:
        sys.exit("xapian-bm25: no queries in %s" % a.queries)
    for r in range(a.repeat):
        lat, errors = [], []
        shares = [qs[i::a.threads] for i in range(a.threads)]
        ts = [threading.Thread(target=worker, args=(a.db, s, a.k, lat, errors)) for s in shares]
        t0 = time.perf_counter()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        wall = time.perf_counter() - t0
    secs = [s for _, s in lat]
    print("xapian-bm25: %d queries, %d thread(s), top %d: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms, "
          "%.1f queries/s, %d errors"
          % (len(secs), a.threads, a.k, pct(secs, 50) * 1e3, pct(secs, 95) * 1e3, pct(secs, 99) * 1e3,
             max(secs) * 1e3, len(secs) / wall, len(errors)))
    for e in errors[:5]:
        print("  error:", e, file=sys.stderr)
    if a.latency:
        order = {qid: i for i, (qid, _) in enumerate(qs)}
        with open(a.latency, "w") as f:
            for qid, s in sorted(lat, key=lambda x: order.get(x[0], 0)):
                f.write("%s\t%.6f\n" % (qid, s))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
