/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "termgen.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concepts.h"
#include "docdict.h"
#include "docrec.h"
#include "grow.h"
#include "log.h"
#include "schema.h"
#include "stemcache.h"
#include "synphrase.h"
#include "tokenizer.h"

#define MAX_STEMMERS 16

struct stem_slot {
    char lang[16];
    xap_stem *stem; /* NULL: language without stemmer */
};

struct termgen {
    struct tokenizer *tk;
    struct stem_slot stems[MAX_STEMMERS];
    size_t n_stems;
    struct stemcache *stemcache; /* NULL: stem every word */
    const struct synphrases *sp; /* the synonym table's phrases (XY), or NULL */
    const struct concepts *cs;   /* the concept file's entry terms (XM), or NULL */
};

struct termgen *termgen_new(void)
{
    struct termgen *tg = calloc(1, sizeof *tg);
    if (!tg)
        return NULL;
    tg->tk = tokenizer_new();
    if (!tg->tk) {
        free(tg);
        return NULL;
    }
    tg->stemcache = stemcache_new();
    return tg;
}

void termgen_free(struct termgen *tg)
{
    if (!tg)
        return;
    for (size_t i = 0; i < tg->n_stems; i++)
        xap_stem_free(tg->stems[i].stem);
    tokenizer_free(tg->tk);
    stemcache_free(tg->stemcache);
    free(tg);
}

void termgen_set_synphrases(struct termgen *tg, const struct synphrases *sp)
{
    tg->sp = sp;
}

void termgen_set_concepts(struct termgen *tg, const struct concepts *cs)
{
    tg->cs = cs;
}

xap_stem *termgen_stemmer(struct termgen *tg, const char *lang)
{
    if (!lang || !*lang)
        lang = "en";
    for (size_t i = 0; i < tg->n_stems; i++)
        if (strcmp(tg->stems[i].lang, lang) == 0)
            return tg->stems[i].stem;
    xap_stem *st = NULL;
    if (strcmp(lang, "zh") && strcmp(lang, "ja") && strcmp(lang, "ko") && strcmp(lang, "th")) {
        if (xap_stem_new(lang, &st) != XAP_OK)
            st = NULL; /* unknown language: english below */
        if (!st && strcmp(lang, "en") != 0)
            return termgen_stemmer(tg, "en");
    }
    if (tg->n_stems < MAX_STEMMERS) {
        snprintf(tg->stems[tg->n_stems].lang, sizeof tg->stems[0].lang, "%s", lang);
        tg->stems[tg->n_stems++].stem = st;
    }
    return st;
}

static int is_spelling_word(const struct tok_token *t)
{
    if (t->len < 3 || t->len > 40 || (t->flags & (TOK_CJK | TOK_NUMERIC | TOK_COMPOUND)))
        return 0;
    for (size_t i = 0; i < t->len; i++) {
        unsigned char c = (unsigned char)t->text[i];
        if (c < 0x80 && !isalpha(c))
            return 0;
    }
    return 1;
}

enum field { F_TITLE, F_BODY };

struct emit {
    xap_doc *doc;
    xap_stem *stem;
    struct stemcache *stemcache;
    const struct synphrases *sp;
    const struct concepts *cs;
    struct schema_concept *concepts; /* the article's concepts so far, with their occurrences */
    size_t n_concepts, cap_concepts;
    const char *const *headings; /* to tag heading paragraphs */
    size_t n_headings;
    termgen_word_cb words;
    void *ud;
    uint32_t nwords;
    int failed;
    char titlekey[SCHEMA_MAX_TERM + 1]; /* XT term of the title */
    size_t titlekey_len;
};

static void add_posting(struct emit *e, const char *prefix, const char *s, size_t len, uint32_t pos)
{
    char term[SCHEMA_MAX_TERM + 1];
    schema_term(term, prefix, s, len);
    if (xap_doc_add_posting(e->doc, term, pos, 1) != XAP_OK)
        e->failed = 1;
}

static void add_term(struct emit *e, const char *prefix, const char *s, size_t len)
{
    char term[SCHEMA_MAX_TERM + 1];
    schema_term(term, prefix, s, len);
    if (xap_doc_add_term(e->doc, term, 1) != XAP_OK)
        e->failed = 1;
}

static void add_synphrase(const char *key, size_t len, void *ud)
{
    add_term(ud, PFX_SYNPHRASE, key, len);
}

