/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_replica: reading a commit stamp from a real Xapian database
 * (searchd/replica.h) and the lag computed from two stamps. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../searchd/replica.h"
#include "schema.h"

static int rm_entry(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb, (void)type, (void)ftw;
    return remove(p);
}

/* A database in a fresh directory with the given metadata (NULL: unset). */
static xap_db *db_with(char *dir, const char *seq, const char *when)
{
    strcpy(dir, "/tmp/test_replica-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/db", dir);
    xap_db *db = NULL;
    assert_int_equal(xap_db_open(path, XAP_DB_CREATE_OR_OPEN, &db), XAP_OK);
    if (seq)
        assert_int_equal(xap_db_set_metadata(db, SCHEMA_META_COMMIT_SEQ, seq, strlen(seq)), XAP_OK);
    if (when)
        assert_int_equal(xap_db_set_metadata(db, SCHEMA_META_COMMIT_TIME, when, strlen(when)), XAP_OK);
    assert_int_equal(xap_db_commit(db), XAP_OK);
    xap_db_close(db);
    assert_int_equal(xap_db_open(path, XAP_DB_READONLY, &db), XAP_OK);
    return db;
}

static void done(char *dir, xap_db *db)
{
    xap_db_close(db);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_stamp_read(void **state)
{
    (void)state;
    char dir[64];
    struct replica_stamp s;
    xap_db *db = db_with(dir, "42", "1733400000.250");
    replica_stamp_read(db, &s);
    assert_int_equal(s.known, 1);
    assert_int_equal(s.seq, 42);
    assert_true(s.time > 1733400000.24 && s.time < 1733400000.26);
    done(dir, db);
}

static void test_stamp_missing_or_bad(void **state)
{
    (void)state;
    char dir[64];
    struct replica_stamp s;
    /* An index from before stamps: nothing known, nothing invented. */
    xap_db *db = db_with(dir, NULL, NULL);
    replica_stamp_read(db, &s);
    assert_int_equal(s.known, 0);
    done(dir, db);
    db = db_with(dir, "7", NULL);
    replica_stamp_read(db, &s);
    assert_int_equal(s.known, 0);
    done(dir, db);
    db = db_with(dir, "7x", "1733400000");
    replica_stamp_read(db, &s);
    assert_int_equal(s.known, 0);
    done(dir, db);
    db = db_with(dir, "7", "yesterday");
    replica_stamp_read(db, &s);
    assert_int_equal(s.known, 0);
    done(dir, db);
    replica_stamp_read(NULL, &s);
    assert_int_equal(s.known, 0);
}

static void test_lag(void **state)
{
    (void)state;
    struct replica_lag l;
    struct replica_stamp served = { 1, 10, 1000.0 }, master = { 1, 13, 1030.0 };
    /* Behind: 3 commits, lag = age of the served commit. */
    replica_lag(&served, &master, 1050.0, &l);
    assert_int_equal(l.behind_known, 1);
    assert_int_equal(l.behind, 3);
    assert_true(l.lag_s > 49.99 && l.lag_s < 50.01);
    /* Caught up: 0 and 0, however old the commit. */
    master.seq = 10;
    replica_lag(&served, &master, 5000.0, &l);
    assert_int_equal(l.behind, 0);
    assert_true(l.lag_s == 0);
    /* Ahead of the master's last look (caught up since): 0, never wraps. */
    master.seq = 9;
    replica_lag(&served, &master, 5000.0, &l);
    assert_int_equal(l.behind, 0);
    assert_true(l.lag_s == 0);
    /* A clock behind the commit time: never negative. */
    master.seq = 11;
    replica_lag(&served, &master, 900.0, &l);
    assert_int_equal(l.behind, 1);
    assert_true(l.lag_s == 0);
    /* A side unknown: nothing known. */
    master.known = 0;
    replica_lag(&served, &master, 5000.0, &l);
    assert_int_equal(l.behind_known, 0);
    assert_int_equal(l.behind, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stamp_read),
        cmocka_unit_test(test_stamp_missing_or_bad),
        cmocka_unit_test(test_lag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
