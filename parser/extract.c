/* extract.c: one parsed page -> the record's rule fields and the links to
 * follow.  Pure: no ZeroMQ, no IO.
 *
 * The page is indexed once for the selector engine; each field's selector
 * list then runs over it, and every match is turned into a JSON value by
 * the rule's value kind. */
#include "common/compat.h"

#include "common/url.h"
#include "common/util.h"
#include "parser/extract.h"
#include "parser/rules.h"
#include "parser/select.h"
#include "parser/serialize.h"
#include "parser/text.h"

void extract_out_init(struct extract_out *o)
{
    int i;

    o->nfields = 0;
    for (i = 0; i < EXTRACT_MAX_FIELDS; i++) {
        o->fields[i].name = NULL;
        buf_init(&o->fields[i].json, EXTRACT_FIELD_MAX);
    }
    buf_init(&o->follow, EXTRACT_FOLLOW_MAX);
}

void extract_out_release(struct extract_out *o)
{
    int i;

    for (i = 0; i < EXTRACT_MAX_FIELDS; i++)
        buf_release(&o->fields[i].json);
    buf_release(&o->follow);
    o->nfields = 0;
}

/* Empty every buffer and set the field names. */
static void out_reset(const struct rules *r, struct extract_out *o)
{
    int i, n = rules_nfields(r);

    if (n > EXTRACT_MAX_FIELDS)
        n = EXTRACT_MAX_FIELDS;
    for (i = 0; i < EXTRACT_MAX_FIELDS; i++) {
        buf_reset(&o->fields[i].json);
        o->fields[i].name = NULL;
    }
    buf_reset(&o->follow);
    o->nfields = n;
    for (i = 0; i < n; i++)
        o->fields[i].name = rules_field_name(r, i);
}

void extract_nulls(const struct rules *r, struct extract_out *o)
{
    int i;

    /* DESIGN.md: an error record's rule fields are null, "all" or not */
    out_reset(r, o);
    for (i = 0; i < o->nfields; i++)
        buf_addstr(&o->fields[i].json, "null");
}

/* Resolve ref against base as a browser would: an empty ref is the base
 * without its fragment.  Caller frees; NULL when it cannot be resolved. */
static char *resolve(const char *base, const char *ref)
{
    const char *p = ref;

    while (text_is_ws((unsigned char)*p))
        p++;
    if (!*p)
        return xstrndup(base, strcspn(base, "#"));
    return url_resolve(base, ref);
}

/* The page's base URL: the first <base href> (in document order)
 * resolved against url, else url.  Caller frees. */
static char *base_url(const struct select_doc *d, const char *url)
{
    const GumboAttribute *a = select_doc_base_href(d);
    char *b;

    if (!a)
        return xstrdup(url);
    b = resolve(url, a->value);
    return b ? b : xstrdup(url);
}

/* State of one rule's run over the page. */
struct collect {
    const struct rule *rule;    /* the rule */
    const char *base;           /* base URL for URL attributes */
    const struct url_base *fast;/* the same, split; NULL if it won't */
    struct buf *json;           /* field output, or NULL (follow) */
    struct buf *follow;         /* follow output, or NULL (field) */
    struct buf scratch;         /* one value before JSON escaping */
    bool normal;                /* scratch holds a URL in normal form
                                   (fragment dropped for follow) */
    bool resolved;              /* scratch holds what resolve() gave */
    int count;                  /* values written */
    bool overflow;              /* a cap was hit */
};

/* The string value of one match into c->scratch; 1 when the match gives
 * no value (an element without the attribute), -1 on a cap. */
static int match_value(struct collect *c, const struct select_match *m)
{
    const struct rule *r = c->rule;
    const char *s;

    buf_reset(&c->scratch);
    c->normal = c->resolved = false;
    if (m->attr) {
        s = m->attr->value;
    } else if (m->node->type != GUMBO_NODE_ELEMENT &&
               m->node->type != GUMBO_NODE_TEMPLATE) {
        s = m->node->v.text.text;
    } else if (r->value == RULE_TEXT) {
        return text_value(m->node, &c->scratch);
    } else if (r->value == RULE_HTML) {
        return serialize_inner(m->node, &c->scratch);
    } else {
        GumboAttribute *a = gumbo_get_attribute(
            &m->node->v.element.attributes, r->attr);
        char *abs;
        int rc;

        if (!a)
            return 1;
        if (!r->url)
            return buf_addstr(&c->scratch, a->value);
        /* the fast path gives the normal form: the field keeps the
         * fragment, the follow list does not */
        if (c->fast && url_base_resolve(c->fast, a->value,
                                        strlen(a->value), !c->follow,
                                        &c->scratch) == 0) {
            c->normal = true;
            return 0;
        }
        abs = resolve(c->base, a->value);
        c->resolved = abs != NULL;
        rc = buf_addstr(&c->scratch, abs ? abs : a->value);
        free(abs);
        return rc;
    }
    return buf_addstr(&c->scratch, s);
}

