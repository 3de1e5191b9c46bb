/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse_jsonl: one JSON object per line (jansson).
 *
 * Known fields: id, url, title, body (or text), category, lang, date,
 * related (list of ids or titles -> LINK_RELATED). Other string, number
 * and boolean fields are kept as metadata. A bad line (invalid JSON, not
 * an object, neither title nor body) is reported and skipped.
 */
#include "parse.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text of a scalar field (string, integer, real); NULL otherwise.
 * Numbers are printed into buf. */
static const char *scalar(json_t *v, char *buf, size_t cap)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, cap, "%.17g", json_real_value(v));
        return buf;
    }
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    return NULL;
}

static int is_iso_date(const char *s)
{
    int i;

    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return 0;
        } else if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return 1;
}

/* Fill a from obj. Returns 0, -1 out of memory, 1 when the record is
 * unusable (reason set). */
static int fill(struct article *a, json_t *obj, const char **reason)
{
    const char *key;
    json_t *v;
    char num[64];
    int has_title = 0, has_body = 0;

    json_object_foreach(obj, key, v) {
        const char *s = scalar(v, num, sizeof(num));
        int rc = 0;

        if (json_is_null(v))
            continue;
        if (strcmp(key, "related") == 0) {
            size_t i;
            json_t *e;
            if (json_is_string(v)) {
                rc = article_add_link(a, LINK_RELATED, json_string_value(v), json_string_value(v), NULL);
            } else if (json_is_array(v)) {
                json_array_foreach(v, i, e) {
                    const char *t = scalar(e, num, sizeof(num));
                    if (t && *t && article_add_link(a, LINK_RELATED, t, t, NULL) < 0)
                        return -1;
                }
            }
        } else if (!s) {
            continue; /* objects and arrays we do not know */
        } else if (strcmp(key, "id") == 0) {
            rc = article_set(&a->id, *s ? s : NULL);
        } else if (strcmp(key, "url") == 0) {
            rc = article_set(&a->url, *s ? s : NULL);
        } else if (strcmp(key, "title") == 0 && json_is_string(v)) {
            has_title = 1;
            rc = article_set(&a->title, s);
        } else if ((strcmp(key, "body") == 0 || (strcmp(key, "text") == 0 && !has_body)) &&
                   json_is_string(v)) {
            has_body = 1;
            rc = article_set(&a->body, s);
        } else if (strcmp(key, "category") == 0) {
            rc = article_set(&a->category, *s ? s : NULL);
        } else if (strcmp(key, "lang") == 0) {
            rc = article_set(&a->lang, *s ? s : NULL);
        } else if (strcmp(key, "date") == 0 && strlen(s) >= 10 && is_iso_date(s)) {
            char d[11];
            memcpy(d, s, 10);
            d[10] = '\0';
            rc = article_set(&a->date, d);
        } else {
            rc = article_add_meta(a, key, s);
        }
        if (rc < 0)
            return -1;
    }
    if (!has_title && !has_body) {
        *reason = "neither \"title\" nor \"body\"/\"text\"";
        return 1;
    }
    return 0;
}

static enum input_status one_line(struct parse_ctx *c, const char *s, size_t n, long line)
{
    json_error_t e;
    json_t *obj = json_loadb(s, n, JSON_ALLOW_NUL | JSON_DECODE_ANY, &e);
    struct article *a;
    const char *reason = NULL;
    int rc;

    if (!obj) {
        parse_report(c, line, INPUT_ERR_PARSE, 0, "invalid JSON at column %d: %s", e.column, e.text);
        return INPUT_OK;
    }
    if (!json_is_object(obj)) {
        parse_report(c, line, INPUT_ERR_PARSE, 0, "not a JSON object");
        json_decref(obj);
        return INPUT_OK;
    }
    a = article_new();
    if (!a) {
        json_decref(obj);
        return INPUT_ERR_NOMEM;
    }
    rc = fill(a, obj, &reason);
    json_decref(obj);
    if (rc != 0) {
        article_free(a);
        if (rc < 0)
            return INPUT_ERR_NOMEM;
        parse_report(c, line, INPUT_ERR_PARSE, 0, "%s", reason);
        return INPUT_OK;
    }
    return parse_emit(c, a, line, 1);
}

enum input_status parse_jsonl_run(struct parse_ctx *c, const char *text, size_t len)
{
    const char *s = text, *end = text + len;
    long line = c->line_base;

    while (s < end && !c->stop) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        const char *t = parse_trim(s, &n);
        enum input_status st;

        line++;
        s = nl ? nl + 1 : end;
        if (n == 0)
            continue;
        st = one_line(c, t, n, line);
        if (st != INPUT_OK)
            return st;
        if (c->pos_scale > 0 && c->opts->on_progress)
            c->opts->on_progress((unsigned long long)(c->pos_base + (double)(s - text) * c->pos_scale), c->ud);
    }
    return INPUT_OK;
}
