/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_charset: indexer/charset.c: labels, the order of the decision
 * (BOM, HTML declarations, UTF-8, the detector) and the conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../indexer/charset.h"

static void test_labels(void **state)
{
    (void)state;
    assert_string_equal(charset_from_label("ISO-8859-1", 10), "windows-1252");
    assert_string_equal(charset_from_label(" latin1 ", 8), "windows-1252");
    assert_string_equal(charset_from_label("us-ascii", 8), "windows-1252");
    assert_string_equal(charset_from_label("GB2312", 6), "GB18030");
    assert_string_equal(charset_from_label("gbk", 3), "GB18030");
    assert_string_equal(charset_from_label("Big5", 4), "Big5-HKSCS");
    assert_string_equal(charset_from_label("utf-8", 5), "");
    assert_string_equal(charset_from_label("UTF-16", 6), ""); /* a page saying utf-16 in ASCII is not */
    assert_non_null(charset_from_label("koi8-r", 6));
    assert_null(charset_from_label("no-such-charset", 15));
    assert_null(charset_from_label("", 0));
}

static int choose(const char *s, int html, struct charset_choice *c) { return charset_choose(s, strlen(s), html, c); }

static void test_choose(void **state)
{
    struct charset_choice c;
    (void)state;
    /* declarations, HTML only */
    assert_int_equal(choose("<html><head><meta charset=\"iso-8859-1\"><title>Sj\xf6gren</title>", 1, &c), 1);
    assert_string_equal(c.name, "windows-1252");
    assert_string_equal(c.how, "<meta charset=iso-8859-1>");
    assert_int_equal(choose("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=GB2312\">\xb8\xc9", 1, &c), 1);
    assert_string_equal(c.name, "GB18030");
    assert_non_null(strstr(c.how, "http-equiv"));
    assert_int_equal(choose("<?xml version=\"1.0\" encoding='ISO-8859-1'?><html>M\xe9ni\xe8re", 1, &c), 1);
    assert_string_equal(c.name, "windows-1252");
    assert_non_null(strstr(c.how, "XML declaration"));
    /* a Latin-1 label over UTF-8 bytes: mislabelled UTF-8 */
    assert_int_equal(choose("<meta charset=latin1><p>Sj\xc3\xb6gren", 1, &c), 0);
    assert_non_null(strstr(c.how, "but the bytes are UTF-8"));
    /* declared UTF-8 stays UTF-8 even with a bad byte (repaired later) */
    assert_int_equal(choose("<meta charset=utf-8><p>caf\xe9", 1, &c), 0);
    /* BOM first */
    assert_int_equal(choose("\xef\xbb\xbf<meta charset=iso-8859-1>", 1, &c), 0);
    assert_int_equal(c.skip, 3);
    assert_int_equal(charset_choose("\xff\xfeh\0i\0", 6, 0, &c), 1);
    assert_string_equal(c.name, "UTF-16LE");
    assert_int_equal(c.skip, 2);
    /* not HTML: the declaration means nothing; plain ASCII and UTF-8 stay */
    assert_int_equal(choose("just ascii text", 0, &c), 0);
    assert_int_equal(choose("na\xc3\xafve caf\xc3\xa9", 0, &c), 0);
    /* damaged UTF-8 (more good multi-byte sequences than bad bytes) stays */
    assert_int_equal(choose("na\xc3\xafve caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9 \xff", 0, &c), 0);
    /* Latin-1 text: detected */
    assert_int_equal(choose("Sj\xf6gren syndrome is an autoimmune disease. Caf\xe9 patients often have dry eyes.", 0, &c), 1);
    assert_string_equal(c.name, "windows-1252");
    assert_non_null(strstr(c.how, "detected"));
}

static void test_convert(void **state)
{
    char *out, err[256];
    size_t len, bad;
    (void)state;
    assert_int_equal(charset_to_utf8("windows-1252", "Sj\xf6gren \x80 \x93q\x94", 13, &out, &len, &bad, err, sizeof err), 0);
    assert_string_equal(out, "Sj\xc3\xb6gren \xe2\x82\xac \xe2\x80\x9cq\xe2\x80\x9d");
    assert_int_equal(len, strlen(out));
    assert_int_equal(bad, 0);
    free(out);
    /* GB18030: a two-byte and a four-byte character */
    assert_int_equal(charset_to_utf8("GB18030", "\xb8\xc9\x95\x32\x82\x36", 6, &out, &len, &bad, err, sizeof err), 0);
    assert_string_equal(out, "\xe5\xb9\xb2\xf0\xa0\x80\x80");
    free(out);
    /* a byte invalid in Big5 becomes U+FFFD, counted */
    assert_int_equal(charset_to_utf8("Big5-HKSCS", "\xa4\xa4\xff", 3, &out, &len, &bad, err, sizeof err), 0);
    assert_int_equal(bad, 1);
    assert_non_null(strstr(out, "\xef\xbf\xbd"));
    free(out);
    assert_int_equal(charset_to_utf8("no-such", "x", 1, &out, &len, &bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "no-such"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_choose),
        cmocka_unit_test(test_convert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
