/* SPDX-License-Identifier: GPL-2.0-or-later */
/* assist: one part of a request computed by a worker thread that is idle,
 * while the request's own thread does the rest.
 *
 * A /search at low load keeps one core busy and leaves the others idle;
 * its related block (a match and the records of its articles) needs only
 * the expand set and the page's ids, as the hits' records and snippets
 * do, so the two can run side by side. assist_start offers the part to an
 * idle worker (pool_offer): never queued, so a busy server computes it in
 * the request's thread as before. The helper runs it on its own database
 * handle, only when that handle is the request's database at its
 * revision (xap_db_version: UUID and revision; else it declines), with its own tokenizer and the request's configuration
 * snapshot. assist_finish waits for it, or runs the part itself when no
 * helper took it, declined or failed: the answer is the same either way.
 * The helper's Xapian work is added to the request's (xap_work_add), so
 * /metrics counts a request's work wherever it ran.
 *
 * One local database only: a multi-database or remote handle has no
 * version to compare (xap_db_version gives ""), so its part runs inline.
 */
#ifndef MEDSEARCH_ASSIST_H
#define MEDSEARCH_ASSIST_H

#include "xap.h"

struct server_req;
struct worker;
struct assist;

/* The part: run with the worker and database of the thread that runs it.
 * It must reset its outputs first: it may run twice (a helper that failed,
 * then the request's thread). */
typedef xap_status (*assist_fn)(struct worker *w, xap_db *db, void *ud);

/* Offer fn(ud) to an idle worker; NULL when none took it (or [searchd]
 * assist is off, or db has no version to match): then assist_finish(NULL,
 * ...) runs it here. ud must stay valid, and nothing fn reads may change,
 * until assist_finish returns. */
struct assist *assist_start(struct server_req *req, struct worker *w, xap_db *db, assist_fn fn, void *ud);

/* fn's status: the helper's, or fn run on this thread (w, db) when the
 * helper never started, declined or failed. Frees a. fn NULL (an error
 * path): only wait until the helper no longer reads ud. */
xap_status assist_finish(struct assist *a, struct worker *w, xap_db *db, assist_fn fn, void *ud);

/* For /metrics: parts by what became of them, and the time requests
 * waited for their helpers. */
enum assist_outcome {
    ASSIST_HELPED,   /* a helper ran it */
    ASSIST_TAKEN,    /* offered, taken back before a helper started */
    ASSIST_DECLINED, /* the helper was at another database, revision or configuration */
    ASSIST_BUSY,     /* no idle worker: run inline */
    ASSIST_INLINE,   /* assist off, or a database without a version */
    ASSIST_OUTCOMES
};
unsigned long assist_total(enum assist_outcome o);
double assist_waited_seconds(void);

#endif
