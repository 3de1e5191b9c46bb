/* SPDX-License-Identifier: GPL-2.0-or-later */
/* search.c: GET /search (see search.h). */
#include "search.h"
#include "assist.h"
#include "facets.h"
#include "stopword.h"
#include "related.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "docrec.h"
#include "jsonw.h"
#include "log.h"
#include "namelist.h"
#include "query.h"
#include "plan.h"
#include "rank.h"
#include "schema.h"
#include "server.h"
#include "snippet.h"
#include "spell.h"
#include "tokenizer.h"
#include "worker.h"

/* Default of track_total=: matches counted exactly at least, so that a
 * search box's `total` is exact for small result sets and the same on
 * every page of a pagination. A request that shows no total asks 0 (the
 * match then stops counting at offset + limit; `total` is Xapian's
 * estimate, total_exact false when it is one). */
#define TRACK_TOTAL_DEFAULT 1000
/* Related block of a result list. */
#define RELATED_ARTICLES 5
#define RELATED_TERMS 8
/* Deepest page (offset + limit) that expanded hits may fill. */
#define FILL_MAX 1000
/* Without PRF, the hits the expand set is computed from. */
#define RELATED_RSET 5
/* Expand-set stems offered to the related articles' query (it keeps
 * those /related's rules keep). */
#define RELATED_EXPAND_TERMS 20
/* Expand-set terms to look at when the related block wants them. */
#define EXPAND_RELATED 400

/* ---- what fields= can ask for ----------------------------------------------- */

enum {
    F_RANK = 1 << 0, F_ID = 1 << 1, F_TITLE = 1 << 2, F_URL = 1 << 3, F_SCORE = 1 << 4,
    F_PERCENT = 1 << 5, F_CATEGORY = 1 << 6, F_LANG = 1 << 7, F_DATE = 1 << 8, F_SNIPPET = 1 << 9,
    F_RELATED = 1 << 10, F_DYM = 1 << 11,
    F_ALL = (1 << 12) - 1,
    F_RECORD = F_TITLE | F_URL | F_CATEGORY | F_LANG | F_DATE | F_SNIPPET | F_ID /* need the stored record */
};

static const struct namebit field_names[] = {
    { "rank", F_RANK }, { "id", F_ID }, { "title", F_TITLE }, { "url", F_URL }, { "score", F_SCORE },
    { "percent", F_PERCENT }, { "category", F_CATEGORY }, { "lang", F_LANG }, { "date", F_DATE },
    { "snippet", F_SNIPPET }, { "related", F_RELATED }, { "did_you_mean", F_DYM },
};

/* ---- this thread's stemmer ----------------------------------------------------- */

static pthread_key_t stem_key;
static pthread_once_t stem_once = PTHREAD_ONCE_INIT;

static void stem_destroy(void *p) { xap_stem_free(p); }
static void stem_key_make(void)
{
    if (pthread_key_create(&stem_key, stem_destroy) != 0)
        log_err("search: cannot create the stemmer key");
}

/* The English stemmer of this thread (freed when the thread exits), or
 * NULL (then words match exactly only). */
static xap_stem *thread_stemmer(void)
{
    pthread_once(&stem_once, stem_key_make);
    xap_stem *s = pthread_getspecific(stem_key);
    if (!s && xap_stem_new("english", &s) == XAP_OK && pthread_setspecific(stem_key, s) != 0) {
        xap_stem_free(s);
        s = NULL;
    }
    return s;
}

/* ---- the run (retried on DatabaseModifiedError) ------------------------------------ */

struct run {
    /* in */
    const struct config *cfg;
    struct tokenizer *tk;
    xap_stem *stem;
    struct worker *w;
    struct assist *assist;       /* helpers for the hits' snippets, or NULL */
    struct plan *plan;
    const char *category, *lang; /* folded filter values or NULL */
    uint32_t offset, limit;
    uint32_t track_total;        /* track_total=: matches counted exactly at least */
    unsigned fields;
    unsigned facet_mask;         /* facets= (facets.h); 0: none */
    size_t facet_limit;
    int want_dym;                /* did_you_mean was asked for */
    int correct;                 /* zero hits: compute did_you_mean for a correction */
    /* out */
    struct buf hits;             /* the hits' JSON objects, comma-separated (jsonw.h) */
    uint32_t total;
    int total_exact;             /* total is a count, not Xapian's estimate */
    int timed_out;
    json_t *dym;
    json_t *rel_articles, *rel_terms;
    json_t *facets;              /* the final pass's facet counts, or NULL */
    struct facets *fc;           /* its spies (freed after the enquire) */
};

