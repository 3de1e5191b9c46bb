/* SPDX-License-Identifier: GPL-2.0-or-later */
/* facets.c: facet counts through Xapian match spies (see facets.h). */
#include "facets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "namelist.h"
#include "schema.h"

static const struct {
    const char *name;
    unsigned bit;
    unsigned slot;
} facet_defs[] = {
    { "category", FACET_CATEGORY, VAL_CATEGORY },
    { "lang", FACET_LANG, VAL_LANG },
};
#define N_FACETS (sizeof facet_defs / sizeof facet_defs[0])

struct facets {
    xap_spy *spy[N_FACETS]; /* NULL when not asked */
};

int facets_parse(const char *s, unsigned *mask, char *bad, size_t badcap)
{
    struct namebit names[N_FACETS];
    for (size_t i = 0; i < N_FACETS; i++)
        names[i] = (struct namebit){ facet_defs[i].name, facet_defs[i].bit };
    return namelist_mask(s, names, N_FACETS, mask, bad, badcap);
}

xap_status facets_attach(xap_enquire *e, unsigned mask, struct facets **out)
{
    *out = NULL;
    if (mask == 0)
        return XAP_OK;
    struct facets *f = calloc(1, sizeof *f);
    if (!f)
        return XAP_ERR_NOMEM;
    xap_status st = XAP_OK;
    for (size_t i = 0; i < N_FACETS && st == XAP_OK; i++) {
        if (!(mask & facet_defs[i].bit))
            continue;
        st = xap_spy_new(facet_defs[i].slot, &f->spy[i]);
        if (st == XAP_OK)
            st = xap_enquire_add_spy(e, f->spy[i]);
    }
    if (st != XAP_OK) {
        xap_enquire_clear_spies(e); /* e must not keep pointers to freed spies */
        facets_free(f);
        return st;
    }
    *out = f;
    return XAP_OK;
}

uint32_t facets_check_at_least(const struct facets *f, xap_db *db, uint32_t want)
{
    uint32_t n = 0;
    if (!f || xap_db_doccount(db, &n) != XAP_OK)
        return want;
    return n > want ? n : want;
}

struct add_ctx {
    json_t *arr;
    int nomem;
};

static int add_value(const char *v, size_t len, uint32_t count, void *ud)
{
    struct add_ctx *c = ud;
    json_t *o = json_pack("{s:s%, s:I}", "value", v, len, "count", (json_int_t)count);
    if (!o || json_array_append_new(c->arr, o) != 0)
        c->nomem = 1;
    return c->nomem;
}

json_t *facets_json(const struct facets *f, size_t limit, xap_status *st)
{
    *st = XAP_OK;
    json_t *out = json_object();
    if (!out) {
        *st = XAP_ERR_NOMEM;
        return NULL;
    }
    for (size_t i = 0; f && i < N_FACETS; i++) {
        if (!f->spy[i])
            continue;
        json_t *arr = json_array();
        if (!arr || json_object_set_new(out, facet_defs[i].name, arr) != 0) {
            *st = XAP_ERR_NOMEM;
            break;
        }
        struct add_ctx c = { arr, 0 };
        *st = xap_spy_top(f->spy[i], limit, add_value, &c);
        if (*st == XAP_OK && c.nomem)
            *st = XAP_ERR_NOMEM;
        if (*st != XAP_OK)
            break;
    }
    if (*st != XAP_OK) {
        json_decref(out);
        return NULL;
    }
    return out;
}

void facets_free(struct facets *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < N_FACETS; i++)
        xap_spy_free(f->spy[i]);
    free(f);
}
