/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_gzip: input_gunzip (several members, zero padding, trailing
 * garbage, truncation, the size cap). */
#include "fuzz.h"

#include <string.h>

static int gzip_init(void) { return 0; }

static void gzip_one(const uint8_t *data, size_t size)
{
    /* Small cap: a bomb stops early and the limit path is reached often. */
    const size_t max = 256u << 10;
    char *out = (char *)"sentinel";
    size_t outlen = 12345;
    char errbuf[128];
    memset(errbuf, 0, sizeof errbuf);
    enum input_status st = input_gunzip((const char *)data, size, max, &out, &outlen, errbuf, sizeof errbuf);
    if (st == INPUT_OK) {
        if (!out || outlen > max || out[outlen] != '\0')
            fuzz_fail("input_gunzip OK but out=%p outlen=%zu", (void *)out, outlen);
        free(out);
        return;
    }
    if (out || outlen)
        fuzz_fail("input_gunzip failed (%s) but set its outputs", input_status_name(st));
    if (!errbuf[0] || !memchr(errbuf, '\0', sizeof errbuf))
        fuzz_fail("input_gunzip failed (%s) without a reason", input_status_name(st));
    if (st != INPUT_ERR_GZIP && st != INPUT_ERR_TOO_BIG)
        fuzz_fail("input_gunzip: unexpected status %s (%s)", input_status_name(st), errbuf);
}

FUZZ_TARGET(gzip)
