/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config: the key table, the file reader and the value parsers. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum key_type { T_INT, T_DOUBLE, T_BOOL, T_STRING, T_MODE };

struct key {
    const char *section;
    const char *name;
    enum key_type type;
    size_t off;        /* offset of the field in struct config */
    const char *def;   /* default, in the file's text form */
    double min, max;   /* range of T_INT / T_DOUBLE / T_MODE */
};

#define F(field) offsetof(struct config, field)
/* One line per key. Keep medsearch.conf.example in step (a test checks). */
static const struct key keys[] = {
    { "index",   "db",                   T_STRING, F(index.db),                   "",     0, 0 },
    { "index",   "threads",              T_INT,    F(index.threads),              "0",    0, 1024 },
    { "index",   "commit_every",         T_INT,    F(index.commit_every),         "2000", 1, 100000000 },
    { "index",   "synonyms",             T_STRING, F(index.synonyms),             "",     0, 0 },
    { "index",   "concepts",             T_STRING, F(index.concepts),             "",     0, 0 },
    { "index",   "changesets",           T_INT,    F(index.changesets),           "0",    0, 1000000 },
    { "index",   "master",               T_STRING, F(index.master),               "",     0, 0 },
    { "index",   "url_template",         T_STRING, F(index.url_template),         "",     0, 0 },
    { "searchd", "socket",               T_STRING, F(searchd.socket),             "",     0, 0 },
    { "searchd", "socket_mode",          T_MODE,   F(searchd.socket_mode),        "0660", 0, 0777 },
    { "searchd", "socket_group",         T_STRING, F(searchd.socket_group),       "",     0, 0 },
    { "searchd", "tcp",                  T_STRING, F(searchd.tcp),                "",     0, 0 },
    { "searchd", "tcp_allow_remote",     T_BOOL,   F(searchd.tcp_allow_remote),   "false", 0, 0 },
    { "searchd", "threads",              T_INT,    F(searchd.threads),            "0",    0, 1024 },
    { "searchd", "helper_threads",       T_INT,    F(searchd.helper_threads),     "-1",   -1, 64 },
    { "searchd", "mmap_reads",           T_BOOL,   F(searchd.mmap_reads),         "true", 0, 0 },
    { "searchd", "max_request_bytes",    T_INT,    F(searchd.max_request_bytes),  "8192", 1024, 1048576 },
    { "searchd", "max_query_bytes",      T_INT,    F(searchd.max_query_bytes),    "4096", 16, 1048576 },
    { "searchd", "max_terms",            T_INT,    F(searchd.max_terms),          "64",   1, 10000 },
    { "searchd", "max_wildcard",         T_INT,    F(searchd.max_wildcard),       "100",  1, 100000 },
    { "searchd", "max_limit",            T_INT,    F(searchd.max_limit),          "100",  1, 100000 },
    { "searchd", "max_window",           T_INT,    F(searchd.max_window),         "10000", 1, 10000000 },
    { "searchd", "query_timeout_ms",     T_INT,    F(searchd.query_timeout_ms),   "2000", 0, 3600000 },
    { "searchd", "connection_timeout_s", T_INT,    F(searchd.connection_timeout_s), "10", 1, 3600 },
    { "searchd", "max_connections",      T_INT,    F(searchd.max_connections),    "1024", 1, 1000000 },
    { "searchd", "user",                 T_STRING, F(searchd.user),               "",     0, 0 },
    { "searchd", "access_log",           T_BOOL,   F(searchd.access_log),         "false", 0, 0 },
    { "searchd", "shard_timeout_ms",     T_INT,    F(searchd.shard_timeout_ms),   "2000", 10, 600000 },
    { "searchd", "deadline_ms",          T_INT,    F(searchd.deadline_ms),        "5000", 10, 3600000 },
    { "searchd", "allow_partial",        T_BOOL,   F(searchd.allow_partial),      "true", 0, 0 },
    { "searchd", "shard_probe_ms",       T_INT,    F(searchd.shard_probe_ms),     "1000", 50, 3600000 },
    { "searchd", "dictionary",           T_STRING, F(searchd.dictionary),         "",     0, 0 },
    { "ranking", "bm25_k1",              T_DOUBLE, F(ranking.bm25_k1),            "1.2",  0, 100 },
    { "ranking", "bm25_b",               T_DOUBLE, F(ranking.bm25_b),             "0.75", 0, 1 },
    { "ranking", "title_weight",         T_DOUBLE, F(ranking.title_weight),       "0.3",  0, 1000 },
    { "ranking", "heading_weight",       T_DOUBLE, F(ranking.heading_weight),     "0.3",  0, 1000 },
    { "ranking", "proximity_weight",     T_DOUBLE, F(ranking.proximity_weight),   "0",  0, 1000 },
    { "ranking", "near_window",          T_INT,    F(ranking.near_window),        "4",    2, 64 },
    { "ranking", "synonyms",             T_BOOL,   F(ranking.synonyms),           "true", 0, 0 },
    { "ranking", "synonym_weight",       T_DOUBLE, F(ranking.synonym_weight),     "1.0",  0, 1000 },
    { "ranking", "exact_weight",         T_DOUBLE, F(ranking.exact_weight),       "0.3",    0, 1000 },
    { "ranking", "part_weight",          T_DOUBLE, F(ranking.part_weight),        "0.6",    0, 1000 },
    { "ranking", "latin_in_cjk_weight",  T_DOUBLE, F(ranking.latin_in_cjk_weight), "2.0",   0, 1000 },
    { "ranking", "bigram_weight",        T_DOUBLE, F(ranking.bigram_weight),      "0.3",  0, 1000 },
    { "ranking", "unigram_weight",       T_DOUBLE, F(ranking.unigram_weight),     "1.0",    0, 1000 },
    { "ranking", "bm25_k1_cjk",          T_DOUBLE, F(ranking.bm25_k1_cjk),        "0.7",    0, 1000 },
    { "ranking", "unigram_common",       T_DOUBLE, F(ranking.unigram_common),     "0.01",   0, 1 },
    { "ranking", "cjk_word_weight",      T_DOUBLE, F(ranking.cjk_word_weight),    "0.3",  0, 1000 },
    { "ranking", "title_exact_weight",   T_DOUBLE, F(ranking.title_exact_weight), "3.0",    0, 1000 },
    { "ranking", "stopwords",            T_BOOL,   F(ranking.stopwords),          "true", 0, 0 },
    { "ranking", "question_weight",      T_DOUBLE, F(ranking.question_weight),    "0.3",  0, 1000 },
    { "ranking", "prf_docs",             T_INT,    F(ranking.prf_docs),           "10",    0, 100 },
    { "ranking", "boost_window",         T_INT,    F(ranking.boost_window),       "50",    0, 10000 },
    { "ranking", "prf_window",           T_INT,    F(ranking.prf_window),         "50",    1, 10000 },
    { "ranking", "prf_terms",            T_INT,    F(ranking.prf_terms),          "5",   1, 200 },
    { "ranking", "prf_weight",           T_DOUBLE, F(ranking.prf_weight),         "0.3",  0, 1000 },
    { "ranking", "prf_min_words",        T_INT,    F(ranking.prf_min_words),      "1",    1, 1000 },
    { "ranking", "spelling",             T_BOOL,   F(ranking.spelling),           "true", 0, 0 },
    { "ranking", "dictionaries",         T_STRING, F(ranking.dictionaries), "/usr/share/hunspell/en_US.dic,/usr/share/hunspell/en_med_glut.dic", 0, 0 },
    { "related", "expand_terms",         T_INT,    F(related.expand_terms),       "25",   0, 1000 },
    { "related", "term_max_df",          T_DOUBLE, F(related.term_max_df),        "0.3",  0, 1 },
    { "related", "match_terms",          T_INT,    F(related.match_terms),        "7",    0, 1000 },
    { "related", "match_max_df",         T_DOUBLE, F(related.match_max_df),       "0.1",  0, 1 },
    { "related", "body_weight",          T_DOUBLE, F(related.body_weight),        "6",    0, 1000 },
    { "related", "title_boost",          T_DOUBLE, F(related.title_boost),        "2",    0, 1000 },
    { "related", "heading_boost",        T_DOUBLE, F(related.heading_boost),      "1.5",  0, 1000 },
    { "related", "body_title_weight",    T_DOUBLE, F(related.body_title_weight),  "0",    0, 1000 },
    { "related", "title_weight",         T_DOUBLE, F(related.title_weight),       "1",    0, 1000 },
    { "related", "title_max_df",         T_DOUBLE, F(related.title_max_df),       "0.02", 0, 1 },
    { "related", "title_all_weight",     T_DOUBLE, F(related.title_all_weight),   "30",   0, 1000 },
    { "related", "title_all_max",        T_INT,    F(related.title_all_max),      "6",    0, 100 },
    { "related", "phrase_weight",        T_DOUBLE, F(related.phrase_weight),      "1",    0, 1000 },
    { "related", "link_weight",          T_DOUBLE, F(related.link_weight),        "1.1",  0, 1000 },
    { "related", "dedupe",               T_BOOL,   F(related.dedupe),             "true", 0, 0 },
    { "related", "concept_weight",       T_DOUBLE, F(related.concept_weight),     "0.3",  0, 1 },
    { "related", "bm25_k1",              T_DOUBLE, F(related.bm25_k1),            "1.0",  0, 100 },
    { "related", "bm25_b",               T_DOUBLE, F(related.bm25_b),             "0.5",  0, 1 },
    { "client",  "socket",               T_STRING, F(client.socket),              "",     0, 0 },
};
#undef F
#define NKEYS (sizeof keys / sizeof keys[0])

