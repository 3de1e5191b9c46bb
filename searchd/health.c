/* SPDX-License-Identifier: GPL-2.0-or-later */
/* health: GET /health. */
#include "health.h"

#include <jansson.h>

#include "server.h"
#include "xap.h"

void health_handle(struct server_req *req)
{
    xap_db *db = server_db(req);
    if (!db)
        return;
    uint32_t docs;
    uint64_t rev;
    if (xap_db_doccount(db, &docs) != XAP_OK || xap_db_revision(db, &rev) != XAP_OK) {
        server_reply_error(req, 503, "unavailable", NULL, -1, "index unreadable: %s", xap_errmsg());
        return;
    }
    server_reply_json(req, 200, json_pack("{s:s, s:I, s:I, s:f}", "status", "ok", "documents", (json_int_t)docs,
                                          "revision", (json_int_t)rev, "uptime_s", server_uptime()));
}
