/* hosts.h: per-origin limits in one fetcher, a safety net: the sink
 * schedules the crawl's politeness (--per-host, --delay, robots.txt) for
 * every fetcher together and sends a URL only when its host may start, so
 * these limits (the same --per-host and --delay) hold only if it did not.
 * Jobs that cannot start yet wait in their origin's FIFO; other origins
 * go on. */
#ifndef ZS_HOSTS_H
#define ZS_HOSTS_H

#include "common/compat.h"

struct job;

struct host {
    char *name;             /* origin "scheme://host:port" (owned) */
    int active;             /* transfers running now */
    int64_t next_start_ms;  /* earliest monotonic time of the next start */
    struct job *qhead;      /* jobs waiting, FIFO */
    struct job *qtail;      /* last waiting job */
    struct host *bucket_next; /* hash chain */
    struct host *wait_next;   /* link in the list of hosts with waiters */
    bool waiting;           /* on the wait list */
    int multi;              /* multi handle of its last transfer, or -1 */
};

struct hosts;

struct hosts *hosts_new(int per_host, long delay_ms);
void hosts_free(struct hosts *hs);

/* Queue job behind its origin (sets j->h and j->host). */
void hosts_enqueue(struct hosts *hs, struct job *j);
/* Next job to start now, or NULL; *wait_ms gets the time until a waiting
 * job could start (or -1).  The returned job's host is charged: active++
 * and the delay clock starts. */
struct job *hosts_next(struct hosts *hs, int64_t now, long *wait_ms);
/* A transfer of j's host ended. */
void hosts_done(struct hosts *hs, struct job *j);
/* Number of jobs waiting in all queues. */
int hosts_waiting(const struct hosts *hs);

#endif
