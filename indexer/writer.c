/* SPDX-License-Identifier: GPL-2.0-or-later */
/* writer.c: the only code of the indexer that touches the database. One
 * thread (the caller of pipeline_run) uses the main writer.
 *
 * A first build or a --rebuild may also use side writers (one thread
 * each): Xapian has one writer per database, and that writer is most of
 * the run's CPU time, so each side writer fills a database of its own
 * (DIR/side-K) with the articles whose id hashes to it, and the end of the
 * run merges them all into the next generation with the compactor (which
 * a first build and a rebuild do anyway) and swaps it in. The main writer
 * keeps its share in the live index as before, so a killed first build
 * leaves the live index at a commit of the main writer's share, and the
 * rerun (no longer a first build) adds the rest. */
#define _XOPEN_SOURCE 700
#include "indexer.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "concepts.h"
#include "docdict.h"
#include "docrec.h"
#include "grow.h"
#include "indexdir.h"
#include "input.h"
#include "log.h"
#include "schema.h"
#include "synonyms.h"
#include "synphrase.h"
#include "tokenizer.h"

struct writer {
    const struct indexer_opts *o;
    char dir[4096];   /* --db */
    char live[4096];  /* live glass database */
    char path[4096];  /* what we write: live, or a new generation */
    int rebuilding;
    int fresh;        /* the index was empty when the run started: compact at the end */
    xap_db *lock;     /* --rebuild/--compact: the live db held open for its write lock */
    xap_db *db;       /* NULL for --dry-run */
    struct strmap known; /* Q term -> u64 content hash, u32 docid */
    struct strmap seen;  /* Q terms written this run */
    struct strmap spell; /* word -> count since the last commit */
    unsigned since_commit;
    uint32_t dict_stored; /* docrec dictionary id stored in db (0: none) */
    int stamp;        /* main writer: stamp each commit (SCHEMA_META_COMMIT_*) */
    unsigned long long seq; /* the last commit's SCHEMA_META_COMMIT_SEQ */
    int spell_empty;      /* db's spelling table was empty when opened (spell_amount) */
    struct writer *sides[WRITER_MAX_SIDES]; /* side writers (main writer only) */
    unsigned n_sides;
    struct synphrases *sp; /* the synonym table's phrases (XY terms), main writer */
    struct concepts *cs;   /* the concept file's entry terms (XM terms), main writer */
};

#define ADD(field, n) __atomic_fetch_add(&st->field, (n), __ATOMIC_RELAXED)

static int open_status(xap_status st)
{
    (void)st;
    return EXIT_INDEX;
}

/* The real reason a writable open failed when it is permissions (Xapian
 * says "locked" when it cannot create its lock file): 1 after logging. */
static int report_unwritable(const char *path)
{
    static const char *const parts[] = { "", "/flintlock", "/iamglass", "/postlist.glass", "/termlist.glass", NULL };
    char p[4200];
    for (int i = 0; parts[i]; i++) {
        snprintf(p, sizeof p, "%s%s", path, parts[i]);
        if (access(p, F_OK) != 0 && i > 0)
            continue;
        if (access(p, W_OK) == 0)
            continue;
        int e = errno;
        if (e != EACCES && e != EROFS && e != EPERM)
            continue;
        /* getpwuid's answer is overwritten by the next call: copy it */
        struct passwd *pw = getpwuid(geteuid());
        char me[64], owner[96] = "";
        snprintf(me, sizeof me, "%s", pw ? pw->pw_name : "?");
        struct stat sb;
        if (stat(p, &sb) == 0 && (pw = getpwuid(sb.st_uid)))
            snprintf(owner, sizeof owner, ", it belongs to %s", pw->pw_name);
        log_err("%s: %s: you are %s (uid %u)%s; run the indexer as the index's owner or fix the permissions "
                "(chown -R or chmod -R u+w %s)",
                p, e == EROFS ? "read-only file system" : "permission denied, the index is not writable by you", me,
                (unsigned)geteuid(), owner, path);
        return 1;
    }
    return 0;
}

static void report_open_error(const char *path, xap_status st)
{
    if ((st == XAP_ERR_LOCKED || st == XAP_ERR_OPENING || st == XAP_ERR_IO) && report_unwritable(path))
        return;
    if (st == XAP_ERR_LOCKED)
        log_err("%s: the index is locked by another writer (another indexer is running on it); "
                "try again when it has finished", path);
    else
        log_err("%s: cannot open the index: %s (%s)", path, xap_errmsg(), xap_status_name(st));
}

struct known_ctx {
    struct writer *w;
    int failed;
};

