/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grow.h: room in a realloc'd array, by doubling (the one copy of the
 * "cap ? cap * 2 : first" loop every growing list used to write out).
 *
 *     if (GROW(l->v, l->cap, l->n + 1, 64) != 0)
 *         return -1;           // out of memory: l->v and l->cap unchanged
 *     l->v[l->n++] = x;
 */
#ifndef MEDSEARCH_GROW_H
#define MEDSEARCH_GROW_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Make *arrp (a pointer to the array pointer) hold at least `need`
 * elements of `elem` bytes: the capacity doubles from `first`. 0, or -1
 * when out of memory or the size overflows (nothing changed then). The
 * array pointer is read and written with memcpy, so any object pointer
 * type can be passed through GROW. */
static inline int grow_array(void *arrp, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : (first ? first : 1);
    while (nc < need) {
        if (nc > SIZE_MAX / 2)
            return -1;
        nc *= 2;
    }
    if (nc > SIZE_MAX / elem)
        return -1;
    void *old;
    memcpy(&old, arrp, sizeof old);
    void *p = realloc(old, nc * elem);
    if (!p)
        return -1;
    memcpy(arrp, &p, sizeof p);
    *cap = nc;
    return 0;
}

#define GROW(arr, cap, need, first) grow_array(&(arr), &(cap), (need), sizeof *(arr), (first))

#endif
