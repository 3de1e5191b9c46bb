/* SPDX-License-Identifier: GPL-2.0-or-later */
/* search: the command-line client of searchd.  Reads the command line,
 * finds the socket, sends one request (or a batch with --run) and prints
 * the answer for a person (show.c), as JSON (--json) or as a TREC run
 * (batch.c).  Exit statuses: reply.h. */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "api.h"
#include "batch.h"
#include "cliargs.h"
#include "config.h"
#include "reply.h"
#include "show.h"

#define DEFAULT_CONFIG "/etc/medsearch.conf"

/* The socket: --socket, else $MEDSEARCH_SOCKET, else "[client] socket",
 * else "[searchd] socket" of --config FILE (or of $MEDSEARCH_CONFIG, as
 * the indexer and searchd read it, or of /etc/medsearch.conf if it
 * exists), else ./medsearch.sock.  A config file given with --config
 * is always read, so that a broken one is reported.  Returns the path
 * (owned by *conf or the environment or static), or NULL after printing
 * the config error. */
static const char *socket_path(const struct cliargs *a, struct config *conf)
{
    const char *file = a->config;
    const char *envconf = getenv("MEDSEARCH_CONFIG");
    if (!file && envconf && *envconf)
        file = envconf;
    if (!file && !a->socket && !(getenv("MEDSEARCH_SOCKET") && *getenv("MEDSEARCH_SOCKET")) &&
        access(DEFAULT_CONFIG, F_OK) == 0)
        file = DEFAULT_CONFIG;
    if (file) {
        char err[512];
        if (config_load(conf, file, err, sizeof err) < 0) {
            fprintf(stderr, "search: %s\n", err);
            return NULL;
        }
    }
    if (a->socket)
        return a->socket;
    const char *env = getenv("MEDSEARCH_SOCKET");
    if (env && *env)
        return env;
    if (conf->client.socket && *conf->client.socket)
        return conf->client.socket;
    if (conf->searchd.socket && *conf->searchd.socket)
        return conf->searchd.socket;
    return "./medsearch.sock";
}

static int use_color(enum cli_color c)
{
    if (c != CLI_COLOR_AUTO)
        return c == CLI_COLOR_ALWAYS;
    const char *term = getenv("TERM");
    const char *no = getenv("NO_COLOR");
    return isatty(STDOUT_FILENO) && !(no && *no) && !(term && strcmp(term, "dumb") == 0);
}

static size_t term_width(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    const char *cols = getenv("COLUMNS");
    long n = cols ? strtol(cols, NULL, 10) : 0;
    return n >= 20 && n <= 1000 ? (size_t)n : 80;
}

static int transport_error(struct api *h, enum api_status st, double timeout_s)
{
    if (st == API_CONNECT)
        fprintf(stderr,
                "search: cannot connect to searchd at %s: %s (is searchd running? set --socket or MEDSEARCH_SOCKET)\n",
                api_socket(h), api_error(h));
    else if (st == API_TIMEOUT)
        fprintf(stderr, "search: searchd at %s did not answer within %g s\n", api_socket(h), timeout_s);
    else
        fprintf(stderr, "search: searchd at %s: %s\n", api_socket(h), api_error(h));
    return EXIT_USAGE;
}

/* How many results an answer holds, or -1 if it is not what the endpoint
 * sends. */
static int count_results(enum cli_mode mode, json_t *root)
{
    const char *key = mode == CLI_SEARCH ? "hits" : mode == CLI_RELATED ? "related" : "suggestions";
    if (mode == CLI_DOC)
        return json_is_object(root) ? 1 : -1;
    json_t *list = json_object_get(root, key);
    return json_is_array(list) ? (int)json_array_size(list) : -1;
}

