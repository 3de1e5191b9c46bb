/* SPDX-License-Identifier: GPL-2.0-or-later */
/* searchd: serve the medsearch index over HTTP on a UNIX socket.
 *
 * Start-up may die loudly (exit status 2, one clear line on stderr): bad
 * flags or config, a socket path that cannot be used, an index that cannot
 * be opened. Once serving, an error is one
 * reply to one client and one log line; SIGTERM/SIGINT stop cleanly (exit
 * 0), SIGHUP reloads the config file and reopens the index.
 *
 * Without --foreground searchd daemonizes (double fork, setsid, cwd "/",
 * stdin/stdout on /dev/null, stderr kept for the log) and the starting
 * process exits 0 only once the daemon serves, or 2 if it failed.
 *
 * Started as root, searchd never serves as root: after binding it forks;
 * the child drops to `user` (default "nobody") and serves; the parent
 * keeps root only to do two things, forward SIGTERM/SIGINT/SIGHUP to the
 * child and unlink the socket when the child exits (an unprivileged
 * process may not remove a file from a root-owned directory). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <microhttpd.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "listen.h"
#include "spell.h"
#include "tokenizer.h"
#include "xap.h"
#include "log.h"
#include "mmapread.h"
#include "replica.h"
#include "server.h"
#include "shards.h"
#include "worker.h"
#include "xap.h"

#define EXIT_STARTUP 2

/* A flag that overrides a config key, kept to re-apply after SIGHUP. */
struct override {
    const char *section, *key, *value, *flag;
};

static struct override overrides[32];
static size_t noverrides;
static const char *config_path;
static int ready_fd = -1;
static int log_fd = -1;   /* --log FILE */
static int daemonized;
/* As configured, before start-up adjusted them, to spot changes on reload. */
static int loaded_threads, loaded_max_connections;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: searchd --db DIR[,DIR...] --socket PATH [options]\n"
            "Serve the medsearch index over HTTP/1.1 + JSON on a UNIX socket.\n"
            "\n"
            "  --db DIR[,DIR...]   index directories, searched as one ([index] db); an\n"
            "                      entry tcp:HOST:PORT is a shard served by xapian-tcpsrv,\n"
            "                      tcp:H1:P|tcp:H2:P a shard with mirrors (docs/scale-out.md)\n"
            "  --dictionary DIR    spelling and synonym tables read from DIR, written by\n"
            "                      indexer --dictionary ([searchd] dictionary)\n"
            "  --master DB         on a read replica: the master's index (a directory or\n"
            "                      tcp:HOST:PORT), read for the lag in /metrics ([index] master)\n"
            "  --socket PATH       UNIX socket to listen on ([searchd] socket)\n"
            "  --config FILE       configuration file (default: $MEDSEARCH_CONFIG if set;\n"
            "                      see medsearch.conf.example)\n"
            "  --foreground        stay attached; without it searchd daemonizes and the\n"
            "                      command returns once the daemon serves\n"
            "  --threads N         worker threads, 0 = one per core ([searchd] threads)\n"
            "  --helper-threads N  threads that make a request's snippets beside its\n"
            "                      worker while a worker is idle: 0 = none, -1 (default)\n"
            "                      = 1 with two or more workers ([searchd] helper_threads)\n"
            "  --tcp HOST:PORT     also listen on TCP, loopback only unless tcp_allow_remote\n"
            "  --user NAME         started as root: the user to serve as, after binding\n"
            "                      (default nobody; --user root: stay root deliberately);\n"
            "                      that user must be able to read the index\n"
            "  --socket-mode MODE  octal mode of the socket file (default 0660)\n"
            "  --log-level LEVEL   debug, info (default), warn or error\n"
            "  --log FILE          append the log to FILE (default: stderr; a daemon\n"
            "                      without --log discards it once it serves, so that\n"
            "                      the caller's stdout and stderr are closed)\n"
            "  --help, --version\n"
            "\n"
            "Flags override the config file. Signals: TERM/INT stop after in-flight\n"
            "requests (exit 0), HUP reloads the config and reopens the index.\n"
            "Exit status: 0 clean stop, 2 start-up failure. Protocol: docs/protocol.md.\n");
}

static void add_override(const char *section, const char *key, const char *value, const char *flag)
{
    if (noverrides == sizeof overrides / sizeof overrides[0]) {
        log_err("too many options");
        exit(EXIT_STARTUP);
    }
    overrides[noverrides++] = (struct override){ section, key, value, flag };
}

