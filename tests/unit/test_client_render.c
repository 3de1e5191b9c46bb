/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pure parts of the `search` client: snippet markup and entities,
 * display width and word wrap, TREC batch input and scores, searchd's
 * error answers, the command line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../client/batch.h"
#include "../../client/cliargs.h"
#include "../../client/markup.h"
#include "../../client/reply.h"
#include "../../client/wrap.h"

static void test_markup_marks_and_entities(void **state)
{
    (void)state;
    struct markup m;
    assert_int_equal(markup_parse("a &amp; <mark>b&lt;c</mark> &quot;d&#39; <MARK>e</Mark>", &m), 0);
    assert_string_equal(m.text, "a & b<c \"d' e");
    assert_int_equal(m.len, strlen(m.text));
    assert_int_equal(m.nspans, 2);
    assert_int_equal(m.spans[0].start, 4);
    assert_int_equal(m.spans[0].end, 7);   /* "b<c" */
    assert_memory_equal(m.text + m.spans[1].start, "e", 1);
    assert_int_equal(m.spans[1].end, m.len);
    markup_free(&m);
    assert_null(m.text);
}

static void test_markup_odd_input(void **state)
{
    (void)state;
    struct markup m;
    /* Unknown entity, lone '&' and '<', other tags dropped, nested and
     * unclosed <mark>, a stray </mark>. */
    assert_int_equal(markup_parse("x &foo; & 1 < 2 <b>bold</b> </mark><mark>a<mark>b</mark>c</mark> <mark>tail", &m), 0);
    assert_string_equal(m.text, "x &foo; & 1 < 2 bold abc tail");
    assert_int_equal(m.nspans, 2);
    assert_int_equal(m.spans[0].end - m.spans[0].start, 3);   /* "abc" as one span */
    assert_memory_equal(m.text + m.spans[0].start, "abc", 3);
    assert_memory_equal(m.text + m.spans[1].start, "tail", 4);
    assert_int_equal(m.spans[1].end, m.len);
    markup_free(&m);
    /* Empty marks make no span; empty input. */
    assert_int_equal(markup_parse("<mark></mark>", &m), 0);
    assert_string_equal(m.text, "");
    assert_int_equal(m.nspans, 0);
    markup_free(&m);
    /* "<" at the very end, "&" at the very end. */
    assert_int_equal(markup_parse("a<", &m), 0);
    assert_string_equal(m.text, "a<");
    markup_free(&m);
    assert_int_equal(markup_parse("a&", &m), 0);
    assert_string_equal(m.text, "a&");
    markup_free(&m);
}

static void test_markup_numeric_entities(void **state)
{
    (void)state;
    char out[4];
    size_t n;
    assert_int_equal(markup_entity("&#946;-blocker", out, &n), 6);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "\xCE\xB2", 2);   /* β */
    assert_int_equal(markup_entity("&#x4E2D;", out, &n), 8);
    assert_memory_equal(out, "\xE4\xB8\xAD", 3);   /* 中 */
    assert_int_equal(markup_entity("&#x1F600;", out, &n), 9);
    assert_int_equal(n, 4);
    assert_int_equal(markup_entity("&nbsp;", out, &n), 6);
    assert_memory_equal(out, "\xC2\xA0", 2);
    /* Not entities: surrogate, beyond Unicode, NUL, no digits, no ';',
     * too many digits. */
    assert_int_equal(markup_entity("&#xD800;", out, &n), 0);
    assert_int_equal(markup_entity("&#x110000;", out, &n), 0);
    assert_int_equal(markup_entity("&#0;", out, &n), 0);
    assert_int_equal(markup_entity("&#;", out, &n), 0);
    assert_int_equal(markup_entity("&#65", out, &n), 0);
    assert_int_equal(markup_entity("&#0000000065;", out, &n), 0);
    assert_int_equal(markup_entity("&ampx", out, &n), 0);
}

