/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "concepts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "schema.h"
#include "strmap.h"
#include "textfile.h"

/* strmap u32: the descriptor's number, and whether the string is an entry
 * term (KEY) or the first words of a longer one (PREFIX). */
#define C_ID     0x00ffffffu
#define C_KEY    0x40000000u
#define C_PREFIX 0x80000000u
#define KEY_MAX  (SCHEMA_MAX_TERM + 1)

struct concepts {
    struct strmap words; /* normalized words joined by one space */
    struct strmap caps;  /* one-word entry terms in capitals, folded */
    size_t descriptors, terms;
    char digest[17];
};

/* The word as entry terms and text compare it: a final "s" dropped from
 * words of 4 letters or more ("ulcers", not "ss"). Returns the length. */
static size_t norm_len(const char *w, size_t len)
{
    return len > 3 && w[len - 1] == 's' && w[len - 2] != 's' ? len - 1 : len;
}

/* Append word w to key (used *kl); 0, or -1 when it does not fit. */
static int key_add(char *key, size_t *kl, const char *w, size_t wl)
{
    wl = norm_len(w, wl);
    if (*kl + (*kl ? 1 : 0) + wl >= KEY_MAX)
        return -1;
    if (*kl)
        key[(*kl)++] = ' ';
    memcpy(key + *kl, w, wl);
    *kl += wl;
    return 0;
}

static int mark(struct strmap *m, const char *key, size_t len, uint32_t flags, uint32_t id)
{
    int created = 0;
    struct strmap_entry *e = strmap_put(m, key, len, &created);
    if (!e)
        return -1;
    if ((flags & C_KEY) && !(e->u32 & C_KEY)) /* the first descriptor of a term keeps it */
        e->u32 |= C_KEY | id;
    e->u32 |= flags & C_PREFIX;
    return 0;
}

static int all_caps(const char *s, size_t len)
{
    int letters = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'a' && c <= 'z')
            return 0;
        letters |= c >= 'A' && c <= 'Z';
    }
    return letters;
}

/* One entry term of descriptor id. Returns 1 when kept, 0 when skipped
 * (too short, too long, no word), -1 when out of memory. */
static int add_term(struct concepts *c, struct tokenizer *tk, const char *t, size_t len, uint32_t id)
{
    const struct tok_token *toks;
    size_t n;
    if (len < 3 || tokenizer_run(tk, t, len, 1, &toks, &n) != 0)
        return 0;
    const struct tok_token *w[CONCEPTS_MAX_WORDS];
    size_t nw = 0;
    for (size_t i = 0; i < n; i++) {
        if (toks[i].flags & TOK_COMPOUND)
            continue;
        if (nw == CONCEPTS_MAX_WORDS)
            return 0;
        w[nw++] = &toks[i];
    }
    if (nw == 0)
        return 0;
    if (nw == 1 && all_caps(t, len)) /* an abbreviation: capitals only */
        return mark(&c->caps, w[0]->text, w[0]->len, C_KEY, id) == 0 ? 1 : -1;
    char key[KEY_MAX];
    size_t kl = 0;
    for (size_t i = 0; i < nw; i++) {
        if (key_add(key, &kl, w[i]->text, w[i]->len) != 0)
            return 0;
        if (i + 1 < nw && mark(&c->words, key, kl, C_PREFIX, 0) != 0)
            return -1;
    }
    return mark(&c->words, key, kl, C_KEY, id) == 0 ? 1 : -1;
}

int concepts_load(const char *path, struct tokenizer *tk, struct concepts **out, char *err, size_t errcap)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    if (input_read_file(path, 64u << 20, &text, &len, err, errcap) != INPUT_OK)
        return -1;
    struct concepts *c = calloc(1, sizeof *c);
    if (!c) {
        free(text);
        snprintf(err, errcap, "%s: out of memory", path);
        return -1;
    }
    strmap_init(&c->words);
    strmap_init(&c->caps);
    snprintf(c->digest, sizeof c->digest, "%016llx", (unsigned long long)schema_hash(text, len, SCHEMA_HASH_SEED));
    size_t bad = 0, lineno = 0, first_bad = 0;
    int failed = 0;
    for (char *line = text; line && *line && !failed;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        if (*line && *line != '#') {
            char *tab = strchr(line, '\t');
            char *end = NULL;
            unsigned long id = line[0] == 'D' ? strtoul(line + 1, &end, 10) : 0;
            if (!tab || end != tab || id == 0 || id > C_ID) {
                if (!bad++)
                    first_bad = lineno;
            } else {
                size_t kept = 0;
                for (char *t = tab + 1; t && !failed;) {
                    char *next = strchr(t, '\t');
                    size_t tl = next ? (size_t)(next - t) : strlen(t);
                    int r = add_term(c, tk, t, tl, (uint32_t)id);
                    failed = r < 0;
                    kept += r > 0;
                    t = next ? next + 1 : NULL;
                }
                c->terms += kept;
                c->descriptors += kept > 0;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    if (bad)
        log_warn("%s:%zu: %zu line%s not \"D<number><TAB>term...\": left out", path, first_bad, bad,
                 bad == 1 ? " is" : "s are");
    if (failed || c->descriptors == 0) {
        snprintf(err, errcap, "%s: %s", path, failed ? "out of memory" : "no concept in it");
        concepts_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void concepts_free(struct concepts *c)
{
    if (!c)
        return;
    strmap_free(&c->words);
    strmap_free(&c->caps);
    free(c);
}

size_t concepts_count(const struct concepts *c, size_t *terms)
{
    if (terms)
        *terms = c ? c->terms : 0;
    return c ? c->descriptors : 0;
}

const char *concepts_digest(const struct concepts *c)
{
    return c ? c->digest : "";
}

void concepts_find(const struct concepts *c, const char *text, const struct tok_token *toks, size_t n,
                   void (*cb)(uint32_t id, void *ud), void *ud)
{
    if (!c)
        return;
    char key[KEY_MAX];
    size_t i = 0;
    while (i < n) {
        if (toks[i].flags & TOK_COMPOUND) {
            i++;
            continue;
        }
        /* the longest entry term from here: extend while a prefix */
        size_t kl = 0, j = i, words = 0, match_end = 0;
        uint32_t match = 0;
        while (j < n && words < CONCEPTS_MAX_WORDS) {
            if (toks[j].flags & TOK_COMPOUND) {
                j++;
                continue;
            }
            if (key_add(key, &kl, toks[j].text, toks[j].len) != 0)
                break;
            words++;
            j++;
            const struct strmap_entry *e = strmap_get(&c->words, key, kl);
            if (!e)
                break;
            if (e->u32 & C_KEY) {
                match = e->u32 & C_ID;
                match_end = j;
            }
            if (!(e->u32 & C_PREFIX))
                break;
        }
        if (!match) {
            const struct strmap_entry *e = strmap_get(&c->caps, toks[i].text, toks[i].len);
            if (e && all_caps(text + toks[i].start, toks[i].end - toks[i].start)) {
                match = e->u32 & C_ID;
                match_end = i + 1;
            }
        }
        if (match) {
            cb(match, ud);
            i = match_end;
        } else {
            i++;
        }
    }
}
