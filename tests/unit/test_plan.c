/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The search plan (searchd/plan.h) of a table of queries, bound to a real
 * Xapian database in a temporary directory that holds one synonym key
 * ("heart attack" -> "myocardial infarction") and one article title
 * ("Sleep apnea"): the words with their stems and roles (match, boost
 * only, dropped), the stop-word policy, BM25 k1, the field weights, the
 * PRF decision and the synonym groups, as plan_describe prints them. Then
 * what rank_query makes of the roles on the same database: function words
 * never match alone, a query of function words only still matches, PRF
 * terms only re-rank, and equal scores come in article-id order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../searchd/plan.h"
#include "../../searchd/rank.h"
#include "config.h"
#include "../../searchd/query.h"
#include "schema.h"
#include "tokenizer.h"
#include "xap.h"

struct fx {
    char dir[64];
    char dbpath[96];
    xap_db *db;
    struct tokenizer *tk;
    xap_stem *stem;
    struct rank_opts o;
};

static struct fx F;

/* Documents: id and plain words (each also as its stem Z term). */
static const char *const docs[][6] = {
    { "d-heart", "heart", "attack", "pain", NULL },
    { "c-mi", "myocardial", "infarction", NULL },
    { "b-the", "the", "is", "fine", NULL },
    { "a-sleep", "sleep", "apnea", "the", NULL },
    { "e-what", "what", "is", "sleep", NULL },
    /* an article in Chinese: Latin words without English stems (termgen) */
    { "f-zh", "sleeping", "apneas", NULL },
};

static int setup_group(void **state)
{
    (void)state;
    snprintf(F.dir, sizeof F.dir, "/tmp/medsearch-plan.XXXXXX");
    if (!mkdtemp(F.dir))
        return -1;
    snprintf(F.dbpath, sizeof F.dbpath, "%s/db", F.dir);
    F.tk = tokenizer_new();
    if (!F.tk || xap_stem_new("english", &F.stem) != XAP_OK)
        return -1;
    struct config cfg;
    if (config_init(&cfg) != 0)
        return -1;
    rank_opts_from_config(&F.o, &cfg);
    config_free(&cfg);
    xap_db *w = NULL;
    if (xap_db_open(F.dbpath, XAP_DB_CREATE_OR_OVERWRITE, &w) != XAP_OK)
        return -1;
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        xap_doc *d = NULL;
        char t[SCHEMA_MAX_TERM + 1], st[SCHEMA_MAX_TERM + 1];
        if (xap_doc_new(&d) != XAP_OK)
            return -1;
        schema_id_term(t, docs[i][0]);
        xap_doc_add_term(d, t, 0);
        xap_doc_set_value(d, VAL_ID, docs[i][0], strlen(docs[i][0]));
        int zh = strcmp(docs[i][0], "f-zh") == 0;
        if (zh)
            xap_doc_add_boolean_term(d, PFX_LANG "zh");
        for (size_t j = 1; docs[i][j]; j++) {
            xap_doc_add_posting(d, docs[i][j], (uint32_t)j, 1);
            if (zh)
                continue;
            size_t sl = xap_stem_apply(F.stem, docs[i][j], strlen(docs[i][j]), st, sizeof st);
            schema_term(t, PFX_STEM, st, sl);
            xap_doc_add_posting(d, t, (uint32_t)j, 1);
        }
        if (strcmp(docs[i][0], "a-sleep") == 0) {
            schema_titlekey_term(t, F.tk, "Sleep apnea");
            xap_doc_add_boolean_term(d, t);
        }
        /* a title and a heading, stemmed (ZS, ZH), away from the ties of
         * test_ties_by_id */
        if (strcmp(docs[i][0], "d-heart") == 0) {
            xap_doc_add_term(d, "ZSheart", 1);
            xap_doc_add_term(d, "ZSattack", 1);
        }
        if (strcmp(docs[i][0], "e-what") == 0)
            xap_doc_add_term(d, "ZHsleep", 1);
        schema_id_term(t, docs[i][0]);
        if (xap_db_replace_by_term(w, t, d, NULL) != XAP_OK)
            return -1;
        xap_doc_free(d);
    }
    if (xap_db_add_synonym(w, "heart attack", "myocardial infarction") != XAP_OK || xap_db_commit(w) != XAP_OK)
        return -1;
    xap_db_close(w);
    return xap_db_open(F.dbpath, XAP_DB_READONLY, &F.db) == XAP_OK ? 0 : -1;
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

