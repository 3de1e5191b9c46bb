/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pool: searchd's worker threads over one FIFO (searchd/pool.h), with
 * real threads: order, every job run once, work spread to an idle thread
 * while another is busy, the same thread for a client's next request, and
 * stopping with jobs still queued. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "../../searchd/pool.h"

struct job {
    struct pool_job pj;     /* first member */
    int id;
    int cancelled;
    atomic_int runs;
    pthread_t by;
    /* a job that blocks until released */
    pthread_mutex_t *mu;
    pthread_cond_t *cv;
    int *release;
    atomic_int *started;
};

static pthread_mutex_t order_mu = PTHREAD_MUTEX_INITIALIZER;
static int order[256];
static int norder;

static void run(struct pool_job *pj, int cancelled)
{
    struct job *j = (struct job *)pj;
    j->cancelled = cancelled;
    j->by = pthread_self();
    if (j->started)
        atomic_fetch_add(j->started, 1);
    if (j->mu && !cancelled) {
        pthread_mutex_lock(j->mu);
        while (!*j->release)
            pthread_cond_wait(j->cv, j->mu);
        pthread_mutex_unlock(j->mu);
    }
    pthread_mutex_lock(&order_mu);
    if (norder < 256)
        order[norder++] = j->id;
    pthread_mutex_unlock(&order_mu);
    atomic_fetch_add(&j->runs, 1);
}

static void wait_for(atomic_int *v, int n)
{
    for (int i = 0; i < 20000 && atomic_load(v) < n; i++)
        nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
}

/* A gate: a job run with it holds its worker until the gate opens. */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int open;
    atomic_int started;
};

static void gate_init(struct gate *g)
{
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    g->open = 0;
    atomic_init(&g->started, 0);
}

