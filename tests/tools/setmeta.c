/* SPDX-License-Identifier: GPL-2.0-or-later */
/* setmeta: set or print one user metadata key of an index (a test helper:
 * it makes an index look like one of an older schema,
 * tests/e2e/schema-compat.sh; it reads the dictionary list, docdict.sh).
 *
 *   setmeta DIR KEY VALUE    set KEY
 *   setmeta DIR KEY          print KEY's value (empty when missing) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xap.h"

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: setmeta DIR KEY [VALUE]\n");
        return 2;
    }
    xap_db *db;
    if (argc == 3) {
        char *v = NULL;
        size_t len = 0;
        if (xap_db_open(argv[1], XAP_DB_READONLY, &db) != XAP_OK ||
            xap_db_get_metadata(db, argv[2], &v, &len) != XAP_OK) {
            fprintf(stderr, "setmeta: %s: %s\n", argv[1], xap_errmsg());
            return 1;
        }
        printf("%.*s\n", (int)len, v);
        free(v);
        xap_db_close(db);
        return 0;
    }
    xap_status st = xap_db_open(argv[1], XAP_DB_OPEN, &db);
    if (st == XAP_OK)
        st = xap_db_set_metadata(db, argv[2], argv[3], strlen(argv[3]));
    if (st == XAP_OK)
        st = xap_db_commit(db);
    if (st != XAP_OK) {
        fprintf(stderr, "setmeta: %s: %s\n", argv[1], xap_errmsg());
        return 1;
    }
    xap_db_close(db);
    return 0;
}
