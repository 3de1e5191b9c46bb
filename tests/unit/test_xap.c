/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Xapian seam on real databases in a temporary directory: every test
 * gets a fresh mkdtemp() dir under /tmp, removed afterwards. */
#include "xap.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

struct fx {
    char dir[64];
    char path[128]; /* dir/db: the main test database */
};

static int rm_entry(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb; (void)type; (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/test_xap-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

#define OK(expr) do { \
        xap_status st_ = (expr); \
        if (st_ != XAP_OK) \
            fail_msg("%s -> %s: %s", #expr, xap_status_name(st_), xap_errmsg()); \
    } while (0)

/* ---- a small corpus ------------------------------------------------------ */

enum { SLOT_CAT = 0, SLOT_YEAR = 1 };

struct art {
    const char *id, *text, *cat;
    int year;
};

/* docids 1..6 in this order. */
static const struct art corpus[] = {
    { "a1", "heart attack chest pain", "cardio", 2020 },
    { "a2", "myocardial infarction heart muscle damage", "cardio", 2021 },
    { "a3", "sleep jerk hypnic jerk at night", "sleep", 2019 },
    { "a4", "chest infection cough fever", "infection", 2022 },
    { "a5", "attack heart", "cardio", 2018 },
    { "a6", "pain in the chest after heart surgery", "cardio", 2023 },
};
#define NCORPUS (sizeof corpus / sizeof corpus[0])

static xap_doc *make_doc(const struct art *a)
{
    xap_doc *d;
    char term[128], buf[32];
    OK(xap_doc_new(&d));
    uint32_t pos = 1;
    const char *p = a->text;
    while (*p) {
        size_t n = strcspn(p, " ");
        snprintf(term, sizeof term, "%.*s", (int)n, p);
        OK(xap_doc_add_posting(d, term, pos++, 1));
        p += n;
        p += strspn(p, " ");
    }
    snprintf(term, sizeof term, "Q%s", a->id);
    OK(xap_doc_add_boolean_term(d, term));
    snprintf(term, sizeof term, "XC%s", a->cat);
    OK(xap_doc_add_boolean_term(d, term));
    OK(xap_doc_set_value(d, SLOT_CAT, a->cat, strlen(a->cat)));
    size_t n = xap_sortable_serialise(a->year, buf);
    OK(xap_doc_set_value(d, SLOT_YEAR, buf, n));
    OK(xap_doc_set_data(d, a->id, strlen(a->id)));
    return d;
}

static void add_art(xap_db *db, const struct art *a, uint32_t *docid)
{
    char idterm[64];
    snprintf(idterm, sizeof idterm, "Q%s", a->id);
    xap_doc *d = make_doc(a);
    OK(xap_db_replace_by_term(db, idterm, d, docid));
    xap_doc_free(d);
}

static void build_corpus(const char *path)
{
    xap_db *db;
    OK(xap_db_open(path, XAP_DB_CREATE_OR_OVERWRITE, &db));
    for (size_t i = 0; i < NCORPUS; i++) {
        uint32_t id;
        add_art(db, &corpus[i], &id);
        assert_int_equal(id, i + 1);
    }
    OK(xap_db_commit(db));
    xap_db_close(db);
}

static xap_db *open_corpus(struct fx *f)
{
    xap_db *db;
    build_corpus(f->path);
    OK(xap_db_open(f->path, XAP_DB_READONLY, &db));
    return db;
}

/* Bit d set for each matching docid d (docids < 32 here). */
static uint32_t match_bits(xap_db *db, const xap_query *q)
{
    xap_enquire *e;
    xap_mset *m;
    OK(xap_enquire_new(db, &e));
    OK(xap_enquire_set_query(e, q));
    OK(xap_enquire_mset(e, 0, 100, 100, NULL, 0, &m));
    uint32_t bits = 0;
    for (size_t i = 0; i < xap_mset_size(m); i++) {
        uint32_t id;
        OK(xap_mset_item(m, i, &id, NULL, NULL, NULL));
        bits |= 1u << id;
    }
    xap_mset_free(m);
    xap_enquire_free(e);
    return bits;
}

#define B(x) (1u << (x))

static xap_query *T(const char *term)
{
    xap_query *q;
    OK(xap_query_term(term, 1, 0, &q));
    return q;
}

/* Combine two freshly made queries and free them. */
static xap_query *C2(enum xap_op op, xap_query *a, xap_query *b, uint32_t window)
{
    xap_query *subs[2] = { a, b }, *q;
    OK(xap_query_combine(op, subs, 2, window, &q));
    xap_query_free(a);
    xap_query_free(b);
    return q;
}

static uint32_t match_free(xap_db *db, xap_query *q)
{
    uint32_t bits = match_bits(db, q);
    xap_query_free(q);
    return bits;
}

/* ---- callbacks collecting strings ---------------------------------------- */

struct coll {
    int n, stop_after; /* stop_after 0: never */
    char s[64][64];
    uint32_t a[64], b[64];
};

static int coll_add(struct coll *c, const char *s, size_t len, uint32_t a, uint32_t b)
{
    assert_int_equal(strlen(s), len);
    if (c->n < 64) {
        snprintf(c->s[c->n], sizeof c->s[0], "%s", s);
        c->a[c->n] = a;
        c->b[c->n] = b;
    }
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

static int term_cb(const char *t, size_t len, uint32_t tf, void *ud) { return coll_add(ud, t, len, tf, 0); }
static int str_cb(const char *s, size_t len, void *ud) { return coll_add(ud, s, len, 0, 0); }
static int doc_term_cb(const char *t, size_t len, uint32_t wdf, uint32_t tf, void *ud)
{
    return coll_add(ud, t, len, wdf, tf);
}
static int pos_cb(uint32_t pos, void *ud) { return coll_add(ud, "", 0, pos, 0); }

static int coll_find(const struct coll *c, const char *s)
{
    for (int i = 0; i < c->n && i < 64; i++)
        if (strcmp(c->s[i], s) == 0)
            return i;
    return -1;
}

/* A termlist as (term, termfreq) pairs, for comparing two databases. */
struct terms {
    char *s[256];
    uint32_t tf[256];
    size_t n;
};

static int terms_cb(const char *term, size_t len, uint32_t wdf, uint32_t tf, void *ud)
{
    (void)wdf;
    struct terms *t = ud;
    if (t->n == 256)
        return 1;
    t->s[t->n] = strndup(term, len);
    t->tf[t->n++] = tf;
    return 0;
}

static void terms_free(struct terms *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->s[i]);
    t->n = 0;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_version_and_names(void **state)
{
    (void)state;
    assert_true(strncmp(xap_version(), "1.", 2) == 0);
    assert_string_equal(xap_status_name(XAP_ERR_MODIFIED), "XAP_ERR_MODIFIED");
    assert_string_equal(xap_status_name(XAP_ERR_UNKNOWN), "XAP_ERR_UNKNOWN");
    assert_string_equal(xap_status_name(XAP_ERR_NETWORK), "XAP_ERR_NETWORK");
    assert_string_equal(xap_status_name(XAP_ERR_TIMEOUT), "XAP_ERR_TIMEOUT");
}

/* A remote shard nobody serves is a network error, whether opened alone
 * or among others, and never a "Couldn't stat" of a path named tcp:... */
static void test_remote_unreachable(void **state)
{
    (void)state;
    xap_db *db = NULL;
    xap_set_remote_timeout(2000);
    assert_int_equal(xap_db_open("tcp:127.0.0.1:1", XAP_DB_READONLY, &db), XAP_ERR_NETWORK);
    assert_null(db);
    assert_non_null(strstr(xap_errmsg(), "127.0.0.1:1"));
    const char *two[] = { "tcp:127.0.0.1:1", "tcp:127.0.0.1:2" };
    assert_int_equal(xap_db_open_many(two, 2, &db), XAP_ERR_NETWORK);
    assert_null(db);
    xap_set_remote_timeout(0);
}

static void test_open_modes(void **state)
{
    struct fx *f = *state;
    xap_db *db, *ro;
    uint32_t n;

    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OPEN, &db));
    add_art(db, &corpus[0], NULL);
    OK(xap_db_commit(db));
    xap_db_close(db);

    OK(xap_db_open(f->path, XAP_DB_READONLY, &ro));
    OK(xap_db_doccount(ro, &n));
    assert_int_equal(n, 1);
    /* Writing through a read-only handle is refused, not a crash. */
    xap_doc *d = make_doc(&corpus[1]);
    assert_int_equal(xap_db_replace_by_term(ro, "Qa2", d, NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_db_commit(ro), XAP_ERR_INVALID);
    assert_int_equal(xap_db_set_metadata(ro, "k", "v", 1), XAP_ERR_INVALID);
    assert_non_null(strstr(xap_errmsg(), "not open for writing"));
    xap_doc_free(d);
    xap_db_close(ro);

    OK(xap_db_open(f->path, XAP_DB_OPEN, &db));
    OK(xap_db_doccount(db, &n));
    assert_int_equal(n, 1);
    xap_db_close(db);

    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OPEN, &db));
    OK(xap_db_doccount(db, &n));
    assert_int_equal(n, 1);
    xap_db_close(db);

    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OVERWRITE, &db));
    OK(xap_db_doccount(db, &n));
    assert_int_equal(n, 0);
    xap_db_close(db);

    assert_int_equal(xap_db_open(f->path, (enum xap_open_mode)42, &db), XAP_ERR_INVALID);
    assert_null(db);

    /* XAP_DB_NO_SYNC: a writable open whose commits are read back like
     * any other; refused on a read-only open. */
    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OVERWRITE | XAP_DB_NO_SYNC, &db));
    add_art(db, &corpus[0], NULL);
    add_art(db, &corpus[1], NULL);
    OK(xap_db_commit(db));
    OK(xap_db_open(f->path, XAP_DB_READONLY, &ro));
    OK(xap_db_doccount(ro, &n));
    assert_int_equal(n, 2);
    xap_db_close(ro);
    xap_db_close(db);
    assert_int_equal(xap_db_open(f->path, XAP_DB_READONLY | XAP_DB_NO_SYNC, &ro), XAP_ERR_INVALID);
    assert_null(ro);
}

static void test_second_writer_locked(void **state)
{
    struct fx *f = *state;
    xap_db *w1, *w2 = (xap_db *)1;
    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OPEN, &w1));
    assert_int_equal(xap_db_open(f->path, XAP_DB_CREATE_OR_OPEN, &w2), XAP_ERR_LOCKED);
    assert_null(w2);
    assert_non_null(strstr(xap_errmsg(), "xap_db_open: "));
    assert_non_null(strstr(xap_errmsg(), "lock"));
    /* Readers are not blocked by the writer. */
    xap_db *r;
    OK(xap_db_open(f->path, XAP_DB_READONLY, &r));
    xap_db_close(r);
    xap_db_close(w1);
    /* Closing released the lock. */
    OK(xap_db_open(f->path, XAP_DB_OPEN, &w2));
    xap_db_close(w2);
}