static void add_concept(uint32_t id, void *ud)
{
    struct emit *e = ud;
    for (size_t i = 0; i < e->n_concepts; i++)
        if (e->concepts[i].id == id) {
            e->concepts[i].count++;
            return;
        }
    if (GROW(e->concepts, e->cap_concepts, e->n_concepts + 1, 32) != 0) {
        e->failed = 1;
        return;
    }
    e->concepts[e->n_concepts++] = (struct schema_concept){ id, 1 };
}

static int concept_cmp(const void *a, const void *b)
{
    const struct schema_concept *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The XM terms (wdf: occurrences) and VAL_CONCEPTS of the concepts met. */
static void add_concepts(struct emit *e)
{
    if (e->n_concepts == 0)
        return;
    qsort(e->concepts, e->n_concepts, sizeof *e->concepts, concept_cmp);
    for (size_t i = 0; i < e->n_concepts; i++) {
        char term[SCHEMA_CONCEPT_TERM];
        schema_concept_term(term, e->concepts[i].id);
        if (xap_doc_add_term(e->doc, term, e->concepts[i].count) != XAP_OK)
            e->failed = 1;
    }
    char *v = malloc(e->n_concepts * 10);
    size_t vl = v ? schema_concepts_encode(e->concepts, e->n_concepts, v, e->n_concepts * 10) : 0;
    if (!v || xap_doc_set_value(e->doc, VAL_CONCEPTS, v, vl) != XAP_OK)
        e->failed = 1;
    free(v);
}

/* Overlapping bigrams and the single characters (unigrams) of a run of
 * CJK tokens' characters: ICU's words can be wrong, and a query's words
 * rarely share the text's word boundaries. */
static void add_bigrams(struct emit *e, const char *s, size_t len)
{
    size_t prev = (size_t)-1, i = 0;
    while (i < len) {
        size_t clen = 1;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0xF0) clen = 4;
        else if (c >= 0xE0) clen = 3;
        else if (c >= 0xC0) clen = 2;
        if (i + clen > len)
            break;
        add_term(e, PFX_UNIGRAM, s + i, clen);
        if (prev != (size_t)-1)
            add_term(e, PFX_BIGRAM, s + prev, i + clen - prev);
        prev = i;
        i += clen;
    }
}

/* XP terms: the 2-word phrases of a title or heading, and the whole of
 * it when short (compound parts left out: the compound itself is the
 * word): "heart att" completes to "heart attack", "why the bo" to the
 * whole title. */
static void add_phrases(struct emit *e, const struct tok_token *toks, size_t n)
{
    const struct tok_token *w[256];
    size_t nw = 0;
    for (size_t i = 0; i < n && nw < 256; i++)
        if (!(toks[i].flags & TOK_PART))
            w[nw++] = &toks[i];
    char ph[SCHEMA_MAX_TERM + 1], term[SCHEMA_MAX_TERM + 1];
    for (size_t i = 0; i + 1 < nw; i++) {
        size_t len = 0;
        ph[0] = '\0';
        if (schema_phrase_append(ph, &len, sizeof ph - 8, w[i]->text, w[i]->len) == 0 &&
            schema_phrase_append(ph, &len, sizeof ph - 8, w[i + 1]->text, w[i + 1]->len) == 0) {
            schema_term(term, PFX_PHRASE, ph, len);
            if (xap_doc_add_boolean_term(e->doc, term) != XAP_OK)
                e->failed = 1;
        }
    }
    if (nw < 3 || nw > 8)
        return;
    size_t len = 0;
    ph[0] = '\0';
    for (size_t i = 0; i < nw; i++)
        if (schema_phrase_append(ph, &len, sizeof ph - 8, w[i]->text, w[i]->len) != 0)
            return;
    schema_term(term, PFX_PHRASE, ph, len);
    if (xap_doc_add_boolean_term(e->doc, term) != XAP_OK)
        e->failed = 1;
}

/* ---- the article's topic (XK) ------------------------------------------------ */

/* Question titles name their topic after a frame: "What are the symptoms
 * of X ?", "Is X inherited ?". Frames in folded words, longest first
 * where one starts another; the words after the frame are the topic. */
static const char *const frames[] = {
    "what research or clinical trials is being done for", "what are the genetic changes related to",
    "how many people are affected by", "what are the signs and symptoms of", "do you have information about",
    "what are the complications of", "what are the treatments for", "what is the treatment for",
    "what are the symptoms of", "what are the stages of", "what i need to know about", "what is the outlook for",
    "what is the cause of", "who is at risk for", "how can i prevent", "how to diagnose", "how to prevent",
    "what to do for", "what is are", "what causes", "what is", "what are", "is", "are",
};
/* ...and trailing words of the frame ("Is X inherited ?") */
static const char *const frame_tails[] = { "inherited", "contagious", "curable", "serious" };