static int known_term(const char *term, size_t len, uint32_t tf, void *ud)
{
    struct known_ctx *k = ud;
    (void)tf;
    char t[SCHEMA_MAX_TERM + 1];
    if (len > SCHEMA_MAX_TERM)
        return 0;
    memcpy(t, term, len);
    t[len] = '\0';
    uint32_t docid = 0;
    if (xap_db_docid_by_term(k->w->db, t, &docid) != XAP_OK)
        return 0;
    xap_doc *doc = NULL;
    if (xap_db_get_doc(k->w->db, docid, &doc) != XAP_OK)
        return 0;
    char *v = NULL;
    size_t vl = 0;
    uint64_t h = 0;
    if (xap_doc_get_value(doc, VAL_HASH, &v, &vl) == XAP_OK && vl == 16)
        h = strtoull(v, NULL, 16);
    free(v);
    xap_doc_free(doc);
    struct strmap_entry *e = strmap_put(&k->w->known, term, len, NULL);
    if (!e) {
        k->failed = 1;
        return 1;
    }
    e->u64 = h;
    e->u32 = docid;
    return 0;
}

static int stop_at_first(const char *word, size_t len, uint32_t freq, void *ud)
{
    (void)word, (void)len, (void)freq;
    *(int *)ud = 0;
    return 1;
}

/* Does db's spelling table hold no word? (1 also when it cannot be read:
 * then spell_amount merely holds a word back until it is met twice.) */
static int spell_table_empty(xap_db *db)
{
    int empty = 1;
    xap_db_spelling_words(db, stop_at_first, &empty);
    return empty;
}

static int load_known(struct writer *w)
{
    struct known_ctx k = { w, 0 };
    xap_status st = xap_db_allterms(w->db, PFX_ID, known_term, &k);
    if (st != XAP_OK || k.failed) {
        log_err("%s: cannot read the indexed articles: %s", w->path, xap_errmsg());
        return -1;
    }
    return 0;
}

static unsigned long long read_seq(xap_db *db)
{
    char *v = NULL;
    size_t len = 0;
    unsigned long long seq = 0;
    if (db && xap_db_get_metadata(db, SCHEMA_META_COMMIT_SEQ, &v, &len) == XAP_OK && v)
        seq = strtoull(v, NULL, 10);
    free(v);
    return seq;
}

/* The commit's count and time, written with it (schema.h). */
static int stamp_commit(struct writer *w)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char seq[32], when[48];
    int sl = snprintf(seq, sizeof seq, "%llu", w->seq + 1);
    int tl = snprintf(when, sizeof when, "%lld.%03ld", (long long)ts.tv_sec, ts.tv_nsec / 1000000L);
    if (xap_db_set_metadata(w->db, SCHEMA_META_COMMIT_SEQ, seq, (size_t)sl) != XAP_OK ||
        xap_db_set_metadata(w->db, SCHEMA_META_COMMIT_TIME, when, (size_t)tl) != XAP_OK) {
        log_err("%s: cannot stamp the commit: %s", w->path, xap_errmsg());
        return -1;
    }
    return 0;
}

struct writer *writer_open(const struct indexer_opts *o, int *status)
{
    *status = EXIT_INDEX;
    struct writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->o = o;
    strmap_init(&w->known);
    strmap_init(&w->seen);
    strmap_init(&w->spell);
    snprintf(w->dir, sizeof w->dir, "%s", o->db);
    char err[512];
    if (o->dry_run) {
        /* Read what exists (to count unchanged articles), write nothing. */
        if (indexdir_live(w->dir, 0, w->live, sizeof w->live, err, sizeof err) == 0 &&
            xap_db_open(w->dir, XAP_DB_READONLY, &w->db) == XAP_OK) {
            snprintf(w->path, sizeof w->path, "%s", w->live);
            if (load_known(w) != 0)
                goto fail;
            xap_db_close(w->db);
            w->db = NULL;
        }
        return w;
    }
    if (indexdir_live(w->dir, 1, w->live, sizeof w->live, err, sizeof err) != 0) {
        log_err("%s", err);
        goto fail;
    }
    xap_status st;
    if (o->rebuild) {
        /* Hold the live index's write lock for the whole rebuild: no other
         * indexer may change what we are about to replace. */
        st = xap_db_open(w->live, XAP_DB_CREATE_OR_OPEN, &w->lock);
        if (st != XAP_OK) {
            report_open_error(w->live, st);
            *status = open_status(st);
            goto fail;
        }
        if (indexdir_next(w->dir, w->path, sizeof w->path, err, sizeof err) != 0) {
            log_err("%s", err);
            goto fail;
        }
        w->rebuilding = 1;
        /* Never live: compact_and_swap() compacts it into the generation
         * that is swapped in, and the compactor syncs that one. */
        st = xap_db_open(w->path, XAP_DB_CREATE_OR_OVERWRITE | XAP_DB_NO_SYNC, &w->db);
    } else {
        /* A --rebuild may swap the stub between our reading it and our
         * opening the database (and then remove that generation): after
         * taking the write lock, check that what we hold is still the live
         * generation, else start again on the new one. */
        for (int tries = 0;; tries++) {
            snprintf(w->path, sizeof w->path, "%s", w->live);
            st = xap_db_open(w->path, XAP_DB_CREATE_OR_OPEN, &w->db);
            char now[4096];
            if (st != XAP_OK || tries >= 5 ||
                (indexdir_live(w->dir, 0, now, sizeof now, err, sizeof err) == 0 && strcmp(now, w->live) == 0))
                break;
            xap_db_cancel(w->db);
            xap_db_close(w->db);
            w->db = NULL;
            indexdir_remove(w->path); /* what we just recreated in a dead generation */
            snprintf(w->live, sizeof w->live, "%s", now);
        }
    }
    if (st != XAP_OK) {
        report_open_error(w->path, st);
        *status = open_status(st);
        goto fail;
    }
    if (!w->rebuilding) {
        /* We hold the live index's write lock, so no rebuild or compaction
         * is running: any other generation is a leftover of a killed one
         * (maybe a whole index); indexdir_next() removes those (the name
         * it returns is not used). */
        char unused[4096];
        if (indexdir_next(w->dir, unused, sizeof unused, err, sizeof err) != 0)
            log_warn("%s", err);
    }
    if (!w->rebuilding && schema_check(w->db, err, sizeof err) != 0) {
        /* Mixing layouts would give wrong results: the old articles keep
         * the old layout. */
        log_err("%s: %s", w->path, err);
        goto fail;
    }
    if (!w->rebuilding && load_known(w) != 0)
        goto fail;
    w->spell_empty = spell_table_empty(w->db);
    /* New records use the index's dictionary, or one learnt from this
     * run's first records (a rebuild learns its own). */
    uint32_t last = 0;
    if (!w->rebuilding && docrec_dicts_load(w->db, &last) > 0)
        docrec_dict_use(last);
    else
        docdict_learn(1);
    uint32_t docs = 0;
    if (!w->rebuilding && xap_db_doccount(w->db, &docs) == XAP_OK && docs == 0)
        w->fresh = 1;
    xap_db_set_metadata(w->db, SCHEMA_META_KEY, SCHEMA_VERSION, strlen(SCHEMA_VERSION));
    /* A rebuild goes on from the live index's count, so that a replica's
     * searchd never sees the master's counter go back. */
    w->seq = read_seq(w->rebuilding ? w->lock : w->db);
    w->stamp = 1;
    *status = EXIT_DONE;
    return w;
fail:
    writer_abort(w);
    return NULL;
}

