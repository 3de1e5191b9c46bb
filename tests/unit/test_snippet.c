/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Snippets with the real tokenizer and Snowball stemmer: marks on exact
 * words, stems and phrases, escaping, the choice of the passage, cut
 * marks, invalid UTF-8, CJK, huge texts. Texts are copied into exact-size
 * buffers so ASan catches any read past the end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../searchd/snippet.h"
#include "tokenizer.h"
#include "xap.h"

struct fx {
    struct tokenizer *tk;
    xap_stem *stem;
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->tk = tokenizer_new();
    if (!fx->tk || xap_stem_new("english", &fx->stem) != XAP_OK)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    tokenizer_free(fx->tk);
    xap_stem_free(fx->stem);
    free(fx);
    return 0;
}

/* Snippet of text for the words (NULL-terminated list). */
static char *snip(struct fx *fx, const char *text, size_t len, const char *const *words, size_t width)
{
    struct snippet_query *sq = snippet_query_new(fx->stem);
    assert_non_null(sq);
    for (size_t i = 0; words[i]; i++)
        assert_int_equal(snippet_query_add(sq, words[i], strlen(words[i])), 0);
    char *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    memcpy(buf, text, len);
    char *s = snippet_make(fx->tk, fx->stem, sq, buf, len, width);
    free(buf);
    snippet_query_free(sq);
    assert_non_null(s);
    return s;
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || (n == 2 && *p < 0xC2))
            return 0;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += n;
    }
    return 1;
}

/* Text without tags and entities must hold no raw markup characters. */
static void assert_escaped(const char *s)
{
    char *c = strdup(s);
    assert_non_null(c);
    char *w = c;
    for (const char *p = s; *p;) {
        if (strncmp(p, "<mark>", 6) == 0) { p += 6; continue; }
        if (strncmp(p, "</mark>", 7) == 0) { p += 7; continue; }
        *w++ = *p++;
    }
    *w = '\0';
    assert_null(strchr(c, '<'));
    assert_null(strchr(c, '>'));
    assert_null(strchr(c, '"'));
    assert_null(strchr(c, '\''));
    for (char *a = c; (a = strchr(a, '&')); a++)
        assert_true(strncmp(a, "&amp;", 5) == 0 || strncmp(a, "&lt;", 4) == 0 || strncmp(a, "&gt;", 4) == 0 ||
                    strncmp(a, "&quot;", 6) == 0 || strncmp(a, "&#39;", 5) == 0);
    free(c);
}

static void test_marks_words_and_stems(void **state)
{
    struct fx *fx = *state;
    const char *t = "Hypnic jerks are common. A jerk happens while jerking awake; the Jerk is harmless.";
    char *s = snip(fx, t, strlen(t), (const char *const[]){ "jerks", NULL }, 200);
    assert_int_equal(count(s, "<mark>"), 4);
    assert_non_null(strstr(s, "<mark>jerks</mark>"));
    assert_non_null(strstr(s, "<mark>jerk</mark>"));
    assert_non_null(strstr(s, "<mark>jerking</mark>"));
    assert_non_null(strstr(s, "<mark>Jerk</mark>"));
    assert_null(strstr(s, "…")); /* the whole text fits */
    assert_escaped(s);
    free(s);
}

static void test_escaping(void **state)
{
    struct fx *fx = *state;
    const char *t = "Use <b>ice</b> & rest: \"cold\" packs, Tom's 'trick' > heat.";
    char *s = snip(fx, t, strlen(t), (const char *const[]){ "ice", "cold", NULL }, 200);
    assert_escaped(s);
    assert_non_null(strstr(s, "&lt;b&gt;<mark>ice</mark>&lt;/b&gt; &amp; rest: &quot;<mark>cold</mark>&quot;"));
    assert_non_null(strstr(s, "Tom&#39;s &#39;trick&#39; &gt; heat."));
    free(s);
}

static void test_best_passage(void **state)
{
    struct fx *fx = *state;
    /* "sleep" early, "sleep" and "apnea" together much later. */
    char t[8000];
    size_t n = (size_t)snprintf(t, sizeof t, "Sleep matters. ");
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(t + n, sizeof t - n, "Filler words about nothing much here. ");
    n += (size_t)snprintf(t + n, sizeof t - n, "Obstructive sleep apnea stops breathing at night. ");
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(t + n, sizeof t - n, "More filler text follows here. ");
    char *s = snip(fx, t, n, (const char *const[]){ "sleep", "apnea", NULL }, 200);
    assert_non_null(strstr(s, "<mark>sleep</mark> <mark>apnea</mark>"));
    /* Cut at both ends, at word boundaries, about 200 characters. */
    assert_true(strncmp(s, "…", 3) == 0);
    assert_true(strcmp(s + strlen(s) - 3, "…") == 0);
    assert_true(strlen(s) < 300);
    assert_true(strlen(s) > 120);
    /* Starts at the sentence of the match, ends after a whole word. */
    assert_non_null(strstr(s, "…Obstructive"));
    const char *end = s + strlen(s) - 4;
    assert_true(*end == '.' || (*end >= 'a' && *end <= 'z'));
    free(s);
}

