/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_assist: helper threads that take a share of a request's tasks
 * (searchd/assist.h), with real threads: every task runs exactly once,
 * a helper runs them with its own tokenizer and stemmer, the join waits
 * for a task a helper is still running, no helpers means the caller runs
 * all, and many workers offering at once (batches on their stacks, as in
 * search.c) lose nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../searchd/assist.h"
#include "tokenizer.h"

#define MAX_TASKS 64

static atomic_int bad_tools; /* tasks run without a working tokenizer and stemmer */

struct batch_data {
    atomic_int runs[MAX_TASKS];
    const struct assist_tools *by[MAX_TASKS];
    atomic_int done[MAX_TASKS];
    const struct assist_tools *own;
    /* task 0 on a helper: signal it started, then hold until released */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started0, release0;
    int hold;
};

static void task(void *ud, size_t i, const struct assist_tools *tools)
{
    struct batch_data *d = ud;
    /* (no cmocka assertion off the main thread: counted, checked there) */
    char out[64];
    if (!tools || !tools->tk || !tools->stem || xap_stem_apply(tools->stem, "jerking", 7, out, sizeof out) != 4)
        atomic_fetch_add(&bad_tools, 1);
    if (i == 0 && d->hold && tools != d->own) {
        pthread_mutex_lock(&d->mu);
        d->started0 = 1;
        pthread_cond_broadcast(&d->cv);
        while (!d->release0)
            pthread_cond_wait(&d->cv, &d->mu);
        pthread_mutex_unlock(&d->mu);
        nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL); /* the join must wait for this */
    }
    d->by[i] = tools;
    atomic_fetch_add(&d->runs[i], 1);
    atomic_store(&d->done[i], 1);
}

static void data_init(struct batch_data *d, const struct assist_tools *own)
{
    memset(d, 0, sizeof *d);
    d->own = own;
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
}

static void data_free(struct batch_data *d)
{
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
}

static struct assist_tools own_tools(void)
{
    struct assist_tools t = { tokenizer_new(), NULL };
    assert_non_null(t.tk);
    assert_int_equal(xap_stem_new("english", &t.stem), XAP_OK);
    return t;
}

static void own_free(struct assist_tools *t)
{
    tokenizer_free(t->tk);
    xap_stem_free(t->stem);
}

static void test_no_helpers(void **state)
{
    (void)state;
    struct assist_tools own = own_tools();
    assert_null(assist_start(0));
    struct batch_data d;
    data_init(&d, &own);
    struct assist_batch b;
    assist_batch_init(&b, task, &d, 10);
    unsigned long long w0, h0, w1, h1;
    assist_counts(&w0, &h0);
    assist_offer(NULL, &b); /* nothing */
    assist_join(NULL, &b, &own);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(atomic_load(&d.runs[i]), 1);
        assert_ptr_equal(d.by[i], &own);
    }
    assist_counts(&w1, &h1);
    assert_int_equal(w1 - w0, 10);
    assert_int_equal(h1 - h0, 0);
    /* an empty batch */
    assist_batch_init(&b, task, &d, 0);
    assist_join(NULL, &b, &own);
    data_free(&d);
    own_free(&own);
}

/* Wait (bounded) until the helpers are idle, so an offer finds them. */
static void settle(void) { nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL); }

static void test_helper_runs_and_join_waits(void **state)
{
    (void)state;
    struct assist_tools own = own_tools();
    struct assist *a = assist_start(1);
    assert_non_null(a);
    settle();
    struct batch_data d;
    data_init(&d, &own);
    d.hold = 1;
    struct assist_batch b;
    assist_batch_init(&b, task, &d, 8);
    unsigned long long w0, h0, w1, h1;
    assist_counts(&w0, &h0);
    assist_offer(a, &b);
    /* The helper claims task 0 (the first) and holds in it. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    pthread_mutex_lock(&d.mu);
    while (!d.started0 && pthread_cond_timedwait(&d.cv, &d.mu, &until) == 0)
        ;
    int started = d.started0;
    d.release0 = 1;
    pthread_cond_broadcast(&d.cv);
    pthread_mutex_unlock(&d.mu);
    assert_true(started);
    assist_join(a, &b, &own);
    /* every task once, task 0 finished (by the helper) before the join returned */
    for (int i = 0; i < 8; i++) {
        assert_int_equal(atomic_load(&d.runs[i]), 1);
        assert_int_equal(atomic_load(&d.done[i]), 1);
    }
    assert_ptr_not_equal(d.by[0], &own);
    assist_counts(&w1, &h1);
    assert_int_equal((w1 - w0) + (h1 - h0), 8);
    assert_true(h1 - h0 >= 1);
    data_free(&d);
    assist_stop(a);
    own_free(&own);
}

struct worker_arg {
    struct assist *a;
    int batches;
    int bad;
};

static void *worker(void *arg)
{
    struct worker_arg *wa = arg;
    struct assist_tools own = own_tools();
    for (int k = 0; k < wa->batches; k++) {
        struct batch_data d; /* on this stack, as in search.c */
        data_init(&d, &own);
        struct assist_batch b;
        size_t n = 1 + (size_t)(k % 12);
        assist_batch_init(&b, task, &d, n);
        assist_offer(wa->a, &b);
        if (k % 3 == 0) /* some work of its own first */
            nanosleep(&(struct timespec){ 0, 100 * 1000 }, NULL);
        assist_join(wa->a, &b, &own);
        for (size_t i = 0; i < n; i++)
            if (atomic_load(&d.runs[i]) != 1)
                wa->bad++;
        data_free(&d);
    }
    own_free(&own);
    return NULL;
}

static void test_many_workers(void **state)
{
    (void)state;
    struct assist *a = assist_start(3);
    assert_non_null(a);
    enum { W = 4 };
    pthread_t t[W];
    struct worker_arg wa[W];
    unsigned long long w0, h0, w1, h1;
    assist_counts(&w0, &h0);
    for (int i = 0; i < W; i++) {
        wa[i] = (struct worker_arg){ a, 150, 0 };
        assert_int_equal(pthread_create(&t[i], NULL, worker, &wa[i]), 0);
    }
    long expect = 0;
    for (int i = 0; i < W; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(wa[i].bad, 0);
        for (int k = 0; k < wa[i].batches; k++)
            expect += 1 + k % 12;
    }
    assist_counts(&w1, &h1);
    assert_int_equal((long)((w1 - w0) + (h1 - h0)), expect);
    assist_stop(a);
}

static void test_stop_idle(void **state)
{
    (void)state;
    /* Helpers that never got work stop and join. */
    struct assist *a = assist_start(2);
    assert_non_null(a);
    assist_stop(a);
    assist_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_helpers),
        cmocka_unit_test(test_helper_runs_and_join_waits),
        cmocka_unit_test(test_many_workers),
        cmocka_unit_test(test_stop_idle),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (atomic_load(&bad_tools)) {
        fprintf(stderr, "%d tasks ran without a working tokenizer and stemmer\n", atomic_load(&bad_tools));
        failed++;
    }
    return failed;
}
