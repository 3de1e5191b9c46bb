/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xap.cc: the C seam over libxapian (1.4). The project's only C++ file.
 *
 * Every extern "C" function is one try block whose `catch (...)` calls
 * map_exception(): it rethrows the exception in flight, maps its type to an
 * xap_status and keeps the description in a thread_local string for
 * xap_errmsg(). No exception ever leaves this file. Handles are plain
 * structs around Xapian's own (reference-counted) objects. */
#include "xap.h"

#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <unordered_set>
#include <queue>
#include <new>
#include <set>
#include <string>
#include <unordered_map>
#include <sys/stat.h>
#include <utility>
#include <vector>

/* Generations of handles: unique over the process (xap_db_generation). */
static std::atomic<uint64_t> g_generation{ 0 };

struct xap_db {
    Xapian::Database db;         /* reading; shares wdb's internals when writable */
    uint64_t generation = ++g_generation; /* new at open and at each reopen to another revision */
    Xapian::WritableDatabase wdb; /* only meaningful when writable */
    bool writable = false;
    bool multi = false;          /* opened by xap_db_open_many */
    bool remote = false;         /* at least one part is a remote database */
    Xapian::Database dict;       /* spelling and synonym tables, when set apart */
    bool has_dict = false;
    /* Document frequencies of the open revision, kept (xap_db_termfreq,
     * expand sets, xap_db_prefetch_termfreqs) until a reopen moves to
     * another revision; over remote shards only for one request
     * (xap_db_begin_request). And the terms wanted in the next exchange
     * (xap_db_want_termfreqs). */
    std::unordered_map<std::string, Xapian::doccount> tf;
    std::vector<std::string> wanted;
    /* The parts of a multi-db (their internals are db's), for metadata
     * that each part keeps (Xapian reads a multi-db's from the first);
     * and xap_db_metadata_common's answers, kept like tf. */
    std::vector<Xapian::Database> parts;
    std::unordered_map<std::string, std::string> meta;
};

/* Where db's spelling and synonym tables are read. */
static const Xapian::Database &tables(const xap_db *db)
{
    return db->has_dict ? db->dict : db->db;
}

struct xap_doc {
    Xapian::Document doc;
};

struct xap_query {
    Xapian::Query q;
};

struct xap_enquire {
    Xapian::Enquire enq;
    Xapian::Database db; /* for the expand set, computed here */
    bool remote;
    xap_db *owner;       /* its wanted termfreqs join the expand set's exchange */
    xap_enquire(const Xapian::Database &d, bool r, xap_db *o) : enq(d), db(d), remote(r), owner(o) {}
};

struct xap_mset {
    Xapian::MSet m;
    bool remote = false;
    bool fetched = false; /* documents requested in one batch already */
    /* After xap_mset_rescore: the page, as indexes into m with their new
     * weights and percentages; the page's first rank. */
    bool rescored = false;
    std::vector<Xapian::doccount> view;
    std::vector<double> vw;
    std::vector<int> vpct;
    Xapian::doccount first = 0;
};

/* m's item i: its index in the Xapian MSet. */
static Xapian::doccount item_at(const xap_mset *m, size_t i)
{
    return m->rescored ? m->view[i] : static_cast<Xapian::doccount>(i);
}

struct xap_eset {
    /* Copied out of Xapian::ESet so xap_eset_item can hand out stable
     * NUL-terminated term pointers. */
    std::vector<std::pair<std::string, double>> items;
    std::vector<Xapian::doccount> tf; /* items[i]'s termfreq */
};

struct xap_stem {
    Xapian::Stem stem;
};

struct xap_spy {
    /* Not release()d: we own it, enquires hold a plain pointer. */
    Xapian::ValueCountMatchSpy spy;
    explicit xap_spy(unsigned slot) : spy(slot) {}
};

/* ---- work counters ------------------------------------------------------ */

static thread_local xap_work t_work;

void xap_work_reset(void)
{
    t_work = xap_work{};
}

void xap_work_get(struct xap_work *out)
{
    if (out)
        *out = t_work;
}

/* ---- errors ------------------------------------------------------------- */

static thread_local std::string t_errmsg;
/* xap_set_remote_timeout(): for remote databases opened from then on. */
static std::atomic<unsigned> remote_timeout_ms{0};

/* Keep "fn: message" as this thread's last error; never throws. */
static xap_status fail(xap_status st, const char *fn, const char *msg) noexcept
{
    try {
        t_errmsg.assign(fn);
        t_errmsg.append(": ");
        t_errmsg.append(msg);
    } catch (...) {
        t_errmsg.clear(); /* out of memory: better an empty message than none */
    }
    return st;
}

/* Called only from a catch handler: rethrow the exception in flight and
 * turn it into a status. Most specific Xapian classes first. */
static xap_status map_exception(const char *fn) noexcept
{
    try {
        throw;
    } catch (const Xapian::DatabaseModifiedError &e) {
        return fail(XAP_ERR_MODIFIED, fn, e.get_description().c_str());
    } catch (const Xapian::DatabaseLockError &e) {
        return fail(XAP_ERR_LOCKED, fn, e.get_description().c_str());
    } catch (const Xapian::DatabaseOpeningError &e) { /* and DatabaseNotFoundError, DatabaseVersionError */
        return fail(XAP_ERR_OPENING, fn, e.get_description().c_str());
    } catch (const Xapian::DatabaseCorruptError &e) {
        return fail(XAP_ERR_CORRUPT, fn, e.get_description().c_str());
    } catch (const Xapian::DatabaseError &e) {
        return fail(XAP_ERR_IO, fn, e.get_description().c_str());
    } catch (const Xapian::DocNotFoundError &e) {
        return fail(XAP_ERR_NOT_FOUND, fn, e.get_description().c_str());
    } catch (const Xapian::InvalidArgumentError &e) {
        return fail(XAP_ERR_INVALID, fn, e.get_description().c_str());
    } catch (const Xapian::InvalidOperationError &e) {
        return fail(XAP_ERR_INVALID, fn, e.get_description().c_str());
    } catch (const Xapian::NetworkTimeoutError &e) {
        return fail(XAP_ERR_TIMEOUT, fn, e.get_description().c_str());
    } catch (const Xapian::NetworkError &e) {
        return fail(XAP_ERR_NETWORK, fn, e.get_description().c_str());
    } catch (const Xapian::Error &e) {
        return fail(XAP_ERR_XAPIAN, fn, e.get_description().c_str());
    } catch (const std::bad_alloc &) {
        return fail(XAP_ERR_NOMEM, fn, "out of memory");
    } catch (const std::exception &e) {
        return fail(XAP_ERR_UNKNOWN, fn, e.what());
    } catch (...) {
        return fail(XAP_ERR_UNKNOWN, fn, "unknown exception");
    }
}

#define NULL_ARG(fn, name) fail(XAP_ERR_INVALID, fn, name " is NULL")

/* A malloc'd NUL-terminated copy of bytes, or NULL. */
static char *dup_bytes(const std::string &s) noexcept
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p) {
        std::memcpy(p, s.data(), s.size());
        p[s.size()] = '\0';
    }
    return p;
}

/* Hand a string to the caller as malloc'd bytes (*out, NUL-terminated)
 * and their length; fn names the API function in the error. */
static xap_status give_bytes(const std::string &v, char **out, size_t *len, const char *fn) noexcept
{
    char *p = dup_bytes(v);
    if (!p)
        return fail(XAP_ERR_NOMEM, fn, "out of memory");
    *out = p;
    *len = v.size();
    return XAP_OK;
}

/* Fail unless db was opened writable. */
static bool need_writable(const xap_db *db, const char *fn, xap_status *st) noexcept
{
    if (db->writable)
        return true;
    *st = fail(XAP_ERR_INVALID, fn, "database is not open for writing");
    return false;
}

static Xapian::RSet make_rset(const uint32_t *rset, size_t n)
{
    Xapian::RSet rs;
    for (size_t i = 0; i < n; i++)
        rs.add_document(rset[i]);
    return rs;
}

