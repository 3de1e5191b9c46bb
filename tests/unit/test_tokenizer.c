/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ICU tokenizer on real input: edge cases (invalid UTF-8, NUL bytes,
 * lone surrogates, 1 MB words, empty input), invariants over mixed text
 * (offsets in bounds, source text matches the token, positions), folding,
 * CJK detection and huge inputs across chunk seams. Inputs are copied into
 * exact-size malloc'd buffers so ASan catches any read past the end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h>

#include "tokenizer.h"

struct fx {
    struct tokenizer *tk;
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->tk = tokenizer_new();
    if (!fx->tk) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    tokenizer_free(fx->tk);
    free(fx);
    return 0;
}

/* An exact-size heap copy of s[0..len). */
static char *exact(const char *s, size_t len)
{
    char *p = malloc(len ? len : 1);
    assert_non_null(p);
    memcpy(p, s, len);
    return p;
}

static int valid_utf8(const char *s, size_t len)
{
    int32_t n = (int32_t)len;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U8_NEXT(s, i, n, c);
        if (c < 0)
            return 0;
    }
    return 1;
}

/* Invariants every run must hold; returns the token count. */
static size_t check_run(struct tokenizer *tk, const char *in, size_t len, uint32_t base,
                        const struct tok_token **out)
{
    const struct tok_token *t = (const void *)1;
    size_t n = 99;
    assert_int_equal(tokenizer_run(tk, in, len, base, &t, &n), 0);
    uint32_t expect = base; /* a compound shares its first part's position */
    for (size_t i = 0; i < n; i++) {
        assert_true(t[i].start < t[i].end);
        assert_true(t[i].end <= len);
        assert_true(t[i].len > 0);
        assert_int_equal(strlen(t[i].text), t[i].len);
        assert_int_equal(strlen(t[i].form), t[i].form_len);
        assert_true(valid_utf8(t[i].text, t[i].len));
        assert_true(valid_utf8(t[i].form, t[i].form_len));
        assert_true(valid_utf8(in + t[i].start, t[i].end - t[i].start));
        assert_int_equal(t[i].pos, expect);
        if (t[i].flags & TOK_COMPOUND) {
            assert_true(i + 1 < n && (t[i + 1].flags & TOK_PART));
            assert_int_equal(t[i + 1].start, t[i].start);
        } else {
            expect++;
        }
        if (t[i].flags & TOK_PART)
            assert_true(t[i].start >= t[i - 1].start && t[i].end <= len);
        if (!(t[i].flags & TOK_FOLDED)) {
            assert_int_equal(t[i].len, t[i].form_len);
            assert_memory_equal(t[i].text, t[i].form, t[i].len);
        }
    }
    if (n)
        assert_int_equal(tokenizer_next_pos(tk), t[n - 1].pos + 1);
    else
        assert_int_equal(tokenizer_next_pos(tk), base);
    *out = t;
    return n;
}

static size_t run_str(struct tokenizer *tk, const char *s, size_t len, const struct tok_token **t,
                      char **buf /* OUT */)
{
    *buf = exact(s, len);
    return check_run(tk, *buf, len, 0, t);
}

static void assert_tok(const struct tok_token *t, const char *text, size_t start, size_t end, uint32_t pos)
{
    assert_string_equal(t->text, text);
    assert_int_equal(t->start, start);
    assert_int_equal(t->end, end);
    assert_int_equal(t->pos, pos);
}

