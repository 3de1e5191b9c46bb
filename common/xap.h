/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xap: the one seam between medsearch (C11) and libxapian (C++).
 *
 * Plain C11 header: opaque handles, status returns, no Xapian type and no
 * exception ever crosses it. xap.cc implements it; every exported function
 * is a try block whose catch maps the exception to an xap_status and keeps
 * a readable message, retrievable with xap_errmsg() on the same thread.
 *
 * Conventions
 *  - Every function returning xap_status returns XAP_OK (0) on success.
 *  - Outputs are labelled OUT and set to NULL/0 first, so early returns are
 *    safe for the caller.
 *  - Handles are not thread-safe: use one xap_db (and everything made from
 *    it) per thread. Different handles may be used on different threads.
 *  - Strings are NUL-terminated UTF-8 unless a length is passed.
 *  - Unless said otherwise, a returned char * is malloc'd and owned by the
 *    caller (free()).
 */
#ifndef MEDSEARCH_XAP_H
#define MEDSEARCH_XAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum xap_status {
    XAP_OK = 0,
    XAP_ERR_MODIFIED,   /* DatabaseModifiedError: reopen the db and retry */
    XAP_ERR_LOCKED,     /* DatabaseLockError: another writer holds the lock */
    XAP_ERR_OPENING,    /* DatabaseOpeningError / DatabaseNotFoundError */
    XAP_ERR_CORRUPT,    /* DatabaseCorruptError */
    XAP_ERR_NOT_FOUND,  /* DocNotFoundError, or no document with that term */
    XAP_ERR_INVALID,    /* bad argument (InvalidArgumentError, NULL, ...) */
    XAP_ERR_IO,         /* DatabaseError that is not one of the above (disk full...) */
    XAP_ERR_NOMEM,      /* std::bad_alloc */
    XAP_ERR_XAPIAN,     /* any other Xapian::Error */
    XAP_ERR_UNKNOWN,    /* anything else (catch (...)) */
    XAP_ERR_NETWORK,    /* NetworkError: a remote shard is unreachable or hung up */
    XAP_ERR_TIMEOUT     /* NetworkTimeoutError: a remote shard did not answer in time */
} xap_status;

/* Readable message of the last failure on this thread ("" if none), as
 * "function: XapianErrorClass: text". Successful calls leave it alone;
 * valid until the next failing xap_* call on this thread. */
const char *xap_errmsg(void);
/* Static name of a status ("XAP_ERR_LOCKED"). */
const char *xap_status_name(xap_status st);
/* Xapian library version string ("1.4.22"), static. */
const char *xap_version(void);

typedef struct xap_db xap_db;
typedef struct xap_doc xap_doc;
typedef struct xap_query xap_query;
typedef struct xap_enquire xap_enquire;
typedef struct xap_mset xap_mset;
typedef struct xap_eset xap_eset;
typedef struct xap_stem xap_stem;
typedef struct xap_spy xap_spy;

/* ---- databases ---------------------------------------------------------- */

enum xap_open_mode {
    XAP_DB_READONLY = 0,
    XAP_DB_CREATE_OR_OPEN,      /* writable; created if missing */
    XAP_DB_CREATE_OR_OVERWRITE, /* writable; existing content discarded */
    XAP_DB_OPEN,                /* writable; must exist */
    /* Or'ed into a writable mode: commits do not fsync (Xapian's
     * DB_NO_SYNC). A killed process loses nothing committed (the data is
     * in the page cache), but a power loss may leave the database corrupt:
     * only for a database that is never live (a side writer's, a rebuild's
     * generation before its compaction, which syncs its output). */
    XAP_DB_NO_SYNC = 0x100
};

/* Open one database at `path`: a glass directory, a stub file, or a stub
 * directory (a directory whose XAPIANDB file reads e.g. "glass idx-1",
 * relative to that directory), so a rebuilt index can be swapped in by
 * renaming a new XAPIANDB over the old. Writable opens work through a stub
 * naming exactly one database. Handles already open keep the old index.
 * A writable open fails with XAP_ERR_LOCKED if another writer holds it. */
xap_status xap_db_open(const char *path, enum xap_open_mode mode, xap_db **out /* OUT */);
/* Open several databases read-only and search them as one (Xapian merges
 * their statistics). A path of the form "tcp:HOST:PORT" opens a remote
 * database served by xapian-tcpsrv (xap_db_open takes one too). */
