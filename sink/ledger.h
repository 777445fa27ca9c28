/* ledger.h: what the sink knows of every URL.
 *
 *  - the seen set: a 64-bit fingerprint of every normalized URL ever
 *    queued (8 bytes a slot; the text itself is not kept);
 *  - the frontier: URLs waiting for dispatch, FIFO; past a memory budget
 *    new ones go to a spill file and come back in order;
 *  - the in-flight leases: dispatched URLs without a result yet, by id,
 *    and in deadline order.
 *
 * The crawl is finished when the frontier is empty and nothing is in
 * flight.  Two different URLs share a fingerprint with probability about
 * n^2 / 2^65 (n URLs); such a URL would be skipped as seen. */
#ifndef ZS_LEDGER_H
#define ZS_LEDGER_H

#include "common/compat.h"

struct lease {
    uint64_t id;            /* sent with the dispatch, echoed in results */
    char *url;              /* owned */
    uint32_t depth;         /* link depth */
    uint8_t attempt;        /* 0 first dispatch, then redispatches */
    int64_t deadline_ms;    /* monotonic time the result is due */
    int64_t sent_ms;        /* monotonic time of the dispatch */
    struct lease *hnext;    /* hash chain */
    struct lease *prev;     /* deadline order */
    struct lease *next;
};

struct ledger;

/* spill_dir: where the frontier spills past ram_budget bytes (NULL: the
 * system's temporary folder, an unlinked file). */
struct ledger *ledger_new(size_t ram_budget, const char *spill_dir);
void ledger_free(struct ledger *l);

/* Mark url (normalized) seen and queue it at depth, unless seen before.
 * Returns 1 when queued, 0 when seen before, -1 on a spill IO error. */
int ledger_add(struct ledger *l, const char *url, uint32_t depth);
/* Mark url seen without queueing it (resume: already done). Returns 1
 * when new. */
int ledger_mark(struct ledger *l, const char *url);
/* True when url was seen. */
bool ledger_seen(const struct ledger *l, const char *url);

/* Pop the next frontier URL (caller owns *url); false when empty.  attempt
 * is 0 for a new URL, more for one whose lease ran out. */
bool ledger_pop(struct ledger *l, char **url, uint32_t *depth,
                uint8_t *attempt);
/* Put url back at the front (takes ownership): a send was refused. */
void ledger_requeue(struct ledger *l, char *url, uint32_t depth,
                    uint8_t attempt);

/* Open a lease for a dispatched URL (takes ownership of url). */
struct lease *ledger_lease(struct ledger *l, char *url, uint32_t depth,
                           uint8_t attempt, int64_t deadline_ms);
/* The lease of id, or NULL (late duplicate, unknown peer). */
struct lease *ledger_find(struct ledger *l, uint64_t id);
/* Close a lease and free it. */
void ledger_close(struct ledger *l, struct lease *ls);
/* Close a lease and queue its URL again at the front, attempt + 1. */
void ledger_retry(struct ledger *l, struct lease *ls);
/* The lease due first, or NULL. */
struct lease *ledger_oldest(struct ledger *l);

size_t ledger_frontier(const struct ledger *l);
size_t ledger_inflight(const struct ledger *l);
size_t ledger_nseen(const struct ledger *l);
/* Frontier entries now in the spill file. */
size_t ledger_spilled(const struct ledger *l);

#endif
