/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse: what the three format parsers share (parse.h): reporting a
 * problem, the id of a url-less article, finishing and handing out an
 * article, trimming. Kept apart from input.c so that the parsers depend
 * only on this file and input.c only on the parsers (no cycle). */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void parse_report(struct parse_ctx *c, long line, enum input_status st, int fatal, const char *fmt, ...)
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

char *parse_path_id(const struct parse_ctx *c, long line)
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

enum input_status parse_emit(struct parse_ctx *c, struct article *a, long line, int path_id_with_line)
{
    if (article_set(&a->source, c->name) < 0)
        goto oom;
    a->line = line;
    if (!a->id || !*a->id) {
        free(a->id);
        a->id = NULL;
        if (a->url && *a->url) {
            a->id = strdup(a->url);
        } else if (strcmp(c->name, "-") == 0) {
            /* Every article on stdin would be "-": one would replace the other. */
            if (!c->opts->stdin_id || !*c->opts->stdin_id) {
                parse_report(c, line, INPUT_ERR_PARSE, 0,
                             "an article on standard input without an id (no JSONL \"id\", no URL): give one "
                             "with --stdin-id ID");
                article_free(a);
                return INPUT_OK;
            }
            if (path_id_with_line && line > 0) {
                if (asprintf(&a->id, "%s#%ld", c->opts->stdin_id, line) < 0)
                    a->id = NULL;
            } else {
                a->id = strdup(c->opts->stdin_id);
            }
        } else {
            a->id = parse_path_id(c, path_id_with_line ? line : 0);
        }
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

const char *parse_trim(const char *s, size_t *len)
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