static void test_width(void **state)
{
    (void)state;
    assert_int_equal(wrap_width("abc", 3), 3);
    assert_int_equal(wrap_width("\xE7\x9D\xA1\xE7\x9C\xA0", 6), 4);   /* 睡眠: two wide */
    assert_int_equal(wrap_width("e\xCC\x81", 3), 1);                  /* e + combining acute */
    assert_int_equal(wrap_width("\xCE\xB2", 2), 1);                   /* β */
    assert_int_equal(wrap_width("\xFF" "a", 2), 2);                   /* invalid byte counts 1 */
    unsigned long cp;
    assert_int_equal(wrap_decode("\xE4\xB8", 2, &cp), 1);   /* truncated */
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(wrap_decode("\xC0\xAF", 2, &cp), 1);   /* overlong */
    assert_int_equal(cp, 0xFFFD);
}

/* All lines of text wrapped at width, joined with '|'. */
static char *lines(const char *text, size_t width)
{
    static char buf[1024];
    size_t len = strlen(text), pos = 0, o = 0;
    buf[0] = '\0';
    while (pos < len) {
        size_t next, end = wrap_line(text, len, pos, width, &next);
        assert_true(next > pos);   /* always progresses */
        if (o)
            buf[o++] = '|';
        memcpy(buf + o, text + pos, end - pos);
        o += end - pos;
        buf[o] = '\0';
        pos = next;
    }
    return buf;
}

static void test_wrap_line(void **state)
{
    (void)state;
    assert_string_equal(lines("the quick brown fox", 10), "the quick|brown fox");
    assert_string_equal(lines("the quick brown fox", 9), "the quick|brown fox");
    assert_string_equal(lines("the   quick", 5), "the|quick");
    assert_string_equal(lines("supercalifragilistic ok", 8), "supercal|ifragili|stic ok");
    assert_string_equal(lines("one\ntwo\n\nthree", 80), "one|two||three");
    /* CJK breaks between characters, each two columns. */
    assert_string_equal(lines("\xE7\x9D\xA1\xE7\x9C\xA0\xE6\x97\xB6\xE8\xBA\xAB", 5),
                        "\xE7\x9D\xA1\xE7\x9C\xA0|\xE6\x97\xB6\xE8\xBA\xAB");
    assert_string_equal(lines("ab \xE7\x9D\xA1\xE7\x9C\xA0", 5), "ab \xE7\x9D\xA1|\xE7\x9C\xA0");
    assert_string_equal(lines("x", 0), "x");
}

static char *print(const char *html, size_t indent, size_t width, int colour)
{
    static const struct wrap_style plain = { "", "" };
    static const struct wrap_style ansi = { "[", "]" };
    struct markup m;
    assert_int_equal(markup_parse(html, &m), 0);
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    assert_non_null(f);
    wrap_print(f, m.text, m.len, m.spans, m.nspans, indent, width, colour ? &ansi : &plain);
    fclose(f);
    markup_free(&m);
    return out;
}

static void test_wrap_print(void **state)
{
    (void)state;
    char *s = print("a <mark>bb cc</mark> dd", 2, 20, 1);
    assert_string_equal(s, "  a [bb cc] dd\n");
    free(s);
    /* A highlight crossing a line break is closed and reopened; width 17
     * leaves 15 columns after a 2-space indent. */
    s = print("aaaa bbbb <mark>cccc dddd</mark> e", 2, 17, 1);
    assert_string_equal(s, "  aaaa bbbb [cccc]\n  [dddd] e\n");
    free(s);
    s = print("aaaa bbbb <mark>cccc dddd</mark> e", 0, 15, 0);
    assert_string_equal(s, "aaaa bbbb cccc\ndddd e\n");
    free(s);
    /* No terminal escape from the text itself: ESC and other controls
     * become spaces (here the decoded &#27; too). */
    s = print("x\x1b[31my &#27;z", 0, 80, 0);
    assert_string_equal(s, "x [31my  z\n");
    free(s);
    /* An empty line keeps no indent. */
    s = print("a\n\nb", 4, 80, 0);
    assert_string_equal(s, "    a\n\n    b\n");
    free(s);
}

