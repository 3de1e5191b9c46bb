/* SPDX-License-Identifier: GPL-2.0-or-later */
/* input: reading files (plain or gzip), sanity checks (empty, binary,
 * size), UTF-8 repair, format detection and dispatch to the parsers. */
#include "input.h"
#include "parse.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "utf8.h"

#define DEFAULT_MAX_BYTES ((size_t)256 << 20)
#define SNIFF_BYTES 8192

const char *input_status_name(enum input_status st)
{
    switch (st) {
    case INPUT_OK: return "OK";
    case INPUT_ERR_IO: return "IO";
    case INPUT_ERR_GZIP: return "GZIP";
    case INPUT_ERR_BINARY: return "BINARY";
    case INPUT_ERR_EMPTY: return "EMPTY";
    case INPUT_ERR_TOO_BIG: return "TOO_BIG";
    case INPUT_ERR_PARSE: return "PARSE";
    case INPUT_ERR_ENCODING: return "ENCODING";
    case INPUT_ERR_NOMEM: return "NOMEM";
    }
    return "UNKNOWN";
}

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n) { return utf8_decode((const char *)s, n, NULL); }

/* One pass of the repair: writes to out when it is not NULL; returns the
 * output length and counts the repairs. Two passes (measure, then copy)
 * keep the allocation exact even for files of hundreds of MB. */
static size_t repair_pass(const unsigned char *u, size_t len, char *out, size_t *fixed)
{
    size_t i = 0, o = 0;

    *fixed = 0;
    while (i < len) {
        size_t n = utf8_len(u + i, len - i);
        if (n == 0) {
            if (out)
                memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            ++*fixed;
        } else if (n == 1 && u[i] < 0x20 && u[i] != '\t' && u[i] != '\n') {
            if (u[i] == '\r') { /* CRLF -> LF, lone CR -> LF: not a repair */
                if (i + 1 >= len || u[i + 1] != '\n') {
                    if (out)
                        out[o] = '\n';
                    o++;
                }
            } else {
                ++*fixed;
            }
            i++;
        } else {
            if (out)
                memcpy(out + o, u + i, n);
            o += n;
            i += n;
        }
    }
    return o;
}

char *input_utf8_repair(const char *s, size_t len, size_t *outlen, size_t *repaired)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t fixed, n;
    char *out;

    if (outlen)
        *outlen = 0;
    if (repaired)
        *repaired = 0;
    n = repair_pass(u, len, NULL, &fixed);
    out = malloc(n + 1);
    if (!out)
        return NULL;
    repair_pass(u, len, out, &fixed);
    out[n] = '\0';
    if (outlen)
        *outlen = n;
    if (repaired)
        *repaired = fixed;
    return out;
}

/* Line (1-based) and count of invalid UTF-8 sequences; line 0 = none. */
static long first_bad_utf8(const char *s, size_t len, size_t *count)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    long line = 1, first = 0;

    *count = 0;
    while (i < len) {
        size_t n = utf8_len(u + i, len - i);
        if (n == 0) {
            if (!first)
                first = line;
            ++*count;
            n = 1;
        } else if (u[i] == '\n') {
            line++;
        }
        i += n;
    }
    return first;
}

/* ---- sanity checks ---- */

