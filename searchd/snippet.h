/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snippet: the best passage of an article for a result list, HTML-escaped
 * with the query's words wrapped in <mark>...</mark>.
 *
 * A word of the text matches a query word when its token (same tokenizer
 * as the index) is the query word, or has the same English stem ("jerks"
 * marks "jerk" and "jerking"); a CJK query word also matches inside a
 * longer CJK token; a phrase matches where its words are consecutive. The passage (about `width` characters, cut at word
 * boundaries, "…" at a cut end) is the one holding the most distinct query
 * words, then the most matches, then the earliest. Only the first
 * SNIPPET_SCAN_BYTES of a huge text are tokenized, plus a window around
 * the first later occurrence of a query word when the start has none.
 * Only the parts of the text that can hold a match are tokenized (chunks
 * between white space; see snippet.c), with the same result as all of it.
 * Output is always valid UTF-8: & < > " ' are escaped, whitespace runs
 * become one space, invalid bytes become U+FFFD.
 */
#ifndef MEDSEARCH_SNIPPET_H
#define MEDSEARCH_SNIPPET_H

#include <stddef.h>

#include "xap.h"

struct tokenizer;

#define SNIPPET_SCAN_BYTES (64 * 1024)
#define SNIPPET_WIDTH 200

/* The query words to mark, with their stems computed once. */
struct snippet_query;

/* A new set of words to mark; stem may be NULL (exact matches only): it
 * stems the query's words as they are added. NULL when out of memory. The
 * set is read-only afterwards: threads may make snippets of it at once,
 * each with its own tokenizer and stemmer. */
struct snippet_query *snippet_query_new(xap_stem *stem);
/* Add one query word, or a phrase of words separated by one space (a
 * synonym key: "myocardial infarction"), tokenizer-normalized. A phrase
 * is marked only where its words follow each other. Duplicates are
 * ignored. 0, or -1 when out of memory. */
int snippet_query_add(struct snippet_query *sq, const char *text, size_t len);
size_t snippet_query_count(const struct snippet_query *sq);
void snippet_query_free(struct snippet_query *sq);

/* The passage of text[0..len) (UTF-8) of about `width` characters (0 =
 * SNIPPET_WIDTH), as escaped HTML with <mark>; malloc'd, "" for an empty
 * text. Without a match: the text's start. tk and stem are the calling
 * thread's (stem: the language sq was made with; NULL: exact matches
 * only). NULL when out of memory or when the tokenizer fails. */
char *snippet_make(struct tokenizer *tk, xap_stem *stem, const struct snippet_query *sq, const char *text, size_t len,
                   size_t width);

/* Tests: 1 = tokenize all of the text, the reference that snippet_make's
 * skipping of chunks that cannot match must equal; 0 = skip (default). */
void snippet_set_full_scan(int on);

#endif
