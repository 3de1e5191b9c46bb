/* SPDX-License-Identifier: GPL-2.0-or-later */
/* textfile: read a whole text file (or standard input), gunzipping it if
 * it starts with the gzip magic, with the sanity checks of input.h's
 * encoding policy (EMPTY, BINARY, TOO_BIG) and its UTF-8 repair. Used by
 * the indexer's input readers and by the word-list loaders (synonyms). */
#ifndef MEDSEARCH_TEXTFILE_H
#define MEDSEARCH_TEXTFILE_H

#include <stddef.h>

enum input_status {
    INPUT_OK = 0,
    INPUT_ERR_IO,        /* cannot open/read the file (errno-based reason) */
    INPUT_ERR_GZIP,      /* corrupt or truncated gzip stream */
    INPUT_ERR_BINARY,    /* looks like a binary file (NUL bytes, not text) */
    INPUT_ERR_EMPTY,     /* nothing in it */
    INPUT_ERR_TOO_BIG,   /* larger than the configured maximum */
    INPUT_ERR_PARSE,     /* one record could not be parsed (JSONL line, ...) */
    INPUT_ERR_ENCODING,  /* invalid UTF-8 (repaired: reported as a warning) */
    INPUT_ERR_NOMEM
};

const char *input_status_name(enum input_status st);

/* Read a whole file, gunzipping if it starts with the gzip magic. *out is
 * malloc'd with a NUL after *len bytes. Used by input_parse_file and
 * anyone who needs a file's text (synonym lists, ...). On failure returns
 * the status and writes a reason into errbuf. */
enum input_status input_read_file(const char *path, size_t max_bytes, char **out /* OUT */,
                                  size_t *len /* OUT */, char *errbuf, size_t errcap);
/* Decompress a gzip buffer (several members allowed). */
enum input_status input_gunzip(const char *data, size_t len, size_t max_bytes, char **out /* OUT */,
                               size_t *outlen /* OUT */, char *errbuf, size_t errcap);
/* Copy s replacing invalid UTF-8 sequences with U+FFFD and removing NUL
 * and C0 controls other than \t \n; *repaired (may be NULL) = count fixed. */
char *input_utf8_repair(const char *s, size_t len, size_t *outlen /* OUT */, size_t *repaired /* OUT */);

/* EMPTY when len is 0; BINARY when the first 8 KB hold a NUL byte or are
 * more than 30% control bytes (bytes above 0x7F are text in some
 * encoding: the indexer converts or repairs them); else OK. */
enum input_status input_check_text(const char *data, size_t len, char *errbuf, size_t errcap);
/* 1 when data starts with the gzip magic 1f 8b. */
int input_is_gzip(const char *data, size_t len);
/* Line (1-based) of the first invalid UTF-8 sequence (0 = none) and, in
 * *count, how many there are. */
long input_first_bad_utf8(const char *s, size_t len, size_t *count);

#endif