static int ask(const struct cliargs *a, const char *socket)
{
    char limit[24], offset[24];
    snprintf(limit, sizeof limit, "%ld", a->limit);
    snprintf(offset, sizeof offset, "%ld", a->offset);
    const char *lim = a->limit >= 0 ? limit : NULL;
    const char *off = a->offset >= 0 ? offset : NULL;
    const char *path;
    const char *params[16] = { NULL };
    switch (a->mode) {
    case CLI_RELATED:
        path = "/related";
        params[0] = "id", params[1] = a->arg, params[2] = "limit", params[3] = lim;
        break;
    case CLI_DOC:
        path = "/doc";
        params[0] = "id", params[1] = a->arg;
        break;
    case CLI_SUGGEST:
        path = "/suggest";
        params[0] = "q", params[1] = a->arg, params[2] = "limit", params[3] = lim;
        break;
    default:
        path = "/search";
        params[0] = "q", params[1] = a->query, params[2] = "limit", params[3] = lim;
        params[4] = "offset", params[5] = off, params[6] = "category", params[7] = a->category;
        params[8] = "lang", params[9] = a->lang;
        break;
    }
    struct api *h = api_open(socket, a->timeout_s);
    if (!h) {
        fputs("search: out of memory\n", stderr);
        return EXIT_USAGE;
    }
    long status;
    const char *body;
    size_t len;
    int rc;
    enum api_status st = api_get(h, path, params, &status, &body, &len);
    if (st != API_OK) {
        rc = transport_error(h, st, a->timeout_s);
        goto out;
    }
    if (status != 200) {
        struct reply_err e;
        char msg[700];
        reply_error(status, body, len, &e);
        reply_format(&e, msg, sizeof msg);
        if (a->json && len > 0 && body[0] == '{')
            printf("%s%s", body, body[len - 1] == '\n' ? "" : "\n");
        if (reply_is_unknown_id(&e)) {
            /* searchd's message says the same thing: once is enough */
            fprintf(stderr, "search: no article with id '%s' (HTTP %d)\n", a->arg, (int)status);
            rc = EXIT_NONE;
        } else {
            fprintf(stderr, "search: searchd: %s\n", msg);
            rc = EXIT_SERVER;
        }
        goto out;
    }
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    if (!root) {
        fprintf(stderr, "search: searchd sent invalid JSON (%s at byte %d)\n", jerr.text, jerr.position);
        rc = EXIT_SERVER;
        goto out;
    }
    int n;
    if (a->json) {
        printf("%s%s", body, len && body[len - 1] == '\n' ? "" : "\n");
        n = count_results(a->mode, root);
    } else {
        struct show_style style = { use_color(a->color), term_width() };
        switch (a->mode) {
        case CLI_RELATED: n = show_related(stdout, &style, root); break;
        case CLI_DOC: n = show_doc(stdout, &style, root); break;
        case CLI_SUGGEST: n = show_suggest(stdout, &style, root); break;
        default: n = show_search(stdout, &style, root); break;
        }
    }
    json_decref(root);
    if (n < 0) {
        fprintf(stderr, "search: searchd's answer to %s is not what the protocol says\n", path);
        rc = EXIT_SERVER;
    } else {
        rc = n > 0 ? EXIT_FOUND : EXIT_NONE;
    }
out:
    api_close(h);
    return rc;
}

int main(int argc, char **argv)
{
    struct cliargs a;
    int rc = cliargs_parse(argc, argv, &a);
    if (rc) {
        cliargs_free(&a);
        return rc;
    }
    if (a.mode == CLI_HELP) {
        fputs(cliargs_usage, stdout);
        goto done;
    }
    if (a.mode == CLI_VERSION) {
        printf("search (medsearch) %s\n", MEDSEARCH_VERSION);
        goto done;
    }
    struct config conf;
    if (config_init(&conf) < 0) {
        fputs("search: out of memory\n", stderr);
        rc = EXIT_USAGE;
        goto done;
    }
    const char *socket = socket_path(&a, &conf);
    if (!socket) {
        rc = EXIT_USAGE;
        goto done_conf;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("search: cannot initialise libcurl\n", stderr);
        rc = EXIT_USAGE;
        goto done_conf;
    }
    if (a.mode == CLI_RUN) {
        struct batch_opts o = {
            .file = a.arg, .socket = socket, .k = (int)a.k, .tag = a.tag, .parallel = (int)a.parallel,
            .timeout_s = a.timeout_s, .category = a.category, .lang = a.lang, .latency = a.latency,
        };
        rc = batch_run(&o, stdout);
    } else {
        rc = ask(&a, socket);
    }
    curl_global_cleanup();
done_conf:
    config_free(&conf);
done:
    if (fflush(stdout) != 0 && rc != EXIT_USAGE) {
        fprintf(stderr, "search: writing to stdout: %s\n", strerror(errno));
        rc = EXIT_USAGE;
    }
    cliargs_free(&a);
    return rc;
}
