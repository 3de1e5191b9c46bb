/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ticker.h"

#include <errno.h>
#include <time.h>

static void *ticker_main(void *arg)
{
    struct ticker *t = arg;
    for (;;) {
        t->tick(t->ud);
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += t->every_ms / 1000;
        ts.tv_nsec += (long)(t->every_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L)
            ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_mutex_lock(&t->lock);
        while (!t->stopping && pthread_cond_timedwait(&t->cond, &t->lock, &ts) != ETIMEDOUT)
            ;
        int stop = t->stopping;
        pthread_mutex_unlock(&t->lock);
        if (stop)
            return NULL;
    }
}

int ticker_start(struct ticker *t)
{
    if (t->running)
        return 0;
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return -1;
    /* The monotonic clock: a clock step must not stretch or skip a wait. */
    int bad = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 || pthread_cond_init(&t->cond, &ca) != 0;
    pthread_condattr_destroy(&ca);
    if (bad)
        return -1;
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        pthread_cond_destroy(&t->cond);
        return -1;
    }
    t->stopping = 0;
    if (pthread_create(&t->thread, NULL, ticker_main, t) != 0) {
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->cond);
        return -1;
    }
    t->running = 1;
    return 0;
}

void ticker_stop(struct ticker *t)
{
    if (!t->running)
        return;
    pthread_mutex_lock(&t->lock);
    t->stopping = 1;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->cond);
    t->running = 0;
}
