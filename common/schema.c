/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "schema.h"

#include <stdio.h>
#include <string.h>

#include "tokenizer.h"

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
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
        keep--;
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

size_t schema_titlekey_term(char *buf, void *tkv, const char *title)
{
    struct tokenizer *tk = tkv;
    const struct tok_token *toks;
    size_t n;
    uint64_t h = SCHEMA_HASH_SEED;
    int any = 0;
    if (title && tokenizer_run(tk, title, strlen(title), 1, &toks, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            if (toks[i].flags & TOK_COMPOUND)
                continue; /* parts carry the words */
            if (any)
                h = schema_hash(" ", 1, h);
            h = schema_hash(toks[i].text, toks[i].len, h);
            any = 1;
        }
    }
    return (size_t)snprintf(buf, SCHEMA_MAX_TERM + 1, "%s%016llx", PFX_TITLEKEY, (unsigned long long)h);
}

int schema_phrase_append(char *buf, size_t *len, size_t cap, const char *w, size_t wlen)
{
    int space = 0;
    if (*len > 0) {
        /* the last character of buf: back up over UTF-8 continuation bytes */
        size_t i = *len - 1;
        while (i > 0 && ((unsigned char)buf[i] & 0xC0) == 0x80)
            i--;
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
