/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "jsonw.h"

#include "utf8.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void jsonw_str(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!utf8_valid(s, n)) { /* jansson would hold no such string */
        jsonw_null(b);
        return;
    }
    buf_add(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_add(b, s + run, i - run);
        run = i + 1;
        char esc[7] = { '\\', 0 };
        size_t el = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            el = 6;
        }
        buf_add(b, esc, el);
    }
    buf_add(b, s + run, n - run);
    buf_add(b, "\"", 1);
}

void jsonw_key(struct buf *b, const char *key)
{
    jsonw_str(b, key, strlen(key));
    buf_add(b, ":", 1);
}

void jsonw_int(struct buf *b, long long v)
{
    char t[32];
    int n = snprintf(t, sizeof t, "%lld", v);
    buf_add(b, t, (size_t)n);
}

void jsonw_real(struct buf *b, double v)
{
    if (!isfinite(v)) {
        jsonw_null(b);
        return;
    }
    char t[64];
    int n = snprintf(t, sizeof t, "%.10g", v);
    if (n <= 0 || (size_t)n >= sizeof t) {
        jsonw_null(b);
        return;
    }
    char *e = strchr(t, 'e');
    if (!e && !strchr(t, '.')) {
        memcpy(t + n, ".0", 3);
        n += 2;
    }
    if (e) {
        /* "1e+20" -> "1e20", "1e-05" -> "1e-5" */
        char *from = e + 1, *to = e + 1;
        if (*from == '-')
            *to++ = *from++;
        else if (*from == '+')
            from++;
        while (*from == '0' && from[1])
            from++;
        memmove(to, from, strlen(from) + 1);
        n = (int)strlen(t);
    }
    buf_add(b, t, (size_t)n);
}

void jsonw_bool(struct buf *b, int v)
{
    buf_add(b, v ? "true" : "false", v ? 4 : 5);
}

void jsonw_null(struct buf *b)
{
    buf_add(b, "null", 4);
}
