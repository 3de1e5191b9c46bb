/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cliargs.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"

const char cliargs_usage[] =
    "usage: search [--socket PATH] [options] QUERY...\n"
    "       search [--socket PATH] --related ID | --doc ID | --suggest PREFIX\n"
    "       search [--socket PATH] --run QUERIES.tsv [--k N] [--tag NAME] [--parallel N] [--latency OUT]\n"
    "\n"
    "Asks searchd (over its UNIX socket) and prints ranked articles with\n"
    "highlighted snippets, \"did you mean\" and related suggestions.\n"
    "The words of QUERY are joined by spaces; searchd reads the query language:\n"
    "words, \"exact phrase\", +must, -exclude, AND OR NOT, ( ), title: category:\n"
    "lang: fields, prefix*.  Options (all long) may come anywhere; any other\n"
    "argument, \"-exclude\" included, is a query word; \"--\" ends the options.\n"
    "\n"
    "  --socket PATH       searchd's socket (default: $MEDSEARCH_SOCKET, else\n"
    "                      [client] or [searchd] socket of the config file,\n"
    "                      else ./medsearch.sock)\n"
    "  --config FILE       config file (default: $MEDSEARCH_CONFIG when set, else\n"
    "                      /etc/medsearch.conf if it exists)\n"
    "  --json              print searchd's JSON answer as is\n"
    "  --limit N           number of results (searchd's default: 10)\n"
    "  --offset N          skip the first N results (pagination)\n"
    "  --category C        only articles of category C\n"
    "  --lang L            only articles in language L (en, zh, ...)\n"
    "  --related ID        articles related to the article ID\n"
    "  --doc ID            the stored article ID\n"
    "  --suggest PREFIX    completions for PREFIX (quote several words)\n"
    "  --run FILE          batch mode: read \"qid<TAB>query\" lines (FILE or - for\n"
    "                      stdin; a header line is skipped), search each as plain\n"
    "                      words and print a TREC run \"qid Q0 docid rank score tag\"\n"
    "  --k N               --run: results per query (default 100)\n"
    "  --tag NAME          --run: run tag (default medsearch)\n"
    "  --parallel N        --run: N connections at once (default 1; output stays\n"
    "                      in input order)\n"
    "  --latency OUT       --run: write \"qid<TAB>seconds\" per query to OUT, the\n"
    "                      time of its requests measured here (as the bench's peers)\n"
    "  --color WHEN        auto (default: on a terminal), always, never\n"
    "  --timeout SECONDS   per request (default 30)\n"
    "  --help, --version\n"
    "\n"
    "Exit status: 0 results found (or the command succeeded); 1 no results\n"
    "(or no article with that ID); 2 usage error or searchd not reachable;\n"
    "3 searchd answered with an error (--run: some query failed).\n";

enum {
    OPT_SOCKET = 256, OPT_CONFIG, OPT_JSON, OPT_RELATED, OPT_DOC, OPT_SUGGEST, OPT_LIMIT,
    OPT_OFFSET, OPT_CATEGORY, OPT_LANG, OPT_RUN, OPT_K, OPT_TAG, OPT_PARALLEL, OPT_LATENCY, OPT_COLOR,
    OPT_TIMEOUT, OPT_HELP, OPT_VERSION,
};

static const struct option options[] = {
    { "socket", required_argument, NULL, OPT_SOCKET },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "json", no_argument, NULL, OPT_JSON },
    { "related", required_argument, NULL, OPT_RELATED },
    { "doc", required_argument, NULL, OPT_DOC },
    { "suggest", required_argument, NULL, OPT_SUGGEST },
    { "limit", required_argument, NULL, OPT_LIMIT },
    { "offset", required_argument, NULL, OPT_OFFSET },
    { "category", required_argument, NULL, OPT_CATEGORY },
    { "lang", required_argument, NULL, OPT_LANG },
    { "run", required_argument, NULL, OPT_RUN },
    { "k", required_argument, NULL, OPT_K },
    { "tag", required_argument, NULL, OPT_TAG },
    { "parallel", required_argument, NULL, OPT_PARALLEL },
    { "latency", required_argument, NULL, OPT_LATENCY },
    { "color", required_argument, NULL, OPT_COLOR },
    { "colour", required_argument, NULL, OPT_COLOR },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "help", no_argument, NULL, OPT_HELP },
    { "version", no_argument, NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 },
};

