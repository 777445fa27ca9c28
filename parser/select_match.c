/* select_match.c: the selector matcher over an indexed page
 * (select_index.c).
 *
 * select_run() evaluates a selector list in one pass in document
 * order.  Each compound of each chain owns a bit; an element's bitset M
 * says which chain prefixes match ending at it.  A prefix ending at an
 * element needs its compound to match there and the previous prefix's bit
 * on the parent (>), on an ancestor (descendant: the OR of M over the
 * ancestors, carried down), on the previous element sibling (+) or on an
 * earlier sibling (~: the OR over earlier siblings, carried along).  So
 * every element costs O(compounds), whatever the tree's shape.
 *
 * select_run_many() runs several lists in the same pass, their bits side
 * by side; every compound is filed under its element type, so an element
 * only tries the compounds of its own type and those of any type.
 *
 * :has() chains run right to left in one reverse pass (children and later
 * siblings come after an element in document order); :contains() looks up
 * needle occurrences in the page's collapsed text, where every element's
 * text is one contiguous range.  Both fill per-element tables first. */
#include "common/compat.h"

#include <strings.h>

#include "common/buf.h"
#include "common/util.h"
#include "parser/select_int.h"
#include "parser/text.h"

/* ------------------------------------------------------- conditions */

/* Run state of one select_run(). */
struct run {
    const struct select *sel;   /* the list */
    struct select_doc *d;       /* the page */
    unsigned char **contains;   /* per :contains() slot: n flags */
    unsigned char **has;        /* per :has() slot: n flags */
};

/* Attribute name equality, qualified names for foreign attributes
 * (xlink:href). */
static bool attr_name_eq(const GumboAttribute *a, const char *name)
{
    static const char *const pfx[] = { "", "xlink:", "xml:", "xmlns:" };
    const char *p;
    size_t pl;

    if (a->attr_namespace == GUMBO_ATTR_NAMESPACE_NONE)
        return !strcasecmp(a->name, name);
    if (a->attr_namespace == GUMBO_ATTR_NAMESPACE_XMLNS &&
        !strcasecmp(a->name, "xmlns"))
        return !strcasecmp(name, "xmlns");
    p = pfx[a->attr_namespace & 3];
    pl = strlen(p);
    return !strncasecmp(name, p, pl) && !strcasecmp(name + pl, a->name);
}

static const GumboAttribute *find_attr(const GumboNode *n, const char *name)
{
    const GumboVector *v = &n->v.element.attributes;
    size_t i;

    for (i = 0; i < v->length; i++) {
        const GumboAttribute *a = v->data[i];
        if (attr_name_eq(a, name))
            return a;
    }
    return NULL;
}

static bool bytes_eq(const char *a, const char *b, size_t n, bool icase)
{
    return icase ? !strncasecmp(a, b, n) : !memcmp(a, b, n);
}

/* v contains w as a whitespace-separated token. */
static bool has_token(const char *v, const char *w, size_t wl, bool icase)
{
    size_t i = 0, n = strlen(v);

    if (!wl || memchr(w, ' ', wl) || memchr(w, '\t', wl) ||
        memchr(w, '\n', wl) || memchr(w, '\r', wl) || memchr(w, '\f', wl))
        return false;
    while (i < n) {
        size_t j;
        while (i < n && text_is_ws((unsigned char)v[i]))
            i++;
        for (j = i; j < n && !text_is_ws((unsigned char)v[j]); j++)
            ;
        if (j - i == wl && bytes_eq(v + i, w, wl, icase))
            return true;
        i = j;
    }
    return false;
}

static bool attr_ok(const struct sel_cond *c, const GumboNode *n)
{
    const GumboAttribute *a = find_attr(n, c->name);
    const char *v, *w = c->value;
    size_t vl, wl = c->vlen, i;

    if (!a)
        return false;
    v = a->value;
    vl = strlen(v);
    switch (c->op) {
    case ATTR_EXISTS:
        return true;
    case ATTR_EQ:
        return vl == wl && bytes_eq(v, w, wl, c->icase);
    case ATTR_INCLUDES:
        return has_token(v, w, wl, c->icase);
    case ATTR_DASH:
        return vl >= wl && bytes_eq(v, w, wl, c->icase) &&
               (vl == wl || v[wl] == '-');
    case ATTR_PREFIX:
        return wl && vl >= wl && bytes_eq(v, w, wl, c->icase);
    case ATTR_SUFFIX:
        return wl && vl >= wl && bytes_eq(v + vl - wl, w, wl, c->icase);
    case ATTR_SUBSTR:
        if (!wl || vl < wl)
            return false;
        if (!c->icase)
            return memmem(v, vl, w, wl) != NULL;
        for (i = 0; i + wl <= vl; i++)
            if (!strncasecmp(v + i, w, wl))
                return true;
        return false;
    }
    return false;
}

