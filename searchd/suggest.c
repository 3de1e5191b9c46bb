/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suggest: GET /suggest: completions of a typed prefix, ranked; a prefix
 * nothing completes is respelled with one slip undone (a fallback only). */
#include "suggest.h"

#include <ctype.h>
#include <math.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "doc.h"
#include "grow.h"
#include "schema.h"
#include "server.h"
#include "spell.h"
#include "spellcost.h"
#include "stopword.h"
#include "tokenizer.h"
#include "worker.h"
#include "xap.h"

#define SCAN_CAP 3000   /* terms read per prefix scan: a one-letter prefix stays fast */
#define KEY_CAP 200     /* synonym keys examined */
#define MAX_WORDS 8     /* typed words considered (the last ones) */
#define MAX_TITLES 2    /* article titles at the end of the list */
#define POOL 32         /* completions kept from the scans, then ranked */
#define MAX_NEXT 6      /* word completions after other words, checked as phrases */
#define TEXT_CAP (SCHEMA_MAX_TERM + 1)

enum kind { K_TOPIC, K_PHRASE, K_WORD, K_TITLE };

struct sug {
    char *text;
    char *id;         /* K_TITLE: the article */
    enum kind kind;
    double score;     /* articles having it */
};

struct sugs {
    struct sug *v;
    size_t n, cap;
    size_t keep; /* the most kept (limit) */
    int oom;
};

static void sugs_free(struct sugs *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].text);
        free(s->v[i].id);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int sug_cmp(const void *a, const void *b)
{
    const struct sug *x = a, *y = b;
    int tx = x->kind == K_TOPIC, ty = y->kind == K_TOPIC;
    if (tx != ty)
        return ty - tx;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* Would (kind, score, text) rank before y, as sug_cmp orders? */
static int beats(enum kind kind, double score, const char *text, size_t len, const struct sug *y)
{
    int tx = kind == K_TOPIC, ty = y->kind == K_TOPIC;
    if (tx != ty)
        return tx;
    if (score != y->score)
        return score > y->score;
    size_t yl = strlen(y->text);
    int c = memcmp(text, y->text, len < yl ? len : yl);
    return c < 0 || (c == 0 && len < yl);
}

/* Add a suggestion; a text already there keeps the better kind and
 * score. Only the best `keep` are kept, so a scan of thousands of terms
 * costs thousands times keep at most. */
static void sugs_add(struct sugs *s, const char *text, size_t len, enum kind kind, double score, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->v[i].text) == len && memcmp(s->v[i].text, text, len) == 0) {
            if (kind < s->v[i].kind)
                s->v[i].kind = kind;
            if (score > s->v[i].score)
                s->v[i].score = score;
            return;
        }
    struct sug *g;
    if (s->n < s->keep) {
        if (GROW(s->v, s->cap, s->n + 1, 16) != 0) {
            s->oom = 1;
            return;
        }
        g = &s->v[s->n];
    } else {
        /* full: replace the worst if the new one beats it */
        size_t worst = 0;
        for (size_t i = 1; i < s->n; i++)
            if (sug_cmp(&s->v[i], &s->v[worst]) > 0)
                worst = i;
        if (!beats(kind, score, text, len, &s->v[worst]))
            return;
        g = &s->v[worst];
        free(g->text);
        free(g->id);
    }
    g->text = strndup(text, len);
    g->id = id ? strdup(id) : NULL;
    if (!g->text || (id && !g->id)) {
        free(g->text);
        free(g->id);
        s->oom = 1;
        if (g != &s->v[s->n]) /* a replaced slot: fill the hole with the last */
            *g = s->v[--s->n];
        return;
    }
    g->kind = kind;
    g->score = score;
    if (g == &s->v[s->n])
        s->n++;
}

/* Move a source's suggestions into the result (emptying src). */
static void sugs_move(struct sugs *dst, struct sugs *src)
{
    for (size_t i = 0; i < src->n && !dst->oom; i++)
        sugs_add(dst, src->v[i].text, strlen(src->v[i].text), src->v[i].kind, src->v[i].score, src->v[i].id);
    dst->oom |= src->oom;
    size_t keep = src->keep;
    sugs_free(src);
    src->keep = keep;
}

