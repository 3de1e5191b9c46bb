/* SPDX-License-Identifier: GPL-2.0-or-later */
/* worker: per-thread database handle, tokenizer, stemmer and config snapshot. */
#include "worker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "docrec.h"
#include "log.h"
#include "plan.h"
#include "schema.h"
#include "shards.h"
#include "tokenizer.h"

/* A configuration shared by the workers that run with it; freed when the
 * last one lets go. */
struct snapshot {
    struct config cfg;
    atomic_int refs;
};

/* Identity of a stub file: a rebuild renames a new one over it. */
struct stub_id {
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
    off_t size;
    int present;
};

struct worker {
    xap_db *db;
    struct tokenizer *tk;
    xap_stem *stem;
    struct snapshot *snap;
    unsigned gen;             /* generation of snap / of the last SIGHUP seen */
    int checked;              /* db made current for this request already */
    struct stub_id *stubs;    /* one per path, as of the last full open */
    struct shard_view view;   /* which shards (mirrors) db reads */
    double t0;                /* start of the current request */
    double last_reopen;       /* of a remote db: a reopen is a round trip */
    char err[256];
};

static char **db_paths;
static size_t db_npaths;

static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *cur_snap;
static atomic_uint generation = 1;
static atomic_uint_fast64_t reopens;
static atomic_uint live;

static pthread_key_t tl_key;
static _Thread_local struct worker *tl_worker;

static void snapshot_release(struct snapshot *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
        config_free(&s->cfg);
        free(s);
    }
}

