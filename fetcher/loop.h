/* loop.h: the fetcher's event loop: one epoll wait (fetcher/events.h)
 * over the transfers' sockets, the ZeroMQ sockets' ZMQ_FDs and the signal
 * pipe; curl_multi_socket_action runs the transfers that woke. */
#ifndef ZS_FETCH_LOOP_H
#define ZS_FETCH_LOOP_H

#include "common/compat.h"

#include <curl/curl.h>

#include "fetcher/job.h"
#include "fetcher/proxies.h"

struct events;
struct hello_reply;
struct hosts;

struct fetcher {
    void *ctx;              /* the ZeroMQ context */
    void *dispatch;         /* DEALER: URLs from the sink, and what
                             * became of them back to it (msg.h) */
    void *pages;            /* PUSH: pages to the parsers' streamer */
    void *control;          /* SUB: stop from the sink */
    struct events *ev;      /* the multi handles and the epoll set */
    struct hosts *hosts;    /* per-host limits and waiting jobs */
    struct fetch_conf conf; /* per-transfer settings */
    int concurrency;        /* most jobs held at once */
    int held;               /* jobs held: waiting, running, parked, out */
    int offered;            /* credit the sink has not used yet */
    int running;            /* transfers in the multi handle */
    struct job *running_list; /* jobs in the multi handle */
    struct job *retries;    /* robots.txt jobs waiting for their retry */
    struct job *parked;     /* jobs whose retry waits for the sink's GO */
    struct job *out_head;   /* finished jobs the pages socket refused */
    struct job *out_tail;   /* last of them */
    uint64_t fetched;       /* pages sent */
    uint64_t bytes;         /* their body bytes */
    uint64_t nretries;      /* attempts after a first one */
    uint64_t nproxy_retries;/* attempts again after a proxy failure */
    struct proxies proxies; /* the --proxies rotation and its counters */
    const struct hello_reply *hello; /* for the counter reports */
    int64_t last_report_ms; /* when they were last sent */
    bool report_cut;        /* some proxies' counters did not fit */
    struct msg_ctl ctl;     /* what the control socket said */
};

/* Run until stopped (control "stop", a signal, or the sink wants us to
 * rejoin: f->ctl.rejoin).  0 on a clean stop. */
int fetcher_run(struct fetcher *f);
/* Report the counters to the sink (final: the last report). */
void fetcher_report(struct fetcher *f, bool final);

#endif
