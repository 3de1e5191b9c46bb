/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snippet.c: tokenize the text (or the region that matters), find the
 * tokens that match a query word, pick the densest window of matches,
 * widen it to about `width` characters on word boundaries, escape it. */
#include "snippet.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "grow.h"
#include "schema.h"
#include "tokenizer.h"
#include "utf8.h"

struct sq_word {
    const char *text;   /* into the entry's text */
    size_t len;
    char stem[SCHEMA_MAX_TERM + 1];
    size_t stem_len;    /* 0: no stem (CJK, numbers) */
    int cjk;
};

/* One thing to mark: a word, or a phrase of words (a synonym). */
struct sq_entry {
    char *text;
    struct sq_word *w;
    size_t n;
};

struct snippet_query {
    xap_stem *stem;
    struct sq_entry *e;
    size_t n, cap;
    /* How every entry's first word and its stem begin: their first two
     * bytes (pair; a one-byte word or stem: its byte in single). A token
     * that begins like none of them (and is no CJK run, when a CJK word is
     * asked) cannot start a match (word_match), and most tokens are such. */
    unsigned char single[32];
    unsigned char pair[65536 / 8];
    int cjk;
    /* The same over every word of every entry (a phrase's later words
     * too), and the first bytes of all of them (any): what an ASCII chunk
     * of the text must hold to be worth tokenizing (scan_chunk). */
    unsigned char all_single[32];
    unsigned char all_pair[65536 / 8];
    unsigned char all_any[32];
};

static void bit_set(unsigned char *map, unsigned i) { map[i >> 3] |= (unsigned char)(1u << (i & 7)); }
static int bit_get(const unsigned char *map, unsigned i) { return map[i >> 3] >> (i & 7) & 1; }

/* The pair key of a string's first two bytes (the second 0 when it has one). */
static unsigned pair_key(const char *s, size_t len)
{
    return (unsigned)(unsigned char)s[0] << 8 | (len > 1 ? (unsigned char)s[1] : 0u);
}

struct snippet_query *snippet_query_new(xap_stem *stem)
{
    struct snippet_query *sq = calloc(1, sizeof *sq);
    if (sq)
        sq->stem = stem;
    return sq;
}

size_t snippet_query_count(const struct snippet_query *sq) { return sq ? sq->n : 0; }

void snippet_query_free(struct snippet_query *sq)
{
    if (!sq)
        return;
    for (size_t i = 0; i < sq->n; i++) {
        free(sq->e[i].text);
        free(sq->e[i].w);
    }
    free(sq->e);
    free(sq);
}

static int has_digit(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return 1;
    return 0;
}

int snippet_query_add(struct snippet_query *sq, const char *text, size_t len)
{
    while (len > 0 && text[len - 1] == ' ')
        len--;
    while (len > 0 && text[0] == ' ')
        text++, len--;
    if (len == 0 || len > 4 * SCHEMA_MAX_TERM)
        return 0;
    for (size_t i = 0; i < sq->n; i++)
        if (strlen(sq->e[i].text) == len && memcmp(sq->e[i].text, text, len) == 0)
            return 0;
    if (GROW(sq->e, sq->cap, sq->n + 1, 8) != 0)
        return -1;
    struct sq_entry *e = &sq->e[sq->n];
    size_t nw = 1;
    for (size_t i = 0; i < len; i++)
        nw += text[i] == ' ';
    e->text = strndup(text, len);
    e->w = calloc(nw, sizeof *e->w);
    e->n = 0;
    if (!e->text || !e->w) {
        free(e->text);
        free(e->w);
        return -1;
    }
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && text[j] != ' ')
            j++;
        if (j > i && j - i <= SCHEMA_MAX_TERM) {
            struct sq_word *w = &e->w[e->n++];
            w->text = e->text + i;
            w->len = j - i;
            w->cjk = tokenizer_is_cjk(w->text, w->len);
            if (!w->cjk && sq->stem && !has_digit(w->text, w->len))
                w->stem_len = xap_stem_apply(sq->stem, w->text, w->len, w->stem, sizeof w->stem);
            bit_set(sq->all_pair, pair_key(w->text, w->len));
            bit_set(sq->all_any, (unsigned char)w->text[0]);
            if (w->stem_len == 1)
                bit_set(sq->all_single, (unsigned char)w->stem[0]);
            else if (w->stem_len > 1)
                bit_set(sq->all_pair, pair_key(w->stem, w->stem_len));
            if (w->stem_len > 0)
                bit_set(sq->all_any, (unsigned char)w->stem[0]);
        }
        i = j + 1;
    }
    if (e->n == 0) {
        free(e->text);
        free(e->w);
        return 0;
    }
    const struct sq_word *w0 = &e->w[0];
    bit_set(sq->pair, pair_key(w0->text, w0->len)); /* an exact match */
    if (w0->stem_len == 1)                          /* a stem match: its first min(stem_len, 3) bytes */
        bit_set(sq->single, (unsigned char)w0->stem[0]);
    else if (w0->stem_len > 1)
        bit_set(sq->pair, pair_key(w0->stem, w0->stem_len));
    sq->cjk |= w0->cjk;
    sq->n++;
    return 0;
}

