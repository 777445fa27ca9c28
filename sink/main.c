/* main.c: zscrape-sink: options, seeds, the bind points (dispatch,
 * results, control, and the pages streamer thread), then the loop that
 * dispatches within a window, writes records, expands the frontier and
 * detects the end. */
#include "common/compat.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "common/curve.h"
#include "common/fetchopt.h"
#include "common/hello.h"
#include "common/log.h"
#include "common/opt.h"
#include "common/msg.h"
#include "common/sig.h"
#include "common/suggest.h"
#include "common/url.h"
#include "common/util.h"
#include "common/zsock.h"
#include "parser/extract.h"
#include "parser/rules.h"
#include "sink/endnote.h"
#include "sink/journal.h"
#include "sink/ledger.h"
#include "sink/outpaths.h"
#include "sink/reqseed.h"
#include "sink/resume.h"
#include "sink/scope.h"
#include "sink/seeds.h"
#include "sink/statefile.h"
#include "sink/stats.h"
#include "sink/validators.h"
#include "sink/writer.h"

#define SINK_POLL_MS 250
#define SINK_FLUSH_MS 1000
#define SINK_PROGRESS_MS 250
#define SINK_RESULTS_BATCH 1024
#define SINK_DISPATCH_HWM 64
#define SINK_PAGES_HWM 32
#define SINK_RESULTS_HWM 1024
#define SINK_STOP_REPEAT 5
#define SINK_MAX_ATTEMPTS 3
#define SINK_STEER_EP "inproc://zscrape-steer"
#define SINK_HELLO_HWM 256
#define SINK_REPORT_WAIT_MS 1000
#define SINK_STOP_GAP_MS 40

static const char usage[] =
"usage: zscrape-sink --bind ADDR [options] [URL ...]\n"
"\n"
"Owns the crawl: the seeds, the frontier, the in-flight leases and the\n"
"output.  Binds ADDR (tcp://HOST:PORT uses PORT..PORT+5, ipc://PATH uses\n"
"PATH.*) for fetchers and parsers to join with --coordinator ADDR; each\n"
"gets the crawl's rules and settings from here when it joins.\n"
"\n"
"  --bind ADDR          where to listen (required)\n"
"  --curve-keys DIR     CURVE: encrypt every tcp socket and admit only the\n"
"                       worker keys of DIR (zscrape keygen DIR)\n"
"  --keygen DIR         make DIR with new CURVE keys, then exit\n"
"  --seeds FILE         seed URLs, one a line ('-' = stdin); a line that\n"
"                       starts with '{' is a request seed: JSON with url,\n"
"                       method, headers, body|json|form (README)\n"
"  --rules FILE         extraction rules, handed to every parser\n"
"  -o, --output FILE    output file (default stdout)\n"
"  --format F           jsonl|csv|sqlite (default: from the extension:\n"
"                       .csv, .db/.sqlite, else jsonl)\n"
"  --depth N            follow links N levels from the seeds (default 0)\n"
"  --scope S            host|domain|prefix|any (default host)\n"
"  --max-pages N        stop dispatching after N pages\n"
"  --window N           most URLs in flight at once (default 1024)\n"
"  --lease S            seconds before an unanswered URL is sent again\n"
"                       (default 300)\n"
"  --grace S            on SIGINT/SIGTERM, wait up to S seconds for\n"
"                       in-flight pages (default 30)\n"
"  --frontier-ram MB    queued URLs past this go to a spill file\n"
"                       (default 256)\n"
"  --state DIR          journal for pause/resume: rerun with the same DIR\n"
"                       (and output) to resume; DIR remembers -o, --depth,\n"
"                       --scope, --rules and the seeds: a rerun with others\n"
"                       is refused (exit 2)\n"
"  --force-resume       resume even when those differ (a warning says how)\n"
"  --recrawl            with --state: crawl again from the seeds and the\n"
"                       stored URLs into a new output, asking for each page\n"
"                       only if it changed since its stored ETag and\n"
"                       Last-Modified (304: status 304, rule fields null)\n"
"  --sync P             always|interval|never: how often the journal is\n"
"                       synced to disk (default interval, 1 s)\n"
"  --stats FILE         final statistics as JSON\n"
"  --summary            a short human summary on stderr at the end\n"
"  --fail-on-errors     exit 3 when a record is an error record or an\n"
"                       interrupted crawl left URLs (default: exit 0)\n"
"\n"
"Handed to every fetcher that joins (its own flags override them):\n"
"  --concurrency N      transfers per fetcher (default 256)\n"
"  --per-host N         transfers per host per fetcher (default 8)\n"
"  --delay MS           minimum gap between requests to one host (0)\n"
"  --timeout S          seconds per request attempt (default 30)\n"
"  --retries N          retries on connect errors, 429, 5xx (default 2)\n"
"  --user-agent S       User-Agent header\n"
"  --proxy URL          proxy for every request\n"
"  --proxies FILE       proxy URLs, one a line, used in turn; a failing\n"
"                       one is benched for a while, never all for good\n"
"                       (see zscrape-fetcher --help); --stats counts per\n"
"                       proxy\n"
"  --insecure           do not verify TLS certificates (logged once here)\n"
"  --cacert FILE        CA certificates (PEM) to verify TLS servers with\n"
"  --cert FILE          TLS client certificate (PEM)\n"
"  --key FILE           its private key (PEM)\n"
"  --http1.1            no HTTP/2 (default: HTTP/2 over TLS when offered)\n"
"  --header 'Name: value'  an extra request header (repeatable)\n"
"  --auth HOST=USER:PASS  basic auth for HOST only (repeatable)\n"
"  --cookies FILE       cookie jar (Netscape format; created when missing):\n"
"                       each fetcher loads it at start, saves it at exit\n"
"  --warc FILE          every fetcher appends each response and its\n"
"                       request to FILE as WARC 1.1 records (gzip)\n"
"  --robots on|off      obey robots.txt (default: on when --depth > 0)\n"
"  --max-bytes N        decoded body cap (default 10485760; parsers too)\n"
"Handed to every parser that joins:\n"
"  --parse-timeout S    a page parsing longer is error parse_limit (5)\n"
"  --max-depth N        a page nesting deeper is error parse_limit\n"
"                       (default 10000)\n"
"\n"
"  -q, --quiet          no progress line (shown only on a terminal)\n"
"  --log-level L        error|warn|info|debug (default info)\n"
"  --log-json           log lines as JSON objects\n"
"  -h, --help           this text     -V, --version   the version\n";

