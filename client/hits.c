/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hits.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "utf8.h"

/* As deep as jansson's parser goes. */
#define MAX_DEPTH 2048

struct p {
    const char *s, *e;
    int depth;
    struct hits *h;
};

static void ws(struct p *p)
{
    while (p->s < p->e && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
        p->s++;
}

static int text_add(struct hits *h, const char *s, size_t n)
{
    if (GROW(h->text, h->tcap, h->tlen + n + 1, 4096) != 0)
        return -1;
    memcpy(h->text + h->tlen, s, n);
    h->tlen += n;
    return 0;
}

static int hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static int put_utf8(struct hits *h, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return text_add(h, b, n);
}

/* A string at p->s (its opening quote), decoded and NUL-terminated at
 * the end of h->text: its offset in *off and length in *len. */
static int string(struct p *p, size_t *off, size_t *len)
{
    struct hits *h = p->h;
    *off = h->tlen;
    p->s++;
    for (;;) {
        const char *run = p->s;
        while (p->s < p->e && *p->s != '"' && *p->s != '\\' && (unsigned char)*p->s >= 0x20)
            p->s++;
        if (p->s > run) {
            if (!utf8_valid(run, (size_t)(p->s - run)) || text_add(h, run, (size_t)(p->s - run)) != 0)
                return -1;
        }
        if (p->s >= p->e || (unsigned char)*p->s < 0x20)
            return -1;
        if (*p->s == '"')
            break;
        /* an escape */
        if (p->e - p->s < 2)
            return -1;
        char c = p->s[1], out;
        p->s += 2;
        switch (c) {
        case '"': out = '"'; break;
        case '\\': out = '\\'; break;
        case '/': out = '/'; break;
        case 'b': out = '\b'; break;
        case 'f': out = '\f'; break;
        case 'n': out = '\n'; break;
        case 'r': out = '\r'; break;
        case 't': out = '\t'; break;
        case 'u': {
            uint32_t cp, lo;
            if (p->e - p->s < 4 || hex4(p->s, &cp) != 0)
                return -1;
            p->s += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return -1; /* a lone low surrogate */
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (p->e - p->s < 6 || p->s[0] != '\\' || p->s[1] != 'u' || hex4(p->s + 2, &lo) != 0 ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                p->s += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp == 0 || put_utf8(h, cp) != 0)
                return -1;
            continue;
        }
        default:
            return -1;
        }
        if (text_add(h, &out, 1) != 0)
            return -1;
    }
    p->s++; /* the closing quote */
    *len = h->tlen - *off;
    if (GROW(h->text, h->tcap, h->tlen + 1, 4096) != 0)
        return -1;
    h->text[h->tlen++] = '\0';
    return 0;
}

static int digits(struct p *p)
{
    const char *d = p->s;
    while (p->s < p->e && *p->s >= '0' && *p->s <= '9')
        p->s++;
    return p->s > d ? 0 : -1;
}

/* A number, as a double (strtod's, as jansson's). */
static int number(struct p *p, double *out)
{
    const char *start = p->s;
    if (p->s < p->e && *p->s == '-')
        p->s++;
    if (p->s < p->e && *p->s == '0')
        p->s++;
    else if (digits(p) != 0)
        return -1;
    if (p->s < p->e && *p->s == '.') {
        p->s++;
        if (digits(p) != 0)
            return -1;
    }
    if (p->s < p->e && (*p->s == 'e' || *p->s == 'E')) {
        p->s++;
        if (p->s < p->e && (*p->s == '+' || *p->s == '-'))
            p->s++;
        if (digits(p) != 0)
            return -1;
    }
    size_t n = (size_t)(p->s - start);
    char small[64], *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf)
        return -1;
    memcpy(buf, start, n);
    buf[n] = '\0';
    errno = 0;
    double v = strtod(buf, NULL);
    int bad = errno == ERANGE && isinf(v);
    if (buf != small)
        free(buf);
    if (bad)
        return -1;
    *out = v;
    return 0;
}

static int word(struct p *p, const char *w, size_t n)
{
    if ((size_t)(p->e - p->s) < n || memcmp(p->s, w, n) != 0)
        return -1;
    p->s += n;
    return 0;
}

static int value(struct p *p);

/* Keys that mean something here. */
enum { K_OTHER, K_ID, K_SCORE, K_HITS };

