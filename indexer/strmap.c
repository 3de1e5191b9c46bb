/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "schema.h"

void strmap_init(struct strmap *m)
{
    m->slots = NULL;
    m->cap = m->len = 0;
}

void strmap_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    strmap_init(m);
}

static size_t find(const struct strmap *m, const char *key, size_t klen, uint64_t h)
{
    size_t i = (size_t)h & (m->cap - 1);
    for (;;) {
        const struct strmap_entry *e = &m->slots[i];
        if (!e->key || (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0))
            return i;
        i = (i + 1) & (m->cap - 1);
    }
}

struct strmap_entry *strmap_get(const struct strmap *m, const char *key, size_t klen)
{
    if (m->cap == 0)
        return NULL;
    uint64_t h = schema_hash(key, klen, SCHEMA_HASH_SEED);
    struct strmap_entry *e = &m->slots[find(m, key, klen, h)];
    return e->key ? e : NULL;
}

static int grow(struct strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    struct strmap_entry *old = m->slots;
    size_t oldcap = m->cap;
    m->slots = calloc(cap, sizeof *m->slots);
    if (!m->slots) {
        m->slots = old;
        return -1;
    }
    m->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key)
            m->slots[find(m, old[i].key, old[i].klen, old[i].hash)] = old[i];
    free(old);
    return 0;
}

struct strmap_entry *strmap_put(struct strmap *m, const char *key, size_t klen, int *created)
{
    if (created)
        *created = 0;
    if ((m->len + 1) * 4 > m->cap * 3 && grow(m) != 0)
        return NULL;
    uint64_t h = schema_hash(key, klen, SCHEMA_HASH_SEED);
    struct strmap_entry *e = &m->slots[find(m, key, klen, h)];
    if (e->key)
        return e;
    e->key = malloc(klen + 1);
    if (!e->key)
        return NULL;
    memcpy(e->key, key, klen);
    e->key[klen] = '\0';
    e->klen = klen;
    e->hash = h;
    e->u64 = 0;
    e->u32 = 0;
    m->len++;
    if (created)
        *created = 1;
    return e;
}
