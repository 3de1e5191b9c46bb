/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hits: the id and score of every hit of a /search answer, read in one
 * pass over its JSON text without building a tree. A batch run
 * (`search --run`) reads thousands of answers of 100 hits each, and
 * jansson's tree (an object with its hash table per hit, then freeing it
 * all) cost the client more instructions than sending the request and
 * reading the answer. The whole text is still checked to be one JSON
 * object (RFC 8259: strict UTF-8, no lone surrogate, no \u0000, no
 * number that overflows a double), so what jansson refuses is refused. */
#ifndef MEDSEARCH_CLIENT_HITS_H
#define MEDSEARCH_CLIENT_HITS_H

#include <stddef.h>

struct hit {
    size_t id;          /* offset of the id (decoded, NUL-terminated) in text; (size_t)-1: no string id */
    size_t id_len;
    double score;
    int has_score;      /* "score" was a number */
};

struct hits {
    struct hit *v;      /* the "hits" array, in order */
    size_t n, cap;
    char *text;         /* decoded strings */
    size_t tlen, tcap;
};

/* Read the answer body[0..len) into h (its earlier contents are
 * dropped; h starts zeroed). Returns the number of hits, or -1 when the
 * text is not a JSON object, has no "hits" array, one of whose items is
 * not an object, or out of memory. With duplicate keys the last wins. */
long hits_read(struct hits *h, const char *body, size_t len);

/* The id of hit i, or NULL when it had no string "id". */
static inline const char *hits_id(const struct hits *h, size_t i)
{
    return h->v[i].id == (size_t)-1 ? NULL : h->text + h->v[i].id;
}

void hits_free(struct hits *h);

#endif
