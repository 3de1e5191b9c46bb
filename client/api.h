/* SPDX-License-Identifier: GPL-2.0-or-later */
/* api: GET requests to searchd over its UNIX socket, through libcurl.
 * One handle keeps its connection open between requests (HTTP keep-alive),
 * so a batch of queries costs one connect.  A handle is used by one thread
 * at a time; call curl_global_init() once before creating any. */
#ifndef MEDSEARCH_CLIENT_API_H
#define MEDSEARCH_CLIENT_API_H

#include <stddef.h>

struct api;

enum api_status {
    API_OK = 0,      /* an HTTP answer arrived (any status code) */
    API_CONNECT,     /* cannot connect to the socket (missing, refused, ...) */
    API_TIMEOUT,     /* no complete answer within the timeout */
    API_FAILED,      /* any other transport failure (connection lost, ...) */
};

/* Returns a handle for searchd at socket_path (copied), with a per-request
 * timeout of timeout_s seconds (<= 0: none), or NULL when out of memory. */
struct api *api_open(const char *socket_path, double timeout_s);

/* Closes the connection and frees h.  NULL-safe. */
void api_close(struct api *h);

/* GET `path` (e.g. "/search") with query parameters params: an array of
 * key, value, key, value, ..., NULL; pairs with a NULL value are left
 * out; values are percent-encoded here.  On API_OK, *http_status is the
 * status code and *body / *body_len the answer (NUL-terminated, owned by
 * h, valid until the next api_get() or api_close()).  On failure,
 * api_error() says why. */
enum api_status api_get(struct api *h, const char *path, const char *const *params,
                        long *http_status /* OUT */, const char **body /* OUT */,
                        size_t *body_len /* OUT */);

/* Why the last api_get() failed, e.g. "No such file or directory" or
 * "Connection refused".  Owned by h, valid until the next call. */
const char *api_error(const struct api *h);

/* The socket path h talks to. */
const char *api_socket(const struct api *h);

#endif
