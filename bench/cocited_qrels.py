#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""cocited_qrels.py QRELS OUT_PREFIX [--exclude SEEDS] [--seed 7] [--n 500]

NFCorpus co-citation seeds and qrels, by the rule of
../shared/datasets/nfcorpus/README.md: two abstracts are related when one
NutritionFacts page cites both directly (grade 2 in QRELS), counting only
pages that cite 2-30 abstracts directly; grade 2 = co-cited by at least two
such pages, 1 = by one. Seeds: abstracts with at least 3 related, none of
the --exclude file's, random.Random(--seed).sample(..., --n) (all when
fewer are eligible), sorted. Writes OUT_PREFIX-seeds.tsv (header seed_id)
and OUT_PREFIX-qrels.tsv (seed TAB docid TAB grade).

bench/related-eval.sh builds the held-out "nf dev" set with it from the
dev split's qrels (339 seeds), excluding the shared cocited-seeds.tsv.
"""
import argparse
import collections
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("qrels")
    ap.add_argument("out")
    ap.add_argument("--exclude")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--n", type=int, default=500)
    a = ap.parse_args()
    pages = collections.defaultdict(set)
    with open(a.qrels, encoding="utf-8") as f:
        for line in f:
            q, d, g = line.rstrip("\n").split("\t")[:3]
            if q.lower() in ("query-id", "qid"):
                continue
            if int(g) == 2:
                pages[q].add(d)
    pairs = collections.Counter()
    for ds in pages.values():
        if 2 <= len(ds) <= 30:
            for x in ds:
                for y in ds:
                    if x != y:
                        pairs[(x, y)] += 1
    rel = collections.defaultdict(dict)
    for (x, y), c in pairs.items():
        rel[x][y] = 2 if c >= 2 else 1
    skip = set()
    if a.exclude:
        with open(a.exclude, encoding="utf-8") as f:
            skip = {line.split("\t")[0].strip() for line in f}
    eligible = sorted(x for x in rel if len(rel[x]) >= 3 and x not in skip)
    seeds = sorted(random.Random(a.seed).sample(eligible, min(a.n, len(eligible))))
    with open(a.out + "-seeds.tsv", "w", encoding="utf-8") as f:
        f.write("seed_id\n")
        for s in seeds:
            f.write(s + "\n")
    with open(a.out + "-qrels.tsv", "w", encoding="utf-8") as f:
        for s in seeds:
            for d, g in sorted(rel[s].items()):
                f.write("%s\t%s\t%d\n" % (s, d, g))


if __name__ == "__main__":
    main()