enum { O_BIND = 256, O_SEEDS, O_RULES, O_FORMAT, O_DEPTH, O_SCOPE, O_MAXP,
       O_WINDOW, O_LEASE, O_GRACE, O_STATS, O_LOGLEVEL, O_LOGJSON,
       O_FRONTIER, O_STATE, O_SYNC, O_SUMMARY, O_RECRAWL,
       /* handed to parsers; the fetchers' are fetchopt.h's */
       O_PTIMEOUT, O_MAXDEPTH };
enum { O_CURVE = 512, O_KEYGEN, O_FORCE_RESUME, O_FAIL_ON_ERRORS };

static const struct option longopts[] = {
    { "bind", required_argument, NULL, O_BIND },
    { "curve-keys", required_argument, NULL, O_CURVE },
    { "keygen", required_argument, NULL, O_KEYGEN },
    { "seeds", required_argument, NULL, O_SEEDS },
    { "rules", required_argument, NULL, O_RULES },
    { "output", required_argument, NULL, 'o' },
    { "format", required_argument, NULL, O_FORMAT },
    { "depth", required_argument, NULL, O_DEPTH },
    { "scope", required_argument, NULL, O_SCOPE },
    { "max-pages", required_argument, NULL, O_MAXP },
    { "window", required_argument, NULL, O_WINDOW },
    { "lease", required_argument, NULL, O_LEASE },
    { "grace", required_argument, NULL, O_GRACE },
    { "frontier-ram", required_argument, NULL, O_FRONTIER },
    { "state", required_argument, NULL, O_STATE },
    { "sync", required_argument, NULL, O_SYNC },
    { "recrawl", no_argument, NULL, O_RECRAWL },
    { "force-resume", no_argument, NULL, O_FORCE_RESUME },
    { "fail-on-errors", no_argument, NULL, O_FAIL_ON_ERRORS },
    { "stats", required_argument, NULL, O_STATS },
    { "quiet", no_argument, NULL, 'q' },
    { "summary", no_argument, NULL, O_SUMMARY },
    { "log-level", required_argument, NULL, O_LOGLEVEL },
    { "log-json", no_argument, NULL, O_LOGJSON },
    FETCHOPT_LIST(FETCHOPT_LONGOPT)
    { "parse-timeout", required_argument, NULL, O_PTIMEOUT },
    { "max-depth", required_argument, NULL, O_MAXDEPTH },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};


struct sink {
    void *ctx;              /* ZeroMQ context */
    void *dispatch;         /* PUSH: URLs to fetchers */
    void *results;          /* PULL: records from parsers */
    void *control;          /* PUB: stop to everyone */
    void *hello;            /* ROUTER: settings to joining workers */
    struct hello_offer offer; /* what they get */
    struct hello_procs procs; /* what they reported */
    void *steer;            /* PAIR: terminates the streamer */
    void *steer_peer;       /* its other end, in the streamer thread */
    void *pages_in;         /* streamer PULL (owned by its thread) */
    void *pages_out;        /* streamer PUSH (owned by its thread) */
    pthread_t streamer;     /* runs zmq_proxy_steerable */
    struct ledger *ledger;  /* seen, frontier, leases */
    struct scope *scope;    /* which links to follow */
    struct reqtab *reqs;    /* request seeds by key */
    struct writer *out;     /* the output */
    struct journal *journal;/* --state, or NULL */
    struct validators *validators; /* --state: stored ETag, Last-Modified */
    struct validators *prior; /* --recrawl: the last crawl's, as loaded at
                               * start: only these go out as conditions */
    struct rules *rules;    /* field names (NULL: default rules) */
    struct extract_out nulls; /* the fields of an error record */
    struct stats *stp;      /* counters (heap: big histograms) */
    long depth;             /* --depth */
    long max_pages;         /* --max-pages, 0 = no limit */
    long window;            /* --window */
    int64_t lease_ms;       /* --lease */
    int64_t grace_ms;       /* --grace */
    uint64_t dispatched_new;/* distinct URLs dispatched */
    int sync;               /* --sync policy */
    bool progress;          /* draw the progress line */
    bool draining;          /* stop signal seen: no more dispatch */
    bool recrawl;           /* --recrawl: conditional requests */
    int64_t drain_until;    /* give up on in-flight after this */
};

/* A fetcher's option given to the sink (fetchopt.h): check it here, so a
 * bad value stops the crawl before it starts, and keep it for the hello.
 * Returns false when code is not one. */
