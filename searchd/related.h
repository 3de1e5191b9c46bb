/* SPDX-License-Identifier: GPL-2.0-or-later */
/* related: articles (and search terms) related to an article or to a
 * result list. GET /related?id=&limit= is the Recommend block of an
 * article page; related_for_hits() is the "see also" of /search.
 *
 * Sources: content similarity (Xapian's expand set over the seed's terms,
 * title/heading terms up, boilerplate down), the links the scraper
 * captured (prev/next/Recommend titles, resolved through XT title keys),
 * and near-duplicate removal (VAL_DUPKEY). Never the seed itself;
 * deterministic (ties broken by docid).
 */
#ifndef MEDSEARCH_RELATED_H
#define MEDSEARCH_RELATED_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "xap.h"

struct server_req;
struct worker;

/* GET /related */
void related_handle(struct server_req *req);

/* For /search: up to `limit` articles related to the hits docids[0..n)
 * (none of them among the hits) and up to `n_terms` related search terms
 * (words or phrases not in the query). *articles and *terms are new JSON
 * arrays (items as in docs/protocol.md). Returns XAP_OK or a seam status
 * (XAP_ERR_MODIFIED: the caller retries). */
xap_status related_for_hits(struct worker *w, xap_db *db, const uint32_t *docids, size_t n, size_t limit,
                            size_t n_terms, const char *query_text, json_t **articles /* OUT */,
                            json_t **terms /* OUT */);

#endif
