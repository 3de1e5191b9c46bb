/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reader: the types the input readers share: formats, options and the
 * article and problem callbacks (the contracts are in input.h). input.h
 * (the entry points) and parse.h (the parsers) both build on it, so
 * neither includes the other. */
#ifndef MEDSEARCH_READER_H
#define MEDSEARCH_READER_H

#include <stddef.h>
#include "article.h"
#include "textfile.h"

enum input_format { INPUT_AUTO, INPUT_TEXT, INPUT_JSONL, INPUT_HTML };

/* Called for every parsed article. The callee takes ownership of `a`
 * (must article_free it). Return 0 to go on, non-zero to stop reading. */
typedef int (*input_article_cb)(struct article *a, void *ud);
/* Called for every problem. `line` is 0 when the problem is the whole file.
 * `fatal` is 1 when nothing (more) could be read from the file, 0 for a
 * skipped record or a repaired one. */
typedef void (*input_error_cb)(const char *file, long line, enum input_status st, int fatal,
                               const char *reason, void *ud);

struct input_opts {
    enum input_format format; /* INPUT_AUTO unless forced */
    const char *root;         /* input root: ids of url-less articles are paths under it (NULL = path as given) */
    size_t max_bytes;         /* refuse files whose uncompressed size exceeds this (0 = 256 MiB) */
    /* Told once for each file read from an encoding other than UTF-8
     * (charset.h: the ICU converter name and why it was chosen); may be NULL. */
    void (*on_charset)(const char *file, const char *charset, const char *how, void *ud);
    /* The id of an article read from standard input ("-") that has none of
     * its own (no JSONL "id", no URL); "ID#LINE" for the lines of a JSONL
     * stream. NULL: such an article is refused (reported, counted), never
     * given the id "-". */
    const char *stdin_id;
    /* Told how far into the file (its bytes on disk, compressed or not)
     * the reading is, now and then while a large file is streamed; may be NULL. */
    void (*on_progress)(unsigned long long pos, void *ud);
    const char *url_template; /* URL of an article without one (urltemplate.h), NULL = none */
};

#endif
