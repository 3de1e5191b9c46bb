/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spell: "did you mean" for /search.
 *
 * A query word is corrected only when nobody knows it: not the index
 * (neither the word nor its stem is a term), and not a word list (the
 * hunspell en_US and medical dictionaries by default), so one real drug or
 * disease name is never "corrected" into another (dysphasia stays, it is
 * not dysphagia). Candidates are the index's words one edit away
 * (insertion, deletion, substitution, transposition) and the best of
 * Xapian's spelling table within two edits; the closest wins, and among
 * equally close ones the candidate that occurs together with the query's
 * other words in the most articles (then the more frequent word).
 *
 * The word lists are loaded once per process (spell_init) and are
 * read-only afterwards, shared by every thread.
 */
#ifndef MEDSEARCH_SPELL_H
#define MEDSEARCH_SPELL_H

#include <jansson.h>
#include <stddef.h>

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

/* Does a loaded word list know `word` (tokenizer-normalized), or its stem? */
int spell_dictionary_knows(const char *word, size_t len, xap_stem *stem);

/* The did_you_mean object for query q parsed from text[0..len):
 * {"query": corrected text, "html": escaped text with corrected words in
 * <mark>}, or NULL when no word needs (or has) a correction. *out is a new
 * reference or NULL. Returns XAP_OK or a seam status (XAP_ERR_MODIFIED:
 * retry). */
xap_status spell_suggest(xap_db *db, xap_stem *stem, const char *text, size_t len, const struct query *q,
                         json_t **out /* OUT */);

#endif
