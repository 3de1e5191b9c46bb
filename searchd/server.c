/* SPDX-License-Identifier: GPL-2.0-or-later */
/* server: libmicrohttpd daemons on our listening sockets, request checks,
 * query-string decoding, dispatch through the route table, replies. */
#include "server.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "assist.h"
#include "log.h"
#include "pool.h"
#include "utf8.h"
#include "shards.h"
#include "worker.h"

#define MAX_LISTENERS 8

struct arg {
    const char *name;
    const char *value;
    size_t len;
};

struct server_req {
    struct pool_job job;    /* queued for a worker thread (first member) */
    struct MHD_Connection *conn;
    struct server *srv;
    char *uri;              /* the raw request target, as sent */
    size_t uri_len;
    struct arg *args;
    size_t nargs;
    char *argbuf;           /* decoded names and values */
    int route;              /* index in server_routes, -1 = none */
    int started;            /* dispatched */
    int replied;
    unsigned status;
    struct MHD_Response *resp; /* the reply, until libmicrohttpd's thread
                                  queues it (flush) */
    struct worker *w;
    struct timespec t0;
    int used_db;            /* asked server_db: answers say which shards */
};

struct server {
    struct MHD_Daemon *d[MAX_LISTENERS];
    struct pool *pool;      /* the threads that run handlers */
    struct assist *assist;  /* helpers for a request's snippets (NULL: none) */
    int fds[MAX_LISTENERS];
    size_t n;
    atomic_int inflight;    /* requests between request line and completion */
    size_t max_request;     /* request line + headers, bytes */
    int access_log;
    /* Slow clients: libmicrohttpd's timeout counts idle time only, so a
     * client sending one byte a second would hold a connection forever.
     * Every connection is watched from its start (or the end of its last
     * request) until its headers are in; past request_deadline seconds the
     * watchdog shuts its socket down. */
    pthread_mutex_t watch_mu;
    struct conn_watch *watched;
    pthread_t watchdog;
    int watchdog_running;
    atomic_int stopping;
    double request_deadline;
};

struct conn_watch {
    int fd;
    struct timespec since;  /* connection start, or end of its last request */
    int busy;               /* headers in: the request is being answered */
    int cut;                /* already shut down */
    struct server_req *req; /* the request between on_uri and on_completed
                               (the connection's thread only) */
    struct conn_watch *prev, *next;
};

/* The request whose request line this thread is parsing, from on_uri to
 * on_request: libmicrohttpd parses the query's arguments right after
 * on_uri, and when they overflow the connection's memory pool (a few
 * hundred "&&&" are enough) 0.9.75 logs it, then neither answers nor
 * completes the request: the client would wait for the timeout. */
static _Thread_local struct server_req *parsing;

static struct timespec started_at;

static double since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

double server_uptime(void) { return since(&started_at); }
double server_elapsed(struct server_req *req) { return since(&req->t0); }
struct worker *server_worker(struct server_req *req) { return req->w; }
const struct config *server_config(struct server_req *req) { return worker_config(req->w); }

/* ---- query string ------------------------------------------------------- */

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode src[0..n) ('+' is a space) into dst, NUL-terminated. Returns the
 * decoded length, or -1 with *why set. */
static long decode(const char *src, size_t n, char *dst, const char **why)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval((unsigned char)src[i + 1]) : -1;
            int lo = i + 2 < n ? hexval((unsigned char)src[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                *why = "invalid percent-encoding";
                return -1;
            }
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == '\0') {
            *why = "contains a NUL byte";
            return -1;
        }
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
    if (!utf8_valid(dst, o)) {
        *why = "is not valid UTF-8";
        return -1;
    }
    return (long)o;
}

/* Split and decode the query string. Returns 0, or -1 after replying 400
 * (or 500 when out of memory). */
