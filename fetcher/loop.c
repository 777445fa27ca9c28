/* loop.c: the fetcher's one loop.  Offers the sink credit while it
 * holds fewer than --concurrency jobs, starts what the sink sends at once
 * (per-host limits only as a safety net: the sink schedules politeness),
 * waits in events_wait (epoll: curl's sockets and timer, the ZMQ_FDs,
 * the signal pipe), tells the sink when each transfer ended or must be
 * retried (the retry starts when the sink says GO), and hands each
 * finished page to the parsers; a full pages socket stops the credit. */
#include "common/compat.h"

#include "common/hello.h"
#include "common/log.h"
#include "common/msg.h"
#include "common/sig.h"
#include "common/util.h"
#include "common/zsock.h"
#include "fetcher/events.h"
#include "fetcher/hosts.h"
#include "fetcher/loop.h"

#define LOOP_POLL_MS 250
#define LOOP_OUTBOX_POLL_MS 20

/* Tell the sink about job j: type ENDED, RETRY (after delay_ms) or
 * ROBOTS (with the body).  The DEALER has no high-water mark: these are
 * few (one a job) and must not be lost. */
static void tell_sink(struct fetcher *f, struct job *j, int type,
                      long delay_ms)
{
    struct msg_meta meta = j->meta;
    struct msg_frame fr[2];
    int n = 0;

    meta.type = (uint8_t)type;
    if (type == MSG_RETRY)
        meta.elapsed_ms = (uint32_t)(delay_ms > 0 ? delay_ms : 0);
    if (type == MSG_ROBOTS) {
        fr[n++] = (struct msg_frame){ j->url, strlen(j->url), NULL, NULL };
        fr[n++] = (struct msg_frame){ j->body.data ? j->body.data : "",
                                      j->body.len, NULL, NULL };
    }
    if (msg_send(f->dispatch, &meta, fr, n, ZMQ_DONTWAIT) < 0)
        log_warn("cannot tell the sink about url='%s': %s", j->url,
                 zmq_strerror(errno));
}

/* fetch_conf.on_request: tell the sink the request is going out (its
 * host's delay runs from now). */
static void on_request(void *arg, struct job *j)
{
    tell_sink(arg, j, MSG_STARTED, 0);
}

/* Offer the sink what we can take now. */
static void offer_credit(struct fetcher *f)
{
    struct msg_meta meta;
    int room = f->concurrency - f->held - f->offered;

    if (room <= 0 || f->out_head)
        return;
    memset(&meta, 0, sizeof(meta));
    meta.type = MSG_CREDIT;
    meta.bytes = (uint64_t)room;
    if (msg_send(f->dispatch, &meta, NULL, 0, ZMQ_DONTWAIT) == 0)
        f->offered += room;
}

/* The parked job of id, taken off the list, or NULL. */
static struct job *unpark(struct fetcher *f, uint64_t id)
{
    struct job **pp = &f->parked, *j;

    for (; (j = *pp); pp = &j->next)
        if (j->meta.id == id) {
            *pp = j->next;
            j->next = NULL;
            return j;
        }
    return NULL;
}

static void park(struct fetcher *f, struct job *j, long delay_ms)
{
    tell_sink(f, j, MSG_RETRY, delay_ms);
    j->next = f->parked;
    f->parked = j;
}

static void outbox_push(struct fetcher *f, struct job *j)
{
    j->next = NULL;
    if (f->out_tail)
        f->out_tail->next = j;
    else
        f->out_head = j;
    f->out_tail = j;
}

/* Send what the pages socket will take, in order. */
static void outbox_flush(struct fetcher *f)
{
    struct job *j;

    while ((j = f->out_head)) {
        int rc = job_send_page(j, f->pages);
        if (rc == -1 && (errno == EAGAIN || errno == EINTR))
            return;
        f->out_head = j->next;
        if (!f->out_head)
            f->out_tail = NULL;
        if (rc == -2) {
            /* body lost in a failed send: fetch it again */
            log_warn("page send failed, refetching url='%s'", j->url);
            j->next = NULL;
            j->meta.error = ZS_OK;
            hosts_enqueue(f->hosts, j);
            continue;
        }
        if (rc < 0)
            log_error("dropped page url='%s': %s", j->url,
                      zmq_strerror(errno));
        else
            f->fetched++;
        job_free(j);
        f->held--;
    }
}

/* A job is over: its host's slot at the sink is free; a page goes to
 * the outbox, a robots.txt back to the sink. */
static void finish(struct fetcher *f, struct job *j)
{
    job_write_warc(j, f->conf.warc);
    j->meta.elapsed_ms = (uint32_t)(now_ms() - j->started_ms);
    j->meta.fetched_at = wall_ms();
    if (j->is_robots) {
        tell_sink(f, j, MSG_ROBOTS, 0);
        job_free(j);
        f->held--;
        return;
    }
    tell_sink(f, j, MSG_ENDED, 0);
    f->bytes += j->body.len;
    outbox_push(f, j);
}

