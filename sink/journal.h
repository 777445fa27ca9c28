/* journal.h: the --state folder that lets a crawl resume.
 *
 * DIR/journal is append-only text, one line per URL the sink queued:
 * "S DEPTH URL".  What is done is not journaled: the output file is the
 * truth for that (a record is written whole or truncated away on resume),
 * so a URL is done exactly when its record is in the output.  Lines for a
 * result's new links are written (write(2)) before its record reaches the
 * output, so no written page has links the journal lacks.
 *
 * Sync policy (--sync): always = fdatasync the journal and the output
 * after every record; interval (default) = once a second; never = leave
 * it to the kernel.  A killed process loses nothing written; a machine
 * crash loses at most the last interval.
 *
 * On resume the journal is compacted: rewritten with only the URLs still
 * pending. */
#ifndef ZS_JOURNAL_H
#define ZS_JOURNAL_H

#include "common/compat.h"

enum sync_policy { SYNC_ALWAYS, SYNC_INTERVAL, SYNC_NEVER };

#define JOURNAL_LOCK "lock"     /* DIR's lock file (flock) */

struct journal;

/* -1 when name is not always|interval|never. */
int sync_policy_parse(const char *name);

struct journal;
/* Called for each queued URL of an old journal, in order; it calls
 * journal_add(j, ...) for those still pending. */
typedef void journal_fn(void *arg, struct journal *j, const char *url,
                        uint32_t depth);

/* Open (create) DIR and lock it; replay an old journal through fn, then
 * start a new, compacted one holding what fn passes back to
 * journal_add().  NULL with a logged error when DIR is unusable or locked
 * by another sink. */
struct journal *journal_open(const char *dir, enum sync_policy policy,
                             journal_fn *fn, void *arg);
/* Queue a line for url (written at the next journal_commit). */
int journal_add(struct journal *j, const char *url, uint32_t depth);
/* Write the queued lines to the file now.  -1 on IO error. */
int journal_commit(struct journal *j);
/* fdatasync if the policy says so for this moment (force: at exit). */
int journal_sync(struct journal *j, bool every_record, bool force);
/* True when an old journal was found (this run resumes). */
bool journal_resumed(const struct journal *j);
void journal_close(struct journal *j);

#endif
