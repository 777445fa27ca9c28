/* hosts.h: per-origin politeness in one fetcher: at most per_host
 * transfers at once, at least a delay between two starts (--delay, raised
 * by robots.txt Crawl-delay), and robots.txt fetched once before the
 * first page and obeyed.  Jobs that cannot start yet wait in their
 * origin's FIFO; other origins go on. */
#ifndef ZS_HOSTS_H
#define ZS_HOSTS_H

#include "common/compat.h"

struct job;
struct robots;

enum robots_state {
    ROBOTS_UNKNOWN,         /* not fetched yet (or expired) */
    ROBOTS_FETCHING,        /* robots.txt transfer under way */
    ROBOTS_READY,           /* rules known (or not used) */
};

struct host {
    char *name;             /* origin "scheme://host:port" (owned) */
    int active;             /* transfers running now */
    int64_t next_start_ms;  /* earliest monotonic time of the next start */
    long delay_ms;          /* this origin's gap (Crawl-delay), 0 = none */
    enum robots_state rstate; /* robots.txt progress */
    struct robots *robots;  /* the rules once ready (owned) */
    int64_t robots_until_ms;/* refetch robots.txt after this */
    struct job *qhead;      /* jobs waiting, FIFO */
    struct job *qtail;      /* last waiting job */
    struct host *bucket_next; /* hash chain */
    struct host *wait_next;   /* link in the list of hosts with waiters */
    bool waiting;           /* on the wait list */
    int multi;              /* multi handle of its last transfer, or -1 */
};

struct hosts;

/* robots_ua: our User-Agent (robots.txt groups match its product token),
 * or NULL to ignore robots.txt. */
struct hosts *hosts_new(int per_host, long delay_ms, const char *robots_ua);
void hosts_free(struct hosts *hs);

/* Queue job behind its origin (sets j->h and j->host). */
void hosts_enqueue(struct hosts *hs, struct job *j);
/* Next job to start now, or NULL; *wait_ms gets the time until a waiting
 * job could start (or -1).  A returned job is one of: a page to fetch (its
 * host is charged: active++ and the delay clock starts), a robots.txt
 * fetch (j->is_robots, also charged), or a page robots.txt disallows
 * (j->denied; not charged: finish it without a request). */
struct job *hosts_next(struct hosts *hs, int64_t now, long *wait_ms);
/* A transfer of j's host ended (pages and robots.txt alike). */
void hosts_done(struct hosts *hs, struct job *j);
/* A robots.txt job finished (after its retries): learn the rules from its
 * status and body.  Does not free the job. */
void hosts_robots_done(struct hosts *hs, struct job *j);
/* Number of jobs waiting in all queues. */
int hosts_waiting(const struct hosts *hs);

#endif
