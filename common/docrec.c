/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "docrec.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "schema.h"

static int set_str(json_t *o, const char *key, const char *s)
{
    if (!s)
        return 0;
    return json_object_set_new(o, key, json_string(s));
}

int docrec_link_kind(const char *name)
{
    for (int k = 0; k < LINK__COUNT; k++)
        if (strcmp(link_kind_name((enum link_kind)k), name) == 0)
            return k;
    return -1;
}

int docrec_encode(const struct article *a, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    json_t *o = json_object();
    if (!o)
        return -1;
    set_str(o, "id", a->id);
    set_str(o, "url", a->url);
    set_str(o, "title", a->title);
    set_str(o, "category", a->category);
    set_str(o, "lang", a->lang);
    set_str(o, "date", a->date);
    set_str(o, "source", a->source);
    if (a->line)
        json_object_set_new(o, "line", json_integer(a->line));
    json_t *hs = json_array();
    for (size_t i = 0; i < a->n_headings; i++)
        json_array_append_new(hs, json_string(a->headings[i]));
    json_object_set_new(o, "headings", hs);
    json_t *ls = json_array();
    for (size_t i = 0; i < a->n_links; i++) {
        const struct link *l = &a->links[i];
        json_t *lo = json_object();
        set_str(lo, "k", link_kind_name(l->kind));
        set_str(lo, "t", l->title);
        set_str(lo, "g", l->target);
        json_array_append_new(ls, lo);
    }
    json_object_set_new(o, "links", ls);
    if (a->body) {
        size_t bl = strlen(a->body);
        if (bl > SCHEMA_MAX_STORED_BODY) {
            bl = SCHEMA_MAX_STORED_BODY;
            while (bl > 0 && ((unsigned char)a->body[bl] & 0xC0) == 0x80)
                bl--;
        }
        json_object_set_new(o, "body", json_stringn(a->body, bl));
    }
    char *js = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!js)
        return -1;
    size_t jl = strlen(js);
    uLongf cap = compressBound(jl);
    char *buf = malloc(cap + 1);
    if (!buf) {
        free(js);
        return -1;
    }
    buf[0] = 'z';
    if (compress2((Bytef *)buf + 1, &cap, (const Bytef *)js, jl, 6) != Z_OK) {
        free(js);
        free(buf);
        return -1;
    }
    free(js);
    *out = buf;
    *len = cap + 1;
    return 0;
}

/* Inflate the record's JSON. With `stop` (the body's key: the encoder
 * writes it last), inflation stops once stop is out, and the text is cut
 * there and closed with "}": a result list never inflates nor parses the
 * body. (An unescaped '"' cannot occur inside a JSON string, so stop is
 * only ever found as a key.) */
static char *inflate_all(const char *data, size_t len, const char *stop, size_t *outlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK)
        return NULL;
    size_t cap = stop ? 1024 : len * 4 + 256, used = 0;
    size_t stop_len = stop ? strlen(stop) : 0;
    char *buf = malloc(cap + 2);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    int rc = Z_OK;
    while (buf && rc != Z_STREAM_END) {
        if (used == cap) {
            if (cap > (size_t)256 << 20)
                break; /* far more than we ever store */
            cap *= 2;
            char *nb = realloc(buf, cap + 2);
            if (!nb)
                break;
            buf = nb;
        }
        size_t before = used;
        zs.next_out = (Bytef *)buf + used;
        zs.avail_out = (uInt)(cap - used);
        rc = inflate(&zs, Z_NO_FLUSH);
        used = cap - zs.avail_out;
        if (rc != Z_OK && rc != Z_STREAM_END)
            break;
        if (stop && used >= stop_len) {
            size_t from = before >= stop_len ? before - stop_len + 1 : 0;
            buf[used] = '\0';
            char *hit = memmem(buf + from, used - from, stop, stop_len);
            if (hit) {
                used = (size_t)(hit - buf);
                buf[used++] = '}';
                rc = Z_STREAM_END;
            }
        }
    }
    inflateEnd(&zs);
    if (!buf || rc != Z_STREAM_END) {
        free(buf);
        return NULL;
    }
    buf[used] = '\0';
    *outlen = used;
    return buf;
}

static const char *get_str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int docrec_decode(const char *data, size_t len, int with_body, struct article **out)
{
    *out = NULL;
    if (len < 2 || data[0] != 'z')
        return -1;
    size_t jl = 0;
    char *js = inflate_all(data + 1, len - 1, with_body ? NULL : ",\"body\":", &jl);
    if (!js)
        return -1;
    json_t *o = json_loadb(js, jl, 0, NULL);
    free(js);
    if (!json_is_object(o)) {
        json_decref(o);
        return -1;
    }
    struct article *a = article_new();
    int bad = !a;
    if (a) {
        bad |= article_set(&a->id, get_str(o, "id")) != 0;
        bad |= article_set(&a->url, get_str(o, "url")) != 0;
        bad |= article_set(&a->title, get_str(o, "title") ? get_str(o, "title") : "") != 0;
        bad |= article_set(&a->category, get_str(o, "category")) != 0;
        bad |= article_set(&a->lang, get_str(o, "lang")) != 0;
        bad |= article_set(&a->date, get_str(o, "date")) != 0;
        bad |= article_set(&a->source, get_str(o, "source")) != 0;
        json_t *line = json_object_get(o, "line");
        a->line = json_is_integer(line) ? (long)json_integer_value(line) : 0;
        if (with_body)
            bad |= article_set(&a->body, get_str(o, "body") ? get_str(o, "body") : "") != 0;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(o, "headings"), i, v)
            if (json_is_string(v))
                bad |= article_add_heading(a, json_string_value(v)) != 0;
        json_array_foreach(json_object_get(o, "links"), i, v) {
            const char *k = get_str(v, "k");
            int kind = k ? docrec_link_kind(k) : -1;
            if (kind >= 0)
                bad |= article_add_link(a, (enum link_kind)kind, get_str(v, "t"), get_str(v, "g"), NULL) != 0;
        }
        if (!a->id)
            bad = 1;
    }
    json_decref(o);
    if (bad) {
        article_free(a);
        return -1;
    }
    *out = a;
    return 0;
}
