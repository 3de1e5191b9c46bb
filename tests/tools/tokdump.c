/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tokdump: tokenize a file (or stdin) as one run and print one token per
 * line, tab separated:  pos start end flags text form
 * flags are letters (N numeric, C CJK, c compound, p part, f folded) or
 * "-". Bytes < 0x20 and backslash in text/form are printed as \xNN.
 * Used by the golden tests (tests/golden/tokenizer.sh).
 *
 *   tokdump [-b POS_BASE] [-i] [-l | -w] [FILE]
 *
 * -i: ICU segments every text (no plain-ASCII path); -l: each line is a
 * run of its own, -w: each run of non-blank bytes is (as a snippet asks
 * for short spans), start and end then count from the file's start. The
 * two paths must print the same (tests/golden/tokenizer.sh).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tokenizer.h"

static char *read_all(FILE *f, size_t *len /* OUT */)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    *len = 0;
    if (!buf)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                return NULL;
            }
            buf = p;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f)) {
                free(buf);
                return NULL;
            }
            break;
        }
    }
    *len = n;
    return buf;
}

static void put_escaped(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '\\' || c == 0x7F)
            printf("\\x%02X", c);
        else
            putchar(c);
    }
}

/* Tokenize text[a..b) and print its tokens, offsets from text's start. */
static int dump(struct tokenizer *tk, const char *text, size_t a, size_t b, uint32_t base, const char *name)
{
    const struct tok_token *tok;
    size_t n;
    if (tokenizer_run(tk, text + a, b - a, base, &tok, &n) < 0) {
        fprintf(stderr, "tokdump: %s: tokenizer failed\n", name);
        return -1;
    }
    static const char letters[] = "NCcpf";
    for (size_t i = 0; i < n; i++) {
        char fl[8];
        size_t w = 0;
        for (int k = 0; k < 5; k++)
            if (tok[i].flags & (1u << k))
                fl[w++] = letters[k];
        if (w == 0)
            fl[w++] = '-';
        fl[w] = '\0';
        printf("%u\t%zu\t%zu\t%s\t", tok[i].pos, a + tok[i].start, a + tok[i].end, fl);
        put_escaped(tok[i].text, tok[i].len);
        putchar('\t');
        put_escaped(tok[i].form, tok[i].form_len);
        putchar('\n');
    }
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long base = 0;
    int opt;
    int icu_only = 0, split = 0;
    while ((opt = getopt(argc, argv, "b:ilwh")) != -1) {
        if (opt == 'b') {
            base = strtoul(optarg, NULL, 10);
        } else if (opt == 'i') {
            icu_only = 1;
        } else if (opt == 'l' || opt == 'w') {
            split = opt;
        } else {
            fprintf(stderr, "usage: tokdump [-b POS_BASE] [-i] [-l | -w] [FILE]\n");
            return opt == 'h' ? 0 : 2;
        }
    }
    FILE *f = stdin;
    const char *name = "<stdin>";
    if (optind < argc) {
        name = argv[optind];
        f = fopen(name, "rb");
        if (!f) {
            fprintf(stderr, "tokdump: %s: %s\n", name, strerror(errno));
            return 1;
        }
    }
    size_t len;
    char *text = read_all(f, &len);
    if (f != stdin)
        fclose(f);
    if (!text) {
        fprintf(stderr, "tokdump: %s: read failed\n", name);
        return 1;
    }
    /* An exact-size copy, so that a sanitizer build catches a read past
     * the input. */
    char *exact = malloc(len ? len : 1);
    if (!exact) {
        free(text);
        return 1;
    }
    memcpy(exact, text, len);
    free(text);

    struct tokenizer *tk = tokenizer_new();
    if (!tk) {
        free(exact);
        return 1;
    }
    tokenizer_set_icu_only(tk, icu_only);
    int rc = 0;
    size_t a = 0;
    do { /* the whole text, or each line, or each run of non-blank bytes */
        size_t b = len;
        if (split) {
            const char *blank = split == 'l' ? "\n" : " \t\n\r\f\v";
            while (split == 'w' && a < len && exact[a] && strchr(blank, exact[a]))
                a++;
            for (b = a; b < len && !(exact[b] && strchr(blank, exact[b])); b++)
                ;
        }
        rc = dump(tk, exact, a, b, (uint32_t)base, name);
        a = b + (split == 'l');
    } while (split && a < len && rc == 0);
    tokenizer_free(tk);
    free(exact);
    return rc ? 1 : fflush(stdout) == 0 ? 0 : 1;
}
