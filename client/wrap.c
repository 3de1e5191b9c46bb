/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "wrap.h"

#include <stdint.h>
#include <string.h>

#include "utf8.h"

size_t wrap_decode(const char *s, size_t n, unsigned long *cp)
{
    uint32_t c;
    size_t len = utf8_decode_lenient(s, n, &c);
    *cp = c;
    return len;
}

struct range {
    unsigned long lo, hi;
};

static int in_ranges(unsigned long cp, const struct range *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i].lo && cp <= r[i].hi)
            return 1;
    return 0;
}

int wrap_cp_width(unsigned long cp)
{
    /* A short table, not full Unicode data: enough for the Latin, Greek,
     * Cyrillic and CJK text that health articles use. */
    static const struct range zero[] = {
        { 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x0610, 0x061A },
        { 0x064B, 0x065F }, { 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF }, { 0x200B, 0x200F },
        { 0x2028, 0x202E }, { 0x2060, 0x2064 }, { 0x20D0, 0x20FF }, { 0xFE00, 0xFE0F },
        { 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF },
    };
    static const struct range wide[] = {
        { 0x1100, 0x115F }, { 0x2E80, 0x303E }, { 0x3041, 0x33FF }, { 0x3400, 0x4DBF },
        { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF },
        { 0xFE30, 0xFE4F }, { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x1F300, 0x1F64F },
        { 0x1F900, 0x1F9FF }, { 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
    };
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    if (cp < 0x300)
        return 1;
    if (in_ranges(cp, zero, sizeof zero / sizeof zero[0]))
        return 0;
    if (in_ranges(cp, wide, sizeof wide / sizeof wide[0]))
        return 2;
    return 1;
}

size_t wrap_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        unsigned long cp;
        i += wrap_decode(s + i, n - i, &cp);
        w += (size_t)wrap_cp_width(cp);
    }
    return w;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

size_t wrap_line(const char *text, size_t len, size_t pos, size_t width, size_t *next)
{
    size_t col = 0, i = pos;
    size_t brk_end = 0, brk_next = 0;   /* last break opportunity, 0 = none */
    int have_brk = 0;
    if (width < 1)
        width = 1;
    while (i < len) {
        char c = text[i];
        if (c == '\n') {
            size_t end = i;
            while (end > pos && is_space(text[end - 1]))
                end--;
            *next = i + 1;
            return end;
        }
        if (is_space(c)) {
            size_t end = i;
            while (i < len && is_space(text[i]))
                i++;
            /* Spaces at the end of a line cost nothing: break here. */
            brk_end = end, brk_next = i, have_brk = 1;
            col += i - end;
            continue;
        }
        unsigned long cp;
        size_t cl = wrap_decode(text + i, len - i, &cp);
        size_t w = (size_t)wrap_cp_width(cp);
        if (w == 2 && i > pos)   /* a break before a wide character */
            brk_end = i, brk_next = i, have_brk = 1;
        if (col + w > width && i > pos) {
            if (have_brk && brk_end > pos) {
                *next = brk_next;
                return brk_end;
            }
            *next = i;   /* no break: cut the word */
            return i;
        }
        col += w;
        i += cl;
        if (w == 2)     /* and a break after one */
            brk_end = i, brk_next = i, have_brk = 1;
    }
    size_t end = len;
    while (end > pos && is_space(text[end - 1]))
        end--;
    *next = len;
    return end;
}

/* Writes the character at s[0..n) and returns its length: controls as a
 * space (no escape sequence from the text reaches the terminal), an
 * invalid byte as U+FFFD. */
static size_t put_char(FILE *f, const char *s, size_t n)
{
    unsigned long cp;
    size_t cl = wrap_decode(s, n, &cp);
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
        fputc(' ', f);
    else if (cp == 0xFFFD && cl == 1)
        fputs("\xEF\xBF\xBD", f);
    else
        fwrite(s, 1, cl, f);
    return cl;
}

void wrap_print(FILE *f, const char *text, size_t len, const struct markup_span *spans,
                size_t nspans, size_t indent, size_t width, const struct wrap_style *style)
{
    size_t avail = width > indent + 10 ? width - indent : 10;
    size_t pos = 0, sp = 0;
    /* Leading spaces of the whole text are not content. */
    while (pos < len && is_space(text[pos]))
        pos++;
    while (pos < len) {
        size_t next, end = wrap_line(text, len, pos, avail, &next);
        if (end > pos)
            fprintf(f, "%*s", (int)indent, "");
        int on = 0;
        for (size_t i = pos; i < end;) {
            while (sp < nspans && spans[sp].end <= i)
                sp++;
            int want = sp < nspans && spans[sp].start <= i;
            if (want != on) {
                fputs(want ? style->hl_on : style->hl_off, f);
                on = want;
            }
            i += put_char(f, text + i, end - i);
        }
        if (on)
            fputs(style->hl_off, f);
        fputc('\n', f);
        pos = next;
    }
}

void wrap_put_clean(FILE *f, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;)
        i += put_char(f, s + i, n - i);
}