static void test_missing_path(void **state)
{
    struct fx *f = *state;
    char p[200];
    xap_db *db = (xap_db *)1;
    snprintf(p, sizeof p, "%s/nope", f->dir);
    assert_int_equal(xap_db_open(p, XAP_DB_READONLY, &db), XAP_ERR_OPENING);
    assert_null(db);
    assert_true(strlen(xap_errmsg()) > 0);
    assert_int_equal(xap_db_open(p, XAP_DB_OPEN, &db), XAP_ERR_OPENING);
    assert_null(db);
    /* A plain file that is not a database. */
    snprintf(p, sizeof p, "%s/file", f->dir);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("not a database\n", fp);
    fclose(fp);
    assert_int_equal(xap_db_open(p, XAP_DB_READONLY, &db), XAP_ERR_OPENING);
}

static void test_doc_roundtrip(void **state)
{
    struct fx *f = *state;
    xap_db *db;
    xap_doc *d;
    uint32_t id;
    char *s;
    size_t len;
    static const char bin[] = { 'a', 0, 'b', (char)0xff };

    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OVERWRITE, &db));
    OK(xap_doc_new(&d));
    OK(xap_doc_add_posting(d, "sjogren", 1, 1));
    OK(xap_doc_add_posting(d, "syndrome", 2, 1));
    OK(xap_doc_add_posting(d, "sjogren", 5, 1));
    OK(xap_doc_add_term(d, "Zsjogren", 2));
    OK(xap_doc_add_boolean_term(d, "Qx1"));
    OK(xap_doc_add_boolean_term(d, "XCrheum"));
    OK(xap_doc_set_value(d, 3, bin, sizeof bin));
    OK(xap_doc_set_data(d, "{\"id\":\"x1\"}", 11));

    /* An in-memory document: terms sorted, termfreq 0, no docid. */
    struct coll c = { 0 };
    OK(xap_doc_termlist(d, doc_term_cb, &c));
    assert_int_equal(c.n, 5);
    assert_string_equal(c.s[0], "Qx1");
    assert_string_equal(c.s[4], "syndrome");
    assert_int_equal(c.a[coll_find(&c, "sjogren")], 2);
    assert_int_equal(c.b[coll_find(&c, "sjogren")], 0);
    OK(xap_doc_docid(d, &id));
    assert_int_equal(id, 0);

    OK(xap_db_replace_by_term(db, "Qx1", d, &id));
    assert_int_equal(id, 1);
    xap_doc_free(d);
    OK(xap_db_commit(db));

    OK(xap_db_get_doc(db, id, &d));
    OK(xap_doc_get_data(d, &s, &len));
    assert_int_equal(len, 11);
    assert_string_equal(s, "{\"id\":\"x1\"}");
    free(s);
    OK(xap_doc_get_value(d, 3, &s, &len));
    assert_int_equal(len, sizeof bin);
    assert_memory_equal(s, bin, sizeof bin);
    free(s);
    OK(xap_doc_get_value(d, 9, &s, &len)); /* unset */
    assert_int_equal(len, 0);
    assert_string_equal(s, "");
    free(s);
    OK(xap_doc_docid(d, &id));
    assert_int_equal(id, 1);
    memset(&c, 0, sizeof c);
    OK(xap_doc_termlist(d, doc_term_cb, &c));
    assert_int_equal(c.n, 5);
    assert_int_equal(c.a[coll_find(&c, "XCrheum")], 0); /* boolean: no wdf */
    assert_int_equal(c.a[coll_find(&c, "Zsjogren")], 2);
    assert_int_equal(c.b[coll_find(&c, "sjogren")], 1); /* stored: real termfreq */
    xap_doc_free(d);

    /* Positions survive; boolean terms do not count in the length. */
    memset(&c, 0, sizeof c);
    OK(xap_db_positions(db, 1, "sjogren", pos_cb, &c));
    assert_int_equal(c.n, 2);
    assert_int_equal(c.a[0], 1);
    assert_int_equal(c.a[1], 5);
    double avlen;
    OK(xap_db_avlength(db, &avlen));
    assert_true(avlen > 4.99 && avlen < 5.01); /* 3 postings + wdf 2 */

    /* A document without its id term is refused (it would duplicate). */
    OK(xap_doc_new(&d));
    OK(xap_doc_add_term(d, "lonely", 1));
    assert_int_equal(xap_db_replace_by_term(db, "Qx2", d, &id), XAP_ERR_INVALID);
    assert_int_equal(id, 0);
    xap_doc_free(d);
    xap_db_close(db);
}

static void test_replace_delete(void **state)
{
    struct fx *f = *state;
    xap_db *db;
    uint32_t id1, id2, n, del;
    xap_doc *d;

    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OVERWRITE, &db));
    add_art(db, &corpus[0], &id1);
    add_art(db, &corpus[0], &id2); /* same id term: replaced */
    assert_int_equal(id1, id2);
    OK(xap_db_doccount(db, &n));
    assert_int_equal(n, 1);
    add_art(db, &corpus[1], &id2);
    add_art(db, &corpus[2], NULL);
    OK(xap_db_commit(db));
    OK(xap_db_doccount(db, &n));
    assert_int_equal(n, 3);
    OK(xap_db_docid_by_term(db, "Qa2", &id2));
    assert_int_equal(id2, 2);

    /* The replaced document has the new content. */
    struct art changed = { "a1", "new text", "misc", 2000 };
    add_art(db, &changed, &id1);
    OK(xap_db_termfreq(db, "heart", &n));
    assert_int_equal(n, 1); /* only a2 now */
    OK(xap_db_termfreq(db, "new", &n));
    assert_int_equal(n, 1);

    OK(xap_db_delete_by_term(db, "XCcardio", &del));
    assert_int_equal(del, 1);
    OK(xap_db_delete_by_term(db, "XCnothing", &del));
    assert_int_equal(del, 0);
    OK(xap_db_delete_by_term(db, "Qa1", &del));
    assert_int_equal(del, 1);
    OK(xap_db_commit(db));
    OK(xap_db_doccount(db, &n));
    assert_int_equal(n, 1);
    assert_int_equal(xap_db_docid_by_term(db, "Qa2", &id2), XAP_ERR_NOT_FOUND);
    assert_int_equal(id2, 0);
    assert_int_equal(xap_db_get_doc(db, 2, &d), XAP_ERR_NOT_FOUND);
    assert_null(d);
    assert_int_equal(xap_db_get_doc(db, 0, &d), XAP_ERR_INVALID); /* docid 0 */
    xap_db_close(db);
}

static void test_commit_reopen_stats(void **state)
{
    struct fx *f = *state;
    xap_db *w, *r;
    uint32_t n;
    uint64_t rev0, rev1;
    int changed = -1;
    double avlen;

    build_corpus(f->path);
    OK(xap_db_open(f->path, XAP_DB_READONLY, &r));
    OK(xap_db_open(f->path, XAP_DB_OPEN, &w));
    OK(xap_db_revision(r, &rev0));
    assert_true(rev0 >= 1);
    OK(xap_db_doccount(r, &n));
    assert_int_equal(n, 6);
    OK(xap_db_avlength(r, &avlen));
    assert_float_equal(avlen, 28.0 / 6, 1e-9); /* 28 words / 6 docs */
    OK(xap_db_termfreq(r, "heart", &n));
    assert_int_equal(n, 4);
    OK(xap_db_termfreq(r, "absent", &n));
    assert_int_equal(n, 0);

    /* Kept: at this revision "heart" is not read again, across
     * requests and a reopen that finds nothing new. */
    struct xap_work wk;
    xap_db_begin_request(r);
    OK(xap_db_reopen(r, &changed));
    assert_int_equal(changed, 0);
    xap_work_reset();
    OK(xap_db_termfreq(r, "heart", &n));
    assert_int_equal(n, 4);
    xap_work_get(&wk);
    assert_int_equal(wk.termfreqs, 0);

    struct art a7 = { "a7", "heart heart heart", "cardio", 2024 };
    add_art(w, &a7, NULL);
    OK(xap_db_commit(w));

    /* The reader stays on its revision until reopened. */
    OK(xap_db_doccount(r, &n));
    assert_int_equal(n, 6);
    OK(xap_db_reopen(r, &changed));
    assert_int_equal(changed, 1);
    OK(xap_db_doccount(r, &n));
    assert_int_equal(n, 7);
    OK(xap_db_revision(r, &rev1));
    assert_true(rev1 > rev0);
    xap_work_reset();
    OK(xap_db_termfreq(r, "heart", &n)); /* the new revision's, read again */
    assert_int_equal(n, 5);
    xap_work_get(&wk);
    assert_int_equal(wk.termfreqs, 1);
    OK(xap_db_reopen(r, &changed));
    assert_int_equal(changed, 0);
    OK(xap_db_reopen(r, NULL));
    xap_db_close(w);
    xap_db_close(r);
}

static void test_cancel(void **state)
{
    struct fx *f = *state;
    xap_db *w;
    uint32_t n;
    build_corpus(f->path);
    OK(xap_db_open(f->path, XAP_DB_OPEN, &w));
    struct art a7 = { "a7", "discarded", "x", 2024 };
    add_art(w, &a7, NULL);
    OK(xap_db_delete_by_term(w, "Qa1", NULL));
    OK(xap_db_cancel(w));
    OK(xap_db_doccount(w, &n));
    assert_int_equal(n, 6);
    xap_db_close(w); /* must not commit the cancelled changes */
    OK(xap_db_open(f->path, XAP_DB_READONLY, &w));
    OK(xap_db_doccount(w, &n));
    assert_int_equal(n, 6);
    OK(xap_db_termfreq(w, "discarded", &n));
    assert_int_equal(n, 0);
    assert_int_equal(xap_db_cancel(w), XAP_ERR_INVALID); /* read-only */
    xap_db_close(w);

    /* Without cancel, close commits. */
    OK(xap_db_open(f->path, XAP_DB_OPEN, &w));
    add_art(w, &a7, NULL);
    xap_db_close(w);
    OK(xap_db_open(f->path, XAP_DB_READONLY, &w));
    OK(xap_db_doccount(w, &n));
    assert_int_equal(n, 7);
    xap_db_close(w);
}

