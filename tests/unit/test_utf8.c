/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_utf8: the one strict UTF-8 decoder (common/utf8.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "utf8.h"

static void test_valid_sequences(void **state)
{
    (void)state;
    uint32_t cp = 0;
    assert_int_equal(utf8_decode("a", 1, &cp), 1);
    assert_int_equal(cp, 'a');
    assert_int_equal(utf8_decode("\xC3\xA9", 2, &cp), 2); /* é */
    assert_int_equal(cp, 0xE9);
    assert_int_equal(utf8_decode("\xE5\xA4\xB1", 3, &cp), 3); /* 失 */
    assert_int_equal(cp, 0x5931);
    assert_int_equal(utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4); /* U+1F600 */
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(utf8_decode("\xF4\x8F\xBF\xBF", 4, &cp), 4); /* U+10FFFF */
    assert_int_equal(cp, 0x10FFFF);
    assert_int_equal(utf8_decode("\xE5\xA4\xB1", 3, NULL), 3); /* cp may be NULL */
    assert_true(utf8_valid("heart 失眠 é", strlen("heart 失眠 é")));
    assert_true(utf8_valid("", 0));
}

static void test_invalid_sequences(void **state)
{
    (void)state;
    uint32_t cp = 0;
    static const struct {
        const char *s;
        size_t n;
    } bad[] = {
        { "\x80", 1 },             /* lone continuation */
        { "\xC0\xAF", 2 },         /* overlong '/' */
        { "\xC1\xBF", 2 },         /* overlong */
        { "\xE0\x80\xAF", 3 },     /* overlong, 3 bytes */
        { "\xF0\x80\x80\xAF", 4 }, /* overlong, 4 bytes */
        { "\xED\xA0\x80", 3 },     /* surrogate U+D800 */
        { "\xF4\x90\x80\x80", 4 }, /* above U+10FFFF */
        { "\xF5\x80\x80\x80", 4 }, /* no such lead byte */
        { "\xFF", 1 },
        { "\xE5\xA4", 2 },         /* cut short */
        { "\xE5\x41\xB1", 3 },     /* ASCII inside */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(utf8_decode(bad[i].s, bad[i].n, &cp), 0);
        assert_false(utf8_valid(bad[i].s, bad[i].n));
        assert_int_equal(utf8_decode_lenient(bad[i].s, bad[i].n, &cp), 1);
        assert_int_equal(cp, 0xFFFD);
    }
    /* the length limit counts: a valid sequence past n is cut short */
    assert_int_equal(utf8_decode("\xE5\xA4\xB1", 2, &cp), 0);
    assert_false(utf8_valid("ok \xE5\xA4", 5));
    assert_false(utf8_valid("a\0\xFF", 3));
    assert_true(utf8_valid("a\0b", 3)); /* NUL is valid UTF-8 */
    /* a bad byte or a cut sequence anywhere in long ASCII runs (which
     * are checked eight bytes at a time) */
    char run[40];
    for (size_t at = 0; at < 32; at++) {
        memset(run, 'a', sizeof run);
        assert_true(utf8_valid(run, sizeof run));
        run[at] = (char)0xFF;
        assert_false(utf8_valid(run, sizeof run));
        run[at] = (char)0xC3, run[at + 1] = (char)0xA9; /* é */
        assert_true(utf8_valid(run, sizeof run));
        assert_false(utf8_valid(run, at + 1));
    }
}

/* Backing up to a character boundary: never inside a sequence, never
 * below lo. */
static void test_floor(void **state)
{
    (void)state;
    const char *s = "a\xC3\xA9\xE5\xA4\xB1z"; /* a é 失 z: offsets 0, 1, 3, 6 */
    static const size_t want[] = { 0, 1, 1, 3, 3, 3, 6 };
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(utf8_floor(s, i, 0), want[i]);
    assert_int_equal(utf8_floor(s, 5, 4), 4); /* not below lo */
    assert_int_equal(utf8_floor(s, 2, 2), 2);
    assert_true(utf8_is_cont(0x80) && utf8_is_cont(0xBF));
    assert_false(utf8_is_cont('a') || utf8_is_cont(0xC3) || utf8_is_cont(0xE5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_sequences),
        cmocka_unit_test(test_invalid_sequences),
        cmocka_unit_test(test_floor),
    };
    return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
