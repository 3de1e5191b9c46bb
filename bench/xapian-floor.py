#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xapian-floor.py: the smallest Xapian 1.4 index of a corpus, table by table.

usage: xapian-floor.py CORPUS.jsonl[.gz] [--work DIR] [--variants pos,nopos,stems]

Issue 11's yardstick for what our index could shrink to while it stays a
Xapian index: each variant is built by Xapian's own TermGenerator (one
thread, no stored text, no values, no spelling or synonyms, no id terms)
and compacted (`xapian-compact --fuller`), and the glass tables are listed:

  pos     every word of title and text, unstemmed, with positions: the
          least an index that answers phrase queries holds
  nopos   the same words without positions (postings and termlists only)
  stems   pos plus a Z-prefixed stem per word (STEM_SOME), as the Xapian
          peer of ../shared/bench indexes

Prints a Markdown table: build wall and CPU seconds (the writer's, in this
process), then MiB per table and in all. CORPUS lines are JSON objects
with "title" and "text" (the shared datasets' corpus.jsonl.gz).

Needs python3-xapian and xapian-tools (scripts/packages.txt).
"""
import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import xapian

TABLES = ("postlist", "termlist", "position")


def articles(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                d = json.loads(line)
            except ValueError as e:
                sys.exit("xapian-floor: %s line %d: not JSON (%s)" % (path, n, e))
            yield d.get("title") or "", d.get("text") or ""


def build(corpus, path, variant):
    db = xapian.WritableDatabase(path, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    if variant == "stems":
        tg.set_stemmer(xapian.Stem("english"))
        tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    else:
        tg.set_stemming_strategy(xapian.TermGenerator.STEM_NONE)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime
    t0 = time.monotonic()
    n = 0
    for title, text in articles(corpus):
        doc = xapian.Document()
        tg.set_document(doc)
        if variant == "nopos":
            tg.index_text_without_positions(title)
            tg.index_text_without_positions(text)
        else:
            tg.index_text(title)
            tg.increase_termpos()
            tg.index_text(text)
        db.add_document(doc)
        n += 1
    db.commit()
    db.close()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return n, time.monotonic() - t0, ru.ru_utime + ru.ru_stime - cpu0


def table_sizes(path):
    sizes = {}
    for name in os.listdir(path):
        if name.endswith(".glass"):
            sizes[name[: -len(".glass")]] = os.path.getsize(os.path.join(path, name))
    return sizes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--work", help="directory for the indexes (default: a temporary one, removed)")
    ap.add_argument("--variants", default="pos,nopos,stems")
    a = ap.parse_args()
    variants = [v for v in a.variants.split(",") if v]
    for v in variants:
        if v not in ("pos", "nopos", "stems"):
            sys.exit("xapian-floor: unknown variant %r (pos, nopos, stems)" % v)
    if not os.path.exists(a.corpus):
        sys.exit("xapian-floor: %s: no such file" % a.corpus)
    work = a.work or tempfile.mkdtemp(prefix="xapian-floor.")
    os.makedirs(work, exist_ok=True)
    print("| variant | articles | build s | CPU s | " + " | ".join(TABLES) + " | total MiB |")
    print("|---|---:|---:|---:|" + "---:|" * len(TABLES) + "---:|")
    try:
        for v in variants:
            raw = os.path.join(work, v + ".raw")
            out = os.path.join(work, v)
            n, wall, cpu = build(a.corpus, raw, v)
            shutil.rmtree(out, ignore_errors=True)
            subprocess.run(["xapian-compact", "--fuller", raw, out], check=True, stdout=subprocess.DEVNULL)
            s = table_sizes(out)
            mib = lambda b: "%.1f" % (b / 1048576)
            print("| %s | %d | %.2f | %.2f | %s | %s |" % (
                v, n, wall, cpu, " | ".join(mib(s.get(t, 0)) for t in TABLES), mib(sum(s.values()))))
            sys.stdout.flush()
            shutil.rmtree(raw, ignore_errors=True)
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
