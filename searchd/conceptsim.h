/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conceptsim: how much two articles share their MeSH concepts (the XM
 * terms and VAL_CONCEPTS the indexer writes; indexer/concepts.h), for
 * related articles: the cosine of their tf-idf concept vectors (tf 1 +
 * ln count, idf ln(N / df) from the XM terms' frequencies). Two studies
 * of one fruit under different names ("mangosteen", "Garcinia
 * mangostana") share a concept where they share no word; related.c fuses this with the word similarity.
 *
 * Only on an index whose every article has the same concept file's
 * concepts (SCHEMA_META_CONCEPTS) and no remote shard (values would cost
 * a round trip an article); elsewhere *available is 0 and nothing is read. */
#ifndef MEDSEARCH_CONCEPTSIM_H
#define MEDSEARCH_CONCEPTSIM_H

#include <stddef.h>
#include <stdint.h>

#include "xap.h"

/* Does db have concepts to compare (every article annotated with one
 * file's, no remote shard)? Kept per handle and revision: cheap. */
int conceptsim_usable(xap_db *db);

/* The cosine of each of docids[0..n) with the seed: the sum of the
 * concept vectors of seeds[0..n_seeds) (one article for /related, a
 * result page's best hits for the see-also block), into cos[0..n)
 * (0: nothing shared, or no concepts). One pass of the value stream for
 * all of them. Returns XAP_OK or a seam status. */
xap_status conceptsim_cosines(xap_db *db, const uint32_t *seeds, size_t n_seeds, const uint32_t *docids, size_t n,
                              double *cos /* OUT */, int *available /* OUT */);

#endif
