/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan.c: a query compiled once per request (see plan.h). */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stopword.h"
#include "tokenizer.h"

/* ---- question openers ------------------------------------------------------- */

/* Question openers: words that make a search a question without naming
 * its topic. The longest opener matching the first words wins; its words
 * are weighted by rank_opts.question_weight and never match alone. Words
 * are folded tokens ("What is (are)" -> what is are). */
static const char *const openers[] = {
    "what research or clinical trials is being done for",
    "what research is being done for",
    "how many people are affected by",
    "how many people have",
    "do you have information about",
    "where can i find information about",
    "where can i find information on",
    "can you tell me about",
    "i would like to know about",
    "i want to know about",
    "tell me about",
    "who is at risk for",
    "who is at risk of",
    "who gets",
    "what to do for",
    "what to do about",
    "what is are",
    "what is the",
    "what are the",
    "what is a",
    "what is an",
    "what is",
    "what are",
    "how to",
    "how do i",
    "how can i",
    "how do you",
    "information about",
    "information on",
};

/* Number of leading words of w[0..n) that form a question opener (never
 * the whole query). */
static size_t opener_len(const struct plan_word *w, size_t n)
{
    size_t best = 0;
    for (size_t k = 0; k < sizeof openers / sizeof openers[0]; k++) {
        const char *p = openers[k];
        size_t i = 0;
        while (*p && i < n) {
            size_t l = strcspn(p, " ");
            if (strlen(w[i].text) != l || memcmp(w[i].text, p, l) != 0)
                break;
            i++;
            p += l;
            if (*p == ' ')
                p++;
        }
        if (*p == '\0' && i > best && i < n)
            best = i;
    }
    return best;
}

/* ---- the words ------------------------------------------------------------------ */

static int plain_word(const struct qnode *k)
{
    return k->type == QN_TERM && k->mod == QM_NONE && k->field == QF_ANY;
}

/* The top-level bag's kids (a one-word query is a bag of one). */
static const struct qnode *const *top_kids(const struct query *q, size_t *n)
{
    const struct qnode *r = q ? q->root : NULL;
    *n = 0;
    if (!r)
        return NULL;
    if (r->type == QN_BAG) {
        *n = r->n_kids;
        return (const struct qnode *const *)r->kids;
    }
    *n = 1;
    return (const struct qnode *const *)&q->root;
}

struct count {
    size_t cjk, other, expandable;
};

static void count_cb(const struct qnode *t, void *ud)
{
    struct count *c = ud;
    if (t->tok_flags & TOK_CJK) {
        c->cjk++;
        return;
    }
    c->other++;
    c->expandable += !stopword_is_query(t->text, strlen(t->text));
}

static int compile_words(struct plan *p, xap_stem *stem)
{
    const struct rank_opts *o = &p->opts;
    size_t nk;
    const struct qnode *const *kids = top_kids(p->q, &nk);
    int other_matching = 0; /* a phrase, +word, title:word, wildcard... ranks too */
    p->words = calloc(nk + 1, sizeof *p->words);
    if (!p->words)
        return -1;
    for (size_t i = 0; i < nk; i++) {
        const struct qnode *k = kids[i];
        if (!plain_word(k)) {
            p->structured = 1;
            if (k->mod != QM_EXCLUDE && k->field != QF_CATEGORY && k->field != QF_LANG)
                other_matching = 1;
            continue;
        }
        struct plan_word *w = &p->words[p->n_words++];
        w->node = k;
        w->text = k->text;
        w->weight = 1.0;
        w->stop = !(k->tok_flags & TOK_CJK) && stopword_is_query(k->text, strlen(k->text));
        if (stem && !(k->tok_flags & (TOK_CJK | TOK_NUMERIC | TOK_COMPOUND)) &&
            xap_stem_apply(stem, k->text, strlen(k->text), w->stem, sizeof w->stem) == 0)
            w->stem[0] = '\0';
    }
    if (p->q && p->q->root && p->q->root->type != QN_BAG && p->q->root->type != QN_TERM)
        p->structured = 1;
    p->n_open = o->question_weight != 1.0 ? opener_len(p->words, p->n_words) : 0;
    int long_question = o->stopwords && p->n_words >= 4;
    p->stop_policy = long_question ? STOP_DROP : STOP_KEEP;
    for (size_t i = 0; i < p->n_words; i++) {
        struct plan_word *w = &p->words[i];
        w->opener = i < p->n_open;
        if (long_question && w->stop)
            w->role = PW_DROPPED;
        else if (w->opener) {
            w->weight = o->question_weight;
            w->role = o->question_weight > 0 ? PW_BOOST : PW_DROPPED;
        } else if (o->stopwords && w->stop)
            w->role = PW_BOOST;
        else
            w->role = PW_MATCH;
        p->n_match += w->role == PW_MATCH;
    }
    if (p->n_match == 0 && !other_matching && p->n_words > 0) {
        /* Only function words ("the who", "what is it"): they are the
         * query, so they match (at full weight). */
        p->stop_policy = STOP_ONLY;
        for (size_t i = 0; i < p->n_words; i++) {
            p->words[i].role = PW_MATCH;
            p->words[i].weight = 1.0;
        }
        p->n_match = p->n_words;
    }
    return 0;
}

