/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spell.c: the word lists (a compact string set: one arena, a table of
 * offsets) and the correction of unknown query words. */
#include "spell.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "schema.h"
#include "tokenizer.h"

/* ---- a string set ----------------------------------------------------------- */

struct wordset {
    char *arena;        /* NUL-terminated words back to back */
    size_t alen, acap;
    uint32_t *slots;    /* offset + 1 into arena; 0 = empty */
    size_t cap, n;      /* cap: a power of two */
};

static uint64_t hash(const char *s, size_t len) { return schema_hash(s, len, SCHEMA_HASH_SEED); }

static int ws_has(const struct wordset *ws, const char *w, size_t len)
{
    if (!ws->cap)
        return 0;
    for (size_t i = hash(w, len) & (ws->cap - 1);; i = (i + 1) & (ws->cap - 1)) {
        uint32_t o = ws->slots[i];
        if (!o)
            return 0;
        const char *k = ws->arena + o - 1;
        if (strncmp(k, w, len) == 0 && k[len] == '\0')
            return 1;
    }
}

static int ws_grow(struct wordset *ws)
{
    size_t cap = ws->cap ? ws->cap * 2 : 1 << 16;
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < ws->cap; i++) {
        uint32_t o = ws->slots[i];
        if (!o)
            continue;
        const char *k = ws->arena + o - 1;
        size_t j = hash(k, strlen(k)) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = o;
    }
    free(ws->slots);
    ws->slots = slots;
    ws->cap = cap;
    return 0;
}

static int ws_add(struct wordset *ws, const char *w, size_t len)
{
    if (len == 0 || ws_has(ws, w, len))
        return 0;
    if ((ws->n + 1) * 2 > ws->cap && ws_grow(ws) != 0)
        return -1;
    if (ws->alen + len + 1 > ws->acap) {
        size_t cap = ws->acap ? ws->acap * 2 : 1 << 20;
        while (cap < ws->alen + len + 1)
            cap *= 2;
        if (cap > UINT32_MAX)
            return -1;
        char *a = realloc(ws->arena, cap);
        if (!a)
            return -1;
        ws->arena = a;
        ws->acap = cap;
    }
    memcpy(ws->arena + ws->alen, w, len);
    ws->arena[ws->alen + len] = '\0';
    size_t i = hash(w, len) & (ws->cap - 1);
    while (ws->slots[i])
        i = (i + 1) & (ws->cap - 1);
    ws->slots[i] = (uint32_t)(ws->alen + 1);
    ws->alen += len + 1;
    ws->n++;
    return 0;
}

/* ---- the word lists ---------------------------------------------------------- */

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static int loaded;
static struct wordset words, stems;

static int is_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

/* One dictionary line -> its folded word in buf; 0 if none. */
static size_t dict_word(struct tokenizer *tk, char *line, size_t lineno, char *buf, size_t cap)
{
    if (line[0] == ' ' || line[0] == '\t' || line[0] == '#')
        return 0; /* comments, and the medical list's indented header */
    size_t len = strcspn(line, "/\t\r\n");
    while (len > 0 && line[len - 1] == ' ')
        len--;
    if (len == 0 || (lineno == 1 && strspn(line, "0123456789") == len))
        return 0; /* the word count on hunspell's first line */
    if (is_ascii(line, len)) {
        if (len >= cap)
            return 0;
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)(line[i] >= 'A' && line[i] <= 'Z' ? line[i] + 32 : line[i]);
        buf[len] = '\0';
        return len;
    }
    size_t n = tk ? tokenizer_fold(tk, line, len, buf, cap) : (size_t)-1;
    return n == (size_t)-1 ? 0 : n;
}

static int load_file(const char *path, struct tokenizer *tk, xap_stem *stem)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        log_warn("spelling: %s: %s (no word list from it)", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t lcap = 0, lineno = 0;
    char w[256], st[256];
    int rc = 0;
    while (getline(&line, &lcap, f) >= 0) {
        size_t len = dict_word(tk, line, ++lineno, w, sizeof w);
        if (len == 0)
            continue;
        size_t sl = stem ? xap_stem_apply(stem, w, len, st, sizeof st) : 0;
        if (ws_add(&words, w, len) != 0 || (sl && ws_add(&stems, st, sl) != 0)) {
            log_warn("spelling: %s: out of memory", path);
            rc = -1;
            break;
        }
    }
    free(line);
    fclose(f);
    return rc;
}