static int parse_args(struct server_req *req, const char *qs)
{
    size_t qlen = strlen(qs), cap = 1;
    for (size_t i = 0; i < qlen; i++)
        cap += qs[i] == '&';
    req->args = calloc(cap, sizeof *req->args);
    req->argbuf = malloc(qlen + 2 * cap);
    if (!req->args || !req->argbuf) {
        server_reply_error(req, 500, "internal", NULL, -1, "out of memory");
        return -1;
    }
    char *out = req->argbuf;
    const char *p = qs;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t seglen = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', seglen);
        size_t nlen = eq ? (size_t)(eq - p) : seglen;
        if (seglen > 0) {
            const char *why = NULL;
            char *name = out;
            long dn = decode(p, nlen, name, &why);
            if (dn < 0) {
                server_reply_error(req, 400, "bad_request", NULL, -1, "a parameter name %s", why);
                return -1;
            }
            out += dn + 1;
            char *value = out;
            long dv = eq ? decode(eq + 1, seglen - nlen - 1, value, &why) : (*value = '\0', 0);
            if (dv < 0) {
                server_reply_error(req, 400, "bad_request", name, -1, "parameter '%s' %s", name, why);
                return -1;
            }
            out += dv + 1;
            for (size_t i = 0; i < req->nargs; i++) {
                if (strcmp(req->args[i].name, name) == 0) {
                    server_reply_error(req, 400, "bad_request", name, -1, "parameter '%s' is given twice",
                                       name);
                    return -1;
                }
            }
            req->args[req->nargs++] = (struct arg){ name, value, (size_t)dv };
        }
        p += seglen + (amp ? 1 : 0);
    }
    return 0;
}

const char *server_arg_str(struct server_req *req, const char *name, size_t *len)
{
    if (len)
        *len = 0;
    for (size_t i = 0; i < req->nargs; i++) {
        if (strcmp(req->args[i].name, name) == 0) {
            if (len)
                *len = req->args[i].len;
            return req->args[i].value;
        }
    }
    return NULL;
}

int server_arg_int(struct server_req *req, const char *name, long def, long min, long max, long *out)
{
    *out = def;
    const char *v = server_arg_str(req, name, NULL);
    if (!v)
        return 0;
    const char *d = v + (*v == '-');
    if (*d == '\0' || strspn(d, "0123456789") != strlen(d) || strlen(d) > 18) {
        server_reply_error(req, 400, "bad_request", name, -1, "parameter '%s' must be an integer", name);
        return -1;
    }
    long long x = strtoll(v, NULL, 10);
    if (x < min) {
        server_reply_error(req, 400, "bad_request", name, -1, "parameter '%s' must be at least %ld", name, min);
        return -1;
    }
    if (x > max) {
        server_reply_error(req, 422, "limit", name, max, "parameter '%s' must be at most %ld", name, max);
        return -1;
    }
    *out = (long)x;
    return 0;
}

/* ---- replies ------------------------------------------------------------ */

/* The request target for a log line: printable ASCII, capped. */
static void loggable(const char *s, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
    }
    if (o + 5 >= cap && cap > 4)
        memcpy(buf + cap - 4, "...", 3), o = cap - 1;
    buf[o] = '\0';
}

