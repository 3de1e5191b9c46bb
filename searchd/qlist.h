/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qlist: a growing list of Xapian sub-queries that it owns, from which the
 * query builders (rank.c, related.c) combine one query. The first failure
 * sticks in st: later pushes are dropped (and freed), so a builder checks
 * once at the end. */
#ifndef MEDSEARCH_QLIST_H
#define MEDSEARCH_QLIST_H

#include <stddef.h>

#include "xap.h"

struct qlist {
    xap_query **q;
    size_t n, cap;
    xap_status st; /* first failure */
};

/* Append q, taken over (freed when the list has failed). NULL is ignored. */
void qlist_push(struct qlist *l, xap_query *q);
/* Append q scaled by factor (q is taken over). */
void qlist_scaled(struct qlist *l, xap_query *q, double factor);
/* Append the term scaled by factor; nothing when factor <= 0. */
void qlist_term(struct qlist *l, const char *term, double factor);
/* Free every query and the list; it is empty (and st XAP_OK) again. */
void qlist_free(struct qlist *l);

#endif
