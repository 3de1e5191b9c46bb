/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz: what every libFuzzer target of tests/fuzz/ shares.
 *
 * A target file fuzz_NAME.c defines two static functions,
 *     static int NAME_init(void);                          0, or -1 to give up
 *     static void NAME_one(const uint8_t *d, size_t n);    one input
 * and ends with FUZZ_TARGET(NAME). Built by tests/fuzz/run.sh (clang,
 * -fsanitize=fuzzer,address,undefined) that line becomes libFuzzer's entry
 * points. The regression replay (tests/tools/fuzzreplay.c, built by the
 * main Makefile with the project's compiler) includes every target file
 * with FUZZ_REPLAY defined and calls the same two functions, so a crashing
 * input found by the fuzzer is replayed through exactly the same code.
 *
 * A broken invariant calls fuzz_fail(), which prints why and aborts: the
 * fuzzer saves the input as a crash, the replay fails its test.
 */
#ifndef MEDSEARCH_FUZZ_H
#define MEDSEARCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noreturn, format(printf, 1, 2))) void fuzz_fail(const char *fmt, ...);
/* 1 when s[0..n) is valid UTF-8 (no overlong forms, no surrogates). */
int fuzz_utf8_valid(const char *s, size_t n);

#include "../../indexer/input.h"

/* Parse data with input_parse_buffer (format forced or INPUT_AUTO, under
 * the source name `name`) and check every article and every reported
 * problem against the contracts of article.h and input.h. */
void fuzz_parse(const uint8_t *data, size_t size, enum input_format fmt, const char *name);

#ifdef FUZZ_REPLAY
#define FUZZ_TARGET(name)
#else
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#define FUZZ_TARGET(name)                                          \
    int LLVMFuzzerInitialize(int *argc, char ***argv)              \
    {                                                              \
        (void)argc;                                                \
        (void)argv;                                                \
        if (name##_init() != 0) {                                  \
            fprintf(stderr, "fuzz: %s: initialization failed\n", #name); \
            exit(1);                                               \
        }                                                          \
        return 0;                                                  \
    }                                                              \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)   \
    {                                                              \
        name##_one(data, size);                                    \
        return 0;                                                  \
    }
#endif

#endif