static void setmsg(char *errbuf, size_t errcap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void setmsg(char *errbuf, size_t errcap, const char *fmt, ...)
{
    va_list ap;

    if (!errbuf || errcap == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errcap, fmt, ap);
    va_end(ap);
}

/* Binary: a NUL byte in the first 8 KB, or more than 30% of its bytes
 * being control characters or invalid UTF-8 (text with a few bad bytes
 * is repaired instead; see input.h). */
static enum input_status check_text(const char *data, size_t len, char *errbuf, size_t errcap)
{
    const unsigned char *u = (const unsigned char *)data;
    size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES, i = 0, bad = 0;
    const void *nul;

    if (len == 0) {
        setmsg(errbuf, errcap, "empty file");
        return INPUT_ERR_EMPTY;
    }
    nul = memchr(data, '\0', n);
    if (nul) {
        setmsg(errbuf, errcap, "binary data: NUL byte at offset %zu",
               (size_t)((const char *)nul - data));
        return INPUT_ERR_BINARY;
    }
    while (i < n) {
        size_t l = utf8_len(u + i, n - i);
        if (l == 0) {
            /* A sequence cut by the 8 KB window is not evidence. */
            if (n < len && n - i < 4 && u[i] >= 0xC2)
                break;
            bad++;
            l = 1;
        } else if (l == 1 && u[i] < 0x20 && !strchr("\t\n\r\f\v\x1b", u[i])) {
            bad++;
        }
        i += l;
    }
    if (bad * 10 > n * 3) {
        setmsg(errbuf, errcap, "binary data: %zu of the first %zu bytes are not text", bad, n);
        return INPUT_ERR_BINARY;
    }
    return INPUT_OK;
}

/* ---- gzip ---- */

enum input_status input_gunzip(const char *data, size_t len, size_t max_bytes, char **out, size_t *outlen,
                               char *errbuf, size_t errcap)
{
    z_stream z;
    char *buf = NULL;
    size_t cap = 0, used = 0, consumed = 0;
    enum input_status st = INPUT_OK;
    int ret;

    *out = NULL;
    *outlen = 0;
    if (max_bytes == 0)
        max_bytes = DEFAULT_MAX_BYTES;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        setmsg(errbuf, errcap, "cannot initialise zlib");
        return INPUT_ERR_NOMEM;
    }
    for (;;) {
        if (used == cap) {
            size_t ncap = cap ? cap * 2 : (len < 4096 ? 16384 : len * 4);
            char *p;
            if (cap >= max_bytes + 1) {
                setmsg(errbuf, errcap, "uncompressed size exceeds the limit of %zu bytes", max_bytes);
                st = INPUT_ERR_TOO_BIG;
                break;
            }
            if (ncap > max_bytes + 1)
                ncap = max_bytes + 1;
            p = realloc(buf, ncap + 1);
            if (!p) {
                setmsg(errbuf, errcap, "out of memory");
                st = INPUT_ERR_NOMEM;
                break;
            }
            buf = p;
            cap = ncap;
        }
        z.next_in = (Bytef *)(uintptr_t)(data + consumed);
        z.avail_in = len - consumed > UINT_MAX ? UINT_MAX : (uInt)(len - consumed);
        z.next_out = (Bytef *)(buf + used);
        z.avail_out = cap - used > UINT_MAX ? UINT_MAX : (uInt)(cap - used);
        {
            uInt in0 = z.avail_in, out0 = z.avail_out;
            ret = inflate(&z, Z_NO_FLUSH);
            consumed += in0 - z.avail_in;
            used += out0 - z.avail_out;
        }
        if (ret == Z_STREAM_END) {
            size_t k;
            if (consumed == len)
                break;
            if (len - consumed >= 2 && (unsigned char)data[consumed] == 0x1f &&
                (unsigned char)data[consumed + 1] == 0x8b) {
                inflateReset(&z); /* next member */
                continue;
            }
            for (k = consumed; k < len && data[k] == 0; k++)
                ;
            if (k == len) /* zero padding after the last member (tapes, dd) */
                break;
            setmsg(errbuf, errcap, "trailing garbage after gzip member at offset %zu", consumed);
            st = INPUT_ERR_GZIP;
            break;
        }
        if (ret == Z_MEM_ERROR) {
            setmsg(errbuf, errcap, "out of memory in zlib");
            st = INPUT_ERR_NOMEM;
            break;
        }
        if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR) {
            setmsg(errbuf, errcap, "corrupt gzip data at offset %zu: %s", consumed,
                   z.msg ? z.msg : "invalid stream");
            st = INPUT_ERR_GZIP;
            break;
        }
        /* Z_OK or Z_BUF_ERROR: no progress possible without more input. */
        if (consumed == len && used < cap) {
            setmsg(errbuf, errcap, "truncated gzip stream: unexpected end of data after %zu bytes", len);
            st = INPUT_ERR_GZIP;
            break;
        }
    }
    inflateEnd(&z);
    if (st == INPUT_OK && used > max_bytes) {
        setmsg(errbuf, errcap, "uncompressed size exceeds the limit of %zu bytes", max_bytes);
        st = INPUT_ERR_TOO_BIG;
    }
    if (st != INPUT_OK) {
        free(buf);
        return st;
    }
    buf[used] = '\0';
    *out = buf;
    *outlen = used;
    return INPUT_OK;
}