/* ---- matching -------------------------------------------------------------- */

struct match {
    size_t start, end;  /* bytes, absolute */
    size_t cstart, cend; /* characters from the region start */
    size_t word;        /* entry index */
};

#define MAX_MATCHES 4096
#define STEM_PREFIX 3

/* Does token t match query word w? The token's stem is computed once,
 * lazily, into tstem (*tsl: (size_t)-1 = not yet). */
static int word_match(xap_stem *stem, const struct sq_word *w, const struct tok_token *t, char *tstem, size_t *tsl)
{
    if (w->len == t->len && memcmp(w->text, t->text, t->len) == 0)
        return 1;
    if (w->cjk)
        return (t->flags & TOK_CJK) && t->len > w->len && memmem(t->text, t->len, w->text, w->len);
    if (!w->stem_len || !stem || (t->flags & (TOK_CJK | TOK_NUMERIC)))
        return 0;
    /* A stem is (nearly always) a prefix of its word: only stem a token
     * that starts like the query word's stem. */
    size_t k = w->stem_len < STEM_PREFIX ? w->stem_len : STEM_PREFIX;
    if (t->len < k || memcmp(t->text, w->stem, k) != 0)
        return 0;
    if (*tsl == (size_t)-1)
        *tsl = xap_stem_apply(stem, t->text, t->len, tstem, SCHEMA_MAX_TERM + 1);
    return *tsl == w->stem_len && memcmp(tstem, w->stem, w->stem_len) == 0;
}

/* The entry matching at token i (phrases first, longest), its last
 * token in *last; -1 if none. Compound parts are skipped inside phrases. */
static long match_at(const struct snippet_query *sq, xap_stem *stem, const struct tok_token *toks, size_t ntok,
                     size_t i, size_t *last)
{
    const struct tok_token *t = &toks[i];
    if (t->len == 0 || (!(sq->cjk && (t->flags & TOK_CJK)) && !bit_get(sq->single, (unsigned char)t->text[0]) &&
                        !bit_get(sq->pair, pair_key(t->text, t->len))))
        return -1;
    char tstem[SCHEMA_MAX_TERM + 1];
    size_t tsl = (size_t)-1;
    long best = -1;
    size_t best_n = 0;
    for (size_t k = 0; k < sq->n; k++) {
        const struct sq_entry *e = &sq->e[k];
        if (e->n <= best_n || !word_match(stem, &e->w[0], &toks[i], tstem, &tsl))
            continue;
        size_t at = i, m = 1;
        while (m < e->n) {
            size_t nx = at + 1;
            while (nx < ntok && (toks[nx].flags & TOK_PART))
                nx++;
            char st2[SCHEMA_MAX_TERM + 1];
            size_t sl2 = (size_t)-1;
            if (nx >= ntok || !word_match(stem, &e->w[m], &toks[nx], st2, &sl2))
                break;
            at = nx;
            m++;
        }
        if (m == e->n) {
            best = (long)k;
            best_n = e->n;
            *last = at;
        }
    }
    return best;
}

