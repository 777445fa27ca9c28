/* main.c: zscrape-parser: pages in, records out; or --try on a saved
 * page. */
#include "common/compat.h"

#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/hello.h"
#include "common/log.h"
#include "common/opt.h"
#include "common/msg.h"
#include "common/sig.h"
#include "common/suggest.h"
#include "common/util.h"
#include "common/zsock.h"
#include "parser/page.h"
#include "parser/rules.h"
#include "sink/writer.h"

#define PARSER_PAGES_HWM 8
#define PARSER_RESULTS_HWM 256
#define PARSER_POLL_MS 250
#define PARSER_SEND_TIMEOUT_MS 250
#define PARSER_TRY_MAX ((size_t)1 << 30)

static const char usage[] =
"usage: zscrape-parser --coordinator ADDR [options]\n"
"       zscrape-parser --try PAGE.html [--rules FILE] [--url URL]\n"
"\n"
"Parses the pages fetchers send (gumbo + CSS rules) and sends one record\n"
"per page to the sink.  With --try, prints the record of one saved page.\n"
"The crawl's rules and settings come from the sink when the parser\n"
"joins; an option given here overrides the sink's.\n"
"\n"
"  --coordinator ADDR   the sink's tcp://HOST:PORT or ipc://PATH\n"
"  --curve-keys DIR     CURVE: encrypt tcp with the worker keys of DIR\n"
"  --rules FILE         extraction rules (default: title and links)\n"
"  --pages-from ADDR    also take pages from a fetcher that serves its\n"
"                       parsers at ADDR (zscrape-fetcher(1); repeatable)\n"
"  --max-bytes N        cap on a decoded page (default 10485760)\n"
"  --parse-timeout S    a page parsing longer is a parse_limit record\n"
"                       (default 5; 0 = no limit)\n"
"  --max-depth N        a page nesting deeper is a parse_limit record\n"
"                       (default 10000)\n"
"  --try PAGE           print the record PAGE yields ('-' = stdin)\n"
"  --url URL            the page's URL for --try (resolves links)\n"
"  --content-type T     the page's Content-Type for --try (text/html)\n"
"  --log-level L        error|warn|info|debug (default info)\n"
"  --log-json           log lines as JSON objects\n"
"  -h, --help           this text     -V, --version   the version\n";

enum { O_COORD = 256, O_RULES, O_MAXB, O_TRY, O_URL, O_CTYPE, O_LOGLEVEL,
       O_LOGJSON, O_PTIMEOUT, O_MAXDEPTH, O_PAGESFROM };
enum { O_CURVE = 512 };

#define PARSER_MAX_PAGES_FROM 16