#define TOPIC_MAX_WORDS 6

/* Does words w[0..n) start with the words of frame f? Returns how many. */
static size_t frame_match(const struct tok_token *const *w, size_t n, const char *f)
{
    size_t k = 0;
    while (*f) {
        size_t fl = strcspn(f, " ");
        if (k >= n || w[k]->len != fl || memcmp(w[k]->text, f, fl) != 0)
            return 0;
        k++;
        f += fl;
        while (*f == ' ')
            f++;
    }
    return k;
}

/* XK: the topic an article is about, for /suggest ("dro" -> drowning). A
 * "topic" or "focus" field of the input names it; else the title does,
 * when it is short (its part before ":" or " - "), or a question in one
 * of the frames above. No topic: no term. */
static void add_topic(struct emit *e, struct tokenizer *tk, const struct article *a)
{
    const char *src = NULL;
    int question = 0;
    for (size_t i = 0; i < a->n_meta && !src; i++)
        if ((strcmp(a->meta_keys[i], "topic") == 0 || strcmp(a->meta_keys[i], "focus") == 0) &&
            a->meta_values[i] && *a->meta_values[i])
            src = a->meta_values[i];
    size_t sl = 0;
    if (src)
        sl = strlen(src);
    else if (a->title && *a->title) {
        src = a->title;
        sl = strlen(src);
        question = sl > 0 && strchr(src, '?') != NULL;
        const char *cut = strstr(src, ": ");
        const char *dash = strstr(src, " - ");
        const char *bar = strstr(src, " | ");
        if (dash && (!cut || dash < cut))
            cut = dash;
        if (bar && (!cut || bar < cut))
            cut = bar;
        if (cut)
            sl = (size_t)(cut - src);
    }
    if (!src || sl == 0)
        return;
    const struct tok_token *toks;
    size_t nt;
    if (tokenizer_run(tk, src, sl, 1, &toks, &nt) != 0)
        return;
    const struct tok_token *w[64];
    size_t n = 0;
    for (size_t i = 0; i < nt && n < 64; i++)
        if (!(toks[i].flags & TOK_PART))
            w[n++] = &toks[i];
    size_t from = 0, to = n;
    if (question || (n > 0 && frame_match(w, n, "what") + frame_match(w, n, "how") + frame_match(w, n, "is") > 0)) {
        size_t k = 0;
        for (size_t f = 0; f < sizeof frames / sizeof frames[0] && !k; f++)
            k = frame_match(w, n, frames[f]);
        if (!k)
            return; /* a question we cannot read: no topic rather than a wrong one */
        from = k;
        for (size_t t = 0; t < sizeof frame_tails / sizeof frame_tails[0]; t++)
            if (to > from + 1 && frame_match(w + to - 1, 1, frame_tails[t]))
                to--;
    }
    if (to <= from || to - from > TOPIC_MAX_WORDS)
        return;
    char ph[SCHEMA_MAX_TERM + 1], term[SCHEMA_MAX_TERM + 1];
    size_t len = 0;
    ph[0] = '\0';
    for (size_t i = from; i < to; i++)
        if (schema_phrase_append(ph, &len, sizeof ph - 8, w[i]->text, w[i]->len) != 0)
            return;
    schema_term(term, PFX_TOPIC, ph, len);
    if (xap_doc_add_boolean_term(e->doc, term) != XAP_OK)
        e->failed = 1;
}

/* Tokenize one span of text and emit its terms. field_prefix: "S" (title),
 * "H" (heading) or NULL (body). */