static void *field(struct config *c, const struct key *k) { return (char *)c + k->off; }

static const struct key *find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static int section_known(const char *section)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].section, section) == 0)
            return 1;
    return 0;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int parse_long(const char *s, int base, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, base);
    if (end == s || *end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

/* Parse `value` for key k and store it. On error, a reason without the
 * key in err. */
static int set_value(struct config *c, const struct key *k, const char *value, char *err, size_t errlen)
{
    void *p = field(c, k);
    long l;
    switch (k->type) {
    case T_INT:
        if (parse_long(value, 10, &l) < 0) {
            seterr(err, errlen, "'%s' is not an integer", value);
            return -1;
        }
        if (l < (long)k->min || l > (long)k->max) {
            seterr(err, errlen, "%ld is out of range [%.0f, %.0f]", l, k->min, k->max);
            return -1;
        }
        *(int *)p = (int)l;
        return 0;
    case T_MODE:
        if (strspn(value, "01234567") != strlen(value) || parse_long(value, 8, &l) < 0) {
            seterr(err, errlen, "'%s' is not an octal file mode (like 0660)", value);
            return -1;
        }
        if (l < (long)k->min || l > (long)k->max) {
            seterr(err, errlen, "%lo is out of range [0, %o]", l, (unsigned)k->max);
            return -1;
        }
        *(int *)p = (int)l;
        return 0;
    case T_DOUBLE: {
        char *end;
        errno = 0;
        double d = strtod(value, &end);
        if (end == value || *end != '\0' || errno == ERANGE || !isfinite(d)) {
            seterr(err, errlen, "'%s' is not a number", value);
            return -1;
        }
        if (d < k->min || d > k->max) {
            seterr(err, errlen, "%g is out of range [%g, %g]", d, k->min, k->max);
            return -1;
        }
        *(double *)p = d;
        return 0;
    }
    case T_BOOL:
        if (!strcasecmp(value, "true") || !strcasecmp(value, "yes") || !strcasecmp(value, "on") ||
            !strcmp(value, "1")) {
            *(bool *)p = true;
        } else if (!strcasecmp(value, "false") || !strcasecmp(value, "no") || !strcasecmp(value, "off") ||
                   !strcmp(value, "0")) {
            *(bool *)p = false;
        } else {
            seterr(err, errlen, "'%s' is not a boolean (true/false, yes/no, on/off, 1/0)", value);
            return -1;
        }
        return 0;
    case T_STRING: {
        char *dup = strdup(value);
        if (!dup) {
            seterr(err, errlen, "out of memory");
            return -1;
        }
        free(*(char **)p);
        *(char **)p = dup;
        return 0;
    }
    }
    seterr(err, errlen, "internal: bad key type");
    return -1;
}

int config_init(struct config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NKEYS; i++) {
        char err[128];
        if (set_value(c, &keys[i], keys[i].def, err, sizeof err) < 0) {
            config_free(c);
            return -1;
        }
    }
    return 0;
}

