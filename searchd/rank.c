/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rank.c: relevance (see rank.h). */
#include "rank.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "plan.h"
#include "qlist.h"
#include "schema.h"
#include "stopword.h"
#include "synonyms.h"
#include "tokenizer.h"

void rank_opts_from_config(struct rank_opts *o, const struct config *cfg)
{
    memset(o, 0, sizeof *o);
    o->bm25_k1 = cfg->ranking.bm25_k1;
    o->bm25_b = cfg->ranking.bm25_b;
    o->bm25_k1_cjk = cfg->ranking.bm25_k1_cjk;
    o->title_weight = cfg->ranking.title_weight;
    o->heading_weight = cfg->ranking.heading_weight;
    o->proximity_weight = cfg->ranking.proximity_weight;
    o->near_window = (unsigned)cfg->ranking.near_window;
    o->synonym_weight = cfg->ranking.synonyms ? cfg->ranking.synonym_weight : 0;
    o->exact_weight = cfg->ranking.exact_weight;
    o->part_weight = cfg->ranking.part_weight;
    o->latin_in_cjk_weight = cfg->ranking.latin_in_cjk_weight;
    o->bigram_weight = cfg->ranking.bigram_weight;
    o->unigram_weight = cfg->ranking.unigram_weight;
    o->unigram_common = cfg->ranking.unigram_common;
    o->cjk_word_weight = cfg->ranking.cjk_word_weight;
    o->title_exact_weight = cfg->ranking.title_exact_weight;
    o->stopwords = cfg->ranking.stopwords;
    o->question_weight = cfg->ranking.question_weight;
    o->prf_docs = (unsigned)cfg->ranking.prf_docs;
    o->prf_terms = (unsigned)cfg->ranking.prf_terms;
    o->prf_window = (unsigned)cfg->ranking.prf_window;
    o->boost_window = (unsigned)cfg->ranking.boost_window;
    o->prf_weight = cfg->ranking.prf_weight;
    o->prf_min_words = (unsigned)cfg->ranking.prf_min_words;
    o->max_wildcard = (unsigned)cfg->searchd.max_wildcard;
}

struct build {
    const struct plan *p;
    const struct rank_opts *o;
    xap_db *db;
    xap_stem *stem;
    xap_status st;
    /* Re-rank-only terms (rank_query's *late), or NULL: they join the
     * query where they stand. lscale: the product of the scales around
     * the sub-query being built, which a late term carries out with it
     * (0: inside an exclusion, where a word is its stem alone). */
    struct qlist *late;
    double lscale;
};

/* Append q to l; a failure is the build's. */
static void ql_add(struct build *b, struct qlist *l, xap_query *q)
{
    qlist_push(l, q);
    if (l->st != XAP_OK)
        b->st = l->st;
}

/* The query of term t; a failure is the build's. */
static xap_query *query_term(struct build *b, const char *t, uint32_t pos)
{
    xap_query *q = NULL;
    xap_status st = xap_query_term(t, 1, pos, &q);
    if (st != XAP_OK)
        b->st = st;
    return q;
}

static xap_query *term(struct build *b, const char *prefix, const char *s, size_t len, uint32_t pos)
{
    char t[SCHEMA_MAX_TERM + 1];
    schema_term(t, prefix, s, len);
    return query_term(b, t, pos);
}

/* Is term t in no article? Then a boost of it would only open an empty
 * posting list (a B-tree descent, a block read or two) in every match
 * and re-ranking it joins: it is left out, and every weight stays the
 * same. Asked of a local index only (its frequencies are kept per
 * revision: a word is looked up once), never over remote shards, where a
 * look-up could cost a round trip. */
static int absent(const struct build *b, const char *t)
{
    uint32_t tf = 1;
    return b->db && !xap_db_is_remote(b->db) && xap_db_termfreq(b->db, t, &tf) == XAP_OK && tf == 0;
}

/* A boost term: term()'s query, or NULL when no article holds it. */
static xap_query *boost_term(struct build *b, const char *prefix, const char *s, size_t len, uint32_t pos)
{
    char t[SCHEMA_MAX_TERM + 1];
    schema_term(t, prefix, s, len);
    return absent(b, t) ? NULL : query_term(b, t, pos);
}