static bool take_fetch_opt(struct hello_offer *o, int code, const char *val)
{
    int id = fetchopt_of_code(code);
    char opt[32];

    if (id < 0)
        return false;
    fetchopt_take((enum fetchopt_id)id, val);
    snprintf(opt, sizeof(opt), "--%s", fetchopt_name((enum fetchopt_id)id));
    hello_offer_add(o, HELLO_FETCHER, opt,
                    fetchopt_kind((enum fetchopt_id)id) == FO_FLAG ? NULL
                    : val);
    if (id == FO_MAXB)          /* the parsers' cap too */
        hello_offer_add(o, HELLO_PARSER, opt, val);
    return true;
}

/* Queue url unless seen; journal it when queued.  Returns 1 when queued,
 * 0 when seen before; fatal when the frontier's spill file fails. */
static int queue_url(struct sink *s, const char *url, uint32_t depth)
{
    int rc = ledger_add(s->ledger, url, depth);

    if (rc < 0)
        fatal("cannot queue '%s': the frontier spill file failed", url);
    if (rc == 1 && s->journal && journal_add(s->journal, url, depth) < 0)
        fatal("cannot write the journal");
    return rc;
}

static void on_seed(void *arg, const char *url, struct reqseed *req,
                    const char *line, size_t n)
{
    struct sink *s = arg;

    scope_add_seed(s->scope, req ? req->url : url);
    queue_url(s, url, 0);
    if (req && reqtab_add(s->reqs, req, line, n) < 0)
        fatal("cannot keep the request seeds");
}

/* Resume: a URL with a record in the output is done. */
static void on_done_url(void *arg, const char *url)
{
    struct sink *s = arg;

    if (ledger_mark(s->ledger, url))
        s->dispatched_new++;
}

/* Resume: a URL the old journal queued; still pending unless done. */
static void on_journal_url(void *arg, struct journal *j, const char *url,
                           uint32_t depth)
{
    struct sink *s = arg;
    int rc = ledger_add(s->ledger, url, depth);

    if (rc < 0)
        fatal("cannot queue '%s': the frontier spill file failed", url);
    if (rc == 1 && journal_add(j, url, depth) < 0)
        fatal("cannot write the journal");
}

/* Re-crawl: a URL the last crawl got a record for is crawled again
 * (a 304 yields no links to find it by). */
static void on_stored_url(void *arg, const char *url, uint32_t depth)
{
    struct sink *s = arg;

    if ((long)depth <= s->depth)
        queue_url(s, url, depth);
}

/* Re-crawl: the old journal's URLs are forgotten (the crawl starts
 * again from the seeds). */
static void on_journal_drop(void *arg, struct journal *j, const char *url,
                            uint32_t depth)
{
    (void)arg;
    (void)j;
    (void)url;
    (void)depth;
}

/* ------------------------------------------------------------------ */
/* records                                                             */

static void write_record(struct sink *s, struct record *r)
{
    if (s->progress)
        stats_progress_clear(s->stp);
    if (writer_write(s->out, r) < 0)
        fatal("cannot write the output; stopping");
    if (s->sync == SYNC_ALWAYS && (writer_flush(s->out) < 0 ||
                                   journal_sync(s->journal, true, true) < 0))
        fatal("cannot sync the output; stopping");
    stats_count(s->stp, &r->meta);
}

/* The record of a URL that got no result: rule fields null. */
static void write_error_record(struct sink *s, const struct lease *ls,
                               int err)
{
    struct record r;
    int i;

    memset(&r, 0, sizeof(r));
    r.meta.depth = ls->depth;
    r.meta.error = (uint8_t)err;
    r.meta.fetched_at = wall_ms();
    r.url = ls->url;
    r.final_url = ls->url;
    r.content_type = "";
    for (i = 0; i < s->nulls.nfields && i < RECORD_MAX_FIELDS; i++) {
        r.fields[i].name = s->nulls.fields[i].name;
        r.fields[i].json = s->nulls.fields[i].json.data;
        r.fields[i].json_len = s->nulls.fields[i].json.len;
    }
    r.nfields = i;
    write_record(s, &r);
}

static void follow_links(struct sink *s, const struct lease *ls,
                         const char *p, size_t len)
{
    const char *end = p + len;

    if ((long)ls->depth >= s->depth)
        return;
    while (p < end) {
        const char *z = memchr(p, '\0', (size_t)(end - p));
        size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
        char *raw = xstrndup(p, n), *url;
        const char *why;
        p += n + 1;
        s->stp->links_seen++;
        if (!url_is_http(raw)) {
            free(raw);
            continue;
        }
        url = url_normalize(raw, &why);
        free(raw);
        if (!url)
            continue;
        if (scope_allows(s->scope, url))
            s->stp->links_queued += (uint64_t)queue_url(s, url, ls->depth + 1);
        free(url);
    }
}

/* Store a result's URL, depth and validators: a page's (2xx), a 304's
 * (the stored ones when it sent none), none for an error. */
static void keep_validators(struct sink *s, const struct lease *ls,
                            struct msg *m)
{
    const char *etag = "", *lastmod = "";
    char *old_etag = NULL, *old_lastmod = NULL;
    size_t elen = 0, llen = 0;
    bool ok = m->meta.error == ZS_OK;