/* ---- side writers --------------------------------------------------------- */

/* Close a side writer without committing and remove its database. */
static void side_free(struct writer *s)
{
    if (!s)
        return;
    if (s->db) {
        xap_db_cancel(s->db);
        xap_db_close(s->db);
    }
    indexdir_remove(s->path);
    strmap_free(&s->known);
    strmap_free(&s->seen);
    strmap_free(&s->spell);
    free(s);
}

unsigned writer_open_sides(struct writer *w, unsigned want)
{
    /* Only where the run ends in a merge anyway: a first build (the live
     * index was empty) or a rebuild, behind a stub (DIR/XAPIANDB). */
    if (!w->db || !(w->fresh || w->rebuilding) || strcmp(w->live, w->dir) == 0)
        return 1;
    if (want > WRITER_MAX_SIDES + 1)
        want = WRITER_MAX_SIDES + 1;
    while (w->n_sides + 1 < want) {
        struct writer *s = calloc(1, sizeof *s);
        if (!s)
            break;
        s->o = w->o;
        strmap_init(&s->known);
        strmap_init(&s->seen);
        strmap_init(&s->spell);
        indexdir_side(w->dir, w->n_sides + 1, s->path, sizeof s->path);
        indexdir_remove(s->path);
        /* Never live (merged by the compactor, which syncs its output; a
         * leftover of a killed run is removed): its commits need no fsync. */
        xap_status st = xap_db_open(s->path, XAP_DB_CREATE_OR_OVERWRITE | XAP_DB_NO_SYNC, &s->db);
        if (st != XAP_OK) {
            log_warn("%s: cannot create a side database (%s); going on with %u writer(s)", s->path, xap_errmsg(),
                     w->n_sides + 1);
            side_free(s);
            break;
        }
        s->spell_empty = 1;
        w->sides[w->n_sides++] = s;
    }
    return w->n_sides + 1;
}

struct writer *writer_side(struct writer *w, unsigned k) { return k == 0 ? w : w->sides[k - 1]; }

struct strmap *writer_known(struct writer *w) { return &w->known; }
const char *writer_path(const struct writer *w) { return w->path[0] ? w->path : w->dir; }

int writer_put(struct writer *w, const char *id_term, xap_doc *doc, uint64_t hash, struct indexer_stats *st)
{
    (void)hash;
    size_t len = strlen(id_term);
    int created = 0;
    struct strmap_entry *seen = strmap_put(&w->seen, id_term, len, &created);
    if (!seen) {
        log_err("out of memory");
        return -1;
    }
    struct strmap_entry *k = strmap_get(&w->known, id_term, len);
    if (w->db) {
        xap_status xs = xap_db_replace_by_term(w->db, id_term, doc, NULL);
        if (xs != XAP_OK) {
            log_err("%s: cannot write %s: %s (%s)", w->path, id_term + 1, xap_errmsg(), xap_status_name(xs));
            return -1;
        }
    }
    if (k || !created)
        ADD(updated, 1);
    else
        ADD(added, 1);
    if (++w->since_commit >= w->o->commit_every)
        return writer_commit(w, st);
    return 0;
}

