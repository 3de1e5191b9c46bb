/* SPDX-License-Identifier: GPL-2.0-or-later */
/* indexer: the batch indexing run, shared by the indexer's files.
 *
 *   walk.c      inputs (files, directories, "-") -> file jobs
 *   pipeline.c  worker threads: parse + tokenize -> documents; the writer
 *               loop on the calling thread, through a bounded queue
 *   writer.c    everything that touches the Xapian database
 *   progress.c  the progress line and the final summary
 *   main.c      command line
 */
#ifndef MEDSEARCH_INDEXER_H
#define MEDSEARCH_INDEXER_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "strmap.h"
#include "xap.h"

/* Exit statuses (documented in the README and --help). */
enum {
    EXIT_DONE = 0,       /* all inputs indexed */
    EXIT_INPUT_ERRORS = 1, /* finished, but some inputs failed (or interrupted) */
    EXIT_USAGE = 2,      /* usage or configuration error */
    EXIT_INDEX = 3       /* the index could not be opened or written */
};

struct indexer_opts {
    const char *db;
    char **inputs;
    size_t n_inputs;
    unsigned threads;
    unsigned commit_every;
    int quiet, verbose, dry_run, prune, rebuild, compact, stats;
    char **deletes;
    size_t n_deletes;
    unsigned shard_k, shard_n; /* shard_n == 0: no sharding; k in 1..n */
    const char **synonyms;     /* synonym files, in load order */
    size_t n_synonyms;
    const char *concepts;      /* concept file (concepts.h), or NULL: none */
    size_t max_file_bytes;
    enum { DUP_LAST, DUP_FIRST, DUP_ERROR } duplicates; /* which of an id met twice is kept */
    const char *stdin_id;      /* the id of an article on standard input that has none */
    const char *url_template;  /* URLs of articles without one (urltemplate.h) */
};

struct indexer_stats {
    uint64_t files, files_failed, articles, added, updated, unchanged, deleted, failed, skipped_shard,
        duplicates; /* articles whose id an earlier one in this run had */
    uint64_t bytes;        /* input text read (uncompressed) */
    uint64_t commits;
    uint64_t in_total;     /* bytes of the input files on disk (0: unknown, e.g. stdin) */
    uint64_t in_done;      /* of those, read so far */
    uint64_t parsed;       /* articles the readers handed over (articles: built) */
    double started;        /* monotonic seconds */
    /* files read from another encoding than UTF-8, by encoding (the
     * pipeline's readers add under its lock) */
    struct { char name[32]; uint64_t files; } charsets[8];
    unsigned n_charsets;
};

/* Set by SIGINT/SIGTERM, read by every thread: a lock-free atomic (safe
 * in a signal handler, and no data race between threads). */
extern atomic_int indexer_interrupted;

/* walk.c: call cb(path, root, ud) for every input file, recursively for
 * directories (hidden entries skipped, symlink loops detected). "-" is
 * passed through. Problems (unreadable directory) are reported through
 * err and counted. cb returns non-zero to stop. */
typedef int (*walk_cb)(const char *path, const char *root, void *ud);
typedef void (*walk_err_cb)(const char *path, const char *reason, void *ud);
int walk_inputs(char *const *inputs, size_t n, walk_cb cb, walk_err_cb err, void *ud);
/* Does the file name end in ".gz"? */
int walk_is_gz(const char *name);

/* writer.c */
struct writer;
/* Open (or create) the database that this run writes: the live one, or a
 * fresh generation for --rebuild. Returns NULL (reason printed) on failure;
 * *status gets the exit status to use. */
struct writer *writer_open(const struct indexer_opts *o, int *status /* OUT */);
/* The known articles (id term -> content hash) for skip-unchanged. Read-only
 * while workers run, but for the entries' mark (atomic: "met in this run"). */
struct strmap *writer_known(struct writer *w);
/* Add or replace one document; id_term is its Q term. Returns 0 or -1
 * (reason printed; the run should stop with EXIT_INDEX). */
int writer_put(struct writer *w, const char *id_term, xap_doc *doc, uint64_t hash, struct indexer_stats *st);
void writer_add_spelling(struct writer *w, const char *word, size_t len, uint32_t count);
/* A first build or a rebuild can spread its documents over `want` writers
 * (one thread each): the main one and side writers, merged into the next
 * generation by writer_finish. Returns how many there are (1: the main
 * writer only, e.g. when the index was not empty). */
#define WRITER_MAX_SIDES 7
unsigned writer_open_sides(struct writer *w, unsigned want);
/* Writer k of writer_open_sides (0: w itself). writer_put, writer_add_spelling
 * and writer_commit work on each; each is used by one thread. */
struct writer *writer_side(struct writer *w, unsigned k);
int writer_commit(struct writer *w, struct indexer_stats *st);
int writer_delete_ids(struct writer *w, char *const *ids, size_t n, struct indexer_stats *st);
/* Remove documents whose source file under one of the roots is gone. */
int writer_prune(struct writer *w, char *const *roots, size_t n, struct indexer_stats *st);
/* Load the synonym files into the index's table (unless unchanged), then
 * take its phrases for the XY terms (schema.h) and record whether every
 * article has them. Returns 0 or -1 (reason printed). */
int writer_load_synonyms(struct writer *w, const char *const *files, size_t n);
/* The synonym phrases of the table (synphrase.h) for the termgens; NULL:
 * none (or before writer_load_synonyms). */
struct synphrases;
const struct synphrases *writer_synphrases(const struct writer *w);
/* Load the concept file (concepts.h; NULL: none) for the XM terms and
 * record whether every article has that file's concepts
 * (SCHEMA_META_CONCEPTS). Returns 0 or -1 (reason printed). */
int writer_load_concepts(struct writer *w, const char *path);
/* The concepts for the termgens; NULL: none. */
struct concepts;
const struct concepts *writer_concepts(const struct writer *w);
/* Commit, compact/swap for --rebuild/--compact, close. Returns 0 or -1. */
int writer_finish(struct writer *w, struct indexer_stats *st);
/* Close without finishing (interrupted rebuild: the live index is untouched). */
void writer_abort(struct writer *w);
/* The path of the database written, for messages. */
const char *writer_path(const struct writer *w);

/* Disk use of the files under path, in MB (st_blocks, as du counts). */
double writer_tree_mb(const char *path);
/* Print what the index at db holds (--stats). Returns an exit status. */
int writer_print_stats(const char *db);

/* dictionary.c: write dir afresh from the spelling and synonym tables of
 * the shards (for searchd --dictionary). Returns an exit status. */
int dictionary_build(const char *dir, char *const *shards, size_t n);

/* pipeline.c: the whole run over the inputs. Returns an exit status. */
int pipeline_run(const struct indexer_opts *o, struct writer *w, struct indexer_stats *st);

/* progress.c */
void progress_init(int quiet);
void progress_update(const struct indexer_stats *st, const char *current, int force);
void progress_done(void);
void progress_summary(const struct indexer_stats *st, const char *db, double index_mb, int dry_run);
double progress_now(void);

#endif
