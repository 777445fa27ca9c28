/* ledger.c: seen fingerprints (open addressing), frontier (ring buffer
 * plus spill file) and leases (chained hash by id, list by deadline). */
#include "common/compat.h"

#include <fcntl.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "sink/ledger.h"

#define SEEN_MIN 1024
#define LEASE_BUCKETS_MIN 1024
#define FRONT_ITEM_COST 48      /* ring slot + malloc overhead, estimated */
#define SPILL_REFILL 4096       /* entries read back at a time */

struct front_item {
    char *url;              /* owned */
    uint32_t depth;         /* link depth */
    uint8_t attempt;        /* redispatches so far */
};

struct ledger {
    uint64_t *seen;         /* fingerprints, 0 = empty slot */
    size_t seen_cap;        /* power of two */
    size_t seen_n;          /* fingerprints stored */
    struct front_item *q;   /* frontier ring (in memory) */
    size_t q_cap, q_head, q_n;
    size_t q_bytes;         /* estimated bytes of the ring's entries */
    size_t ram_budget;      /* spill past this */
    FILE *spill;            /* spill file, NULL until needed */
    char *spill_dir;        /* where to make it (NULL: tmpfile) */
    size_t spill_n;         /* entries in the spill file not read back */
    long spill_rpos;        /* read offset in the spill file */
    struct lease **buckets; /* leases by id */
    size_t nbuckets;        /* power of two */
    size_t inflight;
    struct lease *oldest;   /* deadline order head */
    struct lease *newest;   /* tail */
    uint64_t next_id;
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

struct ledger *ledger_new(size_t ram_budget, const char *spill_dir)
{
    struct ledger *l = xcalloc(1, sizeof(*l));