size_t spell_init(const char *paths, struct tokenizer *tk, xap_stem *stem)
{
    pthread_mutex_lock(&load_lock);
    if (!loaded && paths) {
        const char *p = paths;
        while (*p) {
            size_t n = strcspn(p, ",");
            char path[4096];
            if (n > 0 && n < sizeof path) {
                memcpy(path, p, n);
                path[n] = '\0';
                load_file(path, tk, stem);
            }
            p += n;
            if (*p == ',')
                p++;
        }
        log_info("spelling: %zu dictionary words", words.n);
    }
    loaded = 1;
    size_t n = words.n;
    pthread_mutex_unlock(&load_lock);
    return n;
}

/* After spell_init the sets are read-only: no lock needed. */
int spell_dictionary_knows(const char *word, size_t len, xap_stem *stem)
{
    if (ws_has(&words, word, len))
        return 1;
    char st[SCHEMA_MAX_TERM + 1];
    size_t sl = stem ? xap_stem_apply(stem, word, len, st, sizeof st) : 0;
    return sl && ws_has(&stems, st, sl);
}

/* ---- corrections ------------------------------------------------------------- */

/* Optimal string alignment distance (Damerau-Levenshtein without repeated
 * edits of a substring), over bytes; big inputs are capped. */
static unsigned edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    enum { MAXL = 64 };
    if (la > MAXL || lb > MAXL)
        return 99;
    unsigned d[MAXL + 1][MAXL + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = a[i - 1] != b[j - 1];
            unsigned v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

struct cand {
    char *word;
    unsigned dist;
    uint32_t freq;
};

struct cands {
    struct cand *c;
    size_t n, cap;
};

static void cands_free(struct cands *cs)
{
    for (size_t i = 0; i < cs->n; i++)
        free(cs->c[i].word);
    free(cs->c);
    cs->c = NULL;
    cs->n = cs->cap = 0;
}

static int cands_add(struct cands *cs, const char *w, size_t len, unsigned dist, uint32_t freq)
{
    for (size_t i = 0; i < cs->n; i++)
        if (strlen(cs->c[i].word) == len && memcmp(cs->c[i].word, w, len) == 0)
            return 0;
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 8;
        struct cand *nc = realloc(cs->c, cap * sizeof *nc);
        if (!nc)
            return -1;
        cs->c = nc;
        cs->cap = cap;
    }
    char *d = strndup(w, len);
    if (!d)
        return -1;
    cs->c[cs->n++] = (struct cand){ d, dist, freq };
    return 0;
}

static int spellable(const struct qnode *n)
{
    if (n->tok_flags & (TOK_CJK | TOK_NUMERIC | TOK_COMPOUND | TOK_PART))
        return 0;
    size_t len = strlen(n->text);
    if (len < 3 || len > 64)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (n->text[i] >= '0' && n->text[i] <= '9')
            return 0;
    return 1;
}

/* The index term a word is searched by: its Z stem, or itself. */
static void index_term(xap_stem *stem, const char *w, size_t len, char *buf)
{
    char st[SCHEMA_MAX_TERM + 1];
    size_t sl = stem && !tokenizer_is_cjk(w, len) ? xap_stem_apply(stem, w, len, st, sizeof st) : 0;
    if (sl)
        schema_term(buf, PFX_STEM, st, sl);
    else
        schema_term(buf, "", w, len);
}

static xap_status known_to_index(xap_db *db, xap_stem *stem, const char *w, int *known)
{
    uint32_t tf = 0;
    char t[SCHEMA_MAX_TERM + 1];
    *known = 0;
    xap_status st = xap_db_termfreq(db, w, &tf);
    if (st != XAP_OK || tf > 0) {
        *known = tf > 0;
        return st;
    }
    index_term(stem, w, strlen(w), t);
    st = xap_db_termfreq(db, t, &tf);
    *known = tf > 0;
    return st;
}

/* The index's words one edit away from an ASCII word. */
static xap_status edits1(xap_db *db, const char *w, struct cands *cs)
{
    size_t len = strlen(w);
    char buf[80];
    for (size_t i = 0; i < len; i++)
        if (!((w[i] >= 'a' && w[i] <= 'z') || w[i] == '-' || w[i] == '\''))
            return XAP_OK;
    if (len + 2 > sizeof buf)
        return XAP_OK;
    for (int kind = 0; kind < 4; kind++) {
        size_t positions = kind == 3 ? len + 1 : len;
        for (size_t i = 0; i < positions; i++) {
            for (char c = 'a'; c <= 'z'; c++) {
                size_t bl;
                switch (kind) {
                case 0: /* deletion */
                    if (c != 'a')
                        goto next_pos;
                    memcpy(buf, w, i);
                    memcpy(buf + i, w + i + 1, len - i - 1);
                    bl = len - 1;
                    break;
                case 1: /* transposition */
                    if (c != 'a' || i + 1 >= len || w[i] == w[i + 1])
                        goto next_pos;
                    memcpy(buf, w, len);
                    buf[i] = w[i + 1];
                    buf[i + 1] = w[i];
                    bl = len;
                    break;
                case 2: /* substitution */
                    if (c == w[i])
                        continue;
                    memcpy(buf, w, len);
                    buf[i] = c;
                    bl = len;
                    break;
                default: /* insertion */
                    memcpy(buf, w, i);
                    buf[i] = c;
                    memcpy(buf + i + 1, w + i, len - i);
                    bl = len + 1;
                    break;
                }
                buf[bl] = '\0';
                if (bl < 2)
                    continue;
                uint32_t tf = 0;
                xap_status st = xap_db_termfreq(db, buf, &tf);
                if (st != XAP_OK)
                    return st;
                if (tf > 0 && cands_add(cs, buf, bl, 1, tf) != 0)
                    return XAP_ERR_NOMEM;
            }
        next_pos:;
        }
    }
    return XAP_OK;
}

