/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "conceptsim.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "schema.h"

/* The concepts of every article read: pairs, and where each article's
 * start (articles without a value have none). */
struct pairs {
    uint32_t *id, *count;
    size_t n, cap;
    size_t *start, *len; /* per article of the request, by its index */
};

struct decode {
    struct pairs *p;
    int failed;
};

static int add_pair(uint32_t id, uint32_t count, void *ud)
{
    struct decode *d = ud;
    struct pairs *p = d->p;
    size_t cap = p->cap;
    if (GROW(p->id, cap, p->n + 1, 256) != 0 || GROW(p->count, p->cap, p->n + 1, 256) != 0) {
        d->failed = 1;
        return 1;
    }
    p->id[p->n] = id;
    p->count[p->n++] = count;
    return 0;
}

static int on_value(size_t i, const char *v, size_t len, void *ud)
{
    struct decode *d = ud;
    d->p->start[i] = d->p->n;
    if (schema_concepts_decode(v, len, add_pair, d) < 0 || d->failed) { /* malformed: no concepts */
        d->p->n = d->p->start[i];
        if (d->failed)
            return 1;
    }
    d->p->len[i] = d->p->n - d->p->start[i];
    return 0;
}

/* The concepts' idf, kept per thread for one handle generation
 * (xap_db_generation: the frequencies of one revision): a concept's
 * frequency is looked up once, not once a request. NAN: not known yet. */
struct idf_cache {
    uint64_t generation;
    double n_docs;
    double *idf; /* by concept id */
    size_t cap;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
    struct idf_cache *c = p;
    if (c)
        free(c->idf);
    free(c);
}

static void cache_init(void)
{
    pthread_key_create(&cache_key, cache_free);
}

/* This thread's cache, emptied when db is another generation; NULL when
 * out of memory. */
static struct idf_cache *cache_for(xap_db *db, double n_docs)
{
    pthread_once(&cache_once, cache_init);
    struct idf_cache *c = pthread_getspecific(cache_key);
    if (!c) {
        if (!(c = calloc(1, sizeof *c)) || pthread_setspecific(cache_key, c) != 0) {
            free(c);
            return NULL;
        }
    }
    uint64_t g = xap_db_generation(db);
    if (c->generation != g || c->n_docs != n_docs) {
        for (size_t i = 0; i < c->cap; i++)
            c->idf[i] = NAN;
        c->generation = g;
        c->n_docs = n_docs;
    }
    return c;
}

static xap_status idf_of(xap_db *db, struct idf_cache *c, uint32_t id, double *out)
{
    if (id >= c->cap) {
        size_t cap = c->cap ? c->cap : 1024;
        while (cap <= id)
            cap *= 2;
        double *p = realloc(c->idf, cap * sizeof *p);
        if (!p)
            return XAP_ERR_NOMEM;
        for (size_t i = c->cap; i < cap; i++)
            p[i] = NAN;
        c->idf = p;
        c->cap = cap;
    }
    if (!isnan(c->idf[id])) {
        *out = c->idf[id];
        return XAP_OK;
    }
    char term[SCHEMA_CONCEPT_TERM];
    schema_concept_term(term, id);
    uint32_t df = 0;
    xap_status st = xap_db_termfreq(db, term, &df);
    if (st != XAP_OK)
        return st;
    /* a concept of every article (or of none) tells nothing */
    *out = c->idf[id] = df > 0 && df < c->n_docs ? log(c->n_docs / df) : 0;
    return XAP_OK;
}

/* A concept's tf weight in an article: 1 + ln count. */
static double tf_weight(uint32_t count)
{
    return 1 + log((double)(count ? count : 1));
}

struct wconcept {
    uint32_t id;
    double w;
};