static struct plan *make_on(xap_db *db, const char *text, enum query_mode mode)
{
    struct query_limits lim = { 64, 0, 0 };
    struct plan *p = NULL;
    enum query_status qs = plan_new(F.tk, F.stem, &F.o, text, strlen(text), mode, &lim, &p);
    assert_true(qs == QUERY_OK || qs == QUERY_EMPTY);
    assert_non_null(p);
    assert_int_equal(plan_bind(p, db), XAP_OK);
    /* binding twice (a retry after DatabaseModifiedError) gives the same plan */
    assert_int_equal(plan_bind(p, db), XAP_OK);
    return p;
}

static struct plan *make(const char *text, enum query_mode mode)
{
    return make_on(F.db, text, mode);
}

/* ---- the table -------------------------------------------------------------- */

static const struct {
    const char *query;
    const char *plan; /* plan_describe */
} table[] = {
    /* two content words: both match, a synonym group for the pair */
    { "heart attack",
      "words=heart:match,attack:match stop=keep k1=1.2 b=0.75 title=0.3 heading=0.3 prf=on "
      "syn[heart attack]=myocardial infarction" },
    /* a question opener only boosts (weight question_weight) */
    { "what is glaucoma",
      "words=what:boost*0.3,is:boost*0.3,glaucoma:match stop=keep k1=1.2 b=0.75 title=0.3 heading=0.3 prf=on" },
    /* a function word of a short query boosts, never matches alone */
    { "the sleeping",
      "words=the:boost,sleeping/sleep:match stop=keep k1=1.2 b=0.75 title=0.3 heading=0.3 prf=on" },
    /* only function words: they are the query */
    { "the is",
      "words=the:match,is:match stop=only k1=1.2 b=0.75 title=0.3 heading=0.3 prf=too few words" },
    /* a long question drops its function words */
    { "why do my legs jerk in bed",
      "words=why/whi:dropped,do:dropped,my:dropped,legs/leg:match,jerk:match,in:dropped,bed:match stop=drop k1=1.2 "
      "b=0.75 title=0.3 heading=0.3 prf=on" },
    /* a known-item search (an article's exact title): no PRF */
    { "Sleep Apnea",
      "words=sleep:match,apnea:match stop=keep k1=1.2 b=0.75 title=0.3 heading=0.3 prf=known-item" },
    /* mostly CJK: the CJK k1, no PRF (the expand set holds English stems) */
    { "失眠 治疗",
      "words=失眠:match,治疗:match stop=keep k1=0.7 b=0.75 title=0.3 heading=0.3 prf=too few words" },
    /* structured: a phrase and an exclusion; the plain word still matches */
    { "\"heart attack\" -pain sleep",
      "words=sleep:match stop=keep k1=1.2 b=0.75 title=0.3 heading=0.3 prf=on structured" },
    /* a function word next to a phrase boosts (the phrase matches) */
    { "\"sleep apnea\" the",
      "words=the:boost stop=keep k1=1.2 b=0.75 title=0.3 heading=0.3 prf=on structured" },
    /* compounds are not stemmed */
    { "covid-19",
      "words=covid-19:match stop=keep k1=1.2 b=0.75 title=0.3 heading=0.3 prf=on" },
};

