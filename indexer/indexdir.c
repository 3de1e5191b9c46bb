/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "indexdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *err, size_t cap, const char *what, const char *path)
{
    snprintf(err, cap, "%s %s: %s", what, path, strerror(errno));
    return -1;
}

/* Generation named in the stub ("glass idx-3" -> "idx-3"), into gen. */
static int read_stub(const char *dir, char *gen, size_t cap)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, INDEXDIR_STUB);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    int rc = -1;
    while (fgets(line, sizeof line, f)) {
        char kind[32], name[900];
        if (sscanf(line, "%31s %899s", kind, name) == 2 && strcmp(kind, "glass") == 0) {
            snprintf(gen, cap, "%s", name);
            rc = 0;
            break;
        }
    }
    fclose(f);
    return rc;
}

static int write_stub(const char *dir, const char *gen, char *err, size_t errcap)
{
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, INDEXDIR_STUB);
    snprintf(path, sizeof path, "%s/%s", dir, INDEXDIR_STUB);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return fail(err, errcap, "create", tmp);
    char line[1024];
    int n = snprintf(line, sizeof line, "glass %s\n", gen);
    if (write(fd, line, (size_t)n) != n || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        return fail(err, errcap, "write", tmp);
    }
    close(fd);
    if (rename(tmp, path) != 0)
        return fail(err, errcap, "rename", tmp);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* mkdir -p */
static int mkdirs(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int indexdir_live(const char *dir, int create, char *buf, size_t cap, char *err, size_t errcap)
{
    char gen[1024], p[4096];
    if (read_stub(dir, gen, sizeof gen) == 0) {
        snprintf(buf, cap, "%s/%s", dir, gen);
        return 0;
    }
    /* A plain glass database given directly. */
    snprintf(p, sizeof p, "%s/iamglass", dir);
    if (access(p, F_OK) == 0) {
        snprintf(buf, cap, "%s", dir);
        return 0;
    }
    if (!create) {
        snprintf(err, errcap, "%s: no index here (no %s stub and no glass database)", dir, INDEXDIR_STUB);
        return -1;
    }
    if (!is_dir(dir) && mkdirs(dir) != 0)
        return fail(err, errcap, "mkdir", dir);
    if (write_stub(dir, "idx-1", err, errcap) != 0)
        return -1;
    snprintf(buf, cap, "%s/idx-1", dir);
    return 0;
}

static int generation_of(const char *name)
{
    if (strncmp(name, "idx-", 4) != 0)
        return -1;
    char *end;
    long n = strtol(name + 4, &end, 10);
    return (*end || n <= 0 || n > 1000000000) ? -1 : (int)n;
}

int indexdir_next(const char *dir, char *buf, size_t cap, char *err, size_t errcap)
{
    char live[1024] = "";
    read_stub(dir, live, sizeof live);
    DIR *d = opendir(dir);
    if (!d)
        return fail(err, errcap, "opendir", dir);
    int max = 0;
    struct dirent *de;
    char stale[64][64];
    int n_stale = 0;
    while ((de = readdir(d))) {
        int g = generation_of(de->d_name);
        if (g < 0 && strncmp(de->d_name, "side-", 5) == 0 && n_stale < 64 && strlen(de->d_name) < sizeof stale[0])
            memcpy(stale[n_stale++], de->d_name, strlen(de->d_name) + 1);
        if (g < 0)
            continue;
        if (g > max)
            max = g;
        /* generation_of() accepted it: "idx-" and at most 10 digits */
        if (strcmp(de->d_name, live) != 0 && n_stale < 64 && strlen(de->d_name) < sizeof stale[0])
            memcpy(stale[n_stale++], de->d_name, strlen(de->d_name) + 1);
    }
    closedir(d);
    /* Leftovers of killed rebuilds and bulk builds (never the live one). */
    for (int i = 0; i < n_stale; i++) {
        char p[4096 + 64];
        snprintf(p, sizeof p, "%s/%s", dir, stale[i]);
        indexdir_remove(p);
    }
    snprintf(buf, cap, "%s/idx-%d", dir, max + 1);
    return 0;
}

int indexdir_swap(const char *dir, const char *gen, char *err, size_t errcap)
{
    char old[1024] = "";
    read_stub(dir, old, sizeof old);
    const char *base = strrchr(gen, '/');
    base = base ? base + 1 : gen;
    if (write_stub(dir, base, err, errcap) != 0)
        return -1;
    /* The previous generation goes at once: a reader in the middle of a
     * query keeps its open files (glass opens every table when the database
     * is opened, and unlinked files stay readable), and it moves to the new
     * stub on its next request. */
    if (old[0] && strcmp(old, base) != 0 && generation_of(old) > 0) {
        char p[4096 + 64];
        snprintf(p, sizeof p, "%s/%s", dir, old);
        indexdir_remove(p);
    }
    return 0;
}

int indexdir_remove(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", path, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rc |= indexdir_remove(p);
        else if (unlink(p) != 0)
            rc = -1;
    }
    closedir(d);
    if (rmdir(path) != 0)
        rc = -1;
    return rc;
}

void indexdir_side(const char *dir, unsigned k, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/side-%u", dir, k);
}
