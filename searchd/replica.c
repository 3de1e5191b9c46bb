/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replica: the served commit, the master's, and the lag between them. */
#include "replica.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "schema.h"
#include "ticker.h"

static char *master;             /* NULL: no master configured */
static unsigned every_ms = 1000;

/* What the thread last saw of the master; guarded by lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int master_looked;        /* the thread has looked at least once */
static int master_up;
static struct replica_stamp master_stamp;
static char master_err[200];

static struct ticker ticker; /* looks at the master every every_ms */

static double unix_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void replica_stamp_read(xap_db *db, struct replica_stamp *out)
{
    memset(out, 0, sizeof *out);
    char *seq = NULL, *when = NULL;
    size_t sl = 0, wl = 0;
    if (db && xap_db_get_metadata(db, SCHEMA_META_COMMIT_SEQ, &seq, &sl) == XAP_OK && sl > 0 &&
        xap_db_get_metadata(db, SCHEMA_META_COMMIT_TIME, &when, &wl) == XAP_OK && wl > 0) {
        char *e1, *e2;
        errno = 0;
        unsigned long long s = strtoull(seq, &e1, 10);
        double t = strtod(when, &e2);
        if (errno == 0 && *e1 == '\0' && *e2 == '\0' && e1 != seq && e2 != when && t > 0) {
            out->known = 1;
            out->seq = s;
            out->time = t;
        }
    }
    free(seq);
    free(when);
}

void replica_lag(const struct replica_stamp *served, const struct replica_stamp *m, double now,
                 struct replica_lag *out)
{
    memset(out, 0, sizeof *out);
    if (!served->known || !m->known)
        return;
    out->behind_known = 1;
    /* Ahead happens: the master is read every probe interval, the replica
     * may have caught up since. */
    out->behind = m->seq > served->seq ? m->seq - served->seq : 0;
    if (out->behind)
        out->lag_s = now > served->time ? now - served->time : 0;
}

int replica_init(const char *path, unsigned probe_ms)
{
    if (probe_ms)
        every_ms = probe_ms;
    if (!path || !*path)
        return 0;
    return (master = strdup(path)) ? 0 : -1;
}

/* Read the master's stamp once (network or disk, outside the lock). */
static void look(void)
{
    xap_db *db = NULL;
    struct replica_stamp s = { 0 };
    xap_status st = xap_db_open(master, XAP_DB_READONLY, &db);
    if (st == XAP_OK)
        replica_stamp_read(db, &s);
    char why[sizeof master_err] = "";
    if (st != XAP_OK)
        snprintf(why, sizeof why, "%s", xap_errmsg());
    else if (!s.known)
        snprintf(why, sizeof why, "the master's index has no commit stamp (indexed before medsearch stamped "
                                  "commits; the next indexer run adds it)");
    xap_db_close(db);
    pthread_mutex_lock(&lock);
    int was_up = master_up, first = !master_looked;
    master_looked = 1;
    master_up = st == XAP_OK;
    master_stamp = s;
    snprintf(master_err, sizeof master_err, "%s", why);
    pthread_mutex_unlock(&lock);
    if (st != XAP_OK && (was_up || first))
        log_warn("replica: cannot read the master %s: %s", master, why);
    else if (st == XAP_OK && !was_up && !first)
        log_info("replica: the master %s answers again", master);
}

static void tick(void *ud)
{
    (void)ud;
    look();
}

int replica_start(void)
{
    if (!master)
        return 0;
    ticker.tick = tick;
    ticker.every_ms = every_ms;
    if (ticker_start(&ticker) != 0) {
        log_err("cannot start the replica thread (reads the master %s)", master);
        return -1;
    }
    return 0;
}

void replica_stop(void)
{
    ticker_stop(&ticker);
    free(master);
    master = NULL;
}

/* The master as last seen, under the lock. */
static void master_view(int *looked, int *up, struct replica_stamp *s, char *err, size_t errlen)
{
    pthread_mutex_lock(&lock);
    *looked = master_looked;
    *up = master_up;
    *s = master_stamp;
    snprintf(err, errlen, "%s", master_err);
    pthread_mutex_unlock(&lock);
}

void replica_metrics(FILE *f, xap_db *db)
{
    struct replica_stamp served;
    replica_stamp_read(db, &served);
    double now = unix_now();
    if (served.known)
        fprintf(f,
                "# HELP medsearch_index_commit_seq The indexer's commit counter of the served index.\n"
                "# TYPE medsearch_index_commit_seq gauge\n"
                "medsearch_index_commit_seq %llu\n"
                "# HELP medsearch_index_commit_time_seconds Unix time of the served commit.\n"
                "# TYPE medsearch_index_commit_time_seconds gauge\n"
                "medsearch_index_commit_time_seconds %.3f\n"
                "# HELP medsearch_index_age_seconds Seconds since the served commit was made.\n"
                "# TYPE medsearch_index_age_seconds gauge\n"
                "medsearch_index_age_seconds %.3f\n",
                served.seq, served.time, now > served.time ? now - served.time : 0.0);
    if (!master)
        return;
    int looked, up;
    struct replica_stamp m;
    char err[sizeof master_err];
    master_view(&looked, &up, &m, err, sizeof err);
    fprintf(f,
            "# HELP medsearch_replica_master_up 1 when the master's index ([index] master) was read at the last look.\n"
            "# TYPE medsearch_replica_master_up gauge\n"
            "medsearch_replica_master_up %d\n", up);
    struct replica_lag lag;
    replica_lag(&served, &m, now, &lag);
    if (!up || !lag.behind_known)
        return;
    fprintf(f,
            "# HELP medsearch_replica_master_commit_seq The master's newest commit counter at the last look.\n"
            "# TYPE medsearch_replica_master_commit_seq gauge\n"
            "medsearch_replica_master_commit_seq %llu\n"
            "# HELP medsearch_replica_behind_commits Commits of the master the served index lacks.\n"
            "# TYPE medsearch_replica_behind_commits gauge\n"
            "medsearch_replica_behind_commits %llu\n"
            "# HELP medsearch_replica_lag_seconds 0 when caught up, else the age of the served commit.\n"
            "# TYPE medsearch_replica_lag_seconds gauge\n"
            "medsearch_replica_lag_seconds %.3f\n",
            m.seq, lag.behind, lag.lag_s);
}

json_t *replica_health(xap_db *db)
{
    struct replica_stamp served;
    replica_stamp_read(db, &served);
    if (!served.known && !master)
        return NULL;
    double now = unix_now();
    json_t *o = json_object();
    if (served.known)
        json_object_set_new(o, "commit",
                            json_pack("{s:I, s:f, s:f}", "seq", (json_int_t)served.seq, "time", served.time,
                                      "age_s", now > served.time ? now - served.time : 0.0));
    if (master) {
        int looked, up;
        struct replica_stamp m;
        char err[sizeof master_err];
        master_view(&looked, &up, &m, err, sizeof err);
        json_t *r = json_pack("{s:s, s:b}", "master", master, "master_up", up);
        struct replica_lag lag;
        replica_lag(&served, &m, now, &lag);
        if (up && lag.behind_known) {
            json_object_set_new(r, "behind_commits", json_integer((json_int_t)lag.behind));
            json_object_set_new(r, "lag_s", json_real(lag.lag_s));
        }
        if (err[0])
            json_object_set_new(r, "error", json_string(err));
        else if (!looked)
            json_object_set_new(r, "error", json_string("not looked at yet"));
        json_object_set_new(o, "replica", r);
    }
    return o;
}
