/* ledger.h: what the sink knows of every URL it has dispatched, and of
 * every URL it has seen.
 *
 *  - the seen set: a 64-bit fingerprint of every normalized URL ever
 *    queued (8 bytes a slot; the text itself is not kept);
 *  - the leases: one per URL between its first dispatch and its record,
 *    by id (the id goes out with the dispatch and comes back with every
 *    message about it), and, while a worker holds it, in deadline order
 *    for the last-resort --lease.
 *
 * The queues of URLs not dispatched yet are the frontier's
 * (sink/frontier.h); a lease that must go again waits in its host's queue
 * there.  Two different URLs share a fingerprint with probability about
 * n^2 / 2^65 (n URLs); such a URL would be skipped as seen. */
#ifndef ZS_LEDGER_H
#define ZS_LEDGER_H

#include "common/compat.h"

struct host;
struct worker;

/* Where a lease is. */
enum lease_stage {
    LS_QUEUED,      /* in its host's queue, to be dispatched (again) */
    LS_FETCHING,    /* a fetcher has it: its transfer runs or waits there */
    LS_PARKED,      /* its fetcher waits out a retry's back-off */
    LS_STREAM,      /* fetched: the page is on its way to a parser */
    LS_PARSING,     /* a parser took it */
    LS_NSTAGES
};

struct lease {
    uint64_t id;            /* sent with the dispatch, echoed back */
    char *url;              /* owned; as dispatched (normalized) */
    uint32_t depth;         /* link depth */
    uint8_t attempt;        /* --lease expiries so far */
    uint8_t fetcher_deaths; /* fetchers that died while fetching it */
    uint8_t parser_deaths;  /* parsers that died while parsing it */
    uint8_t stage;          /* enum lease_stage */
    bool robots;            /* its host's robots.txt, not a page */
    bool slot;              /* holds one of its host's --per-host slots
                             * (its transfer runs at fetcher) */
    bool suspect;           /* dispatched again if no parser takes it
                             * by due_ms */
    bool sent;              /* its transfer said it sent the request */
    bool armed;             /* on the deadline list */
    bool timed;             /* on the timer list */
    struct host *host;      /* its host (borrowed; counts in nleases) */
    struct worker *fetcher; /* the fetcher of its last transfer, or NULL */
    struct worker *holder;  /* who has it now (FETCHING, PARKED: a
                             * fetcher; PARSING: a parser), or NULL */
    int64_t sent_ms;        /* first dispatch (monotonic) */
    int64_t stage_ms;       /* when it entered its stage */
    int64_t deadline_ms;    /* --lease: dispatched again after this */
    int64_t due_ms;         /* PARKED: retry time; suspect: deadline */
    struct lease *hnext;    /* hash chain */
    struct lease *dprev;    /* deadline list (while dispatched) */
    struct lease *dnext;
    struct lease *wprev;    /* its holder's list (worker.h) */
    struct lease *wnext;
    struct lease *tprev;    /* timer list: parked and suspect leases */
    struct lease *tnext;
    struct lease *qnext;    /* its host's queue of leases (QUEUED, or
                             * PARKED and due) */
};

struct ledger;

/* id_base: the first lease id (a sink gives its session's, so that ids
 * of another run of the sink are not ours). */
struct ledger *ledger_new(uint64_t id_base);
void ledger_free(struct ledger *l);

/* Mark url (normalized) seen.  Returns 1 when new, 0 when seen before. */
int ledger_mark(struct ledger *l, const char *url);
/* True when url was seen. */
bool ledger_seen(const struct ledger *l, const char *url);

/* A new lease for url (takes ownership), stage LS_QUEUED. */
struct lease *ledger_lease(struct ledger *l, char *url, uint32_t depth);
/* The lease of id, or NULL (a late duplicate, another sink's id). */
struct lease *ledger_find(struct ledger *l, uint64_t id);
/* Close a lease and free it (it must be off every list but the hash). */
void ledger_close(struct ledger *l, struct lease *ls);

/* Move ls to stage (the count of leases by stage follows). */
void ledger_stage(struct ledger *l, struct lease *ls, enum lease_stage st,
                  int64_t now);
/* Leases in stage st. */
size_t ledger_count(const struct ledger *l, enum lease_stage st);
/* Leases in all. */
size_t ledger_leases(const struct ledger *l);

/* The deadline list of dispatched leases: put ls on it due at
 * deadline_ms, take it off (no-op when not on it), the one due first. */
void ledger_arm(struct ledger *l, struct lease *ls, int64_t deadline_ms);
void ledger_disarm(struct ledger *l, struct lease *ls);
struct lease *ledger_oldest(struct ledger *l);

/* The timer list (parked leases waiting out a retry, suspects waiting
 * for a parser): add at due_ms, remove, the one due first. */
void ledger_timer_add(struct ledger *l, struct lease *ls, int64_t due_ms);
void ledger_timer_del(struct ledger *l, struct lease *ls);
struct lease *ledger_timer_first(struct ledger *l);

/* Every lease in turn (for stop and stats); fn may not close leases. */
typedef void ledger_each_fn(void *arg, struct lease *ls);
void ledger_each(struct ledger *l, ledger_each_fn *fn, void *arg);

size_t ledger_nseen(const struct ledger *l);

#endif