static void test_empty(void **state)
{
    struct fx *fx = *state;
    const struct tok_token *t = (const void *)1;
    size_t n = 5;
    assert_int_equal(tokenizer_run(fx->tk, NULL, 0, 7, &t, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(tokenizer_next_pos(fx->tk), 7);
    char *buf = exact("", 0);
    assert_int_equal(check_run(fx->tk, buf, 0, 3, &t), 0);
    assert_int_equal(tokenizer_next_pos(fx->tk), 3);
    free(buf);
    /* NULL with a length is a caller error, not a crash */
    n = 5;
    assert_int_equal(tokenizer_run(fx->tk, NULL, 4, 0, &t, &n), -1);
    assert_int_equal(n, 0);
    assert_null(t);
}

static void test_only_punctuation(void **state)
{
    struct fx *fx = *state;
    const struct tok_token *t;
    char *buf;
    const char *s = " ...--- !?;: () \"'' \xe2\x80\x94 @@@ +++ /// \xf0\x9f\x98\x80 \n";
    assert_int_equal(run_str(fx->tk, s, strlen(s), &t, &buf), 0);
    free(buf);
}

static void test_nul_bytes(void **state)
{
    struct fx *fx = *state;
    const struct tok_token *t;
    char *buf;
    static const char s[] = "abc\0def\0\0IL-6\0";
    size_t n = run_str(fx->tk, s, sizeof s - 1, &t, &buf);
    assert_int_equal(n, 5);
    assert_tok(&t[0], "abc", 0, 3, 0);
    assert_tok(&t[1], "def", 4, 7, 1);
    assert_tok(&t[2], "il-6", 9, 13, 2);
    assert_true(t[2].flags & TOK_COMPOUND);
    assert_tok(&t[3], "il", 9, 11, 2);
    assert_tok(&t[4], "6", 12, 13, 3);
    free(buf);
    /* a NUL between joiner and word breaks the compound */
    static const char s2[] = "IL-\0" "6";
    n = run_str(fx->tk, s2, sizeof s2 - 1, &t, &buf);
    assert_int_equal(n, 2);
    assert_tok(&t[0], "il", 0, 2, 0);
    assert_tok(&t[1], "6", 4, 5, 1);
    free(buf);
}

static void test_invalid_utf8(void **state)
{
    struct fx *fx = *state;
    const struct tok_token *t;
    char *buf;
    /* stray continuation, truncated 2/3/4-byte sequences, overlong, 0xFF */
    static const char s[] = "ab\x80" "cd caf\xc3 \xe2\x82 x\xf0\x9f\x98 \xc0\xaf" "e \xff\xfe" "end\xe2";
    size_t n = run_str(fx->tk, s, sizeof s - 1, &t, &buf);
    assert_int_equal(n, 6);
    assert_tok(&t[0], "ab", 0, 2, 0);
    assert_tok(&t[1], "cd", 3, 5, 1);
    assert_tok(&t[2], "caf", 6, 9, 2);
    assert_tok(&t[3], "x", 14, 15, 3);
    assert_tok(&t[4], "e", 21, 22, 4);
    assert_tok(&t[5], "end", 25, 28, 5);
    free(buf);
    /* every truncation of a valid multi-byte text */
    const char *v = "Sjögren 新冠 β-blocker ไทย";
    size_t vl = strlen(v);
    for (size_t cut = 0; cut <= vl; cut++) {
        buf = exact(v, cut);
        check_run(fx->tk, buf, cut, 0, &t);
        free(buf);
    }
}

static void test_lone_surrogates(void **state)
{
    struct fx *fx = *state;
    const struct tok_token *t;
    char *buf;
    /* CESU-style surrogates: high alone, low alone, and a pair */
    static const char s[] = "a\xed\xa0\x80" "b \xed\xbf\xbf" "c \xed\xa0\xbd\xed\xb8\x80" "d";
    size_t n = run_str(fx->tk, s, sizeof s - 1, &t, &buf);
    assert_int_equal(n, 4);
    assert_tok(&t[0], "a", 0, 1, 0);
    assert_tok(&t[1], "b", 4, 5, 1);
    assert_tok(&t[2], "c", 9, 10, 2);
    assert_tok(&t[3], "d", 17, 18, 3);
    free(buf);
}

static void test_long_words(void **state)
{
    struct fx *fx = *state;
    const struct tok_token *t;
    size_t big = 1 << 20;
    char *buf = malloc(big + 4);
    assert_non_null(buf);
    /* one 1 MB word alone: skipped */
    memset(buf, 'a', big);
    assert_int_equal(check_run(fx->tk, buf, big, 0, &t), 0);
    /* between two words: skipped, takes no position */
    memcpy(buf, "x ", 2);
    memcpy(buf + big + 2, " y", 2);
    memset(buf + 2, 'a', big);
    size_t n = check_run(fx->tk, buf, big + 4, 0, &t);
    assert_int_equal(n, 2);
    assert_tok(&t[0], "x", 0, 1, 0);
    assert_tok(&t[1], "y", big + 3, big + 4, 1);
    /* exactly TOKENIZER_MAX_WORD is kept, one more byte is not */
    memset(buf, 'b', TOKENIZER_MAX_WORD + 1);
    buf[TOKENIZER_MAX_WORD] = ' ';
    n = check_run(fx->tk, buf, TOKENIZER_MAX_WORD + 1, 0, &t);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].len, TOKENIZER_MAX_WORD);
    memset(buf, 'b', TOKENIZER_MAX_WORD + 1);
    assert_int_equal(check_run(fx->tk, buf, TOKENIZER_MAX_WORD + 1, 0, &t), 0);
    /* a 1 MB chain "a-a-a-...": too long for a compound, parts stay words */
    for (size_t i = 0; i < big; i++)
        buf[i] = (i & 1) ? '-' : 'a';
    n = check_run(fx->tk, buf, big, 0, &t);
    assert_int_equal(n, big / 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t[i].flags, 0);
        assert_int_equal(t[i].pos, i);
    }
    free(buf);
    /* a 1 MB run of Han characters: dictionary segmentation, no crash */
    size_t han = (big / 3) * 3;
    buf = malloc(han);
    assert_non_null(buf);
    for (size_t i = 0; i < han; i += 3)
        memcpy(buf + i, (i / 3) % 2 ? "\xe7\x97\x85" : "\xe5\xbf\x83", 3); /* 心病 */
    n = check_run(fx->tk, buf, han, 0, &t);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++)
        assert_true(t[i].flags & TOK_CJK);
    free(buf);
}

