/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spell.c: the word lists (hunspell with its affix rules, and a compact
 * string set for plain lists: one arena, a table of offsets) and the
 * correction of unknown query words: candidates from the index, Xapian's
 * spelling table and hunspell, ranked by spellcost.c, frequency and the
 * query's other words. */
#include "spell.h"

#include <errno.h>
#include <hunspell.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "grow.h"
#include "log.h"
#include "schema.h"
#include "spellcost.h"
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
    /* arena offsets are 32-bit slots */
    if (ws->alen + len + 1 > UINT32_MAX / 2 || GROW(ws->arena, ws->acap, ws->alen + len + 1, 1 << 20) != 0)
        return -1;
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
/* hunspell knows inflections by its affix rules; it keeps state while it
 * works, so every call holds hun_lock */
static Hunhandle *hun;
static pthread_mutex_t hun_lock = PTHREAD_MUTEX_INITIALIZER;

/* A .dic with a readable .aff beside it opens hunspell; later .dic files
 * (the medical list has no .aff of its own) are added to it. */
static int hun_load(const char *dic)
{
    size_t n = strlen(dic);
    if (n < 4 || strcmp(dic + n - 4, ".dic") != 0 || access(dic, R_OK) != 0)
        return 0;
    if (hun)
        return Hunspell_add_dic(hun, dic) == 0;
    char aff[4096];
    if (n >= sizeof aff)
        return 0;
    memcpy(aff, dic, n - 4);
    memcpy(aff + n - 4, ".aff", 5);
    if (access(aff, R_OK) == 0)
        hun = Hunspell_create(aff, dic);
    return hun != NULL;
}

static int hun_knows(const char *w, size_t len)
{
    char buf[SCHEMA_MAX_TERM + 1];
    if (!hun || len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, w, len);
    buf[len] = '\0';
    pthread_mutex_lock(&hun_lock);
    int ok = Hunspell_spell(hun, buf);
    if (!ok && buf[0] >= 'a' && buf[0] <= 'z') { /* a name: "fabry" is "Fabry" */
        buf[0] = (char)(buf[0] - 32);
        ok = Hunspell_spell(hun, buf);
    }
    pthread_mutex_unlock(&hun_lock);
    return ok;
}

/* hunspell knows `stem` with `end` added (spelled exactly). */
static int hun_has(char *buf, size_t cap, const char *stem, size_t sl, const char *end)
{
    size_t el = strlen(end);
    if (sl + el >= cap)
        return 0;
    memcpy(buf, stem, sl);
    memcpy(buf + sl, end, el + 1);
    return Hunspell_spell(hun, buf) != 0;
}

int spell_names_no_thing(const char *w, size_t len)
{
    char buf[SCHEMA_MAX_TERM + 8];
    if (!hun || len < 3 || len > SCHEMA_MAX_TERM)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return 0;
    char last = w[len - 1], prev = w[len - 2];
    pthread_mutex_lock(&hun_lock);
    /* an adverb from it: -ly, -le -> -ly, -y -> -ily, -ic -> -ically */
    int adj = hun_has(buf, sizeof buf, w, len, "ly") ||
              (prev == 'l' && last == 'e' && hun_has(buf, sizeof buf, w, len - 1, "y")) ||
              (last == 'y' && hun_has(buf, sizeof buf, w, len - 1, "ily")) ||
              (prev == 'i' && last == 'c' && hun_has(buf, sizeof buf, w, len, "ally"));
    /* a past tense, and no possessive (nouns take 's) */
    int verb = !adj && (hun_has(buf, sizeof buf, w, len, "ed") || (last == 'e' && hun_has(buf, sizeof buf, w, len, "d")));
    int noun = verb && hun_has(buf, sizeof buf, w, len, "'s");
    pthread_mutex_unlock(&hun_lock);
    return adj || (verb && !noun);
}

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
                /* a list hunspell reads is inflected by its rules; the
                 * stems of a plain list stand in for them */
                load_file(path, tk, hun_load(path) ? NULL : stem);
            }
            p += n;
            if (*p == ',')
                p++;
        }
        log_info("spelling: %zu dictionary words%s", words.n, hun ? ", hunspell affix rules" : "");
    }
    loaded = 1;
    size_t n = words.n;
    pthread_mutex_unlock(&load_lock);
    return n;
}