static int queue(struct server_req *req, unsigned status, struct MHD_Response *resp, const char *ctype,
                 size_t len)
{
    if (!resp) {
        log_err("cannot create a response (out of memory)");
        return -1;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (status == 405)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    /* Handlers run on a pool thread while the connection is suspended;
     * libmicrohttpd's own thread queues the reply (flush). */
    req->resp = resp;
    req->replied = 1;
    req->status = status;
    double took = since(&req->t0);
    if (server_reply_observer)
        server_reply_observer(req->route, status, took);
    if (req->srv->access_log) {
        char target[512];
        loggable(req->uri, req->uri_len, target, sizeof target);
        log_info("access: %s %u %zuB %.2fms", target, status, len, took * 1e3);
    }
    return 0;
}

int server_reply_text(struct server_req *req, unsigned status, const char *ctype, const char *text, size_t len)
{
    if (req->replied) {
        log_warn("a second reply to one request (status %u) was dropped", status);
        return -1;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    return queue(req, status, resp, ctype, len);
}

/* Where the top-level member `"key":null` of the compact JSON text t
 * starts (at its key's quote), or NULL. Strings are skipped, so no
 * value's text can be taken for it. */
static char *top_member(char *t, const char *key)
{
    size_t kl = strlen(key);
    int depth = 0;
    for (char *p = t; *p; p++) {
        if (*p == '"') {
            if (depth == 1 && strncmp(p + 1, key, kl) == 0 && strncmp(p + 1 + kl, "\":null", 6) == 0 &&
                (p[-1] == '{' || p[-1] == ','))
                return p;
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (!*p)
                return NULL;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            depth--;
        }
    }
    return NULL;
}

int server_reply_json_splice(struct server_req *req, unsigned status, json_t *body, const char *key,
                             const char *items)
{
    if (req->replied) {
        log_warn("a second reply to one request (status %u) was dropped", status);
        json_decref(body);
        return -1;
    }
    const struct shard_view *v = req->used_db && req->w ? worker_view(req->w) : NULL;
    if (v && status == 200 && json_is_object(body)) {
        /* Over shards every answer says whether each was heard from. */
        json_object_set_new(body, "partial", json_boolean(shards_missing(v) > 0));
        json_object_set_new(body, "shards", shards_answer(v));
        shards_served(v);
    }
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(body);
    char *at = text && key ? top_member(text, key) : NULL;
    if (text && key && (!items || !at)) {
        free(text);
        text = NULL;
    }
    size_t len = text ? strlen(text) : 0;
    if (at) {
        /* "key":null -> "key":[items] */
        size_t head = (size_t)(at - text) + strlen(key) + 3, tail = len - head - 4, il = strlen(items);
        char *joined = malloc(head + il + 2 + tail + 2);
        if (joined) {
            memcpy(joined, text, head);
            joined[head] = '[';
            memcpy(joined + head + 1, items, il);
            joined[head + 1 + il] = ']';
            memcpy(joined + head + 2 + il, text + head + 4, tail + 1);
            len = head + il + 2 + tail;
        }
        free(text);
        text = joined;
    }
    if (!text) {
        log_err("cannot serialize a JSON reply");
        static const char oom[] =
            "{\"error\":{\"status\":500,\"type\":\"internal\",\"message\":\"cannot build the reply\"}}\n";
        return server_reply_text(req, 500, "application/json; charset=utf-8", oom, sizeof oom - 1);
    }
    /* A newline after the JSON reads better in a terminal (curl). */
    char *nl = realloc(text, len + 2);
    if (nl) {
        text = nl;
        text[len++] = '\n';
        text[len] = '\0';
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp)
        free(text);
    return queue(req, status, resp, "application/json; charset=utf-8", len);
}

int server_reply_json(struct server_req *req, unsigned status, json_t *body)
{
    return server_reply_json_splice(req, status, body, NULL, NULL);
}

int server_reply_error(struct server_req *req, unsigned status, const char *type, const char *param,
                       long long limit, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *m = json_string(msg);
    if (!m)
        m = json_string("(message is not valid UTF-8)");
    json_t *err = json_pack("{s:i, s:s, s:o}", "status", (int)status, "type", type, "message", m);
    if (err && param)
        json_object_set_new(err, "param", json_string(param));
    if (err && limit >= 0)
        json_object_set_new(err, "limit", json_integer(limit));
    return server_reply_json(req, status, err ? json_pack("{s:o}", "error", err) : NULL);
}

xap_db *server_db(struct server_req *req)
{
    xap_db *db;
    req->used_db = 1;
    if (worker_db(req->w, &db) != XAP_OK) {
        server_reply_error(req, 503, "unavailable", NULL, -1, "index unavailable: %s", worker_error(req->w));
        return NULL;
    }
    const struct shard_view *v = worker_view(req->w);
    if (v && shards_missing(v) && !worker_config(req->w)->searchd.allow_partial) {
        json_t *err = json_pack("{s:i, s:s, s:s, s:o}", "status", 503, "type", "unavailable", "message",
                                "a shard is unavailable and allow_partial is off", "shards", shards_answer(v));
        server_reply_json(req, 503, err ? json_pack("{s:o}", "error", err) : NULL);
        return NULL;
    }
    return db;
}

/* ---- libmicrohttpd callbacks -------------------------------------------- */

static struct conn_watch *watch_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void req_free(struct server *s, struct server_req *req)
{
    if (!req)
        return;
    if (parsing == req)
        parsing = NULL;
    if (req->resp)
        MHD_destroy_response(req->resp);
    free(req->uri);
    free(req->args);
    free(req->argbuf);
    free(req);
    atomic_fetch_sub(&s->inflight, 1);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct server *s = cls;
    struct server_req *req = calloc(1, sizeof *req);
    if (!req)
        return NULL;
    req->uri_len = strlen(uri);
    req->uri = strdup(uri);
    if (!req->uri) {
        free(req);
        return NULL;
    }
    req->conn = conn;
    req->srv = s;
    req->route = -1;
    clock_gettime(CLOCK_MONOTONIC, &req->t0);
    atomic_fetch_add(&s->inflight, 1);
    struct conn_watch *cw = watch_of(conn);
    if (cw) {
        req_free(s, cw->req); /* one libmicrohttpd forgot to complete */
        cw->req = req;
    }
    parsing = req;
    return req;
}

/* The arguments of the request being parsed overflowed libmicrohttpd's
 * pool (see `parsing`): answer 414 on the socket ourselves (nothing of
 * this request was sent yet) and shut it down, so that libmicrohttpd
 * closes the connection at once (on_connection then frees req). */
static void refuse_overflow(struct server_req *req)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct conn_watch *cw = watch_of(req->conn);
    if (!ci || (cw && cw->cut))
        return;
    static const char body[] = "{\"error\": {\"status\": 414, \"type\": \"limit\", \"message\": "
                               "\"the request has too many query arguments\"}}\n";
    char resp[512];
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 414 URI Too Long\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     sizeof body - 1, body);
    ssize_t w = send(ci->connect_fd, resp, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)w; /* a client that cannot take 200 bytes just sees the close */
    shutdown(ci->connect_fd, SHUT_RDWR);
    if (cw)
        cw->cut = 1;
    req->status = 414;
}

