/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doc: GET /doc and stored-record access. */
#include "doc.h"

#include <stdlib.h>

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

xap_status doc_load(xap_db *db, uint32_t docid, enum doc_part part, struct article **out, char **dupkey)
{
    *out = NULL;
    if (dupkey)
        *dupkey = NULL;
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