    if (!s->validators || reqseed_is_key(ls->url))
        return;     /* a request seed is never sent conditionally */
    if (ok && (m->meta.status == MSG_STATUS_NOT_MODIFIED ||
               (m->meta.status >= 200 && m->meta.status <= 299))) {
        etag = msg_part(m, MSG_RESULT_ETAG, &elen);
        lastmod = msg_part(m, MSG_RESULT_LASTMOD, &llen);
    }
    if (ok && m->meta.status == MSG_STATUS_NOT_MODIFIED && !elen && !llen &&
        validators_get(s->validators, ls->url, &etag, &lastmod)) {
        /* copies: the put may replace the entry they live in */
        etag = old_etag = xstrdup(etag);
        lastmod = old_lastmod = xstrdup(lastmod);
        elen = strlen(etag);
        llen = strlen(lastmod);
    }
    if (validators_put(s->validators, ls->url, ls->depth, etag, elen,
                       lastmod, llen) < 0)
        log_warn("cannot store the validators of '%s'", ls->url);
    free(old_etag);
    free(old_lastmod);
}

static void on_result(struct sink *s, struct msg *m)
{
    struct lease *ls;
    struct record r;
    size_t len, ulen;
    const char *u, *links;
    int i;

    if (m->meta.type != MSG_RESULT) {
        log_warn("unexpected message type %d on results", m->meta.type);
        return;
    }
    s->stp->results_bytes += MSG_HDR_LEN;
    for (i = 0; i < m->nparts; i++)
        s->stp->results_bytes += zmq_msg_size(&m->parts[i]);
    ls = ledger_find(s->ledger, m->meta.id);
    u = msg_part(m, 0, &ulen);
    if (!ls || strlen(ls->url) != ulen || memcmp(ls->url, u, ulen)) {
        s->stp->late++;
        log_debug("dropped late duplicate id=%llu",
                  (unsigned long long)m->meta.id);
        return;
    }
    memset(&r, 0, sizeof(r));
    r.meta = m->meta;
    r.meta.depth = ls->depth;
    hist_add(&s->stp->turnaround, now_ms() - ls->sent_ms);
    stats_timings(s->stp, &m->meta);
    r.url = ls->url;
    r.final_url = msg_part_str(m, 1);
    r.content_type = msg_part_str(m, 2);
    for (i = MSG_RESULT_FIELDS; i < m->nparts && r.nfields < RECORD_MAX_FIELDS;
         i++) {
        const char *f = msg_part(m, i, &len);
        const char *z = memchr(f, '\0', len);
        if (!z)
            continue;
        r.fields[r.nfields].name = f;
        r.fields[r.nfields].json = z + 1;
        r.fields[r.nfields].json_len = len - (size_t)(z - f) - 1;
        r.nfields++;
    }
    /* New links reach the journal before the record reaches the output:
     * a page found done on resume never has links the journal lacks. */
    links = msg_part(m, 3, &len);
    follow_links(s, ls, links, len);
    keep_validators(s, ls, m);
    if (s->journal && journal_commit(s->journal) < 0)
        fatal("cannot write the journal");
    write_record(s, &r);
    free((char *)r.final_url);
    free((char *)r.content_type);
    ledger_close(s->ledger, ls);
}

/* ------------------------------------------------------------------ */
/* dispatch and leases                                                 */

static bool may_dispatch(struct sink *s)
{
    if (s->draining || !ledger_frontier(s->ledger))
        return false;
    if ((long)ledger_inflight(s->ledger) >= s->window)
        return false;
    return true;
}

static void dispatch_some(struct sink *s)
{
    char *url;
    uint32_t depth;
    uint8_t attempt;

    while (may_dispatch(s) &&
           ledger_pop(s->ledger, &url, &depth, &attempt)) {
        struct msg_meta meta;
        struct msg_frame f[6];
        const char *etag, *lastmod;
        const struct reqseed *rq = NULL;
        struct lease *ls;
        int nf = 1, i;
        if (attempt == 0 && s->max_pages &&
            (long)s->dispatched_new >= s->max_pages) {
            ledger_requeue(s->ledger, url, depth, attempt);
            break;
        }
        memset(&meta, 0, sizeof(meta));
        meta.type = MSG_DISPATCH;
        meta.depth = depth;
        meta.attempt = attempt;
        ls = ledger_lease(s->ledger, url, depth, attempt,
                          now_ms() + s->lease_ms);
        meta.id = ls->id;
        ls->sent_ms = now_ms();
        if (reqseed_is_key(url) && !(rq = reqtab_get(s->reqs, url))) {
            /* only when DIR/requests lost it */
            log_error("no request stored for '%s' (give the same seeds, "
                      "or keep the --state folder's 'requests' file)", url);
            write_error_record(s, ls, ZS_BAD_URL);
            ledger_close(s->ledger, ls);
            s->dispatched_new += attempt == 0;
            continue;
        }
        f[0] = (struct msg_frame){ url, strlen(url), NULL, NULL };
        if (rq) {
            /* a request seed: no conditions, its method, headers, body */
            f[nf++] = (struct msg_frame){ "", 0, NULL, NULL };
            f[nf++] = (struct msg_frame){ "", 0, NULL, NULL };
            f[nf++] = (struct msg_frame){ rq->method, strlen(rq->method),
                                          NULL, NULL };
            f[nf++] = (struct msg_frame){ rq->headers ? rq->headers : "",
                                          rq->headers_len, NULL, NULL };
            f[nf++] = (struct msg_frame){ rq->body ? rq->body : "",
                                          rq->body_len, NULL, NULL };
        }
        /* Conditions only in a re-crawl, and only the last crawl's:
         * a URL fetched in this run (or before a crash) whose record did
         * not reach the output must come back whole, never as a 304. */
        else if (s->prior &&
                 validators_get(s->prior, url, &etag, &lastmod)) {
            f[nf++] = (struct msg_frame){ etag, strlen(etag), NULL, NULL };
            f[nf++] = (struct msg_frame){ lastmod, strlen(lastmod), NULL,
                                          NULL };
        }
        if (msg_send(s->dispatch, &meta, f, nf, ZMQ_DONTWAIT) < 0) {
            ls->url = NULL;   /* keep the URL: back to the front */
            ledger_close(s->ledger, ls);
            ledger_requeue(s->ledger, url, depth, attempt);
            if (errno != EAGAIN && errno != EINTR)
                log_error("cannot dispatch: %s", zmq_strerror(errno));
            break;
        }
        s->stp->dispatched++;
        s->stp->dispatch_bytes += MSG_HDR_LEN;
        for (i = 0; i < nf; i++)
            s->stp->dispatch_bytes += f[i].len;
        if (attempt == 0)
            s->dispatched_new++;
        if (ledger_inflight(s->ledger) > s->stp->peak_inflight)
            s->stp->peak_inflight = ledger_inflight(s->ledger);
    }
}