xap_status xap_db_open_many(const char *const *paths, size_t n, xap_db **out /* OUT */);
/* An empty read-only database, and adding one database to it (a path or
 * "tcp:HOST:PORT"; several parts are searched as one, as with
 * xap_db_open_many). Lets a caller learn which part failed to open. */
xap_status xap_db_new_multi(xap_db **out /* OUT */);
xap_status xap_db_add(xap_db *db, const char *path);
/* Bound, in milliseconds, on every wait for a remote database opened from
 * now on: connecting, and each read or write (Xapian's remote timeout and
 * connect timeout). 0 restores Xapian's default (10 s). Process-wide. */
void xap_set_remote_timeout(unsigned ms);
/* 1 when db reads through at least one remote database: then each call
 * that reads it may cost a network round trip per shard. */
int xap_db_is_remote(const xap_db *db);
/* Read the spelling and synonym tables of db from the database at path
 * instead (a local copy: Xapian 1.4's remote backend serves neither);
 * NULL reads them from db again. xap_db_reopen reopens it too. */
xap_status xap_db_set_dictionary(xap_db *db, const char *path);
/* Close and free; NULL is a no-op. A writable db commits pending changes
 * (Xapian's behaviour) unless xap_db_cancel() was called. Enquires and
 * msets made from it then fail with XAP_ERR_IO: free them first. */
void xap_db_close(xap_db *db);
/* Throw away uncommitted changes of a writable db (no commit on close of
 * those changes); the handle stays usable. */
xap_status xap_db_cancel(xap_db *db);
/* Read-only db: move to the latest committed revision. *changed (may be
 * NULL) is set to 1 if the revision changed. */
xap_status xap_db_reopen(xap_db *db, int *changed /* OUT */);
xap_status xap_db_commit(xap_db *db);
/* Number of documents, and revision (0 for a multi-db or a remote db:
 * Xapian 1.4 cannot tell a remote revision). */
xap_status xap_db_doccount(xap_db *db, uint32_t *out /* OUT */);
xap_status xap_db_revision(xap_db *db, uint64_t *out /* OUT */);
xap_status xap_db_avlength(xap_db *db, double *out /* OUT */);
/* Documents containing `term`. Frequencies are kept per handle: one
 * asked before (here, by an expand set or by xap_db_prefetch_termfreqs)
 * is answered without reading the database again, for as long as the
 * handle stays at that revision (see xap_db_begin_request). */
xap_status xap_db_termfreq(xap_db *db, const char *term, uint32_t *out /* OUT */);
/* Fetch the document frequencies of terms[0..n) now, so that the
 * xap_db_termfreq calls that follow answer without asking the database:
 * over remote shards all of them come in one exchange (one match's
 * statistics) instead of one round trip per term and shard. */
xap_status xap_db_prefetch_termfreqs(xap_db *db, const char *const *terms, size_t n);
/* The same without an exchange of its own: the terms join the next one
 * (an expand set's frequencies, or xap_db_prefetch_termfreqs). */
xap_status xap_db_want_termfreqs(xap_db *db, const char *const *terms, size_t n);
/* A reader calls this at the start of each request: the wanted terms are
 * dropped, and over remote shards (which may have moved on) the kept
 * frequencies too. A local database's are kept until xap_db_reopen
 * moves it to another revision, so no request sees another revision's
 * counts, and a reader at a steady revision looks each term up once. */
void xap_db_begin_request(xap_db *db);
/* A number that changes whenever what db counts may have changed (a
 * reopen to another revision) and that no other handle of the process
 * ever has: the key of a cache of statistics kept beside a handle. */
uint64_t xap_db_generation(const xap_db *db);

/* Add `doc`, or replace the document that has the unique term `idterm`
 * (e.g. "Qarticle-id"); `doc` must contain idterm. *docid may be NULL. */
xap_status xap_db_replace_by_term(xap_db *db, const char *idterm, const xap_doc *doc,
                                  uint32_t *docid /* OUT */);
/* Delete every document indexed by `term`. *deleted (may be NULL) = count. */
xap_status xap_db_delete_by_term(xap_db *db, const char *term, uint32_t *deleted /* OUT */);
/* The first docid of the posting list of `term`; XAP_ERR_NOT_FOUND if none. */
xap_status xap_db_docid_by_term(xap_db *db, const char *term, uint32_t *docid /* OUT */);
/* The stored document; free with xap_doc_free. XAP_ERR_NOT_FOUND if none. */
xap_status xap_db_get_doc(xap_db *db, uint32_t docid, xap_doc **out /* OUT */);

