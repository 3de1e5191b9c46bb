/* SPDX-License-Identifier: GPL-2.0-or-later */
/* client/hits.c: the hits of a /search answer read without a JSON tree,
 * and the same verdict as jansson (which it replaced in `search --run`)
 * on good and broken answers. */
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

#include "../../client/hits.h"

static long read_str(struct hits *h, const char *s)
{
    return hits_read(h, s, strlen(s));
}

static void test_hits_answer(void **state)
{
    (void)state;
    struct hits h = { 0 };
    const char *a = "{\"query\":\"heart \\\"attack\\\"\",\"understood\":\"x\",\"total\":2,\"total_exact\":false,"
                    "\"corrected\":null,\"took_ms\":1.25,\"nested\":{\"a\":[1,2,{\"b\":[]}],\"id\":\"no\"},"
                    "\"hits\":[{\"id\":\"MED-10\",\"score\":12.345678901},"
                    "{\"score\":3,\"title\":\"t\",\"id\":\"caf\\u00e9/\\ud83d\\ude00\\n\"},"
                    "{\"id\":\"x\"},{\"id\":null,\"score\":\"7\"},{\"id\":\"y\",\"score\":-1.5e-3,\"id\":\"z\"}],"
                    "\"related\":{\"articles\":[],\"terms\":[]}}\n";
    assert_int_equal(read_str(&h, a), 5);
    assert_string_equal(hits_id(&h, 0), "MED-10");
    assert_true(h.v[0].has_score);
    assert_true(h.v[0].score == 12.345678901);
    assert_string_equal(hits_id(&h, 1), "caf\xc3\xa9/\xf0\x9f\x98\x80\n");
    assert_int_equal(h.v[1].id_len, strlen("caf\xc3\xa9/\xf0\x9f\x98\x80\n"));
    assert_true(h.v[1].has_score && h.v[1].score == 3.0);
    assert_string_equal(hits_id(&h, 2), "x");
    assert_false(h.v[2].has_score);
    assert_null(hits_id(&h, 3));         /* an id that is not a string */
    assert_false(h.v[3].has_score);      /* nor is the score a number */
    assert_string_equal(hits_id(&h, 4), "z"); /* duplicate keys: the last wins */
    assert_true(h.v[4].score == -1.5e-3);
    /* Read again into the same struct: the earlier hits are gone. */
    assert_int_equal(read_str(&h, "{\"hits\":[]}"), 0);
    assert_int_equal(read_str(&h, " {\"hits\":[{\"id\":\"a\"}],\"hits\":[{\"id\":\"b\"},{\"id\":\"c\"}]} "), 2);
    assert_string_equal(hits_id(&h, 0), "b");
    hits_free(&h);
    assert_null(h.v);
}

/* Answers jansson refuses, or that have no hits array of objects. */
static const char *const bad[] = {
    "",
    "[]",
    "{}",
    "{\"hits\":{}}",
    "{\"hits\":[1]}",
    "{\"hits\":[[]]}",
    "{\"hits\":[]",
    "{\"hits\":[]}x",
    "{\"hits\":[],}",
    "{\"hits\":[{},]}",
    "{hits:[]}",
    "{\"hits\":[{\"id\":\"a\\x\"}]}",
    "{\"hits\":[{\"id\":\"a\\u12\"}]}",
    "{\"hits\":[{\"id\":\"\\udc00\"}]}",
    "{\"hits\":[{\"id\":\"\\ud800x\"}]}",
    "{\"hits\":[{\"id\":\"a\\u0000b\"}]}",
    "{\"hits\":[{\"id\":\"\xc3\"}]}",
    "{\"hits\":[{\"id\":\"\xed\xa0\x80\"}]}",
    "{\"hits\":[{\"id\":\"a\tb\"}]}",
    "{\"hits\":[{\"id\":\"a\",\"score\":01}]}",
    "{\"hits\":[{\"id\":\"a\",\"score\":1.}]}",
    "{\"hits\":[{\"id\":\"a\",\"score\":.5}]}",
    "{\"hits\":[{\"id\":\"a\",\"score\":1e}]}",
    "{\"hits\":[{\"id\":\"a\",\"score\":+1}]}",
    "{\"hits\":[{\"id\":\"a\",\"score\":1e999}]}",
    "{\"hits\":[{\"id\":\"a\",\"score\":tru}]}",
    "{\"hits\":[{\"id\":\"a\" \"score\":1}]}",
    "{\"hits\":[{\"id\":\"a\"}], \"x\": nul}",
    "{\"hits\":[{\"id\":\"a\"}], \"x\": [1 2]}",
    "{\"hits\":[{\"id\":\"a\"}]}\x00",
};

