/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzzutil: the checks shared by the fuzz targets (fuzz.h). */
#include "fuzz.h"

#include <stdarg.h>

#include "utf8.h"

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: invariant broken: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

int fuzz_utf8_valid(const char *str, size_t n) { return utf8_valid(str, n); }

/* ---- parsers ---------------------------------------------------------------- */

#include <string.h>

static void check_str(const char *what, const char *s, int may_be_null)
{
    if (!s) {
        if (!may_be_null)
            fuzz_fail("article %s is NULL", what);
        return;
    }
    if (!fuzz_utf8_valid(s, strlen(s)))
        fuzz_fail("article %s is not valid UTF-8", what);
}

static int is_iso_date(const char *d)
{
    static const char shape[] = "dddd-dd-dd";
    if (strlen(d) != sizeof shape - 1)
        return 0;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !(d[i] >= '0' && d[i] <= '9') : d[i] != shape[i])
            return 0;
    return 1;
}

static int on_article(struct article *a, void *ud)
{
    size_t *count = ud;
    ++*count;
    check_str("id", a->id, 0);
    if (!a->id[0])
        fuzz_fail("article id is empty");
    check_str("url", a->url, 1);
    check_str("title", a->title, 0);
    check_str("body", a->body, 0);
    check_str("category", a->category, 1);
    check_str("lang", a->lang, 1);
    check_str("date", a->date, 1);
    if (a->date && !is_iso_date(a->date))
        fuzz_fail("article date '%s' is not YYYY-MM-DD", a->date);
    check_str("source", a->source, 0);
    if (a->line < 0)
        fuzz_fail("article line %ld < 0", a->line);
    if (a->n_headings && !a->headings)
        fuzz_fail("headings count without an array");
    for (size_t i = 0; i < a->n_headings; i++)
        check_str("heading", a->headings[i], 0);
    if (a->n_links && !a->links)
        fuzz_fail("links count without an array");
    for (size_t i = 0; i < a->n_links; i++) {
        const struct link *l = &a->links[i];
        if ((unsigned)l->kind >= LINK__COUNT)
            fuzz_fail("link kind %d", (int)l->kind);
        check_str("link title", l->title, 1);
        check_str("link target", l->target, 1);
        check_str("link snippet", l->snippet, 1);
    }
    for (size_t i = 0; i < a->n_meta; i++) {
        check_str("meta key", a->meta_keys[i], 0);
        check_str("meta value", a->meta_values[i], 0);
    }
    char *dump = article_dump(a);
    if (!dump)
        fuzz_fail("article_dump returned NULL");
    free(dump);
    article_free(a);
    return 0;
}

static void on_error(const char *file, long line, enum input_status st, int fatal, const char *reason, void *ud)
{
    (void)ud;
    if (!file || !reason)
        fuzz_fail("error callback with a NULL file or reason");
    if (line < 0 || (unsigned)st > INPUT_ERR_NOMEM || st == INPUT_OK || (fatal != 0 && fatal != 1))
        fuzz_fail("error callback: line %ld status %d fatal %d", line, (int)st, fatal);
    if (!input_status_name(st))
        fuzz_fail("no name for status %d", (int)st);
}

void fuzz_parse(const uint8_t *data, size_t size, enum input_format fmt, const char *name)
{
    /* A cap well below the default keeps gzip bombs from eating the
     * fuzzer's memory limit; the code path is the same. */
    struct input_opts opts = { fmt, NULL, 4u << 20, NULL, NULL, NULL, NULL };
    size_t count = 0;
    enum input_status st = input_parse_buffer(name, (const char *)data, size, &opts, on_article, on_error, &count);
    if ((unsigned)st > INPUT_ERR_NOMEM)
        fuzz_fail("input_parse_buffer returned %d", (int)st);
    if (st == INPUT_ERR_NOMEM)
        fuzz_fail("out of memory on a %zu-byte input", size);
}