/* User metadata (key/value strings stored with the index). A missing key
 * gives *out = "" (malloc'd), *len = 0. */
xap_status xap_db_set_metadata(xap_db *db, const char *key, const char *value, size_t len);
xap_status xap_db_get_metadata(xap_db *db, const char *key, char **out /* OUT */, size_t *len /* OUT */);
/* The value of key that every part of db holds ("" when they differ or
 * none has it; xap_db_get_metadata reads a multi-db's first part only).
 * tables: the database holding the spelling and synonym tables instead
 * (the dictionary when set apart, else the same). Kept per handle like
 * term frequencies: asked once per revision (over remote shards, once
 * per reopen). */
/* The terms of db starting with `prefix` (a short list, such as the
 * language filter terms), each followed by '\n', sorted; kept per handle
 * like xap_db_metadata_common. */
xap_status xap_db_prefix_terms(xap_db *db, const char *prefix, char **out /* OUT */, size_t *len /* OUT */);
xap_status xap_db_metadata_common(xap_db *db, const char *key, int tables, char **out /* OUT */,
                                  size_t *len /* OUT */);

/* Term iteration over the whole db: calls cb for each term starting with
 * `prefix` ("" for all) in sorted order, with its document frequency.
 * cb returns 0 to go on, non-zero to stop (then XAP_OK is returned). */
typedef int (*xap_term_cb)(const char *term, size_t len, uint32_t termfreq, void *ud);
xap_status xap_db_allterms(xap_db *db, const char *prefix, xap_term_cb cb, void *ud);
/* Positions of `term` in `docid`: cb(pos, ud); non-zero stops. */
typedef int (*xap_pos_cb)(uint32_t pos, void *ud);
xap_status xap_db_positions(xap_db *db, uint32_t docid, const char *term, xap_pos_cb cb, void *ud);
/* The terms of stored document `docid` with wdf and collection termfreq,
 * in sorted (byte) order. Over remote shards the termfreqs of the whole
 * list are fetched in one exchange (not one round trip per term). */
typedef int (*xap_doc_term_cb)(const char *term, size_t len, uint32_t wdf, uint32_t termfreq, void *ud);
xap_status xap_db_termlist(xap_db *db, uint32_t docid, xap_doc_term_cb cb, void *ud);
/* The same, with the termfreq looked up only for the terms want(term,
 * len, ud) accepts (want NULL: all); the others get termfreq 0. The
 * look-up is the cost of a termlist (one postlist-table read a term). */
typedef int (*xap_term_want_cb)(const char *term, size_t len, void *ud);
xap_status xap_db_termlist_some(xap_db *db, uint32_t docid, xap_term_want_cb want, xap_doc_term_cb cb, void *ud);
/* The values in `slot` of the documents docids[0..n) (any order, no
 * repeats): cb(i, value, len, ud) for each docids[i] that has one, in
 * docid order, from one pass of the slot's value stream (no document is
 * opened). Not over remote shards (XAP_ERR_INVALID: a round trip a
 * document). cb returns non-zero to stop. */
typedef int (*xap_value_cb)(size_t i, const char *value, size_t len, void *ud);
xap_status xap_db_values(xap_db *db, unsigned slot, const uint32_t *docids, size_t n, xap_value_cb cb, void *ud);

/* Spelling: add `word` with frequency increment; best correction of `word`
 * within `max_edit` edits, or *out = NULL when none (or it is the word). */
xap_status xap_db_add_spelling(xap_db *db, const char *word, uint32_t freqinc);
xap_status xap_db_spelling_suggestion(xap_db *db, const char *word, unsigned max_edit,
                                      char **out /* OUT */);
/* Frequency of `word` in the spelling table (0 if absent). */
xap_status xap_db_spelling_freq(xap_db *db, const char *word, uint32_t *out /* OUT */);
/* cb(word, len, frequency) for every word of the spelling table, in
 * sorted order; non-zero stops. */
typedef int (*xap_word_freq_cb)(const char *word, size_t len, uint32_t freq, void *ud);
xap_status xap_db_spelling_words(xap_db *db, xap_word_freq_cb cb, void *ud);

