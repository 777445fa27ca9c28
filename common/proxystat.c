/* proxystat.c: per-proxy counters in the fetchers' reports and their sums
 * at the sink (see proxystat.h). */
#include "common/compat.h"

#include "common/proxystat.h"
#include "common/util.h"

#define PROXYSTAT_KEY "proxy="
#define PROXYSTAT_NFIELDS 4     /* requests, ok, failures, benched */

char *proxystat_label(const char *url)
{
    const char *host = strstr(url, "://");
    const char *end, *at;
    struct buf b;

    host = host ? host + 3 : url;
    end = host + strcspn(host, "/");
    /* the last '@' of the authority ends the credentials */
    for (at = end; at > host && at[-1] != '@'; at--)
        ;
    buf_init(&b, strlen(url) + 1);
    buf_add(&b, url, (size_t)(host - url));
    buf_add(&b, at, strlen(at));
    while (b.len && b.data[b.len - 1] == '/' &&
           b.len > (size_t)(host - url))
        b.data[--b.len] = '\0';
    return buf_detach(&b, NULL);
}

/* Bytes a label keeps as they are; the rest is %XX. */
static bool plain(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || strchr("-._~:/[]", c);
}

int proxystat_encode(struct buf *b, const struct proxystat *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t start = b->len;
    const unsigned char *p;
    int rc = buf_addstr(b, " " PROXYSTAT_KEY);

    for (p = (const unsigned char *)s->label; *p && rc == 0; p++) {
        if (plain(*p)) {
            rc = buf_addch(b, (char)*p);
        } else {
            char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            rc = buf_add(b, e, 3);
        }
    }
    if (rc == 0)
        rc = buf_printf(b, ",%llu,%llu,%llu,%llu",
                        (unsigned long long)s->requests,
                        (unsigned long long)s->ok,
                        (unsigned long long)s->failures,
                        (unsigned long long)s->benched);
    if (rc < 0 && b->data) {
        b->len = start;         /* all or nothing */
        b->data[start] = '\0';
    }
    return rc;
}

void proxystats_init(struct proxystats *t)
{
    memset(t, 0, sizeof(*t));
}

void proxystats_release(struct proxystats *t)
{
    size_t i;

    for (i = 0; i < t->n; i++)
        free(t->v[i].label);
    free(t->v);
    proxystats_init(t);
}

/* Decode the label p[0..n) into a new string; NULL when it is malformed
 * (a bad escape, a NUL, a byte that should have been encoded). */
static char *decode_label(const char *p, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        if (p[i] == '%') {
            int hi = i + 2 < n ? hex_digit((unsigned char)p[i + 1]) : -1;
            int lo = i + 2 < n ? hex_digit((unsigned char)p[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                free(out);
                return NULL;
            }
            out[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (plain((unsigned char)p[i])) {
            out[k++] = p[i];
        } else {
            free(out);
            return NULL;
        }
    }
    out[k] = '\0';
    return out;
}

/* t's entry for label (taken over), made when new. */
static struct proxystat *entry(struct proxystats *t, char *label)
{
    size_t i;

    for (i = 0; i < t->n; i++)
        if (!strcmp(t->v[i].label, label)) {
            free(label);
            return &t->v[i];
        }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
    }
    memset(&t->v[t->n], 0, sizeof(t->v[0]));
    t->v[t->n].label = label;
    return &t->v[t->n++];
}

/* One "LABEL,R,O,F,B" value of length n into t; false if malformed. */
static bool add_entry(struct proxystats *t, const char *v, size_t n)
{
    const char *comma = memchr(v, ',', n), *p;
    uint64_t f[PROXYSTAT_NFIELDS];
    struct proxystat *s;
    char *label, *end;
    int i;

    if (!comma || comma == v)
        return false;
    p = comma;
    for (i = 0; i < PROXYSTAT_NFIELDS; i++) {
        if (*p != ',' || p[1] < '0' || p[1] > '9')
            return false;
        errno = 0;
        f[i] = strtoull(p + 1, &end, 10);
        if (errno)
            return false;
        p = end;
    }
    if (p != v + n || !(label = decode_label(v, (size_t)(comma - v))))
        return false;
    s = entry(t, label);
    s->requests += f[0];
    s->ok += f[1];
    s->failures += f[2];
    s->benched += f[3];
    return true;
}

size_t proxystats_add_report(struct proxystats *t, const char *counters)
{
    const char *c = counters;
    size_t added = 0, klen = strlen(PROXYSTAT_KEY);

    while (c && *c) {
        size_t n = strcspn(c, " ");
        if (n > klen && !strncmp(c, PROXYSTAT_KEY, klen) &&
            add_entry(t, c + klen, n - klen))
            added++;
        c += n;
        while (*c == ' ')
            c++;
    }
    return added;
}

void proxystats_json(const struct proxystats *t, FILE *f, int indent)
{
    size_t i;

    fputc('{', f);
    for (i = 0; i < t->n; i++) {
        const struct proxystat *s = &t->v[i];
        struct buf b;
        buf_init(&b, 4 * strlen(s->label) + 16);
        buf_json_str(&b, s->label, strlen(s->label));
        fprintf(f, "%s\n%*s%s: {\"requests\": %llu, \"ok\": %llu, "
                "\"failures\": %llu, \"benched\": %llu}", i ? "," : "",
                indent, "", b.data, (unsigned long long)s->requests,
                (unsigned long long)s->ok,
                (unsigned long long)s->failures,
                (unsigned long long)s->benched);
        buf_release(&b);
    }
    if (t->n)
        fprintf(f, "\n%*s", indent > 2 ? indent - 2 : 0, "");
    fputc('}', f);
}