static void test_table(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        struct plan *p = make(table[i].query, QUERY_SYNTAX);
        char *d = plan_describe(p);
        assert_non_null(d);
        if (strcmp(d, table[i].plan) != 0) {
            fprintf(stderr, "# query \"%s\"\n#   want %s\n#   got  %s\n", table[i].query, table[i].plan, d);
            bad++;
        }
        free(d);
        plan_free(p);
    }
    assert_int_equal(bad, 0);
}

static void test_empty(void **state)
{
    (void)state;
    struct plan *p = make("  -- ", QUERY_SYNTAX);
    assert_null(p->q);
    assert_int_equal(p->n_words, 0);
    assert_false(plan_prf(p));
    plan_free(p);
}

/* ---- the queries rank_query makes of them -------------------------------------- */

/* Ids of the matches of text in db, in order, comma-separated; *desc
 * (may be NULL): the plan's plan_describe. */
static char *match_ids_on(xap_db *db, const char *text, uint32_t *total, char **desc)
{
    struct plan *p = make_on(db, text, QUERY_SYNTAX);
    xap_query *q = NULL;
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    if (desc)
        assert_non_null(*desc = plan_describe(p));
    assert_int_equal(rank_query(p, db, F.stem, &q, NULL), XAP_OK);
    assert_int_equal(xap_enquire_new(db, &e), XAP_OK);
    assert_int_equal(xap_enquire_set_query(e, q), XAP_OK);
    assert_int_equal(rank_enquire(p, e), XAP_OK);
    assert_int_equal(xap_enquire_mset(e, 0, 10, 100, NULL, 0, &m), XAP_OK);
    *total = xap_mset_estimated(m);
    char *out = calloc(1, 256);
    assert_non_null(out);
    for (size_t i = 0; i < xap_mset_size(m); i++) {
        xap_doc *d = NULL;
        char *v = NULL;
        size_t vl = 0;
        assert_int_equal(xap_mset_doc(m, i, &d), XAP_OK);
        assert_int_equal(xap_doc_get_value(d, VAL_ID, &v, &vl), XAP_OK);
        if (i)
            strcat(out, ",");
        strncat(out, v, 200 - strlen(out));
        free(v);
        xap_doc_free(d);
    }
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_query_free(q);
    plan_free(p);
    return out;
}

static char *match_ids(const char *text, uint32_t *total)
{
    return match_ids_on(F.db, text, total, NULL);
}

static void test_matching(void **state)
{
    (void)state;
    uint32_t total;
    /* "the" boosts: only the articles with "sleep" match */
    char *ids = match_ids("the sleep", &total);
    assert_int_equal(total, 2);
    assert_string_equal(ids, "a-sleep,e-what");
    free(ids);
    /* the opener "what is" matches nothing alone */
    ids = match_ids("what is apnea", &total);
    assert_int_equal(total, 1);
    assert_string_equal(ids, "a-sleep");
    free(ids);
    /* only function words: they match */
    ids = match_ids("the", &total);
    assert_int_equal(total, 2);
    free(ids);
    /* the synonym group matches the synonym's article */
    ids = match_ids("heart attack", &total);
    assert_int_equal(total, 2);
    free(ids);
}

/* Equal scores: article-id order, whatever the docids (b-the was added
 * before a-sleep; both hold "the" once, in documents of equal length). */
static void test_ties_by_id(void **state)
{
    (void)state;
    uint32_t total;
    char *ids = match_ids("the", &total);
    assert_string_equal(ids, "a-sleep,b-the");
    free(ids);
}

/* A database of two articles for the synonym-phrase terms (XY): x-heart
 * says "heart attack"; x-mi holds "infarction myocardial" (not the
 * phrase) but, as the test's stand-in for the indexer, the XY term of
 * "myocardial infarction". synphrases: the metadata that says whether
 * every article has XY terms of the table "t1". */
