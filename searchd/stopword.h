/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stopword: English function and question words, for the endpoints that
 * choose terms on their own (related articles, completions): such words
 * never make a useful related-article term or a completion's last word.
 * (The query ranking keeps its own rules in rank.c: a user's words are
 * never dropped lightly.)
 */
#ifndef MEDSEARCH_STOPWORD_H
#define MEDSEARCH_STOPWORD_H

#include <stddef.h>

/* Is the folded word w[0..len) an English stop word? */
int stopword_is(const char *w, size_t len);

#endif
