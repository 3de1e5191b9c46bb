/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stemcache: a builder thread's memory of the stems it has computed. Most
 * of an article's words are common ones seen many times in the run, and
 * the Snowball stemmer is a few percent of a build's CPU; a direct-mapped
 * table (a slot per word hash, the newest word wins) answers them without
 * stemming. Words and stems longer than STEMCACHE_WORD - 1 bytes are
 * stemmed every time. The answer is always xap_stem_apply's.
 *
 * Thread safety: one stemcache per thread (termgen owns one).
 */
#ifndef MEDSEARCH_STEMCACHE_H
#define MEDSEARCH_STEMCACHE_H

#include <stddef.h>

#include "xap.h"

#define STEMCACHE_WORD 28

struct stemcache;

/* NULL when out of memory (stemcache_apply then stems every word). */
struct stemcache *stemcache_new(void);
void stemcache_free(struct stemcache *sc);

/* xap_stem_apply(stem, word, len, buf, cap), from the cache when it holds
 * this stemmer's stem of word. sc may be NULL. */
size_t stemcache_apply(struct stemcache *sc, xap_stem *stem, const char *word, size_t len, char *buf, size_t cap);

#endif
