/* SPDX-License-Identifier: GPL-2.0-or-later */
/* input and parsers: every status with its file, line and reason; bad
 * JSONL lines among good ones; long lines; a 50 MB article; hostile HTML;
 * UTF-8 repair; format detection; the real datasets when present. */
#include "article.h"
#include "../../indexer/input.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_ERRS 16

struct seen {
    long n_articles;
    struct article *first;  /* kept; the others are freed */
    long stop_after;        /* 0 = never stop */
    int n_errs;
    struct {
        char file[256];
        long line;
        enum input_status st;
        int fatal;
        char reason[256];
    } errs[MAX_ERRS];
};

static int on_article(struct article *a, void *ud)
{
    struct seen *s = ud;

    s->n_articles++;
    if (!s->first)
        s->first = a;
    else
        article_free(a);
    return s->stop_after && s->n_articles >= s->stop_after;
}

static void on_error(const char *file, long line, enum input_status st, int fatal, const char *reason,
                     void *ud)
{
    struct seen *s = ud;

    if (s->n_errs < MAX_ERRS) {
        snprintf(s->errs[s->n_errs].file, sizeof(s->errs[0].file), "%s", file);
        s->errs[s->n_errs].line = line;
        s->errs[s->n_errs].st = st;
        s->errs[s->n_errs].fatal = fatal;
        snprintf(s->errs[s->n_errs].reason, sizeof(s->errs[0].reason), "%s", reason);
    }
    s->n_errs++;
}

static void seen_free(struct seen *s)
{
    article_free(s->first);
    memset(s, 0, sizeof(*s));
}

static enum input_status parse_mem(const char *name, const char *data, size_t len, struct seen *s,
                                   const struct input_opts *o)
{
    memset(s, 0, sizeof(*s));
    return input_parse_buffer(name, data, len, o, on_article, on_error, s);
}