/* Synonyms: `key` (a term or several space-separated terms) -> `synonym`. */
xap_status xap_db_add_synonym(xap_db *db, const char *key, const char *synonym);
xap_status xap_db_clear_synonyms(xap_db *db, const char *key);
/* cb(synonym) for each synonym of key; non-zero stops. */
typedef int (*xap_str_cb)(const char *s, size_t len, void *ud);
xap_status xap_db_synonyms(xap_db *db, const char *key, xap_str_cb cb, void *ud);
/* cb(key) for each synonym key starting with prefix. */
xap_status xap_db_synonym_keys(xap_db *db, const char *prefix, xap_str_cb cb, void *ud);

/* Compact and merge srcs[0..n) into one new database at `dst` (which must
 * not exist: XAP_ERR_INVALID), as a glass directory with one file per
 * table, like xapian-compact (so it can sit behind a stub). One source
 * keeps its docids. With n > 1 docids are renumbered: each source's
 * documents follow the previous source's, in order; spelling frequencies
 * are summed, synonyms united, and a metadata key present in several
 * sources keeps the first source's value. */
xap_status xap_compact_many(const char *const *srcs, size_t n, const char *dst);

/* ---- documents ------------------------------------------------------------ */

xap_status xap_doc_new(xap_doc **out /* OUT */);
void xap_doc_free(xap_doc *doc);
/* Term at position `pos` (1-based, as Xapian), wdf += wdfinc. */
xap_status xap_doc_add_posting(xap_doc *doc, const char *term, uint32_t pos, uint32_t wdfinc);
/* Term without position, wdf += wdfinc. */
xap_status xap_doc_add_term(xap_doc *doc, const char *term, uint32_t wdfinc);
/* Filter term: no wdf, no effect on document length. */
xap_status xap_doc_add_boolean_term(xap_doc *doc, const char *term);
xap_status xap_doc_set_value(xap_doc *doc, unsigned slot, const void *bytes, size_t len);
/* *out malloc'd (NUL-terminated for convenience), "" with *len = 0 if unset. */
xap_status xap_doc_get_value(const xap_doc *doc, unsigned slot, char **out /* OUT */, size_t *len /* OUT */);
xap_status xap_doc_set_data(xap_doc *doc, const void *bytes, size_t len);
xap_status xap_doc_get_data(const xap_doc *doc, char **out /* OUT */, size_t *len /* OUT */);
/* Terms of an in-memory or stored document, sorted, with wdf (termfreq 0 for
 * an in-memory doc). */
xap_status xap_doc_termlist(const xap_doc *doc, xap_doc_term_cb cb, void *ud);
xap_status xap_doc_docid(const xap_doc *doc, uint32_t *out /* OUT */);

/* Value encodings sortable as bytes (Xapian::sortable_serialise). */
size_t xap_sortable_serialise(double v, char buf[/* at least 18 */]);
double xap_sortable_unserialise(const char *bytes, size_t len);

/* ---- queries (an immutable tree; every node is its own handle) ------------ */

enum xap_op {
    XAP_OP_AND, XAP_OP_OR, XAP_OP_AND_NOT, XAP_OP_XOR, XAP_OP_AND_MAYBE,
    XAP_OP_FILTER, XAP_OP_NEAR, XAP_OP_PHRASE, XAP_OP_ELITE_SET,
    XAP_OP_SYNONYM, XAP_OP_MAX
};

/* Leaf term. wqf: within-query frequency (1 normally); pos: query position
 * (0 = none). */
xap_status xap_query_term(const char *term, uint32_t wqf, uint32_t pos, xap_query **out /* OUT */);
/* Combine n sub-queries with op (they are copied; the caller still owns
 * and frees them). `window` is for NEAR/PHRASE (0 = number of subqueries),
 * and the set size for ELITE_SET. n == 0 gives the empty query (matches
 * nothing). */
xap_status xap_query_combine(enum xap_op op, xap_query *const *subs, size_t n, uint32_t window,
                             xap_query **out /* OUT */);
/* Terms starting with `prefix` (a full term, prefix included), ORed, as a
 * synonym group when as_synonym. At most max_expansion terms: beyond that
 * the most frequent are kept (Xapian's WILDCARD_LIMIT_MOST_FREQUENT). */
xap_status xap_query_wildcard(const char *prefix, uint32_t max_expansion, int as_synonym,
                              xap_query **out /* OUT */);
