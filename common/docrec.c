/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "docrec.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "schema.h"
#include "utf8.h"
#include "xap.h"

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

/* ---- the dictionary registry ------------------------------------------- */

struct dict {
    uint32_t id;
    char *bytes;
    size_t len;
};
static struct dict dicts[DOCREC_MAX_DICTS];
static _Atomic size_t n_dicts;      /* entries below are complete */
static _Atomic uint32_t current_id; /* encoding dictionary, 0 none */
static pthread_mutex_t dict_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct dict *dict_find(uint32_t id)
{
    size_t n = atomic_load(&n_dicts);
    for (size_t i = 0; i < n; i++)
        if (dicts[i].id == id)
            return &dicts[i];
    return NULL;
}

uint32_t docrec_dict_add(const char *dict, size_t len)
{
    if (len == 0 || len > DOCREC_DICT_MAX)
        return 0;
    uint32_t id = (uint32_t)adler32(adler32(0L, Z_NULL, 0), (const Bytef *)dict, (uInt)len);
    pthread_mutex_lock(&dict_lock);
    size_t n = atomic_load(&n_dicts);
    const struct dict *d = dict_find(id);
    if (!d && n < DOCREC_MAX_DICTS) {
        char *copy = malloc(len);
        if (copy) {
            memcpy(copy, dict, len);
            dicts[n] = (struct dict){ id, copy, len };
            atomic_store(&n_dicts, n + 1); /* published complete */
            d = &dicts[n];
        }
    }
    pthread_mutex_unlock(&dict_lock);
    return d ? id : 0;
}

void docrec_dict_use(uint32_t id) { atomic_store(&current_id, dict_find(id) ? id : 0); }

uint32_t docrec_dict_current(const char **dict, size_t *len)
{
    uint32_t id = atomic_load(&current_id);
    const struct dict *d = id ? dict_find(id) : NULL;
    if (dict)
        *dict = d ? d->bytes : NULL;
    if (len)
        *len = d ? d->len : 0;
    return d ? id : 0;
}

size_t docrec_dicts_load(void *dbv, uint32_t *last)
{
    xap_db *db = dbv;
    char *list = NULL;
    size_t len = 0, found = 0;
    if (last)
        *last = 0;
    if (xap_db_get_metadata(db, DOCREC_META_LIST, &list, &len) != XAP_OK) {
        free(list);
        return 0;
    }
    for (char *p = list; p && *p;) {
        char *end;
        unsigned long id = strtoul(p, &end, 16);
        if (end == p)
            break;
        char key[64], *d = NULL;
        size_t dl = 0;
        snprintf(key, sizeof key, "%s%08lx", DOCREC_META_DICT, id);
        if (xap_db_get_metadata(db, key, &d, &dl) == XAP_OK && docrec_dict_add(d, dl) == (uint32_t)id) {
            if (last)
                *last = (uint32_t)id;
            found++;
        }
        free(d);
        p = end;
        while (*p == ' ')
            p++;
    }
    free(list);
    return found;
}

/* ---- records ------------------------------------------------------------- */

/* The encoder writes the short fields first, then the headings, the
 * links and the body last: a reader of part of a record stops inflating
 * at one of these keys, and the head block ends at the first. */
static const char HEADINGS_KEY[] = ",\"headings\":";
static const char BODY_KEY[] = ",\"body\":";

/* One zlib stream per thread and direction, reset for each record:
 * deflateInit allocates and clears about 300 KB, which cost more than
 * compressing a 1.5 KB record (MedQuAD: 10 of the build's CPU-seconds,
 * most of it in the kernel's page faults), and inflateInit allocates its
 * state per call. The inflate stream is raw (inflate_all reads the zlib
 * header itself). Freed when the thread exits. */
enum zdir { ZDIR_DEFLATE, ZDIR_INFLATE };
static pthread_key_t zs_key[2];
static int zs_key_ok[2];
static pthread_once_t zs_once = PTHREAD_ONCE_INIT;

static void deflate_free(void *p)
{
    deflateEnd(p);
    free(p);
}

static void inflate_free(void *p)
{
    inflateEnd(p);
    free(p);
}

