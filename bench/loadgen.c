/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loadgen: a closed-loop HTTP/1.1 load generator for searchd.
 *
 *   loadgen (--socket PATH | --tcp HOST:PORT) (--queries FILE | --paths FILE)
 *           [-c CONNS] [--threads T] [--count N] [--duration S] [--json] ...
 *
 * CONNS keep-alive connections each send one GET, wait for the whole
 * answer, and send the next (closed loop), until --count requests have
 * been issued or --duration seconds have passed. The requests come from a
 * file: `qid<TAB>text` lines become --template (default
 * /search?q=%s&limit=10) with the text percent-encoded, or, with --paths,
 * each line is a request path sent as it is. Reports throughput, latency
 * percentiles (p50/p95/p99/max, from a log-linear histogram: under 1 %
 * error; max and mean exact), answers by HTTP status and transport errors.
 * Exit status: 0 when every request got a 2xx, 1 when some failed, 2 on a
 * usage or set-up error.
 *
 * Why a hand-written client rather than libcurl's multi interface: the
 * tool measures the server, so the client must add as little and as
 * predictable work as possible (searchd shares the machine) and must keep
 * exactly CONNS connections open, reconnecting only when the server
 * closes one. libcurl's connection cache and its per-transfer set-up
 * make both harder to see and to guarantee, and it folds the transport
 * failures we want to tell apart (refused, reset, early EOF, timeout,
 * malformed answer) into a few codes. HTTP/1.1 GET with Content-Length or
 * chunked answers is a small state machine; it lives here, not in common/.
 *
 * Each thread runs an epoll loop over its share of the connections;
 * sockets are non-blocking; a latency runs from the moment the request is
 * due (including a reconnect) to the last byte of the answer.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADER   (64 * 1024)  /* a status line + headers longer than this: malformed */
#define READ_CHUNK   (16 * 1024)
#define RETRY_NS     (10 * 1000000ull) /* wait before reconnecting when the listen queue is full */

/* ---- latency histogram: 64 linear buckets per power of two ---- */

#define HIST_N 3776 /* index of the largest uint64: 57 * 64 + 127, plus one */

struct hist {
    uint64_t n[HIST_N];
    uint64_t count, max, sum;
};

static size_t hist_index(uint64_t v)
{
    if (v < 128)
        return (size_t)v;
    int shift = 63 - __builtin_clzll(v) - 6;
    return (size_t)shift * 64 + (size_t)(v >> shift);
}

/* The middle of bucket i (its lower bound below 128). */
static double hist_value(size_t i)
{
    if (i < 128)
        return (double)i;
    unsigned shift = (unsigned)(i / 64 - 1);
    double lo = (double)((uint64_t)(i % 64 + 64) << shift);
    return lo + (double)((uint64_t)1 << shift) / 2;
}

static void hist_add(struct hist *h, uint64_t v)
{
    h->n[hist_index(v)]++;
    h->count++;
    h->sum += v;
    if (v > h->max)
        h->max = v;
}

static void hist_merge(struct hist *into, const struct hist *h)
{
    for (size_t i = 0; i < HIST_N; i++)
        into->n[i] += h->n[i];
    into->count += h->count;
    into->sum += h->sum;
    if (h->max > into->max)
        into->max = h->max;
}

/* The p-th percentile (0 < p <= 100) in ns; 0 for an empty histogram. */
static double hist_pct(const struct hist *h, double p)
{
    if (!h->count)
        return 0;
    uint64_t want = (uint64_t)ceil(p / 100.0 * (double)h->count), seen = 0;
    if (want == 0)
        want = 1;
    for (size_t i = 0; i < HIST_N; i++) {
        seen += h->n[i];
        if (seen >= want) {
            double v = hist_value(i);
            return v > (double)h->max ? (double)h->max : v;
        }
    }
    return (double)h->max;
}

/* ---- options and the request mix ---- */

enum terr { T_CONNECT, T_RESET, T_EOF, T_TIMEOUT, T_PARSE, T_N };
static const char *const terr_name[T_N] = { "connect", "reset", "eof", "timeout", "malformed" };

static struct {
    const char *socket, *tcp, *queries, *paths, *tmpl, *host;
    unsigned conns, threads, show_errors;
    uint64_t count;
    double duration, timeout, interval;
    unsigned seed;
    int random, json, close_each;
} opt = {
    .tmpl = "/search?q=%s&limit=10", .host = "localhost", .conns = 16, .threads = 1,
    .timeout = 10, .seed = 1, .random = 1,
};

static struct sockaddr_storage addr;
static socklen_t addrlen;
static char **reqs;      /* complete request texts */
static size_t *reqlen, nreqs;
static char **labels;    /* the path of each request, for --show-errors */

