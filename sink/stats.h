/* stats.h: the sink's counters, the --stats JSON file and the one-line
 * progress display (only on a terminal). */
#ifndef ZS_STATS_H
#define ZS_STATS_H

#include "common/compat.h"

#include "common/msg.h"

#define STATS_STATUS_MAX 600
#define HIST_MS 10000       /* 1 ms buckets below 10 s */
#define HIST_S 3600         /* then 1 s buckets up to an hour */

/* Latency histogram: exact to the millisecond below 10 s. */
struct hist {
    uint64_t ms[HIST_MS];   /* samples of k ms */
    uint64_t s[HIST_S];     /* samples of k s (k >= 10) */
    uint64_t n;             /* samples in all */
};

void hist_add(struct hist *h, int64_t ms);
/* The q-quantile (0..1) in ms; 0 without samples. */
int64_t hist_quantile(const struct hist *h, double q);

struct stats {
    int64_t start_ms;           /* monotonic start */
    uint64_t records;           /* records written */
    uint64_t ok;                /* records with error null */
    uint64_t by_error[ZS_ERR_COUNT]; /* records by error code */
    uint64_t by_status[STATS_STATUS_MAX]; /* records by HTTP status */
    uint64_t bytes;             /* body bytes of all records */
    uint64_t dispatched;        /* dispatch messages sent */
    uint64_t redispatched;      /* URLs dispatched again (a worker went, a
                                 * lease ran out) */
    uint64_t workers_gone;      /* workers the sink saw go */
    uint64_t late;              /* results without a lease (dropped) */
    uint64_t links_seen;        /* links reported by parsers */
    uint64_t links_queued;      /* of them, new and in scope */
    uint64_t peak_inflight;     /* highest in-flight count */
    uint64_t dispatch_bytes;    /* wire: dispatch messages out */
    uint64_t pages_bytes;       /* wire: pages through the streamer */
    uint64_t results_bytes;     /* wire: result messages in */
    uint64_t recent_records;    /* records at the last progress tick */
    int64_t recent_ms;          /* time of the last progress tick */
    double recent_rate;         /* pages/s over the last ticks */
    bool progress_shown;        /* a progress line is on the terminal */
    bool records_tty;           /* records go to that terminal too */
    struct hist fetch;          /* fetch time (all attempts) per page */
    struct hist turnaround;     /* dispatch to result, per URL */
    struct hist fetch_wait;     /* in the fetcher before its transfer */
    struct hist parse_wait;     /* fetched to parse start */
    struct hist parse;          /* decode, parse, extract per page */
};

/* Heap-allocate with stats_new(); the histograms are large. */
struct stats *stats_new(void);
void stats_free(struct stats *s);
void stats_init(struct stats *s);
void stats_count(struct stats *s, const struct msg_meta *m);
/* The timings of a result that came back from a parser. */
void stats_timings(struct stats *s, const struct msg_meta *m);
struct hello_procs;

/* Write the JSON stats file (procs: the workers' last reports; hosts:
 * the "hosts" object's JSON text, or NULL); -1 on IO error. */
int stats_write(const struct stats *s, const char *path, size_t inflight,
                size_t queued, size_t seen, const struct hello_procs *procs,
                const char *hosts);
/* A few lines for a human: pages, rate, errors, latencies, workers. */
void stats_summary(const struct stats *s, const struct hello_procs *procs,
                   FILE *f);
/* What the progress line shows besides the counters. */
struct progress_counts {
    size_t inflight;        /* URLs under way */
    size_t queued;          /* URLs waiting in the frontier */
    size_t seen;            /* distinct URLs seen */
    size_t hosts;           /* hosts seen */
    size_t hosts_active;    /* hosts with a transfer under way */
    size_t hosts_waiting;   /* hosts with URLs waiting their turn */
};

/* Redraw the progress line on stderr. */
void stats_progress(struct stats *s, const struct progress_counts *c);
/* A record is about to be written: erase the progress line when the
 * records go to the same terminal (stats_progress_records_tty); records
 * going to a file leave it up.  Log lines and say() erase it themselves
 * (log_set_before_line). */
void stats_progress_clear(struct stats *s);
/* Whether records go to the progress line's terminal (default no). */
void stats_progress_records_tty(struct stats *s, bool on);

#endif
