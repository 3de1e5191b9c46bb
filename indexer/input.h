/* SPDX-License-Identifier: GPL-2.0-or-later */
/* input: read a file (or stdin, or a memory buffer) of any supported
 * format and hand out articles.
 *
 * Formats, detected by content first and by name second: gzip (magic
 * 1f 8b, read with zlib, then detected again inside), JSON Lines (first
 * non-blank byte '{'), HTML ('<' followed by html/!doctype/head/body/...),
 * otherwise the scraped text layout (see corpus/README.md).
 *
 * Encoding policy: a file in another encoding is converted to UTF-8
 * first (charset.h: the BOM, then HTML's <meta charset>/http-equiv/XML
 * declaration, then valid UTF-8, then ICU's detector), and the caller is
 * told (on_charset). What is left of invalid UTF-8 is REPAIRED, not
 * rejected: each bad byte becomes U+FFFD and the file is still parsed;
 * this is reported once per file as a non-fatal INPUT_ERR_ENCODING with
 * the line of the first bad byte and the count. NUL and C0 controls other
 * than tab and newline are dropped; CRLF and lone CR become LF; a leading
 * BOM is skipped. A file is BINARY (fatal) when its first 8 KB (after
 * gunzip) hold a NUL byte or are more than 30% control bytes (bytes
 * above 0x7F are text in some encoding); EMPTY when it has no byte or
 * only white space.
 *
 * Bad input never stops a batch: each problem is reported through the
 * error callback with file, line and reason, and parsing goes on with the
 * next article (JSONL: next line) when it can.
 */
#ifndef MEDSEARCH_INPUT_H
#define MEDSEARCH_INPUT_H

#include <stddef.h>
#include "reader.h"

/* Parse the file at `path` ("-" = standard input). Returns INPUT_OK when
 * the file was read to its end (even if some records were bad and
 * reported), else the status of the failure that stopped it (also
 * reported through err). */
enum input_status input_parse_file(const char *path, const struct input_opts *opts,
                                   input_article_cb cb, input_error_cb err, void *ud);
/* Same, over a memory buffer; `name` is used as the source and for ids. */
enum input_status input_parse_buffer(const char *name, const char *data, size_t len,
                                     const struct input_opts *opts, input_article_cb cb,
                                     input_error_cb err, void *ud);

#endif