static const struct option longopts[] = {
    { "coordinator", required_argument, NULL, O_COORD },
    { "curve-keys", required_argument, NULL, O_CURVE },
    { "rules", required_argument, NULL, O_RULES },
    { "pages-from", required_argument, NULL, O_PAGESFROM },
    { "max-bytes", required_argument, NULL, O_MAXB },
    { "parse-timeout", required_argument, NULL, O_PTIMEOUT },
    { "max-depth", required_argument, NULL, O_MAXDEPTH },
    { "try", required_argument, NULL, O_TRY },
    { "url", required_argument, NULL, O_URL },
    { "content-type", required_argument, NULL, O_CTYPE },
    { "log-level", required_argument, NULL, O_LOGLEVEL },
    { "log-json", no_argument, NULL, O_LOGJSON },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

struct parser {
    void *ctx;              /* ZeroMQ context */
    void *pages;            /* PULL: pages from the streamer */
    void *results;          /* PUSH: records to the sink */
    void *control;          /* SUB: stop */
    const struct rules *rules; /* NULL: default rules */
    struct page_opts opts;  /* caps and the parse budget */
    uint64_t parsed;        /* pages handled */
    uint64_t parse_ms;      /* time spent in page_process */
    uint64_t limited;       /* pages that hit a parse limit */
    bool stop;              /* stop heard while sending */
    const struct hello_reply *hello; /* for the counter reports */
    int64_t last_report_ms; /* when they were last sent */
    struct msg_ctl ctl;     /* what the control socket said */
    const char *token;      /* our worker token (TAKEN messages) */
};

/* ------------------------------------------------------------------ */
/* one page                                                            */

static int send_result(struct parser *p, struct msg *m, int err,
                       struct extract_out *o)
{
    struct msg_frame f[MSG_RESULT_FIELDS + EXTRACT_MAX_FIELDS];
    struct buf names[EXTRACT_MAX_FIELDS];
    struct msg_meta meta = m->meta;
    size_t len;
    int i, n = 0, rc;

    meta.type = MSG_RESULT;
    if (meta.error == ZS_OK && err != ZS_OK)
        meta.error = (uint8_t)err;
    for (i = 0; i < 3; i++) {
        const char *d = msg_part(m, i, &len);
        f[n++] = (struct msg_frame){ d, len, NULL, NULL };
    }
    f[n++] = (struct msg_frame){ o->follow.data ? o->follow.data : "",
                                 o->follow.len, NULL, NULL };
    for (i = MSG_PAGE_ETAG; i <= MSG_PAGE_LASTMOD; i++) {
        const char *d = msg_part(m, i, &len);
        f[n++] = (struct msg_frame){ d, len, NULL, NULL };
    }
    for (i = 0; i < o->nfields; i++) {
        buf_init(&names[i], EXTRACT_FIELD_MAX + 256);
        buf_add(&names[i], o->fields[i].name, strlen(o->fields[i].name) + 1);
        buf_add(&names[i], o->fields[i].json.data ? o->fields[i].json.data
                : "null", o->fields[i].json.data ? o->fields[i].json.len : 4);
        f[n++] = (struct msg_frame){ names[i].data, names[i].len, NULL, NULL };
    }
    /* Blocking with a timeout: a full sink is back-pressure, but a signal,
     * the sink's stop or its silence must still get through (a sink that
     * died leaves the socket full for ever). */
    while ((rc = msg_send(p->results, &meta, f, n, 0)) < 0 &&
           (errno == EAGAIN || errno == EINTR) && !sig_stop) {
        if (msg_control_drain(p->control, &p->ctl) ||
            msg_sink_silent(p->ctl.last_heard_ms)) {
            p->stop = true;
            break;
        }
    }
    for (i = 0; i < o->nfields; i++)
        buf_release(&names[i]);
    return rc;
}

/* Tell the sink we took page m (so a death of ours is known to cost
 * that page, and only that one, at once). */
static void send_taken(struct parser *p, const struct msg *m)
{
    struct msg_meta meta = m->meta;
    struct msg_frame f = { p->token, HELLO_TOKEN_LEN, NULL, NULL };

    meta.type = MSG_TAKEN;
    while (msg_send(p->results, &meta, &f, 1, 0) < 0 &&
           (errno == EAGAIN || errno == EINTR) && !sig_stop) {
        if (msg_control_drain(p->control, &p->ctl) ||
            msg_sink_silent(p->ctl.last_heard_ms)) {
            p->stop = true;
            break;
        }
    }
}

static void on_page(struct parser *p, struct msg *m)
{
    struct extract_out o;
    struct page_in in;
    char *final_url, *ctype;
    size_t len;
    int err = ZS_OK;

    if (m->meta.type != MSG_PAGE) {
        log_warn("unexpected message type %d on pages", m->meta.type);
        return;
    }
    int64_t wait = wall_ms() - m->meta.fetched_at, start = now_ms();

    send_taken(p, m);

    /* fetched_at is the fetcher's wall clock: another host's may be
     * ahead of ours */
    m->meta.parse_wait_ms = wait > 0 ? (uint32_t)wait : 0;
    extract_out_init(&o);
    final_url = msg_part_str(m, 1);
    ctype = msg_part_str(m, 2);
    if (m->meta.error != ZS_OK || m->meta.status == MSG_STATUS_NOT_MODIFIED) {
        /* an error or a 304 (unchanged since the stored validators): no
         * body to parse, the rule fields are null */
        extract_nulls(p->rules, &o);
    } else {
        in.url = final_url;
        in.content_type = ctype;
        in.body = msg_part(m, 3, &len);
        in.len = len;
        err = page_process(p->rules, &in, &p->opts, &o);
        p->limited += err == ZS_PARSE_LIMIT;
        m->meta.parse_ms = (uint32_t)(now_ms() - start);
        p->parse_ms += m->meta.parse_ms;
    }
    if (send_result(p, m, err, &o) < 0)
        log_error("cannot send result url='%s': %s", final_url,
                  zmq_strerror(errno));
    p->parsed++;
    extract_out_release(&o);
    free(final_url);
    free(ctype);
}


static void report(struct parser *p, bool final)
{
    char c[256];

    snprintf(c, sizeof(c), "parsed=%llu parse_ms=%llu parse_limit=%llu "
             "peak_rss_kb=%ld cpu_ms=%ld", (unsigned long long)p->parsed,
             (unsigned long long)p->parse_ms,
             (unsigned long long)p->limited, peak_rss_kb(), cpu_ms());
    hello_report(p->hello, final, c);
    p->last_report_ms = now_ms();
}

static int parser_run(struct parser *p)
{
    for (;;) {
        zmq_pollitem_t items[3] = {
            { p->pages, 0, ZMQ_POLLIN, 0 },
            { p->control, 0, ZMQ_POLLIN, 0 },
            { NULL, sig_fd(), ZMQ_POLLIN, 0 },
        };
        struct msg m;
        int rc;

        if (sig_stop) {
            log_info("signal: stopping parsed=%llu",
                     (unsigned long long)p->parsed);
            return 0;
        }
        if (zmq_poll(items, 3, PARSER_POLL_MS) < 0 && errno != EINTR)
            return error("zmq_poll: %s", zmq_strerror(errno));
        if (now_ms() - p->last_report_ms >= HELLO_REPORT_MS)
            report(p, false);
        if (items[2].revents)
            sig_drain();
        if (p->stop || (items[1].revents &&
                        msg_control_drain(p->control, &p->ctl))) {
            if (p->ctl.rejoin)
                log_info("the sink restarted or asked us to reset: "
                         "rejoining");
            else
                log_info("stop from the sink parsed=%llu",
                         (unsigned long long)p->parsed);
            return 0;
        }
        if (msg_sink_silent(p->ctl.last_heard_ms)) {
            log_warn("no word from the sink for %d s: its crawl is over, "
                     "stopping", MSG_ORPHAN_MS / 1000);
            return 0;
        }
        if (!items[0].revents)
            continue;
        rc = msg_recv(p->pages, &m, ZMQ_DONTWAIT);
        if (rc == 0) {
            on_page(p, &m);
            msg_close(&m);
        }
    }
}

/* ------------------------------------------------------------------ */
/* --try                                                               */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    struct buf b;
    char tmp[65536];
    size_t n;

    if (!f)
        die_usage("cannot read '%s': %s", path, strerror(errno));
    buf_init(&b, PARSER_TRY_MAX);
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        if (buf_add(&b, tmp, n) < 0)
            die_usage("'%s' is larger than 1 GiB", path);
    if (ferror(f))
        die_usage("cannot read '%s': %s", path, strerror(errno));
    if (f != stdin)
        fclose(f);
    return buf_detach(&b, len);
}

