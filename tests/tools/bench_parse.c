/* bench_parse.c: `make bench-parse`: pages/s and MB/s over a folder of
 * HTML files, from memory, for (a) decode + gumbo parse alone, (b) the
 * same plus the default rules, (c) plus a rule file, (g) the parse under
 * zscrape's guard (arena, timer, depth check) without rules.  Prints one
 * line per mode, the extraction overhead of (b) and (c) over (a) and over
 * (g), and the guard's cost, (g) over (a).  With a MODE argument (a, b, c
 * or g) it runs that mode alone, for perf record. */
#include "common/compat.h"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include "common/util.h"
#include "parser/decode.h"
#include "parser/page.h"
#include "parser/rules.h"

#define BENCH_MAX_PAGES 20000

struct page {
    char *data;             /* file bytes */
    size_t len;
};

static struct page pages[BENCH_MAX_PAGES];
static int npages;
static size_t total_bytes;

static void load_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)) && npages < BENCH_MAX_PAGES) {
        char *path;
        struct stat st;
        size_t n;
        if (e->d_name[0] == '.')
            continue;
        path = xasprintf("%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            load_dir(path);
        } else if (n = strlen(e->d_name), n > 5 &&
                   !strcmp(e->d_name + n - 5, ".html")) {
            FILE *f = fopen(path, "rb");
            if (f) {
                pages[npages].data = xmalloc((size_t)st.st_size + 1);
                pages[npages].len = fread(pages[npages].data, 1,
                                          (size_t)st.st_size, f);
                total_bytes += pages[npages].len;
                npages++;
                fclose(f);
            }
        }
        free(path);
    }
    closedir(d);
}

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The ceiling: what a gumbo pipeline cannot avoid (decode, default
 * gumbo_parse, gumbo_destroy_output). */
static void parse_only(int i)
{
    const char *cs;
    size_t ulen;
    char *u = decode_to_utf8(pages[i].data, pages[i].len, "text/html",
                             (size_t)1 << 30, &ulen, &cs);
    GumboOutput *doc;

    doc = gumbo_parse_with_options(&kGumboDefaultOptions, u, ulen);
    gumbo_destroy_output(&kGumboDefaultOptions, doc);
    free(u);
}

static const struct page_opts bench_opts = { (size_t)1 << 30,
                                             PAGE_DEFAULT_TIMEOUT_MS,
                                             PAGE_DEFAULT_MAX_DEPTH };

/* zscrape's parse without rules: the guard's own cost. */
static void guarded_only(int i)
{
    struct page_in in = { "https://docs.python.org/3.11/x.html", "text/html",
                          pages[i].data, pages[i].len };

    page_parse_only(&in, &bench_opts);
}

static void with_rules(const struct rules *r, int i)
{
    struct extract_out o;
    struct page_in in = { "https://docs.python.org/3.11/x.html", "text/html",
                          pages[i].data, pages[i].len };

    extract_out_init(&o);
    page_process(r, &in, &bench_opts, &o);
    extract_out_release(&o);
}

/* Run mode ('a', 'g', or with rules r: 'b', 'c') over the corpus; returns
 * the CPU seconds. */
static double run(const char *name, const struct rules *r, int mode,
                  long passes)
{
    double t0 = cpu_s(), dt;
    long p;
    int i;

    for (p = 0; p < passes; p++)
        for (i = 0; i < npages; i++) {
            if (mode == 'a')
                parse_only(i);
            else if (mode == 'g')
                guarded_only(i);
            else
                with_rules(r, i);
        }
    dt = cpu_s() - t0;
    printf("%-28s %8.1f pages/s %7.1f MB/s %7.3f ms/page\n", name,
           npages * passes / dt, (double)total_bytes * passes / dt / 1e6,
           dt * 1000 / (npages * passes));
    return dt;
}

int main(int argc, char **argv)
{
    char err[512];
    struct rules *r10;
    double a, b, c, g;
    long passes = 3;

    if (argc < 3) {
        fprintf(stderr, "usage: bench_parse DIR RULES [PASSES [MODE]]\n");
        return 2;
    }
    if (argc > 3 && parse_long(argv[3], 1, 1000, &passes) < 0) {
        fprintf(stderr, "bench_parse: bad PASSES '%s'\n", argv[3]);
        return 2;
    }
    load_dir(argv[1]);
    if (!npages) {
        fprintf(stderr, "bench_parse: no .html files under '%s'\n", argv[1]);
        return 1;
    }
    r10 = rules_load(argv[2], err, sizeof(err));
    if (!r10) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    page_init();
    printf("corpus: %d pages, %.1f MB, %ld passes, CPU time of one core\n",
           npages, (double)total_bytes / 1e6, passes);
    if (argc > 4) {
        /* one mode alone, for perf record */
        run(argv[4], argv[4][0] == 'c' ? r10 : NULL, argv[4][0], passes);
        rules_free(r10);
        return 0;
    }
    run("warm-up", NULL, 'a', 1);
    a = run("(a) decode + gumbo parse", NULL, 'a', passes);
    g = run("(g) decode + guarded parse", NULL, 'g', passes);
    b = run("(b) zscrape, default rules", NULL, 'b', passes);
    c = run("(c) zscrape, 10-field rules", r10, 'c', passes);
    printf("extraction overhead over parse alone: (b) %+.1f%%  (c) %+.1f%%"
           "\n", (b / a - 1) * 100, (c / a - 1) * 100);
    printf("extraction overhead over guarded parse: (b) %+.1f%%  "
           "(c) %+.1f%%\n", (b / g - 1) * 100, (c / g - 1) * 100);
    printf("parse guard (arena, timer, depth check) over plain gumbo: "
           "%+.1f%%\n", (g / a - 1) * 100);
    rules_free(r10);
    return 0;
}
