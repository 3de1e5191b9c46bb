/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MeSH concepts of an article (indexer/concepts.h, schema.h's XM
 * terms and VAL_CONCEPTS): a real concept file (plain and gzip) loaded
 * with its bad lines counted, entry terms found longest first without
 * overlaps, plurals and compounds met, abbreviations only in capitals,
 * never across paragraphs; the value that carries them decodes to the
 * same concepts, and a malformed one is refused. */
#include "article.h"
#include "schema.h"
#include "tokenizer.h"
#include "xap.h"
#include "../../indexer/concepts.h"
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

static const char FILE_TEXT[] =
    "# a comment\n"
    "D000001\tMyocardial Infarction\tHeart Attack\n"
    "D000002\tCholesterol, LDL\tLDL Cholesterol\n"
    "D000003\tAcquired Immunodeficiency Syndrome\tAIDS\n"
    "D000004\tLung Diseases, Obstructive\tChronic Obstructive Pulmonary Disease\n"
    "D000005\tPulmonary Disease\n"
    "D000068877\tSleep Apnea\n"
    "X000006\tnot a descriptor\n"
    "D000007 no tab\n"
    "D000008\tab\tone two three four five six seven\n";

struct fix {
    char dir[64], plain[96], gz[96];
    struct tokenizer *tk;
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/medsearch-test-concepts-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->plain, sizeof f->plain, "%s/c.tsv", f->dir);
    snprintf(f->gz, sizeof f->gz, "%s/c.tsv.gz", f->dir);
    FILE *fp = fopen(f->plain, "w");
    assert_non_null(fp);
    assert_int_equal(fwrite(FILE_TEXT, 1, sizeof FILE_TEXT - 1, fp), sizeof FILE_TEXT - 1);
    fclose(fp);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "gzip -n -c %s > %s", f->plain, f->gz);
    assert_int_equal(system(cmd), 0);
    f->tk = tokenizer_new();
    assert_non_null(f->tk);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    tokenizer_free(f->tk);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

struct found {
    uint32_t id[64], wdf[64];
    size_t n;
};

static int collect_xm(const char *t, size_t len, uint32_t wdf, uint32_t tf, void *ud)
{
    (void)tf;
    struct found *w = ud;
    if (len > 2 && memcmp(t, PFX_CONCEPT, 2) == 0 && w->n < 64) {
        w->id[w->n] = (uint32_t)strtoul(t + 2, NULL, 10);
        w->wdf[w->n++] = wdf;
    }
    return 0;
}

static int collect_pair(uint32_t id, uint32_t count, void *ud)
{
    struct found *w = ud;
    if (w->n < 64) {
        w->id[w->n] = id;
        w->wdf[w->n++] = count;
    }
    return 0;
}

static uint32_t count_of(const struct found *w, uint32_t id)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->id[i] == id)
            return w->wdf[i];
    return 0;
}

/* The XM terms of an article and its VAL_CONCEPTS, decoded. */
static void concepts_of(const struct concepts *c, const char *title, const char *body, struct found *terms,
                        struct found *value)
{
    struct termgen *tg = termgen_new();
    assert_non_null(tg);
    termgen_set_concepts(tg, c);
    struct article *a = article_new();
    assert_non_null(a);
    assert_int_equal(article_set(&a->id, "doc-1"), 0);
    assert_int_equal(article_set(&a->title, title), 0);
    assert_int_equal(article_set(&a->body, body), 0);
    xap_doc *doc = NULL;
    assert_int_equal(termgen_document(tg, a, &doc, NULL, NULL, NULL), 0);
    memset(terms, 0, sizeof *terms);
    memset(value, 0, sizeof *value);
    assert_int_equal(xap_doc_termlist(doc, collect_xm, terms), XAP_OK);
    char *v = NULL;
    size_t vl = 0;
    assert_int_equal(xap_doc_get_value(doc, VAL_CONCEPTS, &v, &vl), XAP_OK);
    long pairs = schema_concepts_decode(v, vl, collect_pair, value);
    assert_int_equal(pairs, (long)value->n);
    free(v);
    xap_doc_free(doc);
    article_free(a);
    termgen_free(tg);
}

