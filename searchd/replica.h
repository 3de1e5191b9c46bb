/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replica: which commit searchd serves and, on a read replica, how far it
 * is behind its master.
 *
 * The indexer stamps every commit with a counter and its unix time
 * (schema.h, SCHEMA_META_COMMIT_*); Xapian replication copies the stamp
 * with the data, so the index a replica serves says which commit of the
 * master it is. [index] master names the master's index (a directory, or
 * tcp:HOST:PORT served by xapian-tcpsrv on the indexing host): a
 * background thread reads the master's stamp every [searchd]
 * shard_probe_ms, never a request, so a master that hangs or is gone
 * cannot hang /metrics or /health.
 *
 * What is known:
 *  - always (a stamped index): the served commit and its age, now minus
 *    its commit time (on a master, or a replica that cannot see its
 *    master, that is all there is: how old the data is);
 *  - with a master in sight: commits behind (master's counter minus the
 *    served one), and lag in seconds: 0 when caught up, else the age of
 *    the served commit, which is how long the replica has been missing a
 *    newer one at most (the real wait lies between that and the age of
 *    the master's newest commit).
 * Only for one local index (a replica's searchd reads one directory). */
#ifndef MEDSEARCH_REPLICA_H
#define MEDSEARCH_REPLICA_H

#include <stdio.h>

#include <jansson.h>

#include "xap.h"

/* A commit's stamp as stored in an index. */
struct replica_stamp {
    int known;              /* 0: the index has no stamp (built before stamps) */
    unsigned long long seq; /* SCHEMA_META_COMMIT_SEQ */
    double time;            /* SCHEMA_META_COMMIT_TIME, unix seconds */
};

/* Read db's stamp; out->known = 0 when it has none or it cannot be read. */
void replica_stamp_read(xap_db *db, struct replica_stamp *out /* OUT */);

/* How the served commit stands against the master's. */
struct replica_lag {
    int behind_known;            /* both stamps known */
    unsigned long long behind;   /* master seq - served seq, 0 when ahead or equal */
    double lag_s;                /* 0 when caught up, else now - served time */
};
/* Pure: compare served with master at time now (unix seconds). */
void replica_lag(const struct replica_stamp *served, const struct replica_stamp *master, double now,
                 struct replica_lag *out /* OUT */);

/* Set the master ("" or NULL: none; copied) and how often to read it.
 * Call once, before replica_start. 0, or -1 when out of memory. */
int replica_init(const char *master, unsigned probe_ms);
/* Start / stop the thread that reads the master (no-op without one). */
int replica_start(void);
void replica_stop(void);

/* Prometheus gauges for the served index db (a current handle of one
 * local index; NULL: none, only the master's state is written). */
void replica_metrics(FILE *f, xap_db *db);
/* For /health: {"commit": {"seq", "time", "age_s"}, "replica": {"master",
 * "master_up", "behind_commits", "lag_s", "error"}}, each part only when
 * known; NULL when there is nothing to say (no stamp, no master). */
json_t *replica_health(xap_db *db);

#endif