/* x = a*k + b for some integer k >= 0. */
static bool nth_ok(long a, long b, long x)
{
    if (a == 0)
        return x == b;
    if ((x - b) % a != 0)
        return false;
    return (x - b) / a >= 0;
}

static bool nth_cond_ok(const struct sel_cond *c, const struct sel_el *e)
{
    long pos, cnt;

    if (c->op == NTH_CHILD || c->op == NTH_LAST_CHILD) {
        pos = e->pos;
        cnt = e->count;
    } else {
        pos = e->tpos;
        cnt = e->tcount;
    }
    if (c->only)
        return cnt == 1;
    if (c->op == NTH_LAST_CHILD || c->op == NTH_LAST_OF_TYPE)
        pos = cnt - pos + 1;
    return nth_ok(c->a, c->b, pos);
}

/* :empty: no element or text children (comments do not count). */
static bool is_empty(const GumboNode *n)
{
    const GumboVector *v = &n->v.element.children;
    size_t i;

    for (i = 0; i < v->length; i++) {
        const GumboNode *c = v->data[i];
        if (sel_is_element(c) || text_node(c))
            return false;
    }
    return true;
}

static bool compound_ok(const struct run *r, const struct sel_compound *c,
                        int32_t i);

static bool cond_ok(const struct run *r, const struct sel_cond *c,
                    int32_t i)
{
    const struct sel_el *e = &r->d->el[i];
    const GumboAttribute *a;
    int k;

    switch (c->kind) {
    case COND_ID:
        a = find_attr(e->node, "id");
        return a && strlen(a->value) == c->vlen &&
               !memcmp(a->value, c->value, c->vlen);
    case COND_CLASS:
        a = find_attr(e->node, "class");
        return a && has_token(a->value, c->value, c->vlen, false);
    case COND_ATTR:
        return attr_ok(c, e->node);
    case COND_NTH:
        return nth_cond_ok(c, e);
    case COND_EMPTY:
        return is_empty(e->node);
    case COND_ROOT:
        return e->parent == SEL_NONE && e->node->parent &&
               e->node->parent->type == GUMBO_NODE_DOCUMENT;
    case COND_NOT:
        for (k = 0; k < c->nlist; k++)
            if (compound_ok(r, &c->list[k], i))
                return false;
        return true;
    case COND_CONTAINS:
        return r->contains[c->slot][i];
    case COND_HAS:
        return r->has[c->slot][i];
    }
    return false;
}

/* The compound's type test on the index alone: a cheap filter before
 * compound_ok(), which touches the tree. */
static inline bool tag_may_match(const struct sel_compound *c,
                                 const struct sel_el *e)
{
    return c->tag == GUMBO_TAG_LAST || c->tag == (int)e->tag;
}

static bool compound_ok(const struct run *r, const struct sel_compound *c,
                        int32_t i)
{
    const struct sel_el *e = &r->d->el[i];
    int k;

    if (c->tag != GUMBO_TAG_LAST) {
        if ((int)e->tag != c->tag)
            return false;
        if (c->tag == GUMBO_TAG_UNKNOWN) {
            size_t len;
            const char *name = text_tag_name(e->node, &len);
            if (len != c->tlen || strncasecmp(name, c->tname, len))
                return false;
        }
    }
    for (k = 0; k < c->nconds; k++)
        if (!cond_ok(r, &c->conds[k], i))
            return false;
    return true;
}

/* ---------------------------------------------------------- bitsets */

static bool bit_get(const uint64_t *w, int b)
{
    return (w[b >> 6] >> (b & 63)) & 1;
}

