/* SPDX-License-Identifier: GPL-2.0-or-later */
/* search.c: GET /search (see search.h). */
#include "search.h"
#include "stopword.h"
#include "related.h"
#include "facets.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "docrec.h"
#include "log.h"
#include "query.h"
#include "rank.h"
#include "schema.h"
#include "server.h"
#include "snippet.h"
#include "spell.h"
#include "tokenizer.h"
#include "worker.h"

/* Matches counted at least, so that `total` is exact for small result
 * sets and the same on every page of a pagination. */
#define COUNT_AT_LEAST 1000
/* Related block of a result list. */
#define RELATED_ARTICLES 5
#define RELATED_TERMS 8
/* Hits the related block is computed from. */

/* ---- what fields= can ask for ----------------------------------------------- */

enum {
    F_RANK = 1 << 0, F_ID = 1 << 1, F_TITLE = 1 << 2, F_URL = 1 << 3, F_SCORE = 1 << 4,
    F_PERCENT = 1 << 5, F_CATEGORY = 1 << 6, F_LANG = 1 << 7, F_DATE = 1 << 8, F_SNIPPET = 1 << 9,
    F_RELATED = 1 << 10, F_DYM = 1 << 11,
    F_ALL = (1 << 12) - 1,
    F_RECORD = F_TITLE | F_URL | F_CATEGORY | F_LANG | F_DATE | F_SNIPPET | F_ID /* need the stored record */
};

static const struct { const char *name; unsigned bit; } field_names[] = {
    { "rank", F_RANK }, { "id", F_ID }, { "title", F_TITLE }, { "url", F_URL }, { "score", F_SCORE },
    { "percent", F_PERCENT }, { "category", F_CATEGORY }, { "lang", F_LANG }, { "date", F_DATE },
    { "snippet", F_SNIPPET }, { "related", F_RELATED }, { "did_you_mean", F_DYM },
};

/* Parse a comma list; returns 0, or -1 with the unknown name in bad. */
static int parse_fields(const char *s, unsigned *out, char *bad, size_t badcap)
{
    *out = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        size_t i;
        for (i = 0; i < sizeof field_names / sizeof field_names[0]; i++)
            if (strlen(field_names[i].name) == n && strncmp(field_names[i].name, s, n) == 0)
                break;
        if (n > 0 && i == sizeof field_names / sizeof field_names[0]) {
            snprintf(bad, badcap, "%.*s", (int)(n > 40 ? 40 : n), s);
            return -1;
        }
        if (n > 0)
            *out |= field_names[i].bit;
        s += n;
        if (*s == ',')
            s++;
    }
    return 0;
}

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

/* ---- the run (retried once on DatabaseModifiedError) ---------------------------- */

struct run {
    /* in */
    const struct config *cfg;
    struct tokenizer *tk;
    xap_stem *stem;
    struct worker *w;
    const struct query *q;
    const char *text;
    size_t len;
    const char *category, *lang; /* folded filter values or NULL */
    uint32_t offset, limit;
    unsigned fields;
    unsigned facet_mask;   /* facets= (facets.h); 0: none */
    size_t facet_limit;
    /* out */
    json_t *hits;
    uint32_t total;
    int timed_out;
    json_t *dym;
    json_t *rel_articles, *rel_terms;
    json_t *facets;
};

