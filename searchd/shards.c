/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shards: shards, mirrors, the circuit breaker and the prober. */
#include "shards.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "ticker.h"

struct mirror {
    char *path;            /* "tcp:HOST:PORT" or a directory */
    char hostport[128];    /* "HOST:PORT" of a remote mirror, "" when local */
    int up;                /* breaker closed: requests may use it */
    int timed_out;         /* the last failure was a timeout */
    char err[SHARD_ERR_LEN];
    double next_try;       /* when the prober may try a down mirror again */
    double latency_ms;     /* last probe round trip (-1: not measured) */
    long long docs;        /* documents at the last probe (-1: unknown) */
    uint64_t served, failures;
    xap_db *probe;         /* the prober's own handle (prober thread only) */
};

struct shard {
    char *name;            /* the --db entry */
    size_t nm;
    struct mirror *m;
};

static struct shard *shards;
static size_t nshards;
static int any_remote;
static unsigned probe_every_ms = 1000;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint generation = 1;

static struct ticker prober; /* probes every shard every probe_every_ms */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int shards_init(const char *const *specs, size_t n, unsigned timeout_ms, unsigned probe_ms, char *err,
                size_t errlen)
{
    xap_set_remote_timeout(timeout_ms);
    if (probe_ms)
        probe_every_ms = probe_ms;
    if (!(shards = calloc(n ? n : 1, sizeof *shards)))
        goto nomem;
    nshards = n;
    for (size_t i = 0; i < n; i++) {
        struct shard *s = &shards[i];
        if (!(s->name = strdup(specs[i])))
            goto nomem;
        size_t nm = 1;
        for (const char *p = specs[i]; *p; p++)
            nm += *p == '|';
        if (!(s->m = calloc(nm, sizeof *s->m)))
            goto nomem;
        const char *p = specs[i];
        for (size_t k = 0; k < nm; k++) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (len == 0) {
                snprintf(err, errlen, "--db entry '%s': an empty mirror", specs[i]);
                return -1;
            }
            struct mirror *m = &s->m[s->nm++];
            if (!(m->path = strndup(p, len)))
                goto nomem;
            if (strncmp(m->path, "tcp:", 4) == 0) {
                snprintf(m->hostport, sizeof m->hostport, "%s", m->path + 4);
                any_remote = 1;
            } else if (nm > 1) {
                snprintf(err, errlen, "--db entry '%s': mirrors must be remote (tcp:HOST:PORT)", specs[i]);
                return -1;
            }
            m->up = 1; /* until shown otherwise */
            m->latency_ms = -1;
            m->docs = -1;
            p += len + (bar ? 1 : 0);
        }
    }
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

size_t shards_count(void) { return nshards; }
int shards_remote(void) { return any_remote; }
unsigned shards_generation(void) { return atomic_load(&generation); }

/* Short class of a failure for answers: "timeout" or "unreachable". */
static const char *err_class(const struct mirror *m) { return m->timed_out ? "timeout" : "unreachable"; }

/* Mark s->m[k] down with why; the caller holds lock. */
static void mark_down_locked(struct shard *s, size_t k, xap_status st, const char *why)
{
    struct mirror *m = &s->m[k];
    m->timed_out = st == XAP_ERR_TIMEOUT;
    snprintf(m->err, sizeof m->err, "%s", why);
    if (!m->up)
        return;
    m->up = 0;
    m->failures++;
    m->next_try = now_s() + probe_every_ms / 1000.0;
    atomic_fetch_add(&generation, 1);
    log_warn("shard %s: %s is down (%s): %s", s->name, m->path, err_class(m), why);
}

static void mark_down(size_t i, size_t k, xap_status st, const char *why)
{
    pthread_mutex_lock(&lock);
    mark_down_locked(&shards[i], k, st, why);
    pthread_mutex_unlock(&lock);
}