extern "C" {

const char *xap_errmsg(void)
{
    return t_errmsg.c_str();
}

const char *xap_status_name(xap_status st)
{
    switch (st) {
    case XAP_OK: return "XAP_OK";
    case XAP_ERR_MODIFIED: return "XAP_ERR_MODIFIED";
    case XAP_ERR_LOCKED: return "XAP_ERR_LOCKED";
    case XAP_ERR_OPENING: return "XAP_ERR_OPENING";
    case XAP_ERR_CORRUPT: return "XAP_ERR_CORRUPT";
    case XAP_ERR_NOT_FOUND: return "XAP_ERR_NOT_FOUND";
    case XAP_ERR_INVALID: return "XAP_ERR_INVALID";
    case XAP_ERR_IO: return "XAP_ERR_IO";
    case XAP_ERR_NOMEM: return "XAP_ERR_NOMEM";
    case XAP_ERR_XAPIAN: return "XAP_ERR_XAPIAN";
    case XAP_ERR_UNKNOWN: return "XAP_ERR_UNKNOWN";
    case XAP_ERR_NETWORK: return "XAP_ERR_NETWORK";
    case XAP_ERR_TIMEOUT: return "XAP_ERR_TIMEOUT";
    }
    return "XAP_ERR_?";
}

const char *xap_version(void)
{
    return Xapian::version_string();
}

/* ---- databases ---------------------------------------------------------- */

xap_status xap_db_open(const char *path, enum xap_open_mode mode, xap_db **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!path)
        return NULL_ARG(__func__, "path");
    if (mode == XAP_DB_READONLY && std::strncmp(path, "tcp:", 4) == 0) {
        xap_status st = xap_db_open_many(&path, 1, out);
        if (st == XAP_OK)
            (*out)->multi = false;
        return st;
    }
    xap_db *db = NULL;
    int nosync = (mode & XAP_DB_NO_SYNC) ? Xapian::DB_NO_SYNC : 0;
    mode = static_cast<enum xap_open_mode>(mode & ~XAP_DB_NO_SYNC);
    if (nosync && mode == XAP_DB_READONLY)
        return fail(XAP_ERR_INVALID, __func__, "XAP_DB_NO_SYNC on a read-only open");
    try {
        db = new xap_db;
        switch (mode) {
        case XAP_DB_READONLY:
            db->db = Xapian::Database(path);
            break;
        case XAP_DB_CREATE_OR_OPEN:
        case XAP_DB_CREATE_OR_OVERWRITE:
        case XAP_DB_OPEN: {
            int flags = mode == XAP_DB_CREATE_OR_OPEN ? Xapian::DB_CREATE_OR_OPEN
                      : mode == XAP_DB_CREATE_OR_OVERWRITE ? Xapian::DB_CREATE_OR_OVERWRITE
                      : Xapian::DB_OPEN;
            db->wdb = Xapian::WritableDatabase(path, flags | nosync);
            db->db = db->wdb;
            db->writable = true;
            break;
        }
        default:
            delete db;
            return fail(XAP_ERR_INVALID, __func__, "unknown open mode");
        }
        *out = db;
        return XAP_OK;
    } catch (...) {
        delete db;
        return map_exception(__func__);
    }
}

void xap_set_remote_timeout(unsigned ms)
{
    remote_timeout_ms.store(ms);
}

int xap_db_is_remote(const xap_db *db)
{
    return db && db->remote ? 1 : 0;
}

} // extern "C"

/* Add the database at p ("tcp:HOST:PORT" for a remote one) to db. */
static xap_status add_part(xap_db *db, const char *p, const char *fn)
{
    if (std::strncmp(p, "tcp:", 4) == 0) {
        /* "tcp:HOST:PORT"; the last colon separates the port. */
        const char *colon = std::strrchr(p + 4, ':');
        char *end = NULL;
        errno = 0;
        long port = colon ? std::strtol(colon + 1, &end, 10) : 0;
        if (!colon || colon == p + 4 || end == colon + 1 || *end != '\0' || errno || port < 1 || port > 65535)
            return fail(XAP_ERR_INVALID, fn, (std::string("bad remote address, want tcp:HOST:PORT: ") + p).c_str());
        std::string host(p + 4, static_cast<size_t>(colon - (p + 4)));
        unsigned ms = remote_timeout_ms.load();
        Xapian::Database part = ms ? Xapian::Remote::open(host, static_cast<unsigned>(port), ms, ms)
                                   : Xapian::Remote::open(host, static_cast<unsigned>(port));
        db->db.add_database(part);
        db->parts.push_back(part);
        db->remote = true;
    } else {
        Xapian::Database part(p);
        db->db.add_database(part);
        db->parts.push_back(part);
    }
    return XAP_OK;
}

static std::vector<Xapian::doccount> exact_termfreqs(const Xapian::Database &db, bool remote,
                                                     const std::vector<std::string> &terms);

