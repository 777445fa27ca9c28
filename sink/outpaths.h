/* outpaths.h: the files a crawl will write, checked before it starts.
 *
 * A crawl that runs for an hour and then cannot write its stats is worse
 * than one refused at once: every output path (-o, --stats, --state) is
 * checked before anything is read or fetched, and a bad one is exit
 * status 2 with "NAME: OPTION: cannot write 'PATH': why". */
#ifndef ZS_OUTPATHS_H
#define ZS_OUTPATHS_H

#include "common/compat.h"

/* 0 when path (a file) can be written: it exists and is a writable
 * file (not a folder), or its folder exists and is writable.  Else -1
 * with the reason in why[0..n). */
int outpath_file_ok(const char *path, char *why, size_t n);
/* The same for a folder path (made when missing). */
int outpath_dir_ok(const char *path, char *why, size_t n);

/* Check -o (NULL or "-": stdout), --stats and --state (each NULL when
 * not given); die_usage() naming the option and the path on the first
 * that fails. */
void outpaths_check(const char *output, const char *stats,
                    const char *state);

#endif
