/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse_text: the scraped page layout (see corpus/README.md):
 *
 *   Title
 *   Title                      (repeated; optional)
 *   paragraphs ...             (headings are short stand-alone lines)
 *   <<:  previous title        (LINK_PREV)
 *   >>:  next title            (LINK_NEXT)
 *   Recommend                  (or 推荐 / 相关推荐 / 相关文章)
 *   other title                (LINK_RECOMMEND ...
 *   its snippet...             ... with this teaser, when it ends in "...")
 *
 * Lines are trimmed (ASCII space, NBSP, ideographic space); blank lines
 * separate paragraphs. Navigation and Recommend lines never reach the body.
 */
#include "grow.h"
#include "parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct para {
    const char *s; /* first line; later lines follow in the source */
    size_t len;    /* bytes from s to the end of its last line */
    int nlines;
    int heading;
};

struct state {
    struct parse_ctx *c;
    struct article *a;
    struct para *paras;
    size_t n_paras, cap_paras;
    const char *rec_title; /* Recommend title waiting for its snippet */
    size_t rec_title_len;
    int nomem;
};

static int starts(const char *s, size_t n, const char *p)
{
    size_t l = strlen(p);
    return n >= l && memcmp(s, p, l) == 0;
}

static int ends(const char *s, size_t n, const char *p)
{
    size_t l = strlen(p);
    return n >= l && memcmp(s + n - l, p, l) == 0;
}

static int is_recommend_header(const char *s, size_t n)
{
    static const char *const heads[] = { "Recommend", "推荐", "相关推荐", "相关文章", NULL };
    size_t i;

    /* Allow a trailing colon, ASCII or full-width. */
    if (n && s[n - 1] == ':')
        n--;
    else if (ends(s, n, "："))
        n -= strlen("：");
    for (i = 0; heads[i]; i++)
        if (strlen(heads[i]) == n && memcmp(s, heads[i], n) == 0)
            return 1;
    return 0;
}

/* "<<:" / ">>:" (also with a full-width colon): returns the link kind and
 * the title after it, or -1. */
static int nav_line(const char *s, size_t n, const char **title, size_t *tlen)
{
    int kind;
    size_t skip;

    if (starts(s, n, "<<"))
        kind = LINK_PREV;
    else if (starts(s, n, ">>"))
        kind = LINK_NEXT;
    else
        return -1;
    if (starts(s + 2, n - 2, ":"))
        skip = 3;
    else if (starts(s + 2, n - 2, "："))
        skip = 2 + strlen("：");
    else
        return -1;
    *tlen = n - skip;
    *title = parse_trim(s + skip, tlen);
    return kind;
}

static char *dupn(const char *s, size_t n)
{
    return strndup(s, n);
}

/* Equal ignoring ASCII case and all white space. */
static int same_title(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, j = 0;

    for (;;) {
        while (i < an && (a[i] == ' ' || a[i] == '\t'))
            i++;
        while (j < bn && (b[j] == ' ' || b[j] == '\t'))
            j++;
        if (i == an || j == bn)
            return i == an && j == bn;
        char x = a[i], y = b[j];
        if (x >= 'A' && x <= 'Z')
            x += 'a' - 'A';
        if (y >= 'A' && y <= 'Z')
            y += 'a' - 'A';
        if (x != y)
            return 0;
        i++;
        j++;
    }
}

static void add_link(struct state *st, enum link_kind kind, const char *t, size_t tn, const char *snip,
                     size_t sn)
{
    char *title = dupn(t, tn), *snippet = snip ? dupn(snip, sn) : NULL;

    if (!title || (snip && !snippet) || article_add_link(st->a, kind, title, NULL, snippet) < 0)
        st->nomem = 1;
    free(title);
    free(snippet);
}

static void flush_rec(struct state *st)
{
    if (st->rec_title)
        add_link(st, LINK_RECOMMEND, st->rec_title, st->rec_title_len, NULL, 0);
    st->rec_title = NULL;
}

static void rec_line(struct state *st, const char *s, size_t n)
{
    if (st->rec_title && (ends(s, n, "...") || ends(s, n, "…"))) {
        add_link(st, LINK_RECOMMEND, st->rec_title, st->rec_title_len, s, n);
        st->rec_title = NULL;
        return;
    }
    flush_rec(st); /* a title without snippet */
    st->rec_title = s;
    st->rec_title_len = n;
}

static struct para *new_para(struct state *st, const char *s, size_t n)
{
    if (GROW(st->paras, st->cap_paras, st->n_paras + 1, 32) != 0) {
        st->nomem = 1;
        return NULL;
    }
    st->paras[st->n_paras] = (struct para){ s, n, 1, 0 };
    return &st->paras[st->n_paras++];
}

/* Display width in columns, CJK counting two; stops counting past max. */
static size_t width(const char *s, size_t n)
{
    size_t i, w = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80)
            continue;
        w += c >= 0xE1 ? 2 : 1;
    }
    return w;
}

static size_t words(const char *s, size_t n)
{
    size_t i, w = 0;
    int in = 0;

    for (i = 0; i < n; i++) {
        int sp = s[i] == ' ' || s[i] == '\t';
        if (!sp && !in)
            w++;
        in = !sp;
    }
    return w;
}

static int ends_with_punct(const char *s, size_t n)
{
    static const char *const p[] = { ".", "!", ";", ",", ":", "。", "！", "；", "，", "：", "…", "、", NULL };
    size_t i;

    for (i = 0; p[i]; i++)
        if (ends(s, n, p[i]))
            return 1;
    return 0;
}

