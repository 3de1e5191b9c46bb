/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_namelist: request comma lists as bit masks (searchd/namelist.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../searchd/namelist.h"

static const struct namebit tab[] = { { "id", 1 }, { "title", 2 }, { "did_you_mean", 4 } };
#define N (sizeof tab / sizeof tab[0])

static void test_names(void **state)
{
    (void)state;
    unsigned m = 99;
    char bad[64] = "";
    assert_int_equal(namelist_mask("id,title", tab, N, &m, bad, sizeof bad), 0);
    assert_int_equal(m, 3);
    assert_int_equal(namelist_mask("did_you_mean", tab, N, &m, bad, sizeof bad), 0);
    assert_int_equal(m, 4);
    /* Empty items, a repeated name, the empty and the missing list. */
    assert_int_equal(namelist_mask(",,title,,title,", tab, N, &m, bad, sizeof bad), 0);
    assert_int_equal(m, 2);
    assert_int_equal(namelist_mask("", tab, N, &m, bad, sizeof bad), 0);
    assert_int_equal(m, 0);
    assert_int_equal(namelist_mask(NULL, tab, N, &m, bad, sizeof bad), 0);
    assert_int_equal(m, 0);
}

static void test_unknown(void **state)
{
    (void)state;
    unsigned m;
    char bad[64] = "";
    /* A prefix or an extension of a name is not the name. */
    assert_int_equal(namelist_mask("id,tit", tab, N, &m, bad, sizeof bad), -1);
    assert_string_equal(bad, "tit");
    assert_int_equal(namelist_mask("titles", tab, N, &m, bad, sizeof bad), -1);
    assert_string_equal(bad, "titles");
    /* A long unknown name is cut to 40 bytes, and to the buffer. */
    char longname[100];
    memset(longname, 'x', 99);
    longname[99] = '\0';
    assert_int_equal(namelist_mask(longname, tab, N, &m, bad, sizeof bad), -1);
    assert_int_equal(strlen(bad), 40);
    char small[8];
    assert_int_equal(namelist_mask("colour", tab, N, &m, small, sizeof small), -1);
    assert_string_equal(small, "colour");
    assert_int_equal(namelist_mask("colourful", tab, N, &m, small, sizeof small), -1);
    assert_string_equal(small, "colourf");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