static void make_xy_db(const char *path, const char *synphrases)
{
    xap_db *w = NULL;
    assert_int_equal(xap_db_open(path, XAP_DB_CREATE_OR_OVERWRITE, &w), XAP_OK);
    static const char *const xdocs[][3] = { { "x-heart", "heart", "attack" }, { "x-mi", "infarction", "myocardial" } };
    for (size_t i = 0; i < 2; i++) {
        xap_doc *d = NULL;
        char t[SCHEMA_MAX_TERM + 1], st[SCHEMA_MAX_TERM + 1];
        assert_int_equal(xap_doc_new(&d), XAP_OK);
        schema_id_term(t, xdocs[i][0]);
        xap_doc_add_term(d, t, 0);
        xap_doc_set_value(d, VAL_ID, xdocs[i][0], strlen(xdocs[i][0]));
        for (size_t j = 1; j < 3; j++) {
            xap_doc_add_posting(d, xdocs[i][j], (uint32_t)j, 1);
            size_t sl = xap_stem_apply(F.stem, xdocs[i][j], strlen(xdocs[i][j]), st, sizeof st);
            schema_term(t, PFX_STEM, st, sl);
            xap_doc_add_term(d, t, 1);
        }
        if (i == 1) {
            schema_term(t, PFX_SYNPHRASE, "myocardial infarction", 21);
            xap_doc_add_term(d, t, 1);
        }
        schema_id_term(t, xdocs[i][0]);
        assert_int_equal(xap_db_replace_by_term(w, t, d, NULL), XAP_OK);
        xap_doc_free(d);
    }
    /* A synonym too long to be an XY term (SCHEMA_MAX_SYNPHRASE) but not
     * for the table (synonyms.c: 240 bytes): the indexer gives it none,
     * so it must match as a phrase even here. */
    char longkey[16 * 20] = "";
    xap_doc *d = NULL;
    char t[SCHEMA_MAX_TERM + 1];
    assert_int_equal(xap_doc_new(&d), XAP_OK);
    for (int k = 0; k < 12; k++) {
        char word[20];
        snprintf(word, sizeof word, "longsynonymword%c", 'a' + k);
        xap_doc_add_posting(d, word, (uint32_t)k + 1, 1);
        if (k)
            strcat(longkey, " ");
        strcat(longkey, word);
    }
    assert_true(strlen(longkey) > SCHEMA_MAX_SYNPHRASE && strlen(longkey) <= 240);
    schema_id_term(t, "x-long");
    xap_doc_add_term(d, t, 0);
    xap_doc_set_value(d, VAL_ID, "x-long", 6);
    assert_int_equal(xap_db_replace_by_term(w, t, d, NULL), XAP_OK);
    xap_doc_free(d);
    assert_int_equal(xap_db_add_synonym(w, "heart attack", "myocardial infarction"), XAP_OK);
    assert_int_equal(xap_db_add_synonym(w, "heart attack", longkey), XAP_OK);
    assert_int_equal(xap_db_set_metadata(w, SCHEMA_META_SYNONYMS_HASH, "t1", 2), XAP_OK);
    assert_int_equal(xap_db_set_metadata(w, SCHEMA_META_SYNPHRASES, synphrases, strlen(synphrases)), XAP_OK);
    assert_int_equal(xap_db_commit(w), XAP_OK);
    xap_db_close(w);
}

/* A synonym phrase is its XY term only while the index says that every
 * article has the XY terms of its synonym table (each part of a
 * multi-database); otherwise the positional phrase. */