static void test_query_ops(void **state)
{
    struct fx *f = *state;
    xap_db *db = open_corpus(f);
    xap_query *q;

    assert_int_equal(match_free(db, T("heart")), B(1) | B(2) | B(5) | B(6));
    assert_int_equal(match_free(db, T("nothing")), 0);
    assert_int_equal(match_free(db, C2(XAP_OP_AND, T("heart"), T("chest"), 0)), B(1) | B(6));
    assert_int_equal(match_free(db, C2(XAP_OP_OR, T("sleep"), T("fever"), 0)), B(3) | B(4));
    assert_int_equal(match_free(db, C2(XAP_OP_AND_NOT, T("chest"), T("heart"), 0)), B(4));
    assert_int_equal(match_free(db, C2(XAP_OP_XOR, T("heart"), T("chest"), 0)), B(2) | B(4) | B(5));
    assert_int_equal(match_free(db, C2(XAP_OP_AND_MAYBE, T("heart"), T("chest"), 0)),
                     B(1) | B(2) | B(5) | B(6));
    assert_int_equal(match_free(db, C2(XAP_OP_FILTER, T("chest"), T("XCinfection"), 0)), B(4));
    assert_int_equal(match_free(db, C2(XAP_OP_FILTER, T("chest"), T("XCcardio"), 0)), B(1) | B(6));
    assert_int_equal(match_free(db, C2(XAP_OP_MAX, T("heart"), T("chest"), 0)),
                     B(1) | B(2) | B(4) | B(5) | B(6));
    assert_int_equal(match_free(db, C2(XAP_OP_SYNONYM, T("attack"), T("infarction"), 0)),
                     B(1) | B(2) | B(5));

    /* PHRASE respects order and adjacency; NEAR only the window. */
    assert_int_equal(match_free(db, C2(XAP_OP_PHRASE, T("heart"), T("attack"), 0)), B(1));
    assert_int_equal(match_free(db, C2(XAP_OP_PHRASE, T("attack"), T("heart"), 0)), B(5));
    assert_int_equal(match_free(db, C2(XAP_OP_PHRASE, T("heart"), T("pain"), 0)), 0);
    assert_int_equal(match_free(db, C2(XAP_OP_PHRASE, T("heart"), T("pain"), 4)), B(1));
    assert_int_equal(match_free(db, C2(XAP_OP_NEAR, T("heart"), T("attack"), 2)), B(1) | B(5));
    assert_int_equal(match_free(db, C2(XAP_OP_NEAR, T("chest"), T("heart"), 2)), 0);
    assert_int_equal(match_free(db, C2(XAP_OP_NEAR, T("chest"), T("heart"), 4)), B(1) | B(6));

    /* ELITE_SET keeps the best `window` terms: the rare ones win. */
    xap_query *subs[3] = { T("heart"), T("fever"), T("chest") };
    OK(xap_query_combine(XAP_OP_ELITE_SET, subs, 3, 1, &q));
    assert_int_equal(match_free(db, q), B(4));
    OK(xap_query_combine(XAP_OP_ELITE_SET, subs, 3, 3, &q));
    assert_int_equal(match_free(db, q), B(1) | B(2) | B(4) | B(5) | B(6));
    for (int i = 0; i < 3; i++)
        xap_query_free(subs[i]);

    /* The empty query matches nothing; match-all matches everything. */
    OK(xap_query_combine(XAP_OP_OR, NULL, 0, 0, &q));
    assert_true(xap_query_empty(q));
    assert_int_equal(match_free(db, q), 0);
    OK(xap_query_match_all(&q));
    assert_false(xap_query_empty(q));
    assert_int_equal(match_free(db, q), 0x7e);

    char *desc;
    q = C2(XAP_OP_SYNONYM, T("heart"), T("cardiac"), 0);
    OK(xap_query_describe(q, &desc));
    assert_non_null(strstr(desc, "SYNONYM"));
    free(desc);
    xap_query_free(q);
    xap_db_close(db);
}

static void test_query_wildcard(void **state)
{
    struct fx *f = *state;
    xap_db *db = open_corpus(f);
    xap_query *q;
    char *desc;

    /* "h" expands to heart (4 docs) and hypnic (1 doc). */
    OK(xap_query_wildcard("h", 0, 0, &q));
    assert_int_equal(match_free(db, q), B(1) | B(2) | B(3) | B(5) | B(6));
    OK(xap_query_wildcard("h", 0, 1, &q));
    assert_int_equal(match_free(db, q), B(1) | B(2) | B(3) | B(5) | B(6));
    /* Capped: the most frequent stays. (Synonym only: the capped OR form
     * leaks inside libxapian 1.4.22, see xap.h.) */
    OK(xap_query_wildcard("h", 1, 1, &q));
    assert_int_equal(match_free(db, q), B(1) | B(2) | B(5) | B(6));
    OK(xap_query_wildcard("h", 2, 0, &q)); /* cap not reached */
    assert_int_equal(match_free(db, q), B(1) | B(2) | B(3) | B(5) | B(6));
    OK(xap_query_wildcard("hyp", 1, 1, &q));
    assert_int_equal(match_bits(db, q), B(3));
    OK(xap_query_describe(q, &desc));
    assert_non_null(strstr(desc, "WILDCARD SYNONYM hyp"));
    free(desc);
    xap_query_free(q);
    OK(xap_query_wildcard("zz", 5, 0, &q));
    assert_int_equal(match_free(db, q), 0);

    /* Expanded against the db now. */
    OK(xap_query_wildcard_db(db, "h", 1, 0, &q));
    assert_int_equal(match_bits(db, q), B(1) | B(2) | B(5) | B(6));
    OK(xap_query_describe(q, &desc));
    assert_string_equal(desc, "Query(heart)");
    free(desc);
    xap_query_free(q);
    OK(xap_query_wildcard_db(db, "h", 0, 0, &q));
    assert_int_equal(match_free(db, q), B(1) | B(2) | B(3) | B(5) | B(6));
    /* "a": attack (2 docs), then after and at (1 each): the tie goes to
     * byte order. */
    OK(xap_query_wildcard_db(db, "a", 2, 1, &q));
    OK(xap_query_describe(q, &desc));
    assert_string_equal(desc, "Query((after SYNONYM attack))");
    free(desc);
    assert_int_equal(match_free(db, q), B(1) | B(5) | B(6));
    OK(xap_query_wildcard_db(db, "zz", 3, 0, &q));
    assert_true(xap_query_empty(q));
    xap_query_free(q);
    assert_int_equal(xap_query_wildcard_db(NULL, "a", 1, 0, &q), XAP_ERR_INVALID);
    assert_int_equal(xap_query_wildcard_db(db, NULL, 1, 0, &q), XAP_ERR_INVALID);
    xap_db_close(db);
}

static void test_query_scale(void **state)
{
    struct fx *f = *state;
    xap_db *db = open_corpus(f);

    /* Same matches, weights multiplied. */
    xap_enquire *e;
    xap_mset *m;
    double w1, w2;
    uint32_t id1, id2;
    xap_query *t = T("sleep"), *s;
    OK(xap_enquire_new(db, &e));
    OK(xap_enquire_set_query(e, t));
    OK(xap_enquire_mset(e, 0, 10, 0, NULL, 0, &m));
    OK(xap_mset_item(m, 0, &id1, NULL, &w1, NULL));
    xap_mset_free(m);
    OK(xap_query_scale(t, 2.5, &s));
    OK(xap_enquire_set_query(e, s));
    OK(xap_enquire_mset(e, 0, 10, 0, NULL, 0, &m));
    OK(xap_mset_item(m, 0, &id2, NULL, &w2, NULL));
    xap_mset_free(m);
    assert_int_equal(id1, 3);
    assert_int_equal(id2, 3);
    assert_true(w1 > 0);
    assert_true(w2 > 2.49 * w1 && w2 < 2.51 * w1);
    xap_query_free(s);
    assert_int_equal(xap_query_scale(t, -1, &s), XAP_ERR_INVALID);
    assert_null(s);
    xap_query_free(t);
    xap_enquire_free(e);
    xap_db_close(db);
}

static void test_mset_paging(void **state)
{
    struct fx *f = *state;
    xap_db *db = open_corpus(f);
    xap_enquire *e;
    xap_mset *m;
    xap_query *q = T("heart");
    uint32_t id, rank, seen = 0;
    double w;
    int pct;

    OK(xap_enquire_new(db, &e));
    OK(xap_enquire_set_query(e, q));
    for (uint32_t off = 0; off < 4; off += 2) {
        OK(xap_enquire_mset(e, off, 2, 10, NULL, 0, &m));
        assert_int_equal(xap_mset_size(m), 2);
        assert_int_equal(xap_mset_estimated(m), 4);
        assert_int_equal(xap_mset_lower(m), 4);
        assert_int_equal(xap_mset_upper(m), 4);
        for (size_t i = 0; i < 2; i++) {
            OK(xap_mset_item(m, i, &id, &rank, &w, &pct));
            assert_int_equal(rank, off + i);
            assert_true(w > 0);
            assert_true(pct > 0 && pct <= 100);
            assert_false(seen & B(id)); /* pages do not overlap */
            seen |= B(id);
            xap_doc *d;
            char *data;
            size_t len;
            OK(xap_mset_doc(m, i, &d));
            OK(xap_doc_get_data(d, &data, &len));
            assert_string_equal(data, corpus[id - 1].id);
            free(data);
            xap_doc_free(d);
        }
        assert_int_equal(xap_mset_item(m, 2, &id, &rank, &w, &pct), XAP_ERR_INVALID);
        assert_int_equal(id, 0);
        xap_mset_free(m);
    }
    assert_int_equal(seen, B(1) | B(2) | B(5) | B(6));
    OK(xap_enquire_mset(e, 10, 10, 0, NULL, 0, &m));
    assert_int_equal(xap_mset_size(m), 0);
    xap_mset_free(m);


    /* Without a query set Xapian refuses; reported, not thrown. */
    xap_enquire *e2;
    OK(xap_enquire_new(db, &e2));
    xap_enquire_free(e2);

    xap_query_free(q);
    xap_enquire_free(e);
    xap_db_close(db);
}

static void test_bm25_timelimit(void **state)
{
    struct fx *f = *state;
    xap_db *db = open_corpus(f);
    xap_enquire *e;
    xap_mset *m;
    xap_query *q;
    uint32_t id;

    OK(xap_enquire_new(db, &e));

    /* BM25: with b = 0 the length does not matter, so the four "heart"
     * documents (wdf 1 each) tie; the default b = 0.5 favours the short. */
    double w[7] = { 0 }, w0[7] = { 0 }, wt;
    q = T("heart");
    OK(xap_enquire_set_query(e, q));
    OK(xap_enquire_mset(e, 0, 10, 0, NULL, 0, &m));
    for (size_t i = 0; i < xap_mset_size(m); i++) {
        OK(xap_mset_item(m, i, &id, NULL, &wt, NULL));
        w[id] = wt;
    }
    xap_mset_free(m);
    assert_true(w[5] > w[1] && w[1] > w[6]); /* 2 words > 4 > 7 */
    OK(xap_enquire_set_bm25(e, 1.2, 0, 1, 0, 0.5));
    OK(xap_enquire_mset(e, 0, 10, 0, NULL, 0, &m));
    for (size_t i = 0; i < xap_mset_size(m); i++) {
        OK(xap_mset_item(m, i, &id, NULL, &wt, NULL));
        w0[id] = wt;
    }
    xap_mset_free(m);
    assert_true(w0[1] > 0);
    assert_float_equal(w0[1], w0[5], 1e-9);
    assert_float_equal(w0[1], w0[6], 1e-9);
    assert_float_equal(w0[1], w0[2], 1e-9);
    assert_int_equal(xap_enquire_set_bm25(e, -1, 0, 1, 0.5, 0.5), XAP_ERR_INVALID);

    /* A time limit is accepted and a small query still completes. */
    OK(xap_enquire_set_time_limit(e, 0.5));
    OK(xap_enquire_mset(e, 0, 10, 0, NULL, 0, &m));
    assert_int_equal(xap_mset_size(m), 4);
    xap_mset_free(m);
    OK(xap_enquire_set_time_limit(e, 0));
    assert_int_equal(xap_enquire_set_time_limit(e, -1), XAP_ERR_INVALID);

    /* An rset is accepted by mset (weighting feedback). */
    uint32_t rs[1] = { 1 };
    OK(xap_enquire_mset(e, 0, 10, 0, rs, 1, &m));
    assert_int_equal(xap_mset_size(m), 4);
    xap_mset_free(m);

    xap_query_free(q);
    xap_enquire_free(e);
    xap_db_close(db);
}

