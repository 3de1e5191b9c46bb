/* SPDX-License-Identifier: GPL-2.0-or-later */
/* schema: what an article becomes in the Xapian index. The indexer writes
 * it (termgen.c, docrec.c), searchd reads it (query, snippets, related);
 * both include this one list of prefixes, value slots and limits.
 *
 * Terms (all words are tokenizer output: NFKC + case fold + diacritics
 * folded; CJK unstemmed):
 *   word          every word of title, headings and body, with positions
 *                 (title from 1, body after a gap of SCHEMA_FIELD_GAP),
 *                 except the commonest function words (schema_positional:
 *                 "the", "of", ...): a phrase skips them (its other words
 *                 keep their distance) and proximity pairs leave them out;
 *                 a word with diacritics also as its case-folded form
 *                 ("sjögren" beside "sjogren"), without positions (no
 *                 query reads them: queries are diacritic-folded)
 *   S word        title words, no positions: a title: phrase is the phrase
 *                 of the unprefixed words filtered by the S words; a
 *                 title's adjacent pairs are its XP terms
 *   H word        heading words, no positions (related reads only the
 *                 seed's termlist; phrases use the unprefixed words)
 *   Z stem        stem of every non-CJK word (no positions)
 *   ZS stem       stem of title words;  ZH stem: of heading words
 *   B xy          overlapping CJK character bigrams of the text
 *   U x           CJK characters one by one (unigrams)
 *   Q id          unique id (SCHEMA_MAX_TERM: long ids are hashed)
 *   XC category   filter (folded), L lang, XS site (url host or top folder)
 *   XF path       source file (for --prune and per-file deletes)
 *   XT hash       folded-title hash (wdf 1): resolves a link given by title;
 *                 ranks an article whose whole title is the query
 *   XP phrase     2-word phrases of the title and headings, and whole
 *                 titles/headings of 3-8 words; words joined by one space
 *                 (none between two CJK words): the completions of
 *                 /suggest ("heart att" -> "heart attack")
 *   XY phrase     every multi-word key of the index's synonym table
 *                 ("heart attack", "myocardial infarction") met in the
 *                 title or a paragraph as consecutive words (compound
 *                 parts left out, words joined by one space as synonym
 *                 keys are), wdf its occurrences, no positions: searchd
 *                 matches a synonym phrase as this one term instead of a
 *                 positional phrase, but only while SCHEMA_META_SYNPHRASES
 *                 says every article has them (older indexes and a changed
 *                 table fall back to the phrase; no version bump needed)
 *   XM id         a MeSH descriptor whose entry term occurs in the title
 *                 or a paragraph (indexer/concepts.h; id: the
 *                 DescriptorUI's number, "XM68877"), wdf its occurrences,
 *                 no positions; the same concepts are in VAL_CONCEPTS.
 *                 Related articles compare them only while
 *                 SCHEMA_META_CONCEPTS says every article has them (no
 *                 version bump: older indexes have none)
 *   XK topic      what the article is about (its input's topic/focus field,
 *                 a short title, or a question title's subject: "What
 *                 causes X ?" -> X), words joined as in XP: /suggest's
 *                 completions, ranked by how many articles have it
 * Values: see enum schema_value. Data: docrec (zlib-compressed JSON).
 */
#ifndef MEDSEARCH_SCHEMA_H
#define MEDSEARCH_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

/* The layout version, stored in the index's metadata (SCHEMA_META_KEY).
 * Bump it whenever what the indexer writes changes (tests/golden/schema.sh
 * shows the layout). 6: no positions on H and diacritic forms, spelling
 * words met at least twice. 7: XK topic terms. 8: category and lang
 * value slots (facets). 9: no positions on S and function words. 10: the article id in
 * VAL_ID (equal scores are ordered by it). */
#define SCHEMA_VERSION "10"
#define SCHEMA_META_KEY "medsearch_schema"
/* Stamped by the indexer's main writer into every commit: a counter that
 * goes on across --rebuild and --compact (decimal), and the commit's unix
 * time (decimal seconds, milliseconds). They travel with the index to its
 * replicas, so a replica's searchd can tell what it serves and how far it
 * is behind its master (searchd/replica.h). */
#define SCHEMA_META_COMMIT_SEQ  "medsearch_commit_seq"
#define SCHEMA_META_COMMIT_TIME "medsearch_commit_time"

/* The synonym table's digest ("synonyms_hash": its files' hash, written
 * when they are loaded), and the digest of the table every article's XY
 * terms were made from: set by a run that starts from an empty index (or
 * a rebuild), emptied when the table changes under existing articles. */
#define SCHEMA_META_SYNONYMS_HASH "synonyms_hash"
#define SCHEMA_META_SYNPHRASES "medsearch_synphrases"
/* The digest of the concept file every article's XM terms and
 * VAL_CONCEPTS were made from: set by a run that starts from an empty
 * index (or a rebuild), emptied when a run's concept file differs. */
#define SCHEMA_META_CONCEPTS "medsearch_concepts"

