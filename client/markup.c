/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "grow.h"
#include "markup.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t markup_utf8_encode(unsigned long cp, char out[4])
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static const struct {
    const char *name;   /* between '&' and ';' */
    const char *utf8;
} named[] = {
    { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" },
    { "apos", "'" }, { "nbsp", "\xC2\xA0" },
};

size_t markup_entity(const char *s, char out[4], size_t *outlen)
{
    *outlen = 0;
    if (s[0] != '&')
        return 0;
    if (s[1] == '#') {
        int hex = (s[2] == 'x' || s[2] == 'X');
        size_t i = hex ? 3 : 2, digits = 0;
        unsigned long cp = 0;
        for (;; i++, digits++) {
            char c = s[i];
            int d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                break;
            if (digits >= 8)   /* bounded: more is never a valid code point */
                return 0;
            cp = cp * (hex ? 16u : 10u) + (unsigned long)d;
        }
        if (digits == 0 || s[i] != ';')
            return 0;
        size_t n = markup_utf8_encode(cp, out);
        if (n == 0)
            return 0;
        *outlen = n;
        return i + 1;
    }
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
        size_t nl = strlen(named[k].name);
        if (strncmp(s + 1, named[k].name, nl) == 0 && s[1 + nl] == ';') {
            *outlen = strlen(named[k].utf8);
            memcpy(out, named[k].utf8, *outlen);
            return nl + 2;
        }
    }
    return 0;
}

/* Length of the tag at s (s[0] == '<') including '>', or 0 if s does not
 * start a tag (then the '<' is text). */
static size_t tag_len(const char *s)
{
    char c = s[1];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!'))
        return 0;
    const char *end = strchr(s, '>');
    return end ? (size_t)(end - s) + 1 : 0;
}

static int push_span(struct markup *m, size_t *cap, size_t start, size_t end)
{
    if (end <= start)
        return 0;
    if (GROW(m->spans, (*cap), m->nspans + 1, 8) != 0)
        return -1;
    m->spans[m->nspans].start = start;
    m->spans[m->nspans].end = end;
    m->nspans++;
    return 0;
}

int markup_parse(const char *html, struct markup *out)
{
    memset(out, 0, sizeof *out);
    size_t n = strlen(html);
    /* Decoding never grows the text: every entity is at least as long as
     * its UTF-8 form (&#1; is 4 bytes for 1; &#x10000; is 9 for 4). */
    char *text = malloc(n + 1);
    if (!text)
        return -1;
    out->text = text;
    size_t cap = 0, len = 0, open_at = 0;
    int depth = 0;
    for (size_t i = 0; i < n;) {
        if (html[i] == '<') {
            size_t tl = tag_len(html + i);
            if (tl) {
                if (tl == 6 && strncasecmp(html + i, "<mark>", 6) == 0) {
                    if (depth++ == 0)
                        open_at = len;
                } else if (tl == 7 && strncasecmp(html + i, "</mark>", 7) == 0) {
                    if (depth > 0 && --depth == 0 && push_span(out, &cap, open_at, len) < 0)
                        goto oom;
                }
                i += tl;
                continue;
            }
        } else if (html[i] == '&') {
            char u[4];
            size_t ul;
            size_t el = markup_entity(html + i, u, &ul);
            if (el) {
                memcpy(text + len, u, ul);
                len += ul;
                i += el;
                continue;
            }
        }
        text[len++] = html[i++];
    }
    if (depth > 0 && push_span(out, &cap, open_at, len) < 0)
        goto oom;
    text[len] = '\0';
    out->len = len;
    return 0;
oom:
    markup_free(out);
    return -1;
}

void markup_free(struct markup *m)
{
    if (!m)
        return;
    free(m->text);
    free(m->spans);
    memset(m, 0, sizeof *m);
}