void writer_add_spelling(struct writer *w, const char *word, size_t len, uint32_t count)
{
    struct strmap_entry *e = strmap_put(&w->spell, word, len, NULL);
    if (e)
        e->u32 += count;
}

/* Spelling words: only a word met at least twice in a run (or already in
 * the spelling table) enters it: a word met once is as likely a typo as
 * a word, and the table is for correcting typos. One map for every
 * writer of the run (ids are spread over the side writers, words are
 * not): word -> 1 met once, not yet added; 2 added. Bounded: when full it
 * starts again (a word then needs two meetings in the new window). */
#define SPELL_SEEN_MAX 1000000
static pthread_mutex_t spell_lock = PTHREAD_MUTEX_INITIALIZER;
static struct strmap spell_seen;
static int spell_restarted; /* spell_seen started again this run */

/* How much to add to w's spelling table for `count` new occurrences of
 * word in this batch (0: hold it back as a single). */
static uint32_t spell_amount(struct writer *w, const char *word, size_t len, uint32_t count)
{
    pthread_mutex_lock(&spell_lock);
    if (spell_seen.len >= SPELL_SEEN_MAX) {
        strmap_free(&spell_seen);
        strmap_init(&spell_seen);
        spell_restarted = 1;
    }
    int created = 0;
    struct strmap_entry *e = strmap_put(&spell_seen, word, len, &created);
    uint32_t add = count;
    if (!e) {
        /* out of memory: no threshold for this word */
    } else if (created) {
        /* Already in the table? Only a table that held words at the start,
         * or got this run's before spell_seen started again, can say yes;
         * asking costs a merge of the table's pending changes (spellings_begin),
         * which was a fifth of a first build's CPU. */
        uint32_t known = 0;
        if (count == 1 && ((w->spell_empty && !spell_restarted) ||
                           !(xap_db_spelling_freq(w->db, word, &known) == XAP_OK && known > 0)))
            add = 0;
        e->u32 = add ? 2 : 1;
    } else if (e->u32 == 1) {
        add = count + 1; /* the one held back */
        e->u32 = 2;
    }
    pthread_mutex_unlock(&spell_lock);
    return add;
}

/* Forget the run's spelling singles (end of a run). */
static void spell_reset(void)
{
    pthread_mutex_lock(&spell_lock);
    strmap_free(&spell_seen);
    strmap_init(&spell_seen);
    spell_restarted = 0;
    pthread_mutex_unlock(&spell_lock);
}

/* ---- the stored records' dictionary (docdict.c, docrec.h) -------------- */

/* Store the dictionary records are encoded with in w's database (before
 * a commit: a record and its dictionary are committed together). */
static int store_dict(struct writer *w)
{
    const char *d;
    size_t dl;
    uint32_t id = docrec_dict_current(&d, &dl);
    if (id == 0 || id == w->dict_stored)
        return 0;
    char *list = NULL, key[64], hex[16];
    size_t len = 0;
    snprintf(hex, sizeof hex, "%08x", id);
    snprintf(key, sizeof key, "%s%s", DOCREC_META_DICT, hex);
    int rc = -1;
    if (xap_db_get_metadata(w->db, DOCREC_META_LIST, &list, &len) == XAP_OK &&
        xap_db_set_metadata(w->db, key, d, dl) == XAP_OK) {
        rc = 0;
        if (!strstr(list, hex)) {
            char *nl = malloc(len + 10);
            rc = -1;
            if (nl) {
                snprintf(nl, len + 10, "%s%s%s", list, len ? " " : "", hex);
                rc = xap_db_set_metadata(w->db, DOCREC_META_LIST, nl, strlen(nl)) == XAP_OK ? 0 : -1;
                free(nl);
            }
        }
    }
    free(list);
    if (rc == 0)
        w->dict_stored = id;
    else
        log_err("%s: cannot store the records' dictionary: %s", w->path, xap_errmsg());
    return rc;
}

int writer_commit(struct writer *w, struct indexer_stats *st)
{
    w->since_commit = 0;
    if (!w->db) {
        strmap_free(&w->spell);
        return 0;
    }
    if (store_dict(w) != 0)
        return -1;
    for (size_t i = 0; i < w->spell.cap; i++) {
        struct strmap_entry *e = &w->spell.slots[i];
        uint32_t add = e->key ? spell_amount(w, e->key, e->klen, e->u32) : 0;
        if (add && xap_db_add_spelling(w->db, e->key, add) != XAP_OK) {
            log_err("%s: cannot add spelling data: %s", w->path, xap_errmsg());
            return -1;
        }
    }
    strmap_free(&w->spell);
    if (w->stamp && stamp_commit(w) != 0)
        return -1;
    xap_status xs = xap_db_commit(w->db);
    if (xs != XAP_OK) {
        log_err("%s: commit failed: %s (%s); the index stays at its previous commit", w->path, xap_errmsg(),
                xap_status_name(xs));
        return -1;
    }
    if (w->stamp)
        w->seq++;
    ADD(commits, 1);
    return 0;
}

