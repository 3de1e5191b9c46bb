/* SPDX-License-Identifier: GPL-2.0-or-later */
/* related: GET /related and the "see also" of /search.
 *
 * An article's related articles are scored by one weighted OR query
 * (BM25; the levers are the [related] configuration keys):
 *  - its most distinctive body stems (Z terms; CJK words as themselves):
 *    (1 + ln wdf) * idf, stems of its title and headings boosted, stems in
 *    a large share of all articles or in the seed alone left out, so one
 *    common word cannot make two articles related. This carries topical
 *    relatedness (two studies one explanation cites);
 *  - its specific title words matched in other titles (S terms), and a
 *    bonus when a candidate's title has all of them (short titles only):
 *    a title names the article's subject, while whole-body statistics
 *    pick up boilerplate (templated paragraphs shared by many articles
 *    about different subjects). Title words in a large share of all titles
 *    ("what", "symptoms", "treatment": templates) count for nothing;
 *  - its 2-3 word title/heading phrases (XP terms) matched in other titles
 *    and headings: "type iv" tells two subtypes apart;
 * excluding the article and its near-duplicates (VAL_DUPKEY). The first
 * candidates are then re-ranked by their MeSH concepts' cosine with the
 * seed's (conceptsim.h; [related] concept_weight), which names one subject
 * in other words ("mangosteen", "Garcinia mangostana"). The links the
 * scraper captured (Recommend, prev/next, JSONL related) are added with a
 * bonus above the best similarity, resolved by id (Q term) or by title
 * (XT term): an editor's link is not beaten by a weak lexical match.
 */
#include "related.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "conceptsim.h"
#include "doc.h"
#include "grow.h"
#include "jsonw.h"
#include "qlist.h"
#include "schema.h"
#include "server.h"
#include "stopword.h"
#include "tokenizer.h"
#include "utf8.h"
#include "worker.h"

/* The method's levers: [related] in the configuration (config.h says what
 * each is; docs/relevance.md has the measurements behind the defaults). */
struct rel_opts {
    unsigned eset_terms;      /* body stems in the query */
    unsigned match_terms;     /* ... of which the best make candidates (0: all) */
    double match_max_df;      /* ... when in at most this share of articles */
    double max_df;            /* stems in more than this share of articles are too common */
    double body_w;            /* weight of the body stems */
    double eset_title_boost;  /* selection factor of title stems */
    double head_boost;        /* selection factor of heading stems */
    double body_title_w;      /* selected stems matched in candidate titles (ZS) */
    double title_w;           /* seed title words in candidate titles (S) */
    double max_title_df;      /* title words in more titles than this share are templates
                               * (and in more than TEMPLATE_MIN_DF titles) */
    double title_all_w;       /* all specific seed title words in a candidate's title */
    unsigned title_all_max;   /* ... when the seed has at most this many */
    double phrase_w;          /* seed title/heading phrases (XP) */
    double link_w;            /* link bonus, as a share of the best similarity */
    int dedupe;               /* drop near-duplicates (VAL_DUPKEY) */
    double concept_w;         /* share of the MeSH concepts' cosine in the final score (0: off) */
    double bm25_k1, bm25_b;
};

static void rel_opts_from_config(struct rel_opts *o, const struct config *cfg)
{
    o->eset_terms = (unsigned)cfg->related.expand_terms;
    o->match_terms = (unsigned)cfg->related.match_terms;
    o->match_max_df = cfg->related.match_max_df;
    o->max_df = cfg->related.term_max_df;
    o->body_w = cfg->related.body_weight;
    o->eset_title_boost = cfg->related.title_boost;
    o->head_boost = cfg->related.heading_boost;
    o->body_title_w = cfg->related.body_title_weight;
    o->title_w = cfg->related.title_weight;
    o->max_title_df = cfg->related.title_max_df;
    o->title_all_w = cfg->related.title_all_weight;
    o->title_all_max = (unsigned)cfg->related.title_all_max;
    o->phrase_w = cfg->related.phrase_weight;
    o->link_w = cfg->related.link_weight;
    o->dedupe = cfg->related.dedupe;
    o->concept_w = cfg->related.concept_weight;
    o->bm25_k1 = cfg->related.bm25_k1;
    o->bm25_b = cfg->related.bm25_b;
}

/* ---- words not worth a query term ---------------------------------------- */

static int cjk_word(const char *w);

/* A word (unprefixed term) that can carry meaning in a query: no stop
 * word, no single letter (of any script but CJK, whose one character can
 * be a word), no short number. */
static int useful_word(const char *w, size_t len)
{
    if (len == 0 || isupper((unsigned char)w[0]))
        return 0; /* prefixed term */
    if (len == 1 && (unsigned char)w[0] < 0x80)
        return 0;
    if (len > 1 && utf8_decode(w, len, NULL) == len && !cjk_word(w))
        return 0; /* one letter of another script: Greek "β" of "β-carotene" */
    size_t digits = 0;
    for (size_t i = 0; i < len; i++)
        digits += isdigit((unsigned char)w[i]) || w[i] == '.' || w[i] == ',';
    if (digits == len && len < 4)
        return 0;
    return !stopword_is(w, len);
}

/* ---- the seed's terms ------------------------------------------------------ */

struct sterm {
    char *term;
    uint32_t wdf, tf;
};

