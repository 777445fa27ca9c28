/* main.c: zscrape-sink: options, seeds, the bind points (dispatch,
 * results, control, and the pages streamer thread), then the loop that
 * dispatches within a window, writes records, expands the frontier and
 * detects the end. */
#include "common/compat.h"

#include <getopt.h>
#include <sys/random.h>
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
#include "common/robots.h"
#include "sink/frontier.h"
#include "sink/hoststats.h"
#include "sink/ledger.h"
#include "sink/outpaths.h"
#include "sink/reqseed.h"
#include "sink/resume.h"
#include "sink/scope.h"
#include "sink/seeds.h"
#include "sink/sink.h"
#include "sink/statefile.h"
#include "sink/stats.h"
#include "sink/validators.h"
#include "sink/workers.h"
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
"  --lease S            the last resort: seconds before an unanswered URL\n"
"                       is sent again (default 300); a worker seen to go\n"
"                       gets what it held sent again at once\n"
"  --grace S            on SIGINT/SIGTERM, wait up to S seconds for the\n"
"                       transfers and pages under way (default 30)\n"
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
"  --per-host N         transfers at once per host, for the whole crawl\n"
"                       (default 8): kept here, whatever the fetchers\n"
"  --delay MS           minimum gap between two starts on a host (0),\n"
"                       for the whole crawl; robots.txt Crawl-delay when\n"
"                       longer\n"
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
"  --robots on|off      obey robots.txt (default: on when --depth > 0);\n"
"                       fetched once per host for the crawl\n"
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

static void on_seed(void *arg, const char *url, struct reqseed *req,
                    const char *line, size_t n)
{
    struct sink *s = arg;

    scope_add_seed(s->scope, req ? req->url : url);
    sink_queue_url(s, url, 0);
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
    int rc;

    if (!ledger_mark(s->ledger, url))
        return;
    rc = frontier_push(s->front, url, depth, now_ms());
    if (rc == -2)
        fatal("cannot queue '%s': the frontier spill file failed", url);
    if (rc == 0 && journal_add(j, url, depth) < 0)
        fatal("cannot write the journal");
}

/* Re-crawl: a URL the last crawl got a record for is crawled again
 * (a 304 yields no links to find it by). */
static void on_stored_url(void *arg, const char *url, uint32_t depth)
{
    struct sink *s = arg;

    if ((long)depth <= s->depth)
        sink_queue_url(s, url, depth);
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

/* A random session id, never 0 (workers of another session rejoin). */
static uint64_t session_new(void)
{
    uint64_t v = 0;

    if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
        v = (uint64_t)wall_ms() ^ ((uint64_t)getpid() << 40);
    return v ? v : 1;
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
    long per_host = 8, delay_ms = 0, ptimeout_s = 5;
    const char *ua = FETCHOPT_DEFAULT_UA, *robots_arg = NULL;
    struct frontier_conf fc;
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
            ptimeout_s = opt_long("parse-timeout", optarg, 0, 3600);
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
            if (c == FETCHOPT_CODE(FO_ROBOTS))
                robots_arg = optarg;
            if (c == FETCHOPT_CODE(FO_PERHOST))
                per_host = strtol(optarg, NULL, 10);
            if (c == FETCHOPT_CODE(FO_DELAY))
                delay_ms = strtol(optarg, NULL, 10);
            if (c == FETCHOPT_CODE(FO_UA))
                ua = optarg;
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
    /* robots.txt: on by default when following links; the sink fetches
     * it (once per host for the crawl) and obeys it */
    s.robots = robots_set ? !strcmp(robots_arg, "on") : s.depth > 0;
    robots_product(ua, s.robots_product, sizeof(s.robots_product));
    extract_out_init(&s.nulls);
    extract_nulls(s.rules, &s.nulls);
    s.lease_ms = lease_s * 1000;
    s.grace_ms = grace_s * 1000;
    /* a parser cannot report while it parses a page */
    s.parser_silent_ms = WORKERS_SILENT_MS +
                         (ptimeout_s ? ptimeout_s * 1000 : 600000);
    s.session = session_new();
    s.ledger = ledger_new((s.session & 0xffffffffffull) << 20 | 1);
    fc.ram_budget = (size_t)frontier_mb << 20;
    fc.spill_dir = state;
    fc.per_host = (int)per_host;
    fc.delay_ms = delay_ms;
    fc.robots = s.robots;
    s.front = frontier_new(&fc);
    s.workers = workers_new();
    hello_where_self(&s.where);
    s.procs.on_event = sched_on_hello;
    s.procs.event_arg = &s;
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
                frontier_queued(s.front));
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
    if (sink_bind(&s, bind) < 0)
        fatal("cannot listen on '%s'", bind);
    log_info("started bind=%s seeds=%zu depth=%ld window=%ld per_host=%ld "
             "delay_ms=%ld robots=%s session=%016llx", bind,
             frontier_queued(s.front), s.depth, s.window, per_host, delay_ms,
             s.robots ? "on" : "off", (unsigned long long)s.session);
    rc = sink_run(&s);
    sink_stop_workers(&s);
    if (writer_close(s.out) < 0)
        rc = -1;
    if (s.journal && journal_sync(s.journal, false, true) < 0)
        rc = -1;
    journal_close(s.journal);
    validators_close(s.prior);
    if (validators_close(s.validators) < 0)
        rc = -1;
    s.stp->pages_bytes = sink_streamer_bytes(&s);
    if (stats_path) {
        struct buf hosts;
        buf_init(&hosts, (size_t)1 << 20);
        hoststats_json(s.front, now_ms(), s.robots_fetched, &hosts);
        if (stats_write(s.stp, stats_path, sched_inflight(&s),
                        frontier_queued(s.front), ledger_nseen(s.ledger),
                        &s.procs, hosts.data) < 0)
            rc = -1;
        buf_release(&hosts);
    }
    if (summary)
        stats_summary(s.stp, &s.procs, stderr);
    end = (struct endnote){ s.draining || sig_stop, frontier_queued(s.front)
                            + sched_inflight(&s), s.stp->records,
                            s.stp->records - s.stp->ok, state, s.recrawl,
                            end.fail_on_errors };
    endnote_say(&end, argc, argv);
    log_info("done records=%llu ok=%llu errors=%llu wall_s=%.2f "
             "peak_rss_kb=%ld",
             (unsigned long long)s.stp->records, (unsigned long long)s.stp->ok,
             (unsigned long long)(s.stp->records - s.stp->ok),
             (double)(now_ms() - s.stp->start_ms) / 1000.0, peak_rss_kb());
    sink_close(&s);
    extract_out_release(&s.nulls);
    rules_free(s.rules);
    hello_offer_release(&s.offer);
    hello_procs_free(&s.procs);
    scope_free(s.scope);
    reqtab_free(s.reqs);
    ledger_free(s.ledger);
    frontier_free(s.front);
    workers_free(s.workers);
    stats_free(s.stp);
    return endnote_status(&end, rc);
}
