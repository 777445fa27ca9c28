/* frontier.c: hosts (a chained hash by origin), their queues (new URLs
 * in memory and in the spill file, leases to dispatch again) and the
 * heap of hosts that may start a transfer (frontier.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <unistd.h>

#include "common/log.h"
#include "common/robots.h"
#include "common/util.h"
#include "sink/frontier.h"
#include "sink/ledger.h"

#define HOST_BUCKETS_MIN 1024
#define QITEM_OVERHEAD 16       /* malloc's header, estimated */
#define HOST_COST (sizeof(struct host) + 2 * QITEM_OVERHEAD + 8)
#define SPILL_PEEK 512          /* bytes read at once from the spill file */
#define ORIGIN_STACK 512        /* origins this long are built on stack */

/* A new URL queued in memory: the text follows the header. */
struct qitem {
    struct qitem *next;     /* FIFO */
    uint32_t depth;         /* link depth */
    uint32_t queued_ds;     /* when queued, tenths of a second after start */
    char url[];             /* NUL-terminated */
};

/* A spilled URL's header in the spill file; its text follows. */
struct spill_rec {
    int64_t next;           /* offset of the host's next one, -1 none */
    uint32_t depth;
    uint32_t queued_ds;
    uint32_t len;           /* bytes of URL text */
    uint32_t pad;           /* keeps the header 24 bytes */
};

struct frontier {
    struct frontier_conf c; /* settings (spill_dir copied) */
    char *spill_dir;        /* owned copy */
    struct host **buckets;  /* hosts by origin hash */
    size_t nbuckets;        /* power of two */
    size_t nhosts;
    struct host **heap;     /* hosts that may start, min by
                             * (next_start_ms, heap_seq) */
    size_t nheap, heap_cap;
    uint64_t seq;           /* heap entry counter */
    size_t nram;            /* new URLs in memory */
    size_t nspill;          /* new URLs in the spill file */
    size_t nlq;             /* leases in host queues */
    size_t nactive;         /* hosts with a transfer */
    size_t nwork;           /* hosts with something queued */
    size_t ram_bytes;       /* memory of queued URLs (estimated) */
    size_t host_bytes;      /* memory of hosts (estimated) */
    int spill_fd;           /* -1 until needed */
    int64_t spill_end;      /* its size */
    int64_t start_ms;       /* for queued_ds */
    bool frozen;            /* only leases go out (frontier_freeze) */
};

/* ------------------------------------------------------------------ */
/* origins and hosts                                                   */

int frontier_origin(const char *url, size_t *len, size_t *skip)
{
    const char *p = strstr(url, "://"), *a, *e, *at;

    if (!p || p == url)
        return -1;
    a = p + 3;
    e = a + strcspn(a, "/?#");
    at = memchr(a, '@', (size_t)(e - a));
    /* the last '@' ends the userinfo */
    while (at) {
        const char *n = memchr(at + 1, '@', (size_t)(e - at - 1));
        if (!n)
            break;
        at = n;
    }
    *skip = at ? (size_t)(at + 1 - a) : 0;
    if (a + *skip == e)
        return -1;
    *len = (size_t)(e - url);
    return 0;
}

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void host_rehash(struct frontier *f)
{
    size_t n = f->nbuckets * 2, i;
    struct host **b = xcalloc(n, sizeof(*b));

    for (i = 0; i < f->nbuckets; i++) {
        struct host *h = f->buckets[i], *next;
        for (; h; h = next) {
            next = h->hnext;
            h->hnext = b[h->hash & (n - 1)];
            b[h->hash & (n - 1)] = h;
        }
    }
    free(f->buckets);
    f->buckets = b;
    f->nbuckets = n;
}

struct host *frontier_host(struct frontier *f, const char *url)
{
    char stack[ORIGIN_STACK], *key = stack;
    size_t len, skip, scheme, klen;
    struct host *h;
    uint32_t hash;