static struct snapshot *snapshot_new(const struct config *cfg)
{
    struct snapshot *s = calloc(1, sizeof *s);
    if (!s || config_copy(&s->cfg, cfg) < 0) {
        free(s);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    return s;
}

static void worker_free(void *p)
{
    struct worker *w = p;
    if (!w)
        return;
    xap_db_close(w->db);
    shards_view_free(&w->view);
    tokenizer_free(w->tk);
    xap_stem_free(w->stem);
    snapshot_release(w->snap);
    free(w->stubs);
    free(w);
    atomic_fetch_sub(&live, 1);
}

int worker_init(const char *const *paths, size_t npaths, const struct config *cfg)
{
    db_paths = calloc(npaths, sizeof *db_paths);
    if (!db_paths)
        return -1;
    db_npaths = npaths;
    for (size_t i = 0; i < npaths; i++)
        if (!(db_paths[i] = strdup(paths[i])))
            return -1;
    if (!(cur_snap = snapshot_new(cfg)))
        return -1;
    if (pthread_key_create(&tl_key, worker_free) != 0)
        return -1;
    return 0;
}

void worker_shutdown(void)
{
    /* The main thread may have served (worker_probe does not, but be safe). */
    if (tl_worker) {
        pthread_setspecific(tl_key, NULL);
        worker_free(tl_worker);
        tl_worker = NULL;
    }
    snapshot_release(cur_snap);
    cur_snap = NULL;
    for (size_t i = 0; i < db_npaths; i++)
        free(db_paths[i]);
    free(db_paths);
    db_paths = NULL;
    db_npaths = 0;
}

int worker_reload_all(const struct config *cfg)
{
    struct snapshot *s = NULL;
    if (cfg && !(s = snapshot_new(cfg)))
        return -1;
    pthread_mutex_lock(&snap_lock);
    if (s) {
        snapshot_release(cur_snap);
        cur_snap = s;
    }
    atomic_fetch_add(&generation, 1);
    pthread_mutex_unlock(&snap_lock);
    return 0;
}

uint64_t worker_reopens_total(void) { return atomic_load(&reopens); }
unsigned worker_live(void) { return atomic_load(&live); }

/* Where a stub file of `path` would be: DIR/XAPIANDB for a stub
 * directory, or the path itself when it is a stub file. */
static void stub_stat(const char *path, struct stub_id *id)
{
    memset(id, 0, sizeof *id);
    if (strncmp(path, "tcp:", 4) == 0)
        return;
    char stub[4096];
    struct stat st;
    snprintf(stub, sizeof stub, "%s/XAPIANDB", path);
    if (stat(stub, &st) != 0 && (stat(path, &st) != 0 || !S_ISREG(st.st_mode)))
        return;
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    id->mtime = st.st_mtim;
    id->size = st.st_size;
    id->present = 1;
}

static int stub_same(const struct stub_id *a, const struct stub_id *b)
{
    return a->present == b->present && a->dev == b->dev && a->ino == b->ino &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
           a->size == b->size;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Open the databases afresh. One local path is opened directly, so that
 * its revision is known; shards (several, or remote) go through shards.c,
 * which leaves out those that are down and records it in *view. */
static xap_status open_db(xap_db **db, struct stub_id *stubs, struct shard_view *view, char *err, size_t errlen)
{
    /* Stat first: if a swap happens between stat and open we reopen once
     * more on the next request, never miss it. */
    if (stubs)
        for (size_t i = 0; i < db_npaths; i++)
            stub_stat(db_paths[i], &stubs[i]);
    xap_status st;
    if (db_npaths > 1 || shards_remote()) {
        st = shards_open(db, view, err, errlen);
        if (st != XAP_OK) {
            *db = NULL;
            return st;
        }
    } else if ((st = xap_db_open(db_paths[0], XAP_DB_READONLY, db)) != XAP_OK) {
        snprintf(err, errlen, "cannot open index %s: %s", db_paths[0], xap_errmsg());
        *db = NULL;
        return st;
    }
    /* The stored records' dictionaries (docrec.h): of each database when
     * several are searched as one (metadata reads see only the first). */
    if (db_npaths == 1) {
        docrec_dicts_load(*db, NULL);
    } else {
        for (size_t i = 0; i < db_npaths; i++) {
            xap_db *one;
            if (xap_db_open(db_paths[i], XAP_DB_READONLY, &one) == XAP_OK) {
                docrec_dicts_load(one, NULL);
                xap_db_close(one);
            }
        }
    }
    /* An index of another layout would answer wrongly, not fail: refuse it. */
    char why[256];
    if (schema_check(*db, why, sizeof why) != 0) {
        snprintf(err, errlen, "index %s%s: %s", db_paths[0], db_npaths > 1 ? ",..." : "", why);
        xap_db_close(*db);
        *db = NULL;
        return XAP_ERR_OPENING;
    }
    return st;
}

/* Read the spelling and synonym tables from [searchd] dictionary. */
static xap_status attach_dictionary(xap_db *db, const struct config *cfg, char *err, size_t errlen)
{
    const char *dict = cfg->searchd.dictionary;
    if (!dict || !*dict)
        return XAP_OK;
    xap_status st = xap_db_set_dictionary(db, dict);
    if (st != XAP_OK)
        snprintf(err, errlen, "cannot open the dictionary %s: %s", dict, xap_errmsg());
    return st;
}

static int any_key(const char *s, size_t len, void *ud)
{
    (void)s, (void)len;
    *(int *)ud = 1;
    return 1;
}

/* Say at start-up how synonym phrases will match: an index built before
 * the XY terms, or whose synonym table changed since, is slower. */
static void log_synphrases(xap_db *db, const struct config *cfg)
{
    int seen = 0, terms = 0;
    if (!cfg->ranking.synonyms || xap_db_synonym_keys(db, "", any_key, &seen) != XAP_OK || !seen)
        return;
    if (plan_synphrase_terms(db, &terms) != XAP_OK)
        return;
    if (terms)
        log_info("synonym phrases: matched as the index's XY terms");
    else
        log_warn("synonym phrases match by their words' positions (slower): the index was built before "
                 "its synonym table changed, or by an older indexer; indexer --rebuild makes them terms");
}

int worker_probe(char *err, size_t errlen, uint32_t *docs)
{
    *docs = 0;
    xap_db *db;
    struct shard_view view = { 0 };
    xap_status st = open_db(&db, NULL, &view, err, errlen);
    const struct config *cfg = &cur_snap->cfg;
    if (st == XAP_OK && attach_dictionary(db, cfg, err, errlen) != XAP_OK) {
        xap_db_close(db);
        shards_view_free(&view);
        return -1;
    }
    if (st == XAP_OK && shards_remote() && cfg->ranking.synonyms) {
        /* Over remote shards Xapian 1.4 serves no synonym table and says
         * nothing: ranking would silently differ. Refuse to start. */
        int seen = 0;
        xap_db_synonym_keys(db, "", any_key, &seen);
        if (!seen) {
            snprintf(err, errlen,
                     "synonyms are on ([ranking] synonyms) but no synonym table can be seen: Xapian's remote "
                     "backend serves none. Write one with indexer --dictionary DIR SHARD... and give searchd "
                     "--dictionary DIR (or set [ranking] synonyms = false)");
            xap_db_close(db);
            shards_view_free(&view);
            return -1;
        }
    }
    size_t missing = st == XAP_OK ? shards_missing(&view) : 0;
    for (size_t i = 0; st == XAP_OK && i < view.n; i++)
        if (view.mirror[i] < 0)
            log_warn("starting without shard %s: %s", db_paths[i], view.err[i]);
    shards_view_free(&view);
    if (shards_remote() && (st == XAP_ERR_NETWORK || missing)) {
        /* Remote shards come and go: start degraded, the prober picks
         * them up when they answer. */
        if (st != XAP_OK)
            log_warn("%s; starting degraded", err);
        if (st == XAP_OK)
            xap_db_close(db);
        return 0;
    }
    if (st != XAP_OK)
        return -1;
    if (missing) {
        snprintf(err, errlen, "cannot open every shard of %s (see above)", db_paths[0]);
        xap_db_close(db);
        return -1;
    }
    if (xap_db_doccount(db, docs) != XAP_OK) {
        snprintf(err, errlen, "cannot read index %s: %s", db_paths[0], xap_errmsg());
        xap_db_close(db);
        return -1;
    }
    log_synphrases(db, cfg);
    xap_db_close(db);
    return 0;
}

struct worker *worker_begin(void)
{
    struct worker *w = tl_worker;
    if (!w) {
        w = calloc(1, sizeof *w);
        if (!w || !(w->stubs = calloc(db_npaths, sizeof *w->stubs))) {
            free(w);
            return NULL;
        }
        atomic_fetch_add(&live, 1);
        if (pthread_setspecific(tl_key, w) != 0) {
            worker_free(w);
            return NULL;
        }
        tl_worker = w;
    }
    if (w->gen != atomic_load(&generation)) {
        pthread_mutex_lock(&snap_lock);
        if (w->snap != cur_snap) {
            snapshot_release(w->snap);
            w->snap = cur_snap;
            atomic_fetch_add(&w->snap->refs, 1);
        }
        if (w->gen != 0 && w->db) {
            /* SIGHUP: reopen the index from scratch. */
            xap_db_close(w->db);
            w->db = NULL;
        }
        w->gen = atomic_load(&generation);
        pthread_mutex_unlock(&snap_lock);
    }
    w->checked = 0;
    w->err[0] = '\0';
    w->t0 = mono();
    return w;
}

const struct config *worker_config(struct worker *w) { return &w->snap->cfg; }
const char *worker_error(struct worker *w) { return w->err; }

/* A stub file changed since the handle was opened: an index was swapped. */
static int swapped(struct worker *w)
{
    for (size_t i = 0; i < db_npaths; i++) {
        struct stub_id now;
        stub_stat(db_paths[i], &now);
        if (!stub_same(&now, &w->stubs[i]))
            return 1;
    }
    return 0;
}

static xap_status full_open(struct worker *w)
{
    xap_db_close(w->db);
    w->db = NULL;
    xap_status st = open_db(&w->db, w->stubs, &w->view, w->err, sizeof w->err);
    if (st == XAP_OK && (st = attach_dictionary(w->db, worker_config(w), w->err, sizeof w->err)) != XAP_OK) {
        xap_db_close(w->db);
        w->db = NULL;
    }
    if (st == XAP_OK)
        atomic_fetch_add(&reopens, 1);
    else
        log_warn("%s", w->err);
    return st;
}

xap_status worker_db(struct worker *w, xap_db **db)
{
    *db = NULL;
    if (w->checked && w->db) {
        *db = w->db;
        return XAP_OK;
    }
    xap_status st = XAP_OK;
    if (!w->db || swapped(w) || (w->view.n && w->view.gen != shards_generation())) {
        if (w->db)
            log_info("index swapped or a shard went down or up: reopening %s", db_paths[0]);
        st = full_open(w);
    } else if (xap_db_is_remote(w->db) && w->t0 - w->last_reopen < 1.0) {
        /* A remote reopen costs a round trip per shard: at most one a
         * second, so new commits show within a second. */
    } else if ((st = xap_db_reopen(w->db, NULL)) != XAP_OK) {
        if (st == XAP_ERR_NETWORK || st == XAP_ERR_TIMEOUT)
            shards_fail(&w->view, xap_errmsg());
        log_warn("reopen %s: %s; opening again", db_paths[0], xap_errmsg());
        st = full_open(w);
    } else
        w->last_reopen = w->t0;
    if (st != XAP_OK)
        return st;
    /* Term frequencies are kept while the revision stays (local). */
    xap_db_begin_request(w->db);
    w->checked = 1;
    *db = w->db;
    return XAP_OK;
}

#define WORKER_RETRIES 5

xap_status worker_retry(struct worker *w, worker_fn fn, void *ud)
{
    xap_db *db;
    xap_status st = worker_db(w, &db);
    if (st != XAP_OK)
        return st;
    st = fn(db, ud);
    /* The revision we read was overwritten by a writer: catch up and try
     * again. Under a writer committing very often a retry can meet the
     * next commit too, so a few attempts are allowed before giving up.
     * A shard that failed under the request (refused, hung up, timed
     * out) is marked down and the request runs again without it, while
     * the deadline allows. */
    double deadline = w->t0 + worker_config(w)->searchd.deadline_ms / 1000.0;
    for (int attempt = 1; attempt <= WORKER_RETRIES; attempt++) {
        if (st == XAP_ERR_MODIFIED) {
            log_debug("database modified during a request; reopening and retrying (%d)", attempt);
            if (xap_db_reopen(w->db, NULL) != XAP_OK && full_open(w) != XAP_OK)
                return XAP_ERR_OPENING;
        } else if ((st == XAP_ERR_NETWORK || st == XAP_ERR_TIMEOUT) && w->view.n) {
            if (shards_fail(&w->view, xap_errmsg()) == 0 || mono() >= deadline)
                return st; /* xap_errmsg() still says why */
            if (full_open(w) != XAP_OK)
                return XAP_ERR_OPENING;
        } else
            break;
        st = fn(w->db, ud);
    }
    if (st == XAP_ERR_MODIFIED)
        log_warn("database modified during a request %d times in a row; giving up on it", WORKER_RETRIES + 1);
    return st;
}

const struct shard_view *worker_view(struct worker *w)
{
    return w->view.n ? &w->view : NULL;
}

struct tokenizer *worker_tokenizer(struct worker *w)
{
    if (!w->tk && !(w->tk = tokenizer_new()))
        log_err("tokenizer_new failed (ICU data missing?)");
    return w->tk;
}

xap_stem *worker_stemmer(struct worker *w)
{
    if (!w->stem && xap_stem_new("english", &w->stem) != XAP_OK)
        w->stem = NULL;
    return w->stem;
}
