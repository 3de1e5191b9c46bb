/* SPDX-License-Identifier: GPL-2.0-or-later */
/* namelist: a request's comma list of names as a bit mask
 * (`fields=id,title`, `facets=category,lang`).
 *
 * One parser for every such parameter, so they all treat empty items,
 * unknown names and their error text the same way.
 */
#ifndef MEDSEARCH_NAMELIST_H
#define MEDSEARCH_NAMELIST_H

#include <stddef.h>

struct namebit {
    const char *name;
    unsigned bit;
};

/* Parse s ("a,b"; empty items are ignored; NULL is the empty list) against
 * the n names of tab into *mask. Returns 0, or -1 with the first unknown
 * name (at most 40 bytes of it) in bad. */
int namelist_mask(const char *s, const struct namebit *tab, size_t n, unsigned *mask /* OUT */, char *bad,
                  size_t badcap);

#endif