/* Combine and free the list. A one-element list is returned as is (except
 * for ops whose meaning needs the wrapper). */
static xap_query *combine(struct build *b, enum xap_op op, struct qlist *l, uint32_t window)
{
    xap_query *q = NULL;
    if (l->n == 0) {
        qlist_free(l);
        return NULL;
    }
    if (l->n == 1 && (op == XAP_OP_OR || op == XAP_OP_AND || op == XAP_OP_SYNONYM)) {
        q = l->q[0];
        l->n = 0;
        qlist_free(l);
        return q;
    }
    xap_status st = xap_query_combine(op, l->q, l->n, window, &q);
    if (st != XAP_OK)
        b->st = st;
    qlist_free(l);
    return q;
}

static xap_query *pair(struct build *b, enum xap_op op, xap_query *x, xap_query *y)
{
    if (!x)
        return y;
    if (!y)
        return x;
    struct qlist l = { 0 };
    ql_add(b, &l, x);
    ql_add(b, &l, y);
    return combine(b, op, &l, 0);
}

static xap_query *scale(struct build *b, xap_query *q, double f)
{
    if (!q)
        return NULL;
    if (f == 1.0)
        return q;
    xap_query *s = NULL;
    xap_status st = xap_query_scale(q, f, &s);
    xap_query_free(q);
    if (st != XAP_OK)
        b->st = st;
    return s;
}

/* The plan's other-language articles (plan.h other_langs): their
 * language terms ORed. */
static xap_query *other_lang_articles(struct build *b)
{
    struct qlist l = { 0 };
    for (const char *s = b->p->other_langs; s && *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        xap_query *t = NULL;
        char term[SCHEMA_MAX_TERM + 1];
        if (n > 0 && n <= SCHEMA_MAX_TERM) {
            memcpy(term, s, n);
            term[n] = '\0';
            if ((b->st = b->st == XAP_OK ? xap_query_term(term, 1, 0, &t) : b->st) == XAP_OK)
                ql_add(b, &l, t);
        }
        s += n + (nl != NULL);
    }
    return combine(b, XAP_OP_OR, &l, 0);
}

/* The stem query q of a word with x, another form of the word (as typed,
 * or its stem in the title or headings), adding weight f: late (the
 * build's re-rank-only terms, carrying the scales around q with it) or
 * ORed into q. An article holding x holds the stem, except, for the word
 * as typed (typed != 0), an article of another language (not stemmed in
 * English): there x still matches and weighs inside q, and is late
 * elsewhere. Excluded (lscale 0): the stem excludes what x would, but in
 * those articles. */
static xap_query *boost_of(struct build *b, xap_query *q, xap_query *x, double f, int typed)
{
    int others = typed && b->p->other_langs;
    if (b->lscale == 0 && b->late) {
        if (others)
            return pair(b, XAP_OP_OR, q, pair(b, XAP_OP_FILTER, x, other_lang_articles(b)));
        xap_query_free(x);
        return q;
    }
    if (!b->late)
        return pair(b, XAP_OP_OR, q, scale(b, x, f));
    if (others) {
        xap_query *y = NULL;
        xap_status st = x ? xap_query_scale(x, 1.0, &y) : XAP_ERR_NOMEM;
        if (st != XAP_OK)
            b->st = st;
        q = pair(b, XAP_OP_OR, q, scale(b, pair(b, XAP_OP_FILTER, y, other_lang_articles(b)), f));
        x = pair(b, XAP_OP_AND_NOT, x, other_lang_articles(b));
    }
    ql_add(b, b->late, scale(b, x, f * b->lscale));
    return q;
}

/* A word of a phrase; a phrase has at most PHRASE_MAX words (the rest
 * are left out). */
#define PHRASE_MAX 256
struct pword {
    const char *s;
    size_t len;
};

/* The phrase of words w[0..n) in field wp ("" or PFX_TITLE), as the index
 * can answer it (schema.h): OP_PHRASE over the words that carry positions,
 * within a window as long as the whole phrase (the skipped function words
 * keep their place), and the other words ANDed. Title words have no
 * positions: a title phrase is the phrase of the unprefixed words,
 * filtered by the title (S) words, which give the weight. */
