/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics: counters, histograms and their Prometheus exposition. */
#include "metrics.h"
#include "assist.h"
#include "doc.h"
#include "mmapread.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "replica.h"
#include "server.h"
#include "shards.h"
#include "spell.h"
#include "worker.h"
#include "xap.h"

#define MAX_ROUTES 32 /* routes.c has far fewer; more are counted as "other" */

static const unsigned codes[] = { 200, 400, 404, 405, 413, 414, 422, 431, 500, 503, 504 };
#define NCODES (sizeof codes / sizeof codes[0])
static const double bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5 };
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

struct endpoint {
    atomic_uint_fast64_t by_code[NCODES + 1]; /* last slot: any other code */
    atomic_uint_fast64_t errors;              /* 5xx */
    atomic_uint_fast64_t buckets[NBOUNDS + 1];/* not cumulative; last = +Inf */
    atomic_uint_fast64_t sum_us;
};

/* Slot MAX_ROUTES is "other" (no route). Zero-initialized atomics. */
static struct endpoint eps[MAX_ROUTES + 1];

/* Xapian work per request: one histogram per counter and endpoint. */
static const double wbounds[] = { 0, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000 };
#define NWBOUNDS (sizeof wbounds / sizeof wbounds[0])
static const char *const wnames[] = { "passes", "esets", "termlists", "docs", "postlists", "termfreqs", "rescores",
                                      "values" };
static const char *const whelp[] = {
    "Xapian match passes per request.",
    "Xapian expand sets computed per request.",
    "Document termlists read per request (expand sets count one per relevant document).",
    "Stored documents read per request.",
    "Posting lists walked outside a match per request.",
    "Term frequencies read from the index outside a match per request (not those kept from an earlier request at the same revision).",
    "Re-rankings of a match's first results per request (a match over those articles only).",
    "Values read per request from a slot's value stream (related articles' MeSH concepts: one an article).",
};
#define NWORK (sizeof wnames / sizeof wnames[0])
struct work_hist {
    atomic_uint_fast64_t buckets[NWBOUNDS + 1]; /* not cumulative; last = +Inf */
    atomic_uint_fast64_t sum;
};
static struct work_hist work[MAX_ROUTES + 1][NWORK];

void metrics_observe_work(int route, const struct xap_work *w)
{
    size_t r = route >= 0 && route < MAX_ROUTES ? (size_t)route : MAX_ROUTES;
    const uint64_t v[NWORK] = { w->passes, w->esets, w->termlists, w->docs, w->postlists, w->termfreqs, w->rescores,
                                w->values };
    for (size_t k = 0; k < NWORK; k++) {
        size_t b = 0;
        while (b < NWBOUNDS && (double)v[k] > wbounds[b])
            b++;
        atomic_fetch_add_explicit(&work[r][k].buckets[b], 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&work[r][k].sum, v[k], memory_order_relaxed);
    }
}

void metrics_observe(int route, unsigned status, double seconds)
{
    struct endpoint *e = &eps[route >= 0 && route < MAX_ROUTES ? route : MAX_ROUTES];
    size_t c = 0;
    while (c < NCODES && codes[c] != status)
        c++;
    atomic_fetch_add_explicit(&e->by_code[c], 1, memory_order_relaxed);
    if (status >= 500)
        atomic_fetch_add_explicit(&e->errors, 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBOUNDS && seconds > bounds[b])
        b++;
    atomic_fetch_add_explicit(&e->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&e->sum_us, (uint64_t)(seconds * 1e6), memory_order_relaxed);
    /* The reply is queued on the thread that ran the handler: its Xapian
     * work counters are this request's (server.c resets them first). */
    struct xap_work done;
    xap_work_get(&done);
    metrics_observe_work(route, &done);
    xap_work_reset();
}

static uint64_t load(atomic_uint_fast64_t *a) { return atomic_load_explicit(a, memory_order_relaxed); }

static const char *ep_name(size_t i) { return i < MAX_ROUTES ? server_routes[i].name : "other"; }

