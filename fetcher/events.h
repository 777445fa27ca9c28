/* events.h: the fetcher's one wait: an epoll set holding curl's sockets
 * (CURLMOPT_SOCKETFUNCTION) and a few extra descriptors (the ZeroMQ
 * sockets' ZMQ_FDs, the signal pipe), with curl's timer
 * (CURLMOPT_TIMERFUNCTION).  curl_multi_socket_action then runs only the
 * transfers whose socket or timer fired, where curl_multi_perform and
 * curl_multi_poll walk every transfer on every wake-up (O(transfers), which
 * at 10,000 transfers was most of the fetcher's CPU). */
#ifndef ZS_FETCH_EVENTS_H
#define ZS_FETCH_EVENTS_H

#include "common/compat.h"

#include <curl/curl.h>

#define EVENTS_MAX_EXTRA 8

struct events;

/* An epoll set driving multi (its socket and timer callbacks are set
 * here); NULL when epoll fails.  Caller frees with events_free() after
 * the multi handle's transfers are gone. */
struct events *events_new(CURLM *multi);
void events_free(struct events *ev);

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
