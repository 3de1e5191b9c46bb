/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.c: on a terminal, one status line rewritten in place; otherwise
 * a log line every few seconds; a summary at the end. All on stderr. */
#include "indexer.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int tty, quiet;
static double last;
static int line_open;

double progress_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(int q)
{
    quiet = q;
    tty = isatty(2);
    last = progress_now();
}

void progress_update(const struct indexer_stats *st, const char *current, int force)
{
    if (quiet)
        return;
    double now = progress_now();
    double every = tty ? 0.2 : 5.0;
    if (!force && now - last < every)
        return;
    last = now;
    /* The worker threads count with atomic adds while this runs. */
#define LOAD(field) __atomic_load_n(&st->field, __ATOMIC_RELAXED)
    unsigned long long files = LOAD(files), articles = LOAD(articles);
    double el = now - st->started;
    double mb = (double)LOAD(bytes) / 1048576.0;
    double rate = el > 0 ? (double)articles / el : 0;
    unsigned long long errors = LOAD(failed) + LOAD(files_failed);
#undef LOAD
    if (tty) {
        fprintf(stderr, "\r\033[K%llu files, %llu docs, %.1f MB, %.0f docs/s, %.1f MB/s, %llu errors  %.40s", files,
                articles, mb, rate, el > 0 ? mb / el : 0, errors, current ? current : "");
        line_open = 1;
    } else {
        fprintf(stderr, "indexer: %llu files, %llu docs, %.1f MB, %.0f docs/s, %llu errors, %.0f s\n", files,
                articles, mb, rate, errors, el);
    }
}

void progress_done(void)
{
    if (line_open) {
        fprintf(stderr, "\r\033[K");
        line_open = 0;
    }
}

void progress_summary(const struct indexer_stats *st, const char *db, double index_mb)
{
    progress_done();
    if (quiet)
        return;
    double el = progress_now() - st->started;
    double mb = (double)st->bytes / 1048576.0;
    fprintf(stderr,
            "indexer: %s: %llu added, %llu updated, %llu unchanged, %llu deleted, %llu failed"
            " (%llu files, %llu unreadable) in %.2f s: %.0f docs/s, %.2f MB/s of text",
            db, (unsigned long long)st->added, (unsigned long long)st->updated,
            (unsigned long long)st->unchanged, (unsigned long long)st->deleted,
            (unsigned long long)st->failed, (unsigned long long)st->files,
            (unsigned long long)st->files_failed, el, el > 0 ? (double)st->articles / el : 0,
            el > 0 ? mb / el : 0);
    if (index_mb > 0 && mb > 0)
        fprintf(stderr, "; index %.1f MB = %.2f MB per MB of text", index_mb, index_mb / mb);
    fputc('\n', stderr);
    if (st->duplicates)
        fprintf(stderr, "indexer: %llu duplicate id%s in this run (each reported above with both places)\n",
                (unsigned long long)st->duplicates, st->duplicates == 1 ? "" : "s");
    if (st->n_charsets) {
        fprintf(stderr, "indexer: converted to UTF-8:");
        for (unsigned i = 0; i < st->n_charsets; i++)
            fprintf(stderr, "%s %llu file%s from %s", i ? "," : "", (unsigned long long)st->charsets[i].files,
                    st->charsets[i].files == 1 ? "" : "s", st->charsets[i].name);
        fputc('\n', stderr);
    }
}