int writer_delete_ids(struct writer *w, char *const *ids, size_t n, struct indexer_stats *st)
{
    for (size_t i = 0; i < n; i++) {
        char term[SCHEMA_MAX_TERM + 1];
        schema_id_term(term, ids[i]);
        uint32_t deleted = 0;
        if (w->db && xap_db_delete_by_term(w->db, term, &deleted) != XAP_OK) {
            log_err("%s: cannot delete %s: %s", w->path, ids[i], xap_errmsg());
            return -1;
        }
        if (!w->db && strmap_get(&w->known, term, strlen(term)))
            deleted = 1;
        if (deleted == 0)
            log_warn("--delete %s: no such article in the index", ids[i]);
        st->deleted += deleted;
    }
    return 0;
}

struct prune_ctx {
    char **paths;
    size_t n, cap;
};

static int collect_file(const char *term, size_t len, uint32_t tf, void *ud)
{
    struct prune_ctx *p = ud;
    (void)tf;
    if (GROW(p->paths, p->cap, p->n + 1, 256) != 0)
        return 1;
    char *s = malloc(len + 1);
    if (!s)
        return 1;
    memcpy(s, term, len);
    s[len] = '\0';
    p->paths[p->n++] = s;
    return 0;
}

static int under_root(const char *path, const char *root)
{
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/')
        rl--;
    return strncmp(path, root, rl) == 0 && (path[rl] == '/' || path[rl] == '\0');
}

int writer_prune(struct writer *w, char *const *roots, size_t n, struct indexer_stats *st)
{
    xap_db *db = w->db;
    if (!db)
        return 0;
    struct prune_ctx p = { 0 };
    if (xap_db_allterms(db, PFX_FILE, collect_file, &p) != XAP_OK) {
        log_err("%s: cannot list source files: %s", w->path, xap_errmsg());
        return -1;
    }
    int rc = 0;
    size_t plen = strlen(PFX_FILE);
    for (size_t i = 0; i < p.n; i++) {
        const char *path = p.paths[i] + plen;
        int mine = 0;
        for (size_t r = 0; r < n; r++)
            if (strcmp(roots[r], "-") != 0 && under_root(path, roots[r]))
                mine = 1;
        /* Hashed (very long) paths cannot be checked: left alone. */
        if (!mine || strlen(p.paths[i]) >= SCHEMA_MAX_TERM - 1 || access(path, F_OK) == 0)
            continue;
        uint32_t deleted = 0;
        if (xap_db_delete_by_term(db, p.paths[i], &deleted) != XAP_OK) {
            log_err("%s: prune %s: %s", w->path, path, xap_errmsg());
            rc = -1;
            break;
        }
        if (w->o->verbose)
            log_info("pruned %u article(s) of %s (file gone)", deleted, path);
        st->deleted += deleted;
    }
    for (size_t i = 0; i < p.n; i++)
        free(p.paths[i]);
    free(p.paths);
    return rc;
}

struct key_list {
    char **keys;
    size_t n, cap;
};

static int collect_key(const char *s, size_t len, void *ud)
{
    struct key_list *k = ud;
    if (GROW(k->keys, k->cap, k->n + 1, 1024) != 0)
        return 1;
    k->keys[k->n] = strndup(s, len);
    if (k->keys[k->n])
        k->n++;
    return 0;
}

/* The synonym table's phrases for the XY terms, and whether every
 * article will have them (SCHEMA_META_SYNPHRASES): yes when this run
 * starts from an empty index; under existing articles only while the
 * table stays the one their terms were made from. */
static int setup_synphrases(struct writer *w)
{
    size_t keys = 0;
    if (synphrases_from_db(w->db, &w->sp, &keys) != 0) {
        log_err("%s: cannot read the synonym table: %s", w->path, xap_errmsg());
        return -1;
    }
    char *hash = NULL, *made = NULL;
    size_t hl = 0, ml = 0;
    if (xap_db_get_metadata(w->db, SCHEMA_META_SYNONYMS_HASH, &hash, &hl) != XAP_OK ||
        xap_db_get_metadata(w->db, SCHEMA_META_SYNPHRASES, &made, &ml) != XAP_OK) {
        log_err("%s: cannot read the synonym table's metadata: %s", w->path, xap_errmsg());
        free(hash);
        free(made);
        return -1;
    }
    int rc = 0;
    if (w->fresh || w->rebuilding) {
        /* Every article of the index will be built by this run. */
        rc = xap_db_set_metadata(w->db, SCHEMA_META_SYNPHRASES, hash, hl) == XAP_OK ? 0 : -1;
    } else if (ml > 0 && (ml != hl || memcmp(made, hash, hl) != 0)) {
        log_warn("%s: the synonym table changed: its phrases match by their words' positions (slower) "
                 "until indexer --rebuild gives every article the new table's phrases", w->path);
        rc = xap_db_set_metadata(w->db, SCHEMA_META_SYNPHRASES, "", 0) == XAP_OK ? 0 : -1;
    } else if (ml == 0 && keys > 0 && w->o->verbose) {
        log_info("%s: synonym phrases match by their words' positions; indexer --rebuild makes them "
                 "one term each (faster)", w->path);
    }
    if (rc != 0)
        log_err("%s: cannot write the synonym phrases' metadata: %s", w->path, xap_errmsg());
    else if (w->o->verbose && keys > 0)
        log_info("synonyms: %zu phrases indexed as XY terms", keys);
    free(hash);
    free(made);
    return rc;
}

