/* floor_common.h: what the two IO floors (floor.c, floor_engine.c) share:
 * a write callback that throws bodies away, a monotonic clock and the URL
 * list reader.  Static functions of a single-file tool, standard C and
 * libcurl only, so floor.c stays a bare libcurl client. */
#ifndef ZS_BENCH_FLOOR_COMMON_H
#define ZS_BENCH_FLOOR_COMMON_H

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t floor_discard(char *p, size_t size, size_t n, void *u)
{
    (void)p;
    (void)u;
    return size * n;
}

static double floor_now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The lines of path (blank and '#' lines skipped); exits 2 when it cannot
 * be read. */
static char **floor_read_lines(const char *path, long *count)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, **v = NULL;
    size_t cap = 0, vcap = 0;
    ssize_t n;
    long c = 0;

    if (!f) {
        perror(path);
        exit(2);
    }
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        if ((size_t)c == vcap) {
            vcap = vcap ? vcap * 2 : 1024;
            v = realloc(v, vcap * sizeof(*v));
            if (!v)
                abort();
        }
        v[c] = strdup(line);
        if (!v[c])
            abort();
        c++;
    }
    free(line);
    fclose(f);
    *count = c;
    return v;
}

#endif
