/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stopword: the English stop word lists, one lookup. */
#include "stopword.h"

#include <string.h>

/* Is w[0..len) in the sorted list? */
static int in_list(const char *const *list, size_t n, const char *w, size_t len)
{
    char buf[16];
    if (len >= sizeof buf)
        return 0;
    memcpy(buf, w, len);
    buf[len] = '\0';
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(buf, list[mid]);
        if (c == 0)
            return 1;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

int stopword_is_query(const char *w, size_t len)
{
    static const char *const stop[] = {
        "about", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do",
        "does", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its",
        "me", "my", "of", "on", "or", "our", "should", "so", "than", "that", "the", "their", "them",
        "then", "there", "these", "they", "this", "those", "to", "was", "we", "were", "what", "when",
        "where", "which", "who", "whom", "why", "will", "with", "would", "you", "your",
    };
    return in_list(stop, sizeof stop / sizeof stop[0], w, len);
}

int stopword_is(const char *w, size_t len)
{
    /* English function words and question words (sorted for bsearch). */
    static const char *const stop[] = {
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are",
        "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
        "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
        "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him",
        "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "may",
        "me", "might", "more", "most", "must", "my", "myself", "no", "nor", "not", "now", "of", "off",
        "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same",
        "shall", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
        "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
        "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
        "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves",
    };
    return in_list(stop, sizeof stop / sizeof stop[0], w, len);
}