static void test_trec_header(void **state)
{
    (void)state;
    assert_true(batch_is_header("qid"));
    assert_true(batch_is_header("QID"));
    assert_true(batch_is_header("query-id"));
    assert_true(batch_is_header("query_id"));
    assert_true(batch_is_header("id"));
    assert_false(batch_is_header("1"));
    assert_false(batch_is_header("q1"));
    assert_false(batch_is_header("query"));
    assert_false(batch_is_header("qids"));
}

static void test_trec_split(void **state)
{
    (void)state;
    char *qid, *text;
    char l1[] = "PLAIN-1\tdo cholesterol statins cause memory loss?\r\n";
    assert_int_equal(batch_split(l1, &qid, &text), 1);
    assert_string_equal(qid, "PLAIN-1");
    assert_string_equal(text, "do cholesterol statins cause memory loss?");
    char l2[] = " 7 \ttab\tinside\n";
    assert_int_equal(batch_split(l2, &qid, &text), 1);
    assert_string_equal(qid, "7");
    assert_string_equal(text, "tab\tinside");
    char l3[] = "  \r\n";
    assert_int_equal(batch_split(l3, &qid, &text), 0);
    char l4[] = "no tab here\n";
    assert_int_equal(batch_split(l4, &qid, &text), -1);
    char l5[] = " \tq\n";
    assert_int_equal(batch_split(l5, &qid, &text), -1);
    char l6[] = "3\t\n";
    assert_int_equal(batch_split(l6, &qid, &text), 1);
    assert_string_equal(text, "");
}

static void test_trec_score(void **state)
{
    (void)state;
    long long prev = 0;
    assert_int_equal(batch_trec_score(12.5, 1, &prev), 12500000);
    assert_int_equal(batch_trec_score(12.5, 0, &prev), 12499999);   /* tie: nudged down */
    assert_int_equal(batch_trec_score(12.4999995, 0, &prev), 12499998);
    assert_int_equal(batch_trec_score(3.0, 0, &prev), 3000000);
    assert_int_equal(batch_trec_score(7.0, 0, &prev), 2999999);     /* out of order: kept below */
    assert_int_equal(batch_trec_score(7.0, 1, &prev), 7000000);     /* a new query starts over */
    assert_int_equal(batch_trec_score(NAN, 1, &prev), 0);     /* NaN */
    assert_int_equal(batch_trec_score(-1.5, 0, &prev), -1500000);
}

static void test_reply_error(void **state)
{
    (void)state;
    struct reply_err e;
    const char *j = "{\"error\": {\"status\": 422, \"type\": \"limit\", \"message\": \"query too long\","
                    " \"param\": \"q\", \"limit\": 4096}}";
    reply_error(422, j, strlen(j), &e);
    assert_string_equal(e.type, "limit");
    assert_string_equal(e.message, "query too long");
    assert_string_equal(e.param, "q");
    assert_int_equal(e.limit, 4096);
    assert_false(reply_is_unknown_id(&e));
    char buf[128];
    reply_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "query too long (HTTP 422)");
    j = "{\"error\": {\"status\": 404, \"type\": \"not_found\", \"message\": \"no article\", \"param\": \"id\"}}";
    reply_error(404, j, strlen(j), &e);
    assert_true(reply_is_unknown_id(&e));
    /* The router's 404 for an unknown path is an error, not "no results". */
    j = "{\"error\": {\"status\": 404, \"type\": \"not_found\", \"message\": \"no such endpoint\"}}";
    reply_error(404, j, strlen(j), &e);
    assert_false(reply_is_unknown_id(&e));
    assert_int_equal(e.limit, -1);
    /* Not searchd's JSON: short text is shown, HTML is not, nothing gives
     * the status. */
    reply_error(414, "URI too long\r\n", 14, &e);
    assert_string_equal(e.message, "URI too long");
    reply_error(500, "<html><body>boom</body></html>", 30, &e);
    assert_string_equal(e.message, "HTTP status 500");
    reply_error(503, NULL, 0, &e);
    assert_string_equal(e.message, "HTTP status 503");
    reply_error(400, "{\"error\": 5}", 12, &e);
    assert_string_equal(e.message, "HTTP status 400");
}

