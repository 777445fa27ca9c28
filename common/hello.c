/* hello.c: the settings hand-off between the sink and a joining worker
 * (protocol in hello.h). */
#include "common/compat.h"

#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "common/hello.h"
#include "common/log.h"
#include "common/msg.h"
#include "common/sig.h"
#include "common/util.h"
#include "common/zsock.h"

#define HELLO_WORDS_MAX ((size_t)1 << 20)
#define HELLO_RULES_MAX ((size_t)16 << 20)
#define HELLO_RESEND_MS 2000         /* a lost hello (sink restarted) */
#define HELLO_FIRST_WAIT_MS 5000     /* then say we are waiting */
#define HELLO_WAIT_LOG_MS 30000      /* and again this often */
#define HELLO_MAX_PARTS 8
#define HELLO_MAX_PROCS 4096     /* workers the sink keeps reports of */
#define HELLO_COUNTERS "zscrape-counters "   /* a report's first word */
#define HELLO_COUNTERS_LEN (sizeof(HELLO_COUNTERS) - 1)

static const char *const role_names[HELLO_NROLES] = { "fetcher", "parser" };

/* ------------------------------------------------------------------ */
/* where a process runs                                                */

/* Field 22 (starttime) and the state letter of /proc/PID/stat; -1 when
 * it cannot be read. */
