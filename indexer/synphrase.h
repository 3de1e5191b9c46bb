/* SPDX-License-Identifier: GPL-2.0-or-later */
/* synphrase: the multi-word keys of the index's synonym table ("heart
 * attack", "myocardial infarction"), and finding them in an article's
 * words, for the XY terms of schema.h. With them searchd matches a
 * synonym phrase as one short posting list instead of a positional
 * phrase over two long ones.
 *
 * Built once per run from the table (after the synonym files are loaded);
 * read-only afterwards, so the builder threads share one. */
#ifndef MEDSEARCH_SYNPHRASE_H
#define MEDSEARCH_SYNPHRASE_H

#include <stddef.h>

#include "tokenizer.h"
#include "xap.h"

struct synphrases;

/* The multi-word keys of db's synonym table into *out (NULL when it has
 * none); *count (may be NULL): how many. Returns 0, or -1 when the table
 * cannot be read or memory runs out (*out NULL). */
int synphrases_from_db(xap_db *db, struct synphrases **out /* OUT */, size_t *count /* OUT */);
void synphrases_free(struct synphrases *sp);

/* cb(key, len, ud) once for every occurrence of a key as consecutive words
 * of toks[0..n) (compound parts skipped, as synonyms_key builds keys). */
void synphrases_find(const struct synphrases *sp, const struct tok_token *toks, size_t n,
                     void (*cb)(const char *key, size_t len, void *ud), void *ud);

#endif