/* Indent compact JSON for a human (strings copied verbatim). */
static void print_pretty(const char *s, size_t n)
{
    int depth = 0;
    bool in_str = false;
    size_t i;

    for (i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            putchar(c);
            if (c == '\\' && i + 1 < n)
                putchar(s[++i]);
            else if (c == '"')
                in_str = false;
            continue;
        }
        switch (c) {
        case '"': in_str = true; putchar(c); break;
        case '{': case '[':
            if (i + 1 < n && (s[i + 1] == '}' || s[i + 1] == ']')) {
                printf("%c%c", c, s[i + 1]);
                i++;
                break;
            }
            printf("%c\n%*s", c, ++depth * 2, "");
            break;
        case '}': case ']': printf("\n%*s%c", --depth * 2, "", c); break;
        case ',': printf(",\n%*s", depth * 2, ""); break;
        case ':': fputs(": ", stdout); break;
        default: putchar(c);
        }
    }
    putchar('\n');
}

static int try_page(const struct rules *r, const char *path, const char *url,
                    const char *ctype, const struct page_opts *po)
{
    struct extract_out o;
    struct page_in in;
    struct record rec;
    struct buf out;
    char *body, *base;
    size_t len;
    int err, i;

    body = read_all(path, &len);
    base = url ? xstrdup(url) : xasprintf("file://%s", path);
    in = (struct page_in){ base, ctype, body, len };
    extract_out_init(&o);
    err = page_process(r, &in, po, &o);
    memset(&rec, 0, sizeof(rec));
    rec.meta.status = 200;
    rec.meta.error = (uint8_t)err;
    rec.meta.bytes = len;
    rec.meta.fetched_at = wall_ms();
    rec.url = base;
    rec.final_url = base;
    rec.content_type = ctype;
    for (i = 0; i < o.nfields && i < RECORD_MAX_FIELDS; i++) {
        rec.fields[i].name = o.fields[i].name;
        rec.fields[i].json = o.fields[i].json.data ? o.fields[i].json.data
                             : "null";
        rec.fields[i].json_len = o.fields[i].json.data ? o.fields[i].json.len
                                 : 4;
    }
    rec.nfields = i;
    buf_init(&out, (size_t)1 << 31);
    record_to_json(&rec, &out);
    if (isatty(1))
        print_pretty(out.data, out.len);
    else
        printf("%s\n", out.data);
    buf_release(&out);
    extract_out_release(&o);
    free(base);
    free(body);
    return err == ZS_OK ? 0 : 1;
}

