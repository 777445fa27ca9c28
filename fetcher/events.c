/* events.c: an epoll set for curl's sockets and timer plus the fetcher's
 * few other descriptors; see events.h. */
#include "common/compat.h"

#include <sys/epoll.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "fetcher/events.h"

#define EVENTS_BATCH 1024               /* epoll_wait's array */
#define EVENTS_EXTRA_TAG (1ULL << 40)   /* data.u64 of an extra descriptor */

struct events {
    CURLM *multi;           /* the transfers (borrowed) */
    int epfd;               /* the epoll set */
    int64_t curl_due_ms;    /* monotonic time curl's timer is due, or -1 */
    bool ready[EVENTS_MAX_EXTRA]; /* which extra descriptors woke */
    struct epoll_event evs[EVENTS_BATCH]; /* what the last wait got */
};

/* curl's socket callback: keep the socket's interest in the epoll set.
 * A socket's curl_multi_assign pointer says it is in the set already. */
static int on_socket(CURL *e, curl_socket_t s, int what, void *arg,
                     void *sockp)
{
    struct events *ev = arg;
    struct epoll_event ee;
    int op = sockp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

    (void)e;
    if (what == CURL_POLL_REMOVE) {
        /* the socket may be closed already (then epoll dropped it) */
        if (sockp) {
            epoll_ctl(ev->epfd, EPOLL_CTL_DEL, s, NULL);
            curl_multi_assign(ev->multi, s, NULL);
        }
        return 0;
    }
    memset(&ee, 0, sizeof(ee));
    ee.events = (what & CURL_POLL_IN ? EPOLLIN : 0U) |
                (what & CURL_POLL_OUT ? EPOLLOUT : 0U);
    ee.data.u64 = (uint64_t)s;
    if (epoll_ctl(ev->epfd, op, s, &ee) < 0) {
        /* a reused descriptor number, or one epoll dropped on close */
        op = errno == EEXIST ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if ((errno == EEXIST || errno == ENOENT) &&
            epoll_ctl(ev->epfd, op, s, &ee) == 0)
            errno = 0;
        else {
            log_error("epoll_ctl socket %d: %s", (int)s, strerror(errno));
            return -1;
        }
    }
    if (!sockp)
        curl_multi_assign(ev->multi, s, ev);
    return 0;
}

/* curl's timer callback: when to call it back with CURL_SOCKET_TIMEOUT. */
static int on_timer(CURLM *m, long timeout_ms, void *arg)
{
    struct events *ev = arg;

    (void)m;
    ev->curl_due_ms = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    return 0;
}

struct events *events_new(CURLM *multi)
{
    struct events *ev = xcalloc(1, sizeof(*ev));

    ev->multi = multi;
    ev->curl_due_ms = -1;
    ev->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (ev->epfd < 0) {
        error("epoll_create1: %s", strerror(errno));
        free(ev);
        return NULL;
    }
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, ev);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, ev);
    return ev;
}

void events_free(struct events *ev)
{
    if (!ev)
        return;
    /* curl_multi_cleanup, later, may still report sockets going away */
    curl_multi_setopt(ev->multi, CURLMOPT_SOCKETFUNCTION, NULL);
    curl_multi_setopt(ev->multi, CURLMOPT_TIMERFUNCTION, NULL);
    close(ev->epfd);
    free(ev);
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
    int64_t now;

    if (ev->curl_due_ms < 0)
        return -1;
    now = now_ms();
    return ev->curl_due_ms <= now ? 0 : (long)(ev->curl_due_ms - now);
}

/* Hand curl one socket's events; -1 on a curl failure. */
static int curl_socket(struct events *ev, const struct epoll_event *ee)
{
    int flags = 0, running;
    CURLMcode mc;

    if (ee->events & EPOLLIN)
        flags |= CURL_CSELECT_IN;
    if (ee->events & EPOLLOUT)
        flags |= CURL_CSELECT_OUT;
    if (ee->events & (EPOLLERR | EPOLLHUP))
        flags |= CURL_CSELECT_ERR;
    mc = curl_multi_socket_action(ev->multi, (curl_socket_t)ee->data.u64,
                                  flags, &running);
    if (mc != CURLM_OK)
        return error("curl_multi_socket_action: %s",
                     curl_multi_strerror(mc));
    return 0;
}

int events_wait(struct events *ev, long timeout_ms)
{
    long cw = events_curl_wait(ev), ms;
    int n, i, running;
    CURLMcode mc;

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
    if (ev->curl_due_ms >= 0 && ev->curl_due_ms <= now_ms()) {
        mc = curl_multi_socket_action(ev->multi, CURL_SOCKET_TIMEOUT, 0,
                                      &running);
        if (mc != CURLM_OK)
            return error("curl_multi_socket_action: %s",
                         curl_multi_strerror(mc));
        /* curl calls the timer back only when its next time changes */
        if (curl_multi_timeout(ev->multi, &ms) == CURLM_OK)
            ev->curl_due_ms = ms < 0 ? -1 : now_ms() + ms;
    }
    return 0;
}

bool events_ready(const struct events *ev, int i)
{
    return i >= 0 && i < EVENTS_MAX_EXTRA && ev->ready[i];
}