static int is_gzip(const char *data, size_t len)
{
    return len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b;
}

/* ---- reading ---- */

static enum input_status read_fd(int fd, const char *path, size_t max_bytes, char **out, size_t *len,
                                 char *errbuf, size_t errcap)
{
    struct stat sb;
    size_t cap = 65536, used = 0;
    char *buf;

    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if ((uintmax_t)sb.st_size > max_bytes) {
            setmsg(errbuf, errcap, "file is %jd bytes, more than the limit of %zu", (intmax_t)sb.st_size,
                   max_bytes);
            return INPUT_ERR_TOO_BIG;
        }
        cap = (size_t)sb.st_size + 1;
    } else if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        setmsg(errbuf, errcap, "%s: is a directory", path);
        return INPUT_ERR_IO;
    }
    buf = malloc(cap + 1);
    if (!buf) {
        setmsg(errbuf, errcap, "out of memory");
        return INPUT_ERR_NOMEM;
    }
    for (;;) {
        ssize_t r;
        if (used == cap) {
            char *p;
            if (cap > max_bytes) {
                free(buf);
                setmsg(errbuf, errcap, "more than the limit of %zu bytes", max_bytes);
                return INPUT_ERR_TOO_BIG;
            }
            p = realloc(buf, cap * 2 + 1);
            if (!p) {
                free(buf);
                setmsg(errbuf, errcap, "out of memory");
                return INPUT_ERR_NOMEM;
            }
            buf = p;
            cap *= 2;
        }
        r = read(fd, buf + used, cap - used);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            setmsg(errbuf, errcap, "read %s: %s", path, strerror(errno));
            free(buf);
            return INPUT_ERR_IO;
        }
        if (r == 0)
            break;
        used += (size_t)r;
    }
    if (used > max_bytes) {
        free(buf);
        setmsg(errbuf, errcap, "more than the limit of %zu bytes", max_bytes);
        return INPUT_ERR_TOO_BIG;
    }
    buf[used] = '\0';
    *out = buf;
    *len = used;
    return INPUT_OK;
}

/* Gunzip when needed, then the empty and binary checks. Takes *data. */
static enum input_status decode_raw(char **data, size_t *len, size_t max_bytes, char *errbuf, size_t errcap)
{
    enum input_status st;

    if (is_gzip(*data, *len)) {
        char *plain;
        size_t plen;
        st = input_gunzip(*data, *len, max_bytes, &plain, &plen, errbuf, errcap);
        free(*data);
        *data = NULL;
        *len = 0;
        if (st != INPUT_OK)
            return st;
        *data = plain;
        *len = plen;
    }
    st = check_text(*data, *len, errbuf, errcap);
    if (st != INPUT_OK) {
        free(*data);
        *data = NULL;
        *len = 0;
    }
    return st;
}

enum input_status input_read_file(const char *path, size_t max_bytes, char **out, size_t *len, char *errbuf,
                                  size_t errcap)
{
    enum input_status st;
    int fd;

    *out = NULL;
    *len = 0;
    if (max_bytes == 0)
        max_bytes = DEFAULT_MAX_BYTES;
    if (strcmp(path, "-") == 0) {
        fd = STDIN_FILENO;
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            setmsg(errbuf, errcap, "open %s: %s", path, strerror(errno));
            return INPUT_ERR_IO;
        }
    }
    st = read_fd(fd, path, max_bytes, out, len, errbuf, errcap);
    if (fd != STDIN_FILENO)
        close(fd);
    if (st != INPUT_OK)
        return st;
    return decode_raw(out, len, max_bytes, errbuf, errcap);
}