/* Defaults, then the file, then the flags. 0, or -1 after logging. */
static int load_config(struct config *c)
{
    char err[1024];
    if (config_init(c) < 0) {
        log_err("out of memory");
        return -1;
    }
    if (config_path && config_load(c, config_path, err, sizeof err) < 0) {
        log_err("%s", err);
        config_free(c);
        return -1;
    }
    for (size_t i = 0; i < noverrides; i++) {
        if (config_set(c, overrides[i].section, overrides[i].key, overrides[i].value, err, sizeof err) < 0) {
            log_err("%s: %s", overrides[i].flag, err);
            config_free(c);
            return -1;
        }
    }
    return 0;
}

/* An absolute copy of path (relative to the current directory), so that a
 * daemon in "/" still finds it. "tcp:" remote databases are kept as is. */
static char *absolute(const char *path)
{
    if (path[0] == '/' || strncmp(path, "tcp:", 4) == 0)
        return strdup(path);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return NULL;
    char *out;
    if (asprintf(&out, "%s/%s", cwd, path) < 0)
        return NULL;
    return out;
}

/* Split "a,b,c" into absolute paths. Returns the count, 0 on error. */
static size_t split_paths(const char *list, char ***out)
{
    *out = NULL;
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    char **v = calloc(n, sizeof *v);
    char *copy = strdup(list);
    if (!v || !copy) {
        free(v);
        free(copy);
        return 0;
    }
    size_t k = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!(v[k] = absolute(t))) {
            for (size_t i = 0; i < k; i++)
                free(v[i]);
            free(v);
            free(copy);
            return 0;
        }
        k++;
    }
    free(copy);
    *out = v;
    return k;
}

/* Fork into the background. The calling process waits until the daemon
 * says it serves (one byte on a pipe) and exits 0, or 2 if the daemon
 * died first. */
static void daemonize(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        log_err_errno("pipe");
        exit(EXIT_STARTUP);
    }
    pid_t pid = fork();
    if (pid < 0) {
        log_err_errno("fork");
        exit(EXIT_STARTUP);
    }
    if (pid > 0) {
        close(p[1]);
        char c;
        ssize_t r;
        while ((r = read(p[0], &c, 1)) < 0 && errno == EINTR)
            ;
        _exit(r == 1 ? 0 : EXIT_STARTUP);
    }
    close(p[0]);
    if (setsid() < 0) {
        log_err_errno("setsid");
        exit(EXIT_STARTUP);
    }
    pid = fork();
    if (pid < 0) {
        log_err_errno("fork");
        exit(EXIT_STARTUP);
    }
    if (pid > 0)
        _exit(0);
    if (chdir("/") != 0) {
        log_err_errno("chdir /");
        exit(EXIT_STARTUP);
    }
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0) {
        log_err_errno("/dev/null");
        exit(EXIT_STARTUP);
    }
    if (null > 2)
        close(null);
    ready_fd = p[1];
    daemonized = 1;
}

/* A daemon lets go of the caller's stderr (its log goes to --log FILE, or
 * nowhere), so that `searchd ... 2>&1 | tail` returns. */
static void detach_stderr(void)
{
    int fd = log_fd >= 0 ? log_fd : open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0 && fd != 2)
        dup2(fd, 2);
    if (fd >= 0 && fd != log_fd && fd != 2)
        close(fd);
}

static void tell_ready(void)
{
    if (ready_fd < 0)
        return;
    if (write(ready_fd, "1", 1) != 1)
        log_warn_errno("telling the starting process we serve");
    close(ready_fd);
    ready_fd = -1;
    if (daemonized)
        detach_stderr();
}

/* The first place under path (its directories, the stub, the live
 * generation and its files) that the current user cannot read, into
 * where; 0 when all can be read (or the index is remote). */