static void test_compounds(void **state)
{
    struct fx *fx = *state;
    const struct tok_token *t;
    char *buf;
    const char *s = "COVID-19 Ca2+ 1,25-dihydroxyvitamin \xce\xb2-blocker SARS\xe2\x80\x90" "CoV\xe2\x80\x91" "2 pre- post";
    size_t n = run_str(fx->tk, s, strlen(s), &t, &buf);
    assert_int_equal(n, 17);
    assert_tok(&t[0], "covid-19", 0, 8, 0);
    assert_int_equal(t[0].flags, TOK_COMPOUND);
    assert_tok(&t[1], "covid", 0, 5, 0);
    assert_int_equal(t[1].flags, TOK_PART);
    assert_tok(&t[2], "19", 6, 8, 1);
    assert_int_equal(t[2].flags, TOK_PART | TOK_NUMERIC);
    assert_tok(&t[3], "ca2+", 9, 13, 2);
    assert_int_equal(t[3].flags, TOK_COMPOUND);
    assert_tok(&t[4], "ca2", 9, 12, 2);
    assert_tok(&t[5], "1,25-dihydroxyvitamin", 14, 35, 3);
    assert_tok(&t[6], "1,25", 14, 18, 3);
    assert_tok(&t[7], "dihydroxyvitamin", 19, 35, 4);
    assert_tok(&t[8], "\xce\xb2-blocker", 36, 46, 5);
    assert_tok(&t[9], "\xce\xb2", 36, 38, 5);
    assert_tok(&t[10], "blocker", 39, 46, 6);
    /* Unicode hyphens become '-' in the compound's text */
    assert_tok(&t[11], "sars-cov-2", 47, 61, 7);
    assert_tok(&t[12], "sars", 47, 51, 7);
    assert_tok(&t[13], "cov", 54, 57, 8);
    assert_tok(&t[14], "2", 60, 61, 9);
    assert_tok(&t[15], "pre", 62, 65, 10); /* "pre-" then a space: no compound */
    assert_int_equal(t[15].flags, 0);
    assert_tok(&t[16], "post", 67, 71, 11);
    assert_int_equal(tokenizer_next_pos(fx->tk), 12);
    free(buf);
    /* numbers joined by '/' or '-' stay numeric */
    s = "2020/01/31 3-4";
    n = run_str(fx->tk, s, strlen(s), &t, &buf);
    assert_int_equal(n, 7);
    assert_tok(&t[0], "2020/01/31", 0, 10, 0);
    assert_int_equal(t[0].flags, TOK_COMPOUND | TOK_NUMERIC);
    assert_tok(&t[4], "3-4", 11, 14, 3);
    free(buf);
}

/* Letters joined by '.': an abbreviated name is a compound of its parts
 * (so "H.pylori" meets "H. pylori"); a lost space after a full stop
 * ("cancer.Here") is two words; numbers keep their '.'. */