/* A completion should not end in a function word ("signs of a"); a
 * single letter after a real word is a name ("vitamin a", "hepatitis a"). */
static int bad_end(const char *text, size_t len)
{
    const char *last = text + len;
    while (last > text && last[-1] != ' ')
        last--;
    size_t ll = (size_t)(text + len - last);
    if (!stopword_is(last, ll))
        return 0;
    if (ll != 1 || last == text)
        return 1;
    const char *prev = last - 1;
    while (prev > text && prev[-1] != ' ')
        prev--;
    return stopword_is(prev, (size_t)(last - 1 - prev));
}

/* Function words the stop word list leaves to ranking, but nobody
 * searches for (sorted). */
static int function_word(const char *w, size_t len)
{
    static const char *const fw[] = { "although", "however", "therefore", "though", "thus", "unless",
                                      "upon", "whatever", "whenever", "whereas", "wherever", "whether",
                                      "whichever", "whose", "within", "without" };
    for (size_t i = 0; i < sizeof fw / sizeof fw[0]; i++)
        if (strlen(fw[i]) == len && memcmp(fw[i], w, len) == 0)
            return 1;
    return 0;
}

/* A word worth completing to: not a number, not one ASCII letter, not a
 * stop or function word. */
static int good_word(const char *w, size_t len)
{
    if (len < 2 && (unsigned char)w[0] < 0x80)
        return 0;
    size_t digits = 0;
    for (size_t i = 0; i < len; i++)
        digits += isdigit((unsigned char)w[i]) || ispunct((unsigned char)w[i]);
    return digits < len && !stopword_is(w, len) && !function_word(w, len);
}

static uint32_t df_of(xap_db *db, const char *term)
{
    uint32_t tf = 0;
    if (xap_db_termfreq(db, term, &tf) != XAP_OK)
        tf = 0;
    return tf;
}

/* Articles that have a phrase in the key form (words joined by spaces): a
 * word's df, or a multi-word phrase's df as a title/heading phrase. */
static uint32_t key_df(xap_db *db, const char *key)
{
    char term[TEXT_CAP + 4];
    if (!strchr(key, ' '))
        return df_of(db, key);
    /* key form -> phrase form (no space between CJK words) */
    char ph[TEXT_CAP];
    size_t len = 0;
    ph[0] = '\0';
    for (const char *w = key; *w;) {
        size_t wl = strcspn(w, " ");
        if (schema_phrase_append(ph, &len, sizeof ph, w, wl) != 0)
            return 0;
        w += wl;
        while (*w == ' ')
            w++;
    }
    schema_term(term, PFX_PHRASE, ph, len);
    return df_of(db, term);
}

struct scan {
    xap_db *db;
    struct sugs *out;
    const char *head;  /* typed words before the completed one, phrase form */
    size_t head_len;
    size_t seen;
    struct {
        char word[TEXT_CAP];
        uint32_t tf;
    } next[MAX_NEXT];  /* after other words: candidates, most frequent first */
    size_t n_next;
    char two[TEXT_CAP];   /* the last 2-word phrase seen, and its df */
    size_t two_len;
    uint32_t two_tf;
};

static int on_key(const char *key, size_t len, void *ud)
{
    struct scan *c = ud;
    if (++c->seen > KEY_CAP)
        return 1;
    char k[TEXT_CAP];
    if (len >= sizeof k)
        return 0;
    memcpy(k, key, len);
    k[len] = '\0';
    uint32_t df = key_df(c->db, k);
    /* a name the index only knows through its synonyms still finds them */
    if (df == 0)
        return 0;
    sugs_add(c->out, k, len, K_TOPIC, df, NULL);
    return c->out->oom;
}

/* XK: the topics articles are about, completed from what was typed. */
static int on_topic(const char *term, size_t len, uint32_t tf, void *ud)
{
    struct scan *c = ud;
    if (++c->seen > SCAN_CAP)
        return 1;
    const char *p = term + strlen(PFX_TOPIC);
    size_t pl = len - strlen(PFX_TOPIC);
    if (pl == 0 || bad_end(p, pl))
        return 0;
    sugs_add(c->out, p, pl, K_TOPIC, tf, NULL);
    return c->out->oom;
}