/* The stem of word when stemming only cut an ending off ("jerks" ->
 * "jerk"), else 0: "primari" is the stem of "primary", but a user who
 * typed "primari" did not inflect anything. */
static size_t cut_stem(xap_stem *stem, const char *word, size_t len, char *st, size_t cap)
{
    size_t sl = stem ? xap_stem_apply(stem, word, len, st, cap) : 0;
    return sl && sl < len && memcmp(st, word, sl) == 0 ? sl : 0;
}

/* After spell_init the sets are read-only: no lock needed. */
int spell_dictionary_knows(const char *word, size_t len, xap_stem *stem)
{
    if (ws_has(&words, word, len) || hun_knows(word, len))
        return 1;
    char st[SCHEMA_MAX_TERM + 1];
    size_t sl = cut_stem(stem, word, len, st, sizeof st);
    return sl && ws_has(&stems, st, sl);
}

/* The stem term who_knows asks for w ("Zjerk" for "jerks"), or 0 when
 * stemming cuts no ending off. */
static int stem_term(xap_stem *stem, const char *w, size_t len, char *t /* SCHEMA_MAX_TERM + 1 */)
{
    char cs[SCHEMA_MAX_TERM + 1];
    size_t sl = cut_stem(stem, w, len, cs, sizeof cs);
    if (sl)
        schema_term(t, PFX_STEM, cs, sl);
    return sl > 0;
}