static int proc_stat(long pid, char *state, uint64_t *start)
{
    char path[64], buf[1024], *p;
    FILE *f;
    size_t n;
    int field;

    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    if (!(f = fopen(path, "r")))
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* the command name may hold spaces and parentheses: after the last
     * ')' come the state (field 3) and the rest */
    if (!(p = strrchr(buf, ')')) || p[1] != ' ')
        return -1;
    p += 2;
    *state = *p;
    for (field = 3; field < 22 && p; field++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    if (!p)
        return -1;
    *start = strtoull(p, NULL, 10);
    return 0;
}

void hello_where_self(struct hello_where *w)
{
    struct stat st;
    FILE *f;
    char state;

    memset(w, 0, sizeof(*w));
    if ((f = fopen("/proc/sys/kernel/random/boot_id", "r"))) {
        if (fgets(w->boot, sizeof(w->boot), f))
            w->boot[strcspn(w->boot, "\n")] = '\0';
        fclose(f);
    }
    if (stat("/proc/self/ns/pid", &st) == 0)
        w->pidns = (uint64_t)st.st_ino;
    if (proc_stat((long)getpid(), &state, &w->start) < 0)
        w->start = 0;
}

int hello_where_alive(const struct hello_where *self,
                      const struct hello_where *w, long pid)
{
    uint64_t start;
    char state;

    if (!self->boot[0] || strcmp(self->boot, w->boot) || !self->pidns ||
        self->pidns != w->pidns || !w->start || pid <= 0)
        return -1;
    if (proc_stat(pid, &state, &start) < 0)
        return 0;               /* no such process */
    if (start != w->start)
        return 0;               /* another process has its PID */
    return state == 'Z' || state == 'X' ? 0 : 1;
}

void hello_token_new(char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[HELLO_TOKEN_LEN / 2];
    size_t i;

    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
        /* no entropy source: time and pid keep tokens apart enough */
        uint64_t v = (uint64_t)now_ms() * 2654435761u ^ (uint64_t)getpid();
        for (i = 0; i < sizeof(r); i++)
            r[i] = (unsigned char)(v >> (8 * i));
    }
    for (i = 0; i < sizeof(r); i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[HELLO_TOKEN_LEN] = '\0';
}

/* ------------------------------------------------------------------ */
/* the sink                                                            */

void hello_offer_init(struct hello_offer *o)
{
    int i;

    memset(o, 0, sizeof(*o));
    for (i = 0; i < HELLO_NROLES; i++)
        buf_init(&o->words[i], HELLO_WORDS_MAX);
    o->rules_name = "";
}

void hello_offer_release(struct hello_offer *o)
{
    int i;

    for (i = 0; i < HELLO_NROLES; i++)
        buf_release(&o->words[i]);
    free(o->rules);
    o->rules = NULL;
}

void hello_offer_add(struct hello_offer *o, enum hello_role role,
                     const char *opt, const char *val)
{
    struct buf *b = &o->words[role];

    if (buf_add(b, opt, strlen(opt) + 1) < 0 ||
        (val && buf_add(b, val, strlen(val) + 1) < 0))
        fatal("worker settings over %zu bytes", HELLO_WORDS_MAX);
}

static void send_frames(void *s, const void *id, size_t idlen,
                        const struct msg_frame *f, int n)
{
    int i;

    if (zmq_send(s, id, idlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return;
    for (i = 0; i < n; i++)
        zmq_send(s, f[i].data, f[i].len,
                 (i + 1 < n ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT);
}

/* Read one whole multipart message: its frames' zmq_msg_t (up to max);
 * returns how many, 0 when none was waiting. */
static int recv_parts(void *s, zmq_msg_t *parts, int max)
{
    int n = 0, more = 0;
    size_t sz = sizeof(more);

    do {
        zmq_msg_t tmp, *m = n < max ? &parts[n] : &tmp;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, s, n ? 0 : ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(m);
            return n;
        }
        zmq_getsockopt(s, ZMQ_RCVMORE, &more, &sz);
        if (m == &tmp)
            zmq_msg_close(m);
        else
            n++;
    } while (more);
    return n;
}

static struct hello_proc *proc_find(struct hello_procs *ps,
                                    const void *id, size_t idlen)
{
    size_t i;

    for (i = 0; i < ps->n; i++)
        if (ps->v[i].idlen == idlen && !memcmp(ps->v[i].id, id, idlen))
            return &ps->v[i];
    if (ps->n == HELLO_MAX_PROCS)
        return NULL;
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? 2 * ps->cap : 16;
        ps->v = xrealloc(ps->v, ps->cap * sizeof(*ps->v));
    }
    memset(&ps->v[ps->n], 0, sizeof(ps->v[0]));
    memcpy(ps->v[ps->n].id, id, idlen);
    ps->v[ps->n].idlen = idlen;
    return &ps->v[ps->n++];
}

/* "zscrape-counters V ROLE PID FINAL name=value ..." from a worker. */
static void take_report(struct hello_procs *ps, zmq_msg_t *id,
                        const char *req, const char *peer)
{
    struct hello_proc *pr;
    char role[16];
    long pid;
    int version, final, off = 0;

    if (!ps || zmq_msg_size(id) > sizeof(pr->id) ||
        sscanf(req, "zscrape-counters %d %15s %ld %d %n", &version, role,
               &pid, &final, &off) != 4 || !off || version != MSG_VERSION)
        return;
    pr = proc_find(ps, zmq_msg_data(id), zmq_msg_size(id));
    if (!pr)
        return;
    snprintf(pr->role, sizeof(pr->role), "%s", role);
    snprintf(pr->peer, sizeof(pr->peer), "%s", peer);
    pr->pid = pid;
    pr->final = final != 0;
    pr->heard_ms = now_ms();
    free(pr->counters);
    pr->counters = xstrdup(req + off);
    if (ps->on_event)
        ps->on_event(ps->event_arg, pr, HELLO_REPORTED);
}

/* "zscrape-hello V ROLE PID BOOT PIDNS START": a worker joined (an
 * older worker's hello has no PID and on: nothing is known of where it
 * runs). */
static void take_hello(struct hello_procs *ps, zmq_msg_t *id,
                       const char *req, int role, const char *peer)
{
    struct hello_proc *pr;
    unsigned long long pidns = 0, start = 0;
    char boot[40] = "";
    long pid = 0;

    ps->joined++;
    if (zmq_msg_size(id) > sizeof(pr->id))
        return;
    pr = proc_find(ps, zmq_msg_data(id), zmq_msg_size(id));
    if (!pr)
        return;
    if (sscanf(req, "zscrape-hello %*d %*s %ld %39s %llu %llu", &pid, boot,
               &pidns, &start) == 4) {
        pr->pid = pid;
        snprintf(pr->where.boot, sizeof(pr->where.boot), "%s", boot);
        pr->where.pidns = pidns;
        pr->where.start = start;
    }
    snprintf(pr->role, sizeof(pr->role), "%s", role_names[role]);
    snprintf(pr->peer, sizeof(pr->peer), "%s", peer);
    pr->heard_ms = now_ms();
    if (ps->on_event)
        ps->on_event(ps->event_arg, pr, HELLO_JOINED);
}

static void answer_one(void *s, zmq_msg_t *p, int n,
                       const struct hello_offer *o, struct hello_procs *ps)
{
    char req[512], refusal[160], head[64];
    const char *peer = n >= 2 ? zmq_msg_gets(&p[n - 1], "Peer-Address")
                       : NULL;
    struct msg_frame f[4];
    size_t len;
    int version = -1, i;
    char role[16] = "";

    if (!peer || !strncmp(peer, "localhost:", 10))
        peer = "local";
    len = n == 2 ? zmq_msg_size(&p[1]) : 0;
    if (len > HELLO_COUNTERS_LEN && len <= HELLO_REPORT_MAX + 64 &&
        !memcmp(zmq_msg_data(&p[1]), HELLO_COUNTERS, HELLO_COUNTERS_LEN)) {
        /* longer than a hello: a fetcher's per-proxy counters */
        char *report = xstrndup(zmq_msg_data(&p[1]), len);
        take_report(ps, &p[0], report, peer);
        free(report);
        return;
    }
    if (len >= sizeof(req))
        len = 0;
    memcpy(req, n == 2 ? zmq_msg_data(&p[1]) : "", len);
    req[len] = '\0';
    if (sscanf(req, "zscrape-hello %d %15s", &version, role) != 2) {
        log_warn("hello: not a zscrape worker at %s: ignored", peer);
        return;
    }
    if (version != MSG_VERSION) {
        log_error("refused a %s at %s: it speaks protocol version %d, this "
                  "sink %d (run the same zscrape version everywhere)", role,
                  peer, version, MSG_VERSION);
        snprintf(refusal, sizeof(refusal),
                 "zscrape-refused %d the sink speaks protocol version %d",
                 MSG_VERSION, MSG_VERSION);
        f[0] = (struct msg_frame){ refusal, strlen(refusal), NULL, NULL };
        send_frames(s, zmq_msg_data(&p[0]), zmq_msg_size(&p[0]), f, 1);
        return;
    }
    for (i = 0; i < HELLO_NROLES && strcmp(role, role_names[i]); i++)
        ;
    if (i == HELLO_NROLES) {
        log_warn("hello: unknown role '%s' from %s: ignored", role, peer);
        return;
    }
    log_info("a %s joined from %s", role, peer);
    snprintf(head, sizeof(head), "zscrape-config %d", MSG_VERSION);
    f[0] = (struct msg_frame){ head, strlen(head), NULL, NULL };
    f[1] = (struct msg_frame){ o->words[i].data ? o->words[i].data : "",
                               o->words[i].len, NULL, NULL };
    f[2] = (struct msg_frame){ o->rules ? o->rules : "", o->rules_len, NULL,
                               NULL };
    f[3] = (struct msg_frame){ o->rules_name, strlen(o->rules_name), NULL,
                               NULL };
    send_frames(s, zmq_msg_data(&p[0]), zmq_msg_size(&p[0]), f, 4);
    if (ps)
        take_hello(ps, &p[0], req, i, peer);
}

void hello_answer(void *router, const struct hello_offer *o,
                  struct hello_procs *procs)
{
    zmq_msg_t parts[HELLO_MAX_PARTS];
    int n, i;

    while ((n = recv_parts(router, parts, HELLO_MAX_PARTS)) > 0) {
        answer_one(router, parts, n, o, procs);
        for (i = 0; i < n; i++)
            zmq_msg_close(&parts[i]);
    }
}

bool hello_procs_all_final(const struct hello_procs *p)
{
    size_t i;

    int64_t now = now_ms();

    for (i = 0; i < p->n; i++)
        if (!p->v[i].final && now - p->v[i].heard_ms < 3 * HELLO_REPORT_MS)
            return false;
    return true;
}

bool hello_procs_all_stopped(const struct hello_procs *p)
{
    size_t i, nfinal = 0;

    for (i = 0; i < p->n; i++)
        nfinal += p->v[i].final;
    return p->joined > 0 && nfinal >= p->joined;
}

/* The value of counter name in "a=1 b=2"; 0 when absent. */
static uint64_t counter(const char *s, const char *name)
{
    size_t n = strlen(name);

    while (s && *s) {
        if (!strncmp(s, name, n) && s[n] == '=')
            return strtoull(s + n + 1, NULL, 10);
        s = strchr(s, ' ');
        if (s)
            s++;
    }
    return 0;
}

uint64_t hello_procs_sum(const struct hello_procs *p, const char *name)
{
    uint64_t sum = 0;
    size_t i;

    for (i = 0; i < p->n; i++)
        sum += counter(p->v[i].counters, name);
    return sum;
}

void hello_procs_json(const struct hello_procs *p, FILE *f)
{
    size_t i;

    fputc('[', f);
    for (i = 0; i < p->n; i++) {
        const struct hello_proc *pr = &p->v[i];
        const char *c = pr->counters;
        struct buf b;
        buf_init(&b, 4096);
        buf_json_str(&b, pr->role, strlen(pr->role));
        buf_addstr(&b, ", \"host\": ");
        buf_json_str(&b, pr->peer, strlen(pr->peer));
        fprintf(f, "%s\n    {\"role\": %s, \"pid\": %ld", i ? "," : "",
                b.data, pr->pid);
        buf_release(&b);
        /* name=digits pairs only: nothing else reaches the JSON */
        while (c && *c) {
            size_t nl = strcspn(c, "= "), vl;
            if (c[nl] == '=') {
                vl = strspn(c + nl + 1, "0123456789");
                if (vl && (c[nl + 1 + vl] == ' ' || !c[nl + 1 + vl]) &&
                    strspn(c, "abcdefghijklmnopqrstuvwxyz_") == nl)
                    fprintf(f, ", \"%.*s\": %.*s", (int)nl, c, (int)vl,
                            c + nl + 1);
            }
            c = strchr(c, ' ');
            if (c)
                c++;
        }
        fputc('}', f);
    }
    fputs(p->n ? "\n  ]" : "]", f);
}

void hello_procs_free(struct hello_procs *p)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        free(p->v[i].counters);
    free(p->v);
    memset(p, 0, sizeof(*p));
}

/* ------------------------------------------------------------------ */
/* the worker                                                          */

static void send_hello(void *s, enum hello_role role)
{
    struct hello_where w;
    char req[256];

    hello_where_self(&w);
    snprintf(req, sizeof(req), "zscrape-hello %d %s %ld %s %llu %llu",
             MSG_VERSION, role_names[role], (long)getpid(),
             w.boot[0] ? w.boot : "-", (unsigned long long)w.pidns,
             (unsigned long long)w.start);
    zmq_send(s, req, strlen(req), ZMQ_DONTWAIT);
}

static char *dup_part(zmq_msg_t *m, size_t *len)
{
    *len = zmq_msg_size(m);
    return xstrndup(zmq_msg_data(m), *len);
}

/* Fill r from a config reply; -1 when it is not one. */
static int take_config(zmq_msg_t *p, int n, struct hello_reply *r)
{
    size_t len, i;
    char *w;
    int k;

    if (n != 4)
        return -1;
    w = dup_part(&p[1], &len);
    r->argc = 0;
    for (i = 0; i < len; i++)
        r->argc += w[i] == '\0';
    r->argv = xcalloc((size_t)r->argc + 1, sizeof(char *));
    for (i = 0, k = 0; k < r->argc; k++) {
        r->argv[k] = w + i;
        i += strlen(w + i) + 1;
    }
    r->words = w;
    r->rules = dup_part(&p[2], &r->rules_len);
    r->rules_name = dup_part(&p[3], &len);
    return 0;
}

/* One reply waiting on s: 1 taken, 0 ignored, exits on a refusal. */
static int on_reply(void *s, const char *coord, struct hello_reply *r)
{
    zmq_msg_t parts[HELLO_MAX_PARTS];
    char head[160];
    int n, i, version = -1, rc = 0;
    size_t len;

    n = recv_parts(s, parts, HELLO_MAX_PARTS);
    if (n == 0)
        return 0;
    len = zmq_msg_size(&parts[0]);
    if (len >= sizeof(head))
        len = sizeof(head) - 1;
    memcpy(head, zmq_msg_data(&parts[0]), len);
    head[len] = '\0';
    if (sscanf(head, "zscrape-refused %d", &version) == 1) {
        const char *why = strchr(head + 16, ' ');
        fatal("the coordinator at %s refused this worker: %s (this worker "
              "speaks protocol version %d; run the same zscrape version "
              "everywhere)", coord, why ? why + 1 : "?", MSG_VERSION);
    }
    if (sscanf(head, "zscrape-config %d", &version) == 1 &&
        version == MSG_VERSION && take_config(parts, n, r) == 0)
        rc = 1;
    else
        log_warn("hello: an unexpected answer from %s: ignored", coord);
    for (i = 0; i < n; i++)
        zmq_msg_close(&parts[i]);
    return rc;
}

int hello_ask(void *ctx, const char *coord, enum hello_role role,
              const char *token, struct hello_reply *r)
{
    char *ep = zsock_endpoint(coord, EP_HELLO);
    void *s = zsock_new(ctx, ZMQ_DEALER, 16);
    int64_t start = now_ms(), sent = 0, logged = 0;
    int rc = -1;

    memset(r, 0, sizeof(*r));
    if (token)
        zmq_setsockopt(s, ZMQ_ROUTING_ID, token, strlen(token));
    if (!ep || zsock_connect(s, ep) < 0)
        fatal("cannot connect to the coordinator '%s'", coord);
    free(ep);
    while (!sig_stop) {
        zmq_pollitem_t items[2] = {
            { s, 0, ZMQ_POLLIN, 0 },
            { NULL, sig_fd(), ZMQ_POLLIN, 0 },
        };
        int64_t now = now_ms();
        if (now - sent >= HELLO_RESEND_MS) {
            send_hello(s, role);
            sent = now;
        }
        if (now - start >= HELLO_FIRST_WAIT_MS &&
            now - logged >= HELLO_WAIT_LOG_MS) {
            log_warn("waiting for the coordinator at %s (no answer for "
                     "%llds; is its sink running?)", coord,
                     (long long)((now - start) / 1000));
            logged = now;
        }
        if (zmq_poll(items, 2, 500) < 0 && errno != EINTR)
            fatal("zmq_poll: %s", zmq_strerror(errno));
        if (items[1].revents)
            sig_drain();
        if (items[0].revents && on_reply(s, coord, r) == 1) {
            rc = 0;
            break;
        }
    }
    if (rc == 0) {
        r->sock = s;            /* for the reports */
        r->role = role;
    } else {
        zmq_close(s);
    }
    return rc;
}

void hello_report(const struct hello_reply *r, bool final,
                  const char *counters)
{
    char *m;

    if (!r->sock)
        return;
    m = xasprintf("zscrape-counters %d %s %ld %d %s", MSG_VERSION,
                  role_names[r->role], (long)getpid(), final ? 1 : 0,
                  counters);
    zmq_send(r->sock, m, strlen(m), ZMQ_DONTWAIT);
    free(m);
}

void hello_reply_release(struct hello_reply *r)
{
    if (r->sock)
        zmq_close(r->sock);
    free(r->argv);
    free(r->words);
    free(r->rules);
    free(r->rules_name);
    memset(r, 0, sizeof(*r));
}

char **hello_merge_argv(const struct hello_reply *r, int argc, char **argv,
                        int *out_argc)
{
    char **v = xcalloc((size_t)(argc + r->argc + 1), sizeof(char *));
    int n = 0, i;

    v[n++] = argv[0];
    for (i = 0; i < r->argc; i++)
        v[n++] = r->argv[i];
    for (i = 1; i < argc; i++)
        v[n++] = argv[i];
    *out_argc = n;
    return v;
}

void hello_rejoin(char **argv)
{
    log_info("rejoining the crawl: starting over");
    execv("/proc/self/exe", argv);
    log_error("cannot start over: %s", strerror(errno));
}