/* Characters (code point starts) in s[a..b). */
static size_t chars_between(const char *s, size_t a, size_t b)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++)
        n += !utf8_is_cont((unsigned char)s[i]);
    return n;
}

/* Move back n characters from byte offset at, not before lo. */
static size_t back_chars(const char *s, size_t at, size_t lo, size_t n)
{
    while (n > 0 && at > lo) {
        at = utf8_floor(s, at - 1, lo);
        n--;
    }
    return at;
}

/* Move forward n characters from byte offset at, not past hi. */
static size_t fwd_chars(const char *s, size_t at, size_t hi, size_t n)
{
    while (n > 0 && at < hi) {
        at++;
        while (at < hi && utf8_is_cont((unsigned char)s[at]))
            at++;
        n--;
    }
    return at;
}

static const char *find_ci(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
    if (nlen == 0 || nlen > hlen)
        return NULL;
    for (size_t i = 0; i + nlen <= hlen; i++) {
        size_t k = 0;
        while (k < nlen) {
            unsigned char a = (unsigned char)hay[i + k], b = (unsigned char)needle[k];
            if (a >= 'A' && a <= 'Z')
                a = (unsigned char)(a + 32);
            if (a != b)
                break;
            k++;
        }
        if (k == nlen)
            return hay + i;
    }
    return NULL;
}

/* ---- output ---------------------------------------------------------------- */


static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Escaped text of s[a..b), whitespace runs as one space. *space carries
 * "the last byte written was a space" across calls. */
static void put_escaped(struct buf *b, const char *s, size_t a, size_t c, int *space)
{
    size_t i = a;
    while (i < c) {
        unsigned char ch = (unsigned char)s[i];
        if (is_ws(ch)) {
            if (!*space)
                buf_add(b, " ", 1);
            *space = 1;
            i++;
            continue;
        }
        *space = 0;
        switch (ch) {
        case '&': buf_puts(b, "&amp;"); i++; continue;
        case '<': buf_puts(b, "&lt;"); i++; continue;
        case '>': buf_puts(b, "&gt;"); i++; continue;
        case '"': buf_puts(b, "&quot;"); i++; continue;
        case '\'': buf_puts(b, "&#39;"); i++; continue;
        case '\0': i++; continue;
        default: break;
        }
        size_t l = utf8_decode(s + i, c - i, NULL);
        if (l == 0) {
            buf_puts(b, "\xEF\xBF\xBD");
            i++;
        } else {
            buf_add(b, s + i, l);
            i += l;
        }
    }
}

/* ---- the passage ----------------------------------------------------------- */

/* Tokenizing is most of a snippet's cost, and most of a text cannot hold a
 * match. The text is read as chunks between ASCII white space (a token
 * never spans one: UAX #29 breaks at white space and our joiners are not
 * white space). A chunk of printable ASCII is tokenized only when a token
 * starting in it could match: every token of such a chunk starts where a
 * run of letters and digits starts, its text begins with those bytes
 * lowercased, so the run's first one or two bytes must begin some query
 * word or stem (all_* maps). A skipped chunk still holds a token when
 * the whole text is tokenized (it has a letter or digit and is shorter
 * than the longest word), so no phrase can match across it: matches are
 * the same as if everything were tokenized. Chunks with '_' or '@' (ICU
 * lets them begin a word) or anything else unusual are always tokenized. */

enum { C_WS = 1, C_ALNUM = 2, C_ODD = 4 };
static unsigned char byte_class[256];
static pthread_once_t byte_class_once = PTHREAD_ONCE_INIT;

static void byte_class_init(void)
{
    for (unsigned c = 0; c < 256; c++) {
        if (is_ws((unsigned char)c))
            byte_class[c] = C_WS;
        else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            byte_class[c] = C_ALNUM;
        else if (c < 0x21 || c > 0x7e || c == '_' || c == '@')
            byte_class[c] = C_ODD;
    }
}

