/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "show.h"

#include <stdlib.h>
#include <string.h>

#include "markup.h"
#include "wrap.h"

#define BOLD "\033[1m"
#define DIM "\033[2m"
#define MARK "\033[1;33m"
#define RESET "\033[0m"

static const char *on(const struct show_style *st, const char *seq)
{
    return st->color ? seq : "";
}

static const char *str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s && *s ? s : NULL;
}

/* Text that may hold <mark> (snippets, did_you_mean.html), wrapped. */
static void print_marked(FILE *f, const struct show_style *st, const char *html, size_t indent)
{
    static const struct wrap_style plain = { "", "" };
    static const struct wrap_style colour = { MARK, RESET };
    struct markup m;
    if (markup_parse(html, &m) < 0) {
        fprintf(f, "%*s(out of memory)\n", (int)indent, "");
        return;
    }
    wrap_print(f, m.text, m.len, m.spans, m.nspans, indent, st->width, st->color ? &colour : &plain);
    markup_free(&m);
}

static void print_plain(FILE *f, const struct show_style *st, const char *text, size_t indent)
{
    static const struct wrap_style plain = { "", "" };
    wrap_print(f, text, strlen(text), NULL, 0, indent, st->width, &plain);
}

/* "title" line in bold, the title or, without one, the id. */
static void print_title(FILE *f, const struct show_style *st, json_t *o)
{
    const char *title = str(o, "title");
    fputs(on(st, BOLD), f);
    wrap_put_clean(f, title ? title : (str(o, "id") ? str(o, "id") : "(untitled)"));
    fputs(on(st, RESET), f);
}

/* Dimmed line of details: url (or id), then the other present fields. */
static void print_meta(FILE *f, const struct show_style *st, size_t indent, const char *first,
                       const char *const *rest, size_t nrest)
{
    fprintf(f, "%*s%s", (int)indent, "", on(st, DIM));
    int any = 0;
    if (first) {
        wrap_put_clean(f, first);
        any = 1;
    }
    for (size_t i = 0; i < nrest; i++) {
        if (!rest[i])
            continue;
        fputs(any ? " \xC2\xB7 " : "", f);
        wrap_put_clean(f, rest[i]);
        any = 1;
    }
    fprintf(f, "%s\n", on(st, RESET));
}

static void show_related_block(FILE *f, const struct show_style *st, json_t *related)
{
    json_t *arts = json_object_get(related, "articles");
    json_t *terms = json_object_get(related, "terms");
    size_t i;
    json_t *v;
    if (json_is_array(arts) && json_array_size(arts) > 0) {
        fprintf(f, "\n%sRelated articles:%s\n", on(st, BOLD), on(st, RESET));
        json_array_foreach(arts, i, v) {
            fputs("  - ", f);
            print_title(f, st, v);
            if (str(v, "id") && str(v, "title")) {
                fprintf(f, "  %s", on(st, DIM));
                wrap_put_clean(f, str(v, "id"));
                fputs(on(st, RESET), f);
            }
            fputc('\n', f);
        }
    }
    if (json_is_array(terms) && json_array_size(terms) > 0) {
        fprintf(f, "\n%sRelated searches:%s\n", on(st, BOLD), on(st, RESET));
        json_array_foreach(terms, i, v) {
            const char *t = json_is_string(v) ? json_string_value(v) : str(v, "text");
            if (!t)
                continue;
            fputs("  - ", f);
            wrap_put_clean(f, t);
            fputc('\n', f);
        }
    }
}

int show_search(FILE *f, const struct show_style *st, json_t *root)
{
    json_t *hits = json_object_get(root, "hits");
    if (!json_is_array(hits))
        return -1;
    json_t *corr = json_object_get(root, "corrected");
    if (json_is_object(corr) && str(corr, "to") && str(corr, "from")) {
        /* searchd ran the corrected query (no hit as typed) */
        fputs("Showing results for ", f);
        wrap_put_clean(f, str(corr, "to"));
        fputs("; search instead for ", f);
        wrap_put_clean(f, str(corr, "from"));
        fputs("\n\n", f);
    }
    size_t i;
    json_t *hit;
    json_array_foreach(hits, i, hit) {
        json_t *jr = json_object_get(hit, "rank");
        long long rank = json_is_integer(jr) ? json_integer_value(jr) : (long long)i + 1;
        if (i > 0)
            fputc('\n', f);
        fprintf(f, "%lld. ", rank);
        print_title(f, st, hit);
        fputc('\n', f);
        const char *rest[] = { str(hit, "category"), str(hit, "date") };
        print_meta(f, st, 3, str(hit, "url") ? str(hit, "url") : str(hit, "id"), rest, 2);
        const char *snip = str(hit, "snippet");
        if (snip)
            print_marked(f, st, snip, 3);
    }
    size_t n = json_array_size(hits);
    json_t *jt = json_object_get(root, "total");
    json_t *jo = json_object_get(root, "offset");
    json_t *jms = json_object_get(root, "took_ms");
    long long total = json_is_integer(jt) ? json_integer_value(jt) : (long long)n;
    long long offset = json_is_integer(jo) ? json_integer_value(jo) : 0;
    if (n > 0)
        fputc('\n', f);
    fprintf(f, "%s%lld result%s", on(st, DIM), total, total == 1 ? "" : "s");
    if (n > 0 && (offset > 0 || (long long)n < total))
        fprintf(f, ", showing %lld-%lld", offset + 1, offset + (long long)n);
    else if (n == 0 && offset > 0 && total > 0)
        fprintf(f, "; --offset %lld is past the last one", offset);
    if (json_is_number(jms))
        fprintf(f, " (took %.1f ms)", json_number_value(jms));
    if (json_is_true(json_object_get(root, "timed_out")))
        fputs(" (time limit reached: partial results)", f);
    fprintf(f, "%s\n", on(st, RESET));
    json_t *dym = json_object_get(root, "did_you_mean");
    const char *dtext = json_is_string(dym) ? json_string_value(dym) : NULL;
    if (json_is_object(dym))
        dtext = str(dym, "html") ? str(dym, "html") : str(dym, "query");
    if (dtext) {
        /* "html" marks the corrected words; the question mark is appended
         * to the text so that it wraps with it. */
        size_t len = strlen(dtext);
        char *q = malloc(len + sizeof "Did you mean: ?");
        if (q) {
            snprintf(q, len + sizeof "Did you mean: ?", "Did you mean: %s?", dtext);
            fputc('\n', f);
            print_marked(f, st, q, 0);
            free(q);
        }
    }
    json_t *related = json_object_get(root, "related");
    if (json_is_object(related))
        show_related_block(f, st, related);
    return (int)n;
}

