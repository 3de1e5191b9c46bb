/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spellcost: the weighted edit cost ranks the slips people make below
 * plain edits, phonetic spellings are cheap, and the variants spell the
 * sound back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../searchd/spellcost.h"

static double cost(const char *typed, const char *meant)
{
    return spellcost(typed, strlen(typed), meant, strlen(meant));
}

static void test_plain_edits(void **state)
{
    (void)state;
    assert_true(cost("insomnia", "insomnia") == 0);
    assert_true(cost("insmnia", "insomnia") > 0.5 && cost("insmnia", "insomnia") <= 1.0);   /* dropped */
    assert_true(cost("thearpy", "therapy") <= 0.5);                                         /* swapped */
    assert_true(cost("resttless", "restless") < cost("restlexss", "restless"));             /* doubled */
    assert_true(cost("hemorhage", "hemorrhage") < 0.5);                                     /* undoubled */
    assert_true(cost("prablems", "problems") < cost("prxblems", "problems"));               /* a vowel */
    assert_true(cost("diabetws", "diabetes") < cost("diabetqs", "diabetes"));               /* a near key */
    assert_true(cost("abc", "xyz") >= 3.0);
}

static void test_phonetic(void **state)
{
    (void)state;
    assert_true(cost("infecshun", "infection") <= 0.5);
    assert_true(cost("lymfoma", "lymphoma") <= 0.5);
    assert_true(cost("hemokromatosis", "hemochromatosis") <= 0.5);
    assert_true(cost("anemia", "anaemia") <= 0.5);
    assert_true(cost("soriasis", "psoriasis") <= 0.5);
    assert_true(cost("dizease", "disease") <= 0.5);
    /* cheaper than the plain edits the same letters would need */
    assert_true(cost("dehydrashun", "dehydration") < 1.0);
}

static void test_limits(void **state)
{
    (void)state;
    assert_true(spellcost_limit(4) < spellcost_limit(8));
    assert_true(spellcost_limit(8) <= spellcost_limit(20));
    char big[SPELLCOST_MAXLEN + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_true(cost(big, "a") == SPELLCOST_FAR);
}

struct seen {
    char v[16][SPELLCOST_MAXLEN + 8];
    size_t n;
};

static void on_variant(const char *v, size_t len, void *ud)
{
    struct seen *s = ud;
    assert_true(len == strlen(v));
    if (s->n < 16)
        strcpy(s->v[s->n++], v);
}

static int has(const struct seen *s, const char *v)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], v) == 0)
            return 1;
    return 0;
}

static void test_variants(void **state)
{
    (void)state;
    struct seen s = { .n = 0 };
    spellcost_variants("vaccinashun", 11, 12, on_variant, &s);
    assert_true(has(&s, "vaccination"));
    s.n = 0;
    spellcost_variants("lymfoma", 7, 12, on_variant, &s);
    assert_true(has(&s, "lymphoma"));
    s.n = 0;
    spellcost_variants("lymfoma", 7, 0, on_variant, &s); /* max 0: none */
    assert_int_equal(s.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_edits),
        cmocka_unit_test(test_phonetic),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_variants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
