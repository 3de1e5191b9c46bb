/* SPDX-License-Identifier: GPL-2.0-or-later */
/* assist: helper threads that take a share of one request's CPU-only work
 * (decoding its hits' stored records and making their snippets) beside the
 * worker that runs it, so that a request's latency uses a core that would
 * otherwise idle.
 *
 * A worker offers a batch of n independent tasks (assist_offer), goes on
 * with its own work (the see-also block's match, did-you-mean), then joins
 * the batch (assist_join): it runs every task no helper has claimed and
 * waits for those a helper is running. Tasks never touch Xapian (a
 * database handle belongs to its worker) and each thread brings its own
 * tokenizer and stemmer (struct assist_tools), so a task runs the same on
 * any thread and the answer does not depend on who ran it.
 *
 * A request gets the helpers only while a worker thread is idle
 * (server_assist asks pool_idle): under load every core already has a
 * request, and a helper would only add hand-overs. A batch nobody helps
 * costs two lock round trips. Counts of tasks by who ran them are in
 * /metrics (medsearch_hit_tasks_total).
 */
#ifndef MEDSEARCH_ASSIST_H
#define MEDSEARCH_ASSIST_H

#include <stddef.h>

#include "xap.h"

struct tokenizer;

/* A thread's own tools for its tasks. */
struct assist_tools {
    struct tokenizer *tk;
    xap_stem *stem;
};

struct assist_batch {
    /* Task i of the batch, on some thread with that thread's tools. */
    void (*run)(void *ud, size_t i, const struct assist_tools *tools);
    void *ud;
    size_t n;
    /* private (under the helpers' lock) */
    size_t next;     /* the next task to claim */
    size_t finished; /* tasks run to the end */
    size_t helped;   /* ... of them by a helper */
    int queued;      /* on the offer list */
    struct assist_batch *link;
};

struct assist;

/* Start n helper threads (0: none, and a NULL result is a valid, empty
 * assist). Helpers that cannot start are logged; the worker then runs its
 * tasks itself. */
struct assist *assist_start(unsigned n);
/* A batch of n tasks run(ud, i, tools). */
void assist_batch_init(struct assist_batch *b, void (*run)(void *, size_t, const struct assist_tools *), void *ud,
                       size_t n);
/* Offer b to the idle helpers (a NULL: nothing). b must stay valid until
 * assist_join returns. */
void assist_offer(struct assist *a, struct assist_batch *b);
/* Run, with own, every task of b not yet claimed, and wait for those a
 * helper is running. After it, b is no one else's. Safe without an offer. */
void assist_join(struct assist *a, struct assist_batch *b, const struct assist_tools *own);
/* Stop and join the helpers (after every worker is done); NULL is a no-op. */
void assist_stop(struct assist *a);

/* Tasks run since start, by workers and by helpers (for /metrics). */
void assist_counts(unsigned long long *by_worker, unsigned long long *by_helper);

#endif
