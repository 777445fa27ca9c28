/* journal.c: the append-only queue journal of --state DIR. */
#include "common/compat.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "sink/journal.h"

#define JOURNAL_NAME "journal"
#define JOURNAL_TMP "journal.new"
#define JOURNAL_PENDING_MAX ((size_t)64 << 20)
#define JOURNAL_LINE_MAX (128 * 1024)

struct journal {
    char *dir;              /* the --state folder */
    int fd;                 /* DIR/journal, O_APPEND */
    int lock_fd;            /* DIR/lock, flock'ed */
    enum sync_policy policy;
    struct buf pending;     /* lines not yet written */
    int64_t last_sync_ms;   /* for the interval policy */
    bool resumed;           /* an old journal was replayed */
};

int sync_policy_parse(const char *name)
{
    if (!strcmp(name, "always"))
        return SYNC_ALWAYS;
    if (!strcmp(name, "interval"))
        return SYNC_INTERVAL;
    if (!strcmp(name, "never"))
        return SYNC_NEVER;
    return -1;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Replay DIR/journal; torn or bad lines are skipped. */
static void replay(struct journal *j, const char *path, journal_fn *fn,
                   void *arg)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long bad = 0;

    if (!f)
        return;
    while ((n = getline(&line, &cap, f)) > 0) {
        unsigned depth;
        int off = 0;
        if (line[n - 1] != '\n' || n > JOURNAL_LINE_MAX) {
            bad++;
            continue;
        }
        line[n - 1] = '\0';
        if (sscanf(line, "S %u %n", &depth, &off) < 1 || !off ||
            !line[off]) {
            bad++;
            continue;
        }
        fn(arg, j, line + off, depth);
    }
    if (bad)
        log_warn("journal '%s': %ld torn or bad lines skipped", path, bad);
    free(line);
    fclose(f);
}

struct journal *journal_open(const char *dir, enum sync_policy policy,
                             journal_fn *fn, void *arg)
{
    struct journal *j = xcalloc(1, sizeof(*j));
    char *path = NULL, *tmp = NULL, *lock = NULL;
    struct stat st;

    j->fd = j->lock_fd = -1;
    j->dir = xstrdup(dir);
    j->policy = policy;
    buf_init(&j->pending, JOURNAL_PENDING_MAX);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        say("--state: cannot make '%s': %s", dir, strerror(errno));
        goto fail;
    }
    lock = xasprintf("%s/%s", dir, JOURNAL_LOCK);
    j->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (j->lock_fd < 0 || flock(j->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        say("--state: '%s' is in use by another crawl (or not "
            "writable): %s", dir, strerror(errno));
        goto fail;
    }
    path = xasprintf("%s/%s", dir, JOURNAL_NAME);
    tmp = xasprintf("%s/%s", dir, JOURNAL_TMP);
    /* The compacted journal is built in journal.new while the old one
     * replays, then renamed over it. */
    j->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (j->fd < 0) {
        error("cannot write '%s': %s", tmp, strerror(errno));
        goto fail;
    }
    if (stat(path, &st) == 0) {
        j->resumed = true;
        replay(j, path, fn, arg);
    }
    if (journal_commit(j) < 0 || fdatasync(j->fd) < 0 ||
        rename(tmp, path) < 0) {
        error("cannot write the journal in '%s': %s", dir, strerror(errno));
        goto fail;
    }
    close(j->fd);
    j->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (j->fd < 0) {
        error("cannot open '%s': %s", path, strerror(errno));
        goto fail;
    }
    j->last_sync_ms = now_ms();
    free(path);
    free(tmp);
    free(lock);
    return j;
fail:
    free(path);
    free(tmp);
    free(lock);
    journal_close(j);
    return NULL;
}

int journal_add(struct journal *j, const char *url, uint32_t depth)
{
    if (buf_printf(&j->pending, "S %u %s\n", depth, url) < 0) {
        if (journal_commit(j) < 0 ||
            buf_printf(&j->pending, "S %u %s\n", depth, url) < 0)
            return error("cannot journal '%s'", url);
    }
    return 0;
}

int journal_commit(struct journal *j)
{
    if (!j->pending.len)
        return 0;
    if (write_all(j->fd, j->pending.data, j->pending.len) < 0)
        return error("cannot write the journal: %s", strerror(errno));
    buf_reset(&j->pending);
    return 0;
}

int journal_sync(struct journal *j, bool every_record, bool force)
{
    int64_t now;

    if (journal_commit(j) < 0)
        return -1;
    if (j->policy == SYNC_NEVER && !force)
        return 0;
    if (j->policy == SYNC_INTERVAL && every_record && !force)
        return 0;
    now = now_ms();
    if (j->policy == SYNC_INTERVAL && !force && now - j->last_sync_ms < 1000)
        return 0;
    j->last_sync_ms = now;
    if (fdatasync(j->fd) < 0)
        return error("cannot sync the journal: %s", strerror(errno));
    return 0;
}

bool journal_resumed(const struct journal *j)
{
    return j->resumed;
}

void journal_close(struct journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0) {
        journal_commit(j);
        close(j->fd);
    }
    if (j->lock_fd >= 0)
        close(j->lock_fd);
    buf_release(&j->pending);
    free(j->dir);
    free(j);
}