static xap_query *phrase(struct build *b, const char *wp, const struct pword *w, size_t n)
{
    if (n == 1)
        return term(b, wp, w[0].s, w[0].len, 0);
    struct qlist pos = { 0 }, bare = { 0 };
    for (size_t i = 0; i < n; i++) {
        if (schema_positional(w[i].s, w[i].len))
            ql_add(b, &pos, term(b, "", w[i].s, w[i].len, 0));
        else if (!*wp)
            ql_add(b, &bare, term(b, "", w[i].s, w[i].len, 0));
    }
    xap_query *q = pos.n > 1 ? combine(b, XAP_OP_PHRASE, &pos, (uint32_t)n) : combine(b, XAP_OP_AND, &pos, 0);
    q = pair(b, XAP_OP_AND, q, combine(b, XAP_OP_AND, &bare, 0));
    if (*wp) {
        struct qlist tw = { 0 };
        for (size_t i = 0; i < n; i++)
            ql_add(b, &tw, term(b, wp, w[i].s, w[i].len, 0));
        q = pair(b, XAP_OP_FILTER, combine(b, XAP_OP_AND, &tw, 0), q);
    }
    return q;
}

static int stemmable(const struct qnode *n)
{
    return !(n->tok_flags & (TOK_CJK | TOK_NUMERIC | TOK_COMPOUND));
}

/* The query of one word, in `field` (QF_ANY or QF_TITLE), without field
 * boosts: its stem (or the word itself when it has none). */
static xap_query *word_query(struct build *b, const struct qnode *n, enum qfield field)
{
    const char *wp = field == QF_TITLE ? PFX_TITLE : "";
    if (n->tok_flags & TOK_COMPOUND && n->n_kids > 1) {
        /* "covid-19": the compound term or the phrase of its parts. */
        struct pword parts[PHRASE_MAX];
        size_t np = 0;
        for (size_t i = 0; i < n->n_kids && np < PHRASE_MAX; i++)
            parts[np++] = (struct pword){ n->kids[i]->text, strlen(n->kids[i]->text) };
        xap_query *ph = phrase(b, wp, parts, np);
        xap_query *q = pair(b, XAP_OP_SYNONYM, term(b, wp, n->text, strlen(n->text), n->pos), ph);
        if (b->o->part_weight > 0) {
            /* The parts alone, loose: "tuberculosis-induced" also meets
             * "induced by tuberculosis". */
            struct qlist loose = { 0 };
            double ls = b->lscale;
            b->lscale *= b->o->part_weight;
            for (size_t i = 0; i < n->n_kids; i++)
                ql_add(b, &loose, word_query(b, n->kids[i], field));
            b->lscale = ls;
            q = pair(b, XAP_OP_OR, q, scale(b, combine(b, XAP_OP_OR, &loose, 0), b->o->part_weight));
        }
        return q;
    }
    if (n->tok_flags & TOK_CJK)
        return scale(b, term(b, wp, n->text, strlen(n->text), n->pos), b->o->cjk_word_weight);
    if (!stemmable(n) || !b->stem)
        return term(b, wp, n->text, strlen(n->text), n->pos);
    char stem[SCHEMA_MAX_TERM + 1];
    size_t sl = xap_stem_apply(b->stem, n->text, strlen(n->text), stem, sizeof stem);
    if (sl == 0)
        return term(b, wp, n->text, strlen(n->text), n->pos);
    xap_query *q = term(b, field == QF_TITLE ? PFX_STEM_TITLE : PFX_STEM, stem, sl, n->pos);
    xap_query *x = b->o->exact_weight > 0 ? boost_term(b, wp, n->text, strlen(n->text), n->pos) : NULL;
    return x ? boost_of(b, q, x, b->o->exact_weight, 1) : q;
}