static void watch_set_busy(struct server *s, struct MHD_Connection *conn, int busy)
{
    struct conn_watch *cw = watch_of(conn);
    if (!cw)
        return;
    pthread_mutex_lock(&s->watch_mu);
    cw->busy = busy;
    clock_gettime(CLOCK_MONOTONIC, &cw->since);
    pthread_mutex_unlock(&s->watch_mu);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        struct conn_watch *cw = calloc(1, sizeof *cw);
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!cw || !ci) {
            free(cw);
            *socket_context = NULL;
            return;
        }
        cw->fd = ci->connect_fd;
        clock_gettime(CLOCK_MONOTONIC, &cw->since);
        pthread_mutex_lock(&s->watch_mu);
        cw->next = s->watched;
        if (s->watched)
            s->watched->prev = cw;
        s->watched = cw;
        pthread_mutex_unlock(&s->watch_mu);
        *socket_context = cw;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        /* Called before libmicrohttpd closes the descriptor: once unlinked
         * here, the watchdog can never touch a reused descriptor. */
        struct conn_watch *cw = *socket_context;
        if (!cw)
            return;
        req_free(s, cw->req); /* a request libmicrohttpd never completed */
        cw->req = NULL;
        pthread_mutex_lock(&s->watch_mu);
        if (cw->prev)
            cw->prev->next = cw->next;
        else
            s->watched = cw->next;
        if (cw->next)
            cw->next->prev = cw->prev;
        pthread_mutex_unlock(&s->watch_mu);
        free(cw);
        *socket_context = NULL;
    }
}

static void *watchdog_main(void *arg)
{
    struct server *s = arg;
    while (!atomic_load(&s->stopping)) {
        nanosleep(&(struct timespec){ 0, 250 * 1000 * 1000 }, NULL);
        pthread_mutex_lock(&s->watch_mu);
        for (struct conn_watch *cw = s->watched; cw; cw = cw->next)
            if (!cw->busy && !cw->cut && since(&cw->since) > s->request_deadline) {
                /* shutdown, not close: libmicrohttpd still owns the fd and
                 * sees the end of the connection on its next poll. */
                shutdown(cw->fd, SHUT_RDWR);
                cw->cut = 1;
            }
        pthread_mutex_unlock(&s->watch_mu);
    }
    return NULL;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    struct server *s = cls;
    watch_set_busy(s, conn, 0);
    struct server_req *req = *con_cls;
    if (!req)
        return;
    *con_cls = NULL;
    struct conn_watch *cw = watch_of(conn);
    if (cw && cw->req == req)
        cw->req = NULL;
    req_free(s, req);
}

static enum MHD_Result sum_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    size_t *sum = cls;
    *sum += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

static int find_route(const char *path, size_t n)
{
    for (int i = 0; server_routes[i].path; i++)
        if (strlen(server_routes[i].path) == n && memcmp(server_routes[i].path, path, n) == 0)
            return i;
    return -1;
}

