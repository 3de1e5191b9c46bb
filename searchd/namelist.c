/* SPDX-License-Identifier: GPL-2.0-or-later */
/* namelist.c: comma lists of names as bit masks (see namelist.h). */
#include "namelist.h"

#include <stdio.h>
#include <string.h>

int namelist_mask(const char *s, const struct namebit *tab, size_t n, unsigned *mask, char *bad, size_t badcap)
{
    *mask = 0;
    while (s && *s) {
        size_t len = strcspn(s, ",");
        if (len > 0) {
            size_t i = 0;
            while (i < n && !(strlen(tab[i].name) == len && strncmp(tab[i].name, s, len) == 0))
                i++;
            if (i == n) {
                snprintf(bad, badcap, "%.*s", (int)(len > 40 ? 40 : len), s);
                return -1;
            }
            *mask |= tab[i].bit;
        }
        s += len;
        if (*s == ',')
            s++;
    }
    return 0;
}
