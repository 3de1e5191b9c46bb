/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reply: what a non-200 answer of searchd says, and the exit statuses of
 * `search` (documented in --help and the README). */
#ifndef MEDSEARCH_CLIENT_REPLY_H
#define MEDSEARCH_CLIENT_REPLY_H

#include <stddef.h>

enum {
    EXIT_FOUND = 0,     /* results found, or the command succeeded */
    EXIT_NONE = 1,      /* no results, or no article with that id */
    EXIT_USAGE = 2,     /* usage error, or searchd not reachable */
    EXIT_SERVER = 3,    /* searchd answered with an error */
};

/* searchd's error object (PROTOCOL: {"error": {"status", "type",
 * "message", "param", "limit"}}), or what the status code alone says. */
struct reply_err {
    long status;
    char type[32];        /* "" when absent */
    char message[512];    /* never empty */
    char param[64];       /* "" when absent */
    long long limit;      /* -1 when absent */
};

/* Describe the answer (status, body[0..len)) in *e.  Never fails: a body
 * that is not searchd's error JSON gives "HTTP <status>" (with the start
 * of the body when it is short text). */
void reply_error(long status, const char *body, size_t len, struct reply_err *e /* OUT */);

/* One readable line for e into buf: "message (HTTP 422)". */
void reply_format(const struct reply_err *e, char *buf, size_t size);

/* 1 when e means "no article with that id" (404 with param "id"), which
 * `search` reports with exit status 1 rather than 3. */
int reply_is_unknown_id(const struct reply_err *e);

#endif
