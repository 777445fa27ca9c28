/* endnote.c: what an interrupted crawl left, and the exit status
 * (endnote.h). */
#include "common/compat.h"

#include "common/buf.h"
#include "common/log.h"
#include "sink/endnote.h"

#define ENDNOTE_CMD_MAX (64 * 1024)

/* One word quoted for a POSIX shell, when it needs it. */
static void add_word(struct buf *b, const char *w)
{
    const char *p;

    if (*w && !w[strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
                           "UVWXYZ0123456789-_./=:,@%+")]) {
        buf_addstr(b, w);
        return;
    }
    buf_addch(b, '\'');
    for (p = w; *p; p++) {
        if (*p == '\'')
            buf_addstr(b, "'\\''");
        else
            buf_addch(b, *p);
    }
    buf_addch(b, '\'');
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

void endnote_say(const struct endnote *e, int argc, char **argv)
{
    const char *cmd = getenv(ENDNOTE_CMD_ENV);
    struct buf b;
    int i;

    if (!e->interrupted)
        return;
    if (!e->pending) {
        say("interrupted, with nothing left to crawl: %llu %s written",
            (unsigned long long)e->records,
            plural(e->records, "record", "records"));
        return;
    }
    say("interrupted: %llu %s written, %zu %s not crawled yet",
        (unsigned long long)e->records,
        plural(e->records, "record", "records"), e->pending,
        plural(e->pending, "URL", "URLs"));
    if (!e->state) {
        say("not resumable (no --state): a rerun starts over; give "
            "--state DIR to make a crawl resumable");
        return;
    }
    buf_init(&b, ENDNOTE_CMD_MAX);
    if (cmd && *cmd) {
        buf_addstr(&b, cmd);
    } else {
        for (i = 0; i < argc; i++) {
            if (i)
                buf_addch(&b, ' ');
            add_word(&b, argv[i]);
        }
    }
    if (e->recrawl)
        say("kept in '%s'; to resume, run the same command without "
            "--recrawl (with it, the re-crawl starts over):\n  %s",
            e->state, b.data ? b.data : "");
    else
        say("kept in '%s'; to resume, run the same command again:\n  %s",
            e->state, b.data ? b.data : "");
    buf_release(&b);
}

int endnote_status(const struct endnote *e, int rc)
{
    if (rc < 0)
        return 1;
    if (e->fail_on_errors && (e->errors || (e->interrupted && e->pending)))
        return ENDNOTE_FAILED;
    return 0;
}
