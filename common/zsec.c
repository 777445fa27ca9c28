/* zsec.c: CURVE on tcp sockets, the ZAP handler and the handshake watch
 * (one guard thread a process). */
#include "common/compat.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zmq.h>

#include "common/log.h"
#include "common/util.h"
#include "common/zsec.h"

#define ZSEC_ZAP_EP "inproc://zeromq.zap.01"
#define ZSEC_ZAP_DOMAIN "zscrape"
#define ZSEC_WATCH_EP "inproc://zscrape-watch-%d"
#define ZSEC_POLL_MS 100            /* the guard adopts new watches */
#define ZSEC_MAX_WATCH 16           /* tcp sockets of a process */
#define ZSEC_MAX_FAILS 3            /* silent handshake failures in a row */
#define ZSEC_LOG_EVERY_MS 10000     /* one refusal line a kind per 10 s */
#define ZSEC_RELOAD_MS 1000         /* re-read DIR/workers at most 1/s */
#define ZSEC_ZAP_PARTS 8            /* ZAP request frames kept */
#define ZSEC_PROBE_MS 1000          /* the greeting probe's time limit */
#define ZMTP_GREETING 64            /* a ZMTP 3 greeting's size */
#define ZMTP_MECH_AT 12             /* where its mechanism name starts */
#define ZMTP_MECH_LEN 20            /* the name's room (NUL-padded) */

#define WATCH_WORKER (ZMQ_EVENT_HANDSHAKE_SUCCEEDED | \
                      ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | \
                      ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | \
                      ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
#define WATCH_SINK ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL

/* One watched socket: its monitor events arrive on mon. */
struct watch {
    void *mon;          /* PAIR connected to the socket's monitor */
    char *ep;           /* the socket's endpoint (owned) */
    bool bound;         /* the sink's listening socket, else a worker's */
    int fails;          /* handshakes failed in a row (guard thread) */
};

/* At most one log line a period; the others are counted. */
struct ratelimit {
    int64_t next_ms;    /* when the next line may be logged */
    unsigned held;      /* lines not logged since the last one */
};

static struct {
    pthread_mutex_t lock;           /* guards zap, watch, nwatch */
    struct curve_keys *keys;        /* NULL: no CURVE */
    void *zap;                      /* REP at ZSEC_ZAP_EP, or NULL */
    struct watch watch[ZSEC_MAX_WATCH]; /* appended, never changed */
    int nwatch;                     /* entries of watch in use */
    int nmon;                       /* monitor endpoints made */
    bool started;                   /* the guard thread runs */
    bool warned;                    /* the open-listener warning shown */
    int64_t reload_ms;              /* last re-read of the worker keys */
    struct ratelimit rl_zap;        /* refused keys (guard thread) */
    struct ratelimit rl_proto[3];   /* failed handshakes: no CURVE, bad
                                       crypto, other (guard thread) */
} g = { .lock = PTHREAD_MUTEX_INITIALIZER };

void zsec_use(struct curve_keys *k)
{
    curve_keys_free(g.keys);
    g.keys = k;
}

/* ------------------------------------------------------------------ */
/* addresses                                                           */

/* The host of tcp://HOST:PORT into out (brackets dropped); -1 if none. */
static int ep_host(const char *ep, char *out, size_t outlen)
{
    const char *h = ep + 6, *colon = strrchr(h, ':');
    size_t n;

    if (strncmp(ep, "tcp://", 6) || !colon)
        return -1;
    n = (size_t)(colon - h);
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    if (n == 0 || n >= outlen)
        return -1;
    memcpy(out, h, n);
    out[n] = '\0';
    return 0;
}

bool zsec_private_endpoint(const char *ep)
{
    char host[256];
    struct in_addr a4;
    struct in6_addr a6;
    uint32_t a;

    if (ep_host(ep, host, sizeof(host)) < 0 || !strcmp(host, "*"))
        return false;
    if (inet_pton(AF_INET, host, &a4) == 1) {
        a = ntohl(a4.s_addr);
        return (a >> 24) == 127 || (a >> 24) == 10 ||
               (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168)
               || (a >> 16) == (169u << 8 | 254);
    }
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) || IN6_IS_ADDR_LINKLOCAL(&a6) ||
               (a6.s6_addr[0] & 0xfe) == 0xfc;
    return true;    /* a name: an interface or a host, not checked */
}