static void test_dotted(void **state)
{
    struct fx *fx = *state;
    const struct tok_token *t;
    char *buf;
    const char *s = "H.pylori-mediated cancer.Here E.coli 3.5 v1.2";
    size_t n = run_str(fx->tk, s, strlen(s), &t, &buf);
    assert_int_equal(n, 11);
    assert_tok(&t[0], "h.pylori-mediated", 0, 17, 0);
    assert_int_equal(t[0].flags, TOK_COMPOUND);
    assert_tok(&t[1], "h", 0, 1, 0);
    assert_int_equal(t[1].flags, TOK_PART);
    assert_tok(&t[2], "pylori", 2, 8, 1);
    assert_tok(&t[3], "mediated", 9, 17, 2);
    assert_tok(&t[4], "cancer", 18, 24, 3);
    assert_int_equal(t[4].flags, 0);
    assert_tok(&t[5], "here", 25, 29, 4);
    assert_int_equal(t[5].flags, 0);
    assert_tok(&t[6], "e.coli", 30, 36, 5);
    assert_int_equal(t[6].flags, TOK_COMPOUND);
    assert_tok(&t[7], "e", 30, 31, 5);
    assert_tok(&t[8], "coli", 32, 36, 6);
    assert_tok(&t[9], "3.5", 37, 40, 7);
    assert_tok(&t[10], "v1.2", 41, 45, 8);
    free(buf);
}

static void test_words(void **state)
{
    struct fx *fx = *state;
    const struct tok_token *t;
    char *buf;
    const char *s = "HbA1c B12 H1N1 2.5 Parkinson\xe2\x80\x99s don't Sj\xc3\xb6gren hyper\xc2\xadtension \xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3";
    size_t n = run_str(fx->tk, s, strlen(s), &t, &buf);
    assert_int_equal(n, 9);
    assert_tok(&t[0], "hba1c", 0, 5, 0);
    assert_int_equal(t[0].flags, 0);
    assert_tok(&t[1], "b12", 6, 9, 1);
    assert_int_equal(t[1].flags, 0);
    assert_tok(&t[2], "h1n1", 10, 14, 2);
    assert_tok(&t[3], "2.5", 15, 18, 3);
    assert_int_equal(t[3].flags, TOK_NUMERIC);
    assert_tok(&t[4], "parkinson", 19, 32, 4); /* possessive stripped, offsets whole */
    assert_tok(&t[5], "don't", 33, 38, 5);
    assert_tok(&t[6], "sjogren", 39, 47, 6);
    assert_string_equal(t[6].form, "sj\xc3\xb6gren");
    assert_int_equal(t[6].flags, TOK_FOLDED);
    assert_tok(&t[7], "hypertension", 48, 62, 7);
    assert_tok(&t[8], "abc", 63, 72, 8);
    free(buf);
}

static void test_cjk(void **state)
{
    struct fx *fx = *state;
    const struct tok_token *t;
    char *buf;
    const char *s = "\xe6\x96\xb0\xe5\x86\xa0" "COVID-19" "\xe7\x96\xab\xe8\x8b\x97"; /* 新冠COVID-19疫苗 */
    size_t n = run_str(fx->tk, s, strlen(s), &t, &buf);
    assert_int_equal(n, 5);
    assert_tok(&t[0], "\xe6\x96\xb0\xe5\x86\xa0", 0, 6, 0);
    assert_int_equal(t[0].flags, TOK_CJK);
    assert_tok(&t[1], "covid-19", 6, 14, 1);
    assert_tok(&t[4], "\xe7\x96\xab\xe8\x8b\x97", 14, 20, 3);
    assert_int_equal(t[4].flags, TOK_CJK);
    free(buf);
    /* kana keep their dakuten (no diacritic folding outside Latin marks) */
    s = "\xe3\x81\x8c\xe3\x82\x93"; /* がん */
    n = run_str(fx->tk, s, strlen(s), &t, &buf);
    assert_int_equal(n, 1);
    assert_string_equal(t[0].text, s);
    assert_true(t[0].flags & TOK_CJK);
    free(buf);
}

static void test_is_cjk(void **state)
{
    (void)state;
    assert_true(tokenizer_is_cjk("\xe4\xb8\xad", 3));     /* 中 */
    assert_true(tokenizer_is_cjk("\xe3\x81\xae", 3));     /* の */
    assert_true(tokenizer_is_cjk("\xe3\x82\xab", 3));     /* カ */
    assert_true(tokenizer_is_cjk("\xed\x95\x9c", 3));     /* 한 */
    assert_true(tokenizer_is_cjk("\xf0\xa0\x80\x80", 4)); /* U+20000, ext. B */
    assert_false(tokenizer_is_cjk("abc", 3));
    assert_false(tokenizer_is_cjk("\xce\xb2", 2));        /* β */
    assert_false(tokenizer_is_cjk("\xe0\xb9\x84", 3));    /* Thai: not an ideograph */
    assert_false(tokenizer_is_cjk("", 0));
    assert_false(tokenizer_is_cjk("\xe4\xb8", 2));        /* truncated 中 */
    assert_false(tokenizer_is_cjk("\xed\xa0\x80", 3));    /* lone surrogate */
    assert_false(tokenizer_is_cjk("\xef\xbc\xa1", 3));    /* fullwidth A */
}

