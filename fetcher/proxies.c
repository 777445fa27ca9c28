/* proxies.c: the --proxies rotation with a bench for failing proxies
 * (see proxies.h). */
#include "common/compat.h"

#include "common/log.h"
#include "common/util.h"
#include "fetcher/job.h"
#include "fetcher/proxies.h"

void proxies_init(struct proxies *ps, char *const *urls, size_t n)
{
    size_t i;

    memset(ps, 0, sizeof(*ps));
    if (!n)
        return;
    ps->v = xcalloc(n, sizeof(*ps->v));
    ps->n = n;
    for (i = 0; i < n; i++) {
        ps->v[i].url = urls[i];
        ps->v[i].st.label = proxystat_label(urls[i]);
        ps->v[i].bench_ms = PROXIES_BENCH_MS;
    }
}

void proxies_release(struct proxies *ps)
{
    size_t i;

    for (i = 0; i < ps->n; i++)
        free(ps->v[i].st.label);
    free(ps->v);
    memset(ps, 0, sizeof(*ps));
}

/* p's bench is over: back in the rotation, on probation. */
static void unbench(struct proxy *p)
{
    p->bench_until_ms = 0;
    p->fails_in_row = PROXIES_FAILS_TO_BENCH - 1;
    log_info("proxy back in the rotation after its bench proxy='%s'",
             p->st.label);
}

/* Of a and b (indexes or -1), the one whose bench ends first. */
static long sooner(const struct proxies *ps, long a, long b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return ps->v[b].bench_until_ms < ps->v[a].bench_until_ms ? b : a;
}

long proxies_pick(struct proxies *ps, long last, int64_t now)
{
    long first_benched = -1, last_benched = -1, pick = -1;
    bool last_free = false;
    size_t k;

    for (k = 0; k < ps->n && pick < 0; k++) {
        size_t i = (ps->next + k) % ps->n;
        struct proxy *p = &ps->v[i];
        if (p->bench_until_ms && p->bench_until_ms <= now)
            unbench(p);
        if (p->bench_until_ms) {
            if ((long)i == last)
                last_benched = (long)i;
            else
                first_benched = sooner(ps, first_benched, (long)i);
        } else if ((long)i == last) {
            last_free = true;   /* only if no other will do */
        } else {
            pick = (long)i;
        }
    }
    if (pick < 0 && last_free)
        pick = last;
    if (pick < 0)
        pick = first_benched >= 0 ? first_benched : last_benched;
    if (pick < 0)
        return -1;
    ps->next = ((size_t)pick + 1) % ps->n;
    ps->v[pick].st.requests++;
    return pick;
}

void proxies_count(struct proxies *ps, long i, enum proxy_outcome o,
                   const char *why, int64_t now)
{
    struct proxy *p;

    if (i < 0 || (size_t)i >= ps->n)
        return;
    p = &ps->v[i];
    if (o == PROXY_ANSWERED) {
        p->st.ok++;
        p->fails_in_row = 0;
        p->bench_ms = PROXIES_BENCH_MS;
        return;
    }
    if (o != PROXY_FAILED)
        return;
    p->st.failures++;
    /* transfers still under way when it was benched end here too */
    if (p->bench_until_ms || ++p->fails_in_row < PROXIES_FAILS_TO_BENCH)
        return;
    p->bench_until_ms = now + p->bench_ms;
    p->st.benched++;
    log_warn("proxy benched for %ld s after %d failures in a row "
             "proxy='%s' why='%s'", p->bench_ms / 1000, p->fails_in_row,
             p->st.label, why && *why ? why : "-");
    p->bench_ms = p->bench_ms * 2 > PROXIES_BENCH_MAX_MS ?
                  PROXIES_BENCH_MAX_MS : p->bench_ms * 2;
}

/* A SOCKS proxy's own failure, not the origin's it could not reach. */
static bool socks_fault(CURL *e)
{
    long px = CURLPX_OK;

    if (curl_easy_getinfo(e, CURLINFO_PROXY_ERROR, &px) != CURLE_OK)
        return true;
    switch (px) {
    case CURLPX_REPLY_HOST_UNREACHABLE:
    case CURLPX_REPLY_NETWORK_UNREACHABLE:
    case CURLPX_REPLY_CONNECTION_REFUSED:
    case CURLPX_REPLY_TTL_EXPIRED:
    case CURLPX_RESOLVE_HOST:
        return false;
    default:
        return true;
    }
}

enum proxy_outcome proxies_outcome(CURL *e, CURLcode code)
{
    long status = 0, connect = 0;
    curl_off_t connect_us = 0;

    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(e, CURLINFO_HTTP_CONNECTCODE, &connect);
    /* it refused the request (407) or the tunnel (403, 407, ...) */
    if (status == 407 || (connect >= 400 && connect <= 499))
        return PROXY_FAILED;
    if (status > 0)
        return PROXY_ANSWERED;
    switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
        return PROXY_FAILED;
    case CURLE_COULDNT_CONNECT:
        /* through a proxy, curl's one TCP connect is to the proxy; an
         * origin a proxy cannot reach is a CONNECT answer, or (SOCKS)
         * CURLE_PROXY */
        return connect ? PROXY_OTHER : PROXY_FAILED;
    case CURLE_PROXY:
        return socks_fault(e) ? PROXY_FAILED : PROXY_OTHER;
    case CURLE_OPERATION_TIMEDOUT:
        /* the connect to the proxy never completed */
        if (curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_us) ==
            CURLE_OK && connect_us == 0 && !connect)
            return PROXY_FAILED;
        return PROXY_OTHER;
    default:
        return PROXY_OTHER;
    }
}

bool proxies_attempt_done(struct proxies *ps, struct job *j, CURLcode code,
                          int64_t now)
{
    enum proxy_outcome o;

    if (j->proxy_i < 0 || (size_t)j->proxy_i >= ps->n || !j->easy)
        return false;
    o = proxies_outcome(j->easy, code);
    proxies_count(ps, j->proxy_i, o,
                  j->errbuf[0] ? j->errbuf : curl_easy_strerror(code), now);
    if (o != PROXY_FAILED || (size_t)++j->proxy_fails >= ps->n)
        return false;
    log_debug("proxy failed, again through another url='%s' proxy='%s' "
              "why='%s'", j->url, ps->v[j->proxy_i].st.label,
              j->errbuf[0] ? j->errbuf : curl_easy_strerror(code));
    curl_easy_cleanup(j->easy);
    j->easy = NULL;
    return true;
}

int proxies_report(const struct proxies *ps, struct buf *b)
{
    size_t i;

    for (i = 0; i < ps->n; i++)
        if (ps->v[i].st.requests && proxystat_encode(b, &ps->v[i].st) < 0)
            return -1;
    return 0;
}
