/* sched.c: the sink's scheduler.  It dispatches from the frontier's
 * hosts whose turn it is to the fetchers that have credit (a fetcher
 * starts what it gets at once, so the sink's per-host limits and delays
 * are the crawl's), fetches each host's robots.txt once, and follows
 * every lease through the workers: a fetcher says when a transfer ended
 * (the host's slot is free at once) or must be retried (the retry waits
 * for its turn here like any request), a parser says which page it took.
 * When a worker goes, what it held goes again within seconds; a death
 * counts against a page only when it was the likely cause (the page a
 * parser was parsing, a transfer under way), and only that ends as
 * 'lost'. */
#include "common/compat.h"

#include "common/log.h"
#include "common/robots.h"
#include "common/util.h"
#include "sink/frontier.h"
#include "sink/ledger.h"
#include "sink/reqseed.h"
#include "sink/sink.h"
#include "sink/stats.h"
#include "sink/validators.h"
#include "sink/workers.h"

#define SCHED_MAX_BATCH 4096        /* dispatches per call at most */
#define SCHED_SUSPECT_MS 5000   /* a page whose carrier died: this long for
                                 * a parser to take it, else again */
#define SCHED_CHECK_MS 500      /* how often workers are checked */
#define SCHED_RESET_MS 2000     /* a gone worker that talks: told to reset
                                 * at most this often */
#define SCHED_CREDIT_MAX 1000000
#define ROBOTS_TTL_MS (24LL * 3600 * 1000)   /* RFC 9309: at most 24 h */
#define ROBOTS_RETRY_MS (60LL * 1000)        /* after 5xx/unreachable */
#define ROBOTS_SUFFIX "/robots.txt"

size_t sched_inflight(const struct sink *s)
{
    return ledger_count(s->ledger, LS_FETCHING) +
           ledger_count(s->ledger, LS_PARKED) +
           ledger_count(s->ledger, LS_STREAM) +
           ledger_count(s->ledger, LS_PARSING);
}

/* ------------------------------------------------------------------ */
/* leases                                                              */

/* Give back ls's host slot, if it holds one. */
static void free_slot(struct sink *s, struct lease *ls)
{
    if (!ls->slot)
        return;
    ls->slot = false;
    frontier_release(s->front, ls->host, ls->sent);
}

/* Tell fetcher w to forget its parked job id. */
static void send_drop(struct sink *s, struct worker *w, uint64_t id)
{
    struct msg_meta meta;

    memset(&meta, 0, sizeof(meta));
    meta.type = MSG_DROP;
    meta.id = id;
    msg_send_to(s->dispatch, w->token, HELLO_TOKEN_LEN, &meta, NULL, 0,
                ZMQ_DONTWAIT);
}

void sched_done(struct sink *s, struct lease *ls)
{
    if (ls->stage == LS_PARKED && ls->holder && !ls->holder->dead)
        send_drop(s, ls->holder, ls->id);
    free_slot(s, ls);
    worker_release(ls);
    if (ls->stage == LS_QUEUED || ls->stage == LS_PARKED)
        frontier_unqueue(s->front, ls);
    frontier_unref(ls->host);
    frontier_update(s->front, ls->host);
    ledger_close(s->ledger, ls);
}

void sched_result(struct sink *s, struct lease *ls)
{
    if (ls->slot && !ls->sent) {
        /* its record came before its fetcher's word: the request went
         * out before now, so the host's delay runs from now at the
         * latest */
        ls->sent = true;
        frontier_sent(s->front, ls->host, now_ms());
    }
    sched_done(s, ls);
}

/* ls goes back to its host's queue, to be dispatched again. */
static void requeue(struct sink *s, struct lease *ls, int64_t now)
{
    free_slot(s, ls);
    worker_release(ls);
    ledger_disarm(s->ledger, ls);
    ledger_timer_del(s->ledger, ls);
    if (ls->stage != LS_QUEUED) {
        ledger_stage(s->ledger, ls, LS_QUEUED, now);
        frontier_requeue(s->front, ls);
        s->stp->redispatched++;
    }
}

/* A robots.txt lease that will not be answered: its host asks again. */
static void robots_again(struct sink *s, struct lease *ls)
{
    struct host *h = ls->host;

    h->rstate = RB_UNKNOWN;
    sched_done(s, ls);
    frontier_update(s->front, h);
}