static int key_kind(const char *k, size_t n)
{
    if (n == 2 && memcmp(k, "id", 2) == 0)
        return K_ID;
    if (n == 5 && memcmp(k, "score", 5) == 0)
        return K_SCORE;
    if (n == 4 && memcmp(k, "hits", 4) == 0)
        return K_HITS;
    return K_OTHER;
}

/* An object or array at p->s, each member (or item) read by member(),
 * told its key's kind (K_OTHER in an array). */
static int container(struct p *p, int (*member)(struct p *, int kind, void *), void *ud)
{
    int obj = *p->s == '{';
    char close = obj ? '}' : ']';
    if (++p->depth > MAX_DEPTH)
        return -1;
    p->s++;
    ws(p);
    if (p->s < p->e && *p->s == close) {
        p->s++;
        p->depth--;
        return 0;
    }
    for (;;) {
        int kind = K_OTHER;
        ws(p);
        if (obj) {
            size_t key, klen;
            if (p->s >= p->e || *p->s != '"' || string(p, &key, &klen) != 0)
                return -1;
            kind = key_kind(p->h->text + key, klen);
            p->h->tlen = key; /* keys are not kept */
            ws(p);
            if (p->s >= p->e || *p->s != ':')
                return -1;
            p->s++;
            ws(p);
        }
        if (member(p, kind, ud) != 0)
            return -1;
        ws(p);
        if (p->s < p->e && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->e && *p->s == close) {
            p->s++;
            p->depth--;
            return 0;
        }
        return -1;
    }
}

static int any_member(struct p *p, int kind, void *ud)
{
    (void)kind, (void)ud;
    return value(p);
}

/* Any value: checked, not kept. */
static int value(struct p *p)
{
    ws(p);
    if (p->s >= p->e)
        return -1;
    switch (*p->s) {
    case '{':
    case '[':
        return container(p, any_member, NULL);
    case '"': {
        size_t off, len;
        if (string(p, &off, &len) != 0)
            return -1;
        p->h->tlen = off;
        return 0;
    }
    case 't':
        return word(p, "true", 4);
    case 'f':
        return word(p, "false", 5);
    case 'n':
        return word(p, "null", 4);
    default: {
        double d;
        return number(p, &d);
    }
    }
}

/* A member of one hit: its "id" (a string, kept) and "score" (a number). */
static int hit_member(struct p *p, int kind, void *ud)
{
    struct hit *hit = ud;
    if (kind == K_ID && p->s < p->e && *p->s == '"') {
        size_t off, len;
        if (string(p, &off, &len) != 0)
            return -1;
        hit->id = off;
        hit->id_len = len;
        return 0;
    }
    if (kind == K_ID)
        hit->id = (size_t)-1;
    if (kind == K_SCORE) {
        hit->has_score = 0;
        if (p->s < p->e && (*p->s == '-' || (*p->s >= '0' && *p->s <= '9'))) {
            if (number(p, &hit->score) != 0)
                return -1;
            hit->has_score = 1;
            return 0;
        }
    }
    return value(p);
}

static int hits_item(struct p *p, int kind, void *ud)
{
    (void)kind, (void)ud;
    struct hits *h = p->h;
    if (p->s >= p->e || *p->s != '{')
        return -1; /* a hit that is not an object */
    struct hit hit = { (size_t)-1, 0, 0, 0 };
    if (container(p, hit_member, &hit) != 0)
        return -1;
    if (GROW(h->v, h->cap, h->n + 1, 128) != 0)
        return -1;
    h->v[h->n++] = hit;
    return 0;
}

struct top {
    int seen;   /* a "hits" array was read */
};

static int top_member(struct p *p, int kind, void *ud)
{
    struct top *t = ud;
    if (kind != K_HITS)
        return value(p);
    if (p->s < p->e && *p->s == '[') {
        p->h->n = 0; /* the last "hits" wins */
        t->seen = 1;
        return container(p, hits_item, NULL);
    }
    t->seen = 0;
    return value(p);
}

long hits_read(struct hits *h, const char *body, size_t len)
{
    h->n = 0;
    h->tlen = 0;
    struct p p = { body, body + len, 0, h };
    struct top t = { 0 };
    ws(&p);
    if (p.s >= p.e || *p.s != '{' || container(&p, top_member, &t) != 0)
        return -1;
    ws(&p);
    if (p.s != p.e || !t.seen)
        return -1;
    return (long)h->n;
}

void hits_free(struct hits *h)
{
    free(h->v);
    free(h->text);
    memset(h, 0, sizeof *h);
}
