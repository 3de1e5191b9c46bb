/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "synphrase.h"

#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "strmap.h"

/* Entry flags (strmap u32): the string is a key; it is the first words
 * of a longer key (so a match may go on). */
#define SP_KEY    1u
#define SP_PREFIX 2u

struct synphrases {
    struct strmap m;
};

struct build {
    struct synphrases *sp;
    size_t keys;
    int failed;
};

static int mark(struct build *b, const char *s, size_t len, uint32_t flag)
{
    int created = 0;
    struct strmap_entry *e = strmap_put(&b->sp->m, s, len, &created);
    if (!e)
        return -1;
    e->u32 |= flag;
    return 0;
}

static int add_key(const char *s, size_t len, void *ud)
{
    struct build *b = ud;
    if (!memchr(s, ' ', len) || len > SCHEMA_MAX_SYNPHRASE)
        return 0; /* one word: its stem already matches; too long: a phrase */
    for (size_t i = 0; i < len; i++)
        if (s[i] == ' ' && mark(b, s, i, SP_PREFIX) != 0) {
            b->failed = 1;
            return 1;
        }
    if (mark(b, s, len, SP_KEY) != 0) {
        b->failed = 1;
        return 1;
    }
    b->keys++;
    return 0;
}

int synphrases_from_db(xap_db *db, struct synphrases **out, size_t *count)
{
    *out = NULL;
    if (count)
        *count = 0;
    struct synphrases *sp = calloc(1, sizeof *sp);
    if (!sp)
        return -1;
    strmap_init(&sp->m);
    struct build b = { sp, 0, 0 };
    if (xap_db_synonym_keys(db, "", add_key, &b) != XAP_OK || b.failed) {
        synphrases_free(sp);
        return -1;
    }
    if (b.keys == 0) {
        synphrases_free(sp);
        return 0;
    }
    if (count)
        *count = b.keys;
    *out = sp;
    return 0;
}

void synphrases_free(struct synphrases *sp)
{
    if (!sp)
        return;
    strmap_free(&sp->m);
    free(sp);
}

void synphrases_find(const struct synphrases *sp, const struct tok_token *toks, size_t n,
                     void (*cb)(const char *key, size_t len, void *ud), void *ud)
{
    if (!sp)
        return;
    char buf[SCHEMA_MAX_TERM + 1];
    for (size_t i = 0; i < n; i++) {
        if (toks[i].flags & TOK_PART || toks[i].len >= sizeof buf)
            continue;
        const struct strmap_entry *e = strmap_get(&sp->m, toks[i].text, toks[i].len);
        if (!e || !(e->u32 & SP_PREFIX))
            continue;
        size_t len = toks[i].len;
        memcpy(buf, toks[i].text, len);
        for (size_t j = i + 1; j < n; j++) {
            if (toks[j].flags & TOK_PART)
                continue;
            if (len + 1 + toks[j].len >= sizeof buf)
                break;
            buf[len++] = ' ';
            memcpy(buf + len, toks[j].text, toks[j].len);
            len += toks[j].len;
            e = strmap_get(&sp->m, buf, len);
            if (!e)
                break;
            if (e->u32 & SP_KEY)
                cb(buf, len, ud);
            if (!(e->u32 & SP_PREFIX))
                break;
        }
    }
}