    if (frontier_origin(url, &len, &skip) < 0)
        return NULL;
    scheme = (size_t)(strstr(url, "://") - url) + 3;
    klen = len - skip;
    if (klen + 1 > sizeof(stack))
        key = xmalloc(klen + 1);
    memcpy(key, url, scheme);
    memcpy(key + scheme, url + scheme + skip, len - scheme - skip);
    key[klen] = '\0';
    hash = hash_bytes(key, klen);
    for (h = f->buckets[hash & (f->nbuckets - 1)]; h; h = h->hnext)
        if (h->hash == hash && !strcmp(h->origin, key))
            break;
    if (!h) {
        if (f->nhosts >= f->nbuckets)
            host_rehash(f);
        h = xcalloc(1, sizeof(*h));
        h->origin = xstrdup(key);
        h->hash = hash;
        h->spill_head = h->spill_tail = -1;
        h->heap_i = -1;
        h->delay_ms = -1;
        h->rstate = f->c.robots ? RB_UNKNOWN : RB_OFF;
        h->hnext = f->buckets[hash & (f->nbuckets - 1)];
        f->buckets[hash & (f->nbuckets - 1)] = h;
        f->nhosts++;
        f->host_bytes += HOST_COST + klen + 1;
    }
    if (key != stack)
        free(key);
    return h;
}

struct frontier *frontier_new(const struct frontier_conf *c)
{
    struct frontier *f = xcalloc(1, sizeof(*f));

    f->c = *c;
    if (c->spill_dir)
        f->spill_dir = xstrdup(c->spill_dir);
    f->c.spill_dir = f->spill_dir;
    if (f->c.per_host < 1)
        f->c.per_host = 1;
    f->nbuckets = HOST_BUCKETS_MIN;
    f->buckets = xcalloc(f->nbuckets, sizeof(*f->buckets));
    f->spill_fd = -1;
    f->start_ms = now_ms();
    return f;
}

void frontier_free(struct frontier *f)
{
    size_t i;

    if (!f)
        return;
    for (i = 0; i < f->nbuckets; i++) {
        struct host *h = f->buckets[i], *next;
        for (; h; h = next) {
            struct qitem *q = h->qhead, *qn;
            next = h->hnext;
            for (; q; q = qn) {
                qn = q->next;
                free(q);
            }
            robots_free(h->robots);
            free(h->origin);
            free(h);
        }
    }
    free(f->buckets);
    free(f->heap);
    if (f->spill_fd >= 0)
        close(f->spill_fd);
    free(f->spill_dir);
    free(f);
}

/* ------------------------------------------------------------------ */
/* the heap of hosts that may start                                    */

static bool heap_less(const struct host *a, const struct host *b)
{
    if (a->next_start_ms != b->next_start_ms)
        return a->next_start_ms < b->next_start_ms;
    return a->heap_seq < b->heap_seq;
}

static void heap_set(struct frontier *f, size_t i, struct host *h)
{
    f->heap[i] = h;
    h->heap_i = (int)i;
}

static void heap_up(struct frontier *f, size_t i)
{
    struct host *h = f->heap[i];

    while (i > 0 && heap_less(h, f->heap[(i - 1) / 2])) {
        heap_set(f, i, f->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(f, i, h);
}

static void heap_down(struct frontier *f, size_t i)
{
    struct host *h = f->heap[i];

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= f->nheap)
            break;
        if (c + 1 < f->nheap && heap_less(f->heap[c + 1], f->heap[c]))
            c++;
        if (!heap_less(f->heap[c], h))
            break;
        heap_set(f, i, f->heap[c]);
        i = c;
    }
    heap_set(f, i, h);
}

static void heap_remove(struct frontier *f, struct host *h)
{
    size_t i = (size_t)h->heap_i;
    struct host *last;

    if (h->heap_i < 0)
        return;
    h->heap_i = -1;
    last = f->heap[--f->nheap];
    if (last == h)
        return;
    heap_set(f, i, last);
    heap_down(f, i);
    heap_up(f, (size_t)last->heap_i);
}

static bool host_has_work(const struct host *h)
{
    return h->nlq || h->nram || h->nspill;
}

/* Keep nwork right after h's queues changed (had: it had work before). */
static void work_count(struct frontier *f, const struct host *h, bool had)
{
    bool has = host_has_work(h);

    if (has && !had)
        f->nwork++;
    else if (had && !has)
        f->nwork--;
}

static long host_delay(const struct frontier *f, const struct host *h)
{
    return h->delay_ms > f->c.delay_ms ? h->delay_ms : f->c.delay_ms;
}

