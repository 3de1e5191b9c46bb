/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonw: JSON text written directly into a buffer, byte for byte as
 * jansson's json_dumps(JSON_COMPACT | JSON_REAL_PRECISION(10)) writes the
 * same values (server.c's answers), for the one part of an answer that is
 * large: the hits of /search. Building a jansson object (with its hash
 * table) per hit and dumping it cost about a tenth of a MedQuAD query's
 * instructions. */
#ifndef MEDSEARCH_SEARCHD_JSONW_H
#define MEDSEARCH_SEARCHD_JSONW_H

#include <stddef.h>

#include "buf.h"

/* A string value s[0..n): quoted and escaped; null when it is not valid
 * UTF-8 (jansson holds no such string). */
void jsonw_str(struct buf *b, const char *s, size_t n);
/* A key and its ':' (after a '{' or ','). */
void jsonw_key(struct buf *b, const char *key);
void jsonw_int(struct buf *b, long long v);
/* A real as jansson writes it ("%.10g", ".0" when it has neither '.' nor
 * an exponent, no '+' or leading zeros in the exponent); null when not
 * finite (jansson holds no such real). */
void jsonw_real(struct buf *b, double v);
void jsonw_bool(struct buf *b, int v);
void jsonw_null(struct buf *b);

#endif
