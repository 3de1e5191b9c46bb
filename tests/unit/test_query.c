/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The query parser with the real tokenizer: the language (phrases, +/-,
 * AND/OR/NOT, parentheses, fields, prefixes), malformed input that must
 * become a sensible tree, limits (max_terms, truncation in plain mode),
 * byte offsets of words, and random bytes (no crash, no leak). Trees are
 * compared through query_describe. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../searchd/query.h"
#include "tokenizer.h"

static int setup(void **state)
{
    struct tokenizer *tk = tokenizer_new();
    *state = tk;
    return tk ? 0 : -1;
}

static int teardown(void **state)
{
    tokenizer_free(*state);
    return 0;
}

/* Parse s (copied into an exact-size buffer, so ASan sees overreads) in
 * mode; the description, or "<empty>" / "<terms>". */
static char *parse(struct tokenizer *tk, const char *s, enum query_mode mode, const struct query_limits *lim,
                   struct query **keep)
{
    size_t len = strlen(s);
    char *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    memcpy(buf, s, len);
    struct query *q = NULL;
    enum query_status st = query_parse(tk, buf, len, mode, lim, &q);
    free(buf);
    if (st == QUERY_EMPTY) {
        assert_null(q);
        return strdup("<empty>");
    }
    if (st == QUERY_ERR_TERMS) {
        assert_null(q);
        return strdup("<terms>");
    }
    assert_int_equal(st, QUERY_OK);
    char *d = query_describe(q);
    assert_non_null(d);
    if (keep)
        *keep = q;
    else
        query_free(q);
    return d;
}

static void expect(struct tokenizer *tk, const char *in, const char *want)
{
    char *got = parse(tk, in, QUERY_SYNTAX, NULL, NULL);
    if (strcmp(got, want) != 0)
        fail_msg("query [%s]: got {%s}, want {%s}", in, got, want);
    free(got);
}

static void test_language(void **state)
{
    struct tokenizer *tk = *state;
    expect(tk, "body shakes", "(body shakes)");
    expect(tk, "Sleep", "sleep");
    expect(tk, "\"myocardial infarction\"", "\"myocardial infarction\"");
    expect(tk, "sleep -insomnia +night", "(sleep -insomnia +night)");
    expect(tk, "sleep AND apnea", "(sleep AND apnea)");
    expect(tk, "sleep OR apnea OR snoring", "(sleep OR apnea OR snoring)");
    expect(tk, "sleep NOT apnea", "(sleep NOT apnea)");
    expect(tk, "(a OR b) c", "((a OR b) c)");
    expect(tk, "title:sleep", "title:sleep");
    expect(tk, "title:\"heart attack\" -x", "(title:\"heart attack\" -x)");
    expect(tk, "insom*", "insom*");
    expect(tk, "pain category:Sleep", "(pain +category:sleep)");
    expect(tk, "pain lang:ZH", "(pain +lang:zh)");
    expect(tk, "pain -category:sleep", "(pain -category:sleep)");
    expect(tk, "COVID-19 vaccine", "(covid-19 vaccine)");
    expect(tk, "失眠 insomnia", "(失眠 insomnia)");
    expect(tk, "-(a b) c", "(-(a b) c)");
    /* Lower-case operators are words. */
    expect(tk, "sleep or apnea", "(sleep or apnea)");
    /* A query of filters only lists their articles. */
    expect(tk, "category:sleep", "(+category:sleep)");
}

static void test_malformed(void **state)
{
    struct tokenizer *tk = *state;
    expect(tk, "\"sleep apnea", "\"sleep apnea\"");       /* closes at the end */
    expect(tk, "(sleep apnea", "(sleep apnea)");          /* unbalanced ( ignored */
    expect(tk, "sleep apnea)", "(sleep apnea)");          /* stray ) ignored */
    expect(tk, ")(sleep", "sleep");
    expect(tk, "sleep - apnea", "(sleep apnea)");         /* lone - dropped */
    expect(tk, "sleep OR OR apnea", "(sleep OR apnea)");  /* OR OR is one OR */
    expect(tk, "sleep AND OR apnea", "(sleep AND apnea)");
    expect(tk, "OR OR", "(or or)");                       /* nothing else: the words */
    expect(tk, "NOT", "not");
    expect(tk, "-sleep", "sleep");                        /* nothing positive: plain */
    expect(tk, "sleep AND", "sleep");                     /* dangling operator */
    expect(tk, "AND sleep", "sleep");
    expect(tk, "a NOT NOT b", "(a NOT b)");
    expect(tk, "a*", "a");                                /* prefix of 1 char: the word */
    expect(tk, "title:", "title");
    expect(tk, "+", "<empty>");
    expect(tk, "-", "<empty>");
    expect(tk, "\"", "<empty>");
    expect(tk, "*", "<empty>");
    expect(tk, "(((", "<empty>");
    expect(tk, "\"\" ()", "<empty>");
    expect(tk, "", "<empty>");
    expect(tk, "   \t ", "<empty>");
    expect(tk, "((((sleep", "sleep");
}

