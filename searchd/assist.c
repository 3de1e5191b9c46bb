/* SPDX-License-Identifier: GPL-2.0-or-later */
/* assist: helper threads for a request's CPU-only tasks (see assist.h). */
#include "assist.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "log.h"
#include "tokenizer.h"

struct assist {
    pthread_mutex_t mu;
    pthread_cond_t work;  /* a batch was offered, or stopping */
    pthread_cond_t done;  /* the last task of a batch finished */
    struct assist_batch *head, *tail; /* offered batches with tasks left to claim */
    unsigned idle;        /* helpers waiting for work */
    int stopping;
    pthread_t *threads;
    unsigned n;           /* started */
};

static atomic_ullong tasks_by_worker, tasks_by_helper;

void assist_counts(unsigned long long *by_worker, unsigned long long *by_helper)
{
    *by_worker = atomic_load_explicit(&tasks_by_worker, memory_order_relaxed);
    *by_helper = atomic_load_explicit(&tasks_by_helper, memory_order_relaxed);
}

void assist_batch_init(struct assist_batch *b, void (*run)(void *, size_t, const struct assist_tools *), void *ud,
                       size_t n)
{
    *b = (struct assist_batch){ .run = run, .ud = ud, .n = n };
}

/* Take b off the offer list (under mu). */
static void dequeue(struct assist *a, struct assist_batch *b)
{
    struct assist_batch **pp = &a->head, *prev = NULL;
    while (*pp && *pp != b) {
        prev = *pp;
        pp = &(*pp)->link;
    }
    if (*pp) {
        *pp = b->link;
        if (a->tail == b)
            a->tail = prev;
    }
    b->link = NULL;
    b->queued = 0;
}

/* Claim the next task of b (under mu); a batch with nothing left to
 * claim leaves the offer list, so no helper looks at it again. */
static size_t claim(struct assist *a, struct assist_batch *b)
{
    size_t i = b->next++;
    if (b->next >= b->n && b->queued)
        dequeue(a, b);
    return i;
}

static void *helper_main(void *arg)
{
    struct assist *a = arg;
    struct assist_tools tools = { tokenizer_new(), NULL };
    if (xap_stem_new("english", &tools.stem) != XAP_OK)
        tools.stem = NULL;
    if (!tools.tk || !tools.stem) {
        log_warn("assist: a helper thread has no tokenizer or stemmer; it stays out");
        tokenizer_free(tools.tk);
        xap_stem_free(tools.stem);
        return NULL;
    }
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (!a->head && !a->stopping) {
            a->idle++;
            pthread_cond_wait(&a->work, &a->mu);
            a->idle--;
        }
        if (!a->head) /* stopping, and nothing offered */
            break;
        struct assist_batch *b = a->head;
        size_t i = claim(a, b);
        pthread_mutex_unlock(&a->mu);
        b->run(b->ud, i, &tools);
        pthread_mutex_lock(&a->mu);
        b->helped++;
        /* After this, b may be gone: its worker waits for exactly this. */
        if (++b->finished == b->n)
            pthread_cond_broadcast(&a->done);
    }
    pthread_mutex_unlock(&a->mu);
    tokenizer_free(tools.tk);
    xap_stem_free(tools.stem);
    return NULL;
}

struct assist *assist_start(unsigned n)
{
    if (n == 0)
        return NULL;
    struct assist *a = calloc(1, sizeof *a);
    if (!a || !(a->threads = calloc(n, sizeof *a->threads))) {
        free(a);
        log_warn("assist: out of memory; no helper threads");
        return NULL;
    }
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->work, NULL);
    pthread_cond_init(&a->done, NULL);
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&a->threads[a->n], NULL, helper_main, a) != 0) {
            log_warn("assist: started %u helper threads of %u", a->n, n);
            break;
        }
        a->n++;
    }
    if (a->n == 0) {
        assist_stop(a);
        return NULL;
    }
    return a;
}

void assist_offer(struct assist *a, struct assist_batch *b)
{
    if (!a || b->n == 0)
        return;
    pthread_mutex_lock(&a->mu);
    if (a->idle > 0 && !a->stopping && !b->queued && b->next < b->n) {
        b->link = NULL;
        if (a->tail)
            a->tail->link = b;
        else
            a->head = b;
        a->tail = b;
        b->queued = 1;
        /* One helper per task the worker is not about to run itself. */
        unsigned wake = a->idle;
        if (wake > b->n)
            wake = (unsigned)b->n;
        for (unsigned k = 0; k < wake; k++)
            pthread_cond_signal(&a->work);
    }
    pthread_mutex_unlock(&a->mu);
}

void assist_join(struct assist *a, struct assist_batch *b, const struct assist_tools *own)
{
    if (!a) {
        for (; b->next < b->n; b->next++)
            b->run(b->ud, b->next, own);
        atomic_fetch_add_explicit(&tasks_by_worker, b->n, memory_order_relaxed);
        return;
    }
    pthread_mutex_lock(&a->mu);
    if (b->queued)
        dequeue(a, b);
    while (b->next < b->n) {
        size_t i = b->next++;
        pthread_mutex_unlock(&a->mu);
        b->run(b->ud, i, own);
        pthread_mutex_lock(&a->mu);
        b->finished++;
    }
    while (b->finished < b->n)
        pthread_cond_wait(&a->done, &a->mu);
    pthread_mutex_unlock(&a->mu);
    atomic_fetch_add_explicit(&tasks_by_worker, b->n - b->helped, memory_order_relaxed);
    atomic_fetch_add_explicit(&tasks_by_helper, b->helped, memory_order_relaxed);
}

void assist_stop(struct assist *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    a->stopping = 1;
    pthread_cond_broadcast(&a->work);
    pthread_mutex_unlock(&a->mu);
    for (unsigned i = 0; i < a->n; i++)
        pthread_join(a->threads[i], NULL);
    pthread_cond_destroy(&a->done);
    pthread_cond_destroy(&a->work);
    pthread_mutex_destroy(&a->mu);
    free(a->threads);
    free(a);
}