/* A ranked word with its field boosts. */
static xap_query *ranked_word(struct build *b, const struct qnode *n)
{
    const struct rank_opts *o = b->o;
    if (n->field == QF_TITLE)
        return word_query(b, n, QF_TITLE);
    xap_query *q = word_query(b, n, QF_ANY);
    if (stemmable(n) && b->stem) {
        char stem[SCHEMA_MAX_TERM + 1];
        size_t sl = xap_stem_apply(b->stem, n->text, strlen(n->text), stem, sizeof stem);
        if (sl > 0) {
            xap_query *x;
            if (o->title_weight > 0 && (x = boost_term(b, PFX_STEM_TITLE, stem, sl, 0)))
                q = boost_of(b, q, x, o->title_weight, 0);
            if (o->heading_weight > 0 && (x = boost_term(b, PFX_STEM_HEADING, stem, sl, 0)))
                q = boost_of(b, q, x, o->heading_weight, 0);
        }
    } else if (o->title_weight > 0) {
        xap_query *x = boost_term(b, PFX_TITLE, n->text, strlen(n->text), 0);
        if (x)
            q = boost_of(b, q, x, o->title_weight, 0);
    }
    return q;
}

struct syn_collect {
    struct build *b;
    struct qlist alts;
};

/* One synonym (a key: words separated by spaces) as a query: one word's
 * stem, or the phrase of its words (its XY term when the index has them). */
static int syn_cb(const char *s, size_t len, void *ud)
{
    struct syn_collect *sc = ud;
    struct build *b = sc->b;
    if (sc->alts.n >= 16)
        return 1;
    if (memchr(s, ' ', len) == NULL) {
        /* one word: its stem */
        char stem[SCHEMA_MAX_TERM + 1];
        size_t sl = b->stem && !tokenizer_is_cjk(s, len) ? xap_stem_apply(b->stem, s, len, stem, sizeof stem) : 0;
        ql_add(b, &sc->alts, sl ? term(b, PFX_STEM, stem, sl, 0) : term(b, "", s, len, 0));
        return 0;
    }
    if (b->p->syn_terms && len <= SCHEMA_MAX_SYNPHRASE) {
        /* the index holds the phrase's occurrences as one term (not a
         * key too long for one: synphrase.c leaves those out) */
        ql_add(b, &sc->alts, term(b, PFX_SYNPHRASE, s, len, 0));
        return 0;
    }
    struct pword words[PHRASE_MAX];
    size_t nw = 0, i = 0;
    while (i < len && nw < PHRASE_MAX) {
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        if (j > i)
            words[nw++] = (struct pword){ s + i, j - i };
        i = j + 1;
    }
    if (nw)
        ql_add(b, &sc->alts, phrase(b, "", words, nw));
    return 0;
}

/* The plan's synonym groups (runs of 1..3 adjacent words that are keys
 * of the synonym table): the typed words and every synonym, each group
 * one OP_SYNONYM (scored like a single term). */
static xap_query *synonyms_of(struct build *b)
{
    const struct plan *p = b->p;
    if (b->o->synonym_weight <= 0)
        return NULL;
    struct qlist groups = { 0 };
    for (size_t i = 0; i < p->n_syns; i++) {
        struct syn_collect sc = { b, { 0 } };
        for (size_t j = 0; j < p->syns[i].n_alts; j++)
            syn_cb(p->syns[i].alts[j], strlen(p->syns[i].alts[j]), &sc);
        /* The typed phrase itself joins the group. */
        syn_cb(p->syns[i].key, strlen(p->syns[i].key), &sc);
        ql_add(b, &groups, combine(b, XAP_OP_SYNONYM, &sc.alts, 0));
    }
    return scale(b, combine(b, XAP_OP_OR, &groups, 0), b->o->synonym_weight);
}

/* Byte length of the UTF-8 sequence starting with c. */
static size_t u8len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* Is the term in more than rank_opts.unigram_common of the articles? */
static int too_common(struct build *b, const char *prefix, const char *s, size_t len)
{
    double maxdf = b->o->unigram_common;
    if (maxdf <= 0 || !b->db)
        return 0;
    char t[SCHEMA_MAX_TERM + 1];
    schema_term(t, prefix, s, len);
    uint32_t tf = 0, n = 0;
    if (xap_db_termfreq(b->db, t, &tf) != XAP_OK || xap_db_doccount(b->db, &n) != XAP_OK)
        return 0;
    return tf > maxdf * n;
}

