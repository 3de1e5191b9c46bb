/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tokbench: tokenizer throughput over a JSON Lines corpus (gzip or plain).
 * The "title" and "text" fields of every line are decoded first (jansson,
 * not timed), then each is tokenized as one run; prints MB/s of UTF-8 input
 * and tokens/s. Exits 0 with a message when the corpus is absent.
 *
 *   tokbench [CORPUS.jsonl.gz] [ROUNDS]
 * Default corpus: $MEDSEARCH_SHARED/datasets/medquad/corpus.jsonl.gz
 * (MEDSEARCH_SHARED defaults to /work/shared). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <zlib.h>

#include "tokenizer.h"

struct texts {
    char **s;
    size_t *len;
    size_t n, cap, bytes;
};

static int texts_add(struct texts *t, const char *s, size_t len)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        char **ns = realloc(t->s, cap * sizeof *ns);
        if (!ns)
            return -1;
        t->s = ns;
        size_t *nl = realloc(t->len, cap * sizeof *nl);
        if (!nl)
            return -1;
        t->len = nl;
        t->cap = cap;
    }
    char *c = malloc(len ? len : 1);
    if (!c)
        return -1;
    memcpy(c, s, len);
    t->s[t->n] = c;
    t->len[t->n++] = len;
    t->bytes += len;
    return 0;
}

static int add_field(struct texts *t, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return 0;
    return texts_add(t, json_string_value(v), json_string_length(v));
}

/* Read every line of the (gzip) file; NULL-free errors reported here. */
static int load(const char *path, struct texts *t)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        fprintf(stderr, "tokbench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 20, n = 0, lineno = 0;
    char *line = malloc(cap);
    int rc = line ? 0 : -1;
    while (rc == 0) {
        if (!gzgets(gz, line + n, (int)(cap - n))) {
            if (n == 0)
                break;
        } else {
            n += strlen(line + n);
            if (n == cap - 1 && line[n - 1] != '\n') {
                char *p = realloc(line, cap * 2);
                if (!p) {
                    rc = -1;
                    break;
                }
                line = p;
                cap *= 2;
                continue;
            }
        }
        lineno++;
        json_error_t jerr;
        json_t *obj = json_loadb(line, n, 0, &jerr);
        n = 0;
        if (!obj) {
            fprintf(stderr, "tokbench: %s:%zu: %s\n", path, lineno, jerr.text);
            continue;
        }
        if (add_field(t, obj, "title") < 0 || add_field(t, obj, "text") < 0)
            rc = -1;
        json_decref(obj);
    }
    int errnum;
    const char *msg = gzerror(gz, &errnum);
    if (errnum != Z_OK && errnum != Z_STREAM_END) {
        fprintf(stderr, "tokbench: %s: %s\n", path, msg);
        rc = -1;
    }
    gzclose(gz);
    free(line);
    return rc;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    char def[4096];
    const char *shared = getenv("MEDSEARCH_SHARED");
    snprintf(def, sizeof def, "%s/datasets/medquad/corpus.jsonl.gz", shared ? shared : "/work/shared");
    const char *path = argc > 1 ? argv[1] : def;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    if (rounds < 1)
        rounds = 1;
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        printf("tokbench: skipped: %s: %s\n", path, strerror(errno));
        return 0;
    }
    fclose(probe);

    struct texts t = { 0 };
    if (load(path, &t) < 0)
        return 1;
    struct tokenizer *tk = tokenizer_new();
    if (!tk)
        return 1;
    double best = 1e30;
    size_t tokens = 0;
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        size_t count = 0;
        for (size_t i = 0; i < t.n; i++) {
            const struct tok_token *tok;
            size_t n;
            if (tokenizer_run(tk, t.s[i], t.len[i], 0, &tok, &n) < 0) {
                fprintf(stderr, "tokbench: tokenizer failed on field %zu\n", i);
                return 1;
            }
            count += n;
        }
        double dt = now() - t0;
        if (dt < best)
            best = dt;
        tokens = count;
    }
    printf("tokbench: %s: %zu fields, %.1f MB, %zu tokens\n", path, t.n, (double)t.bytes / 1e6, tokens);
    printf("tokbench: best of %d: %.3f s, %.1f MB/s, %.2f M tokens/s\n", rounds, best,
           (double)t.bytes / 1e6 / best, (double)tokens / 1e6 / best);
    tokenizer_free(tk);
    for (size_t i = 0; i < t.n; i++)
        free(t.s[i]);
    free(t.s);
    free(t.len);
    return 0;
}
