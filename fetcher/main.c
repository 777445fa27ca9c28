/* main.c: zscrape-fetcher: options, sockets, then the loop (loop.c). */
#include "common/compat.h"

#include <getopt.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common/fetchopt.h"
#include "common/hello.h"
#include "common/log.h"
#include "common/opt.h"
#include "common/sig.h"
#include "common/suggest.h"
#include "common/util.h"
#include "common/zsock.h"
#include "fetcher/events.h"
#include "fetcher/hosts.h"
#include "fetcher/loop.h"
#include "fetcher/request.h"
#include "fetcher/warc.h"

#define FETCH_DISPATCH_HWM 0    /* unlimited: credit bounds what comes,
                                  * and what goes back is one a job */
#define FETCH_PAGES_HWM 32
/* descriptors past one a transfer: idle cached connections, ZeroMQ,
 * epoll, the signal pipe, files */
#define FETCH_FD_SPARE 512

static const char usage[] =
"usage: zscrape-fetcher --coordinator ADDR [options]\n"
"\n"
"Fetches the URLs the sink dispatches (libcurl multi) and streams the\n"
"pages to the parsers.  ADDR is the sink's tcp://HOST:PORT or ipc://PATH.\n"
"The crawl's settings come from the sink when the fetcher joins; an\n"
"option given here overrides the sink's.\n"
"\n"
"  --coordinator ADDR   the sink's base address (required)\n"
"  --curve-keys DIR     CURVE: encrypt tcp with the worker keys of DIR\n"
"  --concurrency N      transfers at once (default 256)\n"
"  --per-host N         transfers at once per host (default 8); the sink\n"
"                       keeps it for the whole crawl, this fetcher only\n"
"                       as a safety net\n"
"  --delay MS           minimum gap between requests to one host (0;\n"
"                       likewise kept by the sink)\n"
"  --timeout S          total time per attempt in seconds (default 30)\n"
"  --retries N          retries on connect errors, 429, 5xx (default 2)\n"
"  --user-agent S       User-Agent header (default " FETCHOPT_DEFAULT_UA ")\n"
"  --max-bytes N        decoded body cap in bytes (default 10485760)\n"
"  --proxy URL          proxy for every request\n"
"  --proxies FILE       proxy URLs, one a line ('#' comments): each\n"
"                       request goes through the next in turn, a retry\n"
"                       through another than the last (not with --proxy).\n"
"                       A request that fails because of its proxy (not\n"
"                       reached, refused, 407) goes again at once through\n"
"                       another, without spending --retries (up to one\n"
"                       try per proxy); a proxy failing 3 times in a row\n"
"                       is benched 30 s (doubling each time, at most\n"
"                       5 min), then tried again; when all are benched,\n"
"                       the one whose bench ends first is used.  Counted\n"
"                       per proxy in the crawl's stats file (\"proxies\")\n"
"  --insecure           do not verify TLS certificates (logged loudly)\n"
"  --cacert FILE        verify TLS servers with the CA certificates of\n"
"                       FILE (PEM) instead of the system's\n"
"  --cert FILE          TLS client certificate (PEM; it may hold the key)\n"
"  --key FILE           the client certificate's private key (PEM)\n"
"  --header 'Name: value'  an extra request header (repeatable; 'Name:'\n"
"                       removes one libcurl sends)\n"
"  --auth HOST=USER:PASS  basic auth for HOST only, never sent to another\n"
"                       host, not across a redirect either (repeatable)\n"
"  --cookies FILE       a cookie jar (Netscape format, as curl's): loaded\n"
"                       at start, shared by the transfers, saved at exit\n"
"  --warc FILE          append every response and its request to FILE as\n"
"                       WARC 1.1 records, each a gzip member (decoded\n"
"                       payloads; see zscrape-fetcher(1))\n"
"  --http1.1            no HTTP/2 (default: HTTP/2 over TLS where the\n"
"                       server offers it, many transfers on a connection)\n"
"  --serve-parsers ADDR send pages only to the parsers that connect to\n"
"                       ADDR (tcp://HOST:PORT or ipc://PATH; see\n"
"                       zscrape-parser(1)): the bodies stay on this host\n"
"  --robots on|off      accepted for the sink's sake: the sink fetches\n"
"                       robots.txt once per host for the crawl and obeys it\n"
"  --log-level L        error|warn|info|debug (default info)\n"
"  --log-json           log lines as JSON objects\n"
"  -h, --help           this text     -V, --version   the version\n";

