/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_mmapread: searchd's reads of index blocks from memory maps
 * (searchd/mmapread.h), on real files through this program's own open,
 * close and pread (the same definitions libxapian's calls reach): nothing
 * is mapped until enabled; then a table file opened read-only is mapped
 * and read without system calls, other files and writable opens are not;
 * a file that grew is mapped again (or read by system call while it grew
 * little); a file cut shorter under its map gives the kernel's answer,
 * not a SIGBUS; close releases the map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../searchd/mmapread.h"

#define BLOCK 8192

static char dir[] = "/tmp/test_mmapread.XXXXXX";
static char path[256], other[256];

/* The byte at offset i of the test files. */
static unsigned char byte_at(size_t i) { return (unsigned char)(i * 131 + i / BLOCK * 7 + 1); }

static void write_file(const char *p, size_t from, size_t len)
{
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    unsigned char *b = malloc(len);
    assert_non_null(b);
    for (size_t i = 0; i < len; i++)
        b[i] = byte_at(from + i);
    assert_int_equal(pwrite(fd, b, len, (off_t)from), (ssize_t)len);
    free(b);
    assert_int_equal(close(fd), 0);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/postlist.glass", dir);
    snprintf(other, sizeof other, "%s/iamglass", dir);
    write_file(path, 0, 16 * BLOCK);
    write_file(other, 0, 2 * BLOCK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    unlink(other);
    rmdir(dir);
    return 0;
}

static unsigned long long maps_now(void)
{
    unsigned long long m, s;
    mmapread_counts(&m, &s);
    return m;
}

static unsigned long long syscalls(void)
{
    unsigned long long m, s;
    mmapread_counts(&m, &s);
    return s;
}

/* Block k of fd as pread gives it equals the file's bytes. */
static void check_block(int fd, size_t k)
{
    unsigned char b[BLOCK];
    assert_int_equal(pread(fd, b, BLOCK, (off_t)(k * BLOCK)), BLOCK);
    for (size_t i = 0; i < BLOCK; i++)
        if (b[i] != byte_at(k * BLOCK + i))
            fail_msg("block %zu byte %zu differs", k, i);
}

static void test_off_until_enabled(void **state)
{
    (void)state;
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(maps_now(), 0);
    unsigned long long s0 = syscalls();
    check_block(fd, 3);
    assert_int_equal(syscalls(), s0 + 1);
    assert_int_equal(close(fd), 0);
}

static void test_mapped_reads(void **state)
{
    (void)state;
    assert_int_equal(mmapread_enable(1), 0);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(maps_now(), 1);
    unsigned long long s0 = syscalls();
    for (size_t k = 0; k < 16; k++)
        check_block(fd, k);
    /* a read that ends past the file: the kernel says how much */
    unsigned char b[2 * BLOCK];
    assert_int_equal(pread(fd, b, sizeof b, 15 * BLOCK), BLOCK);
    assert_int_equal(syscalls(), s0 + 1);
    /* a bad offset: the kernel's error */
    errno = 0;
    assert_int_equal(pread(fd, b, 16, -1), -1);
    assert_int_equal(errno, EINVAL);
    /* not a table, or writable: not mapped */
    int o = open(other, O_RDONLY), w = open(path, O_RDWR);
    assert_true(o >= 0 && w >= 0);
    assert_int_equal(maps_now(), 1);
    assert_int_equal(close(o), 0);
    assert_int_equal(close(w), 0);
    assert_int_equal(close(fd), 0);
    assert_int_equal(maps_now(), 0);
}

static void test_grown_file(void **state)
{
    (void)state;
    assert_int_equal(mmapread_enable(1), 0);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    check_block(fd, 0);
    /* One block more (under an eighth): read by system call. */
    write_file(path, 16 * BLOCK, BLOCK);
    unsigned long long s0 = syscalls();
    check_block(fd, 16);
    assert_int_equal(syscalls(), s0 + 1);
    /* Four more: mapped again, read from the new map. */
    write_file(path, 17 * BLOCK, 4 * BLOCK);
    check_block(fd, 20);
    check_block(fd, 19);
    check_block(fd, 2);
    assert_int_equal(syscalls(), s0 + 1);
    assert_int_equal(maps_now(), 1);
    assert_int_equal(close(fd), 0);
    assert_int_equal(maps_now(), 0);
}

static void test_cut_file(void **state)
{
    (void)state;
    assert_int_equal(mmapread_enable(1), 0);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    check_block(fd, 10);
    /* Cut to 4 blocks behind the map's back: pages past the end are gone. */
    assert_int_equal(truncate(path, 4 * BLOCK), 0);
    unsigned char b[BLOCK];
    unsigned long long s0 = syscalls();
    assert_int_equal(pread(fd, b, BLOCK, 10 * BLOCK), 0); /* the kernel's EOF, no SIGBUS */
    assert_int_equal(syscalls(), s0 + 1);
    check_block(fd, 1);
    assert_int_equal(close(fd), 0);
    write_file(path, 4 * BLOCK, 12 * BLOCK); /* as it was */
}

static void test_disabled_again(void **state)
{
    (void)state;
    assert_int_equal(mmapread_enable(0), 0);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(maps_now(), 0);
    check_block(fd, 5);
    assert_int_equal(close(fd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_until_enabled),
        cmocka_unit_test(test_mapped_reads),
        cmocka_unit_test(test_grown_file),
        cmocka_unit_test(test_cut_file),
        cmocka_unit_test(test_disabled_again),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