/* Method, size and body: replies at once when the request is refused. */
static void precheck(struct server_req *req, const char *method)
{
    const char *qmark = strchr(req->uri, '?');
    size_t plen = qmark ? (size_t)(qmark - req->uri) : req->uri_len;
    req->route = find_route(req->uri, plen);

    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        server_reply_error(req, 405, "method", NULL, -1, "method %s is not allowed (GET, HEAD)",
                           strlen(method) < 32 && utf8_valid(method, strlen(method))
                               ? method : "?");
        return;
    }
    size_t size = req->uri_len + strlen(method) + 12;
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, sum_header, &size);
    if (size > req->srv->max_request) {
        server_reply_error(req, 413, "limit", NULL, (long long)req->srv->max_request,
                           "request line and headers are %zu bytes, more than max_request_bytes", size);
        return;
    }
    const char *clen = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if ((clen && strcmp(clen, "0") != 0) ||
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
        server_reply_error(req, 400, "bad_request", NULL, -1, "a %s request must not have a body", method);
        return;
    }
}

unsigned server_queued(struct server_req *req) { return pool_queued(req->srv->pool); }

struct assist *server_assist(struct server_req *req)
{
    /* An idle worker: a core this request may borrow. */
    return req->srv->assist && pool_idle(req->srv->pool) > 0 ? req->srv->assist : NULL;
}

/* Route, parameters, handler. */
static void dispatch(struct server_req *req)
{
    const char *qmark = strchr(req->uri, '?');
    size_t plen = qmark ? (size_t)(qmark - req->uri) : req->uri_len;
    if (req->route < 0) {
        char shown[128];
        loggable(req->uri, plen, shown, sizeof shown);
        server_reply_error(req, 404, "not_found", NULL, -1, "no endpoint %s", shown);
        return;
    }
    if (qmark && parse_args(req, qmark + 1) < 0)
        return;
    if (!(req->w = worker_begin())) {
        server_reply_error(req, 500, "internal", NULL, -1, "out of memory");
        return;
    }
    xap_work_reset(); /* this request's Xapian work, for /metrics */
    server_routes[req->route].handler(req);
    if (!req->replied) {
        log_err("endpoint %s sent no reply", server_routes[req->route].name);
        server_reply_error(req, 500, "internal", NULL, -1, "the endpoint sent no reply");
    }
}

/* A pool thread answers the request (run_request), then hands the
 * connection back to libmicrohttpd (resume_request), which calls
 * on_request again to send the reply. req belongs to libmicrohttpd's
 * thread again from the resume on. */
static struct server_req *job_req(struct pool_job *job)
{
    return (struct server_req *)((char *)job - offsetof(struct server_req, job));
}

static void run_request(struct pool_job *job, int cancelled)
{
    struct server_req *req = job_req(job);
    if (cancelled)
        server_reply_error(req, 503, "unavailable", NULL, -1, "searchd is shutting down");
    else
        dispatch(req);
}

static void resume_request(struct pool_job *job) { MHD_resume_connection(job_req(job)->conn); }