static int reject_prefixed(const char *term, size_t len, void *ud)
{
    (*(int *)ud)++;
    return len > 0 && !(term[0] >= 'A' && term[0] <= 'Z');
}

static void test_eset(void **state)
{
    struct fx *f = *state;
    xap_db *db = open_corpus(f);
    xap_enquire *e;
    xap_eset *es;
    const char *term;
    double w;
    uint32_t n = 0;
    uint32_t rs[2] = { 1, 5 }; /* "heart attack ..." documents */

    /* No query set: still works. */
    OK(xap_enquire_new(db, &e));
    OK(xap_enquire_eset(e, 20, rs, 2, NULL, NULL, &es));
    assert_true(xap_eset_size(es) > 0);
    int found_attack = 0, found_prefixed = 0;
    for (size_t i = 0; i < xap_eset_size(es); i++) {
        OK(xap_eset_item(es, i, &term, &w));
        assert_non_null(term);
        if (strcmp(term, "attack") == 0)
            found_attack = 1;
        if (term[0] >= 'A' && term[0] <= 'Z')
            found_prefixed = 1;
        /* Only terms of the relevant documents. */
        assert_true(strstr("heart attack chest pain", term) || term[0] == 'Q' || term[0] == 'X');
    }
    assert_true(found_attack);
    assert_true(found_prefixed);
    assert_int_equal(xap_eset_item(es, 1000, &term, &w), XAP_ERR_INVALID);
    assert_null(term);
    xap_eset_free(es);

    /* With a decider that drops prefixed terms, and a query. */
    int calls = 0;
    xap_query *q = T("heart");
    OK(xap_enquire_set_query(e, q));
    xap_query_free(q);
    OK(xap_enquire_eset(e, 20, rs, 2, reject_prefixed, &calls, &es));
    assert_true(calls > 0);
    assert_true(xap_eset_size(es) > 0);
    for (size_t i = 0; i < xap_eset_size(es); i++) {
        OK(xap_eset_item(es, i, &term, &w));
        assert_false(term[0] >= 'A' && term[0] <= 'Z');
        assert_string_not_equal(term, "heart"); /* query terms are left out */
    }
    xap_eset_free(es);

    /* A short set is the head of a long one: frequencies looked up best
     * bound first and stopped early give the same terms and weights. */
    xap_eset *all = NULL;
    OK(xap_enquire_eset(e, 1000, rs, 2, NULL, NULL, &all));
    for (uint32_t max = 1; max <= 3; max++) {
        OK(xap_enquire_eset(e, max, rs, 2, NULL, NULL, &es));
        assert_int_equal(xap_eset_size(es), max < xap_eset_size(all) ? max : xap_eset_size(all));
        for (size_t i = 0; i < xap_eset_size(es); i++) {
            const char *ta;
            double wa;
            OK(xap_eset_item(es, i, &term, &w));
            OK(xap_eset_item(all, i, &ta, &wa));
            assert_string_equal(term, ta);
            assert_true(w == wa);
        }
        xap_eset_free(es);
    }
    xap_eset_free(all);

    /* Each item's frequency comes with it; wanted frequencies ride along
     * with the set's own and are kept until forgotten. */
    const char *want[2] = { "pain", "nosuchtermzz" };
    uint32_t pain = 0;
    OK(xap_db_termfreq(db, "pain", &pain));
    assert_int_equal(pain, 2);
    OK(xap_db_want_termfreqs(db, want, 2));
    OK(xap_enquire_eset(e, 20, rs, 2, NULL, NULL, &es));
    assert_true(xap_eset_size(es) > 0);
    for (size_t i = 0; i < xap_eset_size(es); i++) {
        uint32_t a = 0, b = 1;
        OK(xap_eset_item(es, i, &term, &w));
        OK(xap_eset_termfreq(es, i, &a));
        OK(xap_db_termfreq(db, term, &b));
        assert_int_equal(a, b);
    }
    assert_int_equal(xap_eset_termfreq(es, 1000, &n), XAP_ERR_INVALID);
    xap_eset_free(es);
    OK(xap_db_termfreq(db, "pain", &n));
    assert_int_equal(n, pain);
    OK(xap_db_prefetch_termfreqs(db, want, 2));
    OK(xap_db_termfreq(db, "nosuchtermzz", &n));
    assert_int_equal(n, 0);
    xap_db_begin_request(db);
    OK(xap_db_termfreq(db, "pain", &n));
    assert_int_equal(n, pain);

    /* The next request at the same revision: the same set, and no
     * frequency read from the index again (they were kept). */
    struct xap_work wk;
    xap_eset *again = NULL;
    OK(xap_enquire_eset(e, 20, rs, 2, NULL, NULL, &es));
    xap_db_begin_request(db);
    xap_work_reset();
    OK(xap_enquire_eset(e, 20, rs, 2, NULL, NULL, &again));
    xap_work_get(&wk);
    assert_int_equal(wk.termfreqs, 0);
    assert_int_equal(wk.esets, 1);
    assert_int_equal(xap_eset_size(again), xap_eset_size(es));
    for (size_t i = 0; i < xap_eset_size(es); i++) {
        const char *ta;
        double wa;
        OK(xap_eset_item(es, i, &term, &w));
        OK(xap_eset_item(again, i, &ta, &wa));
        assert_string_equal(term, ta);
        assert_true(w == wa);
    }
    xap_eset_free(again);
    xap_eset_free(es);

    /* Empty rset: empty eset. */
    OK(xap_enquire_eset(e, 20, NULL, 0, NULL, NULL, &es));
    assert_int_equal(xap_eset_size(es), 0);
    xap_eset_free(es);
    xap_enquire_free(e);
    xap_db_close(db);
}

static void test_spelling(void **state)
{
    struct fx *f = *state;
    xap_db *db;
    char *s;
    uint32_t n;

    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OVERWRITE, &db));
    OK(xap_db_add_spelling(db, "infarction", 3));
    OK(xap_db_add_spelling(db, "infection", 1));
    OK(xap_db_add_spelling(db, "infection", 1));
    OK(xap_db_commit(db));
    OK(xap_db_spelling_suggestion(db, "infarctoin", 2, &s));
    assert_non_null(s);
    assert_string_equal(s, "infarction");
    free(s);
    OK(xap_db_spelling_suggestion(db, "infektion", 2, &s));
    assert_non_null(s);
    assert_string_equal(s, "infection");
    free(s);
    OK(xap_db_spelling_suggestion(db, "infarction", 2, &s));
    assert_null(s); /* already right */
    OK(xap_db_spelling_suggestion(db, "zebra", 1, &s));
    assert_null(s);
    OK(xap_db_spelling_freq(db, "infarction", &n));
    assert_int_equal(n, 3);
    OK(xap_db_spelling_freq(db, "infection", &n));
    assert_int_equal(n, 2);
    OK(xap_db_spelling_freq(db, "infect", &n));
    assert_int_equal(n, 0);
    OK(xap_db_spelling_freq(db, "zzz", &n));
    assert_int_equal(n, 0);
    xap_db_close(db);
}

static void test_synonyms(void **state)
{
    struct fx *f = *state;
    xap_db *db;
    struct coll c = { 0 };

    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OVERWRITE, &db));
    OK(xap_db_add_synonym(db, "heart attack", "myocardial infarction"));
    OK(xap_db_add_synonym(db, "heart attack", "mi"));
    OK(xap_db_add_synonym(db, "heart", "cardiac"));
    OK(xap_db_add_synonym(db, "stroke", "cva"));
    OK(xap_db_commit(db));

    OK(xap_db_synonyms(db, "heart attack", str_cb, &c));
    assert_int_equal(c.n, 2);
    assert_string_equal(c.s[0], "mi");
    assert_string_equal(c.s[1], "myocardial infarction");
    memset(&c, 0, sizeof c);
    OK(xap_db_synonyms(db, "unknown", str_cb, &c));
    assert_int_equal(c.n, 0);
    OK(xap_db_synonym_keys(db, "heart", str_cb, &c));
    assert_int_equal(c.n, 2);
    assert_string_equal(c.s[0], "heart");
    assert_string_equal(c.s[1], "heart attack");
    memset(&c, 0, sizeof c);
    OK(xap_db_synonym_keys(db, NULL, str_cb, &c));
    assert_int_equal(c.n, 3);
    memset(&c, 0, sizeof c);
    c.stop_after = 1;
    OK(xap_db_synonym_keys(db, "", str_cb, &c));
    assert_int_equal(c.n, 1);

    OK(xap_db_clear_synonyms(db, "heart"));
    OK(xap_db_commit(db));
    memset(&c, 0, sizeof c);
    OK(xap_db_synonym_keys(db, "heart", str_cb, &c));
    assert_int_equal(c.n, 1);
    assert_string_equal(c.s[0], "heart attack");
    xap_db_close(db);
}

/* termlist_some's filter: the termfreqs of words starting with "j" */
static int want_j(const char *t, size_t len, void *ud)
{
    (void)ud;
    return len > 0 && t[0] == 'j';
}

static int want_h(const char *t, size_t len, void *ud)
{
    (void)ud;
    return len > 0 && t[0] == 'h';
}

static int want_none(const char *t, size_t len, void *ud)
{
    (void)t, (void)len, (void)ud;
    return 0;
}

