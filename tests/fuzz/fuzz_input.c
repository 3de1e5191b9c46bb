/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_input: the whole auto-detecting path of input_parse_buffer: gzip
 * magic, binary/empty checks, UTF-8 repair, BOM, format detection by
 * content and by name. The first byte picks the source name (detection
 * falls back on the extension); the rest is the file. */
#include "fuzz.h"

static int input_init(void) { return 0; }

static void input_one(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "a.txt", "a.jsonl", "a.html", "a.txt.gz", "a.NDJSON.gz", "-",
                                         "dir/b.htm", "noext" };
    if (size == 0)
        return;
    const char *name = names[data[0] % (sizeof names / sizeof names[0])];
    fuzz_parse(data + 1, size - 1, INPUT_AUTO, name);
}

FUZZ_TARGET(input)