/* ------------------------------------------------------------------ */

/* What the command line (and the sink's settings) say. */
struct parse_opts {
    const char *coord, *rules_path, *try_path, *try_url, *try_ctype;
    const char *pages_from[PARSER_MAX_PAGES_FROM]; /* --pages-from */
    int npages_from;
};

/* Parse argv into o and po from the defaults; -1 to exit 0 (after --help
 * or --version).  Run twice when the sink hands out settings: over the
 * command line alone, then over the sink's words followed by it. */
static int parse_opts(struct parse_opts *o, struct page_opts *po, int argc,
                      char **argv)
{
    long n;
    int c;

    memset(o, 0, sizeof(*o));
    o->try_ctype = "text/html";
    po->max_bytes = 10u << 20;
    po->timeout_ms = PAGE_DEFAULT_TIMEOUT_MS;
    po->max_depth = PAGE_DEFAULT_MAX_DEPTH;
    optind = 0;
    opterr = 0;     /* suggest_die() says it, with a suggestion */
    while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        switch (c) {
        case O_COORD: o->coord = optarg; break;
        case O_CURVE: zsock_use_curve(optarg, false); break;
        case O_RULES: o->rules_path = optarg; break;
        case O_PAGESFROM:
            if (strncmp(optarg, "tcp://", 6) && strncmp(optarg, "ipc://", 6))
                die_usage("--pages-from: '%s' is not tcp://HOST:PORT or "
                          "ipc://PATH", optarg);
            if (o->npages_from == PARSER_MAX_PAGES_FROM)
                die_usage("--pages-from: at most %d",
                          PARSER_MAX_PAGES_FROM);
            o->pages_from[o->npages_from++] = optarg;
            break;
        case O_MAXB:
            if (parse_long(optarg, 1, ZSOCK_MAX_BODY, &n) < 0)
                die_usage("--max-bytes: '%s' is not a number in 1..%ld",
                          optarg, ZSOCK_MAX_BODY);
            po->max_bytes = (size_t)n;
            break;
        case O_PTIMEOUT:
            if (parse_long(optarg, 0, 3600, &n) < 0)
                die_usage("--parse-timeout: '%s' is not seconds in 0..3600",
                          optarg);
            po->timeout_ms = n * 1000;
            break;
        case O_MAXDEPTH:
            if (parse_long(optarg, 0, 10000000, &n) < 0)
                die_usage("--max-depth: '%s' is not a number", optarg);
            po->max_depth = (int)n;
            break;
        case O_TRY: o->try_path = optarg; break;
        case O_URL: o->try_url = optarg; break;
        case O_CTYPE: o->try_ctype = optarg; break;
        case O_LOGLEVEL: opt_log_level(optarg); break;
        case O_LOGJSON: log_set_json(true); break;
        case 'h': fputs(usage, stdout); return -1;
        case 'V': printf("zscrape-parser %s\n", ZS_VERSION); return -1;
        default: suggest_die(argv[optind - 1], optopt, longopts);
        }
    }
    if (optind < argc)
        die_usage("unexpected argument '%s' (try --help)", argv[optind]);
    return 0;
}

/* The rules: our own --rules FILE wins; else the sink's rule text; else
 * the default rules (NULL). */