/* gzip-compress data in memory (one member). */
static char *gz(const char *data, size_t len, size_t *outlen)
{
    z_stream z;
    size_t cap = compressBound(len) + 64;
    char *out = malloc(cap);

    assert_non_null(out);
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *outlen = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static const char page[] = "Hypnic jerks\n\nHypnic jerks\n\nA sudden twitch while falling asleep is common.\n\n"
                           "<<:  Sleep talking\n\n>>:  Night sweats\n\nRecommend\n\nRestless legs\n\n"
                           "An urge to move the legs...\n";

static void test_text_page(void **state)
{
    struct seen s;
    (void)state;

    assert_int_equal(parse_mem("corpus/sleep/hypnic.txt", page, strlen(page), &s, NULL), INPUT_OK);
    assert_int_equal(s.n_articles, 1);
    assert_int_equal(s.n_errs, 0);
    assert_string_equal(s.first->title, "Hypnic jerks");
    assert_string_equal(s.first->body, "A sudden twitch while falling asleep is common.");
    assert_string_equal(s.first->id, "corpus/sleep/hypnic.txt");
    assert_string_equal(s.first->lang, "en");
    assert_int_equal(s.first->n_links, 3);
    assert_int_equal(s.first->links[0].kind, LINK_PREV);
    assert_string_equal(s.first->links[0].title, "Sleep talking");
    assert_int_equal(s.first->links[1].kind, LINK_NEXT);
    assert_int_equal(s.first->links[2].kind, LINK_RECOMMEND);
    assert_string_equal(s.first->links[2].title, "Restless legs");
    assert_string_equal(s.first->links[2].snippet, "An urge to move the legs...");
    seen_free(&s);
}

static void test_root_id(void **state)
{
    struct input_opts o = { INPUT_AUTO, "/data/corpus/", 0, NULL, NULL, NULL, NULL };
    struct seen s;
    (void)state;

    assert_int_equal(parse_mem("/data/corpus/sleep/a.txt", page, strlen(page), &s, &o), INPUT_OK);
    assert_string_equal(s.first->id, "sleep/a.txt");
    assert_string_equal(s.first->source, "/data/corpus/sleep/a.txt");
    seen_free(&s);
    /* JSONL without id or url: path under root + "#line". */
    o.root = "/data/corpus";
    assert_int_equal(parse_mem("/data/corpus/x.jsonl", "\n{\"title\":\"t\"}\n", 15, &s, &o), INPUT_OK);
    assert_string_equal(s.first->id, "x.jsonl#2");
    assert_int_equal(s.first->line, 2);
    seen_free(&s);
}

static void test_status_io(void **state)
{
    struct seen s = { 0 };
    (void)state;

    assert_int_equal(input_parse_file("/nonexistent/dir/f.txt", NULL, on_article, on_error, &s), INPUT_ERR_IO);
    assert_int_equal(s.n_errs, 1);
    assert_string_equal(s.errs[0].file, "/nonexistent/dir/f.txt");
    assert_int_equal(s.errs[0].line, 0);
    assert_int_equal(s.errs[0].fatal, 1);
    assert_int_equal(s.errs[0].st, INPUT_ERR_IO);
    assert_non_null(strstr(s.errs[0].reason, "No such file"));
    assert_int_equal(s.n_articles, 0);
}

static void test_status_gzip(void **state)
{
    size_t zl;
    char *z = gz(page, strlen(page), &zl);
    struct seen s;
    (void)state;

    /* Whole: parses through gzip, detected by content (no .gz name). */
    assert_int_equal(parse_mem("page", z, zl, &s, NULL), INPUT_OK);
    assert_int_equal(s.n_articles, 1);
    assert_string_equal(s.first->title, "Hypnic jerks");
    seen_free(&s);
    /* Truncated. */
    assert_int_equal(parse_mem("t.gz", z, zl - 10, &s, NULL), INPUT_ERR_GZIP);
    assert_int_equal(s.n_articles, 0);
    assert_int_equal(s.n_errs, 1);
    assert_string_equal(s.errs[0].file, "t.gz");
    assert_int_equal(s.errs[0].line, 0);
    assert_int_equal(s.errs[0].fatal, 1);
    assert_non_null(strstr(s.errs[0].reason, "truncated"));
    seen_free(&s);
    /* Corrupt CRC in the trailer. */
    z[zl - 6] ^= 0x5a;
    assert_int_equal(parse_mem("c.gz", z, zl, &s, NULL), INPUT_ERR_GZIP);
    assert_int_equal(s.errs[0].st, INPUT_ERR_GZIP);
    assert_non_null(strstr(s.errs[0].reason, "corrupt"));
    seen_free(&s);
    free(z);
}

static void test_gzip_members_and_file(void **state)
{
    size_t zl, out_len;
    char *z = gz("abc\n", 4, &zl), *both = malloc(zl * 2 + 4), *out;
    char path[] = "/tmp/medsearch-test-XXXXXX", err[128];
    int fd;
    (void)state;

    assert_non_null(both);
    memcpy(both, z, zl);
    memcpy(both + zl, z, zl);
    assert_int_equal(input_gunzip(both, zl * 2, 0, &out, &out_len, err, sizeof(err)), INPUT_OK);
    assert_int_equal(out_len, 8);
    assert_string_equal(out, "abc\nabc\n");
    free(out);
    /* Trailing garbage after the last member. */
    memcpy(both + zl * 2, "junk", 4);
    assert_int_equal(input_gunzip(both, zl * 2 + 4, 0, &out, &out_len, err, sizeof(err)), INPUT_ERR_GZIP);
    assert_null(out);
    assert_non_null(strstr(err, "trailing garbage"));
    /* Through a real file. */
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, both, zl * 2), (ssize_t)(zl * 2));
    close(fd);
    assert_int_equal(input_read_file(path, 0, &out, &out_len, err, sizeof(err)), INPUT_OK);
    assert_string_equal(out, "abc\nabc\n");
    free(out);
    /* Too big once decompressed. */
    assert_int_equal(input_read_file(path, 5, &out, &out_len, err, sizeof(err)), INPUT_ERR_TOO_BIG);
    assert_null(out);
    unlink(path);
    free(both);
    free(z);
}