static void zs_keys_init(void)
{
    zs_key_ok[ZDIR_DEFLATE] = pthread_key_create(&zs_key[ZDIR_DEFLATE], deflate_free) == 0;
    zs_key_ok[ZDIR_INFLATE] = pthread_key_create(&zs_key[ZDIR_INFLATE], inflate_free) == 0;
}

/* This thread's stream for dir, reset; NULL when none can be made. */
static z_stream *thread_stream(enum zdir dir)
{
    pthread_once(&zs_once, zs_keys_init);
    if (!zs_key_ok[dir])
        return NULL;
    z_stream *zs = pthread_getspecific(zs_key[dir]);
    if (zs)
        return (dir == ZDIR_INFLATE ? inflateReset(zs) : deflateReset(zs)) == Z_OK ? zs : NULL;
    zs = calloc(1, sizeof *zs);
    if (!zs)
        return NULL;
    if ((dir == ZDIR_INFLATE ? inflateInit2(zs, -15) : deflateInit(zs, 6)) != Z_OK) {
        free(zs);
        return NULL;
    }
    if (pthread_setspecific(zs_key[dir], zs) != 0) {
        (dir == ZDIR_INFLATE ? inflate_free : deflate_free)(zs);
        return NULL;
    }
    return zs;
}

/* zlib at level 6 (with dictionary d when given) into out (cap bytes).
 * The first head bytes (the short fields: id, url, title, ...) make a
 * block of their own with fixed Huffman codes: reading a record's head
 * (a result list, /related) then inflates that block alone and never
 * builds the code tables of the rest, which cost more than the head's
 * bytes themselves. It is plain deflate: every reader reads it.
 * Returns the compressed length, or 0. */
static size_t deflate_with(const char *in, size_t len, size_t head, const struct dict *d, char *out, size_t cap)
{
    z_stream *zs = thread_stream(ZDIR_DEFLATE);
    if (!zs)
        return 0;
    /* deflateReset keeps the strategy: set it for every record */
    if (deflateParams(zs, 6, head > 0 && head < len ? Z_FIXED : Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    if (d && deflateSetDictionary(zs, (const Bytef *)d->bytes, (uInt)d->len) != Z_OK)
        return 0;
    zs->next_out = (Bytef *)out;
    zs->avail_out = (uInt)cap;
    if (head > 0 && head < len) {
        zs->next_in = (Bytef *)in;
        zs->avail_in = (uInt)head;
        if (deflate(zs, Z_BLOCK) != Z_OK || zs->avail_in != 0 ||
            deflateParams(zs, 6, Z_DEFAULT_STRATEGY) != Z_OK)
            return 0;
        in += head;
        len -= head;
    }
    zs->next_in = (Bytef *)in;
    zs->avail_in = (uInt)len;
    int rc = deflate(zs, Z_FINISH);
    return rc == Z_STREAM_END ? cap - zs->avail_out : 0;
}

int docrec_encode(const struct article *a, char **out, size_t *len)
{
    return docrec_encode_json(a, out, len, NULL);
}

int docrec_encode_json(const struct article *a, char **out, size_t *len, char **json)
{
    *out = NULL;
    *len = 0;
    if (json)
        *json = NULL;
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
            bl = utf8_floor(a->body, bl, 0);
        }
        json_object_set_new(o, "body", json_stringn(a->body, bl));
    }
    char *js = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!js)
        return -1;
    size_t jl = strlen(js);
    size_t cap = compressBound(jl) + 64;
    char *buf = malloc(cap + 1);
    if (!buf) {
        free(js);
        return -1;
    }
    uint32_t id = atomic_load(&current_id);
    const struct dict *d = id ? dict_find(id) : NULL;
    buf[0] = d ? 'd' : 'z';
    /* the head block: up to the headings' key, where head readers stop */
    const char *h = strstr(js, HEADINGS_KEY);
    size_t n = deflate_with(js, jl, h ? (size_t)(h - js) + sizeof HEADINGS_KEY - 1 : 0, d, buf + 1, cap);
    if (n == 0) {
        free(js);
        free(buf);
        return -1;
    }
    if (json)
        *json = js;
    else
        free(js);
    *out = buf;
    *len = n + 1;
    return 0;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Inflate the record's JSON. With `stop` (the body's key: the encoder
 * writes it last), inflation stops once stop is out, and the text is cut
 * there and closed with "}": a result list never inflates nor parses the
 * body. (An unescaped '"' cannot occur inside a JSON string, so stop is
 * only ever found as a key.)
 * The record is a zlib stream; its header (and dictionary id) is read
 * here and the deflate data inflated raw, so that zlib does not checksum
 * the preset dictionary for every record (inflateSetDictionary on a zlib
 * stream does); the trailer's checksum of the text is still checked when
 * the whole text is inflated. */
