/* hosts.c: per-origin limits, delays, robots.txt and wait queues. */
#include "common/compat.h"

#include "common/log.h"
#include "common/msg.h"
#include "common/url.h"
#include "common/util.h"
#include "fetcher/hosts.h"
#include "fetcher/job.h"
#include "fetcher/robots.h"

#define HOSTS_BUCKETS 4096
#define ROBOTS_TTL_MS (24LL * 3600 * 1000)   /* RFC 9309: at most 24 h */
#define ROBOTS_RETRY_MS (60LL * 1000)        /* after 5xx/unreachable */
#define ROBOTS_PRODUCT_MAX 128

struct hosts {
    struct host *buckets[HOSTS_BUCKETS]; /* hash table by origin */
    struct host *wait_list;  /* hosts with queued jobs */
    int per_host;            /* concurrent transfers per origin */
    long delay_ms;           /* gap between starts to one origin */
    bool robots;             /* obey robots.txt */
    char product[ROBOTS_PRODUCT_MAX]; /* our robots.txt product token */
    int nwaiting;            /* jobs queued in all hosts */
};

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

struct hosts *hosts_new(int per_host, long delay_ms, const char *robots_ua)
{
    struct hosts *hs = xcalloc(1, sizeof(*hs));

    hs->per_host = per_host;
    hs->delay_ms = delay_ms;
    if (robots_ua) {
        hs->robots = true;
        robots_product(robots_ua, hs->product, sizeof(hs->product));
    }
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
            robots_free(h->robots);
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
    h->rstate = hs->robots ? ROBOTS_UNKNOWN : ROBOTS_READY;
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
    long delay = h->delay_ms > hs->delay_ms ? h->delay_ms : hs->delay_ms;

    h->active++;
    if (delay > 0 && h->next_start_ms < now + delay)
        h->next_start_ms = now + delay;
}

static struct job *robots_job(struct host *h)
{
    struct msg_meta meta;
    char *url = xasprintf("%s/robots.txt", h->name);
    struct job *j;

    memset(&meta, 0, sizeof(meta));
    j = job_new(&meta, url, ROBOTS_MAX_BYTES);
    free(url);
    j->is_robots = true;
    j->host = xstrdup(h->name);
    j->h = h;
    j->started_ms = now_ms();
    h->rstate = ROBOTS_FETCHING;
    return j;
}

/* May a page of h be fetched, by its robots.txt? */
static bool robots_ok(const struct host *h, const struct job *j)
{
    char *pq;
    bool ok;

    if (!h->robots)
        return true;
    pq = url_path_query(j->url);
    ok = robots_allowed(h->robots, pq ? pq : "/");
    free(pq);
    return ok;
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
        if (h->rstate == ROBOTS_READY && hs->robots &&
            now >= h->robots_until_ms)
            h->rstate = ROBOTS_UNKNOWN;
        if (h->rstate == ROBOTS_FETCHING || h->active >= hs->per_host) {
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
        if (h->rstate == ROBOTS_UNKNOWN) {
            j = robots_job(h);
            charge(hs, h, now);
            return j;
        }
        j = h->qhead;
        h->qhead = j->next;
        if (!h->qhead)
            h->qtail = NULL;
        j->next = NULL;
        hs->nwaiting--;
        if (!robots_ok(h, j)) {
            j->denied = true;
            return j;
        }
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

void hosts_robots_done(struct hosts *hs, struct job *j)
{
    struct host *h = j->h;
    long status = j->meta.status;
    int64_t now = now_ms();
    long cd;

    robots_free(h->robots);
    h->robots = NULL;
    h->rstate = ROBOTS_READY;
    h->robots_until_ms = now + ROBOTS_TTL_MS;
    if (status >= 200 && status < 300 && (j->meta.error == ZS_OK ||
                                          j->meta.error == ZS_TOO_LARGE)) {
        h->robots = robots_parse(j->body.data ? j->body.data : "",
                                 j->body.len, hs->product);
    } else if (status >= 400 && status < 500) {
        h->robots = robots_allow_all();
    } else {
        /* 5xx or unreachable: complete disallow for now, ask again later */
        h->robots = robots_disallow_all();
        h->robots_until_ms = now + ROBOTS_RETRY_MS;
        log_warn("robots.txt of %s unavailable (status %ld, %s): "
                 "disallowing for now", h->name, status,
                 zs_err_name(j->meta.error) ? zs_err_name(j->meta.error)
                                            : "no error");
    }
    cd = robots_crawl_delay_ms(h->robots);
    if (cd > 0) {
        h->delay_ms = cd;
        if (h->next_start_ms < now + cd)
            h->next_start_ms = now + cd;
    }
    log_debug("robots.txt of %s: status=%ld crawl_delay_ms=%ld", h->name,
              status, cd);
}

int hosts_waiting(const struct hosts *hs)
{
    return hs->nwaiting;
}