static void test_status_binary_empty_toobig(void **state)
{
    static const char nul[] = "Title\n\nbody\0with a NUL";
    char junk[4096];
    struct input_opts small = { INPUT_AUTO, NULL, 10, NULL, NULL, NULL, NULL };
    struct seen s;
    size_t i;
    (void)state;

    assert_int_equal(parse_mem("nul.txt", nul, sizeof(nul), &s, NULL), INPUT_ERR_BINARY);
    assert_int_equal(s.errs[0].st, INPUT_ERR_BINARY);
    assert_int_equal(s.errs[0].fatal, 1);
    assert_non_null(strstr(s.errs[0].reason, "NUL byte at offset 11"));
    /* Mostly control bytes, no NUL. (Bytes above 0x7F are text in some
     * encoding: never evidence of a binary file.) */
    for (i = 0; i < sizeof(junk); i++)
        junk[i] = (char)(1 + (i * 7) % 8);
    assert_int_equal(parse_mem("junk", junk, sizeof(junk), &s, NULL), INPUT_ERR_BINARY);
    assert_non_null(strstr(s.errs[0].reason, "control bytes"));
    assert_int_equal(parse_mem("e.txt", "", 0, &s, NULL), INPUT_ERR_EMPTY);
    assert_int_equal(s.errs[0].st, INPUT_ERR_EMPTY);
    assert_string_equal(s.errs[0].file, "e.txt");
    assert_int_equal(parse_mem("ws.txt", "\xef\xbb\xbf \n\t\r\n \n", 10, &s, NULL), INPUT_ERR_EMPTY);
    assert_int_equal(parse_mem("big.txt", page, strlen(page), &s, &small), INPUT_ERR_TOO_BIG);
    assert_int_equal(s.errs[0].st, INPUT_ERR_TOO_BIG);
    assert_int_equal(s.n_articles, 0);
}

static void test_status_encoding(void **state)
{
    /* UTF-8 (four valid multi-byte characters) with two damaged bytes:
     * repaired, not taken for another encoding */
    static const char bad[] = "Title\n\nfirst line ok: na\xc3\xafve caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9\nsecond \xff bad\xc3\n";
    struct seen s;
    (void)state;

    assert_int_equal(parse_mem("bad.txt", bad, strlen(bad), &s, NULL), INPUT_OK);
    assert_int_equal(s.n_errs, 1); /* once per file */
    assert_int_equal(s.errs[0].st, INPUT_ERR_ENCODING);
    assert_int_equal(s.errs[0].line, 4);
    assert_int_equal(s.errs[0].fatal, 0);
    assert_non_null(strstr(s.errs[0].reason, "2 bad sequences"));
    assert_int_equal(s.n_articles, 1);
    assert_string_equal(s.first->body, "first line ok: na\xc3\xafve caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9\nsecond \xef\xbf\xbd bad\xef\xbf\xbd");
    seen_free(&s);
}

static void test_utf8_repair(void **state)
{
    size_t n, fixed;
    char *r;
    (void)state;

    /* overlong '/', surrogate, > U+10FFFF, cut sequence, controls, CRLF, lone CR */
    r = input_utf8_repair("a\xc0\xaf" "b\xed\xa0\x80" "c\xf4\x90\x80\x80" "d\x01\r\ne\rf\xe4\xb8", 21, &n, &fixed);
    assert_non_null(r);
    assert_string_equal(r, "a\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                           "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "d\ne\nf\xef\xbf\xbd\xef\xbf\xbd");
    assert_int_equal(n, strlen(r));
    assert_int_equal(fixed, 2 + 3 + 4 + 1 + 2);
    free(r);
    r = input_utf8_repair("中文 ok é", strlen("中文 ok é"), &n, &fixed);
    assert_string_equal(r, "中文 ok é");
    assert_int_equal(fixed, 0);
    free(r);
}

