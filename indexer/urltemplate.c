/* SPDX-License-Identifier: GPL-2.0-or-later */
/* urltemplate.c: article URLs from a template (see urltemplate.h). */
#include "urltemplate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static const char *const names[] = { "path", "stem", "id", NULL };

/* Which placeholder starts at s (just after '{'), its length in *len; -1: none. */
static int which(const char *s, size_t *len)
{
    const char *close = strchr(s, '}');
    if (!close)
        return -1;
    size_t n = (size_t)(close - s);
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == n && strncmp(names[i], s, n) == 0) {
            *len = n;
            return i;
        }
    return -1;
}

int urltemplate_check(const char *t, char *err, size_t errcap)
{
    int found = 0;
    for (const char *p = t; *p; p++) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            p++;
            continue;
        }
        if (*p == '}') {
            snprintf(err, errcap, "a lone '}' at byte %zu (write '}}' for a brace)", (size_t)(p - t) + 1);
            return -1;
        }
        if (*p != '{')
            continue;
        size_t n;
        if (which(p + 1, &n) < 0) {
            size_t shown = strcspn(p + 1, "}");
            snprintf(err, errcap, "unknown placeholder '{%.*s%s' (known: {path}, {stem}, {id})",
                     (int)(shown > 30 ? 30 : shown), p + 1, p[1 + shown] == '}' ? "}" : "");
            return -1;
        }
        found = 1;
        p += n + 1;
    }
    if (!found) {
        snprintf(err, errcap, "no placeholder: every article would get the same URL (use {path}, {stem} or {id})");
        return -1;
    }
    return 0;
}

/* Percent-encode s[0..len) into b, keeping unreserved characters and '/'. */
static void encode(struct buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~' || c == '/') {
            buf_add(b, (const char *)&c, 1);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            buf_add(b, e, 3);
        }
    }
}

/* Length of path without its known extensions (".gz" then one format). */
static size_t stem_len(const char *path)
{
    size_t n = strlen(path);
    static const char *const exts[] = { ".txt", ".html", ".htm", ".jsonl", ".json", ".ndjson", NULL };
    if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
        n -= 3;
    for (int i = 0; exts[i]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strncmp(path + n - e, exts[i], e) == 0 && path[n - e - 1] != '/')
            return n - e;
    }
    return n;
}

char *urltemplate_apply(const char *t, const char *path, const char *id)
{
    struct buf b = { 0 };
    buf_add(&b, "", 0);
    path = path ? path : "";
    id = id ? id : "";
    for (const char *p = t; *p; p++) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            buf_add(&b, p, 1);
            p++;
            continue;
        }
        size_t n;
        int k = *p == '{' ? which(p + 1, &n) : -1;
        if (k < 0) {
            buf_add(&b, p, 1);
            continue;
        }
        if (k == 0)
            encode(&b, path, strlen(path));
        else if (k == 1)
            encode(&b, path, stem_len(path));
        else
            encode(&b, id, strlen(id));
        p += n + 1;
    }
    if (b.oom) {
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b);
}
