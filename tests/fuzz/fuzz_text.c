/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_text: the scraped-text parser (input_parse_buffer, INPUT_TEXT forced). */
#include "fuzz.h"

static int text_init(void) { return 0; }

static void text_one(const uint8_t *data, size_t size)
{
    fuzz_parse(data, size, INPUT_TEXT, "fuzz/in.txt");
}

FUZZ_TARGET(text)