const struct synphrases *writer_synphrases(const struct writer *w)
{
    return w->sp;
}

/* Load the synonym files into the table, unless they are the ones it
 * holds already. */
static int load_synonym_files(struct writer *w, const char *const *files, size_t n)
{
    if (n == 0)
        return 0;
    /* Reload only when the files changed (hash kept in the metadata). */
    uint64_t h = SCHEMA_HASH_SEED;
    char err[512];
    for (size_t i = 0; i < n; i++) {
        char *text = NULL;
        size_t len = 0;
        if (input_read_file(files[i], 64u << 20, &text, &len, err, sizeof err) != INPUT_OK) {
            log_err("synonyms: %s", err);
            return -1;
        }
        h = schema_hash(text, len, h);
        free(text);
    }
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
    char *old = NULL;
    size_t ol = 0;
    if (xap_db_get_metadata(w->db, SCHEMA_META_SYNONYMS_HASH, &old, &ol) == XAP_OK && ol == 16 && memcmp(old, hex, 16) == 0) {
        free(old);
        return 0;
    }
    free(old);
    struct key_list k = { 0 };
    xap_db_synonym_keys(w->db, "", collect_key, &k);
    for (size_t i = 0; i < k.n; i++) {
        xap_db_clear_synonyms(w->db, k.keys[i]);
        free(k.keys[i]);
    }
    free(k.keys);
    struct tokenizer *tk = tokenizer_new();
    if (!tk)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t groups = 0, entries = 0;
        if (synonyms_load(w->db, tk, files[i], &groups, &entries, err, sizeof err) != 0) {
            log_err("%s", err);
            rc = -1;
        } else if (w->o->verbose) {
            log_info("synonyms: %s: %zu groups, %zu entries", files[i], groups, entries);
        }
    }
    tokenizer_free(tk);
    if (rc == 0)
        xap_db_set_metadata(w->db, SCHEMA_META_SYNONYMS_HASH, hex, 16);
    return rc;
}

int writer_load_synonyms(struct writer *w, const char *const *files, size_t n)
{
    if (!w->db)
        return 0;
    int rc = load_synonym_files(w, files, n);
    return rc == 0 ? setup_synphrases(w) : rc;
}

int writer_load_concepts(struct writer *w, const char *path)
{
    if (!w->db)
        return 0;
    if (path) {
        struct tokenizer *tk = tokenizer_new();
        char err[512];
        int rc = tk ? concepts_load(path, tk, &w->cs, err, sizeof err) : -1;
        tokenizer_free(tk);
        if (rc != 0) {
            log_err("concepts: %s", tk ? err : "cannot create a tokenizer");
            return -1;
        }
        if (w->o->verbose) {
            size_t terms = 0, n = concepts_count(w->cs, &terms);
            log_info("concepts: %s: %zu descriptors, %zu entry terms", path, n, terms);
        }
    }
    /* Whether every article has the XM terms of this one file
     * (SCHEMA_META_CONCEPTS): yes when this run builds them all; under
     * existing articles only while the file stays the one theirs came
     * from. */
    const char *digest = concepts_digest(w->cs);
    char *made = NULL;
    size_t ml = 0;
    if (xap_db_get_metadata(w->db, SCHEMA_META_CONCEPTS, &made, &ml) != XAP_OK) {
        log_err("%s: cannot read the concepts' metadata: %s", w->path, xap_errmsg());
        return -1;
    }
    int rc = 0;
    if (w->fresh || w->rebuilding) {
        rc = xap_db_set_metadata(w->db, SCHEMA_META_CONCEPTS, digest, strlen(digest)) == XAP_OK ? 0 : -1;
    } else if (ml > 0 && (ml != strlen(digest) || memcmp(made, digest, ml) != 0)) {
        log_warn("%s: the concept file changed (or is not loaded): related articles compare words only "
                 "until indexer --rebuild gives every article the same file's concepts", w->path);
        rc = xap_db_set_metadata(w->db, SCHEMA_META_CONCEPTS, "", 0) == XAP_OK ? 0 : -1;
    } else if (ml == 0 && w->cs && w->o->verbose) {
        log_info("%s: related articles compare words only: the index's articles were not all annotated "
                 "with concepts; indexer --rebuild annotates them", w->path);
    }
    if (rc != 0)
        log_err("%s: cannot write the concepts' metadata: %s", w->path, xap_errmsg());
    free(made);
    return rc;
}

const struct concepts *writer_concepts(const struct writer *w)
{
    return w->cs;
}

/* The generation after `gen` ("DIR/idx-4" -> "DIR/idx-5"). */
static void following_generation(const char *gen, char *buf, size_t cap)
{
    const char *dash = strrchr(gen, '-');
    long n = dash ? strtol(dash + 1, NULL, 10) : 0;
    snprintf(buf, cap, "%.*s-%ld", dash ? (int)(dash - gen) : (int)strlen(gen), gen, n + 1);
}