static uint32_t emit_text(struct emit *e, struct tokenizer *tk, const char *text, size_t len,
                          uint32_t pos, const char *field_prefix, const char *stem_prefix)
{
    const struct tok_token *toks;
    size_t n;
    if (tokenizer_run(tk, text, len, pos, &toks, &n) != 0) {
        e->failed = 1;
        return pos;
    }
    int title = field_prefix && strcmp(field_prefix, PFX_TITLE) == 0;
    if (title) /* the title is tokenized once, here */
        e->titlekey_len = schema_titlekey_tokens(e->titlekey, toks, n);
    char stem[SCHEMA_MAX_TERM + 1];
    if (field_prefix)
        add_phrases(e, toks, n);
    synphrases_find(e->sp, toks, n, add_synphrase, e);
    concepts_find(e->cs, text, toks, n, add_concept, e);
    /* CJK bigrams run over adjacent CJK tokens (ICU's words can be wrong). */
    size_t cjk_start = 0, cjk_end = 0;
    int in_cjk = 0;
    for (size_t i = 0; i < n; i++) {
        const struct tok_token *t = &toks[i];
        /* Positions only where a query reads them (schema.h): phrases and
         * proximity use the folded words, not the commonest function words. */
        if (schema_positional(t->text, t->len))
            add_posting(e, "", t->text, t->len, t->pos);
        else
            add_term(e, "", t->text, t->len);
        if (t->flags & TOK_FOLDED)
            add_term(e, "", t->form, t->form_len);
        if (field_prefix)
            add_term(e, field_prefix, t->text, t->len);
        if (!(t->flags & TOK_COMPOUND))
            e->nwords++;
        if (t->flags & TOK_CJK) {
            if (in_cjk && t->start == cjk_end) {
                cjk_end = t->end;
            } else {
                if (in_cjk)
                    add_bigrams(e, text + cjk_start, cjk_end - cjk_start);
                cjk_start = t->start;
                cjk_end = t->end;
                in_cjk = 1;
            }
            continue;
        }
        if (in_cjk) {
            add_bigrams(e, text + cjk_start, cjk_end - cjk_start);
            in_cjk = 0;
        }
        if (e->stem && !(t->flags & (TOK_NUMERIC | TOK_COMPOUND))) {
            size_t sl = stemcache_apply(e->stemcache, e->stem, t->text, t->len, stem, sizeof stem);
            if (sl > 0) {
                add_term(e, PFX_STEM, stem, sl);
                if (stem_prefix)
                    add_term(e, stem_prefix, stem, sl);
            }
        }
        if (e->words && is_spelling_word(t))
            e->words(t->text, t->len, e->ud);
    }
    if (in_cjk)
        add_bigrams(e, text + cjk_start, cjk_end - cjk_start);
    return tokenizer_next_pos(tk);
}

static int is_heading(const struct emit *e, const char *p, size_t len)
{
    for (size_t i = 0; i < e->n_headings; i++) {
        const char *h = e->headings[i];
        if (strlen(h) == len && memcmp(h, p, len) == 0)
            return 1;
    }
    return 0;
}

/* A boolean filter term of value (folded), and, when slot >= 0, the same
 * folded value in that value slot for facet counts. */
static void add_filter(xap_doc *doc, struct tokenizer *tk, const char *prefix, const char *value, int slot)
{
    if (!value || !*value)
        return;
    char folded[SCHEMA_MAX_TERM + 1], term[SCHEMA_MAX_TERM + 1];
    size_t n = tokenizer_fold(tk, value, strlen(value), folded, sizeof folded);
    if (n == (size_t)-1) {
        schema_term(term, prefix, value, strlen(value));
    } else {
        schema_term(term, prefix, folded, n);
    }
    xap_doc_add_boolean_term(doc, term);
    /* The value is the term without its prefix, so a facet value passed
     * back as a filter (category=...) folds to the same term. */
    size_t plen = strlen(prefix);
    if (slot >= 0 && strlen(term) > plen)
        xap_doc_set_value(doc, (unsigned)slot, term + plen, strlen(term) - plen);
}

/* Site: the url's host, else the first folder of the id. */
static void site_of(const struct article *a, char *buf, size_t cap)
{
    buf[0] = '\0';
    const char *s = a->url;
    if (s && strstr(s, "://")) {
        s = strstr(s, "://") + 3;
        size_t n = strcspn(s, "/:?#");
        snprintf(buf, cap, "%.*s", (int)n, s);
        return;
    }
    s = a->id;
    if (s) {
        const char *slash = strchr(s, '/');
        if (slash)
            snprintf(buf, cap, "%.*s", (int)(slash - s), s);
    }
}

uint64_t termgen_content_hash(const struct article *a)
{
    uint64_t h = schema_hash(SCHEMA_VERSION, strlen(SCHEMA_VERSION), SCHEMA_HASH_SEED);
    const char *fields[] = { a->id, a->url, a->title, a->body, a->category, a->lang, a->date, a->source };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        h = schema_hash("\x1f", 1, h);
        if (fields[i])
            h = schema_hash(fields[i], strlen(fields[i]), h);
    }
    for (size_t i = 0; i < a->n_headings; i++)
        h = schema_hash(a->headings[i], strlen(a->headings[i]), schema_hash("\x1e", 1, h));
    for (size_t i = 0; i < a->n_links; i++) {
        const struct link *l = &a->links[i];
        h = schema_hash(&l->kind, sizeof l->kind, schema_hash("\x1d", 1, h));
        if (l->title)
            h = schema_hash(l->title, strlen(l->title), h);
        if (l->target)
            h = schema_hash(l->target, strlen(l->target), schema_hash("\x1c", 1, h));
    }
    return h;
}

