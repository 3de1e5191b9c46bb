/* SPDX-License-Identifier: GPL-2.0-or-later */
/* searchd/jsonw.c writes what jansson's json_dumps(JSON_COMPACT |
 * JSON_REAL_PRECISION(10)) writes for the same values, byte for byte:
 * /search's hits are written by it, the rest of the answer by jansson. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "../../searchd/jsonw.h"

/* jansson's text of v (a one-item array, so that any value dumps),
 * without the brackets. */
static char *jansson_text(json_t *v)
{
    json_t *a = json_array();
    json_array_append_new(a, v);
    char *t = json_dumps(a, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(a);
    assert_non_null(t);
    size_t n = strlen(t);
    memmove(t, t + 1, n - 2);
    t[n - 2] = '\0';
    return t;
}

static void same(struct buf *b, json_t *v)
{
    char *want = jansson_text(v);
    buf_add(b, "", 0);
    assert_false(b->oom);
    if (strcmp(b->s ? b->s : "", want) != 0)
        fail_msg("jsonw wrote [%s], jansson [%s]", b->s, want);
    free(want);
    buf_free(b);
}

static void test_jsonw_strings(void **state)
{
    (void)state;
    struct buf b = { 0 };
    const char *const strs[] = {
        "", "MED-10", "a \"quoted\" \\ back/slash", "tab\there\nnew\rline\bback\fform",
        "\x01\x02\x1f\x7f", "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80", "<mark>x</mark> &amp;",
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        jsonw_str(&b, strs[i], strlen(strs[i]));
        same(&b, json_string(strs[i]));
    }
    /* every byte below 0x80 */
    char all[128];
    for (int c = 1; c < 128; c++)
        all[c - 1] = (char)c;
    jsonw_str(&b, all, 127);
    same(&b, json_stringn(all, 127));
    /* not UTF-8: null (jansson holds no such string) */
    jsonw_str(&b, "a\xc3", 2);
    buf_add(&b, "", 0);
    assert_string_equal(b.s, "null");
    buf_free(&b);
}

static void test_jsonw_numbers(void **state)
{
    (void)state;
    struct buf b = { 0 };
    const double reals[] = {
        0.0, -0.0, 1.0, -1.5, 12.345678901234, 40.20557123, 1e20, 1e21, 1.5e-5, 1e-7, -2.5e-300, 123456789012.0,
        1234567890.0, 0.1, 1.0 / 3, 9.999999999e9, 5e-324, 1.7976931348623157e308, 100.0, 3.0e5,
    };
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        jsonw_real(&b, reals[i]);
        same(&b, json_real(reals[i]));
    }
    /* Scores as BM25 gives them: a spread of magnitudes. */
    srand(7);
    for (int i = 0; i < 20000; i++) {
        double v = ((double)rand() / RAND_MAX) * pow(10, (rand() % 24) - 12);
        jsonw_real(&b, v);
        same(&b, json_real(v));
    }
    /* The fast path's edges: powers of ten and their neighbours, digits
     * near a half, and a million values over its whole range. */
    for (int k = -6; k <= 10; k++) {
        double p = pow(10, k);
        const double near[] = { p, nextafter(p, 0), nextafter(p, INFINITY), p * (1 - 5e-11), p * (1 + 5e-11),
                                p * 0.99999999995, p * 0.999999999949, p * 0.999999999951, -p };
        for (size_t i = 0; i < sizeof near / sizeof near[0]; i++) {
            jsonw_real(&b, near[i]);
            same(&b, json_real(near[i]));
        }
    }
    for (int i = 0; i < 20000; i++) {
        /* ten digits then a 5: a half at the eleventh digit, and beside it */
        double base = (1000000000.0 + (double)(rand() % 900000000)) * 10 + 5;
        double v = base * pow(10, (rand() % 14) - 15);
        const double vs[] = { v, nextafter(v, 0), nextafter(v, INFINITY) };
        for (size_t j = 0; j < 3; j++) {
            jsonw_real(&b, vs[j]);
            same(&b, json_real(vs[j]));
        }
    }
    for (int i = 0; i < 1000000; i++) {
        double v = exp(((double)rand() / RAND_MAX) * 34.0 - 11.0) * (rand() & 1 ? 1 : -1);
        jsonw_real(&b, v);
        same(&b, json_real(v));
    }
    jsonw_real(&b, NAN);
    buf_add(&b, "", 0);
    assert_string_equal(b.s, "null");
    buf_free(&b);
    const long long ints[] = { 0, 1, -1, 42, 9223372036854775807LL, -9223372036854775807LL - 1 };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        jsonw_int(&b, ints[i]);
        same(&b, json_integer(ints[i]));
    }
    jsonw_bool(&b, 1);
    same(&b, json_true());
    jsonw_bool(&b, 0);
    same(&b, json_false());
    jsonw_null(&b);
    same(&b, json_null());
}

/* An object as search.c writes a hit: key, value, in order. */
static void test_jsonw_object(void **state)
{
    (void)state;
    struct buf b = { 0 };
    buf_add(&b, "{", 1);
    jsonw_key(&b, "id");
    jsonw_str(&b, "MED-1", 5);
    buf_add(&b, ",", 1);
    jsonw_key(&b, "score");
    jsonw_real(&b, 7.25);
    buf_add(&b, ",", 1);
    jsonw_key(&b, "expanded");
    jsonw_bool(&b, 0);
    buf_add(&b, "}", 1);
    same(&b, json_pack("{s:s, s:f, s:b}", "id", "MED-1", "score", 7.25, "expanded", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonw_strings),
        cmocka_unit_test(test_jsonw_numbers),
        cmocka_unit_test(test_jsonw_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
