/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shards: the databases searchd reads and what it knows of their health.
 *
 * Each entry of --db is a shard: a local index directory or a remote one
 * served by xapian-tcpsrv ("tcp:HOST:PORT"), possibly with mirrors that
 * hold the same documents ("tcp:h1:7001|tcp:h2:7001"). This module owns:
 *  - the circuit breaker: a mirror that failed (refused, timed out, hung
 *    up) is marked down and not asked again by requests; a background
 *    prober reconnects to it and marks it up when it answers;
 *  - mirror choice: the first mirror that is up, fastest first (latency
 *    as measured by the prober);
 *  - a generation number that changes whenever a mirror goes down or up,
 *    so each worker reopens its handle over the shards usable now;
 *  - per-shard state for /health, /metrics and the "shards" field of an
 *    answer that lacks some shard ("partial").
 * One mutex guards the small shared state; it is never held across
 * network I/O. */
#ifndef MEDSEARCH_SHARDS_H
#define MEDSEARCH_SHARDS_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "xap.h"

/* What one worker's handle was opened over: for each shard the mirror
 * used, or -1 when the shard was unavailable (then err says why). */
#define SHARD_ERR_LEN 160
struct shard_view {
    unsigned gen;           /* shards_generation() when opened */
    size_t n;               /* shards */
    int *mirror;            /* [n] */
    char (*err)[SHARD_ERR_LEN]; /* [n] */
};

/* Parse the --db entries (copied) into shards and mirrors. timeout_ms
 * bounds every wait on a remote shard (xap_set_remote_timeout); probe_ms
 * is how often the prober looks at each mirror. 0, or -1 with a reason in
 * err (a bad entry). Call once, before serving. */
int shards_init(const char *const *specs, size_t n, unsigned timeout_ms, unsigned probe_ms, char *err,
                size_t errlen);
/* Start / stop the background prober (no-op without a remote shard). */
int shards_start(void);
void shards_stop(void);

size_t shards_count(void);
/* 1 when some shard is remote: searchd then starts without every shard,
 * answers with what it has ("partial") and reports shard health. */
int shards_remote(void);
/* Changes whenever a mirror goes down or comes back. */
unsigned shards_generation(void);

/* Open the usable shards as one read-only database. A mirror that fails
 * to open is marked down and the next one tried; a shard with no usable
 * mirror is left out and recorded in *v. Fails (XAP_ERR_NETWORK, reason in
 * err) only when no shard at all can be opened. v is (re)filled. */
xap_status shards_open(xap_db **out /* OUT */, struct shard_view *v, char *err, size_t errlen);
void shards_view_free(struct shard_view *v);
/* Shards left out of v (0 = a complete answer). */
size_t shards_missing(const struct shard_view *v);
/* A request on v failed with a network error whose message is msg: mark
 * the mirror it names down (Xapian names it "remote:tcp(HOST:PORT)"), or,
 * when it names none, each remote mirror of v that does not answer a
 * fresh connection. Returns how many were marked down. */
int shards_fail(const struct shard_view *v, const char *msg);
/* A request was served over v (counted per mirror for /metrics). */
void shards_served(const struct shard_view *v);

/* {"total":N, "ok":K, "failed":[{"shard":"...", "error":"..."}]} for v. */
json_t *shards_answer(const struct shard_view *v);
/* Per shard, from the shared state (no network): [{"shard", "ok",
 * "mirror", "documents", "latency_ms", "error"}]; *ok = shards up,
 * *docs = their documents as last seen by the prober. */
json_t *shards_health(size_t *ok, unsigned long long *docs);
/* Prometheus lines: shard and mirror state, latency, documents, serves. */
void shards_metrics(FILE *f);

#endif
