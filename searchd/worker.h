/* SPDX-License-Identifier: GPL-2.0-or-later */
/* worker: what one serving thread owns. Each libmicrohttpd pool thread
 * gets its own context on its first request (a thread-local pointer): a
 * read-only database handle over every --db path, a tokenizer, a stemmer and a
 * snapshot of the configuration. Nothing in it is shared, so handlers need
 * no locks. It is freed when the thread exits.
 *
 * The index is kept current before each request (worker_db): a cheap
 * reopen picks up new commits, and a changed stub file (DIR/XAPIANDB, which
 * the indexer's --rebuild renames over atomically) makes the handle close
 * and open the new database. SIGHUP (worker_reload_all) makes every worker
 * reopen its index and take the new configuration at its next request.
 */
#ifndef MEDSEARCH_WORKER_H
#define MEDSEARCH_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "xap.h"

struct worker;
struct tokenizer;

/* ---- process-wide (main thread) ------------------------------------------ */

/* Set the database paths (copied) and the first configuration (copied).
 * Returns 0, or -1 when out of memory. Call once, before serving. */
int worker_init(const char *const *paths, size_t npaths, const struct config *cfg);
/* Open the databases once as a worker would; returns 0, or -1 with a
 * readable reason in err. For the start-up check (fatal if it fails). */
int worker_probe(char *err, size_t errlen, uint32_t *docs /* OUT */);
/* SIGHUP: publish a new configuration (copied; NULL keeps the current one)
 * and make every worker reopen its index at its next request. */
int worker_reload_all(const struct config *cfg);
/* Free what worker_init made. Call after every serving thread is gone. */
void worker_shutdown(void);
/* Counters for /metrics. */
uint64_t worker_reopens_total(void);   /* full reopens (swap, SIGHUP, failure) */
unsigned worker_live(void);             /* contexts alive (= threads served) */

/* ---- per thread ----------------------------------------------------------- */

/* This thread's context, made on first use; NULL when out of memory. It
 * picks up a configuration published by worker_reload_all here. Valid
 * until the thread exits. Call once at the start of each request. */
struct worker *worker_begin(void);

/* The configuration snapshot this request runs with (never NULL). */
const struct config *worker_config(struct worker *w);

/* The database, made current for this request: on the first call of a
 * request, a reopen to the latest commit, and a full reopen when a stub
 * file changed (atomic rebuild swap) or after SIGHUP. Returns XAP_OK and
 * *db (owned by the worker, valid for this request), or an error status
 * when the index cannot be opened (then xap_errmsg()/worker_error() say
 * why; the next request tries again). */
xap_status worker_db(struct worker *w, xap_db **db /* OUT */);
/* Why the last worker_db failed (static per worker; "" if it did not). */
const char *worker_error(struct worker *w);

/* Run fn(db, ud) on the current database; when it returns
 * XAP_ERR_MODIFIED (a writer committed under the reader), reopen and run
 * it again (up to 5 more times). When a remote shard fails under it
 * (XAP_ERR_NETWORK, XAP_ERR_TIMEOUT), that shard is marked down and fn runs
 * again without it, within [searchd] deadline_ms of the request's start. fn must be safe to run twice (reset its outputs first).
 * Returns fn's status, or worker_db's when the index cannot be opened. */
typedef xap_status (*worker_fn)(xap_db *db, void *ud);
xap_status worker_retry(struct worker *w, worker_fn fn, void *ud);

/* Which shards the current database reads (NULL for one local index):
 * for the "partial" and "shards" fields of an answer. */
struct shard_view;
const struct shard_view *worker_view(struct worker *w);

/* This thread's tokenizer (made on first use); NULL when ICU fails. */
struct tokenizer *worker_tokenizer(struct worker *w);
/* This thread's English stemmer (made on first use), or NULL. */
xap_stem *worker_stemmer(struct worker *w);

#endif
