/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walk.c: inputs -> files. Directories are walked in sorted order (so runs
 * are reproducible), hidden entries skipped, and a directory already on
 * the current path (by device and inode) is a symlink loop: reported and
 * skipped. */
#include "grow.h"
#include "indexer.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_DEPTH 64

struct walk {
    walk_cb cb;
    walk_err_cb err;
    void *ud;
    const char *root;
    dev_t dev[MAX_DEPTH];
    ino_t ino[MAX_DEPTH];
    int depth;
    int stop;
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Inside directories only article files are read (README.md, images and
 * the like are not articles); a file named on the command line is read
 * whatever its name, its format detected by content. */
int walk_is_gz(const char *name)
{
    size_t len = strlen(name);
    return len > 3 && strcmp(name + len - 3, ".gz") == 0;
}

static int is_article_file(const char *name)
{
    static const char *const exts[] = { ".txt", ".jsonl", ".json", ".ndjson", ".html", ".htm" };
    size_t len = strlen(name);
    if (walk_is_gz(name))
        len -= 3;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t el = strlen(exts[i]);
        if (len > el && strncasecmp(name + len - el, exts[i], el) == 0)
            return 1;
    }
    return 0;
}

static void walk_dir(struct walk *w, const char *path, const struct stat *st)
{
    for (int i = 0; i < w->depth; i++)
        if (w->dev[i] == st->st_dev && w->ino[i] == st->st_ino) {
            w->err(path, "symlink loop (directory already being walked), skipped", w->ud);
            return;
        }
    if (w->depth >= MAX_DEPTH) {
        w->err(path, "directory nesting deeper than 64, skipped", w->ud);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        char why[256];
        snprintf(why, sizeof why, "cannot open directory: %s", strerror(errno));
        w->err(path, why, w->ud);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue; /* hidden, ".", ".." */
        if (GROW(names, cap, n + 1, 64) != 0)
            break;
        names[n] = strdup(de->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    if (n > 1) /* names is NULL when the directory is empty */
        qsort(names, n, sizeof *names, cmp_names);
    w->dev[w->depth] = st->st_dev;
    w->ino[w->depth] = st->st_ino;
    w->depth++;
    for (size_t i = 0; i < n; i++) {
        if (!w->stop && !indexer_interrupted) {
            size_t len = strlen(path) + strlen(names[i]) + 2;
            char *child = malloc(len);
            if (child) {
                snprintf(child, len, "%s/%s", path, names[i]);
                struct stat cst;
                if (stat(child, &cst) != 0) {
                    char why[256];
                    snprintf(why, sizeof why, "%s", strerror(errno));
                    w->err(child, why, w->ud);
                } else if (S_ISDIR(cst.st_mode)) {
                    walk_dir(w, child, &cst);
                } else if (S_ISREG(cst.st_mode) && is_article_file(names[i])) {
                    if (w->cb(child, w->root, w->ud))
                        w->stop = 1;
                }
                free(child);
            }
        }
        free(names[i]);
    }
    free(names);
    w->depth--;
}

int walk_inputs(char *const *inputs, size_t n, walk_cb cb, walk_err_cb err, void *ud)
{
    struct walk w = { .cb = cb, .err = err, .ud = ud };
    for (size_t i = 0; i < n && !w.stop && !indexer_interrupted; i++) {
        const char *in = inputs[i];
        if (strcmp(in, "-") == 0) {
            if (cb(in, NULL, ud))
                break;
            continue;
        }
        struct stat st;
        if (stat(in, &st) != 0) {
            char why[256];
            snprintf(why, sizeof why, "%s", strerror(errno));
            err(in, why, ud);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            /* ids are paths under the directory given */
            size_t len = strlen(in);
            char *root = strdup(in);
            if (!root)
                return -1;
            while (len > 1 && root[len - 1] == '/')
                root[--len] = '\0';
            w.root = root;
            w.depth = 0;
            walk_dir(&w, root, &st);
            free(root);
        } else {
            /* a single file: ids are its path under its own folder */
            char *root = strdup(in);
            if (!root)
                return -1;
            char *slash = strrchr(root, '/');
            if (slash)
                *slash = '\0';
            if (cb(in, slash ? root : NULL, ud))
                w.stop = 1;
            free(root);
        }
    }
    return 0;
}
