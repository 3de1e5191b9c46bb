/* SPDX-License-Identifier: GPL-2.0-or-later */
/* urltemplate: the URL of an article that has none of its own, from
 * `[index] url_template` / `indexer --url-template`, so that a search
 * page can link every hit ("https://example.org/{stem}").
 *
 * Placeholders: {path} the source file's path under the input root
 * ("en/sleep/insomnia.txt"), {stem} the same without its extensions
 * (".txt", ".html", ".htm", ".jsonl", ".json", ".ndjson", each also with
 * ".gz": "en/sleep/insomnia"), {id} the article's id (a JSON Lines
 * article's own id). Each is percent-encoded except for "/" and the
 * characters safe in a URL path (RFC 3986 unreserved). "{{" and "}}" are
 * literal braces. An article with a URL (canonical link, og:url, JSONL
 * url) keeps it; the id never changes.
 */
#ifndef MEDSEARCH_URLTEMPLATE_H
#define MEDSEARCH_URLTEMPLATE_H

#include <stddef.h>

/* 0 when t is a usable template; else -1 with the reason in err (an
 * unknown or unclosed placeholder, none at all). */
int urltemplate_check(const char *t, char *err, size_t errcap);

/* The URL for an article of id `id` read from `path` (under the root):
 * malloc'd, NULL when out of memory. t must have passed the check. */
char *urltemplate_apply(const char *t, const char *path, const char *id);

#endif