int show_related(FILE *f, const struct show_style *st, json_t *root)
{
    json_t *list = json_object_get(root, "related");
    if (!json_is_array(list))
        return -1;
    const char *seed = str(root, "id");
    if (seed) {
        fputs("Related to ", f);
        wrap_put_clean(f, seed);
        fputs(":\n", f);
    }
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        fprintf(f, "%2zu. ", i + 1);
        print_title(f, st, v);
        fputc('\n', f);
        const char *rest[] = { str(v, "reason") };
        print_meta(f, st, 4, str(v, "id"), rest, 1);
    }
    if (json_array_size(list) == 0)
        fputs("No related articles.\n", f);
    return (int)json_array_size(list);
}

int show_doc(FILE *f, const struct show_style *st, json_t *root)
{
    if (!json_is_object(root) || !str(root, "id"))
        return -1;
    print_title(f, st, root);
    fputc('\n', f);
    if (str(root, "url")) {
        fputs(on(st, DIM), f);
        wrap_put_clean(f, str(root, "url"));
        fprintf(f, "%s\n", on(st, RESET));
    }
    static const char *const labels[][2] = {
        { "id", "Id" }, { "category", "Category" }, { "date", "Date" },
        { "lang", "Language" }, { "source", "Source" },
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        const char *v = str(root, labels[i][0]);
        if (!v)
            continue;
        fprintf(f, "%s%s:%s ", on(st, DIM), labels[i][1], on(st, RESET));
        wrap_put_clean(f, v);
        fputc('\n', f);
    }
    json_t *heads = json_object_get(root, "headings");
    size_t i;
    json_t *v;
    if (json_is_array(heads) && json_array_size(heads) > 0) {
        fprintf(f, "\n%sHeadings:%s\n", on(st, BOLD), on(st, RESET));
        json_array_foreach(heads, i, v) {
            if (!json_is_string(v))
                continue;
            fputs("  - ", f);
            wrap_put_clean(f, json_string_value(v));
            fputc('\n', f);
        }
    }
    if (str(root, "body")) {
        fputc('\n', f);
        print_plain(f, st, str(root, "body"), 0);
    }
    json_t *links = json_object_get(root, "links");
    if (json_is_array(links) && json_array_size(links) > 0) {
        fprintf(f, "\n%sLinks:%s\n", on(st, BOLD), on(st, RESET));
        json_array_foreach(links, i, v) {
            /* one line per linked article: a page that is both "next" and
             * "recommend" is listed once, with both kinds */
            const char *t = str(v, "target") ? str(v, "target") : str(v, "title");
            int seen = 0;
            for (size_t k = 0; t && k < i && !seen; k++) {
                json_t *u = json_array_get(links, k);
                const char *tu = str(u, "target") ? str(u, "target") : str(u, "title");
                seen = tu && strcmp(tu, t) == 0;
            }
            if (seen)
                continue;
            fputs("  - ", f);
            int kinds = 0;
            for (size_t k = i; k < json_array_size(links); k++) {
                json_t *u = json_array_get(links, k);
                const char *tu = str(u, "target") ? str(u, "target") : str(u, "title");
                if (k > i && !(t && tu && strcmp(tu, t) == 0))
                    continue;
                if (str(u, "kind")) {
                    fputs(kinds++ ? ", " : "", f);
                    wrap_put_clean(f, str(u, "kind"));
                }
            }
            if (kinds)
                fputs(": ", f);
            wrap_put_clean(f, str(v, "title") ? str(v, "title") : "(untitled)");
            if (str(v, "target")) {
                fprintf(f, "  %s", on(st, DIM));
                wrap_put_clean(f, str(v, "target"));
                fputs(on(st, RESET), f);
            }
            fputc('\n', f);
        }
    }
    return 1;
}

int show_suggest(FILE *f, const struct show_style *st, json_t *root)
{
    (void)st;
    json_t *list = json_object_get(root, "suggestions");
    if (!json_is_array(list))
        return -1;
    size_t i;
    json_t *v;
    int n = 0;
    json_array_foreach(list, i, v) {
        const char *t = json_is_string(v) ? json_string_value(v) : str(v, "text");
        if (!t)
            continue;
        wrap_put_clean(f, t);
        fputc('\n', f);
        n++;
    }
    return n;
}
