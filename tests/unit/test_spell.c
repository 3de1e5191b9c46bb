/* SPDX-License-Identifier: GPL-2.0-or-later */
/* did_you_mean on a real Xapian database in a temporary directory, with a
 * word list file written here plus Debian's hunspell lists when they are
 * installed: unknown words are corrected (plain and phonetic slips), words the index or a dictionary
 * knows never are, neighbouring words decide between equally close
 * candidates, the answer is escaped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../searchd/spell.h"
#include "../../searchd/query.h"
#include "schema.h"
#include "tokenizer.h"
#include "xap.h"

struct fx {
    char dir[64];
    char dbpath[96];
    char dicpath[96];
    xap_db *db;
    struct tokenizer *tk;
    xap_stem *stem;
};

static struct fx F;

static int setup_group(void **state)
{
    (void)state;
    snprintf(F.dir, sizeof F.dir, "/tmp/medsearch-spell.XXXXXX");
    if (!mkdtemp(F.dir))
        return -1;
    snprintf(F.dbpath, sizeof F.dbpath, "%s/db", F.dir);
    snprintf(F.dicpath, sizeof F.dicpath, "%s/words.dic", F.dir);
    FILE *f = fopen(F.dicpath, "w");
    if (!f)
        return -1;
    /* hunspell layout: a count, words with /FLAGS, an indented header. */
    fputs("4\n    An indented header line\nDysphasia/S\nprednisolone\nZorblux/MS\n", f);
    fclose(f);
    F.tk = tokenizer_new();
    if (!F.tk || xap_stem_new("english", &F.stem) != XAP_OK)
        return -1;
    return 0;
}

