/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rank: a parsed query (query.h) -> the weighted Xapian query that
 * ranks articles. All relevance choices live here, driven by rank_opts
 * (the [ranking] section of the config):
 *
 *  - each word matches its stem (Z) so "jerks" finds "jerk"; a compound
 *    ("covid-19") matches itself or the phrase of its parts;
 *  - fields: title (ZS) and heading (ZH) matches add scaled extra weight
 *    (Xapian has no BM25F: the sum of scaled sub-queries stands in);
 *  - proximity: adjacent query words add a scaled NEAR/PHRASE bonus;
 *  - synonyms from the index's synonym table (single words and 2-3 word
 *    phrases) form an OP_SYNONYM group scored as one term;
 *  - CJK words also match overlapping character bigrams (B).
 */
#ifndef MEDSEARCH_RANK_H
#define MEDSEARCH_RANK_H

#include <stddef.h>

#include "query.h"
#include "xap.h"

struct tokenizer;

struct rank_opts {
    double bm25_k1, bm25_b;
    double bm25_k1_cjk;      /* k1 of a query whose words are mostly CJK */
    double title_weight;     /* extra weight of a title match (0 = off) */
    double heading_weight;   /* extra weight of a heading match (0 = off) */
    double proximity_weight; /* bonus of adjacent words near each other (0 = off) */
    double synonym_weight;   /* weight of a synonym phrase group (0 = off) */
    double bigram_weight;    /* CJK bigram matches (0 = off) */
    double unigram_weight;   /* CJK single-character matches (0 = off) */
    double unigram_common;   /* a character in more than this fraction of the articles
                                only adds weight to articles the rest match (0 = off) */
    double cjk_word_weight;  /* CJK (ICU) word matches */
    double title_exact_weight; /* the whole query is an article's title (0 = off) */
    double exact_weight;     /* the unstemmed word besides its stem (0 = off) */
    double latin_in_cjk_weight; /* a non-CJK word ("c1ni", "nt", "hpv") in a query of mostly
                                   CJK words, which each match as a word, bigrams and characters */
    double part_weight;      /* a compound's parts ("g-csf": g, csf), stemmed, in any order
                                and place, besides the compound or its phrase (0 = off) */
    double question_weight;  /* words of a question opener ("how many people are affected by"):
                                1 = plain words, 0 = dropped */
    int stopwords;           /* 1: drop English function words from long natural queries */
    unsigned max_wildcard;   /* wildcard expansion cap */
    unsigned near_window;    /* proximity window in words */
    /* Pseudo-relevance feedback (search.c): the prf_terms best terms of the
     * top prf_docs results join the query with weight prf_weight; only
     * for queries of at least prf_min_words ranked words. */
    unsigned prf_docs, prf_terms, prf_min_words;
    double prf_weight;
};

/* Defaults (the measured best; see docs/relevance.md). */
void rank_opts_default(struct rank_opts *o);
/* The options of the [ranking] section of cfg (a struct config *). */
struct config;
void rank_opts_from_config(struct rank_opts *o, const struct config *cfg);

struct rank_ctx {
    xap_db *db;              /* for synonym lookups */
    struct tokenizer *tk;
    xap_stem *stem;          /* english stemmer (NULL = no stemming) */
    const struct rank_opts *opts;
    const char *text;        /* the query as typed (exact-title match), or NULL */
    size_t len;
};

/* Compile q into *out (xap_query_free). Returns XAP_OK or the seam status
 * (XAP_ERR_MODIFIED: the caller reopens and retries). */
xap_status rank_compile(struct rank_ctx *c, const struct query *q, xap_query **out /* OUT */);

/* The terms (Xapian terms, e.g. "Zjerk") a hit can be highlighted by are
 * not needed: snippets match by token text. This returns the stem term of
 * one word, for callers that want it. buf holds 256 bytes. */
size_t rank_stem_term(struct rank_ctx *c, const char *word, size_t len, char *buf);

#endif