/* ---- shared helpers for the parsers ---- */

void input_report(struct parse_ctx *c, long line, enum input_status st, int fatal, const char *fmt, ...)
{
    char reason[512];
    va_list ap;

    if (!c->err)
        return;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    c->err(c->name, line, st, fatal, reason, c->ud);
}

char *input_path_id(const struct parse_ctx *c, long line)
{
    const char *p = c->name, *root = c->opts->root;
    char *id;

    if (root && *root) {
        size_t rl = strlen(root);
        while (rl > 1 && root[rl - 1] == '/')
            rl--;
        if (strncmp(p, root, rl) == 0 && p[rl] == '/')
            p += rl + 1;
        else if (rl == 1 && root[0] == '/' && p[0] == '/')
            p += 1;
    }
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    if (line > 0) {
        if (asprintf(&id, "%s#%ld", p, line) < 0)
            return NULL;
        return id;
    }
    return strdup(p);
}

enum input_status input_emit(struct parse_ctx *c, struct article *a, long line, int path_id_with_line)
{
    if (article_set(&a->source, c->name) < 0)
        goto oom;
    a->line = line;
    if (!a->id || !*a->id) {
        free(a->id);
        a->id = a->url && *a->url ? strdup(a->url) : input_path_id(c, path_id_with_line ? line : 0);
        if (!a->id)
            goto oom;
    }
    if (a->lang) {
        /* "en-US", "ZH_cn" -> "en", "zh": the index wants ISO 639-1. */
        char *p;
        for (p = a->lang; *p; p++) {
            if (*p == '-' || *p == '_') {
                *p = '\0';
                break;
            }
            if (*p >= 'A' && *p <= 'Z')
                *p += 'a' - 'A';
        }
    }
    if (!a->lang || !*a->lang) {
        struct buf b = { 0 };
        buf_add(&b, a->title, strlen(a->title));
        buf_add(&b, "\n", 1);
        buf_add(&b, a->body, strlen(a->body));
        if (b.oom || article_set(&a->lang, article_detect_lang(b.s, b.len)) < 0) {
            buf_free(&b);
            goto oom;
        }
        buf_free(&b);
    }
    if (c->cb) {
        if (c->cb(a, c->ud) != 0)
            c->stop = 1;
    } else {
        article_free(a);
    }
    return INPUT_OK;
oom:
    article_free(a);
    return INPUT_ERR_NOMEM;
}

const char *input_trim(const char *s, size_t *len)
{
    size_t n = *len;

    for (;;) {
        if (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\f' || *s == '\v')) {
            s++;
            n--;
        } else if (n >= 2 && memcmp(s, "\xC2\xA0", 2) == 0) {
            s += 2;
            n -= 2;
        } else if (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0) {
            s += 3;
            n -= 3;
        } else {
            break;
        }
    }
    for (;;) {
        if (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\f' ||
                  s[n - 1] == '\v'))
            n--;
        else if (n >= 2 && memcmp(s + n - 2, "\xC2\xA0", 2) == 0)
            n -= 2;
        else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
            n -= 3;
        else
            break;
    }
    *len = n;
    return s;
}

/* ---- format detection and dispatch ---- */

static int has_suffix(const char *name, const char *suf)
{
    size_t n = strlen(name), s = strlen(suf);
    return n >= s && strcasecmp(name + n - s, suf) == 0;
}

static int name_is(const char *name, const char *ext)
{
    char gz[32];
    snprintf(gz, sizeof(gz), "%s.gz", ext);
    return has_suffix(name, ext) || has_suffix(name, gz);
}

