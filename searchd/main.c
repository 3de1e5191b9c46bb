/* SPDX-License-Identifier: GPL-2.0-or-later */
/* searchd: placeholder main until its issue lands. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("searchd (medsearch) %s\n", MEDSEARCH_VERSION);
            return 0;
        }
        if (strcmp(argv[i], "--help") == 0) {
            printf("usage: searchd [--help] [--version]\n");
            return 0;
        }
    }
    fprintf(stderr, "searchd: not implemented yet\n");
    return 2;
}
