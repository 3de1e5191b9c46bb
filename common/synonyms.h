/* SPDX-License-Identifier: GPL-2.0-or-later */
/* synonyms: medical synonym files -> Xapian's synonym table, and the key
 * normalization both sides share.
 *
 * File format (data/README.md): UTF-8, one group per line, terms separated
 * by " | ", '#' starts a comment, blank lines ignored. Every term of a
 * group is a synonym of every other.
 *
 * A key is a phrase's words as the tokenizer gives them (compounds whole,
 * their parts left out) joined by one space: "Heart-Attack" and
 * "heart-attack" both give "heart-attack"; "Heart attack" gives
 * "heart attack". The query parser builds its lookup keys with
 * synonyms_key() too, so both sides agree.
 */
#ifndef MEDSEARCH_SYNONYMS_H
#define MEDSEARCH_SYNONYMS_H

#include <stddef.h>

#include "xap.h"

struct tokenizer;

/* Groups larger than this are cut (huge groups are vague, and n^2). */
#define SYNONYMS_MAX_GROUP 12

/* Normalize `phrase` into buf as a key; returns its length (0 = no words,
 * (size_t)-1 = did not fit). */
size_t synonyms_key(struct tokenizer *tk, const char *phrase, size_t len, char *buf, size_t cap);

/* Load the file at path into db's synonym table. Bad lines are reported
 * (file:line) through log_warn and skipped. *groups and *entries (may be
 * NULL) count what was added. Returns 0, or -1 when the file cannot be
 * read or the db refuses (reason in err). */
int synonyms_load(xap_db *db, struct tokenizer *tk, const char *path, size_t *groups /* OUT */,
                  size_t *entries /* OUT */, char *err, size_t errcap);

#endif
