/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pool: the worker threads that answer requests, fed by one FIFO queue.
 *
 * libmicrohttpd's own thread pool binds each connection to the thread that
 * accepted it, and which thread accepts is a race: 16 keep-alive
 * connections opened at once can all land on one thread while the other
 * cores idle (measured: 260 requests/s on one core of two, p50 60 ms =
 * 16 requests queued behind each other). Here libmicrohttpd's threads only
 * read and write sockets; a complete request goes to the worker that went
 * idle last (its caches are the warmest), or, when all are busy, waits in
 * the queue for the first one free. Work, not connections, is spread over
 * the cores. The hand-over costs about 27 us of CPU a request (measured on
 * /health: 45 -> 72 us), under 1 % of a search.
 *
 * A job is embedded in the caller's own struct (no allocation here). The
 * queue is unbounded, but each connection has at most one request in it
 * (a suspended connection reads nothing more), so it is bounded by
 * [searchd] max_connections.
 */
#ifndef MEDSEARCH_POOL_H
#define MEDSEARCH_POOL_H

struct pool;

struct pool_job {
    struct pool_job *next;
    /* Called on a worker thread. cancelled = 1: the pool is stopping and
     * the job was never started; answer it quickly (e.g. 503). */
    void (*run)(struct pool_job *job, int cancelled);
    /* Then (may be NULL), once the worker is back on the idle stack: hand
     * the result over (e.g. resume the connection). So a client that asks
     * again as soon as it has its answer is served by the same thread,
     * whose caches hold what it just read. */
    void (*done)(struct pool_job *job);
};

/* Start n worker threads (n >= 1); returns once every one is idle. NULL
 * (logged) when not even one thread could start; fewer than n is logged
 * and served. */
struct pool *pool_start(unsigned n);
/* Queue a job; a free worker runs it. Once pool_stop began, the job is
 * run at once, as cancelled, on the caller's thread. */
void pool_submit(struct pool *p, struct pool_job *job);
/* Jobs waiting for a worker now, workers waiting for a job now, and the
 * number of workers. */
unsigned pool_queued(struct pool *p);
unsigned pool_idle(struct pool *p);
unsigned pool_threads(const struct pool *p);
/* Stop: jobs still queued run as cancelled, running ones finish, every
 * worker is joined. pool_submit stays safe to call until pool_free.
 * NULL is a no-op for both. */
void pool_stop(struct pool *p);
void pool_free(struct pool *p);

#endif