static void expire_leases(struct sink *s, int64_t now)
{
    struct lease *ls;

    while ((ls = ledger_oldest(s->ledger)) && ls->deadline_ms <= now) {
        if (ls->attempt + 1 < SINK_MAX_ATTEMPTS && !s->draining) {
            log_warn("no result in time, dispatching again url='%s' "
                     "attempt=%d", ls->url, ls->attempt + 2);
            ledger_retry(s->ledger, ls);
            s->stp->redispatched++;
        } else {
            log_warn("no result after %d attempts, giving up url='%s'",
                     ls->attempt + 1, ls->url);
            write_error_record(s, ls, ZS_LOST);
            ledger_close(s->ledger, ls);
        }
    }
}

static bool finished(struct sink *s)
{
    if (ledger_inflight(s->ledger))
        return false;
    if (s->draining || !ledger_frontier(s->ledger))
        return true;
    /* only URLs past --max-pages are left */
    return s->max_pages && (long)s->dispatched_new >= s->max_pages;
}

/* ------------------------------------------------------------------ */
/* sockets                                                             */

static void *streamer_main(void *arg)
{
    struct sink *s = arg;

    /* Signals are blocked in this thread (see bind_all); EINTR still
     * restarts the proxy rather than ending it, or pages would stop
     * flowing and the main thread's TERMINATE would wait forever. */
    while (zmq_proxy_steerable(s->pages_in, s->pages_out, NULL,
                               s->steer_peer) < 0 && errno == EINTR)
        ;
    zmq_close(s->pages_in);
    zmq_close(s->pages_out);
    zmq_close(s->steer_peer);
    return NULL;
}

static int bind_all(struct sink *s, const char *base)
{
    static const int kinds[] = { EP_DISPATCH, EP_PAGES_IN, EP_PAGES_OUT,
                                 EP_RESULTS, EP_CONTROL, EP_HELLO };
    void *socks[6];
    size_t i;
    int rc = 0;

    s->dispatch = zsock_new(s->ctx, ZMQ_PUSH, SINK_DISPATCH_HWM);
    s->pages_in = zsock_new(s->ctx, ZMQ_PULL, SINK_PAGES_HWM);
    s->pages_out = zsock_new(s->ctx, ZMQ_PUSH, SINK_PAGES_HWM);
    s->results = zsock_new(s->ctx, ZMQ_PULL, SINK_RESULTS_HWM);
    s->control = zsock_new(s->ctx, ZMQ_PUB, 64);
    s->hello = zsock_new(s->ctx, ZMQ_ROUTER, SINK_HELLO_HWM);
    socks[0] = s->dispatch;
    socks[1] = s->pages_in;
    socks[2] = s->pages_out;
    socks[3] = s->results;
    socks[4] = s->control;
    socks[5] = s->hello;
    for (i = 0; i < ARRAY_SIZE(kinds) && rc == 0; i++) {
        char *ep = zsock_endpoint(base, (enum zs_endpoint)kinds[i]);
        rc = zsock_bind(socks[i], ep);
        free(ep);
    }
    if (rc < 0)
        return -1;
    s->steer = zsock_new(s->ctx, ZMQ_PAIR, 0);
    s->steer_peer = zsock_new(s->ctx, ZMQ_PAIR, 0);
    if (zsock_bind(s->steer, SINK_STEER_EP) < 0 ||
        zsock_connect(s->steer_peer, SINK_STEER_EP) < 0)
        return -1;
    /* The streamer runs with every signal blocked, so SIGINT and
     * SIGTERM reach the main thread's self-pipe, never its poll. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rc = pthread_create(&s->streamer, NULL, streamer_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return error("cannot start the pages streamer");
    return 0;
}

static void broadcast(struct sink *s, const char *cmd)
{
    struct msg_meta meta;
    struct msg_frame f = { cmd, strlen(cmd), NULL, NULL };

    memset(&meta, 0, sizeof(meta));
    meta.type = MSG_CONTROL;
    msg_send(s->control, &meta, &f, 1, ZMQ_DONTWAIT);
}

/* Tell every worker to stop, up to SINK_STOP_REPEAT times (a PUB drops
 * what a slow joiner missed), and wait until every worker heard of has
 * sent its last counter report, which says it stopped; a second at most
 * (a killed worker sends none).  Once there are as many final reports as
 * workers that joined, the repeats are for nobody: it returns then. */
static void stop_workers(struct sink *s)
{
    int64_t start = now_ms(), next = start, now;
    int sent = 0;

    for (;;) {
        now = now_ms();
        if (sent < SINK_STOP_REPEAT && now >= next) {
            broadcast(s, "stop");
            sent++;
            next = now + SINK_STOP_GAP_MS;
        }
        if ((sent == SINK_STOP_REPEAT ||
             (sent > 0 && hello_procs_all_stopped(&s->procs))) &&
            hello_procs_all_final(&s->procs))
            break;
        if (now - start >= SINK_REPORT_WAIT_MS || sig_stop >= 2)
            break;
        zmq_pollitem_t it = { s->hello, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&it, 1, SINK_STOP_GAP_MS / 4) > 0)
            hello_answer(s->hello, &s->offer, &s->procs);
    }
}