void shards_view_free(struct shard_view *v)
{
    free(v->mirror);
    free(v->err);
    memset(v, 0, sizeof *v);
}

size_t shards_missing(const struct shard_view *v)
{
    size_t miss = 0;
    for (size_t i = 0; i < v->n; i++)
        miss += v->mirror[i] < 0;
    return miss;
}

xap_status shards_open(xap_db **out, struct shard_view *v, char *err, size_t errlen)
{
    *out = NULL;
    shards_view_free(v);
    v->gen = shards_generation();
    v->n = nshards;
    v->mirror = calloc(nshards ? nshards : 1, sizeof *v->mirror);
    v->err = calloc(nshards ? nshards : 1, sizeof *v->err);
    xap_db *db = NULL;
    if (!v->mirror || !v->err || xap_db_new_multi(&db) != XAP_OK) {
        snprintf(err, errlen, "out of memory");
        shards_view_free(v);
        return XAP_ERR_NOMEM;
    }
    size_t opened = 0;
    for (size_t i = 0; i < nshards; i++) {
        struct shard *s = &shards[i];
        v->mirror[i] = -1;
        /* Candidates: mirrors up now, the fastest first. */
        size_t order[16], nc = 0;
        pthread_mutex_lock(&lock);
        for (size_t k = 0; k < s->nm && nc < 16; k++) {
            if (!s->m[k].up)
                continue;
            size_t j = nc++;
            while (j > 0 && s->m[order[j - 1]].latency_ms > s->m[k].latency_ms && s->m[k].latency_ms >= 0)
                order[j] = order[j - 1], j--;
            order[j] = k;
        }
        if (nc == 0) {
            const struct mirror *m = &s->m[0];
            snprintf(v->err[i], SHARD_ERR_LEN, "%s: %.140s", err_class(m), m->err);
        }
        pthread_mutex_unlock(&lock);
        for (size_t c = 0; c < nc; c++) {
            size_t k = order[c];
            xap_status st = xap_db_add(db, s->m[k].path);
            if (st == XAP_OK) {
                v->mirror[i] = (int)k;
                opened++;
                break;
            }
            mark_down(i, k, st, xap_errmsg());
            snprintf(v->err[i], SHARD_ERR_LEN, "%s: %.140s", st == XAP_ERR_TIMEOUT ? "timeout" : "unreachable",
                     xap_errmsg());
        }
    }
    if (opened == 0) {
        xap_db_close(db);
        snprintf(err, errlen, "no shard can be opened: %s: %s", shards[0].name, v->err[0]);
        return XAP_ERR_NETWORK;
    }
    *out = db;
    return XAP_OK;
}

int shards_fail(const struct shard_view *v, const char *msg)
{
    xap_status st = strstr(msg, "NetworkTimeoutError") ? XAP_ERR_TIMEOUT : XAP_ERR_NETWORK;
    /* Xapian's context names the remote end: "remote:tcp(HOST:PORT)". */
    const char *ctx = strstr(msg, "remote:tcp(");
    char hp[128] = "";
    if (ctx) {
        ctx += strlen("remote:tcp(");
        const char *end = strchr(ctx, ')');
        size_t len = end ? (size_t)(end - ctx) : 0;
        if (len > 0 && len < sizeof hp)
            memcpy(hp, ctx, len), hp[len] = '\0';
    }
    int marked = 0;
    for (size_t i = 0; i < v->n && i < nshards; i++) {
        int k = v->mirror[i];
        if (k < 0 || !shards[i].m[k].hostport[0])
            continue;
        if (hp[0]) {
            if (strcmp(hp, shards[i].m[k].hostport) == 0)
                mark_down(i, (size_t)k, st, msg), marked++;
            continue;
        }
        /* The message names no shard ("Connection closed unexpectedly"):
         * ask each one afresh; those that do not answer are the culprits. */
        xap_db *one = NULL;
        uint32_t docs;
        xap_status pst = xap_db_open(shards[i].m[k].path, XAP_DB_READONLY, &one);
        if (pst == XAP_OK)
            pst = xap_db_doccount(one, &docs);
        xap_db_close(one);
        if (pst != XAP_OK) {
            char why[SHARD_ERR_LEN];
            snprintf(why, sizeof why, "%s", xap_errmsg());
            mark_down(i, (size_t)k, pst, why);
            marked++;
        }
    }
    return marked;
}