#define PFX_TITLE    "S"
#define PFX_HEADING  "H"
#define PFX_STEM     "Z"
#define PFX_STEM_TITLE   "ZS"
#define PFX_STEM_HEADING "ZH"
#define PFX_BIGRAM   "B"
#define PFX_UNIGRAM  "U"
#define PFX_ID       "Q"
#define PFX_CATEGORY "XC"
#define PFX_LANG     "L"
#define PFX_SITE     "XS"
#define PFX_FILE     "XF"
#define PFX_TITLEKEY "XT"
#define PFX_PHRASE   "XP"
#define PFX_TOPIC    "XK"
#define PFX_SYNPHRASE "XY"
#define PFX_CONCEPT  "XM"
/* The longest synonym key that is an XY term; a longer one (rare: over
 * 198 bytes) always matches as a phrase, on both sides. */
#define SCHEMA_MAX_SYNPHRASE (SCHEMA_MAX_TERM - (sizeof PFX_SYNPHRASE - 1))

enum schema_value {
    VAL_DATE = 0,    /* "YYYY-MM-DD" (sorts as bytes) */
    VAL_LENGTH = 1,  /* words in the article, sortable_serialise */
    VAL_HASH = 2,    /* content hash, 16 hex digits: unchanged articles are skipped */
    VAL_SOURCE = 3,  /* (unused: the source path is in the stored record) */
    VAL_DUPKEY = 4,  /* hash of the normalized body start: near-duplicate collapse */
    VAL_CATEGORY = 5, /* category, folded as its XC term: facet counts (searchd/facets.c) */
    VAL_LANG = 6,     /* language, folded as its L term: facet counts */
    VAL_ID = 7,       /* the article id: equal scores are ordered by it (pages, restarts
                         and shards agree) */
    VAL_CONCEPTS = 8  /* the XM concepts with their counts (schema_concepts_encode) */
};

/* Xapian's term length limit is 245 bytes; we stay well under it. */
#define SCHEMA_MAX_TERM 200
/* Position gap between title and body, so phrases never span fields. */
#define SCHEMA_FIELD_GAP 100
/* Stored body is capped (terms still cover the whole text). */
#define SCHEMA_MAX_STORED_BODY (1024 * 1024)

/* Join word `w` to phrase buf (used length *len, capacity cap) as XP terms
 * do: a space unless both sides are CJK. Returns 0, or -1 if it does not fit. */
int schema_phrase_append(char *buf, size_t *len, size_t cap, const char *w, size_t wlen);

/* Does the unprefixed word w (tokenizer output) carry positions? Not the
 * commonest function words: they are a fifth of the index's positional
 * postings, and a phrase or proximity that needs one of them is rare. */
int schema_positional(const char *w, size_t len);

/* 64-bit FNV-1a. */
uint64_t schema_hash(const void *data, size_t len, uint64_t seed);
#define SCHEMA_HASH_SEED 0xcbf29ce484222325ULL

/* Write prefix + s into buf as a term no longer than SCHEMA_MAX_TERM
 * bytes: a longer one is cut at a UTF-8 boundary and ends with "#" and the
 * 16-hex-digit hash of the whole string, so distinct ids stay distinct.
 * Returns the term's length. buf must hold SCHEMA_MAX_TERM + 1 bytes. */
size_t schema_term(char *buf, const char *prefix, const char *s, size_t len);
/* The unique id term of an article id. */
size_t schema_id_term(char *buf, const char *id);
/* The same term of an id given with its length (a VAL_ID value: a
 * match's sort key), in the shape of xap_key_term; 0 when cap is less
 * than SCHEMA_MAX_TERM + 1. */
size_t schema_key_id_term(const char *key, size_t len, char *buf, size_t cap);
/* The XT term of a title (folded words joined by one space, hashed). tk is a
 * struct tokenizer * (void * to keep this header light). */
size_t schema_titlekey_term(char *buf, void *tk, const char *title);
/* The same from the title's tokens (struct tok_token[n]), for a caller
 * that has tokenized the title already. */
size_t schema_titlekey_tokens(char *buf, const void *toks, size_t n);

/* Do an index's XY terms hold every synonym phrase of its table? made is
 * its SCHEMA_META_SYNPHRASES, table the table's SCHEMA_META_SYNONYMS_HASH
 * (the one rule searchd and indexer --stats both apply). */
int schema_synphrases_hold(const char *made, size_t made_len, const char *table, size_t table_len);

/* The XM term of concept id ("XM68877"); buf holds SCHEMA_CONCEPT_TERM
 * bytes. Returns its length. */
#define SCHEMA_CONCEPT_TERM 16
size_t schema_concept_term(char *buf, uint32_t id);

/* VAL_CONCEPTS: (id, count) pairs sorted by id, each a varint of the
 * id's difference to the previous id, then a varint of the count.
 * Encode c[0..n) into buf (cap at least 10 * n): returns the length, 0
 * when it does not fit. Decode: cb(id, count, ud) per pair (non-zero
 * stops); returns the pairs read, or -1 when v is malformed. */
struct schema_concept {
    uint32_t id, count;
};
size_t schema_concepts_encode(const struct schema_concept *c, size_t n, char *buf, size_t cap);
long schema_concepts_decode(const char *v, size_t len, int (*cb)(uint32_t id, uint32_t count, void *ud),
                            void *ud);

/* Is db (a struct xap_db *) an index of this SCHEMA_VERSION? Returns 0
 * (also for an empty index), or -1 with a message in err naming both
 * versions and the cure ("rebuild it with indexer --rebuild"). */
int schema_check(void *db, char *err, size_t errlen);

#endif
