/* SPDX-License-Identifier: GPL-2.0-or-later */
/* server: HTTP over libmicrohttpd, the route table, and the small API an
 * endpoint handler is written against.
 *
 * Writing an endpoint
 *   1. void foo_handle(struct server_req *req) in searchd/foo.c, declared
 *      in searchd/foo.h;
 *   2. one line in searchd/routes.c: { "/foo", "foo", foo_handle }.
 * The server has already checked the method (GET/HEAD), the request size,
 * that there is no body, and that every query parameter is well formed
 * (strict percent-decoding, valid UTF-8, no NUL, no duplicates: else 400
 * naming the parameter). A handler reads parameters with server_arg_*,
 * gets its database with server_db (503 already sent when NULL) and must
 * send exactly ONE reply with server_reply_*; if it sends none, the client
 * gets a 500. Everything a handler gets from this API stays valid until it
 * returns. Handlers run concurrently on the worker threads (pool.h), never
 * on libmicrohttpd's; each thread has its own database handle and
 * tokenizer (worker.h), so no locking.
 */
#ifndef MEDSEARCH_SERVER_H
#define MEDSEARCH_SERVER_H

#include <jansson.h>
#include <stddef.h>

#include "config.h"
#include "xap.h"

struct server_req;
struct worker;

typedef void (*server_handler)(struct server_req *req);

struct server_route {
    const char *path;   /* exact path, e.g. "/search" */
    const char *name;   /* endpoint label in /metrics and the access log */
    server_handler handler;
};
/* routes.c: the table, ended by { NULL, NULL, NULL }. */
extern const struct server_route server_routes[];

/* Told of every reply: route = index in server_routes (-1: none), its HTTP
 * status and the seconds it took. routes.c names it (metrics_observe), as
 * it names the handlers, so server.c knows no endpoint module and
 * metrics.c depends on server.c, not the other way round. */
typedef void (*server_observer)(int route, unsigned status, double seconds);
extern const server_observer server_reply_observer;

/* ---- for handlers: parameters ---------------------------------------------- */

/* The decoded value of query parameter `name` (valid UTF-8, no NUL), or
 * NULL when absent. "q=" gives "". *len (may be NULL) gets its length. */
const char *server_arg_str(struct server_req *req, const char *name, size_t *len /* OUT */);

/* Integer parameter: def when absent; must be a decimal integer
 * (else 400 bad_request), >= min (else 400), <= max (else 422 limit with
 * "limit": max). Returns 0 with *out set, or -1 when the error reply has
 * been sent (the handler then just returns). */
int server_arg_int(struct server_req *req, const char *name, long def, long min, long max,
                   long *out /* OUT */);

/* ---- for handlers: context -------------------------------------------------- */

/* This request's configuration snapshot (limits, ranking); never NULL. */
const struct config *server_config(struct server_req *req);
/* This thread's worker (database, tokenizer, retry helper: worker.h). */
struct worker *server_worker(struct server_req *req);
/* The current database, or NULL after a 503 "unavailable" reply was sent. */
xap_db *server_db(struct server_req *req);
/* Seconds since this request reached its handler. */
double server_elapsed(struct server_req *req);
/* Requests waiting for a free worker thread now (for /metrics). */
unsigned server_queued(struct server_req *req);
/* The helper threads for this request's snippets (assist.h), or NULL when
 * there are none or no worker thread is idle now (every core has a
 * request of its own). */
struct assist;
struct assist *server_assist(struct server_req *req);
/* Seconds since searchd started. */
double server_uptime(void);

/* ---- for handlers: replies (exactly one per request) ---------------------- */

/* Send `body` as JSON (application/json; charset=utf-8). Takes the
 * reference to body (it is decref'd, also on failure). 0, or -1 when a
 * reply was already sent or it could not be queued. */
int server_reply_json(struct server_req *req, unsigned status, json_t *body);
/* The same, with the top-level member `key` of body (set to JSON null as
 * a placeholder) written as the array of `items`: JSON text already
 * written (jsonw.h), comma-separated. Answers 500 when either is missing
 * (items NULL: out of memory). */
int server_reply_json_splice(struct server_req *req, unsigned status, json_t *body, const char *key,
                             const char *items);

/* Send the error object of docs/protocol.md:
 *   {"error": {"status": S, "type": TYPE, "message": "...", "param": P, "limit": L}}
 * type: "bad_request", "limit", "not_found", "method", "unavailable",
 * "internal", "timeout". param may be NULL and limit < 0 to leave them out. */
int server_reply_error(struct server_req *req, unsigned status, const char *type, const char *param,
                       long long limit, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Send text (copied) with the given content type. */
int server_reply_text(struct server_req *req, unsigned status, const char *content_type, const char *text,
                      size_t len);

/* ---- for main -------------------------------------------------------------- */

struct server;

/* Serve on the listening sockets fds[0..nfds) (one HTTP daemon each) with
 * cfg's threads, connection limit, timeout and request size (these need a
 * restart to change). Returns NULL after logging why. */
struct server *server_start(const struct config *cfg, const int *fds, size_t nfds);
/* SIGTERM: stop accepting (the listening sockets are closed), wait up to
 * `grace` seconds for requests in flight, then stop every thread. */
void server_stop(struct server *s, double grace);

#endif