static int usage_error(const char *fmt, const char *a, const char *b)
{
    fputs("search: ", stderr);
    fprintf(stderr, fmt, a, b);
    fputs(" (see search --help)\n", stderr);
    return EXIT_USAGE;
}

static int parse_long(const char *opt, const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        char range[64];
        snprintf(range, sizeof range, "%ld..%ld", min, max);
        fprintf(stderr, "search: --%s: '%s' is not a number in %s (see search --help)\n", opt, s, range);
        return -1;
    }
    *out = v;
    return 0;
}

static int set_mode(struct cliargs *a, enum cli_mode m, const char *arg, const char *name)
{
    static const char *const names[] = { "QUERY", "--related", "--doc", "--suggest", "--run" };
    if (a->mode != CLI_SEARCH && a->mode != m)
        return usage_error("%s and %s cannot be used together", names[a->mode], name);
    a->mode = m;
    a->arg = arg;
    return 0;
}

/* The "--" that reorder() puts after the options: getopt takes it as the
 * argument of a last option that lacks one, which is then an error. */
static char end_of_options[] = "--";

/* The option named by s[0..n) (exact, or an unambiguous prefix as
 * getopt_long accepts), or NULL. */
static const struct option *find_option(const char *s, size_t n)
{
    const struct option *hit = NULL;
    for (const struct option *o = options; o->name; o++) {
        if (strncmp(o->name, s, n) != 0)
            continue;
        if (o->name[n] == '\0')
            return o;
        if (hit && hit->val != o->val)
            return NULL;
        hit = o;
    }
    return hit;
}

/* Options may come anywhere, but a query word may start with '-'
 * ("-exclude"): every option of search is long, so only "--name" (and the
 * argument it takes) is an option and anything else a word.  Returns a new
 * argv of *nout entries: argv[0], the options, "--", the words. */
static char **reorder(int argc, char **argv, int *nout)
{
    char **out = calloc((size_t)argc + 2, sizeof *out);
    if (!out)
        return NULL;
    int n = 0, nw = 0, ended = 0;
    char **words = calloc((size_t)argc + 1, sizeof *words);
    if (!words) {
        free(out);
        return NULL;
    }
    out[n++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (ended || s[0] != '-' || s[1] != '-') {
            words[nw++] = argv[i];
        } else if (s[2] == '\0') {
            ended = 1;
        } else {
            out[n++] = argv[i];
            const char *eq = strchr(s, '=');
            const struct option *o = find_option(s + 2, eq ? (size_t)(eq - s - 2) : strlen(s + 2));
            if (o && o->has_arg == required_argument && !eq && i + 1 < argc)
                out[n++] = argv[++i];
        }
    }
    out[n++] = end_of_options;
    for (int i = 0; i < nw; i++)
        out[n++] = words[i];
    free(words);
    *nout = n;
    return out;
}

