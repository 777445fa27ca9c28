/* robots.h: robots.txt (RFC 9309, the Robots Exclusion Protocol) as pure
 * functions: parse a body for one product token, then ask whether a path
 * may be fetched.  No IO: the caller fetches /robots.txt and picks
 * robots_parse(), robots_allow_all() (4xx) or robots_disallow_all() (5xx,
 * unreachable).
 *
 * Groups (RFC 9309 2.2.1): consecutive user-agent lines start a group; an
 * allow, disallow or crawl-delay line ends the run of user-agent lines, so
 * the next user-agent line starts a new group.  Blank lines, sitemap lines,
 * unknown keys and lines without ':' never end a group.  A user-agent
 * line's value is cut to its product token (up to the first '/' or
 * whitespace) and compared with ours ignoring case; all the groups that
 * name us are combined.  If none does, all the "*" groups are combined; if
 * there is none, everything is allowed.  Rules before the first user-agent
 * line are ignored.
 *
 * Matching (RFC 9309 2.2.2, 2.2.3): a rule matches a prefix of the path
 * and query; '*' stands for any run of octets, a '$' that ends the pattern
 * anchors it at the end of the path ('$' elsewhere is literal).  Both the
 * pattern and the path are compared as octets after percent-decoding, so
 * "%7e" and "~", "%c3%a1" and the raw UTF-8 of U+00E1, "%2A" and a literal
 * '*' in the path all compare equal, while "%2A" in a pattern is a literal
 * '*', not a wildcard.  The matching rule with the most octets wins (each
 * decoded octet, '*' and the final '$' count one); allow wins a tie; no
 * match means allowed.  "/robots.txt" is always allowed. */
#ifndef ZS_ROBOTS_H
#define ZS_ROBOTS_H

#include "common/compat.h"

/* Bytes of a body that are parsed; the rest, and a line cut short by the
 * limit, are ignored (RFC 9309 2.5: at least 500 KiB). */
#define ROBOTS_PARSE_MAX (500 * 1024)
/* Allow and disallow rules kept for our group (later ones are ignored). */
#define ROBOTS_RULES_MAX 10000
/* Sitemap URLs kept. */
#define ROBOTS_SITEMAPS_MAX 1000
/* Crawl-delay values above this are lowered to it. */
#define ROBOTS_DELAY_MAX_MS 60000L

struct robots;

/* Parse len bytes of a robots.txt body (need not be NUL-terminated; a
 * UTF-8 BOM, CR, LF or CRLF line ends, comments and binary garbage are
 * fine) for the product token product (e.g. "zscrape"; NULL or "" matches
 * only the "*" groups).  Never fails: what cannot be parsed is skipped.
 * Caller frees with robots_free(). */
struct robots *robots_parse(const char *text, size_t len,
                            const char *product);

/* Everything allowed (robots.txt unavailable, e.g. 4xx).  Caller frees. */
struct robots *robots_allow_all(void);
/* Everything but /robots.txt disallowed (robots.txt unreachable, e.g. 5xx
 * or a network error).  Caller frees. */
struct robots *robots_disallow_all(void);
void robots_free(struct robots *r);

/* May path_and_query ("/a/b?q", percent-encoded or not) be fetched?
 * A NULL r allows everything. */
bool robots_allowed(const struct robots *r, const char *path_and_query);

/* Crawl-delay of the group we obey in milliseconds (fractions of a second
 * kept, at most ROBOTS_DELAY_MAX_MS; the largest if the combined groups
 * give several), or -1 if none. */
long robots_crawl_delay_ms(const struct robots *r);

/* Sitemap URLs, from anywhere in the file, in file order. */
int robots_nsitemaps(const struct robots *r);
/* The i-th sitemap URL, borrowed until robots_free(); NULL if out of
 * range. */
const char *robots_sitemap(const struct robots *r, int i);

/* Write the product token of a User-Agent string into out: the text up to
 * the first '/' or whitespace, leading whitespace skipped ("zscrape/0.1
 * (+https://example.com/bot)" gives "zscrape").  Always NUL-terminates
 * (if outlen > 0), cutting a longer token to outlen - 1 bytes. */
void robots_product(const char *user_agent, char *out, size_t outlen);

#endif
