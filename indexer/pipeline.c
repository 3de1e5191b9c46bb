/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline.c: the threads of a run.
 *
 *   walker --files--> N readers --articles--> N builders --docs--> writer(s)
 *
 * Readers parse files (one big JSONL file is one reader's job, so parsing
 * is kept apart from the expensive part); builders skip unchanged
 * articles by their content hash and tokenize the rest into Xapian
 * documents; the main writer (the caller's thread) owns the database. A
 * first build or a rebuild also has side writers (writer.c), one thread
 * each, and a document goes to the writer its id hashes to, so the same
 * id always meets the same writer. Every queue is bounded, so memory
 * stays flat whatever the input size.
 */
#include "indexer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grow.h"
#include "input.h"
#include "log.h"
#include "schema.h"
#include "queue.h"
#include "termgen.h"

struct job {
    char *path;
    char *root;
    unsigned seq; /* input order */
};

struct spell_word {
    char *word;
    uint32_t count;
};

struct item {
    char id_term[SCHEMA_MAX_TERM + 1];
    xap_doc *doc;
    uint64_t hash;
    uint64_t order; /* file seq << 32 | line: which of a duplicated id wins */
    struct spell_word *words;
    size_t n_words;
    char *where; /* file:line, for messages */
};

struct run {
    const struct indexer_opts *o;
    struct indexer_stats *st;
    struct strmap *known;
    struct queue files, articles;
    struct queue docs[WRITER_MAX_SIDES + 1]; /* one per writer */
    unsigned n_writers;
    pthread_mutex_t mu;   /* live_readers, live_builders */
    unsigned live_readers, live_builders;
    atomic_int failed;    /* a writer gave up: stop everything */
    /* Ids met in this run: Q term -> order of the copy that is kept
     * (u64), for duplicates; the files by seq, for their messages. */
    pthread_mutex_t ids_mu;
    struct strmap ids;
    char **paths;
    size_t n_paths, cap_paths;
};

/* A side writer's thread. */
struct side {
    struct run *run;
    struct writer *w;
    struct queue *q;
    int rc;
};

struct worker {
    struct run *run;
    unsigned seq;         /* a reader's current file */
    uint64_t file_done;   /* of it, bytes counted in in_done */
    struct termgen *tg;
    struct strmap spell;  /* words of the current article */
};

/* Routing a document to a writer: not SCHEMA_HASH_SEED, which --shard
 * uses (within one shard every id has the same hash modulo N). */
#define WRITER_ROUTE_SEED 0x9e3779b97f4a7c15ULL

#define ADD(field, n) __atomic_fetch_add(&st->field, (n), __ATOMIC_RELAXED)

static void item_free(struct item *it)
{
    if (!it)
        return;
    xap_doc_free(it->doc);
    for (size_t i = 0; i < it->n_words; i++)
        free(it->words[i].word);
    free(it->words);
    free(it->where);
    free(it);
}

static void spell_cb(const char *word, size_t len, void *ud)
{
    struct worker *w = ud;
    struct strmap_entry *e = strmap_put(&w->spell, word, len, NULL);
    if (e)
        e->u32++;
}

static int in_shard(const struct indexer_opts *o, const char *id)
{
    if (o->shard_n == 0)
        return 1;
    uint64_t h = schema_hash(id, strlen(id), SCHEMA_HASH_SEED);
    return h % o->shard_n == o->shard_k - 1;
}

/* Reader side: hand the article over to the builders. */
static int on_article(struct article *a, void *ud)
{
    struct worker *w = ud;
    struct run *r = w->run;
    a->file_seq = w->seq;
    __atomic_fetch_add(&r->st->parsed, 1, __ATOMIC_RELAXED);
    if (queue_push(&r->articles, a) != 0) {
        article_free(a);
        return 1;
    }
    return indexer_interrupted || r->failed;
}

static uint64_t order_of(const struct article *a)
{
    return (uint64_t)a->file_seq << 32 | (uint32_t)(a->line > 0 ? a->line : 0);
}

/* "file:line" of an order, for messages (into buf). */
static const char *where_of(struct run *r, uint64_t order, char *buf, size_t cap)
{
    unsigned seq = (unsigned)(order >> 32);
    long line = (long)(order & 0xffffffffu);
    const char *path = seq < r->n_paths ? r->paths[seq] : "?";
    if (line)
        snprintf(buf, cap, "%s:%ld", path, line);
    else
        snprintf(buf, cap, "%s", path);
    return buf;
}

/* Record the id of a; returns 1 when a is kept (for now: a later copy
 * may still win), 0 when it loses to a copy already met. Each duplicate is
 * reported with both places and counted; *dup = 1 when the id was met
 * before. */
static int claim_id(struct run *r, const char *id_term, const struct article *a, int *dup)
{
    struct indexer_stats *st = r->st;
    uint64_t ord = order_of(a);
    int created = 0, keep = 1;
    char here[600], there[600];
    pthread_mutex_lock(&r->ids_mu);
    struct strmap_entry *e = strmap_put(&r->ids, id_term, strlen(id_term), &created);
    *dup = e && !created;
    if (e && created) {
        e->u64 = ord;
    } else if (e) {
        uint64_t other = e->u64;
        int later = ord > other;
        /* last: the copy later in input order; first and error: the earlier */
        keep = r->o->duplicates == DUP_LAST ? later : !later;
        if (keep)
            e->u64 = ord;
        where_of(r, ord, here, sizeof here);
        where_of(r, other, there, sizeof there);
        const char *first = later ? there : here, *second = later ? here : there;
        ADD(duplicates, 1);
        if (r->o->duplicates == DUP_ERROR) {
            ADD(failed, 1);
            log_warn("%s: duplicate id '%s' (first at %s): an error (--duplicates=error); the first is kept", second,
                     a->id, first);
        } else {
            log_warn("%s: duplicate id '%s' (also at %s): the %s is kept (--duplicates=%s)", second, a->id, first,
                     r->o->duplicates == DUP_LAST ? "last" : "first", r->o->duplicates == DUP_LAST ? "last" : "first");
        }
    }
    pthread_mutex_unlock(&r->ids_mu);
    return keep;
}

/* Writer side: is this document still the kept copy of its id? (A copy
 * queued before a later one won is dropped here.) */
static int still_kept(struct run *r, const struct item *it)
{
    pthread_mutex_lock(&r->ids_mu);
    struct strmap_entry *e = strmap_get(&r->ids, it->id_term, strlen(it->id_term));
    int kept = !e || e->u64 == it->order;
    pthread_mutex_unlock(&r->ids_mu);
    return kept;
}

/* Builder side: skip, or tokenize into a document for the writer. */
static void build_article(struct worker *w, struct article *a)
{
    struct run *r = w->run;
    struct indexer_stats *st = r->st;
    ADD(articles, 1);
    ADD(bytes, (a->title ? strlen(a->title) : 0) + (a->body ? strlen(a->body) : 0));
    if (!in_shard(r->o, a->id)) {
        ADD(skipped_shard, 1);
        article_free(a);
        return;
    }
    struct item *it = calloc(1, sizeof *it);
    if (!it) {
        article_free(a);
        ADD(failed, 1);
        return;
    }
    schema_id_term(it->id_term, a->id);
    it->order = order_of(a);
    int again;
    if (!claim_id(r, it->id_term, a, &again)) {
        free(it);
        article_free(a);
        return;
    }
    uint64_t h = termgen_content_hash(a);
    struct strmap_entry *k = strmap_get(r->known, it->id_term, strlen(it->id_term));
    /* The kept copy of an id met twice is never skipped as unchanged: the
     * other copy may have been written. */
    if (k && k->u64 == h && !again && !r->o->rebuild) {
        ADD(unchanged, 1);
        free(it);
        article_free(a);
        return;
    }
    char where[512];
    snprintf(where, sizeof where, "%s:%ld", a->source ? a->source : "?", a->line);
    it->where = strdup(where);
    if (termgen_document(w->tg, a, &it->doc, &it->hash, spell_cb, w) != 0) {
        log_warn("%s: article %s could not be indexed", where, a->id);
        ADD(failed, 1);
        strmap_free(&w->spell);
        item_free(it);
        article_free(a);
        return;
    }
    article_free(a);
    if (w->spell.len) {
        it->words = calloc(w->spell.len, sizeof *it->words);
        for (size_t i = 0; it->words && i < w->spell.cap; i++)
            if (w->spell.slots[i].key) {
                it->words[it->n_words].word = w->spell.slots[i].key;
                it->words[it->n_words++].count = w->spell.slots[i].u32;
                w->spell.slots[i].key = NULL; /* moved */
            }
    }
    strmap_free(&w->spell);
    unsigned to = 0;
    if (r->n_writers > 1)
        to = (unsigned)(schema_hash(it->id_term, strlen(it->id_term), WRITER_ROUTE_SEED) % r->n_writers);
    if (queue_push(&r->docs[to], it) != 0)
        item_free(it);
}

/* A writer's loop: put every document of q. Returns 0, or -1 when the
 * writer failed (disk full, lost lock...): then producers are stopped and
 * q is drained. */
static int write_docs(struct run *r, struct writer *w, struct queue *q, int progress)
{
    int rc = 0;
    struct item *it;
    while ((it = queue_pop(q))) {
        if (!r->failed && still_kept(r, it)) {
            if (writer_put(w, it->id_term, it->doc, it->hash, r->st) != 0) {
                r->failed = 1;
                queue_close(&r->files);
                queue_close(&r->articles);
                rc = -1;
            } else {
                for (size_t i = 0; i < it->n_words; i++)
                    writer_add_spelling(w, it->words[i].word, strlen(it->words[i].word), it->words[i].count);
            }
        }
        if (progress)
            progress_update(r->st, it->where, 0);
        item_free(it);
    }
    return rc;
}

static void *side_main(void *arg)
{
    struct side *s = arg;
    if (write_docs(s->run, s->w, s->q, 0) != 0)
        s->rc = EXIT_INDEX;
    return NULL;
}

static void on_error(const char *file, long line, enum input_status s, int fatal, const char *reason, void *ud)
{
    struct worker *w = ud;
    struct indexer_stats *st = w->run->st;
    if (line > 0)
        log_warn("%s:%ld: %s", file, line, reason);
    else
        log_warn("%s: %s", file, reason);
    if (fatal)
        ADD(files_failed, 1);
    else if (s != INPUT_ERR_ENCODING)
        ADD(failed, 1);
}

static void on_charset(const char *file, const char *charset, const char *how, void *ud)
{
    struct worker *w = ud;
    struct indexer_stats *st = w->run->st;
    if (w->run->o->verbose)
        log_info("%s: read as %s (%s)", file, charset, how);
    pthread_mutex_lock(&w->run->mu);
    unsigned i = 0;
    while (i < st->n_charsets && strcmp(st->charsets[i].name, charset) != 0)
        i++;
    if (i == st->n_charsets && i < sizeof st->charsets / sizeof st->charsets[0]) {
        snprintf(st->charsets[i].name, sizeof st->charsets[i].name, "%s", charset);
        st->n_charsets++;
    } else if (i == st->n_charsets) {
        i--; /* the last slot counts the rest */
        snprintf(st->charsets[i].name, sizeof st->charsets[i].name, "other encodings");
    }
    st->charsets[i].files++;
    pthread_mutex_unlock(&w->run->mu);
}

static void on_progress(unsigned long long pos, void *ud)
{
    struct worker *w = ud;
    struct indexer_stats *st = w->run->st;
    if (pos > w->file_done) {
        ADD(in_done, pos - w->file_done);
        w->file_done = pos;
    }
}

static void *builder_main(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->run;
    struct article *a;
    while ((a = queue_pop(&r->articles))) {
        if (indexer_interrupted || r->failed)
            article_free(a);
        else
            build_article(w, a);
    }
    pthread_mutex_lock(&r->mu);
    if (--r->live_builders == 0) /* the last builder tells the writers they are done */
        for (unsigned i = 0; i < r->n_writers; i++)
            queue_close(&r->docs[i]);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static void *reader_main(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->run;
    struct job *job;
    while ((job = queue_pop(&r->files))) {
        if (!indexer_interrupted && !r->failed) {
            w->seq = job->seq;
            w->file_done = 0;
            struct input_opts io = { .format = INPUT_AUTO, .root = job->root, .max_bytes = r->o->max_file_bytes,
                                     .on_charset = on_charset, .stdin_id = r->o->stdin_id,
                                     .on_progress = on_progress,
                                     .url_template = r->o->url_template };
            __atomic_fetch_add(&r->st->files, 1, __ATOMIC_RELAXED);
            input_parse_file(job->path, &io, on_article, on_error, w);
            struct stat sb;
            if (strcmp(job->path, "-") != 0 && stat(job->path, &sb) == 0)
                on_progress((unsigned long long)sb.st_size, w);
        }
        free(job->path);
        free(job->root);
        free(job);
    }
    pthread_mutex_lock(&r->mu);
    if (--r->live_readers == 0)
        queue_close(&r->articles);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static int walk_cb_push(const char *path, const char *root, void *ud)
{
    struct run *r = ud;
    struct job *job = calloc(1, sizeof *job);
    if (!job)
        return 1;
    job->path = strdup(path);
    job->root = root ? strdup(root) : NULL;
    pthread_mutex_lock(&r->ids_mu);
    char *copy = GROW(r->paths, r->cap_paths, r->n_paths + 1, 256) == 0 ? strdup(path) : NULL;
    if (copy)
        r->paths[r->n_paths] = copy;
    job->seq = (unsigned)r->n_paths;
    r->n_paths += copy != NULL;
    pthread_mutex_unlock(&r->ids_mu);
    if (!copy || !job->path || queue_push(&r->files, job) != 0) {
        free(job->path);
        free(job->root);
        free(job);
        return 1;
    }
    return indexer_interrupted || r->failed;
}

static void walk_err(const char *path, const char *reason, void *ud)
{
    struct run *r = ud;
    log_warn("%s: %s", path, reason);
    __atomic_fetch_add(&r->st->files_failed, 1, __ATOMIC_RELAXED);
}

static void *walker_main(void *arg)
{
    struct run *r = arg;
    walk_inputs(r->o->inputs, r->o->n_inputs, walk_cb_push, walk_err, r);
    queue_close(&r->files);
    return NULL;
}

/* Side writers pay for themselves on a big first build only (on a small
 * one the merge and the threads cost more than they save, and the merge
 * needs room for a second copy): the input must hold at least
 * BULK_MIN_BYTES, a compressed file counting 4 times its size, standard
 * input counting as big. */
#define BULK_MIN_BYTES (1u << 20)

struct size_ctx {
    uint64_t bytes;
};

static int add_size(const char *path, const char *root, void *ud)
{
    struct size_ctx *c = ud;
    struct stat sb;
    (void)root;
    if (strcmp(path, "-") == 0)
        c->bytes += BULK_MIN_BYTES;
    else if (stat(path, &sb) == 0)
        c->bytes += (uint64_t)sb.st_size * (walk_is_gz(path) ? 4 : 1);
    return c->bytes >= BULK_MIN_BYTES; /* enough: stop walking */
}

static void no_walk_err(const char *path, const char *reason, void *ud)
{
    (void)path, (void)reason, (void)ud; /* the real walk reports it */
}

struct total_ctx {
    uint64_t bytes;
    int unknown; /* standard input */
};

static int add_total(const char *path, const char *root, void *ud)
{
    struct total_ctx *c = ud;
    struct stat sb;
    (void)root;
    if (strcmp(path, "-") == 0)
        c->unknown = 1;
    else if (stat(path, &sb) == 0)
        c->bytes += (uint64_t)sb.st_size;
    return 0;
}

static int big_input(const struct indexer_opts *o)
{
    struct size_ctx c = { 0 };
    walk_inputs(o->inputs, o->n_inputs, add_size, no_walk_err, &c);
    return c.bytes >= BULK_MIN_BYTES;
}

int pipeline_run(const struct indexer_opts *o, struct writer *wr, struct indexer_stats *st)
{
    struct run r = { .o = o, .st = st, .known = writer_known(wr) };
    if (!o->quiet) {
        /* the total for the progress line's percentage and ETA */
        struct total_ctx tc = { 0, 0 };
        walk_inputs(o->inputs, o->n_inputs, add_total, no_walk_err, &tc);
        st->in_total = tc.unknown ? 0 : tc.bytes;
    }
    unsigned n = o->threads ? o->threads : 1;
    r.n_writers = n > 1 && big_input(o) ? writer_open_sides(wr, n) : 1;
    if (r.n_writers > 1)
        log_info("%s: a first build: %u writers, merged at the end", writer_path(wr), r.n_writers);
    struct side sides[WRITER_MAX_SIDES + 1];
    pthread_t side_tids[WRITER_MAX_SIDES + 1];
    int qfail = queue_init(&r.files, 4096) != 0 || queue_init(&r.articles, 64 * n) != 0;
    for (unsigned i = 0; i < r.n_writers; i++)
        qfail |= queue_init(&r.docs[i], 64 * n / r.n_writers + 16) != 0;
    if (qfail) {
        log_err("out of memory");
        return EXIT_INDEX;
    }
    pthread_mutex_init(&r.mu, NULL);
    pthread_mutex_init(&r.ids_mu, NULL);
    strmap_init(&r.ids);
    /* workers[0..n): builders (with a termgen); workers[n..2n): readers */
    struct worker *workers = calloc(2 * n, sizeof *workers);
    pthread_t *tids = calloc(2 * n, sizeof *tids);
    pthread_t walker;
    int rc = EXIT_DONE;
    if (!workers || !tids) {
        log_err("out of memory");
        rc = EXIT_INDEX;
        goto out;
    }
    for (unsigned i = 0; i < 2 * n; i++) {
        workers[i].run = &r;
        strmap_init(&workers[i].spell);
    }
    for (unsigned i = 0; i < n; i++) {
        workers[i].tg = termgen_new();
        if (!workers[i].tg) {
            log_err("cannot create a tokenizer (ICU data missing?)");
            rc = EXIT_INDEX;
            goto out;
        }
        termgen_set_synphrases(workers[i].tg, writer_synphrases(wr));
        termgen_set_concepts(workers[i].tg, writer_concepts(wr));
    }
    r.live_readers = n;
    r.live_builders = n;
    /* Start the consumers before their producers: the side writers, the
     * builders, the readers, then the walker. So no thread can end before
     * the next one is started (each waits for its producer to finish),
     * and the number of live threads is known at every step (the test's
     * RLIMIT_NPROC relies on it). When a thread cannot start, none after
     * it is started, the run fails (r.failed stops the others early) and
     * the exit bookkeeping of every thread not started is done here, so
     * the queues still close in order and every started thread ends. */
    unsigned sides_up = 1, readers_up = 0, builders_up = 0;
    int walker_up = 0, err = 0;
    for (; sides_up < r.n_writers && !err; sides_up++) {
        sides[sides_up] = (struct side){ &r, writer_side(wr, sides_up), &r.docs[sides_up], EXIT_DONE };
        if ((err = pthread_create(&side_tids[sides_up], NULL, side_main, &sides[sides_up])) != 0)
            break;
    }
    for (; builders_up < n && !err; builders_up++)
        if ((err = pthread_create(&tids[builders_up], NULL, builder_main, &workers[builders_up])) != 0)
            break;
    for (; readers_up < n && !err; readers_up++)
        if ((err = pthread_create(&tids[n + readers_up], NULL, reader_main, &workers[n + readers_up])) != 0)
            break;
    if (!err)
        walker_up = (err = pthread_create(&walker, NULL, walker_main, &r)) == 0;
    if (err) {
        log_err("cannot start a thread: %s", strerror(err));
        rc = EXIT_INDEX;
        r.failed = 1;
        if (!walker_up)
            queue_close(&r.files);
        pthread_mutex_lock(&r.mu);
        r.live_readers -= n - readers_up;
        if (r.live_readers == 0)
            queue_close(&r.articles);
        r.live_builders -= n - builders_up;
        if (r.live_builders == 0)
            for (unsigned i = 0; i < r.n_writers; i++)
                queue_close(&r.docs[i]);
        pthread_mutex_unlock(&r.mu);
    }
    if (write_docs(&r, wr, &r.docs[0], 1) != 0)
        rc = EXIT_INDEX;
    progress_update(st, NULL, 1); /* where reading ended (100 % unless stopped) */
    if (walker_up)
        pthread_join(walker, NULL);
    for (unsigned i = 0; i < readers_up; i++)
        pthread_join(tids[n + i], NULL);
    for (unsigned i = 0; i < builders_up; i++)
        pthread_join(tids[i], NULL);
    for (unsigned i = 1; i < sides_up; i++) {
        pthread_join(side_tids[i], NULL);
        if (sides[i].rc != EXIT_DONE)
            rc = sides[i].rc;
    }
    /* Jobs left behind by an interrupted walk. */
    struct job *job;
    queue_close(&r.files);
    while ((job = queue_pop(&r.files))) {
        free(job->path);
        free(job->root);
        free(job);
    }
    struct article *a;
    queue_close(&r.articles);
    while ((a = queue_pop(&r.articles)))
        article_free(a);
out:
    if (workers)
        for (unsigned i = 0; i < 2 * n; i++) {
            termgen_free(workers[i].tg);
            strmap_free(&workers[i].spell);
        }
    free(workers);
    free(tids);
    queue_destroy(&r.files);
    queue_destroy(&r.articles);
    for (unsigned i = 0; i < r.n_writers; i++)
        queue_destroy(&r.docs[i]);
    pthread_mutex_destroy(&r.mu);
    pthread_mutex_destroy(&r.ids_mu);
    strmap_free(&r.ids);
    for (size_t i = 0; i < r.n_paths; i++)
        free(r.paths[i]);
    free(r.paths);
    return rc;
}