static struct rules *load_rules(const struct parse_opts *o,
                                const struct hello_reply *hr)
{
    struct rules *r = NULL;
    char err[512];

    if (o->rules_path) {
        if (!(r = rules_load(o->rules_path, err, sizeof(err))))
            die_usage("%s", err);
    } else if (hr && hr->rules_len) {
        r = rules_parse(hr->rules, hr->rules_len, hr->rules_name, err,
                        sizeof(err));
        if (!r)
            fatal("the coordinator's rules: %s", err);
    }
    return r;
}

int main(int argc, char **argv)
{
    struct parser p;
    struct parse_opts o;
    struct hello_reply hr;
    struct rules *rules;
    char *ep, **merged;
    char token[HELLO_TOKEN_LEN + 1];
    int rc, nmerged;

    memset(&p, 0, sizeof(p));
    log_init("parser", LOG_INFO);
    if (parse_opts(&o, &p.opts, argc, argv) < 0)
        return 0;
    page_init();
    if (o.try_path) {
        rules = load_rules(&o, NULL);
        rc = try_page(rules, o.try_path, o.try_url, o.try_ctype, &p.opts);
        rules_free(rules);
        page_cleanup();
        return rc;
    }
    if (!o.coord)
        die_usage("--coordinator ADDR is required (try --help)");
    if (!(ep = zsock_endpoint(o.coord, EP_PAGES_OUT)))
        die_usage("--coordinator: '%s' is not tcp://HOST:PORT or ipc://PATH",
                  o.coord);
    if (o.rules_path)       /* a bad rule file: say so before joining */
        rules_free(load_rules(&o, NULL));
    sig_init();
    sig_follow_parent();
    p.ctx = zmq_ctx_new();
    /* the crawl's settings from the sink, then our own flags over them */
    hello_token_new(token);
    p.token = token;
    p.ctl.token = token;
    if (hello_ask(p.ctx, o.coord, HELLO_PARSER, token, &hr) < 0) {
        free(ep);
        zmq_ctx_term(p.ctx);
        page_cleanup();
        return 0;
    }
    merged = hello_merge_argv(&hr, argc, argv, &nmerged);
    parse_opts(&o, &p.opts, nmerged, merged);
    rules = load_rules(&o, &hr);
    p.rules = rules;
    p.pages = zsock_new(p.ctx, ZMQ_PULL, PARSER_PAGES_HWM);
    p.results = zsock_new(p.ctx, ZMQ_PUSH, PARSER_RESULTS_HWM);
    p.control = zsock_new(p.ctx, ZMQ_SUB, 16);
    {
        int t = PARSER_SEND_TIMEOUT_MS;
        zmq_setsockopt(p.results, ZMQ_SNDTIMEO, &t, sizeof(t));
    }
    zmq_setsockopt(p.control, ZMQ_SUBSCRIBE, "", 0);
    rc = zsock_connect(p.pages, ep);
    free(ep);
    for (int i = 0; i < o.npages_from; i++)
        rc |= zsock_connect(p.pages, o.pages_from[i]);
    ep = zsock_endpoint(o.coord, EP_RESULTS);
    rc |= zsock_connect(p.results, ep);
    free(ep);
    ep = zsock_endpoint(o.coord, EP_CONTROL);
    rc |= zsock_connect(p.control, ep);
    free(ep);
    if (rc < 0)
        fatal("cannot connect to the coordinator '%s'", o.coord);
    log_info("started coordinator=%s rules=%s", o.coord,
             o.rules_path ? o.rules_path
             : hr.rules_len ? hr.rules_name : "(default)");
    p.hello = &hr;
    rc = parser_run(&p);
    report(&p, true);
    log_info("exit parsed=%llu peak_rss_kb=%ld",
             (unsigned long long)p.parsed, peak_rss_kb());
    zmq_close(p.pages);
    zmq_close(p.results);
    zmq_close(p.control);
    hello_reply_release(&hr);     /* its socket, before the context */
    zmq_ctx_term(p.ctx);
    rules_free(rules);
    page_cleanup();
    free(merged);
    if (p.ctl.rejoin && !sig_stop)
        hello_rejoin(argv);   /* getopt only permuted it */
    return rc < 0 ? 1 : 0;
}
