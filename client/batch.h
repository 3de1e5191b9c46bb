/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch: `search --run FILE`, a TREC run for a file of queries, as the
 * relevance bench (../shared/bench) scores it.  Input lines are
 * "qid<TAB>query text"; the output is only "qid Q0 docid rank score tag"
 * lines on stdout, best first, at most K per query, in input order.  One
 * keep-alive connection per thread.  With a latency file, each query's
 * wall time (its requests and the reading of their hits, measured in the
 * client around them; writing the run is not timed, as the bench's
 * Xapian and FTS5 loops do not time theirs) is written there as
 * "qid<TAB>seconds".  Answers are read by hits.c, not into a JSON tree. */
#ifndef MEDSEARCH_CLIENT_BATCH_H
#define MEDSEARCH_CLIENT_BATCH_H

#include <stdio.h>

struct batch_opts {
    const char *file;       /* query file, "-" = stdin */
    const char *socket;
    int k;                  /* results per query (>= 1) */
    const char *tag;        /* run tag (no spaces) */
    int parallel;           /* connections / threads (>= 1) */
    double timeout_s;       /* per request, <= 0: none */
    const char *category;   /* filters, NULL = none */
    const char *lang;
    const char *latency;    /* file for "qid<TAB>seconds" lines (input order), NULL = none */
};

/* Run every query of o->file and print the run on `out`; warnings (with
 * the qid) on stderr.  Returns EXIT_FOUND (0) when every query was
 * answered (with or without hits), EXIT_SERVER (3) when some query failed
 * or a line was malformed (the others are still run), EXIT_USAGE (2) when
 * the file cannot be read or searchd cannot be reached (the run stops). */
int batch_run(const struct batch_opts *o, FILE *out);

/* 1 if qid (the first column of the first line) names a header column:
 * "qid", "query-id", "query_id" or "id", any case. */
int batch_is_header(const char *qid);

/* Split a line in place: strips a trailing "\n" / "\r\n", cuts at the
 * first tab, trims spaces around the qid.  Returns 1 with *qid and *text
 * pointing into line, 0 for a blank line, -1 when there is no tab or the
 * qid is empty. */
int batch_split(char *line, char **qid /* OUT */, char **text /* OUT */);

/* TREC scorers re-sort a run by score (ties by docid), so the printed
 * scores must fall strictly to keep searchd's order.  Returns score in
 * millionths, lowered to *prev - 1 when it would not be below the
 * previous one (first = 1 for a query's first hit); updates *prev. */
long long batch_trec_score(double score, int first, long long *prev /* IN/OUT */);

#endif