int termgen_document(struct termgen *tg, const struct article *a, xap_doc **out, uint64_t *hash,
                     termgen_word_cb words, void *ud)
{
    *out = NULL;
    if (hash)
        *hash = 0;
    xap_doc *doc = NULL;
    if (!a->id || !*a->id || xap_doc_new(&doc) != XAP_OK)
        return -1;
    struct emit e = { .doc = doc, .stem = termgen_stemmer(tg, a->lang), .stemcache = tg->stemcache, .sp = tg->sp, .cs = tg->cs,
                      .headings = (const char *const *)a->headings, .n_headings = a->n_headings,
                      .words = words, .ud = ud };
    char term[SCHEMA_MAX_TERM + 1];

    /* Title, then the body paragraph by paragraph (headings tagged H). */
    uint32_t pos = 1;
    if (a->title && *a->title)
        pos = emit_text(&e, tg->tk, a->title, strlen(a->title), pos, PFX_TITLE, PFX_STEM_TITLE);
    pos += SCHEMA_FIELD_GAP;
    const char *b = a->body ? a->body : "";
    while (*b) {
        size_t len = strcspn(b, "\n");
        if (len > 0) {
            int head = is_heading(&e, b, len);
            pos = emit_text(&e, tg->tk, b, len, pos, head ? PFX_HEADING : NULL,
                            head ? PFX_STEM_HEADING : NULL);
            pos += 1; /* a paragraph break is a small gap for phrases */
        }
        b += len;
        while (*b == '\n')
            b++;
    }

    schema_id_term(term, a->id);
    xap_doc_add_boolean_term(doc, term);
    add_filter(doc, tg->tk, PFX_CATEGORY, a->category, VAL_CATEGORY);
    add_filter(doc, tg->tk, PFX_LANG, a->lang, VAL_LANG);
    char site[256];
    site_of(a, site, sizeof site);
    add_filter(doc, tg->tk, PFX_SITE, site, -1);
    if (a->source && strcmp(a->source, "-") != 0) {
        schema_term(term, PFX_FILE, a->source, strlen(a->source));
        xap_doc_add_boolean_term(doc, term);
    }
    add_topic(&e, tg->tk, a);
    add_concepts(&e);
    free(e.concepts);
    if (a->title && *a->title) {
        /* With a wdf: a query that is the whole title can rank by it. */
        if (e.titlekey_len == 0)
            schema_titlekey_tokens(e.titlekey, NULL, 0);
        if (xap_doc_add_term(doc, e.titlekey, 1) != XAP_OK)
            e.failed = 1;
    }

    if (a->date)
        xap_doc_set_value(doc, VAL_DATE, a->date, strlen(a->date));
    char num[32];
    size_t nl = xap_sortable_serialise((double)e.nwords, num);
    xap_doc_set_value(doc, VAL_LENGTH, num, nl);
    uint64_t h = termgen_content_hash(a);
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
    xap_doc_set_value(doc, VAL_HASH, hex, 16);
    xap_doc_set_value(doc, VAL_ID, a->id, strlen(a->id));
    /* Near-duplicate key: the first 2 KB of the body, whitespace-insensitive. */
    uint64_t dk = SCHEMA_HASH_SEED;
    size_t seen = 0;
    for (const char *p = a->body ? a->body : ""; *p && seen < 2048; p++) {
        if (isspace((unsigned char)*p))
            continue;
        unsigned char c = (unsigned char)tolower((unsigned char)*p);
        dk = schema_hash(&c, 1, dk);
        seen++;
    }
    if (seen > 200) { /* short bodies are not evidence of duplication */
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)dk);
        xap_doc_set_value(doc, VAL_DUPKEY, hex, 16);
    }

    char *data = NULL;
    size_t dlen = 0;
    char *json = NULL;
    if (docrec_encode_json(a, &data, &dlen, docdict_learning() ? &json : NULL) != 0 ||
        xap_doc_set_data(doc, data, dlen) != XAP_OK)
        e.failed = 1;
    docdict_feed(json);
    free(json);
    free(data);
    if (e.failed) {
        log_warn("%s: cannot build the document of %s: %s", a->source ? a->source : "?", a->id,
                 xap_errmsg());
        xap_doc_free(doc);
        return -1;
    }
    if (hash)
        *hash = h;
    *out = doc;
    return 0;
}