/* "1. Overwork", "2) ...", "3、...", "一、..." */
static int numbered(const char *s, size_t n)
{
    static const char *const cn[] = { "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", NULL };
    size_t i = 0, k;
    int any = 0;

    while (i < n && i < 2 && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == 0) {
        for (;;) {
            for (k = 0; cn[k]; k++)
                if (starts(s + i, n - i, cn[k]))
                    break;
            if (!cn[k] || i >= 9)
                break;
            i += strlen(cn[k]);
            any = 1;
        }
        if (!any)
            return 0;
    }
    if (starts(s + i, n - i, ".") || starts(s + i, n - i, ")"))
        i++;
    else if (starts(s + i, n - i, "、") || starts(s + i, n - i, "．"))
        i += 3;
    else
        return 0;
    while (i < n && s[i] == ' ')
        i++;
    return i < n;
}

static int short_line(const struct para *p)
{
    return p->nlines == 1 && width(p->s, p->len) <= 80 && words(p->s, p->len) <= 14 &&
           !ends_with_punct(p->s, p->len);
}

/* A title-like line: short, no final punctuation, not a list bullet. */
static int title_like(const struct para *p)
{
    return short_line(p) && !numbered(p->s, p->len) && !starts(p->s, p->len, "-") &&
           !starts(p->s, p->len, "*") && !starts(p->s, p->len, "•") && !starts(p->s, p->len, "·");
}

/* Headings: numbered short lines, and title-like lines that stand alone
 * (no title-like neighbour, so runs of short list items are not headings)
 * and are followed by more text. */
static void mark_headings(struct state *st)
{
    size_t i;

    for (i = 0; i < st->n_paras; i++) {
        struct para *p = &st->paras[i];
        if (short_line(p) && numbered(p->s, p->len)) {
            p->heading = 1;
            continue;
        }
        if (!title_like(p) || i + 1 >= st->n_paras)
            continue;
        if (i > 0 && title_like(&st->paras[i - 1]))
            continue;
        if (title_like(&st->paras[i + 1]))
            continue;
        p->heading = 1;
    }
}

static void build_body(struct state *st)
{
    struct buf b = { 0 };
    size_t i;

    for (i = 0; i < st->n_paras && !st->nomem; i++) {
        struct para *p = &st->paras[i];
        const char *s = p->s, *end = p->s + p->len;
        if (i)
            buf_add(&b, "\n\n", 2);
        /* Copy line by line, trimmed, skipping blank lines (there are none
         * inside a paragraph, but white-space-only ones may be). */
        while (s < end) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
            const char *t = parse_trim(s, &n);
            if (n) {
                if (s != p->s)
                    buf_add(&b, "\n", 1);
                buf_add(&b, t, n);
            }
            s = nl ? nl + 1 : end;
        }
        if (p->heading) {
            char *h = dupn(p->s, p->len);
            if (!h || article_add_heading(st->a, h) < 0)
                st->nomem = 1;
            free(h);
        }
    }
    free(st->a->body);
    st->a->body = buf_take(&b);
    if (!st->a->body)
        st->nomem = 1;
}

enum input_status parse_text_run(struct parse_ctx *c, const char *text, size_t len)
{
    enum { TITLE, REPEAT, BODY, REC } mode = TITLE;
    struct state st = { c, article_new(), NULL, 0, 0, NULL, 0, 0 };
    const char *s = text, *end = text + len, *title = NULL;
    size_t title_len = 0;
    struct para *cur = NULL; /* paragraph being extended */
    long line = 0;

    if (!st.a)
        return INPUT_ERR_NOMEM;
    while (s < end && !st.nomem) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        const char *t = parse_trim(s, &n), *nt;
        size_t ntl;
        int kind;

        line++;
        s = nl ? nl + 1 : end;
        if (n == 0) {
            cur = NULL;
            continue;
        }
        kind = nav_line(t, n, &nt, &ntl);
        if (kind >= 0) {
            cur = NULL;
            if (mode == TITLE || mode == REPEAT)
                mode = BODY;
            if (ntl)
                add_link(&st, (enum link_kind)kind, nt, ntl, NULL, 0);
            continue;
        }
        switch (mode) {
        case TITLE:
            title = t;
            title_len = n;
            mode = REPEAT;
            continue;
        case REPEAT:
            mode = BODY;
            if (same_title(t, n, title, title_len))
                continue;
            /* no repeated title: this line is body */
            /* fall through */
        case BODY:
            if (is_recommend_header(t, n)) {
                mode = REC;
                cur = NULL;
            } else if (cur) {
                cur->len = (size_t)(t + n - cur->s);
                cur->nlines++;
            } else {
                cur = new_para(&st, t, n);
            }
            continue;
        case REC:
            if (!is_recommend_header(t, n))
                rec_line(&st, t, n);
            continue;
        }
    }
    flush_rec(&st);
    if (!st.nomem && title && article_set(&st.a->title, NULL) == 0 && !(st.a->title = dupn(title, title_len)))
        st.nomem = 1;
    if (!st.nomem) {
        mark_headings(&st);
        build_body(&st);
    }
    free(st.paras);
    if (st.nomem) {
        article_free(st.a);
        return INPUT_ERR_NOMEM;
    }
    return parse_emit(c, st.a, 0, 0);
}