static atomic_uint_fast64_t issued;
static atomic_uint shown;
static atomic_uint running; /* worker threads still running */
static uint64_t t0, t_end; /* t_end 0: no time bound */
/* SIGUSR1: issue no new request; the ones in flight finish and the report
 * is printed (a caller that ends the load on an event, not a clock). */
static atomic_int stop_requested; /* lock-free: safe in a handler */
static void on_usr1(int sig)
{
    (void)sig;
    atomic_store(&stop_requested, 1);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "loadgen: out of memory\n");
        exit(2);
    }
    return p;
}

/* Percent-encode s (RFC 3986 unreserved characters stay) into a new string. */
static char *pct_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = xmalloc(strlen(s) * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

/* The path for one line of the mix file; NULL (with a message) if bad. */
static char *line_path(char *line, const char *file, size_t lineno)
{
    if (opt.paths) {
        if (line[0] != '/') {
            fprintf(stderr, "loadgen: %s:%zu: a request path must start with '/'\n", file, lineno);
            return NULL;
        }
        return strdup(line);
    }
    char *text = strchr(line, '\t');
    text = text ? text + 1 : line;
    char *enc = pct_encode(text);
    const char *mark = strstr(opt.tmpl, "%s");
    size_t n = strlen(opt.tmpl) - 2 + strlen(enc) + 1;
    char *path = xmalloc(n);
    snprintf(path, n, "%.*s%s%s", (int)(mark - opt.tmpl), opt.tmpl, enc, mark + 2);
    free(enc);
    return path;
}

static int load_mix(void)
{
    const char *file = opt.paths ? opt.paths : opt.queries;
    FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
    if (!f) {
        fprintf(stderr, "loadgen: %s: %s\n", file, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0, alloc = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        char *path = line_path(line, file, lineno);
        if (!path)
            return -1;
        if (nreqs == alloc) {
            alloc = alloc ? alloc * 2 : 256;
            if (!(reqs = realloc(reqs, alloc * sizeof *reqs)) || !(reqlen = realloc(reqlen, alloc * sizeof *reqlen)) ||
                !(labels = realloc(labels, alloc * sizeof *labels))) {
                fprintf(stderr, "loadgen: out of memory\n");
                exit(2);
            }
        }
        size_t n = strlen(path) + strlen(opt.host) + 64;
        reqs[nreqs] = xmalloc(n);
        reqlen[nreqs] = (size_t)snprintf(reqs[nreqs], n, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", path, opt.host,
                                         opt.close_each ? "Connection: close\r\n" : "");
        labels[nreqs++] = path;
    }
    if (ferror(f)) {
        fprintf(stderr, "loadgen: %s: %s\n", file, strerror(errno));
        return -1;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    if (!nreqs) {
        fprintf(stderr, "loadgen: %s: no requests\n", file);
        return -1;
    }
    return 0;
}

static int resolve(void)
{
    memset(&addr, 0, sizeof addr);
    if (opt.socket) {
        struct sockaddr_un *un = (struct sockaddr_un *)&addr;
        if (strlen(opt.socket) >= sizeof un->sun_path) {
            fprintf(stderr, "loadgen: socket path too long: %s\n", opt.socket);
            return -1;
        }
        un->sun_family = AF_UNIX;
        strcpy(un->sun_path, opt.socket);
        addrlen = sizeof *un;
        return 0;
    }
    char host[256];
    const char *colon = strrchr(opt.tcp, ':');
    if (!colon || colon == opt.tcp || (size_t)(colon - opt.tcp) >= sizeof host) {
        fprintf(stderr, "loadgen: --tcp: expected HOST:PORT, got '%s'\n", opt.tcp);
        return -1;
    }
    snprintf(host, sizeof host, "%.*s", (int)(colon - opt.tcp), opt.tcp);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') { /* [::1]:8080 */
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
    int rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc) {
        fprintf(stderr, "loadgen: --tcp %s: %s\n", opt.tcp, gai_strerror(rc));
        return -1;
    }
    memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
    addrlen = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

/* ---- connections ---- */

/* C_WAIT: the listen queue was full, connect again for the same request;
 * C_PAUSE: a connect failed, start the next request a little later. */
enum cstate { C_WAIT, C_PAUSE, C_CONNECTING, C_WRITING, C_READING, C_DONE };
enum rphase { R_HEAD, R_BODY, R_CLOSE, R_CHUNK_SIZE, R_CHUNK_DATA, R_CHUNK_END, R_TRAILER };

struct stats {
    uint64_t done, ok, failed, bytes, connects;
    uint64_t status[600]; /* [0]: a status outside 100..599 */
    uint64_t terr[T_N];
    struct hist h;
};

struct worker;

struct conn {
    struct worker *w;
    int fd;
    enum cstate state;
    size_t item, next;  /* the request under way; the next one (sequential order) */
    size_t sent;
    uint64_t t_start, deadline, retry_at;
    uint32_t rng;
    /* answer */
    char *buf;
    size_t len, pos;
    enum rphase phase;
    int status, close_after;
    uint64_t remaining;
    char ebody[201]; /* the start of a failed answer's body, for --show-errors */
    size_t elen;
};

struct worker {
    pthread_t tid;
    int ep;
    struct conn *c;
    size_t nc, active;
    struct stats st;
    pthread_mutex_t mu; /* guards iv, read by the main thread every --interval */
    struct hist iv;
    uint64_t iv_failed;
};

static int want_events(struct conn *c, uint32_t ev)
{
    struct epoll_event e = { .events = ev, .data.ptr = c };
    return epoll_ctl(c->w->ep, EPOLL_CTL_MOD, c->fd, &e);
}

static void conn_close(struct conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(c->w->ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
}

static void show(const struct conn *c, const char *what)
{
    if (atomic_fetch_add(&shown, 1) < opt.show_errors)
        fprintf(stderr, "loadgen: GET %.200s: %s%s%.*s\n", labels[c->item], what, c->elen ? ": " : "",
                (int)c->elen, c->ebody);
}

/* Keep the start of an error answer's body (printed by --show-errors). */
static void keep_body(struct conn *c, const char *p, uint64_t n)
{
    if (c->status < 300 || !opt.show_errors || c->elen >= sizeof c->ebody - 1)
        return;
    size_t room = sizeof c->ebody - 1 - c->elen;
    size_t take = n < room ? (size_t)n : room;
    for (size_t i = 0; i < take; i++)
        c->ebody[c->elen++] = p[i] == '\n' || p[i] == '\r' ? ' ' : p[i];
}

/* One request is over: count it. status 0: transport error `e`. */
static void finish(struct conn *c, int status, enum terr e)
{
    struct worker *w = c->w;
    uint64_t lat = now_ns() - c->t_start;
    int failed = status < 200 || status > 299;
    w->st.done++;
    if (status) {
        w->st.status[status >= 100 && status <= 599 ? status : 0]++;
        if (failed) {
            char s[32];
            snprintf(s, sizeof s, "HTTP %d", status);
            show(c, s);
        }
    } else {
        w->st.terr[e]++;
        show(c, terr_name[e]);
        conn_close(c);
    }
    if (failed)
        w->st.failed++;
    else
        w->st.ok++;
    hist_add(&w->st.h, lat);
    pthread_mutex_lock(&w->mu);
    hist_add(&w->iv, lat);
    w->iv_failed += (uint64_t)failed;
    pthread_mutex_unlock(&w->mu);
}

static void conn_write(struct conn *c);
static void conn_start(struct conn *c);

/* A connect failed: count the request, try the next one a little later
 * (a refused connect must not spin). */
static void connect_failed(struct conn *c)
{
    finish(c, 0, T_CONNECT);
    c->state = C_PAUSE;
    c->retry_at = now_ns() + RETRY_NS;
}

/* Open the connection for the request under way (already timed). */
static void conn_connect(struct conn *c)
{
    c->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        connect_failed(c);
        return;
    }
    struct epoll_event e = { .events = EPOLLOUT, .data.ptr = c };
    if (epoll_ctl(c->w->ep, EPOLL_CTL_ADD, c->fd, &e) < 0) {
        close(c->fd);
        c->fd = -1;
        connect_failed(c);
        return;
    }
    if (addr.ss_family != AF_UNIX) /* one write per request: Nagle would only delay it */
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
    if (connect(c->fd, (struct sockaddr *)&addr, addrlen) == 0) {
        c->w->st.connects++;
        c->state = C_WRITING;
        conn_write(c);
    } else if (errno == EINPROGRESS) {
        c->w->st.connects++;
        c->state = C_CONNECTING;
    } else if (errno == EAGAIN && addr.ss_family == AF_UNIX) {
        /* The listen queue is full: a real client would wait; so do we,
         * until the request's deadline. */
        conn_close(c);
        c->state = C_WAIT;
        c->retry_at = now_ns() + RETRY_NS;
    } else {
        conn_close(c);
        connect_failed(c);
    }
}

static void conn_write(struct conn *c)
{
    while (c->sent < reqlen[c->item]) {
        ssize_t n = send(c->fd, reqs[c->item] + c->sent, reqlen[c->item] - c->sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                c->state = C_WRITING;
                want_events(c, EPOLLOUT);
                return;
            }
            /* The server may have answered (413) and closed before reading
             * everything: read what it said. */
            break;
        }
        c->sent += (size_t)n;
    }
    c->state = C_READING;
    c->len = c->pos = 0;
    c->phase = R_HEAD;
    c->status = 0;
    c->close_after = 0;
    c->elen = 0;
    want_events(c, EPOLLIN);
}

/* Parse the header block in buf[0..end) (end: after the blank line). */
static int parse_head(struct conn *c, size_t end)
{
    char *p = c->buf;
    int minor;
    if (sscanf(p, "HTTP/1.%d %3d", &minor, &c->status) != 2 || c->status < 100)
        return -1;
    c->close_after = minor == 0; /* HTTP/1.0: close unless keep-alive */
    int chunked = 0, have_len = 0;
    uint64_t clen = 0;
    char *line = memchr(p, '\n', end) + 1;
    while (line < p + end) {
        char *eol = memchr(line, '\n', (size_t)(p + end - line));
        if (!eol)
            return -1;
        *eol = '\0';
        char *colon = strchr(line, ':');
        if (colon) {
            char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t nlen = (size_t)(colon - line);
            if (nlen == 14 && !strncasecmp(line, "content-length", 14)) {
                char *endp;
                errno = 0;
                clen = strtoull(v, &endp, 10);
                if (errno || endp == v)
                    return -1;
                have_len = 1;
            } else if (nlen == 17 && !strncasecmp(line, "transfer-encoding", 17)) {
                chunked = strcasestr(v, "chunked") != NULL;
            } else if (nlen == 10 && !strncasecmp(line, "connection", 10)) {
                if (strcasestr(v, "close"))
                    c->close_after = 1;
                else if (strcasestr(v, "keep-alive"))
                    c->close_after = 0;
            }
        }
        line = eol + 1;
    }
    c->pos = end;
    if (c->status < 200) {
        c->phase = R_HEAD; /* 100 Continue and friends: the real answer follows */
    } else if (c->status == 204 || c->status == 304) {
        c->phase = R_BODY;
        c->remaining = 0;
    } else if (chunked) {
        c->phase = R_CHUNK_SIZE;
    } else if (have_len) {
        c->phase = R_BODY;
        c->remaining = clen;
    } else {
        c->phase = R_CLOSE;
        c->close_after = 1;
    }
    return 0;
}

/* Consume buf; 1: the answer is complete, 0: more bytes needed, -1: malformed. */
static int parse(struct conn *c)
{
    for (;;) {
        size_t avail = c->len - c->pos;
        char *p = c->buf + c->pos;
        switch (c->phase) {
        case R_HEAD: {
            char *end = memmem(p, avail, "\r\n\r\n", 4);
            if (!end)
                return avail > MAX_HEADER ? -1 : 0;
            /* parse_head works from the start of the buffer */
            memmove(c->buf, p, avail);
            c->len = avail;
            c->pos = 0;
            if (parse_head(c, (size_t)(end - p) + 4) < 0)
                return -1;
            continue;
        }
        case R_BODY: {
            uint64_t take = avail < c->remaining ? avail : c->remaining;
            keep_body(c, p, take);
            c->pos += take;
            c->remaining -= take;
            if (c->remaining == 0)
                return 1;
            return 0;
        }
        case R_CLOSE:
            keep_body(c, p, avail);
            c->pos = c->len;
            return 0;
        case R_CHUNK_SIZE:
        case R_TRAILER: {
            char *eol = memmem(p, avail, "\r\n", 2);
            if (!eol)
                return avail > MAX_HEADER ? -1 : 0;
            c->pos += (size_t)(eol - p) + 2;
            if (c->phase == R_TRAILER) {
                if (eol == p)
                    return 1;
                continue;
            }
            char *endp;
            errno = 0;
            c->remaining = strtoull(p, &endp, 16);
            if (errno || endp == p || (*endp != ';' && *endp != '\r' && *endp != ' '))
                return -1;
            c->phase = c->remaining ? R_CHUNK_DATA : R_TRAILER;
            continue;
        }
        case R_CHUNK_DATA: {
            uint64_t take = avail < c->remaining ? avail : c->remaining;
            keep_body(c, p, take);
            c->pos += take;
            c->remaining -= take;
            if (c->remaining)
                return 0;
            c->phase = R_CHUNK_END;
            continue;
        }
        case R_CHUNK_END:
            if (avail < 2)
                return 0;
            if (p[0] != '\r' || p[1] != '\n')
                return -1;
            c->pos += 2;
            c->phase = R_CHUNK_SIZE;
            continue;
        }
    }
}

static void answered(struct conn *c)
{
    finish(c, c->status, T_N);
    if (c->close_after)
        conn_close(c);
    conn_start(c);
}

static void conn_read(struct conn *c)
{
    for (;;) {
        /* Body bytes are counted and dropped: keep the buffer small. */
        if (c->pos == c->len && c->phase != R_HEAD)
            c->len = c->pos = 0;
        ssize_t n = recv(c->fd, c->buf + c->len, READ_CHUNK, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return;
            finish(c, 0, T_RESET);
            conn_start(c);
            return;
        }
        if (n == 0) {
            if (c->phase == R_CLOSE && c->status) {
                conn_close(c);
                answered(c);
            } else {
                finish(c, 0, T_EOF);
                conn_start(c);
            }
            return;
        }
        c->len += (size_t)n;
        c->w->st.bytes += (uint64_t)n;
        int r = parse(c);
        if (r < 0) {
            finish(c, 0, T_PARSE);
            conn_start(c);
            return;
        }
        if (r > 0) {
            answered(c);
            return;
        }
        /* Keep room for the next read; the header may need to grow. */
        if (c->pos > 0 && c->phase != R_HEAD) {
            memmove(c->buf, c->buf + c->pos, c->len - c->pos);
            c->len -= c->pos;
            c->pos = 0;
        }
        if (c->len + READ_CHUNK > MAX_HEADER + 2 * READ_CHUNK) {
            finish(c, 0, T_PARSE);
            conn_start(c);
            return;
        }
    }
}

/* Issue the next request on c, or retire c when the run is over. */
static void conn_start(struct conn *c)
{
    uint64_t now = now_ns();
    if (atomic_load(&stop_requested) || (t_end && now >= t_end) || (opt.count && atomic_fetch_add(&issued, 1) >= opt.count)) {
        conn_close(c);
        c->state = C_DONE;
        c->w->active--;
        return;
    }
    if (opt.random) {
        c->rng ^= c->rng << 13;
        c->rng ^= c->rng >> 17;
        c->rng ^= c->rng << 5;
        c->item = c->rng % nreqs;
    } else {
        c->item = c->next;
        c->next = (c->next + 1) % nreqs;
    }
    c->sent = 0;
    c->elen = 0;
    c->t_start = now;
    c->deadline = now + (uint64_t)(opt.timeout * 1e9);
    if (c->fd < 0)
        conn_connect(c);
    else
        conn_write(c);
}

static void conn_event(struct conn *c, uint32_t ev)
{
    switch (c->state) {
    case C_CONNECTING: {
        int err = 0;
        socklen_t l = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 || err) {
            conn_close(c);
            connect_failed(c);
            return;
        }
        c->state = C_WRITING;
        conn_write(c);
        return;
    }
    case C_WRITING:
        if ((ev & (EPOLLERR | EPOLLHUP)) && !(ev & EPOLLIN)) {
            finish(c, 0, T_RESET);
            conn_start(c);
            return;
        }
        conn_write(c);
        return;
    case C_READING:
        conn_read(c);
        return;
    default:
        return;
    }
}

/* Timeouts and queued reconnects; returns the epoll wait in ms. */
static int sweep(struct worker *w)
{
    uint64_t now = now_ns(), next = now + 100000000ull;
    for (size_t i = 0; i < w->nc; i++) {
        struct conn *c = &w->c[i];
        if (c->state == C_DONE)
            continue;
        if (c->state == C_PAUSE) {
            if (now >= c->retry_at)
                conn_start(c);
            else if (c->retry_at < next)
                next = c->retry_at;
            continue;
        }
        if (now >= c->deadline) {
            finish(c, 0, T_TIMEOUT);
            conn_start(c);
            continue;
        }
        if (c->state == C_WAIT) {
            if (now >= c->retry_at)
                conn_connect(c);
            else if (c->retry_at < next)
                next = c->retry_at;
        }
        if (c->state != C_DONE && c->state != C_PAUSE && c->deadline < next)
            next = c->deadline;
    }
    uint64_t ms = next > now ? (next - now + 999999) / 1000000 : 0;
    return (int)(ms > 100 ? 100 : ms);
}

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    struct epoll_event ev[256];
    for (size_t i = 0; i < w->nc; i++)
        conn_start(&w->c[i]);
    int wait_ms = 0;
    uint64_t last_sweep = 0;
    while (w->active) {
        int n = epoll_wait(w->ep, ev, 256, wait_ms);
        if (n < 0 && errno != EINTR) {
            perror("loadgen: epoll_wait");
            exit(2);
        }
        for (int i = 0; i < n; i++)
            conn_event(ev[i].data.ptr, ev[i].events);
        uint64_t now = now_ns();
        if (now - last_sweep >= 5000000ull || n == 0) {
            wait_ms = sweep(w);
            last_sweep = now;
        }
    }
    atomic_fetch_sub(&running, 1);
    return NULL;
}

