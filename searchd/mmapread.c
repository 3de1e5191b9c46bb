/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mmapread: index blocks read from memory maps (see mmapread.h). */
#include "mmapread.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define MAX_FD 65536

struct map {
    const char *p;
    size_t len;
    struct map *old; /* earlier, shorter maps of the file: unmapped at close */
};

static _Atomic(struct map *) maps[MAX_FD];
static atomic_int enabled;
static atomic_ullong n_maps, n_syscalls;

static int (*real_open)(const char *, int, ...);
static int (*real_close)(int);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

static void find_real(void)
{
    real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
    real_pread = (ssize_t(*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread");
}

void mmapread_counts(unsigned long long *maps_now, unsigned long long *syscalls)
{
    *maps_now = atomic_load_explicit(&n_maps, memory_order_relaxed);
    *syscalls = atomic_load_explicit(&n_syscalls, memory_order_relaxed);
}

/* ---- the SIGBUS guard ---------------------------------------------------------- */

/* Set around a copy from a map: a SIGBUS then jumps back to it. */
static _Thread_local sigjmp_buf *volatile guard;
static struct sigaction prev_bus;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    if (guard)
        siglongjmp(*guard, 1);
    /* Not ours: whoever handled it before, or the default (a core). */
    if (prev_bus.sa_flags & SA_SIGINFO) {
        prev_bus.sa_sigaction(sig, si, ctx);
        return;
    }
    if (prev_bus.sa_handler != SIG_DFL && prev_bus.sa_handler != SIG_IGN) {
        prev_bus.sa_handler(sig);
        return;
    }
    signal(SIGBUS, SIG_DFL);
    raise(SIGBUS);
}

int mmapread_enable(int on)
{
    pthread_once(&real_once, find_real);
    if (!real_open || !real_close || !real_pread) {
        log_warn("mmap_reads: the C library's open, close or pread not found; reading with pread");
        return -1;
    }
    struct sigaction cur;
    /* (Again when someone replaced the handler since: tests' frameworks do.) */
    if (on && (sigaction(SIGBUS, NULL, &cur) != 0 || !(cur.sa_flags & SA_SIGINFO) || cur.sa_sigaction != on_sigbus)) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGBUS, &sa, &prev_bus) != 0) {
            log_warn("mmap_reads: cannot catch SIGBUS (%s); reading with pread", strerror(errno));
            return -1;
        }
    }
    atomic_store(&enabled, on);
    return 0;
}

/* ---- maps ---------------------------------------------------------------------- */

static int is_table(const char *path)
{
    size_t n = strlen(path);
    return n > 6 && strcmp(path + n - 6, ".glass") == 0;
}

/* A map of fd's first len bytes, chained to old; NULL when it cannot be made. */
static struct map *map_new(int fd, size_t len, struct map *old)
{
    if (len == 0)
        return NULL;
    struct map *m = malloc(sizeof *m);
    if (!m)
        return NULL;
    void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        free(m);
        return NULL;
    }
    *m = (struct map){ p, len, old };
    return m;
}

static void map_free(struct map *m)
{
    while (m) {
        struct map *old = m->old;
        munmap((void *)m->p, m->len);
        free(m);
        m = old;
    }
}

int open(const char *path, int flags, ...)
{
    pthread_once(&real_once, find_real);
    mode_t mode = 0;
    if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) { /* open(2) reads a mode */
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    int fd = real_open(path, flags, mode);
    if (fd >= 0 && fd < MAX_FD && atomic_load_explicit(&enabled, memory_order_relaxed) &&
        (flags & O_ACCMODE) == O_RDONLY && is_table(path)) {
        int saved = errno;
        struct stat st;
        struct map *m = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? map_new(fd, (size_t)st.st_size, NULL) : NULL;
        if (m) {
            map_free(atomic_exchange(&maps[fd], m)); /* (none: a closed descriptor's map went with it) */
            atomic_fetch_add_explicit(&n_maps, 1, memory_order_relaxed);
        }
        errno = saved;
    }
    return fd;
}

int close(int fd)
{
    pthread_once(&real_once, find_real);
    if (fd >= 0 && fd < MAX_FD) {
        struct map *m = atomic_exchange(&maps[fd], NULL);
        if (m) {
            map_free(m);
            atomic_fetch_sub_explicit(&n_maps, 1, memory_order_relaxed);
        }
    }
    return real_close(fd);
}

/* The map of fd covering [off, off + n), mapping the file again when it
 * has grown enough; NULL: read it with the real pread. */
static struct map *covering(int fd, size_t n, off_t off)
{
    struct map *m = atomic_load_explicit(&maps[fd], memory_order_acquire);
    if (!m || off < 0)
        return NULL;
    size_t end = (size_t)off + n;
    if (end <= m->len)
        return m;
    struct stat st;
    int saved = errno;
    struct map *g = NULL;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size >= end && (size_t)st.st_size - m->len >= m->len / 8)
        g = map_new(fd, (size_t)st.st_size, m);
    errno = saved;
    /* Only this descriptor's reader replaces its map (a Xapian handle is
     * used by one thread at a time), so no other map went in meanwhile. */
    if (g)
        atomic_store_explicit(&maps[fd], g, memory_order_release);
    return g;
}

/* memcpy, or -1 when a page of src is gone (SIGBUS: the file was cut
 * under the map). */
static int copy_guarded(void *dst, const char *src, size_t n)
{
    sigjmp_buf jb;
    if (sigsetjmp(jb, 0) != 0) {
        guard = NULL;
        return -1;
    }
    guard = &jb;
    memcpy(dst, src, n);
    guard = NULL;
    return 0;
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    if (fd >= 0 && fd < MAX_FD && n > 0) {
        struct map *m = covering(fd, n, off);
        if (m && copy_guarded(buf, m->p + off, n) == 0)
            return (ssize_t)n;
        /* else the kernel's answer (a short read, an error) */
    }
    pthread_once(&real_once, find_real);
    atomic_fetch_add_explicit(&n_syscalls, 1, memory_order_relaxed);
    return real_pread(fd, buf, n, off);
}
