/* SPDX-License-Identifier: GPL-2.0-or-later */
/* concepts: the MeSH descriptors whose entry terms occur in an article's
 * words (data/mesh-concepts.tsv.gz), for the XM concept terms and the
 * VAL_CONCEPTS value of schema.h. searchd's related articles compare two
 * articles' concepts (their tf-idf cosine) besides their words: a study
 * of "mangosteen" and one of "Garcinia mangostana" share a concept, not a
 * word.
 *
 * Matching (the rules the prototype bench/related-mesh-proto.py measured):
 * consecutive words of one paragraph (tokenizer output; a compound by its
 * parts, so "LDL-cholesterol" meets "LDL cholesterol"), longest entry term first (up to CONCEPTS_MAX_WORDS words),
 * no overlaps; a final "s" is dropped from words of 4 or more letters on
 * both sides ("ulcers" meets "ulcer"); an entry term of one word in capitals
 * ("AIDS", "CVA") meets only the same word in capitals.
 *
 * Loaded once per run; read-only afterwards, so the builder threads share
 * one. */
#ifndef MEDSEARCH_CONCEPTS_H
#define MEDSEARCH_CONCEPTS_H

#include <stddef.h>
#include <stdint.h>

#include "tokenizer.h"

#define CONCEPTS_MAX_WORDS 6
/* The shipped concept file, in the data directory (scripts/build-concepts.sh). */
#define CONCEPTS_FILE "mesh-concepts.tsv.gz"

struct concepts;

/* Load a concept file ("D000001<TAB>entry term<TAB>...", one descriptor a
 * line, '#' comments, gzip or plain) into *out. tk tokenizes the entry
 * terms as articles are tokenized. Bad lines are counted and named in a
 * warning (file:line), not fatal. Returns 0, or -1 with a reason in err
 * (unreadable file, no descriptor at all, out of memory). */
int concepts_load(const char *path, struct tokenizer *tk, struct concepts **out /* OUT */, char *err,
                  size_t errcap);
void concepts_free(struct concepts *c);
/* Descriptors and entry terms loaded. */
size_t concepts_count(const struct concepts *c, size_t *terms /* OUT, may be NULL */);
/* The file's digest (16 hex digits): which concepts an index's articles
 * were annotated with (SCHEMA_META_CONCEPTS). */
const char *concepts_digest(const struct concepts *c);

/* cb(id, ud) for every concept occurrence in toks[0..n) (a paragraph's
 * tokens of `text`, which their offsets point into); id: the
 * DescriptorUI's number (D000068877 -> 68877). */
void concepts_find(const struct concepts *c, const char *text, const struct tok_token *toks, size_t n,
                   void (*cb)(uint32_t id, void *ud), void *ud);

#endif