/* ------------------------------------------------------------------ */
/* the guard thread                                                    */

static bool ratelimit_pass(struct ratelimit *rl, unsigned *held)
{
    int64_t now = now_ms();

    if (now < rl->next_ms) {
        rl->held++;
        return false;
    }
    *held = rl->held;
    rl->held = 0;
    rl->next_ms = now + ZSEC_LOG_EVERY_MS;
    return true;
}

/* A worker refused by its coordinator: say why and exit 1 (its loop
 * would otherwise wait forever for a coordinator it cannot join). */
static ZS_NORETURN void refused(const char *fmt, ...) ZS_PRINTF(1, 2);

static ZS_NORETURN void refused(const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    log_error("%s", line);
    _exit(1);
}

/* The security mechanism the ZMTP peer at ep announces in its greeting
 * ("NULL", "CURVE", ...) into out (ZMTP_MECH_LEN + 1 bytes): we send a
 * signature and a major version, the peer answers with its greeting.
 * -1 when it cannot be learned. */
static int probe_mechanism(const char *ep, char *out)
{
    static const char hello[11] = { '\xff', 0, 0, 0, 0, 0, 0, 0, 0,
                                    '\x7f', 3 };
    struct timeval tv = { ZSEC_PROBE_MS / 1000, ZSEC_PROBE_MS % 1000 * 1000 };
    struct addrinfo hints, *ai = NULL;
    unsigned char greet[ZMTP_GREETING];
    char host[256];
    const char *port = strrchr(ep, ':');
    size_t got = 0;
    ssize_t n;
    int fd = -1, rc = -1;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    if (ep_host(ep, host, sizeof(host)) < 0 ||
        getaddrinfo(host, port + 1, &hints, &ai) != 0)
        return -1;
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto out;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
        send(fd, hello, sizeof(hello), MSG_NOSIGNAL) != sizeof(hello))
        goto out;
    while (got < sizeof(greet) &&
           (n = recv(fd, greet + got, sizeof(greet) - got, 0)) > 0)
        got += (size_t)n;
    if (got < sizeof(greet) || greet[0] != 0xff || greet[9] != 0x7f)
        goto out;
    memcpy(out, greet + ZMTP_MECH_AT, ZMTP_MECH_LEN);
    out[ZMTP_MECH_LEN] = '\0';
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    return rc;
}

/* The copy of frame i, NUL-terminated, into out. */
static const char *part_str(zmq_msg_t *parts, int n, int i, char *out,
                            size_t outlen)
{
    size_t len = i < n ? zmq_msg_size(&parts[i]) : 0;

    if (len >= outlen)
        len = outlen - 1;
    if (len)
        memcpy(out, zmq_msg_data(&parts[i]), len);
    out[len] = '\0';
    return out;
}

static void zap_reply(void *zap, zmq_msg_t *reqid, const char *status,
                      const char *text)
{
    const char *frames[] = { "1.0", NULL, status, text, "", "" };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(frames); i++) {
        int more = i + 1 < ARRAY_SIZE(frames) ? ZMQ_SNDMORE : 0;
        if (i == 1 && reqid)
            zmq_send(zap, zmq_msg_data(reqid), zmq_msg_size(reqid), more);
        else
            zmq_send(zap, frames[i] ? frames[i] : "",
                     frames[i] ? strlen(frames[i]) : 0, more);
    }
}

/* One ZAP request (RFC 27): version, request id, domain, address,
 * identity, mechanism, credentials (the client's public key). */
