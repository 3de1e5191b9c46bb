/* SPDX-License-Identifier: GPL-2.0-or-later */
/* markup: searchd's snippet markup (HTML-escaped text with <mark>...</mark>)
 * turned into plain UTF-8 text plus the byte ranges to highlight, so that
 * the caller decides how to show them (colour on a terminal, nothing in a
 * pipe).  Pure functions, no I/O. */
#ifndef MEDSEARCH_CLIENT_MARKUP_H
#define MEDSEARCH_CLIENT_MARKUP_H

#include <stddef.h>

/* A highlighted range [start, end) of struct markup's text, in bytes. */
struct markup_span {
    size_t start;
    size_t end;
};

struct markup {
    char *text;                  /* decoded text, NUL-terminated */
    size_t len;                  /* strlen(text) */
    struct markup_span *spans;   /* in order, non-overlapping, non-empty */
    size_t nspans;
};

/* Decode `html`: <mark> and </mark> (any case, nesting tolerated) become
 * spans, every other tag is dropped, the entities &amp; &lt; &gt; &quot;
 * &#39; &apos; &nbsp; and numeric ones (&#NNN; &#xHH;) are decoded; an
 * unknown entity or a lone '<' or '&' is kept as text.  An unclosed <mark>
 * ends with the text.  Returns 0, or -1 when out of memory.  *out is
 * zeroed first; on success the caller frees it with markup_free(). */
int markup_parse(const char *html, struct markup *out /* OUT */);

/* Frees what markup_parse() allocated and zeroes *m.  NULL-safe. */
void markup_free(struct markup *m);

/* Decode the entity at s (s[0] == '&').  Returns the number of bytes of s
 * it spans (0 if it is not an entity we know) and writes its UTF-8 form
 * into out (1..4 bytes, *outlen). */
size_t markup_entity(const char *s, char out[4] /* OUT */, size_t *outlen /* OUT */);

/* Encode code point cp (valid, not a surrogate) as UTF-8 into out; returns
 * the number of bytes (1..4), 0 for an invalid code point. */
size_t markup_utf8_encode(unsigned long cp, char out[4] /* OUT */);

#endif
