/* ledger.c: seen fingerprints (open addressing) and leases (chained hash
 * by id, a list by deadline, a list by timer). */
#include "common/compat.h"

#include "common/log.h"
#include "common/util.h"
#include "sink/ledger.h"

#define SEEN_MIN 1024
#define LEASE_BUCKETS_MIN 1024

struct ledger {
    uint64_t *seen;         /* fingerprints, 0 = empty slot */
    size_t seen_cap;        /* power of two */
    size_t seen_n;          /* fingerprints stored */
    struct lease **buckets; /* leases by id */
    size_t nbuckets;        /* power of two */
    size_t nleases;         /* leases open */
    size_t by_stage[LS_NSTAGES]; /* of them, in each stage */
    struct lease *oldest;   /* deadline list head */
    struct lease *newest;   /* its tail */
    struct lease *tfirst;   /* timer list head (due first) */
    struct lease *tlast;    /* its tail */
    uint64_t next_id;       /* the next lease's id */
};

/* 64-bit FNV-1a, then a final mix so every bit depends on every byte. */
static uint64_t fingerprint(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h ? h : 1;
}

struct ledger *ledger_new(uint64_t id_base)
{
    struct ledger *l = xcalloc(1, sizeof(*l));

    l->seen_cap = SEEN_MIN;
    l->seen = xcalloc(l->seen_cap, sizeof(*l->seen));
    l->nbuckets = LEASE_BUCKETS_MIN;
    l->buckets = xcalloc(l->nbuckets, sizeof(*l->buckets));
    l->next_id = id_base ? id_base : 1;
    return l;
}

void ledger_free(struct ledger *l)
{
    size_t i;

    if (!l)
        return;
    free(l->seen);
    for (i = 0; i < l->nbuckets; i++) {
        struct lease *ls = l->buckets[i], *next;
        for (; ls; ls = next) {
            next = ls->hnext;
            free(ls->url);
            free(ls);
        }
    }
    free(l->buckets);
    free(l);
}

/* ------------------------------------------------------------------ */
/* seen set                                                            */

static uint64_t *seen_slot(const struct ledger *l, uint64_t h)
{
    size_t mask = l->seen_cap - 1, i = (size_t)h & mask;

    while (l->seen[i] && l->seen[i] != h)
        i = (i + 1) & mask;
    return &l->seen[i];
}

static void seen_grow(struct ledger *l)
{
    uint64_t *old = l->seen;
    size_t oldcap = l->seen_cap, i;

    l->seen_cap *= 2;
    l->seen = xcalloc(l->seen_cap, sizeof(*l->seen));
    for (i = 0; i < oldcap; i++)
        if (old[i])
            *seen_slot(l, old[i]) = old[i];
    free(old);
}

bool ledger_seen(const struct ledger *l, const char *url)
{
    return *seen_slot(l, fingerprint(url)) != 0;
}

int ledger_mark(struct ledger *l, const char *url)
{
    uint64_t h = fingerprint(url), *s = seen_slot(l, h);

    if (*s)
        return 0;
    *s = h;
    l->seen_n++;
    if (l->seen_n * 4 >= l->seen_cap * 3)
        seen_grow(l);
    return 1;
}

size_t ledger_nseen(const struct ledger *l)
{
    return l->seen_n;
}

/* ------------------------------------------------------------------ */
/* leases                                                              */

static void lease_rehash(struct ledger *l)
{
    size_t n = l->nbuckets * 2, i;
    struct lease **b = xcalloc(n, sizeof(*b));

    for (i = 0; i < l->nbuckets; i++) {
        struct lease *ls = l->buckets[i], *next;
        for (; ls; ls = next) {
            next = ls->hnext;
            ls->hnext = b[ls->id & (n - 1)];
            b[ls->id & (n - 1)] = ls;
        }
    }
    free(l->buckets);
    l->buckets = b;
    l->nbuckets = n;
}

struct lease *ledger_lease(struct ledger *l, char *url, uint32_t depth)
{
    struct lease *ls = xcalloc(1, sizeof(*ls));
    size_t b;

