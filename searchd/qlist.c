/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qlist.c: a growing list of owned sub-queries (see qlist.h). */
#include "qlist.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

void qlist_push(struct qlist *l, xap_query *q)
{
    if (!q)
        return;
    if (l->st == XAP_OK && GROW(l->q, l->cap, l->n + 1, 16) != 0)
        l->st = XAP_ERR_NOMEM;
    if (l->st != XAP_OK) {
        xap_query_free(q);
        return;
    }
    l->q[l->n++] = q;
}

void qlist_scaled(struct qlist *l, xap_query *q, double factor)
{
    xap_query *s = q;
    if (l->st == XAP_OK && factor != 1.0) {
        l->st = xap_query_scale(q, factor, &s);
        xap_query_free(q);
    }
    if (l->st != XAP_OK) {
        if (s != q)
            xap_query_free(s);
        return;
    }
    qlist_push(l, s);
}

void qlist_term(struct qlist *l, const char *term, double factor)
{
    if (l->st != XAP_OK || factor <= 0)
        return;
    xap_query *t = NULL;
    if ((l->st = xap_query_term(term, 1, 0, &t)) == XAP_OK)
        qlist_scaled(l, t, factor);
}

void qlist_free(struct qlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        xap_query_free(l->q[i]);
    free(l->q);
    memset(l, 0, sizeof *l);
}
