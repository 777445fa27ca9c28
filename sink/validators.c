/* validators.c: the --state folder's stored ETag and Last-Modified of
 * every URL (validators.h). */
#include "common/compat.h"

#include "common/log.h"
#include "common/util.h"
#include "sink/validators.h"

#define VALIDATORS_MIN_BUCKETS 1024

struct vent {
    struct vent *next;      /* hash chain */
    uint64_t h;             /* hash of url */
    uint32_t depth;         /* link depth from the seeds */
    char *etag;             /* points into text */
    char *lastmod;          /* points into text */
    char url[];             /* "url\0etag\0lastmod\0" */
};

struct validators {
    struct vent **buckets;  /* chains (owned) */
    size_t nbuckets;        /* a power of two */
    size_t n;               /* entries */
    bool full_logged;       /* the VALIDATORS_MAX_URLS warning was given */
    FILE *f;                /* DIR/validators, appending */
    char *path;             /* its name (owned) */
};

static uint64_t hash_url(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    h ^= h >> 33;
    return h;
}

/* A value fit to keep: short, no control characters. */
static bool value_ok(const char *p, size_t len)
{
    size_t i;

    if (len > VALIDATORS_VALUE_MAX)
        return false;
    for (i = 0; i < len; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
            return false;
    return true;
}

static struct vent **find(const struct validators *v, const char *url,
                          uint64_t h)
{
    struct vent **pp = &v->buckets[h & (v->nbuckets - 1)];

    while (*pp && ((*pp)->h != h || strcmp((*pp)->url, url)))
        pp = &(*pp)->next;
    return pp;
}

static void grow(struct validators *v)
{
    size_t nb = v->nbuckets * 2, i;
    struct vent **b = xcalloc(nb, sizeof(*b));

    for (i = 0; i < v->nbuckets; i++) {
        struct vent *e = v->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            e->next = b[e->h & (nb - 1)];
            b[e->h & (nb - 1)] = e;
        }
    }
    free(v->buckets);
    v->buckets = b;
    v->nbuckets = nb;
}

/* Set url's entry in memory.  Returns 1 when changed, 0 when not. */
static int set(struct validators *v, const char *url, uint32_t depth,
               const char *etag, size_t elen, const char *lastmod,
               size_t llen)
{
    uint64_t h = hash_url(url);
    struct vent **pp = find(v, url, h), *e = *pp;
    size_t ulen = strlen(url);

    if (e && e->depth == depth && strlen(e->etag) == elen &&
        !memcmp(e->etag, etag, elen) && strlen(e->lastmod) == llen &&
        !memcmp(e->lastmod, lastmod, llen))
        return 0;
    if (e) {
        *pp = e->next;
        free(e);
        v->n--;
    }
    if (v->n >= VALIDATORS_MAX_URLS) {
        if (!v->full_logged)
            log_warn("validators: %zu URLs stored, not storing more",
                     v->n);
        v->full_logged = true;
        return e ? 1 : 0;
    }
    e = xmalloc(sizeof(*e) + ulen + elen + llen + 3);
    memcpy(e->url, url, ulen + 1);
    e->etag = e->url + ulen + 1;
    memcpy(e->etag, etag, elen);
    e->etag[elen] = '\0';
    e->lastmod = e->etag + elen + 1;
    memcpy(e->lastmod, lastmod, llen);
    e->lastmod[llen] = '\0';
    e->h = h;
    e->depth = depth;
    e->next = v->buckets[h & (v->nbuckets - 1)];
    v->buckets[h & (v->nbuckets - 1)] = e;
    if (++v->n > v->nbuckets)
        grow(v);
    return 1;
}

int validators_parse_line(char *line, char **url, uint32_t *depth,
                          char **etag, char **lastmod)
{
    char *t1 = strchr(line, '\t'), *t2, *t3;
    long d;

    if (!t1 || t1 == line)
        return -1;
    t2 = strchr(t1 + 1, '\t');
    if (!t2)
        return -1;
    t3 = strchr(t2 + 1, '\t');
    if (!t3 || strchr(t3 + 1, '\t'))
        return -1;
    *t1 = *t2 = *t3 = '\0';
    if (parse_long(t1 + 1, 0, INT32_MAX, &d) < 0)
        return -1;
    *url = line;
    *depth = (uint32_t)d;
    *etag = t2 + 1;
    *lastmod = t3 + 1;
    if (!value_ok(*etag, strlen(*etag)) ||
        !value_ok(*lastmod, strlen(*lastmod)))
        return -1;
    return 0;
}