/* May h start a transfer (now or at next_start_ms)? */
static bool host_eligible(const struct frontier *f, const struct host *h)
{
    return (f->frozen ? h->nlq > 0 : host_has_work(h)) &&
           h->active < f->c.per_host && h->rstate != RB_FETCHING &&
           !(h->unsent && host_delay(f, h) > 0);
}

void frontier_freeze(struct frontier *f)
{
    struct host **old = f->heap;
    size_t n = f->nheap, i;

    f->frozen = true;
    f->heap = NULL;
    f->nheap = f->heap_cap = 0;
    for (i = 0; i < n; i++)
        old[i]->heap_i = -1;
    for (i = 0; i < n; i++)
        frontier_update(f, old[i]);
    free(old);
}

struct lease *frontier_peek(const struct host *h)
{
    return h->lhead;
}

void frontier_update(struct frontier *f, struct host *h)
{
    bool want = host_eligible(f, h);

    if (!want) {
        heap_remove(f, h);
        return;
    }
    if (h->heap_i >= 0) {
        /* its key may have changed */
        heap_down(f, (size_t)h->heap_i);
        heap_up(f, (size_t)h->heap_i);
        return;
    }
    if (f->nheap == f->heap_cap) {
        f->heap_cap = f->heap_cap ? 2 * f->heap_cap : 1024;
        f->heap = xrealloc(f->heap, f->heap_cap * sizeof(*f->heap));
    }
    h->heap_seq = ++f->seq;
    f->heap[f->nheap] = h;
    h->heap_i = (int)f->nheap++;
    heap_up(f, (size_t)h->heap_i);
}

struct host *frontier_next(struct frontier *f, int64_t now, long *wait_ms)
{
    struct host *h;

    *wait_ms = -1;
    if (!f->nheap)
        return NULL;
    h = f->heap[0];
    if (h->next_start_ms > now) {
        *wait_ms = (long)(h->next_start_ms - now);
        return NULL;
    }
    return h;
}

/* ------------------------------------------------------------------ */
/* the spill file                                                      */

