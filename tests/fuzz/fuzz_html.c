/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_html: the HTML extraction (input_parse_buffer, INPUT_HTML forced). */
#include "fuzz.h"

static int html_init(void) { return 0; }

static void html_one(const uint8_t *data, size_t size)
{
    fuzz_parse(data, size, INPUT_HTML, "fuzz/in.html");
}

FUZZ_TARGET(html)