struct seed {
    struct sterm *t; /* the termlist, sorted by term (Xapian's order) */
    size_t n, cap;
    int method_only; /* keep only the terms the method reads (seed_add) */
};

static void seed_free(struct seed *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->t[i].term);
    free(s->t);
    memset(s, 0, sizeof *s);
}

static int seed_add(const char *term, size_t len, uint32_t wdf, uint32_t tf, void *ud)
{
    struct seed *s = ud;
    if (s->method_only && !(term[0] == 'Z' || term[0] == 'S' || term[0] == 'H' || cjk_word(term)))
        return 0; /* an unstemmed word, a phrase, an id...: the method reads none */
    if (GROW(s->t, s->cap, s->n + 1, 256) != 0)
        return 1;
    char *c = strndup(term, len);
    if (!c)
        return 1;
    s->t[s->n++] = (struct sterm){ c, wdf, tf };
    return 0;
}

static const struct sterm *seed_find(const struct seed *s, const char *term)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(term, s->t[mid].term);
        if (c == 0)
            return &s->t[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Merge b into a, both sorted by term: one linear pass (wdf summed on a
 * shared term); b's strings are taken over, b is emptied. */
static int seed_merge(struct seed *a, struct seed *b)
{
    struct sterm *m = malloc((a->n + b->n + 1) * sizeof *m);
    if (!m)
        return 1;
    size_t i = 0, j = 0, k = 0;
    while (i < a->n && j < b->n) {
        int c = strcmp(a->t[i].term, b->t[j].term);
        if (c < 0)
            m[k++] = a->t[i++];
        else if (c > 0)
            m[k++] = b->t[j++];
        else {
            m[k] = a->t[i++];
            m[k++].wdf += b->t[j].wdf;
            free(b->t[j++].term);
        }
    }
    while (i < a->n)
        m[k++] = a->t[i++];
    while (j < b->n)
        m[k++] = b->t[j++];
    free(a->t);
    free(b->t);
    a->t = m, a->n = k, a->cap = k + 1;
    b->t = NULL, b->n = b->cap = 0;
    return 0;
}

/* A seed term whose collection frequency the method reads: a body stem
 * or CJK word (select_terms) or a title word (add_title_terms,
 * add_title_phrases), each only if it can be a query word. The look-up
 * is most of a termlist's cost, and most of the terms (unstemmed words,
 * phrases, heading and title stems) need none. */
/* A body stem as select_terms, add_terms, seed_wants_tf and the see-also
 * block take them: Z, then a byte from 'a' up, non-ASCII letters
 * included (ZS, ZH: title and heading stems, are not). */
static int body_stem(const char *term) { return term[0] == 'Z' && (unsigned char)term[1] >= 'a'; }

static int seed_wants_tf(const char *term, size_t len, void *ud)
{
    (void)ud;
    size_t pl = strlen(PFX_TITLE);
    if (len > 1 && body_stem(term))
        return useful_word(term + 1, len - 1);
    if (len > pl && memcmp(term, PFX_TITLE, pl) == 0)
        return useful_word(term + pl, len - pl);
    return cjk_word(term) && useful_word(term, len);
}

/* The termlists of docids[0..n) merged (wdf summed) into s. Xapian hands
 * each termlist over sorted, so merging keeps s sorted for seed_find. */
static xap_status seed_load(xap_db *db, const uint32_t *docids, size_t n, struct seed *s)
{
    for (size_t i = 0; i < n; i++) {
        struct seed one = { .method_only = 1 };
        xap_status st = xap_db_termlist_some(db, docids[i], seed_wants_tf, seed_add, &one);
        if (st != XAP_OK) {
            seed_free(&one);
            return st;
        }
        if (i == 0) {
            *s = one;
            continue;
        }
        if (seed_merge(s, &one) != 0) {
            seed_free(&one);
            return XAP_ERR_NOMEM;
        }
    }
    return XAP_OK;
}

/* ---- query building ------------------------------------------------------- */

/* Articles a word (title word) may be in before it is too common to
 * relate two articles (a template word): a share of the collection, but
 * never so few that a small site loses its topics. */
#define TEMPLATE_MIN_DF 20

/* The articles a term may be in before it is too common: `share` of the
 * collection, never under TEMPLATE_MIN_DF. */
static double df_limit(xap_db *db, double share)
{
    uint32_t ndocs = 0;
    xap_db_doccount(db, &ndocs);
    double df = share * ndocs;
    return df > TEMPLATE_MIN_DF ? df : TEMPLATE_MIN_DF;
}

/* Can a body term relate two articles? w: its word (a stem without its
 * prefix, or a CJK word), in tf articles: not one found in a single
 * article, none in more than max_df (df_limit), no stop word. */
static int body_term_usable(const char *w, uint32_t tf, double max_df)
{
    return tf >= 2 && tf <= max_df && useful_word(w, strlen(w));
}

/* A CJK word (its first character in U+2E80..U+9FFF or U+AC00..U+D7AF,
 * Hangul): no stem, the word itself is the body term. */
static int cjk_word(const char *w)
{
    unsigned char c = (unsigned char)w[0];
    return c >= 0xE2 && c <= 0xED && !(c == 0xE2 && (unsigned char)w[1] < 0xBA);
}

static int rterm_cmp(const void *a, const void *b)
{
    const struct related_term *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return strcmp(x->term, y->term);
}

/* The seed's body terms by distinctiveness: each stem (Z term; a CJK word
 * as itself) weighted (1 + ln wdf) * ln(N / df), times title_boost
 * (heading_boost) when the seed's title (a heading) has it. A stem in more
 * than max_df of all articles cannot make two articles related, nor can
 * one found only in the seed. *out (malloc'd; its terms point into seed)
 * gets the best eset_terms, best first. */
static xap_status select_terms(xap_db *db, const struct seed *seed, const struct rel_opts *o,
                               struct related_term **out /* OUT */, size_t *n_out /* OUT */)
{
    *out = NULL;
    *n_out = 0;
    uint32_t ndocs = 1;
    xap_db_doccount(db, &ndocs);
    double max_df = df_limit(db, o->max_df); /* a small site keeps its topics */
    struct related_term *ws = malloc((seed->n + 1) * sizeof *ws);
    if (!ws)
        return XAP_ERR_NOMEM;
    size_t n = 0;
    char buf[SCHEMA_MAX_TERM + 4];
    for (size_t i = 0; i < seed->n; i++) {
        const struct sterm *t = &seed->t[i];
        const char *w;
        const char *tp, *hp;
        if (body_stem(t->term)) {
            w = t->term + 1;
            tp = PFX_STEM_TITLE, hp = PFX_STEM_HEADING;
        } else if (cjk_word(t->term)) {
            w = t->term;
            tp = PFX_TITLE, hp = PFX_HEADING;
        } else
            continue;
        if (!body_term_usable(w, t->tf, max_df))
            continue;
        double x = (1.0 + log((double)t->wdf)) * log((double)ndocs / t->tf);
        schema_term(buf, tp, w, strlen(w)); /* not snprintf: 3 % of a /related */
        if (seed_find(seed, buf))
            x *= o->eset_title_boost;
        else {
            schema_term(buf, hp, w, strlen(w));
            if (seed_find(seed, buf))
                x *= o->head_boost;
        }
        ws[n++] = (struct related_term){ t->term, x, t->tf };
    }
    if (n > 1)
        qsort(ws, n, sizeof *ws, rterm_cmp);
    *out = ws;
    *n_out = n > o->eset_terms ? o->eset_terms : n;
    return XAP_OK;
}

/* The weighted terms into the query: each scaled by body_w times its
 * weight over top (the best one's); a stem also in candidate titles (ZS),
 * when the seed's title has it (seed NULL: always). */
static xap_status add_terms(const struct related_term *terms, size_t n, double top, const struct seed *seed,
                            const struct rel_opts *o, struct qlist *l)
{
    if (o->body_w <= 0 || n == 0 || top <= 0)
        return l->st;
    char buf[SCHEMA_MAX_TERM + 4];
    for (size_t i = 0; i < n && l->st == XAP_OK; i++) {
        if (!terms[i].term || !*terms[i].term || strlen(terms[i].term) > SCHEMA_MAX_TERM)
            continue;
        double f = terms[i].weight / top;
        qlist_term(l, terms[i].term, o->body_w * f);
        if (o->body_title_w > 0 && body_stem(terms[i].term)) {
            schema_term(buf, PFX_STEM_TITLE, terms[i].term + 1, strlen(terms[i].term + 1));
            if (!seed || seed_find(seed, buf))
                qlist_term(l, buf, o->body_w * o->body_title_w * f);
        }
    }
    return l->st;
}

/* The similarity query in two parts: what makes a candidate, and the
 * terms that only add weight to one (AND_MAYBE; similar). */
struct simq {
    xap_query *match, *boost;
};

static void simq_free(struct simq *q)
{
    xap_query_free(q->match);
    xap_query_free(q->boost);
    q->match = q->boost = NULL;
}

/* The similarity query: l's title evidence and the body terms, each
 * weighted, summed. Only the best match_terms terms in at most match_df
 * articles make a candidate (out->match): the weaker ones and the common
 * ones (the longest posting lists) only add to the score of the first
 * candidates (out->boost, similar). An article that shares nothing but
 * the seed's weaker stems never came near the top (bench/related-eval.sh: the same lists with 7
 * of 25). The best terms alone must make at least the window of
 * candidates (one of them in `window` articles, by the terms' own tf);
 * where they may not (a small site), every term makes candidates. l is
 * emptied; out->match is NULL when there is nothing to match. */
static xap_status similarity_query(struct qlist *l, const struct related_term *terms, size_t n,
                                   const struct seed *seed, const struct rel_opts *o, uint32_t window,
                                   double match_df, struct simq *out)
{
    out->match = out->boost = NULL;
    double top = 0;
    for (size_t i = 0; i < n; i++)
        if (terms[i].weight > top)
            top = terms[i].weight;
    /* part: the candidates' terms (k of them), then the re-ranking ones
     * (gathered in rest), each in the order given */
    struct related_term *part = n ? malloc(2 * n * sizeof *part) : NULL;
    if (n && !part) {
        qlist_free(l);
        return XAP_ERR_NOMEM;
    }
    struct related_term *rest = part ? part + n : NULL;
    size_t want = o->match_terms && o->match_terms < n ? o->match_terms : n, k = 0, nb = 0;
    for (size_t i = 0; i < n; i++) {
        if (k < want && terms[i].tf <= match_df)
            part[k++] = terms[i];
        else
            rest[nb++] = terms[i];
    }
    if (nb)
        memcpy(part + k, rest, nb * sizeof *part);
    uint32_t most = 0;
    for (size_t i = 0; i < k; i++)
        if (part[i].tf > most)
            most = part[i].tf;
    if (most < window)
        k = n;
    struct qlist boost = { 0 };
    xap_status st = add_terms(part, k, top, seed, o, l);
    if (st == XAP_OK)
        st = add_terms(part + k, n - k, top, seed, o, &boost);
    if (st == XAP_OK && l->n > 0)
        st = xap_query_combine(XAP_OP_OR, l->q, l->n, 0, &out->match);
    if (st == XAP_OK && out->match && boost.n > 0)
        st = xap_query_combine(XAP_OP_OR, boost.q, boost.n, 0, &out->boost);
    if (st != XAP_OK)
        simq_free(out);
    free(part);
    qlist_free(&boost);
    qlist_free(l);
    return st;
}

/* Titles a word may be in before it counts as a template word: a share
 * of the collection, but never so few that a small site loses its topics. */
static double template_df(xap_db *db, const struct rel_opts *o)
{
    return df_limit(db, o->max_title_df);
}

/* Title words of the seed. */
static void add_title_terms(xap_db *db, const struct seed *seed, const struct rel_opts *o, struct qlist *l)
{
    double max_df = template_df(db, o);
    size_t plen = strlen(PFX_TITLE);
    struct qlist all = { 0 };
    for (size_t i = 0; i < seed->n && l->st == XAP_OK; i++) {
        const struct sterm *t = &seed->t[i];
        const char *w = t->term + plen;
        if (strncmp(t->term, PFX_TITLE, plen) != 0 || !useful_word(w, strlen(w)))
            continue;
        /* a title word in a large share of titles is a template word */
        if (o->max_title_df < 1 && t->tf > max_df)
            continue;
        qlist_term(l, t->term, o->title_w);
        qlist_term(&all, t->term, 1.0);
    }
    /* every specific title word in the candidate's title: the same
     * subject. A long title (a study's) is never matched whole, and one
     * shared word of it says little. */
    if (l->st == XAP_OK && all.st == XAP_OK && all.n > 0 && all.n <= o->title_all_max && o->title_all_w > 0) {
        xap_query *q;
        if ((l->st = xap_query_combine(XAP_OP_AND, all.q, all.n, 0, &q)) == XAP_OK)
            qlist_scaled(l, q, o->title_all_w);
    } else if (all.st != XAP_OK && l->st == XAP_OK)
        l->st = all.st;
    qlist_free(&all);
}

/* The seed title's adjacent word pairs as title phrases (both S terms,
 * filtered by the pair's XP term): a bonus for candidates whose title has the same phrase, which
 * tells "type iv" from "type iii". Pairs with a stop word or a template
 * word are left out. */
static void add_title_phrases(xap_db *db, struct tokenizer *tk, const char *title, const struct seed *seed,
                              const struct rel_opts *o, struct qlist *l)
{
    if (o->phrase_w <= 0 || !tk || !title || !*title)
        return;
    double max_df = template_df(db, o);
    const struct tok_token *toks;
    size_t n;
    if (tokenizer_run(tk, title, strlen(title), 1, &toks, &n) != 0)
        return;
    char prev[SCHEMA_MAX_TERM + 1] = "";
    uint32_t prev_pos = 0;
    for (size_t i = 0; i < n && l->st == XAP_OK; i++) {
        const struct tok_token *t = &toks[i];
        if (t->flags & TOK_COMPOUND)
            continue; /* its parts are the positional words */
        char cur[SCHEMA_MAX_TERM + 1];
        schema_term(cur, PFX_TITLE, t->text, t->len);
        const struct sterm *st = seed_find(seed, cur);
        int ok = useful_word(t->text, t->len) && st && !(o->max_title_df < 1 && st->tf > max_df);
        if (ok && *prev && prev_pos + 1 == t->pos) {
            /* Title words have no positions (schema.h): the pair's XP term
             * (adjacent in a title or heading) filters the two words. */
            char ph[SCHEMA_MAX_TERM + 1], xp[SCHEMA_MAX_TERM + 1];
            size_t plen = 0, tl = strlen(PFX_TITLE);
            ph[0] = '\0';
            xap_query *sub[2], *both = NULL, *fil = NULL, *q = NULL;
            if (schema_phrase_append(ph, &plen, sizeof ph - 8, prev + tl, strlen(prev + tl)) != 0 ||
                schema_phrase_append(ph, &plen, sizeof ph - 8, t->text, t->len) != 0)
                goto next;
            schema_term(xp, PFX_PHRASE, ph, plen);
            if (xap_query_term(prev, 1, 1, &sub[0]) != XAP_OK)
                return;
            if (xap_query_term(cur, 1, 2, &sub[1]) != XAP_OK) {
                xap_query_free(sub[0]);
                return;
            }
            l->st = xap_query_combine(XAP_OP_AND, sub, 2, 0, &both);
            xap_query_free(sub[0]);
            xap_query_free(sub[1]);
            if (l->st == XAP_OK && (l->st = xap_query_term(xp, 1, 3, &fil)) == XAP_OK) {
                sub[0] = both;
                sub[1] = fil;
                l->st = xap_query_combine(XAP_OP_FILTER, sub, 2, 0, &q);
            }
            xap_query_free(both);
            xap_query_free(fil);
            if (l->st == XAP_OK)
                qlist_scaled(l, q, o->phrase_w);
        }
    next:
        if (ok) {
            memcpy(prev, cur, sizeof prev);
            prev_pos = t->pos;
        } else
            prev[0] = '\0';
    }
}

/* ---- candidates -------------------------------------------------------------- */

enum { R_SIMILAR = 1, R_LINK = 2 };

struct cand {
    uint32_t docid;
    double score;
    unsigned reason;
};

struct cands {
    struct cand *c;
    size_t n, cap;
};

static struct cand *cands_get(struct cands *cs, uint32_t docid, int create)
{
    for (size_t i = 0; i < cs->n; i++)
        if (cs->c[i].docid == docid)
            return &cs->c[i];
    if (!create)
        return NULL;
    if (GROW(cs->c, cs->cap, cs->n + 1, 32) != 0)
        return NULL;
    cs->c[cs->n] = (struct cand){ docid, 0, 0 };
    return &cs->c[cs->n++];
}

static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->docid < y->docid ? -1 : x->docid > y->docid;
}

