/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_tokenizer: tokenizer_run and tokenizer_fold on any bytes.
 *
 * Input: byte 0 picks the chunk size (the default, or a small one so that
 * chunk seams fall inside the input), byte 1 the fold buffer size; the
 * rest is the text, copied to an exact-size heap block so that ASan sees
 * any read past its end. Checked: offsets inside the input and ordered,
 * positions from pos_base and non-decreasing, token text and form
 * NUL-terminated at their length, non-empty, valid UTF-8 and without
 * white space; tokenizer_next_pos after the last position; fold output
 * NUL-terminated at its length and valid UTF-8, or (size_t)-1. */
#include "fuzz.h"

#include <string.h>

#include "tokenizer.h"

static struct tokenizer *tok_tk;

static int tokenizer_init(void)
{
    tok_tk = tokenizer_new();
    return tok_tk ? 0 : -1;
}

static void tok_check(const char *text, size_t len, uint32_t base)
{
    const struct tok_token *t;
    size_t n;
    if (tokenizer_run(tok_tk, text, len, base, &t, &n) != 0)
        fuzz_fail("tokenizer_run failed on %zu bytes", len);
    uint32_t last = base;
    size_t last_start = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].start >= t[i].end || t[i].end > len)
            fuzz_fail("token %zu: offsets [%zu,%zu) in a %zu-byte input", i, t[i].start, t[i].end, len);
        if (t[i].start < last_start)
            fuzz_fail("token %zu starts at %zu, before the previous one (%zu)", i, t[i].start, last_start);
        last_start = t[i].start;
        if (t[i].pos < last)
            fuzz_fail("token %zu: position %u after %u", i, t[i].pos, last);
        last = t[i].pos;
        if (!t[i].text || t[i].len == 0 || strlen(t[i].text) != t[i].len)
            fuzz_fail("token %zu: text length %zu", i, t[i].len);
        if (!t[i].form || t[i].form_len == 0 || strlen(t[i].form) != t[i].form_len)
            fuzz_fail("token %zu: form length %zu", i, t[i].form_len);
        if (!fuzz_utf8_valid(t[i].text, t[i].len) || !fuzz_utf8_valid(t[i].form, t[i].form_len))
            fuzz_fail("token %zu is not valid UTF-8", i);
        if (strpbrk(t[i].text, " \t\n\r") || strpbrk(t[i].form, " \t\n\r"))
            fuzz_fail("token %zu '%s' holds white space", i, t[i].text);
        if (!(t[i].flags & TOK_FOLDED) && strcmp(t[i].text, t[i].form) != 0)
            fuzz_fail("token %zu: text '%s' != form '%s' without TOK_FOLDED", i, t[i].text, t[i].form);
        if ((t[i].flags & TOK_COMPOUND) && (t[i].flags & TOK_PART))
            fuzz_fail("token %zu is both a compound and a part", i);
    }
    uint32_t next = tokenizer_next_pos(tok_tk);
    if (n > 0 ? next <= last : next != base)
        fuzz_fail("tokenizer_next_pos %u after last position %u (%zu tokens, base %u)", next, last, n, base);
}

static void tokenizer_one(const uint8_t *data, size_t size)
{
    if (size < 2)
        return;
    size_t chunk = data[0] & 1 ? 64 + (size_t)(data[0] >> 1) : 16u << 20;
    size_t cap = data[1];
    data += 2, size -= 2;
    char *text = malloc(size ? size : 1);
    if (!text)
        return;
    memcpy(text, data, size);

    tokenizer_set_chunk_size(tok_tk, chunk);
    tok_check(text, size, 0);
    tok_check(text, size, 1000);

    char *buf = malloc(cap ? cap : 1);
    if (buf) {
        size_t k = tokenizer_fold(tok_tk, text, size, buf, cap);
        if (k != (size_t)-1 && (k >= cap || buf[k] != '\0' || strlen(buf) != k || !fuzz_utf8_valid(buf, k)))
            fuzz_fail("tokenizer_fold returned %zu for a %zu-byte buffer", k, cap);
        free(buf);
    }
    (void)tokenizer_is_cjk(text, size);
    free(text);
}

FUZZ_TARGET(tokenizer)