static void test_term_iteration(void **state)
{
    struct fx *f = *state;
    xap_db *db = open_corpus(f);
    struct coll c = { 0 };

    OK(xap_db_allterms(db, "h", term_cb, &c));
    assert_int_equal(c.n, 2);
    assert_string_equal(c.s[0], "heart");
    assert_int_equal(c.a[0], 4);
    assert_string_equal(c.s[1], "hypnic");
    assert_int_equal(c.a[1], 1);

    memset(&c, 0, sizeof c);
    c.stop_after = 3;
    OK(xap_db_allterms(db, "", term_cb, &c)); /* stops early, still OK */
    assert_int_equal(c.n, 3);
    assert_string_equal(c.s[0], "Qa1");

    memset(&c, 0, sizeof c);
    OK(xap_db_allterms(db, NULL, term_cb, &c));
    assert_true(c.n > 20);
    memset(&c, 0, sizeof c);
    OK(xap_db_allterms(db, "XC", term_cb, &c));
    assert_int_equal(c.n, 3);
    assert_string_equal(c.s[0], "XCcardio");
    assert_int_equal(c.a[0], 4);

    /* "sleep jerk hypnic jerk at night" */
    memset(&c, 0, sizeof c);
    OK(xap_db_positions(db, 3, "jerk", pos_cb, &c));
    assert_int_equal(c.n, 2);
    assert_int_equal(c.a[0], 2);
    assert_int_equal(c.a[1], 4);
    memset(&c, 0, sizeof c);
    OK(xap_db_positions(db, 3, "heart", pos_cb, &c));
    assert_int_equal(c.n, 0);

    memset(&c, 0, sizeof c);
    OK(xap_db_termlist(db, 3, doc_term_cb, &c));
    assert_int_equal(c.n, 7); /* 5 distinct words + Qa3 + XCsleep */
    int j = coll_find(&c, "jerk");
    assert_true(j >= 0);
    assert_int_equal(c.a[j], 2);
    assert_int_equal(c.b[j], 1);
    assert_int_equal(c.b[coll_find(&c, "at")], 1);
    /* termlist_some: the same terms and wdfs, a termfreq only where asked */
    memset(&c, 0, sizeof c);
    OK(xap_db_termlist_some(db, 3, want_j, doc_term_cb, &c));
    assert_int_equal(c.n, 7);
    assert_int_equal(c.a[coll_find(&c, "jerk")], 2);
    assert_int_equal(c.b[coll_find(&c, "jerk")], 1);
    assert_int_equal(c.a[coll_find(&c, "at")], 1);
    assert_int_equal(c.b[coll_find(&c, "at")], 0);
    assert_int_equal(c.b[coll_find(&c, "XCsleep")], 0);
    memset(&c, 0, sizeof c);
    assert_int_equal(xap_db_termlist(db, 99, doc_term_cb, &c), XAP_ERR_NOT_FOUND);
    memset(&c, 0, sizeof c);
    assert_int_equal(xap_db_termlist_some(db, 99, want_j, doc_term_cb, &c), XAP_ERR_NOT_FOUND);
    xap_db_close(db);
}

static void test_metadata(void **state)
{
    struct fx *f = *state;
    xap_db *db;
    char *s;
    size_t len;
    static const char bin[] = { 'x', 0, 'y' };

    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OVERWRITE, &db));
    OK(xap_db_set_metadata(db, "built", "2024-05-01", 10));
    OK(xap_db_set_metadata(db, "bin", bin, sizeof bin));
    OK(xap_db_commit(db));
    OK(xap_db_get_metadata(db, "built", &s, &len));
    assert_int_equal(len, 10);
    assert_string_equal(s, "2024-05-01");
    free(s);
    OK(xap_db_get_metadata(db, "bin", &s, &len));
    assert_int_equal(len, 3);
    assert_memory_equal(s, bin, 3);
    free(s);
    OK(xap_db_get_metadata(db, "missing", &s, &len));
    assert_int_equal(len, 0);
    assert_string_equal(s, "");
    free(s);
    OK(xap_db_set_metadata(db, "built", NULL, 0)); /* delete */
    OK(xap_db_get_metadata(db, "built", &s, &len));
    assert_int_equal(len, 0);
    free(s);
    assert_int_equal(xap_db_set_metadata(db, "", "v", 1), XAP_ERR_INVALID);
    assert_true(strlen(xap_errmsg()) > 0);
    xap_db_close(db);
}

static void test_compact(void **state)
{
    struct fx *f = *state;
    char dst[200];
    xap_db *db;
    uint32_t n, id;

    build_corpus(f->path);
    snprintf(dst, sizeof dst, "%s/compact", f->dir);
    const char *src = f->path;
    OK(xap_compact_many(&src, 1, dst));
    OK(xap_db_open(dst, XAP_DB_READONLY, &db));
    OK(xap_db_doccount(db, &n));
    assert_int_equal(n, 6);
    OK(xap_db_docid_by_term(db, "Qa4", &id));
    assert_int_equal(id, 4); /* docids kept */
    xap_db_close(db);
    /* Multi-file: a directory with per-table files. */
    char p[260];
    struct stat sb;
    snprintf(p, sizeof p, "%s/postlist.glass", dst);
    assert_int_equal(stat(p, &sb), 0);

    assert_int_equal(xap_compact_many(&src, 1, dst), XAP_ERR_INVALID); /* exists */
    snprintf(p, sizeof p, "%s/nope", f->dir);
    snprintf(dst, sizeof dst, "%s/compact2", f->dir);
    src = p;
    assert_int_equal(xap_compact_many(&src, 1, dst), XAP_ERR_OPENING);
}

static void write_stub(const char *dir, const char *target)
{
    char p[256], tmp[260];
    snprintf(p, sizeof p, "%s/XAPIANDB", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", p);
    FILE *fp = fopen(tmp, "w");
    assert_non_null(fp);
    fprintf(fp, "glass %s\n", target);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(rename(tmp, p), 0); /* the atomic swap */
}

static void test_stub_dir(void **state)
{
    struct fx *f = *state;
    char stub[200], idx1[220], idx2[220];
    xap_db *db, *old;
    uint32_t n;

    snprintf(stub, sizeof stub, "%s/index", f->dir);
    assert_int_equal(mkdir(stub, 0755), 0);
    snprintf(idx1, sizeof idx1, "%s/idx-1", stub);
    snprintf(idx2, sizeof idx2, "%s/idx-2", stub);
    build_corpus(idx1);
    write_stub(stub, "idx-1");

    OK(xap_db_open(stub, XAP_DB_READONLY, &db));
    OK(xap_db_doccount(db, &n));
    assert_int_equal(n, 6);
    xap_db_close(db);

    /* Writable through the stub (one database behind it). */
    OK(xap_db_open(stub, XAP_DB_OPEN, &db));
    struct art a7 = { "a7", "added through the stub", "misc", 2024 };
    add_art(db, &a7, NULL);
    OK(xap_db_commit(db));
    xap_db_close(db);
    OK(xap_db_open(stub, XAP_DB_CREATE_OR_OPEN, &db));
    OK(xap_db_doccount(db, &n));
    assert_int_equal(n, 7);
    xap_db_close(db);
    OK(xap_db_open(idx1, XAP_DB_READONLY, &db));
    OK(xap_db_doccount(db, &n));
    assert_int_equal(n, 7);
    xap_db_close(db);

    /* Swap in a rebuilt index: an open reader keeps the old one, a new
     * open sees the new one. */
    OK(xap_db_open(stub, XAP_DB_READONLY, &old));
    OK(xap_db_open(idx2, XAP_DB_CREATE_OR_OVERWRITE, &db));
    add_art(db, &corpus[0], NULL);
    xap_db_close(db);
    write_stub(stub, "idx-2");
    OK(xap_db_open(stub, XAP_DB_READONLY, &db));
    OK(xap_db_doccount(db, &n));
    assert_int_equal(n, 1);
    xap_db_close(db);
    OK(xap_db_doccount(old, &n));
    assert_int_equal(n, 7);
    xap_db_close(old);
}

static void test_open_many(void **state)
{
    struct fx *f = *state;
    char p2[200];
    xap_db *db;
    uint32_t n;
    uint64_t rev;

    build_corpus(f->path);
    snprintf(p2, sizeof p2, "%s/db2", f->dir);
    OK(xap_db_open(p2, XAP_DB_CREATE_OR_OVERWRITE, &db));
    struct art b1 = { "b1", "heart failure", "cardio", 2024 };
    struct art b2 = { "b2", "skin rash", "skin", 2024 };
    add_art(db, &b1, NULL);
    add_art(db, &b2, NULL);
    xap_db_close(db);

    const char *paths[2] = { f->path, p2 };
    OK(xap_db_open_many(paths, 2, &db));
    OK(xap_db_doccount(db, &n));
    assert_int_equal(n, 8);
    OK(xap_db_termfreq(db, "heart", &n));
    assert_int_equal(n, 5);
    OK(xap_db_revision(db, &rev));
    assert_int_equal(rev, 0);
    xap_query *q = T("rash");
    uint32_t bits = match_bits(db, q);
    assert_int_equal(__builtin_popcount(bits), 1);
    xap_query_free(q);
    xap_db_close(db);

    const char *bad[2] = { f->path, "/nonexistent/xap" };
    assert_int_equal(xap_db_open_many(bad, 2, &db), XAP_ERR_OPENING);
    assert_null(db);
    const char *badtcp[] = { "tcp:localhost", "tcp::80", "tcp:host:0", "tcp:host:99999", "tcp:host:8x" };
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(xap_db_open_many(&badtcp[i], 1, &db), XAP_ERR_INVALID);
    assert_int_equal(xap_db_open_many(paths, 0, &db), XAP_ERR_INVALID);
}

struct seen_values {
    size_t idx[8];
    char v[8][16];
    size_t n;
};

static int on_value(size_t i, const char *v, size_t len, void *ud)
{
    struct seen_values *s = ud;
    s->idx[s->n] = i;
    snprintf(s->v[s->n++], sizeof s->v[0], "%.*s", (int)len, v);
    return s->n == 8;
}

/* xap_db_values: one pass of a slot's value stream for docids in any
 * order; docids without a value (or not in the index) are left out. */
static void test_values(void **state)
{
    struct fx *f = *state;
    xap_db *db = open_corpus(f);
    const uint32_t ids[] = { 5, 2, 99, 1, 4 };
    struct seen_values s = { 0 };
    OK(xap_db_values(db, SLOT_CAT, ids, 5, on_value, &s));
    /* in docid order: 1, 2, 4, 5 (99 does not exist) */
    assert_int_equal(s.n, 4);
    const size_t want_idx[] = { 3, 1, 4, 0 };
    const char *want_v[] = { "cardio", "cardio", "infection", "cardio" };
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(s.idx[k], want_idx[k]);
        assert_string_equal(s.v[k], want_v[k]);
    }
    /* a slot nobody set: nothing */
    memset(&s, 0, sizeof s);
    OK(xap_db_values(db, 11, ids, 5, on_value, &s));
    assert_int_equal(s.n, 0);
    OK(xap_db_values(db, SLOT_CAT, ids, 0, on_value, &s));
    assert_int_equal(xap_db_values(db, SLOT_CAT, NULL, 2, on_value, &s), XAP_ERR_INVALID);
    xap_db_close(db);
}

