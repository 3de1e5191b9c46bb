/* SPDX-License-Identifier: GPL-2.0-or-later */
/* input: format detection and dispatch to the parsers (parse_*.c), the
 * parsers' shared helpers, and streaming of large JSON Lines files. The
 * file reading, gunzip and sanity checks are common/textfile.c. */
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

#include "charset.h"
#include "utf8.h"

#define DEFAULT_MAX_BYTES ((size_t)256 << 20)

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

/* Convert data[0..len) to UTF-8 when charset.c says it is in another
 * encoding: returns the malloc'd UTF-8 text (and its length), or NULL
 * when it stays as it is (UTF-8, or a conversion that failed: reported). */
static char *to_utf8(struct parse_ctx *c, const char *data, size_t len, int is_html, size_t *outlen)
{
    struct charset_choice cc;
    char eb[256], *conv;
    size_t bad;

    if (!charset_choose(data, len, is_html, &cc))
        return NULL;
    if (charset_to_utf8(cc.name, data + cc.skip, len - cc.skip, &conv, outlen, &bad, eb, sizeof eb) != 0) {
        parse_report(c, 0, INPUT_ERR_ENCODING, 0, "%s (%s); read as UTF-8 instead", eb, cc.how);
        return NULL;
    }
    if (c->opts->on_charset)
        c->opts->on_charset(c->name, cc.name, cc.how, c->ud);
    if (bad)
        parse_report(c, 0, INPUT_ERR_ENCODING, 0, "read as %s (%s): %zu byte sequence%s not valid in it replaced with U+FFFD",
                     cc.name, cc.how, bad, bad == 1 ? "" : "s");
    return conv;
}

/* data: decompressed, checked bytes in any encoding. */
static enum input_status parse_checked(struct parse_ctx *c, const char *data, size_t len)
{
    enum input_format fmt = c->opts->format;
    size_t tlen, nbad, trimmed, clen = 0;
    size_t skip = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    enum input_format guess = fmt != INPUT_AUTO ? fmt : detect(c->name, data + skip, len - skip);
    char *conv = to_utf8(c, data, len, guess == INPUT_HTML, &clen);
    if (conv) {
        data = conv;
        len = clen;
    }
    long badline = input_first_bad_utf8(data, len, &nbad);
    char *text = input_utf8_repair(data, len, &tlen, NULL);
    const char *t;
    enum input_status st;

