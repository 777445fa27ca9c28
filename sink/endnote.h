/* endnote.h: a crawl's last words and its exit status.
 *
 * An interrupted crawl (SIGINT, SIGTERM) does not look finished: it says
 * so, with the records written and the URLs left, and with --state the
 * command that resumes it ($ZSCRAPE_RESUME_CMD, which the launcher sets
 * to its own command line, else the sink's).  Said even with -q.
 *
 * Exit status: 0 done (interrupted too, DESIGN.md), 1 runtime failure;
 * with --fail-on-errors, ENDNOTE_FAILED (3) when a record is an error
 * record or the crawl was interrupted with URLs left. */
#ifndef ZS_ENDNOTE_H
#define ZS_ENDNOTE_H

#include "common/compat.h"

#define ENDNOTE_FAILED 3
#define ENDNOTE_CMD_ENV "ZSCRAPE_RESUME_CMD"

struct endnote {
    bool interrupted;           /* a stop signal ended the crawl */
    size_t pending;             /* URLs queued or in flight at the end */
    uint64_t records;           /* records written by this run */
    uint64_t errors;            /* of which error records */
    const char *state;          /* --state DIR, or NULL */
    bool recrawl;               /* --recrawl */
    bool fail_on_errors;        /* --fail-on-errors */
};

/* Say what an interrupted crawl left (nothing when it was not);
 * argv: the sink's own command line, the resume command when the
 * launcher gave none. */
void endnote_say(const struct endnote *e, int argc, char **argv);
/* The exit status: rc < 0 is 1, then --fail-on-errors's rule. */
int endnote_status(const struct endnote *e, int rc);

#endif
