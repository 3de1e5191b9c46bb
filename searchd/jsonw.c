/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "jsonw.h"

#include "utf8.h"

#include <math.h>
#include <stdint.h>
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

/* "%.10g" of v for 1e-4 <= |v| < 1e9 (every score), in t; 0 when it
 * declines and snprintf must say. snprintf costs ~2,700 instructions a
 * number (7 % of a 100-hit batch answer). The ten digits are v * 10^k
 * rounded, k chosen so that they are ten: the product is within 2e-6 of
 * the exact one, so its rounding is snprintf's except near a half, where
 * this declines. Tested against jansson on millions of values. */
static int real_fast(double v, char t[32])
{
    static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13 };
    double a = v < 0 ? -v : v;
    if (!(a >= 1e-4 && a < 1e9))
        return 0;
    int e = -4; /* 10^e <= a, roughly: checked below by the digits' count */
    static const double lo[] = { 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8 };
    while (e < 8 && a >= lo[e + 4])
        e++;
    double m = a * p10[9 - e];
    double f = floor(m), frac = m - f;
    if (fabs(frac - 0.5) < 1e-5)
        return 0;
    uint64_t r = (uint64_t)f + (frac > 0.5);
    if (r < 1000000000ULL || r >= 10000000000ULL)
        return 0; /* e was off by one (a power of ten, rounded) */
    char d[10];
    for (int i = 9; i >= 0; i--) {
        d[i] = (char)('0' + r % 10);
        r /= 10;
    }
    int nd = 10;
    while (nd > 1 && d[nd - 1] == '0')
        nd--; /* %g drops trailing zeros */
    int n = 0;
    if (v < 0)
        t[n++] = '-';
    if (e >= 0) {
        for (int i = 0; i <= e; i++)
            t[n++] = i < nd ? d[i] : '0';
        if (nd > e + 1) {
            t[n++] = '.';
            for (int i = e + 1; i < nd; i++)
                t[n++] = d[i];
        }
    } else {
        t[n++] = '0';
        t[n++] = '.';
        for (int i = -1; i > e; i--)
            t[n++] = '0';
        for (int i = 0; i < nd; i++)
            t[n++] = d[i];
    }
    t[n] = '\0';
    return n;
}

void jsonw_real(struct buf *b, double v)
{
    if (!isfinite(v)) {
        jsonw_null(b);
        return;
    }
    char t[64];
    int n = real_fast(v, t);
    if (n > 0) {
        if (!memchr(t, '.', (size_t)n)) {
            memcpy(t + n, ".0", 3);
            n += 2;
        }
        buf_add(b, t, (size_t)n);
        return;
    }
    n = snprintf(t, sizeof t, "%.10g", v);
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
