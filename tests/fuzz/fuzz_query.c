/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_query: query_parse in both modes, the tree it returns,
 * query_describe and query_positive_terms; then the search plan of the
 * same text (plan_new, plan_bind, rank_query)
 * and one match over a real small index when MEDSEARCH_FUZZ_DB names one
 * (tests/fuzz/run.sh builds it from corpus/).
 *
 * Input: byte 0 picks the mode and the limits (default, or tiny ones so
 * that the term cap and the depth cap are reached; truncation or an
 * error past the term cap); the rest is the query.
 * Checked: the status is one of the documented ones; on QUERY_OK the tree
 * is well formed (terms non-empty valid UTF-8 whose byte range lies in the
 * query text, compounds holding their
 * parts, phrases made of terms, NOT
 * with a first kid, n_terms equals the terms and wildcards in the tree,
 * nesting within the depth cap), query_describe gives valid UTF-8, and
 * the plan's query and the match succeed. */
#include "fuzz.h"

#include <string.h>

#include "config.h"
#include "../../searchd/query.h"
#include "schema.h"
#include "tokenizer.h"
#include "xap.h"
#include "../../searchd/plan.h"
#include "../../searchd/rank.h"

static struct tokenizer *q_tk;
static xap_db *q_db;
static xap_stem *q_stem;
static struct rank_opts q_ropts;

static int query_init(void)
{
    if (!(q_tk = tokenizer_new()))
        return -1;
    struct config cfg;
    if (config_init(&cfg) != 0)
        return -1;
    rank_opts_from_config(&q_ropts, &cfg);
    config_free(&cfg);
    const char *path = getenv("MEDSEARCH_FUZZ_DB");
    if (path && *path) {
        if (xap_db_open(path, XAP_DB_READONLY, &q_db) != XAP_OK) {
            fprintf(stderr, "fuzz_query: %s: %s\n", path, xap_errmsg());
            return -1;
        }
        if (xap_stem_new("english", &q_stem) != XAP_OK)
            return -1;
    } else {
        fprintf(stderr, "fuzz_query: MEDSEARCH_FUZZ_DB is not set: the plan is not fuzzed\n");
    }
    return 0;
}

struct q_walk {
    size_t text_len;
    size_t terms;
    size_t depth, max_depth;
};

static void q_check_node(const struct qnode *n, struct q_walk *w, size_t depth)
{
    if (depth > w->max_depth)
        w->max_depth = depth;
    if ((unsigned)n->type > QN_NOT || (unsigned)n->field > QF_LANG || (unsigned)n->mod > QM_EXCLUDE)
        fuzz_fail("node type %d field %d mod %d", (int)n->type, (int)n->field, (int)n->mod);
    if (n->n_kids && !n->kids)
        fuzz_fail("node with %zu kids and no array", n->n_kids);
    switch (n->type) {
    case QN_TERM:
    case QN_WILDCARD:
        if (!n->text || !n->text[0] || !fuzz_utf8_valid(n->text, strlen(n->text)))
            fuzz_fail("%s node with an empty or invalid text", n->type == QN_TERM ? "term" : "wildcard");
        if (n->form && !fuzz_utf8_valid(n->form, strlen(n->form)))
            fuzz_fail("term form is not valid UTF-8");
        if (n->start > n->end || n->end > w->text_len)
            fuzz_fail("term '%s' at bytes [%zu,%zu) of a %zu-byte query", n->text, n->start, n->end, w->text_len);
        if (n->field != QF_CATEGORY && n->field != QF_LANG)
            w->terms++;
        /* A compound ("covid-19") holds its parts, which are not counted. */
        if (n->n_kids && (n->type != QN_TERM || !(n->tok_flags & TOK_COMPOUND)))
            fuzz_fail("a leaf that is not a compound has %zu kids", n->n_kids);
        for (size_t i = 0; i < n->n_kids; i++) {
            const struct qnode *k = n->kids[i];
            if (!k || k->type != QN_TERM || !(k->tok_flags & TOK_PART) || k->n_kids || !k->text || !k->text[0] ||
                !fuzz_utf8_valid(k->text, strlen(k->text)) || k->start > k->end || k->end > w->text_len)
                fuzz_fail("compound '%s' has a malformed part", n->text);
        }
        return;
    case QN_PHRASE:
        if (n->n_kids == 0)
            fuzz_fail("empty phrase");
        for (size_t i = 0; i < n->n_kids; i++)
            if (n->kids[i]->type != QN_TERM)
                fuzz_fail("phrase kid of type %d", (int)n->kids[i]->type);
        break;
    case QN_NOT:
        if (n->n_kids < 1)
            fuzz_fail("NOT without kids");
        break;
    default:
        if (n->n_kids == 0)
            fuzz_fail("operator %d without kids", (int)n->type);
        break;
    }
    for (size_t i = 0; i < n->n_kids; i++) {
        if (!n->kids[i])
            fuzz_fail("NULL kid");
        q_check_node(n->kids[i], w, depth + 1);
    }
}

