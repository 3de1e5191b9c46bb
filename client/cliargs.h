/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cliargs: the command line of `search`, checked (every usage error is
 * found here, before searchd is asked anything). */
#ifndef MEDSEARCH_CLIENT_CLIARGS_H
#define MEDSEARCH_CLIENT_CLIARGS_H

enum cli_mode { CLI_SEARCH, CLI_RELATED, CLI_DOC, CLI_SUGGEST, CLI_RUN, CLI_HELP, CLI_VERSION };
enum cli_color { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };

struct cliargs {
    enum cli_mode mode;
    const char *socket;     /* --socket, NULL when not given */
    const char *config;     /* --config, NULL when not given */
    int json;
    const char *arg;        /* ID of --related/--doc, PREFIX of --suggest, FILE of --run */
    char *query;            /* the QUERY words joined by spaces (CLI_SEARCH), owned */
    long limit;             /* -1: searchd's default */
    long offset;            /* -1: searchd's default */
    const char *category;
    const char *lang;
    long k;                 /* --run: results per query (default 100) */
    const char *tag;        /* --run: run tag (default "medsearch") */
    long parallel;          /* --run: connections (default 1) */
    const char *latency;    /* --run: file of "qid<TAB>seconds" lines, NULL = none */
    enum cli_color color;
    double timeout_s;       /* per request (default 30) */
    char **argv;            /* private: argv reordered, options first */
};

/* Parse argv into *out (pointers into argv, except query).  Options are
 * all long ("--name" or "--name=value") and may come anywhere; every other
 * argument, "-exclude" included, is a QUERY word; "--" ends the options.  Returns 0, or
 * 2 (EXIT_USAGE) after printing one "search: ..." line on stderr.  The
 * caller frees with cliargs_free() in both cases. */
int cliargs_parse(int argc, char **argv, struct cliargs *out /* OUT */);

void cliargs_free(struct cliargs *a);

/* The --help text. */
extern const char cliargs_usage[];

#endif