void shards_served(const struct shard_view *v)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < v->n && i < nshards; i++)
        if (v->mirror[i] >= 0)
            shards[i].m[v->mirror[i]].served++;
    pthread_mutex_unlock(&lock);
}

json_t *shards_answer(const struct shard_view *v)
{
    json_t *failed = json_array();
    for (size_t i = 0; i < v->n && i < nshards; i++)
        if (v->mirror[i] < 0) {
            const char *e = v->err[i];
            const char *colon = strchr(e, ':');
            json_t *one = json_pack("{s:s, s:s%, s:s}", "shard", shards[i].name, "error", e,
                                    colon ? (size_t)(colon - e) : strlen(e), "detail", colon ? colon + 2 : e);
            json_array_append_new(failed, one);
        }
    return json_pack("{s:I, s:I, s:o}", "total", (json_int_t)v->n, "ok", (json_int_t)(v->n - shards_missing(v)),
                     "failed", failed);
}

json_t *shards_health(size_t *ok, unsigned long long *docs)
{
    *ok = 0;
    *docs = 0;
    json_t *arr = json_array();
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nshards; i++) {
        struct shard *s = &shards[i];
        const struct mirror *best = NULL;
        for (size_t k = 0; k < s->nm; k++)
            if (s->m[k].up && (!best || (s->m[k].latency_ms >= 0 && s->m[k].latency_ms < best->latency_ms)))
                best = &s->m[k];
        json_t *o = json_pack("{s:s, s:b}", "shard", s->name, "ok", best != NULL);
        if (best) {
            (*ok)++;
            json_object_set_new(o, "mirror", json_string(best->path));
            if (best->docs >= 0) {
                json_object_set_new(o, "documents", json_integer(best->docs));
                *docs += (unsigned long long)best->docs;
            }
            if (best->latency_ms >= 0)
                json_object_set_new(o, "latency_ms", json_real((double)(long)(best->latency_ms * 100) / 100.0));
        } else {
            json_object_set_new(o, "error", json_sprintf("%s: %s", err_class(&s->m[0]), s->m[0].err));
        }
        json_array_append_new(arr, o);
    }
    pthread_mutex_unlock(&lock);
    return arr;
}

