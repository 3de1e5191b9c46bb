/* SPDX-License-Identifier: GPL-2.0-or-later */
/* article: allocation, growth of the heading/link/meta arrays, the golden
 * dump and a script-counting language guess. */
#include "article.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

struct article *article_new(void)
{
    struct article *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->title = strdup("");
    a->body = strdup("");
    if (!a->title || !a->body) {
        article_free(a);
        return NULL;
    }
    return a;
}

void article_free(struct article *a)
{
    size_t i;

    if (!a)
        return;
    free(a->id);
    free(a->url);
    free(a->title);
    free(a->body);
    for (i = 0; i < a->n_headings; i++)
        free(a->headings[i]);
    free(a->headings);
    free(a->category);
    free(a->lang);
    free(a->date);
    for (i = 0; i < a->n_links; i++) {
        free(a->links[i].title);
        free(a->links[i].target);
        free(a->links[i].snippet);
    }
    free(a->links);
    for (i = 0; i < a->n_meta; i++) {
        free(a->meta_keys[i]);
        free(a->meta_values[i]);
    }
    free(a->meta_keys);
    free(a->meta_values);
    free(a->source);
    free(a);
}

int article_set(char **field, const char *s)
{
    char *copy = NULL;

    if (s && !(copy = strdup(s)))
        return -1;
    free(*field);
    *field = copy;
    return 0;
}

/* Make room in *arr (elements of size sz) for index n. Capacity is 4,
 * then doubles at each power of two, so no capacity field is needed. */
static int grow(void *arr, size_t n, size_t sz)
{
    void **p = arr;
    size_t cap;
    void *q;

    if (n == 0)
        cap = 4;
    else if (n < 4 || (n & (n - 1)) != 0)
        return 0; /* room left */
    else
        cap = n * 2;
    if (cap > SIZE_MAX / sz)
        return -1;
    q = realloc(*p, cap * sz);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

int article_add_heading(struct article *a, const char *text)
{
    char *s = strdup(text ? text : "");

    if (!s || grow(&a->headings, a->n_headings, sizeof(*a->headings)) < 0) {
        free(s);
        return -1;
    }
    a->headings[a->n_headings++] = s;
    return 0;
}

int article_add_link(struct article *a, enum link_kind kind, const char *title, const char *target,
                     const char *snippet)
{
    struct link l = { kind, NULL, NULL, NULL };

    if (article_set(&l.title, title) < 0 || article_set(&l.target, target) < 0 ||
        article_set(&l.snippet, snippet) < 0 || grow(&a->links, a->n_links, sizeof(*a->links)) < 0) {
        free(l.title);
        free(l.target);
        free(l.snippet);
        return -1;
    }
    a->links[a->n_links++] = l;
    return 0;
}

int article_add_meta(struct article *a, const char *key, const char *value)
{
    char *k = strdup(key ? key : "");
    char *v = strdup(value ? value : "");

    if (!k || !v || grow(&a->meta_keys, a->n_meta, sizeof(char *)) < 0 ||
        grow(&a->meta_values, a->n_meta, sizeof(char *)) < 0) {
        free(k);
        free(v);
        return -1;
    }
    a->meta_keys[a->n_meta] = k;
    a->meta_values[a->n_meta] = v;
    a->n_meta++;
    return 0;
}

const char *link_kind_name(enum link_kind k)
{
    switch (k) {
    case LINK_PREV: return "prev";
    case LINK_NEXT: return "next";
    case LINK_RECOMMEND: return "recommend";
    case LINK_RELATED: return "related";
    default: return "unknown";
    }
}

const char *article_detect_lang(const char *text, size_t len)
{
    size_t i = 0, han = 0, kana = 0, hangul = 0, thai = 0, latin = 0;
    uint32_t c;

    while (text && i < len) {
        i += utf8_decode_lenient(text + i, len - i, &c);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0x24F))
            latin++;
        else if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
                 (c >= 0x20000 && c <= 0x2FFFF) || (c >= 0xF900 && c <= 0xFAFF))
            han++;
        else if (c >= 0x3040 && c <= 0x30FF)
            kana++;
        else if ((c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x1100 && c <= 0x11FF) ||
                 (c >= 0x3130 && c <= 0x318F))
            hangul++;
        else if (c >= 0x0E00 && c <= 0x0E7F)
            thai++;
    }
    /* One CJK character carries about as much as a short Latin word, so
     * compare it with letters / 3. Kana decides Japanese even beside Han. */
    if (kana && kana * 10 >= han && (kana + han) * 3 >= latin / 3)
        return "ja";
    if (hangul && hangul * 3 >= latin / 3 && hangul >= han)
        return "ko";
    if (thai && thai * 3 >= latin && thai >= han)
        return "th";
    if (han && han * 3 >= latin / 3)
        return "zh";
    return "en";
}

static void put_field(FILE *f, const char *key, const char *v)
{
    fprintf(f, "%s: %s\n", key, v ? v : "(none)");
}

char *article_dump(const struct article *a)
{
    char *buf = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        return NULL;
    put_field(f, "id", a->id);
    put_field(f, "url", a->url);
    put_field(f, "title", a->title);
    put_field(f, "lang", a->lang);
    put_field(f, "category", a->category);
    put_field(f, "date", a->date);
    put_field(f, "source", a->source);
    fprintf(f, "line: %ld\n", a->line);
    fprintf(f, "headings: %zu\n", a->n_headings);
    for (i = 0; i < a->n_headings; i++)
        fprintf(f, "  %s\n", a->headings[i]);
    fprintf(f, "links: %zu\n", a->n_links);
    for (i = 0; i < a->n_links; i++) {
        const struct link *l = &a->links[i];
        fprintf(f, "  %s: %s -> %s\n", link_kind_name(l->kind), l->title ? l->title : "(none)",
                l->target ? l->target : "(none)");
        if (l->snippet)
            fprintf(f, "    snippet: %s\n", l->snippet);
    }
    fprintf(f, "meta: %zu\n", a->n_meta);
    for (i = 0; i < a->n_meta; i++)
        fprintf(f, "  %s = %s\n", a->meta_keys[i], a->meta_values[i]);
    fprintf(f, "body: %zu bytes\n%s\n", a->body ? strlen(a->body) : 0, a->body ? a->body : "");
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
