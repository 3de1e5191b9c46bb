/* SPDX-License-Identifier: GPL-2.0-or-later */
/* utf8: strict UTF-8 decoding, the one copy every module uses (input
 * repair, language detection, snippets, request decoding, the client's
 * wrapping, the fuzz targets' checks). Strict: no overlong forms, no
 * surrogates, nothing above U+10FFFF, no sequence cut short. */
#ifndef MEDSEARCH_UTF8_H
#define MEDSEARCH_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decode the sequence at s (n > 0 bytes left): its length (1-4), with
 * the code point in *cp (cp may be NULL), or 0 when it is invalid. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp /* OUT */);
/* As utf8_decode, but an invalid byte decodes as U+FFFD of length 1: for
 * loops that must step over anything. */
size_t utf8_decode_lenient(const char *s, size_t n, uint32_t *cp /* OUT */);
/* Is s[0..n) valid UTF-8? */
int utf8_valid(const char *s, size_t n);

#endif
