/* floor_engine.c: the IO-bound benchmark's second floor (`make bench`).
 *
 *   floor-engine URLFILE [MAXPAR]
 *
 * floor.c's job (every URL of URLFILE fetched, at most MAXPAR at once,
 * bodies thrown away, one line "ok=N failed=N wall_s=S") done the way
 * zscrape's fetcher drives libcurl: its own transfer engine
 * (fetcher/events.c: multi handles of 256 transfers, one epoll set,
 * curl_multi_socket_action), with no ZeroMQ, no parsing and no output.
 * floor.c (one multi handle, curl_multi_perform) pays libcurl 7.88's
 * walks of a host's connections on every transfer start and end, O(n^2)
 * at 10,000 at once; this one does not, so the pipeline's overhead is
 * measured against the best this machine's libcurl does. */
#include "common/compat.h"

#include "common/log.h"
#include "fetcher/events.h"
#include "scripts/bench/floor_common.h"

int main(int argc, char **argv)
{
    struct events *ev;
    char **urls;
    long n, maxpar, next = 0, ok = 0, failed = 0, running = 0, i;
    int prefer = -1;
    double t0;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: floor-engine URLFILE [MAXPAR]\n");
        return 2;
    }
    log_init("floor-engine", LOG_WARN);
    urls = floor_read_lines(argv[1], &n);
    maxpar = argc > 2 ? strtol(argv[2], NULL, 10) : n;
    if (maxpar < 1)
        maxpar = 1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    ev = events_new((int)maxpar);
    if (!ev)
        return 1;
    for (i = 0; i < events_nmulti(ev); i++) {
        CURLM *m = events_multi(ev, (int)i);
        curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, maxpar);
        curl_multi_setopt(m, CURLMOPT_MAXCONNECTS,
                          maxpar < EVENTS_MULTI_TRANSFERS ? maxpar
                          : (long)EVENTS_MULTI_TRANSFERS);
    }
    t0 = floor_now_s();
    for (;;) {
        CURLcode result;
        CURL *e;
        while (next < n && running < maxpar) {
            e = curl_easy_init();
            curl_easy_setopt(e, CURLOPT_URL, urls[next]);
            curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, floor_discard);
            curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
            curl_easy_setopt(e, CURLOPT_TIMEOUT, 120L);
            curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
            /* one host: keep to a multi handle while it has room, as the
             * fetcher does, so connections are reused */
            prefer = events_add(ev, e, prefer);
            if (prefer < 0)
                abort();
            curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)(intptr_t)prefer);
            next++;
            running++;
        }
        while ((e = events_done(ev, &result))) {
            long code = 0;
            char *mi = NULL;
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
            curl_easy_getinfo(e, CURLINFO_PRIVATE, &mi);
            if (result == CURLE_OK && code >= 200 && code < 300)
                ok++;
            else
                failed++;
            events_remove(ev, e, (int)(intptr_t)mi);
            curl_easy_cleanup(e);
            running--;
        }
        if (running == 0 && next >= n)
            break;
        if (events_wait(ev, 1000) < 0)
            return 1;
    }
    printf("bench: ok=%ld failed=%ld wall_s=%.3f\n", ok, failed,
           floor_now_s() - t0);
    events_free(ev);
    curl_global_cleanup();
    for (i = 0; i < n; i++)
        free(urls[i]);
    free(urls);
    return failed ? 1 : 0;
}
