/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse: private glue between input.c and the three format parsers
 * (parse_text.c, parse_jsonl.c, parse_html.c). Not for other modules.
 *
 * input.c reads, gunzips, checks and repairs the data, then calls one
 * parser; the parsers use only the helpers below (parse.c), never
 * input.c, so the dependency runs one way. Each parser gets text that is valid UTF-8, NUL-terminated, without NUL
 * bytes, without '\r' (CRLF and lone CR became '\n') and without a BOM.
 */
#ifndef MEDSEARCH_PARSE_H
#define MEDSEARCH_PARSE_H

#include <stddef.h>
#include "article.h"
#include "buf.h"
#include "reader.h"


struct parse_ctx {
    const char *name;              /* source name: path, "-" or buffer name */
    const struct input_opts *opts; /* never NULL */
    input_article_cb cb;
    input_error_cb err;
    void *ud;
    int stop;                      /* cb asked to stop */
    long line_base;                /* lines before this text (a streamed file's block) */
    /* A streamed file tells opts->on_progress after each line: the file
     * position is pos_base + (offset in this text) * pos_scale (the bytes
     * on disk per byte of text; 0: no per-line progress). */
    double pos_base, pos_scale;
};

/* Report a problem through ctx->err (if any); reason is printf-style. */
void parse_report(struct parse_ctx *c, long line, enum input_status st, int fatal, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The id of a url-less article: the source path under opts->root, plus
 * "#line" when line > 0. malloc'd, NULL when out of memory. */
char *parse_path_id(const struct parse_ctx *c, long line);
/* Finish `a` (source, line, id from url or path when unset, lang by
 * detection when unset) and hand it to ctx->cb, which takes ownership.
 * Returns INPUT_OK, or INPUT_ERR_NOMEM (a is freed). Sets c->stop when
 * the callback asked to stop. */
enum input_status parse_emit(struct parse_ctx *c, struct article *a, long line, int path_id_with_line);

/* Trim ASCII white space, NBSP (U+00A0) and the ideographic space
 * (U+3000) from both ends of s[0..*len); returns the new start. */
const char *parse_trim(const char *s, size_t *len);

/* The parsers. Return INPUT_OK when the text was consumed (bad records
 * are reported and skipped), INPUT_ERR_NOMEM otherwise. */
enum input_status parse_text_run(struct parse_ctx *c, const char *text, size_t len);
enum input_status parse_jsonl_run(struct parse_ctx *c, const char *text, size_t len);
enum input_status parse_html_run(struct parse_ctx *c, const char *text, size_t len);

/* htmlmeta.c: refine an HTML article's title, date and category from
 * what the page says about itself (og:title, article:published_time,
 * <time>, JSON-LD, breadcrumbs; see there). root is the document's root
 * element, main_el the main text's. Returns 0, or -1 when out of memory. */
struct _xmlNode;
int htmlmeta_apply(struct article *a, struct _xmlNode *root, struct _xmlNode *main_el);

/* parse_html.c, for both HTML readers: the pre-order walk without
 * recursion (the next node after n inside root, descending into children
 * unless skip_children), and whether n is the element called name (any
 * case). */
struct _xmlNode *html_next(struct _xmlNode *n, const struct _xmlNode *root, int skip_children);
int html_is(const struct _xmlNode *n, const char *name);

#endif