    free(conv);
    if (!text) {
        parse_report(c, 0, INPUT_ERR_NOMEM, 1, "out of memory");
        return INPUT_ERR_NOMEM;
    }
    if (badline)
        parse_report(c, badline, INPUT_ERR_ENCODING, 0,
                     "invalid UTF-8: %zu bad sequence%s replaced with U+FFFD (first on this line)", nbad,
                     nbad == 1 ? "" : "s");
    t = text;
    if (tlen >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0) {
        t += 3;
        tlen -= 3;
    }
    trimmed = tlen;
    parse_trim(t, &trimmed);
    if (trimmed == 0) {
        free(text);
        parse_report(c, 0, INPUT_ERR_EMPTY, 1, "only white space");
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
        parse_report(c, 0, st, 1, "out of memory");
    return st;
}

enum input_status input_parse_buffer(const char *name, const char *data, size_t len,
                                     const struct input_opts *opts, input_article_cb cb, input_error_cb err,
                                     void *ud)
{
    static const struct input_opts defaults = { INPUT_AUTO, NULL, 0, NULL, NULL, NULL, NULL };
    struct parse_ctx c = { name ? name : "(buffer)", opts ? opts : &defaults, cb, err, ud, 0, 0, 0, 0 };
    size_t max = c.opts->max_bytes ? c.opts->max_bytes : DEFAULT_MAX_BYTES;
    char errbuf[256] = "";
    enum input_status st;

    if (input_is_gzip(data, len)) {
        char *plain;
        size_t plen;
        st = input_gunzip(data, len, max, &plain, &plen, errbuf, sizeof(errbuf));
        if (st == INPUT_OK) {
            st = input_check_text(plain, plen, errbuf, sizeof(errbuf));
            if (st == INPUT_OK)
                st = parse_checked(&c, plain, plen);
            else
                parse_report(&c, 0, st, 1, "%s", errbuf);
        } else {
            parse_report(&c, 0, st, 1, "%s", errbuf);
        }
        free(plain);
        return st;
    }
    if (len > max) {
        parse_report(&c, 0, INPUT_ERR_TOO_BIG, 1, "%zu bytes, more than the limit of %zu", len, max);
        return INPUT_ERR_TOO_BIG;
    }
    st = input_check_text(data, len, errbuf, sizeof(errbuf));
    if (st != INPUT_OK) {
        parse_report(&c, 0, st, 1, "%s", errbuf);
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
    const char *charset; /* convert each block from it (NULL: UTF-8) */
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
    size_t tlen, nbad, raw_len = len;
    const char *raw = data;
    char *conv = NULL;
    if (sm->charset) {
        /* blocks end at '\n', never a trail byte in these encodings */
        char eb[256];
        size_t bad;
        if (charset_to_utf8(sm->charset, data, len, &conv, &tlen, &bad, eb, sizeof eb) != 0) {
            parse_report(c, c->line_base + 1, INPUT_ERR_NOMEM, 1, "%s", eb);
            return INPUT_ERR_NOMEM;
        }
        data = conv;
        len = tlen;
    }
    long badline = input_first_bad_utf8(data, len, &nbad);
    if (badline && !sm->reported_utf8) {
        parse_report(c, c->line_base + badline, INPUT_ERR_ENCODING, 0,
                     "invalid UTF-8: bad sequences replaced with U+FFFD (first on this line)");
        sm->reported_utf8 = 1;
    }
    char *text = input_utf8_repair(data, len, &tlen, NULL);
    free(conv);
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
    c->line_base += count_lines(raw, raw_len);
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

static enum input_status stream_jsonl(struct parse_ctx *c, gzFile gz, char *buf, size_t have, size_t max,
                                      const char *charset)
{
    struct stream sm = { c, 0, 1, charset };
    size_t cap = STREAM_BLOCK * 2;
    char *b = realloc(buf, cap + 1);
    if (!b) {
        free(buf);
        parse_report(c, 0, INPUT_ERR_NOMEM, 1, "out of memory");
        return INPUT_ERR_NOMEM;
    }
    buf = b;
    size_t read_total = have, consumed = 0; /* bytes of text read, handed to the parser */
    int eof = 0, skipping = 0;
    enum input_status st = INPUT_OK;
    while (!c->stop) {
        /* Hand over every whole line in the buffer. */
        char *last = have ? memrchr(buf, '\n', have) : NULL;
        if (last && !skipping) {
            size_t n = (size_t)(last - buf) + 1;
            /* progress per line: bytes on disk per byte of text so far */
            c->pos_scale = read_total > 0 ? (double)gzoffset(gz) / (double)read_total : 1.0;
            c->pos_base = (double)consumed * c->pos_scale;
            consumed += n;
            st = stream_block(&sm, buf, n);
            c->pos_scale = 0;
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
                parse_report(c, c->line_base + 1, st, 1, "corrupt or truncated gzip data after line %ld: %s",
                             c->line_base, msg ? msg : "read error");
            } else if (have && !skipping) {
                st = stream_block(&sm, buf, have);
            }
            break;
        }
        if (have >= max && !skipping) {
            /* One line longer than the limit: refuse it, skip to its end. */
            parse_report(c, c->line_base + 1, INPUT_ERR_TOO_BIG, 0, "line longer than the limit of %zu bytes, skipped",
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
                parse_report(c, 0, st, 1, "out of memory");
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
            parse_report(c, c->line_base + 1, st, 1, "corrupt or truncated gzip data after line %ld: %s",
                         c->line_base, msg ? msg : "read error");
            break;
        }
        if ((size_t)r < STREAM_BLOCK)
            eof = 1;
        have += (size_t)r;
        read_total += (size_t)r;
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
    if (input_check_text(head, probe, errbuf, sizeof errbuf) != INPUT_OK) {
        free(head);
        gzclose(gz);
        return 0; /* the whole-file path reports it */
    }
    size_t max = c->opts->max_bytes ? c->opts->max_bytes : DEFAULT_MAX_BYTES;
    struct charset_choice cc;
    if (charset_choose(head, (size_t)n, 0, &cc)) {
        if (cc.skip) { /* UTF-16: not split into blocks at '\n' bytes */
            free(head);
            gzclose(gz);
            return 0;
        }
        if (c->opts->on_charset)
            c->opts->on_charset(c->name, cc.name, cc.how, c->ud);
    }
    *st = stream_jsonl(c, gz, head, (size_t)n, max, cc.name[0] ? cc.name : NULL);
    gzclose(gz);
    return 1;
}

enum input_status input_parse_file(const char *path, const struct input_opts *opts, input_article_cb cb,
                                   input_error_cb err, void *ud)
{
    static const struct input_opts defaults = { INPUT_AUTO, NULL, 0, NULL, NULL, NULL, NULL };
    struct parse_ctx c = { path, opts ? opts : &defaults, cb, err, ud, 0, 0, 0, 0 };
    char errbuf[256] = "";
    char *data;
    size_t len;
    enum input_status st;

    if (try_stream(&c, path, &st))
        return st;
    st = input_read_file(path, c.opts->max_bytes, &data, &len, errbuf, sizeof(errbuf));
    if (st != INPUT_OK) {
        parse_report(&c, 0, st, 1, "%s", errbuf);
        return st;
    }
    st = parse_checked(&c, data, len);
    free(data);
    return st;
}