static void test_fold(void **state)
{
    struct fx *fx = *state;
    char buf[64];
    assert_int_equal(tokenizer_fold(fx->tk, "Sj\xc3\xb6gren", 8, buf, sizeof buf), 7);
    assert_string_equal(buf, "sjogren");
    assert_int_equal(tokenizer_fold(fx->tk, "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3", 9, buf, sizeof buf), 3);
    assert_string_equal(buf, "abc");
    assert_int_equal(tokenizer_fold(fx->tk, "Stra\xc3\x9f" "e", 7, buf, sizeof buf), 7);
    assert_string_equal(buf, "strasse");
    assert_int_equal(tokenizer_fold(fx->tk, "Heart Disease", 13, buf, sizeof buf), 13);
    assert_string_equal(buf, "heart disease");
    assert_int_equal(tokenizer_fold(fx->tk, "M\xc3\xa9ni\xc3\xa8re's", 11, buf, sizeof buf), 9);
    assert_string_equal(buf, "meniere's"); /* fold keeps the possessive */
    assert_int_equal(tokenizer_fold(fx->tk, "", 0, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    assert_int_equal(tokenizer_fold(fx->tk, "\xe5\xbf\x83\xe8\x84\x8f", 6, buf, sizeof buf), 6);
    /* invalid UTF-8 becomes U+FFFD, never an error */
    assert_int_equal(tokenizer_fold(fx->tk, "a\xff", 2, buf, sizeof buf), 4);
    assert_string_equal(buf, "a\xef\xbf\xbd");
    /* does not fit: -1, ASCII and non-ASCII paths; the NUL counts */
    assert_int_equal(tokenizer_fold(fx->tk, "abc", 3, buf, 3), (size_t)-1);
    assert_int_equal(tokenizer_fold(fx->tk, "abc", 3, buf, 4), 3);
    assert_int_equal(tokenizer_fold(fx->tk, "caf\xc3\xa9", 5, buf, 4), (size_t)-1);
    assert_int_equal(tokenizer_fold(fx->tk, "caf\xc3\xa9", 5, buf, 5), 4);
    assert_string_equal(buf, "cafe");
    assert_int_equal(tokenizer_fold(fx->tk, "x", 1, buf, 0), (size_t)-1);
}

/* Every token's text is what tokenizer_fold makes of its source bytes
 * (plain words without apostrophes), and the source is the form when
 * normalization left it alone. */
static void test_source_matches(void **state)
{
    struct fx *fx = *state;
    const struct tok_token *t;
    char *buf;
    const char *s = "The Patient's HbA1c was 6.5% (IL-6 high); Sjögren, naïve CAFÉ, ﬁbrosis 新冠肺炎 "
                    "ＣＯＶＩＤ－１９ Ca2+ β-blocker x/y 1,25-dihydroxyvitamin ไทย 東京タワー "
                    "\xf0\x9f\x98\x80 pain \xf0\x9d\x90\x80" "bc \xff fever \xe2\x82 rash 𠀀𠀁 cough";
    size_t n = run_str(fx->tk, s, strlen(s), &t, &buf);
    assert_true(n > 20);
    char f[512];
    for (size_t i = 0; i < n; i++) {
        const char *src = buf + t[i].start;
        size_t sl = t[i].end - t[i].start;
        if (sl == t[i].form_len && memcmp(src, t[i].form, sl) == 0)
            continue; /* untouched by normalization */
        if (t[i].flags & TOK_COMPOUND || memchr(src, '\'', sl))
            continue;
        size_t fl = tokenizer_fold(fx->tk, src, sl, f, sizeof f);
        assert_int_not_equal(fl, (size_t)-1);
        assert_string_equal(f, t[i].text);
    }
    /* byte offsets after 4-byte characters and ill-formed bytes (the
     * break iterator reads UTF-16: each unit maps back to its byte) */
    const char *const after[] = { "pain", "fever", "rash", "cough" };
    for (size_t k = 0; k < 4; k++) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(t[i].text, after[k]) == 0 && t[i].end - t[i].start == strlen(after[k]) &&
                    memcmp(buf + t[i].start, after[k], strlen(after[k])) == 0;
        assert_true(found);
    }
    free(buf);
}

static void test_reuse_and_base(void **state)
{
    struct fx *fx = *state;
    const struct tok_token *t;
    char *a = exact("alpha beta", 10), *b = exact("gamma", 5);
    assert_int_equal(check_run(fx->tk, a, 10, 100, &t), 2);
    assert_int_equal(t[1].pos, 101);
    assert_int_equal(tokenizer_next_pos(fx->tk), 102);
    assert_int_equal(check_run(fx->tk, b, 5, tokenizer_next_pos(fx->tk) + 10, &t), 1);
    assert_tok(&t[0], "gamma", 0, 5, 112);
    assert_int_equal(tokenizer_next_pos(fx->tk), 113);
    free(a);
    free(b);
}

/* Random bytes biased towards UTF-8 fragments and joiners: invariants only. */
static void test_random_bytes(void **state)
{
    struct fx *fx = *state;
    static const char *frags[] = { "a", "Z", "1", "-", "/", "+", ",", ".", " ", "\0", "\xc3", "\xa9",
                                   "\xe4\xb8\xad", "\xe2\x80\x90", "\xc2\xad", "\xed\xa0\x80", "\xff",
                                   "'", "\xe2\x80\x99", "\xcc\x81", "\xe0\xb9\x84", "\xef\xbc\x8d" };
    static const size_t flen[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 2, 3, 1, 1, 3, 2, 3, 3 };
    unsigned seed = 12345;
    const struct tok_token *t;
    for (int iter = 0; iter < 2000; iter++) {
        char tmp[512];
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        size_t nfr = (seed >> 16) % 60;
        for (size_t k = 0; k < nfr; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t f = (seed >> 16) % (sizeof frags / sizeof *frags);
            memcpy(tmp + len, frags[f], flen[f]);
            len += flen[f];
        }
        char *buf = exact(tmp, len);
        check_run(fx->tk, buf, len, 0, &t);
        free(buf);
    }
}

/* A large input tokenizes the same whether cut into many small chunks or
 * not, and memory stays bounded (ASan would report leaks). */
static void test_huge_and_chunks(void **state)
{
    struct fx *fx = *state;
    static const char *words[] = { "COVID-19 ", "patients ", "with ", "Sj\xc3\xb6gren's ", "IL-6 ",
                                   "\xe5\xbf\x83\xe8\x82\x8c\xe6\xa2\x97\xe6\xad\xbb ", "Ca2+ ", "2.5\n" };
    size_t target = 8u << 20, len = 0;
    char *buf = malloc(target);
    assert_non_null(buf);
    for (size_t i = 0;; i++) {
        const char *w = words[i % (sizeof words / sizeof *words)];
        size_t wl = strlen(w);
        if (len + wl > target)
            break;
        memcpy(buf + len, w, wl);
        len += wl;
    }
    const struct tok_token *t;
    size_t n = check_run(fx->tk, buf, len, 0, &t);
    assert_true(n > len / 8);
    struct tok_token *copy = malloc(n * sizeof *copy);
    assert_non_null(copy);
    memcpy(copy, t, n * sizeof *copy);
    uint32_t next = tokenizer_next_pos(fx->tk);
    /* same input in 4 KB chunks: same tokens (texts compared by value) */
    struct tokenizer *small = tokenizer_new();
    assert_non_null(small);
    tokenizer_set_chunk_size(small, 4096);
    size_t m = check_run(small, buf, len, 0, &t);
    assert_int_equal(m, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t[i].start, copy[i].start);
        assert_int_equal(t[i].end, copy[i].end);
        assert_int_equal(t[i].pos, copy[i].pos);
        assert_int_equal(t[i].flags, copy[i].flags);
        assert_string_equal(t[i].text, copy[i].text);
    }
    assert_int_equal(tokenizer_next_pos(small), next);
    /* Han text without spaces across tiny chunks: cut at a char boundary */
    tokenizer_set_chunk_size(small, 100);
    size_t hl = 0;
    for (; hl + 12 <= 100000; hl += 12)
        memcpy(buf + hl, "\xe5\xbf\x83\xe8\x82\x8c\xe6\xa2\x97\xe6\xad\xbb", 12);
    m = check_run(small, buf, hl, 0, &t);
    assert_true(m > 0);
    tokenizer_free(small);
    free(copy);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_punctuation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lone_surrogates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dotted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cjk, setup, teardown),
        cmocka_unit_test(test_is_cjk),
        cmocka_unit_test_setup_teardown(test_fold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_matches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reuse_and_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_and_chunks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
