/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "reply.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void copy_str(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

void reply_error(long status, const char *body, size_t len, struct reply_err *e)
{
    memset(e, 0, sizeof *e);
    e->status = status;
    e->limit = -1;
    json_t *root = body && len ? json_loadb(body, len, 0, NULL) : NULL;
    json_t *err = root ? json_object_get(root, "error") : NULL;
    if (json_is_object(err)) {
        copy_str(e->type, sizeof e->type, json_string_value(json_object_get(err, "type")));
        copy_str(e->message, sizeof e->message, json_string_value(json_object_get(err, "message")));
        copy_str(e->param, sizeof e->param, json_string_value(json_object_get(err, "param")));
        json_t *lim = json_object_get(err, "limit");
        if (json_is_integer(lim))
            e->limit = json_integer_value(lim);
    } else if (json_is_string(err)) {
        copy_str(e->message, sizeof e->message, json_string_value(err));
    } else if (!root && body && len > 0 && len < 200) {
        /* A plain-text error page (e.g. from the HTTP library): show it
         * on one line. */
        size_t n = 0;
        for (size_t i = 0; i < len && n + 1 < sizeof e->message; i++) {
            unsigned char c = (unsigned char)body[i];
            if (c == '<') /* an HTML page: not worth showing */
                break;
            e->message[n++] = (c < 0x20 || c == 0x7F) ? ' ' : (char)c;
        }
        while (n > 0 && e->message[n - 1] == ' ')
            n--;
        e->message[n] = '\0';
    }
    json_decref(root);
    if (!e->message[0])
        snprintf(e->message, sizeof e->message, "HTTP status %ld", status);
}

void reply_format(const struct reply_err *e, char *buf, size_t size)
{
    snprintf(buf, size, "%s (HTTP %ld)", e->message, e->status);
}

int reply_is_unknown_id(const struct reply_err *e)
{
    return e->status == 404 && strcmp(e->param, "id") == 0;
}