static void on_zap(void *zap)
{
    zmq_msg_t parts[ZSEC_ZAP_PARTS];
    char version[8], mech[16], addr[64], z85[CURVE_Z85_LEN + 1];
    char err[512];
    const uint8_t *key = NULL;
    unsigned held;
    int n = 0, more = 1, i;
    bool ok = false;

    while (more) {
        zmq_msg_t tmp;
        zmq_msg_t *m = n < ZSEC_ZAP_PARTS ? &parts[n] : &tmp;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, zap, 0) < 0) {
            zmq_msg_close(m);
            break;
        }
        more = zmq_msg_more(m);
        if (m == &tmp)
            zmq_msg_close(m);
        else
            n++;
    }
    if (n == 0)
        return;
    part_str(parts, n, 0, version, sizeof(version));
    part_str(parts, n, 3, addr, sizeof(addr));
    part_str(parts, n, 5, mech, sizeof(mech));
    if (n >= 7 && !strcmp(version, "1.0") && !strcmp(mech, "CURVE") &&
        zmq_msg_size(&parts[6]) == CURVE_KEY_LEN) {
        key = zmq_msg_data(&parts[6]);
        ok = curve_keys_admits(g.keys, key);
        if (!ok && now_ms() - g.reload_ms >= ZSEC_RELOAD_MS) {
            /* a worker key added to DIR/workers during the crawl */
            g.reload_ms = now_ms();
            if (curve_keys_reload(g.keys, err, sizeof(err)) < 0)
                log_warn("cannot re-read the worker keys: %s", err);
            ok = curve_keys_admits(g.keys, key);
        }
    }
    if (key)
        curve_z85(key, z85);
    else
        snprintf(z85, sizeof(z85), "(none)");
    if (ok) {
        log_debug("admitted a CURVE worker from %s key=%s", addr, z85);
        zap_reply(zap, n > 1 ? &parts[1] : NULL, "200", "OK");
    } else {
        if (ratelimit_pass(&g.rl_zap, &held))
            log_warn("refused a peer from %s: its CURVE key is not one "
                     "of %s (worker.pub, workers/*.pub) key=%s "
                     "mechanism=%s refused_since_last_line=%u", addr,
                     g.keys->dir, z85, mech, held);
        zap_reply(zap, n > 1 ? &parts[1] : NULL, "400",
                  "key not admitted");
    }
    for (i = 0; i < n; i++)
        zmq_msg_close(&parts[i]);
}

/* The coordinator's side of a failed handshake. */
static void on_sink_event(struct watch *w, unsigned ev, uint32_t value)
{
    const char *why = "protocol error";
    unsigned held;
    int kind = 2;

    if (ev != ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        return;
    if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) {
        why = "it does not use CURVE (a worker without --curve-keys?)";
        kind = 0;
    } else if (value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC) {
        why = "its CURVE handshake does not decrypt (its coordinator.pub "
              "is not our key?)";
        kind = 1;
    }
    if (!ratelimit_pass(&g.rl_proto[kind], &held))
        return;
    log_warn("refused a peer on %s: %s error=0x%x "
             "refused_since_last_line=%u", w->ep, why, (unsigned)value,
             held);
}

/* A worker's side: a refusal ends the process with a clear line. */
static void on_worker_event(struct watch *w, unsigned ev, uint32_t value)
{
    const char *dir = g.keys ? g.keys->dir : NULL;
    char mech[ZMTP_MECH_LEN + 1] = "";

    switch (ev) {
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        w->fails = 0;
        return;
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        refused("the coordinator at %s refused our CURVE key (check "
                "--curve-keys: the sink admits worker.pub and "
                "workers/*.pub of its folder) status=%u", w->ep,
                (unsigned)value);
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH && dir)
            refused("the coordinator at %s does not use CURVE but we do "
                    "(check --curve-keys: give it to the crawl too, or "
                    "drop ours)", w->ep);
        if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
            refused("the coordinator at %s requires CURVE encryption "
                    "(check --curve-keys: give us --curve-keys DIR with "
                    "its keys)", w->ep);
        if (dir && value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
            refused("the coordinator at %s refused our CURVE handshake "
                    "(check --curve-keys: is '%s/coordinator.pub' its "
                    "key?)", w->ep, dir);
        break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        break;
    default:
        return;
    }
    if (++w->fails < ZSEC_MAX_FAILS)
        return;
    /* No detail, as when the peer hangs up before we read its greeting
     * (a mechanism mismatch then gives no event): ask it for its
     * greeting. */
    probe_mechanism(w->ep, mech);
    if (dir && !strcmp(mech, "NULL"))
        refused("the coordinator at %s does not use CURVE but we do "
                "(check --curve-keys: give it to the crawl too, or drop "
                "ours)", w->ep);
    if (!dir && !strcmp(mech, "CURVE"))
        refused("the coordinator at %s requires CURVE encryption (check "
                "--curve-keys: give us --curve-keys DIR with its keys)",
                w->ep);
    if (dir)
        refused("the coordinator at %s refused our CURVE handshake %d "
                "times (check --curve-keys: is '%s/coordinator.pub' its "
                "key, and does it admit our worker.pub?) error=0x%x",
                w->ep, w->fails, dir, (unsigned)value);
    refused("the peer at %s ended the handshake %d times: is it a zscrape "
            "coordinator? (check --coordinator and --curve-keys) "
            "error=0x%x", w->ep, w->fails, (unsigned)value);
}

