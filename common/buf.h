/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buf: a growable NUL-terminated string. `oom` latches the first
 * allocation failure, so callers append freely and check once. */
#ifndef MEDSEARCH_BUF_H
#define MEDSEARCH_BUF_H

#include <stddef.h>

struct buf {
    char *s;     /* NUL-terminated once anything was added; owned */
    size_t len, cap;
    int oom;
};

void buf_add(struct buf *b, const char *s, size_t n);
/* Append a NUL-terminated string. */
void buf_puts(struct buf *b, const char *s);
/* Hand out the text ("" when nothing was added; NULL after an allocation
 * failure) and reset the buffer. The caller frees it. */
char *buf_take(struct buf *b);
void buf_free(struct buf *b);

#endif