static void q_count_positive(const struct qnode *t, void *ud)
{
    if (t->type != QN_TERM || !t->text)
        fuzz_fail("query_positive_terms gave a node of type %d", (int)t->type);
    ++*(size_t *)ud;
}

static void q_rank(const char *text, size_t len, enum query_mode mode, const struct query_limits *lim)
{
    struct plan *p = NULL;
    enum query_status qs = plan_new(q_tk, q_stem, &q_ropts, text, len, mode, lim, &p);
    if (qs == QUERY_ERR_NOMEM)
        fuzz_fail("plan_new: out of memory");
    if (!p)
        return;
    xap_query *xq = NULL, *late = NULL, *joined = NULL;
    xap_status st = plan_bind(p, q_db);
    if (st == XAP_OK)
        st = rank_query(p, q_db, q_stem, &xq, &late);
    if (st == XAP_OK)
        st = rank_query(p, q_db, q_stem, &joined, NULL);
    if (st != XAP_OK)
        fuzz_fail("plan/rank_query: %s: %s", xap_status_name(st), xap_errmsg());
    char *d = plan_describe(p);
    if (!d)
        fuzz_fail("plan_describe: out of memory");
    free(d);
    xap_enquire *e = NULL;
    xap_mset *m = NULL, *mj = NULL;
    if ((st = xap_enquire_new(q_db, &e)) != XAP_OK || (st = xap_enquire_set_query(e, joined)) != XAP_OK ||
        (st = rank_enquire(p, e)) != XAP_OK || (st = xap_enquire_mset(e, 0, 10, 10, NULL, 0, &mj)) != XAP_OK)
        fuzz_fail("matching the joined query: %s: %s", xap_status_name(st), xap_errmsg());
    /* the late boosts re-rank a window and never change what matches */
    if ((st = xap_enquire_set_query(e, xq)) != XAP_OK || (st = xap_enquire_mset(e, 0, 10, 10, NULL, 0, &m)) != XAP_OK ||
        (st = xap_mset_rescore(e, m, late, 10, 0, 10, VAL_ID, schema_key_id_term)) != XAP_OK)
        fuzz_fail("matching the compiled query: %s: %s", xap_status_name(st), xap_errmsg());
    if (xap_mset_size(m) != xap_mset_size(mj))
        fuzz_fail("the late boosts changed the matches: %zu, joined %zu", xap_mset_size(m), xap_mset_size(mj));
    xap_mset_free(m);
    xap_mset_free(mj);
    xap_enquire_free(e);
    xap_query_free(xq);
    xap_query_free(late);
    xap_query_free(joined);
    plan_free(p);
}

static void query_one(const uint8_t *data, size_t size)
{
    if (size < 1)
        return;
    unsigned sel = data[0];
    data++, size--;
    char *text = malloc(size ? size : 1); /* exact size: ASan sees overreads */
    if (!text)
        return;
    memcpy(text, data, size);

    struct query_limits lim = { .max_terms = sel & 2 ? 4 : 0, .max_depth = sel & 4 ? 3 : 0,
                                .truncate = (sel & 8) != 0 };
    size_t depth_cap = lim.max_depth ? lim.max_depth : 32;
    enum query_mode mode = sel & 1 ? QUERY_PLAIN : QUERY_SYNTAX;
    struct query *q = (struct query *)&sel; /* must be reset by query_parse */
    enum query_status st = query_parse(q_tk, text, size, mode, &lim, &q);
    if (st != QUERY_OK) {
        if (q)
            fuzz_fail("query_parse failed (%d) and left *out set", (int)st);
        if (st != QUERY_EMPTY && st != QUERY_ERR_TERMS)
            fuzz_fail("query_parse returned %d", (int)st);
        free(text);
        return;
    }
    if (!q)
        fuzz_fail("query_parse OK without a query");
    struct q_walk w = { size, 0, 0, 0 };
    if (q->root)
        q_check_node(q->root, &w, 0);
    if (w.terms != q->n_terms)
        fuzz_fail("n_terms %zu, tree holds %zu", q->n_terms, w.terms);
    if (q->truncated && !lim.truncate)
        fuzz_fail("truncated without being asked to");
    if (q->n_terms > (lim.max_terms ? lim.max_terms : 64))
        fuzz_fail("%zu terms over the limit", q->n_terms);
    /* Each kept level of parentheses may add an operator and a bag; a
     * chain "a NOT b NOT c" nests one level per NOT (each needs a word). */
    if (w.max_depth > 2 * depth_cap + q->n_terms + 4)
        fuzz_fail("tree depth %zu with a nesting cap of %zu", w.max_depth, depth_cap);
    char *d = query_describe(q);
    if (!d || !fuzz_utf8_valid(d, strlen(d)))
        fuzz_fail("query_describe gave %s", d ? "invalid UTF-8" : "NULL");
    free(d);
    size_t npos = 0;
    query_positive_terms(q, q_count_positive, &npos);
    if (npos > q->n_terms)
        fuzz_fail("%zu positive terms, %zu in all", npos, q->n_terms);
    if (q_db)
        q_rank(text, size, mode, &lim);
    query_free(q);
    free(text);
}

FUZZ_TARGET(query)