/* Queue the reply a handler or a check made (on libmicrohttpd's thread). */
static enum MHD_Result flush(struct server_req *req)
{
    struct MHD_Response *resp = req->resp;
    req->resp = NULL;
    enum MHD_Result r = MHD_queue_response(req->conn, req->status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    (void)upload_data;
    struct server_req *req = *con_cls;
    if (!req)
        return MHD_NO; /* out of memory in on_uri: drop the connection */
    if (parsing == req)
        parsing = NULL; /* its arguments are parsed */
    if (req->resp)
        return flush(req); /* a refusal below, or back from the pool */
    if (req->replied) {
        /* A body arrives after we answered: discard it. */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!req->started) {
        /* Headers are in. A request that must fail fails now (its body, if
         * any, is never read and the connection closes after the reply);
         * a good one is answered on the next call, once libmicrohttpd
         * knows the request is complete, so keep-alive is kept. */
        req->started = 1;
        clock_gettime(CLOCK_MONOTONIC, &req->t0);
        watch_set_busy(req->srv, conn, 1);
        precheck(req, method);
        return req->resp ? flush(req) : MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* not reached: a body was refused above */
        return MHD_YES;
    }
    /* Complete: a free pool thread answers it (pool.h says why not this
     * thread). A suspended connection is neither read nor timed out. */
    req->job.run = run_request;
    req->job.done = resume_request;
    MHD_suspend_connection(conn);
    pool_submit(req->srv->pool, &req->job);
    return MHD_YES;
}

/* libmicrohttpd's own messages (accept failures when out of descriptors,
 * for example), at most one a second so a storm cannot flood the log. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (parsing && strncmp(fmt, "Not enough memory in pool", 25) == 0) {
        refuse_overflow(parsing);
        parsing = NULL;
    }
    static atomic_long last;
    static atomic_long dropped;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long prev = atomic_load(&last);
    if (now.tv_sec == prev || !atomic_compare_exchange_strong(&last, &prev, (long)now.tv_sec)) {
        atomic_fetch_add(&dropped, 1);
        return;
    }
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n')
        msg[--n] = '\0';
    long d = atomic_exchange(&dropped, 0);
    if (d > 0)
        log_warn("libmicrohttpd: %s (%ld similar messages dropped)", msg, d);
    else
        log_warn("libmicrohttpd: %s", msg);
}

/* ---- life cycle --------------------------------------------------------- */

struct server *server_start(const struct config *cfg, const int *fds, size_t nfds)
{
    clock_gettime(CLOCK_MONOTONIC, &started_at);
    if (nfds == 0 || nfds > MAX_LISTENERS) {
        log_err("server_start: %zu listening sockets (1 to %d)", nfds, MAX_LISTENERS);
        return NULL;
    }
    struct server *s = calloc(1, sizeof *s);
    if (!s) {
        log_err("server_start: out of memory");
        return NULL;
    }
    s->max_request = (size_t)cfg->searchd.max_request_bytes;
    s->access_log = cfg->searchd.access_log;
    atomic_init(&s->inflight, 0);
    atomic_init(&s->stopping, 0);
    pthread_mutex_init(&s->watch_mu, NULL);
    s->request_deadline = cfg->searchd.connection_timeout_s > 0 ? cfg->searchd.connection_timeout_s : 10;
    unsigned threads = (unsigned)cfg->searchd.threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    /* The connection's memory pool holds the request and our response
     * headers; we check the request's size ourselves, so give room. */
    size_t mempool = 2 * s->max_request + 8192;
    if (!(s->pool = pool_start(threads))) {
        server_stop(s, 0);
        return NULL;
    }
    int helpers = cfg->searchd.helper_threads;
    if (helpers < 0)
        helpers = pool_threads(s->pool) >= 2;
    s->assist = assist_start((unsigned)helpers);
    /* One libmicrohttpd thread per listening socket reads and writes every
     * connection; the pool's threads answer the requests. */
    for (size_t i = 0; i < nfds; i++) {
        s->fds[i] = fds[i];
        s->d[i] = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                                       MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
                                   0, NULL, NULL, on_request, s,
            MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
            MHD_OPTION_LISTEN_SOCKET, fds[i],
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->searchd.connection_timeout_s,
            MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->searchd.max_connections,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, mempool,
            MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
            MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
            MHD_OPTION_END);
        if (!s->d[i]) {
            log_err("cannot start the HTTP server on listening socket %d", fds[i]);
            s->n = i;
            server_stop(s, 0);
            return NULL;
        }
        s->n = i + 1;
    }
    if (pthread_create(&s->watchdog, NULL, watchdog_main, s) == 0)
        s->watchdog_running = 1;
    else
        log_warn("no watchdog thread: slow clients are cut off only when idle");
    log_info("serving with %u worker threads (%d helper), at most %d connections per listener",
             pool_threads(s->pool), helpers, cfg->searchd.max_connections);
    return s;
}

void server_stop(struct server *s, double grace)
{
    if (!s)
        return;
    /* Stop accepting first, so nothing new starts while we drain. The
     * pool threads drop the listening socket from their epoll sets
     * asynchronously, so it is closed only once they are gone. */
    MHD_socket quiesced[MAX_LISTENERS];
    for (size_t i = 0; i < s->n; i++)
        quiesced[i] = MHD_quiesce_daemon(s->d[i]);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (atomic_load(&s->inflight) > 0 && since(&t0) < grace)
        nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
    if (atomic_load(&s->inflight) > 0)
        log_warn("stopping with %d requests still in flight", atomic_load(&s->inflight));
    atomic_store(&s->stopping, 1);
    if (s->watchdog_running)
        pthread_join(s->watchdog, NULL);
    /* Requests still queued get a 503, running ones finish; all resume
     * their connections, which libmicrohttpd must not hold suspended when
     * it stops. */
    pool_stop(s->pool);
    for (size_t i = 0; i < s->n; i++) {
        MHD_stop_daemon(s->d[i]);
        if (quiesced[i] != MHD_INVALID_SOCKET)
            close(quiesced[i]);
    }
    pool_free(s->pool);
    assist_stop(s->assist); /* no worker runs a request any more */
    pthread_mutex_destroy(&s->watch_mu);
    free(s);
}