    if (l->nleases >= l->nbuckets)
        lease_rehash(l);
    ls->id = l->next_id++;
    ls->url = url;
    ls->depth = depth;
    ls->stage = LS_QUEUED;
    b = ls->id & (l->nbuckets - 1);
    ls->hnext = l->buckets[b];
    l->buckets[b] = ls;
    l->nleases++;
    l->by_stage[LS_QUEUED]++;
    return ls;
}

struct lease *ledger_find(struct ledger *l, uint64_t id)
{
    struct lease *ls = l->buckets[id & (l->nbuckets - 1)];

    while (ls && ls->id != id)
        ls = ls->hnext;
    return ls;
}

void ledger_close(struct ledger *l, struct lease *ls)
{
    struct lease **pp = &l->buckets[ls->id & (l->nbuckets - 1)];

    ledger_disarm(l, ls);
    ledger_timer_del(l, ls);
    while (*pp != ls)
        pp = &(*pp)->hnext;
    *pp = ls->hnext;
    l->nleases--;
    l->by_stage[ls->stage]--;
    free(ls->url);
    free(ls);
}

void ledger_stage(struct ledger *l, struct lease *ls, enum lease_stage st,
                  int64_t now)
{
    l->by_stage[ls->stage]--;
    ls->stage = (uint8_t)st;
    ls->stage_ms = now;
    l->by_stage[st]++;
}

size_t ledger_count(const struct ledger *l, enum lease_stage st)
{
    return l->by_stage[st];
}

size_t ledger_leases(const struct ledger *l)
{
    return l->nleases;
}

void ledger_each(struct ledger *l, ledger_each_fn *fn, void *arg)
{
    size_t i;

    for (i = 0; i < l->nbuckets; i++) {
        struct lease *ls = l->buckets[i], *next;
        for (; ls; ls = next) {
            next = ls->hnext;
            fn(arg, ls);
        }
    }
}

/* ------------------------------------------------------------------ */
/* deadline and timer lists                                            */

void ledger_arm(struct ledger *l, struct lease *ls, int64_t deadline_ms)
{
    ledger_disarm(l, ls);
    ls->deadline_ms = deadline_ms;
    /* deadlines mostly grow with dispatch time: walk back from the tail */
    ls->dprev = l->newest;
    while (ls->dprev && ls->dprev->deadline_ms > deadline_ms)
        ls->dprev = ls->dprev->dprev;
    ls->dnext = ls->dprev ? ls->dprev->dnext : l->oldest;
    if (ls->dprev)
        ls->dprev->dnext = ls;
    else
        l->oldest = ls;
    if (ls->dnext)
        ls->dnext->dprev = ls;
    else
        l->newest = ls;
    ls->armed = true;
}

void ledger_disarm(struct ledger *l, struct lease *ls)
{
    if (!ls->armed)
        return;
    if (ls->dprev)
        ls->dprev->dnext = ls->dnext;
    else
        l->oldest = ls->dnext;
    if (ls->dnext)
        ls->dnext->dprev = ls->dprev;
    else
        l->newest = ls->dprev;
    ls->dprev = ls->dnext = NULL;
    ls->armed = false;
}

struct lease *ledger_oldest(struct ledger *l)
{
    return l->oldest;
}

void ledger_timer_add(struct ledger *l, struct lease *ls, int64_t due_ms)
{
    ledger_timer_del(l, ls);
    ls->due_ms = due_ms;
    ls->tprev = l->tlast;
    while (ls->tprev && ls->tprev->due_ms > due_ms)
        ls->tprev = ls->tprev->tprev;
    ls->tnext = ls->tprev ? ls->tprev->tnext : l->tfirst;
    if (ls->tprev)
        ls->tprev->tnext = ls;
    else
        l->tfirst = ls;
    if (ls->tnext)
        ls->tnext->tprev = ls;
    else
        l->tlast = ls;
    ls->timed = true;
}

void ledger_timer_del(struct ledger *l, struct lease *ls)
{
    if (!ls->timed)
        return;
    if (ls->tprev)
        ls->tprev->tnext = ls->tnext;
    else
        l->tfirst = ls->tnext;
    if (ls->tnext)
        ls->tnext->tprev = ls->tprev;
    else
        l->tlast = ls->tprev;
    ls->tprev = ls->tnext = NULL;
    ls->timed = false;
    ls->suspect = false;
}

struct lease *ledger_timer_first(struct ledger *l)
{
    return l->tfirst;
}
