/* sink.h: the sink's state, shared by its parts:
 *   main.c     options, start-up and the end
 *   net.c      the sockets, the pages streamer, the loop
 *   sched.c    the scheduler: dispatch by host, what the fetchers and
 *              parsers report, workers that go, timers
 *   results.c  records in, links to the frontier, the output */
#ifndef ZS_SINK_H
#define ZS_SINK_H

#include "common/compat.h"

#include <pthread.h>

#include "common/hello.h"
#include "common/msg.h"
#include "parser/extract.h"

#define SINK_MAX_ATTEMPTS 3     /* --lease expiries before 'lost' */
#define SINK_PARSER_DEATHS 3    /* parsers a page may take down */
#define SINK_FETCHER_DEATHS 5   /* fetchers that may die fetching it */

struct frontier;
struct host;
struct journal;
struct lease;
struct ledger;
struct reqtab;
struct rules;
struct scope;
struct stats;
struct validators;
struct worker;
struct workers;
struct writer;

struct sink {
    void *ctx;              /* ZeroMQ context */
    void *dispatch;         /* ROUTER: to and from each fetcher */
    void *results;          /* PULL: records (and TAKEN) from parsers */
    void *control;          /* PUB: stop, heartbeat, reset to everyone */
    void *hello;            /* ROUTER: settings to joining workers */
    struct hello_offer offer; /* what they get */
    struct hello_procs procs; /* what they reported */
    void *steer;            /* PAIR: terminates the streamer */
    void *steer_peer;       /* its other end, in the streamer thread */
    void *pages_in;         /* streamer PULL (owned by its thread) */
    void *pages_out;        /* streamer PUSH (owned by its thread) */
    pthread_t streamer;     /* runs zmq_proxy_steerable */
    uint64_t session;       /* random, new at each start: workers of
                             * another session rejoin */
    struct ledger *ledger;  /* seen set, leases */
    struct frontier *front; /* hosts and their queues */
    struct workers *workers;/* fetchers and parsers by token */
    struct hello_where where; /* where the sink runs */
    struct scope *scope;    /* which links to follow */
    struct reqtab *reqs;    /* request seeds by key */
    struct writer *out;     /* the output */
    struct journal *journal;/* --state, or NULL */
    struct validators *validators; /* --state: stored ETag, Last-Modified */
    struct validators *prior; /* --recrawl: the last crawl's, as loaded at
                               * start: only these go out as conditions */
    struct rules *rules;    /* field names (NULL: default rules) */
    struct extract_out nulls; /* the fields of an error record */
    struct stats *stp;      /* counters (heap: big histograms) */
    char robots_product[128]; /* our robots.txt product token */
    bool robots;            /* obey robots.txt */
    long depth;             /* --depth */
    long max_pages;         /* --max-pages, 0 = no limit */
    long window;            /* --window: most URLs in flight */
    int64_t lease_ms;       /* --lease */
    int64_t grace_ms;       /* --grace */
    int64_t parser_silent_ms; /* a parser silent this long is gone */
    uint64_t dispatched_new;/* distinct URLs dispatched */
    uint64_t robots_fetched;/* robots.txt fetches that got an answer */
    int sync;               /* --sync policy */
    bool progress;          /* draw the progress line */
    bool draining;          /* stop signal seen: no more dispatch */
    bool recrawl;           /* --recrawl: conditional requests */
    int64_t drain_until;    /* give up on in-flight after this */
    int64_t next_check_ms;  /* when workers are checked next */
};

/* results.c */
/* Queue url unless seen; journal it when queued.  Returns 1 when queued,
 * 0 when seen before; fatal when the frontier's spill file fails. */
int sink_queue_url(struct sink *s, const char *url, uint32_t depth);
/* A message on the results socket: a RESULT or a TAKEN. */
void sink_on_result(struct sink *s, struct msg *m);
/* The record of a lease that gets no page: rule fields null; closes it. */
void sink_error_record(struct sink *s, struct lease *ls, int err);

/* sched.c */
/* Dispatch what may start now; returns ms until something else may
 * (a host's turn, a timer), at most max_ms. */
long sched_dispatch(struct sink *s, int64_t now, long max_ms);
/* Every message waiting on the dispatch ROUTER. */
void sched_on_fetchers(struct sink *s);
/* A parser took page id (a TAKEN message). */
void sched_on_taken(struct sink *s, struct msg *m);
/* A lease's record was written: its slot (if still held) freed, closed. */
void sched_done(struct sink *s, struct lease *ls);
/* The same for a record a parser sent (its request went out). */
void sched_result(struct sink *s, struct lease *ls);
/* Timers: due retries, suspects, --lease expiries, silent workers. */
void sched_tick(struct sink *s, int64_t now);
/* The hello channel heard of a worker (hello_event_fn). */
void sched_on_hello(void *arg, const struct hello_proc *p,
                    enum hello_event ev);
/* True when the crawl is over (nothing queued or in flight; when
 * draining, nothing under way). */
bool sched_finished(struct sink *s);
/* Leases under way: fetching, in the stream, being parsed. */
size_t sched_inflight(const struct sink *s);

/* net.c */
int sink_bind(struct sink *s, const char *base);
void sink_broadcast(struct sink *s, const char *cmd);
int sink_run(struct sink *s);
void sink_stop_workers(struct sink *s);
uint64_t sink_streamer_bytes(struct sink *s);
void sink_close(struct sink *s);

#endif