/* Articles holding `cand` together with the other known words. */
static xap_status cooccurrence(xap_db *db, xap_stem *stem, const char *cand, char **others, size_t n_others,
                               uint32_t *count)
{
    *count = 0;
    xap_query *sub[17] = { NULL };
    size_t n = 0;
    char t[SCHEMA_MAX_TERM + 1];
    xap_status st = XAP_OK;
    index_term(stem, cand, strlen(cand), t);
    st = xap_query_term(t, 1, 0, &sub[n]);
    if (st == XAP_OK)
        n++;
    for (size_t i = 0; i < n_others && n < 17 && st == XAP_OK; i++) {
        index_term(stem, others[i], strlen(others[i]), t);
        st = xap_query_term(t, 1, 0, &sub[n]);
        if (st == XAP_OK)
            n++;
    }
    xap_query *q = NULL;
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    if (st == XAP_OK)
        st = xap_query_combine(XAP_OP_AND, sub, n, 0, &q);
    if (st == XAP_OK)
        st = xap_enquire_new(db, &e);
    if (st == XAP_OK)
        st = xap_enquire_set_query(e, q);
    if (st == XAP_OK)
        st = xap_enquire_mset(e, 0, 0, 100000, NULL, 0, &m);
    if (st == XAP_OK)
        *count = xap_mset_estimated(m);
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_query_free(q);
    for (size_t i = 0; i < n; i++)
        xap_query_free(sub[i]);
    return st;
}

/* The correction of one unknown word, or *out = NULL. */
static xap_status correct(xap_db *db, xap_stem *stem, const char *w, char **others, size_t n_others,
                          char **out)
{
    *out = NULL;
    struct cands cs = { 0 };
    char *xs = NULL;
    xap_status st = xap_db_spelling_suggestion(db, w, 2, &xs);
    if (st == XAP_OK && xs) {
        uint32_t tf = 0;
        st = xap_db_termfreq(db, xs, &tf);
        if (st == XAP_OK && cands_add(&cs, xs, strlen(xs), edit_distance(w, strlen(w), xs, strlen(xs)), tf) != 0)
            st = XAP_ERR_NOMEM;
    }
    if (st == XAP_OK)
        st = edits1(db, w, &cs);
    if (st != XAP_OK || cs.n == 0) {
        free(xs);
        cands_free(&cs);
        return st;
    }
    unsigned best_d = 99;
    for (size_t i = 0; i < cs.n; i++)
        if (cs.c[i].dist < best_d)
            best_d = cs.c[i].dist;
    size_t n_best = 0;
    for (size_t i = 0; i < cs.n; i++)
        n_best += cs.c[i].dist == best_d;
    /* Equally close: the one found with the other words wins, then the
     * more frequent, then Xapian's choice, then byte order. */
    long best = -1;
    uint32_t best_co = 0;
    for (size_t i = 0; i < cs.n && st == XAP_OK; i++) {
        struct cand *c = &cs.c[i];
        if (c->dist != best_d)
            continue;
        uint32_t co = 0;
        if (n_best > 1 && n_others > 0)
            st = cooccurrence(db, stem, c->word, others, n_others, &co);
        if (best < 0)
            goto take;
        struct cand *b = &cs.c[best];
        if (co != best_co) {
            if (co > best_co)
                goto take;
            continue;
        }
        if (c->freq != b->freq) {
            if (c->freq > b->freq)
                goto take;
            continue;
        }
        if (xs && strcmp(b->word, xs) == 0)
            continue;
        if ((xs && strcmp(c->word, xs) == 0) || strcmp(c->word, b->word) < 0)
            goto take;
        continue;
    take:
        best = (long)i;
        best_co = co;
    }
    if (st == XAP_OK && best >= 0) {
        *out = cs.c[best].word;
        cs.c[best].word = NULL;
    }
    free(xs);
    cands_free(&cs);
    return st;
}