static void test_phrases(void **state)
{
    struct fx *fx = *state;
    const char *t = "An infarction of the bowel differs from a myocardial infarction of the heart.";
    char *s = snip(fx, t, strlen(t), (const char *const[]){ "heart", "myocardial infarction", NULL }, 200);
    assert_non_null(strstr(s, "<mark>myocardial infarction</mark>"));
    assert_non_null(strstr(s, "An infarction of")); /* alone: not the phrase */
    assert_int_equal(count(s, "<mark>"), 2);
    free(s);
}

static void test_compounds(void **state)
{
    struct fx *fx = *state;
    const char *t = "The COVID-19 vaccine lowers the risk of severe covid.";
    char *s = snip(fx, t, strlen(t), (const char *const[]){ "covid-19", "covid", NULL }, 200);
    /* The compound is one mark, never nested marks. */
    assert_non_null(strstr(s, "<mark>COVID-19</mark>"));
    assert_non_null(strstr(s, "<mark>covid</mark>."));
    assert_null(strstr(s, "<mark><mark>"));
    assert_int_equal(count(s, "<mark>"), count(s, "</mark>"));
    free(s);
}

static void test_cjk(void **state)
{
    struct fx *fx = *state;
    const char *t = "失眠是指入睡困难、睡眠中容易醒。长期失眠会影响白天的精神状态。";
    char *s = snip(fx, t, strlen(t), (const char *const[]){ "失眠", NULL }, 200);
    assert_int_equal(count(s, "<mark>失眠</mark>"), 2);
    assert_true(valid_utf8(s));
    free(s);
}

static void test_no_match_and_empty(void **state)
{
    struct fx *fx = *state;
    char t[2000];
    size_t n = 0;
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(t + n, sizeof t - n, "Words without the query. ");
    char *s = snip(fx, t, n, (const char *const[]){ "zebra", NULL }, 100);
    assert_true(strncmp(s, "Words without", 13) == 0);
    assert_null(strstr(s, "<mark>"));
    assert_true(strcmp(s + strlen(s) - 3, "…") == 0);
    assert_true(strlen(s) <= 110);
    free(s);
    s = snip(fx, "", 0, (const char *const[]){ "zebra", NULL }, 100);
    assert_string_equal(s, "");
    free(s);
    s = snip(fx, "  \n\n  ", 6, (const char *const[]){ NULL }, 100);
    assert_string_equal(s, "");
    free(s);
}

static void test_invalid_utf8(void **state)
{
    struct fx *fx = *state;
    const char t[] = "bad \xff\xfe bytes \xe5\xa4 and a sleep word \xc3 cut\x00 nul \xed\xa0\x80 end";
    char *s = snip(fx, t, sizeof t - 1, (const char *const[]){ "sleep", NULL }, 200);
    assert_true(valid_utf8(s));
    assert_non_null(strstr(s, "<mark>sleep</mark>"));
    free(s);
}

static void test_huge_text(void **state)
{
    struct fx *fx = *state;
    size_t n = 4 * 1024 * 1024;
    char *t = malloc(n);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++)
        t[i] = "lorem ipsum dolor "[i % 18];
    memcpy(t + n - 200, " Glaucoma damages the optic nerve. ", 35);
    clock_t c0 = clock();
    char *s = snip(fx, t, n, (const char *const[]){ "glaucoma", NULL }, 200);
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    assert_non_null(strstr(s, "<mark>Glaucoma</mark>"));
    assert_true(strlen(s) < 400);
    assert_true(secs < 1.0); /* not a tokenization of 4 MB */
    free(s);
    /* A word longer than the width. */
    memset(t, 'x', 5000);
    s = snip(fx, t, 5000, (const char *const[]){ "x", NULL }, 50);
    assert_true(valid_utf8(s));
    free(s);
    free(t);
}

