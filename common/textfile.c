/* SPDX-License-Identifier: GPL-2.0-or-later */
/* textfile: reading a whole text file (plain or gzip) with the sanity
 * checks (empty, binary, size) and UTF-8 repair. Shared by the indexer's
 * input readers and by every program that loads a word list (synonyms). */
#include "textfile.h"

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

long input_first_bad_utf8(const char *s, size_t len, size_t *count)
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

enum input_status input_check_text(const char *data, size_t len, char *errbuf, size_t errcap)
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
    /* Bytes above 0x7F are not evidence: GBK, Big5 or Latin-1 text is
     * mostly or partly such bytes (the reader converts it). */
    for (i = 0; i < n; i++)
        if (u[i] < 0x20 && !strchr("\t\n\r\f\v\x1b", u[i]))
            bad++;
    if (bad * 10 > n * 3) {
        setmsg(errbuf, errcap, "binary data: %zu of the first %zu bytes are control bytes", bad, n);
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

int input_is_gzip(const char *data, size_t len)
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

    if (input_is_gzip(*data, *len)) {
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
    st = input_check_text(*data, *len, errbuf, errcap);
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

