/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doc: GET /doc (the stored article), and reading stored records for the
 * other endpoints (related, search's see-also): an id is only ever looked
 * up as its Q term, never opened as a file.
 */
#ifndef MEDSEARCH_DOC_H
#define MEDSEARCH_DOC_H

#include <jansson.h>
#include <stdint.h>

#include "article.h"
#include "xap.h"

struct server_req;

/* GET /doc?id= */
void doc_handle(struct server_req *req);

/* The docid of article `id` (its Q term). XAP_ERR_NOT_FOUND when the
 * index has no such article. */
xap_status doc_lookup(xap_db *db, const char *id, uint32_t *docid /* OUT */);

/* What doc_load decodes: the record without its body, all of it, only
 * the id, url and title (a list of articles: much cheaper), or the short
 * fields and the links (a /related seed: no jansson over the headings). */
enum doc_part { DOC_NO_BODY, DOC_WITH_BODY, DOC_HEAD, DOC_LINKS };

/* The stored record of `docid` decoded (article_free), as much as part
 * says. *dupkey (may be NULL) gets its VAL_DUPKEY value (malloc'd, ""
 * when unset). XAP_ERR_CORRUPT when the record does not decode. A head
 * (DOC_HEAD: id, url, title) may come from the heads this thread read
 * last at the same revision (doc.c). */
xap_status doc_load(xap_db *db, uint32_t docid, enum doc_part part, struct article **out /* OUT */,
                    char **dupkey /* OUT */);

/* Heads answered from a thread's cache, and read from the index (for
 * /metrics). */
void doc_head_counts(unsigned long long *hits, unsigned long long *misses);

/* A JSON string of s, or JSON null when s is NULL (new reference). */
json_t *doc_json_str(const char *s);

#endif