static int unreadable_part(const char *path, char *where, size_t cap)
{
    char p[4096];
    if (strncmp(path, "tcp:", 4) == 0 || strlen(path) >= sizeof p - 64)
        return 0;
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; (s = strchr(s, '/')); s++) { /* the directories above it */
        *s = '\0';
        int bad = access(p, X_OK) != 0 && errno == EACCES;
        *s = '/';
        if (bad) {
            snprintf(where, cap, "%.*s", (int)(s - p), p);
            return 1;
        }
    }
    if (access(path, R_OK | X_OK) != 0 && errno == EACCES) {
        snprintf(where, cap, "%s", path);
        return 1;
    }
    char stub[4200], line[256] = "", gen[4400];
    snprintf(stub, sizeof stub, "%s/XAPIANDB", path);
    FILE *f = fopen(stub, "r");
    if (!f) {
        if (errno == EACCES) {
            snprintf(where, cap, "%s", stub);
            return 1;
        }
        return 0;
    }
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    fclose(f);
    char *name = strchr(line, ' ');
    if (!name)
        return 0;
    name[strcspn(name, "\n")] = '\0';
    snprintf(gen, sizeof gen, "%s/%s", path, name + 1);
    if (access(gen, R_OK | X_OK) != 0 && errno == EACCES) {
        snprintf(where, cap, "%s", gen);
        return 1;
    }
    static const char *const files[] = { "iamglass", "postlist.glass", "termlist.glass", "docdata.glass", NULL };
    for (int i = 0; files[i]; i++) {
        char fp[4500];
        snprintf(fp, sizeof fp, "%s/%s", gen, files[i]);
        if (access(fp, R_OK) != 0 && errno == EACCES) {
            snprintf(where, cap, "%s", fp);
            return 1;
        }
    }
    return 0;
}

/* Before opening the index: name the user and the fix when it cannot
 * read it (Xapian would only say "Couldn't detect type of database"). */
static int check_index_access(char **paths, size_t npaths, const char *user_flag)
{
    char where[4600];
    for (size_t i = 0; i < npaths; i++) {
        if (!unreadable_part(paths[i], where, sizeof where))
            continue;
        struct passwd *pw = getpwuid(geteuid());
        char uname[64], oname[96] = "";
        snprintf(uname, sizeof uname, "%s", pw ? pw->pw_name : "?");
        struct stat sb;
        if (stat(paths[i], &sb) == 0 && (pw = getpwuid(sb.st_uid)))
            snprintf(oname, sizeof oname, " (the index belongs to %s)", pw->pw_name);
        log_err("as user %s: permission denied on %s; make the index readable by %s (chmod -R a+rX %s, "
                "and a+x on the directories above it) or %s%s",
                uname, where, uname, paths[i],
                user_flag ? "start searchd as root with --user set to a user that can read it"
                          : "run searchd as a user that can read it",
                oname);
        return -1;
    }
    return 0;
}

/* Root parent of the serving child: forwards signals, unlinks the socket
 * when the child is gone, exits with the child's status. Returns 0 in the
 * child, -1 if fork failed; never returns in the parent. */
static int privsep_fork(const int *fds, int nfds, const sigset_t *sigs)
{
    sigset_t all = *sigs;
    sigaddset(&all, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pid_t child = fork();
    if (child < 0) {
        log_err_errno("fork");
        return -1;
    }
    if (child > 0) {
        /* the child tells the starting process; the parent's stderr goes
         * where the daemon's log goes */
        if (ready_fd >= 0) {
            close(ready_fd);
            ready_fd = -1;
        }
        if (daemonized)
            detach_stderr();
    }
    if (child == 0) {
        pthread_sigmask(SIG_BLOCK, sigs, NULL);
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        pthread_sigmask(SIG_UNBLOCK, &chld, NULL);
        listen_unix_forget(); /* the root parent removes it */
        return 0;
    }
    for (int i = 0; i < nfds; i++)
        close(fds[i]);
    int status = 0;
    for (;;) {
        int sig;
        if (sigwait(&all, &sig) != 0)
            continue;
        if (sig != SIGCHLD) {
            kill(child, sig);
            continue;
        }
        pid_t r = waitpid(child, &status, WNOHANG);
        if (r == child)
            break;
    }
    listen_unix_cleanup();
    if (WIFEXITED(status))
        exit(WEXITSTATUS(status));
    log_err("serving process died of signal %d", WTERMSIG(status));
    exit(EXIT_STARTUP + 1);
}

/* Become `user` (its uid, gid and only its gid as groups). 0 or -1. */
static int drop_privileges(const char *user)
{
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        if (errno)
            log_err_errno("user %s", user);
        else
            log_err("user %s does not exist", user);
        return -1;
    }
    if (setgroups(1, &pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        log_err_errno("dropping privileges to %s", user);
        return -1;
    }
    if (setuid(0) == 0 || geteuid() == 0) {
        log_err("still able to regain root after dropping to %s", user);
        return -1;
    }
    log_info("running as user %s (uid %u, gid %u)", user, (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
    return 0;
}

/* Descriptors searchd needs besides its clients: stdio and log, the
 * listening sockets, per pool thread libmicrohttpd's epoll and event fds,
 * and each worker's open index tables (up to 8 per database). */
static long fds_reserved(unsigned threads, size_t nlisteners, size_t npaths)
{
    return 16 + (long)nlisteners * (1 + 2 * (long)threads) + (long)threads * 8 * (long)npaths;
}

/* Fit max_connections into the descriptor limit (raised toward the hard
 * limit when needed). libmicrohttpd stops accepting at its connection
 * limit, but a pool thread that meets EMFILE with no connection of its own
 * busy-waits; so the limit is kept below what the descriptors allow and
 * accept() never runs out. Returns 0, or -1 when even one connection per
 * thread does not fit. */
static int fit_connections(struct config *cfg, size_t nlisteners, size_t npaths)
{
    unsigned threads = (unsigned)cfg->searchd.threads;
    long reserved = fds_reserved(threads, nlisteners, npaths);
    long want = cfg->searchd.max_connections + reserved;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        log_err_errno("getrlimit NOFILE");
        return -1;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)want) {
        struct rlimit nl = rl;
        nl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= (rlim_t)want ? (rlim_t)want : rl.rlim_max;
        if (nl.rlim_cur > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &nl) == 0)
            rl = nl;
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (rlim_t)want)
        return 0;
    long fit = (long)rl.rlim_cur - reserved;
    if (fit < (long)(threads * nlisteners)) {
        log_err("ulimit -n %llu is too low: searchd needs about %ld descriptors for %u threads",
                (unsigned long long)rl.rlim_cur, reserved + (long)(threads * nlisteners), threads);
        return -1;
    }
    log_warn("ulimit -n %llu: max_connections lowered from %d to %ld", (unsigned long long)rl.rlim_cur,
             cfg->searchd.max_connections, fit);
    cfg->searchd.max_connections = (int)fit;
    return 0;
}