static enum input_format detect(const char *name, const char *t, size_t len)
{
    static const char *const tags[] = { "!doctype", "html", "head", "body", "!--", "?xml", "meta",
                                        "title", "div", "p", "main", "article", "section", "h1",
                                        "h2", "h3", "link", "script", "style", "span", "a", "table",
                                        "ul", "header", "nav", "br", NULL };
    size_t i = 0, k;

    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n'))
        i++;
    if (i < len && t[i] == '{')
        return INPUT_JSONL;
    if (i < len && t[i] == '<') {
        const char *p = t + i + 1;
        size_t left = len - i - 1;
        for (k = 0; tags[k]; k++) {
            size_t tl = strlen(tags[k]);
            if (left > tl && strncasecmp(p, tags[k], tl) == 0 &&
                (tags[k][0] == '!' && tl == 3 ? 1 : !((p[tl] >= 'a' && p[tl] <= 'z') ||
                                                      (p[tl] >= 'A' && p[tl] <= 'Z') ||
                                                      (p[tl] >= '0' && p[tl] <= '9'))))
                return INPUT_HTML;
        }
    }
    /* Content is not clearly JSON or HTML: let the name decide. */
    if (name_is(name, ".jsonl") || name_is(name, ".ndjson"))
        return INPUT_JSONL;
    if (name_is(name, ".html") || name_is(name, ".htm") || name_is(name, ".xhtml"))
        return INPUT_HTML;
    return INPUT_TEXT;
}

/* data: decompressed, checked bytes (any encoding damage still there). */
static enum input_status parse_checked(struct parse_ctx *c, const char *data, size_t len)
{
    enum input_format fmt = c->opts->format;
    size_t tlen, nbad, trimmed;
    long badline = first_bad_utf8(data, len, &nbad);
    char *text = input_utf8_repair(data, len, &tlen, NULL);
    const char *t;
    enum input_status st;

    if (!text) {
        input_report(c, 0, INPUT_ERR_NOMEM, 1, "out of memory");
        return INPUT_ERR_NOMEM;
    }
    if (badline)
        input_report(c, badline, INPUT_ERR_ENCODING, 0,
                     "invalid UTF-8: %zu bad sequence%s replaced with U+FFFD (first on this line)", nbad,
                     nbad == 1 ? "" : "s");
    t = text;
    if (tlen >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0) {
        t += 3;
        tlen -= 3;
    }
    trimmed = tlen;
    input_trim(t, &trimmed);
    if (trimmed == 0) {
        free(text);
        input_report(c, 0, INPUT_ERR_EMPTY, 1, "only white space");
        return INPUT_ERR_EMPTY;
    }
    if (fmt == INPUT_AUTO)
        fmt = detect(c->name, t, tlen);
    switch (fmt) {
    case INPUT_JSONL: st = parse_jsonl_run(c, t, tlen); break;
    case INPUT_HTML: st = parse_html_run(c, t, tlen); break;
    default: st = parse_text_run(c, t, tlen); break;
    }
    free(text);
    if (st == INPUT_ERR_NOMEM)
        input_report(c, 0, st, 1, "out of memory");
    return st;
}

enum input_status input_parse_buffer(const char *name, const char *data, size_t len,
                                     const struct input_opts *opts, input_article_cb cb, input_error_cb err,
                                     void *ud)
{
    static const struct input_opts defaults = { INPUT_AUTO, NULL, 0 };
    struct parse_ctx c = { name ? name : "(buffer)", opts ? opts : &defaults, cb, err, ud, 0, 0 };
    size_t max = c.opts->max_bytes ? c.opts->max_bytes : DEFAULT_MAX_BYTES;
    char errbuf[256] = "";
    enum input_status st;

    if (is_gzip(data, len)) {
        char *plain;
        size_t plen;
        st = input_gunzip(data, len, max, &plain, &plen, errbuf, sizeof(errbuf));
        if (st == INPUT_OK) {
            st = check_text(plain, plen, errbuf, sizeof(errbuf));
            if (st == INPUT_OK)
                st = parse_checked(&c, plain, plen);
            else
                input_report(&c, 0, st, 1, "%s", errbuf);
        } else {
            input_report(&c, 0, st, 1, "%s", errbuf);
        }
        free(plain);
        return st;
    }
    if (len > max) {
        input_report(&c, 0, INPUT_ERR_TOO_BIG, 1, "%zu bytes, more than the limit of %zu", len, max);
        return INPUT_ERR_TOO_BIG;
    }
    st = check_text(data, len, errbuf, sizeof(errbuf));
    if (st != INPUT_OK) {
        input_report(&c, 0, st, 1, "%s", errbuf);
        return st;
    }
    return parse_checked(&c, data, len);
}

