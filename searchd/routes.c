/* SPDX-License-Identifier: GPL-2.0-or-later */
/* routes: every endpoint of searchd, one line each (see server.h). */
#include "server.h"

#include "doc.h"
#include "health.h"
#include "metrics.h"
#include "related.h"
#include "search.h"
#include "suggest.h"

const struct server_route server_routes[] = {
    { "/health",  "health",  health_handle },
    { "/metrics", "metrics", metrics_handle },
    { "/search",  "search",  search_handle },
    { "/related", "related", related_handle },
    { "/doc",     "doc",     doc_handle },
    { "/suggest", "suggest", suggest_handle },
    { NULL, NULL, NULL }
};

const server_observer server_reply_observer = metrics_observe;
