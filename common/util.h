/* util.h: allocation that never fails (aborts on out-of-memory), time,
 * and small string helpers shared by every program. */
#ifndef ZS_UTIL_H
#define ZS_UTIL_H

#include "common/compat.h"

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formatted string on the heap; caller frees. */
char *xasprintf(const char *fmt, ...) ZS_PRINTF(1, 2);

/* Milliseconds of a monotonic clock. */
int64_t now_ms(void);
/* Milliseconds since the epoch (wall clock). */
int64_t wall_ms(void);
/* Format epoch milliseconds as RFC 3339 UTC with millisecond precision
 * into out (at least 32 bytes). */
void fmt_rfc3339(int64_t ms, char *out, size_t outlen);

/* Parse a decimal integer in [min, max]; 0 on success, -1 otherwise. */
int parse_long(const char *s, long min, long max, long *out);

/* Peak resident set size of this process in KiB (getrusage). */
long peak_rss_kb(void);
/* User + system CPU time of this process in ms (-1 on error). */
long cpu_ms(void);

/* Number of online cores, at least 1. */
int ncores(void);

/* The value of hex digit c (either case), or -1 when it is not one. */
int hex_digit(int c);

#endif
