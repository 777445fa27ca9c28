/* workers.h: the fetchers and parsers the sink knows, by worker token:
 * what each holds (its leases), a fetcher's credit (the URLs it said it
 * can take), when each was last heard from, and whether it is gone.
 *
 * A worker is gone when it said so (its final report), when it runs on
 * the sink's kernel and pid namespace and its process is no more (seen
 * within a second), when a send to it finds no connection, or when it
 * has been silent for WORKERS_SILENT_MS (a parser: that plus the parse
 * budget, since it cannot report while it parses).  The sink then
 * dispatches again what it held (sink/sched.c). */
#ifndef ZS_WORKERS_H
#define ZS_WORKERS_H

#include "common/compat.h"

#include "common/hello.h"

#define WORKERS_SILENT_MS (3 * HELLO_REPORT_MS)

struct lease;

struct worker {
    char token[HELLO_TOKEN_LEN + 1]; /* its routing id, NUL-terminated */
    enum hello_role role;   /* fetcher or parser */
    long pid;               /* its PID (from its hello), 0 unknown */
    char peer[64];          /* its address, "local" for ipc */
    struct hello_where where; /* where it runs */
    bool joined;            /* its hello reached this sink */
    bool dead;              /* gone: holds nothing, gets nothing */
    int credit;             /* a fetcher: URLs it can take now */
    int64_t joined_ms;      /* when it joined (monotonic) */
    int64_t heard_ms;       /* when it last sent anything */
    int64_t reset_ms;       /* when it was last told to reset */
    struct lease *leases;   /* what it holds (lease.wnext) */
    size_t nleases;
    uint64_t taken;         /* a fetcher: URLs dispatched to it; a parser:
                             * pages it took */
    struct worker *hnext;   /* hash chain */
};

struct workers;

struct workers *workers_new(void);
void workers_free(struct workers *ws);

/* The worker of token tok[0..len), or NULL. */
struct worker *workers_find(struct workers *ws, const void *tok,
                            size_t len);
/* The worker of token tok, made when new (role as given). */
struct worker *workers_get(struct workers *ws, const void *tok, size_t len,
                           enum hello_role role);

/* ls is held by w from now on (off its last holder's list first). */
void worker_hold(struct worker *w, struct lease *ls);
/* ls is held by nobody. */
void worker_release(struct lease *ls);

/* A fetcher with credit to dispatch to: prefer when it has some, else
 * the next in turn; NULL when none has. */
struct worker *workers_pick(struct workers *ws, struct worker *prefer);
/* Fetchers alive with credit, and all alive of a role. */
int workers_credit(const struct workers *ws);
int workers_alive(const struct workers *ws, enum hello_role role);

/* Every worker in turn (in the order they joined). */
size_t workers_count(const struct workers *ws);
struct worker *workers_at(struct workers *ws, size_t i);

#endif
