/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dictionary: `indexer --dictionary DIR SHARD...` writes DIR, a small
 * database holding only the spelling and synonym tables of the shards
 * (spelling frequencies summed, synonyms united: what one index over all
 * the articles would hold). searchd reads it locally with --dictionary,
 * because Xapian 1.4's remote backend serves neither table: without it,
 * synonyms and "did you mean" would silently vanish over remote shards.
 * DIR is rewritten in one commit, so readers and xapian-replicate see the
 * old tables or the new ones, never a mix. When every shard's synonym
 * table came from the same files, DIR records their hash too, so that
 * searchd can match synonym phrases by the shards' XY terms (schema.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indexer.h"
#include "log.h"
#include "schema.h"
#include "xap.h"

struct copy {
    xap_db *src, *dst;
    xap_status st;
    unsigned long long words, synonyms;
};

static int copy_word(const char *word, size_t len, uint32_t freq, void *ud)
{
    struct copy *c = ud;
    (void)len;
    c->st = xap_db_add_spelling(c->dst, word, freq);
    c->words++;
    return c->st != XAP_OK;
}

struct key_copy {
    struct copy *c;
    const char *key;
};

static int copy_synonym(const char *syn, size_t len, void *ud)
{
    struct key_copy *k = ud;
    (void)len;
    k->c->st = xap_db_add_synonym(k->c->dst, k->key, syn);
    k->c->synonyms++;
    return k->c->st != XAP_OK;
}

static int copy_key(const char *key, size_t len, void *ud)
{
    struct copy *c = ud;
    (void)len;
    struct key_copy k = { c, key };
    xap_status st = xap_db_synonyms(c->src, key, copy_synonym, &k);
    if (st != XAP_OK)
        c->st = st;
    return c->st != XAP_OK;
}

int dictionary_build(const char *dir, char *const *shards, size_t n)
{
    if (n == 0) {
        log_err("--dictionary %s: name the shard directories to read (see --help)", dir);
        return EXIT_USAGE;
    }
    struct copy c = { 0 };
    char *hash = NULL;     /* the shards' synonyms_hash while they agree */
    size_t hash_len = 0;
    int agree = 1;
    if (xap_db_open(dir, XAP_DB_CREATE_OR_OVERWRITE, &c.dst) != XAP_OK) {
        log_err("--dictionary %s: %s", dir, xap_errmsg());
        return EXIT_INDEX;
    }
    for (size_t i = 0; i < n; i++) {
        if (xap_db_open(shards[i], XAP_DB_READONLY, &c.src) != XAP_OK) {
            log_err("--dictionary: cannot open shard %s: %s", shards[i], xap_errmsg());
            xap_db_cancel(c.dst);
            xap_db_close(c.dst);
            return EXIT_INDEX;
        }
        xap_status st = xap_db_spelling_words(c.src, copy_word, &c);
        if (st == XAP_OK && c.st == XAP_OK)
            st = xap_db_synonym_keys(c.src, "", copy_key, &c);
        if (st == XAP_OK)
            st = c.st;
        char *h = NULL;
        size_t hl = 0;
        if (st == XAP_OK)
            st = xap_db_get_metadata(c.src, SCHEMA_META_SYNONYMS_HASH, &h, &hl);
        if (st == XAP_OK && i == 0) {
            hash = h;
            hash_len = hl;
            h = NULL;
        } else if (st == XAP_OK && (hl != hash_len || memcmp(h, hash, hl) != 0)) {
            agree = 0;
        }
        free(h);
        xap_db_close(c.src);
        c.src = NULL;
        if (st != XAP_OK) {
            log_err("--dictionary: copying the tables of %s into %s: %s", shards[i], dir, xap_errmsg());
            free(hash);
            xap_db_cancel(c.dst);
            xap_db_close(c.dst);
            return EXIT_INDEX;
        }
    }
    if (!agree)
        log_warn("--dictionary %s: the shards' synonym tables come from different files; synonym phrases "
                 "will match by their words' positions (slower): index every shard with the same --synonyms",
                 dir);
    else if (hash_len > 0 && xap_db_set_metadata(c.dst, SCHEMA_META_SYNONYMS_HASH, hash, hash_len) != XAP_OK) {
        log_err("--dictionary %s: %s", dir, xap_errmsg());
        free(hash);
        xap_db_cancel(c.dst);
        xap_db_close(c.dst);
        return EXIT_INDEX;
    }
    free(hash);
    if (xap_db_commit(c.dst) != XAP_OK) {
        log_err("--dictionary %s: commit: %s", dir, xap_errmsg());
        xap_db_close(c.dst);
        return EXIT_INDEX;
    }
    xap_db_close(c.dst);
    log_info("dictionary %s: %llu spelling entries and %llu synonyms from %zu shards", dir, c.words, c.synonyms, n);
    return EXIT_DONE;
}
