/* stats.c: counters, the stats file and the progress line. */
#include "common/compat.h"

#include "common/log.h"
#include "common/util.h"
#include "common/hello.h"
#include "common/proxystat.h"
#include "sink/stats.h"

void hist_add(struct hist *h, int64_t ms)
{
    if (ms < 0)
        ms = 0;
    if (ms < HIST_MS)
        h->ms[ms]++;
    else if (ms / 1000 < HIST_S)
        h->s[ms / 1000]++;
    else
        h->s[HIST_S - 1]++;
    h->n++;
}

int64_t hist_quantile(const struct hist *h, double q)
{
    uint64_t want, seen = 0;
    int64_t i;

    if (!h->n)
        return 0;
    want = (uint64_t)(q * (double)h->n);
    if (want >= h->n)
        want = h->n - 1;
    for (i = 0; i < HIST_MS; i++) {
        seen += h->ms[i];
        if (seen > want)
            return i;
    }
    for (i = 0; i < HIST_S; i++) {
        seen += h->s[i];
        if (seen > want)
            return i * 1000;
    }
    return (int64_t)HIST_S * 1000;
}

struct stats *stats_new(void)
{
    struct stats *s = xmalloc(sizeof(*s));

    stats_init(s);
    return s;
}

void stats_free(struct stats *s)
{
    free(s);
}

void stats_init(struct stats *s)
{
    memset(s, 0, sizeof(*s));
    s->start_ms = now_ms();
    s->recent_ms = s->start_ms;
}

void stats_count(struct stats *s, const struct msg_meta *m)
{
    s->records++;
    if (m->error == ZS_OK)
        s->ok++;
    if (m->error < ZS_ERR_COUNT)
        s->by_error[m->error]++;
    if (m->status < STATS_STATUS_MAX)
        s->by_status[m->status]++;
    s->bytes += m->bytes;
    if (m->status)
        hist_add(&s->fetch, m->elapsed_ms);
}

void stats_timings(struct stats *s, const struct msg_meta *m)
{
    hist_add(&s->fetch_wait, m->fetch_wait_ms);
    hist_add(&s->parse_wait, m->parse_wait_ms);
    if (m->error == ZS_OK || m->error == ZS_PARSE_LIMIT)
        hist_add(&s->parse, m->parse_ms);
}

/* "NAME": {"p50": A, "p90": B, "p99": C} */
static void put_quantiles(FILE *f, const char *name, const struct hist *h,
                          const char *after)
{
    fprintf(f, "\"%s\": {\"p50\": %lld, \"p90\": %lld, \"p99\": %lld}%s",
            name, (long long)hist_quantile(h, 0.5),
            (long long)hist_quantile(h, 0.9),
            (long long)hist_quantile(h, 0.99), after);
}

/* The fetchers' per-proxy counters, summed by proxy (proxystat.h). */
static void put_proxies(FILE *f, const struct hello_procs *procs)
{
    struct proxystats t;
    size_t i;

    proxystats_init(&t);
    for (i = 0; i < procs->n; i++)
        if (!strcmp(procs->v[i].role, "fetcher"))
            proxystats_add_report(&t, procs->v[i].counters);
    proxystats_json(&t, f, 4);
    proxystats_release(&t);
}

