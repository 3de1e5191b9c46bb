/* SPDX-License-Identifier: GPL-2.0-or-later */
/* query: the search-box query language -> a tree (no Xapian here).
 *
 *   words           ranked, any order
 *   "exact phrase"  words in this order
 *   +word  -word    must / must not (also +"phrase", -(group))
 *   AND OR NOT      boolean operators (upper case only), with ( )
 *   title:word      field search (also title:"phrase"); category:x and
 *   category:x      lang:x are filters
 *   prefix*         words starting with prefix (at least 2 characters)
 *
 * Words are tokenized by the indexer's tokenizer, so "COVID-19" or
 * "新冠疫苗" in a query give exactly the terms the index holds.
 *
 * Malformed syntax never fails: an unbalanced quote closes at the end, an
 * unbalanced parenthesis is ignored, a lone "-" or "+" or a dangling
 * operator is dropped, "OR OR" is one OR. If the result would be empty
 * (e.g. "-" alone, "NOT"), the query's words are searched as plain words.
 * A query of filters only ("category:sleep") lists their articles.
 * QUERY_PLAIN mode interprets nothing: all words, ranked.
 */
#ifndef MEDSEARCH_QUERY_H
#define MEDSEARCH_QUERY_H

#include <stddef.h>
#include <stdint.h>

struct tokenizer;

enum qnode_type {
    QN_TERM,     /* one word (token text) */
    QN_PHRASE,   /* kids are QN_TERM, in order */
    QN_WILDCARD, /* text is the prefix (folded) */
    QN_BAG,      /* implicit operator: kids ranked together; + and - apply */
    QN_AND,
    QN_OR,
    QN_NOT       /* kids[0] AND NOT kids[1..] */
};

enum qfield { QF_ANY, QF_TITLE, QF_CATEGORY, QF_LANG };

enum qmod { QM_NONE, QM_MUST, QM_EXCLUDE };

struct qnode {
    enum qnode_type type;
    enum qfield field;   /* QF_CATEGORY/QF_LANG nodes are filters (text = folded value) */
    enum qmod mod;       /* inside a QN_BAG */
    char *text;          /* QN_TERM: normalized token; QN_WILDCARD: prefix; filters: value */
    char *form;          /* QN_TERM: the form with diacritics when it differs, else NULL */
    unsigned tok_flags;  /* QN_TERM: enum tok_flags of the token */
    uint32_t pos;        /* QN_TERM: query position (1-based, consecutive words) */
    uint32_t group;      /* QN_TERM: words typed as one chunk ("COVID-19", "新冠疫苗") share it */
    size_t start, end;   /* QN_TERM: byte range of the word in the query text */
    struct qnode **kids;
    size_t n_kids;
};

enum query_mode { QUERY_SYNTAX, QUERY_PLAIN };

struct query_limits {
    size_t max_terms;    /* more words than this: QUERY_ERR_TERMS (0 = 64) */
    size_t max_depth;    /* parenthesis nesting kept (deeper is flattened; 0 = 32) */
    int truncate;        /* 1: keep the first max_terms words instead of QUERY_ERR_TERMS */
};

enum query_status { QUERY_OK = 0, QUERY_EMPTY, QUERY_ERR_TERMS, QUERY_ERR_NOMEM };

struct query {
    struct qnode *root;  /* NULL when the query has no words */
    size_t n_terms;      /* words (QN_TERM + QN_WILDCARD) in the tree */
    int fell_back;       /* 1 when malformed syntax was searched as plain words */
    int truncated;       /* 1 when words past max_terms were dropped (lim->truncate) */
};

/* Parse `text` (len bytes of UTF-8; invalid bytes are ignored). On
 * QUERY_OK, *out is a new query (query_free). QUERY_EMPTY: no words at all;
 * QUERY_ERR_TERMS: more than max_terms words (unless lim->truncate). */
enum query_status query_parse(struct tokenizer *tk, const char *text, size_t len, enum query_mode mode,
                              const struct query_limits *lim, struct query **out /* OUT */);
void query_free(struct query *q);
/* Readable form of the tree, e.g. `(heart OR +attack) AND_NOT "x y"`; malloc'd. */
char *query_describe(const struct query *q);
/* The ranked words of the query in order (for snippets, spelling, PRF):
 * calls cb for each QN_TERM not under an exclusion, NOT, or filter. */
void query_positive_terms(const struct query *q, void (*cb)(const struct qnode *t, void *ud), void *ud);

#endif