/* The n-gram query of one run of adjacent CJK words (their text joined):
 * its overlapping bigrams (B) and its characters (U), each group scaled
 * by its weight. A query's words rarely share the text's word boundaries
 * (the index holds both n-grams over whole runs of CJK text).
 * Latency: the characters of more than unigram_common of the articles
 * (long posting lists, low weight) join by AND_MAYBE: they add their
 * weight to the articles the rarer n-grams match but match none alone. */
static xap_query *cjk_ngrams(struct build *b, const struct qnode *const *w, size_t n)
{
    const struct rank_opts *o = b->o;
    char run[1024];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t tl = strlen(w[i]->text);
        if (len + tl >= sizeof run)
            break;
        memcpy(run + len, w[i]->text, tl);
        len += tl;
    }
    struct qlist bl = { 0 }, ul = { 0 }, common = { 0 };
    size_t prev = (size_t)-1, i = 0;
    while (i < len) {
        size_t cl = u8len((unsigned char)run[i]);
        if (i + cl > len)
            break;
        if (o->unigram_weight > 0)
            ql_add(b, too_common(b, PFX_UNIGRAM, run + i, cl) ? &common : &ul, term(b, PFX_UNIGRAM, run + i, cl, 0));
        if (o->bigram_weight > 0 && prev != (size_t)-1)
            ql_add(b, &bl, term(b, PFX_BIGRAM, run + prev, i + cl - prev, 0));
        prev = i;
        i += cl;
    }
    xap_query *bg = scale(b, combine(b, XAP_OP_OR, &bl, 0), o->bigram_weight);
    xap_query *ug = scale(b, combine(b, XAP_OP_OR, &ul, 0), o->unigram_weight);
    xap_query *cg = scale(b, combine(b, XAP_OP_OR, &common, 0), o->unigram_weight);
    xap_query *base = pair(b, XAP_OP_OR, ug, bg);
    return pair(b, base ? XAP_OP_AND_MAYBE : XAP_OP_OR, base, cg);
}

static xap_query *compile(struct build *b, const struct qnode *n);

/* What an article must not match: nothing of it re-ranks. */
static xap_query *compile_excluded(struct build *b, const struct qnode *n)
{
    double ls = b->lscale;
    b->lscale = 0;
    xap_query *q = compile(b, n);
    b->lscale = ls;
    return q;
}

static xap_query *filter_query(struct build *b, const struct qnode *n)
{
    return term(b, n->field == QF_CATEGORY ? PFX_CATEGORY : PFX_LANG, n->text, strlen(n->text), 0);
}

static int is_filter(const struct qnode *n)
{
    return n->type == QN_TERM && (n->field == QF_CATEGORY || n->field == QF_LANG);
}

/* A bag of kids ranked together. The plan says what each plain word of
 * the top-level bag does (plan.h: match, boost only, dropped); the words
 * of a nested group all match. */
