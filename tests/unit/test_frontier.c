/* test_frontier.c: the sink's host-aware frontier: origins, per-host
 * FIFOs, the heap of hosts whose turn it is (round robin, --per-host,
 * --delay, Crawl-delay), leases before new URLs, the spill file in order
 * per host, freezing at --max-pages; and the memory a host and a queued
 * URL cost.  ZS_FRONTIER_BIG=1 also queues 10,000,000 URLs over
 * 1,000,000 hosts under a 256 MB budget (make bench). */
#include "common/compat.h"

#include <malloc.h>

#include "common/robots.h"
#include "common/util.h"
#include "sink/frontier.h"
#include "sink/ledger.h"
#include "tests/unit/test.h"

static struct frontier *mk(size_t budget, int per_host, long delay)
{
    struct frontier_conf c;

    memset(&c, 0, sizeof(c));
    c.ram_budget = budget;
    c.per_host = per_host;
    c.delay_ms = delay;
    return frontier_new(&c);
}

static void test_origin(void)
{
    struct frontier *f = mk(1 << 20, 1, 0);
    struct host *a = frontier_host(f, "http://a.example/x?y#z");
    size_t len, skip;

    CHECK_STR(a->origin, "http://a.example");
    CHECK(frontier_host(f, "http://a.example") == a);
    CHECK(frontier_host(f, "http://u:p@a.example/q") == a);
    CHECK(frontier_host(f, "http://a.example?q=1") == a);
    CHECK(frontier_host(f, "https://a.example/") != a);
    CHECK_STR(frontier_host(f, "http://a.example:8080/")->origin,
              "http://a.example:8080");
    CHECK_STR(frontier_host(f, "http://x@y@b.example#f")->origin,
              "http://b.example");
    CHECK(frontier_host(f, "http:///nohost") == NULL);
    CHECK(frontier_host(f, "no-scheme") == NULL);
    CHECK_INT(frontier_origin("http://h:1/p", &len, &skip), 0);
    CHECK_INT(len, 10);
    CHECK_INT(skip, 0);
    CHECK_INT(frontier_nhosts(f), 4);
    frontier_free(f);
}

/* Take the next URL of the host whose turn it is; its transfer starts. */
static char *next_url(struct frontier *f, int64_t now, struct host **hp)
{
    struct lease *ls;
    char *url;
    uint32_t depth;
    long wait;
    struct host *h = frontier_next(f, now, &wait);

    if (!h || !frontier_take(f, h, &ls, &url, &depth, now))
        return NULL;
    frontier_charge(f, h, now);
    if (hp)
        *hp = h;
    return url;
}

static void test_turns(void)
{
    struct frontier *f = mk(1 << 20, 1, 0);
    struct host *ha, *h;
    char *u;
    long wait;

    CHECK_INT(frontier_push(f, "http://a/1", 0, 0), 0);
    CHECK_INT(frontier_push(f, "http://a/2", 1, 0), 0);
    CHECK_INT(frontier_push(f, "http://b/1", 0, 0), 0);
    CHECK_INT(frontier_push(f, "http://c/1", 0, 0), 0);
    CHECK_INT(frontier_push(f, "nohost", 0, 0), -1);
    CHECK_INT(frontier_queued(f), 4);
    u = next_url(f, 0, &ha);
    CHECK_STR(u, "http://a/1");
    free(u);
    /* a has its one slot in use: the others go */
    u = next_url(f, 0, &h);
    CHECK_STR(u, "http://b/1");
    free(u);
    frontier_release(f, h, false);
    u = next_url(f, 0, NULL);
    CHECK_STR(u, "http://c/1");
    free(u);
    CHECK(frontier_next(f, 0, &wait) == NULL);
    CHECK_INT(wait, -1);
    CHECK_INT(frontier_waiting(f, 0), 1);   /* a, for its slot */
    CHECK_INT(frontier_active(f), 2);       /* a and c */
    frontier_release(f, ha, false);
    u = next_url(f, 0, NULL);
    CHECK_STR(u, "http://a/2");
    free(u);
    CHECK_INT(frontier_queued(f), 0);
    frontier_free(f);
}

