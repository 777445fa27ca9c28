/* net.c: the sink's sockets (dispatch, results, control, hello, and the
 * pages streamer's thread) and its loop: one zmq_poll, then whatever
 * came in, the scheduler's turn and the timers. */
#include "common/compat.h"

#include <signal.h>
#include <time.h>

#include "common/hello.h"
#include "common/log.h"
#include "common/msg.h"
#include "common/sig.h"
#include "common/util.h"
#include "common/zsock.h"
#include "sink/frontier.h"
#include "sink/journal.h"
#include "sink/ledger.h"
#include "sink/sink.h"
#include "sink/stats.h"
#include "sink/validators.h"
#include "sink/writer.h"

#define SINK_POLL_MS 250
#define SINK_FLUSH_MS 1000
#define SINK_PROGRESS_MS 250
#define SINK_RESULTS_BATCH 1024
#define SINK_DISPATCH_HWM 1000000  /* credit bounds what goes to a fetcher */
#define SINK_PAGES_HWM 32
#define SINK_RESULTS_HWM 1024
#define SINK_STOP_REPEAT 5
#define SINK_STEER_EP "inproc://zscrape-steer"
#define SINK_HELLO_HWM 256
#define SINK_REPORT_WAIT_MS 1000
#define SINK_STOP_GAP_MS 40

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

int sink_bind(struct sink *s, const char *base)
{
    static const int kinds[] = { EP_DISPATCH, EP_PAGES_IN, EP_PAGES_OUT,
                                 EP_RESULTS, EP_CONTROL, EP_HELLO };
    void *socks[6];
    size_t i;
    int rc = 0;

    int one = 1;

    s->dispatch = zsock_new(s->ctx, ZMQ_ROUTER, SINK_DISPATCH_HWM);
    /* a send to a fetcher that is gone fails (EHOSTUNREACH) instead of
     * vanishing; a fetcher that reconnects takes its routing id back */
    zmq_setsockopt(s->dispatch, ZMQ_ROUTER_MANDATORY, &one, sizeof(one));
    zmq_setsockopt(s->dispatch, ZMQ_ROUTER_HANDOVER, &one, sizeof(one));
    s->pages_in = zsock_new(s->ctx, ZMQ_PULL, SINK_PAGES_HWM);
    s->pages_out = zsock_new(s->ctx, ZMQ_PUSH, SINK_PAGES_HWM);
    s->results = zsock_new(s->ctx, ZMQ_PULL, SINK_RESULTS_HWM);
    s->control = zsock_new(s->ctx, ZMQ_PUB, 64);
    s->hello = zsock_new(s->ctx, ZMQ_ROUTER, SINK_HELLO_HWM);
    zmq_setsockopt(s->hello, ZMQ_ROUTER_HANDOVER, &one, sizeof(one));
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

void sink_broadcast(struct sink *s, const char *cmd)
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
void sink_stop_workers(struct sink *s)
{
    int64_t start = now_ms(), next = start, now;
    int sent = 0;

    for (;;) {
        now = now_ms();
        if (sent < SINK_STOP_REPEAT && now >= next) {
            sink_broadcast(s, "stop");
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
uint64_t sink_streamer_bytes(struct sink *s)
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

void sink_close(struct sink *s)
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
            sink_on_result(s, &m);
            msg_close(&m);
        }
    }
}

/* The progress line's figures now. */
static void progress(struct sink *s, int64_t now)
{
    struct progress_counts c;

    c.inflight = sched_inflight(s);
    c.queued = frontier_queued(s->front);
    c.seen = ledger_nseen(s->ledger);
    c.hosts = frontier_nhosts(s->front);
    c.hosts_active = frontier_active(s->front);
    c.hosts_waiting = frontier_waiting(s->front, now);
    stats_progress(s->stp, &c);
}

int sink_run(struct sink *s)
{
    int64_t last_flush = now_ms(), last_progress = 0, last_hb = 0;
    char hb[32];

    snprintf(hb, sizeof(hb), "hb %016llx", (unsigned long long)s->session);
    for (;;) {
        zmq_pollitem_t items[4];
        int64_t now = now_ms();
        long timeout;

        if (sig_stop >= 2) {
            log_warn("second signal: stopping now with %zu in flight",
                     sched_inflight(s));
            break;
        }
        if (sig_stop == 1 && !s->draining) {
            s->draining = true;
            s->drain_until = now + s->grace_ms;
            log_info("signal: no more dispatch, waiting for %zu transfers "
                     "and pages under way (at most %llds; again to stop "
                     "now); %zu queued stay in the journal",
                     ledger_count(s->ledger, LS_FETCHING) +
                     ledger_count(s->ledger, LS_STREAM) +
                     ledger_count(s->ledger, LS_PARSING),
                     (long long)(s->grace_ms / 1000),
                     frontier_queued(s->front));
        }
        timeout = sched_dispatch(s, now, SINK_POLL_MS);
        if (sched_finished(s))
            break;
        items[0] = (zmq_pollitem_t){ s->results, 0, ZMQ_POLLIN, 0 };
        items[1] = (zmq_pollitem_t){ NULL, sig_fd(), ZMQ_POLLIN, 0 };
        items[2] = (zmq_pollitem_t){ s->hello, 0, ZMQ_POLLIN, 0 };
        items[3] = (zmq_pollitem_t){ s->dispatch, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(items, 4, timeout) < 0 && errno != EINTR)
            return error("zmq_poll: %s", zmq_strerror(errno));
        if (items[1].revents)
            sig_drain();
        if (items[2].revents)
            hello_answer(s->hello, &s->offer, &s->procs);
        if (items[3].revents)
            sched_on_fetchers(s);
        if (items[0].revents) {
            drain_results(s);
            /* whole records leave the process once a batch is done, so a
             * killed sink loses only what it had not written yet */
            writer_flush(s->out);
        }
        now = now_ms();
        sched_tick(s, now);
        if (s->draining && now >= s->drain_until) {
            log_warn("grace period over with %zu in flight",
                     sched_inflight(s));
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
            sink_broadcast(s, hb);
            last_hb = now;
        }
        if (s->progress && now - last_progress >= SINK_PROGRESS_MS) {
            progress(s, now);
            last_progress = now;
        }
    }
    if (s->progress) {
        progress(s, now_ms());
        fputc('\n', stderr);
    }
    return 0;
}