static void bit_set(uint64_t *w, int b)
{
    w[b >> 6] |= (uint64_t)1 << (b & 63);
}

/* ---------------------------------------------------------- :contains */

/* Flags of one needle: element i contains it when an occurrence starts
 * at or after ts[i] and ends by te[i]; occurrences come from one KMP scan
 * of the page text, found by binary search. */
static unsigned char *contains_table(struct select_doc *d, const char *w,
                                     size_t m)
{
    unsigned char *t = xcalloc(d->n ? d->n : 1, 1);
    uint32_t *occ = NULL, *fail;
    size_t nocc = 0, occcap = 0, i, k;

    if (m == 0) {
        memset(t, 1, d->n);
        return t;
    }
    if (!d->have_text)
        sel_index_text(d);
    fail = xmalloc(m * sizeof(*fail));
    fail[0] = 0;
    for (i = 1, k = 0; i < m; i++) {
        while (k && w[i] != w[k])
            k = fail[k - 1];
        if (w[i] == w[k])
            k++;
        fail[i] = (uint32_t)k;
    }
    for (i = 0, k = 0; i < d->tlen; i++) {
        while (k && d->text[i] != w[k])
            k = fail[k - 1];
        if (d->text[i] == w[k])
            k++;
        if (k == m) {
            if (nocc == occcap) {
                occcap = occcap ? occcap * 2 : 64;
                occ = xrealloc(occ, occcap * sizeof(*occ));
            }
            occ[nocc++] = (uint32_t)(i + 1 - m);
            k = fail[k - 1];
        }
    }
    for (i = 0; i < d->n && nocc; i++) {
        size_t lo = 0, hi = nocc;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (occ[mid] < d->ts[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        t[i] = lo < nocc && (size_t)occ[lo] + m <= d->te[i];
    }
    free(fail);
    free(occ);
    return t;
}

/* -------------------------------------------------------------- :has */

/* Flags of one :has() argument.  In reverse document order, for element
 * i: X(i) bit b = "compounds j..end of b's chain match, starting at i";
 * D(i) = OR over descendants of X, F(i) = OR over later siblings of X.
 * X(i) needs D, the children's X, or the next siblings' X: all come
 * later in document order, so they are done. */
static unsigned char *has_table(const struct run *r, const struct sel_has *h)
{
    const struct select_doc *d = r->d;
    size_t W = ((size_t)h->nbits + 63) / 64, n = d->n ? d->n : 1;
    uint64_t *X = xcalloc(n * W, sizeof(uint64_t));
    uint64_t *D = xcalloc(n * W, sizeof(uint64_t));
    uint64_t *F = xcalloc(n * W, sizeof(uint64_t));
    uint64_t *K = xcalloc(W, sizeof(uint64_t));
    unsigned char *t = xcalloc(n, 1);
    size_t i, w;
    int q, j;

    for (i = d->n; i-- > 0;) {
        const struct sel_el *e = &d->el[i];
        uint64_t *x = X + i * W, *dd = D + i * W, *f = F + i * W;
        const uint64_t *xn = e->next != SEL_NONE ? X + (size_t)e->next * W :
                             NULL;
        int32_t c;

        memset(K, 0, W * sizeof(*K));
        for (c = e->first; c != SEL_NONE; c = d->el[c].next)
            for (w = 0; w < W; w++) {
                dd[w] |= X[(size_t)c * W + w] | D[(size_t)c * W + w];
                K[w] |= X[(size_t)c * W + w];
            }
        if (xn)
            for (w = 0; w < W; w++)
                f[w] = xn[w] | F[(size_t)e->next * W + w];
        for (q = 0; q < h->nrel; q++) {
            const struct sel_chain *ch = &h->rel[q];
            bool found;

            for (j = ch->n - 1; j >= 0; j--) {
                int b = ch->bit0 + j;
                bool ok = true;

                if (j < ch->n - 1) {
                    switch (ch->c[j + 1].comb) {
                    case COMB_CHILD:
                        ok = bit_get(K, b + 1);
                        break;
                    case COMB_ADJ:
                        ok = xn && bit_get(xn, b + 1);
                        break;
                    case COMB_SIB:
                        ok = bit_get(f, b + 1);
                        break;
                    default:
                        ok = bit_get(dd, b + 1);
                        break;
                    }
                }
                if (ok && tag_may_match(&ch->c[j], e) &&
                    compound_ok(r, &ch->c[j], (int32_t)i))
                    bit_set(x, b);
            }
            switch (ch->c[0].comb) {
            case COMB_CHILD:
                found = bit_get(K, ch->bit0);
                break;
            case COMB_ADJ:
                found = xn && bit_get(xn, ch->bit0);
                break;
            case COMB_SIB:
                found = bit_get(f, ch->bit0);
                break;
            default:
                found = bit_get(dd, ch->bit0);
                break;
            }
            if (found)
                t[i] = 1;
        }
    }
    free(X);
    free(D);
    free(F);
    free(K);
    return t;
}

/* ------------------------------------------------------------- run */

/* Emit the text children of matched elements, in document order. */
static int emit_text(const struct select_doc *d, const unsigned char *hit,
                     select_fn fn, void *ctx)
{
    struct sel_frame *st = NULL;
    size_t depth = 0, cap = 0;
    int32_t next = 0;
    int rc = 0;

    if (sel_is_element(d->root))
        sel_frame_push(&st, &depth, &cap, d->root, next++);
    else if (d->root->type == GUMBO_NODE_DOCUMENT)
        sel_frame_push(&st, &depth, &cap, d->root, SEL_NONE);
    while (depth && !rc) {
        struct sel_frame *f = &st[depth - 1];
        const GumboVector *v = sel_kids(f->node);
        GumboNode *c;

        if (f->child >= v->length) {
            depth--;
            continue;
        }
        c = v->data[f->child++];
        if (text_node(c) && f->el != SEL_NONE && hit[f->el]) {
            struct select_match m = { c, NULL };
            rc = fn(&m, ctx);
        } else if (sel_is_element(c)) {
            int32_t e = next++;
            if (sel_kids(c)->length)
                sel_frame_push(&st, &depth, &cap, c, e);
        }
    }
    free(st);
    return rc;
}

/* Chain ch yields element i: its last bit is set on i, or for parsel's
 * `A *::text` on i or an ancestor (am: the bits of i and its
 * ancestors). */
static bool chain_hit(const struct sel_chain *ch, const uint64_t *m,
                      const uint64_t *am)
{
    return bit_get(ch->or_desc ? am : m, ch->bit0 + ch->n - 1);
}

/* Emit the matched attributes of element i, in attribute order. */
static int emit_attrs(const struct run *r, const uint64_t *m,
                      const uint64_t *am, int32_t i, select_fn fn,
                      void *ctx)
{
    const GumboVector *v = &r->d->el[i].node->v.element.attributes;
    size_t k;
    int q, rc;

    for (k = 0; k < v->length; k++) {
        const GumboAttribute *a = v->data[k];
        for (q = 0; q < r->sel->nchains; q++) {
            const struct sel_chain *ch = &r->sel->chains[q];
            if (chain_hit(ch, m, am) && attr_name_eq(a, ch->attr)) {
                struct select_match mt = { r->d->el[i].node, a };
                if ((rc = fn(&mt, ctx)) != 0)
                    return rc;
                break;
            }
        }
    }
    return 0;
}

/* State of one list of a shared run. */
struct job_state {
    struct run r;               /* tables and page for the conditions */
    size_t off;                 /* its first word in the bitsets */
    unsigned char *hit;         /* ::text: elements matched, else NULL */
    bool or_desc;               /* it has a chain with or_desc */
    bool done;                  /* its callback said stop */
};

/* A list with parsel's `A *::text`: it may yield an element where none of
 * its compounds matched (an ancestor's did). */
static bool has_or_desc(const struct select *sel)
{
    int q;

    for (q = 0; q < sel->nchains; q++)
        if (sel->chains[q].or_desc)
            return true;
    return false;
}

/* Set up list j's run state (tables first, as select_run did). */
static void job_open(struct job_state *js, const struct select *sel,
                     struct select_doc *d, size_t off)
{
    int k;

    js->r.sel = sel;
    js->r.d = d;
    js->r.contains = xcalloc((size_t)sel->ncontains + 1,
                             sizeof(*js->r.contains));
    js->r.has = xcalloc((size_t)sel->nhas + 1, sizeof(*js->r.has));
    if (sel->of_type && !d->have_types)
        sel_index_types(d);
    for (k = 0; k < sel->ncontains; k++)
        js->r.contains[k] = contains_table(d, sel->needles[k],
                                           sel->nlens[k]);
    for (k = 0; k < sel->nhas; k++)
        js->r.has[k] = has_table(&js->r, &sel->has[k]);
    js->off = off;
    js->hit = sel->kind == SELECT_TEXT ? xcalloc(d->n ? d->n : 1, 1) : NULL;
    js->or_desc = has_or_desc(sel);
    js->done = false;
}

static void job_close(struct job_state *js)
{
    int k;

    for (k = 0; k < js->r.sel->ncontains; k++)
        free(js->r.contains[k]);
    for (k = 0; k < js->r.sel->nhas; k++)
        free(js->r.has[k]);
    free(js->r.contains);
    free(js->r.has);
    free(js->hit);
}

/* One compound of a shared run, filed under its type: candidates[t] are
 * the compounds an element of GumboTag t may match (those of type t and
 * those of any type). */
struct cand {
    const struct sel_compound *c;   /* the compound */
    int job;                        /* its list */
    int bit;                        /* its bit in the shared bitsets */
    bool last;                      /* it ends its chain */
};

#define CAND_TYPES (GUMBO_TAG_LAST + 1)    /* GUMBO_TAG_LAST: any type */

/* File every compound of the lists' chains by type: *index gets
 * CAND_TYPES + 1 offsets into the returned array (caller frees both). */
static struct cand *cands_build(const struct select_job *jobs, int njobs,
                                const struct job_state *js, size_t **index)
{
    size_t *at = xcalloc(CAND_TYPES + 1, sizeof(*at)), total = 0, t;
    struct cand *cs;
    int k, q, j;

    for (k = 0; k < njobs; k++)
        for (q = 0; q < jobs[k].sel->nchains; q++)
            for (j = 0; j < jobs[k].sel->chains[q].n; j++)
                at[jobs[k].sel->chains[q].c[j].tag + 1]++;
    for (t = 1; t <= CAND_TYPES; t++)
        at[t] += at[t - 1];
    total = at[CAND_TYPES];
    cs = xmalloc((total ? total : 1) * sizeof(*cs));
    for (k = 0; k < njobs; k++)
        for (q = 0; q < jobs[k].sel->nchains; q++) {
            const struct sel_chain *ch = &jobs[k].sel->chains[q];
            for (j = 0; j < ch->n; j++) {
                struct cand *x = &cs[at[ch->c[j].tag]++];
                x->c = &ch->c[j];
                x->job = k;
                x->bit = (int)js[k].off * 64 + ch->bit0 + j;
                x->last = j == ch->n - 1;
            }
        }
    /* at[t] now ends type t: shift back to starts */
    for (t = CAND_TYPES; t > 0; t--)
        at[t] = at[t - 1];
    at[0] = 0;
    *index = at;
    return cs;
}

/* Set in m the bit of candidate x at element e (index i) when its
 * compound matches there and the prefix before it matched on the parent
 * (pm), an ancestor (pa), the previous sibling (qm) or an earlier sibling
 * (qs); NULL when there is no such element. */
static bool cand_match(const struct cand *x, const struct run *r,
                       int32_t i, uint64_t *m, const uint64_t *pm,
                       const uint64_t *pa, const uint64_t *qm,
                       const uint64_t *qs)
{
    bool ok;

    switch (x->c->comb) {
    case COMB_NONE:
        ok = true;
        break;
    case COMB_CHILD:
        ok = pm && bit_get(pm, x->bit - 1);
        break;
    case COMB_ADJ:
        ok = qm && bit_get(qm, x->bit - 1);
        break;
    case COMB_SIB:
        ok = qs && bit_get(qs, x->bit - 1);
        break;
    default:
        ok = pa && bit_get(pa, x->bit - 1);
        break;
    }
    if (!ok || !compound_ok(r, x->c, i))
        return false;
    bit_set(m, x->bit);
    return true;
}

/* Hand list k's matches at element e (index i) to its callback; true
 * when the list is done. */
static bool job_emit(struct select_job *job, struct job_state *js,
                     const struct sel_el *e, int32_t i, const uint64_t *m,
                     const uint64_t *am)
{
    const struct select *sel = job->sel;
    bool matched = false;
    int q, rc = 0;

    for (q = 0; q < sel->nchains && !matched; q++)
        matched = chain_hit(&sel->chains[q], m, am);
    if (!matched)
        return false;
    if (sel->kind == SELECT_ELEMENT) {
        struct select_match mt = { e->node, NULL };
        rc = job->fn(&mt, job->ctx);
    } else if (sel->kind == SELECT_ATTR) {
        rc = emit_attrs(&js->r, m, am, i, job->fn, job->ctx);
    } else {
        js->hit[i] = 1;
    }
    job->rc = rc;
    return rc != 0;
}

int select_run_many(struct select_job *jobs, int njobs, struct select_doc *d)
{
    struct job_state *js = xcalloc((size_t)njobs + 1, sizeof(*js));
    unsigned char *hitnow = xcalloc((size_t)njobs + 1, 1);
    size_t W = 0, n = d->n ? d->n : 1, i, w, *at;
    uint64_t *M, *AM, *SM;
    struct cand *cs;
    int k, live = 0;

    for (k = 0; k < njobs; k++) {
        job_open(&js[k], jobs[k].sel, d, W);
        W += ((size_t)jobs[k].sel->nbits + 63) / 64;
        jobs[k].rc = 0;
        live++;
    }
    if (!W)
        W = 1;
    cs = cands_build(jobs, njobs, js, &at);
    /* every word is written before it is read: no zeroing */
    M = xmalloc(n * W * sizeof(uint64_t));
    AM = xmalloc(n * W * sizeof(uint64_t));
    SM = xmalloc(n * W * sizeof(uint64_t));
    for (i = 0; i < d->n && live; i++) {
        const struct sel_el *e = &d->el[i];
        uint64_t *m = M + i * W, *am = AM + i * W, *sm = SM + i * W;
        const uint64_t *pm = NULL, *pa = NULL, *qm = NULL, *qs = NULL;
        size_t x, r, span[2][2] = { { at[e->tag], at[e->tag + 1] },
                                    { at[GUMBO_TAG_LAST], at[CAND_TYPES] } };

        if (e->parent != SEL_NONE) {
            pm = M + (size_t)e->parent * W;
            pa = AM + (size_t)e->parent * W;
        }
        if (e->prev != SEL_NONE) {
            qm = M + (size_t)e->prev * W;
            qs = SM + (size_t)e->prev * W;
        }
        memset(m, 0, W * sizeof(*m));
        /* the compounds of e's type, then those of any type */
        for (r = 0; r < 2; r++)
            for (x = span[r][0]; x < span[r][1]; x++) {
                const struct cand *c = &cs[x];

                if (!js[c->job].done &&
                    cand_match(c, &js[c->job].r, (int32_t)i, m, pm, pa, qm,
                               qs) && c->last)
                    hitnow[c->job] = 1;
            }
        for (w = 0; w < W; w++) {
            am[w] = (pa ? pa[w] : 0) | m[w];
            sm[w] = (qs ? qs[w] : 0) | m[w];
        }
        for (k = 0; k < njobs; k++) {
            size_t o = js[k].off;

            if (js[k].done || (!hitnow[k] && !js[k].or_desc))
                continue;
            hitnow[k] = 0;
            if (job_emit(&jobs[k], &js[k], e, (int32_t)i, m + o, am + o)) {
                js[k].done = true;
                live--;
            }
        }
    }
    for (k = 0; k < njobs; k++) {
        if (!js[k].done && jobs[k].sel->kind == SELECT_TEXT)
            jobs[k].rc = emit_text(d, js[k].hit, jobs[k].fn, jobs[k].ctx);
        job_close(&js[k]);
    }
    free(M);
    free(AM);
    free(SM);
    free(cs);
    free(at);
    free(hitnow);
    free(js);
    return 0;
}

int select_run(const struct select *sel, struct select_doc *d,
               select_fn fn, void *ctx)
{
    struct select_job job = { sel, fn, ctx, 0 };

    select_run_many(&job, 1, d);
    return job.rc;
}