/* A remote shard through xapian-tcpsrv, when the tool is installed. */
static void test_open_many_remote(void **state)
{
    struct fx *f = *state;
    if (access("/usr/bin/xapian-tcpsrv", X_OK) != 0)
        skip();
    build_corpus(f->path);
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    int port = 20000 + rand() % 30000;
    char portstr[16], addr[64];
    snprintf(portstr, sizeof portstr, "%d", port);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Its own process group: on SIGTERM xapian-tcpsrv signals its
         * whole group, which must not include this test or its runner. */
        setpgid(0, 0);
        execl("/usr/bin/xapian-tcpsrv", "xapian-tcpsrv", "--quiet", "--interface", "127.0.0.1",
              "--port", portstr, f->path, (char *)NULL);
        _exit(127);
    }
    snprintf(addr, sizeof addr, "tcp:127.0.0.1:%d", port);
    const char *paths[1] = { addr };
    xap_db *db = NULL;
    xap_status st = XAP_ERR_UNKNOWN;
    for (int i = 0; i < 100 && st != XAP_OK; i++) {
        st = xap_db_open_many(paths, 1, &db);
        if (st != XAP_OK)
            usleep(50 * 1000);
    }
    /* Assert only after the server is gone, so a failure cannot leave it
     * running. */
    uint32_t n = 0, bits = 0;
    xap_status st2 = XAP_ERR_UNKNOWN, st3 = XAP_ERR_UNKNOWN, st4 = XAP_ERR_UNKNOWN;
    uint64_t rev = 1;
    struct terms remote_tl = { 0 }, local_tl = { 0 }, remote_some = { 0 }, remote_none = { 0 };
    int is_remote = 0;
    const char *pf_terms[3] = { "heart", "nosuchtermzz", "attack" };
    uint32_t pf_remote[3] = { 99, 99, 99 }, pf_local[3] = { 0, 0, 0 };
    if (st == XAP_OK) {
        st2 = xap_db_doccount(db, &n);
        xap_query *q = T("heart");
        bits = match_bits(db, q);
        xap_query_free(q);
        xap_db_close(db);
        /* One remote database alone opens through xap_db_open too; its
         * revision is unknown (0), and a termlist's frequencies, fetched
         * in one exchange, equal the local ones. */
        st3 = xap_db_open(addr, XAP_DB_READONLY, &db);
        if (st3 == XAP_OK) {
            is_remote = xap_db_is_remote(db);
            st4 = xap_db_revision(db, &rev);
            if (st4 == XAP_OK)
                st4 = xap_db_termlist(db, 1, terms_cb, &remote_tl);
            if (st4 == XAP_OK)
                st4 = xap_db_termlist_some(db, 1, want_h, terms_cb, &remote_some);
            if (st4 == XAP_OK)
                st4 = xap_db_termlist_some(db, 1, want_none, terms_cb, &remote_none);
            /* Prefetched frequencies (one exchange) are the real ones,
             * absent terms included. */
            if (st4 == XAP_OK)
                st4 = xap_db_prefetch_termfreqs(db, pf_terms, 3);
            for (size_t i = 0; i < 3 && st4 == XAP_OK; i++)
                st4 = xap_db_termfreq(db, pf_terms[i], &pf_remote[i]);
            xap_db_close(db);
        }
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    if (st != XAP_OK)
        fail_msg("remote open failed: %s: %s", xap_status_name(st), xap_errmsg());
    assert_int_equal(st2, XAP_OK);
    assert_int_equal(n, 6);
    assert_int_equal(bits, B(1) | B(2) | B(5) | B(6));
    assert_int_equal(st3, XAP_OK);
    assert_int_equal(st4, XAP_OK);
    assert_true(is_remote);
    assert_int_equal(rev, 0);
    OK(xap_db_open(f->path, XAP_DB_READONLY, &db));
    assert_false(xap_db_is_remote(db));
    OK(xap_db_termlist(db, 1, terms_cb, &local_tl));
    for (size_t i = 0; i < 3; i++)
        OK(xap_db_termfreq(db, pf_terms[i], &pf_local[i]));
    xap_db_close(db);
    assert_true(pf_local[0] > 0);
    assert_int_equal(pf_local[1], 0);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(pf_remote[i], pf_local[i]);
    assert_true(local_tl.n > 0);
    assert_int_equal(remote_tl.n, local_tl.n);
    for (size_t i = 0; i < local_tl.n; i++) {
        assert_string_equal(remote_tl.s[i], local_tl.s[i]);
        assert_int_equal(remote_tl.tf[i], local_tl.tf[i]);
    }
    /* over a remote shard too, a termfreq only where asked */
    assert_int_equal(remote_some.n, local_tl.n);
    for (size_t i = 0; i < local_tl.n; i++)
        assert_int_equal(remote_some.tf[i], remote_some.s[i][0] == 'h' ? local_tl.tf[i] : 0);
    /* and none wanted: every term, no frequency (no exchange for them) */
    assert_int_equal(remote_none.n, local_tl.n);
    for (size_t i = 0; i < local_tl.n; i++) {
        assert_string_equal(remote_none.s[i], local_tl.s[i]);
        assert_int_equal(remote_none.tf[i], 0);
    }
    terms_free(&remote_none);
    terms_free(&remote_some);
    terms_free(&remote_tl);
    terms_free(&local_tl);
}

/* The other branches of the exception mapper, each provoked for real. */
static void test_error_mapping(void **state)
{
    struct fx *f = *state;
    xap_db *db;
    xap_enquire *e;
    xap_mset *m;
    uint32_t n;

    /* Another DatabaseError (DatabaseClosedError) -> XAP_ERR_IO: an
     * enquire used after its database was closed. */
    build_corpus(f->path);
    OK(xap_db_open(f->path, XAP_DB_READONLY, &db));
    OK(xap_enquire_new(db, &e));
    xap_query *q = T("heart");
    OK(xap_enquire_set_query(e, q));
    xap_query_free(q);
    xap_db_close(db);
    assert_int_equal(xap_enquire_mset(e, 0, 10, 0, NULL, 0, &m), XAP_ERR_IO);
    assert_null(m);
    assert_non_null(strstr(xap_errmsg(), "DatabaseClosedError"));
    xap_enquire_free(e);

    /* NetworkError -> XAP_ERR_NETWORK: nothing listens on port 1. */
    const char *remote[1] = { "tcp:127.0.0.1:1" };
    assert_int_equal(xap_db_open_many(remote, 1, &db), XAP_ERR_NETWORK);
    assert_non_null(strstr(xap_errmsg(), "NetworkError"));

    /* DatabaseCorruptError -> XAP_ERR_CORRUPT: garbage over the postlist
     * table's blocks. */
    char p[200];
    snprintf(p, sizeof p, "%s/postlist.glass", f->path);
    FILE *fp = fopen(p, "r+b");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    for (long i = 0; i < size; i++)
        fputc(0x5a, fp);
    assert_int_equal(fclose(fp), 0);
    xap_status st = xap_db_open(f->path, XAP_DB_READONLY, &db);
    if (st == XAP_OK) {
        st = xap_db_termfreq(db, "heart", &n);
        xap_db_close(db);
    }
    assert_int_equal(st, XAP_ERR_CORRUPT);
    assert_non_null(strstr(xap_errmsg(), "DatabaseCorruptError"));
}

/* A reader left on an old revision while a writer commits several times
 * finds its blocks reused: DatabaseModifiedError -> XAP_ERR_MODIFIED, and
 * a reopen cures it. */
static void test_modified(void **state)
{
    struct fx *f = *state;
    xap_db *w, *r;
    char text[4096], id[32];
    xap_status st = XAP_OK;

    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OVERWRITE, &w));
    for (int round = 0; round < 6 && st == XAP_OK; round++) {
        for (int i = 0; i < 300; i++) {
            size_t off = 0;
            for (int k = 0; k < 150; k++)
                off += (size_t)snprintf(text + off, sizeof text - off, "w%dr%dk%d ", i, round, k);
            snprintf(id, sizeof id, "d%d", i);
            struct art a = { id, text, "c", 2000 + round };
            text[off - 1] = '\0';
            add_art(w, &a, NULL);
        }
        OK(xap_db_commit(w));
        if (round == 0) {
            OK(xap_db_open(f->path, XAP_DB_READONLY, &r));
            continue;
        }
        /* Read everything of the old revision the reader holds. */
        for (uint32_t d = 1; d <= 300 && st == XAP_OK; d++) {
            struct coll c = { 0 };
            st = xap_db_termlist(r, d, doc_term_cb, &c);
        }
    }
    xap_db_close(w);
    assert_int_equal(st, XAP_ERR_MODIFIED);
    assert_non_null(strstr(xap_errmsg(), "DatabaseModifiedError"));
    int changed = 0;
    OK(xap_db_reopen(r, &changed));
    assert_int_equal(changed, 1);
    struct coll c = { 0 };
    OK(xap_db_termlist(r, 1, doc_term_cb, &c));
    assert_int_equal(c.n, 152);
    xap_db_close(r);
}

static void test_stem(void **state)
{
    (void)state;
    xap_stem *s;
    char buf[64];

    OK(xap_stem_new("english", &s));
    assert_int_equal(xap_stem_apply(s, "running", 7, buf, sizeof buf), 3);
    assert_string_equal(buf, "run");
    assert_int_equal(xap_stem_apply(s, "infections", 10, buf, sizeof buf), 6);
    assert_string_equal(buf, "infect");
    /* Truncated to cap - 1. */
    assert_int_equal(xap_stem_apply(s, "infections", 10, buf, 4), 3);
    assert_string_equal(buf, "inf");
    assert_int_equal(xap_stem_apply(s, "x", 1, buf, 0), 0);
    xap_stem_free(s);

    OK(xap_stem_new("en", &s));
    assert_int_equal(xap_stem_apply(s, "kidneys", 7, buf, sizeof buf), 6);
    assert_string_equal(buf, "kidney");
    xap_stem_free(s);
    OK(xap_stem_new("fr", &s));
    xap_stem_apply(s, "maladies", 8, buf, sizeof buf);
    assert_string_equal(buf, "malad");
    xap_stem_free(s);

    const char *none[] = { "none", "" };
    for (int i = 0; i < 2; i++) {
        OK(xap_stem_new(none[i], &s));
        assert_int_equal(xap_stem_apply(s, "running", 7, buf, sizeof buf), 7);
        assert_string_equal(buf, "running");
        /* Truncation never splits a UTF-8 sequence: "naï" needs 4 bytes. */
        assert_int_equal(xap_stem_apply(s, "na\xc3\xafve", 6, buf, 4), 2);
        assert_string_equal(buf, "na");
        xap_stem_free(s);
    }

    s = (xap_stem *)1;
    assert_int_equal(xap_stem_new("klingon", &s), XAP_ERR_INVALID);
    assert_null(s);
    assert_non_null(strstr(xap_errmsg(), "klingon"));
    assert_int_equal(xap_stem_apply(NULL, "a", 1, buf, sizeof buf), 0);
}

static void test_sortable(void **state)
{
    (void)state;
    char a[18], b[18];
    size_t na = xap_sortable_serialise(-3.5, a), nb = xap_sortable_serialise(1e6, b);
    assert_true(na > 0 && nb > 0);
    size_t m = na < nb ? na : nb;
    int c = memcmp(a, b, m);
    assert_true(c < 0 || (c == 0 && na < nb));
    assert_float_equal(xap_sortable_unserialise(a, na), -3.5, 0);
    assert_float_equal(xap_sortable_unserialise(b, nb), 1e6, 0);
}

