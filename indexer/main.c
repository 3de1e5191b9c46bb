/* SPDX-License-Identifier: GPL-2.0-or-later */
/* indexer: scraped articles -> the Xapian index. See indexer.h for the
 * parts and the README for the behaviour people rely on. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "concepts.h"
#include "config.h"
#include "indexer.h"
#include "urltemplate.h"
#include "log.h"
#include "xap.h"

atomic_int indexer_interrupted;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the signal handler needs a lock-free atomic_int");

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&indexer_interrupted, 1);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: indexer --db DIR [options] INPUT...\n"
            "       indexer --db DIR --delete ID... | --stats\n"
            "       indexer --dictionary DIR SHARD...\n"
            "\n"
            "Index scraped articles (.txt scraped layout, .jsonl, .html/.htm; each may be\n"
            "gzip-compressed) into the Xapian index DIR. INPUT is a file, a directory\n"
            "(walked recursively; hidden entries skipped) or - for standard input.\n"
            "Articles whose content did not change since the last run are skipped.\n"
            "\n"
            "options:\n"
            "  --db DIR            the index directory (created when missing)\n"
            "  --config FILE       read defaults from FILE ([index] section: db, threads,\n"
            "                      commit_every, synonyms, concepts); flags override it. Default:\n"
            "                      $MEDSEARCH_CONFIG when set\n"
            "  --threads N         parser/tokenizer threads, 0..1024 (default 0: one per\n"
            "                      core; the same values as [index] threads); a first\n"
            "                      build or --rebuild of 1 MB or more also has N writers\n"
            "  --commit-every N    commit every N documents (default 2000); a crash loses at\n"
            "                      most the uncommitted batch, and a rerun finishes the job\n"
            "  --rebuild           build a fresh index beside the live one, compact it and\n"
            "                      swap it in atomically (searchd keeps serving the old one)\n"
            "  --compact           compact the index (also done by --rebuild) and swap it in\n"
            "  --prune             remove articles whose source file under INPUT is gone\n"
            "  --delete ID         remove the article ID (repeatable; ids as indexed)\n"
            "  --shard K/N         index only the articles whose id hashes to shard K of N (1..N)\n"
            "  --synonyms FILE     synonym file to load (repeatable; default: the shipped\n"
            "                      medical lists data/synonyms.txt and data/lay-synonyms.txt);\n"
            "                      --synonyms none loads nothing\n"
            "  --concepts FILE     MeSH concepts found in articles for related articles\n"
            "                      (default: the shipped data/mesh-concepts.tsv.gz; --concepts\n"
            "                      none: no concepts)\n"
            "  --dictionary DIR    write DIR afresh with only the spelling and synonym tables\n"
            "                      of the SHARD directories (summed), for searchd --dictionary\n"
            "                      over remote shards (Xapian's remote backend serves neither)\n"
            "  --dry-run           parse and report, write nothing\n"
            "  --stats             print what the index holds and exit\n"
            "  --max-file-mb N     refuse input files larger than N MB uncompressed (default 256)\n"
            "  --duplicates=last|first|error\n"
            "                      an id met twice in one run (two roots, a JSONL file): each\n"
            "                      duplicate is reported with both places and counted; keep\n"
            "                      the last in input order (default), the first, or keep the\n"
            "                      first and count it as a failed record (exit status 1)\n"
            "  --stdin-id ID       the id of an article on standard input (-) that has no id\n"
            "                      of its own (JSONL \"id\", URL); JSONL lines get ID#LINE.\n"
            "                      Without it such an article is refused, never given id -\n"
            "  --url-template T    URL of an article without one, e.g. https://example.org/{stem}\n"
            "                      ({path}, {stem}, {id}; [index] url_template)\n"
            "  --quiet, -q         no progress and no summary (warnings still go to stderr)\n"
            "  --verbose, -v       more detail\n"
            "  --help, --version\n"
            "\n"
            "exit status: 0 all inputs indexed; 1 finished but some inputs failed (or the run\n"
            "was interrupted by SIGINT/SIGTERM after committing what was done; a second\n"
            "signal stops at once, the index keeping its last commit); 2 usage or\n"
            "configuration error; 3 the index could not be opened or written (locked by\n"
            "another indexer, disk full, ...). A second indexer on a locked index fails at\n"
            "once with exit status 3; it never waits and never corrupts.\n");
}

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* The directories of the shipped data files: data/ beside the binary's
 * checkout (build/../data), else the installed data dir beside the
 * installed binary (PREFIX/bin/../share/medsearch), else the system's: no
 * install path is compiled in. */
