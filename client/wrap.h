/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wrap: UTF-8 text laid out in terminal columns: display width (CJK wide
 * characters take two columns, combining marks none), line breaking at
 * spaces and between CJK characters, and printing wrapped text with
 * highlighted ranges.  Terminal control characters in the text are never
 * written out (a title cannot send escape sequences to the terminal). */
#ifndef MEDSEARCH_CLIENT_WRAP_H
#define MEDSEARCH_CLIENT_WRAP_H

#include <stddef.h>
#include <stdio.h>

#include "markup.h"

/* Decode one UTF-8 character at s[0..n) (n > 0).  Returns its length in
 * bytes (1 for an invalid byte, with *cp = 0xFFFD). */
size_t wrap_decode(const char *s, size_t n, unsigned long *cp /* OUT */);

/* Columns taken by code point cp: 0 (controls, combining marks, zero-width),
 * 2 (East Asian wide and fullwidth), else 1. */
int wrap_cp_width(unsigned long cp);

/* Columns taken by s[0..n). */
size_t wrap_width(const char *s, size_t n);

/* The next line of text[pos..len) that fits in `width` columns (at least
 * one character, so a too-long word is cut).  Breaks after a run of spaces
 * (the spaces are dropped), before or after a wide character, and at '\n'.
 * Returns the end of the line (exclusive, trailing spaces excluded) and
 * sets *next to where the following line starts (== len at the end). */
size_t wrap_line(const char *text, size_t len, size_t pos, size_t width, size_t *next /* OUT */);

/* How wrap_print() shows text: escape sequences around highlighted spans
 * (empty strings for plain output). */
struct wrap_style {
    const char *hl_on;
    const char *hl_off;
};

/* Print text[0..len) wrapped to `width` columns, each line preceded by
 * `indent` spaces and followed by '\n', with spans (in order, from
 * markup_parse) between style->hl_on and style->hl_off; a highlight that
 * crosses a line break is closed at the end of the line and reopened on
 * the next.  Control characters other than '\n' are printed as a space. */
void wrap_print(FILE *f, const char *text, size_t len, const struct markup_span *spans,
                size_t nspans, size_t indent, size_t width, const struct wrap_style *style);

/* Print s as is except that control characters become spaces (no
 * wrapping), for one-line fields such as titles and ids. */
void wrap_put_clean(FILE *f, const char *s);

#endif
