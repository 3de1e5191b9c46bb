/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spell: "did you mean" for /search.
 *
 * A query word is corrected only when nobody knows it: not the index (the
 * word is no term), not hunspell (en_US and the medical list, with their
 * affix rules: "dysphasias" is a word), and not a plain word list. So one
 * real drug or disease name is never "corrected" into another (dysphasia
 * stays, it is not dysphagia). A word the index knows only through its
 * stem ("impairred" -> impair) is corrected only by a clear slip.
 *
 * Candidates are index words: one plain edit away, Xapian's spelling
 * table's best within two edits, the same for phonetic respellings
 * ("dehydrashun" -> dehydration), and hunspell's suggestions as a last
 * resort. They are ranked by spellcost (how people misspell: doubled
 * letters, swaps, vowels, near keys, phonetic spellings are cheap), then
 * by how common they are, and by the query's other words: a candidate
 * found next to its neighbour ("cloves syndrome") or with the other words
 * wins a close call. A candidate dearer than spellcost_limit for the
 * word's length is never offered.
 *
 * The word lists are loaded once per process (spell_init) and are
 * read-only afterwards, shared by every thread (hunspell calls are
 * serialized inside).
 */
#ifndef MEDSEARCH_SPELL_H
#define MEDSEARCH_SPELL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "query.h"
#include "xap.h"

struct tokenizer;

/* Load the word lists at `paths` (comma-separated hunspell .dic or plain
 * one-word-a-line files: "/FLAGS" suffixes are stripped, words folded like
 * tokens) the first time it is called; later calls return at once. A
 * missing file is logged once and skipped. tk folds non-ASCII words; stem
 * (may be NULL) lets inflected forms count as known ("dysphasias").
 * Thread-safe. Returns the number of distinct words loaded. */
size_t spell_init(const char *paths, struct tokenizer *tk, xap_stem *stem);

/* Does `word` (lower-case ASCII) name no thing by hunspell's affix rules:
 * an adjective (it makes an adverb: acute -> acutely) or a verb that is
 * no noun (interfere -> interfered, and no "interfere's")? 0 when hunspell
 * is not loaded. For ranking suggestions: people search for things. */
int spell_names_no_thing(const char *word, size_t len);

/* Does a loaded word list know `word` (tokenizer-normalized), or its stem? */
int spell_dictionary_knows(const char *word, size_t len, xap_stem *stem);

/* The did_you_mean object for query q parsed from text[0..len):
 * {"query": corrected text, "html": escaped text with corrected words in
 * <mark>}, or NULL when no word needs (or has) a correction. *out is a new
 * reference or NULL. Returns XAP_OK or a seam status (XAP_ERR_MODIFIED:
 * retry). */
xap_status spell_suggest(xap_db *db, xap_stem *stem, const char *text, size_t len, const struct query *q,
                         json_t **out /* OUT */);
/* Let the frequencies spell_suggest will look up for q join the next
 * exchange with db (xap_db_want_termfreqs): over remote shards a request
 * that computes an expand set then checks its words' spelling at no extra
 * round trip. */
xap_status spell_want_termfreqs(xap_db *db, xap_stem *stem, const struct query *q);
/* How often hunspell's suggestions were computed, and how often a word's
 * came from the cache of earlier answers (/metrics). */
void spell_hunspell_counts(uint64_t *calls, uint64_t *cached);

#endif