static char *inflate_all(const char *data, size_t len, const char *stop, size_t first, size_t *outlen)
{
    const unsigned char *in = (const unsigned char *)data;
    if (len < 6 || (in[0] & 0x0f) != Z_DEFLATED || (in[0] >> 4) > 7 || ((unsigned)in[0] << 8 | in[1]) % 31 != 0)
        return NULL;
    size_t hdr = 2;
    const struct dict *d = NULL;
    if (in[1] & 0x20) { /* FDICT: the stream names its dictionary by adler32 */
        if (len < 6 + 4 || !(d = dict_find(be32(in + 2))))
            return NULL;
        hdr += 4;
    }
    z_stream *zs = thread_stream(ZDIR_INFLATE);
    if (!zs || (d && inflateSetDictionary(zs, (const Bytef *)d->bytes, (uInt)d->len) != Z_OK))
        return NULL;
    size_t cap = stop ? first : len * 4 + 256, used = 0;
    size_t stop_len = stop ? strlen(stop) : 0;
    char *buf = malloc(cap + 2);
    zs->next_in = (Bytef *)in + hdr;
    zs->avail_in = (uInt)(len - hdr);
    int rc = Z_OK, cut = 0;
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
        zs->next_out = (Bytef *)buf + used;
        zs->avail_out = (uInt)(cap - used);
        rc = inflate(zs, stop ? Z_BLOCK : Z_NO_FLUSH); /* a head: its own block (deflate_with) */
        used = cap - zs->avail_out;
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
                cut = 1;
            }
        }
    }
    /* The trailer: adler32 of the whole text. */
    if (buf && rc == Z_STREAM_END && !cut &&
        (zs->avail_in < 4 || be32(zs->next_in) != (uint32_t)adler32(adler32(0L, Z_NULL, 0), (const Bytef *)buf, (uInt)used)))
        rc = Z_DATA_ERROR;
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

static char *head_string(const char **p, const char *end);

/* The record's links array ls (NULL or not an array: none) into a; links
 * of an unknown kind are skipped. 0, or -1 (out of memory). */
static int add_links(struct article *a, json_t *ls)
{
    size_t i;
    json_t *v;
    json_array_foreach(ls, i, v) {
        const char *k = get_str(v, "k");
        int kind = k ? docrec_link_kind(k) : -1;
        if (kind >= 0 && article_add_link(a, (enum link_kind)kind, get_str(v, "t"), get_str(v, "g"), NULL) != 0)
            return -1;
    }
    return 0;
}

/* The body's value in the record's text js[0..*jl): the encoder writes it
 * last, as ,"body":"..."}. It is read with head_string (most of a record,
 * and jansson's lexer is many times slower over it) and cut off js, which
 * is closed with "}" for jansson; NULL (js untouched) when the text is not
 * that simple: jansson then reads it all. */
static char *take_body(char *js, size_t *jl)
{
    static const char key[] = ",\"body\":\"";
    char *hit = memmem(js, *jl, key, sizeof key - 1);
    if (!hit)
        return NULL;
    const char *p = hit + sizeof key - 1;
    char *body = head_string(&p, js + *jl);
    if (!body || p + 1 != js + *jl || *p != '}') {
        free(body);
        return NULL;
    }
    hit[0] = '}';
    *jl = (size_t)(hit - js) + 1;
    return body;
}