static int on_match(const struct select_match *m, void *ctx)
{
    struct collect *c = ctx;
    int rc = match_value(c, m);

    if (rc < 0) {
        c->overflow = true;
        return 1;
    }
    if (rc > 0)
        return 0;
    if (c->follow) {
        /* ::attr() and non-URL attributes come raw: resolve (again) */
        const char *why, *v = c->scratch.data ? c->scratch.data : "";
        char *abs, *norm;
        size_t at = c->follow->len;

        if (c->normal) {
            if (buf_add(c->follow, v, c->scratch.len + 1) < 0)
                c->overflow = true;
            return c->overflow;
        }
        if (c->fast && url_base_resolve(c->fast, v, c->scratch.len, false,
                                        c->follow) == 0) {
            if (buf_addch(c->follow, '\0') < 0) {
                c->follow->len = at;
                c->overflow = true;
            }
            return c->overflow;
        }
        /* resolve()'s output is absolute: resolving it again gives it */
        abs = c->resolved ? xstrdup(v) : resolve(c->base, v);
        norm = abs && url_is_http(abs) ? url_normalize(abs, &why) : NULL;

        if (norm && buf_add(c->follow, norm, strlen(norm) + 1) < 0)
            c->overflow = true;
        free(norm);
        free(abs);
        return c->overflow;
    }
    if ((c->rule->all && c->count && buf_addch(c->json, ',') < 0) ||
        buf_json_str(c->json, c->scratch.data ? c->scratch.data : "",
                     c->scratch.len) < 0) {
        c->overflow = true;
        return 1;
    }
    c->count++;
    return c->rule->all ? 0 : 1;
}

/* Set up c for one rule writing into json (a field) or follow. */
static void collect_open(struct collect *c, const struct rule *rule,
                         const char *base, const struct url_base *fast,
                         struct buf *json, struct buf *follow)
{
    memset(c, 0, sizeof(*c));
    c->rule = rule;
    c->base = base;
    c->fast = fast;
    c->json = json;
    c->follow = follow;
    buf_init(&c->scratch, EXTRACT_FIELD_MAX);
    if (json && rule->all && buf_addch(json, '[') < 0)
        c->overflow = true;
}

/* Finish c's output once its rule has run.  Returns 0, or -1 when a cap
 * was hit. */
static int collect_close(struct collect *c)
{
    buf_release(&c->scratch);
    if (c->overflow)
        return -1;
    if (c->json && c->rule->all)
        return buf_addch(c->json, ']');
    if (c->json && !c->count)
        return buf_addstr(c->json, "null");
    return 0;
}

int extract_page(const struct rules *r, GumboOutput *doc, const char *url,
                 struct extract_out *o)
{
    return extract_page_depth(r, doc, url, 0, o);
}

int extract_page_depth(const struct rules *r, GumboOutput *doc,
                       const char *url, int max_depth,
                       struct extract_out *o)
{
    int nfollow = rules_nfollow(r) ? rules_nfollow(r) : 1;
    int njobs, i, rc = 0;
    struct collect *cs;
    struct select_job *jobs;
    struct buf *fbufs = NULL;
    struct select_doc *d;
    struct url_base ub, *fast;
    char *base;

    out_reset(r, o);
    njobs = o->nfields + nfollow;
    d = select_doc_new(doc->document);
    if (max_depth > 0 && select_doc_depth(d) > (size_t)max_depth) {
        select_doc_free(d);
        return -2;
    }
    base = base_url(d, url);
    fast = url_base_init(&ub, base) == 0 ? &ub : NULL;
    /* every rule in one walk; several follow rules fill buffers of their
     * own, joined in rule order after it */
    cs = xcalloc((size_t)njobs, sizeof(*cs));
    jobs = xcalloc((size_t)njobs, sizeof(*jobs));
    if (nfollow > 1) {
        fbufs = xcalloc((size_t)nfollow, sizeof(*fbufs));
        for (i = 0; i < nfollow; i++)
            buf_init(&fbufs[i], EXTRACT_FOLLOW_MAX);
    }
    for (i = 0; i < njobs; i++) {
        const struct rule *rule;
        int f = i - o->nfields;

        if (f < 0)
            rule = rules_field(r, i);
        else
            rule = rules_nfollow(r) ? rules_follow(r, f) :
                   rules_follow_default();
        collect_open(&cs[i], rule, base, fast,
                     f < 0 ? &o->fields[i].json : NULL,
                     f < 0 ? NULL : fbufs ? &fbufs[f] : &o->follow);
        jobs[i].sel = rule->sel;
        /* a job that overflowed already is left out */
        jobs[i].fn = on_match;
        jobs[i].ctx = &cs[i];
    }
    for (i = 0; i < njobs; i++)
        if (cs[i].overflow)
            rc = -1;
    if (rc == 0)
        select_run_many(jobs, njobs, d);
    for (i = 0; i < njobs; i++)
        if (collect_close(&cs[i]) < 0)
            rc = -1;
    for (i = 0; fbufs && i < nfollow; i++) {
        if (rc == 0 && buf_add(&o->follow, fbufs[i].data, fbufs[i].len) < 0)
            rc = -1;
        buf_release(&fbufs[i]);
    }
    free(fbufs);
    free(jobs);
    free(cs);
    select_doc_free(d);
    if (fast)
        url_base_release(fast);
    free(base);
    return rc;
}