static int wconcept_cmp(const void *a, const void *b)
{
    const struct wconcept *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

int conceptsim_usable(xap_db *db)
{
    if (xap_db_is_remote(db))
        return 0;
    char *made = NULL;
    size_t ml = 0;
    xap_status st = xap_db_metadata_common(db, SCHEMA_META_CONCEPTS, 0, &made, &ml);
    free(made);
    return st == XAP_OK && ml > 0;
}

xap_status conceptsim_cosines(xap_db *db, const uint32_t *seeds, size_t n_seeds, const uint32_t *docids, size_t n,
                              double *cos, int *available)
{
    *available = 0;
    for (size_t i = 0; i < n; i++)
        cos[i] = 0;
    if (n == 0 || n_seeds == 0 || !conceptsim_usable(db))
        return XAP_OK;
    uint32_t n_docs = 0;
    xap_status st = xap_db_doccount(db, &n_docs);
    if (st != XAP_OK)
        return st;
    struct idf_cache *cache = cache_for(db, (double)n_docs);
    if (!cache)
        return XAP_ERR_NOMEM;
    size_t all = n_seeds + n;
    struct pairs p = { 0 };
    uint32_t *ids = malloc(all * sizeof *ids);
    p.start = calloc(all, sizeof *p.start);
    p.len = calloc(all, sizeof *p.len);
    struct wconcept *seed = NULL;
    if (!ids || !p.start || !p.len) {
        st = XAP_ERR_NOMEM;
        goto out;
    }
    memcpy(ids, seeds, n_seeds * sizeof *ids);
    memcpy(ids + n_seeds, docids, n * sizeof *ids);
    struct decode d = { &p, 0 };
    if ((st = xap_db_values(db, VAL_CONCEPTS, ids, all, on_value, &d)) != XAP_OK)
        goto out;
    if (d.failed) {
        st = XAP_ERR_NOMEM;
        goto out;
    }
    *available = 1;
    /* the seed: every seed article's concepts, tf weighted, summed by id */
    size_t n_seed = 0;
    for (size_t s = 0; s < n_seeds; s++)
        n_seed += p.len[s];
    if (n_seed == 0 || !(seed = malloc(n_seed * sizeof *seed))) {
        st = n_seed ? XAP_ERR_NOMEM : XAP_OK;
        goto out;
    }
    n_seed = 0;
    for (size_t s = 0; s < n_seeds; s++)
        for (size_t k = p.start[s]; k < p.start[s] + p.len[s]; k++)
            seed[n_seed++] = (struct wconcept){ p.id[k], tf_weight(p.count[k]) };
    qsort(seed, n_seed, sizeof *seed, wconcept_cmp);
    size_t u = 0;
    for (size_t j = 0; j < n_seed; j++) {
        if (u && seed[u - 1].id == seed[j].id)
            seed[u - 1].w += seed[j].w;
        else
            seed[u++] = seed[j];
    }
    n_seed = u;
    double snorm = 0;
    for (size_t j = 0; j < n_seed; j++) {
        double idf;
        if ((st = idf_of(db, cache, seed[j].id, &idf)) != XAP_OK)
            goto out;
        seed[j].w *= idf;
        snorm += seed[j].w * seed[j].w;
    }
    if (snorm <= 0)
        goto out;
    snorm = sqrt(snorm);
    for (size_t i = 0; i < n; i++) {
        size_t a = n_seeds + i, j = 0;
        double dot = 0, cnorm = 0;
        /* both sorted by id (a value lists its concepts in order): a merge */
        for (size_t k = p.start[a]; k < p.start[a] + p.len[a]; k++) {
            double idf;
            if ((st = idf_of(db, cache, p.id[k], &idf)) != XAP_OK)
                goto out;
            double w = tf_weight(p.count[k]) * idf;
            cnorm += w * w;
            while (j < n_seed && seed[j].id < p.id[k])
                j++;
            if (j < n_seed && seed[j].id == p.id[k])
                dot += seed[j].w * w;
        }
        cos[i] = cnorm > 0 ? dot / (snorm * sqrt(cnorm)) : 0;
    }
out:
    free(seed);
    free(ids);
    free(p.id);
    free(p.count);
    free(p.start);
    free(p.len);
    return st;
}
