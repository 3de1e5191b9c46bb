/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.c: on a terminal, one status line rewritten in place (a bar,
 * bytes done of the total, rate, ETA); otherwise a log line every few
 * seconds; a summary at the end. All on stderr. The phases after the
 * documents (merging, compacting) are logged by writer.c. */
#include "indexer.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int tty, quiet;

/* "42 s", "3m05s", "1h02m" */
static const char *fmt_secs(double s)
{
    static char buf[32];
    long t = (long)(s + 0.5);
    if (t < 60)
        snprintf(buf, sizeof buf, "%ld s", t);
    else if (t < 3600)
        snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, t % 3600 / 60);
    return buf;
}
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
    uint64_t total = LOAD(in_total), done = LOAD(in_done), parsed = LOAD(parsed);
    /* The readers run ahead of the builders by a block and the queues:
     * count done only the share of what was read that is built. */
    if (parsed > articles && parsed > 0)
        done = (uint64_t)((double)done * (double)articles / (double)parsed);
#undef LOAD
    char pct[96] = "", eta[48] = "";
    if (total > 0) {
        double f = done > total ? 1.0 : (double)done / (double)total;
        if (f > 0.01 && el > 1 && f < 1)
            snprintf(eta, sizeof eta, ", ETA %s", fmt_secs(el * (1 - f) / f));
        if (tty) {
            char bar[21];
            int k = (int)(f * 20);
            for (int i = 0; i < 20; i++)
                bar[i] = i < k ? '#' : '.';
            bar[20] = '\0';
            snprintf(pct, sizeof pct, "[%s] %3.0f%% %.1f/%.1f MB", bar, f * 100, (double)done / 1048576.0,
                     (double)total / 1048576.0);
        } else {
            snprintf(pct, sizeof pct, "%.0f%% (%.1f of %.1f MB), ", f * 100, (double)done / 1048576.0,
                     (double)total / 1048576.0);
        }
    }
    if (tty) {
        if (total > 0)
            fprintf(stderr, "\r\033[Kindexing %s, %llu docs, %.0f docs/s%s, %llu errors  %.30s", pct, articles, rate,
                    eta, errors, current ? current : "");
        else
            fprintf(stderr, "\r\033[Kindexing: %llu files, %llu docs, %.1f MB, %.0f docs/s, %.1f MB/s, %llu errors  %.40s",
                    files, articles, mb, rate, el > 0 ? mb / el : 0, errors, current ? current : "");
        line_open = 1;
    } else {
        fprintf(stderr, "indexer: indexing: %s%llu files, %llu docs, %.0f docs/s%s, %llu errors, %.0f s\n", pct, files,
                articles, rate, eta, errors, el);
    }
}

void progress_done(void)
{
    if (line_open) {
        fprintf(stderr, "\r\033[K");
        line_open = 0;
    }
}

void progress_summary(const struct indexer_stats *st, const char *db, double index_mb, int dry_run)
{
    progress_done();
    if (quiet)
        return;
    double el = progress_now() - st->started;
    double mb = (double)st->bytes / 1048576.0;
    fprintf(stderr,
            "indexer: %s%s: %llu %s, %llu %s, %llu unchanged, %llu %s, %llu failed"
            " (%llu file%s, %llu unreadable) in %.2f s",
            dry_run ? "dry run, nothing written: " : "", db, (unsigned long long)st->added,
            dry_run ? "would be added" : "added", (unsigned long long)st->updated,
            dry_run ? "would be updated" : "updated", (unsigned long long)st->unchanged,
            (unsigned long long)st->deleted, dry_run ? "would be deleted" : "deleted",
            (unsigned long long)st->failed, (unsigned long long)st->files, st->files == 1 ? "" : "s",
            (unsigned long long)st->files_failed, el);
    /* rates and ratios of a tiny input are noise ("1805 MB per MB") */
    if (mb >= 1.0 && el > 0)
        fprintf(stderr, ": %.0f docs/s, %.2f MB/s of text", (double)st->articles / el, mb / el);
    if (index_mb > 0 && mb >= 1.0)
        fprintf(stderr, "; index %.1f MB = %.2f MB per MB of text", index_mb, index_mb / mb);
    else if (index_mb > 0)
        fprintf(stderr, "; index %.1f MB", index_mb);
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
