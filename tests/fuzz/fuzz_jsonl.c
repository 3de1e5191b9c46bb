/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_jsonl: the JSON Lines parser (input_parse_buffer, INPUT_JSONL forced). */
#include "fuzz.h"

static int jsonl_init(void) { return 0; }

static void jsonl_one(const uint8_t *data, size_t size)
{
    fuzz_parse(data, size, INPUT_JSONL, "fuzz/in.jsonl");
}

FUZZ_TARGET(jsonl)
