/* seeds.h: reading seed URLs from a file or stdin; a line that starts
 * with '{' is a request seed (sink/reqseed.h). */
#ifndef ZS_SEEDS_H
#define ZS_SEEDS_H

#include "common/compat.h"

struct reqseed;

/* Called with each valid seed: url normalized (borrowed for the call);
 * for a request seed, url is its key and req the request, which fn takes
 * (it may empty it), with the seed's line (line[0..n), no newline). */
typedef void seed_fn(void *arg, const char *url, struct reqseed *req,
                     const char *line, size_t n);

/* Read path ('-' = stdin): one URL or request seed a line, blank and '#'
 * lines skipped; a bad line is reported as "PATH:LINE: why" and skipped.
 * Returns the number of valid seeds, or -1 when the file cannot be read. */
long seeds_read(const char *path, seed_fn *fn, void *arg);

#endif