static void on_url_in(struct fetcher *f, struct msg *m)
{
    struct job *j;
    char *url;

    switch (m->meta.type) {
    case MSG_GO:
        /* a parked retry's turn */
        if ((j = unpark(f, m->meta.id)))
            hosts_enqueue(f->hosts, j);
        return;
    case MSG_DROP:
        if ((j = unpark(f, m->meta.id))) {
            job_free(j);
            f->held--;
        }
        return;
    case MSG_DISPATCH:
    case MSG_ROBOTS:
        break;
    default:
        log_warn("unexpected message type %d on dispatch", m->meta.type);
        return;
    }
    if (f->offered > 0)
        f->offered--;
    url = msg_part_str(m, 0);
    j = job_new(&m->meta, url, m->meta.type == MSG_ROBOTS ? ROBOTS_MAX_BYTES
                : f->conf.max_bytes);
    free(url);
    j->is_robots = m->meta.type == MSG_ROBOTS;
    if (m->nparts > MSG_DISPATCH_LASTMOD) {
        char *etag = msg_part_str(m, MSG_DISPATCH_ETAG);
        char *lastmod = msg_part_str(m, MSG_DISPATCH_LASTMOD);
        job_set_validators(j, etag, lastmod);
        free(etag);
        free(lastmod);
    }
    if (m->nparts > MSG_DISPATCH_BODY) {
        size_t mlen, hlen, blen;
        const char *method = msg_part(m, MSG_DISPATCH_METHOD, &mlen);
        const char *hdrs = msg_part(m, MSG_DISPATCH_HEADERS, &hlen);
        const char *body = msg_part(m, MSG_DISPATCH_BODY, &blen);
        char *mstr = xstrndup(method, mlen);
        /* a body only for a method that has one (the sink sends "") */
        bool has_body = strcmp(mstr, "GET") && strcmp(mstr, "HEAD") &&
                        (blen || strcmp(mstr, "POST") == 0);
        job_set_request(j, mstr, hdrs, hlen, has_body ? body : NULL, blen);
        free(mstr);
    }
    j->started_ms = now_ms();
    f->held++;
    hosts_enqueue(f->hosts, j);
}

static void intake(struct fetcher *f)
{
    /* the sink sends no more than our credit */
    while (zsock_readable(f->dispatch)) {
        struct msg m;
        int rc = msg_recv(f->dispatch, &m, ZMQ_DONTWAIT);
        if (rc == -1)
            break;
        if (rc == 0) {
            on_url_in(f, &m);
            msg_close(&m);
        }
    }
}

/* Move due robots.txt retries back to their host queues; returns ms to
 * the next. */
static long due_retries(struct fetcher *f, int64_t now)
{
    struct job **pp = &f->retries, *j;
    long wait = -1;

    while ((j = *pp)) {
        if (j->retry_at_ms <= now) {
            *pp = j->next;
            hosts_enqueue(f->hosts, j);
            continue;
        }
        if (wait < 0 || j->retry_at_ms - now < wait)
            wait = (long)(j->retry_at_ms - now);
        pp = &j->next;
    }
    return wait;
}

static void running_add(struct fetcher *f, struct job *j)
{
    j->run_prev = NULL;
    j->run_next = f->running_list;
    if (f->running_list)
        f->running_list->run_prev = j;
    f->running_list = j;
    f->running++;
}

static void running_remove(struct fetcher *f, struct job *j)
{
    if (j->run_prev)
        j->run_prev->run_next = j->run_next;
    else
        f->running_list = j->run_next;
    if (j->run_next)
        j->run_next->run_prev = j->run_prev;
    j->run_prev = j->run_next = NULL;
    events_remove(f->ev, j->easy, j->multi_i);
    f->running--;
}

/* The next proxy of --proxies in turn for j, not benched, not the one
 * its last attempt went through (proxies.h). */
static void pick_proxy(struct fetcher *f, struct job *j, int64_t now)
{
    long i = proxies_pick(&f->proxies, j->proxy_i, now);

    if (i < 0)
        return;
    j->proxy_i = i;
    j->proxy = f->proxies.v[i].url;
}

static long start_ready(struct fetcher *f, int64_t now)
{
    struct job *j;
    long wait;

    while ((j = hosts_next(f->hosts, now, &wait))) {
        pick_proxy(f, j, now);
        /* a host keeps to its multi handle: its connections are there */
        if (job_prepare(j, &f->conf) < 0 ||
            (j->multi_i = events_add(f->ev, j->easy, j->h->multi)) < 0) {
            hosts_done(f->hosts, j);
            j->meta.error = ZS_BAD_URL;
            finish(f, j);
            continue;
        }
        j->h->multi = j->multi_i;
        running_add(f, j);
    }
    return wait;
}