static unsigned lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32u : c; }

/* The end of the chunk starting at a (not past hi). */
static size_t chunk_end(const char *s, size_t a, size_t hi)
{
    while (a < hi && !is_ws((unsigned char)s[a]))
        a++;
    return a;
}

/* The start of the chunk holding at (not before lo). */
static size_t chunk_start(const char *s, size_t lo, size_t at)
{
    while (at > lo && !is_ws((unsigned char)s[at - 1]))
        at--;
    return at;
}

static size_t skip_ws(const char *s, size_t a, size_t hi)
{
    while (a < hi && is_ws((unsigned char)s[a]))
        a++;
    return a;
}

static int full_scan; /* tests: tokenize every chunk */

void snippet_set_full_scan(int on) { full_scan = on; }

/* The chunk starting at a: its end in *end, and whether it must be
 * tokenized. */
static int scan_chunk(const struct snippet_query *sq, const char *s, size_t a, size_t hi, size_t *end)
{
    int need = full_scan, alnum = 0;
    size_t i = a;
    while (i < hi && !need) {
        unsigned k = byte_class[(unsigned char)s[i]];
        if (k & C_WS)
            break;
        if (k & C_ODD) {
            need = 1;
        } else if (k & C_ALNUM) { /* a run of letters and digits starts */
            alnum = 1;
            unsigned c0 = lower((unsigned char)s[i]);
            if (bit_get(sq->all_single, c0))
                need = 1;
            else if (i + 1 < hi && (byte_class[(unsigned char)s[i + 1]] & C_ALNUM))
                need = bit_get(sq->all_pair, c0 << 8 | lower((unsigned char)s[i + 1]));
            else
                need = bit_get(sq->all_any, c0);
            while (i + 1 < hi && (byte_class[(unsigned char)s[i + 1]] & C_ALNUM)) /* the rest of the run */
                i++;
        }
        i++;
    }
    /* needed: only the chunk's end is left to find */
    while (i < hi && !(byte_class[(unsigned char)s[i]] & C_WS))
        i++;
    *end = i;
    return need || !alnum || i - a > TOKENIZER_MAX_WORD;
}

/* The matches of the query in text[lo..hi), in order; char offsets count
 * from lo. Returns how many (at most MAX_MATCHES), or -1 when the
 * tokenizer fails. */
static long collect(struct tokenizer *tk, xap_stem *stem, const struct snippet_query *sq, const char *text, size_t lo,
                    size_t hi, struct match *m)
{
    size_t n = 0, cur = lo, chars = 0; /* chars: characters in [lo, cur) */
    size_t at = skip_ws(text, lo, hi);
    while (at < hi && n < MAX_MATCHES) {
        size_t e;
        if (!scan_chunk(sq, text, at, hi, &e)) {
            at = skip_ws(text, e, hi);
            continue;
        }
        /* The span [a, b): this chunk and the next ones to tokenize.
         * (Tokenizing short skipped chunks too, to save tokenizer runs,
         * cost more than it saved.) */
        size_t a = at, b = e;
        at = skip_ws(text, e, hi);
        while (at < hi && scan_chunk(sq, text, at, hi, &e)) {
            b = e;
            at = skip_ws(text, e, hi);
        }
        if (at < hi) /* the chunk at is skipped */
            at = skip_ws(text, e, hi);
        const struct tok_token *toks;
        size_t ntok;
        if (tokenizer_run(tk, text + a, b - a, 1, &toks, &ntok) != 0)
            return -1;
        for (size_t i = 0; i < ntok && n < MAX_MATCHES; i++) {
            size_t last = i;
            long w = match_at(sq, stem, toks, ntok, i, &last);
            if (w < 0)
                continue;
            size_t st = a + toks[i].start, en = a + toks[last].end, cst;
            if (st >= cur) {
                chars += chars_between(text, cur, st);
                cur = st;
                cst = chars;
            } else { /* a part inside a compound that matched too */
                cst = chars - chars_between(text, st, cur);
            }
            m[n].start = st;
            m[n].end = en;
            m[n].cstart = cst;
            m[n].cend = cst + chars_between(text, st, en);
            m[n].word = (size_t)w;
            n++;
            i = last;
        }
    }
    return (long)n;
}

