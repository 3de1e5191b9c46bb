/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_grow: the one growing-array helper (common/grow.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "grow.h"

struct item {
    int a;
    double b;
};

static void test_doubles_from_first(void **state)
{
    (void)state;
    struct item *v = NULL;
    size_t n = 0, cap = 0;
    size_t caps[5] = { 0 }, k = 0;
    for (int i = 0; i < 100; i++) {
        size_t before = cap;
        assert_int_equal(GROW(v, cap, n + 1, 8), 0);
        if (cap != before && k < 5)
            caps[k++] = cap;
        v[n++] = (struct item){ i, i * 0.5 };
    }
    assert_int_equal(caps[0], 8);
    assert_int_equal(caps[1], 16);
    assert_int_equal(caps[2], 32);
    assert_int_equal(caps[3], 64);
    assert_int_equal(caps[4], 128);
    for (int i = 0; i < 100; i++)
        assert_int_equal(v[i].a, i); /* moved intact */
    /* Enough room: nothing changes. */
    struct item *same = v;
    assert_int_equal(GROW(v, cap, 128, 8), 0);
    assert_ptr_equal(v, same);
    assert_int_equal(cap, 128);
    /* A bigger need than one doubling: as many as it takes. */
    assert_int_equal(GROW(v, cap, 1000, 8), 0);
    assert_int_equal(cap, 1024);
    assert_int_equal(v[99].a, 99);
    free(v);
}

static void test_overflow_changes_nothing(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t cap = 0;
    assert_int_equal(GROW(buf, cap, 10, 128), 0);
    char *before = buf;
    assert_int_equal(GROW(buf, cap, SIZE_MAX, 128), -1);
    assert_ptr_equal(buf, before);
    assert_int_equal(cap, 128);
    struct item *v = NULL;
    size_t vcap = 0;
    assert_int_equal(GROW(v, vcap, SIZE_MAX / 4, 1), -1); /* the byte size overflows */
    assert_null(v);
    assert_int_equal(vcap, 0);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_from_first),
        cmocka_unit_test(test_overflow_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
