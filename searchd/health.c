/* SPDX-License-Identifier: GPL-2.0-or-later */
/* health: GET /health. */
#include "health.h"

#include <jansson.h>

#include "replica.h"
#include "server.h"
#include "shards.h"
#include "xap.h"

/* Over remote shards /health asks no shard: it answers from what the
 * prober last saw, so it keeps answering while a shard hangs. 200 with
 * "degraded" while some shard is down, 503 when none is up. */
static void health_shards(struct server_req *req)
{
    size_t ok;
    unsigned long long docs;
    json_t *list = shards_health(&ok, &docs);
    size_t n = shards_count();
    const char *status = ok == n ? "ok" : ok ? "degraded" : "unavailable";
    server_reply_json(req, ok ? 200 : 503,
                      json_pack("{s:s, s:I, s:I, s:I, s:o, s:f}", "status", status, "documents", (json_int_t)docs,
                                "shards_total", (json_int_t)n, "shards_ok", (json_int_t)ok, "shards", list,
                                "uptime_s", server_uptime()));
}

void health_handle(struct server_req *req)
{
    if (shards_remote()) {
        health_shards(req);
        return;
    }
    xap_db *db = server_db(req);
    if (!db)
        return;
    uint32_t docs;
    uint64_t rev;
    if (xap_db_doccount(db, &docs) != XAP_OK || xap_db_revision(db, &rev) != XAP_OK) {
        server_reply_error(req, 503, "unavailable", NULL, -1, "index unreadable: %s", xap_errmsg());
        return;
    }
    json_t *body = json_pack("{s:s, s:I, s:I, s:f}", "status", "ok", "documents", (json_int_t)docs, "revision",
                             (json_int_t)rev, "uptime_s", server_uptime());
    /* The served commit and, on a replica, its lag (one local index). */
    json_t *rep = shards_count() == 1 ? replica_health(db) : NULL;
    if (rep && body)
        json_object_update(body, rep);
    json_decref(rep);
    server_reply_json(req, 200, body);
}
