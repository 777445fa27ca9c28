/* ceiling.c: the CPU ceiling of `make bench`.
 *
 *   ceiling DIR [PROCS [PASSES]]
 *
 * Loads every .html file under DIR into memory, then forks PROCS worker
 * processes (default: the number of cores); worker k parses pages
 * k, k+PROCS, k+2*PROCS, ... PASSES times (default 1) with gumbo's
 * default options (gumbo_parse + gumbo_destroy_output) and nothing else:
 * no IO, no decoding, no extraction.  The clock starts when the workers
 * start (loading is not timed).  Prints one line of key=value pairs:
 *   pages= bytes= procs= wall_s= pages_per_s= mb_per_s= cpu_s=
 *   cpu_ms_per_page= peak_rss_kb_max= peak_rss_kb_sum=
 * (cpu_s: user+system time of the workers; peak RSS per worker, which
 * includes the loaded pages shared with the parent). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <dirent.h>
#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct page {
    char *data;
    size_t len;
};

static struct page *pages;
static size_t npages, cap;
static size_t total_bytes;

static void load_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d) {
        perror(dir);
        return;
    }
    while ((e = readdir(d))) {
        char path[4096];
        struct stat st;
        size_t n = strlen(e->d_name);
        FILE *f;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            load_dir(path);
            continue;
        }
        if (n <= 5 || strcmp(e->d_name + n - 5, ".html") != 0)
            continue;
        f = fopen(path, "rb");
        if (!f)
            continue;
        if (npages == cap) {
            cap = cap ? cap * 2 : 1024;
            pages = realloc(pages, cap * sizeof(*pages));
            if (!pages)
                abort();
        }
        pages[npages].data = malloc((size_t)st.st_size + 1);
        if (!pages[npages].data)
            abort();
        pages[npages].len = fread(pages[npages].data, 1,
                                  (size_t)st.st_size, f);
        total_bytes += pages[npages].len;
        npages++;
        fclose(f);
    }
    closedir(d);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    long procs = sysconf(_SC_NPROCESSORS_ONLN), passes = 1, k;
    double t0, wall, cpu = 0;
    long rss_max = 0, rss_sum = 0;

    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: ceiling DIR [PROCS [PASSES]]\n");
        return 2;
    }
    if (argc > 2)
        procs = strtol(argv[2], NULL, 10);
    if (argc > 3)
        passes = strtol(argv[3], NULL, 10);
    if (procs < 1 || passes < 1) {
        fprintf(stderr, "ceiling: PROCS and PASSES must be >= 1\n");
        return 2;
    }
    load_dir(argv[1]);
    if (!npages) {
        fprintf(stderr, "ceiling: no .html files under '%s'\n", argv[1]);
        return 1;
    }
    fflush(stdout);
    t0 = now_s();
    for (k = 0; k < procs; k++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            long p;
            size_t i;
            for (p = 0; p < passes; p++)
                for (i = (size_t)k; i < npages; i += (size_t)procs) {
                    GumboOutput *out = gumbo_parse_with_options(
                        &kGumboDefaultOptions, pages[i].data, pages[i].len);
                    gumbo_destroy_output(&kGumboDefaultOptions, out);
                }
            _exit(0);
        }
    }
    for (k = 0; k < procs; k++) {
        int st;
        struct rusage ru;
        if (wait4(-1, &st, 0, &ru) < 0) {
            perror("wait4");
            return 1;
        }
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "ceiling: a worker failed\n");
            return 1;
        }
        cpu += tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
        rss_sum += ru.ru_maxrss;
        if (ru.ru_maxrss > rss_max)
            rss_max = ru.ru_maxrss;
    }
    wall = now_s() - t0;
    printf("pages=%zu bytes=%zu procs=%ld passes=%ld wall_s=%.3f "
           "pages_per_s=%.1f mb_per_s=%.2f cpu_s=%.3f cpu_ms_per_page=%.4f "
           "peak_rss_kb_max=%ld peak_rss_kb_sum=%ld\n",
           npages, total_bytes, procs, passes, wall,
           (double)npages * (double)passes / wall,
           (double)total_bytes * (double)passes / wall / 1e6, cpu,
           cpu * 1000 / ((double)npages * (double)passes), rss_max, rss_sum);
    return 0;
}
