/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "batch.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api.h"
#include "grow.h"
#include "hits.h"
#include "reply.h"

struct query {
    char *qid;      /* both point into line */
    char *text;
    char *line;
    size_t lineno;
    double secs;    /* --latency: wall time of its requests, -1 = not run */
};

/* One query's output, for --parallel: written by a worker, printed in
 * input order by the main thread. */
struct slot {
    char *out;
    size_t len;
    int done;
};

struct run {
    const struct batch_opts *o;
    struct query *q;
    size_t nq;
    /* --parallel */
    struct slot *slots;
    atomic_size_t next;
    atomic_int stop;          /* searchd unreachable: workers stop */
    atomic_int failed;        /* some query failed */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char fatal[1024];         /* the one line printed when stopping */
};

int batch_is_header(const char *qid)
{
    return strcasecmp(qid, "qid") == 0 || strcasecmp(qid, "query-id") == 0 ||
           strcasecmp(qid, "query_id") == 0 || strcasecmp(qid, "id") == 0;
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int batch_split(char *line, char **qid, char **text)
{
    *qid = NULL;
    *text = NULL;
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    size_t i = 0;
    while (i < n && blank(line[i]))
        i++;
    if (i == n)
        return 0;
    char *tab = strchr(line, '\t');
    if (!tab)
        return -1;
    *tab = '\0';
    char *a = line, *e = tab;
    while (*a == ' ')
        a++;
    while (e > a && e[-1] == ' ')
        *--e = '\0';
    if (!*a)
        return -1;
    *qid = a;
    *text = tab + 1;
    return 1;
}

long long batch_trec_score(double score, int first, long long *prev)
{
    long long v;
    if (!isfinite(score))
        v = 0;
    else if (score > 9e12)
        v = (long long)9e18;
    else if (score < -9e12)
        v = -(long long)9e18;
    else
        v = llround(score * 1e6);
    if (!first && v >= *prev)
        v = *prev - 1;
    *prev = v;
    return v;
}

/* Reads every query line; returns 0 or EXIT_USAGE / EXIT_SERVER (bad
 * lines are warned about and make the run fail at the end). */
static int read_queries(struct run *r, int *bad)
{
    const char *file = r->o->file;
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (!f) {
        fprintf(stderr, "search: %s: %s\n", file, strerror(errno));
        return EXIT_USAGE;
    }
    size_t cap = 0, lineno = 0;
    int first = 1, rc = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t got;
    while ((got = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        if ((size_t)got != strlen(line)) {
            fprintf(stderr, "search: %s:%zu: NUL byte in line, skipped\n", file, lineno);
            *bad = 1;
            continue;
        }
        char *l = line;
        if (lineno == 1 && strncmp(l, "\xEF\xBB\xBF", 3) == 0)   /* UTF-8 BOM */
            l += 3;
        /* The line buffer is reused by getline: split a copy. */
        char *copy = strdup(l);
        if (!copy)
            goto oom;
        char *qid, *text;
        int s = batch_split(copy, &qid, &text);
        if (s <= 0 || (first && batch_is_header(qid))) {
            if (s < 0) {
                fprintf(stderr, "search: %s:%zu: expected \"qid<TAB>query\", line skipped\n", file, lineno);
                *bad = 1;
            }
            if (s != 0)
                first = 0;
            free(copy);
            continue;
        }
        first = 0;
        if (GROW(r->q, cap, r->nq + 1, 256) != 0) {
            free(copy);
            goto oom;
        }
        struct query *q = &r->q[r->nq++];
        q->line = copy;
        q->qid = qid;
        q->text = text;
        q->lineno = lineno;
        q->secs = -1;
    }
    if (ferror(f)) {
        fprintf(stderr, "search: %s: %s\n", file, strerror(errno));
        rc = EXIT_USAGE;
    }
    goto out;
oom:
    fprintf(stderr, "search: out of memory reading %s\n", file);
    rc = EXIT_USAGE;
out:
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

static void set_fatal(struct run *r, struct api *h, enum api_status st)
{
    pthread_mutex_lock(&r->lock);
    if (!r->fatal[0]) {
        if (st == API_CONNECT)
            snprintf(r->fatal, sizeof r->fatal,
                     "search: cannot connect to searchd at %s: %s (is searchd running? set --socket or MEDSEARCH_SOCKET)",
                     api_socket(h), api_error(h));
        else
            snprintf(r->fatal, sizeof r->fatal, "search: searchd at %s: %s", api_socket(h), api_error(h));
    }
    atomic_store(&r->stop, 1);
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Writes the TREC lines of the hits read (after rank0 of them); returns
 * how many hits there were, or -1 when one has no id. */
static long write_hits(const struct batch_opts *o, const struct query *q, const struct hits *hs, int rank0,
                       long long *prev, FILE *out)
{
    int rank = rank0;
    for (size_t i = 0; i < hs->n && rank < o->k; i++) {
        const char *id = hits_id(hs, i);
        if (!id)
            return -1;
        double score = hs->v[i].has_score ? hs->v[i].score : -(double)(rank + 1);
        long long v = batch_trec_score(score, rank == 0, prev);
        rank++;
        fprintf(out, "%s Q0 %s %d %.6f %s\n", q->qid, id, rank, (double)v / 1e6, o->tag);
    }
    return (long)hs->n;
}

/* Runs one query on h, TREC lines to out; q->secs is the time of its
 * requests and of reading their hits, measured around them (writing the
 * run is not timed, as the bench's peers do not time theirs). Returns 0,
 * EXIT_SERVER (warned on stderr) or EXIT_USAGE (searchd unreachable;
 * r->fatal set). */
static int run_one(struct run *r, struct api *h, struct hits *hs, int *page, struct query *q, FILE *out)
{
    const struct batch_opts *o = r->o;
    q->secs = 0;
    if (!q->text[strspn(q->text, " \t\r")]) {
        fprintf(stderr, "search: query %s (line %zu): empty query, no results\n", q->qid, q->lineno);
        return 0;
    }
    int rank = 0;
    long long prev = 0;
    char limit[24], offset[24];
    while (rank < o->k) {
        int want = o->k - rank < *page ? o->k - rank : *page;
        snprintf(limit, sizeof limit, "%d", want);
        snprintf(offset, sizeof offset, "%d", rank);
        const char *params[] = {
            "q", q->text, "mode", "plain", "fields", "id,score", "limit", limit, "track_total", "0",
            "offset", rank ? offset : NULL, "category", o->category, "lang", o->lang, NULL,
        };
        long status;
        const char *body;
        size_t len;
        double t0 = now_s();
        enum api_status st = api_get(h, "/search", params, &status, &body, &len);
        long n = st == API_OK && status == 200 ? hits_read(hs, body, len) : 0;
        q->secs += now_s() - t0;
        if (st == API_CONNECT) {
            set_fatal(r, h, st);
            return EXIT_USAGE;
        }
        if (st != API_OK) {
            fprintf(stderr, "search: query %s (line %zu): %s\n", q->qid, q->lineno, api_error(h));
            return EXIT_SERVER;
        }
        if (status != 200) {
            struct reply_err e;
            reply_error(status, body, len, &e);
            /* More than searchd's max_limit: page through at its limit. */
            if (status == 422 && strcmp(e.param, "limit") == 0 && e.limit > 0 && e.limit < want) {
                *page = (int)e.limit;
                continue;
            }
            char msg[700];
            reply_format(&e, msg, sizeof msg);
            fprintf(stderr, "search: query %s (line %zu): searchd: %s\n", q->qid, q->lineno, msg);
            return EXIT_SERVER;
        }
        if (n >= 0)
            n = write_hits(o, q, hs, rank, &prev, out);
        if (n < 0) {
            fprintf(stderr, "search: query %s (line %zu): searchd sent an answer that is not a search result\n",
                    q->qid, q->lineno);
            return EXIT_SERVER;
        }
        rank += n < want ? (int)n : want;
        if (n < want)
            break;
    }
    return 0;
}

static void *worker(void *arg)
{
    struct run *r = arg;
    struct api *h = api_open(r->o->socket, r->o->timeout_s);
    struct hits hs = { 0 };
    int page = r->o->k;
    for (;;) {
        size_t i = atomic_fetch_add(&r->next, 1);
        if (i >= r->nq)
            break;
        struct slot *s = &r->slots[i];
        if (atomic_load(&r->stop) || !h) {
            if (!h) {
                pthread_mutex_lock(&r->lock);
                if (!r->fatal[0])
                    snprintf(r->fatal, sizeof r->fatal, "search: out of memory");
                atomic_store(&r->stop, 1);
                pthread_mutex_unlock(&r->lock);
            }
        } else {
            FILE *mem = open_memstream(&s->out, &s->len);
            if (!mem) {
                fprintf(stderr, "search: query %s: out of memory\n", r->q[i].qid);
                atomic_store(&r->failed, 1);
            } else {
                int rc = run_one(r, h, &hs, &page, &r->q[i], mem);
                if (rc == EXIT_SERVER)
                    atomic_store(&r->failed, 1);
                if (fclose(mem) != 0)
                    atomic_store(&r->failed, 1);
            }
        }
        pthread_mutex_lock(&r->lock);
        s->done = 1;
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
    }
    api_close(h);
    hits_free(&hs);
    return NULL;
}

static int run_parallel(struct run *r, FILE *out)
{
    int n = r->o->parallel;
    if ((size_t)n > r->nq)
        n = (int)r->nq;
    r->slots = calloc(r->nq ? r->nq : 1, sizeof *r->slots);
    pthread_t *tids = calloc((size_t)n ? (size_t)n : 1, sizeof *tids);
    if (!r->slots || !tids) {
        free(tids);
        fprintf(stderr, "search: out of memory\n");
        return EXIT_USAGE;
    }
    int started = 0;
    for (; started < n; started++) {
        int e = pthread_create(&tids[started], NULL, worker, r);
        if (e) {
            fprintf(stderr, "search: pthread_create: %s\n", strerror(e));
            atomic_store(&r->stop, 1);
            break;
        }
    }
    if (started == 0)
        atomic_store(&r->stop, 1);
    /* Print each query's lines as soon as it and all before it are done. */
    for (size_t i = 0; i < r->nq && started > 0; i++) {
        pthread_mutex_lock(&r->lock);
        while (!r->slots[i].done)
            pthread_cond_wait(&r->cond, &r->lock);
        pthread_mutex_unlock(&r->lock);
        if (!atomic_load(&r->stop) && r->slots[i].len)
            fwrite(r->slots[i].out, 1, r->slots[i].len, out);
        free(r->slots[i].out);
        r->slots[i].out = NULL;
    }
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    free(tids);
    for (size_t i = 0; i < r->nq; i++)
        free(r->slots[i].out);
    free(r->slots);
    if (started == 0 && !r->fatal[0])
        return EXIT_USAGE;
    return 0;
}

static int run_sequential(struct run *r, FILE *out)
{
    struct api *h = api_open(r->o->socket, r->o->timeout_s);
    if (!h) {
        fprintf(stderr, "search: out of memory\n");
        return EXIT_USAGE;
    }
    struct hits hs = { 0 };
    int page = r->o->k;
    for (size_t i = 0; i < r->nq; i++) {
        int rc = run_one(r, h, &hs, &page, &r->q[i], out);
        if (rc == EXIT_USAGE)
            break;
        if (rc == EXIT_SERVER)
            atomic_store(&r->failed, 1);
    }
    api_close(h);
    hits_free(&hs);
    return 0;
}

int batch_run(const struct batch_opts *o, FILE *out)
{
    struct run r = { .o = o };
    atomic_init(&r.next, 0);
    atomic_init(&r.stop, 0);
    atomic_init(&r.failed, 0);
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.cond, NULL);
    int bad = 0;
    int rc = read_queries(&r, &bad);
    if (rc == 0)
        rc = o->parallel > 1 ? run_parallel(&r, out) : run_sequential(&r, out);
    if (r.fatal[0]) {
        fprintf(stderr, "%s\n", r.fatal);
        rc = EXIT_USAGE;
    }
    if (rc == 0 && fflush(out) != 0) {
        fprintf(stderr, "search: writing the run: %s\n", strerror(errno));
        rc = EXIT_USAGE;
    }
    if (rc == 0 && (bad || atomic_load(&r.failed)))
        rc = EXIT_SERVER;
    if (o->latency && (rc == 0 || rc == EXIT_SERVER)) {
        FILE *lf = fopen(o->latency, "w");
        for (size_t i = 0; lf && i < r.nq; i++)
            if (r.q[i].secs >= 0)
                fprintf(lf, "%s\t%.6f\n", r.q[i].qid, r.q[i].secs);
        if (!lf || fclose(lf) != 0) {
            fprintf(stderr, "search: --latency %s: %s\n", o->latency, strerror(errno));
            rc = EXIT_USAGE;
        }
    }
    for (size_t i = 0; i < r.nq; i++)
        free(r.q[i].line);
    free(r.q);
    pthread_cond_destroy(&r.cond);
    pthread_mutex_destroy(&r.lock);
    return rc;
}
