/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mkdb: build a small real index for the searchd tests, before (and
 * independently of) the indexer.
 *
 *   mkdb DIR N
 *
 * DIR becomes a Xapian stub directory: DIR/XAPIANDB holds "glass idx-K"
 * and DIR/idx-K is a glass database of N documents; document i has the
 * unique term "Qdoc-i", the words "w<i%10>", "common", "doc<i>" with
 * positions, and data "doc-i". Run again on the same DIR: a new idx-(K+1)
 * is built aside and the stub is renamed over atomically, exactly as the
 * indexer's --rebuild swaps an index under a running searchd. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"
#include "xap.h"

static int die_xap(const char *what, xap_status st)
{
    fprintf(stderr, "mkdb: %s: %s: %s\n", what, xap_status_name(st), xap_errmsg());
    return 1;
}

/* K of the current "glass idx-K" stub, 0 when there is none. */
static int current_generation(const char *dir)
{
    char path[4096], line[256];
    snprintf(path, sizeof path, "%s/XAPIANDB", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int k = 0;
    if (fgets(line, sizeof line, f) && sscanf(line, "glass idx-%d", &k) != 1)
        k = 0;
    fclose(f);
    return k;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: mkdb DIR N\n");
        return 2;
    }
    const char *dir = argv[1];
    char *end;
    long n = strtol(argv[2], &end, 10);
    if (*end || n < 0 || n > 10000000) {
        fprintf(stderr, "mkdb: bad document count '%s'\n", argv[2]);
        return 2;
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "mkdb: mkdir %s: %s\n", dir, strerror(errno));
        return 1;
    }
    int gen = current_generation(dir) + 1;
    char idx[4096];
    snprintf(idx, sizeof idx, "%s/idx-%d", dir, gen);

    xap_db *db;
    xap_status st = xap_db_open(idx, XAP_DB_CREATE_OR_OVERWRITE, &db);
    if (st != XAP_OK)
        return die_xap(idx, st);
    for (long i = 1; i <= n; i++) {
        char id[64], q[80], w[32], dn[64];
        snprintf(id, sizeof id, "doc-%ld", i);
        snprintf(q, sizeof q, "Q%s", id);
        snprintf(w, sizeof w, "w%ld", i % 10);
        snprintf(dn, sizeof dn, "doc%ld", i);
        xap_doc *doc;
        if ((st = xap_doc_new(&doc)) != XAP_OK)
            return die_xap("doc_new", st);
        if ((st = xap_doc_add_boolean_term(doc, q)) != XAP_OK ||
            (st = xap_doc_add_posting(doc, w, 1, 1)) != XAP_OK ||
            (st = xap_doc_add_posting(doc, "common", 2, 1)) != XAP_OK ||
            (st = xap_doc_add_posting(doc, dn, 3, 1)) != XAP_OK ||
            (st = xap_doc_set_data(doc, id, strlen(id))) != XAP_OK ||
            (st = xap_db_replace_by_term(db, q, doc, NULL)) != XAP_OK) {
            xap_doc_free(doc);
            return die_xap("add document", st);
        }
        xap_doc_free(doc);
    }
    /* searchd serves only an index of its schema version */
    if ((st = xap_db_set_metadata(db, SCHEMA_META_KEY, SCHEMA_VERSION, strlen(SCHEMA_VERSION))) != XAP_OK ||
        (st = xap_db_commit(db)) != XAP_OK)
        return die_xap("commit", st);
    xap_db_close(db);

    char stub[4096], tmp[4096];
    snprintf(stub, sizeof stub, "%s/XAPIANDB", dir);
    snprintf(tmp, sizeof tmp, "%s/XAPIANDB.tmp", dir);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "glass idx-%d\n", gen) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        fprintf(stderr, "mkdb: write %s: %s\n", tmp, strerror(errno));
        return 1;
    }
    if (fclose(f) != 0 || rename(tmp, stub) != 0) {
        fprintf(stderr, "mkdb: rename %s: %s\n", stub, strerror(errno));
        return 1;
    }
    return 0;
}