/* Read an old file into v; -1 when it cannot be read. */
static int load(struct validators *v)
{
    FILE *f = fopen(v->path, "r");
    char *line = NULL, *url, *etag, *lastmod;
    uint32_t depth;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0, bad = 0;

    if (!f)
        return errno == ENOENT ? 0 : error("cannot read '%s': %s", v->path,
                                           strerror(errno));
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (line[n - 1] != '\n')
            break;              /* torn tail */
        line[n - 1] = '\0';
        if (validators_parse_line(line, &url, &depth, &etag, &lastmod) < 0) {
            bad++;
            continue;
        }
        set(v, url, depth, etag, strlen(etag), lastmod, strlen(lastmod));
    }
    free(line);
    fclose(f);
    if (bad)
        log_warn("%s: %ld bad lines skipped", v->path, bad);
    return 0;
}

struct validators *validators_open(const char *dir)
{
    struct validators *v = xcalloc(1, sizeof(*v));

    v->nbuckets = VALIDATORS_MIN_BUCKETS;
    v->buckets = xcalloc(v->nbuckets, sizeof(*v->buckets));
    v->path = xasprintf("%s/%s", dir, VALIDATORS_FILE);
    if (load(v) < 0)
        goto fail;
    /* a torn tail stays torn: start appending on a line of its own */
    v->f = fopen(v->path, "a+");
    if (!v->f) {
        error("cannot open '%s': %s", v->path, strerror(errno));
        goto fail;
    }
    if (fseek(v->f, -1, SEEK_END) == 0 && getc(v->f) != '\n')
        fputc('\n', v->f);
    return v;
fail:
    validators_close(v);
    return NULL;
}

int validators_close(struct validators *v)
{
    size_t i;
    int rc = 0;

    if (!v)
        return 0;
    if (v->f && fclose(v->f) != 0)
        rc = error("cannot write '%s': %s", v->path, strerror(errno));
    for (i = 0; i < v->nbuckets; i++) {
        struct vent *e = v->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            free(e);
        }
    }
    free(v->buckets);
    free(v->path);
    free(v);
    return rc;
}

bool validators_get(const struct validators *v, const char *url,
                    const char **etag, const char **lastmod)
{
    struct vent *e = *find(v, url, hash_url(url));

    if (!e || (!*e->etag && !*e->lastmod))
        return false;
    *etag = e->etag;
    *lastmod = e->lastmod;
    return true;
}

int validators_put(struct validators *v, const char *url, uint32_t depth,
                   const char *etag, size_t elen, const char *lastmod,
                   size_t llen)
{
    size_t ulen = strlen(url);

    if (!value_ok(etag, elen) || !value_ok(lastmod, llen) ||
        ulen > VALIDATORS_URL_MAX || !value_ok(url, ulen) ||
        strchr(url, '\t'))
        return 0;
    if (!set(v, url, depth, etag, elen, lastmod, llen))
        return 0;
    if (fprintf(v->f, "%s\t%lu\t%.*s\t%.*s\n", url, (unsigned long)depth,
                (int)elen, etag, (int)llen, lastmod) < 0)
        return error("cannot write '%s': %s", v->path, strerror(errno));
    return 1;
}

int validators_flush(struct validators *v)
{
    if (v && fflush(v->f) != 0)
        return error("cannot write '%s': %s", v->path, strerror(errno));
    return 0;
}

void validators_each(const struct validators *v, validators_fn *fn,
                     void *arg)
{
    size_t i;

    for (i = 0; i < v->nbuckets; i++) {
        const struct vent *e;
        for (e = v->buckets[i]; e; e = e->next)
            fn(arg, e->url, e->depth);
    }
}

size_t validators_count(const struct validators *v)
{
    return v ? v->n : 0;
}