enum { O_COORD = 256, O_LOGLEVEL, O_LOGJSON, O_SERVE };
/* the options the sink hands out: fetchopt.h's list */
#define O(id) FETCHOPT_CODE(FO_##id)
enum { O_CURVE = 512 };

static const struct option longopts[] = {
    { "coordinator", required_argument, NULL, O_COORD },
    { "curve-keys", required_argument, NULL, O_CURVE },
    FETCHOPT_LIST(FETCHOPT_LONGOPT)
    { "serve-parsers", required_argument, NULL, O_SERVE },
    { "log-level", required_argument, NULL, O_LOGLEVEL },
    { "log-json", no_argument, NULL, O_LOGJSON },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

/* The value of option id, checked (exit 2 when bad): a string's. */
static const char *str_arg(enum fetchopt_id id, const char *v)
{
    fetchopt_take(id, v);
    return v;
}

/* --auth: checked, then kept in f's conf. */
static void auth_arg(struct fetcher *f, const char *v)
{
    char err[512];
    size_t n;

    if (fetchopt_auth(v, &n, err, sizeof(err)) < 0)
        die_usage("--auth: %s", err);
    request_add_auth(&f->conf.req, v, n);
}

/* --proxies: read (and checked) once, into f's conf. */
static void proxies_arg(struct fetcher *f, const char *v)
{
    char err[512];

    /* the later of --proxy and --proxies wins */
    if (request_load_proxies(&f->conf.req, v, err, sizeof(err)) < 0)
        die_usage("--proxies: %s", err);
    f->conf.proxy = NULL;
}

/* One descriptor a transfer: raise the soft RLIMIT_NOFILE (often 1024)
 * up to the hard limit as --concurrency needs, and say so when even that
 * is too few (transfers past it fail as connect errors). */
static void raise_nofile(int concurrency)
{
    rlim_t need = (rlim_t)concurrency + FETCH_FD_SPARE;
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
        return;
    rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need ?
                  rl.rlim_max : need;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < need)
        log_warn("--concurrency %d needs about %llu open files, the limit "
                 "is %llu (ulimit -Hn): transfers past it fail to connect",
                 concurrency, (unsigned long long)need,
                 (unsigned long long)rl.rlim_cur);
}

/* What the command line (and the sink's settings) say. */
struct fetch_opts {
    const char *coord;
    const char *serve;      /* --serve-parsers: our own pages endpoint */
    const char *warc;       /* --warc FILE, or NULL */
    long per_host, delay, timeout_s;
    bool robots;
};

/* Parse argv into o and f from the defaults; returns -1 to exit 0 (after
 * --help or --version).  Run twice when the sink hands out settings: over
 * the command line alone, then over the sink's words followed by it. */
