/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "stemcache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

#define SLOTS 32768 /* a power of two; 2 MB a thread */

struct slot {
    const xap_stem *stem; /* NULL: empty */
    unsigned char wlen, slen;
    char word[STEMCACHE_WORD];
    char out[STEMCACHE_WORD];
};

struct stemcache {
    struct slot slots[SLOTS];
};

struct stemcache *stemcache_new(void)
{
    return calloc(1, sizeof(struct stemcache));
}

void stemcache_free(struct stemcache *sc)
{
    free(sc);
}

size_t stemcache_apply(struct stemcache *sc, xap_stem *stem, const char *word, size_t len, char *buf, size_t cap)
{
    if (!sc || len >= STEMCACHE_WORD || cap < STEMCACHE_WORD)
        return xap_stem_apply(stem, word, len, buf, cap);
    uint64_t h = schema_hash(word, len, SCHEMA_HASH_SEED) ^ (uint64_t)(uintptr_t)stem;
    struct slot *s = &sc->slots[(h ^ (h >> 29)) & (SLOTS - 1)];
    if (s->stem == stem && s->wlen == len && memcmp(s->word, word, len) == 0) {
        memcpy(buf, s->out, s->slen);
        buf[s->slen] = '\0';
        return s->slen;
    }
    size_t sl = xap_stem_apply(stem, word, len, buf, cap);
    if (sl < STEMCACHE_WORD) {
        s->stem = stem;
        s->wlen = (unsigned char)len;
        s->slen = (unsigned char)sl;
        memcpy(s->word, word, len);
        memcpy(s->out, buf, sl);
    }
    return sl;
}