static void test_jsonl_bad_lines(void **state)
{
    static const char j[] = "{\"id\":\"a\",\"title\":\"A\",\"body\":\"x\"}\n"
                            "{broken\n"
                            "{\"title\":\"B\",\"text\":\"y\",\"related\":[\"a\",\"C\"],\"extra\":\"e\",\"n\":3}\n"
                            "\"just a string\"\n"
                            "{\"id\":\"d\"}\n"
                            "{\"title\":\"E\",\"body\":\"\"}";
    struct seen s;
    (void)state;

    assert_int_equal(parse_mem("d/f.jsonl", j, strlen(j), &s, NULL), INPUT_OK);
    assert_int_equal(s.n_articles, 3);
    assert_int_equal(s.n_errs, 3);
    assert_int_equal(s.errs[0].line, 2);
    assert_int_equal(s.errs[0].st, INPUT_ERR_PARSE);
    assert_int_equal(s.errs[0].fatal, 0);
    assert_non_null(strstr(s.errs[0].reason, "invalid JSON"));
    assert_int_equal(s.errs[1].line, 4);
    assert_non_null(strstr(s.errs[1].reason, "not a JSON object"));
    assert_int_equal(s.errs[2].line, 5);
    assert_string_equal(s.errs[2].file, "d/f.jsonl");
    assert_string_equal(s.first->id, "a");
    seen_free(&s);
    /* The callback can stop the file. */
    memset(&s, 0, sizeof(s));
    s.stop_after = 1;
    assert_int_equal(input_parse_buffer("f.jsonl", j, strlen(j), NULL, on_article, on_error, &s), INPUT_OK);
    assert_int_equal(s.n_articles, 1);
    assert_int_equal(s.n_errs, 0);
    seen_free(&s);
}

static void test_jsonl_fields(void **state)
{
    static const char j[] = "{\"title\":\"B\",\"text\":\"y\",\"related\":[\"a\",\"C\",7],\"extra\":\"e\",\"n\":3,"
                            "\"lang\":\"zh-Hans\",\"date\":\"2024-02-03\",\"category\":\"skin\"}";
    struct seen s;
    (void)state;

    assert_int_equal(parse_mem("f.jsonl", j, strlen(j), &s, NULL), INPUT_OK);
    assert_string_equal(s.first->id, "f.jsonl#1");
    assert_string_equal(s.first->body, "y");
    assert_string_equal(s.first->lang, "zh");
    assert_string_equal(s.first->date, "2024-02-03");
    assert_string_equal(s.first->category, "skin");
    assert_int_equal(s.first->n_links, 3);
    assert_int_equal(s.first->links[1].kind, LINK_RELATED);
    assert_string_equal(s.first->links[1].target, "C");
    assert_string_equal(s.first->links[2].target, "7");
    assert_int_equal(s.first->n_meta, 2);
    assert_string_equal(s.first->meta_keys[0], "extra");
    assert_string_equal(s.first->meta_values[1], "3");
    seen_free(&s);
}

static void test_jsonl_long_line(void **state)
{
    size_t body = 6u << 20, i;
    char *j = malloc(body + 100);
    struct seen s;
    int n;
    (void)state;

    assert_non_null(j);
    n = sprintf(j, "{\"title\":\"long\",\"body\":\"");
    for (i = 0; i < body; i++)
        j[n + i] = "abcd efgh\\n"[i % 11] == '\\' ? ' ' : "abcd efgh "[i % 10];
    strcpy(j + n + body, "\"}\n{\"title\":\"next\"}\n");
    assert_int_equal(parse_mem("long.jsonl", j, strlen(j), &s, NULL), INPUT_OK);
    assert_int_equal(s.n_errs, 0);
    assert_int_equal(s.n_articles, 2);
    assert_int_equal(strlen(s.first->body), body);
    seen_free(&s);
    free(j);
}