enum query_status plan_new(struct tokenizer *tk, xap_stem *stem, const struct rank_opts *o, const char *text,
                           size_t len, enum query_mode mode, const struct query_limits *lim, struct plan **out)
{
    *out = NULL;
    struct plan *p = calloc(1, sizeof *p);
    if (!p)
        return QUERY_ERR_NOMEM;
    p->opts = *o;
    p->text = text;
    p->len = len;
    p->prf_why = "";
    p->qs = query_parse(tk, text, len, mode, lim, &p->q);
    if (p->qs != QUERY_OK && p->qs != QUERY_EMPTY) {
        enum query_status qs = p->qs;
        plan_free(p);
        return qs;
    }
    if (compile_words(p, stem) != 0) {
        plan_free(p);
        return QUERY_ERR_NOMEM;
    }
    struct count c = { 0, 0, 0 };
    query_positive_terms(p->q, count_cb, &c);
    /* CJK queries (character n-grams) saturate sooner; a Latin word in a
     * mostly CJK query scores once where a CJK word scores as a word, its
     * bigrams and its characters. */
    p->cjk = c.cjk > c.other;
    p->k1 = p->cjk ? o->bm25_k1_cjk : o->bm25_k1;
    p->b = o->bm25_b;
    p->latin_weight = p->cjk ? o->latin_in_cjk_weight : 1.0;
    if (len > 0 && len < 1024 && o->title_exact_weight > 0) {
        char buf[1024];
        memcpy(buf, text, len);
        buf[len] = '\0';
        schema_titlekey_term(p->titlekey, tk, buf);
    }
    /* PRF: English words to expand (the expand set holds English stems;
     * measured worse on CJK), and enough of them. */
    p->prf = 0;
    if (!p->q)
        p->prf_why = "no words";
    else if (o->prf_docs == 0 || o->prf_weight <= 0)
        p->prf_why = "off";
    else if (c.expandable < o->prf_min_words || c.expandable == 0)
        p->prf_why = "too few words";
    else
        p->prf = 1;
    *out = p;
    return p->qs;
}

static void unbind(struct plan *p)
{
    for (size_t i = 0; i < p->n_syns; i++) {
        free(p->syns[i].key);
        for (size_t j = 0; j < p->syns[i].n_alts; j++)
            free(p->syns[i].alts[j]);
        free(p->syns[i].alts);
    }
    free(p->syns);
    p->syns = NULL;
    p->n_syns = 0;
    p->title_known = 0;
    p->syn_terms = 0;
    free(p->other_langs);
    p->other_langs = NULL;
}

/* Synonyms of one key, at most MAX_ALTS. */
#define MAX_ALTS 16
struct alts {
    char **v;
    size_t n;
    int nomem;
};

