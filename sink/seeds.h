/* seeds.h: reading seed URLs from a file or stdin. */
#ifndef ZS_SEEDS_H
#define ZS_SEEDS_H

#include "common/compat.h"

/* Called with each valid seed, normalized (borrowed for the call). */
typedef void seed_fn(void *arg, const char *url);

/* Read path ('-' = stdin): one URL a line, blank and '#' lines skipped; a
 * bad line is reported as "PATH:LINE: why" and skipped.  Returns the number
 * of valid seeds, or -1 when the file cannot be read. */
long seeds_read(const char *path, seed_fn *fn, void *arg);

#endif
