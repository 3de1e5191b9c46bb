/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_request: searchd's request handling, from the bytes of a request
 * target to the JSON answer, through the real server over a real index.
 *
 * server.c answers through libmicrohttpd only (a reply is queued on the
 * MHD connection), so there is no socket-free entry point; instead the
 * target starts the real server once (worker_init, spell_init,
 * listen_unix, server_start: what searchd's main does) on a UNIX socket in a
 * temporary directory, over the index named by MEDSEARCH_FUZZ_DB, and
 * sends each input as one HTTP/1.1 request on a fresh connection. That
 * covers libmicrohttpd's parsing, precheck (method, size, body), routing,
 * query-string decoding (percent-encoding, '+', UTF-8, NUL, duplicates),
 * server_arg_*, every endpoint handler and the JSON reply.
 *
 * Input: byte 0 picks the method (mostly GET, some HEAD, a few others)
 * and whether a body is announced; the rest is the request target as
 * sent ("/search?q=heart+attack&limit=5").
 *
 * Checked: an answer arrives within 10 s; it is an HTTP/1.1 status line;
 * a JSON reply parses, and an error reply's "status" is the HTTP status;
 * no 500 (a handler that sent no reply, or an internal error) and no 503
 * (the index is there). */
#include "fuzz.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "tokenizer.h"
#include "xap.h"
#include "../../searchd/listen.h"
#include "../../searchd/server.h"
#include "../../searchd/spell.h"
#include "../../searchd/worker.h"

static char req_sock[108];
static char req_dir[64];
static struct server *req_srv;
static struct config req_cfg;

static void request_stop(void)
{
    server_stop(req_srv, 1);
    req_srv = NULL;
    listen_unix_cleanup();
    worker_shutdown();
    config_free(&req_cfg);
    rmdir(req_dir);
}

static int request_init(void)
{
    const char *db = getenv("MEDSEARCH_FUZZ_DB");
    char err[256];
    if (!db || !*db) {
        fprintf(stderr, "fuzz_request: set MEDSEARCH_FUZZ_DB to an index directory\n");
        return -1;
    }
    log_set_level(LOG_LEVEL_ERR);
    signal(SIGPIPE, SIG_IGN);
    if (config_init(&req_cfg) < 0 || config_set(&req_cfg, "searchd", "threads", "1", err, sizeof err) < 0 ||
        config_set(&req_cfg, "searchd", "connection_timeout_s", "10", err, sizeof err) < 0)
        return -1;
    const char *paths[1] = { db };
    if (worker_init(paths, 1, &req_cfg) < 0)
        return -1;
    uint32_t docs;
    if (worker_probe(err, sizeof err, &docs) < 0) {
        fprintf(stderr, "fuzz_request: %s\n", err);
        return -1;
    }
    if (req_cfg.ranking.spelling) {
        /* As searchd's main: the word lists of "did you mean" first. */
        struct tokenizer *tk = tokenizer_new();
        xap_stem *stem = NULL;
        xap_stem_new("en", &stem);
        spell_init(req_cfg.ranking.dictionaries, tk, stem);
        xap_stem_free(stem);
        tokenizer_free(tk);
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(req_dir, sizeof req_dir, "%s/msfuzz.XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(req_dir))
        return -1;
    snprintf(req_sock, sizeof req_sock, "%s/s", req_dir);
    int fd = listen_unix(req_sock, 0600, NULL);
    if (fd < 0)
        return -1;
    if (!(req_srv = server_start(&req_cfg, &fd, 1)))
        return -1;
    atexit(request_stop);
    return 0;
}

/* Send all of buf; 0 or -1. */
static int req_send(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1; /* the server closed early: it answered already */
        buf += w, len -= (size_t)w;
    }
    return 0;
}

/* Read until EOF into a malloc'd, NUL-terminated buffer. */
static char *req_recv(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        fuzz_fail("out of memory");
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        int r = poll(&p, 1, 10000);
        if (r == 0)
            fuzz_fail("no answer within 10 s");
        if (r < 0 && errno == EINTR)
            continue;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb)
                fuzz_fail("out of memory");
            buf = nb, cap *= 2;
        }
        ssize_t k = recv(fd, buf + n, cap - n, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && errno == ECONNRESET)
            break;
        if (k < 0)
            fuzz_fail("recv: %s", strerror(errno));
        if (k == 0)
            break;
        n += (size_t)k;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Does the target reach searchd's code? Bytes that cannot stand in a
 * request line make libmicrohttpd refuse the request itself. */
static int req_well_formed(const uint8_t *t, size_t n)
{
    if (n == 0 || t[0] != '/')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (t[i] <= 0x20 || t[i] == 0x7f)
            return 0;
    return 1;
}

static void req_check_reply(const char *method, const char *resp, size_t len, int well_formed)
{
    unsigned status = 0;
    if (len == 0) {
        if (well_formed && strlen(method) < 5)
            fuzz_fail("connection closed without an answer");
        return;
    }
    if (sscanf(resp, "HTTP/1.%*1[01] %3u", &status) != 1 || status < 100 || status > 599)
        fuzz_fail("not an HTTP status line: %.40s", resp);
    if (status == 500 || status == 503)
        fuzz_fail("status %u: %.300s", status, resp);
    const char *body = strstr(resp, "\r\n\r\n");
    if (!body)
        fuzz_fail("no end of headers in the answer");
    body += 4;
    const char *ctype = strcasestr(resp, "\r\nContent-Type: application/json");
    if (!ctype || ctype > body || strcmp(method, "HEAD") == 0)
        return;
    json_error_t jerr;
    json_t *j = json_loads(body, 0, &jerr);
    if (!j)
        fuzz_fail("status %u: the body is not JSON (%s): %.200s", status, jerr.text, body);
    if (!json_is_object(j))
        fuzz_fail("the JSON answer is not an object");
    json_t *e = json_object_get(j, "error");
    if (status >= 400) {
        if (!e || json_integer_value(json_object_get(e, "status")) != (json_int_t)status ||
            !json_is_string(json_object_get(e, "type")) || !json_is_string(json_object_get(e, "message")))
            fuzz_fail("status %u without a well-formed error object: %.200s", status, body);
    } else if (e) {
        fuzz_fail("status %u with an error object", status);
    }
    json_decref(j);
}

static void request_one(const uint8_t *data, size_t size)
{
    static const char *const methods[] = { "GET", "GET", "GET", "GET", "GET", "HEAD", "POST", "OPTIONS" };
    if (size < 1)
        return;
    const char *method = methods[data[0] & 7];
    int with_body = (data[0] & 0x18) == 0x18;
    data++, size--;

    static const char tail_plain[] = " HTTP/1.1\r\nHost: f\r\nConnection: close\r\n\r\n";
    static const char tail_body[] = " HTTP/1.1\r\nHost: f\r\nConnection: close\r\nContent-Length: 2\r\n\r\nab";
    const char *tail = with_body ? tail_body : tail_plain;
    size_t mlen = strlen(method), tlen = strlen(tail);
    char *req = malloc(mlen + 1 + size + tlen);
    if (!req)
        return;
    memcpy(req, method, mlen);
    req[mlen] = ' ';
    memcpy(req + mlen + 1, data, size);
    memcpy(req + mlen + 1 + size, tail, tlen);

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fuzz_fail("socket: %s", strerror(errno));
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    memcpy(sa.sun_path, req_sock, strlen(req_sock) + 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        fuzz_fail("connect %s: %s", req_sock, strerror(errno));
    req_send(fd, req, mlen + 1 + size + tlen);
    size_t rlen;
    char *resp = req_recv(fd, &rlen);
    close(fd);
    req_check_reply(method, resp, rlen, req_well_formed(data, size) && !with_body);
    free(resp);
    free(req);
}

FUZZ_TARGET(request)