static int in_list(const uint32_t *ids, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/* Run the similarity query: candidates with their weights. exclude: the
 * seeds (never candidates). The boost terms re-rank the match part's
 * first REL_WINDOW (or want + n_exclude, if more) candidates
 * (xap_mset_rescore) rather than joining the match: an article that only
 * the weaker terms would lift from deeper rarely belongs near the top,
 * and the match skips their posting lists. Measured against joining
 * (bench/related-eval.sh; related-block-eval.py on the see-also block):
 * window 16 / 30 / 50 / 100: nf .3930 -> .3894 / .3909 / .3907, nf dev
 * .3201 -> .3197 / .3215 / .3210, mq .8438 -> .8461 / .8453 / .8447, mq
 * dev .8486 -> .8512 / .8515 / .8507; the NFCorpus block's P@5 .1449 ->
 * - / .1375 / .1399 / .1418, MedQuAD's .0220 -> - / .0230 / .0220; a
 * /related 3.04 -> 2.47 / 2.62 / 2.78 M instructions, a default MedQuAD
 * /search 18.1 -> - / 15.5 / 15.8 / 16.4 M. */
#define REL_WINDOW 50
static xap_status similar(xap_db *db, const struct simq *q, const struct rel_opts *o, const uint32_t *exclude,
                          size_t n_exclude, uint32_t want, struct cands *cs)
{
    xap_enquire *e;
    xap_status st = xap_enquire_new(db, &e);
    if (st != XAP_OK)
        return st;
    xap_mset *m = NULL;
    uint32_t k = want + (uint32_t)n_exclude, window = k < REL_WINDOW ? REL_WINDOW : k;
    /* no collapse on VAL_DUPKEY here: it would read every candidate's key;
     * emit drops near-duplicates (o->dedupe) from the records it reads
     * anyway */
    if ((st = xap_enquire_set_query(e, q->match)) == XAP_OK &&
        (st = xap_enquire_set_bm25(e, o->bm25_k1, 0, 1, o->bm25_b, 0.5)) == XAP_OK &&
        (st = xap_enquire_mset(e, 0, q->boost ? window : k, 0, NULL, 0, &m)) == XAP_OK)
        st = xap_mset_rescore(e, m, q->boost, window, 0, k, VAL_ID, schema_key_id_term);
    for (size_t i = 0; st == XAP_OK && i < xap_mset_size(m); i++) {
        uint32_t docid, rank;
        double w;
        int pct;
        if ((st = xap_mset_item(m, i, &docid, &rank, &w, &pct)) != XAP_OK)
            break;
        if (in_list(exclude, n_exclude, docid))
            continue;
        struct cand *c = cands_get(cs, docid, 1);
        if (!c) {
            st = XAP_ERR_NOMEM;
            break;
        }
        c->score = w;
        c->reason |= R_SIMILAR;
    }
    xap_mset_free(m);
    xap_enquire_free(e);
    return st;
}

/* The docid a link points to, or 0. */
static uint32_t resolve_link(xap_db *db, struct tokenizer *tk, const struct link *l)
{
    uint32_t docid = 0;
    if (l->target && *l->target && doc_lookup(db, l->target, &docid) == XAP_OK)
        return docid;
    if (l->title && *l->title && tk) {
        char term[SCHEMA_MAX_TERM + 1];
        schema_titlekey_term(term, tk, l->title);
        if (xap_db_docid_by_term(db, term, &docid) == XAP_OK)
            return docid;
    }
    return 0;
}

/* Add the seed's links with a bonus of link_w times the best similarity.
 * Recommend and related links come first, then next and prev. */
static xap_status add_links(xap_db *db, struct tokenizer *tk, const struct article *a, const struct rel_opts *o,
                            const uint32_t *exclude, size_t n_exclude, struct cands *cs)
{
    if (o->link_w <= 0)
        return XAP_OK;
    double top = 0;
    for (size_t i = 0; i < cs->n; i++)
        if (cs->c[i].score > top)
            top = cs->c[i].score;
    if (top <= 0)
        top = 1;
    static const enum link_kind order[] = { LINK_RECOMMEND, LINK_RELATED, LINK_NEXT, LINK_PREV };
    size_t rank = 0;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
        for (size_t i = 0; i < a->n_links; i++) {
            if (a->links[i].kind != order[k])
                continue;
            uint32_t docid = resolve_link(db, tk, &a->links[i]);
            if (!docid || in_list(exclude, n_exclude, docid))
                continue;
            struct cand *c = cands_get(cs, docid, 0);
            if (c && (c->reason & R_LINK))
                continue;
            if (!c && !(c = cands_get(cs, docid, 1)))
                return XAP_ERR_NOMEM;
            /* earlier links rank a little higher among equals */
            c->score += top * o->link_w * (1.0 - 0.01 * (double)(rank < 50 ? rank : 50));
            c->reason |= R_LINK;
            rank++;
        }
    return XAP_OK;
}

/* Candidates whose concepts are compared: the first by score. The
 * concepts re-rank a list; they do not make candidates (measured: the best
 * concept neighbours of a seed that the words miss add nothing,
 * docs/relevance.md). Window 30 / 50 / 100 (bench/related-eval.sh nf, nf
 * dev, mq, mq dev): .4101 .3293 .8554 .8490 / .4105 .3293 .8551 .8490 /
 * .4104 .3292 .8542 .8474; the see-also block's P@5 (NFCorpus, MedQuAD)
 * .1562 .0889 / .1556 .0889 / .1599 .0886; a default MedQuAD /search
 * 13.19 / 13.52 M instructions, a /related 3.05 / 3.22 M. */
#define CONCEPT_WINDOW 30

/* How many word candidates to ask for `want` shown: the whole concept
 * window where the concepts will re-rank them (seeds, and an index with
 * concepts), else want. */
static uint32_t candidates_asked(xap_db *db, const struct rel_opts *o, uint32_t want, size_t n_seeds)
{
    return o->concept_w > 0 && n_seeds && want < CONCEPT_WINDOW && conceptsim_usable(db) ? CONCEPT_WINDOW : want;
}

/* Fuse the concepts' cosine with the seeds (conceptsim.h) into the
 * score of the first CONCEPT_WINDOW candidates: (1 - w) * score / best
 * score + w * cosine / best cosine; the others keep (1 - w) * score / best
 * score. Nothing changes where the index has no concepts. */
static xap_status fuse_concepts(xap_db *db, const uint32_t *seeds, size_t n_seeds, struct cands *cs, double w)
{
    if (w <= 0 || cs->n == 0)
        return XAP_OK;
    qsort(cs->c, cs->n, sizeof *cs->c, cand_cmp);
    size_t k = cs->n < CONCEPT_WINDOW ? cs->n : CONCEPT_WINDOW;
    uint32_t *ids = malloc(k * sizeof *ids);
    double *cos = malloc(k * sizeof *cos);
    int available = 0;
    xap_status st = ids && cos ? XAP_OK : XAP_ERR_NOMEM;
    for (size_t i = 0; st == XAP_OK && i < k; i++)
        ids[i] = cs->c[i].docid;
    if (st == XAP_OK)
        st = conceptsim_cosines(db, seeds, n_seeds, ids, k, cos, &available);
    if (st == XAP_OK && available) {
        double best = cs->c[0].score > 0 ? cs->c[0].score : 1, top = 0;
        for (size_t i = 0; i < k; i++)
            if (cos[i] > top)
                top = cos[i];
        if (top <= 0)
            top = 1;
        for (size_t i = 0; i < cs->n; i++)
            cs->c[i].score = (1 - w) * cs->c[i].score / best + (i < k ? w * cos[i] / top : 0);
    }
    free(ids);
    free(cos);
    return st;
}

/* ---- output ------------------------------------------------------------------- */

static const char *reason_name(unsigned r)
{
    return r == (R_SIMILAR | R_LINK) ? "link+similar" : r == R_LINK ? "link" : "similar";
}

/* Where emit puts the items: a jansson array (the see-also block of
 * /search), or JSON text, items comma-separated (/related's answer,
 * spliced in as written: jsonw.h; a jansson object and its dump per item
 * were 8 % of a /related's instructions). */
struct rel_out {
    json_t *arr;
    struct buf *text;
    size_t n; /* items so far */
};

/* A string member, null for NULL or text that is not UTF-8 (as jansson). */
static void text_str(struct buf *b, const char *key, const char *s)
{
    jsonw_key(b, key);
    if (s)
        jsonw_str(b, s, strlen(s));
    else
        jsonw_null(b);
}

/* Append one item {"id","title","url","score"[,"reason"]}; 0 or -1. */
static int put_item(struct rel_out *o, const struct article *a, double score, const char *reason)
{
    score = round(score * 10000) / 10000;
    if (o->text) {
        struct buf *b = o->text;
        buf_add(b, o->n ? ",{" : "{", o->n ? 2 : 1);
        text_str(b, "id", a->id);
        buf_add(b, ",", 1);
        text_str(b, "title", a->title);
        buf_add(b, ",", 1);
        text_str(b, "url", a->url);
        buf_add(b, ",", 1);
        jsonw_key(b, "score");
        jsonw_real(b, score);
        if (reason) {
            buf_add(b, ",", 1);
            text_str(b, "reason", reason);
        }
        buf_add(b, "}", 1);
        o->n++;
        return b->oom ? -1 : 0;
    }
    json_t *item = json_pack("{s:o, s:o, s:o, s:f}", "id", doc_json_str(a->id), "title", doc_json_str(a->title),
                             "url", doc_json_str(a->url), "score", score);
    if (item && reason)
        json_object_set_new(item, "reason", json_string(reason));
    if (!item || json_array_append_new(o->arr, item) != 0)
        return -1;
    o->n++;
    return 0;
}

/* Up to limit candidates as JSON items, near-duplicates of each other and
 * of the seed's dupkey skipped. */
static xap_status emit(xap_db *db, struct cands *cs, size_t limit, const char *seed_key, int dedupe,
                       int with_reason, struct rel_out *out)
{
    if (cs->n > 1)
        qsort(cs->c, cs->n, sizeof *cs->c, cand_cmp);
    char **seen = calloc(limit + 1, sizeof *seen);
    if (!seen)
        return XAP_ERR_NOMEM;
    size_t n_seen = 0;
    xap_status st = XAP_OK;
    for (size_t i = 0; i < cs->n && out->n < limit; i++) {
        struct article *a;
        char *key;
        st = doc_load(db, cs->c[i].docid, DOC_HEAD, &a, &key);
        if (st == XAP_ERR_NOT_FOUND) { /* deleted since: skip */
            st = XAP_OK;
            continue;
        }
        if (st != XAP_OK)
            break;
        int dup = 0;
        if (dedupe && *key) {
            dup = seed_key && strcmp(key, seed_key) == 0;
            for (size_t j = 0; !dup && j < n_seen; j++)
                dup = strcmp(seen[j], key) == 0;
        }
        if (!dup) {
            if (put_item(out, a, cs->c[i].score, with_reason ? reason_name(cs->c[i].reason) : NULL) != 0)
                st = XAP_ERR_NOMEM;
            if (dedupe && *key)
                seen[n_seen++] = key, key = NULL;
        }
        free(key);
        article_free(a);
        if (st != XAP_OK)
            break;
    }
    for (size_t j = 0; j < n_seen; j++)
        free(seen[j]);
    free(seen);
    return st;
}

/* ---- GET /related -------------------------------------------------------------- */

struct rel_job {
    const char *id;
    size_t limit;
    struct tokenizer *tk;
    struct rel_opts o;
    struct buf items; /* OUT: the related articles' JSON (struct rel_out) */
};

/* The similarity query of the articles rset[0..n_rset) (their merged
 * termlist in seed); with a title, its words and phrases too. */
static xap_status build_query(xap_db *db, struct tokenizer *tk, const struct seed *seed, const char *title, const struct rel_opts *o,
                              uint32_t window, struct simq *out)
{
    out->match = out->boost = NULL;
    struct qlist l = { 0 };
    if (title) {
        add_title_terms(db, seed, o, &l);
        add_title_phrases(db, tk, title, seed, o, &l);
    }
    struct related_term *terms = NULL;
    size_t n = 0;
    xap_status st = l.st;
    if (st == XAP_OK && (st = select_terms(db, seed, o, &terms, &n)) == XAP_OK)
        st = similarity_query(&l, terms, n, seed, o, window, df_limit(db, o->match_max_df), out);
    free(terms);
    qlist_free(&l);
    return st;
}

static xap_status rel_run(xap_db *db, void *ud)
{
    struct rel_job *j = ud;
    buf_free(&j->items); /* a retry starts over */
    uint32_t seed_id;
    xap_status st = doc_lookup(db, j->id, &seed_id);
    if (st != XAP_OK)
        return st;
    struct article *a = NULL;
    char *seed_key = NULL;
    struct seed seed = { 0 };
    struct cands cs = { 0 };
    struct simq q = { NULL, NULL };
    uint32_t want = (uint32_t)(j->limit + 5);
    if ((st = doc_load(db, seed_id, DOC_LINKS, &a, &seed_key)) != XAP_OK || (st = seed_load(db, &seed_id, 1, &seed)) != XAP_OK ||
        (st = build_query(db, j->tk, &seed, a->title, &j->o, want + 1 /* and the seed */, &q)) != XAP_OK)
        goto out;
    /* concepts before links: a linked article still comes first */
    uint32_t ask = candidates_asked(db, &j->o, want, 1);
    if ((q.match && (st = similar(db, &q, &j->o, &seed_id, 1, ask, &cs)) != XAP_OK) || /* none: no evidence */
        (st = fuse_concepts(db, &seed_id, 1, &cs, j->o.concept_w)) != XAP_OK ||
        (st = add_links(db, j->tk, a, &j->o, &seed_id, 1, &cs)) != XAP_OK)
        goto out;
    struct rel_out ro = { NULL, &j->items, 0 };
    st = emit(db, &cs, j->limit, seed_key, j->o.dedupe, 1, &ro);
out:
    simq_free(&q);
    free(cs.c);
    seed_free(&seed);
    free(seed_key);
    article_free(a);
    return st;
}

void related_handle(struct server_req *req)
{
    const struct config *cfg = server_config(req);
    const char *id = server_arg_str(req, "id", NULL);
    long limit;
    if (!id || !*id) {
        server_reply_error(req, 400, "bad_request", "id", -1, "id is required");
        return;
    }
    if (server_arg_int(req, "limit", 10, 1, cfg->searchd.max_limit, &limit) != 0 || !server_db(req))
        return;
    struct worker *w = server_worker(req);
    struct rel_job j = { id, (size_t)limit, worker_tokenizer(w), { 0 }, { 0 } };
    rel_opts_from_config(&j.o, cfg);
    xap_status st = worker_retry(w, rel_run, &j);
    if (st == XAP_ERR_NOT_FOUND)
        server_reply_error(req, 404, "not_found", "id", -1, "no article with this id");
    else if (st != XAP_OK)
        server_reply_error(req, 500, "internal", NULL, -1, "related articles: %s", xap_errmsg());
    else {
        /* the items go in as written, at "related" */
        buf_add(&j.items, "", 0);
        server_reply_json_splice(req, 200, json_pack("{s:s, s:n}", "id", id, "related"), "related",
                                 j.items.oom ? NULL : j.items.s ? j.items.s : "");
    }
    buf_free(&j.items);
}

/* A CJK phrase that starts or ends with a particle or conjunction
 * ("的常见") is a fragment. */
static int cjk_fragment(const char *p)
{
    static const char *const particles[] = { "的", "了", "和", "与", "及", "是", "在", "吗", "呢", "吧" };
    size_t len = strlen(p);
    for (size_t i = 0; i < sizeof particles / sizeof particles[0]; i++) {
        size_t pl = strlen(particles[i]);
        if (len >= pl && (memcmp(p, particles[i], pl) == 0 || memcmp(p + len - pl, particles[i], pl) == 0))
            return 1;
    }
    return 0;
}

xap_status related_for_terms(struct worker *w, xap_db *db, const struct related_term *terms, size_t n,
                             const uint32_t *seeds, size_t n_seeds, const uint32_t *exclude, size_t n_exclude,
                             size_t limit, json_t *out)
{
    if (!out || (n && !terms))
        return XAP_ERR_INVALID;
    struct rel_opts o;
    rel_opts_from_config(&o, worker_config(w));
    if (limit == 0 || n == 0)
        return XAP_OK;
    /* select_terms' rule (body_term_usable) on the given terms */
    double max_df = df_limit(db, o.max_df);
    struct related_term *use = malloc(n * sizeof *use);
    if (!use)
        return XAP_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = terms[i].term;
        if (t && body_term_usable(body_stem(t) ? t + 1 : t, terms[i].tf, max_df))
            use[k++] = terms[i];
    }
    struct qlist l = { 0 };
    struct cands cs = { 0 };
    struct simq q = { NULL, NULL };
    uint32_t want = (uint32_t)(limit * 2 + 5);
    xap_status st = similarity_query(&l, use, k, NULL, &o, want + (uint32_t)n_exclude, df_limit(db, o.match_max_df), &q);
    if (st == XAP_OK && q.match &&
        (st = similar(db, &q, &o, exclude, n_exclude, candidates_asked(db, &o, want, n_seeds), &cs)) == XAP_OK &&
        (st = fuse_concepts(db, seeds, n_seeds, &cs, o.concept_w)) == XAP_OK) {
        struct rel_out ro = { out, NULL, json_array_size(out) };
        st = emit(db, &cs, limit, NULL, o.dedupe, 0, &ro);
    }
    simq_free(&q);
    qlist_free(&l);
    free(cs.c);
    free(use);
    return st;
}