/* max_expansion 0 means no limit (for both wildcard calls).
 * Known libxapian 1.4.22 bug: with as_synonym == 0 and a cap that is
 * exceeded, each run of the query leaks one weight object (~120 bytes)
 * per dropped term. Prefer as_synonym = 1, or xap_query_wildcard_db(). */
/* The same expansion done now against `db`: its terms starting with
 * `prefix`, the max_expansion most frequent kept (ties: byte order), as an
 * OR (or synonym) of plain terms. No leak; with several databases the cap
 * applies to the merged frequencies (Xapian's applies per shard). A prefix
 * with no term gives the empty query. */
xap_status xap_query_wildcard_db(xap_db *db, const char *prefix, uint32_t max_expansion, int as_synonym,
                                 xap_query **out /* OUT */);
/* Sub-query with every weight multiplied by factor (>= 0). */
xap_status xap_query_scale(const xap_query *q, double factor, xap_query **out /* OUT */);
xap_status xap_query_match_all(xap_query **out /* OUT */);
int xap_query_empty(const xap_query *q);
/* Xapian's description of the query (for debugging and "query as understood"). */
xap_status xap_query_describe(const xap_query *q, char **out /* OUT */);
void xap_query_free(xap_query *q);

/* ---- enquire and results --------------------------------------------------- */

xap_status xap_enquire_new(xap_db *db, xap_enquire **out /* OUT */);
void xap_enquire_free(xap_enquire *e);
xap_status xap_enquire_set_query(xap_enquire *e, const xap_query *q);
/* BM25 parameters (Xapian defaults: k1=1, k2=0, k3=1, b=0.5, min_normlen=0.5).
 * Negative values or b > 1: XAP_ERR_INVALID (Xapian would clamp silently). */
xap_status xap_enquire_set_bm25(xap_enquire *e, double k1, double k2, double k3, double b, double min_normlen);
/* Stop matching after `seconds` (0: no limit); results are then approximate. */
xap_status xap_enquire_set_time_limit(xap_enquire *e, double seconds);
/* Sort by relevance, equal weights by the value in slot (byte order;
 * reverse: descending). A document without the value sorts first. */
xap_status xap_enquire_set_sort_by_relevance_then_value(xap_enquire *e, unsigned slot, int reverse);
/* Run the query: results [offset, offset+limit), counting at least
 * check_at_least matches for the estimate. rset: optional docids marked
 * relevant (for weighting feedback), n_rset entries. */
xap_status xap_enquire_mset(xap_enquire *e, uint32_t offset, uint32_t limit, uint32_t check_at_least,
                            const uint32_t *rset, size_t n_rset, xap_mset **out /* OUT */);

/* Expand set: the `max` best terms to add to a query, given the relevant
 * docids rset. decider (may be NULL) returns non-zero to accept a term. The
 * query set on e (if any) is used for the weights, as Xapian does, and
 * its terms are left out. Term frequencies are exact
 * (USE_EXACT_TERMFREQ), so several databases give the answer of one. */
typedef int (*xap_term_decider)(const char *term, size_t len, void *ud);
xap_status xap_enquire_eset(xap_enquire *e, uint32_t max, const uint32_t *rset, size_t n_rset,
                            xap_term_decider decider, void *ud, xap_eset **out /* OUT */);

/* Re-rank a match's window (PRF: the expansion re-ranks the first
 * matches, as Lucene's rescorer does): each of m's first `window` items
 * gets its weight under boost added, in e's weighting scheme (0 where
 * boost does not match it); they are put in the new order (weight, then
 * sort key, then docid, as the match orders), the items after the window
 * follow as they were, and m becomes the page [offset, offset+limit) of
 * that order. Within the window, weights and order are those of
 * AND_MAYBE(query, boost); m holds at least offset+limit items when that
 * many match. boost is matched against m's documents only: on one local
 * database through their docids, otherwise through their id terms, which
 * key_term writes into buf from each one's value in id_slot (its sort key
 * when the match sorted by that slot, else read from the document) and
 * returns the length of (0 to skip). Leaves e's query changed. percent is
 * scaled so that the best item keeps the match's best. */
typedef size_t (*xap_key_term)(const char *key, size_t len, char *buf, size_t cap);
xap_status xap_mset_rescore(xap_enquire *e, xap_mset *m, const xap_query *boost, uint32_t window, uint32_t offset,
                            uint32_t limit, unsigned id_slot, xap_key_term key_term);

