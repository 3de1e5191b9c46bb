#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""related-mesh-proto.py -- measured prototype (issue 16), not the method.

Measures whether MeSH concepts lift /related on NFCorpus co-citation
without losing MedQuAD same-focus. Python 3 stdlib only; nothing here is
used by medsearch itself.

1. Annotates every article (title + text) of both corpora with the MeSH
   2024 descriptors whose entry terms occur in it (../shared/vocab/mesh:
   case-folded word n-grams, longest match first, up to 6 words; a final
   "s" dropped from words of 4+ letters on both sides; all-capital
   abbreviations match only in capitals; terms of under 3 characters
   skipped), then adds each descriptor's ancestors (tree-number prefixes,
   DEPTH levels up, weight DECAY**k).
2. Concept similarity seed -> candidate: tf-idf cosine over those concept
   vectors (tf: 1 + log(count); idf: log(N / df) over the collection).
3. Fusion: each seed's top 50 from build/searchd /related (the index and
   held-out sets bench/related-eval.sh builds in WORK), re-ranked by
   (1 - W) * score / best score + W * cosine (--cosnorm: cosine / the best
   candidate's cosine); with EXTRA > 0 the EXTRA best
   concept-only neighbours join the candidates (lexical score 0).
4. nDCG@5 (score.py's definition) on nf, nf dev, mq, mq dev for a sweep of
   W, DEPTH, DECAY and EXTRA; prints one tab-separated row per setting.

usage: related-mesh-proto.py [--work /var/tmp/medsearch-related-eval]
       [--searchd build/searchd] [--sets nf,nfdev,mq,mqdev] [--quick]
Annotations and the top-50 lists are cached in WORK (mesh-*.json).
Contains 2024 MeSH(R) from the U.S. National Library of Medicine, converted
and filtered (see ../shared/vocab/mesh/README.md); NLM does not endorse it.
"""
import argparse, gzip, http.client, json, math, os, re, socket, subprocess, sys, time, urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("MEDSEARCH_SHARED", os.path.join(ROOT, "..", "shared"))
if not os.path.isdir(os.path.join(SHARED, "vocab")):
    SHARED = "/work/shared"
MAXN = 6
WORD = re.compile(r"[A-Za-z0-9]+")


def norm(w):
    w = w.lower()
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w


def load_mesh():
    """-> (folded {tuple: desc}, caps {tuple: desc}, trees [list of tree numbers], tree2desc)"""
    folded, caps, trees, tree2desc = {}, {}, [], {}
    with gzip.open(os.path.join(SHARED, "vocab/mesh/synonyms.tsv.gz"), "rt", encoding="utf-8") as s, \
            gzip.open(os.path.join(SHARED, "vocab/mesh/ids.tsv.gz"), "rt", encoding="utf-8") as t:
        for d, (sl, tl) in enumerate(zip(s, t)):
            tn = [x for x in tl.rstrip("\n").split("\t")[1].split(";") if x] if "\t" in tl else []
            trees.append(tn)
            for x in tn:
                tree2desc[x] = d
            for term in sl.rstrip("\n").split("\t"):
                words = WORD.findall(term)
                if not words or len(words) > MAXN or len(term) < 3:
                    continue
                if len(words) == 1 and term.isupper():  # abbreviation: capitals only
                    caps.setdefault(tuple(words), d)
                else:
                    folded.setdefault(tuple(norm(w) for w in words), d)
    return folded, caps, trees, tree2desc


def annotate(text, folded, caps):
    """-> {desc: count} of the longest entry-term matches, left to right"""
    raw = WORD.findall(text)
    low = [norm(w) for w in raw]
    out, i = {}, 0
    while i < len(low):
        for n in range(min(MAXN, len(low) - i), 0, -1):
            d = folded.get(tuple(low[i:i + n]))
            if d is None and n == 1:
                d = caps.get((raw[i],))
            if d is not None:
                out[d] = out.get(d, 0) + 1
                i += n
                break
        else:
            i += 1
    return out


def corpus_concepts(name, path, work, mesh):
    cache = os.path.join(work, "mesh-%s-concepts.json" % name)
    if os.path.exists(cache):
        return json.load(open(cache))
    folded, caps, _, _ = mesh
    out = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            out[a["id"]] = annotate(a.get("title", "") + " . " + a.get("text", ""), folded, caps)
    json.dump(out, open(cache, "w"))
    return out


def expand(concepts, trees, tree2desc, depth, decay):
    """{desc: count} -> {desc: weight}: tf 1 + log(count), ancestors decay**k"""
    v = {}
    for d, c in concepts.items():
        d = int(d)
        w = 1 + math.log(c)
        if v.get(d, 0) < w:
            v[d] = w
        for tn in trees[d]:
            parts = tn.split(".")
            for k in range(1, depth + 1):
                if len(parts) - k < 1:
                    break
                a = tree2desc.get(".".join(parts[:len(parts) - k]))
                if a is not None and v.get(a, 0) < w * decay ** k:
                    v[a] = w * decay ** k
    return v


def tfidf(vecs):
    df = {}
    for v in vecs.values():
        for d in v:
            df[d] = df.get(d, 0) + 1
    n = len(vecs)
    out = {}
    for k, v in vecs.items():
        u = {d: w * math.log(n / df[d]) for d, w in v.items() if df[d] < n}
        s = math.sqrt(sum(x * x for x in u.values())) or 1.0
        out[k] = {d: x / s for d, x in u.items()}
    return out


def cos(a, b):
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(d, 0.0) for d, x in a.items())


def neighbours(seed, vecs, postings, k):
    acc = {}
    for d, x in vecs[seed].items():
        for doc, y in postings[d]:
            acc[doc] = acc.get(doc, 0.0) + x * y
    acc.pop(seed, None)
    return sorted(acc.items(), key=lambda p: -p[1])[:k]


class Unix(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("x")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(self.path)


def top50(name, db, seeds, work, searchd):
    cache = os.path.join(work, "mesh-%s-top50.json" % name)
    if os.path.exists(cache):
        return json.load(open(cache))
    sock = os.path.join(work, "mesh-%s.sock" % name)
    if os.path.exists(sock):
        os.unlink(sock)
    p = subprocess.Popen([searchd, "--db", db, "--socket", sock, "--foreground", "--threads", "1"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        time.sleep(0.2)
        c = Unix(sock)
        out = {}
        for s in seeds:
            c.request("GET", "/related?limit=50&id=" + urllib.parse.quote(s, safe=""))
            r = c.getresponse()
            body = r.read()
            if r.status != 200:
                sys.exit("seed %s: HTTP %d" % (s, r.status))
            out[s] = [(h["id"], h.get("score", 0)) for h in json.loads(body)["related"]]
    finally:
        p.terminate()
        p.wait()
    json.dump(out, open(cache, "w"))
    return out


def read_seeds(path):
    out = []
    for line in open(path):
        s = line.split("\t")[0].strip()
        if s and s != "seed_id":
            out.append(s)
    return out


def read_qrels(path):
    q = {}
    for line in open(path):
        f = line.split()
        if len(f) == 3:
            q.setdefault(f[0], {})[f[1]] = int(f[2])
        elif len(f) == 4:
            q.setdefault(f[0], {})[f[2]] = int(f[3])
    return q


def ndcg5(docs, rel):
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(docs[:5]) if rel.get(d, 0) > 0)
    ideal = sorted((g for g in rel.values() if g > 0), reverse=True)[:5]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def rerank(lists, vecs, postings, w, extra, cosnorm):
    out = {}
    for s, hits in lists.items():
        best = max((x for _, x in hits), default=1.0) or 1.0
        cand = {d: x / best for d, x in hits}
        if extra and s in vecs:
            for d, _ in neighbours(s, vecs, postings, extra):
                cand.setdefault(d, 0.0)
        sv = vecs.get(s, {})
        cs = {d: cos(sv, vecs.get(d, {})) for d in cand}
        top = max(cs.values(), default=1.0) if cosnorm else 1.0
        top = top or 1.0
        scored = [((1 - w) * x + w * cs[d] / top, -i, d) for i, (d, x) in enumerate(cand.items())]
        out[s] = [d for _, _, d in sorted(scored, reverse=True)]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=os.environ.get("WORK", "/var/tmp/medsearch-related-eval"))
    ap.add_argument("--searchd", default=os.path.join(ROOT, "build/searchd"))
    ap.add_argument("--sets", default="nf,nfdev,mq,mqdev")
    ap.add_argument("--weights", default="0,0.1,0.2,0.3,0.4,0.5,0.6")
    ap.add_argument("--depths", default="0,1,2,3")
    ap.add_argument("--decays", default="0.5")
    ap.add_argument("--extras", default="0")
    ap.add_argument("--cosnorm", action="store_true", help="cosine / the best candidate's cosine")
    a = ap.parse_args()
    w = a.work
    nf, mq = os.path.join(SHARED, "datasets/nfcorpus"), os.path.join(SHARED, "datasets/medquad")
    sets = {
        "nf": ("nf", nf + "/cocited-seeds.tsv", nf + "/cocited-qrels.tsv"),
        "nfdev": ("nf", w + "/nfdev-seeds.tsv", w + "/nfdev-qrels.tsv"),
        "mq": ("mq", mq + "/related-seeds.tsv", mq + "/related-qrels.tsv"),
        "mqdev": ("mq", w + "/mqdev/related-seeds.tsv", w + "/mqdev/related-qrels.tsv"),
    }
    corpora = {"nf": nf + "/corpus.jsonl.gz", "mq": mq + "/corpus.jsonl.gz"}
    names = a.sets.split(",")
    mesh = load_mesh()
    _, _, trees, tree2desc = mesh
    raw = {c: corpus_concepts(c, corpora[c], w, mesh) for c in {sets[n][0] for n in names}}
    data = {}
    for n in names:
        c, sp, qp = sets[n]
        seeds = read_seeds(sp)
        data[n] = (c, top50(n, os.path.join(w, c + ".db"), seeds, w, a.searchd), read_qrels(qp))
    for c, ann in raw.items():
        hits = sum(1 for v in ann.values() if v)
        print("# %s: %d articles, %d with a concept, %.1f concepts each" %
              (c, len(ann), hits, sum(len(v) for v in ann.values()) / max(1, len(ann))), file=sys.stderr)
    print("depth\tdecay\textra\tweight\t" + "\t".join(names))
    for depth in map(int, a.depths.split(",")):
        for decay in map(float, a.decays.split(",")):
            vecs = {c: tfidf({k: expand(v, trees, tree2desc, depth, decay) for k, v in ann.items()})
                    for c, ann in raw.items()}
            posts = {}
            for c, vs in vecs.items():
                p = {}
                for k, v in vs.items():
                    for d, x in v.items():
                        p.setdefault(d, []).append((k, x))
                posts[c] = p
            for extra in map(int, a.extras.split(",")):
                for wt in map(float, a.weights.split(",")):
                    row = []
                    for n in names:
                        c, lists, qrels = data[n]
                        ranked = rerank(lists, vecs[c], posts[c], wt, extra, a.cosnorm)
                        sc = [ndcg5(ranked.get(s, []), qrels.get(s, {})) for s in lists]
                        row.append("%.4f" % (sum(sc) / len(sc)))
                    print("%d\t%.2f\t%d\t%.2f\t%s" % (depth, decay, extra, wt, "\t".join(row)), flush=True)


if __name__ == "__main__":
    main()
