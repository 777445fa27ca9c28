/* seeds.c: the seed file reader; bad lines are reported and skipped. */
#include "common/compat.h"

#include "common/log.h"
#include "common/url.h"
#include "sink/reqseed.h"
#include "sink/seeds.h"

#define SEED_LINE_MAX (64 * 1024)       /* a URL's line */
#define SEED_REQ_LINE_MAX (8 << 20)     /* a request seed's */

/* True when the URL line p (leading blanks skipped) has a blank inside,
 * between words: "URL trailing junk", "URL # comment". */
static bool junk_after_url(const char *p)
{
    const char *rest = p + strcspn(p, " \t\f\v\r\n");

    rest += strspn(rest, " \t\f\v\r\n");
    return *rest != '\0';
}

long seeds_read(const char *path, seed_fn *fn, void *arg)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    const char *name = strcmp(path, "-") ? path : "(stdin)";
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0, good = 0, bad = 0;

    if (!f) {
        say("--seeds: cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    while ((n = getline(&line, &cap, f)) >= 0) {
        char *p = line, *url;
        const char *why;
        lineno++;
        if ((size_t)n > (line[strspn(line, " \t")] == '{' ?
                         SEED_REQ_LINE_MAX : SEED_LINE_MAX)) {
            if (bad++ < 100)
                say("%s:%ld: line too long (%zd bytes), skipped", name,
                         lineno, n);
            continue;
        }
        if (memchr(line, '\0', (size_t)n)) {
            if (bad++ < 100)
                say("%s:%ld: binary data, skipped", name, lineno);
            continue;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
            continue;
        if (*p == '{') {
            struct reqseed r;
            char err[300];
            size_t len = (size_t)n - (size_t)(p - line);
            while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
                len--;
            if (reqseed_parse(p, len, &r, err, sizeof(err)) < 0) {
                if (bad++ < 100)
                    say("%s:%ld: %s, skipped", name, lineno, err);
                continue;
            }
            if (r.is_request)
                fn(arg, r.key, &r, p, len);
            else
                fn(arg, r.url, NULL, NULL, 0);
            reqseed_release(&r);
            good++;
            continue;
        }
        if (junk_after_url(p)) {
            if (bad++ < 100)
                say("%s:%ld: more than a URL on the line (one URL a line, "
                    "no comments after it; a space in a URL is %%20), "
                    "skipped", name, lineno);
            continue;
        }
        url = url_normalize(p, &why);
        if (!url) {
            if (bad++ < 100)
                say("%s:%ld: %s, skipped", name, lineno, why);
            continue;
        }
        fn(arg, url, NULL, NULL, 0);
        free(url);
        good++;
    }
    if (bad > 100)
        say("%s: %ld bad lines in all", name, bad);
    free(line);
    if (ferror(f)) {
        say("--seeds: cannot read '%s': %s", name, strerror(errno));
        good = -1;
    }
    if (f != stdin)
        fclose(f);
    return good;
}