static void gate_open(struct gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->open = 1;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* Submit a job held by g and wait until a worker runs it. */
static void submit_held(struct pool *p, struct job *j, int id, struct gate *g)
{
    *j = (struct job){ .pj.run = run, .id = id, .mu = &g->mu, .cv = &g->cv, .release = &g->open,
                       .started = &g->started };
    pool_submit(p, &j->pj);
    wait_for(&g->started, 1);
}

static void test_one_thread_is_fifo(void **state)
{
    (void)state;
    norder = 0;
    struct pool *p = pool_start(1);
    assert_non_null(p);
    assert_int_equal(pool_threads(p), 1);
    /* The first job holds the only thread while 50 more queue behind it. */
    struct gate g;
    gate_init(&g);
    struct job jobs[51] = { 0 };
    submit_held(p, &jobs[0], 0, &g);
    atomic_int done = 0;
    for (int i = 1; i < 51; i++) {
        jobs[i] = (struct job){ .pj.run = run, .id = i, .started = &done };
        pool_submit(p, &jobs[i].pj);
    }
    assert_int_equal(pool_queued(p), 50);
    gate_open(&g);
    wait_for(&done, 50);
    assert_int_equal(pool_queued(p), 0);
    pool_stop(p);
    pool_free(p);
    assert_int_equal(norder, 51);
    for (int i = 0; i < 51; i++) {
        assert_int_equal(order[i], i);
        assert_int_equal(atomic_load(&jobs[i].runs), 1);
        assert_int_equal(jobs[i].cancelled, 0);
    }
}

/* While one worker is held by a long job, every other job is run by the
 * other worker: work goes to the idle thread, not to a thread chosen
 * when the job's connection was accepted. */
static void test_idle_thread_takes_the_work(void **state)
{
    (void)state;
    norder = 0;
    struct pool *p = pool_start(2);
    assert_non_null(p);
    struct gate g;
    gate_init(&g);
    struct job slow;
    submit_held(p, &slow, 100, &g);
    struct job jobs[40] = { 0 };
    atomic_int done = 0;
    for (int i = 0; i < 40; i++) {
        jobs[i] = (struct job){ .pj.run = run, .id = i, .started = &done };
        pool_submit(p, &jobs[i].pj);
    }
    wait_for(&done, 40);
    assert_int_equal(atomic_load(&done), 40);
    for (int i = 0; i < 40; i++) {
        assert_int_equal(atomic_load(&jobs[i].runs), 1);
        assert_false(pthread_equal(jobs[i].by, slow.by));
    }
    assert_int_equal(atomic_load(&slow.runs), 0);
    gate_open(&g);
    pool_stop(p);
    pool_free(p);
    assert_int_equal(atomic_load(&slow.runs), 1);
}

/* Stopping with jobs queued: the running one finishes, the queued ones are
 * run once each as cancelled, and a job submitted once the stop began is
 * run at once, cancelled, on the caller's thread. */
static void *stopper(void *arg)
{
    pool_stop(arg);
    return NULL;
}

static void test_stop_cancels_the_queue(void **state)
{
    (void)state;
    norder = 0;
    struct pool *p = pool_start(1);
    assert_non_null(p);
    struct gate g;
    gate_init(&g);
    struct job slow;
    submit_held(p, &slow, 100, &g);
    struct job jobs[10] = { 0 };
    for (int i = 0; i < 10; i++) {
        jobs[i] = (struct job){ .pj.run = run, .id = i };
        pool_submit(p, &jobs[i].pj);
    }
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stopper, p), 0);
    /* Probe until a job is run inline: the stop has begun. Probes queued
     * before that are cancelled with the rest. */
    enum { NPROBE = 10000 };
    struct job *probe = calloc(NPROBE, sizeof *probe);
    assert_non_null(probe);
    int k = 0, inline_run = 0;
    for (; k < NPROBE && !inline_run; k++) {
        probe[k] = (struct job){ .pj.run = run, .id = 1000 + k };
        pool_submit(p, &probe[k].pj);
        inline_run = atomic_load(&probe[k].runs) == 1;
        if (!inline_run)
            nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
    }
    assert_true(inline_run);
    assert_int_equal(probe[k - 1].cancelled, 1);
    assert_true(pthread_equal(probe[k - 1].by, pthread_self()));
    assert_int_equal(atomic_load(&slow.runs), 0);
    gate_open(&g);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(atomic_load(&slow.runs), 1);
    assert_int_equal(slow.cancelled, 0);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(atomic_load(&jobs[i].runs), 1);
        assert_int_equal(jobs[i].cancelled, 1);
    }
    for (int i = 0; i < k; i++) {
        assert_int_equal(atomic_load(&probe[i].runs), 1);
        assert_int_equal(probe[i].cancelled, 1);
    }
    free(probe);
    pool_free(p);
}

/* A client that asks again as soon as it has its answer (done) is served
 * by the same thread, every time, though another one is idle. */
struct chain {
    struct pool_job pj;
    struct pool *p;
    int left;
    pthread_t by[20];
    int n;
    atomic_int finished;
};

static void chain_run(struct pool_job *pj, int cancelled)
{
    struct chain *c = (struct chain *)pj;
    (void)cancelled;
    c->by[c->n++] = pthread_self();
}

static void chain_done(struct pool_job *pj)
{
    struct chain *c = (struct chain *)pj;
    if (--c->left > 0)
        pool_submit(c->p, &c->pj);
    else
        atomic_store(&c->finished, 1);
}

static void test_next_request_same_thread(void **state)
{
    (void)state;
    struct pool *p = pool_start(2);
    assert_non_null(p);
    struct chain c = { .pj.run = chain_run, .pj.done = chain_done, .p = p, .left = 20 };
    pool_submit(p, &c.pj);
    for (int i = 0; i < 20000 && !atomic_load(&c.finished); i++)
        nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
    assert_int_equal(atomic_load(&c.finished), 1);
    assert_int_equal(c.n, 20);
    for (int i = 1; i < 20; i++)
        assert_true(pthread_equal(c.by[i], c.by[0]));
    pool_stop(p);
    pool_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_thread_is_fifo),
        cmocka_unit_test(test_idle_thread_takes_the_work),
        cmocka_unit_test(test_stop_cancels_the_queue),
        cmocka_unit_test(test_next_request_same_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