static xap_query *bag(struct build *b, const struct qnode *n)
{
    const struct rank_opts *o = b->o;
    struct qlist ranked = { 0 }, boost = { 0 }, must = { 0 }, excl = { 0 }, filt = { 0 };
    /* Plain words in order, for proximity and CJK n-grams. */
    const struct qnode **words = calloc(n->n_kids + 1, sizeof *words);
    size_t nw = 0, n_cjk = 0;
    int top = b->p->n_words > 0 && n->n_kids > 0 && plan_word_of(b->p, n->kids[0]) != NULL;
    if (!top) /* words of a phrase or group are not the plan's */
        for (size_t i = 0; i < n->n_kids && !top; i++)
            top = plan_word_of(b->p, n->kids[i]) != NULL;
    if (!words) {
        b->st = XAP_ERR_NOMEM;
        return NULL;
    }
    for (size_t i = 0; i < n->n_kids; i++) {
        const struct qnode *k = n->kids[i];
        if (k->type == QN_TERM && k->mod == QM_NONE && k->field == QF_ANY && !is_filter(k)) {
            words[nw++] = k;
            n_cjk += (k->tok_flags & TOK_CJK) != 0;
        }
    }
    /* In a mostly CJK query a CJK word scores as itself, its bigrams and
     * its characters; a Latin word ("c1ni", "hpv") only once. */
    double latin = top ? b->p->latin_weight : n_cjk * 2 > nw ? o->latin_in_cjk_weight : 1.0;
    for (size_t i = 0; i < n->n_kids; i++) {
        const struct qnode *k = n->kids[i];
        if (is_filter(k)) {
            xap_query *f = filter_query(b, k);
            if (k->mod == QM_EXCLUDE)
                ql_add(b, &excl, f);
            else
                ql_add(b, &filt, f);
            continue;
        }
        if (k->mod == QM_EXCLUDE) {
            ql_add(b, &excl, compile_excluded(b, k));
            continue;
        }
        if (k->mod == QM_MUST) {
            ql_add(b, &must, compile(b, k));
            continue;
        }
        if (k->type == QN_TERM && k->field == QF_ANY) {
            const struct plan_word *w = top ? plan_word_of(b->p, k) : NULL;
            if (w && w->role == PW_DROPPED)
                continue;
            double f = w ? w->weight : 1.0;
            if (!(k->tok_flags & TOK_CJK))
                f *= latin;
            double ls = b->lscale;
            b->lscale *= f;
            xap_query *kq = compile(b, k);
            b->lscale = ls;
            ql_add(b, w && w->role == PW_BOOST ? &boost : &ranked, scale(b, kq, f));
            continue;
        }
        ql_add(b, &ranked, compile(b, k));
    }
    /* CJK runs: n-grams across the query's word boundaries. */
    for (size_t i = 0; i < nw;) {
        if (!(words[i]->tok_flags & TOK_CJK)) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < nw && (words[j]->tok_flags & TOK_CJK) && words[j]->start == words[j - 1]->end)
            j++;
        ql_add(b, &ranked, cjk_ngrams(b, words + i, j - i));
        i = j;
    }
    /* Proximity: adjacent words near each other score extra. */
    if (o->proximity_weight > 0 && nw >= 2 && nw <= 12) {
        struct qlist prox = { 0 };
        for (size_t i = 0; i + 1 < nw; i++) {
            const struct qnode *x = words[i], *y = words[i + 1];
            if ((x->tok_flags | y->tok_flags) & TOK_COMPOUND)
                continue;
            /* a word without positions (schema.h) is never near anything */
            if (!schema_positional(x->text, strlen(x->text)) || !schema_positional(y->text, strlen(y->text)))
                continue;
            const struct plan_word *wx = top ? plan_word_of(b->p, x) : NULL, *wy = top ? plan_word_of(b->p, y) : NULL;
            if ((wx && wx->role != PW_MATCH) || (wy && wy->role != PW_MATCH))
                continue;
            struct qlist pr = { 0 };
            ql_add(b, &pr, term(b, "", x->text, strlen(x->text), 0));
            ql_add(b, &pr, term(b, "", y->text, strlen(y->text), 0));
            ql_add(b, &prox, combine(b, XAP_OP_NEAR, &pr, o->near_window));
        }
        ql_add(b, &ranked, scale(b, combine(b, XAP_OP_OR, &prox, 0), o->proximity_weight));
    }
    if (top) /* synonym groups are the plan's (plan_bind) */
        ql_add(b, &ranked, synonyms_of(b));
    free(words);

    xap_query *q = NULL;
    xap_query *r = combine(b, XAP_OP_OR, &ranked, 0);
    if (must.n) {
        q = combine(b, XAP_OP_AND, &must, 0);
        if (r)
            q = pair(b, XAP_OP_AND_MAYBE, q, r);
    } else {
        q = r;
        qlist_free(&must);
    }
    /* Function and opener words re-rank what matches, never match alone. */
    xap_query *bst = combine(b, XAP_OP_OR, &boost, 0);
    q = q ? pair(b, XAP_OP_AND_MAYBE, q, bst) : bst;
    if (filt.n) {
        xap_query *f = combine(b, XAP_OP_AND, &filt, 0);
        if (!q) {
            xap_query *all = NULL;
            if (xap_query_match_all(&all) != XAP_OK)
                b->st = XAP_ERR_NOMEM;
            q = all;
        }
        q = pair(b, XAP_OP_FILTER, q, f);
    } else {
        qlist_free(&filt);
    }
    if (excl.n && q)
        q = pair(b, XAP_OP_AND_NOT, q, combine(b, XAP_OP_OR, &excl, 0));
    else
        qlist_free(&excl);
    return q;
}

