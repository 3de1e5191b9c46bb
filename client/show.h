/* SPDX-License-Identifier: GPL-2.0-or-later */
/* show: searchd's JSON answers as text for a person at a shell: ranked
 * hits with highlighted snippets, did-you-mean and related suggestions,
 * related articles, a stored article, completions.  Colour only when
 * asked (style->color); text wrapped to style->width columns. */
#ifndef MEDSEARCH_CLIENT_SHOW_H
#define MEDSEARCH_CLIENT_SHOW_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

struct show_style {
    int color;      /* ANSI bold, dim and highlight sequences */
    size_t width;   /* columns, >= 20 */
};

/* Each returns the number of results shown (hits, related articles,
 * suggestions; 1 for a document), or -1 when root is not the answer that
 * endpoint sends (nothing useful printed; the caller reports it). */
int show_search(FILE *f, const struct show_style *st, json_t *root);
int show_related(FILE *f, const struct show_style *st, json_t *root);
int show_doc(FILE *f, const struct show_style *st, json_t *root);
int show_suggest(FILE *f, const struct show_style *st, json_t *root);

#endif