/* A label value as Prometheus wants it (\ and " escaped). */
static void label(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

void shards_metrics(FILE *f)
{
    if (nshards < 2 && !any_remote)
        return;
    pthread_mutex_lock(&lock);
    fputs("# HELP medsearch_shard_up 1 when some mirror of the shard is up (breaker closed).\n"
          "# TYPE medsearch_shard_up gauge\n", f);
    for (size_t i = 0; i < nshards; i++) {
        int up = 0;
        for (size_t k = 0; k < shards[i].nm; k++)
            up |= shards[i].m[k].up;
        fputs("medsearch_shard_up{shard=\"", f);
        label(f, shards[i].name);
        fprintf(f, "\"} %d\n", up);
    }
    static const char *const names[] = { "medsearch_mirror_up", "medsearch_mirror_latency_seconds",
                                         "medsearch_mirror_documents", "medsearch_mirror_served_total",
                                         "medsearch_mirror_failures_total" };
    static const char *const help[] = {
        "1 when the mirror is up.", "Round trip of the prober's last reopen of the mirror.",
        "Documents of the mirror at the prober's last look.", "Requests served through the mirror.",
        "Times the mirror was marked down." };
    for (size_t n = 0; n < 5; n++) {
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", names[n], help[n], names[n], n >= 3 ? "counter" : "gauge");
        for (size_t i = 0; i < nshards; i++)
            for (size_t k = 0; k < shards[i].nm; k++) {
                const struct mirror *m = &shards[i].m[k];
                if ((n == 1 && m->latency_ms < 0) || (n == 2 && m->docs < 0))
                    continue;
                fprintf(f, "%s{shard=\"", names[n]);
                label(f, shards[i].name);
                fputs("\",mirror=\"", f);
                label(f, m->path);
                fputs("\"} ", f);
                switch (n) {
                case 0: fprintf(f, "%d\n", m->up); break;
                case 1: fprintf(f, "%.6f\n", m->latency_ms / 1000.0); break;
                case 2: fprintf(f, "%lld\n", m->docs); break;
                case 3: fprintf(f, "%llu\n", (unsigned long long)m->served); break;
                default: fprintf(f, "%llu\n", (unsigned long long)m->failures); break;
                }
            }
    }
    pthread_mutex_unlock(&lock);
}

/* ---- the prober -------------------------------------------------------------- */

/* Look at one mirror once: reopen (or open) its own handle and count its
 * documents; mark it up or down accordingly. Network I/O outside the lock. */
static void probe_one(size_t i, size_t k)
{
    struct mirror *m = &shards[i].m[k];
    pthread_mutex_lock(&lock);
    int up = m->up;
    double due = m->next_try;
    pthread_mutex_unlock(&lock);
    if (!m->hostport[0] && up)
        return; /* a local shard that opens is fine; requests report failures */
    double t0 = now_s();
    if (!up && t0 < due)
        return;
    xap_status st = XAP_OK;
    if (m->probe)
        st = xap_db_reopen(m->probe, NULL);
    else
        st = xap_db_open(m->path, XAP_DB_READONLY, &m->probe);
    uint32_t docs = 0;
    if (st == XAP_OK)
        st = xap_db_doccount(m->probe, &docs);
    double ms = (now_s() - t0) * 1000.0;
    if (st != XAP_OK) {
        char why[SHARD_ERR_LEN];
        snprintf(why, sizeof why, "%s", xap_errmsg());
        xap_db_close(m->probe);
        m->probe = NULL;
        pthread_mutex_lock(&lock);
        mark_down_locked(&shards[i], k, st, why);
        m->next_try = now_s() + probe_every_ms / 1000.0;
        pthread_mutex_unlock(&lock);
        return;
    }
    pthread_mutex_lock(&lock);
    m->latency_ms = ms;
    m->docs = docs;
    if (!m->up) {
        m->up = 1;
        m->err[0] = '\0';
        atomic_fetch_add(&generation, 1);
        log_info("shard %s: %s is back (%u documents)", shards[i].name, m->path, docs);
    }
    pthread_mutex_unlock(&lock);
}

static void probe_all(void *ud)
{
    (void)ud;
    for (size_t i = 0; i < nshards; i++)
        for (size_t k = 0; k < shards[i].nm; k++)
            probe_one(i, k);
}

int shards_start(void)
{
    if (!any_remote)
        return 0;
    prober.tick = probe_all;
    prober.every_ms = probe_every_ms;
    if (ticker_start(&prober) != 0) {
        log_err("cannot start the shard prober thread");
        return -1;
    }
    return 0;
}

void shards_stop(void)
{
    ticker_stop(&prober);
    /* The prober's own handles, now that it has stopped. */
    for (size_t i = 0; i < nshards; i++)
        for (size_t k = 0; k < shards[i].nm; k++) {
            xap_db_close(shards[i].m[k].probe);
            shards[i].m[k].probe = NULL;
        }
    for (size_t i = 0; i < nshards; i++) {
        for (size_t k = 0; k < shards[i].nm; k++)
            free(shards[i].m[k].path);
        free(shards[i].m);
        free(shards[i].name);
    }
    free(shards);
    shards = NULL;
    nshards = 0;
}
