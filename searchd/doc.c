/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doc: GET /doc and stored-record access. */
#include "doc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "docrec.h"
#include "schema.h"
#include "server.h"
#include "worker.h"

json_t *doc_json_str(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

xap_status doc_lookup(xap_db *db, const char *id, uint32_t *docid)
{
    char term[SCHEMA_MAX_TERM + 1];
    *docid = 0;
    schema_id_term(term, id);
    return xap_db_docid_by_term(db, term, docid);
}

/* ---- the heads a thread read last ------------------------------------------------- */

/* Lists of articles (/related, the see-also block of /search) show the
 * same popular articles again and again, and a head costs a record read
 * and an inflate whose dictionary alone is a 32 KiB copy (about 40,000
 * instructions). Each thread keeps the id, url, title and duplicate key
 * of the heads it read last, direct-mapped by docid, for one handle
 * generation (xap_db_generation: a reopen to another revision, or any
 * reopen of remote shards, starts afresh), as Solr's document cache does. */
#define HEADS 4096 /* a power of two; about 1 MB a thread of strings at most */

struct head {
    uint32_t docid; /* 0: empty */
    char *id, *url, *title, *key;
};

struct heads {
    uint64_t gen;
    struct head h[HEADS];
};

static pthread_key_t heads_key;
static pthread_once_t heads_once = PTHREAD_ONCE_INIT;
static int heads_key_ok;
static atomic_ullong head_hits, head_misses;

static void head_clear(struct head *h)
{
    free(h->id);
    free(h->url);
    free(h->title);
    free(h->key);
    *h = (struct head){ 0 };
}

static void heads_free(void *p)
{
    struct heads *c = p;
    for (size_t i = 0; i < HEADS; i++)
        head_clear(&c->h[i]);
    free(c);
}

static void heads_key_make(void) { heads_key_ok = pthread_key_create(&heads_key, heads_free) == 0; }

/* This thread's heads for db's generation (emptied when it changed), or
 * NULL when out of memory. */
static struct heads *thread_heads(const xap_db *db)
{
    pthread_once(&heads_once, heads_key_make);
    if (!heads_key_ok)
        return NULL;
    struct heads *c = pthread_getspecific(heads_key);
    if (!c) {
        if (!(c = calloc(1, sizeof *c)))
            return NULL;
        if (pthread_setspecific(heads_key, c) != 0) {
            free(c);
            return NULL;
        }
    }
    uint64_t gen = xap_db_generation(db);
    if (c->gen != gen) {
        for (size_t i = 0; i < HEADS; i++)
            if (c->h[i].docid)
                head_clear(&c->h[i]);
        c->gen = gen;
    }
    return c;
}

/* Copy the head fields id, url, title (each may be NULL) into empty
 * to[]; 0, or -1 when out of memory (what was copied stays, to free). */
static int copy_head(char **to[3], const char *const from[3])
{
    for (int i = 0; i < 3; i++)
        if (from[i] && !(*to[i] = strdup(from[i])))
            return -1;
    return 0;
}

/* The cached head as a new article (and key); 0, or -1 out of memory. */
static int head_take(const struct head *h, struct article **out, char **dupkey)
{
    struct article *a = article_new();
    if (!a)
        return -1;
    free(a->title); /* article_new's "" */
    a->title = NULL;
    char *k = dupkey ? strdup(h->key) : NULL;
    if (copy_head((char **[3]){ &a->id, &a->url, &a->title }, (const char *const[3]){ h->id, h->url, h->title }) != 0 ||
        (dupkey && !k)) {
        article_free(a);
        free(k);
        return -1;
    }
    *out = a;
    if (dupkey)
        *dupkey = k;
    return 0;
}

/* Keep a's head and key (read from the record) in h. */
static void head_keep(struct head *h, uint32_t docid, const struct article *a, const char *key)
{
    head_clear(h);
    if (copy_head((char **[3]){ &h->id, &h->url, &h->title }, (const char *const[3]){ a->id, a->url, a->title }) != 0 ||
        !(h->key = strdup(key ? key : "")))
        head_clear(h);
    else
        h->docid = docid;
}

void doc_head_counts(unsigned long long *hits, unsigned long long *misses)
{
    *hits = atomic_load_explicit(&head_hits, memory_order_relaxed);
    *misses = atomic_load_explicit(&head_misses, memory_order_relaxed);
}

/* ---- records ------------------------------------------------------------------------ */

static xap_status load(xap_db *db, uint32_t docid, enum doc_part part, struct article **out, char **dupkey);

xap_status doc_load(xap_db *db, uint32_t docid, enum doc_part part, struct article **out, char **dupkey)
{
    *out = NULL;
    if (dupkey)
        *dupkey = NULL;
    struct heads *c = part == DOC_HEAD && docid ? thread_heads(db) : NULL;
    if (!c)
        return load(db, docid, part, out, dupkey);
    struct head *h = &c->h[docid & (HEADS - 1)];
    if (h->docid == docid && head_take(h, out, dupkey) == 0) {
        atomic_fetch_add_explicit(&head_hits, 1, memory_order_relaxed);
        return XAP_OK;
    }
    atomic_fetch_add_explicit(&head_misses, 1, memory_order_relaxed);
    char *key = NULL;
    xap_status st = load(db, docid, part, out, &key);
    if (st == XAP_OK)
        head_keep(h, docid, *out, key);
    if (dupkey)
        *dupkey = key;
    else
        free(key);
    return st;
}

/* doc_load without the heads (*out and *dupkey already NULL). */
static xap_status load(xap_db *db, uint32_t docid, enum doc_part part, struct article **out, char **dupkey)
{
    xap_doc *d;
    xap_status st = xap_db_get_doc(db, docid, &d);
    if (st != XAP_OK)
        return st;
    char *data;
    size_t len;
    st = xap_doc_get_data(d, &data, &len);
    if (st == XAP_OK) {
        if ((part == DOC_HEAD    ? docrec_decode_head(data, len, out)
             : part == DOC_LINKS ? docrec_decode_links(data, len, out)
                                 : docrec_decode(data, len, part == DOC_WITH_BODY, out)) != 0)
            st = XAP_ERR_CORRUPT;
        free(data);
    }
    if (st == XAP_OK && dupkey) {
        size_t kl;
        st = xap_doc_get_value(d, VAL_DUPKEY, dupkey, &kl);
        if (st != XAP_OK) {
            article_free(*out);
            *out = NULL;
        }
    }
    xap_doc_free(d);
    return st;
}

/* The article as the protocol's /doc object. NULL when out of memory. */
static json_t *doc_json(const struct article *a)
{
    json_t *heads = json_array();
    json_t *links = json_array();
    json_t *o = json_object();
    if (!heads || !links || !o)
        goto fail;
    for (size_t i = 0; i < a->n_headings; i++)
        if (json_array_append_new(heads, json_string(a->headings[i])) != 0)
            goto fail;
    for (size_t i = 0; i < a->n_links; i++) {
        const struct link *l = &a->links[i];
        json_t *lo = json_pack("{s:s, s:o, s:o}", "kind", link_kind_name(l->kind), "title",
                               doc_json_str(l->title), "target", doc_json_str(l->target));
        if (json_array_append_new(links, lo) != 0)
            goto fail;
    }
    json_object_set_new(o, "id", doc_json_str(a->id));
    json_object_set_new(o, "url", doc_json_str(a->url));
    json_object_set_new(o, "title", doc_json_str(a->title));
    json_object_set_new(o, "category", doc_json_str(a->category));
    json_object_set_new(o, "lang", doc_json_str(a->lang));
    json_object_set_new(o, "date", doc_json_str(a->date));
    json_object_set_new(o, "source", doc_json_str(a->source));
    json_object_set_new(o, "headings", heads);
    json_object_set_new(o, "body", json_string(a->body ? a->body : ""));
    json_object_set_new(o, "links", links);
    return o;
fail:
    json_decref(heads);
    json_decref(links);
    json_decref(o);
    return NULL;
}

struct doc_job {
    const char *id;
    struct article *a; /* OUT */
};

static xap_status doc_fetch(xap_db *db, void *ud)
{
    struct doc_job *j = ud;
    article_free(j->a);
    j->a = NULL;
    uint32_t docid;
    xap_status st = doc_lookup(db, j->id, &docid);
    if (st == XAP_OK)
        st = doc_load(db, docid, DOC_WITH_BODY, &j->a, NULL);
    return st;
}

void doc_handle(struct server_req *req)
{
    const char *id = server_arg_str(req, "id", NULL);
    if (!id || !*id) {
        server_reply_error(req, 400, "bad_request", "id", -1, "id is required");
        return;
    }
    if (!server_db(req))
        return;
    struct doc_job j = { id, NULL };
    xap_status st = worker_retry(server_worker(req), doc_fetch, &j);
    if (st == XAP_ERR_NOT_FOUND)
        server_reply_error(req, 404, "not_found", "id", -1, "no article with this id");
    else if (st != XAP_OK)
        server_reply_error(req, 500, "internal", NULL, -1, "reading the article: %s", xap_errmsg());
    else {
        json_t *o = doc_json(j.a);
        if (o)
            server_reply_json(req, 200, o);
        else
            server_reply_error(req, 500, "internal", NULL, -1, "out of memory");
    }
    article_free(j.a);
}