static int on_phrase(const char *term, size_t len, uint32_t tf, void *ud)
{
    struct scan *c = ud;
    if (++c->seen > SCAN_CAP)
        return 1;
    const char *p = term + strlen(PFX_PHRASE);
    size_t pl = len - strlen(PFX_PHRASE);
    if (bad_end(p, pl) || (!c->head_len && stopword_is(p, strcspn(p, " "))))
        return 0; /* "signs of a", "about hepatitis" */
    /* terms come sorted: a 3-word phrase follows its 2-word start; when
     * both are in the same articles the longer one adds nothing */
    const char *sp = memchr(p, ' ', pl);
    const char *sp2 = sp ? memchr(sp + 1, ' ', pl - (size_t)(sp + 1 - p)) : NULL;
    if (!sp2 && pl < sizeof c->two) {
        memcpy(c->two, p, pl);
        c->two[pl] = '\0';
        c->two_len = pl;
        c->two_tf = tf;
    } else if (sp2 && c->two_len == (size_t)(sp2 - p) && memcmp(c->two, p, c->two_len) == 0 && tf == c->two_tf)
        return 0;
    sugs_add(c->out, p, pl, K_PHRASE, tf, NULL);
    return c->out->oom;
}

static int on_word(const char *term, size_t len, uint32_t tf, void *ud)
{
    struct scan *c = ud;
    if (++c->seen > SCAN_CAP)
        return 1;
    if (!good_word(term, len) || len >= TEXT_CAP)
        return 0;
    if (!c->head_len) {
        sugs_add(c->out, term, len, K_WORD, tf, NULL);
        return c->out->oom;
    }
    /* after other words: keep the most frequent few, checked below */
    size_t i = c->n_next < MAX_NEXT ? c->n_next++ : MAX_NEXT;
    if (i == MAX_NEXT) {
        if (tf <= c->next[MAX_NEXT - 1].tf)
            return 0;
        i = MAX_NEXT - 1;
    }
    while (i > 0 && c->next[i - 1].tf < tf) {
        c->next[i] = c->next[i - 1];
        i--;
    }
    memcpy(c->next[i].word, term, len);
    c->next[i].word[len] = '\0';
    c->next[i].tf = tf;
    return 0;
}

/* The word completions after other words that really follow the word
 * before them somewhere (a phrase query), scored by how many articles. */
static xap_status check_next(xap_db *db, const char *prev, struct scan *c)
{
    for (size_t i = 0; i < c->n_next; i++) {
        xap_query *pair[2] = { NULL, NULL }, *q = NULL;
        xap_enquire *e = NULL;
        xap_mset *m = NULL;
        xap_status st;
        if ((st = xap_query_term(prev, 1, 1, &pair[0])) == XAP_OK &&
            (st = xap_query_term(c->next[i].word, 1, 2, &pair[1])) == XAP_OK &&
            (st = xap_query_combine(XAP_OP_PHRASE, pair, 2, 2, &q)) == XAP_OK &&
            (st = xap_enquire_new(db, &e)) == XAP_OK && (st = xap_enquire_set_query(e, q)) == XAP_OK)
            st = xap_enquire_mset(e, 0, 0, 100, NULL, 0, &m);
        uint32_t found = st == XAP_OK ? xap_mset_estimated(m) : 0;
        xap_mset_free(m);
        xap_enquire_free(e);
        xap_query_free(q);
        xap_query_free(pair[0]);
        xap_query_free(pair[1]);
        if (st != XAP_OK)
            return st;
        if (found == 0)
            continue;
        char t[TEXT_CAP];
        size_t tl = c->head_len;
        memcpy(t, c->head, tl);
        t[tl] = '\0';
        if (schema_phrase_append(t, &tl, sizeof t, c->next[i].word, strlen(c->next[i].word)) == 0)
            sugs_add(c->out, t, tl, K_WORD, found, NULL);
    }
    return c->out->oom ? XAP_ERR_NOMEM : XAP_OK;
}

