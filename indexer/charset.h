/* SPDX-License-Identifier: GPL-2.0-or-later */
/* charset: which character encoding an input file's bytes are in, and
 * their conversion to UTF-8, with ICU's converters (ucnv) and charset
 * detector (ucsdet).
 *
 * The order (the HTML standard's, for HTML):
 *   1. a byte order mark (UTF-8, UTF-16LE/BE);
 *   2. HTML only: <meta charset>, <meta http-equiv="Content-Type"
 *      content="...; charset=...">, or the XML declaration's encoding,
 *      in the first 4 KB; labels are mapped as the Encoding Standard maps
 *      them (iso-8859-1 and us-ascii read as windows-1252, gb2312 and gbk
 *      as GB18030, big5 as Big5-HKSCS);
 *   3. without a declaration: valid UTF-8 stays UTF-8 (also UTF-8 with a
 *      few damaged bytes: more valid multi-byte sequences than bad ones);
 *   4. otherwise the detector's answer, when it names a known legacy
 *      encoding with enough confidence;
 *   5. else UTF-8 with U+FFFD for each bad byte (input.c repairs it).
 * A declaration of a single-byte encoding over bytes that are valid
 * UTF-8 with non-ASCII characters is taken as mislabelled UTF-8 (said in
 * how). */
#ifndef MEDSEARCH_CHARSET_H
#define MEDSEARCH_CHARSET_H

#include <stddef.h>

struct charset_choice {
    char name[32];   /* ICU converter name; "" = UTF-8 (no conversion) */
    char how[160];   /* why: "<meta charset=iso-8859-1>", "detected, confidence 63", ... */
    size_t skip;     /* bytes of a byte order mark to drop */
};

/* Decide the encoding of data[0..len). is_html: look for declarations.
 * Returns 1 when the data must be converted from out->name, 0 when it is
 * (to be read as) UTF-8; out->how is set either way ("" for plain UTF-8). */
int charset_choose(const char *data, size_t len, int is_html, struct charset_choice *out /* OUT */);

/* Convert data[0..len) from the encoding `name` to UTF-8. *out is
 * malloc'd and NUL-terminated (owned by the caller); *bad counts the
 * bytes that were not valid in that encoding (each became U+FFFD).
 * Returns 0, or -1 with a reason in errbuf (unknown name, out of memory). */
int charset_to_utf8(const char *name, const char *data, size_t len, char **out /* OUT */,
                    size_t *outlen /* OUT */, size_t *bad /* OUT */, char *errbuf, size_t errcap);

/* The encoding name for a label ("latin1", "GBK", "x-sjis"): the ICU
 * converter name to use, "" for UTF-8, NULL for a label nobody knows. */
const char *charset_from_label(const char *label, size_t len);

#endif