/* ---- related searches, from the search plan's expand set ----------------------- */

int related_phrase_term(const char *t, size_t len)
{
    size_t pl = strlen(PFX_PHRASE);
    return len > pl && memcmp(t, PFX_PHRASE, pl) == 0;
}

/* Is the phrase p (words separated by spaces) a useful related search:
 * no stop word or number (a fragment), not only query words, not a CJK
 * fragment? */
static int good_phrase(const char *p, const char *const *qwords, size_t n_qwords)
{
    int novel = 0;
    for (const char *w = p; *w;) {
        size_t wl = strcspn(w, " ");
        if (!useful_word(w, wl))
            return 0;
        int known = 0;
        for (size_t i = 0; i < n_qwords && !known; i++)
            known = strlen(qwords[i]) == wl && memcmp(qwords[i], w, wl) == 0;
        novel |= !known;
        w += wl;
        while (*w == ' ')
            w++;
    }
    return novel && !cjk_fragment(p);
}

xap_status related_eset_phrases(struct worker *w, xap_db *db, const xap_eset *es, const char *const *qwords,
                                size_t n_qwords, size_t n_terms, json_t *out)
{
    if (!out)
        return XAP_ERR_INVALID;
    struct rel_opts o;
    rel_opts_from_config(&o, worker_config(w));
    double max_df = template_df(db, &o);
    size_t n = es ? xap_eset_size(es) : 0, plen = strlen(PFX_PHRASE);
    xap_status st = XAP_OK;
    for (size_t i = 0; i < n && st == XAP_OK && json_array_size(out) < n_terms; i++) {
        const char *t;
        double wt;
        if ((st = xap_eset_item(es, i, &t, &wt)) != XAP_OK)
            break;
        if (!related_phrase_term(t, strlen(t)) || !good_phrase(t + plen, qwords, n_qwords))
            continue;
        /* a phrase of one article finds nothing else; one of many titles
         * is a template ("how many people") */
        uint32_t tf = 0;
        if ((st = xap_eset_termfreq(es, i, &tf)) != XAP_OK)
            break;
        if (tf < 2 || tf > max_df)
            continue;
        /* a 2-word phrase inside a picked 3-word one adds nothing */
        int inside = 0;
        for (size_t m = 0; m < json_array_size(out) && !inside; m++) {
            const char *x = json_string_value(json_array_get(out, m));
            inside = strstr(x, t + plen) != NULL || strstr(t + plen, x) != NULL;
        }
        if (!inside && json_array_append_new(out, json_string(t + plen)) != 0)
            st = XAP_ERR_NOMEM;
    }
    return st;
}
