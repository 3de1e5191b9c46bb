/* SPDX-License-Identifier: GPL-2.0-or-later */
/* listen: UNIX and TCP listening sockets, systemd socket activation. */
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

#define BACKLOG 512

/* The socket file we made, to unlink it on exit only if it is still ours. */
static char made_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static dev_t made_dev;
static ino_t made_ino;

/* Is someone accepting on the socket at addr? 1 yes, 0 no (stale), -1
 * cannot tell (errno kept). */
static int socket_alive(const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int rc;
    if (connect(fd, (const struct sockaddr *)addr, sizeof *addr) == 0 || errno == EAGAIN ||
        errno == EINPROGRESS)
        rc = 1; /* connected, or a full backlog: a live listener either way */
    else if (errno == ECONNREFUSED)
        rc = 0;
    else
        rc = -1;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int listen_unix(const char *path, int mode, const char *group)
{
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    size_t len = strlen(path);
    if (len == 0) {
        log_err("socket path is empty");
        return -1;
    }
    if (len >= sizeof addr.sun_path) {
        log_err("socket path %s is too long: %zu bytes, at most %zu fit in a UNIX socket address", path, len,
                sizeof addr.sun_path - 1);
        return -1;
    }
    memcpy(addr.sun_path, path, len + 1);

    gid_t gid = (gid_t)-1;
    if (group && *group) {
        errno = 0;
        struct group *gr = getgrnam(group);
        if (!gr) {
            if (errno)
                log_err_errno("socket group %s", group);
            else
                log_err("socket group %s does not exist", group);
            return -1;
        }
        gid = gr->gr_gid;
    }

    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            log_err("%s exists and is not a socket; refusing to replace it", path);
            return -1;
        }
        int alive = socket_alive(&addr);
        if (alive == 1) {
            log_err("%s: another searchd is already answering on this socket", path);
            return -1;
        }
        if (alive < 0) {
            log_err_errno("%s: cannot tell whether the socket is in use", path);
            return -1;
        }
        log_info("removing stale socket %s", path);
        if (unlink(path) != 0 && errno != ENOENT) {
            log_err_errno("unlink stale socket %s", path);
            return -1;
        }
    } else if (errno != ENOENT) {
        log_err_errno("lstat %s", path);
        return -1;
    }

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        log_err_errno("socket");
        return -1;
    }
    /* Born with its final mode (the umask does it: no chmod, which would
     * follow a symlink swapped in by someone who can write the directory),
     * and nobody can connect at all before listen(). */
    mode_t old = umask((mode_t)(~mode & 0777));
    int rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
    int saved = errno;
    umask(old);
    if (rc != 0) {
        errno = saved;
        log_err_errno("bind %s", path);
        close(fd);
        return -1;
    }
    if (lstat(path, &st) != 0) {
        log_err_errno("lstat %s", path);
        goto fail;
    }
    memcpy(made_path, path, len + 1);
    made_dev = st.st_dev;
    made_ino = st.st_ino;
    if (gid != (gid_t)-1 && lchown(path, (uid_t)-1, gid) != 0) {
        log_err_errno("chown %s to group %s", path, group);
        goto fail;
    }
    if (lstat(path, &st) != 0 || st.st_ino != made_ino || st.st_dev != made_dev || !S_ISSOCK(st.st_mode)) {
        log_err("%s was replaced while being set up; refusing it", path);
        goto fail;
    }
    if (listen(fd, BACKLOG) != 0) {
        log_err_errno("listen %s", path);
        goto fail;
    }
    log_info("listening on %s (mode %04o%s%s)", path, (unsigned)mode, gid != (gid_t)-1 ? ", group " : "",
             gid != (gid_t)-1 ? group : "");
    return fd;
fail:
    close(fd);
    listen_unix_cleanup();
    return -1;
}

void listen_unix_forget(void)
{
    made_path[0] = '\0';
}

void listen_unix_cleanup(void)
{
    if (!made_path[0])
        return;
    struct stat st;
    if (lstat(made_path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == made_dev && st.st_ino == made_ino &&
        unlink(made_path) != 0)
        log_warn_errno("unlink %s", made_path);
    made_path[0] = '\0';
}

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a))
            return 1;
        return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
    }
    return 0;
}

int listen_tcp(const char *spec, bool allow_remote)
{
    char host[256];
    const char *port;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof host) {
            log_err("tcp address '%s': expected [IPV6]:PORT", spec);
            return -1;
        }
        memcpy(host, spec + 1, (size_t)(close - spec - 1));
        host[close - spec - 1] = '\0';
        port = close + 2;
    } else {
        const char *colon = strrchr(spec, ':');
        if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof host) {
            log_err("tcp address '%s': expected HOST:PORT (e.g. 127.0.0.1:8080)", spec);
            return -1;
        }
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = '\0';
        port = colon + 1;
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (*port == '\0' || *end != '\0' || p < 1 || p > 65535) {
        log_err("tcp address '%s': bad port '%s'", spec, port);
        return -1;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
    struct addrinfo *res;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        log_err("tcp address '%s': %s", spec, gai_strerror(gai));
        return -1;
    }
    if (!allow_remote && !is_loopback(res->ai_addr)) {
        log_err("tcp address '%s' is not loopback; searchd has no authentication: set tcp_allow_remote = true "
                "to listen there anyway", spec);
        freeaddrinfo(res);
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    if (fd < 0) {
        log_err_errno("socket for %s", spec);
        freeaddrinfo(res);
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, BACKLOG) != 0) {
        log_err_errno("bind/listen %s", spec);
        close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    log_info("listening on tcp %s%s", spec, allow_remote ? " (remote clients allowed)" : "");
    return fd;
}

int listen_systemd(int *fds, size_t max)
{
    const char *pid = getenv("LISTEN_PID");
    const char *nfds = getenv("LISTEN_FDS");
    if (!pid || !nfds)
        return 0;
    char *end;
    long p = strtol(pid, &end, 10);
    if (*end || p != (long)getpid())
        return 0; /* meant for another process */
    long n = strtol(nfds, &end, 10);
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    if (*end || n < 1 || (size_t)n > max) {
        log_err("LISTEN_FDS=%s: expected 1 to %zu sockets", nfds, max);
        return -1;
    }
    for (long i = 0; i < n; i++) {
        int fd = 3 + (int)i, acc = 0, type = 0;
        socklen_t l = sizeof acc, lt = sizeof type;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &l) != 0 ||
            getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &lt) != 0 || !acc || type != SOCK_STREAM) {
            log_err("socket activation: fd %d is not a listening stream socket", fd);
            return -1;
        }
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0)
            fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
        fds[i] = fd;
    }
    log_info("socket activation: %ld listening socket%s from systemd", n, n > 1 ? "s" : "");
    return (int)n;
}