size_t xap_mset_size(const xap_mset *m);
/* Estimated total matches, and bounds. */
uint32_t xap_mset_estimated(const xap_mset *m);
uint32_t xap_mset_lower(const xap_mset *m);
uint32_t xap_mset_upper(const xap_mset *m);
/* Item i (0-based within this page). rank is absolute (offset + i). */
xap_status xap_mset_item(const xap_mset *m, size_t i, uint32_t *docid /* OUT */, uint32_t *rank /* OUT */,
                         double *weight /* OUT */, int *percent /* OUT */);
/* The document of item i; free with xap_doc_free. Over remote shards the
 * first call fetches every document of the mset in one pipelined exchange
 * (Xapian's MSet::fetch), not one round trip per hit. */
xap_status xap_mset_doc(const xap_mset *m, size_t i, xap_doc **out /* OUT */);
/* The sort key of item i (the value slot the match sorts equal weights by),
 * malloc'd into *out with its length; "" where the match kept none. Costs
 * no document read: the matcher fetched it while ranking. */
xap_status xap_mset_sort_key(const xap_mset *m, size_t i, char **out /* OUT */, size_t *len /* OUT */);
void xap_mset_free(xap_mset *m);

size_t xap_eset_size(const xap_eset *es);
/* Term i: *term points into the eset (valid until xap_eset_free). */
xap_status xap_eset_item(const xap_eset *es, size_t i, const char **term /* OUT */, double *weight /* OUT */);
/* The exact document frequency of item i's term (known from computing the
 * set: no database access). */
xap_status xap_eset_termfreq(const xap_eset *es, size_t i, uint32_t *out /* OUT */);
void xap_eset_free(xap_eset *es);

/* ---- match spies (facet counts) ------------------------------------------------ */

/* A value-count spy (Xapian::ValueCountMatchSpy) over value `slot`: once
 * added to an enquire, every document the next xap_enquire_mset examines
 * is counted by its value in the slot (documents without one are not).
 * It sees the documents the matcher looks at: to count every match, pass
 * check_at_least >= the database's document count. Owned by the caller;
 * the enquire only borrows it, so free the enquire (or call
 * xap_enquire_clear_spies) before xap_spy_free. */
xap_status xap_spy_new(unsigned slot, xap_spy **out /* OUT */);
xap_status xap_enquire_add_spy(xap_enquire *e, xap_spy *s);
xap_status xap_enquire_clear_spies(xap_enquire *e);
/* Documents the spy has seen. */
uint32_t xap_spy_total(const xap_spy *s);
/* The `max` most frequent values (ties: byte order), most frequent first:
 * cb(value, len, count, ud) for each; cb returns non-zero to stop. */
typedef int (*xap_spy_cb)(const char *value, size_t len, uint32_t count, void *ud);
xap_status xap_spy_top(const xap_spy *s, size_t max, xap_spy_cb cb, void *ud);
void xap_spy_free(xap_spy *s);

/* ---- work counters ----------------------------------------------------------- */

/* The Xapian work done by this thread since xap_work_reset: match passes
 * (xap_enquire_mset), expand sets, termlists read (xap_db_termlist, and
 * one per relevant document of an expand set), stored documents read
 * (xap_mset_doc, xap_db_get_doc), posting lists walked
 * (xap_db_docid_by_term: id and title lookups) and term frequencies read
 * from the database (not those kept from before: xap_db_termfreq). For a
 * bounded, measured amount of work per request (searchd's /metrics). */
struct xap_work {
    uint64_t passes, esets, termlists, docs, postlists, termfreqs;
    uint64_t rescores; /* xap_mset_rescore's matches, each over at most its window */
    uint64_t values;   /* values read by xap_db_values (one an article) */
};
void xap_work_reset(void);
void xap_work_get(struct xap_work *out /* OUT */);

/* ---- stemmers ------------------------------------------------------------------ */

/* Snowball stemmer by language name or ISO code ("english", "en", "french",
 * "none"). XAP_ERR_INVALID for an unknown language. */
xap_status xap_stem_new(const char *lang, xap_stem **out /* OUT */);
void xap_stem_free(xap_stem *s);
/* Stem `word` (len bytes) into buf (NUL-terminated, truncated to cap-1
 * without splitting a UTF-8 sequence); returns the number of bytes written
 * before the NUL (the stem's length unless truncated), 0 on failure. */
size_t xap_stem_apply(xap_stem *s, const char *word, size_t len, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