int stats_write(const struct stats *s, const char *path, size_t inflight,
                size_t queued, size_t seen, const struct hello_procs *procs,
                const char *hosts)
{
    double wall = (double)(now_ms() - s->start_ms) / 1000.0;
    FILE *f = fopen(path, "w");
    const char *sep = "";
    int i;

    if (!f)
        return error("cannot write stats '%s': %s", path, strerror(errno));
    fprintf(f, "{\n  \"records\": %llu,\n  \"ok\": %llu,\n  \"errors\": %llu,"
            "\n", (unsigned long long)s->records, (unsigned long long)s->ok,
            (unsigned long long)(s->records - s->ok));
    fprintf(f, "  \"by_status\": {");
    for (i = 0; i < STATS_STATUS_MAX; i++) {
        if (!s->by_status[i])
            continue;
        fprintf(f, "%s\"%d\": %llu", sep, i,
                (unsigned long long)s->by_status[i]);
        sep = ", ";
    }
    fprintf(f, "},\n  \"by_error\": {");
    sep = "";
    for (i = 1; i < ZS_ERR_COUNT; i++) {
        if (!s->by_error[i])
            continue;
        fprintf(f, "%s\"%s\": %llu", sep, zs_err_name(i),
                (unsigned long long)s->by_error[i]);
        sep = ", ";
    }
    fprintf(f, "},\n  \"bytes\": %llu,\n  \"dispatched\": %llu,\n"
            "  \"redispatched\": %llu,\n  \"workers_gone\": %llu,\n"
            "  \"late_duplicates\": %llu,\n"
            "  \"links_seen\": %llu,\n  \"links_queued\": %llu,\n"
            "  \"seen_urls\": %zu,\n  \"in_flight_at_end\": %zu,\n"
            "  \"queued_at_end\": %zu,\n  \"peak_in_flight\": %llu,\n"
            "  \"refused_frames\": %llu,\n"
            "  \"fetch_ms\": {\"p50\": %lld, \"p90\": %lld, \"p99\": %lld},\n"
            "  \"turnaround_ms\": {\"p50\": %lld, \"p90\": %lld, "
            "\"p99\": %lld},\n"
            "  \"wall_s\": %.3f,\n  \"pages_per_s\": %.1f,\n",
            (unsigned long long)s->bytes, (unsigned long long)s->dispatched,
            (unsigned long long)s->redispatched,
            (unsigned long long)s->workers_gone,
            (unsigned long long)s->late,
            (unsigned long long)s->links_seen,
            (unsigned long long)s->links_queued, seen, inflight, queued,
            (unsigned long long)s->peak_inflight,
            (unsigned long long)msg_refused,
            (long long)hist_quantile(&s->fetch, 0.5),
            (long long)hist_quantile(&s->fetch, 0.9),
            (long long)hist_quantile(&s->fetch, 0.99),
            (long long)hist_quantile(&s->turnaround, 0.5),
            (long long)hist_quantile(&s->turnaround, 0.9),
            (long long)hist_quantile(&s->turnaround, 0.99), wall,
            wall > 0 ? (double)s->records / wall : 0.0);
    fputs("  ", f);
    put_quantiles(f, "parse_ms", &s->parse, ",\n  \"queue_ms\": {");
    put_quantiles(f, "fetcher", &s->fetch_wait, ", ");
    put_quantiles(f, "parser", &s->parse_wait, "},\n");
    /* what crossed the sink's sockets, frames' payload (ZMTP and TCP/IP
     * headers not counted) */
    fprintf(f, "  \"wire\": {\"dispatch_bytes\": %llu, \"pages_bytes\": "
            "%llu, \"results_bytes\": %llu, \"bytes_per_page\": %.0f},\n",
            (unsigned long long)s->dispatch_bytes,
            (unsigned long long)s->pages_bytes,
            (unsigned long long)s->results_bytes,
            s->records ? (double)(s->dispatch_bytes + 2 * s->pages_bytes +
                                  s->results_bytes) / (double)s->records
            : 0.0);
    fprintf(f, "  \"retries\": %llu,\n  \"proxy_retries\": %llu,\n"
            "  \"proxies\": ",
            (unsigned long long)hello_procs_sum(procs, "retries"),
            (unsigned long long)hello_procs_sum(procs, "proxy_retries"));
    put_proxies(f, procs);
    if (hosts)
        fprintf(f, ",\n  \"hosts\": %s", hosts);
    fputs(",\n  \"processes\": ", f);
    hello_procs_json(procs, f);
    fputs("\n}\n", f);
    if (fclose(f) != 0)
        return error("cannot write stats '%s': %s", path, strerror(errno));
    return 0;
}

/* one or many */
static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

