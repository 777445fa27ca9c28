/* workers.c: the sink's table of workers (workers.h). */
#include "common/compat.h"

#include "common/util.h"
#include "sink/ledger.h"
#include "sink/workers.h"

#define WORKERS_BUCKETS 256

struct workers {
    struct worker *buckets[WORKERS_BUCKETS]; /* by token hash */
    struct worker **v;      /* every worker, in the order they came */
    size_t n, cap;
    size_t rr;              /* where workers_pick looks first */
};

static unsigned token_hash(const void *tok, size_t len)
{
    const unsigned char *p = tok;
    unsigned h = 2166136261u;
    size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h % WORKERS_BUCKETS;
}

struct workers *workers_new(void)
{
    return xcalloc(1, sizeof(struct workers));
}

void workers_free(struct workers *ws)
{
    size_t i;

    if (!ws)
        return;
    for (i = 0; i < ws->n; i++)
        free(ws->v[i]);
    free(ws->v);
    free(ws);
}

struct worker *workers_find(struct workers *ws, const void *tok, size_t len)
{
    struct worker *w;

    if (len != HELLO_TOKEN_LEN)
        return NULL;
    for (w = ws->buckets[token_hash(tok, len)]; w; w = w->hnext)
        if (!memcmp(w->token, tok, len))
            return w;
    return NULL;
}

struct worker *workers_get(struct workers *ws, const void *tok, size_t len,
                           enum hello_role role)
{
    struct worker *w = workers_find(ws, tok, len);
    unsigned b;

    if (w || len != HELLO_TOKEN_LEN)
        return w;
    w = xcalloc(1, sizeof(*w));
    memcpy(w->token, tok, len);
    w->token[len] = '\0';
    w->role = role;
    w->joined_ms = w->heard_ms = now_ms();
    b = token_hash(tok, len);
    w->hnext = ws->buckets[b];
    ws->buckets[b] = w;
    if (ws->n == ws->cap) {
        ws->cap = ws->cap ? 2 * ws->cap : 16;
        ws->v = xrealloc(ws->v, ws->cap * sizeof(*ws->v));
    }
    ws->v[ws->n++] = w;
    return w;
}

void worker_release(struct lease *ls)
{
    struct worker *w = ls->holder;

    if (!w)
        return;
    if (ls->wprev)
        ls->wprev->wnext = ls->wnext;
    else
        w->leases = ls->wnext;
    if (ls->wnext)
        ls->wnext->wprev = ls->wprev;
    ls->wprev = ls->wnext = NULL;
    ls->holder = NULL;
    w->nleases--;
}

void worker_hold(struct worker *w, struct lease *ls)
{
    worker_release(ls);
    ls->holder = w;
    ls->wprev = NULL;
    ls->wnext = w->leases;
    if (w->leases)
        w->leases->wprev = ls;
    w->leases = ls;
    w->nleases++;
}

static bool can_take(const struct worker *w)
{
    return w->role == HELLO_FETCHER && !w->dead && w->joined &&
           w->credit > 0;
}

struct worker *workers_pick(struct workers *ws, struct worker *prefer)
{
    size_t i;

    if (prefer && can_take(prefer))
        return prefer;
    for (i = 0; i < ws->n; i++) {
        struct worker *w = ws->v[(ws->rr + i) % ws->n];
        if (can_take(w)) {
            ws->rr = (ws->rr + i + 1) % ws->n;
            return w;
        }
    }
    return NULL;
}

int workers_credit(const struct workers *ws)
{
    size_t i;
    int n = 0;

    for (i = 0; i < ws->n; i++)
        if (can_take(ws->v[i]))
            n += ws->v[i]->credit;
    return n;
}

int workers_alive(const struct workers *ws, enum hello_role role)
{
    size_t i;
    int n = 0;

    for (i = 0; i < ws->n; i++)
        n += ws->v[i]->role == role && !ws->v[i]->dead && ws->v[i]->joined;
    return n;
}

size_t workers_count(const struct workers *ws)
{
    return ws->n;
}

struct worker *workers_at(struct workers *ws, size_t i)
{
    return i < ws->n ? ws->v[i] : NULL;
}