/* Titles having every typed word (the last one as a prefix). */
static xap_status add_titles(xap_db *db, const struct tok_token *const *w, size_t n, int trailing,
                             struct sugs *out, size_t max)
{
    xap_query *subs[MAX_WORDS] = { 0 };
    size_t ns = 0;
    char term[TEXT_CAP + 4];
    xap_status st = XAP_OK;
    for (size_t i = 0; i < n && st == XAP_OK; i++) {
        schema_term(term, PFX_TITLE, w[i]->text, w[i]->len);
        if (i + 1 < n || trailing)
            st = xap_query_term(term, 1, 0, &subs[ns]);
        else
            st = xap_query_wildcard_db(db, term, 20, 1, &subs[ns]);
        if (st == XAP_OK)
            ns++;
    }
    xap_query *q = NULL;
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    if (st == XAP_OK && (st = xap_query_combine(XAP_OP_AND, subs, ns, 0, &q)) == XAP_OK &&
        (st = xap_enquire_new(db, &e)) == XAP_OK && (st = xap_enquire_set_query(e, q)) == XAP_OK)
        st = xap_enquire_mset(e, 0, (uint32_t)max, 0, NULL, 0, &m);
    for (size_t i = 0; st == XAP_OK && m && i < xap_mset_size(m); i++) {
        uint32_t docid, rank;
        double wt;
        int pct;
        struct article *a = NULL;
        if ((st = xap_mset_item(m, i, &docid, &rank, &wt, &pct)) != XAP_OK)
            break;
        if ((st = doc_load(db, docid, DOC_HEAD, &a, NULL)) == XAP_OK && a->title && *a->title)
            sugs_add(out, a->title, strlen(a->title), K_TITLE, 1, a->id);
        article_free(a);
        if (st == XAP_ERR_NOT_FOUND)
            st = XAP_OK;
    }
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_query_free(q);
    for (size_t i = 0; i < ns; i++)
        xap_query_free(subs[i]);
    return st;
}

/* What a person typing a prefix most likely wants: a topic many articles
 * are about, then a word or phrase many titles end on (not one that only
 * leads into the next word), then one the text uses much, the fewer
 * words beyond the typed ones the better. Each is counted in articles;
 * logs keep one very common word from drowning a topic. A topic (an XK term, or a synonym file's name)
 * also gets a fixed step up: it names something to read about. */
#define W_TOPIC_DF 0.5
#define W_TOPIC 2.0
#define W_TITLE_DF 0.5
#define W_TEXT_DF 0.5
/* A length prior: each word beyond those typed costs a step, so "glu"
 * offers "glucose" before "glucose-galactose malabsorption"; a topic
 * phrase still beats a plain word about as common (W_TOPIC > this). */
#define W_EXTRA_WORD 1.5

/* How many titles and headings go on from a word to another one: the
 * articles of each 2-word phrase "word x" (XP, x not a function word),
 * summed. One scan of the word's phrases, at most NEXT_CAP terms (a
 * longer list is undercounted). */
#define NEXT_CAP 400

struct next_count {
    size_t plen; /* the scanned prefix: XP, the word, a space */
    size_t seen;
    uint32_t sum;
};

static int on_next(const char *term, size_t len, uint32_t tf, void *ud)
{
    struct next_count *n = ud;
    if (++n->seen > NEXT_CAP)
        return 1;
    /* 2 words, not a whole title; "acupuncture for back pain" ends a
     * phrase on acupuncture: a function word is not what it goes on to */
    const char *w2 = term + n->plen;
    size_t l2 = len - n->plen;
    if (!memchr(w2, ' ', l2) && !stopword_is(w2, l2))
        n->sum += tf;
    return 0;
}

static uint32_t next_df(xap_db *db, const char *word, size_t len)
{
    char term[TEXT_CAP + 8];
    if (len + strlen(PFX_PHRASE) + 2 > sizeof term)
        return 0;
    int plen = snprintf(term, sizeof term, "%s%.*s ", PFX_PHRASE, (int)len, word);
    struct next_count n = { (size_t)plen, 0, 0 };
    if (xap_db_allterms(db, term, on_next, &n) != XAP_OK)
        return 0;
    return n.sum;
}

