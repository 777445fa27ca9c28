/* proxystat.h: the per-proxy counters of --proxies on their way from the
 * fetchers to the sink's --stats file.
 *
 * A fetcher adds one entry per proxy it used to its counter report (see
 * hello.h):
 *
 *     proxy=LABEL,REQUESTS,OK,FAILURES,BENCHED
 *
 * LABEL is the proxy URL without credentials and without a final '/'
 * (proxystat_label), percent-encoded so that it holds no ' ', ',', '='
 * or '%' of its own.  Every fetcher names a proxy the same way whatever
 * list it got, so the sink sums the entries of all fetchers by label,
 * and no credential ever leaves the fetcher. */
#ifndef ZS_PROXYSTAT_H
#define ZS_PROXYSTAT_H

#include "common/compat.h"

#include "common/buf.h"

/* One proxy's counters. */
struct proxystat {
    char *label;            /* the proxy URL, no credentials (owned) */
    uint64_t requests;      /* attempts sent through it */
    uint64_t ok;            /* of them, answered (a response, not 407) */
    uint64_t failures;      /* of them, failed because of the proxy */
    uint64_t benched;       /* times it was taken out of the rotation */
};

/* The sink's sums, in order of first appearance. */
struct proxystats {
    struct proxystat *v;
    size_t n, cap;
};

/* url without "user:password@" and without a final '/': caller frees. */
char *proxystat_label(const char *url);

/* Append " proxy=..." for s to b (the label percent-encoded); -1 when it
 * would pass b's cap (nothing appended then). */
int proxystat_encode(struct buf *b, const struct proxystat *s);

void proxystats_init(struct proxystats *t);
void proxystats_release(struct proxystats *t);
/* Add the proxy entries of one report's "name=value ..." text to t
 * (malformed entries are skipped); returns how many were added. */
size_t proxystats_add_report(struct proxystats *t, const char *counters);
/* t as a JSON object keyed by label: {"LABEL": {"requests": N, "ok": N,
 * "failures": N, "benched": N}, ...}; "{}" when empty.  indent: spaces
 * before each key. */
void proxystats_json(const struct proxystats *t, FILE *f, int indent);

#endif
