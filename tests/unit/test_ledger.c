/* test_ledger.c: the sink's ledger: seen set, FIFO frontier with its
 * spill file, leases in deadline order; and the memory a seen URL costs. */
#include "common/compat.h"

#include <malloc.h>

#include "common/util.h"
#include "sink/ledger.h"
#include "tests/unit/test.h"

#define MILLION 1000000

static void test_seen_and_fifo(void)
{
    struct ledger *l = ledger_new(1 << 20, NULL);
    char *url;
    uint32_t depth;
    uint8_t attempt;

    CHECK_INT(ledger_add(l, "http://a/1", 0), 1);
    CHECK_INT(ledger_add(l, "http://a/2", 1), 1);
    CHECK_INT(ledger_add(l, "http://a/1", 3), 0);
    CHECK(ledger_seen(l, "http://a/2"));
    CHECK(!ledger_seen(l, "http://a/3"));
    CHECK_INT(ledger_mark(l, "http://a/3"), 1);
    CHECK_INT(ledger_add(l, "http://a/3", 0), 0);
    CHECK_INT(ledger_frontier(l), 2);
    CHECK(ledger_pop(l, &url, &depth, &attempt));
    CHECK_STR(url, "http://a/1");
    CHECK_INT(depth, 0);
    ledger_requeue(l, url, depth, 1);
    CHECK(ledger_pop(l, &url, &depth, &attempt));
    CHECK_STR(url, "http://a/1");
    CHECK_INT(attempt, 1);
    free(url);
    CHECK(ledger_pop(l, &url, &depth, &attempt));
    CHECK_STR(url, "http://a/2");
    CHECK_INT(depth, 1);
    free(url);
    CHECK(!ledger_pop(l, &url, &depth, &attempt));
    CHECK_INT(ledger_nseen(l), 3);
    ledger_free(l);
}

/* A tiny budget forces the spill file; order must stay FIFO. */
static void test_spill(void)
{
    struct ledger *l = ledger_new(4096, NULL);
    char buf[64], *url;
    uint32_t depth;
    uint8_t attempt;
    int i, ok = 1, n = 0;

    for (i = 0; i < 20000; i++) {
        snprintf(buf, sizeof(buf), "http://h/%d", i);
        CHECK_INT(ledger_add(l, buf, (uint32_t)(i % 7)), 1);
    }
    CHECK(ledger_spilled(l) > 19000);
    CHECK_INT(ledger_frontier(l), 20000);
    while (ledger_pop(l, &url, &depth, &attempt)) {
        snprintf(buf, sizeof(buf), "http://h/%d", n);
        if (n == 20000)
            CHECK_STR(url, "http://h/late");
        else if (strcmp(url, buf) || depth != (uint32_t)(n % 7))
            ok = 0;
        free(url);
        n++;
        if (n == 10000) {  /* adds while draining go after the rest */
            CHECK_INT(ledger_add(l, "http://h/late", 2), 1);
        }
    }
    CHECK(ok);
    CHECK_INT(n, 20001);
    CHECK_INT(ledger_frontier(l), 0);
    ledger_free(l);
}

static void test_leases(void)
{
    struct ledger *l = ledger_new(1 << 20, NULL);
    struct lease *a, *b, *c;
    char *url;
    uint32_t depth;
    uint8_t attempt;
    uint64_t ida;

    a = ledger_lease(l, xstrdup("http://x/a"), 0, 0, 100);
    b = ledger_lease(l, xstrdup("http://x/b"), 1, 0, 300);
    c = ledger_lease(l, xstrdup("http://x/c"), 2, 0, 200);
    ida = a->id;
    CHECK(a->id != b->id && b->id != c->id);
    CHECK_INT(ledger_inflight(l), 3);
    CHECK(ledger_oldest(l) == a);
    CHECK(ledger_find(l, b->id) == b);
    ledger_close(l, a);
    CHECK(ledger_find(l, ida) == NULL);
    CHECK(ledger_oldest(l) == c);     /* inserted in deadline order */
    ledger_retry(l, c);
    CHECK_INT(ledger_inflight(l), 1);
    CHECK(ledger_pop(l, &url, &depth, &attempt));
    CHECK_STR(url, "http://x/c");
    CHECK_INT(attempt, 1);
    CHECK_INT(depth, 2);
    free(url);
    ledger_free(l);  /* frees b */
}

/* Many leases: rehashing keeps every one findable. */
static void test_many_leases(void)
{
    struct ledger *l = ledger_new(1 << 20, NULL);
    uint64_t ids[5000];
    int i, found = 0;

    for (i = 0; i < 5000; i++)
        ids[i] = ledger_lease(l, xasprintf("http://m/%d", i), 0, 0,
                              i)->id;
    for (i = 0; i < 5000; i++)
        found += ledger_find(l, ids[i]) != NULL;
    CHECK_INT(found, 5000);
    for (i = 0; i < 5000; i += 2)
        ledger_close(l, ledger_find(l, ids[i]));
    CHECK_INT(ledger_inflight(l), 2500);
    CHECK(ledger_find(l, ids[1]) != NULL);
    ledger_free(l);
}

/* The memory figure: heap bytes per seen URL beyond its text,
 * with 1,000,000 synthetic URLs, all dispatched (seen, not queued). */
static void test_memory_per_url(void)
{
    struct ledger *l = ledger_new((size_t)1 << 30, NULL);
    struct mallinfo2 before, after;
    char buf[128];
    size_t text = 0;
    double per_url;
    char *url;
    uint32_t depth;
    uint8_t attempt;
    int i;

    before = mallinfo2();
    before.uordblks += before.hblkhd;
    for (i = 0; i < MILLION; i++) {
        int n = snprintf(buf, sizeof(buf),
                         "https://www.example-%d.com/catalog/item/%d?p=%d",
                         i % 997, i, i % 13);
        text += (size_t)n + 1;
        ledger_add(l, buf, 1);
    }
    after = mallinfo2();
    after.uordblks += after.hblkhd;
    printf("ledger: 1,000,000 queued URLs: %.1f bytes each in all "
           "(text %.1f)\n", (double)(after.uordblks - before.uordblks) /
           MILLION, (double)text / MILLION);
    while (ledger_pop(l, &url, &depth, &attempt))
        free(url);
    after = mallinfo2();
    after.uordblks += after.hblkhd;
    per_url = (double)(after.uordblks - before.uordblks) / MILLION;
    printf("ledger: 1,000,000 seen URLs: %.1f bytes each (the text is not "
           "kept)\n",
           per_url);
    CHECK(per_url < 100.0);
    CHECK_INT(ledger_nseen(l), MILLION);
    ledger_free(l);
}

int main(void)
{
    test_seen_and_fifo();
    test_spill();
    test_leases();
    test_many_leases();
    test_memory_per_url();
    return TEST_DONE();
}
