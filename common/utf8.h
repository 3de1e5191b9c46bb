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
/* Is c a continuation byte (10xxxxxx), inside a sequence? */
static inline int utf8_is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }
/* Back up to a character boundary: the largest j in [lo, i] where s[j]
 * is not a continuation byte, or lo when there is none (s[lo..i] must
 * be readable). For cutting text at a byte limit without splitting a
 * character. */
size_t utf8_floor(const char *s, size_t i, size_t lo);

#endif
