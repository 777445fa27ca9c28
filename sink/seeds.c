/* seeds.c: the seed file reader; bad lines are reported and skipped. */
#include "common/compat.h"

#include "common/log.h"
#include "common/url.h"
#include "sink/seeds.h"

#define SEED_LINE_MAX (64 * 1024)

long seeds_read(const char *path, seed_fn *fn, void *arg)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    const char *name = strcmp(path, "-") ? path : "(stdin)";
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0, good = 0, bad = 0;

    if (!f)
        return error("cannot read seeds '%s': %s", path, strerror(errno));
    while ((n = getline(&line, &cap, f)) >= 0) {
        char *p = line, *url;
        const char *why;
        lineno++;
        if ((size_t)n > SEED_LINE_MAX) {
            if (bad++ < 100)
                log_warn("%s:%ld: line too long (%zd bytes), skipped", name,
                         lineno, n);
            continue;
        }
        if (memchr(line, '\0', (size_t)n)) {
            if (bad++ < 100)
                log_warn("%s:%ld: binary data, skipped", name, lineno);
            continue;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
            continue;
        url = url_normalize(p, &why);
        if (!url) {
            if (bad++ < 100)
                log_warn("%s:%ld: %s, skipped", name, lineno, why);
            continue;
        }
        fn(arg, url);
        free(url);
        good++;
    }
    if (bad > 100)
        log_warn("%s: %ld bad lines in all", name, bad);
    free(line);
    if (ferror(f)) {
        error("cannot read seeds '%s': %s", name, strerror(errno));
        good = -1;
    }
    if (f != stdin)
        fclose(f);
    return good;
}