/* The tokens of the chunks from the one holding `from` to the one holding
 * `to` in text[lo..hi); *a gets where they start (their offsets are
 * relative to it). -1 when the tokenizer fails. */
static int tokens_around(struct tokenizer *tk, const char *text, size_t lo, size_t hi, size_t from, size_t to,
                         size_t *a, const struct tok_token **toks, size_t *ntok)
{
    *a = chunk_start(text, lo, from);
    return tokenizer_run(tk, text + *a, chunk_end(text, to, hi) - *a, 1, toks, ntok);
}

/* The first token start >= at in text[lo..hi), or `fallback` when there
 * is none before it (fallback is a token start >= at). Tokenizes only the
 * chunks from at's to fallback's. (size_t)-1 when the tokenizer fails. */
static size_t snap_start(struct tokenizer *tk, const char *text, size_t lo, size_t hi, size_t at, size_t fallback)
{
    size_t a;
    const struct tok_token *toks;
    size_t ntok;
    if (tokens_around(tk, text, lo, hi, at, fallback, &a, &toks, &ntok) != 0)
        return (size_t)-1;
    for (size_t i = 0; i < ntok; i++) {
        size_t s = a + toks[i].start;
        if (s >= at)
            return s < fallback ? s : fallback;
    }
    return fallback;
}

/* The end of the last token that starts and ends by at in text[lo..hi),
 * if it ends after `fallback` (<= at); else fallback. A token ending in
 * (fallback, at] starts in fallback's chunk or later: only the chunks from
 * fallback's to at's are tokenized. (size_t)-1 when the tokenizer fails. */
static size_t snap_end(struct tokenizer *tk, const char *text, size_t lo, size_t hi, size_t at, size_t fallback)
{
    size_t a;
    const struct tok_token *toks;
    size_t ntok;
    if (tokens_around(tk, text, lo, hi, fallback, at, &a, &toks, &ntok) != 0)
        return (size_t)-1;
    size_t best = fallback;
    for (size_t i = 0; i < ntok; i++) {
        size_t e = a + toks[i].end;
        if (e <= at && e > best)
            best = e;
        if (a + toks[i].start > at)
            break;
    }
    return best;
}

/* The start of the last sentence beginning in [lo, at], or lo. */
static size_t sentence_start(const char *s, size_t lo, size_t at)
{
    for (size_t i = at; i > lo; i--) {
        unsigned char c = (unsigned char)s[i - 1];
        if (c == '\n' || ((c == '.' || c == '!' || c == '?' || c == ':') && is_ws((unsigned char)s[i])))
            return i;
        if (i >= 3 && memcmp(s + i - 3, "\xE3\x80\x82", 3) == 0) /* 。 */
            return i;
    }
    return lo;
}

