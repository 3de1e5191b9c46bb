/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_docrec: stored records round-trip, with and without a preset
 * dictionary, with and without the body, as a search hit reads it, and a
 * damaged record is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "article.h"
#include "docrec.h"

static struct article *sample(void)
{
    struct article *a = article_new();
    assert_non_null(a);
    free(a->title); /* article_new's empty strings */
    free(a->body);
    a->id = strdup("en/sleep/hypnic-jerks.txt");
    a->title = strdup("Hypnic \"jerks\"\tand caf\xc3\xa9 \\ \x01 \xf0\x9f\x98\xb4");
    a->url = strdup("https://example.org/hypnic");
    a->category = strdup("sleep");
    a->lang = strdup("en");
    a->date = strdup("2026-12-07");
    /* the body is read apart from the other fields (take_body): escapes,
     * control characters, non-ASCII, and its own key inside the text */
    a->body = strdup("A hypnic jerk is a sudden body shake when falling asleep.\n\nMost people have them."
                     " \"Quoted\", a \\ backslash, \x01\x1f, caf\xc3\xa9 \xf0\x9f\x98\xb4,\"body\":\"x\"}");
    assert_int_equal(article_add_heading(a, "Why ,\"body\":\" happens\\"), 0);
    assert_int_equal(article_add_link(a, LINK_NEXT, "Sleep \"starts\"", "en/sleep/starts.txt", NULL), 0);
    assert_int_equal(article_add_link(a, LINK_RECOMMEND, "Links ,\"links\":[ inside", "en/x ,\"body\":.txt", NULL), 0);
    return a;
}

/* The head of a record (through the headings' key) is a deflate block of
 * its own with fixed codes, so a head reader never inflates the rest nor
 * builds its code tables. Checked on the raw stream: the first block's
 * type, and what inflating up to its end gives. */
static void head_block(const char *rec, size_t len, const char *dict, size_t dlen)
{
    const unsigned char *z = (const unsigned char *)rec + 1;
    size_t hdr = (z[1] & 0x20) ? 6 : 2;
    assert_int_equal((z[hdr] >> 1) & 3, 1); /* BTYPE 01: fixed Huffman codes */
    z_stream zs = { 0 };
    assert_int_equal(inflateInit2(&zs, -15), Z_OK);
    if (dict)
        assert_int_equal(inflateSetDictionary(&zs, (const Bytef *)dict, (uInt)dlen), Z_OK);
    char out[4096];
    zs.next_in = (Bytef *)z + hdr;
    zs.avail_in = (uInt)(len - 1 - hdr);
    zs.next_out = (Bytef *)out;
    zs.avail_out = sizeof out - 1;
    do
        assert_int_equal(inflate(&zs, Z_BLOCK), Z_OK);
    while (!(zs.data_type & 128) && zs.avail_in > 0);
    size_t n = sizeof out - 1 - zs.avail_out;
    out[n] = '\0';
    inflateEnd(&zs);
    static const char key[] = ",\"headings\":";
    assert_true(n > sizeof key && strcmp(out + n - (sizeof key - 1), key) == 0);
    assert_non_null(strstr(out, "\"title\":"));
    assert_null(strstr(out, "\"body\""));
}

static void roundtrip(uint32_t dict)
{
    docrec_dict_use(dict);
    struct article *a = sample();
    char *rec = NULL;
    size_t len = 0;
    assert_int_equal(docrec_encode(a, &rec, &len), 0);
    assert_int_equal(rec[0], dict ? 'd' : 'z');
    const char *dbytes = NULL;
    size_t dlen = 0;
    docrec_dict_current(&dbytes, &dlen);
    head_block(rec, len, dict ? dbytes : NULL, dlen);
    /* Twice: the second decode reuses this thread's inflate stream. */
    for (int i = 0; i < 2; i++) {
        struct article *b = NULL;
        assert_int_equal(docrec_decode(rec, len, 1, &b), 0);
        assert_string_equal(b->id, a->id);
        assert_string_equal(b->title, a->title);
        assert_string_equal(b->body, a->body);
        assert_string_equal(b->category, a->category);
        assert_int_equal(b->n_headings, 1);
        assert_string_equal(b->headings[0], a->headings[0]);
        assert_int_equal(b->n_links, 2);
        assert_string_equal(b->links[0].title, a->links[0].title);
        article_free(b);
        assert_int_equal(docrec_decode(rec, len, 0, &b), 0);
        assert_string_equal(b->title, a->title);
        assert_true(b->body == NULL || b->body[0] == '\0');
        article_free(b);
        /* the head only: id, url, title (escapes and non-ASCII unescaped) */
        assert_int_equal(docrec_decode_head(rec, len, &b), 0);
        assert_string_equal(b->id, a->id);
        assert_string_equal(b->url, a->url);
        assert_string_equal(b->title, a->title);
        assert_null(b->category);
        article_free(b);
        /* what a search hit shows, with and without the body: the short
         * fields and the body as docrec_decode gives them, no headings or
         * links (not read) */
        for (int body = 0; body < 2; body++) {
            assert_int_equal(docrec_decode_hit(rec, len, body, &b), 0);
            assert_string_equal(b->id, a->id);
            assert_string_equal(b->url, a->url);
            assert_string_equal(b->title, a->title);
            assert_string_equal(b->category, a->category);
            assert_string_equal(b->lang, a->lang);
            assert_string_equal(b->date, a->date);
            if (body)
                assert_string_equal(b->body, a->body);
            else
                assert_true(b->body == NULL || b->body[0] == '\0');
            assert_int_equal(b->n_headings, 0);
            assert_int_equal(b->n_links, 0);
            article_free(b);
        }
        /* what /related reads of its seed: the short fields and every
         * link, no headings */
        assert_int_equal(docrec_decode_links(rec, len, &b), 0);
        assert_string_equal(b->id, a->id);
        assert_string_equal(b->title, a->title);
        assert_string_equal(b->date, a->date);
        assert_int_equal(b->n_headings, 0);
        assert_int_equal(b->n_links, a->n_links);
        for (size_t l = 0; l < a->n_links; l++) {
            assert_int_equal(b->links[l].kind, a->links[l].kind);
            assert_string_equal(b->links[l].title, a->links[l].title);
            assert_string_equal(b->links[l].target, a->links[l].target);
        }
        article_free(b);
    }
    /* A damaged byte of the text's checksum, or a cut record: refused. */
    struct article *b = NULL;
    rec[len - 1] ^= 0x5a;
    assert_int_equal(docrec_decode(rec, len, 1, &b), -1);
    assert_int_equal(docrec_decode_hit(rec, len, 1, &b), -1);
    rec[len - 1] ^= 0x5a;
    assert_int_equal(docrec_decode_hit(rec, len - 6, 1, &b), -1);
    assert_int_equal(docrec_decode(rec, len - 6, 1, &b), -1);
    assert_int_equal(docrec_decode(rec, 3, 1, &b), -1);
    free(rec);
    article_free(a);
}

static void test_plain(void **state)
{
    (void)state;
    roundtrip(0);
}

static void test_dictionary(void **state)
{
    (void)state;
    const char dict[] = "sleep body shake hypnic jerk people falling asleep https://example.org/";
    uint32_t id = docrec_dict_add(dict, sizeof dict - 1);
    assert_int_not_equal(id, 0);
    roundtrip(id);
    docrec_dict_use(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_dictionary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