/* ------------------------------------------------------------------ */
/* workers that go                                                     */

static void mark_suspect(struct sink *s, struct lease *ls, int64_t now)
{
    if (ls->timed)
        return;
    ledger_timer_add(s->ledger, ls, now + SCHED_SUSPECT_MS);
    ls->suspect = true;
}

struct gone_scan {
    struct sink *s;
    struct worker *w;       /* the worker that went */
    int64_t now;
};

/* Slots held by transfers at the fetcher that went; with a parser gone,
 * every page in the stream may have been on its way to it. */
static void on_gone_lease(void *arg, struct lease *ls)
{
    struct gone_scan *g = arg;

    if (ls->slot && ls->fetcher == g->w)
        free_slot(g->s, ls);
    if (g->w->role == HELLO_PARSER && ls->stage == LS_STREAM)
        mark_suspect(g->s, ls, g->now);
}

/* Worker w is gone: everything it held goes again (strike: its death
 * counts against what it was working on). */
static void worker_gone(struct sink *s, struct worker *w, const char *why,
                        bool strike)
{
    struct gone_scan g = { s, w, now_ms() };
    struct lease *ls;
    size_t held = w->nleases, lost = 0;

    if (w->dead)
        return;
    w->dead = true;
    w->credit = 0;
    ledger_each(s->ledger, on_gone_lease, &g);
    while ((ls = w->leases)) {
        worker_release(ls);
        switch (ls->stage) {
        case LS_FETCHING:
            if (ls->robots) {
                robots_again(s, ls);
                break;
            }
            if (strike && ++ls->fetcher_deaths >= SINK_FETCHER_DEATHS) {
                log_warn("giving up url='%s': %d fetchers died fetching it",
                         ls->url, ls->fetcher_deaths);
                sink_error_record(s, ls, ZS_LOST);
                lost++;
                break;
            }
            requeue(s, ls, g.now);
            break;
        case LS_PARKED:
            requeue(s, ls, g.now);
            break;
        case LS_STREAM:
            /* it may still be in a pipe that died with the fetcher */
            mark_suspect(s, ls, g.now);
            break;
        case LS_PARSING:
            if (strike && ++ls->parser_deaths >= SINK_PARSER_DEATHS) {
                log_warn("giving up url='%s': %d parsers died parsing it",
                         ls->url, ls->parser_deaths);
                sink_error_record(s, ls, ZS_LOST);
                lost++;
                break;
            }
            requeue(s, ls, g.now);
            break;
        default:
            break;
        }
    }
    s->stp->workers_gone += strike;
    log_msg(strike && held ? LOG_WARN : LOG_INFO,
            "%s pid %ld at %s %s: %zu of its URLs go again%s",
            w->role == HELLO_FETCHER ? "fetcher" : "parser", w->pid,
            w->peer[0] ? w->peer : "?", why, held - lost,
            lost ? ", some given up" : "");
}

/* A gone or unknown worker talks: tell it to reset (rejoin), now and
 * then. */
static void tell_reset(struct sink *s, struct worker *w, int64_t now)
{
    char cmd[16 + HELLO_TOKEN_LEN];

    if (now - w->reset_ms < SCHED_RESET_MS)
        return;
    w->reset_ms = now;
    snprintf(cmd, sizeof(cmd), "reset %s", w->token);
    sink_broadcast(s, cmd);
}

void sched_on_hello(void *arg, const struct hello_proc *p,
                    enum hello_event ev)
{
    struct sink *s = arg;
    enum hello_role role = strcmp(p->role, "parser") ? HELLO_FETCHER
                           : HELLO_PARSER;
    struct worker *w = workers_get(s->workers, p->id, p->idlen, role);
    int64_t now = now_ms();

    if (!w)
        return;                 /* not a token of ours */
    if (ev == HELLO_JOINED && !w->dead) {
        w->joined = true;
        w->role = role;
        w->pid = p->pid;
        w->where = p->where;
        snprintf(w->peer, sizeof(w->peer), "%s", p->peer);
        w->joined_ms = now;
    }
    if (!w->joined || w->dead) {
        tell_reset(s, w, now);
        return;
    }
    w->heard_ms = now;
    if (ev == HELLO_REPORTED && p->final)
        worker_gone(s, w, "stopped", false);
}

