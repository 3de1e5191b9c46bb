/* SPDX-License-Identifier: GPL-2.0-or-later */
/* schemadump: print what an index holds, document by document, so that a
 * change of the index layout is a visible diff (tests/golden/schema.sh).
 *
 *   schemadump DIR
 *
 * For every article (in id order): each term with its wdf and positions,
 * the value slots, and the stored record decoded (title, sizes). Then one
 * line per term kind (schema.h prefix): distinct terms, postings, and
 * postings with positions. Output is independent of docids and of zlib's
 * byte output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "docrec.h"
#include "schema.h"
#include "xap.h"

static const char *const kinds[] = { PFX_STEM_TITLE, PFX_STEM_HEADING, PFX_CATEGORY, PFX_SITE, PFX_FILE,
                                     PFX_TITLEKEY,   PFX_PHRASE,       PFX_TITLE,    PFX_HEADING, PFX_STEM, PFX_TOPIC,
                                     PFX_BIGRAM,     PFX_UNIGRAM,      PFX_ID,       PFX_LANG };
#define NKINDS (sizeof kinds / sizeof kinds[0])

struct tally {
    unsigned long terms, postings, positional;
};
static struct tally tallies[NKINDS + 1]; /* last: unprefixed words */

/* The schema kind of a term: the longest known prefix (ids, categories
 * and words are case-folded or lower-case after it). */
static size_t kind_of(const char *t)
{
    size_t best = NKINDS, blen = 0;
    for (size_t i = 0; i < NKINDS; i++) {
        size_t l = strlen(kinds[i]);
        if (l > blen && strncmp(t, kinds[i], l) == 0) {
            best = i;
            blen = l;
        }
    }
    return best;
}

static int count_term(const char *term, size_t len, uint32_t tf, void *ud)
{
    (void)len;
    (void)ud;
    (void)tf;
    tallies[kind_of(term)].terms++;
    return 0;
}

struct ids {
    char **v;
    size_t n, cap;
};

static int collect_id(const char *term, size_t len, uint32_t tf, void *ud)
{
    struct ids *ids = ud;
    (void)tf;
    if (ids->n == ids->cap) {
        ids->cap = ids->cap ? ids->cap * 2 : 64;
        ids->v = realloc(ids->v, ids->cap * sizeof *ids->v);
        if (!ids->v)
            return 1;
    }
    ids->v[ids->n++] = strndup(term, len);
    return 0;
}

static int print_pos(uint32_t pos, void *ud)
{
    int *first = ud;
    printf("%s%u", *first ? " pos " : ",", pos);
    *first = 0;
    return 0;
}

struct doc_ctx {
    xap_db *db;
    uint32_t docid;
};

static int print_term(const char *term, size_t len, uint32_t wdf, uint32_t tf, void *ud)
{
    struct doc_ctx *c = ud;
    (void)tf;
    char t[SCHEMA_MAX_TERM + 1];
    snprintf(t, sizeof t, "%.*s", (int)len, term);
    printf("  term %s wdf %u", t, wdf);
    int first = 1;
    xap_db_positions(c->db, c->docid, t, print_pos, &first);
    printf("\n");
    struct tally *k = &tallies[kind_of(t)];
    k->postings++;
    k->positional += !first;
    return 0;
}

static void print_bytes(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            putchar(c);
        else
            printf("\\x%02x", c);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: schemadump DIR\n");
        return 2;
    }
    xap_db *db;
    if (xap_db_open(argv[1], XAP_DB_READONLY, &db) != XAP_OK) {
        fprintf(stderr, "schemadump: %s: %s\n", argv[1], xap_errmsg());
        return 1;
    }
    char *v = NULL;
    size_t vl = 0;
    xap_db_get_metadata(db, SCHEMA_META_KEY, &v, &vl);
    printf("schema %.*s\n", (int)vl, v ? v : "");
    free(v);
    docrec_dicts_load(db, NULL); /* the stored records' dictionaries */
    struct ids ids = { 0 };
    if (xap_db_allterms(db, PFX_ID, collect_id, &ids) != XAP_OK || xap_db_allterms(db, "", count_term, NULL) != XAP_OK) {
        fprintf(stderr, "schemadump: %s\n", xap_errmsg());
        return 1;
    }
    int rc = 0;
    for (size_t i = 0; i < ids.n; i++) {
        struct doc_ctx c = { db, 0 };
        xap_doc *doc = NULL;
        if (xap_db_docid_by_term(db, ids.v[i], &c.docid) != XAP_OK || xap_db_get_doc(db, c.docid, &doc) != XAP_OK) {
            fprintf(stderr, "schemadump: %s: %s\n", ids.v[i], xap_errmsg());
            rc = 1;
            continue;
        }
        printf("doc %s\n", ids.v[i] + strlen(PFX_ID));
        xap_db_termlist(db, c.docid, print_term, &c);
        for (unsigned slot = 0; slot < 16; slot++) {
            char *val = NULL;
            size_t len = 0;
            if (xap_doc_get_value(doc, slot, &val, &len) == XAP_OK && len > 0) {
                printf("  value %u ", slot);
                print_bytes(val, len);
                printf("\n");
            }
            free(val);
        }
        char *data = NULL;
        size_t dl = 0;
        struct article *a = NULL;
        if (xap_doc_get_data(doc, &data, &dl) == XAP_OK && docrec_decode(data, dl, 1, &a) == 0) {
            printf("  data title \"%s\" body %zu bytes, %zu headings, %zu links\n", a->title ? a->title : "",
                   a->body ? strlen(a->body) : 0, a->n_headings, a->n_links);
            article_free(a);
        } else {
            printf("  data UNREADABLE (%zu bytes)\n", dl);
            rc = 1;
        }
        free(data);
        xap_doc_free(doc);
        free(ids.v[i]);
    }
    free(ids.v);
    printf("kinds (terms, postings, postings with positions)\n");
    for (size_t i = 0; i <= NKINDS; i++)
        printf("  %-4s %5lu %5lu %5lu\n", i < NKINDS ? kinds[i] : "word", tallies[i].terms, tallies[i].postings,
               tallies[i].positional);
    xap_db_close(db);
    return rc;
}
