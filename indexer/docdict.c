/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docdict: the preset zlib dictionary of the stored records (docrec.h),
 * learnt from the first records a run encodes.
 *
 * A stored record is short (MedQuAD: 1.5 KB of JSON), too short for zlib
 * to find much to repeat inside it; a dictionary of what records share
 * (the JSON keys, the source path, the url's host, the collection's
 * common phrases) gives it that. docdict_feed() samples the records of a
 * run that starts a dictionary-less index; when the sample is full it
 * builds the dictionary and makes docrec use it for every later record
 * (the sampled ones stay plain zlib). The writers store it in the index
 * (docdict_store). Thread-safe: builders feed it concurrently. */
#include "docdict.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "docrec.h"
#include "grow.h"
#include "log.h"
#include "strmap.h"

#define SAMPLE_RECORDS 600
#define SAMPLE_BYTES (1u << 20)
#define NGRAM_MAX 4       /* words */
#define NGRAM_MIN_BYTES 5
#define MIN_DF 3          /* records a string must be in */
#define SKELETON_MAX 1024 /* bytes at the dictionary's end */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int learning;
static char **sample;
static size_t n_sample, sample_bytes;

void docdict_learn(int on)
{
    pthread_mutex_lock(&lock);
    atomic_store(&learning, on);
    pthread_mutex_unlock(&lock);
}

struct cand {
    const char *s;
    size_t len;
    double score;
};

/* Frees the sampled records (under lock). */
static void drop_sample(void)
{
    for (size_t i = 0; i < n_sample; i++)
        free(sample[i]);
    free(sample);
    sample = NULL;
    n_sample = sample_bytes = 0;
}

static int by_score(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->s, y->s, x->len);
}

/* The record's JSON up to its body, with the values that differ between
 * records (id, url path, title, line) emptied: what every record starts with. */
static size_t skeleton(const char *js, char *out, size_t cap)
{
    const char *body = strstr(js, ",\"body\":\"");
    size_t n = body ? (size_t)(body - js) + 9 : strlen(js);
    size_t o = 0;
    static const char *const varying[] = { "\"id\":\"", "\"title\":\"", "\"line\":" };
    for (size_t i = 0; i < n && o + 1 < cap;) {
        size_t skip = 0;
        for (size_t k = 0; k < sizeof varying / sizeof varying[0]; k++) {
            size_t kl = strlen(varying[k]);
            if (i + kl <= n && memcmp(js + i, varying[k], kl) == 0) {
                skip = kl;
                break;
            }
        }
        if (!skip) {
            out[o++] = js[i++];
            continue;
        }
        if (o + skip >= cap)
            break;
        memcpy(out + o, js + i, skip);
        o += skip;
        i += skip;
        /* drop the value: up to its closing quote (strings) or a comma */
        int str = js[i - 1] == '"';
        while (i < n && !(str ? js[i] == '"' && js[i - 1] != '\\' : js[i] == ','))
            i++;
    }
    return o;
}

/* Build the dictionary from the sample: the word n-grams met in most
 * records, weighted by the bytes they save, the best last (nearest the
 * data, cheapest to refer to), then the skeleton. */
static void build(void)
{
    struct strmap grams;
    strmap_init(&grams);
    size_t *ws = NULL, wcap = 0;
    for (size_t r = 0; r < n_sample; r++) {
        const char *s = sample[r];
        size_t len = strlen(s), nw = 0;
        /* word starts (words are separated by spaces) */
        for (size_t i = 0; i < len; i++) {
            if (s[i] == ' ' || (i > 0 && s[i - 1] != ' '))
                continue;
            if (GROW(ws, wcap, nw + 1, 1024) != 0)
                goto out;
            ws[nw++] = i;
        }
        for (size_t i = 0; i < nw; i++) {
            for (size_t k = 1; k <= NGRAM_MAX && i + k <= nw; k++) {
                /* words i..i+k-1 with the space after them (the next word follows) */
                size_t end = i + k < nw ? ws[i + k] : len;
                size_t gl = end - ws[i];
                if (gl < NGRAM_MIN_BYTES || gl > 200)
                    continue;
                struct strmap_entry *e = strmap_put(&grams, s + ws[i], gl, NULL);
                if (e && e->u64 != r + 1) { /* once per record: document frequency */
                    e->u64 = r + 1;
                    e->u32++;
                }
            }
        }
    }
    size_t nc = 0;
    struct cand *c = malloc((grams.len + 1) * sizeof *c);
    for (size_t i = 0; c && i < grams.cap; i++) {
        struct strmap_entry *e = &grams.slots[i];
        if (e->key && e->u32 >= MIN_DF)
            c[nc++] = (struct cand){ e->key, e->klen, (double)e->u32 * (double)(e->klen - 3) };
    }
    char *dict = malloc(DOCREC_DICT_MAX);
    char skel[SKELETON_MAX];
    size_t sl = n_sample ? skeleton(sample[n_sample - 1], skel, sizeof skel) : 0;
    if (c && dict) {
        qsort(c, nc, sizeof *c, by_score);
        /* pick greedily, skipping strings inside those already picked */
        size_t budget = DOCREC_DICT_MAX - sl, used = 0, np = 0;
        for (size_t i = 0; i < nc && used < budget - 8; i++) {
            if (used + c[i].len > budget)
                continue;
            if (used && memmem(dict, used, c[i].s, c[i].len))
                continue;
            memcpy(dict + used, c[i].s, c[i].len);
            c[np++] = (struct cand){ dict + used, c[i].len, c[i].score };
            used += c[i].len;
        }
        /* reverse the picks' order: the best at the end */
        char *rev = malloc(DOCREC_DICT_MAX);
        if (rev) {
            size_t o = 0;
            for (size_t i = np; i-- > 0;) {
                memcpy(rev + o, c[i].s, c[i].len);
                o += c[i].len;
            }
            memcpy(rev + o, skel, sl);
            o += sl;
            uint32_t id = docrec_dict_add(rev, o);
            docrec_dict_use(id);
            log_debug("docdict: %zu bytes from %zu records (%zu strings), id %08x", o, n_sample, np, id);
            free(rev);
        }
    }
    free(dict);
    free(c);
out:
    free(ws);
    strmap_free(&grams);
}

void docdict_feed(const char *json)
{
    if (!atomic_load(&learning) || !json)
        return;
    pthread_mutex_lock(&lock);
    if (atomic_load(&learning)) {
        char **ns = realloc(sample, (n_sample + 1) * sizeof *ns);
        char *copy = strdup(json);
        if (ns)
            sample = ns;
        if (ns && copy) {
            sample[n_sample++] = copy;
            sample_bytes += strlen(copy);
        } else {
            free(copy);
        }
        if (n_sample >= SAMPLE_RECORDS || sample_bytes >= SAMPLE_BYTES) {
            build();
            atomic_store(&learning, 0);
            drop_sample();
        }
    }
    pthread_mutex_unlock(&lock);
}

int docdict_learning(void) { return atomic_load(&learning); }

void docdict_reset(void)
{
    pthread_mutex_lock(&lock);
    atomic_store(&learning, 0);
    drop_sample();
    pthread_mutex_unlock(&lock);
}