/* Check every worker: gone from its host's process table, or silent. */
static void check_workers(struct sink *s, int64_t now)
{
    size_t i, n = workers_count(s->workers);

    for (i = 0; i < n; i++) {
        struct worker *w = workers_at(s->workers, i);
        int64_t quiet = now - w->heard_ms;
        int64_t limit = w->role == HELLO_PARSER ? s->parser_silent_ms
                        : WORKERS_SILENT_MS;
        char why[64];
        if (w->dead || !w->joined)
            continue;
        if (hello_where_alive(&s->where, &w->where, w->pid) == 0) {
            worker_gone(s, w, "is gone", true);
        } else if (quiet > limit) {
            snprintf(why, sizeof(why), "silent for %lld s",
                     (long long)(quiet / 1000));
            worker_gone(s, w, why, true);
        }
    }
}

/* ------------------------------------------------------------------ */
/* dispatch                                                            */

/* The path and query of a normalized URL, for robots.txt. */
static const char *path_of(const char *url, char *buf, size_t n)
{
    const char *a = strstr(url, "://"), *p;
    size_t len;

    if (!a)
        return "/";
    p = a + 3 + strcspn(a + 3, "/?#");
    len = strcspn(p, "#");
    if (!len || *p != '/') {
        snprintf(buf, n, "/%.*s", (int)len, p);
        return buf;
    }
    if (len >= n)
        len = n - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

/* May ls's URL be fetched, by its host's robots.txt?  0 yes, else the
 * error code of its record. */
static int robots_verdict(const struct host *h, const char *url)
{
    char buf[8192];

    if (h->rstate != RB_READY)
        return 0;
    if (h->rerr)
        return h->rerr;
    if (h->robots && !robots_allowed(h->robots, path_of(url, buf,
                                                         sizeof(buf))))
        return ZS_ROBOTS;
    return 0;
}

/* Send ls to fetcher w as type (DISPATCH, ROBOTS or GO).  0, or -1 when
 * w is gone (it is then marked so) or full. */
static int send_lease(struct sink *s, struct worker *w, struct lease *ls,
                      int type)
{
    struct msg_meta meta;
    struct msg_frame f[6];
    const char *etag, *lastmod;
    const struct reqseed *rq = NULL;
    int nf = 0, i;

    memset(&meta, 0, sizeof(meta));
    meta.type = (uint8_t)type;
    meta.id = ls->id;
    meta.depth = ls->depth;
    meta.attempt = ls->attempt;
    if (type != MSG_GO)
        f[nf++] = (struct msg_frame){ ls->url, strlen(ls->url), NULL, NULL };
    if (type == MSG_DISPATCH && reqseed_is_key(ls->url) &&
        (rq = reqtab_get(s->reqs, ls->url))) {
        /* a request seed: no conditions, its method, headers, body */
        f[nf++] = (struct msg_frame){ "", 0, NULL, NULL };
        f[nf++] = (struct msg_frame){ "", 0, NULL, NULL };
        f[nf++] = (struct msg_frame){ rq->method, strlen(rq->method),
                                      NULL, NULL };
        f[nf++] = (struct msg_frame){ rq->headers ? rq->headers : "",
                                      rq->headers_len, NULL, NULL };
        f[nf++] = (struct msg_frame){ rq->body ? rq->body : "",
                                      rq->body_len, NULL, NULL };
    } else if (type == MSG_DISPATCH && s->prior &&
               validators_get(s->prior, ls->url, &etag, &lastmod)) {
        /* Conditions only in a re-crawl, and only the last crawl's: a URL
         * fetched in this run (or before a crash) whose record did not
         * reach the output must come back whole, never as a 304. */
        f[nf++] = (struct msg_frame){ etag, strlen(etag), NULL, NULL };
        f[nf++] = (struct msg_frame){ lastmod, strlen(lastmod), NULL,
                                      NULL };
    }
    if (msg_send_to(s->dispatch, w->token, HELLO_TOKEN_LEN, &meta, f, nf,
                    ZMQ_DONTWAIT) < 0) {
        if (errno == EHOSTUNREACH)
            worker_gone(s, w, "is not connected", true);
        else if (errno != EAGAIN && errno != EINTR)
            log_error("cannot dispatch: %s", zmq_strerror(errno));
        return -1;
    }
    s->stp->dispatched++;
    s->stp->dispatch_bytes += MSG_HDR_LEN;
    for (i = 0; i < nf; i++)
        s->stp->dispatch_bytes += f[i].len;
    return 0;
}

/* ls went out to w: its transfer holds a slot of its host from now. */
static void started(struct sink *s, struct worker *w, struct lease *ls,
                    int64_t now)
{
    struct host *h = ls->host;

    frontier_charge(s->front, h, now);
    ls->slot = true;
    ls->sent = false;
    ls->fetcher = w;
    h->last_fetcher = w;
    worker_hold(w, ls);
    ledger_stage(s->ledger, ls, LS_FETCHING, now);
    if (!ls->armed)
        ledger_arm(s->ledger, ls, now + s->lease_ms);
    if (sched_inflight(s) > s->stp->peak_inflight)
        s->stp->peak_inflight = sched_inflight(s);
}

/* h's robots.txt goes to w.  False when w could not take it now. */
static bool dispatch_robots(struct sink *s, struct host *h, struct worker *w,
                            int64_t now)
{
    char *url = xasprintf("%s%s", h->origin, ROBOTS_SUFFIX);
    struct lease *ls = ledger_lease(s->ledger, url, 0);

    ls->robots = true;
    ls->host = h;
    ls->sent_ms = now;
    frontier_ref(h);
    if (send_lease(s, w, ls, MSG_ROBOTS) < 0) {
        sched_done(s, ls);
        return w->dead;     /* gone: another fetcher may take it */
    }
    w->credit--;
    h->rstate = RB_FETCHING;
    started(s, w, ls, now);
    return true;
}

/* One step of h's turn.  False when nothing could go (no fetcher has
 * credit); h stays in the heap then. */
static bool dispatch_host(struct sink *s, struct host *h, int64_t now)
{
    struct lease *ls = frontier_peek(h);
    struct worker *w = NULL;
    char *url;
    uint32_t depth;
    int err;

    if (h->rstate == RB_READY && s->robots && now >= h->robots_until_ms)
        h->rstate = RB_UNKNOWN;     /* asked again (RFC 9309: 24 h) */
    /* a due retry goes back to the fetcher that parked it: no credit */
    if (!(ls && ls->stage == LS_PARKED && h->rstate != RB_UNKNOWN) &&
        !(w = workers_pick(s->workers, h->last_fetcher)))
        return false;
    if (h->rstate == RB_UNKNOWN)
        return dispatch_robots(s, h, w, now);
    if (!frontier_take(s->front, h, &ls, &url, &depth, now)) {
        frontier_update(s->front, h);
        return true;
    }
    if (!ls) {
        ls = ledger_lease(s->ledger, url, depth);
        ls->host = h;
        ls->sent_ms = now;
        frontier_ref(h);
        s->dispatched_new++;
        if (s->max_pages && (long)s->dispatched_new >= s->max_pages)
            frontier_freeze(s->front);
        if ((err = robots_verdict(h, ls->url))) {
            /* never requested: no slot, no delay */
            sink_error_record(s, ls, err);
            return true;
        }
        if (reqseed_is_key(ls->url) && !reqtab_get(s->reqs, ls->url)) {
            /* only when DIR/requests lost it */
            log_error("no request stored for '%s' (give the same seeds, "
                      "or keep the --state folder's 'requests' file)",
                      ls->url);
            sink_error_record(s, ls, ZS_BAD_URL);
            return true;
        }
    }
    if (ls->stage == LS_PARKED) {
        w = ls->holder;
        if (send_lease(s, w, ls, MSG_GO) < 0) {
            /* gone: worker_gone queued it again; full: back in line */
            if (!w->dead) {
                frontier_requeue(s->front, ls);
                return false;
            }
            return true;
        }
        started(s, w, ls, now);
        return true;
    }
    if (send_lease(s, w, ls, MSG_DISPATCH) < 0) {
        /* it never went out: back in line, still QUEUED */
        frontier_requeue(s->front, ls);
        return w->dead;
    }
    w->credit--;
    w->taken++;
    started(s, w, ls, now);
    return true;
}

long sched_dispatch(struct sink *s, int64_t now, long max_ms)
{
    long wait = max_ms, w;
    struct lease *t;
    int n;

    for (n = 0; n < SCHED_MAX_BATCH && !s->draining; n++) {
        struct host *h;
        if ((long)sched_inflight(s) >= s->window)
            break;
        h = frontier_next(s->front, now, &w);
        if (!h) {
            if (w >= 0 && w < wait)
                wait = w;
            break;
        }
        if (!dispatch_host(s, h, now))
            break;
    }
    if (n == SCHED_MAX_BATCH)
        wait = 0;
    if ((t = ledger_timer_first(s->ledger)) && t->due_ms - now < wait)
        wait = t->due_ms > now ? (long)(t->due_ms - now) : 0;
    return wait;
}

/* ------------------------------------------------------------------ */
/* what the fetchers and parsers say                                   */

/* Learn h's robots.txt from the fetch of lease ls (message m). */
static void on_robots(struct sink *s, struct lease *ls, struct msg *m,
                      int64_t now)
{
    struct host *h = ls->host;
    int status = m->meta.status, err = m->meta.error;
    struct robots *r;
    size_t len;
    const char *body = msg_part(m, 1, &len);
    int rerr = 0;
    int64_t until = now + ROBOTS_TTL_MS;

    if (status >= 200 && status < 300 && (err == ZS_OK ||
                                          err == ZS_TOO_LARGE)) {
        r = robots_parse(body, len, s->robots_product);
    } else if (status >= 400 && status < 500) {
        r = robots_allow_all();     /* RFC 9309 2.3.1.3 */
    } else if (err == ZS_DNS || err == ZS_CONNECT || err == ZS_TLS ||
               err == ZS_TIMEOUT) {
        /* unreachable: the pages would fail the same way; say how */
        r = NULL;
        rerr = err;
        until = now + ROBOTS_RETRY_MS;
        log_warn("robots.txt of %s unreachable (%s): its pages get that "
                 "error for a minute", h->origin, zs_err_name(err));
    } else {
        /* 5xx (RFC 9309 2.3.1.4) or a broken answer: none for now */
        r = robots_disallow_all();
        until = now + ROBOTS_RETRY_MS;
        log_warn("robots.txt of %s unavailable (status %d, %s): "
                 "disallowing for a minute", h->origin, status,
                 zs_err_name(err) ? zs_err_name(err) : "no error");
    }
    s->robots_fetched++;
    log_debug("robots.txt of %s: status=%d crawl_delay_ms=%ld", h->origin,
              status, r ? robots_crawl_delay_ms(r) : -1L);
    frontier_robots(s->front, h, r, rerr, until, now);
    sched_done(s, ls);
}

static void on_fetcher_msg(struct sink *s, struct worker *w, struct msg *m,
                           int64_t now)
{
    struct lease *ls;

    if (m->meta.type == MSG_CREDIT) {
        w->credit += (int)(m->meta.bytes < SCHED_CREDIT_MAX ? m->meta.bytes
                           : SCHED_CREDIT_MAX);
        if (w->credit > SCHED_CREDIT_MAX)
            w->credit = SCHED_CREDIT_MAX;
        return;
    }
    ls = ledger_find(s->ledger, m->meta.id);
    if (!ls)
        return;                 /* done another way, or another sink's */
    /* its transfer at w is over, whatever comes next */
    if (ls->fetcher == w && (m->meta.type == MSG_ENDED ||
                             m->meta.type == MSG_RETRY ||
                             m->meta.type == MSG_ROBOTS))
        free_slot(s, ls);
    switch (m->meta.type) {
    case MSG_STARTED:
        /* the request is leaving: the host's delay runs from now */
        if (ls->slot && ls->fetcher == w && !ls->sent) {
            ls->sent = true;
            frontier_sent(s->front, ls->host, now);
        }
        break;
    case MSG_ENDED:
        if (ls->holder == w && ls->stage == LS_FETCHING)
            ledger_stage(s->ledger, ls, LS_STREAM, now);
        break;
    case MSG_RETRY:
        if (ls->holder == w && ls->stage == LS_FETCHING) {
            ledger_stage(s->ledger, ls, LS_PARKED, now);
            ledger_timer_add(s->ledger, ls, now + m->meta.elapsed_ms);
        } else {
            send_drop(s, w, ls->id);    /* not its own any more */
        }
        break;
    case MSG_ROBOTS:
        if (ls->robots)
            on_robots(s, ls, m, now);
        break;
    default:
        log_warn("unexpected message type %d from a fetcher", m->meta.type);
    }
}

void sched_on_fetchers(struct sink *s)
{
    int n;

    for (n = 0; n < SCHED_MAX_BATCH; n++) {
        unsigned char id[64];
        size_t idlen = sizeof(id);
        struct worker *w;
        struct msg m;
        int rc = msg_recv_from(s->dispatch, id, &idlen, &m, ZMQ_DONTWAIT);
        int64_t now;
        if (rc == -1)
            break;
        if (rc < 0)
            continue;
        now = now_ms();
        w = workers_get(s->workers, id, idlen, HELLO_FETCHER);
        if (!w || !w->joined || w->dead) {
            /* of another sink, or one we gave up on: it starts over */
            if (w)
                tell_reset(s, w, now);
        } else {
            w->heard_ms = now;
            on_fetcher_msg(s, w, &m, now);
        }
        msg_close(&m);
    }
}

void sched_on_taken(struct sink *s, struct msg *m)
{
    size_t len;
    const char *tok = msg_part(m, 0, &len);
    struct worker *w = workers_get(s->workers, tok, len, HELLO_PARSER);
    struct lease *ls;
    int64_t now = now_ms();

    if (!w)
        return;
    if (!w->joined || w->dead) {
        tell_reset(s, w, now);
        return;
    }
    w->heard_ms = now;
    ls = ledger_find(s->ledger, m->meta.id);
    if (!ls || ls->robots || ls->stage == LS_QUEUED ||
        ls->stage == LS_PARKED)
        return;
    ledger_timer_del(s->ledger, ls);
    worker_hold(w, ls);
    w->taken++;
    ledger_stage(s->ledger, ls, LS_PARSING, now);
}

/* ------------------------------------------------------------------ */
/* timers                                                              */

void sched_tick(struct sink *s, int64_t now)
{
    struct lease *ls;

    while ((ls = ledger_timer_first(s->ledger)) && ls->due_ms <= now) {
        if (ls->stage == LS_PARKED) {
            /* its retry may start when its host's turn comes */
            ledger_timer_del(s->ledger, ls);
            frontier_requeue(s->front, ls);
        } else {
            log_info("no parser took url='%s' after its %s went: "
                     "dispatching it again", ls->url,
                     ls->fetcher && ls->fetcher->dead ? "fetcher"
                     : "parser");
            requeue(s, ls, now);
        }
    }
    while ((ls = ledger_oldest(s->ledger)) && ls->deadline_ms <= now) {
        if (ls->attempt + 1 < SINK_MAX_ATTEMPTS && !s->draining) {
            log_warn("no result in time, dispatching again url='%s' "
                     "attempt=%d", ls->url, ls->attempt + 2);
            ls->attempt++;
            if (ls->robots)
                robots_again(s, ls);
            else
                requeue(s, ls, now);
        } else if (ls->robots) {
            robots_again(s, ls);
        } else {
            log_warn("no result after %d attempts, giving up url='%s'",
                     ls->attempt + 1, ls->url);
            sink_error_record(s, ls, ZS_LOST);
        }
    }
    if (now >= s->next_check_ms) {
        check_workers(s, now);
        s->next_check_ms = now + SCHED_CHECK_MS;
    }
}

bool sched_finished(struct sink *s)
{
    if (s->draining)
        return !ledger_count(s->ledger, LS_FETCHING) &&
               !ledger_count(s->ledger, LS_STREAM) &&
               !ledger_count(s->ledger, LS_PARSING);
    if (ledger_leases(s->ledger))
        return false;
    if (!frontier_queued(s->front))
        return true;
    /* only URLs past --max-pages are left */
    return s->max_pages && (long)s->dispatched_new >= s->max_pages;
}