int docrec_decode(const char *data, size_t len, int with_body, struct article **out)
{
    *out = NULL;
    if (len < 2 || (data[0] != 'z' && data[0] != 'd'))
        return -1;
    size_t jl = 0;
    char *js = inflate_all(data + 1, len - 1, with_body ? NULL : BODY_KEY, 1024, &jl);
    if (!js)
        return -1;
    char *body = with_body ? take_body(js, &jl) : NULL;
    json_t *o = json_loadb(js, jl, 0, NULL);
    free(js);
    if (!json_is_object(o)) {
        json_decref(o);
        free(body);
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
        if (body) {
            free(a->body);
            a->body = body;
            body = NULL;
        } else if (with_body)
            bad |= article_set(&a->body, get_str(o, "body") ? get_str(o, "body") : "") != 0;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(o, "headings"), i, v)
            if (json_is_string(v))
                bad |= article_add_heading(a, json_string_value(v)) != 0;
        bad |= add_links(a, json_object_get(o, "links")) != 0;
        if (!a->id)
            bad = 1;
    }
    json_decref(o);
    free(body);
    if (bad) {
        article_free(a);
        return -1;
    }
    *out = a;
    return 0;
}

/* ---- the head of a record: id, url, title ---------------------------------- */

/* The JSON string at *p (after its opening quote) up to end, unescaped
 * into a new string; *p moves past the closing quote. NULL when it is cut
 * short, holds \u0000, a lone surrogate or invalid UTF-8 (the caller then
 * lets jansson decide), or out of memory. A NUL byte must follow end
 * (inflate_all's texts end with one): runs without '"' or '\\' are found
 * with strcspn and copied whole. */
static char *head_string(const char **p, const char *end)
{
    const char *s = *p;
    char *out = malloc((size_t)(end - s) + 1), *o = out;
    if (!out)
        return NULL;
    while (s < end && *s != '"') {
        if (*s != '\\') {
            size_t n = strcspn(s, "\"\\");
            if (n == 0) /* a NUL byte inside the text: copied as it is */
                n = 1;
            if (n > (size_t)(end - s))
                n = (size_t)(end - s);
            memcpy(o, s, n);
            o += n;
            s += n;
            continue;
        }
        if (++s >= end)
            break;
        char c = *s++;
        const char *simple = strchr("\"\\/bfnrt", c);
        if (simple && c) {
            *o++ = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            continue;
        }
        uint32_t cp = 0;
        for (int pair = 0; c == 'u' && pair < 2; pair++) {
            uint32_t u = 0;
            for (int i = 0; i < 4; i++, s++) {
                int h = s < end ? *s : 0;
                int v = h >= '0' && h <= '9' ? h - '0' : (h | 0x20) >= 'a' && (h | 0x20) <= 'f' ? (h | 0x20) - 'a' + 10 : -1;
                if (v < 0)
                    goto bad;
                u = u << 4 | (uint32_t)v;
            }
            if (pair == 0 && u >= 0xD800 && u < 0xDC00) { /* a high surrogate: its low half follows */
                if (end - s < 2 || s[0] != '\\' || s[1] != 'u')
                    goto bad;
                s += 2;
                cp = u;
                continue;
            }
            if (pair == 1) {
                if (u < 0xDC00 || u >= 0xE000)
                    goto bad;
                u = 0x10000 + ((cp - 0xD800) << 10) + (u - 0xDC00);
            } else if (u >= 0xDC00 && u < 0xE000)
                goto bad;
            cp = u;
            break;
        }
        if (c != 'u' || cp == 0)
            goto bad;
        if (cp < 0x80)
            *o++ = (char)cp;
        else if (cp < 0x800)
            *o++ = (char)(0xC0 | cp >> 6), *o++ = (char)(0x80 | (cp & 0x3F));
        else if (cp < 0x10000)
            *o++ = (char)(0xE0 | cp >> 12), *o++ = (char)(0x80 | (cp >> 6 & 0x3F)), *o++ = (char)(0x80 | (cp & 0x3F));
        else
            *o++ = (char)(0xF0 | cp >> 18), *o++ = (char)(0x80 | (cp >> 12 & 0x3F)),
            *o++ = (char)(0x80 | (cp >> 6 & 0x3F)), *o++ = (char)(0x80 | (cp & 0x3F));
    }
    if (s >= end)
        goto bad;
    *o = '\0';
    *p = s + 1;
    if (!utf8_valid(out, (size_t)(o - out)))
        goto bad;
    return out;
bad:
    free(out);
    return NULL;
}

/* The first nf of id, url, title, category, lang and date out of the
 * record's text js[0..n), which the encoder writes first, in that order,
 * as {"id":"..","url":"..",...}. 0, or -1 when the text is not that simple
 * (the caller decodes it with jansson). */