static void run_reset(struct run *r)
{
    json_decref(r->hits);
    json_decref(r->dym);
    json_decref(r->rel_articles);
    json_decref(r->rel_terms);
    json_decref(r->facets);
    r->hits = r->dym = r->rel_articles = r->rel_terms = r->facets = NULL;
    r->total = 0;
    r->timed_out = 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The words to mark in snippets: the query's ranked words and the words
 * of their synonyms ("heart attack" marks "myocardial infarction"). */
struct mark_ctx {
    struct snippet_query *sq;
    xap_db *db;
    int synonyms;
    int skip_stop;      /* a long question: function words are not marked */
    int nomem;
    xap_status st;
};

static int syn_mark_cb(const char *s, size_t len, void *ud)
{
    struct mark_ctx *m = ud;
    if (snippet_query_add(m->sq, s, len) != 0)
        m->nomem = 1;
    return snippet_query_count(m->sq) >= 64;
}

static void mark_cb(const struct qnode *t, void *ud)
{
    struct mark_ctx *m = ud;
    if (m->skip_stop && stopword_is_query(t->text, strlen(t->text)))
        return;
    if (snippet_query_add(m->sq, t->text, strlen(t->text)) != 0)
        m->nomem = 1;
    if (m->synonyms && m->st == XAP_OK && snippet_query_count(m->sq) < 64) {
        xap_status st = xap_db_synonyms(m->db, t->text, syn_mark_cb, m);
        if (st != XAP_OK)
            m->st = st;
    }
}

struct stop_count {
    size_t words, stop;
};

static void stop_cb(const struct qnode *t, void *ud)
{
    struct stop_count *c = ud;
    c->words++;
    c->stop += stopword_is_query(t->text, strlen(t->text)) != 0;
}

/* Two-word synonym keys ("heart attack") of adjacent ranked words. */
struct pair_ctx {
    const struct qnode *prev;
    struct mark_ctx *m;
};

static void pair_cb(const struct qnode *t, void *ud)
{
    struct pair_ctx *p = ud;
    if (p->prev && p->m->st == XAP_OK && t->pos == p->prev->pos + 1 + p->prev->n_kids) {
        char key[512];
        int n = snprintf(key, sizeof key, "%s %s", p->prev->text, t->text);
        if (n > 0 && (size_t)n < sizeof key) {
            xap_status st = xap_db_synonyms(p->m->db, key, syn_mark_cb, p->m);
            if (st != XAP_OK)
                p->m->st = st;
        }
    }
    p->prev = t;
}

static const char *or_null_str(const char *s) { return s && *s ? s : NULL; }

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }

static xap_status make_hit(struct run *r, xap_mset *m, size_t i, const struct snippet_query *sq, json_t **out)
{
    *out = NULL;
    uint32_t docid, rank;
    double weight;
    int percent;
    xap_status st = xap_mset_item(m, i, &docid, &rank, &weight, &percent);
    if (st != XAP_OK)
        return st;
    json_t *hit = json_object();
    if (!hit)
        return XAP_ERR_NOMEM;
    if (r->fields & F_RANK)
        json_object_set_new(hit, "rank", json_integer((json_int_t)rank + 1));
    struct article *a = NULL;
    if (r->fields & F_RECORD) {
        xap_doc *doc = NULL;
        char *data = NULL;
        size_t dlen = 0;
        st = xap_mset_doc(m, i, &doc);
        if (st == XAP_OK)
            st = xap_doc_get_data(doc, &data, &dlen);
        xap_doc_free(doc);
        if (st != XAP_OK) {
            json_decref(hit);
            free(data);
            return st;
        }
        if (docrec_decode(data, dlen, (r->fields & F_SNIPPET) != 0, &a) != 0) {
            log_warn("search: document %u: corrupt stored record", docid);
            a = NULL;
        }
        free(data);
    }
    if (r->fields & F_ID)
        json_object_set_new(hit, "id", a ? json_string(a->id) : json_null());
    if (r->fields & F_TITLE)
        json_object_set_new(hit, "title", a ? json_string(a->title) : json_null());
    if (r->fields & F_URL)
        json_object_set_new(hit, "url", jstr(a ? or_null_str(a->url) : NULL));
    if (r->fields & F_SCORE)
        json_object_set_new(hit, "score", json_real(weight));
    if (r->fields & F_PERCENT)
        json_object_set_new(hit, "percent", json_integer(percent));
    if (r->fields & F_CATEGORY)
        json_object_set_new(hit, "category", jstr(a ? or_null_str(a->category) : NULL));
    if (r->fields & F_LANG)
        json_object_set_new(hit, "lang", jstr(a ? or_null_str(a->lang) : NULL));
    if (r->fields & F_DATE)
        json_object_set_new(hit, "date", jstr(a ? or_null_str(a->date) : NULL));
    if (r->fields & F_SNIPPET) {
        const char *body = a && a->body && *a->body ? a->body : a ? a->title : "";
        char *snip = snippet_make(r->tk, sq, body, strlen(body), SNIPPET_WIDTH);
        json_object_set_new(hit, "snippet", snip ? json_string(snip) : json_string(""));
        free(snip);
    }
    article_free(a);
    *out = hit;
    return XAP_OK;
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

/* ---- pseudo-relevance feedback ------------------------------------------------- */

/* Words PRF can expand (English, not function words): the expand set
 * takes English stems only, so a CJK query skips the first pass. */
static void count_cb(const struct qnode *t, void *ud)
{
    size_t *n = ud;
    if (!(t->tok_flags & TOK_CJK) && !stopword_is_query(t->text, strlen(t->text)))
        (*n)++;
}

/* Expansion terms: English stems (Z, not the field stems ZS/ZH); no
 * numbers, nothing shorter than 3 letters. (CJK words measured worse:
 * the expand set of short Chinese titles and answers is noise.) */
static int prf_decider(const char *t, size_t len, void *ud)
{
    (void)ud;
    unsigned char c0 = (unsigned char)t[0];
    if (c0 != 'Z' || len < 4)
        return 0;
    unsigned char c1 = (unsigned char)t[1];
    if (c1 >= 'A' && c1 <= 'Z')
        return 0;
    size_t digits = 0;
    for (size_t i = 1; i < len; i++)
        digits += t[i] >= '0' && t[i] <= '9';
    return digits == 0;
}

/* RM3-like pseudo-relevance feedback: the best terms of the top prf_docs
 * results (Xapian's expand set, query terms excluded), each weighted by
 * its expand weight relative to the best, join the query scaled by
 * prf_weight. Navigational queries are left alone: short ones (fewer
 * than prf_min_words words) and the exact title of an article. On
 * success *q is the expanded query and e runs it. */
static xap_status feedback(xap_db *db, struct tokenizer *tk, xap_enquire *e, const struct rank_opts *o,
                           const struct query *pq, const char *text, size_t len, int filtered, xap_query **q)
{
    if (o->prf_docs == 0 || o->prf_weight <= 0 || !pq)
        return XAP_OK;
    size_t nwords = 0;
    query_positive_terms(pq, count_cb, &nwords);
    if (nwords < o->prf_min_words)
        return XAP_OK;
    if (len < 1024) {
        /* A known-item search (some article's whole title is the query):
         * its first results are what was asked for. */
        char buf[1024], t[SCHEMA_MAX_TERM + 1];
        uint32_t tf = 0;
        memcpy(buf, text, len);
        buf[len] = '\0';
        schema_titlekey_term(t, tk, buf);
        xap_status st = xap_db_termfreq(db, t, &tf);
        if (st != XAP_OK || tf > 0)
            return st;
    }
    xap_mset *m = NULL;
    xap_eset *es = NULL;
    xap_query **terms = NULL;
    size_t nt = 0;
    uint32_t rset[100];
    xap_status st = xap_enquire_mset(e, 0, o->prf_docs, 0, NULL, 0, &m);
    size_t n = st == XAP_OK ? xap_mset_size(m) : 0;
    if (n > sizeof rset / sizeof rset[0])
        n = sizeof rset / sizeof rset[0];
    for (size_t i = 0; i < n && st == XAP_OK; i++)
        st = xap_mset_item(m, i, &rset[i], NULL, NULL, NULL);
    if (st == XAP_OK && n > 0)
        st = xap_enquire_eset(e, o->prf_terms, rset, n, prf_decider, NULL, &es);
    size_t ne = es ? xap_eset_size(es) : 0;
    if (st == XAP_OK && ne > 0 && !(terms = calloc(ne, sizeof *terms)))
        st = XAP_ERR_NOMEM;
    double top = 0;
    for (size_t i = 0; i < ne && st == XAP_OK; i++) {
        const char *t;
        double w;
        xap_query *tq = NULL;
        st = xap_eset_item(es, i, &t, &w);
        if (st != XAP_OK)
            break;
        if (i == 0)
            top = w;
        if (w <= 0 || top <= 0)
            break;
        st = xap_query_term(t, 1, 0, &tq);
        if (st == XAP_OK)
            st = xap_query_scale(tq, o->prf_weight * w / top, &terms[nt]);
        xap_query_free(tq);
        if (st == XAP_OK)
            nt++;
    }
    xap_query *exp = NULL, *both = NULL;
    if (st == XAP_OK && nt > 0)
        st = xap_query_combine(XAP_OP_OR, terms, nt, 0, &exp);
    if (st == XAP_OK && exp) {
        /* OR widens the matches; with filters or required words the
         * expansion may only reorder them. */
        xap_query *pair[2] = { *q, exp };
        const struct qnode *root = pq->root;
        int plain = !filtered && root &&
                    (root->type == QN_BAG || (root->type == QN_TERM && root->mod == QM_NONE && root->field == QF_ANY));
        /* A field (title:sleep) or a modifier anywhere: reorder only. */
        for (size_t i = 0; plain && root->type == QN_BAG && i < root->n_kids; i++)
            if (root->kids[i]->mod != QM_NONE || root->kids[i]->field != QF_ANY)
                plain = 0;
        st = xap_query_combine(plain ? XAP_OP_OR : XAP_OP_AND_MAYBE, pair, 2, 0, &both);
    }
    if (st == XAP_OK && both)
        st = xap_enquire_set_query(e, both);
    if (st == XAP_OK && both) {
        xap_query_free(*q);
        *q = both;
        both = NULL;
    }
    xap_query_free(both);
    xap_query_free(exp);
    for (size_t i = 0; i < nt; i++)
        xap_query_free(terms[i]);
    free(terms);
    xap_eset_free(es);
    xap_mset_free(m);
    return st;
}

/* Counts the CJK and the other positive words of a query. */
static void cjk_cb(const struct qnode *t, void *ud)
{
    size_t *n = ud;
    n[(t->tok_flags & TOK_CJK) ? 0 : 1]++;
}

/* BM25 k1 for q: CJK queries (character n-grams) saturate sooner. */
static double query_k1(const struct rank_opts *o, const struct query *q)
{
    size_t n[2] = { 0, 0 };
    if (q)
        query_positive_terms(q, cjk_cb, n);
    return n[0] > n[1] ? o->bm25_k1_cjk : o->bm25_k1;
}

static xap_status run_search(xap_db *db, void *ud)
{
    struct run *r = ud;
    run_reset(r);
    const struct config *cfg = r->cfg;
    struct rank_opts o;
    rank_opts_from_config(&o, cfg);
    struct rank_ctx rc = { db, r->tk, r->stem, &o, r->text, r->len };

    xap_query *q = NULL;
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    struct snippet_query *sq = NULL;
    uint32_t *docids = NULL;
    struct facets *fc = NULL;
    xap_status st = XAP_OK;
    r->hits = json_array();
    if (!r->hits)
        return XAP_ERR_NOMEM;
    if (!r->q) /* no words at all: nothing matches */
        goto done;
    st = rank_compile(&rc, r->q, &q);
    if (st == XAP_OK)
        st = add_filters(r, &q);
    if (st == XAP_OK)
        st = xap_enquire_new(db, &e);
    if (st == XAP_OK)
        st = xap_enquire_set_query(e, q);
    if (st == XAP_OK)
        st = xap_enquire_set_bm25(e, query_k1(&o, r->q), 0, 1, o.bm25_b, 0.5);
    if (st == XAP_OK)
        /* With facets, expansion only reorders (as with filters): the
         * counts, the total and a clicked facet then agree (design: the
         * expansion never adds matches). */
        st = feedback(db, r->tk, e, &o, r->q, r->text, r->len, r->category || r->lang || r->facet_mask, &q);
    double budget = cfg->searchd.query_timeout_ms / 1000.0;
    if (st == XAP_OK && budget > 0)
        st = xap_enquire_set_time_limit(e, budget);
    if (st != XAP_OK)
        goto done;
    uint32_t want = r->offset + r->limit;
    if (want < COUNT_AT_LEAST)
        want = COUNT_AT_LEAST;
    /* Facet spies join the final pass only (not feedback's first one). */
    st = facets_attach(e, r->facet_mask, &fc);
    if (st != XAP_OK)
        goto done;
    double t0 = now_s();
    st = xap_enquire_mset(e, r->offset, r->limit, facets_check_at_least(fc, db, want), NULL, 0, &m);
    if (st == XAP_OK && fc)
        r->facets = facets_json(fc, r->facet_limit, &st);
    if (st != XAP_OK)
        goto done;
    /* Xapian does not say that it stopped early; the clock does. */
    r->timed_out = budget > 0 && now_s() - t0 >= budget;
    r->total = xap_mset_estimated(m);
    size_t n = xap_mset_size(m);
    if (r->fields & F_SNIPPET) {
        sq = snippet_query_new(r->stem);
        if (!sq) {
            st = XAP_ERR_NOMEM;
            goto done;
        }
        struct stop_count sc = { 0, 0 };
        query_positive_terms(r->q, stop_cb, &sc);
        struct mark_ctx mc = { sq, db, cfg->ranking.synonyms, sc.words >= 4 && sc.stop < sc.words, 0, XAP_OK };
        query_positive_terms(r->q, mark_cb, &mc);
        if (cfg->ranking.synonyms) {
            struct pair_ctx pc = { NULL, &mc };
            query_positive_terms(r->q, pair_cb, &pc);
        }
        st = mc.nomem ? XAP_ERR_NOMEM : mc.st;
        if (st != XAP_OK)
            goto done;
    }
    docids = calloc(n + 1, sizeof *docids);
    if (!docids) {
        st = XAP_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n && st == XAP_OK; i++) {
        json_t *hit = NULL;
        st = make_hit(r, m, i, sq, &hit);
        if (st == XAP_OK && json_array_append_new(r->hits, hit) != 0)
            st = XAP_ERR_NOMEM;
        if (st == XAP_OK)
            st = xap_mset_item(m, i, &docids[i], NULL, NULL, NULL);
    }
    if (st != XAP_OK)
        goto done;
    if ((r->fields & F_DYM) && cfg->ranking.spelling) {
        spell_init(cfg->ranking.dictionaries, r->tk, r->stem);
        st = spell_suggest(db, r->stem, r->text, r->len, r->q, &r->dym);
        if (st != XAP_OK)
            goto done;
    }
    if (r->fields & F_RELATED) {
        /* Every hit of the page is passed so none comes back as "related";
         * related_for_hits itself looks only at the first few. */
        json_decref(r->rel_articles);
        json_decref(r->rel_terms);
        r->rel_articles = r->rel_terms = NULL;
        st = related_for_hits(r->w, db, docids, n, RELATED_ARTICLES, RELATED_TERMS, r->text, &r->rel_articles,
                              &r->rel_terms);
    }
done:
    free(docids);
    snippet_query_free(sq);
    xap_mset_free(m);
    xap_enquire_free(e); /* before the spies it borrows */
    facets_free(fc);
    xap_query_free(q);
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
    if (fields_s && *fields_s && parse_fields(fields_s, &fields, bad, sizeof bad) != 0) {
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

    /* Plain mode is for batch evaluation: a long question is cut, not refused. */
    struct query_limits lim = { (size_t)cfg->searchd.max_terms, 0, 0 };
    if (mode == QUERY_PLAIN) {
        lim.max_terms *= 4;
        lim.truncate = 1;
    }
    struct query *q = NULL;
    enum query_status qs = query_parse(tk, text, len, mode, &lim, &q);
    if (qs == QUERY_ERR_TERMS) {
        server_reply_error(req, 422, "limit", "q", cfg->searchd.max_terms, "the query has more than %d words",
                           cfg->searchd.max_terms);
        return;
    }
    if (qs == QUERY_ERR_NOMEM) {
        server_reply_error(req, 500, "internal", NULL, -1, "out of memory");
        return;
    }
    struct run r = { cfg, tk, thread_stemmer(), w, q, text, len, category, lang, (uint32_t)offset,
                     (uint32_t)limit, fields, facet_mask, (size_t)facet_limit,
                     NULL, 0, 0, NULL, NULL, NULL, NULL };
    xap_status st = worker_retry(w, run_search, &r);
    if (st != XAP_OK) {
        if (st == XAP_ERR_NOMEM)
            server_reply_error(req, 500, "internal", NULL, -1, "out of memory");
        else
            server_reply_error(req, 503, "unavailable", NULL, -1, "search failed: %s", xap_errmsg());
        run_reset(&r);
        query_free(q);
        return;
    }
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
        json_object_set_new(body, "offset", json_integer(offset));
        json_object_set_new(body, "limit", json_integer(limit));
        json_object_set_new(body, "took_ms", json_real((double)(long)(server_elapsed(req) * 1e5) / 100.0));
        json_object_set_new(body, "timed_out", json_boolean(r.timed_out));
        json_object_set_new(body, "truncated", json_boolean(q && q->truncated));
        if (fields & F_DYM)
            json_object_set_new(body, "did_you_mean", r.dym ? json_incref(r.dym) : json_null());
        json_object_set_new(body, "hits", json_incref(r.hits));
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
        server_reply_json(req, 200, body);
    } else {
        json_decref(body);
        server_reply_error(req, 500, "internal", NULL, -1, "out of memory");
    }
    free(understood);
    run_reset(&r);
    query_free(q);
}