static int parse_opts(struct fetch_opts *o, struct fetcher *f, int argc,
                      char **argv)
{
    int c;

    *o = (struct fetch_opts){ NULL, NULL, NULL, 8, 0, 30, false };
    f->concurrency = 256;
    f->conf.retries = 2;
    f->conf.max_bytes = 10u << 20;
    f->conf.user_agent = FETCHOPT_DEFAULT_UA;
    f->conf.proxy = NULL;
    f->conf.insecure = false;
    f->conf.cacert = f->conf.cert = f->conf.key = NULL;
    f->conf.http11 = false;
    f->conf.cookies = NULL;
    request_release(&f->conf.req);      /* the first pass's lists */
    optind = 0;
    opterr = 0;     /* suggest_die() says it, with a suggestion */
    while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        switch (c) {
        case O_COORD: o->coord = optarg; break;
        case O_SERVE:
            if (strncmp(optarg, "tcp://", 6) && strncmp(optarg, "ipc://", 6))
                die_usage("--serve-parsers: '%s' is not tcp://HOST:PORT or "
                          "ipc://PATH", optarg);
            o->serve = optarg;
            break;
        case O_CURVE: zsock_use_curve(optarg, false); break;
        case O(CONC): f->concurrency = (int)fetchopt_take(FO_CONC, optarg);
            break;
        case O(PERHOST): o->per_host = fetchopt_take(FO_PERHOST, optarg);
            break;
        case O(DELAY): o->delay = fetchopt_take(FO_DELAY, optarg); break;
        case O(TIMEOUT): o->timeout_s = fetchopt_take(FO_TIMEOUT, optarg);
            break;
        case O(RETRIES):
            f->conf.retries = (int)fetchopt_take(FO_RETRIES, optarg);
            break;
        case O(UA): f->conf.user_agent = str_arg(FO_UA, optarg); break;
        case O(MAXB):
            f->conf.max_bytes = (size_t)fetchopt_take(FO_MAXB, optarg);
            break;
        case O(PROXY):
            f->conf.proxy = str_arg(FO_PROXY, optarg);  /* the later of */
            request_drop_proxies(&f->conf.req);         /* the two wins */
            break;
        case O(PROXIES): proxies_arg(f, optarg); break;
        case O(INSECURE): f->conf.insecure = true; break;
        case O(CACERT): f->conf.cacert = str_arg(FO_CACERT, optarg); break;
        case O(CERT): f->conf.cert = str_arg(FO_CERT, optarg); break;
        case O(KEY): f->conf.key = str_arg(FO_KEY, optarg); break;
        case O(HTTP11): f->conf.http11 = true; break;
        case O(HEADER):
            request_add_header(&f->conf.req, str_arg(FO_HEADER, optarg));
            break;
        case O(AUTH): auth_arg(f, optarg); break;
        case O(COOKIES): f->conf.cookies = str_arg(FO_COOKIES, optarg);
            break;
        case O(WARC): o->warc = str_arg(FO_WARC, optarg); break;
        case O(ROBOTS):
            o->robots = !strcmp(str_arg(FO_ROBOTS, optarg), "on");
            break;
        case O_LOGLEVEL: opt_log_level(optarg); break;
        case O_LOGJSON: log_set_json(true); break;
        case 'h': fputs(usage, stdout); return -1;
        case 'V': printf("zscrape-fetcher %s\n", ZS_VERSION); return -1;
        default: suggest_die(argv[optind - 1], optopt, longopts);
        }
    }
    if (optind < argc)
        die_usage("unexpected argument '%s' (try --help)", argv[optind]);
    if (f->conf.key && !f->conf.cert)
        die_usage("--key: needs --cert (the client certificate)");
    return 0;
}