static void test_deep_nesting(void **state)
{
    struct tokenizer *tk = *state;
    char buf[4000];
    size_t n = 0;
    for (int i = 0; i < 1000; i++)
        buf[n++] = '(';
    memcpy(buf + n, "sleep", 6);
    char *d = parse(tk, buf, QUERY_SYNTAX, NULL, NULL);
    assert_string_equal(d, "sleep");
    free(d);
}

static void test_limits(void **state)
{
    struct tokenizer *tk = *state;
    struct query_limits lim = { 4, 0, 0 };
    char *d = parse(tk, "a b c d", QUERY_SYNTAX, &lim, NULL);
    assert_string_equal(d, "(a b c d)");
    free(d);
    d = parse(tk, "a b c d e", QUERY_SYNTAX, &lim, NULL);
    assert_string_equal(d, "<terms>");
    free(d);
    d = parse(tk, "a b c d e", QUERY_PLAIN, &lim, NULL);
    assert_string_equal(d, "<terms>");
    free(d);
    /* Plain mode with truncate: the first max_terms words. */
    lim.truncate = 1;
    struct query *q = NULL;
    d = parse(tk, "a b c d e f g", QUERY_PLAIN, &lim, &q);
    assert_string_equal(d, "(a b c d)");
    assert_int_equal(q->truncated, 1);
    assert_int_equal(q->n_terms, 4);
    query_free(q);
    free(d);
    d = parse(tk, "a b c", QUERY_PLAIN, &lim, &q);
    assert_int_equal(q->truncated, 0);
    query_free(q);
    free(d);
    /* Default limit 64. */
    char big[5000 * 3 + 1];
    size_t n = 0;
    for (int i = 0; i < 5000; i++)
        n += (size_t)sprintf(big + n, "%c%c ", 'a' + i % 26, 'a' + (i / 26) % 26);
    d = parse(tk, big, QUERY_SYNTAX, NULL, NULL);
    assert_string_equal(d, "<terms>");
    free(d);
}

static void test_plain(void **state)
{
    struct tokenizer *tk = *state;
    char *d = parse(tk, "\"sleep\" -apnea OR title:x (y)", QUERY_PLAIN, NULL, NULL);
    assert_string_equal(d, "(sleep apnea or title x y)");
    free(d);
}

struct offs {
    const char *text;
    int n;
    char seen[8][32];
};

static void offs_cb(const struct qnode *t, void *ud)
{
    struct offs *o = ud;
    if (o->n < 8) {
        snprintf(o->seen[o->n], sizeof o->seen[0], "%.*s", (int)(t->end - t->start), o->text + t->start);
        o->n++;
    }
}

static void test_offsets_and_positive(void **state)
{
    struct tokenizer *tk = *state;
    const char *text = "title:Insomina -apnea \"Heart  attack\" (x OR Jerks) NOT z category:sleep";
    struct query *q = NULL;
    assert_int_equal(query_parse(tk, text, strlen(text), QUERY_SYNTAX, NULL, &q), QUERY_OK);
    struct offs o = { text, 0, { { 0 } } };
    query_positive_terms(q, offs_cb, &o);
    /* The ranked words in order, as typed; never excluded ones or filters. */
    assert_int_equal(o.n, 5);
    assert_string_equal(o.seen[0], "Insomina");
    assert_string_equal(o.seen[1], "Heart");
    assert_string_equal(o.seen[2], "attack");
    assert_string_equal(o.seen[3], "x");
    assert_string_equal(o.seen[4], "Jerks");
    query_free(q);
}

static void test_random_bytes(void **state)
{
    struct tokenizer *tk = *state;
    const char alphabet[] = "ab -+\"()*:ORNTAD\xe5\xa4\xb1\xff\x80 title:category:";
    srand(7);
    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)(rand() % 40);
        char *buf = malloc(len ? len : 1);
        assert_non_null(buf);
        for (size_t i = 0; i < len; i++)
            buf[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        struct query *q = NULL;
        struct query_limits lim = { 8, 3, round % 2 };
        enum query_status st = query_parse(tk, buf, len, round % 3 ? QUERY_SYNTAX : QUERY_PLAIN, &lim, &q);
        assert_true(st == QUERY_OK || st == QUERY_EMPTY || st == QUERY_ERR_TERMS);
        if (st == QUERY_OK) {
            assert_non_null(q->root);
            char *d = query_describe(q);
            assert_non_null(d);
            free(d);
            query_free(q);
        } else {
            assert_null(q);
        }
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_language, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offsets_and_positive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_bytes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
