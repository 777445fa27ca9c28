/* test_proxies.c: fetcher/proxies.c (the rotation and its bench) and
 * common/proxystat.c (labels, the report entries, the sink's sums). */
#include "common/compat.h"

#include "common/log.h"
#include "common/proxystat.h"
#include "fetcher/proxies.h"
#include "tests/unit/test.h"

static void test_label(void)
{
    char *l;

    CHECK_STR(l = proxystat_label("http://127.0.0.1:8888"),
              "http://127.0.0.1:8888");
    free(l);
    CHECK_STR(l = proxystat_label("http://127.0.0.1:8888/"),
              "http://127.0.0.1:8888");
    free(l);
    CHECK_STR(l = proxystat_label("socks5h://al:p@ss@proxy.example:1080/"),
              "socks5h://proxy.example:1080");
    free(l);
    CHECK_STR(l = proxystat_label("HTTP://u:pw@[::1]:3128"),
              "HTTP://[::1]:3128");
    free(l);
    CHECK_STR(l = proxystat_label("http://u@h"), "http://h");
    free(l);
}

static void test_report(void)
{
    static char la[] = "http://127.0.0.1:8888";
    static char lodd[] = "http://h:1 ,=%\xc3\xa9";
    struct proxystat a = { la, 10, 7, 3, 1 };
    struct proxystat odd = { lodd, 1, 0, 1, 0 };
    struct proxystats t;
    struct buf b, tiny;

    buf_init(&b, 4096);
    buf_addstr(&b, "fetched=3 retries=0");
    CHECK_INT(proxystat_encode(&b, &a), 0);
    CHECK_STR(b.data, "fetched=3 retries=0 proxy=http://127.0.0.1:8888,"
              "10,7,3,1");
    CHECK_INT(proxystat_encode(&b, &odd), 0);
    CHECK(strstr(b.data, " proxy=http://h:1%20%2C%3D%25%C3%A9,1,0,1,0"));
    proxystats_init(&t);
    CHECK_INT(proxystats_add_report(&t, b.data), 2);
    /* a second fetcher's report adds to the same proxy */
    CHECK_INT(proxystats_add_report(&t, "proxy=http://127.0.0.1:8888,"
              "5,5,0,0 held=2"), 1);
    CHECK_INT(t.n, 2);
    CHECK_STR(t.v[0].label, "http://127.0.0.1:8888");
    CHECK_INT(t.v[0].requests, 15);
    CHECK_INT(t.v[0].ok, 12);
    CHECK_INT(t.v[0].failures, 3);
    CHECK_INT(t.v[0].benched, 1);
    CHECK_STR(t.v[1].label, odd.label);
    /* malformed entries are skipped, the rest still counts */
    CHECK_INT(proxystats_add_report(&t, "proxy=http://x,1,2,3 "
              "proxy=http://x,1,2,3,4,5 proxy=,1,1,1,1 proxy=a%2,1,1,1,1 "
              "proxy=a%00b,1,1,1,1 proxy=a b,1,1,1,1 proxy=http://x,-1,1,1,1 "
              "proxy=http://y,1,1,0,0"), 1);
    CHECK_INT(t.n, 3);
    CHECK_STR(t.v[2].label, "http://y");
    proxystats_release(&t);
    CHECK_INT(t.n, 0);
    /* all or nothing at the cap */
    buf_init(&tiny, 20);
    buf_addstr(&tiny, "held=1");
    CHECK_INT(proxystat_encode(&tiny, &a), -1);
    CHECK_STR(tiny.data, "held=1");
    buf_release(&tiny);
    buf_release(&b);
}

static char url_a[] = "http://a:1", url_b[] = "http://b:2",
            url_c[] = "http://c:3";
static char *urls[] = { url_a, url_b, url_c, NULL };

static void test_rotation(void)
{
    struct proxies ps;
    int64_t now = 1000;

    proxies_init(&ps, urls, 3);
    CHECK_INT(proxies_pick(&ps, -1, now), 0);
    CHECK_INT(proxies_pick(&ps, -1, now), 1);
    CHECK_INT(proxies_pick(&ps, -1, now), 2);
    CHECK_INT(proxies_pick(&ps, -1, now), 0);
    /* not the last one's proxy again: its turn is skipped */
    CHECK_INT(proxies_pick(&ps, 1, now), 2);
    CHECK_INT(ps.v[0].st.requests, 2);
    CHECK_INT(ps.v[1].st.requests, 1);
    CHECK_INT(ps.v[2].st.requests, 2);
    proxies_release(&ps);

    proxies_init(&ps, urls, 1);
    /* one proxy: its last is the only choice */
    CHECK_INT(proxies_pick(&ps, 0, now), 0);
    CHECK_INT(proxies_pick(&ps, 0, now), 0);
    proxies_release(&ps);

    proxies_init(&ps, urls, 0);
    CHECK_INT(proxies_pick(&ps, -1, now), -1);
    proxies_release(&ps);
}

