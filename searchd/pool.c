/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pool: worker threads over one FIFO of jobs (see pool.h). */
#include "pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* One worker thread. An idle worker waits on its own condition for a job
 * handed to it; idle workers form a stack, so the one idle the shortest
 * time (its caches, and its worker context's term-frequency cache, the
 * warmest) gets the next job. With signal-any wake-ups the workers took
 * turns even over one connection, and each request cost 3-10 % more CPU. */
struct thread {
    struct pool *p;
    pthread_t id;
    pthread_cond_t wake;
    struct pool_job *job;       /* handed over by pool_submit */
    struct thread *next_idle;
    int listed;                 /* on the idle stack */
    int was_idle;               /* has been on it once */
};

struct pool {
    pthread_mutex_t mu;
    struct pool_job *head, *tail; /* queued while every worker is busy */
    unsigned queued;
    unsigned n_idle;              /* threads on the idle stack */
    struct thread *idle;          /* stack: the most recently idle on top */
    unsigned ready;               /* threads that have been idle once */
    pthread_cond_t all_ready;     /* ... all of them: pool_start returns */
    int stopping;
    unsigned n;
    struct thread *threads;
};

/* Take t off the idle stack (mu held). */
static void unlist(struct pool *p, struct thread *t)
{
    for (struct thread **q = &p->idle; *q; q = &(*q)->next_idle)
        if (*q == t) {
            *q = t->next_idle;
            p->n_idle--;
            break;
        }
    t->listed = 0;
}

static void *worker_main(void *arg)
{
    struct thread *t = arg;
    struct pool *p = t->p;
    struct pool_job *finish = NULL; /* run; its done() still to call */
    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct pool_job *j = t->job;
        t->job = NULL;
        if (!j && p->head) {
            j = p->head;
            p->head = j->next;
            if (!p->head)
                p->tail = NULL;
            p->queued--;
        }
        if (!j && !p->stopping && !t->listed) {
            t->next_idle = p->idle;
            p->idle = t;
            p->n_idle++;
            t->listed = 1;
            if (!t->was_idle) {
                t->was_idle = 1;
                p->ready++;
                pthread_cond_broadcast(&p->all_ready);
            }
        }
        if (finish) {
            /* Only now, with this thread already idle (or holding its
             * next job): a client that sends its next request as soon as
             * done() answered this one finds this same thread. */
            pthread_mutex_unlock(&p->mu);
            if (finish->done)
                finish->done(finish);
            finish = NULL;
            pthread_mutex_lock(&p->mu);
            if (!j)
                continue; /* a job may have been handed over meanwhile */
        }
        if (!j) {
            if (p->stopping) {
                if (t->listed)
                    unlist(p, t);
                break;
            }
            while (!t->job && !p->stopping)
                pthread_cond_wait(&t->wake, &p->mu);
            continue;
        }
        int cancelled = p->stopping;
        pthread_mutex_unlock(&p->mu);
        j->next = NULL;
        j->run(j, cancelled);
        finish = j;
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct pool *pool_start(unsigned n)
{
    struct pool *p = calloc(1, sizeof *p);
    if (!p || n == 0 || !(p->threads = calloc(n, sizeof *p->threads))) {
        log_err("cannot start the worker pool: out of memory");
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->all_ready, NULL);
    for (unsigned i = 0; i < n; i++) {
        struct thread *t = &p->threads[i];
        t->p = p;
        pthread_cond_init(&t->wake, NULL);
        int e = pthread_create(&t->id, NULL, worker_main, t);
        if (e != 0) {
            pthread_cond_destroy(&t->wake);
            log_warn("worker thread %u of %u not started: %s", i + 1, n, strerror(e));
            break;
        }
        p->n++;
    }
    if (p->n == 0) {
        log_err("cannot start any worker thread");
        pthread_cond_destroy(&p->all_ready);
        pthread_mutex_destroy(&p->mu);
        free(p->threads);
        free(p);
        return NULL;
    }
    /* Every worker on the idle stack before the first job: which one
     * takes it, and the next, is then decided by the stack alone, not by
     * how soon each thread got going. */
    pthread_mutex_lock(&p->mu);
    while (p->ready < p->n)
        pthread_cond_wait(&p->all_ready, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return p;
}

void pool_submit(struct pool *p, struct pool_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->stopping) {
        pthread_mutex_unlock(&p->mu);
        job->run(job, 1);
        if (job->done)
            job->done(job);
        return;
    }
    struct thread *t = p->idle;
    if (t) {
        p->idle = t->next_idle;
        p->n_idle--;
        t->listed = 0;
        t->job = job;
        pthread_cond_signal(&t->wake);
    } else {
        if (p->tail)
            p->tail->next = job;
        else
            p->head = job;
        p->tail = job;
        p->queued++;
    }
    pthread_mutex_unlock(&p->mu);
}

unsigned pool_queued(struct pool *p)
{
    pthread_mutex_lock(&p->mu);
    unsigned q = p->queued;
    pthread_mutex_unlock(&p->mu);
    return q;
}

unsigned pool_idle(struct pool *p)
{
    pthread_mutex_lock(&p->mu);
    unsigned n = p->n_idle;
    pthread_mutex_unlock(&p->mu);
    return n;
}

unsigned pool_threads(const struct pool *p) { return p->n; }

void pool_stop(struct pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    for (unsigned i = 0; i < p->n; i++)
        pthread_cond_signal(&p->threads[i].wake);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n; i++)
        pthread_join(p->threads[i].id, NULL);
}

void pool_free(struct pool *p)
{
    if (!p)
        return;
    for (unsigned i = 0; i < p->n; i++)
        pthread_cond_destroy(&p->threads[i].wake);
    pthread_cond_destroy(&p->all_ready);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
}
