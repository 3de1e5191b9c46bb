/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tokenizer: UTF-8 text -> normalized word tokens, with ICU.
 *
 * One tokenizer for both sides: the indexer builds terms and searchd
 * parses queries with exactly this code, so a word is normalized the same
 * way wherever it appears.
 *
 * Words come from ICU's word break iterator (UAX #29, dictionary
 * segmentation for Chinese/Japanese/Thai). Each token is normalized NFKC +
 * case folded (`form`) and additionally diacritic-folded (`text`:
 * "Sjögren" -> text "sjogren", form "sjögren"). Medical compounds are kept
 * whole and also split: "COVID-19" gives the token "covid-19" (TOK_COMPOUND)
 * at the position of its first part, then "covid" and "19" (TOK_PART) at
 * consecutive positions, so both the unit and the parts are searchable and
 * phrases over the parts still match. Joiners inside a compound: '-', '/',
 * '+' at the end of a chemical ("Ca2+"), ',' and '.' between digits
 * ("1,25-dihydroxyvitamin", "2.5"; ICU already keeps "1,25" and "2.5" as one
 * number). Fullwidth '-' and '/' and U+2010/U+2011 join too and become
 * ASCII '-' / '/' in the compound's text. CJK words never join compounds.
 *
 * Choices made here (both sides see the same):
 * - Apostrophes U+2019, U+2018, U+02BC become U+0027; a trailing "'s" is
 *   stripped from text and form ("Parkinson's" -> "parkinson", offsets
 *   still cover the whole word); "don't" stays "don't".
 * - Diacritic folding removes only the generic combining diacritics
 *   (U+0300-036F, U+1AB0-1AFF, U+1DC0-1DFF, U+20D0-20FF, U+FE20-FE2F) after
 *   NFD, then recomposes: Japanese dakuten and Thai/Indic vowel signs stay.
 *   Letters without a decomposition stay ("ø", "æ"); "ß" folds to "ss".
 * - Soft hyphens and other default-ignorables vanish (NFKC_Casefold), so
 *   "hyper<U+00AD>tension" is one token "hypertension". Spaces that NFKC
 *   puts inside a word (U+037A -> " \u0345", U+FDFA) are removed too: a
 *   token never holds white space.
 * - Thai, Lao, Khmer and Myanmar words are flagged TOK_CJK too (no spaces,
 *   dictionary-segmented, never stemmed).
 * - A '+' right after a word ends a compound when no word or '+' follows
 *   it ("Ca2+", "IgE+"; not "1+1", not "C++").
 * - ICU segments with no letter or digit (ICU counts '@' as a letter:
 *   "@@@") are not tokens.
 * - A skipped word (too long, or empty after normalization) takes no
 *   position. Huge inputs are processed in chunks (16 MB, cut at a space
 *   when there is one near the limit).
 *
 * Byte offsets (start, end) always refer to the caller's input, so a
 * snippet can highlight a match without tokenizing again.
 *
 * Thread safety: a tokenizer holds ICU iterators; use one per thread.
 */
#ifndef MEDSEARCH_TOKENIZER_H
#define MEDSEARCH_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

enum tok_flags {
    TOK_NUMERIC  = 1 << 0, /* only digits (and joiners between digits) */
    TOK_CJK      = 1 << 1, /* a Han/Hiragana/Katakana/Hangul/Thai word: do not stem */
    TOK_COMPOUND = 1 << 2, /* the whole of a joined word ("covid-19") */
    TOK_PART     = 1 << 3, /* one part of a compound ("covid", "19") */
    TOK_FOLDED   = 1 << 4  /* text differs from form (diacritics removed) */
};

struct tok_token {
    const char *text; /* normalized + diacritic-folded, NUL-terminated */
    size_t len;       /* strlen(text) */
    const char *form; /* normalized, diacritics kept (== text unless TOK_FOLDED) */
    size_t form_len;
    size_t start;     /* byte offset of the token in the input */
    size_t end;       /* byte offset one past its end */
    uint32_t pos;     /* word position, from pos_base; parts advance it */
    unsigned flags;   /* enum tok_flags */
};

struct tokenizer;

/* A new tokenizer; NULL on failure (ICU data missing, out of memory). */
struct tokenizer *tokenizer_new(void);
void tokenizer_free(struct tokenizer *tk);

/* Tokenize `len` bytes of UTF-8 at `text`. Positions start at pos_base.
 * Never reads past text+len; the input need not be NUL-terminated and may
 * contain NUL bytes and invalid UTF-8 (invalid sequences are treated as
 * U+FFFD and never produce a token; NUL separates words). A single word
 * longer than TOKENIZER_MAX_WORD bytes is skipped.
 *
 * On success returns 0 and sets *tokens to an array of *n tokens, owned by
 * the tokenizer and valid until the next tokenizer_run or tokenizer_free.
 * Returns -1 on failure (out of memory, ICU error) with *n = 0. */
int tokenizer_run(struct tokenizer *tk, const char *text, size_t len, uint32_t pos_base,
                  const struct tok_token **tokens /* OUT */, size_t *n /* OUT */);

/* Chunk size for huge inputs (default 16 MB, minimum 64 bytes); mostly
 * for tests, which exercise the chunk seams with small inputs. */
void tokenizer_set_chunk_size(struct tokenizer *tk, size_t bytes);

/* Tests: segment every text with ICU, also plain ASCII (which is
 * otherwise segmented directly, as ICU does). */
void tokenizer_set_icu_only(struct tokenizer *tk, int on);

/* Position after the last token of the last run (pos_base if none): what
 * to pass as pos_base for the next field, after a gap. */
uint32_t tokenizer_next_pos(const struct tokenizer *tk);

/* Normalize one string as tokens are (NFKC, case fold, apostrophes,
 * diacritic fold; no "'s" stripping, no segmentation) into buf
 * (NUL-terminated; invalid UTF-8 becomes U+FFFD, NUL bytes are dropped); returns its length
 * or (size_t)-1 if it did not fit. Used for filter values (category, language). */
size_t tokenizer_fold(struct tokenizer *tk, const char *s, size_t len, char *buf, size_t cap);

/* Is the first code point of s a CJK ideograph/kana/hangul? */
int tokenizer_is_cjk(const char *s, size_t len);

#define TOKENIZER_MAX_WORD 120

#endif
