/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzzreplay: run saved inputs through the fuzz targets of tests/fuzz/,
 * built with the project's compiler and flags (no libFuzzer), as a TAP
 * test. make check replays every regression input (and the seeds) with
 * it: tests/golden/fuzz-regress.sh.
 *
 *   fuzzreplay DIR...
 *
 * Each DIR holds one folder per target (text, jsonl, html, gzip, input,
 * tokenizer, query, request), each holding input files. A broken
 * invariant or a sanitizer error aborts the program: the test fails, and
 * the "# TARGET/FILE" line before it names the input. fuzz_query and
 * fuzz_request need MEDSEARCH_FUZZ_DB (an index of corpus/); without it
 * the rank part of query is left out and request is skipped. */
#define FUZZ_REPLAY 1

#include <dirent.h>
#include <errno.h>
#include <string.h>

#include "../fuzz/fuzzutil.c"
#include "../fuzz/fuzz_gzip.c"
#include "../fuzz/fuzz_html.c"
#include "../fuzz/fuzz_input.c"
#include "../fuzz/fuzz_jsonl.c"
#include "../fuzz/fuzz_query.c"
#include "../fuzz/fuzz_request.c"
#include "../fuzz/fuzz_text.c"
#include "../fuzz/fuzz_tokenizer.c"

struct replay_target {
    const char *name;
    int (*init)(void);
    void (*one)(const uint8_t *data, size_t size);
    int needs_db;
    int ready; /* 0 not yet, 1 initialized, -1 failed */
};

static struct replay_target replay_targets[] = {
    { "gzip", gzip_init, gzip_one, 0, 0 },
    { "html", html_init, html_one, 0, 0 },
    { "input", input_init, input_one, 0, 0 },
    { "jsonl", jsonl_init, jsonl_one, 0, 0 },
    { "query", query_init, query_one, 0, 0 },
    { "request", request_init, request_one, 1, 0 },
    { "text", text_init, text_one, 0, 0 },
    { "tokenizer", tokenizer_init, tokenizer_one, 0, 0 },
};

static int tap_n, tap_failed;

static void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    fflush(stdout);
    tap_failed += !ok;
}

static int read_all(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *out = NULL;
    *len = 0;
    if (!f)
        return -1;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb, cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        return -1;
    }
    /* An exact-size copy, so that an overread is caught as in the fuzzer. */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    *out = exact;
    *len = n;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_dir(struct replay_target *t, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno != ENOENT)
            tap(0, "%s: %s", dir, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                fuzz_fail("out of memory");
            names = nn;
        }
        if (!(names[n++] = strdup(e->d_name)))
            fuzz_fail("out of memory");
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    if (n && t->ready == 0) {
        if (t->needs_db && !getenv("MEDSEARCH_FUZZ_DB"))
            t->ready = -2;
        else
            t->ready = t->init() == 0 ? 1 : -1;
    }
    for (size_t i = 0; i < n; i++) {
        char *path;
        if (asprintf(&path, "%s/%s", dir, names[i]) < 0)
            fuzz_fail("out of memory");
        if (t->ready == -2) {
            printf("ok %d # SKIP %s/%s: MEDSEARCH_FUZZ_DB is not set\n", ++tap_n, t->name, names[i]);
        } else if (t->ready < 0) {
            tap(0, "%s/%s: the target did not initialize", t->name, names[i]);
        } else {
            uint8_t *data;
            size_t len;
            if (read_all(path, &data, &len) < 0) {
                tap(0, "%s: cannot read it", path);
            } else {
                printf("# %s\n", path);
                fflush(stdout);
                t->one(data, len);
                free(data);
                tap(1, "%s/%s", t->name, names[i]);
            }
        }
        free(path);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fuzzreplay DIR...\n");
        return 2;
    }
    for (int a = 1; a < argc; a++) {
        for (size_t i = 0; i < sizeof replay_targets / sizeof replay_targets[0]; i++) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/%s", argv[a], replay_targets[i].name);
            replay_dir(&replay_targets[i], dir);
        }
    }
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}