static void rescore(xap_db *db, struct sug *g, size_t typed_words)
{
    char ph[TEXT_CAP], term[TEXT_CAP + 4];
    size_t len = 0;
    ph[0] = '\0';
    for (const char *w = g->text; *w;) {
        size_t wl = strcspn(w, " ");
        if (schema_phrase_append(ph, &len, sizeof ph, w, wl) != 0)
            return;
        w += wl;
        while (*w == ' ')
            w++;
    }
    schema_term(term, PFX_TOPIC, ph, len);
    uint32_t kdf = df_of(db, term), sdf, df;
    if (!strchr(g->text, ' ')) {
        schema_term(term, PFX_TITLE, ph, len);
        sdf = df_of(db, term);
        df = df_of(db, ph);
        /* A title word that goes on to another is a modifier, not what
         * the title is about ("acute" in "acute bronchitis", "changes"
         * in "genetic changes related to ..."): only the titles where
         * it ends a phrase count for it. */
        if (sdf > 0) {
            uint32_t next = next_df(db, ph, len);
            sdf = sdf > next ? sdf - next : 0;
        }
    } else {
        schema_term(term, PFX_PHRASE, ph, len);
        sdf = df_of(db, term);
        df = g->score > sdf ? (uint32_t)g->score : sdf;
    }
    int topic = kdf > 0 || g->kind == K_TOPIC;
    g->kind = topic ? K_TOPIC : g->kind;
    size_t words = 1;
    for (const char *p = g->text; *p; p++)
        words += *p == ' ';
    double extra = words > typed_words ? (double)(words - typed_words) : 0;
    g->score = W_TOPIC_DF * log1p(kdf) + (topic ? W_TOPIC : 0) + W_TITLE_DF * log1p(sdf) + W_TEXT_DF * log1p(df) -
               W_EXTRA_WORD * extra;
}

/* One-word completions, once rescored, by what they name:
 * - a plain word whose stem twin is a topic is that topic too: the index
 *   searches them as one ("spasms", which the articles use, and the
 *   vocabulary's "spasm");
 * - a plain word that names no thing (an adjective, a verb that is no
 *   noun: "acute", "interfere") loses the step a topic gains: people
 *   search for things ("irr" offers "irritability" before "irregular"). */
static void word_kinds(struct sugs *r, xap_stem *stem)
{
    char *st = stem ? calloc(r->n, TEXT_CAP) : NULL; /* each one's stem, "" if none */
    unsigned char *was = calloc(r->n ? r->n : 1, 1); /* a one-word topic before this pass */
    if (!was || (stem && !st)) {
        free(st);
        free(was);
        return; /* out of memory: the ranking stays as it was */
    }
    for (size_t i = 0; i < r->n; i++) {
        const struct sug *g = &r->v[i];
        if (g->kind == K_TITLE || strchr(g->text, ' '))
            continue;
        was[i] = g->kind == K_TOPIC;
        if (st)
            xap_stem_apply(stem, g->text, strlen(g->text), st + i * TEXT_CAP, TEXT_CAP);
    }
    for (size_t i = 0; i < r->n; i++) {
        struct sug *g = &r->v[i];
        if (g->kind == K_TOPIC || g->kind == K_TITLE || strchr(g->text, ' '))
            continue;
        int twin = 0;
        for (size_t k = 0; st && st[i * TEXT_CAP] && !twin && k < r->n; k++)
            twin = was[k] && strcmp(st + i * TEXT_CAP, st + k * TEXT_CAP) == 0;
        if (twin) {
            g->kind = K_TOPIC;
            g->score += W_TOPIC;
        } else if (spell_names_no_thing(g->text, strlen(g->text)))
            g->score -= W_TOPIC;
    }
    free(st);
    free(was);
}

static int score_cmp(const void *a, const void *b)
{
    const struct sug *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->text, y->text);
}

struct sug_job {
    const char *q;
    size_t qlen;
    size_t limit;
    struct tokenizer *tk;
    xap_stem *stem;  /* may be NULL */
    int fuzzy;       /* look for a one-slip respelling when nothing completes */
    struct sugs res; /* OUT */
    char *fix;       /* OUT: q with its last word respelled, or NULL */
};

/* ---- typo-tolerant prefixes, only when nothing completes ---- */
#define FIX_MIN 4   /* a shorter prefix completes to too much to guess */
#define FIX_MAX 24

struct probe {
    uint32_t tf; /* the commonest of the first words the prefix begins */
    size_t seen;
};