static void data_dirs(char base[PATH_MAX + 16], char inst[PATH_MAX + 32], const char *dirs[3])
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    dirs[0] = dirs[1] = NULL;
    dirs[2] = "/usr/share/medsearch";
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(base, PATH_MAX + 16, "%s/../data", exe);
            snprintf(inst, PATH_MAX + 32, "%s/../share/medsearch", exe);
            dirs[0] = base;
            dirs[1] = inst;
        }
    }
}

/* Is dir/name readable? Its path in buf either way. */
static int data_file(char buf[PATH_MAX], const char *dir, const char *name)
{
    snprintf(buf, PATH_MAX, "%s/%s", dir, name);
    return access(buf, R_OK) == 0;
}

static void default_synonyms(struct indexer_opts *o, const char **files)
{
    static char a[PATH_MAX], b[PATH_MAX];
    char base[PATH_MAX + 16], inst[PATH_MAX + 32];
    const char *dirs[3];
    data_dirs(base, inst, dirs);
    for (int i = 0; i < 3; i++) {
        size_t k = 0;
        if (dirs[i] && data_file(a, dirs[i], "synonyms.txt"))
            files[k++] = a;
        if (dirs[i] && data_file(b, dirs[i], "lay-synonyms.txt"))
            files[k++] = b;
        if (k) {
            o->synonyms = files;
            o->n_synonyms = k;
            return;
        }
    }
    /* A copied binary must not lose the synonyms without a word. */
    log_warn("no synonym files (synonyms.txt, lay-synonyms.txt) in %s, %s or %s: the index's synonym table "
             "stays as it is (none in a new index); name them with --synonyms FILE, or say --synonyms none",
             dirs[0] ? dirs[0] : "-", dirs[1] ? dirs[1] : "-", dirs[2]);
}

/* The shipped concept file (data/mesh-concepts.tsv.gz), found as the
 * synonym files are; NULL with a warning when there is none. */
static const char *default_concepts(void)
{
    static char path[PATH_MAX];
    char base[PATH_MAX + 16], inst[PATH_MAX + 32];
    const char *dirs[3];
    data_dirs(base, inst, dirs);
    for (int i = 0; i < 3; i++)
        if (dirs[i] && data_file(path, dirs[i], CONCEPTS_FILE))
            return path;
    log_warn("no concept file (%s) in %s, %s or %s: articles get no MeSH concepts; name it with "
             "--concepts FILE, or say --concepts none",
             CONCEPTS_FILE, dirs[0] ? dirs[0] : "-", dirs[1] ? dirs[1] : "-", dirs[2]);
    return NULL;
}


static int run(int argc, char **argv, struct config *cfgp, const char **syn, char **dels);

int main(int argc, char **argv)
{
    log_set_ident("indexer");
    struct config cfg;
    if (config_init(&cfg) != 0)
        return EXIT_INDEX;
    const char **syn = calloc((size_t)argc + 2, sizeof *syn);
    char **dels = calloc((size_t)argc + 1, sizeof *dels);
    int rc = syn && dels ? run(argc, argv, &cfg, syn, dels) : EXIT_INDEX;
    free(syn);
    free(dels);
    config_free(&cfg);
    return rc;
}

/* A flag that sets an [index] key: checked against the key's range in
 * config.c's table, so the flag and the file accept the same values. */
static int flag_set(struct config *cfgp, const char *flag, const char *key, const char *value)
{
    char err[512];
    if (config_set(cfgp, "index", key, value, err, sizeof err) == 0)
        return 0;
    size_t kl = strlen(key);
    const char *why = strncmp(err, key, kl) == 0 && err[kl] == ':' ? err + kl + 2 : err;
    log_err("%s: %s", flag, why);
    return -1;
}