static void run_reset(struct run *r)
{
    buf_free(&r->hits);
    json_decref(r->dym);
    json_decref(r->rel_articles);
    json_decref(r->rel_terms);
    json_decref(r->facets);
    r->dym = r->rel_articles = r->rel_terms = r->facets = NULL;
    r->total = 0;
    r->total_exact = 0;
    r->timed_out = 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *or_null_str(const char *s) { return s && *s ? s : NULL; }

/* The key of a hit's member, after a comma unless it is the first. */
static void member(struct buf *b, int *first, const char *key)
{
    if (!*first)
        buf_add(b, ",", 1);
    *first = 0;
    jsonw_key(b, key);
}

/* A string member, or null for NULL. */
static void jstr(struct buf *b, int *first, const char *key, const char *s)
{
    member(b, first, key);
    if (s)
        jsonw_str(b, s, strlen(s));
    else
        jsonw_null(b);
}

/* A hit of the page, in three steps: hit_load reads what it needs of
 * Xapian (the worker's thread), hit_task decodes its record and makes its
 * snippet (any thread: assist.h), hit_emit writes it (the worker). */
struct hit {
    uint32_t docid, rank;
    double weight;
    int percent;
    int expanded;                  /* < 0: no "expanded" member */
    const struct snippet_query *sq;
    char *key;                     /* the id, from the sort key, when nothing else of the record is asked */
    size_t klen;
    char *data;                    /* the stored record, until hit_task */
    size_t dlen;
    struct article *a;             /* hit_task: the record, NULL when corrupt or not asked */
    char *snip;                    /* hit_task: the snippet (F_SNIPPET), NULL when out of memory */
};

struct hits_job {
    const struct run *r;
    struct hit *h;
};

static void hit_clear(struct hit *h)
{
    free(h->key);
    free(h->data);
    article_free(h->a);
    free(h->snip);
    *h = (struct hit){ 0 };
}

/* Item i of m, and its record's bytes when the page shows any of it. */
static xap_status hit_load(const struct run *r, xap_mset *m, size_t i, const struct snippet_query *sq, int expanded,
                           struct hit *h)
{
    *h = (struct hit){ .sq = sq, .expanded = expanded };
    xap_status st = xap_mset_item(m, i, &h->docid, &h->rank, &h->weight, &h->percent);
    if (st != XAP_OK)
        return st;
    if ((r->fields & F_RECORD) == F_ID) {
        st = xap_mset_sort_key(m, i, &h->key, &h->klen);
        if (st != XAP_OK)
            return st;
        if (h->klen == 0) {
            free(h->key);
            h->key = NULL;
        }
    }
    if ((r->fields & F_RECORD) && !h->key) {
        xap_doc *doc = NULL;
        st = xap_mset_doc(m, i, &doc);
        if (st == XAP_OK)
            st = xap_doc_get_data(doc, &h->data, &h->dlen);
        xap_doc_free(doc);
    }
    return st;
}

/* The record decoded and the snippet made (an assist task). */
static void hit_task(void *ud, size_t i, const struct assist_tools *tools)
{
    const struct hits_job *job = ud;
    const struct run *r = job->r;
    struct hit *h = &job->h[i];
    if (!h->data)
        return;
    if (docrec_decode_hit(h->data, h->dlen, (r->fields & F_SNIPPET) != 0, &h->a) != 0) {
        log_warn("search: document %u: corrupt stored record", h->docid);
        h->a = NULL;
    }
    free(h->data);
    h->data = NULL;
    if (r->fields & F_SNIPPET) {
        const struct article *a = h->a;
        const char *body = a && a->body && *a->body ? a->body : a ? a->title : "";
        h->snip = snippet_make(tools->tk, tools->stem, h->sq, body, strlen(body), SNIPPET_WIDTH);
    }
}

/* The hit as a JSON object appended to r->hits (after a comma unless it
 * is the first). */
static xap_status hit_emit(struct run *r, const struct hit *h)
{
    const struct article *a = h->a;
    struct buf *b = &r->hits;
    int first = 1;
    buf_add(b, b->len ? ",{" : "{", b->len ? 2 : 1);
    if (r->fields & F_RANK) {
        member(b, &first, "rank");
        jsonw_int(b, (long long)h->rank + 1);
    }
    if (r->fields & F_ID) {
        member(b, &first, "id");
        if (h->key)
            jsonw_str(b, h->key, h->klen);
        else if (a && a->id)
            jsonw_str(b, a->id, strlen(a->id));
        else
            jsonw_null(b);
    }
    if (r->fields & F_TITLE)
        jstr(b, &first, "title", a ? a->title : NULL);
    if (r->fields & F_URL)
        jstr(b, &first, "url", a ? or_null_str(a->url) : NULL);
    if (r->fields & F_SCORE) {
        member(b, &first, "score");
        jsonw_real(b, h->weight);
    }
    if (r->fields & F_PERCENT) {
        member(b, &first, "percent");
        jsonw_int(b, h->percent);
    }
    if (r->fields & F_CATEGORY)
        jstr(b, &first, "category", a ? or_null_str(a->category) : NULL);
    if (r->fields & F_LANG)
        jstr(b, &first, "lang", a ? or_null_str(a->lang) : NULL);
    if (r->fields & F_DATE)
        jstr(b, &first, "date", a ? or_null_str(a->date) : NULL);
    if (r->fields & F_SNIPPET)
        jstr(b, &first, "snippet", h->snip ? h->snip : "");
    if (h->expanded >= 0) {
        member(b, &first, "expanded");
        jsonw_bool(b, h->expanded);
    }
    buf_add(b, "}", 1);
    return b->oom ? XAP_ERR_NOMEM : XAP_OK;
}

static xap_status filter_term(xap_query **q, const char *prefix, const char *value)
{
    char t[SCHEMA_MAX_TERM + 1];
    schema_term(t, prefix, value, strlen(value));
    return xap_query_term(t, 1, 0, q);
}

/* Adds the category/lang parameters as filters. */
static xap_status add_filters(struct run *r, xap_query **q)
{
    xap_query *f[2] = { NULL, NULL };
    size_t n = 0;
    xap_status st = XAP_OK;
    if (r->category && (st = filter_term(&f[n], PFX_CATEGORY, r->category)) == XAP_OK)
        n++;
    if (st == XAP_OK && r->lang && (st = filter_term(&f[n], PFX_LANG, r->lang)) == XAP_OK)
        n++;
    if (st == XAP_OK && n > 0) {
        xap_query *all = NULL, *filtered = NULL;
        st = n == 1 ? XAP_OK : xap_query_combine(XAP_OP_AND, f, n, 0, &all);
        if (st == XAP_OK) {
            xap_query *pair[2] = { *q, all ? all : f[0] };
            st = xap_query_combine(XAP_OP_FILTER, pair, 2, 0, &filtered);
        }
        if (st == XAP_OK) {
            xap_query_free(*q);
            *q = filtered;
        }
        xap_query_free(all);
    }
    for (size_t i = 0; i < n; i++)
        xap_query_free(f[i]);
    return st;
}

/* ---- the expand set (shared by PRF and the related block) ---------------------- */

struct decide {
    int prf, related;
};

static int expand_decider(const char *t, size_t len, void *ud)
{
    const struct decide *d = ud;
    /* English stems feed PRF and the related articles; title/heading
     * phrases the related searches. */
    return ((d->prf || d->related) && rank_prf_term(t, len)) || (d->related && related_phrase_term(t, len));
}

/* The one expand set of a request: the best terms of the relevant set
 * rset[0..n) (query terms excluded, exact term frequencies). */
static xap_status expand(struct run *r, xap_enquire *e, const uint32_t *rset, size_t n, xap_eset **es)
{
    struct decide d = { plan_prf(r->plan), (r->fields & F_RELATED) != 0 };
    /* PRF takes the first prf_terms stems; the related block the first
     * words and title/heading phrases, which rank below most words: ask
     * for enough of each (the cost is reading the relevant set's
     * termlists and weighting all their terms, whatever the size). */
    uint32_t max = d.related ? EXPAND_RELATED : r->plan->opts.prf_terms;
    return xap_enquire_eset(e, max, rset, n, expand_decider, &d, es);
}

static int mark_add(const char *s, size_t len, void *ud)
{
    struct snippet_query *sq = ud;
    if (snippet_query_add(sq, s, len) != 0)
        return -1;
    return snippet_query_count(sq) >= 64;
}

/* The final match pass of a search: the one place where every match of
 * the final query is seen once. Match spies (facet counts) attach to e
 * here, before the match (not to the PRF pass), and their counts are read
 * after it. */
static xap_status final_pass(struct run *r, xap_db *db, xap_enquire *e, uint32_t offset, uint32_t limit,
                             uint32_t check_at_least, xap_mset **m)
{
    xap_status st = facets_attach(e, r->facet_mask, &r->fc);
    if (st == XAP_OK)
        st = xap_enquire_mset(e, offset, limit, facets_check_at_least(r->fc, db, check_at_least), NULL, 0, m);
    if (st == XAP_OK && r->fc)
        r->facets = facets_json(r->fc, r->facet_limit, &st);
    return st;
}

/* The PRF words of es, as words to mark (the stem without its prefix). */
static void mark_expansion(const struct plan *p, const xap_eset *es, struct snippet_query *sq)
{
    size_t pl = strlen(PFX_STEM), taken = 0;
    for (size_t i = 0; es && i < xap_eset_size(es) && taken < p->opts.prf_terms; i++) {
        const char *t;
        double w;
        if (xap_eset_item(es, i, &t, &w) != XAP_OK || !rank_prf_term(t, strlen(t)))
            continue;
        taken++;
        mark_add(t + pl, strlen(t + pl), sq);
    }
}

static xap_status run_search(xap_db *db, void *ud)
{
    struct run *r = ud;
    run_reset(r);
    const struct config *cfg = r->cfg;
    const struct plan *p = r->plan;
    xap_query *q = NULL, *late = NULL;
    xap_enquire *e = NULL;
    xap_mset *m = NULL, *m1 = NULL;
    xap_eset *es = NULL;
    struct snippet_query *sq = NULL, *sq_exp = NULL;
    uint32_t *docids = NULL;
    size_t *page = NULL;           /* the page's hits: their index in m */
    unsigned char *expanded = NULL; /* ... and whether each came by PRF only */
    struct hit *hits = NULL;       /* the page's hits, loaded */
    size_t n_hits = 0;
    struct hits_job job = { r, NULL };
    struct assist_batch batch;     /* their records and snippets (hit_task) */
    int batch_live = 0;            /* ... until joined */
    const struct assist_tools own = { r->tk, r->stem };
    uint32_t rset[100];
    const uint32_t *rset_ids = rset; /* the expand set's relevant set: rset, or the page's best hits */
    size_t n_rset = 0;
    xap_status st = XAP_OK;
    if (!p->q) { /* no words at all: nothing matches */
        r->total_exact = 1;
        goto done;
    }
    st = plan_bind(r->plan, db);
    if (st == XAP_OK && r->want_dym && cfg->ranking.spelling)
        st = spell_want_termfreqs(db, r->stem, p->q); /* with the expand set's */
    if (st == XAP_OK)
        st = rank_query(p, db, r->stem, &q, &late);
    if (st == XAP_OK)
        st = add_filters(r, &q);
    if (st == XAP_OK)
        st = xap_enquire_new(db, &e);
    if (st == XAP_OK)
        st = xap_enquire_set_query(e, q);
    if (st == XAP_OK)
        st = rank_enquire(p, e);
    double budget = cfg->searchd.query_timeout_ms / 1000.0;
    if (st == XAP_OK && budget > 0)
        st = xap_enquire_set_time_limit(e, budget);
    if (st != XAP_OK)
        goto done;
    double t0 = now_s();
    size_t n = 0, n_real = 0;
    uint32_t want = r->offset + r->limit;
    int fill = 0;
    if (plan_prf(p)) {
        /* Pass 1 is the final match: it counts the matches (and feeds the
         * facet spies). The late boosts (rank_query) re-rank its first
         * boost_window matches; then its top prf_docs articles are the
         * relevant set of the expand set, whose best stems re-rank its
         * first prf_window matches with AND_MAYBE's weights, computed for
         * those articles alone (xap_mset_rescore), instead of a second
         * match of the whole query. When fewer articles match than the page wants, all
         * are known, and articles holding only the expansion terms may
         * fill the page after them ("expanded", not in total): a second
         * pass of rank_fill's query. */
        uint32_t window = p->opts.prf_window;
        uint32_t deep = want > window ? want : window;
        if (deep < p->opts.prf_docs)
            deep = p->opts.prf_docs;
        if (late && deep < p->opts.boost_window)
            deep = p->opts.boost_window;
        st = final_pass(r, db, e, 0, deep, want > r->track_total ? want : r->track_total, &m1);
        n_real = st == XAP_OK ? xap_mset_size(m1) : 0;
        if (st == XAP_OK && late) {
            /* The late terms re-rank their window of the match first: its
             * best are then the relevant set, as when they join it. */
            st = xap_mset_rescore(e, m1, late, p->opts.boost_window, 0, (uint32_t)n_real, VAL_ID,
                                  schema_key_id_term);
            if (st == XAP_OK)
                st = xap_enquire_set_query(e, q); /* the expand set leaves its terms out */
        }
        /* Never with filters or facets: counts and a clicked facet agree. */
        fill = st == XAP_OK && n_real < want && want <= FILL_MAX && !p->structured && !r->category && !r->lang &&
               !r->facet_mask;
        n_rset = n_real < p->opts.prf_docs ? n_real : p->opts.prf_docs;
        if (n_rset > sizeof rset / sizeof rset[0])
            n_rset = sizeof rset / sizeof rset[0];
        for (size_t i = 0; i < n_rset && st == XAP_OK; i++)
            st = xap_mset_item(m1, i, &rset[i], NULL, NULL, NULL);
        xap_query *exp = NULL;
        if (st == XAP_OK && n_real > 0)
            st = expand(r, e, rset, n_rset, &es);
        if (st == XAP_OK && es)
            st = rank_expansion(p, es, &exp);
        fill = fill && exp;
        if (st == XAP_OK && fill) {
            /* every real match is among the first want + n_real: the
             * late terms join the query as they re-rank all of them */
            st = rank_join_late(&q, late);
            if (st == XAP_OK)
                st = rank_fill(p, exp, &q);
            if (st == XAP_OK)
                st = xap_enquire_set_query(e, q);
            if (st == XAP_OK)
                st = final_pass(r, db, e, 0, want + (uint32_t)n_real, 0, &m);
        } else if (st == XAP_OK) {
            st = xap_mset_rescore(e, m1, exp, window, r->offset, r->limit, VAL_ID, schema_key_id_term);
            m = m1;
            m1 = NULL;
        }
        xap_query_free(exp);
    } else if (late) {
        uint32_t window = p->opts.boost_window, deep = want > window ? want : window;
        st = final_pass(r, db, e, 0, deep, want > r->track_total ? want : r->track_total, &m);
        if (st == XAP_OK)
            st = xap_mset_rescore(e, m, late, window, r->offset, r->limit, VAL_ID, schema_key_id_term);
    } else {
        st = final_pass(r, db, e, r->offset, r->limit, want > r->track_total ? want : r->track_total, &m);
    }
    if (st != XAP_OK)
        goto done;
    /* Xapian does not say that it stopped early; the clock does. */
    r->timed_out = budget > 0 && now_s() - t0 >= budget;
    r->total = fill ? (uint32_t)n_real : xap_mset_estimated(m);
    r->total_exact = !r->timed_out && (fill || xap_mset_lower(m) == xap_mset_upper(m));
    size_t nm = xap_mset_size(m);
    /* The page: mset items in order; with fill, the real matches (those of
     * pass 1) first, then the expanded ones. */
    page = calloc(nm + 1, sizeof *page);
    expanded = calloc(nm + 1, 1);
    docids = calloc(nm + 1, sizeof *docids);
    if (!docids || !page || !expanded) {
        st = XAP_ERR_NOMEM;
        goto done;
    }
    if (fill) {
        size_t k = 0, seen = 0;
        uint32_t *reals = calloc(n_real + 1, sizeof *reals);
        if (!reals)
            st = XAP_ERR_NOMEM;
        for (size_t j = 0; j < n_real && st == XAP_OK; j++)
            st = xap_mset_item(m1, j, &reals[j], NULL, NULL, NULL);
        for (int pass = 0; pass < 2 && st == XAP_OK; pass++)
            for (size_t i = 0; i < nm && st == XAP_OK; i++) {
                uint32_t d;
                st = xap_mset_item(m, i, &d, NULL, NULL, NULL);
                int real = 0;
                for (size_t j = 0; j < n_real && !real; j++)
                    real = reals[j] == d;
                if (real != (pass == 0))
                    continue;
                if (seen++ < r->offset || k >= r->limit)
                    continue;
                expanded[k] = pass == 1;
                docids[k] = d;
                page[k++] = i;
            }
        free(reals);
        n = k;
    } else {
        n = nm;
        for (size_t i = 0; i < n && st == XAP_OK; i++) {
            page[i] = i;
            st = xap_mset_item(m, i, &docids[i], NULL, NULL, NULL);
        }
    }
    if (st == XAP_OK && (r->fields & F_SNIPPET)) {
        if (!(sq = snippet_query_new(r->stem)) || (fill && !(sq_exp = snippet_query_new(r->stem))))
            st = XAP_ERR_NOMEM;
        if (sq)
            plan_marks(p, mark_add, sq);
        if (sq_exp) /* an expanded hit shows the expansion words it holds (es: PRF's) */
            mark_expansion(p, es, sq_exp);
    }
    if (st == XAP_OK && !(hits = calloc(n + 1, sizeof *hits)))
        st = XAP_ERR_NOMEM;
    for (size_t i = 0; i < n && st == XAP_OK; i++, n_hits++)
        st = hit_load(r, m, page[i], expanded[i] ? sq_exp : sq, fill ? expanded[i] : -1, &hits[i]);
    if (st != XAP_OK)
        goto done;
    /* The records and snippets are made while this thread computes the
     * see-also block: by a helper when one is free (assist.h), else by
     * this thread at the join. */
    job.h = hits;
    assist_batch_init(&batch, hit_task, &job, n_hits);
    batch_live = 1;
    if (r->fields & F_SNIPPET)
        assist_offer(r->assist, &batch);
    if (!es && (r->fields & F_RELATED) && n > 0) {
        /* No PRF: the page's best hits are the relevant set. */
        n_rset = n < RELATED_RSET ? n : RELATED_RSET;
        rset_ids = docids;
        st = expand(r, e, docids, n_rset, &es);
    }
    if (st != XAP_OK)
        goto done;
    if ((r->want_dym || (r->correct && r->total == 0)) && cfg->ranking.spelling) {
        spell_init(cfg->ranking.dictionaries, r->tk, r->stem);
        st = spell_suggest(db, r->stem, p->text, p->len, p->q, &r->dym);
        if (st != XAP_OK)
            goto done;
    }
    if ((r->fields & F_RELATED) && !r->rel_articles) {
        const char *qw[64];
        size_t nq = 0;
        for (size_t i = 0; i < p->n_words && nq < 64; i++)
            qw[nq++] = p->words[i].text;
        /* The expand set's best stems are the related articles' query;
         * every hit of the page is excluded so none comes back. */
        struct related_term rt[RELATED_EXPAND_TERMS];
        size_t nrt = 0;
        for (size_t i = 0; es && i < xap_eset_size(es) && nrt < RELATED_EXPAND_TERMS && st == XAP_OK; i++) {
            const char *t;
            double wt;
            uint32_t tf = 0;
            st = xap_eset_item(es, i, &t, &wt);
            if (st == XAP_OK && rank_prf_term(t, strlen(t)) && wt > 0 && (st = xap_eset_termfreq(es, i, &tf)) == XAP_OK)
                rt[nrt++] = (struct related_term){ t, wt, tf };
        }
        if (st == XAP_OK && (!(r->rel_articles = json_array()) || !(r->rel_terms = json_array())))
            st = XAP_ERR_NOMEM;
        if (st == XAP_OK)
            st = related_for_terms(r->w, db, rt, nrt, rset_ids, n_rset, docids, n, RELATED_ARTICLES, r->rel_articles);
        if (st == XAP_OK)
            st = related_eset_phrases(r->w, db, es, qw, nq, RELATED_TERMS, r->rel_terms);
    }
    if (st != XAP_OK)
        goto done;
    assist_join(r->assist, &batch, &own);
    batch_live = 0;
    for (size_t i = 0; i < n_hits && st == XAP_OK; i++)
        st = hit_emit(r, &hits[i]);
done:
    if (batch_live) /* no helper may still read the hits */
        assist_join(r->assist, &batch, &own);
    for (size_t i = 0; i < n_hits; i++)
        hit_clear(&hits[i]);
    free(hits);
    /* every exit, a failed item read mid-page (the index moved on) too */
    free(page);
    free(expanded);
    free(docids);
    snippet_query_free(sq);
    snippet_query_free(sq_exp);
    xap_eset_free(es);
    xap_mset_free(m1);
    xap_mset_free(m);
    xap_enquire_free(e);
    facets_free(r->fc); /* after the enquire that borrowed its spies */
    r->fc = NULL;
    xap_query_free(q);
    xap_query_free(late);
    return st;
}

/* ---- the handler -------------------------------------------------------------- */

/* A filter parameter folded as the indexer folds; NULL when absent or
 * empty. Returns -1 after a 400 when it cannot be folded. */
static int fold_param(struct server_req *req, struct tokenizer *tk, const char *name, char *buf, size_t cap,
                      const char **out)
{
    size_t len;
    const char *v = server_arg_str(req, name, &len);
    *out = NULL;
    if (!v || len == 0)
        return 0;
    size_t n = tokenizer_fold(tk, v, len, buf, cap);
    if (n == (size_t)-1) {
        server_reply_error(req, 400, "bad_request", name, -1, "parameter '%s' is too long", name);
        return -1;
    }
    *out = n ? buf : NULL;
    return 0;
}

void search_handle(struct server_req *req)
{
    const struct config *cfg = server_config(req);
    struct worker *w = server_worker(req);
    size_t len;
    const char *text = server_arg_str(req, "q", &len);
    if (!text || len == 0) {
        server_reply_error(req, 400, "bad_request", "q", -1, "parameter 'q' (the query) is required");
        return;
    }
    if (len > (size_t)cfg->searchd.max_query_bytes) {
        server_reply_error(req, 422, "limit", "q", cfg->searchd.max_query_bytes,
                           "the query is longer than %d bytes", cfg->searchd.max_query_bytes);
        return;
    }
    long limit, offset;
    if (server_arg_int(req, "limit", 10, 0, cfg->searchd.max_limit, &limit) < 0 ||
        server_arg_int(req, "offset", 0, 0, cfg->searchd.max_window, &offset) < 0)
        return;
    if (offset + limit > cfg->searchd.max_window) {
        server_reply_error(req, 422, "limit", "offset", cfg->searchd.max_window,
                           "offset + limit must be at most %d", cfg->searchd.max_window);
        return;
    }
    const char *mode_s = server_arg_str(req, "mode", NULL);
    enum query_mode mode = QUERY_SYNTAX;
    if (mode_s && strcmp(mode_s, "plain") == 0)
        mode = QUERY_PLAIN;
    else if (mode_s && *mode_s && strcmp(mode_s, "syntax") != 0) {
        server_reply_error(req, 400, "bad_request", "mode", -1, "parameter 'mode' must be 'plain' or 'syntax'");
        return;
    }
    unsigned fields = F_ALL;
    const char *fields_s = server_arg_str(req, "fields", NULL);
    char bad[48];
    if (fields_s && *fields_s && namelist_mask(fields_s, field_names, sizeof field_names / sizeof field_names[0], &fields, bad, sizeof bad) != 0) {
        server_reply_error(req, 400, "bad_request", "fields", -1, "parameter 'fields': unknown field '%s'", bad);
        return;
    }
    unsigned facet_mask = 0;
    const char *facets_s = server_arg_str(req, "facets", NULL);
    if (facets_s && facets_parse(facets_s, &facet_mask, bad, sizeof bad) != 0) {
        server_reply_error(req, 400, "bad_request", "facets", -1,
                           "parameter 'facets': unknown facet '%s' (known: category, lang)", bad);
        return;
    }
    long facet_limit;
    if (server_arg_int(req, "facet_limit", FACETS_DEFAULT_LIMIT, 1, FACETS_MAX_LIMIT, &facet_limit) < 0)
        return;
    struct tokenizer *tk = worker_tokenizer(w);
    if (!tk) {
        server_reply_error(req, 500, "internal", NULL, -1, "tokenizer unavailable");
        return;
    }
    char cat_buf[256], lang_buf[64];
    const char *category, *lang;
    if (fold_param(req, tk, "category", cat_buf, sizeof cat_buf, &category) < 0 ||
        fold_param(req, tk, "lang", lang_buf, sizeof lang_buf, &lang) < 0)
        return;
    if (!server_db(req))
        return;

    long correct, track_total;
    if (server_arg_int(req, "correct", 1, 0, 1, &correct) < 0 ||
        server_arg_int(req, "track_total", TRACK_TOTAL_DEFAULT, 0, cfg->searchd.max_window, &track_total) < 0)
        return;

    /* Plain mode is for batch evaluation: a long question is cut, not refused. */
    struct query_limits lim = { (size_t)cfg->searchd.max_terms, 0, 0 };
    if (mode == QUERY_PLAIN) {
        lim.max_terms *= 4;
        lim.truncate = 1;
    }
    struct rank_opts o;
    rank_opts_from_config(&o, cfg);
    xap_stem *stem = thread_stemmer();
    struct plan *p = NULL;
    enum query_status qs = plan_new(tk, stem, &o, text, len, mode, &lim, &p);
    if (qs == QUERY_ERR_TERMS) {
        server_reply_error(req, 422, "limit", "q", cfg->searchd.max_terms, "the query has more than %d words",
                           cfg->searchd.max_terms);
        return;
    }
    if (!p) {
        server_reply_error(req, 500, "internal", NULL, -1, "out of memory");
        return;
    }
    struct run r = { cfg, tk, stem, w, server_assist(req), p, category, lang, (uint32_t)offset, (uint32_t)limit, (uint32_t)track_total, fields,
                     facet_mask, (size_t)facet_limit, (fields & F_DYM) != 0, (int)correct,
                     { 0 }, 0, 0, 0, NULL, NULL, NULL, NULL, NULL };
    xap_status st = worker_retry(w, run_search, &r);
    /* Zero hits and a confident correction: the corrected query's hits,
     * and the answer says so ("corrected"). */
    char *to = NULL;
    struct plan *p2 = NULL;
    if (st == XAP_OK && correct && r.total == 0 && r.dym && json_string_value(json_object_get(r.dym, "query")) &&
        (to = strdup(json_string_value(json_object_get(r.dym, "query")))) &&
        plan_new(tk, stem, &o, to, strlen(to), mode, &lim, &p2) == QUERY_OK) {
        struct run r2 = r;
        r2.plan = p2;
        p2->prf = 0; /* two passes more at most: the final one and related */
        p2->prf_why = "corrected";
        r2.want_dym = 0;
        r2.correct = 0;
        r2.hits = (struct buf){ 0 };
        r2.dym = r2.rel_articles = r2.rel_terms = r2.facets = NULL;
        st = worker_retry(w, run_search, &r2);
        if (st == XAP_OK && r2.total > 0) {
            /* did_you_mean still names the correction: a client that
             * reads only it shows the same words as "corrected". */
            json_t *dym = r.dym;
            r.dym = NULL;
            run_reset(&r);
            r = r2;
            r.dym = dym;
        } else {
            run_reset(&r2);
            free(to);
            to = NULL;
        }
    } else {
        free(to);
        to = NULL;
    }
    if (st != XAP_OK) {
        if (st == XAP_ERR_NOMEM)
            server_reply_error(req, 500, "internal", NULL, -1, "out of memory");
        else
            server_reply_error(req, 503, "unavailable", NULL, -1, "search failed: %s", xap_errmsg());
        run_reset(&r);
        plan_free(p);
        plan_free(p2);
        free(to);
        return;
    }
    const struct query *q = r.plan->q;
    char *understood = query_describe(q);
    json_t *body = json_object();
    if (body && understood) {
        if (category || lang) {
            size_t ul = strlen(understood) + strlen(category ? category : "") + strlen(lang ? lang : "") + 32;
            char *u2 = malloc(ul);
            if (u2) {
                snprintf(u2, ul, "%s%s%s%s%s", understood, category ? " category:" : "", category ? category : "",
                         lang ? " lang:" : "", lang ? lang : "");
                free(understood);
                understood = u2;
            }
        }
        json_object_set_new(body, "query", json_stringn(text, len));
        json_object_set_new(body, "understood", json_string(understood));
        json_object_set_new(body, "total", json_integer(r.total));
        json_object_set_new(body, "total_exact", json_boolean(r.total_exact));
        json_object_set_new(body, "corrected",
                            to ? json_pack("{s:s%, s:s}", "from", text, len, "to", to) : json_null());
        json_object_set_new(body, "offset", json_integer(offset));
        json_object_set_new(body, "limit", json_integer(limit));
        json_object_set_new(body, "took_ms", json_real((double)(long)(server_elapsed(req) * 1e5) / 100.0));
        json_object_set_new(body, "timed_out", json_boolean(r.timed_out));
        json_object_set_new(body, "truncated", json_boolean(q && q->truncated));
        if (fields & F_DYM)
            json_object_set_new(body, "did_you_mean", r.dym ? json_incref(r.dym) : json_null());
        json_object_set_new(body, "hits", json_null()); /* the place of r.hits (below) */
        if (facet_mask) {
            /* No words (nothing matched): every asked facet, empty. */
            if (!r.facets) {
                r.facets = json_object();
                if (r.facets && (facet_mask & FACET_CATEGORY))
                    json_object_set_new(r.facets, "category", json_array());
                if (r.facets && (facet_mask & FACET_LANG))
                    json_object_set_new(r.facets, "lang", json_array());
            }
            json_object_set_new(body, "facets", r.facets ? json_incref(r.facets) : json_object());
        }
        if (fields & F_RELATED)
            json_object_set_new(body, "related", json_pack("{s:O, s:O}", "articles", r.rel_articles,
                                                           "terms", r.rel_terms));
        /* The hits' text goes in as written (jsonw.h), at their place. */
        buf_add(&r.hits, "", 0);
        server_reply_json_splice(req, 200, body, "hits", r.hits.oom ? NULL : r.hits.s ? r.hits.s : "");
    } else {
        json_decref(body);
        server_reply_error(req, 500, "internal", NULL, -1, "out of memory");
    }
    free(understood);
    run_reset(&r);
    plan_free(p);
    plan_free(p2);
    free(to);
}