void stats_summary(const struct stats *s, const struct hello_procs *procs,
                   FILE *f)
{
    double wall = (double)(now_ms() - s->start_ms) / 1000.0;
    uint64_t retries;
    size_t i, nfetch = 0, nparse = 0;
    const char *sep = " (";
    int e;

    for (i = 0; i < procs->n; i++) {
        nfetch += !strcmp(procs->v[i].role, "fetcher");
        nparse += !strcmp(procs->v[i].role, "parser");
    }
    fprintf(f, "zscrape: %llu %s in %.1f s (%.0f/s), %.1f MB; %llu ok, "
            "%llu %s", (unsigned long long)s->records,
            plural(s->records, "page", "pages"), wall,
            wall > 0 ? (double)s->records / wall : 0.0,
            (double)s->bytes / 1e6, (unsigned long long)s->ok,
            (unsigned long long)(s->records - s->ok),
            plural(s->records - s->ok, "error", "errors"));
    for (e = 1; e < ZS_ERR_COUNT; e++) {
        if (!s->by_error[e])
            continue;
        fprintf(f, "%s%s %llu", sep, zs_err_name(e),
                (unsigned long long)s->by_error[e]);
        sep = ", ";
    }
    fprintf(f, "%s\n", *sep == ',' ? ")" : "");
    retries = hello_procs_sum(procs, "retries");
    fprintf(f, "zscrape: fetch p50 %lld ms, p99 %lld ms; parse p50 %lld ms, "
            "p99 %lld ms; %llu %s, %llu redispatched; %zu %s, "
            "%zu %s reported\n",
            (long long)hist_quantile(&s->fetch, 0.5),
            (long long)hist_quantile(&s->fetch, 0.99),
            (long long)hist_quantile(&s->parse, 0.5),
            (long long)hist_quantile(&s->parse, 0.99),
            (unsigned long long)retries, plural(retries, "retry", "retries"),
            (unsigned long long)s->redispatched, nfetch,
            plural(nfetch, "fetcher", "fetchers"), nparse,
            plural(nparse, "parser", "parsers"));
}

static void fmt_secs(char *out, size_t n, double secs)
{
    long t = (long)secs;

    if (t >= 3600)
        snprintf(out, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else
        snprintf(out, n, "%ldm%02lds", t / 60, t % 60);
}

/* The stats whose progress line is on the terminal (one a process). */
static struct stats *progress_on;

/* Before a log line or a message: erase the progress line (redrawn at
 * the next tick). */
static void progress_erase(void)
{
    if (progress_on && progress_on->progress_shown) {
        fputs("\r\033[K", stderr);
        progress_on->progress_shown = false;
    }
}

void stats_progress(struct stats *s, const struct progress_counts *c)
{
    size_t seen = c->seen;
    int64_t now = now_ms();
    double el = (double)(now - s->start_ms) / 1000.0;
    double dt = (double)(now - s->recent_ms) / 1000.0;
    double overall = el > 0 ? (double)s->records / el : 0;
    char elapsed[48], eta[64] = "";

    if (dt >= 1.0) {
        double r = (double)(s->records - s->recent_records) / dt;
        s->recent_rate = s->recent_ms == s->start_ms ? r
                         : 0.5 * s->recent_rate + 0.5 * r;
        s->recent_records = s->records;
        s->recent_ms = now;
    }
    fmt_secs(elapsed, sizeof(elapsed), el);
    if (s->recent_rate > 0.1 && seen > s->records) {
        char t[48];
        fmt_secs(t, sizeof(t), (double)(seen - s->records) / s->recent_rate);
        snprintf(eta, sizeof(eta), " eta %s", t);
    }
    if (s->recent_ms == s->start_ms)
        s->recent_rate = overall;   /* the first second: no window yet */
    fprintf(stderr, "\r\033[K%llu/%zu %s  %.0f/s (avg %.0f/s)  "
            "%zu in flight  %zu queued  hosts %zu active %zu waiting  "
            "%llu %s  %.1f MB  %s%s",
            (unsigned long long)s->records, seen, seen == 1 ? "page" : "pages",
            s->recent_rate, overall, c->inflight, c->queued,
            c->hosts_active, c->hosts_waiting,
            (unsigned long long)(s->records - s->ok),
            s->records - s->ok == 1 ? "error" : "errors",
            (double)s->bytes / 1e6, elapsed, eta);
    fflush(stderr);
    s->progress_shown = true;
    if (progress_on != s) {
        progress_on = s;
        log_set_before_line(progress_erase);
    }
}

void stats_progress_clear(struct stats *s)
{
    if (s->progress_shown && s->records_tty) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        s->progress_shown = false;
    }
}

void stats_progress_records_tty(struct stats *s, bool on)
{
    s->records_tty = on;
}
