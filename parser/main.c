/* main.c: zscrape-parser: pages in, records out; or --try on a saved
 * page. */
#include "common/compat.h"

#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/msg.h"
#include "common/sig.h"
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
"\n"
"  --coordinator ADDR   the sink's tcp://HOST:PORT or ipc://PATH\n"
"  --curve-keys DIR     CURVE: encrypt tcp with the worker keys of DIR\n"
"  --rules FILE         extraction rules (default: title and links)\n"
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
       O_LOGJSON, O_PTIMEOUT, O_MAXDEPTH };
enum { O_CURVE = 512 };

static const struct option longopts[] = {
    { "coordinator", required_argument, NULL, O_COORD },
    { "curve-keys", required_argument, NULL, O_CURVE },
    { "rules", required_argument, NULL, O_RULES },
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
    int64_t last_heard_ms;  /* last control message from the sink */
};

/* ------------------------------------------------------------------ */
/* one page                                                            */

static int send_result(struct parser *p, struct msg *m, int err,
                       struct extract_out *o)
{
    struct msg_frame f[4 + EXTRACT_MAX_FIELDS];
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
    for (i = 0; i < o->nfields; i++) {
        buf_init(&names[i], EXTRACT_FIELD_MAX + 256);
        buf_add(&names[i], o->fields[i].name, strlen(o->fields[i].name) + 1);
        buf_add(&names[i], o->fields[i].json.data ? o->fields[i].json.data
                : "null", o->fields[i].json.data ? o->fields[i].json.len : 4);
        f[n++] = (struct msg_frame){ names[i].data, names[i].len, NULL, NULL };
    }
    /* Blocking with a timeout: a full sink is back-pressure, but a signal
     * must still get through. */
    do {
        rc = msg_send(p->results, &meta, f, n, 0);
    } while (rc < 0 && (errno == EAGAIN || errno == EINTR) && !sig_stop);
    for (i = 0; i < o->nfields; i++)
        buf_release(&names[i]);
    return rc;
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
    extract_out_init(&o);
    final_url = msg_part_str(m, 1);
    ctype = msg_part_str(m, 2);
    if (m->meta.error != ZS_OK) {
        extract_nulls(p->rules, &o);
    } else {
        in.url = final_url;
        in.content_type = ctype;
        in.body = msg_part(m, 3, &len);
        in.len = len;
        err = page_process(p->rules, &in, &p->opts, &o);
    }
    if (send_result(p, m, err, &o) < 0)
        log_error("cannot send result url='%s': %s", final_url,
                  zmq_strerror(errno));
    p->parsed++;
    extract_out_release(&o);
    free(final_url);
    free(ctype);
}

static bool on_control(struct parser *p)
{
    bool stop = false;

    while (zsock_readable(p->control)) {
        struct msg m;
        size_t len;
        const char *cmd;
        if (msg_recv(p->control, &m, ZMQ_DONTWAIT) != 0)
            break;
        cmd = msg_part(&m, 0, &len);
        if (m.meta.type == MSG_CONTROL)
            p->last_heard_ms = now_ms();
        if (m.meta.type == MSG_CONTROL && len == 4 && !memcmp(cmd, "stop", 4))
            stop = true;
        msg_close(&m);
    }
    return stop;
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
        if (items[2].revents)
            sig_drain();
        if (items[1].revents && on_control(p)) {
            log_info("stop from the sink parsed=%llu",
                     (unsigned long long)p->parsed);
            return 0;
        }
        if (p->last_heard_ms && now_ms() - p->last_heard_ms > MSG_ORPHAN_MS) {
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

int main(int argc, char **argv)
{
    struct parser p;
    const char *coord = NULL, *rules_path = NULL, *try_path = NULL;
    const char *try_url = NULL, *try_ctype = "text/html";
    struct rules *rules = NULL;
    char err[512], *ep;
    long n;
    int c, rc;

    memset(&p, 0, sizeof(p));
    p.opts.max_bytes = 10u << 20;
    p.opts.timeout_ms = PAGE_DEFAULT_TIMEOUT_MS;
    p.opts.max_depth = PAGE_DEFAULT_MAX_DEPTH;
    log_init("parser", LOG_INFO);
    while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        switch (c) {
        case O_COORD: coord = optarg; break;
        case O_CURVE: zsock_use_curve(optarg, false); break;
        case O_RULES: rules_path = optarg; break;
        case O_MAXB:
            if (parse_long(optarg, 1, ZSOCK_MAX_BODY, &n) < 0)
                die_usage("--max-bytes: '%s' is not a number in 1..%ld",
                          optarg, ZSOCK_MAX_BODY);
            p.opts.max_bytes = (size_t)n;
            break;
        case O_PTIMEOUT:
            if (parse_long(optarg, 0, 3600, &n) < 0)
                die_usage("--parse-timeout: '%s' is not seconds in 0..3600",
                          optarg);
            p.opts.timeout_ms = n * 1000;
            break;
        case O_MAXDEPTH:
            if (parse_long(optarg, 0, 10000000, &n) < 0)
                die_usage("--max-depth: '%s' is not a number", optarg);
            p.opts.max_depth = (int)n;
            break;
        case O_TRY: try_path = optarg; break;
        case O_URL: try_url = optarg; break;
        case O_CTYPE: try_ctype = optarg; break;
        case O_LOGLEVEL:
            if (log_level_parse(optarg) < 0)
                die_usage("--log-level: '%s' is not error|warn|info|debug",
                          optarg);
            log_max_level = (enum log_level)log_level_parse(optarg);
            break;
        case O_LOGJSON: log_set_json(true); break;
        case 'h': fputs(usage, stdout); return 0;
        case 'V': printf("zscrape-parser %s\n", ZS_VERSION); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc)
        die_usage("unexpected argument '%s' (try --help)", argv[optind]);
    if (rules_path && !(rules = rules_load(rules_path, err, sizeof(err))))
        die_usage("%s", err);
    page_init();
    if (try_path) {
        rc = try_page(rules, try_path, try_url, try_ctype, &p.opts);
        rules_free(rules);
        page_cleanup();
        return rc;
    }
    if (!coord)
        die_usage("--coordinator ADDR is required (try --help)");
    if (!(ep = zsock_endpoint(coord, EP_PAGES_OUT)))
        die_usage("--coordinator: '%s' is not tcp://HOST:PORT or ipc://PATH",
                  coord);
    p.rules = rules;
    sig_init();
    sig_follow_parent();
    p.ctx = zmq_ctx_new();
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
    ep = zsock_endpoint(coord, EP_RESULTS);
    rc |= zsock_connect(p.results, ep);
    free(ep);
    ep = zsock_endpoint(coord, EP_CONTROL);
    rc |= zsock_connect(p.control, ep);
    free(ep);
    if (rc < 0)
        fatal("cannot connect to the coordinator '%s'", coord);
    log_info("started coordinator=%s rules=%s", coord,
             rules_path ? rules_path : "(default)");
    rc = parser_run(&p);
    log_info("exit parsed=%llu peak_rss_kb=%ld",
             (unsigned long long)p.parsed, peak_rss_kb());
    zmq_close(p.pages);
    zmq_close(p.results);
    zmq_close(p.control);
    zmq_ctx_term(p.ctx);
    rules_free(rules);
    page_cleanup();
    return rc < 0 ? 1 : 0;
}
