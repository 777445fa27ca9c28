/* zsec.h: the security of zsock's tcp sockets.
 *
 * With keys (--curve-keys DIR, common/curve.h) every tcp bind makes a
 * CURVE server (the coordinator's secret key) and every tcp connect a
 * CURVE client (the worker key pair and the coordinator's public key).
 * A thread of the process (the guard, started at the first tcp socket)
 * then serves:
 *   - in the sink, the ZAP handler (RFC 27, a REP socket bound at
 *     inproc://zeromq.zap.01 before the first CURVE bind, so no client is
 *     ever let in unchecked): it admits the worker keys of DIR only and
 *     logs a refused peer with its address (rate-limited);
 *   - the handshake events of each tcp socket (zmq_socket_monitor): a
 *     worker the coordinator refuses (its key, no CURVE where the other
 *     side wants it, the wrong coordinator.pub) logs why and exits 1; the
 *     sink logs peers whose handshake fails (rate-limited).
 * Without keys a tcp bind on a wildcard or public address logs a warning:
 * the crawl would be open and unencrypted.
 *
 * ipc:// and inproc:// endpoints are left alone: they never leave the
 * host, and the launcher's runtime folder is private (mode 0700). */
#ifndef ZS_ZSEC_H
#define ZS_ZSEC_H

#include "common/compat.h"
#include "common/curve.h"

/* Use k on every later tcp bind or connect (k's role says which);
 * k is owned from now on and kept for the process's life. */
void zsec_use(struct curve_keys *k);

/* Set up s before zsock binds (bind) or connects it to ep; ctx is the
 * process's context.  0 on success, -1 (logged) when the security cannot
 * be set up: then s must not be bound or connected. */
int zsec_prepare(void *ctx, void *s, const char *ep, bool bind);

/* True when ep's host is loopback, a private (RFC 1918, link-local, ULA)
 * address or not an address at all (a name); false for a wildcard or a
 * public address. */
bool zsec_private_endpoint(const char *ep);

#endif