static void test_load(void **state)
{
    struct fix *f = *state;
    char err[256];
    const char *paths[] = { f->plain, f->gz };
    char digest[2][17];
    for (int k = 0; k < 2; k++) {
        struct concepts *c = NULL;
        assert_int_equal(concepts_load(paths[k], f->tk, &c, err, sizeof err), 0);
        size_t terms = 0;
        /* D000008 keeps no term (one too short, one of seven words); the
         * two malformed lines are left out with a warning */
        assert_int_equal(concepts_count(c, &terms), 6);
        assert_int_equal(terms, 10);
        snprintf(digest[k], sizeof digest[k], "%s", concepts_digest(c));
        assert_int_equal(strlen(digest[k]), 16);
        concepts_free(c);
    }
    /* the digest is the text's, however it is stored */
    assert_string_equal(digest[0], digest[1]);
}

static void test_load_errors(void **state)
{
    struct fix *f = *state;
    char err[256], path[128];
    struct concepts *c = (struct concepts *)1;
    snprintf(path, sizeof path, "%s/missing.tsv", f->dir);
    assert_int_equal(concepts_load(path, f->tk, &c, err, sizeof err), -1);
    assert_null(c);
    assert_non_null(strstr(err, "missing.tsv"));
    snprintf(path, sizeof path, "%s/none.tsv", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("# only a comment\nX1\tnothing\n", fp);
    fclose(fp);
    assert_int_equal(concepts_load(path, f->tk, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "no concept"));
}

static void test_find(void **state)
{
    struct fix *f = *state;
    char err[256];
    struct concepts *c = NULL;
    assert_int_equal(concepts_load(f->gz, f->tk, &c, err, sizeof err), 0);
    struct found t, v;
    concepts_of(c, "Heart attacks and LDL-cholesterol",
                "A heart attack raises LDL cholesterol.\n\n"
                "Chronic obstructive pulmonary disease is one pulmonary disease.\n\n"
                "AIDS is not the hearing aids of an old man.\n\n"
                "Heart\n\nattack across paragraphs is no match.\n\n"
                "Sleep apnea.",
                &t, &v);
    /* the title's plural and the body's singular */
    assert_int_equal(count_of(&t, 1), 2);
    /* a compound by its parts, and the same words apart */
    assert_int_equal(count_of(&t, 2), 2);
    /* the longest term: COPD, then "pulmonary disease" alone once */
    assert_int_equal(count_of(&t, 4), 1);
    assert_int_equal(count_of(&t, 5), 1);
    /* an abbreviation in capitals only: "aids" is not AIDS */
    assert_int_equal(count_of(&t, 3), 1);
    /* a long DescriptorUI's number */
    assert_int_equal(count_of(&t, 68877), 1);
    assert_int_equal(t.n, 6);
    /* the value holds the same concepts, sorted by id */
    assert_int_equal(v.n, t.n);
    for (size_t i = 0; i < v.n; i++) {
        assert_int_equal(count_of(&t, v.id[i]), v.wdf[i]);
        if (i)
            assert_true(v.id[i - 1] < v.id[i]);
    }
    /* no concept: no term, no value */
    concepts_of(c, "Nothing here", "Plain words only.", &t, &v);
    assert_int_equal(t.n, 0);
    assert_int_equal(v.n, 0);
    concepts_of(NULL, "Heart attack", "A heart attack.", &t, &v);
    assert_int_equal(t.n, 0);
    concepts_free(c);
}

static void test_value(void **state)
{
    (void)state;
    const struct schema_concept c[] = { { 1, 3 }, { 200, 1 }, { 68877, 300 }, { 68878, 1 } };
    char buf[64];
    size_t n = schema_concepts_encode(c, 4, buf, sizeof buf);
    assert_true(n > 0 && n < 20);
    struct found w = { 0 };
    assert_int_equal(schema_concepts_decode(buf, n, collect_pair, &w), 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(w.id[i], c[i].id);
        assert_int_equal(w.wdf[i], c[i].count);
    }
    /* too small a buffer: nothing written */
    assert_int_equal(schema_concepts_encode(c, 4, buf, 8), 0);
    /* the XM term of an id */
    char t[SCHEMA_CONCEPT_TERM];
    assert_int_equal(schema_concept_term(t, 68877), 7);
    assert_string_equal(t, "XM68877");
    assert_int_equal(schema_concept_term(t, 0), 3);
    assert_string_equal(t, "XM0");
    assert_int_equal(schema_concept_term(t, UINT32_MAX), 12);
    assert_string_equal(t, "XM4294967295");
    /* a truncated varint is malformed */
    char bad[] = { (char)0x81 };
    assert_int_equal(schema_concepts_decode(bad, 1, NULL, NULL), -1);
    assert_int_equal(schema_concepts_decode(buf, 0, NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find, setup, teardown),
        cmocka_unit_test(test_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
