/* SPDX-License-Identifier: GPL-2.0-or-later */
/* termgen's synonym phrases (XY terms, schema.h): the multi-word keys of
 * a real Xapian synonym table, found in an article's title and paragraphs
 * as consecutive words, counted per occurrence; never across paragraphs,
 * never a plural or a longer word; compounds whole, as synonym keys are. */
#include "article.h"
#include "schema.h"
#include "xap.h"
#include "../../indexer/synphrase.h"
#include "../../indexer/termgen.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OK(x) assert_int_equal((x), XAP_OK)

struct fix {
    char dir[64];
    xap_db *db;
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/medsearch-test-termgen-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    OK(xap_db_open(f->dir, XAP_DB_CREATE_OR_OVERWRITE, &f->db));
    /* Keys as synonyms_load writes them: every term of a group is a key. */
    static const char *const groups[][3] = {
        { "heart attack", "myocardial infarction", "mi" },
        { "covid-19 infection", "sars-cov-2 infection", NULL },
        { "chronic obstructive pulmonary disease", "copd", NULL },
        { "pulmonary disease", "lung disease", NULL },
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (size_t i = 0; i < 3 && groups[g][i]; i++)
            for (size_t j = 0; j < 3 && groups[g][j]; j++)
                if (i != j)
                    OK(xap_db_add_synonym(f->db, groups[g][i], groups[g][j]));
    OK(xap_db_commit(f->db));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    xap_db_close(f->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

struct wdfs {
    char terms[32][SCHEMA_MAX_TERM + 1];
    uint32_t wdf[32];
    size_t n;
};

static int collect_xy(const char *t, size_t len, uint32_t wdf, uint32_t tf, void *ud)
{
    (void)tf;
    struct wdfs *w = ud;
    if (len > 2 && memcmp(t, PFX_SYNPHRASE, 2) == 0 && w->n < 32) {
        snprintf(w->terms[w->n], sizeof w->terms[0], "%.*s", (int)(len - 2), t + 2);
        w->wdf[w->n++] = wdf;
    }
    return 0;
}

static uint32_t wdf_of(const struct wdfs *w, const char *key)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->terms[i], key) == 0)
            return w->wdf[i];
    return 0;
}

static void terms_of(const struct synphrases *sp, const char *title, const char *body, struct wdfs *out)
{
    struct termgen *tg = termgen_new();
    assert_non_null(tg);
    termgen_set_synphrases(tg, sp);
    struct article *a = article_new();
    assert_non_null(a);
    assert_int_equal(article_set(&a->id, "doc-1"), 0);
    assert_int_equal(article_set(&a->title, title), 0);
    assert_int_equal(article_set(&a->body, body), 0);
    xap_doc *doc = NULL;
    assert_int_equal(termgen_document(tg, a, &doc, NULL, NULL, NULL), 0);
    memset(out, 0, sizeof *out);
    OK(xap_doc_termlist(doc, collect_xy, out));
    xap_doc_free(doc);
    article_free(a);
    termgen_free(tg);
}

static void test_keys(void **state)
{
    struct fix *f = *state;
    struct synphrases *sp = NULL;
    size_t n = 0;
    assert_int_equal(synphrases_from_db(f->db, &sp, &n), 0);
    assert_non_null(sp);
    /* the multi-word keys only: "mi" and "copd" are single words */
    assert_int_equal(n, 7);
    synphrases_free(sp);
}

static void test_occurrences(void **state)
{
    struct fix *f = *state;
    struct synphrases *sp = NULL;
    assert_int_equal(synphrases_from_db(f->db, &sp, NULL), 0);
    struct wdfs w;
    terms_of(sp, "Heart Attack: what happens",
             "A heart attack (myocardial infarction) is an emergency.\n\n"
             "After a heart attack, rest.\n\n"
             "Heart\n\nattack: not a phrase across paragraphs.\n\n"
             "Heart attacks and a heart attacker are other words.\n\n"
             "Chronic obstructive pulmonary disease is a lung disease.\n\n"
             "After a COVID-19 infection the heart can suffer.",
             &w);
    /* the title's and two in the body */
    assert_int_equal(wdf_of(&w, "heart attack"), 3);
    assert_int_equal(wdf_of(&w, "myocardial infarction"), 1);
    /* a key inside a longer key counts too, as a phrase query finds it */
    assert_int_equal(wdf_of(&w, "chronic obstructive pulmonary disease"), 1);
    assert_int_equal(wdf_of(&w, "pulmonary disease"), 1);
    assert_int_equal(wdf_of(&w, "lung disease"), 1);
    /* a compound is one word of a key (its parts are left out) */
    assert_int_equal(wdf_of(&w, "covid-19 infection"), 1);
    assert_int_equal(wdf_of(&w, "sars-cov-2 infection"), 0);
    assert_int_equal(w.n, 6);
    synphrases_free(sp);
}

static void test_no_table(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/medsearch-test-termgen-XXXXXX");
    assert_non_null(mkdtemp(dir));
    xap_db *db = NULL;
    OK(xap_db_open(dir, XAP_DB_CREATE_OR_OVERWRITE, &db));
    struct synphrases *sp = (struct synphrases *)1;
    size_t n = 99;
    assert_int_equal(synphrases_from_db(db, &sp, &n), 0);
    assert_null(sp);
    assert_int_equal(n, 0);
    xap_db_close(db);
    /* no table: no XY term */
    struct wdfs w;
    terms_of(NULL, "Heart attack", "A heart attack.", &w);
    assert_int_equal(w.n, 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_occurrences, setup, teardown),
        cmocka_unit_test(test_no_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
