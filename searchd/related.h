/* SPDX-License-Identifier: GPL-2.0-or-later */
/* related: articles (and search terms) related to an article or to a
 * result list. GET /related?id=&limit= is the Recommend block of an
 * article page; related_for_terms() is the "see also" of /search, from
 * the expand set the search computed.
 *
 * Sources: content similarity (Xapian's expand set over the seed's terms,
 * title/heading terms up, boilerplate down; MeSH concepts re-rank the
 * first candidates), the links the scraper
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

/* A weighted index term: a Z stem ("Zdiabet"), an unprefixed word or a
 * CJK word, as an expand set or select_terms gives them; weight > 0, only
 * relative weights matter. tf: the articles holding it, as the expand set
 * or the seed's termlist knew it (no look-up, no round trip to a remote
 * shard). */
struct related_term {
    const char *term;
    double weight;
    uint32_t tf;
};

/* The scorer of /related, for any weighted terms, best first (e.g. the
 * expand set the search computed once for PRF and the related block): the
 * terms of terms[0..n) that /related's rules keep (in two articles or
 * more, in at most term_max_df of them, no stop word) make the query. Up
 * to `limit` articles (none in exclude[0..n_exclude), no two
 * near-duplicates) are appended to the JSON array `out` as {id, title,
 * url, score}. Each term is matched with weight body_weight * weight /
 * (the best weight), a Z stem also in titles (body_title_weight), BM25 as
 * configured in [related]; only the best match_terms in at most
 * match_max_df of the articles make candidates; the first 30 of them are
 * re-ranked by their MeSH concepts' cosine with those of seeds[0..n_seeds)
 * (the articles the terms came from; none: words only), as /related
 * re-ranks its candidates. XAP_OK (also for n = 0:
 * nothing appended), XAP_ERR_INVALID (out NULL), or a seam status
 * (XAP_ERR_MODIFIED: the caller retries). */
xap_status related_for_terms(struct worker *w, xap_db *db, const struct related_term *terms, size_t n,
                             const uint32_t *seeds, size_t n_seeds, const uint32_t *exclude, size_t n_exclude,
                             size_t limit, json_t *out);

/* Related searches from the expand set es that the search plan computed
 * once from its best hits (shared with PRF: no termlist read here): up to
 * n_terms title/heading phrases (XP terms) of es, best first, that are
 * neither templates nor made only of the query's words (qwords[0..n),
 * folded), appended to the JSON array out as strings. */
xap_status related_eset_phrases(struct worker *w, xap_db *db, const xap_eset *es, const char *const *qwords,
                                size_t n_qwords, size_t n_terms, json_t *out);

/* Is t[0..len) a phrase term (XP) related_eset_phrases can use? Part of
 * the shared expand set's decider. */
int related_phrase_term(const char *t, size_t len);

#endif