/* What `search --run` made of an answer with jansson: the number of hits
 * (with a string id each... or -1). */
static long jansson_verdict(const char *s, size_t len)
{
    json_error_t err;
    json_t *root = json_loadb(s, len, 0, &err);
    json_t *hits = json_object_get(root, "hits");
    long n = json_is_array(hits) ? (long)json_array_size(hits) : -1;
    for (size_t i = 0; n >= 0 && i < json_array_size(hits); i++)
        if (!json_is_object(json_array_get(hits, i)))
            n = -1;
    json_decref(root);
    return n;
}

static void test_hits_refused(void **state)
{
    (void)state;
    struct hits h = { 0 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = strlen(bad[i]) + (i + 1 == sizeof bad / sizeof bad[0]); /* the last: with its NUL */
        long mine = hits_read(&h, bad[i], len);
        if (mine != -1 || jansson_verdict(bad[i], len) != -1)
            fail_msg("answer %zu (%s): hits_read %ld, jansson %ld", i, bad[i], mine,
                     jansson_verdict(bad[i], len));
    }
    /* Nesting deeper than jansson's parser allows (2048). */
    size_t depth = 3000;
    char *deep = malloc(2 * depth + 32);
    assert_non_null(deep);
    size_t o = (size_t)sprintf(deep, "{\"hits\":[],\"x\":");
    for (size_t i = 0; i < depth; i++)
        deep[o++] = '[';
    for (size_t i = 0; i < depth; i++)
        deep[o++] = ']';
    deep[o++] = '}';
    assert_int_equal(hits_read(&h, deep, o), -1);
    assert_int_equal(jansson_verdict(deep, o), -1);
    free(deep);
    hits_free(&h);
}

/* Good answers: the same hits, ids and scores as through jansson. */
static void test_hits_as_jansson(void **state)
{
    (void)state;
    const char *const good[] = {
        "{\"hits\":[]}",
        "{ \"hits\" : [ { \"id\" : \"a b\" , \"score\" : 0 } ] , \"t\" : true , \"f\" : false }",
        "{\"hits\":[{\"id\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"score\":-0.0}]}",
        "{\"hits\":[{\"id\":\"\\u4e2d\\u6587\",\"score\":1E+2},{\"id\":\"\xe4\xb8\xad\",\"score\":2.5e-308}]}",
        "{\"hits\":[{\"id\":\"x\",\"score\":123456789012345678},{\"id\":\"y\",\"score\":0.1000000000000000055511}]}",
        "{\"a\":{\"hits\":5},\"hits\":[{\"x\":{\"id\":\"inner\"},\"id\":\"outer\",\"score\":1}]}",
    };
    struct hits h = { 0 };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        json_error_t err;
        json_t *root = json_loads(good[i], 0, &err);
        assert_non_null(root);
        json_t *js = json_object_get(root, "hits");
        assert_int_equal(read_str(&h, good[i]), (long)json_array_size(js));
        for (size_t k = 0; k < h.n; k++) {
            json_t *hit = json_array_get(js, k);
            assert_string_equal(hits_id(&h, k), json_string_value(json_object_get(hit, "id")));
            assert_int_equal(h.v[k].id_len, json_string_length(json_object_get(hit, "id")));
            json_t *sc = json_object_get(hit, "score");
            assert_int_equal(h.v[k].has_score, json_is_number(sc));
            if (json_is_number(sc))
                assert_memory_equal(&h.v[k].score, &(double){ json_number_value(sc) }, sizeof(double));
        }
        json_decref(root);
    }
    hits_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hits_answer),
        cmocka_unit_test(test_hits_refused),
        cmocka_unit_test(test_hits_as_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
