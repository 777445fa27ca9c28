/* hosts.h: per-host politeness in one fetcher: at most per_host transfers
 * at once and at least delay_ms between two starts to one host.  Jobs that
 * cannot start yet wait in their host's FIFO; other hosts go on. */
#ifndef ZS_HOSTS_H
#define ZS_HOSTS_H

#include "common/compat.h"

struct job;

struct host {
    char *name;             /* lower-case host name (owned) */
    int active;             /* transfers running now */
    int64_t next_start_ms;  /* earliest monotonic time of the next start */
    struct job *qhead;      /* jobs waiting, FIFO */
    struct job *qtail;      /* last waiting job */
    struct host *bucket_next; /* hash chain */
    struct host *wait_next;   /* link in the list of hosts with waiters */
    bool waiting;           /* on the wait list */
};

struct hosts;

struct hosts *hosts_new(int per_host, long delay_ms);
void hosts_free(struct hosts *hs);

/* Queue job behind its host (sets j->h and j->host). */
void hosts_enqueue(struct hosts *hs, struct job *j);
/* Next job allowed to start now, or NULL; *wait_ms gets the time until a
 * waiting job could start (or -1 when none waits for time).  The job's
 * host is charged: active++ and the delay clock starts. */
struct job *hosts_next(struct hosts *hs, int64_t now, long *wait_ms);
/* A transfer of j's host ended. */
void hosts_done(struct hosts *hs, struct job *j);
/* Number of jobs waiting in all queues. */
int hosts_waiting(const struct hosts *hs);
/* Raise one host's delay (robots.txt Crawl-delay). */
void hosts_set_delay(struct hosts *hs, const char *host, long delay_ms);

#endif
