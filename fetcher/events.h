/* events.h: the fetcher's transfers and its one wait.  The transfers
 * live in a few curl multi handles; an epoll set holds all of their
 * sockets (CURLMOPT_SOCKETFUNCTION) and a few extra descriptors (the
 * ZeroMQ sockets' ZMQ_FDs, the signal pipe), and each multi's timer
 * (CURLMOPT_TIMERFUNCTION) is kept here.  curl_multi_socket_action then
 * runs only the transfers whose socket or timer fired, where
 * curl_multi_perform and curl_multi_poll walk every transfer on every
 * wake-up.
 *
 * Why several multi handles: libcurl 7.88 walks the connections of a
 * host in its connection cache when a transfer starts (looking for one to
 * reuse) and again when one is removed (close_connect_only): O(n) each,
 * O(n^2) for n transfers at once to one host.  A multi handle holds at
 * most EVENTS_MULTI_TRANSFERS transfers, so the walks stay short; a host
 * keeps to one multi handle while it has room, so its connections are
 * reused as before. */
#ifndef ZS_FETCH_EVENTS_H
#define ZS_FETCH_EVENTS_H

#include "common/compat.h"

#include <curl/curl.h>

#define EVENTS_MAX_EXTRA 8
#define EVENTS_MULTI_TRANSFERS 256   /* transfers a multi handle is for */

struct events;

/* Multi handles for concurrency transfers at once, and the epoll set
 * driving them; NULL when epoll or curl fails.  Caller frees with
 * events_free() once every transfer is removed. */
struct events *events_new(int concurrency);
void events_free(struct events *ev);

/* The multi handles, to set their options: i < events_nmulti(ev). */
int events_nmulti(const struct events *ev);
CURLM *events_multi(const struct events *ev, int i);

/* Add e to a multi handle: to multi number prefer while it holds fewer
 * than EVENTS_MULTI_TRANSFERS (-1: no preference), else to the one with
 * the fewest.  Returns the multi's number, -1 when curl refuses. */
int events_add(struct events *ev, CURL *e, int prefer);
/* Remove e from multi number i, where events_add put it. */
void events_remove(struct events *ev, CURL *e, int i);
/* The next finished transfer of any multi handle, its outcome in *result;
 * NULL when there is none. */
CURL *events_done(struct events *ev, CURLcode *result);

/* Watch fd for input as extra descriptor number i (< EVENTS_MAX_EXTRA);
 * -1 on failure. */
int events_watch(struct events *ev, int i, int fd);

/* Milliseconds until curl's timer is due (0: now), or -1 for none. */
long events_curl_wait(const struct events *ev);

/* Wait at most timeout_ms for a descriptor or curl's timer, then hand
 * curl what fired (curl_multi_socket_action).  Afterwards
 * events_ready(ev, i) says whether extra descriptor i woke.  -1 on an
 * epoll or curl failure (logged). */
int events_wait(struct events *ev, long timeout_ms);
bool events_ready(const struct events *ev, int i);

#endif