static void reload(struct config *cur)
{
    struct config nc;
    log_info("SIGHUP: reloading %s and reopening the index", config_path ? config_path : "(no config file)");
    if (load_config(&nc) < 0) {
        log_err("reload failed; keeping the current configuration");
        worker_reload_all(NULL);
        return;
    }
    if (strcmp(nc.index.db, cur->index.db) || strcmp(nc.searchd.socket, cur->searchd.socket) ||
        strcmp(nc.searchd.tcp, cur->searchd.tcp) || nc.searchd.threads != loaded_threads ||
        nc.searchd.helper_threads != cur->searchd.helper_threads || nc.searchd.mmap_reads != cur->searchd.mmap_reads ||
        nc.searchd.max_connections != loaded_max_connections ||
        nc.searchd.connection_timeout_s != cur->searchd.connection_timeout_s ||
        nc.searchd.max_request_bytes != cur->searchd.max_request_bytes)
        log_warn("db, socket, tcp, threads, helper_threads, mmap_reads, max_connections, connection_timeout_s and max_request_bytes "
                 "take effect only after a restart");
    if (worker_reload_all(&nc) < 0)
        log_err("reload: out of memory; keeping the current configuration");
    config_free(&nc);
}

int main(int argc, char **argv)
{
    log_set_ident("searchd");
    enum { O_DB = 256, O_SOCKET, O_CONFIG, O_FG, O_THREADS, O_TCP, O_USER, O_MODE, O_LOGLEVEL, O_LOG, O_HELP, O_VERSION, O_DICT, O_MASTER, O_HELPERS };
    static const struct option opts[] = {
        { "db", required_argument, NULL, O_DB },
        { "socket", required_argument, NULL, O_SOCKET },
        { "config", required_argument, NULL, O_CONFIG },
        { "foreground", no_argument, NULL, O_FG },
        { "threads", required_argument, NULL, O_THREADS },
        { "helper-threads", required_argument, NULL, O_HELPERS },
        { "dictionary", required_argument, NULL, O_DICT },
        { "master", required_argument, NULL, O_MASTER },
        { "tcp", required_argument, NULL, O_TCP },
        { "user", required_argument, NULL, O_USER },
        { "socket-mode", required_argument, NULL, O_MODE },
        { "log-level", required_argument, NULL, O_LOGLEVEL },
        { "log", required_argument, NULL, O_LOG },
        { "help", no_argument, NULL, O_HELP },
        { "version", no_argument, NULL, O_VERSION },
        { NULL, 0, NULL, 0 },
    };
    int foreground = 0, c, started_as_root = geteuid() == 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_DB: add_override("index", "db", optarg, "--db"); break;
        case O_SOCKET: add_override("searchd", "socket", optarg, "--socket"); break;
        case O_CONFIG: config_path = optarg; break;
        case O_FG: foreground = 1; break;
        case O_THREADS: add_override("searchd", "threads", optarg, "--threads"); break;
        case O_HELPERS: add_override("searchd", "helper_threads", optarg, "--helper-threads"); break;
        case O_DICT: add_override("searchd", "dictionary", optarg, "--dictionary"); break;
        case O_MASTER: add_override("index", "master", optarg, "--master"); break;
        case O_TCP: add_override("searchd", "tcp", optarg, "--tcp"); break;
        case O_USER: add_override("searchd", "user", optarg, "--user"); break;
        case O_MODE: add_override("searchd", "socket_mode", optarg, "--socket-mode"); break;
        case O_LOGLEVEL:
            if (!strcmp(optarg, "debug"))
                log_set_level(LOG_LEVEL_DEBUG);
            else if (!strcmp(optarg, "info"))
                log_set_level(LOG_LEVEL_INFO);
            else if (!strcmp(optarg, "warn"))
                log_set_level(LOG_LEVEL_WARN);
            else if (!strcmp(optarg, "error"))
                log_set_level(LOG_LEVEL_ERR);
            else {
                log_err("--log-level %s: expected debug, info, warn or error", optarg);
                return EXIT_STARTUP;
            }
            break;
        case O_LOG:
            if (log_fd >= 0)
                close(log_fd);
            log_fd = open(optarg, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
            if (log_fd < 0) {
                log_err_errno("--log %s", optarg);
                return EXIT_STARTUP;
            }
            break;
        case O_HELP: usage(stdout); return 0;
        case O_VERSION:
            printf("searchd (medsearch) %s, xapian %s, libmicrohttpd %s\n", MEDSEARCH_VERSION, xap_version(),
                   MHD_get_version());
            return 0;
        default: usage(stderr); return EXIT_STARTUP;
        }
    }
    if (optind < argc) {
        log_err("unexpected argument '%s' (see --help)", argv[optind]);
        return EXIT_STARTUP;
    }

    if (!config_path && getenv("MEDSEARCH_CONFIG") && *getenv("MEDSEARCH_CONFIG"))
        config_path = getenv("MEDSEARCH_CONFIG");
    /* The config path must survive chdir("/") for SIGHUP. */
    char *abs_config = config_path ? absolute(config_path) : NULL;
    if (config_path && !abs_config) {
        log_err("out of memory");
        return EXIT_STARTUP;
    }
    config_path = abs_config;

    struct config cfg;
    if (load_config(&cfg) < 0)
        return EXIT_STARTUP;
    int status = EXIT_STARTUP;
    char **paths = NULL;
    size_t npaths = 0;
    struct server *srv = NULL;

    if (!cfg.index.db[0]) {
        log_err("no index: give --db DIR (or db in the [index] section of --config)");
        goto out;
    }
    if (!(npaths = split_paths(cfg.index.db, &paths))) {
        log_err("--db '%s': no usable path", cfg.index.db);
        goto out;
    }
    if (geteuid() == 0 && !cfg.searchd.user[0]) {
        log_info("started as root without --user: serving as user nobody");
        char err[256];
        if (config_set(&cfg, "searchd", "user", "nobody", err, sizeof err) != 0) {
            log_err("%s", err);
            goto out;
        }
    }
    if (geteuid() == 0 && strcmp(cfg.searchd.user, "root") != 0 && !getpwnam(cfg.searchd.user)) {
        log_err("user %s does not exist", cfg.searchd.user); /* before the socket is made */
        goto out;
    }
    char *sock = NULL;
    if (cfg.searchd.socket[0] && !(sock = absolute(cfg.searchd.socket))) {
        log_err("out of memory");
        goto out;
    }
    if (cfg.index.master[0]) {
        /* Read after chdir("/") too. */
        char *m = absolute(cfg.index.master), err[256];
        int bad = !m || config_set(&cfg, "index", "master", m, err, sizeof err) != 0;
        free(m);
        if (bad) {
            log_err("out of memory");
            goto out;
        }
    }
    if (!foreground)
        daemonize();
    else if (log_fd >= 0)
        dup2(log_fd, 2);

    /* Signals are taken by sigwait in this thread only; the serving threads
     * inherit the blocked mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    int fds[8];
    int nfds = listen_systemd(fds, 8);
    if (nfds < 0) {
        free(sock);
        goto out;
    }
    if (nfds > 0) {
        if (sock)
            log_info("socket activation: ignoring socket %s", sock);
    } else {
        if (!sock && !cfg.searchd.tcp[0]) {
            log_err("nowhere to listen: give --socket PATH (or socket, or tcp, in [searchd])");
            goto out;
        }
        if (sock && (fds[nfds++] = listen_unix(sock, cfg.searchd.socket_mode, cfg.searchd.socket_group)) < 0) {
            free(sock);
            goto out;
        }
        if (cfg.searchd.tcp[0] && (fds[nfds++] = listen_tcp(cfg.searchd.tcp, cfg.searchd.tcp_allow_remote)) < 0) {
            free(sock);
            goto out;
        }
    }
    free(sock);
    if (geteuid() == 0 && strcmp(cfg.searchd.user, "root") == 0) {
        log_warn("running as root, as asked (--user root); prefer an unprivileged user");
    } else if (geteuid() == 0) {
        if (privsep_fork(fds, nfds, &sigs) != 0)
            goto out;
        if (drop_privileges(cfg.searchd.user) < 0)
            goto out;
    }
    else if (geteuid() != 0 && cfg.searchd.user[0])
        log_info("not started as root; user %s ignored", cfg.searchd.user);
    loaded_threads = cfg.searchd.threads;
    loaded_max_connections = cfg.searchd.max_connections;
    if (cfg.searchd.threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cfg.searchd.threads = n > 0 ? (int)n : 1;
    }
    if (fit_connections(&cfg, (size_t)nfds, npaths) < 0)
        goto out;

    if (check_index_access(paths, npaths, geteuid() != getuid() || started_as_root ? "--user" : NULL) < 0)
        goto out;
    if (cfg.searchd.mmap_reads)
        mmapread_enable(1); /* before any table is opened; on failure, pread as before */
    char err[1024];
    if (shards_init((const char *const *)paths, npaths, (unsigned)cfg.searchd.shard_timeout_ms,
                    (unsigned)cfg.searchd.shard_probe_ms, err, sizeof err) < 0) {
        log_err("%s", err);
        status = EXIT_STARTUP;
        goto out;
    }
    if (cfg.index.master[0] && (npaths != 1 || shards_remote())) {
        log_err("[index] master (--master %s): the lag of a replica is known for one local index only, and "
                "--db names %s",
                cfg.index.master, cfg.index.db);
        status = EXIT_STARTUP;
        goto out;
    }
    if (replica_init(cfg.index.master, (unsigned)cfg.searchd.shard_probe_ms) < 0) {
        log_err("out of memory");
        goto out;
    }
    if (worker_init((const char *const *)paths, npaths, &cfg) < 0) {
        log_err("out of memory");
        goto out;
    }
    uint32_t docs;
    if (worker_probe(err, sizeof err, &docs) < 0) {
        log_err("%s", err);
        goto out;
    }
    if (cfg.ranking.spelling) {
        /* The word lists of "did you mean", loaded before the first query
         * rather than during it. */
        struct tokenizer *tk = tokenizer_new();
        xap_stem *stem = NULL;
        xap_stem_new("en", &stem);
        spell_init(cfg.ranking.dictionaries, tk, stem);
        xap_stem_free(stem);
        tokenizer_free(tk);
    }
    if (shards_start() < 0 || replica_start() < 0)
        goto out;
    if (!(srv = server_start(&cfg, fds, (size_t)nfds)))
        goto out;
    tell_ready(); /* a daemon's log goes to --log FILE (or nowhere) from here */
    log_info("ready: %u documents in %s (pid %ld)", docs, cfg.index.db, (long)getpid());

    for (;;) {
        int sig;
        if (sigwait(&sigs, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            reload(&cfg);
            continue;
        }
        log_info("%s: stopping after in-flight requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        break;
    }
    listen_unix_cleanup();
    server_stop(srv, cfg.searchd.connection_timeout_s < 10 ? cfg.searchd.connection_timeout_s : 10);
    srv = NULL;
    status = 0;
    log_info("stopped");
out:
    listen_unix_cleanup();
    worker_shutdown();
    replica_stop();
    shards_stop();
    for (size_t i = 0; i < npaths; i++)
        free(paths[i]);
    free(paths);
    config_free(&cfg);
    free(abs_config);
    return status;
}
