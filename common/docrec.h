/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docrec: the stored record of an article (Xapian document data): what a
 * result, a snippet, /doc and /related need, as JSON compressed with zlib.
 *
 * Layout: 1 byte format tag 'z' then a zlib stream of a JSON object
 * {"id","url","title","category","lang","date","source","line",
 *  "headings":[..], "links":[{"k":"prev|next|recommend|related","t":title,
 *  "g":target}], "body"}. The body is capped at SCHEMA_MAX_STORED_BODY.
 */
#ifndef MEDSEARCH_DOCREC_H
#define MEDSEARCH_DOCREC_H

#include <stddef.h>

#include "article.h"

/* Encode `a`; *out malloc'd. Returns 0, or -1 (out of memory). */
int docrec_encode(const struct article *a, char **out /* OUT */, size_t *len /* OUT */);
/* Decode a stored record into a new article (free with article_free).
 * Returns 0, or -1 when the record is corrupt. with_body = 0 skips the
 * body (cheaper for result lists). */
int docrec_decode(const char *data, size_t len, int with_body, struct article **out /* OUT */);
/* Map between enum link_kind and the short names used in the record. */
int docrec_link_kind(const char *name);

#endif
