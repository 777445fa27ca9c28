/* events.c: the fetcher's multi handles and its epoll set for their
 * sockets and timers plus a few other descriptors; see events.h. */
#include "common/compat.h"

#include <sys/epoll.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "fetcher/events.h"

#define EVENTS_BATCH 1024               /* epoll_wait's array */
#define EVENTS_EXTRA_TAG (1ULL << 63)   /* data.u64 of an extra descriptor */
#define EVENTS_MULTI_SHIFT 32           /* data.u64 of a curl socket:
                                         * multi number << 32 | fd */

struct multi {
    CURLM *handle;          /* the curl multi handle (owned) */
    struct events *ev;      /* the set it belongs to */
    int i;                  /* its number */
    int transfers;          /* easy handles in it */
    int64_t due_ms;         /* monotonic time its timer is due, or -1 */
};

struct events {
    struct multi *multis;   /* nmulti of them */
    int nmulti;
    int done_i;             /* events_done: the multi to read first */
    int epfd;               /* the epoll set */
    bool ready[EVENTS_MAX_EXTRA]; /* which extra descriptors woke */
    struct epoll_event evs[EVENTS_BATCH]; /* what the last wait got */
};

/* curl's socket callback: keep the socket's interest in the epoll set.
 * A socket's curl_multi_assign pointer says it is in the set already. */
static int on_socket(CURL *e, curl_socket_t s, int what, void *arg,
                     void *sockp)
{
    struct multi *m = arg;
    struct epoll_event ee;
    int op = sockp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

    (void)e;
    if (what == CURL_POLL_REMOVE) {
        /* the socket may be closed already (then epoll dropped it) */
        if (sockp) {
            epoll_ctl(m->ev->epfd, EPOLL_CTL_DEL, s, NULL);
            curl_multi_assign(m->handle, s, NULL);
        }
        return 0;
    }
    memset(&ee, 0, sizeof(ee));
    ee.events = (what & CURL_POLL_IN ? EPOLLIN : 0U) |
                (what & CURL_POLL_OUT ? EPOLLOUT : 0U);
    ee.data.u64 = (uint64_t)m->i << EVENTS_MULTI_SHIFT | (uint32_t)s;
    if (epoll_ctl(m->ev->epfd, op, s, &ee) < 0) {
        /* a reused descriptor number, or one epoll dropped on close */
        op = errno == EEXIST ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if ((errno != EEXIST && errno != ENOENT) ||
            epoll_ctl(m->ev->epfd, op, s, &ee) < 0) {
            log_error("epoll_ctl socket %d: %s", (int)s, strerror(errno));
            return -1;
        }
    }
    if (!sockp)
        curl_multi_assign(m->handle, s, m);
    return 0;
}

/* curl's timer callback: when to call it back with CURL_SOCKET_TIMEOUT. */
static int on_timer(CURLM *h, long timeout_ms, void *arg)
{
    struct multi *m = arg;

    (void)h;
    m->due_ms = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    return 0;
}

struct events *events_new(int concurrency)
{
    struct events *ev = xcalloc(1, sizeof(*ev));
    int i;

    ev->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (ev->epfd < 0) {
        error("epoll_create1: %s", strerror(errno));
        free(ev);
        return NULL;
    }
    ev->nmulti = (concurrency + EVENTS_MULTI_TRANSFERS - 1) /
                 EVENTS_MULTI_TRANSFERS;
    if (ev->nmulti < 1)
        ev->nmulti = 1;
    ev->multis = xcalloc((size_t)ev->nmulti, sizeof(*ev->multis));
    for (i = 0; i < ev->nmulti; i++) {
        struct multi *m = &ev->multis[i];
        m->ev = ev;
        m->i = i;
        m->due_ms = -1;
        m->handle = curl_multi_init();
        if (!m->handle) {
            error("cannot make a curl multi handle");
            events_free(ev);
            return NULL;
        }
        curl_multi_setopt(m->handle, CURLMOPT_SOCKETFUNCTION, on_socket);
        curl_multi_setopt(m->handle, CURLMOPT_SOCKETDATA, m);
        curl_multi_setopt(m->handle, CURLMOPT_TIMERFUNCTION, on_timer);
        curl_multi_setopt(m->handle, CURLMOPT_TIMERDATA, m);
    }
    return ev;
}

void events_free(struct events *ev)
{
    int i;

    if (!ev)
        return;
    for (i = 0; i < ev->nmulti; i++) {
        CURLM *h = ev->multis[i].handle;
        if (!h)
            continue;
        /* the cached connections close in here: no callbacks then */
        curl_multi_setopt(h, CURLMOPT_SOCKETFUNCTION, NULL);
        curl_multi_setopt(h, CURLMOPT_TIMERFUNCTION, NULL);
        curl_multi_cleanup(h);
    }
    free(ev->multis);
    close(ev->epfd);
    free(ev);
}

int events_nmulti(const struct events *ev)
{
    return ev->nmulti;
}

CURLM *events_multi(const struct events *ev, int i)
{
    return ev->multis[i].handle;
}