static int run(int argc, char **argv, struct config *cfgp, const char **syn, char **dels)
{
    struct indexer_opts o = { 0 };
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o.threads = ncpu > 0 ? (unsigned)ncpu : 1;
    o.commit_every = 2000;
    o.max_file_bytes = (size_t)256 << 20;
    int no_synonyms = 0;
    const char *concepts = NULL; /* NULL: the config's, else the shipped file */
    enum { O_DB = 256, O_CONFIG, O_THREADS, O_COMMIT, O_REBUILD, O_COMPACT, O_PRUNE, O_DELETE, O_SHARD,
           O_SYN, O_CONCEPTS, O_DRY, O_STATS, O_MAXMB, O_HELP, O_VERSION, O_DUP, O_STDIN_ID, O_DICT, O_URLT };
    static const struct option longopts[] = {
        { "db", required_argument, NULL, O_DB },
        { "config", required_argument, NULL, O_CONFIG },
        { "threads", required_argument, NULL, O_THREADS },
        { "commit-every", required_argument, NULL, O_COMMIT },
        { "rebuild", no_argument, NULL, O_REBUILD },
        { "compact", no_argument, NULL, O_COMPACT },
        { "prune", no_argument, NULL, O_PRUNE },
        { "delete", required_argument, NULL, O_DELETE },
        { "shard", required_argument, NULL, O_SHARD },
        { "synonyms", required_argument, NULL, O_SYN },
        { "concepts", required_argument, NULL, O_CONCEPTS },
        { "dry-run", no_argument, NULL, O_DRY },
        { "dictionary", required_argument, NULL, O_DICT },
        { "stats", no_argument, NULL, O_STATS },
        { "max-file-mb", required_argument, NULL, O_MAXMB },
        { "duplicates", required_argument, NULL, O_DUP },
        { "stdin-id", required_argument, NULL, O_STDIN_ID },
        { "url-template", required_argument, NULL, O_URLT },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, O_HELP },
        { "version", no_argument, NULL, O_VERSION },
        { NULL, 0, NULL, 0 },
    };
    /* The config file first ([index] section), flags override it. */
    const char *config_path = getenv("MEDSEARCH_CONFIG");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config_path = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            config_path = argv[i] + 9;
    }
    if (config_path && *config_path) {
        char err[1024];
        if (config_load(cfgp, config_path, err, sizeof err) != 0) {
            log_err("%s", err);
            return EXIT_USAGE;
        }
        if (cfgp->index.db && *cfgp->index.db)
            o.db = cfgp->index.db;
        if (cfgp->index.url_template && *cfgp->index.url_template)
            o.url_template = cfgp->index.url_template;
        if (cfgp->index.synonyms && *cfgp->index.synonyms) {
            if (strcmp(cfgp->index.synonyms, "none") == 0)
                no_synonyms = 1;
            else
                syn[o.n_synonyms++] = cfgp->index.synonyms;
        }
    }
    int c;
    unsigned u;
    int syn_from_flags = 0;
    const char *dictionary = NULL;
    while ((c = getopt_long(argc, argv, "qv", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: o.db = optarg; break;
        case O_CONFIG: break; /* read below */
        case O_THREADS: /* flags and the file share config.c's names and ranges */
            if (flag_set(cfgp, "--threads", "threads", optarg) != 0)
                return EXIT_USAGE;
            break;
        case O_COMMIT:
            if (flag_set(cfgp, "--commit-every", "commit_every", optarg) != 0)
                return EXIT_USAGE;
            break;
        case O_REBUILD: o.rebuild = 1; break;
        case O_COMPACT: o.compact = 1; break;
        case O_PRUNE: o.prune = 1; break;
        case O_DELETE: dels[o.n_deletes++] = optarg; break;
        case O_SHARD:
            if (sscanf(optarg, "%u/%u", &o.shard_k, &o.shard_n) != 2 || o.shard_n == 0 || o.shard_k < 1 || o.shard_k > o.shard_n) {
                log_err("--shard: expected K/N with 1 <= K <= N, got '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_SYN:
            if (!syn_from_flags) { /* flags replace the config's list */
                o.n_synonyms = 0;
                no_synonyms = 0;
                syn_from_flags = 1;
            }
            if (strcmp(optarg, "none") == 0) no_synonyms = 1;
            else syn[o.n_synonyms++] = optarg;
            break;
        case O_CONCEPTS: concepts = optarg; break;
        case O_DRY: o.dry_run = 1; break;
        case O_DICT: dictionary = optarg; break;
        case O_STATS: o.stats = 1; break;
        case O_MAXMB:
            if (parse_uint(optarg, 1, 1u << 20, &u)) { log_err("--max-file-mb: expected a positive number, got '%s'", optarg); return EXIT_USAGE; }
            o.max_file_bytes = (size_t)u << 20;
            break;
        case O_DUP:
            if (strcmp(optarg, "last") == 0) o.duplicates = DUP_LAST;
            else if (strcmp(optarg, "first") == 0) o.duplicates = DUP_FIRST;
            else if (strcmp(optarg, "error") == 0) o.duplicates = DUP_ERROR;
            else { log_err("--duplicates: expected last, first or error, got '%s'", optarg); return EXIT_USAGE; }
            break;
        case O_STDIN_ID:
            if (!*optarg) { log_err("--stdin-id: the id must not be empty"); return EXIT_USAGE; }
            o.stdin_id = optarg;
            break;
        case O_URLT: o.url_template = *optarg ? optarg : NULL; break;
        case 'q': o.quiet = 1; break;
        case 'v': o.verbose = 1; break;
        case O_HELP: usage(stdout); return EXIT_DONE;
        case O_VERSION: printf("indexer (medsearch) %s, Xapian %s\n", MEDSEARCH_VERSION, xap_version()); return EXIT_DONE;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (cfgp->index.threads > 0) /* 0: one per core */
        o.threads = (unsigned)cfgp->index.threads;
    o.commit_every = (unsigned)cfgp->index.commit_every;
    o.inputs = argv + optind;
    o.n_inputs = (size_t)(argc - optind);
    o.deletes = dels;
    if (dictionary) {
        if (o.quiet)
            log_set_level(LOG_LEVEL_WARN);
        return dictionary_build(dictionary, o.inputs, o.n_inputs);
    }
    if (cfgp->index.changesets > 0) {
        /* Keep changesets, so xapian-replicate ships each commit's change
         * to the replicas instead of a full copy of the database. */
        char n[16];
        snprintf(n, sizeof n, "%d", cfgp->index.changesets);
        setenv("XAPIAN_MAX_CHANGESETS", n, 1);
    }
    if (!o.db) {
        log_err("--db DIR is required (see --help)");
        return EXIT_USAGE;
    }
    if (o.stats)
        return writer_print_stats(o.db);
    char uterr[256];
    if (o.url_template && urltemplate_check(o.url_template, uterr, sizeof uterr) != 0) {
        log_err("url template '%s': %s", o.url_template, uterr);
        return EXIT_USAGE;
    }
    if (o.n_inputs == 0 && o.n_deletes == 0 && !o.compact && !o.rebuild) {
        log_err("nothing to do: give INPUT files or directories, --delete ID, or --compact (see --help)");
        return EXIT_USAGE;
    }
    /* A mistyped INPUT is a usage error, found before anything is created. */
    for (size_t i = 0; i < o.n_inputs; i++) {
        struct stat sb;
        if (strcmp(o.inputs[i], "-") != 0 && lstat(o.inputs[i], &sb) != 0 && errno == ENOENT) {
            log_err("%s: no such file or directory (INPUT is a file, a directory or -); nothing was done",
                    o.inputs[i]);
            return EXIT_USAGE;
        }
    }
    if (o.prune && o.n_inputs == 0) {
        log_err("--prune needs the INPUT roots whose vanished files to remove");
        return EXIT_USAGE;
    }
    if (no_synonyms)
        o.n_synonyms = 0;
    else if (o.n_synonyms)
        o.synonyms = syn;
    else
        default_synonyms(&o, syn);
    if (!concepts && cfgp->index.concepts && *cfgp->index.concepts)
        concepts = cfgp->index.concepts;
    if (o.quiet)
        log_set_level(LOG_LEVEL_WARN);
    o.concepts = !concepts ? default_concepts() : strcmp(concepts, "none") == 0 ? NULL : concepts;
    if (o.concepts && access(o.concepts, R_OK) != 0) { /* a usage error, before anything is created */
        log_err("concept file %s: %s (--concepts FILE, or --concepts none)", o.concepts, strerror(errno));
        return EXIT_USAGE;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    /* A second signal kills at once: the index stays at its last commit. */
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct indexer_stats st = { 0 };
    progress_init(o.quiet);
    st.started = progress_now();
    int status = EXIT_DONE;
    struct writer *w = writer_open(&o, &status);
    if (!w)
        return status;
    if (writer_load_synonyms(w, o.synonyms, o.n_synonyms) != 0 || writer_load_concepts(w, o.concepts) != 0) {
        writer_abort(w);
        return EXIT_INDEX;
    }
    if (o.n_deletes && writer_delete_ids(w, o.deletes, o.n_deletes, &st) != 0) {
        writer_abort(w);
        return EXIT_INDEX;
    }
    if (o.prune && writer_prune(w, o.inputs, o.n_inputs, &st) != 0) {
        writer_abort(w);
        return EXIT_INDEX;
    }
    int rc = o.n_inputs ? pipeline_run(&o, w, &st) : EXIT_DONE;
    /* A signal after this point (during the last commit or the compaction)
     * stops nothing: the work is done, so the run is not "interrupted". */
    int interrupted = indexer_interrupted;
    if (rc == EXIT_INDEX || (interrupted && o.rebuild)) {
        /* A failed or interrupted rebuild leaves the live index untouched. */
        progress_done();
        if (interrupted && rc != EXIT_INDEX)
            log_warn("interrupted: the rebuild was abandoned; the live index is unchanged");
        writer_abort(w);
        return rc == EXIT_INDEX ? EXIT_INDEX : EXIT_INPUT_ERRORS;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s", writer_path(w));
    progress_done(); /* the phases after the documents log their own lines */
    if (writer_finish(w, &st) != 0) {
        progress_done();
        return EXIT_INDEX;
    }
    if (interrupted)
        log_warn("interrupted: committed what was indexed; run the same command again to finish");
    progress_summary(&st, o.db, o.dry_run ? 0 : writer_tree_mb(o.db), o.dry_run);
    if (interrupted || st.files_failed || st.failed)
        return EXIT_INPUT_ERRORS;
    return EXIT_DONE;
}