static int alt_cb(const char *s, size_t len, void *ud)
{
    struct alts *a = ud;
    if (a->n >= MAX_ALTS)
        return 1;
    if (!a->v && !(a->v = calloc(MAX_ALTS, sizeof *a->v))) {
        a->nomem = 1;
        return 1;
    }
    if (!(a->v[a->n] = strndup(s, len))) {
        a->nomem = 1;
        return 1;
    }
    a->n++;
    return 0;
}

xap_status plan_synphrase_terms(xap_db *db, int *yes)
{
    char *made = NULL, *table = NULL;
    size_t ml = 0, tl = 0;
    xap_status st = xap_db_metadata_common(db, SCHEMA_META_SYNPHRASES, 0, &made, &ml);
    if (st == XAP_OK && ml > 0)
        st = xap_db_metadata_common(db, SCHEMA_META_SYNONYMS_HASH, 1, &table, &tl);
    *yes = st == XAP_OK && schema_synphrases_hold(made, ml, table, tl);
    free(made);
    free(table);
    return st;
}

/* The index's language terms (PFX_LANG) other than English's, one per
 * line, or NULL when it has none: articles whose words were not stemmed
 * in English (termgen.c: a CJK language has no stemmer, another its
 * own), so one may hold a word without its English stem. Articles with
 * no language are English. Read once per handle (xap_db_prefix_terms). */
static xap_status other_langs(xap_db *db, char **out)
{
    char *all = NULL, en[SCHEMA_MAX_TERM + 2];
    size_t len = 0;
    *out = NULL;
    xap_status st = xap_db_prefix_terms(db, PFX_LANG, &all, &len);
    if (st != XAP_OK)
        return st;
    schema_term(en, PFX_LANG, "en", 2);
    strcat(en, "\n");
    size_t el = strlen(en), k = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(all + i, '\n', len - i);
        size_t l = (nl ? (size_t)(nl - all) : len) + 1 - i;
        if (!(l == el && memcmp(all + i, en, el) == 0)) {
            memmove(all + k, all + i, l);
            k += l;
        }
        i += l;
    }
    if (k == 0) {
        free(all);
        return XAP_OK;
    }
    all[k] = '\0';
    *out = all;
    return XAP_OK;
}

xap_status plan_bind(struct plan *p, xap_db *db)
{
    unbind(p);
    xap_status st = XAP_OK;
    if (p->opts.synonym_weight > 0 && p->n_words > 0) {
        /* at most 3 groups start at each word */
        if (!(p->syns = calloc(p->n_words * 3, sizeof *p->syns)))
            return XAP_ERR_NOMEM;
        const struct plan_word *w = p->words;
        for (size_t i = 0; i < p->n_words && st == XAP_OK; i++) {
            char key[512];
            size_t kl = 0;
            for (size_t n = 1; n <= 3 && i + n <= p->n_words && st == XAP_OK; n++) {
                const struct qnode *t = w[i + n - 1].node, *prev = n > 1 ? w[i + n - 2].node : NULL;
                if (prev && t->pos != prev->pos + 1 + prev->n_kids)
                    break; /* not adjacent */
                size_t tl = strlen(t->text);
                if (kl + tl + 2 > sizeof key)
                    break;
                if (kl)
                    key[kl++] = ' ';
                memcpy(key + kl, t->text, tl);
                kl += tl;
                key[kl] = '\0';
                struct alts a = { NULL, 0, 0 };
                st = xap_db_synonyms(db, key, alt_cb, &a);
                if (st == XAP_OK && a.nomem)
                    st = XAP_ERR_NOMEM;
                struct plan_syn *s = &p->syns[p->n_syns];
                if (st == XAP_OK && a.n > 0 && (s->key = strdup(key))) {
                    s->first = i;
                    s->n = n;
                    s->alts = a.v;
                    s->n_alts = a.n;
                    p->n_syns++;
                    continue;
                }
                if (st == XAP_OK && a.n > 0)
                    st = XAP_ERR_NOMEM;
                for (size_t j = 0; j < a.n; j++)
                    free(a.v[j]);
                free(a.v);
            }
        }
    }
    if (st == XAP_OK && p->n_syns > 0)
        st = plan_synphrase_terms(db, &p->syn_terms);
    if (st == XAP_OK && p->opts.boost_window > 0 && p->opts.exact_weight > 0 && p->q)
        st = other_langs(db, &p->other_langs);
    if (st == XAP_OK && p->titlekey[0] && p->prf) {
        /* A known-item search (some article's whole title is the query):
         * its first results are what was asked for; PRF would blur them. */
        uint32_t tf = 0;
        st = xap_db_termfreq(db, p->titlekey, &tf);
        p->title_known = tf > 0;
    }
    if (st != XAP_OK)
        unbind(p);
    return st;
}

