/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config: the one configuration file of every medsearch program.
 *
 * Format (medsearch.conf.example lists every key with its default):
 *
 *     # a comment
 *     [searchd]
 *     socket = /run/medsearch/searchd.sock
 *     threads = 4            # an inline comment starts at " #"
 *     socket_group = "www data"   # quotes keep spaces and '#'
 *
 * Sections: [index] (indexer), [searchd], [ranking] (searchd's ranking),
 * [related] (searchd's related articles),
 * [client] (the search CLI). Every key is read through one table (config.c)
 * that gives its type, default and range; adding a key is one line there
 * plus the field in struct config. Errors name file:line and the key and
 * are meant to be fatal at start-up. Command-line flags override the file:
 * a program loads the file, then sets fields (config_set() validates a
 * flag exactly as a file line would be).
 */
#ifndef MEDSEARCH_CONFIG_H
#define MEDSEARCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config {
    struct {
        char *db;             /* index directory; searchd: several, comma-separated */
        int threads;          /* tokenizer threads; 0 = one per core */
        int commit_every;     /* documents per commit */
        char *synonyms;       /* synonym list loaded at indexing ("" = built-in) */
        char *concepts;       /* concept file of the XM terms ("" = built-in, "none") */
        int changesets;       /* XAPIAN_MAX_CHANGESETS for replication (0 = unset) */
        char *master;         /* searchd on a replica: the master's index, for the lag ("" = none) */
        char *url_template;   /* URL of an article without one ("" = none; indexer/urltemplate.h) */
    } index;
    struct {
        char *socket;         /* UNIX socket path */
        int socket_mode;      /* octal file mode of the socket */
        char *socket_group;   /* group owning the socket ("" = unchanged) */
        char *tcp;            /* "HOST:PORT" TCP listener, "" = off */
        bool tcp_allow_remote;/* allow a non-loopback tcp address */
        int threads;          /* worker threads; 0 = one per core */
        int helper_threads;   /* threads making a request's snippets beside its worker; -1 = 1 with 2+ workers */
        bool mmap_reads;      /* read the index's blocks from memory maps (searchd/mmapread.h) */
        int max_request_bytes;/* request line + headers */
        int max_query_bytes;  /* length of q */
        int max_terms;        /* words in a query */
        int max_wildcard;     /* terms one prefix* expands to */
        int max_limit;        /* largest limit= */
        int max_window;       /* largest offset + limit */
        int query_timeout_ms; /* matching time per query */
        int connection_timeout_s; /* idle time before a connection is closed */
        int max_connections;  /* open client connections */
        char *user;           /* user to become when started as root */
        bool access_log;      /* one log line per request */
        int shard_timeout_ms; /* bound on each wait for a remote shard */
        int deadline_ms;      /* end-to-end bound on a request's retries over failed shards */
        bool allow_partial;   /* answer without a failed shard (partial) instead of 503 */
        int shard_probe_ms;   /* how often a down shard is tried again */
        char *dictionary;     /* local db with the spelling and synonym tables ("" = none) */
    } searchd;
    struct {
        double bm25_k1;
        double bm25_b;
        double title_weight;
        double heading_weight;
        double proximity_weight;
        int near_window;      /* proximity window in words */
        bool synonyms;        /* expand queries with the synonym table */
        double synonym_weight;
        double exact_weight;  /* unstemmed word besides its stem */
        double part_weight;   /* a compound's parts, loose, besides the compound */
        double latin_in_cjk_weight; /* a non-CJK word in a mostly CJK query */
        double bigram_weight; /* CJK overlapping bigrams */
        double unigram_weight;/* CJK single characters */
        double bm25_k1_cjk;   /* k1 of queries mostly in CJK (character terms) */
        double unigram_common;/* characters in more than this fraction of articles only add weight */
        double cjk_word_weight; /* CJK (ICU) words */
        double title_exact_weight; /* the query is an article's whole title */
        bool stopwords;       /* drop function words from long questions */
        double question_weight; /* words of question openers ("what is", "how to"); 0 = drop */
        int prf_docs;         /* pseudo-relevance feedback: top docs (0 = off) */
        int prf_terms;        /* expansion terms */
        int prf_window;       /* the first matches the expansion re-ranks */
        int boost_window;     /* the first matches the exact-word and field boosts
                                 re-rank (0: they join the match) */
        double prf_weight;    /* weight of the expansion against the query */
        int prf_min_words;    /* only queries with at least this many words */
        bool spelling;        /* offer did_you_mean */
        char *dictionaries;   /* word lists never corrected (comma-separated paths) */
    } ranking;
    struct {                  /* /related and the see-also of /search */
        int expand_terms;     /* distinctive body stems of the seed in the query */
        double term_max_df;   /* stems in more than this share of articles are too common */
        int match_terms;      /* the best stems that make a candidate; the others only re-rank (0: all) */
        double match_max_df;  /* ... among those in at most this share of articles */
        double body_weight;   /* weight of those stems */
        double title_boost;   /* selection factor of a stem in the seed's title */
        double heading_boost; /* ... in its headings */
        double body_title_weight; /* a selected stem in a candidate's title */
        double title_weight;  /* a specific seed title word in a candidate's title */
        double title_max_df;  /* title words in more than this share of titles are templates */
        double title_all_weight; /* all specific seed title words in a candidate's title */
        int title_all_max;    /* ... when the seed title has at most this many */
        double phrase_weight; /* a seed title/heading phrase in a candidate's title/headings */
        double link_weight;   /* a linked article: bonus, as a share of the best similarity */
        bool dedupe;          /* drop near-duplicates (same body start) */
        double concept_weight; /* share of the MeSH concepts' cosine in the score (0 = off) */
        double bm25_k1;
        double bm25_b;
    } related;
    struct {
        char *socket;         /* searchd socket the client talks to */
    } client;
};

/* Fill *c with every key's default. Returns 0, or -1 when out of memory
 * (then *c holds no allocation). */
int config_init(struct config *c);

/* Read `path` over *c (already initialized: keys absent from the file
 * keep their value). Returns 0, or -1 with a message "FILE:LINE: KEY: why"
 * (or "FILE: why" when it cannot be read) in err. A key given twice in one
 * file is an error. On error *c keeps valid (partly updated) values. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

/* Set one key from its text form, as a file line would ("searchd",
 * "threads", "4"). Returns 0, or -1 with "KEY: why" in err (unknown key,
 * bad value, out of range). Used for command-line flags. */
int config_set(struct config *c, const char *section, const char *key, const char *value,
               char *err, size_t errlen);

/* Free the strings of *c (the struct itself is the caller's). */
void config_free(struct config *c);

/* Deep copy of src into *dst (for a snapshot shared by threads). 0 or -1. */
int config_copy(struct config *dst, const struct config *src);

/* Walk the key table: cb(section, key, default_text, ud) for each key in
 * table order; a non-zero return stops. For tests and documentation. */
typedef int (*config_key_cb)(const char *section, const char *key, const char *def, void *ud);
void config_each_key(config_key_cb cb, void *ud);

#endif