static void test_synphrase_terms(void **state)
{
    (void)state;
    char a[128], b[128], c[128];
    snprintf(a, sizeof a, "%s/xy-current", F.dir);
    snprintf(b, sizeof b, "%s/xy-stale", F.dir);
    snprintf(c, sizeof c, "%s/xy-none", F.dir);
    make_xy_db(a, "t1");
    make_xy_db(b, "t0"); /* made from another table */
    make_xy_db(c, "");   /* an older index, or a changed table */
    const struct {
        const char *const *paths;
        size_t n;
        int xy;
    } cases[] = {
        { (const char *const[]){ a }, 1, 1 },
        { (const char *const[]){ b }, 1, 0 },
        { (const char *const[]){ c }, 1, 0 },
        { (const char *const[]){ a, a }, 2, 1 },
        { (const char *const[]){ a, c }, 2, 0 },
        { (const char *const[]){ c, a }, 2, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        xap_db *db = NULL;
        assert_int_equal(xap_db_open_many(cases[i].paths, cases[i].n, &db), XAP_OK);
        uint32_t total = 0;
        char *desc = NULL;
        char *ids = match_ids_on(db, "heart attack", &total, &desc);
        int xy = strstr(desc, " synterms") != NULL;
        if (xy != cases[i].xy || (xy ? !strstr(ids, "x-mi") : strstr(ids, "x-mi") != NULL))
            fail_msg("case %zu: plan '%s', matches %s", i, desc, ids);
        /* "heart attack" itself matches x-heart by its words either way,
         * and the over-long synonym x-long by its positions */
        assert_non_null(strstr(ids, "x-heart"));
        if (!strstr(ids, "x-long"))
            fail_msg("case %zu: the over-long synonym phrase missed x-long: %s", i, ids);
        free(desc);
        free(ids);
        xap_db_close(db);
    }
}

/* Every match's weight under q (up to 100 matches): wt[docid], 0 where
 * it does not match; returns the number of matches. */
#define MAXDOC 16
static size_t weights_of(const struct plan *p, const xap_query *q, double wt[MAXDOC])
{
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    memset(wt, 0, MAXDOC * sizeof wt[0]);
    assert_int_equal(xap_enquire_new(F.db, &e), XAP_OK);
    assert_int_equal(xap_enquire_set_query(e, q), XAP_OK);
    assert_int_equal(rank_enquire(p, e), XAP_OK);
    assert_int_equal(xap_enquire_mset(e, 0, 100, 100, NULL, 0, &m), XAP_OK);
    size_t n = xap_mset_size(m);
    for (size_t i = 0; i < n; i++) {
        uint32_t id, rank;
        double w;
        int pct;
        assert_int_equal(xap_mset_item(m, i, &id, &rank, &w, &pct), XAP_OK);
        assert_true(id < MAXDOC);
        wt[id] = w;
    }
    xap_mset_free(m);
    xap_enquire_free(e);
    return n;
}

/* The late boosts (the word as typed, its stem in the title and
 * headings) leave the match: q matches exactly the articles the joined
 * query does, and q AND_MAYBE late weighs each of them exactly as the
 * joined query does (the window re-ranking, xap_mset_rescore, gives
 * AND_MAYBE's weights); nothing of an excluded word is late, and the
 * scales around a word (a boosting stop word, an opener) go with it. */
static void test_late_boosts(void **state)
{
    (void)state;
    static const struct {
        const char *text, *late_has, *late_lacks;
    } cases[] = {
        /* no title has "sleep": its title stem, which no article holds,
         * is left out (it would only open an empty posting list) */
        { "sleep", "ZHsleep", "ZSsleep" },
        { "the sleep", "ZHsleep", NULL },
        { "what is sleep apnea", "ZHsleep", "ZSapnea" },
        { "what is sleep", "ZHsleep", NULL }, /* an opener, scaled, boosts e-what */
        { "sleep -apnea", "ZHsleep", "apnea" },
        { "heart -sleep", "ZSheart", "sleep" },
        { "heart attack pain", "ZSattack", "ZSpain" },
        { "sleep OR heart", "ZSheart", NULL },
        { "+sleep apnea", "ZHsleep", NULL },
        { "title:sleep apnea", "(apnea@2 AND_NOT Lzh)", NULL }, /* ZSsleep matches */
        { "sleeping apneas", "ZHsleep", NULL }, /* f-zh matches only as typed */
        { "sleep -apneas", "ZHsleep", NULL },     /* f-zh is excluded as typed */
        { "sleeping NOT heart", "ZHsleep", NULL }, /* an operator: f-zh still matches as typed */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct plan *p = make_on(F.db, cases[i].text, QUERY_SYNTAX);
        assert_true(p->opts.boost_window > 0);
        xap_query *joined = NULL, *q = NULL, *late = NULL;
        assert_int_equal(rank_query(p, F.db, F.stem, &joined, NULL), XAP_OK);
        assert_int_equal(rank_query(p, F.db, F.stem, &q, &late), XAP_OK);
        assert_non_null(late);
        char *ld = NULL, *qd = NULL;
        assert_int_equal(xap_query_describe(late, &ld), XAP_OK);
        assert_int_equal(xap_query_describe(q, &qd), XAP_OK);
        if (!strstr(ld, cases[i].late_has) || (cases[i].late_lacks && strstr(ld, cases[i].late_lacks)))
            fail_msg("'%s': late %s", cases[i].text, ld);
        if (strstr(qd, cases[i].late_has) || (strncmp(cases[i].text, "title:", 6) && (strstr(qd, "ZS") || strstr(qd, "ZH"))))
            fail_msg("'%s': a field boost stayed in the match: %s", cases[i].text, qd);
        double wj[MAXDOC], wq[MAXDOC], wl[MAXDOC];
        size_t nj = weights_of(p, joined, wj), nq = weights_of(p, q, wq);
        assert_int_equal(rank_join_late(&q, late), XAP_OK);
        size_t nl = weights_of(p, q, wl);
        if (nj == 0 || nq != nj || nl != nj)
            fail_msg("'%s': %zu matches joined, %zu without the late terms, %zu with them", cases[i].text, nj, nq, nl);
        int raised = 0;
        for (size_t d = 0; d < MAXDOC; d++) {
            if ((wj[d] > 0) != (wq[d] > 0) || wj[d] - wl[d] > 1e-9 || wl[d] - wj[d] > 1e-9)
                fail_msg("'%s': docid %zu weighs %g joined, %g + late = %g", cases[i].text, d, wj[d], wq[d], wl[d]);
            raised += wl[d] > wq[d] + 1e-9;
        }
        if (!raised)
            fail_msg("'%s': the late terms raised no match", cases[i].text);
        /* Where an article of another language may hold the word without
         * its stem, the word as typed still matches there (and there
         * only), and is late everywhere else. */
        if (strncmp(cases[i].text, "sleeping", 8) == 0 &&
            (!strstr(qd, "sleeping@1 FILTER Lzh") || !strstr(ld, "sleeping@1 AND_NOT Lzh") || wl[6] <= 0))
            fail_msg("'%s': match %s, late %s, f-zh weighs %g", cases[i].text, qd, ld, wl[6]);
        free(ld);
        free(qd);
        xap_query_free(joined);
        xap_query_free(q);
        xap_query_free(late);
        plan_free(p);
    }
    /* boost_window 0: everything joins the match */
    struct plan *p = make_on(F.db, "sleep apnea", QUERY_SYNTAX);
    p->opts.boost_window = 0;
    xap_query *q = NULL, *late = NULL;
    assert_int_equal(rank_query(p, F.db, F.stem, &q, &late), XAP_OK);
    assert_null(late);
    char *qd = NULL;
    assert_int_equal(xap_query_describe(q, &qd), XAP_OK);
    assert_non_null(strstr(qd, "ZHsleep"));
    assert_null(strstr(qd, "ZSsleep")); /* no article holds it: left out there too */
    free(qd);
    xap_query_free(q);
    plan_free(p);
}

static void test_prf_terms(void **state)
{
    (void)state;
    assert_true(rank_prf_term("Zsleep", 6));
    assert_false(rank_prf_term("ZSsleep", 7)); /* a field stem */
    assert_false(rank_prf_term("Zab", 3));     /* too short */
    assert_false(rank_prf_term("Zcovid19", 8)); /* a number */
    assert_false(rank_prf_term("sleep", 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_ties_by_id),
        cmocka_unit_test(test_prf_terms),
        cmocka_unit_test(test_synphrase_terms),
        cmocka_unit_test(test_late_boosts),
    };
    return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
