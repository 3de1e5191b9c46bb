/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "conceptsim.h"

#include <math.h>
#include <stdio.h>
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

/* idf of concepts, for one request: open addressing on the id. */
struct idf_map {
    uint32_t *key; /* 0: empty (ids start at 1) */
    double *idf;
    size_t cap;
};

static xap_status idf_of(xap_db *db, struct idf_map *m, uint32_t id, double n_docs, double *out)
{
    size_t h = (id * 2654435761u) & (m->cap - 1);
    while (m->key[h] && m->key[h] != id)
        h = (h + 1) & (m->cap - 1);
    if (m->key[h] == id) {
        *out = m->idf[h];
        return XAP_OK;
    }
    char term[32];
    snprintf(term, sizeof term, "%s%u", PFX_CONCEPT, (unsigned)id);
    uint32_t df = 0;
    xap_status st = xap_db_termfreq(db, term, &df);
    if (st != XAP_OK)
        return st;
    /* a concept of every article (or of none) tells nothing */
    double idf = df > 0 && df < n_docs ? log(n_docs / df) : 0;
    m->key[h] = id;
    m->idf[h] = idf;
    *out = idf;
    return XAP_OK;
}

static int usable(xap_db *db)
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
    if (n == 0 || n_seeds == 0 || !usable(db))
        return XAP_OK;
    uint32_t n_docs = 0;
    xap_status st = xap_db_doccount(db, &n_docs);
    if (st != XAP_OK)
        return st;
    size_t all = n_seeds + n;
    struct pairs p = { 0 };
    struct idf_map m = { 0 };
    uint32_t *ids = malloc(all * sizeof *ids);
    p.start = calloc(all, sizeof *p.start);
    p.len = calloc(all, sizeof *p.len);
    /* the seed: each concept's summed tf weight, over its articles */
    struct { uint32_t id; double w; } *seed = NULL;
    size_t n_seed = 0, cap_seed = 0;
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
    /* at most half full: every concept read fits */
    for (m.cap = 64; m.cap < 2 * (p.n + 1);)
        m.cap *= 2;
    m.key = calloc(m.cap, sizeof *m.key);
    m.idf = malloc(m.cap * sizeof *m.idf);
    if (!m.key || !m.idf) {
        st = XAP_ERR_NOMEM;
        goto out;
    }
    *available = 1;
    for (size_t s = 0; s < n_seeds; s++)
        for (size_t k = p.start[s]; k < p.start[s] + p.len[s]; k++) {
            size_t j = 0;
            while (j < n_seed && seed[j].id != p.id[k])
                j++;
            if (j == n_seed) {
                if (GROW(seed, cap_seed, n_seed + 1, 64) != 0) {
                    st = XAP_ERR_NOMEM;
                    goto out;
                }
                seed[n_seed].id = p.id[k];
                seed[n_seed++].w = 0;
            }
            seed[j].w += 1 + log((double)(p.count[k] ? p.count[k] : 1));
        }
    double snorm = 0;
    for (size_t j = 0; j < n_seed; j++) {
        double idf;
        if ((st = idf_of(db, &m, seed[j].id, n_docs, &idf)) != XAP_OK)
            goto out;
        seed[j].w *= idf;
        snorm += seed[j].w * seed[j].w;
    }
    if (snorm <= 0)
        goto out;
    snorm = sqrt(snorm);
    for (size_t i = 0; i < n; i++) {
        size_t a = n_seeds + i;
        double dot = 0, cnorm = 0;
        for (size_t k = p.start[a]; k < p.start[a] + p.len[a]; k++) {
            double idf;
            if ((st = idf_of(db, &m, p.id[k], n_docs, &idf)) != XAP_OK)
                goto out;
            double w = (1 + log((double)(p.count[k] ? p.count[k] : 1))) * idf;
            cnorm += w * w;
            for (size_t j = 0; j < n_seed; j++)
                if (seed[j].id == p.id[k]) {
                    dot += seed[j].w * w;
                    break;
                }
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
    free(m.key);
    free(m.idf);
    return st;
}