static void test_width_in_characters(void **state)
{
    struct fx *fx = *state;
    /* 600 Chinese characters: the width counts characters, not bytes. */
    char t[600 * 3 + 64];
    size_t n = 0;
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(t + n, sizeof t - n, "%s", i == 150 ? "失眠" : "睡觉");
    char *s = snip(fx, t, n, (const char *const[]){ "失眠", NULL }, 40);
    assert_non_null(strstr(s, "<mark>失眠</mark>"));
    size_t chars = 0;
    for (const char *p = s; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    assert_true(chars <= 40 + 2 + 13); /* 2 cut marks, the tags */
    assert_true(chars >= 25);
    free(s);
}

/* Skipping the chunks that cannot match gives exactly the snippet of
 * tokenizing everything: random texts from words that tokenize in unusual
 * ways (abbreviations, compounds, '_' and '@', apostrophes, numbers,
 * diacritics, CJK, over-long words, punctuation alone), random queries
 * of words, stems and phrases, random widths; and one huge text. */
static void test_skipping_equals_full_scan(void **state)
{
    struct fx *fx = *state;
    static const char *const vocab[] = {
        "heart", "Heart", "attack", "attacks", "attacking", "U.S.", "u.s", "COVID-19", "covid", "19", "Ca2+",
        "IgE+", "1+1", "C++", "_x", "x_y", "@home", "a@b", "Parkinson's", "parkinson", "don't", "e-mail",
        "2.5", "1,25-dihydroxyvitamin", "vitamin", "Sjögren", "sjogren", "sjögren's", "失眠", "睡眠障碍",
        "a", "I", "s", "-", "--", "(heart)", "[attack]", "heart,", "attack.", "\"vitamin\"", "x",
        "hyper\xc2\xadtension", "hypertension", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "blood", "pressure", "high", "sleep", "insomnia", "the", "of", "and", "what", "is", "treat",
        "treatment", "myocardial", "infarction", "3", "10mg", "mg", "Ab", "ab", "abc", "é", "naïve",
    };
    static const char *const seps[] = { " ", " ", " ", "\n", "  ", "\t", ". ", ", ", " - ", "\n\n", "/" };
    static const char *const queries[][4] = {
        { "heart", "attack", NULL }, { "heart attack", NULL }, { "attack", NULL }, { "u.s", NULL },
        { "us", NULL }, { "covid-19", NULL }, { "covid", "19", NULL }, { "ca2+", NULL }, { "x", NULL },
        { "_x", NULL }, { "home", NULL }, { "parkinson", NULL }, { "e-mail", "mail", NULL }, { "2.5", NULL },
        { "vitamin", NULL }, { "sjogren", NULL }, { "失眠", NULL }, { "睡眠", NULL }, { "a", NULL },
        { "s", "i", NULL }, { "hypertension", NULL }, { "myocardial infarction", "heart attack", NULL },
        { "blood pressure", "high", NULL }, { "treat", NULL }, { "mg", "10mg", NULL }, { "ab", NULL },
        { "naive", NULL }, { "e", NULL }, { "3", NULL },
    };
    unsigned seed = 12345;
    char text[4096];
    for (int round = 0; round < 1500; round++) {
        size_t len = 0;
        int nw = 1 + (int)(rand_r(&seed) % 120);
        for (int i = 0; i < nw; i++) {
            const char *w = vocab[rand_r(&seed) % (sizeof vocab / sizeof vocab[0])];
            const char *sp = seps[rand_r(&seed) % (sizeof seps / sizeof seps[0])];
            if (len + strlen(w) + strlen(sp) >= sizeof text)
                break;
            memcpy(text + len, w, strlen(w));
            len += strlen(w);
            if (i + 1 < nw) {
                memcpy(text + len, sp, strlen(sp));
                len += strlen(sp);
            }
        }
        const char *const *q = queries[rand_r(&seed) % (sizeof queries / sizeof queries[0])];
        size_t width = 20 + rand_r(&seed) % 200;
        snippet_set_full_scan(1);
        char *full = snip(fx, text, len, q, width);
        snippet_set_full_scan(0);
        char *fast = snip(fx, text, len, q, width);
        if (strcmp(full, fast) != 0)
            fail_msg("query '%s': text '%.*s'\n  all tokenized: %s\n  skipping:      %s", q[0], (int)len, text, full,
                     fast);
        free(full);
        free(fast);
    }
    /* a huge text: the match lies past the scanned start */
    size_t big = SNIPPET_SCAN_BYTES + 10000;
    char *t = malloc(big + 1);
    assert_non_null(t);
    for (size_t i = 0; i < big; i++)
        t[i] = i % 7 == 6 ? ' ' : "qwerty"[i % 7];
    memcpy(t + SNIPPET_SCAN_BYTES + 5000, " heart attack ", 14);
    static const char *const hq[] = { "heart attack", NULL };
    snippet_set_full_scan(1);
    char *full = snip(fx, t, big, hq, 0);
    snippet_set_full_scan(0);
    char *fast = snip(fx, t, big, hq, 0);
    assert_string_equal(full, fast);
    assert_int_equal(count(fast, "<mark>"), 1);
    free(full);
    free(fast);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_marks_words_and_stems, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_best_passage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phrases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cjk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_match_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_width_in_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skipping_equals_full_scan, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