static int teardown_group(void **state)
{
    (void)state;
    xap_db_close(F.db);
    tokenizer_free(F.tk);
    xap_stem_free(F.stem);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", F.dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Build the index once (the first test). */
static void build_index(void)
{
    if (F.db)
        return;
    xap_db *w = NULL;
    assert_int_equal(xap_db_open(F.dbpath, XAP_DB_CREATE_OR_OVERWRITE, &w), XAP_OK);
    xap_doc *d = NULL;
    const char *docs[][6] = {
        { "insomnia", "sleep", "treatment", NULL },
        { "insomnia", "night", "waking", NULL },
        { "dysphagia", "swallowing", NULL },
        { "jerk", "sleep", NULL },
        { "zorblax", "kidney", NULL },
        { "zorblix", "heart", NULL },
        { "zorblix", "heart", NULL },
        { "zorblix", "heart", NULL },
        { "primary", "care", NULL },
        { "infection", "fever", NULL },
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        char id[32];
        snprintf(id, sizeof id, "Qdoc%zu", i);
        assert_int_equal(xap_doc_new(&d), XAP_OK);
        assert_int_equal(xap_doc_add_term(d, id, 0), XAP_OK);
        for (uint32_t k = 0; docs[i][k]; k++) {
            const char *word = docs[i][k];
            char st[128], z[160];
            assert_int_equal(xap_doc_add_posting(d, word, k + 1, 1), XAP_OK);
            size_t sl = xap_stem_apply(F.stem, word, strlen(word), st, sizeof st);
            snprintf(z, sizeof z, "%s%.*s", PFX_STEM, (int)sl, st);
            assert_int_equal(xap_doc_add_term(d, z, 1), XAP_OK);
            assert_int_equal(xap_db_add_spelling(w, word, 1), XAP_OK);
        }
        assert_int_equal(xap_db_replace_by_term(w, id, d, NULL), XAP_OK);
        xap_doc_free(d);
    }
    assert_int_equal(xap_db_commit(w), XAP_OK);
    xap_db_close(w);
    assert_int_equal(xap_db_open(F.dbpath, XAP_DB_READONLY, &F.db), XAP_OK);
    char paths[512];
    snprintf(paths, sizeof paths, "%s,/usr/share/hunspell/en_US.dic,/usr/share/hunspell/en_med_glut.dic",
             F.dicpath);
    assert_true(spell_init(paths, F.tk, F.stem) >= 3);
    /* Later calls do not load again. */
    assert_int_equal(spell_init("/nonexistent", F.tk, F.stem), spell_init(NULL, F.tk, F.stem));
}

/* The corrected query of text, or NULL; *html (may be NULL) gets the html. */
static char *suggest(const char *text, char **html)
{
    build_index();
    struct query *q = NULL;
    assert_int_equal(query_parse(F.tk, text, strlen(text), QUERY_SYNTAX, NULL, &q), QUERY_OK);
    json_t *out = NULL;
    assert_int_equal(spell_suggest(F.db, F.stem, text, strlen(text), q, &out), XAP_OK);
    query_free(q);
    char *r = NULL;
    if (html)
        *html = NULL;
    if (out) {
        r = strdup(json_string_value(json_object_get(out, "query")));
        if (html)
            *html = strdup(json_string_value(json_object_get(out, "html")));
        json_decref(out);
    }
    return r;
}

static void expect(const char *text, const char *want)
{
    char *got = suggest(text, NULL);
    if (want == NULL ? got != NULL : (got == NULL || strcmp(got, want) != 0))
        fail_msg("[%s]: got %s, want %s", text, got ? got : "null", want ? want : "null");
    free(got);
}

static void test_corrects_unknown_words(void **state)
{
    (void)state;
    expect("insomina", "insomnia");             /* transposition */
    expect("insomnai", "insomnia");
    expect("insomniaa", "insomnia");             /* insertion */
    expect("insmnia", "insomnia");               /* deletion */
    expect("Insomina treatment", "insomnia treatment");
    expect("title:insomina -x", "title:insomnia -x"); /* the rest of the query as typed */
    expect("primari care", "primary care");     /* its stem is primary's, but it is no word */
    expect("infecshun", "infection");           /* phonetic: -tion typed as it sounds */
    expect("fevver", "fever");                  /* a doubled letter */
}

/* A word's hunspell suggestions are computed once: asked again, they come
 * from the cache, and the answer is the same. */
static void test_hunspell_cache(void **state)
{
    (void)state;
    static const char *const typos[] = { "qqxqzzvk", "pnewmoanyah", "wwpzqxj treatmint", "fevverr" };
    const size_t n = sizeof typos / sizeof typos[0];
    char *first[4];
    uint64_t c0, h0, c1, h1, c2, h2;
    build_index();
    spell_hunspell_counts(&c0, &h0);
    for (size_t i = 0; i < n; i++)
        first[i] = suggest(typos[i], NULL);
    spell_hunspell_counts(&c1, &h1);
    for (size_t i = 0; i < n; i++) {
        char *again = suggest(typos[i], NULL);
        if ((again == NULL) != (first[i] == NULL) || (again && strcmp(again, first[i]) != 0))
            fail_msg("[%s]: %s, then %s", typos[i], first[i] ? first[i] : "null", again ? again : "null");
        free(again);
        free(first[i]);
    }
    spell_hunspell_counts(&c2, &h2);
    if (access("/usr/share/hunspell/en_US.dic", R_OK) == 0)
        assert_true(c1 > c0);      /* some word needed hunspell */
    assert_int_equal(c2, c1);      /* none computed twice */
    assert_int_equal(h2 - h1, c1 - c0 + (h1 - h0)); /* each one answered from the cache */
}

static void test_known_words_stay(void **state)
{
    (void)state;
    expect("insomnia", NULL);        /* in the index */
    expect("jerks", NULL);           /* its stem is in the index */
    expect("dysphasia", NULL);       /* only in the word list: not dysphagia */
    expect("dysphasias", NULL);      /* the list's word, inflected */
    expect("prednisolone", NULL);
    expect("zorblux", NULL);         /* the list's word, though zorblax is one edit away */
    expect("qqxqzzv", NULL);         /* nothing close */
    expect("失眠", NULL);            /* CJK is not spell-checked */
    expect("b12 xy", NULL);          /* numbers, short words */
    expect("-insomina sleep", NULL); /* an excluded word is not offered */
}

static void test_neighbours_decide(void **state)
{
    (void)state;
    /* zorblox is one edit from zorblax (1 article) and zorblix (3). */
    expect("zorblox", "zorblix");               /* alone: the more frequent */
    expect("zorblox kidney", "zorblax kidney"); /* the one found with kidney */
    expect("zorblox heart", "zorblix heart");
}

static void test_html(void **state)
{
    (void)state;
    char *html = NULL;
    char *q = suggest("insomina & <sleep>", &html);
    assert_non_null(q);
    assert_string_equal(q, "insomnia & <sleep>");
    assert_string_equal(html, "<mark>insomnia</mark> &amp; &lt;sleep&gt;");
    free(q);
    free(html);
    q = suggest("\"insomina\" 'x'", &html);
    assert_string_equal(html, "&quot;<mark>insomnia</mark>&quot; &#39;x&#39;");
    free(q);
    free(html);
}

static void test_dictionary_folding(void **state)
{
    (void)state;
    build_index();
    assert_true(spell_dictionary_knows("dysphasia", 9, F.stem));  /* "Dysphasia/S" */
    assert_false(spell_dictionary_knows("an", 2, NULL) && access("/usr/share/hunspell/en_US.dic", R_OK) != 0);
    assert_false(spell_dictionary_knows("indented", 8, F.stem) &&
                 access("/usr/share/hunspell/en_US.dic", R_OK) != 0); /* header lines are skipped */
    assert_false(spell_dictionary_knows("qqxqzzv", 7, F.stem));
    assert_true(spell_dictionary_knows("zorblux", 7, NULL));    /* "Zorblux/MS" folded */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corrects_unknown_words),
        cmocka_unit_test(test_known_words_stay),
        cmocka_unit_test(test_hunspell_cache),
        cmocka_unit_test(test_neighbours_decide),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_dictionary_folding),
    };
    return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