static void test_null_args(void **state)
{
    struct fx *f = *state;
    xap_db *db = (xap_db *)1, *rdb = open_corpus(f);
    xap_doc *doc = (xap_doc *)1;
    xap_query *q = (xap_query *)1;
    xap_enquire *e = (xap_enquire *)1;
    xap_mset *m = (xap_mset *)1;
    xap_eset *es = (xap_eset *)1;
    xap_stem *s = (xap_stem *)1;
    char *str = (char *)1;
    size_t len = 1;
    uint32_t u = 1;
    uint64_t u64 = 1;
    double d = 1;
    int changed = 1;

    assert_int_equal(xap_db_open(NULL, XAP_DB_READONLY, &db), XAP_ERR_INVALID);
    assert_null(db);
    assert_non_null(strstr(xap_errmsg(), "path is NULL"));
    assert_int_equal(xap_db_open(f->path, XAP_DB_READONLY, NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_db_open_many(NULL, 1, &db), XAP_ERR_INVALID);
    const char *pnull[1] = { NULL };
    assert_int_equal(xap_db_open_many(pnull, 1, &db), XAP_ERR_INVALID);
    xap_db_close(NULL);
    assert_int_equal(xap_db_cancel(NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_db_reopen(NULL, &changed), XAP_ERR_INVALID);
    assert_int_equal(changed, 0);
    assert_int_equal(xap_db_commit(NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_db_doccount(NULL, &u), XAP_ERR_INVALID);
    assert_int_equal(u, 0);
    assert_int_equal(xap_db_doccount(rdb, NULL), XAP_ERR_INVALID);
    u64 = 1;
    assert_int_equal(xap_db_revision(NULL, &u64), XAP_ERR_INVALID);
    assert_int_equal(u64, 0);
    assert_int_equal(xap_db_avlength(NULL, &d), XAP_ERR_INVALID);
    assert_int_equal(xap_db_termfreq(rdb, NULL, &u), XAP_ERR_INVALID);
    assert_int_equal(xap_db_replace_by_term(NULL, "Q", NULL, &u), XAP_ERR_INVALID);
    assert_int_equal(xap_db_delete_by_term(NULL, "Q", &u), XAP_ERR_INVALID);
    assert_int_equal(xap_db_docid_by_term(rdb, NULL, &u), XAP_ERR_INVALID);
    assert_int_equal(xap_db_get_doc(NULL, 1, &doc), XAP_ERR_INVALID);
    assert_null(doc);
    assert_int_equal(xap_db_set_metadata(NULL, "k", "v", 1), XAP_ERR_INVALID);
    str = (char *)1;
    assert_int_equal(xap_db_get_metadata(rdb, NULL, &str, &len), XAP_ERR_INVALID);
    assert_null(str);
    assert_int_equal(len, 0);
    assert_int_equal(xap_db_allterms(rdb, "", NULL, NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_db_positions(rdb, 1, NULL, pos_cb, NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_db_termlist(NULL, 1, doc_term_cb, NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_db_termlist_some(NULL, 1, want_j, doc_term_cb, NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_db_termlist_some(rdb, 1, want_j, NULL, NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_db_add_spelling(NULL, "w", 1), XAP_ERR_INVALID);
    assert_int_equal(xap_db_spelling_suggestion(rdb, NULL, 2, &str), XAP_ERR_INVALID);
    assert_int_equal(xap_db_spelling_freq(rdb, NULL, &u), XAP_ERR_INVALID);
    assert_int_equal(xap_db_add_synonym(NULL, "a", "b"), XAP_ERR_INVALID);
    assert_int_equal(xap_db_clear_synonyms(NULL, "a"), XAP_ERR_INVALID);
    assert_int_equal(xap_db_synonyms(rdb, NULL, str_cb, NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_db_synonym_keys(rdb, "", NULL, NULL), XAP_ERR_INVALID);

    assert_int_equal(xap_doc_new(NULL), XAP_ERR_INVALID);
    xap_doc_free(NULL);
    assert_int_equal(xap_doc_add_posting(NULL, "t", 1, 1), XAP_ERR_INVALID);
    assert_int_equal(xap_doc_add_term(NULL, "t", 1), XAP_ERR_INVALID);
    assert_int_equal(xap_doc_add_boolean_term(NULL, "t"), XAP_ERR_INVALID);
    assert_int_equal(xap_doc_set_value(NULL, 0, "v", 1), XAP_ERR_INVALID);
    assert_int_equal(xap_doc_get_value(NULL, 0, &str, &len), XAP_ERR_INVALID);
    assert_int_equal(xap_doc_set_data(NULL, "v", 1), XAP_ERR_INVALID);
    assert_int_equal(xap_doc_get_data(NULL, &str, &len), XAP_ERR_INVALID);
    assert_int_equal(xap_doc_termlist(NULL, doc_term_cb, NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_doc_docid(NULL, &u), XAP_ERR_INVALID);
    assert_int_equal(xap_sortable_serialise(1.0, NULL), 0);
    OK(xap_doc_new(&doc));
    assert_int_equal(xap_doc_add_posting(doc, NULL, 1, 1), XAP_ERR_INVALID);
    assert_int_equal(xap_doc_set_data(doc, NULL, 3), XAP_ERR_INVALID);
    OK(xap_doc_set_data(doc, NULL, 0));
    assert_int_equal(xap_doc_add_posting(doc, "", 1, 1), XAP_ERR_INVALID); /* Xapian refuses "" */
    xap_doc_free(doc);

    assert_int_equal(xap_query_term(NULL, 1, 0, &q), XAP_ERR_INVALID);
    assert_null(q);
    assert_int_equal(xap_query_combine(XAP_OP_AND, NULL, 2, 0, &q), XAP_ERR_INVALID);
    xap_query *subs[2] = { NULL, NULL };
    assert_int_equal(xap_query_combine(XAP_OP_AND, subs, 2, 0, &q), XAP_ERR_INVALID);
    assert_int_equal(xap_query_combine((enum xap_op)99, subs, 0, 0, &q), XAP_ERR_INVALID);
    assert_int_equal(xap_query_wildcard(NULL, 1, 0, &q), XAP_ERR_INVALID);
    assert_int_equal(xap_query_scale(NULL, 1, &q), XAP_ERR_INVALID);
    assert_int_equal(xap_query_match_all(NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_query_describe(NULL, &str), XAP_ERR_INVALID);
    assert_true(xap_query_empty(NULL));
    xap_query_free(NULL);

    assert_int_equal(xap_enquire_new(NULL, &e), XAP_ERR_INVALID);
    assert_null(e);
    xap_enquire_free(NULL);
    assert_int_equal(xap_enquire_set_query(NULL, NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_enquire_set_bm25(NULL, 1, 0, 1, 0.5, 0.5), XAP_ERR_INVALID);
    assert_int_equal(xap_enquire_set_time_limit(NULL, 1), XAP_ERR_INVALID);
    assert_int_equal(xap_enquire_mset(NULL, 0, 10, 0, NULL, 0, &m), XAP_ERR_INVALID);
    assert_null(m);
    assert_int_equal(xap_enquire_eset(NULL, 10, NULL, 0, NULL, NULL, &es), XAP_ERR_INVALID);
    assert_null(es);
    OK(xap_enquire_new(rdb, &e));
    assert_int_equal(xap_enquire_set_query(e, NULL), XAP_ERR_INVALID);
    assert_int_equal(xap_enquire_mset(e, 0, 10, 0, NULL, 3, &m), XAP_ERR_INVALID);
    /* No query set yet: Xapian refuses, we report it. */
    xap_status st = xap_enquire_mset(e, 0, 10, 0, NULL, 0, &m);
    if (st != XAP_OK)
        assert_int_equal(st, XAP_ERR_INVALID);
    else
        xap_mset_free(m);
    xap_enquire_free(e);
    assert_int_equal(xap_mset_size(NULL), 0);
    assert_int_equal(xap_mset_estimated(NULL), 0);
    assert_int_equal(xap_mset_item(NULL, 0, &u, &u, &d, &changed), XAP_ERR_INVALID);
    assert_int_equal(xap_mset_doc(NULL, 0, &doc), XAP_ERR_INVALID);
    xap_mset_free(NULL);
    assert_int_equal(xap_eset_size(NULL), 0);
    assert_int_equal(xap_eset_item(NULL, 0, NULL, NULL), XAP_ERR_INVALID);
    xap_eset_free(NULL);

    assert_int_equal(xap_stem_new(NULL, &s), XAP_ERR_INVALID);
    assert_null(s);
    xap_stem_free(NULL);
    xap_db_close(rdb);
}

struct spy_seen {
    char values[4][16];
    uint32_t counts[4];
    size_t n;
};

static int spy_cb(const char *v, size_t len, uint32_t count, void *ud)
{
    struct spy_seen *s = ud;
    if (s->n < 4) {
        snprintf(s->values[s->n], sizeof s->values[0], "%.*s", (int)len, v);
        s->counts[s->n++] = count;
    }
    return 0;
}

/* A value-count spy counts every match when check_at_least covers the
 * database, not only the page; a second run counts afresh only when the
 * caller makes a new spy (the facets module does). */
static void test_spy(void **state)
{
    struct fx *f = *state;
    xap_db *db = open_corpus(f);
    xap_enquire *e;
    xap_mset *m;
    xap_spy *spy;
    xap_query *q = T("chest"); /* a1, a4, a6: cardio x2, infection x1 */

    OK(xap_enquire_new(db, &e));
    OK(xap_enquire_set_query(e, q));
    OK(xap_spy_new(SLOT_CAT, &spy));
    OK(xap_enquire_add_spy(e, spy));
    OK(xap_enquire_mset(e, 0, 1, 6, NULL, 0, &m));
    assert_int_equal(xap_mset_size(m), 1);
    assert_int_equal(xap_spy_total(spy), 3);
    struct spy_seen seen = { 0 };
    OK(xap_spy_top(spy, 10, spy_cb, &seen));
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.values[0], "cardio");
    assert_int_equal(seen.counts[0], 2);
    assert_string_equal(seen.values[1], "infection");
    assert_int_equal(seen.counts[1], 1);
    memset(&seen, 0, sizeof seen);
    OK(xap_spy_top(spy, 1, spy_cb, &seen));
    assert_int_equal(seen.n, 1);
    xap_mset_free(m);
    OK(xap_enquire_clear_spies(e));
    assert_int_equal(xap_spy_top(NULL, 1, spy_cb, &seen), XAP_ERR_INVALID);
    assert_int_equal(xap_enquire_add_spy(e, NULL), XAP_ERR_INVALID);
    xap_enquire_free(e);
    xap_spy_free(spy);
    xap_spy_free(NULL);
    xap_query_free(q);
    xap_db_close(db);
}

/* ---- PRF's re-ranking window (xap_mset_rescore) ---------------------------- */

static const struct art extra[] = {
    { "b1", "heart failure chest", "cardio", 2024 },
    { "b2", "skin rash after surgery", "skin", 2025 },
};

/* An article's SLOT_YEAR value (the sort key, or read from the document)
 * as its id term. */
static size_t year_term(const char *key, size_t len, char *buf, size_t cap)
{
    assert_true(len > 0);
    int year = (int)xap_sortable_unserialise(key, len);
    for (size_t i = 0; i < NCORPUS; i++)
        if (corpus[i].year == year)
            return (size_t)snprintf(buf, cap, "Q%s", corpus[i].id);
    for (size_t i = 0; i < 2; i++)
        if (extra[i].year == year)
            return (size_t)snprintf(buf, cap, "Q%s", extra[i].id);
    return 0;
}

struct hitlist {
    size_t n;
    uint32_t id[16], rank[16];
    double w[16];
};

static void hits_of(xap_mset *m, struct hitlist *h)
{
    h->n = xap_mset_size(m);
    assert_true(h->n <= 16);
    for (size_t i = 0; i < h->n; i++) {
        int pct;
        OK(xap_mset_item(m, i, &h->id[i], &h->rank[i], &h->w[i], &pct));
        assert_true(pct >= 1 && pct <= 100);
    }
}

static xap_query *rescore_query(void) { return C2(XAP_OP_OR, C2(XAP_OP_OR, T("heart"), T("chest"), 0), T("pain"), 0); }

static xap_query *rescore_boost(void)
{
    xap_query *b = C2(XAP_OP_OR, T("attack"), T("surgery"), 0), *s;
    OK(xap_query_scale(b, 0.7, &s));
    xap_query_free(b);
    return s;
}

/* The match of q (window items, offset 0) rescored with boost; the page
 * [offset, offset+limit) of it. by_year: the match sorts equal weights by
 * SLOT_YEAR (the id terms come from the sort keys), else by docid (they
 * come from the documents' values). */
static int by_year = 1;
static void rescored(xap_db *db, uint32_t window, uint32_t offset, uint32_t limit, struct hitlist *h)
{
    xap_enquire *e;
    xap_mset *m;
    xap_query *q = rescore_query(), *b = rescore_boost();
    OK(xap_enquire_new(db, &e));
    OK(xap_enquire_set_query(e, q));
    if (by_year)
        OK(xap_enquire_set_sort_by_relevance_then_value(e, SLOT_YEAR, 0));
    OK(xap_enquire_mset(e, 0, 100, 100, NULL, 0, &m));
    OK(xap_mset_rescore(e, m, b, window, offset, limit, SLOT_YEAR, year_term));
    hits_of(m, h);
    /* a page that is not the whole match cannot be re-ranked again */
    if (offset > 0 || h->n < 5)
        assert_int_equal(xap_mset_rescore(e, m, b, window, offset, limit, SLOT_YEAR, year_term), XAP_ERR_INVALID);
    xap_mset_free(m);
    xap_query_free(q);
    xap_query_free(b);
    xap_enquire_free(e);
}

/* The reference: the match of AND_MAYBE(q, boost), or of q alone. */
static void matched(xap_db *db, int with_boost, struct hitlist *h)
{
    xap_enquire *e;
    xap_mset *m;
    xap_query *q = rescore_query();
    if (with_boost)
        q = C2(XAP_OP_AND_MAYBE, q, rescore_boost(), 0);
    OK(xap_enquire_new(db, &e));
    OK(xap_enquire_set_query(e, q));
    OK(xap_enquire_set_sort_by_relevance_then_value(e, SLOT_YEAR, 0));
    OK(xap_enquire_mset(e, 0, 100, 100, NULL, 0, &m));
    hits_of(m, h);
    xap_mset_free(m);
    xap_query_free(q);
    xap_enquire_free(e);
}

static void same_hits(const struct hitlist *a, const struct hitlist *b, size_t from, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a->id[i], b->id[from + i]);
        assert_true(a->w[i] > b->w[from + i] - 1e-9 && a->w[i] < b->w[from + i] + 1e-9);
    }
}

static void test_mset_rescore(void **state)
{
    struct fx *f = *state;
    xap_db *db = open_corpus(f);
    struct hitlist ref, plain, h;
    matched(db, 1, &ref);
    matched(db, 0, &plain);
    assert_int_equal(ref.n, 5); /* every article with heart, chest or pain */
    assert_int_equal(plain.n, 5);
    /* the boost changes the order, or the test shows nothing */
    int moved = 0;
    for (size_t i = 0; i < ref.n; i++)
        moved |= ref.id[i] != plain.id[i];
    assert_true(moved);

    /* A window holding every match: the AND_MAYBE match itself, pages too. */
    rescored(db, 100, 0, 10, &h);
    assert_int_equal(h.n, 5);
    same_hits(&h, &ref, 0, 5);
    for (size_t i = 0; i < h.n; i++)
        assert_int_equal(h.rank[i], i);
    rescored(db, 100, 2, 2, &h);
    assert_int_equal(h.n, 2);
    same_hits(&h, &ref, 2, 2);
    assert_int_equal(h.rank[0], 2);
    assert_int_equal(h.rank[1], 3);
    rescored(db, 100, 4, 10, &h);
    assert_int_equal(h.n, 1);
    rescored(db, 100, 9, 10, &h);
    assert_int_equal(h.n, 0);

    /* A window of 2: its two articles re-ranked by the boost, the rest
     * after them in the plain order with the plain weights. */
    rescored(db, 2, 0, 10, &h);
    assert_int_equal(h.n, 5);
    int a = h.id[0] == plain.id[0] ? 0 : 1;
    assert_true((h.id[0] == plain.id[0] && h.id[1] == plain.id[1]) ||
                (h.id[0] == plain.id[1] && h.id[1] == plain.id[0]));
    assert_true(h.w[0] >= h.w[1]);
    assert_true(h.w[a] >= plain.w[0] - 1e-9);
    for (size_t i = 2; i < 5; i++) {
        assert_int_equal(h.id[i], plain.id[i]);
        assert_true(h.w[i] == plain.w[i]);
        assert_int_equal(h.rank[i], i);
    }
    /* none of the window's weights fell below what follows it */
    assert_true(h.w[1] >= h.w[2]);
    /* Two re-rankings, the second of the first's whole order: the boost's
     * two terms one after the other weigh as the two together, whatever
     * the first window (late boosts, then PRF). */
    static const uint32_t first_window[] = { 100, 5, 2 };
    for (size_t k = 0; k < sizeof first_window / sizeof first_window[0]; k++) {
        uint32_t w1 = first_window[k];
        xap_enquire *e;
        xap_mset *m;
        xap_query *q = rescore_query(), *b1 = NULL, *b2 = NULL, *t1 = T("attack"), *t2 = T("surgery");
        OK(xap_query_scale(t1, 0.7, &b1));
        OK(xap_query_scale(t2, 0.7, &b2));
        OK(xap_enquire_new(db, &e));
        OK(xap_enquire_set_query(e, q));
        OK(xap_enquire_set_sort_by_relevance_then_value(e, SLOT_YEAR, 0));
        OK(xap_enquire_mset(e, 0, 100, 100, NULL, 0, &m));
        OK(xap_mset_rescore(e, m, b1, w1, 0, 100, SLOT_YEAR, year_term));
        OK(xap_mset_rescore(e, m, b2, 100, 0, 10, SLOT_YEAR, year_term));
        hits_of(m, &h);
        assert_int_equal(h.n, 5);
        if (w1 == 100)
            same_hits(&h, &ref, 0, 5);
        else /* "surgery" lifts none of these: the first window decides */
            for (size_t i = 0; i < h.n; i++)
                assert_true(i + 1 == h.n || h.w[i] >= h.w[i + 1]);
        xap_mset_free(m);
        xap_query_free(q);
        xap_query_free(t1);
        xap_query_free(t2);
        xap_query_free(b1);
        xap_query_free(b2);
        xap_enquire_free(e);
    }
    /* no boost: the plain match's page */
    {
        xap_enquire *e;
        xap_mset *m;
        xap_query *q = rescore_query();
        OK(xap_enquire_new(db, &e));
        OK(xap_enquire_set_query(e, q));
        OK(xap_enquire_set_sort_by_relevance_then_value(e, SLOT_YEAR, 0));
        OK(xap_enquire_mset(e, 0, 100, 100, NULL, 0, &m));
        OK(xap_mset_rescore(e, m, NULL, 100, 1, 3, SLOT_YEAR, NULL));
        hits_of(m, &h);
        assert_int_equal(h.n, 3);
        same_hits(&h, &plain, 1, 3);
        xap_mset_free(m);
        xap_query_free(q);
        xap_enquire_free(e);
    }
    xap_db_close(db);

    /* Two databases (docids interleaved): the id-term route gives the
     * AND_MAYBE match of the same two databases. */
    char p2[200];
    snprintf(p2, sizeof p2, "%s/db2", f->dir);
    OK(xap_db_open(p2, XAP_DB_CREATE_OR_OVERWRITE, &db));
    add_art(db, &extra[0], NULL);
    add_art(db, &extra[1], NULL);
    xap_db_close(db);
    const char *paths[2] = { f->path, p2 };
    OK(xap_db_open_many(paths, 2, &db));
    matched(db, 1, &ref);
    assert_int_equal(ref.n, 6); /* b2 matches only the boost */
    rescored(db, 100, 0, 10, &h);
    assert_int_equal(h.n, 6);
    same_hits(&h, &ref, 0, 6);
    by_year = 0; /* no sort keys: the ids are the documents' values */
    rescored(db, 100, 0, 10, &h);
    by_year = 1;
    assert_int_equal(h.n, 6);
    same_hits(&h, &ref, 0, 6);
    xap_db_close(db);
}

int main(void)
{
#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T_(test_version_and_names),
        T_(test_remote_unreachable),
        T_(test_open_modes),
        T_(test_second_writer_locked),
        T_(test_missing_path),
        T_(test_doc_roundtrip),
        T_(test_replace_delete),
        T_(test_commit_reopen_stats),
        T_(test_cancel),
        T_(test_query_ops),
        T_(test_query_wildcard),
        T_(test_query_scale),
        T_(test_mset_paging),
        T_(test_mset_rescore),
        T_(test_bm25_timelimit),
        T_(test_eset),
        T_(test_spelling),
        T_(test_synonyms),
        T_(test_term_iteration),
        T_(test_metadata),
        T_(test_compact),
        T_(test_stub_dir),
        T_(test_open_many),
        T_(test_open_many_remote),
        T_(test_values),
        T_(test_modified),
        T_(test_error_mapping),
        T_(test_stem),
        T_(test_sortable),
        T_(test_spy),
        T_(test_null_args),
    };
    /* XAP_TEST=pattern runs a subset (for debugging one test). */
    if (getenv("XAP_TEST"))
        cmocka_set_test_filter(getenv("XAP_TEST"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
