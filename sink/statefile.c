/* statefile.c: DIR/settings, the crawl a --state folder belongs to
 * (statefile.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "sink/journal.h"
#include "sink/statefile.h"

#define STATEFILE_MAX (64 * 1024)       /* the file's size cap */
#define STATEFILE_KEYS 6
#define STATEFILE_SEEDS_MAX (1L << 30)  /* a seeds file hashed at most */

/* The keys, in file order, with the option each comes from. */
static const char *const keys[STATEFILE_KEYS] = {
    "output", "format", "depth", "scope", "rules", "seeds",
};
static const char *const options[STATEFILE_KEYS] = {
    "-o", "--format", "--depth", "--scope", "--rules", "--seeds and URLs",
};
static const char *const scope_names[] = { "host", "domain", "prefix",
                                           "any" };

void statefile_hash(const void *p, size_t n, char out[17])
{
    const unsigned char *c = p;
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= c[i];
        h *= 1099511628211ULL;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* path made absolute (its folder resolved, the name kept); caller
 * frees. */
static char *abs_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : NULL;
    char real[PATH_MAX];
    char *out;

    if (realpath(dir ? (*dir ? dir : "/") : ".", real))
        out = xasprintf("%s/%s", strcmp(real, "/") ? real : "",
                        slash ? slash + 1 : path);
    else
        out = xstrdup(path);
    free(dir);
    return out;
}

/* The seeds: the seeds file's text hashed (stdin: "stdin"), then the
 * command line's URLs hashed; caller frees. */
static char *seeds_value(const struct state_settings *st)
{
    char file[40] = "none", args[17];
    struct buf b;
    int i;

    if (st->seeds && !strcmp(st->seeds, "-")) {
        snprintf(file, sizeof(file), "stdin");
    } else if (st->seeds) {
        FILE *f = fopen(st->seeds, "r");
        uint64_t h = 14695981039346656037ULL;
        long n = 0;
        int c;
        /* unreadable: seeds_read() says so later */
        while (f && (c = getc(f)) != EOF && n++ < STATEFILE_SEEDS_MAX) {
            h ^= (unsigned char)c;
            h *= 1099511628211ULL;
        }
        if (f) {
            snprintf(file, sizeof(file), "%016llx", (unsigned long long)h);
            fclose(f);
        }
    }
    buf_init(&b, STATEFILE_MAX);
    for (i = 0; i < st->nurls; i++) {
        buf_addstr(&b, st->urls[i]);
        buf_addch(&b, '\n');
    }
    statefile_hash(b.data ? b.data : "", b.len, args);
    buf_release(&b);
    return xasprintf("file:%s urls:%d:%s", file, st->nurls, args);
}

/* The values of now, by key; caller frees each. */
static void values_of(const struct state_settings *now,
                      char *v[STATEFILE_KEYS])
{
    char h[17];

    v[0] = now->output && strcmp(now->output, "-") ?
           abs_path(now->output) : xstrdup("-");
    v[1] = xstrdup(now->format);
    v[2] = xasprintf("%ld", now->depth);
    v[3] = xstrdup(now->scope >= 0 && now->scope < 4 ?
                   scope_names[now->scope] : "?");
    if (now->rules) {
        statefile_hash(now->rules, now->rules_len, h);
        v[4] = xasprintf("text:%s", h);
    } else {
        v[4] = xstrdup("default");
    }
    v[5] = seeds_value(now);
}

/* Read DIR/settings into old[] (NULL for a key it lacks).  0 when read,
 * 1 when there is none, -1 on a read error. */
static int read_settings(const char *path, char *old[STATEFILE_KEYS])
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int i;

    for (i = 0; i < STATEFILE_KEYS; i++)
        old[i] = NULL;
    if (!f)
        return errno == ENOENT ? 1 : -1;
    while ((n = getline(&line, &cap, f)) > 0) {
        size_t k;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (!n || line[0] == '#')
            continue;
        k = strcspn(line, " ");
        if (!line[k])
            continue;
        for (i = 0; i < STATEFILE_KEYS; i++)
            if (strlen(keys[i]) == k && !strncmp(line, keys[i], k) &&
                !old[i])
                old[i] = xstrdup(line + k + 1);
    }
    free(line);
    fclose(f);
    return 0;
}

static int write_settings(const char *dir, char *v[STATEFILE_KEYS])
{
    char *path = xasprintf("%s/%s", dir, STATEFILE_NAME);
    char *tmp = xasprintf("%s/%s.new", dir, STATEFILE_NAME);
    FILE *f = fopen(tmp, "w");
    int i, rc = 0;

    if (!f) {
        rc = -1;
        goto out;
    }
    fputs("# zscrape --state: the crawl this folder belongs to.  A resume\n"
          "# with other values is refused; --force-resume goes on with the\n"
          "# new ones (zscrape(1), --state).\n", f);
    for (i = 0; i < STATEFILE_KEYS; i++)
        fprintf(f, "%s %s\n", keys[i], v[i]);
    if (fflush(f) != 0 || fsync(fileno(f)) < 0)
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -1;
out:
    if (rc < 0)
        error("cannot write '%s': %s", path, strerror(errno));
    free(path);
    free(tmp);
    return rc;
}

/* What one difference says: the value as the user gave it. */
static void say_diff(struct buf *b, int i, const char *then,
                     const char *now)
{
    if (i == 4 || i == 5) {
        buf_printf(b, "\n  %s: %s", options[i], i == 4 ?
                   "another rule file text than the one it was made with" :
                   "other seeds than the ones it was made with");
        return;
    }
    buf_printf(b, "\n  %s: '%s' now, '%s' when it was made", options[i],
               now, then);
}

void statefile_check(const char *dir, const struct state_settings *now,
                     bool force, bool recrawl)
{
    char *v[STATEFILE_KEYS], *old[STATEFILE_KEYS];
    char *path;
    struct buf diff;
    int i, rc, ndiff = 0;

    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        die_usage("--state: cannot make '%s': %s", dir, strerror(errno));
    /* a crawl running on DIR: say so before anything reads its output
     * (the journal takes the lock for good once the output is scanned) */
    path = xasprintf("%s/%s", dir, JOURNAL_LOCK);
    i = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (i < 0 || flock(i, LOCK_EX | LOCK_NB) < 0) {
        say("--state: '%s' is in use by another crawl (or not writable): "
            "%s", dir, strerror(errno));
        exit(1);
    }
    close(i);           /* the lock goes with it */
    free(path);
    values_of(now, v);
    path = xasprintf("%s/%s", dir, STATEFILE_NAME);
    rc = read_settings(path, old);
    if (rc < 0)
        die_usage("--state: cannot read '%s': %s", path, strerror(errno));
    buf_init(&diff, STATEFILE_MAX);
    for (i = 0; rc == 0 && !recrawl && i < STATEFILE_KEYS; i++) {
        if (!old[i] || !strcmp(old[i], v[i]))
            continue;
        say_diff(&diff, i, old[i], v[i]);
        ndiff++;
    }
    if (ndiff && !force)
        die_usage("--state: '%s' holds a crawl made with other options:%s"
                  "\n  resume with the options it was made with, give "
                  "another --state folder, or add --force-resume to go on "
                  "with these", dir, diff.data);
    if (ndiff)
        say("--force-resume: '%s' was made with other options; going on "
            "with these:%s", dir, diff.data);
    if ((rc == 1 || ndiff || recrawl) && write_settings(dir, v) < 0)
        exit(1);
    buf_release(&diff);
    for (i = 0; i < STATEFILE_KEYS; i++) {
        free(v[i]);
        free(old[i]);
    }
    free(path);
}