static int spill_open(struct frontier *f)
{
    char *path;
    int fd;

    path = xasprintf("%s/zscrape-frontier.XXXXXX",
                     f->spill_dir ? f->spill_dir
                     : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    free(path);
    if (fd < 0)
        return error("cannot make a frontier spill file: %s",
                     strerror(errno));
    f->spill_fd = fd;
    f->spill_end = 0;
    log_info("frontier over its memory budget (%zu bytes): spilling to "
             "disk", f->c.ram_budget);
    return 0;
}

static int spill_push(struct frontier *f, struct host *h, const char *url,
                      uint32_t depth, uint32_t queued_ds)
{
    struct spill_rec r;
    size_t len = strlen(url);
    int64_t off;

    if (f->spill_fd < 0 && spill_open(f) < 0)
        return -1;
    memset(&r, 0, sizeof(r));
    r.next = -1;
    r.depth = depth;
    r.queued_ds = queued_ds;
    r.len = (uint32_t)len;
    off = f->spill_end;
    if (pwrite(f->spill_fd, &r, sizeof(r), off) != (ssize_t)sizeof(r) ||
        pwrite(f->spill_fd, url, len, off + (int64_t)sizeof(r)) !=
        (ssize_t)len)
        return error("cannot write the frontier spill file: %s",
                     strerror(errno));
    /* chain it behind the host's last one */
    if (h->spill_tail >= 0 &&
        pwrite(f->spill_fd, &off, sizeof(off), h->spill_tail) !=
        (ssize_t)sizeof(off))
        return error("cannot write the frontier spill file: %s",
                     strerror(errno));
    if (h->spill_head < 0)
        h->spill_head = off;
    h->spill_tail = off;
    f->spill_end = off + (int64_t)(sizeof(r) + len);
    h->nspill++;
    f->nspill++;
    return 0;
}

/* Read h's first spilled URL (caller frees *url); -1 on an IO error. */
static int spill_pop(struct frontier *f, struct host *h, char **url,
                     uint32_t *depth, uint32_t *queued_ds)
{
    char buf[SPILL_PEEK];
    struct spill_rec r;
    ssize_t n = pread(f->spill_fd, buf, sizeof(buf), h->spill_head);

    if (n < (ssize_t)sizeof(r))
        return error("cannot read the frontier spill file: %s",
                     n < 0 ? strerror(errno) : "short read");
    memcpy(&r, buf, sizeof(r));
    *url = xmalloc((size_t)r.len + 1);
    if ((size_t)n >= sizeof(r) + r.len) {
        memcpy(*url, buf + sizeof(r), r.len);
    } else if (pread(f->spill_fd, *url, r.len,
                     h->spill_head + (int64_t)sizeof(r)) != (ssize_t)r.len) {
        free(*url);
        return error("cannot read the frontier spill file: %s",
                     strerror(errno));
    }
    (*url)[r.len] = '\0';
    *depth = r.depth;
    *queued_ds = r.queued_ds;
    h->spill_head = r.next;
    if (r.next < 0)
        h->spill_tail = -1;
    h->nspill--;
    f->nspill--;
    if (!f->nspill && ftruncate(f->spill_fd, 0) == 0)
        f->spill_end = 0;   /* drained: start the file over */
    return 0;
}

/* ------------------------------------------------------------------ */
/* queues                                                              */

static uint32_t ds_since(const struct frontier *f, int64_t now)
{
    return now > f->start_ms ? (uint32_t)((now - f->start_ms) / 100) : 0;
}

int frontier_push(struct frontier *f, const char *url, uint32_t depth,
                  int64_t now)
{
    struct host *h = frontier_host(f, url);
    uint32_t q = ds_since(f, now);
    size_t len;
    struct qitem *it;

    bool had;

    if (!h)
        return -1;
    had = host_has_work(h);
    if (h->nspill || f->ram_bytes > f->c.ram_budget) {
        /* in order behind what the host already has on disk */
        if (spill_push(f, h, url, depth, q) < 0)
            return -2;
    } else {
        len = strlen(url);
        it = xmalloc(sizeof(*it) + len + 1);
        it->next = NULL;
        it->depth = depth;
        it->queued_ds = q;
        memcpy(it->url, url, len + 1);
        if (h->qtail)
            h->qtail->next = it;
        else
            h->qhead = it;
        h->qtail = it;
        h->nram++;
        f->nram++;
        f->ram_bytes += sizeof(*it) + len + 1 + QITEM_OVERHEAD;
    }
    work_count(f, h, had);
    frontier_update(f, h);
    return 0;
}

void frontier_requeue(struct frontier *f, struct lease *ls)
{
    struct host *h = ls->host;
    bool had = host_has_work(h);

    ls->qnext = NULL;
    if (h->ltail)
        h->ltail->qnext = ls;
    else
        h->lhead = ls;
    h->ltail = ls;
    h->nlq++;
    f->nlq++;
    work_count(f, h, had);
    frontier_update(f, h);
}

void frontier_unqueue(struct frontier *f, struct lease *ls)
{
    struct host *h = ls->host;
    struct lease **pp = &h->lhead, *prev = NULL;

    while (*pp && *pp != ls) {
        prev = *pp;
        pp = &(*pp)->qnext;
    }
    if (!*pp)
        return;
    *pp = ls->qnext;
    if (h->ltail == ls)
        h->ltail = prev;
    ls->qnext = NULL;
    h->nlq--;
    f->nlq--;
    work_count(f, h, true);
    frontier_update(f, h);
}

static void note_wait(struct frontier *f, struct host *h, uint32_t queued_ds,
                      int64_t now)
{
    uint32_t d = ds_since(f, now);
    uint32_t w = d > queued_ds ? (d - queued_ds) * 100 : 0;

    h->wait_sum_ms += w;
    if (w > h->wait_max_ms)
        h->wait_max_ms = w;
}

bool frontier_take(struct frontier *f, struct host *h, struct lease **ls,
                   char **url, uint32_t *depth, int64_t now)
{
    struct qitem *it;
    uint32_t q;

    *ls = NULL;
    *url = NULL;
    heap_remove(f, h);
    if (f->frozen && !h->lhead)
        return false;
    if (h->lhead) {
        *ls = h->lhead;
        h->lhead = (*ls)->qnext;
        if (!h->lhead)
            h->ltail = NULL;
        (*ls)->qnext = NULL;
        h->nlq--;
        f->nlq--;
        work_count(f, h, true);
        return true;
    }
    if ((it = h->qhead)) {
        size_t len = strlen(it->url);
        h->qhead = it->next;
        if (!h->qhead)
            h->qtail = NULL;
        h->nram--;
        f->nram--;
        f->ram_bytes -= sizeof(*it) + len + 1 + QITEM_OVERHEAD;
        *depth = it->depth;
        note_wait(f, h, it->queued_ds, now);
        /* the text moves down over the header: one allocation kept */
        memmove(it, it->url, len + 1);
        *url = (char *)it;
        work_count(f, h, true);
        return true;
    }
    if (h->nspill) {
        if (spill_pop(f, h, url, depth, &q) < 0)
            fatal("the frontier spill file failed");
        note_wait(f, h, q, now);
        work_count(f, h, true);
        return true;
    }
    return false;
}

void frontier_charge(struct frontier *f, struct host *h, int64_t now)
{
    long delay = host_delay(f, h);

    if (h->active++ == 0)
        f->nactive++;
    h->unsent++;
    h->dispatched++;
    if (delay > 0 && h->next_start_ms < now + delay)
        h->next_start_ms = now + delay;
    frontier_update(f, h);
}

void frontier_sent(struct frontier *f, struct host *h, int64_t now)
{
    long delay = host_delay(f, h);

    if (h->unsent > 0)
        h->unsent--;
    if (delay > 0 && h->next_start_ms < now + delay)
        h->next_start_ms = now + delay;
    frontier_update(f, h);
}

void frontier_release(struct frontier *f, struct host *h, bool sent)
{
    if (!sent && h->unsent > 0)
        h->unsent--;
    if (h->active > 0 && --h->active == 0)
        f->nactive--;
    frontier_update(f, h);
}

void frontier_robots(struct frontier *f, struct host *h, struct robots *r,
                     int err, int64_t until_ms, int64_t now)
{
    long cd;

    robots_free(h->robots);
    h->robots = r;
    h->rerr = (uint8_t)err;
    h->rstate = RB_READY;
    h->robots_until_ms = until_ms;
    cd = r ? robots_crawl_delay_ms(r) : -1;
    h->delay_ms = cd;
    if (cd > 0 && h->next_start_ms < now + cd)
        h->next_start_ms = now + cd;
    frontier_update(f, h);
}

void frontier_ref(struct host *h)
{
    h->nleases++;
}

void frontier_unref(struct host *h)
{
    if (h->nleases > 0)
        h->nleases--;
}

/* ------------------------------------------------------------------ */
/* counts                                                              */

size_t frontier_queued(const struct frontier *f)
{
    return f->nram + f->nspill + f->nlq;
}

size_t frontier_spilled(const struct frontier *f)
{
    return f->nspill;
}

size_t frontier_nhosts(const struct frontier *f)
{
    return f->nhosts;
}

size_t frontier_active(const struct frontier *f)
{
    return f->nactive;
}

/* Hosts in the heap whose turn has come, looked for from the root down
 * (children are never due before their parent), at most limit. */
static size_t heap_due(const struct frontier *f, size_t i, int64_t now,
                       size_t limit)
{
    size_t n;

    if (i >= f->nheap || f->heap[i]->next_start_ms > now || !limit)
        return 0;
    n = 1;
    n += heap_due(f, 2 * i + 1, now, limit - n);
    if (n < limit)
        n += heap_due(f, 2 * i + 2, now, limit - n);
    return n;
}

size_t frontier_waiting(const struct frontier *f, int64_t now)
{
    size_t due = heap_due(f, 0, now, f->nwork);

    return f->nwork > due ? f->nwork - due : 0;
}

size_t frontier_ram(const struct frontier *f)
{
    return f->ram_bytes + f->host_bytes + f->nbuckets * sizeof(void *) +
           f->heap_cap * sizeof(void *);
}

void frontier_each(const struct frontier *f, frontier_each_fn *fn,
                   void *arg)
{
    size_t i;

    for (i = 0; i < f->nbuckets; i++) {
        const struct host *h;
        for (h = f->buckets[i]; h; h = h->hnext)
            fn(arg, h);
    }
}
