/* SPDX-License-Identifier: GPL-2.0-or-later */
/* article: the one model of a page, whatever format it came from.
 *
 * Every parser (scraped text, JSON Lines, HTML) fills a struct article;
 * the indexer turns it into a Xapian document. All strings are malloc'd,
 * NUL-terminated, valid UTF-8 (parsers repair invalid sequences to U+FFFD)
 * and owned by the article: article_free() frees them all.
 */
#ifndef MEDSEARCH_ARTICLE_H
#define MEDSEARCH_ARTICLE_H

#include <stddef.h>

enum link_kind {
    LINK_PREV,      /* "<<:" navigation line of the scraped layout */
    LINK_NEXT,      /* ">>:" */
    LINK_RECOMMEND, /* one entry of the Recommend block */
    LINK_RELATED,   /* JSONL "related", HTML <a> inside the page */
    LINK__COUNT
};

struct link {
    enum link_kind kind;
    char *title;    /* the linked article's title as shown (may be NULL) */
    char *target;   /* its id or url when known (may be NULL) */
    char *snippet;  /* Recommend blocks: the truncated teaser (may be NULL) */
};

struct article {
    char *id;       /* stable id: url if any, else path under the input root (+ "#line" for JSONL without id) */
    char *url;      /* may be NULL */
    char *title;    /* "" when absent */
    char *body;     /* main text: paragraphs separated by "\n\n"; headings included as their own paragraphs */
    char **headings;/* section headings, in order */
    size_t n_headings;
    char *category; /* may be NULL */
    char *lang;     /* ISO 639-1 code ("en", "zh") from input or detection; NULL = unknown */
    char *date;     /* ISO 8601 date "YYYY-MM-DD" when known, else NULL */
    struct link *links;
    size_t n_links;
    char **meta_keys;   /* extra input fields kept as metadata (JSONL), parallel arrays */
    char **meta_values;
    size_t n_meta;
    char *source;   /* file the article came from ("-" for stdin) */
    long line;      /* 1-based line in source where it starts (0 = whole file) */
    unsigned file_seq; /* the indexer's input order of source (0 = first), for duplicates */
};

struct article *article_new(void);
void article_free(struct article *a);
/* Append a heading / link / metadata pair (copies the strings; NULL ok
 * where the field may be NULL). Return 0, or -1 when out of memory. */
int article_add_heading(struct article *a, const char *text);
int article_add_link(struct article *a, enum link_kind kind, const char *title, const char *target,
                     const char *snippet);
int article_add_meta(struct article *a, const char *key, const char *value);
/* Replace *field with a copy of s (NULL allowed). */
int article_set(char **field, const char *s);
const char *link_kind_name(enum link_kind k);
/* Guess the language of text: "zh", "ja", "ko", "th" when such characters
 * dominate, else "en". Static string. */
const char *article_detect_lang(const char *text, size_t len);
/* Human-readable dump (one "key: value" per line, links and headings
 * listed), for golden tests. Returns malloc'd text. */
char *article_dump(const struct article *a);

#endif