extern "C" {

xap_status xap_db_new_multi(xap_db **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    try {
        xap_db *db = new xap_db;
        db->multi = true;
        *out = db;
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_add(xap_db *db, const char *path)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!path)
        return NULL_ARG(__func__, "path");
    if (db->writable)
        return fail(XAP_ERR_INVALID, __func__, "cannot add to a writable database");
    try {
        return add_part(db, path, __func__);
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_open_many(const char *const *paths, size_t n, xap_db **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!paths)
        return NULL_ARG(__func__, "paths");
    if (n == 0)
        return fail(XAP_ERR_INVALID, __func__, "no database given");
    xap_db *db = NULL;
    try {
        db = new xap_db;
        db->multi = true;
        for (size_t i = 0; i < n; i++) {
            xap_status st = paths[i] ? add_part(db, paths[i], __func__) : NULL_ARG(__func__, "paths[i]");
            if (st != XAP_OK) {
                delete db;
                return st;
            }
        }
        *out = db;
        return XAP_OK;
    } catch (...) {
        delete db;
        return map_exception(__func__);
    }
}

void xap_db_close(xap_db *db)
{
    if (!db)
        return;
    try {
        /* Database::close() commits a writable db (unless xap_db_cancel
         * threw the pending changes away) and releases the lock now, even
         * if an enquire still holds a reference to the internals. */
        db->db.close();
    } catch (...) {
        (void)map_exception(__func__);
    }
    delete db;
}

xap_status xap_db_cancel(xap_db *db)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    xap_status st;
    if (!need_writable(db, __func__, &st))
        return st;
    try {
        /* Xapian 1.4 has no public "discard": cancelling an (unflushed)
         * transaction reverts every table to the last committed revision,
         * which drops everything pending, not only the transaction. */
        db->wdb.begin_transaction(false);
        db->wdb.cancel_transaction();
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_set_dictionary(xap_db *db, const char *path)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    try {
        if (!path) {
            db->dict = Xapian::Database();
            db->has_dict = false;
            return XAP_OK;
        }
        db->dict = Xapian::Database(path);
        db->has_dict = true;
        db->meta.clear();
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_reopen(xap_db *db, int *changed)
{
    if (changed)
        *changed = 0;
    if (!db)
        return NULL_ARG(__func__, "db");
    try {
        if (db->has_dict)
            db->dict.reopen();
        db->wanted.clear();
        bool c = db->db.reopen();
        /* Glass says false when the revision is the one open: what it
         * counted before still holds. */
        if (c || db->remote) {
            db->tf.clear();
            db->meta.clear();
            db->generation = ++g_generation;
        }
        if (changed)
            *changed = c ? 1 : 0;
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_commit(xap_db *db)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    xap_status st;
    if (!need_writable(db, __func__, &st))
        return st;
    try {
        db->wdb.commit();
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_doccount(xap_db *db, uint32_t *out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = 0;
    if (!db)
        return NULL_ARG(__func__, "db");
    try {
        *out = db->db.get_doccount();
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_revision(xap_db *db, uint64_t *out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = 0;
    if (!db)
        return NULL_ARG(__func__, "db");
    if (db->multi || db->remote)
        return XAP_OK; /* one local db only: Xapian 1.4 has no remote revision */
    try {
        *out = db->db.get_revision();
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_avlength(xap_db *db, double *out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = 0;
    if (!db)
        return NULL_ARG(__func__, "db");
    try {
        *out = db->db.get_avlength();
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

/* Past this many kept frequencies they are all dropped (a bound on a
 * long-lived reader's memory: about 100 bytes each). */
#define XAP_TF_KEEP 100000

/* The frequency of term in db's open revision: kept from before, or
 * looked up (one postlist-table read, counted) and kept. */
static Xapian::doccount kept_termfreq(xap_db *db, const std::string &term)
{
    auto it = db->tf.find(term);
    if (it != db->tf.end())
        return it->second;
    t_work.termfreqs++;
    Xapian::doccount n = db->db.get_termfreq(term);
    if (db->tf.size() >= XAP_TF_KEEP)
        db->tf.clear();
    db->tf.emplace(term, n);
    return n;
}

xap_status xap_db_termfreq(xap_db *db, const char *term, uint32_t *out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = 0;
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!term)
        return NULL_ARG(__func__, "term");
    try {
        *out = kept_termfreq(db, term);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

/* Keep the frequencies of terms[from..) (the wanted terms an exchange
 * carried along). */
static void keep_termfreqs(xap_db *db, const std::vector<std::string> &terms,
                           const std::vector<Xapian::doccount> &tf, size_t from)
{
    if (db->tf.size() + terms.size() - from > XAP_TF_KEEP)
        db->tf.clear();
    for (size_t i = from; i < terms.size(); i++)
        db->tf.emplace(terms[i], tf[i]);
}

/* Add the terms not known yet to db->wanted. */
static void add_wanted(xap_db *db, const char *const *terms, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (terms[i] && *terms[i] && !db->tf.count(terms[i]))
            db->wanted.emplace_back(terms[i]);
}

xap_status xap_db_want_termfreqs(xap_db *db, const char *const *terms, size_t n)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!terms && n)
        return NULL_ARG(__func__, "terms");
    try {
        add_wanted(db, terms, n);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

/* The wanted terms, these among them, in one exchange. */
xap_status xap_db_prefetch_termfreqs(xap_db *db, const char *const *terms, size_t n)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!terms && n)
        return NULL_ARG(__func__, "terms");
    try {
        add_wanted(db, terms, n);
        std::vector<std::string> want;
        want.swap(db->wanted);
        std::sort(want.begin(), want.end());
        want.erase(std::unique(want.begin(), want.end()), want.end());
        if (!want.empty())
            keep_termfreqs(db, want, exact_termfreqs(db->db, db->remote, want), 0);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

uint64_t xap_db_generation(const xap_db *db)
{
    return db ? db->generation : 0;
}

void xap_db_begin_request(xap_db *db)
{
    if (db) {
        db->wanted.clear();
        if (db->remote)
            db->tf.clear();
    }
}

xap_status xap_db_replace_by_term(xap_db *db, const char *idterm, const xap_doc *doc, uint32_t *docid)
{
    if (docid)
        *docid = 0;
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!idterm)
        return NULL_ARG(__func__, "idterm");
    if (!doc)
        return NULL_ARG(__func__, "doc");
    if (!*idterm)
        return fail(XAP_ERR_INVALID, __func__, "idterm is empty");
    xap_status st;
    if (!need_writable(db, __func__, &st))
        return st;
    try {
        /* Without idterm in doc the next replace would add a duplicate. */
        Xapian::TermIterator t = doc->doc.termlist_begin();
        t.skip_to(idterm);
        if (t == doc->doc.termlist_end() || *t != idterm)
            return fail(XAP_ERR_INVALID, __func__,
                        (std::string("document lacks its id term ") + idterm).c_str());
        Xapian::docid id = db->wdb.replace_document(idterm, doc->doc);
        if (docid)
            *docid = id;
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_delete_by_term(xap_db *db, const char *term, uint32_t *deleted)
{
    if (deleted)
        *deleted = 0;
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!term)
        return NULL_ARG(__func__, "term");
    xap_status st;
    if (!need_writable(db, __func__, &st))
        return st;
    try {
        /* The writable db's termfreq includes uncommitted changes. */
        Xapian::doccount n = db->wdb.get_termfreq(term);
        db->wdb.delete_document(term);
        if (deleted)
            *deleted = n;
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_docid_by_term(xap_db *db, const char *term, uint32_t *docid)
{
    if (!docid)
        return NULL_ARG(__func__, "docid");
    *docid = 0;
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!term)
        return NULL_ARG(__func__, "term");
    try {
        t_work.postlists++;
        Xapian::PostingIterator p = db->db.postlist_begin(term);
        if (p == db->db.postlist_end(term))
            return fail(XAP_ERR_NOT_FOUND, __func__, (std::string("no document has term ") + term).c_str());
        *docid = *p;
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_get_doc(xap_db *db, uint32_t docid, xap_doc **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!db)
        return NULL_ARG(__func__, "db");
    xap_doc *d = NULL;
    try {
        t_work.docs++;
        d = new xap_doc;
        d->doc = db->db.get_document(docid);
        *out = d;
        return XAP_OK;
    } catch (...) {
        delete d;
        return map_exception(__func__);
    }
}

xap_status xap_db_set_metadata(xap_db *db, const char *key, const char *value, size_t len)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!key)
        return NULL_ARG(__func__, "key");
    if (!value && len)
        return NULL_ARG(__func__, "value");
    xap_status st;
    if (!need_writable(db, __func__, &st))
        return st;
    try {
        db->wdb.set_metadata(key, value ? std::string(value, len) : std::string());
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

/* The arguments of a metadata read: clears the outputs, names a NULL. */
static xap_status metadata_args(const xap_db *db, const char *key, char **out, size_t *len, const char *fn)
{
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!out)
        return NULL_ARG(fn, "out");
    if (!len)
        return NULL_ARG(fn, "len");
    if (!db)
        return NULL_ARG(fn, "db");
    if (!key)
        return NULL_ARG(fn, "key");
    return XAP_OK;
}

xap_status xap_db_get_metadata(xap_db *db, const char *key, char **out, size_t *len)
{
    xap_status st = metadata_args(db, key, out, len, __func__);
    if (st != XAP_OK)
        return st;
    try {
        return give_bytes(db->db.get_metadata(key), out, len, __func__);
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_metadata_common(xap_db *db, const char *key, int tables, char **out, size_t *len)
{
    xap_status st = metadata_args(db, key, out, len, __func__);
    if (st != XAP_OK)
        return st;
    try {
        std::string k = std::string(1, tables && db->has_dict ? 'd' : 'p') + key;
        auto it = db->meta.find(k);
        if (it == db->meta.end()) {
            std::string v;
            if (tables && db->has_dict) {
                v = db->dict.get_metadata(key);
            } else if (db->parts.empty()) {
                v = db->db.get_metadata(key);
            } else {
                v = db->parts[0].get_metadata(key);
                for (size_t i = 1; i < db->parts.size() && !v.empty(); i++)
                    if (db->parts[i].get_metadata(key) != v)
                        v.clear();
            }
            it = db->meta.emplace(k, v).first;
        }
        return give_bytes(it->second, out, len, __func__);
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_prefix_terms(xap_db *db, const char *prefix, char **out, size_t *len)
{
    xap_status st = metadata_args(db, prefix, out, len, __func__);
    if (st != XAP_OK)
        return st;
    try {
        std::string k = std::string(1, 't') + prefix;
        auto it = db->meta.find(k);
        if (it == db->meta.end()) {
            std::string v;
            for (Xapian::TermIterator t = db->db.allterms_begin(prefix); t != db->db.allterms_end(prefix); ++t)
                v += *t + "\n";
            it = db->meta.emplace(k, v).first;
        }
        return give_bytes(it->second, out, len, __func__);
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_allterms(xap_db *db, const char *prefix, xap_term_cb cb, void *ud)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!cb)
        return NULL_ARG(__func__, "cb");
    try {
        std::string pfx = prefix ? prefix : "";
        for (Xapian::TermIterator t = db->db.allterms_begin(pfx); t != db->db.allterms_end(pfx); ++t) {
            const std::string term = *t;
            if (cb(term.c_str(), term.size(), t.get_termfreq(), ud))
                break;
        }
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_positions(xap_db *db, uint32_t docid, const char *term, xap_pos_cb cb, void *ud)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!term)
        return NULL_ARG(__func__, "term");
    if (!cb)
        return NULL_ARG(__func__, "cb");
    try {
        for (Xapian::PositionIterator p = db->db.positionlist_begin(docid, term);
             p != db->db.positionlist_end(docid, term); ++p)
            if (cb(*p, ud))
                break;
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

} // extern "C"

/* Over remote shards a termlist iterator's get_termfreq() asks every shard,
 * one round trip per term (a document has hundreds). The statistics
 * exchange of a match carries the termfreq of every query term from every
 * shard at once, so run an empty-page match over an OR of the list's terms
 * and read the merged frequencies from the MSet: exact, in two exchanges. */
static xap_status termlist_batched(xap_db *db, uint32_t docid, xap_term_want_cb want, xap_doc_term_cb cb, void *ud)
{
    struct entry {
        std::string term;
        Xapian::termcount wdf;
        bool wanted;
    };
    std::vector<entry> terms;
    std::vector<Xapian::Query> leaves;
    for (Xapian::TermIterator t = db->db.termlist_begin(docid); t != db->db.termlist_end(docid); ++t) {
        std::string term = *t;
        bool wanted = !want || want(term.c_str(), term.size(), ud);
        if (wanted)
            leaves.emplace_back(term);
        terms.push_back({ std::move(term), t.get_wdf(), wanted });
    }
    Xapian::MSet m; /* consulted only for wanted terms: none when leaves is empty */
    if (!leaves.empty()) {
        Xapian::Enquire enq(db->db);
        enq.set_query(Xapian::Query(Xapian::Query::OP_OR, leaves.begin(), leaves.end()));
        enq.set_weighting_scheme(Xapian::BoolWeight());
        m = enq.get_mset(0, 0);
    }
    for (const auto &t : terms)
        if (cb(t.term.c_str(), t.term.size(), t.wdf, t.wanted ? m.get_termfreq(t.term) : 0, ud))
            break;
    return XAP_OK;
}

extern "C" {

xap_status xap_db_values(xap_db *db, unsigned slot, const uint32_t *docids, size_t n, xap_value_cb cb, void *ud)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (n && !docids)
        return NULL_ARG(__func__, "docids");
    if (n && !cb)
        return NULL_ARG(__func__, "cb");
    if (db->remote)
        return fail(XAP_ERR_INVALID, __func__, "values are not read over remote shards");
    try {
        std::vector<size_t> order(n);
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return docids[a] < docids[b]; });
        Xapian::ValueIterator v = db->db.valuestream_begin(slot), end = db->db.valuestream_end(slot);
        for (size_t k = 0; k < n && v != end; k++) {
            Xapian::docid d = docids[order[k]];
            if (d == 0 || v.get_docid() > d)
                continue;
            v.skip_to(d);
            if (v == end)
                break;
            if (v.get_docid() == d) {
                t_work.values++;
                const std::string s = *v;
                if (cb(order[k], s.data(), s.size(), ud) != 0)
                    break;
            }
        }
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_termlist_some(xap_db *db, uint32_t docid, xap_term_want_cb want, xap_doc_term_cb cb, void *ud)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!cb)
        return NULL_ARG(__func__, "cb");
    try {
        t_work.termlists++;
        if (db->remote)
            return termlist_batched(db, docid, want, cb, ud);
        for (Xapian::TermIterator t = db->db.termlist_begin(docid); t != db->db.termlist_end(docid); ++t) {
            const std::string term = *t;
            /* a frequency is a postlist-table look-up (a block read) per
             * term: the revision's kept ones first */
            uint32_t tf = !want || want(term.c_str(), term.size(), ud) ? kept_termfreq(db, term) : 0;
            if (cb(term.c_str(), term.size(), t.get_wdf(), tf, ud))
                break;
        }
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_termlist(xap_db *db, uint32_t docid, xap_doc_term_cb cb, void *ud)
{
    return xap_db_termlist_some(db, docid, NULL, cb, ud);
}

xap_status xap_db_add_spelling(xap_db *db, const char *word, uint32_t freqinc)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!word)
        return NULL_ARG(__func__, "word");
    xap_status st;
    if (!need_writable(db, __func__, &st))
        return st;
    try {
        db->wdb.add_spelling(word, freqinc);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_spelling_suggestion(xap_db *db, const char *word, unsigned max_edit, char **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!word)
        return NULL_ARG(__func__, "word");
    try {
        std::string s = tables(db).get_spelling_suggestion(word, max_edit);
        if (s.empty() || s == word)
            return XAP_OK;
        char *p = dup_bytes(s);
        if (!p)
            return fail(XAP_ERR_NOMEM, __func__, "out of memory");
        *out = p;
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_spelling_freq(xap_db *db, const char *word, uint32_t *out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = 0;
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!word)
        return NULL_ARG(__func__, "word");
    try {
        /* 1.4 has no direct lookup: skip the spelling word list to it. */
        Xapian::TermIterator t = tables(db).spellings_begin();
        t.skip_to(word);
        if (t != tables(db).spellings_end() && *t == word)
            *out = t.get_termfreq();
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_spelling_words(xap_db *db, xap_word_freq_cb cb, void *ud)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!cb)
        return NULL_ARG(__func__, "cb");
    try {
        for (Xapian::TermIterator t = tables(db).spellings_begin(); t != tables(db).spellings_end(); ++t) {
            const std::string w = *t;
            if (cb(w.data(), w.size(), t.get_termfreq(), ud) != 0)
                break;
        }
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_add_synonym(xap_db *db, const char *key, const char *synonym)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!key)
        return NULL_ARG(__func__, "key");
    if (!synonym)
        return NULL_ARG(__func__, "synonym");
    xap_status st;
    if (!need_writable(db, __func__, &st))
        return st;
    try {
        db->wdb.add_synonym(key, synonym);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_clear_synonyms(xap_db *db, const char *key)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!key)
        return NULL_ARG(__func__, "key");
    xap_status st;
    if (!need_writable(db, __func__, &st))
        return st;
    try {
        db->wdb.clear_synonyms(key);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_synonyms(xap_db *db, const char *key, xap_str_cb cb, void *ud)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!key)
        return NULL_ARG(__func__, "key");
    if (!cb)
        return NULL_ARG(__func__, "cb");
    try {
        for (Xapian::TermIterator t = tables(db).synonyms_begin(key); t != tables(db).synonyms_end(key); ++t) {
            const std::string s = *t;
            if (cb(s.c_str(), s.size(), ud))
                break;
        }
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_db_synonym_keys(xap_db *db, const char *prefix, xap_str_cb cb, void *ud)
{
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!cb)
        return NULL_ARG(__func__, "cb");
    try {
        std::string pfx = prefix ? prefix : "";
        for (Xapian::TermIterator t = tables(db).synonym_keys_begin(pfx); t != tables(db).synonym_keys_end(pfx); ++t) {
            const std::string s = *t;
            if (cb(s.c_str(), s.size(), ud))
                break;
        }
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_compact_many(const char *const *srcs, size_t n, const char *dst)
{
    if (!srcs || n == 0)
        return NULL_ARG(__func__, "srcs");
    if (!dst)
        return NULL_ARG(__func__, "dst");
    for (size_t i = 0; i < n; i++)
        if (!srcs[i])
            return NULL_ARG(__func__, "srcs[i]");
    try {
        struct stat sb;
        if (lstat(dst, &sb) == 0)
            return fail(XAP_ERR_INVALID, __func__, (std::string("destination exists: ") + dst).c_str());
        /* Multi-file glass (one file per table, as xapian-compact does by
         * default), so the result can sit behind a stub file. One source
         * keeps its docids (NO_RENUMBER: the copy is the same index);
         * several are renumbered one after the other. */
        Xapian::Database db;
        for (size_t i = 0; i < n; i++)
            db.add_database(Xapian::Database(srcs[i]));
        db.compact(dst, n == 1 ? Xapian::DBCOMPACT_NO_RENUMBER : 0);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

/* ---- documents ------------------------------------------------------------ */

xap_status xap_doc_new(xap_doc **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    try {
        *out = new xap_doc;
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

void xap_doc_free(xap_doc *doc)
{
    delete doc;
}

xap_status xap_doc_add_posting(xap_doc *doc, const char *term, uint32_t pos, uint32_t wdfinc)
{
    if (!doc)
        return NULL_ARG(__func__, "doc");
    if (!term)
        return NULL_ARG(__func__, "term");
    try {
        doc->doc.add_posting(term, pos, wdfinc);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_doc_add_term(xap_doc *doc, const char *term, uint32_t wdfinc)
{
    if (!doc)
        return NULL_ARG(__func__, "doc");
    if (!term)
        return NULL_ARG(__func__, "term");
    try {
        doc->doc.add_term(term, wdfinc);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_doc_add_boolean_term(xap_doc *doc, const char *term)
{
    if (!doc)
        return NULL_ARG(__func__, "doc");
    if (!term)
        return NULL_ARG(__func__, "term");
    try {
        doc->doc.add_boolean_term(term);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_doc_set_value(xap_doc *doc, unsigned slot, const void *bytes, size_t len)
{
    if (!doc)
        return NULL_ARG(__func__, "doc");
    if (!bytes && len)
        return NULL_ARG(__func__, "bytes");
    try {
        doc->doc.add_value(slot, bytes ? std::string(static_cast<const char *>(bytes), len) : std::string());
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_doc_get_value(const xap_doc *doc, unsigned slot, char **out, size_t *len)
{
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!out)
        return NULL_ARG(__func__, "out");
    if (!len)
        return NULL_ARG(__func__, "len");
    if (!doc)
        return NULL_ARG(__func__, "doc");
    try {
        return give_bytes(doc->doc.get_value(slot), out, len, __func__);
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_doc_set_data(xap_doc *doc, const void *bytes, size_t len)
{
    if (!doc)
        return NULL_ARG(__func__, "doc");
    if (!bytes && len)
        return NULL_ARG(__func__, "bytes");
    try {
        doc->doc.set_data(bytes ? std::string(static_cast<const char *>(bytes), len) : std::string());
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_doc_get_data(const xap_doc *doc, char **out, size_t *len)
{
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!out)
        return NULL_ARG(__func__, "out");
    if (!len)
        return NULL_ARG(__func__, "len");
    if (!doc)
        return NULL_ARG(__func__, "doc");
    try {
        return give_bytes(doc->doc.get_data(), out, len, __func__);
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_doc_termlist(const xap_doc *doc, xap_doc_term_cb cb, void *ud)
{
    if (!doc)
        return NULL_ARG(__func__, "doc");
    if (!cb)
        return NULL_ARG(__func__, "cb");
    try {
        /* For an in-memory document Xapian's get_termfreq() throws; the
         * header promises 0 there, so ask only when it is stored. */
        bool stored = doc->doc.get_docid() != 0;
        for (Xapian::TermIterator t = doc->doc.termlist_begin(); t != doc->doc.termlist_end(); ++t) {
            const std::string term = *t;
            uint32_t tf = 0;
            if (stored) {
                try {
                    tf = t.get_termfreq();
                } catch (const Xapian::InvalidOperationError &) {
                    stored = false; /* modified since it was read: no stats */
                }
            }
            if (cb(term.c_str(), term.size(), t.get_wdf(), tf, ud))
                break;
        }
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_doc_docid(const xap_doc *doc, uint32_t *out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = 0;
    if (!doc)
        return NULL_ARG(__func__, "doc");
    try {
        *out = doc->doc.get_docid();
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

size_t xap_sortable_serialise(double v, char buf[])
{
    if (!buf)
        return 0;
    try {
        std::string s = Xapian::sortable_serialise(v);
        if (s.size() > 18)
            return 0; /* cannot happen: Xapian's encoding is at most 18 bytes */
        std::memcpy(buf, s.data(), s.size());
        return s.size();
    } catch (...) {
        (void)map_exception(__func__);
        return 0;
    }
}

double xap_sortable_unserialise(const char *bytes, size_t len)
{
    if (!bytes)
        return 0.0;
    try {
        return Xapian::sortable_unserialise(std::string(bytes, len));
    } catch (...) {
        (void)map_exception(__func__);
        return 0.0;
    }
}

/* ---- queries ------------------------------------------------------------- */

static xap_status new_query(Xapian::Query q, xap_query **out)
{
    *out = new xap_query{std::move(q)};
    return XAP_OK;
}

xap_status xap_query_term(const char *term, uint32_t wqf, uint32_t pos, xap_query **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!term)
        return NULL_ARG(__func__, "term");
    try {
        return new_query(Xapian::Query(term, wqf, pos), out);
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_query_combine(enum xap_op op, xap_query *const *subs, size_t n, uint32_t window,
                             xap_query **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!subs && n)
        return NULL_ARG(__func__, "subs");
    Xapian::Query::op xop;
    switch (op) {
    case XAP_OP_AND: xop = Xapian::Query::OP_AND; break;
    case XAP_OP_OR: xop = Xapian::Query::OP_OR; break;
    case XAP_OP_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
    case XAP_OP_XOR: xop = Xapian::Query::OP_XOR; break;
    case XAP_OP_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
    case XAP_OP_FILTER: xop = Xapian::Query::OP_FILTER; break;
    case XAP_OP_NEAR: xop = Xapian::Query::OP_NEAR; break;
    case XAP_OP_PHRASE: xop = Xapian::Query::OP_PHRASE; break;
    case XAP_OP_ELITE_SET: xop = Xapian::Query::OP_ELITE_SET; break;
    case XAP_OP_SYNONYM: xop = Xapian::Query::OP_SYNONYM; break;
    case XAP_OP_MAX: xop = Xapian::Query::OP_MAX; break;
    default: return fail(XAP_ERR_INVALID, __func__, "unknown query operator");
    }
    for (size_t i = 0; i < n; i++)
        if (!subs[i])
            return NULL_ARG(__func__, "subs[i]");
    try {
        if (n == 0)
            return new_query(Xapian::Query(), out);
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++)
            v.push_back(subs[i]->q);
        return new_query(Xapian::Query(xop, v.begin(), v.end(), window), out);
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_query_wildcard(const char *prefix, uint32_t max_expansion, int as_synonym, xap_query **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!prefix)
        return NULL_ARG(__func__, "prefix");
    try {
        /* In 1.4 WILDCARD_LIMIT_MOST_FREQUENT with a limit of 0 expands to
         * nothing, so "no limit" is asked for explicitly. */
        int max_type = max_expansion ? Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT
                                     : Xapian::Query::WILDCARD_LIMIT_ERROR;
        return new_query(Xapian::Query(Xapian::Query::OP_WILDCARD, prefix, max_expansion, max_type,
                                       as_synonym ? Xapian::Query::OP_SYNONYM : Xapian::Query::OP_OR),
                         out);
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_query_wildcard_db(xap_db *db, const char *prefix, uint32_t max_expansion, int as_synonym,
                                 xap_query **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!db)
        return NULL_ARG(__func__, "db");
    if (!prefix)
        return NULL_ARG(__func__, "prefix");
    try {
        /* (termfreq, term), kept as a min-heap of the best max_expansion
         * when capped, so memory stays bounded by the cap. */
        typedef std::pair<Xapian::doccount, std::string> tf_term;
        auto better = [](const tf_term &a, const tf_term &b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        };
        std::vector<tf_term> best;
        for (Xapian::TermIterator t = db->db.allterms_begin(prefix); t != db->db.allterms_end(prefix); ++t) {
            tf_term cand(t.get_termfreq(), *t);
            if (max_expansion == 0 || best.size() < max_expansion) {
                best.push_back(std::move(cand));
                if (max_expansion)
                    std::push_heap(best.begin(), best.end(), better);
            } else if (better(cand, best.front())) {
                std::pop_heap(best.begin(), best.end(), better);
                best.back() = std::move(cand);
                std::push_heap(best.begin(), best.end(), better);
            }
        }
        /* Byte order, as Xapian's own expansion, for a stable description. */
        std::sort(best.begin(), best.end(), [](const tf_term &a, const tf_term &b) { return a.second < b.second; });
        std::vector<Xapian::Query> qs;
        qs.reserve(best.size());
        for (const tf_term &x : best)
            qs.emplace_back(x.second);
        return new_query(Xapian::Query(as_synonym ? Xapian::Query::OP_SYNONYM : Xapian::Query::OP_OR,
                                       qs.begin(), qs.end()),
                         out);
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_query_scale(const xap_query *q, double factor, xap_query **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!q)
        return NULL_ARG(__func__, "q");
    if (!std::isfinite(factor) || factor < 0)
        return fail(XAP_ERR_INVALID, __func__, "factor must be finite and >= 0");
    try {
        return new_query(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor), out);
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_query_match_all(xap_query **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    try {
        return new_query(Xapian::Query::MatchAll, out);
    } catch (...) {
        return map_exception(__func__);
    }
}

int xap_query_empty(const xap_query *q)
{
    return !q || q->q.empty();
}

xap_status xap_query_describe(const xap_query *q, char **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!q)
        return NULL_ARG(__func__, "q");
    try {
        char *p = dup_bytes(q->q.get_description());
        if (!p)
            return fail(XAP_ERR_NOMEM, __func__, "out of memory");
        *out = p;
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

void xap_query_free(xap_query *q)
{
    delete q;
}

/* ---- enquire and results --------------------------------------------------- */

xap_status xap_enquire_new(xap_db *db, xap_enquire **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!db)
        return NULL_ARG(__func__, "db");
    try {
        *out = new xap_enquire(db->db, db->remote, db);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

void xap_enquire_free(xap_enquire *e)
{
    delete e;
}

xap_status xap_enquire_set_query(xap_enquire *e, const xap_query *q)
{
    if (!e)
        return NULL_ARG(__func__, "e");
    if (!q)
        return NULL_ARG(__func__, "q");
    try {
        e->enq.set_query(q->q);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_enquire_set_bm25(xap_enquire *e, double k1, double k2, double k3, double b, double min_normlen)
{
    if (!e)
        return NULL_ARG(__func__, "e");
    /* Xapian 1.4 silently clamps bad values; a configuration error should
     * be reported instead. */
    if (!(k1 >= 0 && k2 >= 0 && k3 >= 0 && b >= 0 && b <= 1 && min_normlen >= 0) ||
        !std::isfinite(k1) || !std::isfinite(k2) || !std::isfinite(k3) || !std::isfinite(min_normlen))
        return fail(XAP_ERR_INVALID, __func__, "BM25 parameters must be >= 0 (and b <= 1)");
    try {
        e->enq.set_weighting_scheme(Xapian::BM25Weight(k1, k2, k3, b, min_normlen));
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_enquire_set_time_limit(xap_enquire *e, double seconds)
{
    if (!e)
        return NULL_ARG(__func__, "e");
    if (!(seconds >= 0) || !std::isfinite(seconds))
        return fail(XAP_ERR_INVALID, __func__, "time limit must be finite and >= 0");
    try {
        e->enq.set_time_limit(seconds);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_enquire_set_sort_by_relevance_then_value(xap_enquire *e, unsigned slot, int reverse)
{
    if (!e)
        return NULL_ARG(__func__, "e");
    try {
        e->enq.set_sort_by_relevance_then_value(static_cast<Xapian::valueno>(slot), reverse != 0);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_enquire_mset(xap_enquire *e, uint32_t offset, uint32_t limit, uint32_t check_at_least,
                            const uint32_t *rset, size_t n_rset, xap_mset **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!e)
        return NULL_ARG(__func__, "e");
    if (!rset && n_rset)
        return NULL_ARG(__func__, "rset");
    xap_mset *m = NULL;
    t_work.passes++;
    try {
        m = new xap_mset;
        m->remote = e->remote;
        if (n_rset) {
            Xapian::RSet rs = make_rset(rset, n_rset);
            m->m = e->enq.get_mset(offset, limit, check_at_least, &rs);
        } else {
            m->m = e->enq.get_mset(offset, limit, check_at_least);
        }
        *out = m;
        return XAP_OK;
    } catch (...) {
        delete m;
        return map_exception(__func__);
    }
}


} // extern "C"

/* The documents of a sorted docid list as a posting source without
 * weight: OP_FILTER with it restricts a query to them without reading a
 * posting list (one local database: docids are that database's). */
class DocidSource : public Xapian::PostingSource {
    std::vector<Xapian::docid> ids;
    size_t pos = 0;
    bool started = false;

  public:
    explicit DocidSource(const std::vector<Xapian::docid> &v) : ids(v) {}
    Xapian::doccount get_termfreq_min() const override { return static_cast<Xapian::doccount>(ids.size()); }
    Xapian::doccount get_termfreq_est() const override { return static_cast<Xapian::doccount>(ids.size()); }
    Xapian::doccount get_termfreq_max() const override { return static_cast<Xapian::doccount>(ids.size()); }
    void next(double) override
    {
        if (started)
            pos++;
        started = true;
    }
    void skip_to(Xapian::docid did, double) override
    {
        started = true;
        pos = static_cast<size_t>(std::lower_bound(ids.begin() + static_cast<std::ptrdiff_t>(pos), ids.end(), did) -
                                  ids.begin());
    }
    bool at_end() const override { return started && pos >= ids.size(); }
    Xapian::docid get_docid() const override { return ids[pos]; }
    void init(const Xapian::Database &) override
    {
        pos = 0;
        started = false;
    }
    PostingSource *clone() const override { return new DocidSource(ids); }
    std::string name() const override { return "medsearch::DocidSource"; }
};

extern "C" {

xap_status xap_mset_rescore(xap_enquire *e, xap_mset *m, const xap_query *boost, uint32_t window, uint32_t offset,
                            uint32_t limit, unsigned id_slot, xap_key_term key_term)
{
    if (!e)
        return NULL_ARG(__func__, "e");
    if (!m)
        return NULL_ARG(__func__, "m");
    try {
        const Xapian::MSet &ms = m->m;
        const Xapian::doccount all = ms.size(), n = window < all ? window : all;
        /* The order it starts from: the match's, or that of an earlier
         * re-ranking of the whole match (src: position -> item of ms). */
        if (m->rescored && (m->first != 0 || m->view.size() != all))
            return fail(XAP_ERR_INVALID, __func__, "re-ranking a page, not the whole match");
        std::vector<Xapian::doccount> src(all);
        std::vector<double> cw(all);
        for (Xapian::doccount k = 0; k < all; k++) {
            src[k] = m->rescored ? m->view[k] : k;
            cw[k] = m->rescored ? m->vw[k] : ms[k].get_weight();
        }
        std::vector<double> w(n);
        std::vector<std::string> keys(n);
        std::vector<Xapian::docid> ids(n);
        for (Xapian::doccount i = 0; i < n; i++) {
            Xapian::MSetIterator it = ms[src[i]];
            ids[i] = *it;
            w[i] = cw[i];
            keys[i] = it.get_sort_key();
        }
        if (boost && n > 0) {
            Xapian::Query only;
            if (!e->remote && e->db.size() == 1) {
                std::vector<Xapian::docid> sorted(ids);
                std::sort(sorted.begin(), sorted.end());
                only = Xapian::Query((new DocidSource(sorted))->release());
            } else {
                /* Shards number documents by interleaving, and a remote
                 * one runs no code of ours: the documents' id terms. */
                if (!key_term)
                    return fail(XAP_ERR_INVALID, __func__, "several databases need key_term");
                std::vector<std::string> terms;
                char buf[256];
                for (Xapian::doccount i = 0; i < n; i++) {
                    std::string id = keys[i];
                    if (id.empty()) { /* the match sorted by relevance only */
                        if (e->remote && !m->fetched) { /* the window's documents in one exchange */
                            m->m.fetch();
                            m->fetched = true; /* xap_mset_doc asks no more */
                        }
                        t_work.docs++;
                        id = m->m[src[i]].get_document().get_value(static_cast<Xapian::valueno>(id_slot));
                    }
                    size_t tl = key_term(id.data(), id.size(), buf, sizeof buf);
                    if (tl > 0 && tl < sizeof buf)
                        terms.emplace_back(buf, tl);
                }
                t_work.postlists += terms.size();
                only = Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
            }
            e->enq.set_query(Xapian::Query(Xapian::Query::OP_FILTER, boost->q, only));
            t_work.rescores++;
            Xapian::MSet b = e->enq.get_mset(0, n);
            std::unordered_map<Xapian::docid, double> bw;
            bw.reserve(b.size());
            for (Xapian::MSetIterator it = b.begin(); it != b.end(); ++it)
                bw.emplace(*it, it.get_weight());
            for (Xapian::doccount i = 0; i < n; i++) {
                auto f = bw.find(ids[i]);
                if (f != bw.end())
                    w[i] += f->second;
            }
        }
        /* The match's order: weight, then the sort key, then docid. The
         * items after the window follow it as they are: they weighed no
         * more than its last before any boost. */
        std::vector<Xapian::doccount> order(all);
        for (Xapian::doccount i = 0; i < all; i++)
            order[i] = i;
        std::sort(order.begin(), order.begin() + n, [&](Xapian::doccount a, Xapian::doccount b) {
            if (w[a] != w[b])
                return w[a] > w[b];
            if (keys[a] != keys[b])
                return keys[a] < keys[b];
            return ids[a] < ids[b];
        });
        m->view.clear();
        m->vw.clear();
        m->vpct.clear();
        /* Percentages scaled as the match scales them: the best item keeps
         * the match's best percentage. */
        double top_old = n ? ms[0].get_weight() : 0, top_new = n ? w[order[0]] : 0;
        int top_pct = n ? ms[0].get_percent() : 0;
        for (Xapian::doccount k = offset; k < all && k - offset < limit; k++) {
            Xapian::doccount i = order[k];
            double wi = i < n ? w[i] : cw[i];
            m->view.push_back(src[i]);
            m->vw.push_back(wi);
            int pct = top_new > 0 && top_old > 0 ? static_cast<int>(top_pct * wi / top_new + 0.5) : 0;
            m->vpct.push_back(pct > 100 ? 100 : pct < 1 && wi > 0 ? 1 : pct);
        }
        m->first = offset;
        m->rescored = true;
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

} // extern "C"

/* Exact termfreqs of terms (sorted, unique) in db. A local db answers each
 * directly; over remote shards one match's statistics exchange carries
 * them all (see termlist_batched). */
static std::vector<Xapian::doccount> exact_termfreqs(const Xapian::Database &db, bool remote,
                                                     const std::vector<std::string> &terms)
{
    std::vector<Xapian::doccount> tf(terms.size());
    if (!remote) {
        t_work.termfreqs += terms.size();
        for (size_t i = 0; i < terms.size(); i++)
            tf[i] = db.get_termfreq(terms[i]);
        return tf;
    }
    if (terms.empty())
        return tf;
    Xapian::Enquire enq(db);
    enq.set_query(Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));
    enq.set_weighting_scheme(Xapian::BoolWeight());
    Xapian::MSet m = enq.get_mset(0, 0);
    for (size_t i = 0; i < terms.size(); i++)
        tf[i] = m.get_termfreq(terms[i]);
    return tf;
}

extern "C" {

/* The expand set is computed here rather than by Enquire::get_eset, with
 * the same scheme as Xapian 1.4's default ("trad", k = 1): for each term of
 * the relevant documents' termlists that the decider accepts and that is
 * not a term of the enquire's query,
 *   w = M * log((r + .5)(N - n - (R - r) + .5) / ((n - r + .5)(R - r + .5)))
 * with M = sum over relevant documents holding it of 2 wdf / (len/avlen +
 * wdf), r of R relevant documents holding it, n of N documents holding
 * it, n always exact (Xapian's USE_EXACT_TERMFREQ). Why not Xapian's: over
 * remote shards it asks every shard for two frequencies per candidate
 * term, one round trip each (hundreds per request); here all frequencies
 * come in one exchange, and one index, local shards and remote shards give
 * the same set by construction. Ties go to the smaller term, as Xapian's. */
xap_status xap_enquire_eset(xap_enquire *e, uint32_t max, const uint32_t *rset, size_t n_rset,
                            xap_term_decider decider, void *ud, xap_eset **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!e)
        return NULL_ARG(__func__, "e");
    if (!rset && n_rset)
        return NULL_ARG(__func__, "rset");
    xap_eset *es = NULL;
    try {
        es = new xap_eset;
        std::vector<Xapian::docid> docs(rset, rset + n_rset);
        std::sort(docs.begin(), docs.end());
        docs.erase(std::unique(docs.begin(), docs.end()), docs.end());
        if (max == 0 || docs.empty()) {
            *out = es;
            return XAP_OK;
        }
        t_work.esets++;
        t_work.termlists += docs.size();
        const Xapian::Database &db = e->db;
        const double avlen = db.get_avlength();
        const double k = 1.0;
        /* The query's terms are never expanded to. */
        std::unordered_set<std::string> qterms;
        Xapian::Query q = e->enq.get_query();
        for (Xapian::TermIterator t = q.get_terms_begin(); t != q.get_terms_end(); ++t)
            qterms.insert(*t);
        /* term -> (multiplier, r) of the terms the decider accepts, over
         * the relevant documents in docid order (the order Xapian
         * accumulates in). The decider is asked first, for every term:
         * it is cheap, and most terms of a termlist (prefixed, numbers)
         * are refused before any table is touched. */
        struct acc {
            double m = 0;               /* the multiplier M */
            Xapian::doccount r = 0;     /* relevant documents holding it */
            bool query = false;         /* a term of the query: never expanded to */
        };
        /* Node-based: a value's address stays through rehashing, so the
         * termlist's entries point at theirs and each term is hashed once
         * a document. */
        std::unordered_map<std::string, acc> cand;
        cand.reserve(2048);
        std::vector<std::pair<acc *, Xapian::termcount>> tl;
        std::string term;
        for (Xapian::docid did : docs) {
            tl.clear();
            Xapian::termcount len = 0;
            for (Xapian::TermIterator t = db.termlist_begin(did); t != db.termlist_end(did); ++t) {
                Xapian::termcount wdf = t.get_wdf();
                len += wdf;
                term = *t;
                if (decider && !decider(term.c_str(), term.size(), ud))
                    continue;
                auto ins = cand.try_emplace(term);
                if (ins.second && qterms.count(term))
                    ins.first->second.query = true;
                if (!ins.first->second.query)
                    tl.emplace_back(&ins.first->second, wdf);
            }
            for (auto &tw : tl) {
                Xapian::termcount wdf = tw.second ? tw.second : 1;
                tw.first->m += (k + 1) * wdf / (k * len / avlen + wdf);
                tw.first->r++;
            }
        }
        std::vector<std::string> kept;
        std::vector<const acc *> kacc; /* kept[i]'s, for i < n_kept */
        kept.reserve(cand.size());
        kacc.reserve(cand.size());
        for (const auto &c : cand)
            if (!c.second.query) {
                kept.push_back(c.first);
                kacc.push_back(&c.second);
            }
        /* The owner's wanted terms ride along (after kept). */
        size_t n_kept = kept.size();
        if (e->owner) {
            for (auto &t : e->owner->wanted)
                if (!e->owner->tf.count(t))
                    kept.push_back(std::move(t));
            e->owner->wanted.clear();
        }
        const double N = db.get_doccount(), R = static_cast<double>(docs.size());
        auto weight = [&](const acc &c, double n) {
            double r = c.r;
            double num = (r + 0.5) * (N - n - (R - r) + 0.5);
            double den = (n - r + 0.5) * ((R - r) + 0.5);
            return c.m * std::log(num / den);
        };
        std::vector<Xapian::doccount> tf(kept.size());
        struct item {
            double w;
            std::string term;
            Xapian::doccount tf;
        };
        std::vector<item> items;
        if (e->remote) {
            /* Every frequency in one exchange. */
            tf = exact_termfreqs(db, true, kept);
            for (size_t i = 0; i < n_kept; i++) {
                double w = weight(*kacc[i], tf[i]);
                if (w > 0)
                    items.push_back({ w, kept[i], tf[i] });
            }
        } else {
            /* Local: a term's weight falls as its frequency n grows, and
             * n >= r, so its weight at n = r bounds it. Frequencies are
             * looked up best bound first, until no bound left can reach
             * the max-th weight found: the same set, fewer look-ups. */
            std::vector<std::pair<double, size_t>> order;
            order.reserve(n_kept);
            for (size_t i = 0; i < n_kept; i++) {
                const acc &c = *kacc[i];
                double ub = weight(c, c.r);
                if (ub > 0)
                    order.emplace_back(ub, i);
            }
            std::sort(order.begin(), order.end(), [](const std::pair<double, size_t> &a,
                                                     const std::pair<double, size_t> &b) { return a.first > b.first; });
            std::priority_queue<double, std::vector<double>, std::greater<double>> best; /* the max best weights */
            for (const auto &o : order) {
                if (best.size() >= max && o.first * (1 + 1e-9) < best.top())
                    break;
                tf[o.second] = e->owner ? kept_termfreq(e->owner, kept[o.second])
                                        : (t_work.termfreqs++, db.get_termfreq(kept[o.second]));
                double w = weight(*kacc[o.second], tf[o.second]);
                if (w <= 0)
                    continue;
                items.push_back({ w, kept[o.second], tf[o.second] });
                best.push(w);
                if (best.size() > max)
                    best.pop();
            }
            t_work.termfreqs += kept.size() - n_kept;
            for (size_t i = n_kept; i < kept.size(); i++)
                tf[i] = db.get_termfreq(kept[i]);
        }
        if (e->owner)
            keep_termfreqs(e->owner, kept, tf, n_kept);
        std::sort(items.begin(), items.end(), [](const item &a, const item &b) {
            return a.w > b.w || (a.w == b.w && a.term < b.term);
        });
        if (items.size() > max)
            items.resize(max);
        es->items.reserve(items.size());
        es->tf.reserve(items.size());
        for (auto &it : items) {
            es->tf.push_back(it.tf);
            es->items.emplace_back(std::move(it.term), it.w);
        }
        *out = es;
        return XAP_OK;
    } catch (...) {
        delete es;
        return map_exception(__func__);
    }
}

size_t xap_mset_size(const xap_mset *m)
{
    return !m ? 0 : m->rescored ? m->view.size() : m->m.size();
}

uint32_t xap_mset_estimated(const xap_mset *m)
{
    return m ? m->m.get_matches_estimated() : 0;
}

uint32_t xap_mset_lower(const xap_mset *m)
{
    return m ? m->m.get_matches_lower_bound() : 0;
}

uint32_t xap_mset_upper(const xap_mset *m)
{
    return m ? m->m.get_matches_upper_bound() : 0;
}

xap_status xap_mset_item(const xap_mset *m, size_t i, uint32_t *docid, uint32_t *rank, double *weight,
                         int *percent)
{
    if (docid)
        *docid = 0;
    if (rank)
        *rank = 0;
    if (weight)
        *weight = 0;
    if (percent)
        *percent = 0;
    if (!m)
        return NULL_ARG(__func__, "m");
    try {
        if (i >= xap_mset_size(m))
            return fail(XAP_ERR_INVALID, __func__, "item index out of range");
        Xapian::MSetIterator it = m->m[item_at(m, i)];
        if (docid)
            *docid = *it;
        if (rank)
            *rank = m->rescored ? m->first + static_cast<Xapian::doccount>(i) : it.get_rank();
        if (weight)
            *weight = m->rescored ? m->vw[i] : it.get_weight();
        if (percent)
            *percent = m->rescored ? m->vpct[i] : it.get_percent();
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_mset_sort_key(const xap_mset *m, size_t i, char **out, size_t *len)
{
    if (!out || !len)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    *len = 0;
    if (!m)
        return NULL_ARG(__func__, "m");
    try {
        if (i >= xap_mset_size(m))
            return fail(XAP_ERR_INVALID, __func__, "item index out of range");
        std::string k = m->m[item_at(m, i)].get_sort_key();
        char *p = static_cast<char *>(malloc(k.size() + 1));
        if (!p)
            return fail(XAP_ERR_NOMEM, __func__, "out of memory");
        memcpy(p, k.data(), k.size());
        p[k.size()] = '\0';
        *out = p;
        *len = k.size();
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_mset_doc(const xap_mset *m, size_t i, xap_doc **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!m)
        return NULL_ARG(__func__, "m");
    xap_doc *d = NULL;
    try {
        t_work.docs++;
        if (i >= xap_mset_size(m))
            return fail(XAP_ERR_INVALID, __func__, "item index out of range");
        if (m->remote && !m->fetched) {
            /* Ask every shard for all the page's documents at once, then
             * read the answers: one exchange instead of one per hit. */
            xap_mset *mm = const_cast<xap_mset *>(m);
            if (m->rescored)
                for (Xapian::doccount k : m->view)
                    mm->m.fetch(mm->m[k]);
            else
                mm->m.fetch();
            mm->fetched = true;
        }
        d = new xap_doc;
        d->doc = m->m[item_at(m, i)].get_document();
        *out = d;
        return XAP_OK;
    } catch (...) {
        delete d;
        return map_exception(__func__);
    }
}

void xap_mset_free(xap_mset *m)
{
    delete m;
}

size_t xap_eset_size(const xap_eset *es)
{
    return es ? es->items.size() : 0;
}

xap_status xap_eset_item(const xap_eset *es, size_t i, const char **term, double *weight)
{
    if (term)
        *term = NULL;
    if (weight)
        *weight = 0;
    if (!es)
        return NULL_ARG(__func__, "es");
    if (i >= es->items.size())
        return fail(XAP_ERR_INVALID, __func__, "item index out of range");
    if (term)
        *term = es->items[i].first.c_str();
    if (weight)
        *weight = es->items[i].second;
    return XAP_OK;
}

xap_status xap_eset_termfreq(const xap_eset *es, size_t i, uint32_t *out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = 0;
    if (!es)
        return NULL_ARG(__func__, "es");
    if (i >= es->tf.size())
        return fail(XAP_ERR_INVALID, __func__, "item index out of range");
    *out = es->tf[i];
    return XAP_OK;
}

void xap_eset_free(xap_eset *es)
{
    delete es;
}

/* ---- match spies ------------------------------------------------------------------ */

xap_status xap_spy_new(unsigned slot, xap_spy **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    try {
        *out = new xap_spy(slot);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_enquire_add_spy(xap_enquire *e, xap_spy *s)
{
    if (!e)
        return NULL_ARG(__func__, "e");
    if (!s)
        return NULL_ARG(__func__, "s");
    try {
        e->enq.add_matchspy(&s->spy);
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

xap_status xap_enquire_clear_spies(xap_enquire *e)
{
    if (!e)
        return NULL_ARG(__func__, "e");
    try {
        e->enq.clear_matchspies();
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

uint32_t xap_spy_total(const xap_spy *s)
{
    return s ? (uint32_t)s->spy.get_total() : 0;
}

xap_status xap_spy_top(const xap_spy *s, size_t max, xap_spy_cb cb, void *ud)
{
    if (!s)
        return NULL_ARG(__func__, "s");
    if (!cb)
        return NULL_ARG(__func__, "cb");
    try {
        /* Copied first: the callback may not see a half-walked iterator
         * if it fails, and no exception may cross it. */
        std::vector<std::pair<std::string, Xapian::doccount>> top;
        for (Xapian::TermIterator it = s->spy.top_values_begin(max); it != s->spy.top_values_end(max); ++it)
            top.emplace_back(*it, it.get_termfreq());
        for (const auto &v : top)
            if (cb(v.first.data(), v.first.size(), (uint32_t)v.second, ud) != 0)
                break;
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

void xap_spy_free(xap_spy *s)
{
    delete s;
}

/* ---- stemmers ------------------------------------------------------------------ */

xap_status xap_stem_new(const char *lang, xap_stem **out)
{
    if (!out)
        return NULL_ARG(__func__, "out");
    *out = NULL;
    if (!lang)
        return NULL_ARG(__func__, "lang");
    try {
        /* Xapian::Stem takes "none" (and "") as "no stemming", and both
         * Snowball names and ISO 639 codes; anything else throws
         * InvalidArgumentError -> XAP_ERR_INVALID. */
        *out = new xap_stem{Xapian::Stem(lang)};
        return XAP_OK;
    } catch (...) {
        return map_exception(__func__);
    }
}

void xap_stem_free(xap_stem *s)
{
    delete s;
}

size_t xap_stem_apply(xap_stem *s, const char *word, size_t len, char *buf, size_t cap)
{
    if (!buf || cap == 0)
        return 0;
    buf[0] = '\0';
    if (!s || (!word && len)) {
        (void)fail(XAP_ERR_INVALID, __func__, "NULL argument");
        return 0;
    }
    try {
        std::string r = s->stem(word ? std::string(word, len) : std::string());
        size_t n = r.size();
        if (n > cap - 1) {
            n = cap - 1;
            /* Do not cut a UTF-8 sequence in two. */
            while (n > 0 && (static_cast<unsigned char>(r[n]) & 0xC0) == 0x80)
                n--;
        }
        std::memcpy(buf, r.data(), n);
        buf[n] = '\0';
        return n;
    } catch (...) {
        (void)map_exception(__func__);
        return 0;
    }
}

} /* extern "C" */
