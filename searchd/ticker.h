/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ticker: a background thread that runs one function every N milliseconds
 * until it is stopped (the shard prober, the replica's look at its master).
 * The wait is on the monotonic clock, and a stop wakes it at once. */
#ifndef MEDSEARCH_TICKER_H
#define MEDSEARCH_TICKER_H

#include <pthread.h>

struct ticker {
    void (*tick)(void *ud); /* runs on the ticker's thread, first at once */
    void *ud;
    unsigned every_ms;
    /* private */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int running, stopping;
};

/* Starts t's thread (t->tick, t->ud and t->every_ms set by the caller);
 * 0, or -1 when no thread could be made. A running ticker is left alone. */
int ticker_start(struct ticker *t);
/* Wakes and joins the thread; after it no tick runs. Safe when never started. */
void ticker_stop(struct ticker *t);

#endif