static void test_huge_article(void **state)
{
    static const char para[] = "Sleep hygiene means a regular bedtime, a dark room and no caffeine late in the day.\n\n";
    size_t target = 50u << 20, pl = strlen(para), len = 0;
    char *t = malloc(target + 256);
    struct seen s;
    clock_t t0;
    double secs;
    (void)state;

    assert_non_null(t);
    len += (size_t)sprintf(t, "A very long page\n\n");
    while (len + pl < target) {
        memcpy(t + len, para, pl);
        len += pl;
    }
    len += (size_t)sprintf(t + len, "<<:  previous\n>>:  next\n");
    t0 = clock();
    assert_int_equal(parse_mem("huge.txt", t, len, &s, NULL), INPUT_OK);
    secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("# 50 MB scraped page parsed in %.2f s\n", secs);
    assert_int_equal(s.n_articles, 1);
    assert_string_equal(s.first->title, "A very long page");
    assert_int_equal(s.first->n_links, 2);
    assert_true(strlen(s.first->body) > (48u << 20));
    seen_free(&s);
    free(t);
}

static void test_hostile_html(void **state)
{
    size_t depth = 10000, i, len = 0;
    char *h = malloc(depth * 12 + 4096);
    struct seen s;
    (void)state;

    assert_non_null(h);
    len += (size_t)sprintf(h, "<html><head><title>Deep</title></head><body>");
    for (i = 0; i < depth; i++)
        len += (size_t)sprintf(h + len, "<div><b>");
    len += (size_t)sprintf(h + len, "bottom text <a href=x>link<p><table><tr><td>cell<script>x");
    for (i = 0; i < 256; i++)
        h[len++] = (char)(0x80 | (i * 13 % 64)); /* junk, not NUL */
    len += (size_t)sprintf(h + len, "</div></span>&bogus; &#0; &#x110000; <!-- unclosed");
    assert_int_equal(parse_mem("deep.html", h, len, &s, NULL), INPUT_OK);
    assert_int_equal(s.n_articles, 1);
    assert_string_equal(s.first->title, "Deep");
    seen_free(&s);
    free(h);
}

static void test_html(void **state)
{
    static const char h[] = "<!doctype html><html lang=\"fr-CA\"><head><title>T &amp; x</title>"
                            "<meta property=\"og:url\" content=\"https://e.org/p\"><style>p{}</style></head>"
                            "<body><nav><a href=\"/n\">nav</a></nav><article><h2>Sec</h2>"
                            "<p>Un <a href=\"/r\">lien</a> ici.</p><script>bad()</script>"
                            "<footer>foot</footer></article></body></html>";
    struct seen s;
    (void)state;

    assert_int_equal(parse_mem("p.txt", h, strlen(h), &s, NULL), INPUT_OK); /* by content */
    assert_string_equal(s.first->title, "T & x");
    assert_string_equal(s.first->url, "https://e.org/p");
    assert_string_equal(s.first->id, "https://e.org/p");
    assert_string_equal(s.first->lang, "fr");
    assert_string_equal(s.first->body, "Sec\n\nUn lien ici.");
    assert_int_equal(s.first->n_headings, 1);
    assert_int_equal(s.first->n_links, 1);
    assert_string_equal(s.first->links[0].title, "lien");
    assert_string_equal(s.first->links[0].target, "/r");
    seen_free(&s);
}

static void test_detection(void **state)
{
    struct seen s;
    (void)state;

    /* '{' wins over a .txt name; a .jsonl name decides ambiguous text. */
    assert_int_equal(parse_mem("a.txt", "{\"title\":\"j\"}\n", 14, &s, NULL), INPUT_OK);
    assert_int_equal(s.first->line, 1);
    seen_free(&s);
    assert_int_equal(parse_mem("a.jsonl.gz", "plain words\n", 12, &s, NULL), INPUT_OK);
    assert_int_equal(s.n_articles, 0);
    assert_int_equal(s.errs[0].st, INPUT_ERR_PARSE);
    seen_free(&s);
    assert_int_equal(parse_mem("a.html", "just text, no tags", 18, &s, NULL), INPUT_OK);
    assert_string_equal(s.first->body, "just text, no tags");
    seen_free(&s);
    /* A text page whose title starts with '<' stays text. */
    assert_int_equal(parse_mem("x", "<3 heart health\n\nbody\n", 22, &s, NULL), INPUT_OK);
    assert_string_equal(s.first->title, "<3 heart health");
    seen_free(&s);
}