static void test_delay(void)
{
    struct frontier *f = mk(1 << 20, 2, 1000);
    struct host *h;
    struct robots *r;
    char *u;
    long wait;

    frontier_push(f, "http://a/1", 0, 0);
    frontier_push(f, "http://a/2", 0, 0);
    frontier_push(f, "http://a/3", 0, 0);
    u = next_url(f, 0, &h);
    free(u);
    /* with a delay, the next waits until this one's request leaves */
    CHECK(frontier_next(f, 5000, &wait) == NULL);
    CHECK_INT(wait, -1);
    frontier_sent(f, h, 10);
    CHECK(frontier_next(f, 1009, &wait) == NULL);
    CHECK_INT(wait, 1);
    CHECK_INT(frontier_waiting(f, 1009), 1);
    u = next_url(f, 1010, NULL);
    CHECK_STR(u, "http://a/2");
    free(u);
    frontier_sent(f, h, 1010);
    /* two running: per-host 2 holds even when the delay has passed */
    CHECK(frontier_next(f, 5000, &wait) == NULL);
    frontier_release(f, h, true);
    /* a Crawl-delay longer than --delay wins */
    r = robots_parse("User-agent: *\nCrawl-delay: 3\n", 29, "zscrape");
    frontier_robots(f, h, r, 0, 1000000, 2000);
    CHECK(frontier_next(f, 4999, &wait) == NULL);
    CHECK_INT(wait, 1);
    u = next_url(f, 5000, NULL);
    CHECK_STR(u, "http://a/3");
    free(u);
    CHECK_INT(h->next_start_ms, 8000);
    /* a transfer that ends without sending a request frees the wait */
    frontier_release(f, h, false);
    CHECK_INT(h->unsent, 0);
    frontier_free(f);
}

/* One host with 100,000 URLs and 1,000 hosts with one: each small host
 * gets its turn within the first two rounds. */
static void test_fairness(void)
{
    struct frontier *f = mk((size_t)64 << 20, 1, 0);
    char buf[64];
    int i, small = 0, n;

    for (i = 0; i < 100000; i++) {
        snprintf(buf, sizeof(buf), "http://big/%d", i);
        frontier_push(f, buf, 0, 0);
    }
    for (i = 0; i < 1000; i++) {
        snprintf(buf, sizeof(buf), "http://small%d/", i);
        frontier_push(f, buf, 0, 0);
    }
    for (n = 0; n < 2002 && small < 1000; n++) {
        struct host *h;
        char *u = next_url(f, n, &h);
        if (!u)
            break;
        small += strncmp(u, "http://big/", 11) != 0;
        frontier_release(f, h, false);     /* an instant transfer */
        free(u);
    }
    CHECK_INT(small, 1000);
    CHECK(n <= 2001);
    frontier_free(f);
}

static void test_leases_first_and_freeze(void)
{
    struct frontier *f = mk(1 << 20, 4, 0);
    struct lease ls;
    struct lease *got;
    struct host *h;
    char *url;
    uint32_t depth;
    long wait;
    char again[] = "http://a/again";

    frontier_push(f, "http://a/new", 0, 0);
    memset(&ls, 0, sizeof(ls));
    ls.url = again;
    ls.host = frontier_host(f, ls.url);
    frontier_requeue(f, &ls);
    CHECK_INT(frontier_queued(f), 2);
    frontier_unqueue(f, &ls);
    CHECK_INT(frontier_queued(f), 1);
    frontier_requeue(f, &ls);
    CHECK(frontier_peek(ls.host) == &ls);
    h = frontier_next(f, 0, &wait);
    CHECK(frontier_take(f, h, &got, &url, &depth, 0));
    CHECK(got == &ls);
    CHECK(url == NULL);
    frontier_update(f, h);
    /* frozen: the new URL stays, only leases go out */
    frontier_freeze(f);
    CHECK(frontier_next(f, 0, &wait) == NULL);
    frontier_requeue(f, &ls);
    CHECK(frontier_next(f, 0, &wait) == h);
    CHECK(frontier_take(f, h, &got, &url, &depth, 0));
    CHECK(got == &ls);
    CHECK(!frontier_take(f, h, &got, &url, &depth, 0));
    CHECK_INT(frontier_queued(f), 1);
    frontier_free(f);
}

/* A tiny budget: most URLs go to the spill file, each host's in order,
 * the hosts interleaved. */