/* ---- report ---- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: loadgen (--socket PATH | --tcp HOST:PORT) (--queries FILE | --paths FILE) [options]\n"
            "A closed-loop HTTP/1.1 keep-alive load generator (for searchd).\n\n"
            "  --socket PATH        connect to a UNIX socket\n"
            "  --tcp HOST:PORT      or to a TCP address\n"
            "  --queries FILE       'qid<TAB>text' lines (or plain text lines): each text is\n"
            "                       percent-encoded into --template\n"
            "  --template T         default '/search?q=%%s&limit=10' (%%s: the encoded text)\n"
            "  --paths FILE         or: each line is a request path sent as it is\n"
            "  -c, --connections N  concurrent keep-alive connections (default 16)\n"
            "  --threads T          event-loop threads sharing the connections (default 1)\n"
            "  -n, --count N        stop after N requests\n"
            "  -d, --duration S     stop after S seconds (without -n or -d: -n 10000)\n"
            "  --timeout S          a request not answered in S seconds fails (default 10)\n"
            "  --sequential         take the requests in file order (default: random)\n"
            "  --seed N             random order seed (default 1)\n"
            "  --close              send 'Connection: close' (a new connection per request)\n"
            "  --interval S         print throughput and latency every S seconds (stderr)\n"
            "  --show-errors N      print the first N failed requests and the start of\n"
            "                       their answers (stderr)\n"
            "  --json               print the report as JSON\n"
            "SIGUSR1 ends the run early: no new request, the report as usual.\n"
            "Exit status: 0 every request got a 2xx; 1 some failed; 2 usage or set-up error.\n");
}

static int parse_num(const char *name, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "loadgen: %s: expected a number in %g..%g, got '%s'\n", name, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static void print_json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", *s);
        else
            putchar(*s);
    }
    putchar('"');
}

struct ivrec {
    double t, rps, p50, p99, max;
    uint64_t failed;
};

static void report(const struct stats *st, double secs, const struct ivrec *iv, size_t niv)
{
    const struct hist *h = &st->h;
    double rps = secs > 0 ? (double)st->done / secs : 0;
    double ms = 1e-6;
    uint64_t terr = 0;
    for (int i = 0; i < T_N; i++)
        terr += st->terr[i];
    if (opt.json) {
        printf("{\"target\": ");
        print_json_str(opt.socket ? opt.socket : opt.tcp);
        printf(", \"transport\": \"%s\", \"connections\": %u, \"threads\": %u,\n", opt.socket ? "unix" : "tcp",
               opt.conns, opt.threads);
        printf(" \"requests\": %" PRIu64 ", \"ok\": %" PRIu64 ", \"failed\": %" PRIu64 ", \"duration_s\": %.3f, "
               "\"rps\": %.1f, \"bytes\": %" PRIu64 ", \"connects\": %" PRIu64 ",\n",
               st->done, st->ok, st->failed, secs, rps, st->bytes, st->connects);
        printf(" \"latency_ms\": {\"p50\": %.3f, \"p95\": %.3f, \"p99\": %.3f, \"max\": %.3f, \"mean\": %.3f},\n",
               hist_pct(h, 50) * ms, hist_pct(h, 95) * ms, hist_pct(h, 99) * ms, (double)h->max * ms,
               h->count ? (double)h->sum / (double)h->count * ms : 0);
        printf(" \"status\": {");
        const char *sep = "";
        for (int i = 0; i < 600; i++)
            if (st->status[i]) {
                if (i)
                    printf("%s\"%d\": %" PRIu64, sep, i, st->status[i]);
                else
                    printf("%s\"other\": %" PRIu64, sep, st->status[i]);
                sep = ", ";
            }
        printf("},\n \"transport_errors\": {");
        for (int i = 0; i < T_N; i++)
            printf("%s\"%s\": %" PRIu64, i ? ", " : "", terr_name[i], st->terr[i]);
        printf("}");
        if (niv) {
            printf(",\n \"intervals\": [");
            for (size_t i = 0; i < niv; i++)
                printf("%s\n  {\"t\": %.1f, \"rps\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
                       "\"failed\": %" PRIu64 "}",
                       i ? "," : "", iv[i].t, iv[i].rps, iv[i].p50, iv[i].p99, iv[i].max, iv[i].failed);
            printf("]");
        }
        printf("}\n");
        return;
    }
    printf("loadgen: %u connections (%u threads) to %s for %.2f s\n", opt.conns, opt.threads,
           opt.socket ? opt.socket : opt.tcp, secs);
    printf("requests:   %" PRIu64 " (%.1f req/s), ok %" PRIu64 ", failed %" PRIu64 "\n", st->done, rps, st->ok,
           st->failed);
    printf("latency ms: p50 %.3f  p95 %.3f  p99 %.3f  max %.3f  mean %.3f\n", hist_pct(h, 50) * ms,
           hist_pct(h, 95) * ms, hist_pct(h, 99) * ms, (double)h->max * ms,
           h->count ? (double)h->sum / (double)h->count * ms : 0);
    printf("status:    ");
    for (int i = 1; i < 600; i++)
        if (st->status[i])
            printf(" %d=%" PRIu64, i, st->status[i]);
    if (st->status[0])
        printf(" other=%" PRIu64, st->status[0]);
    printf("\ntransport: %s", terr ? "" : " no errors");
    for (int i = 0; i < T_N; i++)
        if (st->terr[i])
            printf(" %s=%" PRIu64, terr_name[i], st->terr[i]);
    printf("\nread:       %.1f MB (%.1f MB/s), %" PRIu64 " connects\n", (double)st->bytes / 1e6,
           secs > 0 ? (double)st->bytes / 1e6 / secs : 0, st->connects);
}

int main(int argc, char **argv)
{
    enum { O_SOCKET = 256, O_TCP, O_QUERIES, O_PATHS, O_TEMPLATE, O_THREADS, O_TIMEOUT, O_SEQ, O_SEED, O_CLOSE,
           O_INTERVAL, O_SHOW, O_JSON, O_HOST, O_HELP };
    static const struct option lo[] = {
        { "socket", 1, 0, O_SOCKET },     { "tcp", 1, 0, O_TCP },           { "queries", 1, 0, O_QUERIES },
        { "paths", 1, 0, O_PATHS },       { "template", 1, 0, O_TEMPLATE }, { "connections", 1, 0, 'c' },
        { "threads", 1, 0, O_THREADS },   { "count", 1, 0, 'n' },           { "duration", 1, 0, 'd' },
        { "timeout", 1, 0, O_TIMEOUT },   { "sequential", 0, 0, O_SEQ },    { "seed", 1, 0, O_SEED },
        { "close", 0, 0, O_CLOSE },       { "interval", 1, 0, O_INTERVAL }, { "show-errors", 1, 0, O_SHOW },
        { "json", 0, 0, O_JSON },         { "host", 1, 0, O_HOST },         { "help", 0, 0, O_HELP },
        { 0, 0, 0, 0 },
    };
    int o;
    double v;
    while ((o = getopt_long(argc, argv, "c:n:d:", lo, NULL)) != -1) {
        switch (o) {
        case O_SOCKET: opt.socket = optarg; break;
        case O_TCP: opt.tcp = optarg; break;
        case O_QUERIES: opt.queries = optarg; break;
        case O_PATHS: opt.paths = optarg; break;
        case O_TEMPLATE: opt.tmpl = optarg; break;
        case O_HOST: opt.host = optarg; break;
        case 'c':
            if (parse_num("--connections", optarg, 1, 100000, &v)) return 2;
            opt.conns = (unsigned)v;
            break;
        case O_THREADS:
            if (parse_num("--threads", optarg, 1, 256, &v)) return 2;
            opt.threads = (unsigned)v;
            break;
        case 'n':
            if (parse_num("--count", optarg, 1, 1e15, &v)) return 2;
            opt.count = (uint64_t)v;
            break;
        case 'd':
            if (parse_num("--duration", optarg, 0.001, 1e7, &opt.duration)) return 2;
            break;
        case O_TIMEOUT:
            if (parse_num("--timeout", optarg, 0.001, 1e6, &opt.timeout)) return 2;
            break;
        case O_INTERVAL:
            if (parse_num("--interval", optarg, 0.1, 1e6, &opt.interval)) return 2;
            break;
        case O_SEED:
            if (parse_num("--seed", optarg, 0, UINT_MAX, &v)) return 2;
            opt.seed = (unsigned)v;
            break;
        case O_SHOW:
            if (parse_num("--show-errors", optarg, 0, 1e9, &v)) return 2;
            opt.show_errors = (unsigned)v;
            break;
        case O_SEQ: opt.random = 0; break;
        case O_CLOSE: opt.close_each = 1; break;
        case O_JSON: opt.json = 1; break;
        case O_HELP: usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || !opt.socket == !opt.tcp || !opt.queries == !opt.paths) {
        usage(stderr);
        return 2;
    }
    if (opt.queries && (!strstr(opt.tmpl, "%s") || strstr(strstr(opt.tmpl, "%s") + 2, "%s") || opt.tmpl[0] != '/')) {
        fprintf(stderr, "loadgen: --template must start with '/' and hold %%s once\n");
        return 2;
    }
    if (!opt.count && !opt.duration)
        opt.count = 10000;
    if (opt.threads > opt.conns)
        opt.threads = opt.conns;
    if (load_mix() < 0 || resolve() < 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGUSR1, on_usr1);

    /* Room for every connection and a few files. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)opt.conns + 64) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)opt.conns + 64 ? (rlim_t)opt.conns + 64
                                                                                          : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < (rlim_t)opt.conns + 16)
            fprintf(stderr, "loadgen: warning: descriptor limit %llu is too low for %u connections\n",
                    (unsigned long long)rl.rlim_cur, opt.conns);
    }

    struct worker *w = calloc(opt.threads, sizeof *w);
    struct conn *conns = calloc(opt.conns, sizeof *conns);
    if (!w || !conns) {
        fprintf(stderr, "loadgen: out of memory\n");
        return 2;
    }
    for (unsigned i = 0; i < opt.conns; i++) {
        struct conn *c = &conns[i];
        c->fd = -1;
        c->buf = xmalloc(MAX_HEADER + 2 * READ_CHUNK);
        c->rng = (opt.seed + 1) * 2654435761u ^ (i + 1) * 40503u;
        if (!c->rng)
            c->rng = 1;
        c->next = (size_t)((uint64_t)i * nreqs / opt.conns);
    }
    /* Connections go to threads in contiguous slices. */
    for (unsigned t = 0, first = 0; t < opt.threads; t++) {
        unsigned n = opt.conns / opt.threads + (t < opt.conns % opt.threads);
        w[t].c = &conns[first];
        w[t].nc = w[t].active = n;
        for (unsigned i = 0; i < n; i++)
            conns[first + i].w = &w[t];
        first += n;
        pthread_mutex_init(&w[t].mu, NULL);
        if ((w[t].ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
            perror("loadgen: epoll_create1");
            return 2;
        }
    }

    t0 = now_ns();
    t_end = opt.duration ? t0 + (uint64_t)(opt.duration * 1e9) : 0;
    atomic_store(&running, opt.threads);
    for (unsigned t = 0; t < opt.threads; t++)
        if ((errno = pthread_create(&w[t].tid, NULL, worker_run, &w[t]))) {
            perror("loadgen: pthread_create");
            return 2;
        }

    /* The main thread reports intervals while the workers run. */
    struct ivrec *iv = NULL;
    size_t niv = 0, ivcap = 0;
    if (opt.interval) {
        struct hist *sum = xmalloc(sizeof *sum);
        uint64_t last = t0;
        for (;;) {
            uint64_t next = last + (uint64_t)(opt.interval * 1e9), now;
            unsigned live;
            while ((now = now_ns()) < next && (live = atomic_load(&running)) > 0) {
                struct timespec ts = { 0, 20000000 };
                nanosleep(&ts, NULL);
            }
            memset(sum, 0, sizeof *sum);
            uint64_t failed = 0;
            for (unsigned t = 0; t < opt.threads; t++) {
                pthread_mutex_lock(&w[t].mu);
                hist_merge(sum, &w[t].iv);
                failed += w[t].iv_failed;
                memset(&w[t].iv, 0, sizeof w[t].iv);
                w[t].iv_failed = 0;
                pthread_mutex_unlock(&w[t].mu);
            }
            double dt = (double)(now - last) / 1e9;
            live = atomic_load(&running);
            if (sum->count || live) {
                if (niv == ivcap && !(iv = realloc(iv, (ivcap = ivcap ? ivcap * 2 : 64) * sizeof *iv))) {
                    fprintf(stderr, "loadgen: out of memory\n");
                    return 2;
                }
                iv[niv] = (struct ivrec){ (double)(now - t0) / 1e9, dt > 0 ? (double)sum->count / dt : 0,
                                          hist_pct(sum, 50) / 1e6, hist_pct(sum, 99) / 1e6,
                                          (double)sum->max / 1e6, failed };
                fprintf(stderr, "loadgen: t=%.1fs %.1f req/s p50 %.3f ms p99 %.3f ms max %.3f ms failed %" PRIu64 "\n",
                        iv[niv].t, iv[niv].rps, iv[niv].p50, iv[niv].p99, iv[niv].max, failed);
                niv++;
            }
            last = now;
            if (!live)
                break;
        }
        free(sum);
    }
    for (unsigned t = 0; t < opt.threads; t++)
        pthread_join(w[t].tid, NULL);
    double secs = (double)(now_ns() - t0) / 1e9;

    struct stats *all = calloc(1, sizeof *all);
    if (!all) {
        fprintf(stderr, "loadgen: out of memory\n");
        return 2;
    }
    for (unsigned t = 0; t < opt.threads; t++) {
        const struct stats *s = &w[t].st;
        all->done += s->done;
        all->ok += s->ok;
        all->failed += s->failed;
        all->bytes += s->bytes;
        all->connects += s->connects;
        for (int i = 0; i < 600; i++)
            all->status[i] += s->status[i];
        for (int i = 0; i < T_N; i++)
            all->terr[i] += s->terr[i];
        hist_merge(&all->h, &s->h);
    }
    report(all, secs, iv, niv);
    int failed = all->failed > 0;
    for (unsigned i = 0; i < opt.conns; i++)
        free(conns[i].buf);
    for (size_t i = 0; i < nreqs; i++) {
        free(reqs[i]);
        free(labels[i]);
    }
    free(reqs);
    free(reqlen);
    free(labels);
    free(conns);
    free(w);
    free(iv);
    free(all);
    return failed;
}
