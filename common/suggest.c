/* suggest.c: the nearest option names to a mistyped one (suggest.h). */
#include "common/compat.h"

#include "common/log.h"
#include "common/suggest.h"
#include "common/util.h"

#define SUGGEST_NAME_MAX 64     /* longer words are never near a name */
#define SUGGEST_NAMES_MAX 256   /* names of an option table looked at */

size_t suggest_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b), i, j;
    size_t d[SUGGEST_NAME_MAX + 1][SUGGEST_NAME_MAX + 1];

    if (n > SUGGEST_NAME_MAX || m > SUGGEST_NAME_MAX)
        return n > m ? n : m;
    for (i = 0; i <= n; i++)
        d[i][0] = i;
    for (j = 0; j <= m; j++)
        d[0][j] = j;
    for (i = 1; i <= n; i++) {
        for (j = 1; j <= m; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

size_t suggest_names(const char *word, const char *const *names, size_t n,
                     const char **out)
{
    size_t i, k = 0, len = strlen(word), best = (size_t)-1, limit;

    if (!len)
        return 0;
    /* a prefix of names: those (getopt takes a unique one itself) */
    for (i = 0; i < n && k < SUGGEST_MAX; i++)
        if (!strncmp(names[i], word, len))
            out[k++] = names[i];
    if (k)
        return k;
    limit = 1 + len / 4;
    for (i = 0; i < n; i++) {
        size_t d = suggest_distance(word, names[i]);
        if (d > limit || d > best)
            continue;
        if (d < best) {
            best = d;
            k = 0;
        }
        if (k < SUGGEST_MAX)
            out[k++] = names[i];
    }
    return k;
}

void suggest_die(const char *arg, int short_opt, const struct option *opts)
{
    const char *names[SUGGEST_NAMES_MAX], *near[SUGGEST_MAX];
    char word[SUGGEST_NAME_MAX + 1], list[256] = "";
    size_t n = 0, k, i, wl;

    if (!arg || strncmp(arg, "--", 2)) {
        if (short_opt)
            say("unknown option '-%c'", short_opt);
        else
            say("unknown option '%s'", arg ? arg : "?");
        die_usage("try --help");
    }
    wl = strcspn(arg + 2, "=");
    snprintf(word, sizeof(word), "%.*s", (int)wl, arg + 2);
    for (i = 0; opts[i].name && n < SUGGEST_NAMES_MAX; i++) {
        if (!strcmp(opts[i].name, word) && !arg[2 + wl]) {
            if (opts[i].has_arg == required_argument)
                die_usage("--%s needs a value (try --help)", word);
        }
        if (!strcmp(opts[i].name, word) && arg[2 + wl] == '=' &&
            opts[i].has_arg == no_argument)
            die_usage("--%s takes no value (try --help)", word);
        names[n++] = opts[i].name;
    }
    k = suggest_names(word, names, n, near);
    for (i = 0; i < k; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof(list) - used, "%s--%s",
                 i == 0 ? "" : i + 1 == k ? " or " : ", ", near[i]);
    }
    if (k)
        die_usage("unknown option '--%s' (did you mean %s?); try --help",
                  word, list);
    die_usage("unknown option '--%s'; try --help", word);
}