/* Compact src (merged with the side writers' databases) into the next
 * generation and make that live. optional: a failure is a warning (the
 * caller keeps src live), not an error. */

static int compact_and_swap(struct writer *w, const char *src, int optional)
{
    char dst[4096], err[512];
    const char *srcs[WRITER_MAX_SIDES + 1];
    size_t n = 0;
    double before = 0, t0 = progress_now();
    srcs[n++] = src;
    for (unsigned i = 0; i < w->n_sides; i++)
        srcs[n++] = w->sides[i]->path;
    for (size_t i = 0; i < n; i++)
        before += writer_tree_mb(srcs[i]);
    following_generation(src, dst, sizeof dst);
    indexdir_remove(dst);
    /* the phase after the documents: say what it is, it can take minutes */
    if (n > 1)
        log_info("merging: %zu writers' databases (%.1f MB) into %s", n, before, dst);
    else
        log_info("compacting: %s (%.1f MB)", src, before);
    xap_status st = xap_compact_many(srcs, n, dst);
    if (st != XAP_OK) {
        if (optional)
            log_warn("%s: compaction failed: %s; the live index is unchanged", src, xap_errmsg());
        else
            log_err("%s: compaction failed: %s; the live index is unchanged", src, xap_errmsg());
        indexdir_remove(dst);
        return -1;
    }
    if (indexdir_swap(w->dir, dst, err, sizeof err) != 0) {
        if (optional)
            log_warn("%s; the live index is unchanged", err);
        else
            log_err("%s; the live index is unchanged", err);
        indexdir_remove(dst); /* never live: no leftover copy */
        return -1;
    }
    if (w->rebuilding)
        indexdir_remove(src); /* the uncompacted build: never live */
    snprintf(w->path, sizeof w->path, "%s", dst);
    log_info("%s: %.1f MB before, %.1f MB after, in %.1f s", n > 1 ? "merged" : "compacted", before, writer_tree_mb(dst),
             progress_now() - t0);
    return 0;
}

/* Commit and close the side writers (before the merge reads them). */
static int finish_sides(struct writer *w, struct indexer_stats *st)
{
    int rc = 0;
    for (unsigned i = 0; i < w->n_sides; i++) {
        struct writer *s = w->sides[i];
        if (rc == 0 && writer_commit(s, st) != 0)
            rc = -1;
        if (rc != 0)
            xap_db_cancel(s->db);
        xap_db_close(s->db);
        s->db = NULL;
    }
    return rc;
}

static void drop_sides(struct writer *w)
{
    for (unsigned i = 0; i < w->n_sides; i++)
        side_free(w->sides[i]);
    w->n_sides = 0;
}

int writer_finish(struct writer *w, struct indexer_stats *st)
{
    int rc = 0;
    if (w->db && writer_commit(w, st) != 0)
        rc = -1;
    if (finish_sides(w, st) != 0)
        rc = -1;
    /* Compaction reads the committed database while our writable handle
     * still holds the lock, so nobody writes between compaction and swap. */
    if (rc == 0 && w->db && w->n_sides && !w->rebuilding) {
        /* A first build with side writers: their articles are only in
         * their databases, so the merge is what keeps them, interrupted or
         * not. */
        if (compact_and_swap(w, w->live, 0) != 0) {
            /* As after a kill: the rerun is no first build, and adds the
             * rest with one writer. */
            log_err("%s: the index keeps only the first writer's share of this first build (committed); "
                    "run the same command again to add the rest", w->live);
            rc = -1;
        }
    } else if (rc == 0 && w->db && (w->rebuilding || w->o->compact)) {
        rc = compact_and_swap(w, w->rebuilding ? w->path : w->live, 0);
    } else if (rc == 0 && w->db && w->fresh && st->added > 0 && !indexer_interrupted) {
        /* A first build is compacted too: it is cheap next to the indexing
         * and the index becomes about half its size. Not asked for (and
         * skipped when interrupted: SIGTERM means stop now): the committed
         * index is live already, so a failure (say the disk cannot hold a
         * second copy) costs only the size gain. */
        if (compact_and_swap(w, w->live, 1) != 0)
            log_warn("%s: the new index stays uncompacted (all its documents are committed); "
                     "indexer --compact compacts it later", w->live);
    }
    drop_sides(w);
    /* close() commits what is pending: after a failed commit, throw it
     * away instead of trying again. */
    if (rc != 0 && w->db)
        xap_db_cancel(w->db);
    xap_db_close(w->db);
    w->db = NULL;
    if (rc != 0 && w->rebuilding)
        indexdir_remove(w->path);
    xap_db_close(w->lock);
    w->lock = NULL;
    strmap_free(&w->known);
    strmap_free(&w->seen);
    strmap_free(&w->spell);
    synphrases_free(w->sp);
    concepts_free(w->cs);
    free(w);
    spell_reset();
    docdict_reset();
    return rc;
}

void writer_abort(struct writer *w)
{
    if (!w)
        return;
    drop_sides(w);
    if (w->db) {
        /* Discard what was not committed (close() would commit it): the
         * index stays at its last commit, a committed batch boundary. */
        xap_db_cancel(w->db);
        xap_db_close(w->db);
    }
    if (w->rebuilding)
        indexdir_remove(w->path);
    xap_db_close(w->lock);
    strmap_free(&w->known);
    strmap_free(&w->seen);
    strmap_free(&w->spell);
    synphrases_free(w->sp);
    concepts_free(w->cs);
    free(w);
    spell_reset();
    docdict_reset();
}

