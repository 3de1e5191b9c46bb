/* SPDX-License-Identifier: GPL-2.0-or-later */
/* termgen: one article -> the terms, values and boolean filters of its
 * Xapian document, as laid out in schema.h. The stored record (data) is
 * docrec's job; termgen_document() calls both and returns a complete
 * document.
 *
 * Thread safety: a termgen owns a tokenizer and stemmers; one per thread.
 */
#ifndef MEDSEARCH_TERMGEN_H
#define MEDSEARCH_TERMGEN_H

#include <stddef.h>
#include <stdint.h>

#include "article.h"
#include "xap.h"

struct termgen;
struct tokenizer;
struct synphrases;
struct concepts;

/* Called for each word worth a spelling entry (alphabetic, non-CJK,
 * 3..40 bytes), once per occurrence. */
typedef void (*termgen_word_cb)(const char *word, size_t len, void *ud);

struct termgen *termgen_new(void);
void termgen_free(struct termgen *tg);

/* The synonym phrases whose occurrences become XY terms (synphrase.h;
 * NULL: none). Not owned; shared read-only by every thread's termgen. */
void termgen_set_synphrases(struct termgen *tg, const struct synphrases *sp);
/* The concepts whose occurrences become XM terms and VAL_CONCEPTS
 * (concepts.h; NULL: none). Not owned; shared read-only like the above. */
void termgen_set_concepts(struct termgen *tg, const struct concepts *cs);

/* Build the full Xapian document of `a` (terms, values, filters, data) into
 * *out (free with xap_doc_free). *hash (may be NULL) receives the content
 * hash also stored in VAL_HASH. words (may be NULL) is called for spelling.
 * Returns 0, or -1 with *out = NULL (reason logged) on failure. */
int termgen_document(struct termgen *tg, const struct article *a, xap_doc **out /* OUT */,
                     uint64_t *hash /* OUT */, termgen_word_cb words, void *ud);

/* The content hash of an article as termgen_document computes it (cheap:
 * no tokenizing), so that unchanged articles can be skipped early. */
uint64_t termgen_content_hash(const struct article *a);

/* The stemmer for a language code ("en", "fr", NULL = english); NULL when
 * the language has none (zh, ja, ...). Owned by tg. */
xap_stem *termgen_stemmer(struct termgen *tg, const char *lang);

#endif
