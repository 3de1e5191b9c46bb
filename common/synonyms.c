/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "synonyms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textfile.h"
#include "log.h"
#include "tokenizer.h"

#define KEY_MAX 240

size_t synonyms_key(struct tokenizer *tk, const char *phrase, size_t len, char *buf, size_t cap)
{
    const struct tok_token *toks;
    size_t n, used = 0;
    if (cap == 0 || tokenizer_run(tk, phrase, len, 1, &toks, &n) != 0)
        return (size_t)-1;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (toks[i].flags & TOK_PART)
            continue;
        size_t need = toks[i].len + (used ? 1 : 0);
        if (used + need + 1 > cap)
            return (size_t)-1;
        if (used)
            buf[used++] = ' ';
        memcpy(buf + used, toks[i].text, toks[i].len);
        used += toks[i].len;
        buf[used] = '\0';
    }
    return used;
}

int synonyms_load(xap_db *db, struct tokenizer *tk, const char *path, size_t *groups, size_t *entries,
                  char *err, size_t errcap)
{
    if (groups)
        *groups = 0;
    if (entries)
        *entries = 0;
    char *text = NULL;
    size_t len = 0;
    if (input_read_file(path, 64u << 20, &text, &len, err, errcap) != INPUT_OK)
        return -1;
    char keys[SYNONYMS_MAX_GROUP][KEY_MAX + 1];
    long lineno = 0;
    int rc = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        size_t n = 0, raw = 0;
        char *p = line;
        while (p && n < SYNONYMS_MAX_GROUP) {
            char *bar = strchr(p, '|');
            size_t plen = bar ? (size_t)(bar - p) : strlen(p);
            size_t kl = synonyms_key(tk, p, plen, keys[n], sizeof keys[n]);
            if (kl == (size_t)-1)
                log_warn("%s:%ld: a synonym term longer than %d bytes (normalized) is left out: \"%.40s...\"", path,
                         lineno, KEY_MAX, p + strspn(p, " \t"));
            if (kl != (size_t)-1 && kl > 0) {
                raw++;
                int dup = 0;
                for (size_t j = 0; j < n; j++)
                    dup |= strcmp(keys[j], keys[n]) == 0;
                if (!dup)
                    n++;
            }
            p = bar ? bar + 1 : NULL;
        }
        if (n == 0)
            continue;
        if (n == 1) {
            if (raw > 1)
                continue; /* its terms normalize to one key: nothing to add */
            log_warn("%s:%ld: a synonym group needs at least two terms", path, lineno);
            continue;
        }
        for (size_t i = 0; i < n && rc == 0; i++)
            for (size_t j = 0; j < n; j++) {
                if (i == j)
                    continue;
                if (xap_db_add_synonym(db, keys[i], keys[j]) != XAP_OK) {
                    snprintf(err, errcap, "%s:%ld: add synonym: %s", path, lineno, xap_errmsg());
                    rc = -1;
                    break;
                }
                if (entries)
                    (*entries)++;
            }
        if (rc)
            break;
        if (groups)
            (*groups)++;
    }
    free(text);
    return rc;
}
