/* SPDX-License-Identifier: GPL-2.0-or-later */
/* strmap: string -> (uint64, uint32) hash map, open addressing. Keys are
 * copied; not thread-safe (callers lock, or use it read-only). */
#ifndef MEDSEARCH_STRMAP_H
#define MEDSEARCH_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_entry {
    char *key;      /* NULL = empty slot */
    size_t klen;
    uint64_t hash;  /* of the key */
    uint64_t u64;   /* caller's values */
    uint32_t u32;
    uint32_t mark;  /* caller's flag; threads may share it with atomic ops */
};

struct strmap {
    struct strmap_entry *slots;
    size_t cap, len;
};

void strmap_init(struct strmap *m);
void strmap_free(struct strmap *m);
/* The entry of key, or NULL. */
struct strmap_entry *strmap_get(const struct strmap *m, const char *key, size_t klen);
/* The entry of key, created zeroed when missing (*created = 1); NULL when
 * out of memory. Entries move when the map grows: do not keep pointers
 * across inserts. */
struct strmap_entry *strmap_put(struct strmap *m, const char *key, size_t klen, int *created /* OUT */);
/* Iterate: for (size_t i = 0; i < m->cap; i++) if (m->slots[i].key) ... */

#endif