int main(int argc, char **argv)
{
    struct fetcher f;
    struct fetch_opts o;
    struct hello_reply hr;
    char *ep, **merged;
    char token[HELLO_TOKEN_LEN + 1];
    int rc, nmerged, i;
    bool own_insecure;

    memset(&f, 0, sizeof(f));
    hello_token_new(token);
    log_init("fetcher", LOG_INFO);
    if (parse_opts(&o, &f, argc, argv) < 0)
        return 0;
    own_insecure = f.conf.insecure;
    if (!o.coord)
        die_usage("--coordinator ADDR is required (try --help)");
    if (!(ep = zsock_endpoint(o.coord, EP_DISPATCH)))
        die_usage("--coordinator: '%s' is not tcp://HOST:PORT or ipc://PATH",
                  o.coord);
    free(ep);
    srandom((unsigned)(time(NULL) ^ getpid()));
    sig_init();
    sig_follow_parent();
    f.ctx = zmq_ctx_new();
    /* the crawl's settings from the sink, then our own flags over them */
    if (hello_ask(f.ctx, o.coord, HELLO_FETCHER, token, &hr) < 0) {
        zmq_ctx_term(f.ctx);
        return 0;
    }
    merged = hello_merge_argv(&hr, argc, argv, &nmerged);
    parse_opts(&o, &f, nmerged, merged);
    f.conf.timeout_ms = o.timeout_s * 1000;
    f.conf.recv_buffer = job_recv_buffer(f.concurrency);
    raise_nofile(f.concurrency);
    f.conf.connect_timeout_ms = o.timeout_s < 10 ? o.timeout_s * 1000 : 10000;
    /* loud when asked here; the sink already warned of its own */
    if (f.conf.insecure)
        log_msg(own_insecure ? LOG_WARN : LOG_INFO,
                "--insecure: TLS certificates are NOT verified");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        fatal("cannot initialize libcurl");
    f.ev = events_new(f.concurrency);
    if (!f.ev)
        fatal("cannot set up the transfers' event loop");
    if (f.conf.cookies && request_open_jar(&f.conf.req, f.conf.cookies) < 0)
        exit(1);
    if (o.warc && !(f.conf.warc = warc_open(o.warc, "zscrape-fetcher/"
                                            ZS_VERSION)))
        exit(1);
    for (i = 0; i < events_nmulti(f.ev); i++) {
        CURLM *m = events_multi(f.ev, i);
        /* --per-host is kept by hosts.c across the multi handles */
        curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, o.per_host);
        curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)(f.concurrency <
            EVENTS_MULTI_TRANSFERS ? f.concurrency : EVENTS_MULTI_TRANSFERS));
        curl_multi_setopt(m, CURLMOPT_PIPELINING, f.conf.http11 ?
                          (long)CURLPIPE_NOTHING : (long)CURLPIPE_MULTIPLEX);
    }
    f.hosts = hosts_new((int)o.per_host, o.delay);
    f.dispatch = zsock_new(f.ctx, ZMQ_DEALER, FETCH_DISPATCH_HWM);
    zmq_setsockopt(f.dispatch, ZMQ_ROUTING_ID, token, HELLO_TOKEN_LEN);
    f.ctl.token = token;
    f.pages = zsock_new(f.ctx, ZMQ_PUSH, FETCH_PAGES_HWM);
    f.control = zsock_new(f.ctx, ZMQ_SUB, 16);
    zmq_setsockopt(f.control, ZMQ_SUBSCRIBE, "", 0);
    ep = zsock_endpoint(o.coord, EP_CONTROL);
    rc = zsock_connect(f.control, ep);
    free(ep);
    if (o.serve) {
        /* pages to the parsers of this host only, not through the sink */
        if (zsock_bind(f.pages, o.serve) < 0)
            fatal("cannot serve parsers at '%s'", o.serve);
    } else {
        ep = zsock_endpoint(o.coord, EP_PAGES_IN);
        rc |= zsock_connect(f.pages, ep);
        free(ep);
    }
    ep = zsock_endpoint(o.coord, EP_DISPATCH);
    rc |= zsock_connect(f.dispatch, ep);
    free(ep);
    if (rc < 0)
        fatal("cannot connect to the coordinator '%s'", o.coord);
    log_info("started coordinator=%s concurrency=%d per_host=%ld delay=%ld "
             "pages=%s http=%s warc=%s", o.coord, f.concurrency,
             o.per_host, o.delay,
             o.serve ? o.serve : "sink", f.conf.http11 ? "1.1" : "2",
             o.warc ? o.warc : "-");
    proxies_init(&f.proxies, f.conf.req.proxies, f.conf.req.nproxies);
    f.hello = &hr;
    rc = fetcher_run(&f);
    /* every easy handle is gone; the path is the hello's, freed below */
    if (f.conf.cookies && request_save_jar(&f.conf.req, f.conf.cookies) < 0)
        rc = -1;
    fetcher_report(&f, true);
    log_info("exit fetched=%llu warc_records=%llu peak_rss_kb=%ld",
             (unsigned long long)f.fetched,
             (unsigned long long)warc_records(f.conf.warc), peak_rss_kb());
    warc_close(f.conf.warc);
    zmq_close(f.dispatch);
    zmq_close(f.pages);
    zmq_close(f.control);
    hello_reply_release(&hr);     /* its socket, before the context */
    zmq_ctx_term(f.ctx);
    hosts_free(f.hosts);
    events_free(f.ev);
    proxies_release(&f.proxies);        /* it borrowed the list's URLs */
    request_release(&f.conf.req);
    curl_global_cleanup();
    free(merged);
    if (f.ctl.rejoin && !sig_stop)
        hello_rejoin(argv);   /* getopt only permuted it */
    return rc < 0 ? 1 : 0;
}