/* One monitor event: a 6-byte frame (event, value), then the endpoint. */
static void on_watch(struct watch *w)
{
    zmq_msg_t m;
    uint16_t ev = 0;
    uint32_t value = 0;
    int more = 1, i = 0;

    while (more) {
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, w->mon, 0) < 0) {
            zmq_msg_close(&m);
            return;
        }
        more = zmq_msg_more(&m);
        if (i++ == 0 && zmq_msg_size(&m) >= 6) {
            memcpy(&ev, zmq_msg_data(&m), 2);
            memcpy(&value, (char *)zmq_msg_data(&m) + 2, 4);
        }
        zmq_msg_close(&m);
    }
    if (w->bound)
        on_sink_event(w, ev, value);
    else
        on_worker_event(w, ev, value);
}

static void *guard_main(void *arg)
{
    zmq_pollitem_t items[ZSEC_MAX_WATCH + 1];
    void *zap;
    int n, nw, i;

    (void)arg;
    for (;;) {
        pthread_mutex_lock(&g.lock);
        zap = g.zap;
        nw = g.nwatch;
        pthread_mutex_unlock(&g.lock);
        n = 0;
        if (zap)
            items[n++] = (zmq_pollitem_t){ zap, 0, ZMQ_POLLIN, 0 };
        for (i = 0; i < nw; i++)
            items[n++] = (zmq_pollitem_t){ g.watch[i].mon, 0, ZMQ_POLLIN,
                                           0 };
        if (zmq_poll(items, n, ZSEC_POLL_MS) < 0) {
            if (errno == EINTR)
                continue;
            break;      /* ETERM: the context is ending */
        }
        n = 0;
        if (zap && items[n++].revents)
            on_zap(zap);
        for (i = 0; i < nw; i++)
            if (items[n + i].revents)
                on_watch(&g.watch[i]);
    }
    /* close every socket we own, so zmq_ctx_term() can end */
    pthread_mutex_lock(&g.lock);
    if (g.zap)
        zmq_close(g.zap);
    for (i = 0; i < g.nwatch; i++)
        zmq_close(g.watch[i].mon);
    g.zap = NULL;
    g.nwatch = ZSEC_MAX_WATCH;  /* no more watches: the context is gone */
    pthread_mutex_unlock(&g.lock);
    return NULL;
}

/* Start the guard once, with every signal blocked (they belong to the
 * main thread's self-pipe). */