int events_add(struct events *ev, CURL *e, int prefer)
{
    int i, best = 0;

    if (prefer >= 0 && prefer < ev->nmulti &&
        ev->multis[prefer].transfers < EVENTS_MULTI_TRANSFERS) {
        best = prefer;
    } else {
        for (i = 1; i < ev->nmulti; i++)
            if (ev->multis[i].transfers < ev->multis[best].transfers)
                best = i;
    }
    if (curl_multi_add_handle(ev->multis[best].handle, e) != CURLM_OK)
        return -1;
    ev->multis[best].transfers++;
    return best;
}

void events_remove(struct events *ev, CURL *e, int i)
{
    curl_multi_remove_handle(ev->multis[i].handle, e);
    ev->multis[i].transfers--;
}

CURL *events_done(struct events *ev, CURLcode *result)
{
    int k;

    for (k = 0; k < ev->nmulti; k++) {
        struct multi *m = &ev->multis[ev->done_i];
        CURLMsg *cm;
        int left;
        while ((cm = curl_multi_info_read(m->handle, &left))) {
            if (cm->msg == CURLMSG_DONE) {
                *result = cm->data.result;
                return cm->easy_handle;
            }
        }
        ev->done_i = (ev->done_i + 1) % ev->nmulti;
    }
    return NULL;
}

int events_watch(struct events *ev, int i, int fd)
{
    struct epoll_event ee;

    if (i < 0 || i >= EVENTS_MAX_EXTRA)
        return error("events_watch: no slot %d", i);
    memset(&ee, 0, sizeof(ee));
    ee.events = EPOLLIN;
    ee.data.u64 = EVENTS_EXTRA_TAG | (uint64_t)i;
    if (epoll_ctl(ev->epfd, EPOLL_CTL_ADD, fd, &ee) < 0)
        return error("epoll_ctl fd %d: %s", fd, strerror(errno));
    return 0;
}

long events_curl_wait(const struct events *ev)
{
    int64_t now = now_ms(), due = -1;
    int i;

    for (i = 0; i < ev->nmulti; i++) {
        int64_t d = ev->multis[i].due_ms;
        if (d >= 0 && (due < 0 || d < due))
            due = d;
    }
    if (due < 0)
        return -1;
    return due <= now ? 0 : (long)(due - now);
}

/* Hand curl one socket's events; -1 on a curl failure. */
static int curl_socket(struct events *ev, const struct epoll_event *ee)
{
    int flags = 0, running;
    uint64_t i = ee->data.u64 >> EVENTS_MULTI_SHIFT;
    curl_socket_t s = (curl_socket_t)(uint32_t)ee->data.u64;
    CURLMcode mc;

    if (i >= (uint64_t)ev->nmulti)
        return 0;
    if (ee->events & EPOLLIN)
        flags |= CURL_CSELECT_IN;
    if (ee->events & EPOLLOUT)
        flags |= CURL_CSELECT_OUT;
    if (ee->events & (EPOLLERR | EPOLLHUP))
        flags |= CURL_CSELECT_ERR;
    mc = curl_multi_socket_action(ev->multis[i].handle, s, flags, &running);
    if (mc != CURLM_OK)
        return error("curl_multi_socket_action: %s",
                     curl_multi_strerror(mc));
    return 0;
}

/* Run the timers that are due; -1 on a curl failure. */
static int curl_timers(struct events *ev)
{
    int64_t now = now_ms();
    int i, running;
    long ms;

    for (i = 0; i < ev->nmulti; i++) {
        struct multi *m = &ev->multis[i];
        CURLMcode mc;
        if (m->due_ms < 0 || m->due_ms > now)
            continue;
        mc = curl_multi_socket_action(m->handle, CURL_SOCKET_TIMEOUT, 0,
                                      &running);
        if (mc != CURLM_OK)
            return error("curl_multi_socket_action: %s",
                         curl_multi_strerror(mc));
        /* curl calls the timer back only when its next time changes */
        if (curl_multi_timeout(m->handle, &ms) == CURLM_OK)
            m->due_ms = ms < 0 ? -1 : now_ms() + ms;
    }
    return 0;
}

int events_wait(struct events *ev, long timeout_ms)
{
    long cw = events_curl_wait(ev);
    int n, i;

    memset(ev->ready, 0, sizeof(ev->ready));
    if (cw >= 0 && cw < timeout_ms)
        timeout_ms = cw;
    n = epoll_wait(ev->epfd, ev->evs, EVENTS_BATCH, (int)timeout_ms);
    if (n < 0) {
        if (errno != EINTR)
            return error("epoll_wait: %s", strerror(errno));
        n = 0;
    }
    for (i = 0; i < n; i++) {
        uint64_t tag = ev->evs[i].data.u64;
        if (tag & EVENTS_EXTRA_TAG)
            ev->ready[tag & (EVENTS_EXTRA_TAG - 1)] = true;
        else if (curl_socket(ev, &ev->evs[i]) < 0)
            return -1;
    }
    return curl_timers(ev);
}

bool events_ready(const struct events *ev, int i)
{
    return i >= 0 && i < EVENTS_MAX_EXTRA && ev->ready[i];
}