int plan_prf(const struct plan *p)
{
    return p->prf && !p->title_known;
}

void plan_free(struct plan *p)
{
    if (!p)
        return;
    unbind(p);
    free(p->words);
    query_free(p->q);
    free(p);
}

/* ---- marks ------------------------------------------------------------------------ */

const struct plan_word *plan_word_of(const struct plan *p, const struct qnode *n)
{
    for (size_t i = 0; i < p->n_words; i++)
        if (p->words[i].node == n)
            return &p->words[i];
    return NULL;
}

struct mark_walk {
    const struct plan *p;
    int (*cb)(const char *, size_t, void *);
    void *ud;
    int stop;
};

static void mark_cb(const struct qnode *t, void *ud)
{
    struct mark_walk *m = ud;
    if (m->stop)
        return;
    const struct plan_word *w = plan_word_of(m->p, t);
    if (w && w->role != PW_MATCH)
        return; /* function and opener words never explain a match */
    m->stop = m->cb(t->text, strlen(t->text), m->ud);
    for (size_t i = 0; i < t->n_kids && !m->stop; i++) /* a compound's parts */
        m->stop = m->cb(t->kids[i]->text, strlen(t->kids[i]->text), m->ud);
}

void plan_marks(const struct plan *p, int (*cb)(const char *s, size_t len, void *ud), void *ud)
{
    struct mark_walk m = { p, cb, ud, 0 };
    query_positive_terms(p->q, mark_cb, &m);
    for (size_t i = 0; i < p->n_syns && !m.stop; i++) {
        m.stop = cb(p->syns[i].key, strlen(p->syns[i].key), ud);
        for (size_t j = 0; j < p->syns[i].n_alts && !m.stop; j++)
            m.stop = cb(p->syns[i].alts[j], strlen(p->syns[i].alts[j]), ud);
    }
}

/* ---- description ------------------------------------------------------------------- */

char *plan_describe(const struct plan *p)
{
    char *s = NULL;
    size_t sl = 0;
    FILE *f = open_memstream(&s, &sl);
    if (!f)
        return NULL;
    static const char *const roles[] = { "match", "boost", "dropped" };
    static const char *const pols[] = { "keep", "drop", "only" };
    fputs("words=", f);
    for (size_t i = 0; i < p->n_words; i++) {
        const struct plan_word *w = &p->words[i];
        fprintf(f, "%s%s", i ? "," : "", w->text);
        if (w->stem[0] && strcmp(w->stem, w->text) != 0)
            fprintf(f, "/%s", w->stem);
        fprintf(f, ":%s", roles[w->role]);
        if (w->weight != 1.0)
            fprintf(f, "*%g", w->weight);
    }
    fprintf(f, " stop=%s k1=%g b=%g title=%g heading=%g prf=%s", pols[p->stop_policy], p->k1, p->b,
            p->opts.title_weight, p->opts.heading_weight, plan_prf(p) ? "on" : p->title_known ? "known-item" : p->prf_why);
    if (p->structured)
        fputs(" structured", f);
    if (p->syn_terms)
        fputs(" synterms", f);
    for (size_t i = 0; i < p->n_syns; i++) {
        fprintf(f, " syn[%s]=", p->syns[i].key);
        for (size_t j = 0; j < p->syns[i].n_alts; j++)
            fprintf(f, "%s%s", j ? "|" : "", p->syns[i].alts[j]);
    }
    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    return s;
}