static int spellable(const struct qnode *n)
{
    if (n->tok_flags & (TOK_CJK | TOK_NUMERIC | TOK_COMPOUND | TOK_PART))
        return 0;
    size_t len = strlen(n->text);
    if (len < 3 || len > SPELLCOST_MAXLEN)
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

enum known { UNKNOWN, KNOWN, STEM_ONLY };

/* Does anybody know w? The index as a word, a word list, or the index
 * through w's stem when w is that stem plus an ending ("jerks"); *freq:
 * the stem's articles then. */
static xap_status who_knows(xap_db *db, xap_stem *stem, const char *w, enum known *known, uint32_t *freq)
{
    uint32_t tf = 0;
    size_t len = strlen(w);
    *known = UNKNOWN;
    *freq = 0;
    xap_status st = xap_db_termfreq(db, w, &tf);
    if (st != XAP_OK || tf > 0 || spell_dictionary_knows(w, len, stem)) {
        *known = KNOWN;
        return st;
    }
    char t[SCHEMA_MAX_TERM + 1];
    if (!stem_term(stem, w, len, t))
        return XAP_OK;
    st = xap_db_termfreq(db, t, &tf);
    if (st == XAP_OK && tf > 0) {
        *known = STEM_ONLY;
        *freq = tf;
    }
    return st;
}

/* ---- corrections ------------------------------------------------------------- */

#define MAX_CANDS 64        /* candidates weighed per word */
#define MAX_FIX 4           /* unknown words corrected per query (each costs lookups) */
#define MAX_HUN_LEN 24      /* hunspell's suggestions are slow on long strings */
#define MAX_VARIANTS 12     /* phonetic respellings looked up per word */
#define W_FREQ 0.05         /* per unit of ln(articles): the common word wins close calls */
#define W_PHRASE 0.5        /* the candidate stands next to a query word somewhere */
#define W_WITH 0.2          /* the candidate is in articles with the other words */
#define W_STEM 0.3          /* "primari" -> "primary": the same stem */
#define STEM_ONLY_COST 0.6  /* a word known only by its stem: a clear slip only, */
#define STEM_ONLY_RATIO 4   /* ...to a word that many times commoner */

struct cand {
    char *word;
    double cost;     /* spellcost from the typed word */
    uint32_t freq;   /* articles having it */
    double score;    /* lower is better */
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

/* A growing list of owned strings (NULL entries allowed). */
struct strs {
    char **v;
    size_t n, cap;
};

static int strs_push(struct strs *l, char *s)
{
    if (GROW(l->v, l->cap, l->n + 1, 64) != 0)
        return -1;
    l->v[l->n++] = s;
    return 0;
}

static void strs_free(struct strs *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* What we know about the word being corrected while candidates come in.
 * Candidates are gathered twice: a first pass (collecting) only lists the
 * words to look up, whose frequencies then come in one exchange
 * (xap_db_prefetch_termfreqs: over remote shards one round trip per shard
 * instead of hundreds); the second pass weighs them, in the same order. */
struct target {
    xap_db *db;
    const char *w;
    size_t len;
    double limit;
    struct cands cs;
    int collecting;
    struct strs look;  /* the first pass's words to look up */
    struct strs sugg;  /* Xapian's suggestions in call order (NULL: none) */
    size_t next_sugg;  /* the second pass's place in sugg */
};

/* Add word c if the index has it and it is close enough; 0 or a status. */
static xap_status consider(struct target *t, const char *c, size_t len)
{
    if (len < 2 || len > SPELLCOST_MAXLEN || (len == t->len && memcmp(c, t->w, len) == 0))
        return XAP_OK;
    if (t->collecting) {
        char *d = strndup(c, len);
        if (!d || strs_push(&t->look, d) != 0) {
            free(d);
            return XAP_ERR_NOMEM;
        }
        return XAP_OK;
    }
    for (size_t i = 0; i < t->cs.n; i++)
        if (strlen(t->cs.c[i].word) == len && memcmp(t->cs.c[i].word, c, len) == 0)
            return XAP_OK;
    if (t->cs.n >= MAX_CANDS)
        return XAP_OK;
    char term[SPELLCOST_MAXLEN + 1];
    memcpy(term, c, len);
    term[len] = '\0';
    uint32_t tf = 0;
    xap_status st = xap_db_termfreq(t->db, term, &tf);
    if (st != XAP_OK || tf == 0)
        return st;
    double cost = spellcost(t->w, t->len, c, len);
    if (cost > t->limit)
        return XAP_OK;
    if (GROW(t->cs.c, t->cs.cap, t->cs.n + 1, 8) != 0)
        return XAP_ERR_NOMEM;
    char *d = strndup(c, len);
    if (!d)
        return XAP_ERR_NOMEM;
    t->cs.c[t->cs.n++] = (struct cand){ d, cost, tf, 0 };
    return XAP_OK;
}

static int plain_word(const char *w, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!((w[i] >= 'a' && w[i] <= 'z') || w[i] == '-' || w[i] == '\''))
            return 0;
    return 1;
}

/* The index's words one plain edit from w (ASCII letters): insertion,
 * deletion, substitution, transposition. */
static xap_status edits1(struct target *t, const char *w, size_t len)
{
    char buf[SPELLCOST_MAXLEN + 2];
    if (!plain_word(w, len) || len + 1 > SPELLCOST_MAXLEN)
        return XAP_OK;
    xap_status st = XAP_OK;
    for (size_t i = 0; i <= len && st == XAP_OK; i++) {
        if (i < len) { /* deletion */
            memcpy(buf, w, i);
            memcpy(buf + i, w + i + 1, len - i - 1);
            st = consider(t, buf, len - 1);
        }
        if (st == XAP_OK && i + 1 < len && w[i] != w[i + 1]) { /* transposition */
            memcpy(buf, w, len);
            buf[i] = w[i + 1];
            buf[i + 1] = w[i];
            st = consider(t, buf, len);
        }
        for (char c = 'a'; c <= 'z' && st == XAP_OK; c++) {
            if (i < len && c != w[i]) { /* substitution */
                memcpy(buf, w, len);
                buf[i] = c;
                st = consider(t, buf, len);
            }
            if (st == XAP_OK) { /* insertion */
                memcpy(buf, w, i);
                buf[i] = c;
                memcpy(buf + i + 1, w + i, len - i);
                st = consider(t, buf, len + 1);
            }
        }
    }
    return st;
}

static xap_status from_xapian(struct target *t, const char *w)
{
    char *xs = NULL;
    xap_status st = XAP_OK;
    if (t->collecting) {
        /* kept for the second pass (the spelling table is asked once) */
        if ((st = xap_db_spelling_suggestion(t->db, w, 2, &xs)) != XAP_OK)
            return st;
        if (strs_push(&t->sugg, xs) != 0) {
            free(xs);
            return XAP_ERR_NOMEM;
        }
        return xs ? consider(t, xs, strlen(xs)) : XAP_OK;
    }
    if (t->next_sugg < t->sugg.n) {
        xs = t->sugg.v[t->next_sugg];
        t->sugg.v[t->next_sugg++] = NULL;
    }
    if (xs)
        st = consider(t, xs, strlen(xs));
    free(xs);
    return st;
}

/* hunspell's answers by word. They depend on the word alone (the lists
 * are loaded once), one Hunspell_suggest costs tens of ms under hun_lock,
 * and a search box sees the same typos again and again. Direct-mapped;
 * each entry holds the usable suggestions, lowercased, '\0'-separated.
 * Guarded by hun_lock. */
#define HUN_CACHE 1024
static struct hun_entry {
    char *word;
    char *list;
    size_t len;
} hun_cache[HUN_CACHE];
static uint64_t hun_calls, hun_cached;

/* The suggestions for w, from the cache or from hunspell (cached then);
 * a malloc'd copy the caller frees, NULL with *len 0 when there are none. */
static char *hun_suggestions(const char *w, size_t *len)
{
    *len = 0;
    pthread_mutex_lock(&hun_lock);
    struct hun_entry *e = &hun_cache[schema_hash(w, strlen(w), SCHEMA_HASH_SEED) % HUN_CACHE];
    if (e->word && strcmp(e->word, w) == 0) {
        hun_cached++;
    } else {
        hun_calls++;
        char **list = NULL;
        int n = Hunspell_suggest(hun, &list, w);
        struct buf b = { 0 };
        for (int i = 0; i < n; i++) {
            char f[SPELLCOST_MAXLEN + 1];
            size_t fl = strlen(list[i]);
            if (fl > SPELLCOST_MAXLEN || strpbrk(list[i], " -"))
                continue;
            for (size_t k = 0; k <= fl; k++)
                f[k] = (char)(list[i][k] >= 'A' && list[i][k] <= 'Z' ? list[i][k] + 32 : list[i][k]);
            buf_add(&b, f, fl + 1); /* with its '\0' */
        }
        if (list)
            Hunspell_free_list(hun, &list, n);
        size_t blen = b.len;
        char *data = buf_take(&b);
        char *word = strdup(w);
        if (!data || !word) { /* out of memory: no suggestions, nothing cached */
            free(data);
            free(word);
            pthread_mutex_unlock(&hun_lock);
            return NULL;
        }
        free(e->word);
        free(e->list);
        e->word = word;
        e->list = data;
        e->len = blen;
    }
    char *copy = e->len ? malloc(e->len) : NULL;
    if (copy) {
        memcpy(copy, e->list, e->len);
        *len = e->len;
    }
    pthread_mutex_unlock(&hun_lock);
    return copy;
}

void spell_hunspell_counts(uint64_t *calls, uint64_t *cached)
{
    pthread_mutex_lock(&hun_lock);
    *calls = hun_calls;
    *cached = hun_cached;
    pthread_mutex_unlock(&hun_lock);
}

/* hunspell's suggestions (its REP table and n-gram search find phonetic
 * and far spellings), when the index has them. Weighed outside hun_lock:
 * considering a candidate asks the index. */
static xap_status from_hunspell(struct target *t)
{
    if (!hun || t->len > MAX_HUN_LEN)
        return XAP_OK;
    char w[MAX_HUN_LEN + 1];
    memcpy(w, t->w, t->len);
    w[t->len] = '\0';
    size_t len = 0;
    char *list = hun_suggestions(w, &len);
    xap_status st = XAP_OK;
    for (size_t off = 0; off < len && st == XAP_OK;) {
        size_t fl = strlen(list + off);
        st = consider(t, list + off, fl);
        off += fl + 1;
    }
    free(list);
    return st;
}

struct variants {
    struct target *t;
    xap_status st;
};

static void on_variant(const char *v, size_t len, void *ud)
{
    struct variants *vs = ud;
    if (vs->st == XAP_OK)
        vs->st = consider(vs->t, v, len);
    if (vs->st == XAP_OK)
        vs->st = from_xapian(vs->t, v);
}

/* Articles having `cand` next to `other` (before it when before != 0),
 * or with all of `others` when other is NULL. */
static xap_status together(xap_db *db, xap_stem *stem, const char *cand, const char *other, int before,
                           char **others, size_t n_others, uint32_t *count)
{
    *count = 0;
    xap_query *sub[17] = { NULL };
    size_t n = 0;
    char t[SCHEMA_MAX_TERM + 1];
    xap_status st = XAP_OK;
    if (other) {
        const char *pair[2] = { before ? cand : other, before ? other : cand };
        for (size_t i = 0; i < 2 && st == XAP_OK; i++)
            if ((st = xap_query_term(pair[i], 1, (uint32_t)i + 1, &sub[n])) == XAP_OK)
                n++;
    } else {
        index_term(stem, cand, strlen(cand), t);
        if ((st = xap_query_term(t, 1, 0, &sub[n])) == XAP_OK)
            n++;
        for (size_t i = 0; i < n_others && n < 17 && st == XAP_OK; i++) {
            index_term(stem, others[i], strlen(others[i]), t);
            if ((st = xap_query_term(t, 1, 0, &sub[n])) == XAP_OK)
                n++;
        }
    }
    xap_query *q = NULL;
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    if (st == XAP_OK)
        st = xap_query_combine(other ? XAP_OP_PHRASE : XAP_OP_AND, sub, n, other ? 2 : 0, &q);
    if (st == XAP_OK)
        st = xap_enquire_new(db, &e);
    if (st == XAP_OK)
        st = xap_enquire_set_query(e, q);
    if (st == XAP_OK)
        st = xap_enquire_mset(e, 0, 0, 1000, NULL, 0, &m);
    if (st == XAP_OK)
        *count = xap_mset_estimated(m);
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_query_free(q);
    for (size_t i = 0; i < n; i++)
        xap_query_free(sub[i]);
    return st;
}

/* The query's context of the word being corrected. */
struct context {
    const char *prev, *next; /* the known words typed right before and after it */
    char **others;           /* every known word of the query */
    size_t n_others;
    int stem_only;           /* the word itself is known by its stem alone */
    uint32_t stem_freq;
};

/* The correction of one unknown word, or *out = NULL. */
static xap_status correct(xap_db *db, xap_stem *stem, const char *w, const struct context *cx, char **out)
{
    *out = NULL;
    struct target t = { .db = db, .w = w, .len = strlen(w), .limit = spellcost_limit(strlen(w)) };
    if (cx->stem_only)
        t.limit = STEM_ONLY_COST;
    xap_status st = XAP_OK;
    for (t.collecting = 1; t.collecting >= 0 && st == XAP_OK; t.collecting--) {
        st = from_xapian(&t, w);
        if (st == XAP_OK)
            st = edits1(&t, w, t.len);
        if (st == XAP_OK) {
            struct variants vs = { &t, XAP_OK };
            spellcost_variants(w, t.len, MAX_VARIANTS, on_variant, &vs);
            st = vs.st;
        }
        if (st == XAP_OK && t.collecting)
            st = xap_db_prefetch_termfreqs(db, (const char *const *)t.look.v, t.look.n);
    }
    t.collecting = 0;
    strs_free(&t.look);
    strs_free(&t.sugg);
    /* hunspell searches its whole list (tens of ms): the last resort */
    if (st == XAP_OK && t.cs.n == 0)
        st = from_hunspell(&t);
    char wst[SCHEMA_MAX_TERM + 1], cst[SCHEMA_MAX_TERM + 1];
    size_t wsl = stem ? xap_stem_apply(stem, w, t.len, wst, sizeof wst) : 0;
    long best = -1;
    for (size_t i = 0; i < t.cs.n && st == XAP_OK; i++) {
        struct cand *c = &t.cs.c[i];
        c->score = c->cost - W_FREQ * log(1.0 + c->freq);
        size_t csl = stem ? xap_stem_apply(stem, c->word, strlen(c->word), cst, sizeof cst) : 0;
        if (wsl && csl == wsl && memcmp(cst, wst, wsl) == 0)
            c->score -= W_STEM;
        else if (cx->stem_only && c->freq < STEM_ONLY_RATIO * cx->stem_freq)
            continue;
        /* the query's other words decide between close candidates */
        if (t.cs.n > 1) {
            uint32_t nb = 0, k = 0;
            if (cx->prev && (st = together(db, stem, c->word, cx->prev, 0, NULL, 0, &k)) == XAP_OK)
                nb += k;
            if (st == XAP_OK && cx->next && (st = together(db, stem, c->word, cx->next, 1, NULL, 0, &k)) == XAP_OK)
                nb += k;
            if (st == XAP_OK && nb > 0)
                c->score -= W_PHRASE + 0.03 * log(1.0 + nb);
            else if (st == XAP_OK && cx->n_others > 0 &&
                     (st = together(db, stem, c->word, NULL, 0, cx->others, cx->n_others, &k)) == XAP_OK && k > 0)
                c->score -= W_WITH + 0.03 * log(1.0 + k);
        }
        if (best < 0 || c->score < t.cs.c[best].score ||
            (c->score == t.cs.c[best].score && strcmp(c->word, t.cs.c[best].word) < 0))
            best = (long)i;
    }
    if (st == XAP_OK && best >= 0) {
        *out = t.cs.c[best].word;
        t.cs.c[best].word = NULL;
    }
    cands_free(&t.cs);
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
    if (GROW(c->t, c->cap, c->n + 1, 16) != 0) {
        c->nomem = 1;
        return;
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
        if (GROW(*buf, *cap, *len + rl + 1, 128) != 0) {
            *fail = 1;
            return;
        }
        memcpy(*buf + *len, rep ? rep : s + i, rl);
        *len += rl;
        (*buf)[*len] = '\0';
    }
}

/* The terms who_knows looks up for the query's spellable words: each
 * word, and its stem term when stemming only cut an ending off. */
static xap_status known_terms(xap_stem *stem, const struct collect *c, struct strs *look)
{
    xap_status st = XAP_OK;
    for (size_t i = 0; i < c->n && st == XAP_OK; i++) {
        if (!spellable(c->t[i]))
            continue;
        const char *w = c->t[i]->text;
        char t[SCHEMA_MAX_TERM + 1];
        char *a = strdup(w);
        if (!a || strs_push(look, a) != 0) {
            free(a);
            st = XAP_ERR_NOMEM;
        } else if (stem_term(stem, w, strlen(w), t)) {
            char *b = strdup(t);
            if (!b || strs_push(look, b) != 0) {
                free(b);
                st = XAP_ERR_NOMEM;
            }
        }
    }
    return st;
}

xap_status spell_want_termfreqs(xap_db *db, xap_stem *stem, const struct query *q)
{
    struct collect c = { 0 };
    query_positive_terms(q, collect_cb, &c);
    struct strs look = { 0 };
    xap_status st = c.nomem ? XAP_ERR_NOMEM : known_terms(stem, &c, &look);
    if (st == XAP_OK)
        st = xap_db_want_termfreqs(db, (const char *const *)look.v, look.n);
    strs_free(&look);
    free(c.t);
    return st;
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
    enum known *known = calloc(c.n + 1, sizeof *known);
    uint32_t *stem_freq = calloc(c.n + 1, sizeof *stem_freq);
    if (!fix || !others || !known || !stem_freq)
        st = XAP_ERR_NOMEM;
    size_t n_fix = 0, tried = 0;
    /* The words' and their stems' frequencies, in one exchange (none
     * when spell_want_termfreqs had them join an earlier one). */
    struct strs look = { 0 };
    if (st == XAP_OK)
        st = known_terms(stem, &c, &look);
    if (st == XAP_OK)
        st = xap_db_prefetch_termfreqs(db, (const char *const *)look.v, look.n);
    strs_free(&look);
    for (size_t i = 0; i < c.n && st == XAP_OK; i++) {
        if (!spellable(c.t[i]))
            known[i] = KNOWN;
        else
            st = who_knows(db, stem, c.t[i]->text, &known[i], &stem_freq[i]);
    }
    for (size_t i = 0; i < c.n && st == XAP_OK && tried < MAX_FIX; i++) {
        if (known[i] == KNOWN)
            continue;
        tried++;
        struct context cx = { .others = others, .stem_only = known[i] == STEM_ONLY, .stem_freq = stem_freq[i] };
        for (size_t j = 0; j < c.n; j++) {
            if (j == i || known[j] != KNOWN)
                continue;
            others[cx.n_others++] = c.t[j]->text;
            if (c.t[j]->pos + 1 == c.t[i]->pos)
                cx.prev = c.t[j]->text;
            if (c.t[j]->pos == c.t[i]->pos + 1)
                cx.next = c.t[j]->text;
        }
        st = correct(db, stem, c.t[i]->text, &cx, &fix[i]);
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
    free(stem_freq);
    free(c.t);
    return st;
}