    l->seen_cap = SEEN_MIN;
    l->seen = xcalloc(l->seen_cap, sizeof(*l->seen));
    l->nbuckets = LEASE_BUCKETS_MIN;
    l->buckets = xcalloc(l->nbuckets, sizeof(*l->buckets));
    l->next_id = 1;
    l->ram_budget = ram_budget;
    l->spill_dir = spill_dir ? xstrdup(spill_dir) : NULL;
    return l;
}

void ledger_free(struct ledger *l)
{
    struct lease *ls, *next;
    size_t i;

    if (!l)
        return;
    free(l->seen);
    for (i = 0; i < l->q_n; i++)
        free(l->q[(l->q_head + i) % l->q_cap].url);
    free(l->q);
    for (ls = l->oldest; ls; ls = next) {
        next = ls->next;
        free(ls->url);
        free(ls);
    }
    free(l->buckets);
    if (l->spill)
        fclose(l->spill);
    free(l->spill_dir);
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

/* ------------------------------------------------------------------ */
/* frontier                                                            */

static void ring_push(struct ledger *l, char *url, uint32_t depth,
                      uint8_t attempt, bool at_front)
{
    struct front_item it = { url, depth, attempt };

    if (l->q_n == l->q_cap) {
        size_t cap = l->q_cap ? l->q_cap * 2 : 1024, i;
        struct front_item *q = xmalloc(cap * sizeof(*q));
        for (i = 0; i < l->q_n; i++)
            q[i] = l->q[(l->q_head + i) % l->q_cap];
        free(l->q);
        l->q = q;
        l->q_cap = cap;
        l->q_head = 0;
    }
    if (at_front) {
        l->q_head = (l->q_head + l->q_cap - 1) % l->q_cap;
        l->q[l->q_head] = it;
    } else {
        l->q[(l->q_head + l->q_n) % l->q_cap] = it;
    }
    l->q_n++;
    l->q_bytes += strlen(url) + FRONT_ITEM_COST;
}

static FILE *spill_open(struct ledger *l)
{
    char *path;
    int fd;
    FILE *f;

    if (!l->spill_dir)
        return tmpfile();
    path = xasprintf("%s/frontier.spill.XXXXXX", l->spill_dir);
    fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    free(path);
    if (fd < 0 || !(f = fdopen(fd, "w+"))) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    return f;
}

/* Append to the spill file: "DEPTH ATTEMPT URL\n" (URLs are normalized:
 * no spaces, no newlines). */
static int spill_push(struct ledger *l, const char *url, uint32_t depth,
                      uint8_t attempt)
{
    if (!l->spill) {
        l->spill = spill_open(l);
        if (!l->spill)
            return error("cannot make a frontier spill file: %s",
                         strerror(errno));
        log_info("frontier over its memory budget (%zu bytes): spilling to "
                 "disk", l->ram_budget);
    }
    if (fseek(l->spill, 0, SEEK_END) < 0 ||
        fprintf(l->spill, "%u %u %s\n", depth, attempt, url) < 0)
        return error("cannot write the frontier spill file: %s",
                     strerror(errno));
    l->spill_n++;
    return 0;
}

/* Read back up to SPILL_REFILL entries into the ring, in order. */
static void spill_refill(struct ledger *l)
{
    char *line = NULL;
    size_t cap = 0;
    int n = 0;

    if (!l->spill_n || fseek(l->spill, l->spill_rpos, SEEK_SET) < 0)
        return;
    while (n < SPILL_REFILL && l->spill_n) {
        unsigned depth, attempt;
        int off = 0;
        ssize_t len = getline(&line, &cap, l->spill);
        if (len <= 0)
            break;
        if (line[len - 1] == '\n')
            line[len - 1] = '\0';
        l->spill_n--;
        n++;
        if (sscanf(line, "%u %u %n", &depth, &attempt, &off) < 2 || !off)
            continue;
        ring_push(l, xstrdup(line + off), depth, (uint8_t)attempt, false);
    }
    l->spill_rpos = ftell(l->spill);
    free(line);
    if (!l->spill_n) {
        /* drained: start the file over */
        if (ftruncate(fileno(l->spill), 0) == 0)
            l->spill_rpos = 0;
    }
}

int ledger_add(struct ledger *l, const char *url, uint32_t depth)
{
    if (!ledger_mark(l, url))
        return 0;
    if (l->spill_n || l->q_bytes > l->ram_budget)
        return spill_push(l, url, depth, 0) < 0 ? -1 : 1;
    ring_push(l, xstrdup(url), depth, 0, false);
    return 1;
}

bool ledger_pop(struct ledger *l, char **url, uint32_t *depth,
                uint8_t *attempt)
{
    struct front_item *it;

    if (!l->q_n)
        spill_refill(l);
    if (!l->q_n)
        return false;
    it = &l->q[l->q_head];
    *url = it->url;
    *depth = it->depth;
    *attempt = it->attempt;
    l->q_bytes -= strlen(it->url) + FRONT_ITEM_COST;
    l->q_head = (l->q_head + 1) % l->q_cap;
    l->q_n--;
    if (!l->q_n && l->q_cap > SPILL_REFILL * 4) {
        /* a big ring drained: give its memory back */
        free(l->q);
        l->q = NULL;
        l->q_cap = l->q_head = 0;
    }
    return true;
}

void ledger_requeue(struct ledger *l, char *url, uint32_t depth,
                    uint8_t attempt)
{
    ring_push(l, url, depth, attempt, true);
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

struct lease *ledger_lease(struct ledger *l, char *url, uint32_t depth,
                           uint8_t attempt, int64_t deadline_ms)
{
    struct lease *ls = xcalloc(1, sizeof(*ls));
    size_t b;

    if (l->inflight >= l->nbuckets)
        lease_rehash(l);
    ls->id = l->next_id++;
    ls->url = url;
    ls->depth = depth;
    ls->attempt = attempt;
    ls->deadline_ms = deadline_ms;
    b = ls->id & (l->nbuckets - 1);
    ls->hnext = l->buckets[b];
    l->buckets[b] = ls;
    /* Deadlines mostly grow with dispatch time: walk back from the tail. */
    ls->prev = l->newest;
    while (ls->prev && ls->prev->deadline_ms > deadline_ms)
        ls->prev = ls->prev->prev;
    ls->next = ls->prev ? ls->prev->next : l->oldest;
    if (ls->prev)
        ls->prev->next = ls;
    else
        l->oldest = ls;
    if (ls->next)
        ls->next->prev = ls;
    else
        l->newest = ls;
    l->inflight++;
    return ls;
}

struct lease *ledger_find(struct ledger *l, uint64_t id)
{
    struct lease *ls = l->buckets[id & (l->nbuckets - 1)];

    while (ls && ls->id != id)
        ls = ls->hnext;
    return ls;
}

static void lease_unlink(struct ledger *l, struct lease *ls)
{
    struct lease **pp = &l->buckets[ls->id & (l->nbuckets - 1)];

    while (*pp != ls)
        pp = &(*pp)->hnext;
    *pp = ls->hnext;
    if (ls->prev)
        ls->prev->next = ls->next;
    else
        l->oldest = ls->next;
    if (ls->next)
        ls->next->prev = ls->prev;
    else
        l->newest = ls->prev;
    l->inflight--;
}

void ledger_close(struct ledger *l, struct lease *ls)
{
    lease_unlink(l, ls);
    free(ls->url);
    free(ls);
}

void ledger_retry(struct ledger *l, struct lease *ls)
{
    lease_unlink(l, ls);
    ring_push(l, ls->url, ls->depth, (uint8_t)(ls->attempt + 1), true);
    free(ls);
}

struct lease *ledger_oldest(struct ledger *l)
{
    return l->oldest;
}

size_t ledger_frontier(const struct ledger *l)
{
    return l->q_n + l->spill_n;
}

size_t ledger_inflight(const struct ledger *l)
{
    return l->inflight;
}

size_t ledger_nseen(const struct ledger *l)
{
    return l->seen_n;
}

size_t ledger_spilled(const struct ledger *l)
{
    return l->spill_n;
}
