/* zsock.h: ZeroMQ socket setup (HWM, LINGER) and the endpoint scheme.
 *
 * One coordinator address names every socket of a crawl.  For
 * tcp://HOST:PORT, endpoint k is tcp://HOST:(PORT+k); for ipc://PATH it is
 * ipc://PATH.NAME.  The sink binds them all; workers connect. */
#ifndef ZS_ZSOCK_H
#define ZS_ZSOCK_H

#include "common/compat.h"

enum zs_endpoint {
    EP_DISPATCH = 0,  /* sink PUSH -> fetchers PULL */
    EP_PAGES_IN,      /* fetchers PUSH -> streamer PULL (in the sink) */
    EP_PAGES_OUT,     /* streamer PUSH -> parsers PULL */
    EP_RESULTS,       /* parsers PUSH -> sink PULL */
    EP_CONTROL,       /* sink PUB -> everyone SUB */
    EP_HELLO,         /* worker DEALER <-> sink ROUTER: settings (hello.h) */
    EP_COUNT
};

/* Endpoint k of the coordinator address base; caller frees.  NULL when base
 * is neither tcp://HOST:PORT nor ipc://PATH. */
char *zsock_endpoint(const char *base, enum zs_endpoint k);

/* Largest frame a socket accepts (ZMQ_MAXMSGSIZE): a page body is capped
 * below it (--max-bytes at most ZSOCK_MAX_BODY). */
#define ZSOCK_MAX_FRAME ((int64_t)256 << 20)
#define ZSOCK_MAX_BODY ((long)200 << 20)

/* New socket with LINGER, both high-water marks, the frame cap and TCP
 * keepalive set; fatal on error. */
void *zsock_new(void *ctx, int type, int hwm);
/* Bind or connect s to ep; a tcp endpoint gets the process's security
 * first (CURVE with --curve-keys, common/zsec.h).  0, or -1 logged. */
int zsock_bind(void *s, const char *ep);
int zsock_connect(void *s, const char *ep);
/* --curve-keys DIR: every later tcp bind (server: the sink) or connect
 * (a worker) uses CURVE with the keys of DIR (common/curve.h); ipc://
 * endpoints stay as they are.  Exits 2 with a message naming the file
 * when a key is missing, not Z85 or open to other users. */
void zsock_use_curve(const char *dir, bool server);
/* The socket's ZMQ_FD (edge-triggered). */
int zsock_fd(void *s);
/* True when ZMQ_EVENTS says a message can be read. */
bool zsock_readable(void *s);
/* True when ZMQ_EVENTS says a message can be sent. */
bool zsock_writable(void *s);

#endif