void config_free(struct config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < NKEYS; i++) {
        if (keys[i].type == T_STRING) {
            char **p = field(c, &keys[i]);
            free(*p);
            *p = NULL;
        }
    }
}

int config_copy(struct config *dst, const struct config *src)
{
    *dst = *src;
    for (size_t i = 0; i < NKEYS; i++) {
        if (keys[i].type != T_STRING)
            continue;
        char **p = field(dst, &keys[i]);
        if (*p && !(*p = strdup(*p))) {
            /* Null the strings not yet copied so config_free frees only ours. */
            for (size_t j = i + 1; j < NKEYS; j++)
                if (keys[j].type == T_STRING)
                    *(char **)field(dst, &keys[j]) = NULL;
            config_free(dst);
            return -1;
        }
    }
    return 0;
}

int config_set(struct config *c, const char *section, const char *key, const char *value,
               char *err, size_t errlen)
{
    const struct key *k = find_key(section, key);
    if (!k) {
        seterr(err, errlen, "%s: unknown key in [%s]", key, section);
        return -1;
    }
    char why[256];
    if (set_value(c, k, value, why, sizeof why) < 0) {
        seterr(err, errlen, "%s: %s", key, why);
        return -1;
    }
    return 0;
}

void config_each_key(config_key_cb cb, void *ud)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (cb(keys[i].section, keys[i].name, keys[i].def, ud))
            return;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* The value part of a line: quoted ("..." with \" and \\), or bare up to an
 * inline comment (whitespace then '#'). Rewrites in place; NULL with a
 * reason when a quote is not closed or text follows it. */
static char *parse_value(char *v, const char **why)
{
    if (*v == '"') {
        char *o = v, *i = v + 1;
        for (; *i && *i != '"'; i++) {
            if (*i == '\\' && (i[1] == '"' || i[1] == '\\'))
                i++;
            *o++ = *i;
        }
        if (*i != '"') {
            *why = "unterminated quoted value";
            return NULL;
        }
        char *rest = trim(i + 1);
        if (*rest && *rest != '#') {
            *why = "text after the quoted value";
            return NULL;
        }
        *o = '\0';
        return v;
    }
    for (char *p = v; *p; p++) {
        if (*p == '#' && (p == v || p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            break;
        }
    }
    return trim(v);
}

/* Keys seen in this file, to refuse a key given twice. */
struct seen {
    unsigned char set[sizeof keys / sizeof keys[0]];
};

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        seterr(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct seen seen;
    memset(&seen, 0, sizeof seen);
    char section[64] = "";
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned lineno = 0;
    int rc = 0;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if ((size_t)got != strlen(line)) {
            seterr(err, errlen, "%s:%u: NUL byte in line", path, lineno);
            rc = -1;
            break;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            char *rest = close ? trim(close + 1) : NULL;
            if (!close || (*rest && *rest != '#')) {
                seterr(err, errlen, "%s:%u: malformed section header '%s'", path, lineno, s);
                rc = -1;
                break;
            }
            *close = '\0';
            char *name = trim(s + 1);
            if (!section_known(name) || strlen(name) >= sizeof section) {
                seterr(err, errlen, "%s:%u: unknown section [%s]", path, lineno, name);
                rc = -1;
                break;
            }
            strcpy(section, name);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            seterr(err, errlen, "%s:%u: expected 'key = value', got '%s'", path, lineno, s);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *name = trim(s);
        const char *why = NULL;
        char *value = parse_value(trim(eq + 1), &why);
        if (!section[0]) {
            seterr(err, errlen, "%s:%u: %s: key outside any [section]", path, lineno, name);
            rc = -1;
            break;
        }
        const struct key *k = find_key(section, name);
        if (!k) {
            seterr(err, errlen, "%s:%u: %s: unknown key in [%s]", path, lineno, name, section);
            rc = -1;
            break;
        }
        if (!value) {
            seterr(err, errlen, "%s:%u: %s: %s", path, lineno, name, why);
            rc = -1;
            break;
        }
        size_t idx = (size_t)(k - keys);
        if (seen.set[idx]) {
            seterr(err, errlen, "%s:%u: %s: given twice in [%s]", path, lineno, name, section);
            rc = -1;
            break;
        }
        seen.set[idx] = 1;
        char reason[256];
        if (set_value(c, k, value, reason, sizeof reason) < 0) {
            seterr(err, errlen, "%s:%u: %s: %s", path, lineno, name, reason);
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        seterr(err, errlen, "%s: read error: %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}
