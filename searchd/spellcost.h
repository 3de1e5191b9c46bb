/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spellcost: how likely is it that a person who meant `meant` typed
 * `typed`? A weighted edit distance whose weights follow how people
 * misspell, so that "did you mean" can rank candidates and decide when a
 * candidate is too far to be offered at all.
 *
 * Cheap edits: a doubled or undoubled letter, two letters swapped, one
 * vowel for another, a neighbouring key, and phonetic spellings of the
 * same sound (ph/f, ch/k, tion/shun, ae/e, c/s, a silent initial p, ...).
 * Dearer: any other letter inserted, dropped or replaced (1.0 for a
 * replacement). Costs add up along the cheapest alignment. Works on
 * ASCII lower-case letters; any other byte only matches itself (cost of a
 * plain edit otherwise).
 */
#ifndef MEDSEARCH_SPELLCOST_H
#define MEDSEARCH_SPELLCOST_H

#include <stddef.h>

/* Words longer than this are not compared (spellcost returns SPELLCOST_FAR). */
#define SPELLCOST_MAXLEN 64
#define SPELLCOST_FAR 99.0

/* The cost of typing typed[0..tl) for meant[0..ml); 0 when equal. */
double spellcost(const char *typed, size_t tl, const char *meant, size_t ml);

/* The most a correction of a typed word of `len` bytes may cost to be
 * offered: short words allow one cheap slip, long words two or three. */
double spellcost_limit(size_t len);

/* Spellings of typed[0..tl) with one phonetic pattern rewritten (shun ->
 * tion, f -> ph, k -> ch, ...): calls cb for each distinct variant (at most
 * `max`). The variants are guesses to look up, not answers. */
void spellcost_variants(const char *typed, size_t tl, size_t max,
                        void (*cb)(const char *variant, size_t len, void *ud), void *ud);

#endif
