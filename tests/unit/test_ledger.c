/* test_ledger.c: the sink's ledger: the seen set, leases by id and stage,
 * the deadline and timer lists; and the memory a seen URL costs. */
#include "common/compat.h"

#include <malloc.h>

#include "common/util.h"
#include "sink/ledger.h"
#include "tests/unit/test.h"

#define MILLION 1000000

static void test_seen(void)
{
    struct ledger *l = ledger_new(1);

    CHECK_INT(ledger_mark(l, "http://a/1"), 1);
    CHECK_INT(ledger_mark(l, "http://a/2"), 1);
    CHECK_INT(ledger_mark(l, "http://a/1"), 0);
    CHECK(ledger_seen(l, "http://a/2"));
    CHECK(!ledger_seen(l, "http://a/3"));
    CHECK_INT(ledger_nseen(l), 2);
    ledger_free(l);
}

static void test_leases(void)
{
    struct ledger *l = ledger_new(1000);
    struct lease *a, *b, *c;
    uint64_t ida;

    a = ledger_lease(l, xstrdup("http://x/a"), 0);
    b = ledger_lease(l, xstrdup("http://x/b"), 1);
    c = ledger_lease(l, xstrdup("http://x/c"), 2);
    ida = a->id;
    CHECK_INT(a->id, 1000);     /* ids start at the base given */
    CHECK(a->id != b->id && b->id != c->id);
    CHECK_INT(ledger_leases(l), 3);
    CHECK_INT(ledger_count(l, LS_QUEUED), 3);
    ledger_stage(l, a, LS_FETCHING, 5);
    ledger_stage(l, b, LS_STREAM, 6);
    CHECK_INT(ledger_count(l, LS_QUEUED), 1);
    CHECK_INT(ledger_count(l, LS_FETCHING), 1);
    CHECK_INT(a->stage_ms, 5);
    /* deadlines in order, whatever the order of arming */
    ledger_arm(l, a, 100);
    ledger_arm(l, b, 300);
    ledger_arm(l, c, 200);
    CHECK(ledger_oldest(l) == a);
    CHECK(ledger_find(l, b->id) == b);
    ledger_close(l, a);     /* off the lists too */
    CHECK(ledger_find(l, ida) == NULL);
    CHECK(ledger_oldest(l) == c);
    CHECK_INT(ledger_count(l, LS_FETCHING), 0);
    ledger_disarm(l, c);
    ledger_disarm(l, c);    /* twice: a no-op */
    CHECK(ledger_oldest(l) == b);
    ledger_arm(l, b, 50);   /* again: moved, not doubled */
    CHECK(ledger_oldest(l) == b);
    ledger_disarm(l, b);
    CHECK(ledger_oldest(l) == NULL);
    /* timers: due first first; a suspect flag goes with the timer */
    ledger_timer_add(l, b, 70);
    ledger_timer_add(l, c, 60);
    c->suspect = true;
    CHECK(ledger_timer_first(l) == c);
    ledger_timer_del(l, c);
    CHECK(!c->suspect);
    CHECK(ledger_timer_first(l) == b);
    ledger_timer_add(l, c, 80);
    ledger_close(l, b);
    CHECK(ledger_timer_first(l) == c);
    ledger_free(l);  /* frees c */
}

static void count_lease(void *arg, struct lease *ls)
{
    (void)ls;
    (*(int *)arg)++;
}

/* Many leases: rehashing keeps every one findable. */
static void test_many_leases(void)
{
    struct ledger *l = ledger_new(1);
    uint64_t ids[5000];
    int i, found = 0, n = 0;

    for (i = 0; i < 5000; i++)
        ids[i] = ledger_lease(l, xasprintf("http://m/%d", i), 0)->id;
    for (i = 0; i < 5000; i++)
        found += ledger_find(l, ids[i]) != NULL;
    CHECK_INT(found, 5000);
    for (i = 0; i < 5000; i += 2)
        ledger_close(l, ledger_find(l, ids[i]));
    CHECK_INT(ledger_leases(l), 2500);
    CHECK(ledger_find(l, ids[1]) != NULL);
    ledger_each(l, count_lease, &n);
    CHECK_INT(n, 2500);
    ledger_free(l);
}

/* The memory figure: heap bytes per seen URL, with 1,000,000
 * synthetic URLs (the text is not kept). */
static void test_memory_per_url(void)
{
    struct ledger *l = ledger_new(1);
    struct mallinfo2 before, after;
    char buf[128];
    double per_url;
    int i;

    before = mallinfo2();
    before.uordblks += before.hblkhd;
    for (i = 0; i < MILLION; i++) {
        snprintf(buf, sizeof(buf),
                 "https://www.example-%d.com/catalog/item/%d?p=%d",
                 i % 997, i, i % 13);
        ledger_mark(l, buf);
    }
    after = mallinfo2();
    after.uordblks += after.hblkhd;
    per_url = (double)(after.uordblks - before.uordblks) / MILLION;
    printf("ledger: 1,000,000 seen URLs: %.1f bytes each (the text is not "
           "kept)\n", per_url);
    CHECK(per_url < 40.0);
    CHECK_INT(ledger_nseen(l), MILLION);
    ledger_free(l);
}

int main(void)
{
    test_seen();
    test_leases();
    test_many_leases();
    test_memory_per_url();
    return TEST_DONE();
}