/* ---- streaming JSON Lines ----
 *
 * A JSON Lines file larger than STREAM_HEAD is not read whole: zlib's gz*
 * functions read it (plain or gzip alike) and blocks of whole lines are
 * repaired and parsed one at a time, so memory stays bounded by
 * STREAM_BLOCK plus the longest line, whatever the size of the file. Only
 * a line longer than max_bytes is refused (reported, skipped). */
#define STREAM_HEAD ((size_t)1 << 20)
#define STREAM_BLOCK ((size_t)4 << 20)

struct stream {
    struct parse_ctx *c;
    int reported_utf8;
    int first;       /* the next block starts the file (BOM) */
};

static long count_lines(const char *s, size_t len)
{
    long n = 0;
    for (const char *p = s; (p = memchr(p, '\n', len - (size_t)(p - s))); p++)
        n++;
    return n;
}

/* Parse one block of whole lines (it ends with '\n' unless it is the
 * end of the file). */
static enum input_status stream_block(struct stream *sm, const char *data, size_t len)
{
    struct parse_ctx *c = sm->c;
    size_t tlen, nbad;
    long badline = first_bad_utf8(data, len, &nbad);
    if (badline && !sm->reported_utf8) {
        input_report(c, c->line_base + badline, INPUT_ERR_ENCODING, 0,
                     "invalid UTF-8: bad sequences replaced with U+FFFD (first on this line)");
        sm->reported_utf8 = 1;
    }
    char *text = input_utf8_repair(data, len, &tlen, NULL);
    if (!text)
        return INPUT_ERR_NOMEM;
    const char *t = text;
    if (sm->first && tlen >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0) {
        t += 3;
        tlen -= 3;
    }
    sm->first = 0;
    enum input_status st = parse_jsonl_run(c, t, tlen);
    free(text);
    c->line_base += count_lines(data, len);
    return st;
}