/* Finish the transfers curl reports done. */
static void on_transfers_done(struct fetcher *f)
{
    CURLcode result;
    CURL *e;

    while ((e = events_done(f->ev, &result))) {
        struct job *j = NULL;
        long delay;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&j);
        running_remove(f, j);
        hosts_done(f->hosts, j);
        if (proxies_attempt_done(&f->proxies, j, result,
                                 now_ms())) {
            f->nproxy_retries++;
            /* through another proxy, at once (when the sink says so) */
            if (j->is_robots)
                hosts_enqueue(f->hosts, j);
            else
                park(f, j, 0);
            continue;
        }
        delay = job_finish_attempt(j, result, &f->conf);
        if (delay >= 0) {
            f->nretries++;
            if (j->is_robots) {
                /* one request a host: retried here, its slot held */
                j->retry_at_ms = now_ms() + delay;
                j->next = f->retries;
                f->retries = j;
            } else {
                park(f, j, delay);
            }
        } else {
            finish(f, j);
        }
    }
}

static void free_list(struct job *j)
{
    struct job *next;

    for (; j; j = next) {
        next = j->next;
        job_free(j);
    }
}

void fetcher_report(struct fetcher *f, bool final)
{
    struct buf c;

    buf_init(&c, HELLO_REPORT_MAX);
    buf_printf(&c, "fetched=%llu bytes=%llu retries=%llu proxy_retries=%llu "
               "held=%d peak_rss_kb=%ld cpu_ms=%ld",
               (unsigned long long)f->fetched, (unsigned long long)f->bytes,
               (unsigned long long)f->nretries,
               (unsigned long long)f->nproxy_retries, f->held, peak_rss_kb(),
               cpu_ms());
    if (proxies_report(&f->proxies, &c) < 0 && !f->report_cut) {
        log_warn("the counters of some proxies are left out of the "
                 "reports to the sink (over %d bytes)", HELLO_REPORT_MAX);
        f->report_cut = true;
    }
    hello_report(f->hello, final, c.data);
    buf_release(&c);
    f->last_report_ms = now_ms();
}

/* The extra descriptors of the epoll set, by slot. */
enum { EV_DISPATCH, EV_CONTROL, EV_PAGES, EV_SIGNAL };

int fetcher_run(struct fetcher *f)
{
    struct events *ev = f->ev;
    int rc = 0;

    f->conf.on_request = on_request;
    f->conf.on_request_arg = f;
    if (events_watch(ev, EV_DISPATCH, zsock_fd(f->dispatch)) < 0 ||
        events_watch(ev, EV_CONTROL, zsock_fd(f->control)) < 0 ||
        events_watch(ev, EV_PAGES, zsock_fd(f->pages)) < 0 ||
        events_watch(ev, EV_SIGNAL, sig_fd()) < 0)
        return -1;
    for (;;) {
        int64_t now;
        long w1, w2, timeout = LOOP_POLL_MS;

        if (sig_stop) {
            log_info("signal: stopping with %d jobs held", f->held);
            break;
        }
        if (msg_control_drain(f->control, &f->ctl)) {
            if (f->ctl.rejoin)
                log_info("the sink restarted or asked us to reset: "
                         "rejoining");
            else
                log_info("stop from the sink fetched=%llu",
                         (unsigned long long)f->fetched);
            break;
        }
        if (msg_sink_silent(f->ctl.last_heard_ms)) {
            log_warn("no word from the sink for %d s: its crawl is over, "
                     "stopping", MSG_ORPHAN_MS / 1000);
            break;
        }
        outbox_flush(f);
        intake(f);
        offer_credit(f);
        now = now_ms();
        if (now - f->last_report_ms >= HELLO_REPORT_MS)
            fetcher_report(f, false);
        w1 = due_retries(f, now);
        w2 = start_ready(f, now);
        if (w1 >= 0 && w1 < timeout)
            timeout = w1;
        if (w2 >= 0 && w2 < timeout)
            timeout = w2;
        if (f->out_head && timeout > LOOP_OUTBOX_POLL_MS)
            timeout = LOOP_OUTBOX_POLL_MS;
        /* ZMQ_FD is edge-triggered: never sleep while a socket has work */
        if (zsock_readable(f->dispatch) || zsock_readable(f->control))
            timeout = 0;
        /* curl's sockets and timer: transfers progress in here */
        if (events_wait(ev, timeout) < 0) {
            rc = -1;
            break;
        }
        if (events_ready(ev, EV_SIGNAL))
            sig_drain();
        /* A ZMQ_FD stays readable until ZMQ_EVENTS is read: read it for
         * every socket that woke us, or the next wait returns at once
         * (a busy loop while transfers wait). */
        if (events_ready(ev, EV_DISPATCH))
            zsock_readable(f->dispatch);
        if (events_ready(ev, EV_PAGES))
            zsock_writable(f->pages);
        /* a finished transfer frees a slot its host's next job takes at
         * the top of the loop */
        on_transfers_done(f);
    }
    while (f->running_list) {
        struct job *j = f->running_list;
        running_remove(f, j);
        job_free(j);
    }
    free_list(f->retries);
    f->retries = NULL;
    free_list(f->parked);
    f->parked = NULL;
    free_list(f->out_head);
    f->out_head = f->out_tail = NULL;
    return rc;
}