/* Pick until want comes (at most one round); returns the last pick. */
static long pick_until(struct proxies *ps, long want, int64_t now)
{
    long got = -1;
    size_t k;

    for (k = 0; k < ps->n && got != want; k++)
        got = proxies_pick(ps, -1, now);
    return got;
}

static void test_bench(void)
{
    struct proxies ps;
    int64_t now = 1000;
    int i;

    proxies_init(&ps, urls, 3);
    /* two failures, an answer: the count starts over */
    proxies_count(&ps, 1, PROXY_FAILED, "x", now);
    proxies_count(&ps, 1, PROXY_FAILED, "x", now);
    proxies_count(&ps, 1, PROXY_ANSWERED, NULL, now);
    proxies_count(&ps, 1, PROXY_FAILED, "x", now);
    proxies_count(&ps, 1, PROXY_OTHER, "x", now);  /* neither */
    proxies_count(&ps, 1, PROXY_FAILED, "x", now);
    CHECK_INT(ps.v[1].bench_until_ms, 0);
    proxies_count(&ps, 1, PROXY_FAILED, "x", now);
    CHECK_INT(ps.v[1].bench_until_ms, now + PROXIES_BENCH_MS);
    CHECK_INT(ps.v[1].st.benched, 1);
    CHECK_INT(ps.v[1].st.failures, 5);
    CHECK_INT(ps.v[1].st.ok, 1);
    /* failures of transfers under way do not bench it again */
    proxies_count(&ps, 1, PROXY_FAILED, "x", now);
    CHECK_INT(ps.v[1].st.benched, 1);
    CHECK_INT(ps.v[1].bench_until_ms, now + PROXIES_BENCH_MS);
    /* skipped while benched */
    for (i = 0; i < 6; i++)
        CHECK(proxies_pick(&ps, -1, now + i) != 1);
    /* all benched: the one whose bench ends first, not the last one's */
    now += 10;
    for (i = 0; i < 3; i++)
        proxies_count(&ps, 0, PROXY_FAILED, "x", now);
    now += 10;
    for (i = 0; i < 3; i++)
        proxies_count(&ps, 2, PROXY_FAILED, "x", now);
    CHECK_INT(proxies_pick(&ps, -1, now), 1);
    CHECK_INT(proxies_pick(&ps, 1, now), 0);
    CHECK_INT(proxies_pick(&ps, 0, now), 1);
    /* its bench over: back in the rotation, on probation */
    now = 1000 + PROXIES_BENCH_MS;
    CHECK_INT(proxies_pick(&ps, -1, now), 1);
    CHECK_INT(ps.v[1].bench_until_ms, 0);
    proxies_count(&ps, 1, PROXY_FAILED, "x", now);
    CHECK_INT(ps.v[1].st.benched, 2);
    CHECK_INT(ps.v[1].bench_until_ms, now + 2 * PROXIES_BENCH_MS);
    /* doubling up to the cap (the others' benches are over by now) */
    for (i = 0; i < 10; i++) {
        now = ps.v[1].bench_until_ms;
        CHECK_INT(pick_until(&ps, 1, now), 1);
        proxies_count(&ps, 1, PROXY_FAILED, "x", now);
    }
    CHECK_INT(ps.v[1].bench_until_ms, now + PROXIES_BENCH_MAX_MS);
    CHECK_INT(ps.v[1].st.benched, 12);
    /* an answer after a bench: the next bench is the first length */
    now = ps.v[1].bench_until_ms;
    CHECK_INT(pick_until(&ps, 1, now), 1);
    proxies_count(&ps, 1, PROXY_ANSWERED, NULL, now);
    for (i = 0; i < 3; i++)
        proxies_count(&ps, 1, PROXY_FAILED, "x", now);
    CHECK_INT(ps.v[1].bench_until_ms, now + PROXIES_BENCH_MS);
    proxies_release(&ps);
}

static void test_outcome(void)
{
    CURL *e = curl_easy_init();

    CHECK(e != NULL);
    if (!e)
        return;
    CHECK_INT(proxies_outcome(e, CURLE_COULDNT_RESOLVE_PROXY), PROXY_FAILED);
    CHECK_INT(proxies_outcome(e, CURLE_COULDNT_CONNECT), PROXY_FAILED);
    CHECK_INT(proxies_outcome(e, CURLE_OPERATION_TIMEDOUT), PROXY_FAILED);
    CHECK_INT(proxies_outcome(e, CURLE_COULDNT_RESOLVE_HOST), PROXY_OTHER);
    CHECK_INT(proxies_outcome(e, CURLE_RECV_ERROR), PROXY_OTHER);
    curl_easy_cleanup(e);
}

int main(void)
{
    log_init("test", LOG_ERROR);
    test_label();
    test_report();
    test_rotation();
    test_bench();
    test_outcome();
    return TEST_DONE();
}
