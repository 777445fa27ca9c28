/* proxies.h: one fetcher's --proxies rotation: whose turn it is, which
 * proxies sit on the bench after failing, what an attempt's failure says
 * about its proxy, and the per-proxy counters for the sink.
 *
 * A proxy failure is one the proxy caused, not the origin: it could not
 * be resolved or connected to (nor, within the timeout, reached), it
 * refused the request or the CONNECT tunnel (407, or a 4xx answer to
 * CONNECT), or a SOCKS proxy failed in itself (not an origin it could
 * not reach).  After PROXIES_FAILS_TO_BENCH of them in a row, a proxy is
 * benched: the rotation skips it for PROXIES_BENCH_MS, twice as long
 * each time it is benched again (up to PROXIES_BENCH_MAX_MS), and back
 * at the base length after it answers.  Once its bench is over it is
 * tried again, on probation: one more failure benches it again.  When
 * every proxy is benched, the one whose bench ends first is used (the
 * crawl never stalls).  A URL whose attempt failed because of its proxy
 * goes again at once through another, without spending --retries, up
 * to one such attempt per proxy in the list. */
#ifndef ZS_PROXIES_H
#define ZS_PROXIES_H

#include "common/compat.h"

#include <curl/curl.h>

#include "common/buf.h"
#include "common/proxystat.h"

#define PROXIES_FAILS_TO_BENCH 3        /* failures in a row: benched */
#define PROXIES_BENCH_MS 30000          /* the first bench */
#define PROXIES_BENCH_MAX_MS 300000     /* the longest bench */

/* What an attempt through a proxy says of it. */
enum proxy_outcome {
    PROXY_ANSWERED,         /* a response came through it */
    PROXY_FAILED,           /* it failed (see above) */
    PROXY_OTHER,            /* no answer, not its fault (the origin's) */
};

struct proxy {
    struct proxystat st;    /* its label (no credentials) and counters */
    const char *url;        /* as listed (borrowed from the list) */
    int fails_in_row;       /* proxy failures since its last answer */
    long bench_ms;          /* the length of its next bench */
    int64_t bench_until_ms; /* benched until then (monotonic); 0: not */
};

struct proxies {
    struct proxy *v;        /* one per --proxies line (owned) */
    size_t n;
    size_t next;            /* whose turn is next */
};

struct job;

/* The rotation of the n URLs (borrowed: they must outlive ps). */
void proxies_init(struct proxies *ps, char *const *urls, size_t n);
void proxies_release(struct proxies *ps);

/* The proxy for the next attempt of a job whose last one went through
 * proxy last (-1: none): the next in turn that is not benched, not last
 * unless it is the only one that is not benched; when all are benched,
 * the one whose bench ends first (preferring one other than last).
 * Counts the request; -1 when the list is empty. */
long proxies_pick(struct proxies *ps, long last, int64_t now);

/* Count the outcome of an attempt through proxy i; may bench it (a
 * warning naming it and why, the curl message) or, on an answer, reset
 * its failure count and bench length. */
void proxies_count(struct proxies *ps, long i, enum proxy_outcome o,
                   const char *why, int64_t now);

/* What the finished transfer e (ended with code) says of its proxy. */
enum proxy_outcome proxies_outcome(CURL *e, CURLcode code);

/* The attempt of job j ended with code: when it went through one of ps,
 * count it; when the proxy failed and j has not yet had one such
 * attempt per proxy, clean up its easy handle and return true: the
 * caller queues it again at once (tries and --retries untouched). */
bool proxies_attempt_done(struct proxies *ps, struct job *j, CURLcode code,
                          int64_t now);

/* Append the counters of each proxy used so far to b, as proxystat.h
 * says; stops (returns -1) at b's cap. */
int proxies_report(const struct proxies *ps, struct buf *b);

#endif
