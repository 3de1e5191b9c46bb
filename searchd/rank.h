/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rank: a compiled search plan (plan.h) -> the weighted Xapian query that
 * ranks articles, and every other relevance choice. All of them live
 * here, driven by rank_opts (the [ranking] section of the config):
 *
 *  - what matches: the query's words (each its stem Z, so "jerks" finds
 *    "jerk"; a compound "covid-19" itself, the phrase of its parts or its
 *    parts loose), phrases, synonyms from the index's synonym table (single
 *    words and 2-3 word phrases, one OP_SYNONYM group scored as one term)
 *    and, for CJK words, overlapping character bigrams (B) and characters;
 *  - what only re-ranks articles that match (OP_AND_MAYBE): function words
 *    of a short query, question openers ("what is"), the exact title (XT),
 *    and the pseudo-relevance feedback terms (rank_fill; search.c); when fewer
 *    articles match than a page asks for, articles holding only PRF terms
 *    may follow them, marked expanded and not counted;
 *  - fields: title (ZS) and heading (ZH) matches add scaled extra weight
 *    (Xapian has no BM25F: the sum of scaled sub-queries stands in);
 *  - proximity: adjacent query words add a scaled NEAR bonus;
 *  - BM25 k1/b and the order: relevance, equal scores by article id.
 */
#ifndef MEDSEARCH_RANK_H
#define MEDSEARCH_RANK_H

#include <stddef.h>

#include "query.h"
#include "xap.h"

struct plan;

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
    /* Pseudo-relevance feedback: the prf_terms best terms of the expand
     * set of the top prf_docs results re-rank the first prf_window
     * matches with weight prf_weight; only for queries of at least
     * prf_min_words ranked words. */
    unsigned prf_docs, prf_terms, prf_min_words, prf_window;
    double prf_weight;
    /* The boosts of a matching word's other forms (exact_weight: the word
     * as typed; title_weight, heading_weight: its stem in those fields)
     * re-rank the first boost_window matches (rank_query's *late) instead
     * of joining the match; 0: they join it. */
    unsigned boost_window;
};

/* The options of the [ranking] section of cfg (a struct config *); the
 * defaults are those of common/config.c's key table (the measured best;
 * see docs/relevance.md). */
struct config;
void rank_opts_from_config(struct rank_opts *o, const struct config *cfg);

/* The query of plan p (bound to db: plan_bind): what matches and what only
 * boosts, as one Xapian query. stem: the English stemmer (NULL: words
 * match exactly). *out: xap_query_free. Returns XAP_OK or the seam
 * status (XAP_ERR_MODIFIED: the caller reopens and retries). */
xap_status rank_query(const struct plan *p, xap_db *db, xap_stem *stem, xap_query **out /* OUT */,
                      xap_query **late /* OUT */);

/* BM25 parameters of p and the order: relevance, equal scores by article
 * id (VAL_ID) so that pages, restarts and shards agree. */
xap_status rank_enquire(const struct plan *p, xap_enquire *e);

/* Can the expand-set term t[0..len) be a PRF term? English stems (Z, not
 * the field stems ZS/ZH), no numbers, nothing shorter than 3 letters. */
int rank_prf_term(const char *t, size_t len);

/* The PRF terms of the expand set es: the first prf_terms accepted by
 * rank_prf_term, each scaled by prf_weight times its expand weight
 * relative to the best, ORed; *out NULL when there is none. */
xap_status rank_expansion(const struct plan *p, const xap_eset *es, xap_query **out /* OUT */);

/* The query of a page that fewer articles match than it asks for: *q
 * AND_MAYBE exp (the PRF terms re-rank the matches), OR exp at a tiny
 * weight: articles that hold only expansion terms follow every real
 * match, and the caller shows them as "expanded" (not counted in total).
 * Any other page's PRF re-ranks a window of the matches without a query
 * of its own (xap_mset_rescore: the same AND_MAYBE weights). *q is
 * replaced (the old one freed) only on success; exp NULL: unchanged. */
xap_status rank_fill(const struct plan *p, const xap_query *exp, xap_query **q);

/* *q AND_MAYBE late (the late terms re-rank every match); late NULL:
 * unchanged. *q is replaced (the old one freed) only on success. */
xap_status rank_join_late(xap_query **q, const xap_query *late);

#endif