static int parse(struct cliargs *a, const char *const *words)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"search";
    while (*words)
        argv[argc++] = (char *)*words++;
    argv[argc] = NULL;
    return cliargs_parse(argc, argv, a);
}

static void test_cliargs(void **state)
{
    (void)state;
    struct cliargs a;
    /* Options anywhere; "-word" is a query word (exclusion), not an option. */
    const char *w1[] = { "heart", "--limit", "5", "-attack", "--lang=en", "pain", NULL };
    assert_int_equal(parse(&a, w1), 0);
    assert_int_equal(a.mode, CLI_SEARCH);
    assert_string_equal(a.query, "heart -attack pain");
    assert_int_equal(a.limit, 5);
    assert_string_equal(a.lang, "en");
    cliargs_free(&a);
    /* "--" ends the options. */
    const char *w2[] = { "--socket", "/s", "--", "--json", NULL };
    assert_int_equal(parse(&a, w2), 0);
    assert_string_equal(a.query, "--json");
    assert_string_equal(a.socket, "/s");
    assert_false(a.json);
    cliargs_free(&a);
    const char *w3[] = { "--run", "-", "--k", "10", "--tag", "x", "--parallel", "4", NULL };
    assert_int_equal(parse(&a, w3), 0);
    assert_int_equal(a.mode, CLI_RUN);
    assert_string_equal(a.arg, "-");
    assert_int_equal(a.k, 10);
    assert_int_equal(a.parallel, 4);
    cliargs_free(&a);
    const char *w4[] = { "--run", "f", NULL };
    assert_int_equal(parse(&a, w4), 0);
    assert_int_equal(a.k, 100);
    assert_string_equal(a.tag, "medsearch");
    cliargs_free(&a);
    /* Usage errors. */
    const char *const *bad[] = {
        (const char *[]){ NULL },
        (const char *[]){ "   ", NULL },
        (const char *[]){ "--limit", "0", "x", NULL },
        (const char *[]){ "--limit", "5x", "x", NULL },
        (const char *[]){ "--doc", NULL },
        (const char *[]){ "--doc", "a", "--related", "b", NULL },
        (const char *[]){ "--doc", "a", "extra", NULL },
        (const char *[]){ "--run", "f", "--json", NULL },
        (const char *[]){ "--k", "5", "x", NULL },
        (const char *[]){ "--tag", "a b", "--run", "f", NULL },
        (const char *[]){ "--color", "sometimes", "x", NULL },
        (const char *[]){ "--timeout", "-1", "x", NULL },
        (const char *[]){ "--nope", "x", NULL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(&a, bad[i]), EXIT_USAGE);
        cliargs_free(&a);
    }
    const char *w5[] = { "--help", "--nonsense-after-help-is-still-an-error", NULL };
    assert_int_equal(parse(&a, w5), EXIT_USAGE);
    cliargs_free(&a);
    const char *w6[] = { "--version", NULL };
    assert_int_equal(parse(&a, w6), 0);
    assert_int_equal(a.mode, CLI_VERSION);
    cliargs_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markup_marks_and_entities),
        cmocka_unit_test(test_markup_odd_input),
        cmocka_unit_test(test_markup_numeric_entities),
        cmocka_unit_test(test_width),
        cmocka_unit_test(test_wrap_line),
        cmocka_unit_test(test_wrap_print),
        cmocka_unit_test(test_trec_header),
        cmocka_unit_test(test_trec_split),
        cmocka_unit_test(test_trec_score),
        cmocka_unit_test(test_reply_error),
        cmocka_unit_test(test_cliargs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