int cliargs_parse(int argc_in, char **argv_in, struct cliargs *a)
{
    memset(a, 0, sizeof *a);
    int argc;
    char **argv = reorder(argc_in, argv_in, &argc);
    if (!argv) {
        fputs("search: out of memory\n", stderr);
        return EXIT_USAGE;
    }
    a->argv = argv;
    a->mode = CLI_SEARCH;
    a->limit = -1;
    a->offset = -1;
    a->k = -1;
    a->parallel = -1;
    a->timeout_s = 30;
    int help = 0, version = 0;
    opterr = 0;
    optind = 0;   /* glibc: a full reset, so that parsing twice works */
    int c;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        char *end;
        if (optarg == end_of_options)
            return usage_error("%s needs an argument%s", argv[optind - 2], "");
        switch (c) {
        case OPT_SOCKET:
            if (!*optarg)
                return usage_error("%s%s: empty socket path", "--socket", "");
            a->socket = optarg;
            break;
        case OPT_CONFIG: a->config = optarg; break;
        case OPT_JSON: a->json = 1; break;
        case OPT_RELATED:
            if (set_mode(a, CLI_RELATED, optarg, "--related"))
                return EXIT_USAGE;
            break;
        case OPT_DOC:
            if (set_mode(a, CLI_DOC, optarg, "--doc"))
                return EXIT_USAGE;
            break;
        case OPT_SUGGEST:
            if (set_mode(a, CLI_SUGGEST, optarg, "--suggest"))
                return EXIT_USAGE;
            break;
        case OPT_RUN:
            if (set_mode(a, CLI_RUN, optarg, "--run"))
                return EXIT_USAGE;
            break;
        case OPT_LIMIT:
            if (parse_long("limit", optarg, 1, INT_MAX, &a->limit))
                return EXIT_USAGE;
            break;
        case OPT_OFFSET:
            if (parse_long("offset", optarg, 0, INT_MAX, &a->offset))
                return EXIT_USAGE;
            break;
        case OPT_K:
            if (parse_long("k", optarg, 1, 1000000, &a->k))
                return EXIT_USAGE;
            break;
        case OPT_PARALLEL:
            if (parse_long("parallel", optarg, 1, 64, &a->parallel))
                return EXIT_USAGE;
            break;
        case OPT_LATENCY:
            if (!*optarg)
                return usage_error("--latency: an empty file name%s%s", "", "");
            a->latency = optarg;
            break;
        case OPT_CATEGORY: a->category = optarg; break;
        case OPT_LANG: a->lang = optarg; break;
        case OPT_TAG:
            if (!*optarg || optarg[strcspn(optarg, " \t\r\n")])
                return usage_error("--tag: '%s' is empty or has a space%s", optarg, "");
            a->tag = optarg;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0)
                a->color = CLI_COLOR_AUTO;
            else if (strcmp(optarg, "always") == 0)
                a->color = CLI_COLOR_ALWAYS;
            else if (strcmp(optarg, "never") == 0)
                a->color = CLI_COLOR_NEVER;
            else
                return usage_error("--color: '%s' is not auto, always or never%s", optarg, "");
            break;
        case OPT_TIMEOUT:
            errno = 0;
            a->timeout_s = strtod(optarg, &end);
            if (errno || end == optarg || *end || !isfinite(a->timeout_s) || a->timeout_s <= 0 ||
                a->timeout_s > 86400)
                return usage_error("--timeout: '%s' is not a number of seconds in (0, 86400]%s", optarg, "");
            break;
        case OPT_HELP: help = 1; break;
        case OPT_VERSION: version = 1; break;
        case ':':
            return usage_error("%s needs an argument%s", argv[optind - 1], "");
        default:
            return usage_error("unknown option %s%s", argv[optind - 1], "");
        }
    }
    if (help) {
        a->mode = CLI_HELP;
        return 0;
    }
    if (version) {
        a->mode = CLI_VERSION;
        return 0;
    }
    int nwords = argc - optind;
    if (a->mode == CLI_SEARCH) {
        if (nwords == 0)
            return usage_error("no query given%s%s", "", "");
        size_t len = 1;
        for (int i = optind; i < argc; i++)
            len += strlen(argv[i]) + 1;
        a->query = malloc(len);
        if (!a->query) {
            fputs("search: out of memory\n", stderr);
            return EXIT_USAGE;
        }
        a->query[0] = '\0';
        for (int i = optind; i < argc; i++) {
            if (i > optind)
                strcat(a->query, " ");
            strcat(a->query, argv[i]);
        }
        if (!a->query[strspn(a->query, " \t\r\n")])
            return usage_error("empty query%s%s", "", "");
    } else if (nwords > 0) {
        static const char *const names[] = { "", "--related ID", "--doc ID",
                                             "--suggest PREFIX (quote a PREFIX of several words)", "--run FILE" };
        return usage_error("unexpected '%s': %s takes no QUERY words", argv[optind], names[a->mode]);
    }
    if ((a->mode == CLI_RELATED || a->mode == CLI_DOC) && !*a->arg)
        return usage_error("an empty article ID%s%s", "", "");
    if (a->mode == CLI_RUN) {
        if (a->json)
            return usage_error("--json and --run cannot be used together%s%s", "", "");
        if (a->limit >= 0 || a->offset >= 0)
            return usage_error("--run uses --k, not --limit or --offset%s%s", "", "");
    } else if (a->k >= 0 || a->tag || a->parallel >= 0 || a->latency) {
        return usage_error("--k, --tag, --parallel and --latency go with --run%s%s", "", "");
    }
    if (a->offset >= 0 && a->mode != CLI_SEARCH)
        return usage_error("--offset goes with a search%s%s", "", "");
    if (a->k < 0)
        a->k = 100;
    if (a->parallel < 0)
        a->parallel = 1;
    if (!a->tag)
        a->tag = "medsearch";
    return 0;
}

void cliargs_free(struct cliargs *a)
{
    free(a->query);
    free(a->argv);
    a->query = NULL;
    a->argv = NULL;
}
