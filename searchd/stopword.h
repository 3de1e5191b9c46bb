/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stopword: English function and question words, for the endpoints that
 * choose terms on their own (related articles, completions): such words
 * never make a useful related-article term or a completion's last word;
 * and the narrower list the query ranking uses for long natural-language
 * questions (a user's words are never dropped lightly: "a", "no", "not",
 * single letters such as vitamin "D" are kept).
 */
#ifndef MEDSEARCH_STOPWORD_H
#define MEDSEARCH_STOPWORD_H

#include <stddef.h>

/* Is the folded word w[0..len) an English stop word? */
int stopword_is(const char *w, size_t len);
/* The ranking's narrower list (rank.c, search.c). */
int stopword_is_query(const char *w, size_t len);

#endif
