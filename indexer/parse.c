/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse: what the three format parsers share (parse.h): reporting a
 * problem, the id of a url-less article, finishing and handing out an
 * article, trimming. Kept apart from input.c so that the parsers depend
 * only on this file and input.c only on the parsers (no cycle). */
#include "parse.h"
#include "urltemplate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Folder names that say nothing about the topic: containers of a scrape
 * or of a format. */
static const char *const generic_dirs[] = {
    "extra", "pages", "page", "html", "htm", "site", "sites", "www", "public", "public_html", "content",
    "contents", "articles", "article", "posts", "data", "raw", "gz", "txt", "text", "json", "jsonl", "scraped",
    "scrape", "crawl", "misc", "other", "docs", "files", "input", "corpus", "archive", NULL
};

/* A language code folder: "en", "zh", "pt-br", "zh_hans". */
static int is_lang_dir(const char *s, size_t n)
{
    if (n < 2 || !(s[0] >= 'a' && s[0] <= 'z') || !(s[1] >= 'a' && s[1] <= 'z'))
        return 0;
    if (n == 2)
        return 1;
    return (s[2] == '-' || s[2] == '_') && n <= 7;
}

/* The category of an article whose page names none: the first folder
 * under the input root that is neither a language code nor a generic
 * container ("en/sleep/x.txt" -> "sleep"; "extra/pages/x.html" -> none).
 * Never the root's own name: rel is the path under it. */
static int dir_category(struct article *a, const char *rel)
{
    for (const char *p = rel; *p;) {
        size_t n = strcspn(p, "/");
        if (p[n] != '/')
            break; /* the file name */
        int skip = n == 0 || n > 64 || is_lang_dir(p, n) || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.');
        for (size_t i = 0; !skip && generic_dirs[i]; i++)
            skip = strlen(generic_dirs[i]) == n && strncasecmp(generic_dirs[i], p, n) == 0;
        if (!skip) {
            char cat[65];
            memcpy(cat, p, n);
            cat[n] = '\0';
            return article_set(&a->category, cat);
        }
        p += n + 1;
    }
    return 0;
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
    if ((!a->category || !*a->category || (!a->url && c->opts->url_template)) && strcmp(c->name, "-") != 0) {
        char *rel = parse_path_id(c, 0);
        int rc = rel ? 0 : -1;
        if (rc == 0 && (!a->category || !*a->category))
            rc = dir_category(a, rel);
        if (rc == 0 && !a->url && c->opts->url_template) {
            a->url = urltemplate_apply(c->opts->url_template, rel, a->id);
            rc = a->url ? 0 : -1;
        }
        free(rel);
        if (rc < 0)
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
