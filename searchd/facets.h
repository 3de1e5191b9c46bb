/* SPDX-License-Identifier: GPL-2.0-or-later */
/* facets: the facet counts of a search (/search?facets=category,lang).
 *
 * Each asked facet is a Xapian value-count match spy (xap_spy_*) over the
 * value slot the indexer fills with the folded category or language
 * (schema.h VAL_CATEGORY, VAL_LANG). The spies ride along in the search's
 * one final match pass: attach them to the enquire just before that pass,
 * run it counting every match (check_at_least >= the document count, see
 * facets_check_at_least), then read the counts. Counts are over all the
 * matches of the query and its filters, not just the page.
 */
#ifndef MEDSEARCH_FACETS_H
#define MEDSEARCH_FACETS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "xap.h"

enum { FACET_CATEGORY = 1 << 0, FACET_LANG = 1 << 1 };

/* Default and largest number of values per facet (facet_limit=). */
#define FACETS_DEFAULT_LIMIT 10
#define FACETS_MAX_LIMIT 100

/* Parse a comma list of facet names ("category,lang"; empty items are
 * ignored) into *mask. Returns 0, or -1 with the unknown name in bad. */
int facets_parse(const char *spec, unsigned *mask /* OUT */, char *bad, size_t badcap);

struct facets;

/* Make the spies of mask and add them to e. *out is NULL when mask is 0.
 * The facets must outlive e's last match pass; free e first. */
xap_status facets_attach(xap_enquire *e, unsigned mask, struct facets **out /* OUT */);

/* check_at_least for the final pass: every document of db when facets
 * are attached (so the spies see every match), else `want`. */
uint32_t facets_check_at_least(const struct facets *f, xap_db *db, uint32_t want);

/* {"category": [{"value": v, "count": n}, ...], "lang": [...]}: at most
 * limit values each, most frequent first. NULL (and *st set) on failure. */
json_t *facets_json(const struct facets *f, size_t limit, xap_status *st /* OUT */);

void facets_free(struct facets *f);

#endif
