/* hosts.c: per-origin limits, delays and wait queues (hosts.h). */
#include "common/compat.h"

#include "common/log.h"
#include "common/msg.h"
#include "common/url.h"
#include "common/util.h"
#include "fetcher/hosts.h"
#include "fetcher/job.h"

#define HOSTS_BUCKETS 4096

struct hosts {
    struct host *buckets[HOSTS_BUCKETS]; /* hash table by origin */
    struct host *wait_list;  /* hosts with queued jobs */
    int per_host;            /* concurrent transfers per origin */
    long delay_ms;           /* gap between starts to one origin */
    int nwaiting;            /* jobs queued in all hosts */
};

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

struct hosts *hosts_new(int per_host, long delay_ms)
{
    struct hosts *hs = xcalloc(1, sizeof(*hs));

    hs->per_host = per_host;
    hs->delay_ms = delay_ms;
    return hs;
}

void hosts_free(struct hosts *hs)
{
    size_t i;

    if (!hs)
        return;
    for (i = 0; i < HOSTS_BUCKETS; i++) {
        struct host *h = hs->buckets[i], *next;
        for (; h; h = next) {
            struct job *j = h->qhead, *jn;
            next = h->bucket_next;
            for (; j; j = jn) {
                jn = j->next;
                job_free(j);
            }
            free(h->name);
            free(h);
        }
    }
    free(hs);
}

static struct host *host_get(struct hosts *hs, const char *name)
{
    uint32_t b = hash_str(name) % HOSTS_BUCKETS;
    struct host *h;

    for (h = hs->buckets[b]; h; h = h->bucket_next)
        if (!strcmp(h->name, name))
            return h;
    h = xcalloc(1, sizeof(*h));
    h->name = xstrdup(name);
    h->multi = -1;
    h->bucket_next = hs->buckets[b];
    hs->buckets[b] = h;
    return h;
}

void hosts_enqueue(struct hosts *hs, struct job *j)
{
    struct host *h;

    if (!j->host) {
        j->host = url_origin(j->url);
        if (!j->host)
            j->host = xstrdup("");
    }
    h = host_get(hs, j->host);
    j->h = h;
    j->next = NULL;
    if (h->qtail)
        h->qtail->next = j;
    else
        h->qhead = j;
    h->qtail = j;
    hs->nwaiting++;
    if (!h->waiting) {
        h->waiting = true;
        h->wait_next = hs->wait_list;
        hs->wait_list = h;
    }
}

static void charge(struct hosts *hs, struct host *h, int64_t now)
{
    h->active++;
    if (hs->delay_ms > 0 && h->next_start_ms < now + hs->delay_ms)
        h->next_start_ms = now + hs->delay_ms;
}

struct job *hosts_next(struct hosts *hs, int64_t now, long *wait_ms)
{
    struct host **pp = &hs->wait_list, *h;

    *wait_ms = -1;
    while ((h = *pp)) {
        struct job *j;
        if (!h->qhead) {
            h->waiting = false;
            *pp = h->wait_next;
            continue;
        }
        if (h->active >= hs->per_host) {
            pp = &h->wait_next;
            continue;
        }
        if (h->next_start_ms > now) {
            long w = (long)(h->next_start_ms - now);
            if (*wait_ms < 0 || w < *wait_ms)
                *wait_ms = w;
            pp = &h->wait_next;
            continue;
        }
        j = h->qhead;
        h->qhead = j->next;
        if (!h->qhead)
            h->qtail = NULL;
        j->next = NULL;
        hs->nwaiting--;
        charge(hs, h, now);
        return j;
    }
    return NULL;
}

void hosts_done(struct hosts *hs, struct job *j)
{
    (void)hs;
    if (j->h && j->h->active > 0)
        j->h->active--;
}

int hosts_waiting(const struct hosts *hs)
{
    return hs->nwaiting;
}
