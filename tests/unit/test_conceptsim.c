/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conceptsim: the cosine of tf-idf concept vectors, on a real Xapian
 * database of four articles whose XM terms and VAL_CONCEPTS values are
 * written as the indexer writes them: the figures by hand, several seeds
 * summed, nothing without the index's mark, and again after a commit
 * changes the frequencies (the per-thread idf is not stale). */
#include "schema.h"
#include "xap.h"
#include "../../searchd/conceptsim.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OK(x) assert_int_equal((x), XAP_OK)

struct fix {
    char dir[64];
};

/* An article with concepts c[0..n) (sorted by id). */
static void add(xap_db *db, const char *id, const struct schema_concept *c, size_t n)
{
    xap_doc *d;
    OK(xap_doc_new(&d));
    char term[64], v[64];
    for (size_t i = 0; i < n; i++) {
        schema_concept_term(term, c[i].id);
        OK(xap_doc_add_term(d, term, c[i].count));
    }
    snprintf(term, sizeof term, "Q%s", id);
    OK(xap_doc_add_boolean_term(d, term));
    size_t vl = schema_concepts_encode(c, n, v, sizeof v);
    if (n)
        OK(xap_doc_set_value(d, VAL_CONCEPTS, v, vl));
    OK(xap_db_replace_by_term(db, term, d, NULL));
    xap_doc_free(d);
}

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/medsearch-test-conceptsim-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    xap_db *db;
    OK(xap_db_open(f->dir, XAP_DB_CREATE_OR_OVERWRITE, &db));
    /* docids 1..4: the seed {1: 2, 2: 1}, {1: 1}, {2: 1, 3: 1}, none */
    add(db, "seed", (struct schema_concept[]){ { 1, 2 }, { 2, 1 } }, 2);
    add(db, "one", (struct schema_concept[]){ { 1, 1 } }, 1);
    add(db, "two-three", (struct schema_concept[]){ { 2, 1 }, { 3, 1 } }, 2);
    add(db, "none", NULL, 0);
    OK(xap_db_set_metadata(db, SCHEMA_META_CONCEPTS, "0123456789abcdef", 16));
    OK(xap_db_commit(db));
    xap_db_close(db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void near(double got, double want)
{
    if (fabs(got - want) > 1e-9) {
        fprintf(stderr, "got %.12f, want %.12f\n", got, want);
        fail();
    }
}

static void test_cosines(void **state)
{
    struct fix *f = *state;
    xap_db *db;
    OK(xap_db_open(f->dir, XAP_DB_READONLY, &db));
    const uint32_t seed = 1, cands[] = { 2, 3, 4 };
    double cos[3];
    int avail = 0;
    OK(conceptsim_cosines(db, &seed, 1, cands, 3, cos, &avail));
    assert_int_equal(avail, 1);
    /* N 4; df(1) = df(2) = 2, df(3) = 1 */
    double i12 = log(4.0 / 2), i3 = log(4.0);
    double s1 = (1 + log(2.0)) * i12, s2 = i12;
    double sn = sqrt(s1 * s1 + s2 * s2);
    near(cos[0], s1 * i12 / (sn * i12));
    near(cos[1], s2 * i12 / (sn * sqrt(i12 * i12 + i3 * i3)));
    near(cos[2], 0);
    /* two seeds: their vectors summed ({1: 1 + (1 + ln 2), 2: 1} x idf) */
    const uint32_t seeds[] = { 1, 2 }, rest[] = { 3 };
    OK(conceptsim_cosines(db, seeds, 2, rest, 1, cos, &avail));
    double t1 = (2 + log(2.0)) * i12, t2 = i12, tn = sqrt(t1 * t1 + t2 * t2);
    near(cos[0], t2 * i12 / (tn * sqrt(i12 * i12 + i3 * i3)));
    xap_db_close(db);
}

static void test_unmarked_and_reopen(void **state)
{
    struct fix *f = *state;
    xap_db *db, *w;
    OK(xap_db_open(f->dir, XAP_DB_READONLY, &db));
    const uint32_t seed = 1, cand = 2;
    double cos = -1, before;
    int avail = 0;
    OK(conceptsim_cosines(db, &seed, 1, &cand, 1, &cos, &avail));
    before = cos;
    /* another article with concept 1: its idf falls, and the reader
     * reopened at the new revision sees it (no idf kept from before) */
    OK(xap_db_open(f->dir, XAP_DB_CREATE_OR_OPEN, &w));
    add(w, "late", (struct schema_concept[]){ { 1, 1 }, { 3, 1 } }, 2);
    OK(xap_db_commit(w));
    OK(xap_db_reopen(db, NULL));
    OK(conceptsim_cosines(db, &seed, 1, &cand, 1, &cos, &avail));
    /* N 5: df(1) 3, df(2) 2 */
    double a = (1 + log(2.0)) * log(5.0 / 3), b = log(5.0 / 2);
    near(cos, a / sqrt(a * a + b * b));
    assert_true(fabs(cos - before) > 1e-6);
    /* the mark cleared (another concept file): nothing is read */
    OK(xap_db_set_metadata(w, SCHEMA_META_CONCEPTS, "", 0));
    OK(xap_db_commit(w));
    xap_db_close(w);
    OK(xap_db_reopen(db, NULL));
    cos = -1;
    OK(conceptsim_cosines(db, &seed, 1, &cand, 1, &cos, &avail));
    assert_int_equal(avail, 0);
    near(cos, 0);
    xap_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cosines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmarked_and_reopen, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