/* ---- --stats ---------------------------------------------------------- */

static uint64_t du_total;
static int du_add(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)p;
    (void)f;
    if (flag == FTW_F)
        du_total += (uint64_t)sb->st_blocks * 512;
    return 0;
}

struct count_ctx {
    uint64_t n, total;
};

static int count_word(const char *w, size_t len, uint32_t freq, void *ud)
{
    struct count_ctx *c = ud;
    (void)w, (void)len;
    c->n++;
    c->total += freq;
    return 0;
}

static int count_term(const char *t, size_t len, uint32_t tf, void *ud)
{
    (void)t;
    (void)len;
    (void)tf;
    ((struct count_ctx *)ud)->n++;
    return 0;
}

static int count_key(const char *s, size_t len, void *ud)
{
    (void)s;
    (void)len;
    ((struct count_ctx *)ud)->n++;
    return 0;
}

struct list_ctx {
    size_t plen;
};

static int print_term(const char *t, size_t len, uint32_t tf, void *ud)
{
    struct list_ctx *l = ud;
    printf("  %-24.*s %u\n", (int)(len - l->plen), t + l->plen, tf);
    return 0;
}

double writer_tree_mb(const char *path)
{
    du_total = 0;
    nftw(path, du_add, 16, FTW_PHYS);
    return (double)du_total / 1048576.0;
}

int writer_print_stats(const char *dbdir)
{
    char live[4096], err[512];
    if (indexdir_live(dbdir, 0, live, sizeof live, err, sizeof err) != 0) {
        log_err("%s", err);
        return EXIT_INDEX;
    }
    xap_db *db = NULL;
    xap_status st = xap_db_open(dbdir, XAP_DB_READONLY, &db);
    if (st != XAP_OK) {
        report_open_error(dbdir, st);
        return EXIT_INDEX;
    }
    uint32_t docs = 0;
    uint64_t rev = 0;
    double avlen = 0;
    xap_db_doccount(db, &docs);
    xap_db_revision(db, &rev);
    xap_db_avlength(db, &avlen);
    struct count_ctx all = { 0 }, syn = { 0 }, spell = { 0 };
    xap_db_allterms(db, "", count_term, &all);
    xap_db_synonym_keys(db, "", count_key, &syn);
    xap_db_spelling_words(db, count_word, &spell);
    double mb = writer_tree_mb(live);
    printf("index:       %s (live: %s)\n", dbdir, live);
    printf("documents:   %u\n", docs);
    printf("terms:       %llu distinct\n", (unsigned long long)all.n);
    printf("avg length:  %.1f terms per document\n", avlen);
    printf("revision:    %llu\n", (unsigned long long)rev);
    /* Whether searchd can match the table's phrases as XY terms (schema.h). */
    struct count_ctx xy = { 0 };
    xap_db_allterms(db, PFX_SYNPHRASE, count_term, &xy);
    char *made = NULL, *hash = NULL;
    size_t ml = 0, hl = 0;
    xap_db_get_metadata(db, SCHEMA_META_SYNPHRASES, &made, &ml);
    xap_db_get_metadata(db, SCHEMA_META_SYNONYMS_HASH, &hash, &hl);
    int as_terms = schema_synphrases_hold(made, ml, hash, hl);
    free(made);
    free(hash);
    if (syn.n == 0)
        printf("synonyms:    0 keys\n");
    else
        printf("synonyms:    %llu keys; %llu phrases found in articles, %s\n", (unsigned long long)syn.n,
               (unsigned long long)xy.n,
               as_terms ? "matched as terms" : "matched by positions (indexer --rebuild makes them terms)");
    /* Whether related articles compare the articles' concepts (schema.h). */
    struct count_ctx xm = { 0 };
    xap_db_allterms(db, PFX_CONCEPT, count_word, &xm);
    char *cmade = NULL;
    size_t cl = 0;
    xap_db_get_metadata(db, SCHEMA_META_CONCEPTS, &cmade, &cl);
    free(cmade);
    printf("concepts:    %llu distinct, %llu article-concept pairs, %s\n", (unsigned long long)xm.n,
           (unsigned long long)xm.total,
           cl ? "compared by related articles"
              : xm.n ? "not compared (articles annotated with other files: indexer --rebuild)" : "none");
    printf("spelling:    %llu words, %llu occurrences\n", (unsigned long long)spell.n,
           (unsigned long long)spell.total);
    printf("size:        %.2f MB\n", mb);
    struct list_ctx l = { strlen(PFX_LANG) };
    printf("languages:\n");
    xap_db_allterms(db, PFX_LANG, print_term, &l);
    l.plen = strlen(PFX_CATEGORY);
    printf("categories:\n");
    xap_db_allterms(db, PFX_CATEGORY, print_term, &l);
    xap_db_close(db);
    return EXIT_DONE;
}