static int on_probe(const char *term, size_t len, uint32_t tf, void *ud)
{
    struct probe *p = ud;
    (void)term;
    (void)len;
    if (tf > p->tf)
        p->tf = tf;
    return ++p->seen >= 20;
}

struct fix_cand {
    char v[FIX_MAX + 8];
};

struct fixer {
    const char *typed;
    size_t tl;
    struct fix_cand *c;
    size_t n, cap;
};

/* A respelling of the typed prefix, to look up. */
static void add_fix(const char *v, size_t vl, void *ud)
{
    struct fixer *f = ud;
    if (f->n == f->cap || vl < FIX_MIN - 1 || vl > FIX_MAX || (vl == f->tl && memcmp(v, f->typed, vl) == 0))
        return;
    memcpy(f->c[f->n].v, v, vl);
    f->c[f->n++].v[vl] = '\0';
}

/* The typed last word with one plain edit (a letter dropped, added,
 * replaced, or two swapped) or one phonetic pattern rewritten. */
static xap_status find_fix(xap_db *db, const char *w, size_t wl, char *out, size_t cap)
{
    for (size_t i = 0; i < wl; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return XAP_OK; /* ASCII words only: that is what spellcost weighs */
    struct fixer f = { .typed = w, .tl = wl, .cap = 60 * (FIX_MAX + 1) };
    if (!(f.c = malloc(f.cap * sizeof *f.c)))
        return XAP_ERR_NOMEM;
    char v[FIX_MAX + 8];
    for (size_t i = 0; i < wl; i++) { /* dropped */
        memcpy(v, w, i);
        memcpy(v + i, w + i + 1, wl - i - 1);
        add_fix(v, wl - 1, &f);
    }
    for (size_t i = 0; i + 1 < wl; i++) { /* swapped */
        memcpy(v, w, wl);
        v[i] = w[i + 1];
        v[i + 1] = w[i];
        add_fix(v, wl, &f);
    }
    for (size_t i = 1; i < wl; i++) /* replaced (not the first letter: phonetic variants do that) */
        for (char c = 'a'; c <= 'z'; c++) {
            if (c == w[i])
                continue;
            memcpy(v, w, wl);
            v[i] = c;
            add_fix(v, wl, &f);
        }
    for (size_t i = 1; i <= wl; i++) /* added (not before the first letter) */
        for (char c = 'a'; c <= 'z'; c++) {
            memcpy(v, w, i);
            v[i] = c;
            memcpy(v + i + 1, w + i, wl - i);
            add_fix(v, wl + 1, &f);
        }
    spellcost_variants(w, wl, 16, add_fix, &f);
    /* Index look-ups are cheap, spellcost is not: weigh only the
     * respellings some index word starts with; keep the cheapest slip,
     * the commonest of equally cheap ones. */
    xap_status st = XAP_OK;
    uint32_t best_tf = 0;
    double best_cost = SPELLCOST_FAR;
    for (size_t i = 0; i < f.n && st == XAP_OK; i++) {
        struct probe p = { 0, 0 };
        st = xap_db_allterms(db, f.c[i].v, on_probe, &p);
        if (st != XAP_OK || !p.seen)
            continue;
        size_t vl = strlen(f.c[i].v);
        double cost = spellcost(w, wl, f.c[i].v, vl);
        if (cost > spellcost_limit(wl) || cost > best_cost || (cost == best_cost && p.tf <= best_tf) || vl >= cap)
            continue;
        memcpy(out, f.c[i].v, vl + 1);
        best_tf = p.tf;
        best_cost = cost;
    }
    free(f.c);
    return st;
}

static xap_status sug_run(xap_db *db, void *ud)
{
    struct sug_job *j = ud;
    sugs_free(&j->res);
    j->res.keep = j->limit * 4 > POOL ? j->limit * 4 : POOL; /* rescored below, then cut to limit */
    const struct tok_token *toks;
    size_t nt;
    if (tokenizer_run(j->tk, j->q, j->qlen, 1, &toks, &nt) != 0)
        return XAP_ERR_NOMEM;
    const struct tok_token *w[MAX_WORDS];
    size_t n = 0;
    for (size_t i = 0; i < nt; i++) {
        if (toks[i].flags & TOK_PART)
            continue;
        if (n == MAX_WORDS) { /* keep the last ones: that is where the user types */
            memmove(w, w + 1, (MAX_WORDS - 1) * sizeof *w);
            n--;
        }
        w[n++] = &toks[i];
    }
    if (n == 0)
        return XAP_OK;
    /* "heart " (a separator after the last word): that word is complete */
    int trailing = w[n - 1]->end < j->qlen;

    /* the typed text in phrase form (XP) and key form (synonyms) */
    char typed[TEXT_CAP], key[TEXT_CAP], head[TEXT_CAP];
    size_t tl = 0, kl = 0, hl = 0;
    typed[0] = key[0] = head[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (schema_phrase_append(typed, &tl, sizeof typed - 2, w[i]->text, w[i]->len) != 0 ||
            kl + w[i]->len + 2 >= sizeof key)
            return XAP_OK; /* too long to be a completion prefix */
        if (kl)
            key[kl++] = ' ';
        memcpy(key + kl, w[i]->text, w[i]->len);
        key[kl += w[i]->len] = '\0';
        if (i + 1 < n)
            schema_phrase_append(head, &hl, sizeof head, w[i]->text, w[i]->len);
    }
    if (trailing && !tokenizer_is_cjk(w[n - 1]->text, w[n - 1]->len)) {
        typed[tl++] = ' ';
        typed[tl] = '\0';
        key[kl++] = ' ';
        key[kl] = '\0';
    }

    /* Each source (synonym keys, topics, phrases, words) keeps its own
     * best `pool` by its own count, so 32 rare topics sharing a prefix
     * ("spastic paraplegia type ...") cannot push every common word
     * ("spasms") out before the common score is computed. */
    size_t pool = j->res.keep;
    j->res.keep = 4 * pool;
    struct sugs part = { .keep = pool };
    struct scan c = { .db = db, .out = &part, .head = head, .head_len = hl };
    xap_status st = xap_db_synonym_keys(db, key, on_key, &c);
    sugs_move(&j->res, &part);
    char term[TEXT_CAP + 4];
    if (st == XAP_OK && !j->res.oom) {
        snprintf(term, sizeof term, "%s%s", PFX_TOPIC, typed);
        c.seen = 0;
        st = xap_db_allterms(db, term, on_topic, &c);
        sugs_move(&j->res, &part);
    }
    if (st == XAP_OK && !j->res.oom) {
        snprintf(term, sizeof term, "%s%s", PFX_PHRASE, typed);
        c.seen = 0;
        st = xap_db_allterms(db, term, on_phrase, &c);
        sugs_move(&j->res, &part);
    }
    if (st == XAP_OK && !j->res.oom && !trailing) {
        c.seen = 0;
        /* the partial last word, as typed (folded) */
        snprintf(term, sizeof term, "%.*s", (int)w[n - 1]->len, w[n - 1]->text);
        st = xap_db_allterms(db, term, on_word, &c);
        if (st == XAP_OK && n > 1) {
            snprintf(term, sizeof term, "%.*s", (int)w[n - 2]->len, w[n - 2]->text);
            st = check_next(db, term, &c);
        }
        sugs_move(&j->res, &part);
    }
    sugs_free(&part);
    /* nothing completes the last word: try it with one slip undone */
    if (st == XAP_OK && j->res.n == 0 && j->fuzzy && !trailing && w[n - 1]->len >= FIX_MIN &&
        w[n - 1]->len <= FIX_MAX) {
        char fix[FIX_MAX + 8] = "";
        st = find_fix(db, w[n - 1]->text, w[n - 1]->len, fix, sizeof fix);
        size_t at = w[n - 1]->start, fl = strlen(fix);
        if (st == XAP_OK && fl && (j->fix = malloc(at + fl + 1)) != NULL) {
            memcpy(j->fix, j->q, at);
            memcpy(j->fix + at, fix, fl + 1);
        }
        if (st != XAP_OK || j->fix)
            return st; /* the caller completes j->fix instead */
    }
    for (size_t i = 0; st == XAP_OK && i < j->res.n; i++)
        rescore(db, &j->res.v[i], trailing ? n + 1 : n);
    if (st == XAP_OK)
        word_kinds(&j->res, j->stem);
    if (j->res.n > 1)
        qsort(j->res.v, j->res.n, sizeof *j->res.v, score_cmp);
    /* One word typed completes to words and to topics, not to fragments
     * of titles ("changes related"). */
    size_t kept = 0;
    for (size_t i = 0; i < j->res.n; i++) {
        struct sug *g = &j->res.v[i];
        int drop = kept >= j->limit || (n == 1 && !trailing && g->kind != K_TOPIC && strchr(g->text, ' '));
        if (drop) {
            free(g->text);
            free(g->id);
        } else
            j->res.v[kept++] = *g;
    }
    j->res.n = kept;
    /* titles go after the others, in the slots left */
    struct sugs titles = { .keep = MAX_TITLES };
    if (st == XAP_OK && !j->res.oom && j->qlen >= 3) {
        titles.keep = j->limit > j->res.n ? j->limit - j->res.n : 0;
        if (titles.keep)
            st = add_titles(db, w, n, trailing, &titles, titles.keep);
    }
    if (st == XAP_OK && !j->res.oom && !titles.oom) {
        j->res.keep = j->res.n + titles.n;
        for (size_t i = 0; i < titles.n && !j->res.oom; i++) /* kept in mset order */
            sugs_add(&j->res, titles.v[i].text, strlen(titles.v[i].text), K_TITLE, titles.v[i].score,
                     titles.v[i].id);
    }
    j->res.oom |= titles.oom;
    sugs_free(&titles);
    if (j->res.oom)
        return XAP_ERR_NOMEM;
    return st;
}

static const char *kind_name(enum kind k)
{
    return k == K_TITLE ? "title" : k == K_WORD ? "word" : k == K_PHRASE ? "phrase" : "topic";
}

void suggest_handle(struct server_req *req)
{
    size_t qlen;
    const char *q = server_arg_str(req, "q", &qlen);
    long limit;
    if (!q) {
        server_reply_error(req, 400, "bad_request", "q", -1, "q is required");
        return;
    }
    const struct config *cfg = server_config(req);
    if ((long)qlen > cfg->searchd.max_query_bytes) {
        server_reply_error(req, 422, "limit", "q", cfg->searchd.max_query_bytes, "q is too long");
        return;
    }
    if (server_arg_int(req, "limit", 8, 1, 50, &limit) != 0 || !server_db(req))
        return;
    struct worker *wk = server_worker(req);
    struct sug_job j = { q, qlen, (size_t)limit, worker_tokenizer(wk), worker_stemmer(wk), 1, { 0 }, NULL };
    if (!j.tk) {
        server_reply_error(req, 500, "internal", NULL, -1, "tokenizer unavailable");
        return;
    }
    xap_status st = worker_retry(wk, sug_run, &j);
    char *fix = j.fix;
    if (st == XAP_OK && fix) { /* the respelled prefix, completed (no second guess) */
        sugs_free(&j.res);
        j.q = fix;
        j.qlen = strlen(fix);
        j.fuzzy = 0;
        j.fix = NULL;
        st = worker_retry(wk, sug_run, &j);
    }
    json_t *list = json_array();
    for (size_t i = 0; st == XAP_OK && list && i < j.res.n && i < (size_t)limit; i++) {
        const struct sug *g = &j.res.v[i];
        json_t *item = json_pack("{s:s, s:s, s:f}", "text", g->text, "kind",
                                 g->kind == K_TOPIC ? (strchr(g->text, ' ') ? "phrase" : "word") : kind_name(g->kind),
                                 "score", g->score);
        if (item && g->kind == K_TOPIC)
            json_object_set_new(item, "topic", json_true());
        if (item && g->id)
            json_object_set_new(item, "id", json_string(g->id));
        if (!item || json_array_append_new(list, item) != 0)
            st = XAP_ERR_NOMEM;
    }
    sugs_free(&j.res);
    if (st != XAP_OK || !list) {
        free(fix);
        json_decref(list);
        server_reply_error(req, 500, "internal", NULL, -1, "suggestions: %s", xap_errmsg());
        return;
    }
    json_t *reply = json_pack("{s:s, s:o}", "q", q, "suggestions", list);
    if (reply && fix && json_array_size(list) > 0) /* what the completions complete */
        json_object_set_new(reply, "corrected", json_string(fix));
    free(fix);
    server_reply_json(req, 200, reply);
}
