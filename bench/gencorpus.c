/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gencorpus: a synthetic corpus of any size, made by mixing and varying
 * real texts, for indexing benchmarks and crash tests.
 *
 *   gencorpus [--seed S] [--start K] N SOURCE...  > out.jsonl
 *
 * SOURCE files (any format the indexer reads, e.g. a corpus.jsonl.gz or
 * the corpus/ folder's .txt files) are parsed with indexer/input and cut
 * into sentences and titles. Each generated article (JSON Lines: id,
 * title, body, category, lang) takes a title from one article, 6-40
 * sentences drawn from others and a numeric variant word, so that
 * articles are distinct (no two share a content hash) but read like the
 * real texts, with a realistic vocabulary. Deterministic for a seed.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

#include "../indexer/input.h"

struct pool {
    char **s;
    size_t n, cap;
};

static struct pool titles, sentences, categories;

static void pool_add(struct pool *p, const char *s, size_t len)
{
    if (len == 0)
        return;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->s = realloc(p->s, p->cap * sizeof *p->s);
        if (!p->s) {
            fprintf(stderr, "gencorpus: out of memory\n");
            exit(2);
        }
    }
    p->s[p->n] = strndup(s, len);
    if (p->s[p->n])
        p->n++;
}

/* Sentences end at ". ", "? ", "! ", "。", or a newline. */
static void split_sentences(const char *body)
{
    const char *start = body;
    for (const char *p = body; *p; p++) {
        int end = 0;
        if ((*p == '.' || *p == '?' || *p == '!') && (p[1] == ' ' || p[1] == '\n' || p[1] == '\0'))
            end = 1;
        else if (*p == '\n')
            end = 1;
        else if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x82)
            end = 3; /* 。 */
        if (!end)
            continue;
        const char *stop = p + (end == 3 ? 3 : 1);
        while (start < stop && (*start == ' ' || *start == '\n'))
            start++;
        if (stop - start > 20 && stop - start < 2000)
            pool_add(&sentences, start, (size_t)(stop - start));
        if (end == 3)
            p += 2;
        start = stop;
    }
}

static int on_article(struct article *a, void *ud)
{
    (void)ud;
    if (a->title && *a->title)
        pool_add(&titles, a->title, strlen(a->title));
    if (a->category)
        pool_add(&categories, a->category, strlen(a->category));
    if (a->body)
        split_sentences(a->body);
    article_free(a);
    return 0;
}

static void on_error(const char *file, long line, enum input_status st, int fatal, const char *reason, void *ud)
{
    (void)st;
    (void)fatal;
    (void)ud;
    fprintf(stderr, "gencorpus: %s:%ld: %s\n", file, line, reason);
}

static void read_source(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        while (d && (de = readdir(d))) {
            if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0)
                continue;
            char child[4096];
            snprintf(child, sizeof child, "%s/%s", path, de->d_name);
            read_source(child);
        }
        if (d)
            closedir(d);
        return;
    }
    struct input_opts o = { .format = INPUT_AUTO };
    input_parse_file(path, &o, on_article, on_error, NULL);
}

/* xorshift64*: small, fast, deterministic. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

int main(int argc, char **argv)
{
    uint64_t seed = 42, start = 0;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--start") == 0 && i + 1 < argc)
            start = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: gencorpus [--seed S] [--start K] N SOURCE... > out.jsonl\n");
            return 2;
        }
    }
    if (argc - i < 2) {
        fprintf(stderr, "usage: gencorpus [--seed S] [--start K] N SOURCE... > out.jsonl\n");
        return 2;
    }
    unsigned long long n = strtoull(argv[i++], NULL, 10);
    for (; i < argc; i++)
        read_source(argv[i]);
    if (titles.n == 0 || sentences.n == 0) {
        fprintf(stderr, "gencorpus: no text found in the sources\n");
        return 1;
    }
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    static const char *variants[] = { "adults", "children", "older people", "women", "men", "athletes",
                                      "pregnancy", "winter", "summer", "at night", "after surgery", "at home" };
    char *body = NULL;
    size_t cap = 0;
    for (unsigned long long k = 0; k < n; k++) {
        size_t len = 0;
        size_t m = 6 + rnd() % 35;
        for (size_t j = 0; j < m; j++) {
            const char *s = sentences.s[rnd() % sentences.n];
            size_t sl = strlen(s);
            if (len + sl + 3 > cap) {
                cap = (len + sl + 3) * 2;
                body = realloc(body, cap);
                if (!body)
                    return 2;
            }
            memcpy(body + len, s, sl);
            len += sl;
            body[len++] = (j % 5 == 4) ? '\n' : ' ';
            if (j % 5 == 4)
                body[len++] = '\n';
        }
        body[len] = '\0';
        char title[1024], id[64];
        snprintf(title, sizeof title, "%s (%s, %llu)", titles.s[rnd() % titles.n],
                 variants[rnd() % (sizeof variants / sizeof variants[0])], (unsigned long long)(start + k));
        snprintf(id, sizeof id, "synth-%llu", (unsigned long long)(start + k));
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "title", json_string(title));
        json_object_set_new(o, "body", json_string(body));
        if (categories.n)
            json_object_set_new(o, "category", json_string(categories.s[rnd() % categories.n]));
        char *line = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (line) {
            fputs(line, stdout);
            fputc('\n', stdout);
            free(line);
        }
    }
    free(body);
    return 0;
}