struct collect {
    const struct qnode **t;
    size_t n, cap;
    int nomem;
};

static void collect_cb(const struct qnode *t, void *ud)
{
    struct collect *c = ud;
    if (c->nomem || c->n >= 256)
        return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        const struct qnode **nt = realloc(c->t, cap * sizeof *nt);
        if (!nt) {
            c->nomem = 1;
            return;
        }
        c->t = nt;
        c->cap = cap;
    }
    c->t[c->n++] = t;
}

static void append_escaped(char **buf, size_t *len, size_t *cap, int *fail, const char *s, size_t n, int escape)
{
    for (size_t i = 0; i < n && !*fail; i++) {
        const char *rep = NULL;
        if (escape)
            switch (s[i]) {
            case '&': rep = "&amp;"; break;
            case '<': rep = "&lt;"; break;
            case '>': rep = "&gt;"; break;
            case '"': rep = "&quot;"; break;
            case '\'': rep = "&#39;"; break;
            default: break;
            }
        size_t rl = rep ? strlen(rep) : 1;
        if (*len + rl + 1 > *cap) {
            size_t nc = *cap ? *cap * 2 : 128;
            while (nc < *len + rl + 1)
                nc *= 2;
            char *nb = realloc(*buf, nc);
            if (!nb) {
                *fail = 1;
                return;
            }
            *buf = nb;
            *cap = nc;
        }
        memcpy(*buf + *len, rep ? rep : s + i, rl);
        *len += rl;
        (*buf)[*len] = '\0';
    }
}

xap_status spell_suggest(xap_db *db, xap_stem *stem, const char *text, size_t len, const struct query *q,
                         json_t **out)
{
    *out = NULL;
    struct collect c = { 0 };
    query_positive_terms(q, collect_cb, &c);
    if (c.nomem) {
        free(c.t);
        return XAP_ERR_NOMEM;
    }
    xap_status st = XAP_OK;
    char **fix = calloc(c.n + 1, sizeof *fix);
    char **others = calloc(c.n + 1, sizeof *others);
    int *known = calloc(c.n + 1, sizeof *known);
    if (!fix || !others || !known)
        st = XAP_ERR_NOMEM;
    size_t n_fix = 0;
    for (size_t i = 0; i < c.n && st == XAP_OK; i++) {
        const struct qnode *t = c.t[i];
        if (!spellable(t)) {
            known[i] = 1;
            continue;
        }
        st = known_to_index(db, stem, t->text, &known[i]);
        if (st == XAP_OK && !known[i])
            known[i] = spell_dictionary_knows(t->text, strlen(t->text), stem);
    }
    for (size_t i = 0; i < c.n && st == XAP_OK; i++) {
        if (known[i])
            continue;
        size_t no = 0;
        for (size_t j = 0; j < c.n; j++)
            if (j != i && known[j])
                others[no++] = c.t[j]->text;
        st = correct(db, stem, c.t[i]->text, others, no, &fix[i]);
        n_fix += fix[i] != NULL;
    }
    if (st == XAP_OK && n_fix > 0) {
        char *plain = NULL, *html = NULL;
        size_t pl = 0, pc = 0, hl = 0, hc = 0;
        int fail = 0;
        size_t at = 0;
        for (size_t i = 0; i < c.n; i++) {
            const struct qnode *t = c.t[i];
            if (!fix[i] || t->start < at || t->end > len)
                continue;
            append_escaped(&plain, &pl, &pc, &fail, text + at, t->start - at, 0);
            append_escaped(&html, &hl, &hc, &fail, text + at, t->start - at, 1);
            append_escaped(&plain, &pl, &pc, &fail, fix[i], strlen(fix[i]), 0);
            append_escaped(&html, &hl, &hc, &fail, "<mark>", 6, 0);
            append_escaped(&html, &hl, &hc, &fail, fix[i], strlen(fix[i]), 1);
            append_escaped(&html, &hl, &hc, &fail, "</mark>", 7, 0);
            at = t->end;
        }
        append_escaped(&plain, &pl, &pc, &fail, text + at, len - at, 0);
        append_escaped(&html, &hl, &hc, &fail, text + at, len - at, 1);
        if (!fail && plain && html)
            *out = json_pack("{s:s, s:s}", "query", plain, "html", html);
        if (!*out)
            st = XAP_ERR_NOMEM;
        free(plain);
        free(html);
    }
    for (size_t i = 0; fix && i < c.n; i++)
        free(fix[i]);
    free(fix);
    free(others);
    free(known);
    free(c.t);
    return st;
}