/* Read until buf holds `want` bytes or the file ends. -1 on a read error. */
static long gz_fill(gzFile gz, char *buf, size_t want)
{
    size_t got = 0;
    while (got < want) {
        unsigned ask = (unsigned)(want - got > (1u << 30) ? (1u << 30) : want - got);
        int r = gzread(gz, buf + got, ask);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (long)got;
}

static enum input_status stream_jsonl(struct parse_ctx *c, gzFile gz, char *buf, size_t have, size_t max)
{
    struct stream sm = { c, 0, 1 };
    size_t cap = STREAM_BLOCK * 2;
    char *b = realloc(buf, cap + 1);
    if (!b) {
        free(buf);
        input_report(c, 0, INPUT_ERR_NOMEM, 1, "out of memory");
        return INPUT_ERR_NOMEM;
    }
    buf = b;
    int eof = 0, skipping = 0;
    enum input_status st = INPUT_OK;
    while (!c->stop) {
        /* Hand over every whole line in the buffer. */
        char *last = have ? memrchr(buf, '\n', have) : NULL;
        if (last && !skipping) {
            size_t n = (size_t)(last - buf) + 1;
            st = stream_block(&sm, buf, n);
            if (st != INPUT_OK)
                break;
            memmove(buf, buf + n, have - n);
            have -= n;
        } else if (last && skipping) {
            size_t n = (size_t)(last - buf) + 1;
            c->line_base += count_lines(buf, n);
            memmove(buf, buf + n, have - n);
            have -= n;
            skipping = 0;
            continue;
        }
        if (eof) {
            int zerr = Z_OK;
            const char *msg = gzerror(gz, &zerr);
            if (zerr != Z_OK && zerr != Z_STREAM_END) {
                /* a truncated stream ends "cleanly" with its last line cut */
                st = INPUT_ERR_GZIP;
                input_report(c, c->line_base + 1, st, 1, "corrupt or truncated gzip data after line %ld: %s",
                             c->line_base, msg ? msg : "read error");
            } else if (have && !skipping) {
                st = stream_block(&sm, buf, have);
            }
            break;
        }
        if (have >= max && !skipping) {
            /* One line longer than the limit: refuse it, skip to its end. */
            input_report(c, c->line_base + 1, INPUT_ERR_TOO_BIG, 0, "line longer than the limit of %zu bytes, skipped",
                         max);
            skipping = 1;
            have = 0;
        } else if (skipping) {
            have = 0;
        }
        if (cap - have < STREAM_BLOCK) {
            size_t ncap = have + STREAM_BLOCK * 2;
            b = realloc(buf, ncap + 1);
            if (!b) {
                st = INPUT_ERR_NOMEM;
                input_report(c, 0, st, 1, "out of memory");
                break;
            }
            buf = b;
            cap = ncap;
        }
        long r = gz_fill(gz, buf + have, STREAM_BLOCK);
        if (r < 0) {
            int zerr;
            const char *msg = gzerror(gz, &zerr);
            st = INPUT_ERR_GZIP;
            input_report(c, c->line_base + 1, st, 1, "corrupt or truncated gzip data after line %ld: %s",
                         c->line_base, msg ? msg : "read error");
            break;
        }
        if ((size_t)r < STREAM_BLOCK)
            eof = 1;
        have += (size_t)r;
    }
    free(buf);
    return st;
}

/* Open path ("-": stdin) for zlib reading, and read its first bytes. If
 * the file is JSON Lines and longer than STREAM_HEAD, stream it and return
 * 1 with *st set; return 0 (nothing consumed, gz closed) for the whole-
 * file path. */
static int try_stream(struct parse_ctx *c, const char *path, enum input_status *st)
{
    int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || (S_ISREG(sb.st_mode) && (size_t)sb.st_size <= 65536) ||
        S_ISDIR(sb.st_mode) || strcmp(path, "-") == 0) {
        /* small files, directories and stdin: the whole-file path (a
         * pipe cannot be read twice) */
        close(fd);
        return 0;
    }
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        return 0;
    }
    gzbuffer(gz, 256 * 1024);
    char *head = malloc(STREAM_HEAD + 1);
    long n = head ? gz_fill(gz, head, STREAM_HEAD) : -1;
    enum input_format fmt = c->opts->format;
    if (n > 0 && fmt == INPUT_AUTO) {
        size_t skip = (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
        fmt = detect(c->name, head + skip, (size_t)n - skip);
    }
    if (n <= 0 || (size_t)n < STREAM_HEAD || fmt != INPUT_JSONL) {
        free(head);
        gzclose(gz);
        return 0;
    }
    char errbuf[256] = "";
    size_t probe = (size_t)n < 8192 ? (size_t)n : 8192;
    if (check_text(head, probe, errbuf, sizeof errbuf) != INPUT_OK) {
        free(head);
        gzclose(gz);
        return 0; /* the whole-file path reports it */
    }
    size_t max = c->opts->max_bytes ? c->opts->max_bytes : DEFAULT_MAX_BYTES;
    *st = stream_jsonl(c, gz, head, (size_t)n, max);
    gzclose(gz);
    return 1;
}

enum input_status input_parse_file(const char *path, const struct input_opts *opts, input_article_cb cb,
                                   input_error_cb err, void *ud)
{
    static const struct input_opts defaults = { INPUT_AUTO, NULL, 0 };
    struct parse_ctx c = { path, opts ? opts : &defaults, cb, err, ud, 0, 0 };
    char errbuf[256] = "";
    char *data;
    size_t len;
    enum input_status st;

    if (try_stream(&c, path, &st))
        return st;
    st = input_read_file(path, c.opts->max_bytes, &data, &len, errbuf, sizeof(errbuf));
    if (st != INPUT_OK) {
        input_report(&c, 0, st, 1, "%s", errbuf);
        return st;
    }
    st = parse_checked(&c, data, len);
    free(data);
    return st;
}
