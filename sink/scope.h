/* scope.h: which discovered links a crawl follows (--scope).
 *   host    the same host as a seed (default)
 *   domain  a seed's host or any subdomain of it ("www." dropped first)
 *   prefix  under a seed URL's path up to its last '/'
 *   any     every http(s) URL */
#ifndef ZS_SCOPE_H
#define ZS_SCOPE_H

#include "common/compat.h"

enum scope_kind { SCOPE_HOST, SCOPE_DOMAIN, SCOPE_PREFIX, SCOPE_ANY };

struct scope;

/* -1 when name is not one of the four. */
int scope_parse(const char *name);
struct scope *scope_new(enum scope_kind kind);
void scope_free(struct scope *s);
/* Remember a seed (normalized URL). */
void scope_add_seed(struct scope *s, const char *url);
/* True when the normalized url is inside the scope. */
bool scope_allows(const struct scope *s, const char *url);

#endif
