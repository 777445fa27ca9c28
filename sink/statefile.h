/* statefile.h: what a --state folder remembers of the crawl that made it.
 *
 * DIR/settings holds, one "KEY VALUE" a line, the settings that decide
 * what a crawl's output holds: the output file (absolute path) and its
 * format, --depth, --scope, a hash of the rule file's text, of the seeds
 * file's and of the seed URLs of the command line.  A rerun with the same
 * DIR (a resume) compares: a difference is exit status 2 with a message
 * naming each option that differs, unless --force-resume, which says them
 * as a warning and goes on with the new settings (stored in their turn).
 * Other options (--max-pages, the fetchers' and parsers' settings) may
 * change between runs.  A folder without the file (made by an older
 * zscrape) gets one; --recrawl (a new output by design) rewrites it. */
#ifndef ZS_STATEFILE_H
#define ZS_STATEFILE_H

#include "common/compat.h"

#define STATEFILE_NAME "settings"

/* The settings of this run (all borrowed). */
struct state_settings {
    const char *output;         /* -o as given */
    const char *format;         /* jsonl|csv|sqlite */
    long depth;                 /* --depth */
    int scope;                  /* enum scope_kind */
    const char *rules;          /* the rule file's text; NULL: default */
    size_t rules_len;           /* its length */
    const char *seeds;          /* --seeds PATH ("-": stdin), or NULL */
    char *const *urls;          /* the command line's seed URLs */
    int nurls;                  /* how many */
};

/* Compare with DIR/settings and store the new settings when there were
 * none (or with force or recrawl).  Exits 2 (die_usage) on a difference
 * unless force; exit 1 when DIR is locked by a running crawl (checked
 * first, before the output is scanned) or DIR/settings cannot be
 * written. */
void statefile_check(const char *dir, const struct state_settings *now,
                     bool force, bool recrawl);

/* The FNV-1a 64-bit hash of p[0..n), as 16 hex digits in out[17]. */
void statefile_hash(const void *p, size_t n, char out[17]);

#endif