static xap_query *compile(struct build *b, const struct qnode *n)
{
    if (b->st != XAP_OK || !n)
        return NULL;
    switch (n->type) {
    case QN_TERM:
        if (is_filter(n))
            return filter_query(b, n);
        return ranked_word(b, n);
    case QN_PHRASE: {
        struct pword w[PHRASE_MAX];
        size_t nw = 0;
        const char *wp = n->field == QF_TITLE ? PFX_TITLE : "";
        for (size_t i = 0; i < n->n_kids && nw < PHRASE_MAX; i++) {
            const struct qnode *k = n->kids[i];
            if (k->tok_flags & TOK_COMPOUND && k->n_kids > 1) {
                for (size_t j = 0; j < k->n_kids && nw < PHRASE_MAX; j++)
                    w[nw++] = (struct pword){ k->kids[j]->text, strlen(k->kids[j]->text) };
            } else {
                w[nw++] = (struct pword){ k->text, strlen(k->text) };
            }
        }
        return nw ? phrase(b, wp, w, nw) : NULL;
    }
    case QN_WILDCARD: {
        char t[SCHEMA_MAX_TERM + 1];
        schema_term(t, n->field == QF_TITLE ? PFX_TITLE : "", n->text, strlen(n->text));
        xap_query *q = NULL;
        xap_status st = xap_query_wildcard(t, b->o->max_wildcard, 1, &q);
        if (st != XAP_OK)
            b->st = st;
        return q;
    }
    case QN_BAG:
        return bag(b, n);
    case QN_AND:
    case QN_OR: {
        struct qlist l = { 0 };
        for (size_t i = 0; i < n->n_kids; i++)
            ql_add(b, &l, compile(b, n->kids[i]));
        return combine(b, n->type == QN_AND ? XAP_OP_AND : XAP_OP_OR, &l, 0);
    }
    case QN_NOT: {
        xap_query *l = n->n_kids ? compile(b, n->kids[0]) : NULL;
        struct qlist r = { 0 };
        for (size_t i = 1; i < n->n_kids; i++)
            ql_add(b, &r, compile_excluded(b, n->kids[i]));
        if (!l) {
            qlist_free(&r);
            return NULL;
        }
        return pair(b, XAP_OP_AND_NOT, l, combine(b, XAP_OP_OR, &r, 0));
    }
    }
    return NULL;
}

xap_status rank_query(const struct plan *p, xap_db *db, xap_stem *stem, xap_query **out, xap_query **late)
{
    *out = NULL;
    struct qlist lt = { 0 };
    if (late)
        *late = NULL;
    struct build b = { p, &p->opts, db, stem, XAP_OK, late && p->opts.boost_window ? &lt : NULL, 1.0 };
    const struct qnode *root = p->q ? p->q->root : NULL;
    /* A one-word query is a bag of one (synonyms, CJK n-grams). */
    const struct qnode *one[1] = { root };
    struct qnode wrap = { .type = QN_BAG, .kids = (struct qnode **)one, .n_kids = 1 };
    if (root && root->type == QN_TERM && root->field == QF_ANY && root->mod == QM_NONE)
        root = &wrap;
    xap_query *r = root ? compile(&b, root) : NULL;
    if (r && p->titlekey[0] && p->opts.title_exact_weight > 0 && !absent(&b, p->titlekey)) {
        /* The query is an article's whole title (known-item search): the
         * title-key term (XT, wdf 1) of the typed text. */
        r = pair(&b, XAP_OP_AND_MAYBE, r, scale(&b, query_term(&b, p->titlekey, 0), p->opts.title_exact_weight));
    }
    xap_query *lq = late ? combine(&b, XAP_OP_OR, &lt, 0) : NULL;
    if (b.st != XAP_OK) {
        xap_query_free(r);
        xap_query_free(lq);
        return b.st;
    }
    if (late && r)
        *late = lq;
    else
        xap_query_free(lq);
    if (!r) {
        xap_status st = xap_query_combine(XAP_OP_OR, NULL, 0, 0, &r);
        if (st != XAP_OK)
            return st;
    }
    *out = r;
    return XAP_OK;
}