static int guard_start(void)
{
    sigset_t all, old;
    pthread_t t;
    int rc;

    if (g.started)
        return 0;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rc = pthread_create(&t, NULL, guard_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return error("cannot start the security thread: %s", strerror(rc));
    pthread_detach(t);
    g.started = true;
    return 0;
}

/* The ZAP handler's socket, bound before the first CURVE server binds. */
static int zap_open(void *ctx)
{
    void *zap;
    int linger = 0;

    if (g.zap)
        return 0;
    if (!(zap = zmq_socket(ctx, ZMQ_REP)))
        return error("cannot make the ZAP socket: %s", zmq_strerror(errno));
    zmq_setsockopt(zap, ZMQ_LINGER, &linger, sizeof(linger));
    if (zmq_bind(zap, ZSEC_ZAP_EP) < 0) {
        error("cannot bind the ZAP handler '%s': %s", ZSEC_ZAP_EP,
              zmq_strerror(errno));
        zmq_close(zap);
        return -1;
    }
    pthread_mutex_lock(&g.lock);
    g.zap = zap;
    pthread_mutex_unlock(&g.lock);
    return 0;
}

/* Watch the handshakes of s (the guard reads the events). */
static int watch_add(void *ctx, void *s, const char *ep, bool bind)
{
    char mon_ep[64];
    void *mon;
    int linger = 0;

    pthread_mutex_lock(&g.lock);
    if (g.nwatch >= ZSEC_MAX_WATCH) {
        pthread_mutex_unlock(&g.lock);
        return error("cannot watch '%s': too many tcp sockets", ep);
    }
    snprintf(mon_ep, sizeof(mon_ep), ZSEC_WATCH_EP, g.nmon++);
    pthread_mutex_unlock(&g.lock);
    if (zmq_socket_monitor(s, mon_ep, bind ? WATCH_SINK : WATCH_WORKER) < 0)
        return error("cannot monitor '%s': %s", ep, zmq_strerror(errno));
    if (!(mon = zmq_socket(ctx, ZMQ_PAIR)))
        return error("cannot make a monitor socket: %s",
                     zmq_strerror(errno));
    zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof(linger));
    if (zmq_connect(mon, mon_ep) < 0) {
        error("cannot connect the monitor of '%s': %s", ep,
              zmq_strerror(errno));
        zmq_close(mon);
        return -1;
    }
    pthread_mutex_lock(&g.lock);
    g.watch[g.nwatch] = (struct watch){ mon, xstrdup(ep), bind, 0 };
    g.nwatch++;
    pthread_mutex_unlock(&g.lock);
    return 0;
}

static int set_key(void *s, int opt, const uint8_t *key, const char *ep)
{
    if (zmq_setsockopt(s, opt, key, CURVE_KEY_LEN) < 0)
        return error("cannot set the CURVE keys of '%s': %s", ep,
                     zmq_strerror(errno));
    return 0;
}

static int prepare_bind(void *ctx, void *s, const char *ep)
{
    int one = 1;

    if (!g.keys) {
        if (!g.warned && !zsec_private_endpoint(ep)) {
            g.warned = true;
            log_warn("listening on %s without --curve-keys: every host "
                     "that reaches it can join the crawl and read its "
                     "traffic (listen on a private address, or use "
                     "--curve-keys DIR)", ep);
        }
        return 0;
    }
    if (g.keys->role != CURVE_SERVER)
        return error("cannot listen on '%s' with worker keys", ep);
    if (zap_open(ctx) < 0)
        return -1;
    if (zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof(one)) < 0 ||
        zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, ZSEC_ZAP_DOMAIN,
                       strlen(ZSEC_ZAP_DOMAIN)) < 0)
        return error("cannot make '%s' a CURVE server: %s", ep,
                     zmq_strerror(errno));
    if (set_key(s, ZMQ_CURVE_SECRETKEY, g.keys->secret, ep) < 0 ||
        watch_add(ctx, s, ep, true) < 0)
        return -1;
    return guard_start();
}

static int prepare_connect(void *ctx, void *s, const char *ep)
{
    if (g.keys) {
        if (g.keys->role != CURVE_CLIENT)
            return error("cannot connect to '%s' with coordinator keys", ep);
        if (set_key(s, ZMQ_CURVE_SERVERKEY, g.keys->server, ep) < 0 ||
            set_key(s, ZMQ_CURVE_PUBLICKEY, g.keys->public, ep) < 0 ||
            set_key(s, ZMQ_CURVE_SECRETKEY, g.keys->secret, ep) < 0)
            return -1;
    }
    /* watched with or without keys: a worker without them that meets a
     * CURVE coordinator says so instead of waiting forever */
    if (watch_add(ctx, s, ep, false) < 0)
        return -1;
    return guard_start();
}

int zsec_prepare(void *ctx, void *s, const char *ep, bool bind)
{
    if (strncmp(ep, "tcp://", 6))
        return 0;
    if (!ctx)
        return error("no context for '%s'", ep);
    return bind ? prepare_bind(ctx, s, ep) : prepare_connect(ctx, s, ep);
}
