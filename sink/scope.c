/* scope.c: the crawl's scope, from the seeds' hosts or prefixes. */
#include "common/compat.h"

#include <strings.h>

#include "common/url.h"
#include "common/util.h"
#include "sink/scope.h"

struct scope {
    enum scope_kind kind;
    char **keys;            /* hosts, domains or prefixes of the seeds */
    size_t n, cap;
};

int scope_parse(const char *name)
{
    static const char *const names[] = { "host", "domain", "prefix", "any" };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(names); i++)
        if (!strcmp(name, names[i]))
            return (int)i;
    return -1;
}

struct scope *scope_new(enum scope_kind kind)
{
    struct scope *s = xcalloc(1, sizeof(*s));

    s->kind = kind;
    return s;
}

void scope_free(struct scope *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->n; i++)
        free(s->keys[i]);
    free(s->keys);
    free(s);
}

static char *seed_key(enum scope_kind kind, const char *url)
{
    char *host, *key;
    const char *slash;

    switch (kind) {
    case SCOPE_HOST:
        return url_host(url);
    case SCOPE_DOMAIN:
        host = url_host(url);
        if (host && !strncmp(host, "www.", 4) && strchr(host + 4, '.')) {
            key = xstrdup(host + 4);
            free(host);
            return key;
        }
        return host;
    case SCOPE_PREFIX:
        slash = strchr(url, '?');
        key = xstrndup(url, slash ? (size_t)(slash - url) : strlen(url));
        slash = strrchr(key, '/');
        if (slash)
            key[slash - key + 1] = '\0';
        return key;
    default:
        return NULL;
    }
}

void scope_add_seed(struct scope *s, const char *url)
{
    char *key = seed_key(s->kind, url);
    size_t i;

    if (!key)
        return;
    for (i = 0; i < s->n; i++) {
        if (!strcmp(s->keys[i], key)) {
            free(key);
            return;
        }
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->keys = xrealloc(s->keys, s->cap * sizeof(*s->keys));
    }
    s->keys[s->n++] = key;
}

static bool domain_match(const char *host, const char *dom)
{
    size_t hl = strlen(host), dl = strlen(dom);

    if (hl == dl)
        return !strcmp(host, dom);
    return hl > dl && host[hl - dl - 1] == '.' && !strcmp(host + hl - dl, dom);
}

bool scope_allows(const struct scope *s, const char *url)
{
    char *host;
    bool ok = false;
    size_t i;

    if (!url_is_http(url))
        return false;
    if (s->kind == SCOPE_ANY)
        return true;
    if (s->kind == SCOPE_PREFIX) {
        for (i = 0; i < s->n; i++)
            if (!strncmp(url, s->keys[i], strlen(s->keys[i])))
                return true;
        return false;
    }
    host = url_host(url);
    if (!host)
        return false;
    for (i = 0; i < s->n && !ok; i++)
        ok = s->kind == SCOPE_HOST ? !strcmp(host, s->keys[i])
                                   : domain_match(host, s->keys[i]);
    free(host);
    return ok;
}
