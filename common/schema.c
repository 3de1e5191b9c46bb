/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer.h"
#include "utf8.h"
#include "xap.h"

uint64_t schema_hash(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

int schema_positional(const char *w, size_t len)
{
    /* sorted for bsearch; "no", "not" and "without" keep positions: they
     * change what a phrase means */
    static const char *const bare[] = {
        "a",  "an",   "and", "are",  "as",    "at",   "be",    "been", "by",   "can",   "for", "from",
        "has", "have", "if", "in",   "is",    "it",   "its",   "may",  "of",   "on",    "or",  "that",
        "the", "their", "these", "they", "this", "to", "was", "which", "with", "you", "your",
    };
    if (len == 0 || len > 5)
        return 1;
    char buf[8];
    memcpy(buf, w, len);
    buf[len] = '\0';
    size_t lo = 0, hi = sizeof bare / sizeof bare[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(buf, bare[mid]);
        if (c == 0)
            return 0;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 1;
}

size_t schema_term(char *buf, const char *prefix, const char *s, size_t len)
{
    size_t plen = strlen(prefix);
    if (plen + len <= SCHEMA_MAX_TERM) {
        memcpy(buf, prefix, plen);
        memcpy(buf + plen, s, len);
        buf[plen + len] = '\0';
        return plen + len;
    }
    /* Keep a readable head, cut on a UTF-8 boundary, then '#' + hash. */
    size_t keep = SCHEMA_MAX_TERM - plen - 17;
    keep = utf8_floor(s, keep, 0);
    memcpy(buf, prefix, plen);
    memcpy(buf + plen, s, keep);
    int n = snprintf(buf + plen + keep, 18, "#%016llx",
                     (unsigned long long)schema_hash(s, len, SCHEMA_HASH_SEED));
    return plen + keep + (size_t)n;
}

size_t schema_id_term(char *buf, const char *id)
{
    return schema_term(buf, PFX_ID, id, strlen(id));
}

size_t schema_key_id_term(const char *key, size_t len, char *buf, size_t cap)
{
    if (cap < SCHEMA_MAX_TERM + 1 || len == 0)
        return 0;
    return schema_term(buf, PFX_ID, key, len);
}

size_t schema_titlekey_tokens(char *buf, const void *tokv, size_t n)
{
    const struct tok_token *toks = tokv;
    uint64_t h = SCHEMA_HASH_SEED;
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        if (toks[i].flags & TOK_COMPOUND)
            continue; /* parts carry the words */
        if (any)
            h = schema_hash(" ", 1, h);
        h = schema_hash(toks[i].text, toks[i].len, h);
        any = 1;
    }
    return (size_t)snprintf(buf, SCHEMA_MAX_TERM + 1, "%s%016llx", PFX_TITLEKEY, (unsigned long long)h);
}

int schema_synphrases_hold(const char *made, size_t made_len, const char *table, size_t table_len)
{
    return made_len > 0 && made_len == table_len && memcmp(made, table, made_len) == 0;
}

size_t schema_titlekey_term(char *buf, void *tkv, const char *title)
{
    struct tokenizer *tk = tkv;
    const struct tok_token *toks = NULL;
    size_t n = 0;
    if (!title || tokenizer_run(tk, title, strlen(title), 1, &toks, &n) != 0)
        n = 0;
    return schema_titlekey_tokens(buf, toks, n);
}

int schema_check(void *dbv, char *err, size_t errlen)
{
    xap_db *db = dbv;
    uint32_t docs = 0;
    if (xap_db_doccount(db, &docs) != XAP_OK || docs == 0)
        return 0; /* unreadable: the caller's next call says why; empty: any schema */
    char *v = NULL;
    size_t len = 0;
    if (xap_db_get_metadata(db, SCHEMA_META_KEY, &v, &len) != XAP_OK) {
        snprintf(err, errlen, "cannot read the index's schema version: %s", xap_errmsg());
        free(v);
        return -1;
    }
    int same = v && len == strlen(SCHEMA_VERSION) && memcmp(v, SCHEMA_VERSION, len) == 0;
    if (!same)
        snprintf(err, errlen,
                 "the index has schema version %.*s, this program needs %s: "
                 "rebuild it with indexer --rebuild",
                 v && len ? (int)(len > 16 ? 16 : len) : 4, v && len ? v : "none", SCHEMA_VERSION);
    free(v);
    return same ? 0 : -1;
}

int schema_phrase_append(char *buf, size_t *len, size_t cap, const char *w, size_t wlen)
{
    int space = 0;
    if (*len > 0) {
        size_t i = utf8_floor(buf, *len - 1, 0); /* the last character of buf */
        space = !(tokenizer_is_cjk(buf + i, *len - i) && tokenizer_is_cjk(w, wlen));
    }
    if (*len + (size_t)space + wlen + 1 > cap)
        return -1;
    if (space)
        buf[(*len)++] = ' ';
    memcpy(buf + *len, w, wlen);
    *len += wlen;
    buf[*len] = '\0';
    return 0;
}

static size_t put_varint(char *buf, size_t at, uint32_t v)
{
    while (v >= 0x80) {
        buf[at++] = (char)(v | 0x80);
        v >>= 7;
    }
    buf[at++] = (char)v;
    return at;
}

size_t schema_concept_term(char *buf, uint32_t id)
{
    /* by hand, not snprintf: searchd writes one for each concept of every
     * candidate it compares */
    char digits[10];
    size_t nd = 0, pl = sizeof PFX_CONCEPT - 1;
    do
        digits[nd++] = (char)('0' + id % 10);
    while ((id /= 10) != 0);
    memcpy(buf, PFX_CONCEPT, pl);
    for (size_t i = 0; i < nd; i++)
        buf[pl + i] = digits[nd - 1 - i];
    buf[pl + nd] = '\0';
    return pl + nd;
}

size_t schema_concepts_encode(const struct schema_concept *c, size_t n, char *buf, size_t cap)
{
    if (cap < n * 10)
        return 0;
    size_t at = 0;
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        at = put_varint(buf, at, c[i].id - prev);
        at = put_varint(buf, at, c[i].count);
        prev = c[i].id;
    }
    return at;
}

static int get_varint(const unsigned char *p, size_t len, size_t *at, uint32_t *out)
{
    uint32_t v = 0;
    for (unsigned shift = 0; *at < len && shift < 35; shift += 7) {
        unsigned char c = p[(*at)++];
        v |= (uint32_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

long schema_concepts_decode(const char *v, size_t len, int (*cb)(uint32_t id, uint32_t count, void *ud), void *ud)
{
    const unsigned char *p = (const unsigned char *)v;
    size_t at = 0;
    uint32_t id = 0;
    long n = 0;
    while (at < len) {
        uint32_t d, c;
        if (get_varint(p, len, &at, &d) != 0 || get_varint(p, len, &at, &c) != 0)
            return -1;
        id += d;
        n++;
        if (cb && cb(id, c, ud) != 0)
            break;
    }
    return n;
}
