/* SPDX-License-Identifier: GPL-2.0-or-later */
/* assist.c: see assist.h. A part's life: offered (OFFERED) to an idle
 * worker, which takes it (RUNNING) and ends it (DONE), or declines
 * (DECLINED: another database, revision or configuration); or the
 * request's thread, done with its own work before the helper woke up,
 * takes it back (TAKEN) and the helper lets it go. The request's thread
 * and the pool each hold a reference; the last to let go frees it. */
#include "assist.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool.h"
#include "server.h"
#include "worker.h"

enum { OFFERED, RUNNING, DONE, DECLINED, TAKEN };

struct assist {
    struct pool_job job; /* first member */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state;
    int refs;
    xap_status st;
    struct xap_work work;        /* the helper's Xapian work */
    char version[XAP_VERSION_MAX]; /* the request's database and revision */
    const struct config *cfg;    /* the request's snapshot */
    assist_fn fn;
    void *ud;
};

static atomic_ulong outcomes[ASSIST_OUTCOMES];
static atomic_ulong waited_us;

unsigned long assist_total(enum assist_outcome o) { return o < ASSIST_OUTCOMES ? atomic_load(&outcomes[o]) : 0; }
double assist_waited_seconds(void) { return atomic_load(&waited_us) / 1e6; }

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void release(struct assist *a)
{
    pthread_mutex_lock(&a->mu);
    int last = --a->refs == 0;
    pthread_mutex_unlock(&a->mu);
    if (last) {
        pthread_cond_destroy(&a->cv);
        pthread_mutex_destroy(&a->mu);
        free(a);
    }
}

static void end(struct assist *a, int state, xap_status st)
{
    pthread_mutex_lock(&a->mu);
    a->state = state;
    a->st = st;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

/* On the helper's thread (a pool worker between requests). */
static void run(struct pool_job *job, int cancelled)
{
    struct assist *a = (struct assist *)job;
    pthread_mutex_lock(&a->mu);
    int mine = a->state == OFFERED;
    if (mine)
        a->state = RUNNING;
    pthread_mutex_unlock(&a->mu);
    struct worker *w = mine && !cancelled ? worker_begin() : NULL;
    xap_db *db = NULL;
    char v[XAP_VERSION_MAX];
    if (!mine) {
        /* taken back */
    } else if (!w || worker_config(w) != a->cfg || worker_db_at(w, a->version, &db) != XAP_OK ||
               xap_db_version(db, v, sizeof v) != XAP_OK || strcmp(v, a->version) != 0) {
        end(a, DECLINED, XAP_OK);
    } else {
        xap_work_reset();
        xap_status st = a->fn(w, db, a->ud);
        xap_work_get(&a->work);
        xap_work_reset();
        end(a, DONE, st);
    }
}

/* The pool reads the job until it calls this (pool.h): the pool's
 * reference is let go here, not at the end of run. */
static void done(struct pool_job *job) { release((struct assist *)job); }

struct assist *assist_start(struct server_req *req, struct worker *w, xap_db *db, assist_fn fn, void *ud)
{
    char v[XAP_VERSION_MAX];
    if (!worker_config(w)->searchd.assist || xap_db_version(db, v, sizeof v) != XAP_OK || !*v) {
        atomic_fetch_add(&outcomes[ASSIST_INLINE], 1);
        return NULL;
    }
    struct assist *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    a->job.run = run;
    a->job.done = done;
    a->job.background = 1;
    a->state = OFFERED;
    a->refs = 2;
    memcpy(a->version, v, sizeof v);
    a->cfg = worker_config(w);
    a->fn = fn;
    a->ud = ud;
    if (!server_offer(req, &a->job)) {
        atomic_fetch_add(&outcomes[ASSIST_BUSY], 1);
        pthread_cond_destroy(&a->cv);
        pthread_mutex_destroy(&a->mu);
        free(a);
        return NULL;
    }
    return a;
}

xap_status assist_finish(struct assist *a, struct worker *w, xap_db *db, assist_fn fn, void *ud)
{
    if (a) {
        double t0 = mono();
        pthread_mutex_lock(&a->mu);
        if (a->state == OFFERED)
            a->state = TAKEN; /* the helper has not started: no waiting */
        while (a->state == RUNNING)
            pthread_cond_wait(&a->cv, &a->mu);
        int state = a->state;
        atomic_fetch_add(&waited_us, (unsigned long)((mono() - t0) * 1e6));
        atomic_fetch_add(&outcomes[state == DONE ? ASSIST_HELPED : state == TAKEN ? ASSIST_TAKEN : ASSIST_DECLINED], 1);
        xap_status st = a->st;
        struct xap_work work = a->work;
        pthread_mutex_unlock(&a->mu);
        release(a);
        if (state == DONE) {
            xap_work_add(&work);
            if (st == XAP_OK)
                return st;
        }
    }
    return fn ? fn(w, db, ud) : XAP_OK;
}
