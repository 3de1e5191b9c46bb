/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docrec: the stored record of an article (Xapian document data): what a
 * result, a snippet, /doc and /related need, as JSON compressed with zlib.
 *
 * Layout: 1 byte format tag, then a zlib stream of a JSON object
 * {"id","url","title","category","lang","date","source","line",
 *  "headings":[..], "links":[{"k":"prev|next|recommend|related","t":title,
 *  "g":target}], "body"}. The body is capped at SCHEMA_MAX_STORED_BODY.
 * Tag 'z': plain zlib. Tag 'd': zlib with a preset dictionary (the
 * common strings of the index's articles, built by the indexer, stored in
 * the index's metadata: DOCREC_META_LIST lists their ids (zlib's adler32
 * of the dictionary, which the stream names), DOCREC_META_DICT + id in
 * 8 hex digits holds each). Short records compress far better with one.
 * The short fields, through the headings' key, are a deflate block of
 * their own with fixed codes (since 2026-12-06; plain deflate, so older
 * records and readers mix freely): a head reader inflates that block only.
 *
 * Dictionaries live in a process-wide registry (thread-safe, append-only,
 * at most DOCREC_MAX_DICTS): decoding finds a record's dictionary there.
 */
#ifndef MEDSEARCH_DOCREC_H
#define MEDSEARCH_DOCREC_H

#include <stddef.h>

#include "article.h"

#include <stdint.h>

#define DOCREC_META_LIST "medsearch_docdicts"
#define DOCREC_META_DICT "medsearch_docdict."
#define DOCREC_MAX_DICTS 64
#define DOCREC_DICT_MAX 32768 /* zlib's window */

/* Register a dictionary (copied); returns its id (adler32), or 0 when it
 * is empty, too long or the registry is full. Registering twice is fine. */
uint32_t docrec_dict_add(const char *dict, size_t len);
/* Encode every later record with registered dictionary id (0: none). */
void docrec_dict_use(uint32_t id);
/* The dictionary records are encoded with: its id (0: none) and bytes
 * (valid for the process's life). */
uint32_t docrec_dict_current(const char **dict /* OUT, may be NULL */, size_t *len /* OUT, may be NULL */);

/* Register the dictionaries stored in db's metadata (a struct xap_db *);
 * *last (may be NULL) receives the last one's id (0: none). Returns how
 * many were found. */
size_t docrec_dicts_load(void *db, uint32_t *last /* OUT */);

/* Encode `a` (with the current dictionary); *out malloc'd. Returns 0, or
 * -1 (out of memory). json (may be NULL) receives the uncompressed JSON
 * (malloc'd) for a caller that samples records. */
int docrec_encode_json(const struct article *a, char **out /* OUT */, size_t *len /* OUT */,
                       char **json /* OUT */);
/* Encode `a`; *out malloc'd. Returns 0, or -1 (out of memory). */
int docrec_encode(const struct article *a, char **out /* OUT */, size_t *len /* OUT */);
/* Decode a stored record into a new article (free with article_free).
 * Returns 0, or -1 when the record is corrupt. with_body = 0 skips the
 * body (cheaper for result lists); with it, the body (written last) is
 * unescaped apart and jansson parses only the short fields before it. */
int docrec_decode(const char *data, size_t len, int with_body, struct article **out /* OUT */);
/* Decode only what a list of articles shows: id, url and title (the
 * encoder writes them first; inflation stops soon after them, and they are
 * read without a JSON parser). The other fields are left as article_new
 * makes them. Returns 0, or -1 when the record is corrupt. */
int docrec_decode_head(const char *data, size_t len, struct article **out /* OUT */);
/* Decode what a search hit shows: id, url, title, category, lang, date
 * and (with_body) the body, read without a JSON parser like the head;
 * headings, links, source and line are left as article_new makes them.
 * Returns 0, or -1 when the record is corrupt. */
int docrec_decode_hit(const char *data, size_t len, int with_body, struct article **out /* OUT */);
/* Decode the short fields of docrec_decode_hit and the links (what
 * /related reads of its seed); no headings, source, line or body.
 * Returns 0, or -1 when the record is corrupt. */
int docrec_decode_links(const char *data, size_t len, struct article **out /* OUT */);
/* Map between enum link_kind and the short names used in the record. */
int docrec_link_kind(const char *name);

#endif