static void test_detect_lang(void **state)
{
    (void)state;
    assert_string_equal(article_detect_lang("Heart attack", 12), "en");
    assert_string_equal(article_detect_lang("高血压 (hypertension)", strlen("高血压 (hypertension)")), "zh");
    assert_string_equal(article_detect_lang("ねむけ 睡眠", strlen("ねむけ 睡眠")), "ja");
    assert_string_equal(article_detect_lang("수면 장애", strlen("수면 장애")), "ko");
    assert_string_equal(article_detect_lang("การนอนหลับ", strlen("การนอนหลับ")), "th");
    assert_string_equal(article_detect_lang("", 0), "en");
}

static int count_cb(struct article *a, void *ud)
{
    ++*(long *)ud;
    article_free(a);
    return 0;
}

static void count_err(const char *file, long line, enum input_status st, int fatal, const char *reason,
                      void *ud)
{
    (void)ud;
    (void)fatal;
    printf("# %s:%ld: %s %s\n", file, line, input_status_name(st), reason);
}

/* Every corpus.jsonl.gz of the shared datasets parses completely. */
static void test_datasets(void **state)
{
    static const char *const sets[] = { "nfcorpus", "scifact", "medquad", "medline-med",
                                        "zh-medical-dialogue", "kuake-qtr", NULL };
    const char *shared = getenv("MEDSEARCH_SHARED"), *root = getenv("MEDSEARCH_ROOT");
    char dir[1024], path[1200], err[256];
    double mb = 0, secs = 0;
    int i, found = 0;
    (void)state;

    if (shared)
        snprintf(dir, sizeof(dir), "%s", shared);
    else
        snprintf(dir, sizeof(dir), "%s/../shared", root ? root : ".");
    for (i = 0; sets[i]; i++) {
        char *data;
        size_t len, k;
        long lines = 0, arts = 0;
        struct timespec a, b;

        snprintf(path, sizeof(path), "%s/datasets/%s/corpus.jsonl.gz", dir, sets[i]);
        if (access(path, R_OK) != 0)
            continue;
        found++;
        assert_int_equal(input_read_file(path, 0, &data, &len, err, sizeof(err)), INPUT_OK);
        for (k = 0; k < len; k++)
            lines += data[k] == '\n';
        if (len && data[len - 1] != '\n')
            lines++;
        free(data);
        clock_gettime(CLOCK_MONOTONIC, &a);
        assert_int_equal(input_parse_file(path, NULL, count_cb, count_err, &arts), INPUT_OK);
        clock_gettime(CLOCK_MONOTONIC, &b);
        assert_int_equal(arts, lines);
        mb += (double)len / 1e6;
        secs += (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        printf("# %s: %ld articles, %.1f MB\n", sets[i], arts, (double)len / 1e6);
    }
    if (!found) {
        printf("# no datasets under %s/datasets\n", dir);
        skip();
    }
    printf("# datasets: %.1f MB uncompressed in %.2f s = %.0f MB/s (gunzip + JSONL parse)\n", mb, secs,
           secs > 0 ? mb / secs : 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_page),
        cmocka_unit_test(test_root_id),
        cmocka_unit_test(test_status_io),
        cmocka_unit_test(test_status_gzip),
        cmocka_unit_test(test_gzip_members_and_file),
        cmocka_unit_test(test_status_binary_empty_toobig),
        cmocka_unit_test(test_status_encoding),
        cmocka_unit_test(test_utf8_repair),
        cmocka_unit_test(test_jsonl_bad_lines),
        cmocka_unit_test(test_jsonl_fields),
        cmocka_unit_test(test_jsonl_long_line),
        cmocka_unit_test(test_huge_article),
        cmocka_unit_test(test_hostile_html),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_detection),
        cmocka_unit_test(test_detect_lang),
        cmocka_unit_test(test_datasets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