xap_status rank_enquire(const struct plan *p, xap_enquire *e)
{
    xap_status st = xap_enquire_set_bm25(e, p->k1, 0, 1, p->b, 0.5);
    if (st == XAP_OK)
        st = xap_enquire_set_sort_by_relevance_then_value(e, VAL_ID, 0);
    return st;
}

int rank_prf_term(const char *t, size_t len)
{
    size_t pl = strlen(PFX_STEM);
    if (len < pl + 3 || memcmp(t, PFX_STEM, pl) != 0)
        return 0;
    unsigned char c1 = (unsigned char)t[pl];
    if (c1 >= 'A' && c1 <= 'Z') /* a field stem (ZS, ZH) */
        return 0;
    for (size_t i = pl; i < len; i++)
        if (t[i] >= '0' && t[i] <= '9')
            return 0;
    return 1;
}

xap_status rank_expansion(const struct plan *p, const xap_eset *es, xap_query **out)
{
    const struct rank_opts *o = &p->opts;
    struct build b = { p, o, NULL, NULL, XAP_OK, NULL, 1.0 };
    struct qlist terms = { 0 };
    double top = 0;
    size_t ne = es ? xap_eset_size(es) : 0;
    *out = NULL;
    for (size_t i = 0; i < ne && terms.n < o->prf_terms && b.st == XAP_OK; i++) {
        const char *t;
        double w;
        if ((b.st = xap_eset_item(es, i, &t, &w)) != XAP_OK)
            break;
        if (!rank_prf_term(t, strlen(t)))
            continue;
        if (top == 0)
            top = w;
        if (w <= 0 || top <= 0)
            break;
        xap_query *tq = NULL;
        if ((b.st = xap_query_term(t, 1, 0, &tq)) == XAP_OK)
            ql_add(&b, &terms, scale(&b, tq, o->prf_weight * w / top));
    }
    xap_query *exp = combine(&b, XAP_OP_OR, &terms, 0);
    if (b.st != XAP_OK) {
        xap_query_free(exp);
        return b.st;
    }
    *out = exp;
    return XAP_OK;
}

/* Weight of an expanded-only article against a real match: far below any. */
#define FILL_SCALE 0.001

xap_status rank_fill(const struct plan *p, const xap_query *exp, xap_query **q)
{
    (void)p;
    if (!exp)
        return XAP_OK;
    xap_query *both = NULL, *two[2] = { *q, (xap_query *)exp };
    xap_status st = xap_query_combine(XAP_OP_AND_MAYBE, two, 2, 0, &both);
    if (st == XAP_OK) {
        xap_query *low = NULL, *all = NULL;
        st = xap_query_scale(exp, FILL_SCALE, &low);
        if (st == XAP_OK) {
            xap_query *pair[2] = { both, low };
            st = xap_query_combine(XAP_OP_OR, pair, 2, 0, &all);
        }
        xap_query_free(low);
        xap_query_free(both);
        both = all;
    }
    if (st == XAP_OK) {
        xap_query_free(*q);
        *q = both;
    } else {
        xap_query_free(both);
    }
    return st;
}

xap_status rank_join_late(xap_query **q, const xap_query *late)
{
    if (!late)
        return XAP_OK;
    xap_query *both = NULL, *two[2] = { *q, (xap_query *)late };
    xap_status st = xap_query_combine(XAP_OP_AND_MAYBE, two, 2, 0, &both);
    if (st == XAP_OK) {
        xap_query_free(*q);
        *q = both;
    }
    return st;
}
