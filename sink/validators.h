/* validators.h: every URL a crawl got a record for, with its depth and
 * the ETag and Last-Modified of its page, kept in the --state folder for
 * conditional re-crawls (--recrawl: these URLs are crawled again, asking
 * each page only if it changed).
 *
 * DIR/validators is append-only text, one line per change:
 * "URL\tDEPTH\tETAG\tLAST-MODIFIED\n" (either value may be empty).  The
 * last line of a URL wins; a torn last line is ignored.  At start the
 * file is read into a hash table: memory is one allocation per URL (the
 * URL, the two values and about 48 bytes), at most VALIDATORS_MAX_URLS
 * URLs; values longer than VALIDATORS_VALUE_MAX or holding control
 * characters are not kept.  A re-crawl appends only what changed. */
#ifndef ZS_VALIDATORS_H
#define ZS_VALIDATORS_H

#include "common/compat.h"

#define VALIDATORS_FILE "validators"
#define VALIDATORS_VALUE_MAX 256
#define VALIDATORS_URL_MAX (8 * 1024)
#define VALIDATORS_MAX_URLS ((size_t)16 << 20)

struct validators;

/* Read DIR/validators (missing: empty) and open it to append.  NULL with
 * a logged error when it cannot be read or opened. */
struct validators *validators_open(const char *dir);
/* Write what is buffered and close; free(NULL) safe.  -1 on IO error. */
int validators_close(struct validators *v);

/* url's stored validators (borrowed until the next put), "" for a value
 * not stored.  False when url is not stored or has neither. */
bool validators_get(const struct validators *v, const char *url,
                    const char **etag, const char **lastmod);
/* Store url's depth and validators (not NUL-terminated; len 0 = none)
 * and append a line when they differ from the stored ones.  Returns 1
 * when changed, 0 when the same or not storable, -1 on IO error. */
int validators_put(struct validators *v, const char *url, uint32_t depth,
                   const char *etag, size_t elen, const char *lastmod,
                   size_t llen);
/* Call fn for every stored URL (borrowed for the call). */
typedef void validators_fn(void *arg, const char *url, uint32_t depth);
void validators_each(const struct validators *v, validators_fn *fn,
                     void *arg);
/* Hand buffered lines to the kernel.  -1 on IO error. */
int validators_flush(struct validators *v);
/* URLs with validators. */
size_t validators_count(const struct validators *v);

/* Split a file line (without its newline) into its fields in place; -1
 * when it is not "URL\tDEPTH\tETAG\tLAST-MODIFIED". */
int validators_parse_line(char *line, char **url, uint32_t *depth,
                          char **etag, char **lastmod);

#endif
