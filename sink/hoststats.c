/* hoststats.c: the --stats file's per-host figures (hoststats.h). */
#include "common/compat.h"

#include "sink/frontier.h"
#include "sink/hoststats.h"

/* A top list: the HOSTSTATS_TOP hosts of the largest key, largest first. */
struct top {
    const struct host *h[HOSTSTATS_TOP];
    uint64_t key[HOSTSTATS_TOP];
    int n;
};

struct scan {
    struct top queued;      /* by URLs queued */
    struct top waits;       /* by the longest wait of a URL */
};

static void top_add(struct top *t, const struct host *h, uint64_t key)
{
    int i;

    if (!key || (t->n == HOSTSTATS_TOP && key <= t->key[t->n - 1]))
        return;
    if (t->n < HOSTSTATS_TOP)
        t->n++;
    for (i = t->n - 1; i > 0 && t->key[i - 1] < key; i--) {
        t->h[i] = t->h[i - 1];
        t->key[i] = t->key[i - 1];
    }
    t->h[i] = h;
    t->key[i] = key;
}

static uint64_t host_queued(const struct host *h)
{
    return (uint64_t)h->nram + h->nspill + h->nlq;
}

static void on_host(void *arg, const struct host *h)
{
    struct scan *sc = arg;

    top_add(&sc->queued, h, host_queued(h));
    top_add(&sc->waits, h, h->wait_max_ms);
}

static void put_top(struct buf *out, const char *name, const struct top *t)
{
    int i;

    buf_printf(out, ", \"%s\": [", name);
    for (i = 0; i < t->n; i++) {
        const struct host *h = t->h[i];
        buf_addstr(out, i ? ", {\"host\": " : "{\"host\": ");
        buf_json_str(out, h->origin, strlen(h->origin));
        buf_printf(out, ", \"queued\": %llu, \"dispatched\": %llu, "
                   "\"active\": %d, \"wait_max_ms\": %u, "
                   "\"wait_avg_ms\": %.0f}",
                   (unsigned long long)host_queued(h),
                   (unsigned long long)h->dispatched, h->active,
                   h->wait_max_ms, h->dispatched ? (double)h->wait_sum_ms /
                   (double)h->dispatched : 0.0);
    }
    buf_addstr(out, "]");
}

void hoststats_json(const struct frontier *f, int64_t now,
                    uint64_t robots_fetched, struct buf *out)
{
    struct scan sc;

    memset(&sc, 0, sizeof(sc));
    frontier_each(f, on_host, &sc);
    buf_printf(out, "{\"seen\": %zu, \"active\": %zu, \"waiting\": %zu, "
               "\"queued\": %zu, \"spilled\": %zu, \"robots_fetched\": %llu, "
               "\"frontier_ram_bytes\": %zu", frontier_nhosts(f),
               frontier_active(f), frontier_waiting(f, now),
               frontier_queued(f), frontier_spilled(f),
               (unsigned long long)robots_fetched, frontier_ram(f));
    put_top(out, "longest_queues", &sc.queued);
    put_top(out, "longest_waits", &sc.waits);
    buf_addstr(out, "}");
}
