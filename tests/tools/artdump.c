/* SPDX-License-Identifier: GPL-2.0-or-later */
/* artdump: parse the files given on the command line ("-" = stdin) and
 * print article_dump() of each article, and every problem as
 *   ERROR file:line: STATUS reason (fatal|skipped|repaired)
 * Used by tests/golden/parse.sh.
 *
 *   artdump [--root DIR] [--format auto|text|jsonl|html] [--quiet] FILE...
 * --quiet prints only a count of articles per file (for big inputs).
 * Exit status: 0 when every file was read to its end, 1 otherwise.
 */
#include "article.h"
#include "../../indexer/input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct counts {
    long articles;
    int quiet;
};

static int on_article(struct article *a, void *ud)
{
    struct counts *c = ud;

    c->articles++;
    if (!c->quiet) {
        char *d = article_dump(a);
        if (!d) {
            fprintf(stderr, "artdump: out of memory\n");
            article_free(a);
            return 1;
        }
        printf("=== article %ld\n%s", c->articles, d);
        free(d);
    }
    article_free(a);
    return 0;
}

static void on_error(const char *file, long line, enum input_status st, int fatal, const char *reason,
                     void *ud)
{
    (void)ud;
    printf("ERROR %s:%ld: %s %s (%s)\n", file, line, input_status_name(st), reason,
           fatal ? "fatal" : st == INPUT_ERR_ENCODING ? "repaired" : "skipped");
}

int main(int argc, char **argv)
{
    struct input_opts opts = { INPUT_AUTO, NULL, 0, NULL, "stdin", NULL, NULL }; /* ids of stdin articles: stdin#LINE */
    struct counts c = { 0, 0 };
    int i, rc = 0;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--root") == 0 && i + 1 < argc) {
            opts.root = argv[++i];
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            opts.format = strcmp(f, "text") == 0    ? INPUT_TEXT
                          : strcmp(f, "jsonl") == 0 ? INPUT_JSONL
                          : strcmp(f, "html") == 0  ? INPUT_HTML
                                                    : INPUT_AUTO;
        } else if (strcmp(a, "--quiet") == 0) {
            c.quiet = 1;
        } else if (strcmp(a, "--help") == 0) {
            printf("usage: artdump [--root DIR] [--format auto|text|jsonl|html] [--quiet] FILE...\n");
            return 0;
        } else {
            long before = c.articles;
            if (input_parse_file(a, &opts, on_article, on_error, &c) != INPUT_OK)
                rc = 1;
            if (c.quiet)
                printf("%s: %ld articles\n", a, c.articles - before);
        }
    }
    return rc;
}