/* The bytes the streamer took in (pages from fetchers; as many go out to
 * parsers); 0 when it does not answer within a second. */
static uint64_t streamer_bytes(struct sink *s)
{
    uint64_t v[8];
    int timeout = 1000, i, more = 1;
    size_t sz = sizeof(more);

    zmq_setsockopt(s->steer, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
    if (zmq_send(s->steer, "STATISTICS", 10, ZMQ_DONTWAIT) < 0)
        return 0;
    for (i = 0; i < 8 && more; i++) {
        if (zmq_recv(s->steer, &v[i], sizeof(v[i]), 0) != sizeof(v[i]))
            return 0;
        zmq_getsockopt(s->steer, ZMQ_RCVMORE, &more, &sz);
    }
    return i == 8 ? v[1] : 0;   /* frontend bytes in */
}

static void close_all(struct sink *s)
{
    /* DONTWAIT: should the streamer be gone, a blocking send to its
     * PAIR would wait forever */
    zmq_send(s->steer, "TERMINATE", 9, ZMQ_DONTWAIT);
    /* The proxy forwards with blocking sends: with pages queued and no
     * parser left it never reads TERMINATE.  After a second, shut the
     * context down, which ends every blocking call with ETERM. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    if (pthread_timedjoin_np(s->streamer, NULL, &until) != 0) {
        zmq_ctx_shutdown(s->ctx);
        pthread_join(s->streamer, NULL);
    }
    zmq_close(s->steer);
    zmq_close(s->dispatch);
    zmq_close(s->results);
    zmq_close(s->control);
    zmq_close(s->hello);
    zmq_ctx_term(s->ctx);
}

/* ------------------------------------------------------------------ */
/* the loop                                                            */

static void drain_results(struct sink *s)
{
    int n;

    for (n = 0; n < SINK_RESULTS_BATCH; n++) {
        struct msg m;
        int rc = msg_recv(s->results, &m, ZMQ_DONTWAIT);
        if (rc == -1)
            break;
        if (rc == 0) {
            on_result(s, &m);
            msg_close(&m);
        }
    }
}

static int sink_run(struct sink *s)
{
    int64_t last_flush = now_ms(), last_progress = 0, last_hb = 0;

    for (;;) {
        zmq_pollitem_t items[4];
        int64_t now;
        int n = 0;

        if (sig_stop >= 2) {
            log_warn("second signal: stopping now with %zu in flight",
                     ledger_inflight(s->ledger));
            break;
        }
        if (sig_stop == 1 && !s->draining) {
            s->draining = true;
            s->drain_until = now_ms() + s->grace_ms;
            log_info("signal: no more dispatch, waiting for %zu in flight "
                     "(at most %llds; again to stop now)",
                     ledger_inflight(s->ledger),
                     (long long)(s->grace_ms / 1000));
        }
        dispatch_some(s);
        if (finished(s))
            break;
        items[n++] = (zmq_pollitem_t){ s->results, 0, ZMQ_POLLIN, 0 };
        items[n++] = (zmq_pollitem_t){ NULL, sig_fd(), ZMQ_POLLIN, 0 };
        items[n++] = (zmq_pollitem_t){ s->hello, 0, ZMQ_POLLIN, 0 };
        if (may_dispatch(s))
            items[n++] = (zmq_pollitem_t){ s->dispatch, 0, ZMQ_POLLOUT, 0 };
        if (zmq_poll(items, n, SINK_POLL_MS) < 0 && errno != EINTR)
            return error("zmq_poll: %s", zmq_strerror(errno));
        if (items[1].revents)
            sig_drain();
        if (items[2].revents)
            hello_answer(s->hello, &s->offer, &s->procs);
        if (items[0].revents) {
            drain_results(s);
            /* whole records leave the process once a batch is done, so a
             * killed sink loses only what it had not written yet */
            writer_flush(s->out);
        }
        now = now_ms();
        expire_leases(s, now);
        if (s->draining && now >= s->drain_until) {
            log_warn("grace period over with %zu in flight",
                     ledger_inflight(s->ledger));
            break;
        }
        if (now - last_flush >= SINK_FLUSH_MS) {
            writer_flush(s->out);
            if (s->journal)
                journal_sync(s->journal, false, false);
            validators_flush(s->validators);
            last_flush = now;
        }
        if (now - last_hb >= MSG_HEARTBEAT_MS) {
            broadcast(s, "hb");
            last_hb = now;
        }
        if (s->progress && now - last_progress >= SINK_PROGRESS_MS) {
            stats_progress(s->stp, ledger_inflight(s->ledger),
                           ledger_frontier(s->ledger),
                           ledger_nseen(s->ledger));
            last_progress = now;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct sink s;
    const char *bind = NULL, *seeds = NULL, *rules_path = NULL;
    const char *output = NULL, *format = NULL, *stats_path = NULL;
    const char *state = NULL;
    char err[512];
    bool quiet = false, robots_set = false, summary = false;
    bool insecure = false, cert_set = false, key_set = false;
    bool proxy_set = false, proxies_set = false, force_resume = false;
    struct endnote end = { 0 };
    long lease_s = 300, grace_s = 30, frontier_mb = 256;
    int scope = SCOPE_HOST, c, i, rc;
    long nseeds = 0;

    memset(&s, 0, sizeof(s));
    s.window = 1024;
    s.sync = SYNC_INTERVAL;
    hello_offer_init(&s.offer);
    log_init("sink", LOG_INFO);
    opterr = 0;     /* suggest_die() says it, with a suggestion */
    while ((c = getopt_long(argc, argv, "o:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case O_BIND: bind = optarg; break;
        case O_CURVE: zsock_use_curve(optarg, true); break;
        case O_KEYGEN: return curve_keygen_cmd(optarg);
        case O_SEEDS: seeds = optarg; break;
        case O_RULES: rules_path = optarg; break;
        case 'o': output = optarg; break;
        case O_FORMAT: format = optarg; break;
        case O_DEPTH: s.depth = opt_long("depth", optarg, 0, 1000000); break;
        case O_SCOPE:
            if ((scope = scope_parse(optarg)) < 0)
                die_usage("--scope: '%s' is not host|domain|prefix|any",
                          optarg);
            break;
        case O_MAXP:
            s.max_pages = opt_long("max-pages", optarg, 1, LONG_MAX);
            break;
        case O_WINDOW:
            s.window = opt_long("window", optarg, 1, 10000000);
            break;
        case O_LEASE: lease_s = opt_long("lease", optarg, 1, 86400); break;
        case O_GRACE: grace_s = opt_long("grace", optarg, 0, 86400); break;
        case O_FRONTIER:
            frontier_mb = opt_long("frontier-ram", optarg, 1, 1 << 20);
            break;
        case O_STATS: stats_path = optarg; break;
        case O_STATE: state = optarg; break;
        case O_RECRAWL: s.recrawl = true; break;
        case O_FORCE_RESUME: force_resume = true; break;
        case O_FAIL_ON_ERRORS: end.fail_on_errors = true; break;
        case O_SYNC:
            if ((s.sync = sync_policy_parse(optarg)) < 0)
                die_usage("--sync: '%s' is not always|interval|never",
                          optarg);
            break;
        case 'q': quiet = true; break;
        case O_SUMMARY: summary = true; break;
        case O_LOGLEVEL: opt_log_level(optarg); break;
        case O_LOGJSON: log_set_json(true); break;
        case O_PTIMEOUT:
            opt_long("parse-timeout", optarg, 0, 3600);
            hello_offer_add(&s.offer, HELLO_PARSER, "--parse-timeout",
                            optarg);
            break;
        case O_MAXDEPTH:
            opt_long("max-depth", optarg, 0, 10000000);
            hello_offer_add(&s.offer, HELLO_PARSER, "--max-depth", optarg);
            break;
        case 'h': fputs(usage, stdout); return 0;
        case 'V': printf("zscrape-sink %s\n", ZS_VERSION); return 0;
        default:
            if (!take_fetch_opt(&s.offer, c, optarg))
                suggest_die(argv[optind - 1], optopt, longopts);
            robots_set |= c == FETCHOPT_CODE(FO_ROBOTS);
            insecure |= c == FETCHOPT_CODE(FO_INSECURE);
            cert_set |= c == FETCHOPT_CODE(FO_CERT);
            key_set |= c == FETCHOPT_CODE(FO_KEY);
            proxy_set |= c == FETCHOPT_CODE(FO_PROXY);
            proxies_set |= c == FETCHOPT_CODE(FO_PROXIES);
        }
    }
    if (!bind)
        die_usage("--bind ADDR is required (try --help)");
    if (s.recrawl && !state)
        die_usage("--recrawl needs --state DIR (where the validators are)");
    {
        char *ep = zsock_endpoint(bind, EP_DISPATCH);
        if (!ep)
            die_usage("--bind: '%s' is not tcp://HOST:PORT or ipc://PATH",
                      bind);
        free(ep);
    }
    if (key_set && !cert_set)
        die_usage("--key: needs --cert (the client certificate)");
    if (proxy_set && proxies_set)
        die_usage("--proxy and --proxies: one or the other");
    if (insecure)
        log_warn("--insecure: the fetchers do NOT verify TLS certificates");
    format = writer_pick_format(format, output);
    outpaths_check(output, stats_path, state);
    if (rules_path) {
        s.offer.rules = rules_read(rules_path, &s.offer.rules_len, err,
                                   sizeof(err));
        if (!s.offer.rules || !(s.rules = rules_parse(s.offer.rules,
                                                      s.offer.rules_len,
                                                      rules_path, err,
                                                      sizeof(err))))
            die_usage("%s", err);
        s.offer.rules_name = rules_path;
    }
    /* robots.txt: on by default when following links */
    if (!robots_set)
        hello_offer_add(&s.offer, HELLO_FETCHER, "--robots",
                        s.depth > 0 ? "on" : "off");
    extract_out_init(&s.nulls);
    extract_nulls(s.rules, &s.nulls);
    s.lease_ms = lease_s * 1000;
    s.grace_ms = grace_s * 1000;
    s.ledger = ledger_new((size_t)frontier_mb << 20, state);
    s.scope = scope_new((enum scope_kind)scope);
    s.reqs = reqtab_new();
    if (state) {
        long done;
        if (!output || !strcmp(output, "-"))
            die_usage("--state needs an output file (-o FILE) to resume "
                      "into");
        statefile_check(state, &(struct state_settings){ output, format,
                        s.depth, scope, s.offer.rules, s.offer.rules_len,
                        seeds, argv + optind, argc - optind },
                        force_resume, s.recrawl);
        done = s.recrawl ? 0 : resume_scan_output(format, output,
                                                   on_done_url, &s);
        if (done < 0)
            exit(1);
        s.journal = journal_open(state, (enum sync_policy)s.sync,
                                 s.recrawl ? on_journal_drop : on_journal_url,
                                 &s);
        if (!s.journal || reqtab_open_state(s.reqs, state) < 0)
            exit(1);
        s.validators = validators_open(state);
        if (s.recrawl && s.validators)
            s.prior = validators_open(state);
        if (!s.validators || (s.recrawl && !s.prior))
            exit(1);
        if (s.recrawl) {
            /* a new output: the old records are not resumed */
            if (unlink(output) < 0 && errno != ENOENT)
                fatal("cannot replace '%s': %s", output, strerror(errno));
            log_info("re-crawl: %zu URLs with stored validators",
                     validators_count(s.validators));
        }
        else if (journal_resumed(s.journal) || done)
            say("resuming the crawl of '%s': %ld records done in '%s', "
                "%zu URLs pending", state, done, output,
                ledger_frontier(s.ledger));
    }
    for (i = optind; i < argc; i++) {
        const char *why;
        char *url = url_normalize(argv[i], &why);
        if (!url)
            die_usage("bad URL '%s': %s", argv[i], why);
        on_seed(&s, url, NULL, NULL, 0);
        free(url);
        nseeds++;
    }
    if (seeds) {
        long n = seeds_read(seeds, on_seed, &s);
        if (n < 0)
            exit(2);
        nseeds += n;
    }
    if (s.recrawl)
        validators_each(s.validators, on_stored_url, &s);
    /* the requests reach the disk before the journal names their keys */
    if (reqtab_sync(s.reqs) < 0 || (s.journal && journal_commit(s.journal) < 0))
        exit(1);
    if (nseeds == 0 && seeds)
        die_usage("no valid seed URL in '%s'", seeds);
    if (nseeds == 0)
        die_usage("no seed URL given (URLs or --seeds FILE)");
    {
        const char *names[EXTRACT_MAX_FIELDS];
        for (i = 0; i < s.nulls.nfields; i++)
            names[i] = s.nulls.fields[i].name;
        s.out = writer_open(format, output, names, s.nulls.nfields,
                            state != NULL && !s.recrawl);
    }
    if (!s.out)
        exit(1);
    s.progress = !quiet && isatty(2);
    s.stp = stats_new();
    stats_progress_records_tty(s.stp, !strcmp(output ? output : "-", "-") &&
                               isatty(1));
    sig_init();
    sig_follow_parent();
    s.ctx = zmq_ctx_new();
    if (bind_all(&s, bind) < 0)
        fatal("cannot listen on '%s'", bind);
    log_info("started bind=%s seeds=%zu depth=%ld window=%ld", bind,
             ledger_frontier(s.ledger), s.depth, s.window);
    rc = sink_run(&s);
    stop_workers(&s);
    if (s.progress) {
        stats_progress(s.stp, ledger_inflight(s.ledger),
                       ledger_frontier(s.ledger), ledger_nseen(s.ledger));
        fputc('\n', stderr);
    }
    if (writer_close(s.out) < 0)
        rc = -1;
    if (s.journal && journal_sync(s.journal, false, true) < 0)
        rc = -1;
    journal_close(s.journal);
    validators_close(s.prior);
    if (validators_close(s.validators) < 0)
        rc = -1;
    s.stp->pages_bytes = streamer_bytes(&s);
    if (stats_path && stats_write(s.stp, stats_path, ledger_inflight(s.ledger),
                                  ledger_frontier(s.ledger),
                                  ledger_nseen(s.ledger), &s.procs) < 0)
        rc = -1;
    if (summary)
        stats_summary(s.stp, &s.procs, stderr);
    end = (struct endnote){ s.draining || sig_stop, ledger_frontier(s.ledger)
                            + ledger_inflight(s.ledger), s.stp->records,
                            s.stp->records - s.stp->ok, state, s.recrawl,
                            end.fail_on_errors };
    endnote_say(&end, argc, argv);
    log_info("done records=%llu ok=%llu errors=%llu wall_s=%.2f "
             "peak_rss_kb=%ld",
             (unsigned long long)s.stp->records, (unsigned long long)s.stp->ok,
             (unsigned long long)(s.stp->records - s.stp->ok),
             (double)(now_ms() - s.stp->start_ms) / 1000.0, peak_rss_kb());
    close_all(&s);
    extract_out_release(&s.nulls);
    rules_free(s.rules);
    hello_offer_release(&s.offer);
    hello_procs_free(&s.procs);
    scope_free(s.scope);
    reqtab_free(s.reqs);
    ledger_free(s.ledger);
    stats_free(s.stp);
    return endnote_status(&end, rc);
}
