/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_config: the config reader over real temporary files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char tmpdir[] = "/tmp/medsearch-config.XXXXXX";
static int nfile;

/* Write `text` to a fresh file; returns its path (static buffer per call). */
static const char *write_conf(const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/c%d.conf", tmpdir, nfile++);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Load text; expect failure with an error equal to "PATH:<rest>". */
static void expect_error(const char *text, const char *rest)
{
    struct config c;
    assert_int_equal(config_init(&c), 0);
    const char *path = write_conf(text);
    char err[512] = "", want[512];
    assert_int_equal(config_load(&c, path, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:%s", path, rest);
    assert_string_equal(err, want);
    config_free(&c);
}

static void test_defaults(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(config_init(&c), 0);
    assert_string_equal(c.index.db, "");
    assert_int_equal(c.index.commit_every, 2000);
    assert_int_equal(c.searchd.socket_mode, 0660);
    assert_string_equal(c.searchd.tcp, "");
    assert_false(c.searchd.tcp_allow_remote);
    assert_int_equal(c.searchd.threads, 0);
    assert_int_equal(c.searchd.max_request_bytes, 8192);
    assert_int_equal(c.searchd.max_query_bytes, 4096);
    assert_int_equal(c.searchd.max_terms, 64);
    assert_int_equal(c.searchd.max_wildcard, 100);
    assert_int_equal(c.searchd.max_limit, 100);
    assert_int_equal(c.searchd.max_window, 10000);
    assert_int_equal(c.searchd.query_timeout_ms, 2000);
    assert_int_equal(c.searchd.connection_timeout_s, 10);
    assert_int_equal(c.searchd.max_connections, 1024);
    assert_false(c.searchd.access_log);
    assert_true(c.ranking.bm25_k1 == 1.2);
    assert_true(c.ranking.bm25_b == 0.75);
    assert_true(c.ranking.title_weight == 0.3);
    assert_true(c.ranking.heading_weight == 0.3);
    assert_true(c.ranking.proximity_weight == 0.0);
    assert_true(c.ranking.title_exact_weight == 3.0);
    assert_true(c.ranking.unigram_common == 0.01);
    assert_true(c.ranking.bm25_k1_cjk == 0.7);
    assert_int_equal(c.ranking.prf_docs, 10);
    assert_true(c.ranking.synonyms);
    assert_true(c.ranking.spelling);
    assert_string_equal(c.client.socket, "");
    config_free(&c);
}

static void test_good_file(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(config_init(&c), 0);
    const char *path = write_conf(
        "# a comment\n"
        "\n"
        "[index]\n"
        "db = /var/lib/medsearch/db   # inline comment\n"
        "commit_every=50\n"
        "  [ searchd ]  \n"
        "socket = /run/ms.sock\r\n"
        "socket_mode = 600\n"
        "socket_group = \"www data # not a comment\"\n"
        "tcp_allow_remote = yes\n"
        "threads = 8\n"
        "access_log = on\n"
        "user = medsearch\n"
        "[ranking]\n"
        "bm25_k1 = 0.9\n"
        "spelling = false\n"
        "[client]\n"
        "socket = a#b\n");
    char err[256] = "";
    assert_int_equal(config_load(&c, path, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_string_equal(c.index.db, "/var/lib/medsearch/db");
    assert_int_equal(c.index.commit_every, 50);
    assert_string_equal(c.searchd.socket, "/run/ms.sock");
    assert_int_equal(c.searchd.socket_mode, 0600);
    assert_string_equal(c.searchd.socket_group, "www data # not a comment");
    assert_true(c.searchd.tcp_allow_remote);
    assert_int_equal(c.searchd.threads, 8);
    assert_true(c.searchd.access_log);
    assert_string_equal(c.searchd.user, "medsearch");
    assert_true(c.ranking.bm25_k1 == 0.9);
    assert_false(c.ranking.spelling);
    assert_string_equal(c.client.socket, "a#b");
    /* untouched keys keep their defaults */
    assert_int_equal(c.searchd.max_limit, 100);
    assert_true(c.ranking.bm25_b == 0.75);

    /* flags override the file, validated like a file line */
    assert_int_equal(config_set(&c, "searchd", "threads", "3", err, sizeof err), 0);
    assert_int_equal(c.searchd.threads, 3);
    assert_int_equal(config_set(&c, "searchd", "socket", "/tmp/x.sock", err, sizeof err), 0);
    assert_string_equal(c.searchd.socket, "/tmp/x.sock");
    assert_int_equal(config_set(&c, "searchd", "threads", "-1", err, sizeof err), -1);
    assert_string_equal(err, "threads: -1 is out of range [0, 1024]");
    assert_int_equal(config_set(&c, "searchd", "nope", "1", err, sizeof err), -1);
    assert_string_equal(err, "nope: unknown key in [searchd]");
    assert_int_equal(config_set(&c, "searchd", "socket_mode", "0999", err, sizeof err), -1);
    assert_string_equal(err, "socket_mode: '0999' is not an octal file mode (like 0660)");

    /* a deep copy survives freeing the original */
    struct config copy;
    assert_int_equal(config_copy(&copy, &c), 0);
    config_free(&c);
    assert_string_equal(copy.searchd.socket, "/tmp/x.sock");
    assert_string_equal(copy.index.db, "/var/lib/medsearch/db");
    config_free(&copy);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("[searchd]\nbogus = 1\n", "2: bogus: unknown key in [searchd]");
    expect_error("[searchd]\n# c\nthreads = many\n", "3: threads: 'many' is not an integer");
    expect_error("[searchd]\nthreads = 2000\n", "2: threads: 2000 is out of range [0, 1024]");
    expect_error("[searchd]\nmax_limit = 0\n", "2: max_limit: 0 is out of range [1, 100000]");
    expect_error("[searchd]\nmax_limit = 99999999999999999999\n",
                 "2: max_limit: '99999999999999999999' is not an integer");
    expect_error("[searchd]\nthreads = 4x\n", "2: threads: '4x' is not an integer");
    expect_error("[searchd]\nthreads =\n", "2: threads: '' is not an integer");
    expect_error("[ranking]\nbm25_b = 1.5\n", "2: bm25_b: 1.5 is out of range [0, 1]");
    expect_error("[ranking]\nbm25_k1 = nan\n", "2: bm25_k1: 'nan' is not a number");
    expect_error("[ranking]\nspelling = maybe\n",
                 "2: spelling: 'maybe' is not a boolean (true/false, yes/no, on/off, 1/0)");
    expect_error("[searchd]\nsocket_mode = 1777\n", "2: socket_mode: 1777 is out of range [0, 777]");
    expect_error("[searchd]\nsocket_mode = rw\n", "2: socket_mode: 'rw' is not an octal file mode (like 0660)");
    expect_error("threads = 1\n", "1: threads: key outside any [section]");
    expect_error("[server]\n", "1: unknown section [server]");
    expect_error("[searchd\n", "1: malformed section header '[searchd'");
    expect_error("[searchd]\njust words\n", "2: expected 'key = value', got 'just words'");
    expect_error("[searchd]\nthreads = 1\nthreads = 2\n", "3: threads: given twice in [searchd]");
    expect_error("[searchd]\nsocket = \"open\n", "2: socket: unterminated quoted value");
    expect_error("[searchd]\nsocket = \"a\" b\n", "2: socket: text after the quoted value");
    /* a key of another section is unknown in this one */
    expect_error("[client]\nthreads = 1\n", "2: threads: unknown key in [client]");
}

static void test_missing_file(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(config_init(&c), 0);
    char path[300], err[512];
    snprintf(path, sizeof path, "%s/absent.conf", tmpdir);
    assert_int_equal(config_load(&c, path, err, sizeof err), -1);
    char want[512];
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    assert_string_equal(err, want);
    config_free(&c);
}

/* The shipped example parses, sets every key to its default, and lists
 * every key of the table. */
struct example {
    char *text;
    int missing;
};
static int check_key_listed(const char *section, const char *key, const char *def, void *ud)
{
    struct example *ex = ud;
    char hdr[64], line[256];
    snprintf(hdr, sizeof hdr, "\n[%s]\n", section);
    const char *sec = strstr(ex->text, hdr);
    if (def[0])
        snprintf(line, sizeof line, "\n%s = %s\n", key, def);
    else
        snprintf(line, sizeof line, "\n%s =\n", key);
    const char *at = sec ? strstr(sec, line) : NULL;
    const char *next = sec ? strstr(sec + 1, "\n[") : NULL;
    if (!at || (next && at > next)) {
        print_message("example lacks [%s] %s = %s\n", section, key, def);
        ex->missing++;
    }
    return 0;
}

static void test_example(void **state)
{
    (void)state;
    const char *root = getenv("MEDSEARCH_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/medsearch.conf.example", root ? root : ".");
    struct config def, c;
    assert_int_equal(config_init(&def), 0);
    assert_int_equal(config_init(&c), 0);
    /* start from non-defaults so the file must set each value */
    char err[512] = "";
    assert_int_equal(config_set(&c, "searchd", "max_limit", "7", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "ranking", "spelling", "false", err, sizeof err), 0);
    assert_int_equal(config_load(&c, path, err, sizeof err), 0);
    assert_int_equal(c.searchd.max_limit, def.searchd.max_limit);
    assert_true(c.ranking.spelling);

    FILE *f = fopen(path, "r");
    assert_non_null(f);
    struct example ex = { calloc(1, 65536), 0 };
    assert_non_null(ex.text);
    ex.text[0] = '\n';
    size_t n = fread(ex.text + 1, 1, 65534, f);
    fclose(f);
    assert_true(n > 0);
    config_each_key(check_key_listed, &ex);
    assert_int_equal(ex.missing, 0);
    free(ex.text);
    config_free(&def);
    config_free(&c);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char path[300];
    for (int i = 0; i < nfile; i++) {
        snprintf(path, sizeof path, "%s/c%d.conf", tmpdir, i);
        unlink(path);
    }
    return rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_example),
    };
    return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