static int head_parse(const char *js, size_t n, struct article *a, size_t nf)
{
    const char *p = js, *end = js + n;
    static const char *const keys[] = { "\"id\":\"", "\"url\":\"", "\"title\":\"",
                                        "\"category\":\"", "\"lang\":\"", "\"date\":\"" };
    char **fields[] = { &a->id, &a->url, &a->title, &a->category, &a->lang, &a->date };
    if (p >= end || *p++ != '{')
        return -1;
    for (size_t k = 0; k < nf && k < sizeof keys / sizeof keys[0]; k++) {
        size_t kl = strlen(keys[k]);
        if ((size_t)(end - p) < kl || memcmp(p, keys[k], kl) != 0)
            continue; /* absent (set_str leaves out NULL fields) */
        p += kl;
        char *v = head_string(&p, end);
        if (!v)
            return -1;
        free(*fields[k]);
        *fields[k] = v;
        if (p >= end || (*p != ',' && *p != '}'))
            return -1;
        p += *p == ',';
    }
    return a->id ? 0 : -1;
}

/* A new article for head_parse: no title yet (so that a record without
 * one is told apart), the rest as article_new makes it. */
static struct article *head_article(void)
{
    struct article *a = article_new();
    if (a) {
        free(a->title); /* article_new's empty string */
        a->title = NULL;
    }
    return a;
}

/* The links array of the record's text js[0..n) into a: the encoder
 * writes it last before the body, as ,"links":[...]; js is cut before the
 * body and closed with "}". (A '"' inside a string is escaped, so the key
 * is found as a key.) 0, or -1 (the caller decodes with jansson). */
static int links_parse(const char *js, size_t n, struct article *a)
{
    static const char key[] = ",\"links\":";
    const char *hit = memmem(js, n, key, sizeof key - 1);
    if (!hit || n < 1 || js[n - 1] != '}')
        return -1; /* the encoder always writes the key */
    const char *arr = hit + sizeof key - 1;
    json_t *ls = json_loadb(arr, (size_t)(js + n - 1 - arr), 0, NULL);
    int rc = json_is_array(ls) ? add_links(a, ls) : -1;
    json_decref(ls);
    return rc;
}

/* What the decoders without jansson over the whole head read. */
enum fast_part {
    FAST_HEAD,      /* id, url, title */
    FAST_HIT,       /* + category, lang, date */
    FAST_HIT_BODY,  /* + the body */
    FAST_LINKS,     /* FAST_HIT's fields + the links */
};

/* Decode part of a record with head_parse (and take_body, links_parse);
 * whatever those do not take is decoded by docrec_decode. */
static int decode_fast(const char *data, size_t len, enum fast_part part, struct article **out)
{
    *out = NULL;
    if (len < 2 || (data[0] != 'z' && data[0] != 'd'))
        return -1;
    int with_body = part == FAST_HIT_BODY;
    /* Inflation stops past what is read: the short fields end at the
     * headings' key, the links at the body's. */
    const char *stop = with_body ? NULL : part == FAST_LINKS ? BODY_KEY : HEADINGS_KEY;
    size_t jl = 0;
    char *js = inflate_all(data + 1, len - 1, stop, part == FAST_LINKS ? 1024 : 256, &jl);
    if (!js)
        return -1;
    char *body = with_body ? take_body(js, &jl) : NULL;
    struct article *a = with_body && !body ? NULL : head_article();
    int rc = a ? head_parse(js, jl, a, part == FAST_HEAD ? 3 : 6) : -1;
    if (rc == 0 && part == FAST_LINKS)
        rc = links_parse(js, jl, a);
    free(js);
    if (rc == 0 && !a->title)
        rc = article_set(&a->title, "");
    if (rc != 0) {
        article_free(a);
        free(body);
        return docrec_decode(data, len, with_body, out);
    }
    if (body) {
        free(a->body);
        a->body = body;
    }
    *out = a;
    return 0;
}

int docrec_decode_head(const char *data, size_t len, struct article **out)
{
    return decode_fast(data, len, FAST_HEAD, out);
}

int docrec_decode_hit(const char *data, size_t len, int with_body, struct article **out)
{
    return decode_fast(data, len, with_body ? FAST_HIT_BODY : FAST_HIT, out);
}

int docrec_decode_links(const char *data, size_t len, struct article **out)
{
    return decode_fast(data, len, FAST_LINKS, out);
}
