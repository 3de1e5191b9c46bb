/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "api.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

/* A bigger answer than this is not something searchd sends. */
#define MAX_BODY (64u << 20)

struct buf {
    char *p;
    size_t len, cap;
};

struct api {
    CURL *curl;
    char *socket;
    struct buf url;
    struct buf body;
    int too_big;
    char errbuf[CURL_ERROR_SIZE];
    char reason[CURL_ERROR_SIZE + 64];
};

static int buf_reserve(struct buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static int buf_add(struct buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct api *h = userdata;
    size_t n = size * nmemb;
    if (h->body.len + n > MAX_BODY) {
        h->too_big = 1;
        return 0;   /* makes curl stop with CURLE_WRITE_ERROR */
    }
    return buf_add(&h->body, data, n) < 0 ? 0 : n;
}

struct api *api_open(const char *socket_path, double timeout_s)
{
    struct api *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->socket = strdup(socket_path);
    h->curl = curl_easy_init();
    if (!h->socket || !h->curl) {
        api_close(h);
        return NULL;
    }
    CURL *c = h->curl;
    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, h->socket);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);   /* threads: no SIGALRM */
    curl_easy_setopt(c, CURLOPT_USERAGENT, "medsearch-search/" MEDSEARCH_VERSION);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, NULL);
    if (timeout_s > 0) {
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout_s * 1000));
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout_s * 1000));
    }
    return h;
}

void api_close(struct api *h)
{
    if (!h)
        return;
    if (h->curl)
        curl_easy_cleanup(h->curl);
    free(h->socket);
    free(h->url.p);
    free(h->body.p);
    free(h);
}

const char *api_error(const struct api *h)
{
    return h->reason;
}

const char *api_socket(const struct api *h)
{
    return h->socket;
}

/* Why the socket cannot be connected to, found before curl tries, since
 * curl only says "Couldn't connect to server". */
static int check_socket(struct api *h)
{
    struct stat st;
    if (strlen(h->socket) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        snprintf(h->reason, sizeof h->reason, "socket path too long (max %zu bytes)",
                 sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
        return -1;
    }
    if (stat(h->socket, &st) < 0) {
        snprintf(h->reason, sizeof h->reason, "%s", strerror(errno));
        return -1;
    }
    if (!S_ISSOCK(st.st_mode)) {
        snprintf(h->reason, sizeof h->reason, "not a socket");
        return -1;
    }
    return 0;
}

enum api_status api_get(struct api *h, const char *path, const char *const *params,
                        long *http_status, const char **body, size_t *body_len)
{
    *http_status = 0;
    *body = NULL;
    *body_len = 0;
    h->reason[0] = '\0';
    h->errbuf[0] = '\0';
    h->url.len = 0;
    h->body.len = 0;
    h->too_big = 0;
    if (strlen(h->socket) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        check_socket(h);
        return API_CONNECT;
    }
    if (buf_reserve(&h->body, 0) < 0)
        goto oom;
    h->body.p[0] = '\0';
    /* The host name is not used on a UNIX socket, but HTTP/1.1 needs one. */
    if (buf_add(&h->url, "http://localhost", 16) < 0 || buf_add(&h->url, path, strlen(path)) < 0)
        goto oom;
    char sep = '?';
    for (size_t i = 0; params && params[i]; i += 2) {
        const char *val = params[i + 1];
        if (!val)
            continue;
        char *esc = curl_easy_escape(h->curl, val, (int)strlen(val));
        if (!esc)
            goto oom;
        int bad = buf_add(&h->url, &sep, 1) < 0 || buf_add(&h->url, params[i], strlen(params[i])) < 0 ||
                  buf_add(&h->url, "=", 1) < 0 || buf_add(&h->url, esc, strlen(esc)) < 0;
        curl_free(esc);
        if (bad)
            goto oom;
        sep = '&';
    }
    curl_easy_setopt(h->curl, CURLOPT_URL, h->url.p);
    CURLcode rc = curl_easy_perform(h->curl);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, http_status);
        *body = h->body.p;
        *body_len = h->body.len;
        return API_OK;
    }
    if (rc != CURLE_OPERATION_TIMEDOUT && check_socket(h) < 0)
        return API_CONNECT;
    if (rc == CURLE_COULDNT_CONNECT) {
        long oserr = 0;
        curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &oserr);
        snprintf(h->reason, sizeof h->reason, "%s",
                 oserr ? strerror((int)oserr) : (h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc)));
        return API_CONNECT;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(h->reason, sizeof h->reason, "%s", h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
        return API_TIMEOUT;
    }
    if (h->too_big)
        snprintf(h->reason, sizeof h->reason, "answer larger than %u MB", MAX_BODY >> 20);
    else
        snprintf(h->reason, sizeof h->reason, "%s", h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
    return API_FAILED;
oom:
    snprintf(h->reason, sizeof h->reason, "out of memory");
    return API_FAILED;
}
