/* fetchopt.h: checks of the fetchers' request options that name files or
 * carry headers and credentials (--cacert, --cert, --key, --cookies,
 * --header, --auth).  The sink runs them up front, so a bad value stops
 * the crawl before it starts; the fetcher runs them again on the words it
 * got.  Each returns 0, or -1 with the reason in err (no option name). */
#ifndef ZS_FETCHOPT_H
#define ZS_FETCHOPT_H

#include "common/compat.h"

/* path names a readable regular file. */
int fetchopt_file(const char *path, char *err, size_t errlen);

#endif