char *snippet_make(struct tokenizer *tk, xap_stem *stem, const struct snippet_query *sq, const char *text, size_t len,
                   size_t width)
{
    if (width == 0)
        width = SNIPPET_WIDTH;
    struct buf b = { 0 };
    if (!text || len == 0)
        return buf_take(&b);
    pthread_once(&byte_class_once, byte_class_init);
    struct match *m = malloc(MAX_MATCHES * sizeof *m);
    if (!m)
        return NULL;
    /* The region read: the text, or the start of a huge one. */
    struct region {
        size_t lo, hi;
    } r = { 0, len > SNIPPET_SCAN_BYTES ? utf8_floor(text, SNIPPET_SCAN_BYTES, 0) : len };
    size_t nm = 0;
    if (sq && sq->n) {
        long k = collect(tk, stem, sq, text, r.lo, r.hi, m);
        if (k < 0)
            goto fail;
        nm = (size_t)k;
    }
    if (nm == 0 && r.hi < len && sq) {
        /* A huge text: look for a later occurrence of a query word. */
        const char *hit = NULL;
        for (size_t i = 0; i < sq->n && !hit; i++)
            hit = find_ci(text + r.hi, len - r.hi, sq->e[i].w[0].text, sq->e[i].w[0].len);
        if (hit) {
            size_t at = (size_t)(hit - text);
            struct region r2 = { utf8_floor(text, at > 2048 ? at - 2048 : 0, 0),
                                 len - at > 2048 ? utf8_floor(text, at + 2048, 0) : len };
            long k = collect(tk, stem, sq, text, r2.lo, r2.hi, m);
            if (k < 0)
                goto fail;
            nm = (size_t)k;
            if (nm > 0)
                r = r2;
        }
    }
    size_t s, e;
    if (nm == 0) {
        s = r.lo;
        e = fwd_chars(text, s, r.hi, width);
        if (e < r.hi && (e = snap_end(tk, text, r.lo, r.hi, e, s)) == (size_t)-1)
            goto fail;
    } else {
        /* The window of matches with the most distinct words, then most
         * matches, then earliest (two pointers over char offsets). */
        size_t *count = calloc(sq->n, sizeof *count);
        if (!count)
            goto fail;
        size_t j = 0, distinct = 0, best = 0, bestj = 1;
        long best_score = -1;
        for (size_t i = 0; i < nm; i++) {
            if (j < i + 1) { /* the window holds at least match i */
                j = i;
                if (count[m[j].word]++ == 0)
                    distinct++;
                j++;
            }
            while (j < nm && m[j].cend - m[i].cstart <= width) {
                if (count[m[j].word]++ == 0)
                    distinct++;
                j++;
            }
            long score = (long)distinct * 1000 + (long)(j - i);
            if (score > best_score) {
                best_score = score;
                best = i;
                bestj = j;
            }
            if (--count[m[i].word] == 0)
                distinct--;
        }
        free(count);
        size_t ms = m[best].start, me = m[best].end;
        for (size_t k = best; k < bestj; k++)
            me = m[k].end > me ? m[k].end : me;
        size_t span = m[bestj - 1].cend - m[best].cstart;
        size_t pad = span < width ? (width - span) / 3 : 0; /* more context after than before */
        s = back_chars(text, ms, r.lo, pad);
        size_t ss = sentence_start(text, s, ms);
        int at_sentence = ss > s;
        if (at_sentence)
            s = ss;
        size_t used = chars_between(text, s, me);
        e = fwd_chars(text, me, r.hi, used < width ? width - used : 0);
        used = chars_between(text, s, e);
        if (used < width && !at_sentence) /* the text ended: more before */
            s = back_chars(text, s, r.lo, width - used);
        if (s > r.lo && (s = snap_start(tk, text, r.lo, r.hi, s, ms)) == (size_t)-1)
            goto fail;
        if (e < r.hi && (e = snap_end(tk, text, r.lo, r.hi, e, me)) == (size_t)-1)
            goto fail;
    }
    /* Closing punctuation right after the cut belongs to the passage. */
    while (e < r.hi && text[e] != '\0' && strchr(".,;:!?)", text[e]))
        e++;
    int space = 1;
    if (s > 0)
        buf_puts(&b, "…");
    size_t at = s;
    for (size_t k = 0; k < nm; k++) {
        if (m[k].start < at || m[k].start >= e)
            continue;
        size_t me = m[k].end;
        while (k + 1 < nm && m[k + 1].start < me) /* compound and its parts */
            me = m[++k].end > me ? m[k].end : me;
        if (me > e)
            me = e;
        put_escaped(&b, text, at, m[k].start, &space);
        buf_puts(&b, "<mark>");
        space = 0;
        put_escaped(&b, text, m[k].start, me, &space);
        buf_puts(&b, "</mark>");
        at = me;
    }
    put_escaped(&b, text, at, e, &space);
    if (e < len) {
        while (b.len > 0 && b.s[b.len - 1] == ' ')
            b.s[--b.len] = '\0';
        buf_puts(&b, "…");
    }
    free(m);
    return buf_take(&b);
fail:
    free(m);
    buf_free(&b);
    return NULL;
}
