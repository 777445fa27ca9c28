/* floor.c: the IO-bound benchmark's floor (`make bench`).
 *
 *   floor URLFILE [MAXPAR]
 *
 * A bare libcurl multi client: every URL of URLFILE (one a line) fetched
 * with at most MAXPAR transfers at once (default: all of them), bodies
 * thrown away.  No ZeroMQ, no parsing, no output but one summary line:
 *   ok=N failed=N wall_s=S
 * Exit 0 when every transfer got an HTTP 2xx answer, 1 otherwise.
 * It is what zscrape's fetcher does at the least, so its wall time is the
 * floor the pipeline is measured against. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "scripts/bench/floor_common.h"

int main(int argc, char **argv)
{
    CURLM *multi;
    CURLMsg *m;
    char **urls;
    long n, maxpar, next = 0, ok = 0, failed = 0;
    int running = 0, left;
    double t0;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: floor URLFILE [MAXPAR]\n");
        return 2;
    }
    urls = floor_read_lines(argv[1], &n);
    maxpar = argc > 2 ? strtol(argv[2], NULL, 10) : n;
    if (maxpar < 1)
        maxpar = 1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxpar);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxpar);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, maxpar);
    t0 = floor_now_s();
    for (;;) {
        /* keep at most maxpar transfers in the multi handle */
        while (next < n && (long)running < maxpar) {
            CURL *e = curl_easy_init();
            curl_easy_setopt(e, CURLOPT_URL, urls[next]);
            curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, floor_discard);
            curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
            curl_easy_setopt(e, CURLOPT_TIMEOUT, 120L);
            curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
            curl_multi_add_handle(multi, e);
            next++;
            running++;
        }
        {
            int still;
            curl_multi_perform(multi, &still);
        }
        while ((m = curl_multi_info_read(multi, &left))) {
            if (m->msg == CURLMSG_DONE) {
                long code = 0;
                CURL *e = m->easy_handle;
                curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
                if (m->data.result == CURLE_OK && code >= 200 && code < 300)
                    ok++;
                else
                    failed++;
                curl_multi_remove_handle(multi, e);
                curl_easy_cleanup(e);
                running--;
            }
        }
        if (running == 0 && next >= n)
            break;
        curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    printf("bench: ok=%ld failed=%ld wall_s=%.3f\n", ok, failed, floor_now_s() - t0);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    for (long i = 0; i < n; i++)
        free(urls[i]);
    free(urls);
    return failed ? 1 : 0;
}
