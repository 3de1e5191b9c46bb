/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The seam header is plain C11: this file includes nothing else of ours
 * and is also compiled alone with -std=c11 -pedantic -Werror by
 * tests/golden/xap-header.sh. */
#include "xap.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(xap_status_name(XAP_OK), "XAP_OK");
    assert_string_equal(xap_status_name(XAP_ERR_LOCKED), "XAP_ERR_LOCKED");
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_status_names) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
