/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan: one search request's query, compiled once.
 *
 * plan_new parses and tokenizes the query (query.h) and decides, from the
 * ranking options (rank.h, the [ranking] section), everything that does
 * not need the index: the ranked words in order with their stems and
 * roles (a word that matches, a stop or question-opener word that only
 * boosts, a stop word dropped from a long question), BM25 k1, the
 * per-field weights and whether pseudo-relevance feedback may run.
 * plan_bind then looks up, once per request and database, what does need
 * it: the synonym groups of runs of 1-3 adjacent words, and whether the
 * typed text is some article's exact title (a known-item search: no PRF).
 *
 * Everything after that reads the plan: rank.c builds the match and boost
 * queries from it, snippets mark its words and synonyms, spelling,
 * "related" and the corrected query use its words. Nothing tokenizes the
 * raw query again.
 */
#ifndef MEDSEARCH_PLAN_H
#define MEDSEARCH_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "query.h"
#include "rank.h"
#include "schema.h"
#include "xap.h"

struct tokenizer;

/* What a plain ranked word does. */
enum plan_role {
    PW_MATCH,   /* matches and ranks */
    PW_BOOST,   /* adds weight to articles that match otherwise (stop word of a
                   short query, question opener): never matches alone */
    PW_DROPPED  /* a function word of a long question: ignored */
};

/* One plain word of the top-level query (no field, no + or -), in order. */
struct plan_word {
    const struct qnode *node;        /* the QN_TERM in plan->q */
    const char *text;                /* node->text */
    char stem[SCHEMA_MAX_TERM + 1];  /* English stem, "" when none (CJK, numbers, compounds) */
    enum plan_role role;
    double weight;                   /* 1, or question_weight for an opener word */
    int stop;                        /* an English function word (stopword_is_query) */
    int opener;                      /* part of a question opener ("what is") */
};

/* A synonym group: the words first..first+n-1 (adjacent) form a key of the
 * index's synonym table; alts are its synonyms (each a word or a phrase
 * of words separated by one space). */
struct plan_syn {
    size_t first, n;
    char *key;
    char **alts;
    size_t n_alts;
};

enum plan_stop_policy {
    STOP_KEEP,     /* short query: stop words boost, other words match */
    STOP_DROP,     /* long question (>= 4 plain words): stop words dropped */
    STOP_ONLY      /* every plain word is a stop word: they all match */
};

struct plan {
    struct rank_opts opts;           /* the options it was compiled with */
    const char *text;                /* the query as typed (not owned) */
    size_t len;
    struct query *q;                 /* parsed tree (owned); NULL: no words */
    enum query_status qs;

    struct plan_word *words;         /* plain words in order */
    size_t n_words;
    size_t n_match;                  /* words with role PW_MATCH */
    size_t n_open;                   /* leading words that form a question opener */
    enum plan_stop_policy stop_policy;
    int cjk;                         /* mostly CJK words: CJK k1, Latin words scaled */
    double k1, b;                    /* BM25 for this query */
    double latin_weight;             /* weight of a non-CJK word in a mostly CJK query */
    int structured;                  /* +, -, field, phrase, boolean operator or filter used */

    /* PRF: decided by plan_new from the words; plan_bind turns it off for
     * a known-item search. prf_why says why it is off ("" when on). */
    int prf;
    const char *prf_why;

    char titlekey[SCHEMA_MAX_TERM + 1]; /* XT term of the typed text, "" when too long */

    /* Bound by plan_bind (cleared and redone on every call). */
    struct plan_syn *syns;
    size_t n_syns;
    int syn_terms;                   /* a synonym phrase is its XY term (schema.h), not a
                                        positional phrase: the index has them for this table */
    int title_known;                 /* some article's exact title is the query */
    char *other_langs;               /* the index's language terms other than English's,
                                        each ending in '\n' (articles a word may be in
                                        without its English stem), or NULL */
};

/* Parse and compile text[0..len) (not copied: it must outlive the plan).
 * Returns the query_parse status: on QUERY_OK and QUERY_EMPTY *out is a
 * new plan (plan_free; q is NULL for QUERY_EMPTY); otherwise *out is NULL. */
enum query_status plan_new(struct tokenizer *tk, xap_stem *stem, const struct rank_opts *o, const char *text,
                           size_t len, enum query_mode mode, const struct query_limits *lim,
                           struct plan **out /* OUT */);
/* Look up the synonym groups and the exact-title key in db. Safe to call
 * again (after XAP_ERR_MODIFIED). Returns XAP_OK or the seam status. */
xap_status plan_bind(struct plan *p, xap_db *db);
/* *yes: the index's XY terms hold every synonym phrase of the table the
 * groups come from (schema.h), so a phrase is that one term. Read once
 * per database handle (xap_db_metadata_common caches it). */
xap_status plan_synphrase_terms(xap_db *db, int *yes /* OUT */);
void plan_free(struct plan *p);
/* Does PRF run (decided, and no known-item search)? */
int plan_prf(const struct plan *p);
/* The plain word of node n, or NULL (a word of a nested group, a phrase...). */
const struct plan_word *plan_word_of(const struct plan *p, const struct qnode *n);

/* The words a hit's snippet marks (highlighted): every positive word of
 * the query except dropped ones, compound parts, and every synonym of a
 * group. cb(text, len, ud); a non-zero return stops. */
void plan_marks(const struct plan *p, int (*cb)(const char *s, size_t len, void *ud), void *ud);

/* Readable one-line summary for tests and debugging (malloc'd):
 * "words=what:boost,is:boost,glaucoma:match stop=keep k1=1.2 prf=on syn=...". */
char *plan_describe(const struct plan *p);

#endif