static void test_spill(void)
{
    struct frontier *f = mk(4096, 3, 0);
    char buf[64];
    int i, ok = 1, got[3] = { 0, 0, 0 }, n = 0;

    for (i = 0; i < 30000; i++) {
        snprintf(buf, sizeof(buf), "http://h%d/%d", i % 3, i / 3);
        if (frontier_push(f, buf, (uint32_t)(i % 7), 0) < 0)
            ok = 0;
    }
    CHECK(frontier_spilled(f) > 29000);
    CHECK_INT(frontier_queued(f), 30000);
    for (;;) {
        struct host *h;
        char *u = next_url(f, 0, &h);
        int k;
        if (!u)
            break;
        k = u[8] - '0';
        snprintf(buf, sizeof(buf), "http://h%d/%d", k, got[k]);
        if (!strcmp(u, "http://h1/late"))
            CHECK_INT(got[1], 10000);   /* after all of its host's */
        else if (strcmp(u, buf))
            ok = 0;
        got[k]++;
        n++;
        free(u);
        frontier_release(f, h, false);
        if (n == 15000)     /* added while draining: after the rest */
            frontier_push(f, "http://h1/late", 0, 0);
    }
    CHECK(ok);
    CHECK_INT(n, 30001);
    CHECK_INT(frontier_spilled(f), 0);
    CHECK_INT(frontier_queued(f), 0);
    frontier_free(f);
}

static size_t heap_bytes(void)
{
    struct mallinfo2 m = mallinfo2();

    return m.uordblks + m.hblkhd;
}

/* Bytes a host and a queued URL cost in memory (malloc's own count). */
static void test_memory(void)
{
    int nhosts = 200000, per = 5, i, j;
    struct frontier *f = mk((size_t)1 << 30, 8, 0);
    size_t before = heap_bytes(), mid, after, text = 0;
    char buf[128];

    for (i = 0; i < nhosts; i++) {
        snprintf(buf, sizeof(buf), "https://www.example-%d.com/", i);
        frontier_host(f, buf);
    }
    mid = heap_bytes();
    for (j = 0; j < per; j++)
        for (i = 0; i < nhosts; i++) {
            int n = snprintf(buf, sizeof(buf),
                             "https://www.example-%d.com/catalog/item/%d?p=%d",
                             i, j, i % 13);
            text += (size_t)n + 1;
            frontier_push(f, buf, 1, 0);
        }
    after = heap_bytes();
    printf("frontier: %d hosts: %.1f bytes each (origin text included)\n",
           nhosts, (double)(mid - before) / nhosts);
    printf("ledger: 1,000,000 queued URLs: %.1f bytes each in all "
           "(text %.1f)\n", (double)(after - mid) / (nhosts * per),
           (double)text / (nhosts * per));
    CHECK((double)(mid - before) / nhosts < 300.0);
    CHECK((double)(after - mid) / (nhosts * per) < 120.0);
    frontier_free(f);
}

/* The big case (ZS_FRONTIER_BIG=1): 10,000,000 URLs over 1,000,000
 * hosts, 256 MB budget: memory stays near the budget, the rest spills. */
static void test_big(void)
{
    struct frontier *f;
    size_t before = heap_bytes(), after;
    char buf[128];
    int i, j, hosts = 1000000, per = 10;
    int64_t t0 = now_ms();

    f = mk((size_t)256 << 20, 8, 0);
    for (j = 0; j < per; j++)
        for (i = 0; i < hosts; i++) {
            snprintf(buf, sizeof(buf),
                     "https://www.example-%d.com/catalog/item/%d?p=%d", i, j,
                     i % 13);
            if (frontier_push(f, buf, 1, 0) < 0) {
                CHECK(0);
                goto out;
            }
        }
    after = heap_bytes();
    printf("frontier: 10,000,000 URLs queued on 1,000,000 hosts, 256 MB "
           "budget: %.0f MB in memory (%.1f bytes a host with its queue), "
           "%zu spilled, %.1f s\n", (double)(after - before) / 1e6,
           (double)(after - before) / hosts, frontier_spilled(f),
           (double)(now_ms() - t0) / 1000.0);
    CHECK(after - before < (size_t)600 << 20);
out:
    frontier_free(f);
}

int main(void)
{
    test_origin();
    test_turns();
    test_delay();
    test_fairness();
    test_leases_first_and_freeze();
    test_spill();
    test_memory();
    if (getenv("ZS_FRONTIER_BIG"))
        test_big();
    return TEST_DONE();
}
