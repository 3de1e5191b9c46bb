/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spellcost.c: the weighted edit cost of a misspelling (see spellcost.h).
 * One dynamic programme over the two words; besides the four plain edits
 * it may take a phonetic rule (a short pattern typed for another) at any
 * point where both sides show the rule's two spellings. */
#include "spellcost.h"

#include <string.h>

#define C_DOUBLE 0.3   /* "resttless", "hemorhage" */
#define C_DOUBLE_VOWEL 0.5 /* consonants are the letters people double */
#define C_SWAP   0.5   /* "thearpy" */
#define C_VOWEL  0.6   /* "prablems" */
#define C_KEY    0.7   /* a neighbouring key */
#define C_INDEL  0.8   /* a letter dropped or added */
#define C_SUB    1.0   /* any other letter */

/* Spellings of one sound: typed `a` for meant `b`, or the reverse, at `cost`. */
static const struct rule {
    const char *a, *b;
    double cost;
} rules[] = {
    { "f", "ph", 0.4 },    { "k", "ch", 0.4 },   { "sh", "ch", 0.6 },
    { "shun", "tion", 0.4 }, { "shun", "sion", 0.4 }, { "shun", "cion", 0.5 }, { "shun", "cian", 0.5 },
    { "shal", "tial", 0.5 }, { "shal", "cial", 0.5 }, { "shus", "tious", 0.5 }, { "shus", "cious", 0.5 },
    { "zhun", "sion", 0.5 }, { "chur", "ture", 0.5 },
    { "e", "ae", 0.4 },    { "e", "oe", 0.4 },   { "ks", "x", 0.4 },    { "kw", "qu", 0.4 },
    { "f", "gh", 0.5 },    { "k", "ck", 0.4 },   { "c", "ck", 0.4 },    { "r", "rh", 0.4 },
    { "t", "th", 0.5 },    { "n", "pn", 0.4 },   { "s", "ps", 0.4 },    { "t", "pt", 0.4 },
    { "n", "kn", 0.4 },    { "n", "gn", 0.5 },   { "r", "wr", 0.4 },    { "m", "mn", 0.5 },
    { "u", "ou", 0.5 },    { "u", "oo", 0.5 },   { "i", "ee", 0.5 },    { "e", "ea", 0.5 },
    { "i", "ie", 0.5 },    { "y", "ie", 0.5 },   { "er", "re", 0.4 },   { "sk", "sc", 0.4 },
    { "k", "c", 0.4 },     { "s", "c", 0.4 },    { "z", "s", 0.4 },     { "i", "y", 0.5 },
    { "j", "g", 0.5 },     { "z", "x", 0.6 },    { "ai", "ay", 0.5 },   { "ei", "ie", 0.4 },
};

static int is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

/* QWERTY neighbours: rows shifted as on a real keyboard. */
static int key_adjacent(char x, char y)
{
    static const char *rowsk[3] = { "qwertyuiop", "asdfghjkl", "zxcvbnm" };
    static const double shift[3] = { 0, 0.25, 0.75 };
    double px[2] = { -1, -1 }, py[2] = { -1, -1 };
    char c[2] = { x, y };
    for (int k = 0; k < 2; k++)
        for (int r = 0; r < 3; r++) {
            const char *p = strchr(rowsk[r], c[k]);
            if (p && c[k]) {
                px[k] = (double)(p - rowsk[r]) + shift[r];
                py[k] = r;
            }
        }
    if (px[0] < 0 || px[1] < 0)
        return 0;
    double dx = px[0] - px[1], dy = py[0] - py[1];
    return dx * dx + dy * dy < 1.7;
}

static double sub_cost(char t, char m)
{
    if (t == m)
        return 0;
    if (is_vowel(t) && is_vowel(m))
        return C_VOWEL;
    if (key_adjacent(t, m))
        return C_KEY;
    return C_SUB;
}

static int ends_with(const char *s, size_t len, const char *pat, size_t pl)
{
    return len >= pl && memcmp(s + len - pl, pat, pl) == 0;
}