/* A counter with one label of two values. */
static void counter_by(FILE *f, const char *name, const char *help, const char *label, const char *v1,
                       unsigned long long n1, const char *v2, unsigned long long n2)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s counter\n%s{%s=\"%s\"} %llu\n%s{%s=\"%s\"} %llu\n", name, help, name, name,
            label, v1, n1, name, label, v2, n2);
}

static void write_metrics(FILE *f, struct server_req *req)
{
    size_t nroutes = 0;
    while (server_routes[nroutes].path && nroutes < MAX_ROUTES)
        nroutes++;
    /* Each endpoint slot, then "other". */
    size_t slots[MAX_ROUTES + 1], nslots = 0;
    for (size_t i = 0; i < nroutes; i++)
        slots[nslots++] = i;
    slots[nslots++] = MAX_ROUTES;

    fputs("# HELP medsearch_requests_total Requests answered, by endpoint and HTTP status.\n"
          "# TYPE medsearch_requests_total counter\n", f);
    for (size_t s = 0; s < nslots; s++) {
        struct endpoint *e = &eps[slots[s]];
        for (size_t c = 0; c <= NCODES; c++) {
            uint64_t v = load(&e->by_code[c]);
            if (!v)
                continue;
            if (c < NCODES)
                fprintf(f, "medsearch_requests_total{endpoint=\"%s\",code=\"%u\"} %llu\n", ep_name(slots[s]),
                        codes[c], (unsigned long long)v);
            else
                fprintf(f, "medsearch_requests_total{endpoint=\"%s\",code=\"other\"} %llu\n", ep_name(slots[s]),
                        (unsigned long long)v);
        }
    }
    fputs("# HELP medsearch_request_errors_total Requests answered with a server error (5xx).\n"
          "# TYPE medsearch_request_errors_total counter\n", f);
    for (size_t s = 0; s < nslots; s++)
        fprintf(f, "medsearch_request_errors_total{endpoint=\"%s\"} %llu\n", ep_name(slots[s]),
                (unsigned long long)load(&eps[slots[s]].errors));
    fputs("# HELP medsearch_request_duration_seconds Time from a complete request to its reply.\n"
          "# TYPE medsearch_request_duration_seconds histogram\n", f);
    for (size_t s = 0; s < nslots; s++) {
        struct endpoint *e = &eps[slots[s]];
        const char *name = ep_name(slots[s]);
        uint64_t cum = 0;
        for (size_t b = 0; b < NBOUNDS; b++) {
            cum += load(&e->buckets[b]);
            fprintf(f, "medsearch_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} %llu\n", name,
                    bounds[b], (unsigned long long)cum);
        }
        cum += load(&e->buckets[NBOUNDS]);
        fprintf(f, "medsearch_request_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} %llu\n", name,
                (unsigned long long)cum);
        fprintf(f, "medsearch_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n", name,
                (double)load(&e->sum_us) / 1e6);
        fprintf(f, "medsearch_request_duration_seconds_count{endpoint=\"%s\"} %llu\n", name,
                (unsigned long long)cum);
    }

    for (size_t k = 0; k < NWORK; k++) {
        fprintf(f, "# HELP medsearch_xapian_%s %s\n# TYPE medsearch_xapian_%s histogram\n", wnames[k], whelp[k],
                wnames[k]);
        for (size_t s = 0; s < nslots; s++) {
            struct work_hist *h = &work[slots[s]][k];
            const char *name = ep_name(slots[s]);
            uint64_t cum = 0;
            for (size_t b = 0; b < NWBOUNDS; b++) {
                cum += load(&h->buckets[b]);
                fprintf(f, "medsearch_xapian_%s_bucket{endpoint=\"%s\",le=\"%g\"} %llu\n", wnames[k], name,
                        wbounds[b], (unsigned long long)cum);
            }
            cum += load(&h->buckets[NWBOUNDS]);
            fprintf(f, "medsearch_xapian_%s_bucket{endpoint=\"%s\",le=\"+Inf\"} %llu\n", wnames[k], name,
                    (unsigned long long)cum);
            fprintf(f, "medsearch_xapian_%s_sum{endpoint=\"%s\"} %llu\n", wnames[k], name,
                    (unsigned long long)load(&h->sum));
            fprintf(f, "medsearch_xapian_%s_count{endpoint=\"%s\"} %llu\n", wnames[k], name,
                    (unsigned long long)cum);
        }
    }

    xap_db *db = NULL;
    uint32_t docs = 0;
    uint64_t rev = 0;
    int up;
    if (shards_remote()) {
        /* No network here: the prober's view (a hung shard must not hang
         * /metrics). */
        size_t ok;
        unsigned long long d;
        json_decref(shards_health(&ok, &d));
        up = ok > 0;
        docs = (uint32_t)d;
    } else
        up = worker_db(server_worker(req), &db) == XAP_OK && xap_db_doccount(db, &docs) == XAP_OK &&
             xap_db_revision(db, &rev) == XAP_OK;
    fprintf(f,
            "# HELP medsearch_index_up 1 when the index can be opened.\n"
            "# TYPE medsearch_index_up gauge\n"
            "medsearch_index_up %d\n", up);
    if (up)
        fprintf(f,
                "# HELP medsearch_index_documents Documents in the index.\n"
                "# TYPE medsearch_index_documents gauge\n"
                "medsearch_index_documents %u\n"
                "# HELP medsearch_index_revision Revision of the index (0 for several databases).\n"
                "# TYPE medsearch_index_revision gauge\n"
                "medsearch_index_revision %llu\n",
                docs, (unsigned long long)rev);
    fprintf(f,
            "# HELP medsearch_index_reopens_total Full reopens of the index (swap, reload, recovery).\n"
            "# TYPE medsearch_index_reopens_total counter\n"
            "medsearch_index_reopens_total %llu\n"
            "# HELP medsearch_uptime_seconds Seconds since searchd started.\n"
            "# TYPE medsearch_uptime_seconds gauge\n"
            "medsearch_uptime_seconds %.3f\n"
            "# HELP medsearch_worker_threads Serving threads that have handled a request.\n"
            "# TYPE medsearch_worker_threads gauge\n"
            "medsearch_worker_threads %u\n"
            "# HELP medsearch_requests_queued Complete requests waiting for a free worker thread.\n"
            "# TYPE medsearch_requests_queued gauge\n"
            "medsearch_requests_queued %u\n",
            (unsigned long long)worker_reopens_total(), server_uptime(), worker_live(), server_queued(req));
    uint64_t hcalls = 0, hcached = 0;
    spell_hunspell_counts(&hcalls, &hcached);
    counter_by(f, "medsearch_spell_hunspell_total",
               "Words whose hunspell suggestions a did-you-mean needed, by where they came from.", "source",
               "computed", hcalls, "cache", hcached);
    unsigned long long maps = 0, syscalls = 0;
    mmapread_counts(&maps, &syscalls);
    fprintf(f,
            "# HELP medsearch_index_maps Index files read through a memory map now ([searchd] mmap_reads).\n"
            "# TYPE medsearch_index_maps gauge\n"
            "medsearch_index_maps %llu\n"
            "# HELP medsearch_index_read_syscalls_total Index block reads that were system calls (not mapped, or past a map).\n"
            "# TYPE medsearch_index_read_syscalls_total counter\n"
            "medsearch_index_read_syscalls_total %llu\n",
            maps, syscalls);
    unsigned long long head_hits = 0, head_misses = 0;
    doc_head_counts(&head_hits, &head_misses);
    counter_by(f, "medsearch_head_cache_total",
               "Heads (id, url, title) of listed articles, answered from a thread's cache or read from the index.",
               "result", "hit", head_hits, "miss", head_misses);
    unsigned long long by_worker = 0, by_helper = 0;
    assist_counts(&by_worker, &by_helper);
    counter_by(f, "medsearch_hit_tasks_total",
               "Hits of /search whose record and snippet were made, by the thread that made them.", "thread", "worker",
               by_worker, "helper", by_helper);
    shards_metrics(f);
    replica_metrics(f, up && shards_count() == 1 && !shards_remote() ? db : NULL);
}

void metrics_handle(struct server_req *req)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        server_reply_error(req, 500, "internal", NULL, -1, "out of memory");
        return;
    }
    write_metrics(f, req);
    if (fclose(f) != 0 || !text) {
        free(text);
        server_reply_error(req, 500, "internal", NULL, -1, "out of memory");
        return;
    }
    server_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}
