/* SPDX-License-Identifier: GPL-2.0-or-later */
/* search: GET /search, ranked hits with snippets, "did you mean" and the
 * related block (docs/protocol.md says every field and limit).
 *
 * A request is: check the parameters and limits, parse q (query.h:
 * the query language, or plain words with mode=plain), compile it
 * (rank.h), add the category/lang filters, run it with BM25 under the
 * time budget, then decode the stored record of each hit for its fields
 * and snippet (snippet.h), and add did_you_mean (spell.h) and related
 * articles and terms (related.h). Everything that reads the database runs
 * under worker_retry, so a writer's commit in the middle is retried once.
 */
#ifndef MEDSEARCH_SEARCH_H
#define MEDSEARCH_SEARCH_H

struct server_req;

void search_handle(struct server_req *req);

#endif
