/* frontier.h: the sink's host-aware frontier, what the scheduler takes
 * its next URL from.
 *
 * URLs queue per host, and a host is an origin (scheme://host:port): the
 * unit robots.txt applies to (RFC 9309 2.3), and in practice one server
 * (a site served over both http and https counts as two).  Each host has
 *   - a queue of leases to dispatch again (a worker died with them, a
 *     retry is due), served first;
 *   - a FIFO of new URLs: in memory, and past the crawl's memory budget in
 *     the spill file (each host's spilled URLs chained through the file,
 *     in order, read back one at a time when its memory queue is empty);
 *   - its transfers in flight (at most --per-host), the time it may start
 *     the next (--delay, or robots.txt's Crawl-delay when larger) and its
 *     robots.txt.
 * With a delay, a host's next transfer waits until its last one said it
 * is sending its request (and a delay more), so the delay holds between
 * the requests as they leave, whatever a fetcher's own latency.
 * A host that may start a transfer is in a heap keyed by that time (ties
 * in the order they got there: round robin), so the dispatcher always
 * takes the host whose turn it is: a host with a million URLs queued gets
 * one turn like any other, and no host waits behind another.  Hosts are
 * kept for the whole crawl (about 200 bytes each, plus their robots.txt
 * rules). */
#ifndef ZS_FRONTIER_H
#define ZS_FRONTIER_H

#include "common/compat.h"

struct lease;
struct robots;
struct worker;
struct qitem;

/* A host's robots.txt. */
enum robots_state {
    RB_OFF,         /* not obeyed (--robots off) */
    RB_UNKNOWN,     /* to be fetched before its next page */
    RB_FETCHING,    /* its fetch is under way: the pages wait */
    RB_READY,       /* known until robots_until_ms */
};

struct host {
    char *origin;           /* "scheme://host[:port]" (owned) */
    uint32_t hash;          /* of origin */
    struct host *hnext;     /* hash chain */
    struct qitem *qhead;    /* new URLs in memory, FIFO */
    struct qitem *qtail;
    int64_t spill_head;     /* first spilled URL's offset, -1 none */
    int64_t spill_tail;     /* last spilled URL's offset */
    uint32_t nram;          /* new URLs in memory */
    uint32_t nspill;        /* new URLs in the spill file */
    struct lease *lhead;    /* leases to dispatch again, first */
    struct lease *ltail;
    uint32_t nlq;           /* leases in that queue */
    int active;             /* transfers holding a slot */
    int unsent;             /* of them, not yet said to have sent their
                             * request (with a delay, the next waits) */
    int nleases;            /* open leases of its URLs */
    int heap_i;             /* its place in the ready heap, -1 none */
    uint64_t heap_seq;      /* when it entered the heap (ties) */
    int64_t next_start_ms;  /* earliest start of its next transfer */
    long delay_ms;          /* robots.txt Crawl-delay, -1 none */
    uint8_t rstate;         /* enum robots_state */
    uint8_t rerr;           /* robots.txt unavailable: the error code its
                             * pages get until robots_until_ms, or 0 */
    struct robots *robots;  /* its rules (owned), NULL: all allowed */
    int64_t robots_until_ms;/* when robots.txt is asked again */
    struct worker *last_fetcher; /* where its last transfer went */
    uint64_t dispatched;    /* transfers started (robots.txt too) */
    uint64_t wait_sum_ms;   /* time its URLs waited in the queue */
    uint32_t wait_max_ms;   /* the longest of those waits */
};

struct frontier_conf {
    size_t ram_budget;      /* bytes of queued URLs kept in memory */
    const char *spill_dir;  /* where the spill file goes (NULL: the
                             * system's temporary folder) */
    int per_host;           /* transfers at once per host */
    long delay_ms;          /* gap between two starts on a host */
    bool robots;            /* obey robots.txt */
};

struct frontier;

struct frontier *frontier_new(const struct frontier_conf *c);
void frontier_free(struct frontier *f);

/* The host of url (normalized), made when new; NULL when url has no
 * host. */
struct host *frontier_host(struct frontier *f, const char *url);
/* Queue a new URL at the tail of its host.  0; -1 when it has no host;
 * -2 on a spill file error (logged). */
int frontier_push(struct frontier *f, const char *url, uint32_t depth,
                  int64_t now);
/* Queue lease ls (stage QUEUED, or PARKED and due) on its host, behind
 * the leases there but before every new URL. */
void frontier_requeue(struct frontier *f, struct lease *ls);
/* Take ls out of its host's lease queue, if it is there. */
void frontier_unqueue(struct frontier *f, struct lease *ls);

/* The host whose turn it is at now, left in place, or NULL; *wait_ms is
 * then the time until one's turn (-1: none waits). */
struct host *frontier_next(struct frontier *f, int64_t now, long *wait_ms);
/* Take h's next entry: a lease to dispatch again (returned), or else a
 * new URL (*url, caller frees; *depth; NULL returned).  False when h has
 * none.  h leaves the heap; frontier_charge or frontier_update puts it
 * back where it belongs. */
bool frontier_take(struct frontier *f, struct host *h, struct lease **ls,
                   char **url, uint32_t *depth, int64_t now);
/* A transfer of h starts now: one of its slots, and the next start not
 * before now + its delay. */
void frontier_charge(struct frontier *f, struct host *h, int64_t now);
/* A transfer of h is sending its request now: the next start not before
 * now + its delay. */
void frontier_sent(struct frontier *f, struct host *h, int64_t now);
/* A transfer of h ended: its slot is free (sent: frontier_sent was told
 * of it). */
void frontier_release(struct frontier *f, struct host *h, bool sent);
/* h's state changed (robots.txt, a lease queued): back in the heap if it
 * may start. */
void frontier_update(struct frontier *f, struct host *h);
/* h's robots.txt: rules r (owned by h from now; NULL: all allowed),
 * err: the error its pages get instead (0: none), until until_ms. */
void frontier_robots(struct frontier *f, struct host *h, struct robots *r,
                     int err, int64_t until_ms, int64_t now);

/* From now on only leases are handed out, no new URL (--max-pages
 * reached); the new URLs stay queued. */
void frontier_freeze(struct frontier *f);
/* The lease h would hand out next, or NULL (its next entry is a new URL
 * or nothing). */
struct lease *frontier_peek(const struct host *h);

/* A lease of h opened or closed (a host with leases is never idle). */
void frontier_ref(struct host *h);
void frontier_unref(struct host *h);

size_t frontier_queued(const struct frontier *f);  /* new URLs + leases */
size_t frontier_spilled(const struct frontier *f); /* of them on disk */
size_t frontier_nhosts(const struct frontier *f);
size_t frontier_active(const struct frontier *f);  /* hosts transferring */
/* Hosts with URLs queued that may not start now (their delay, their
 * slots, their robots.txt). */
size_t frontier_waiting(const struct frontier *f, int64_t now);
/* Bytes of memory the queued URLs and the hosts take (estimated). */
size_t frontier_ram(const struct frontier *f);

/* Every host in turn. */
typedef void frontier_each_fn(void *arg, const struct host *h);
void frontier_each(const struct frontier *f, frontier_each_fn *fn,
                   void *arg);

/* The origin part of a normalized URL: *len bytes from url ("scheme://
 * host[:port]", userinfo skipped: *skip bytes of it after the "://").
 * -1 when url has no "://" or an empty host. */
int frontier_origin(const char *url, size_t *len, size_t *skip);

#endif