double spellcost(const char *typed, size_t tl, const char *meant, size_t ml)
{
    if (tl > SPELLCOST_MAXLEN || ml > SPELLCOST_MAXLEN)
        return SPELLCOST_FAR;
    double d[SPELLCOST_MAXLEN + 1][SPELLCOST_MAXLEN + 1];
    d[0][0] = 0;
    for (size_t i = 1; i <= tl; i++)
        d[i][0] = d[i - 1][0] + (i >= 2 && typed[i - 1] == typed[i - 2] ? C_DOUBLE : C_INDEL);
    for (size_t j = 1; j <= ml; j++)
        d[0][j] = d[0][j - 1] + (j >= 2 && meant[j - 1] == meant[j - 2] ? C_DOUBLE : C_INDEL);
    for (size_t i = 1; i <= tl; i++)
        for (size_t j = 1; j <= ml; j++) {
            char t = typed[i - 1], m = meant[j - 1];
            /* an extra letter typed: cheap when it doubles its neighbour */
            int dbl_t = (i >= 2 && t == typed[i - 2]) || (i < tl && t == typed[i]);
            double v = d[i - 1][j] + (dbl_t ? (is_vowel(t) ? C_DOUBLE_VOWEL : C_DOUBLE) : C_INDEL);
            /* a letter of the meant word left out: cheap when it was doubled */
            int dbl_m = (j >= 2 && m == meant[j - 2]) || (j < ml && m == meant[j]);
            double x = d[i][j - 1] + (dbl_m ? C_DOUBLE : C_INDEL);
            if (x < v)
                v = x;
            x = d[i - 1][j - 1] + sub_cost(t, m);
            if (x < v)
                v = x;
            if (i >= 2 && j >= 2 && t == meant[j - 2] && typed[i - 2] == m && t != m &&
                (x = d[i - 2][j - 2] + C_SWAP) < v)
                v = x;
            for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
                const char *pa = rules[r].a, *pb = rules[r].b;
                size_t la = strlen(pa), lb = strlen(pb);
                for (int dir = 0; dir < 2; dir++) {
                    /* dir 0: typed shows a, meant shows b; dir 1: the reverse */
                    const char *ps = dir ? pb : pa, *pm = dir ? pa : pb;
                    size_t ls = dir ? lb : la, lm = dir ? la : lb;
                    if (ls <= i && lm <= j && ends_with(typed, i, ps, ls) && ends_with(meant, j, pm, lm) &&
                        (x = d[i - ls][j - lm] + rules[r].cost) < v)
                        v = x;
                }
            }
            d[i][j] = v;
        }
    return d[tl][ml];
}

double spellcost_limit(size_t len)
{
    if (len <= 4)
        return 0.9;
    if (len <= 6)
        return 1.3;
    if (len <= 9)
        return 1.7;
    return 2.2;
}

void spellcost_variants(const char *typed, size_t tl, size_t max,
                        void (*cb)(const char *variant, size_t len, void *ud), void *ud)
{
    char seen[16][SPELLCOST_MAXLEN + 8];
    size_t n_seen = 0;
    if (tl > SPELLCOST_MAXLEN)
        return;
    for (size_t r = 0; r < sizeof rules / sizeof rules[0] && n_seen < max && n_seen < 16; r++) {
        const char *pa = rules[r].a, *pb = rules[r].b;
        size_t la = strlen(pa), lb = strlen(pb);
        if (la == 1 && lb == 1)
            continue; /* one letter for another: the edit search finds those */
        for (size_t i = 0; i + la <= tl && n_seen < max && n_seen < 16; i++) {
            if (memcmp(typed + i, pa, la) != 0 || tl - la + lb > SPELLCOST_MAXLEN)
                continue;
            char *v = seen[n_seen];
            memcpy(v, typed, i);
            memcpy(v + i, pb, lb);
            memcpy(v + i + lb, typed + i + la, tl - i - la);
            size_t vl = tl - la + lb;
            v[vl] = '\0';
            int dup = 0;
            for (size_t k = 0; k < n_seen && !dup; k++)
                dup = strcmp(seen[k], v) == 0;
            if (dup)
                continue;
            n_seen++;
            cb(v, vl, ud);
        }
    }
}
