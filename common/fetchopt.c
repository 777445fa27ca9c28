/* fetchopt.c: checks of the fetchers' request options (see fetchopt.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fetchopt.h"
#include "common/log.h"
#include "common/opt.h"
#include "common/util.h"

#define FETCHOPT_MAX_PROXIES 100000

int fetchopt_file(const char *path, char *err, size_t errlen)
{
    struct stat st;

    if (!*path) {
        snprintf(err, errlen, "an empty file name");
        return -1;
    }
    if (stat(path, &st) < 0 || access(path, R_OK) < 0) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "'%s' is not a file", path);
        return -1;
    }
    return 0;
}

int fetchopt_jar(const char *path, char *err, size_t errlen)
{
    int fd;

    if (!*path) {
        snprintf(err, errlen, "an empty file name");
        return -1;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open '%s' to read and write: %s",
                 path, strerror(errno));
        return -1;
    }
    close(fd);
    return fetchopt_file(path, err, errlen);
}

int fetchopt_warc(const char *path, char *err, size_t errlen)
{
    int fd;

    if (!*path) {
        snprintf(err, errlen, "an empty file name");
        return -1;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open '%s' to append: %s", path,
                 strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

/* RFC 9110 tchar */
static bool is_tchar(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

int fetchopt_header(const char *h, char *err, size_t errlen)
{
    size_t n = 0;

    while (is_tchar((unsigned char)h[n]))
        n++;
    if (n == 0 || h[n] != ':') {
        snprintf(err, errlen, "'%s' is not 'Name: value'", h);
        return -1;
    }
    if (strpbrk(h, "\r\n")) {
        snprintf(err, errlen, "a header line holds no CR or LF");
        return -1;
    }
    return 0;
}

int fetchopt_auth(const char *a, size_t *host_len, char *err,
                  size_t errlen)
{
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : 0;

    /* the credentials are never echoed */
    if (!eq || !n || eq[1] == ':' || !strchr(eq + 1, ':')) {
        snprintf(err, errlen, "not HOST=user:password");
        return -1;
    }
    if (memchr(a, '/', n) || (a[0] != '[' && memchr(a, ':', n))) {
        snprintf(err, errlen, "'%.*s' is not a host name (no scheme, port "
                 "or path)", (int)n, a);
        return -1;
    }
    if (strpbrk(a, "\r\n")) {
        snprintf(err, errlen, "a CR or LF in the host or credentials");
        return -1;
    }
    *host_len = n;
    return 0;
}

/* line (trimmed) is scheme://HOST[:PORT] with a proxy scheme. */
static bool is_proxy_url(const char *line)
{
    static const char *const schemes[] = { "http://", "https://",
        "socks4://", "socks4a://", "socks5://", "socks5h://" };
    size_t i, k;

    for (i = 0; i < ARRAY_SIZE(schemes); i++) {
        k = strlen(schemes[i]);
        if (strlen(line) < k)
            continue;
        const char *slash = strchr(line + k, '/');
        if (strncasecmp(line, schemes[i], k))
            continue;
        /* a host, nothing after it but a port and one final '/' */
        return line[k] && line[k] != ':' && line[k] != '/' &&
               !strpbrk(line + k, " \t?#") && (!slash || !slash[1]);
    }
    return false;
}

/* Trim ASCII blanks at both ends of s, in place; returns s's start. */
static char *trim(char *s)
{
    char *e = s + strlen(s);

    while (*s == ' ' || *s == '\t')
        s++;
    while (e > s && strchr(" \t\r\n", e[-1]))
        *--e = '\0';
    return s;
}

/* Add url to the list *out of *n (NULL-terminated). */
static void list_add(char ***out, size_t *n, const char *url)
{
    *out = xrealloc(*out, (*n + 2) * sizeof(**out));
    (*out)[(*n)++] = xstrdup(url);
    (*out)[*n] = NULL;
}

int fetchopt_proxies(const char *path, char ***out, size_t *n, char *err,
                     size_t errlen)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, **list = NULL, *p;
    size_t cap = 0, count = 0;
    long lineno = 0;
    int rc = 0;

    if (!f) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    while (rc == 0 && getline(&line, &cap, f) >= 0) {
        lineno++;
        p = trim(line);
        if (!*p || *p == '#')
            continue;
        if (!is_proxy_url(p) || count >= FETCHOPT_MAX_PROXIES) {
            snprintf(err, errlen, "%s:%ld: not a proxy URL (http, https, "
                     "socks4, socks4a, socks5 or socks5h://HOST[:PORT])",
                     path, lineno);
            rc = -1;
        } else {
            list_add(&list, &count, p);
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && !count) {
        snprintf(err, errlen, "no proxy URL in '%s'", path);
        rc = -1;
    }
    free(line);
    fclose(f);
    if (rc < 0 || !out) {
        fetchopt_proxies_free(list);
        return rc;
    }
    *out = list;
    *n = count;
    return 0;
}

void fetchopt_proxies_free(char **list)
{
    size_t i;

    for (i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

int fetchopt_auth_check(const char *a, char *err, size_t errlen)
{
    size_t host_len;

    return fetchopt_auth(a, &host_len, err, errlen);
}

int fetchopt_proxies_check(const char *path, char *err, size_t errlen)
{
    return fetchopt_proxies(path, NULL, NULL, err, errlen);
}

int fetchopt_onoff(const char *v, char *err, size_t errlen)
{
    if (!strcmp(v, "on") || !strcmp(v, "off"))
        return 0;
    snprintf(err, errlen, "'%s' is not on or off", v);
    return -1;
}

/* ------------------------------------------------------------------ */
/* the list                                                            */

struct fetchopt {
    const char *name;
    enum fetchopt_kind kind;
    long min, max;
    int (*check)(const char *val, char *err, size_t errlen);
};

static const struct fetchopt fetchopts[FO_COUNT] = {
#define FETCHOPT_ROW(id, name, kind, min, max, check) \
    { name, kind, min, max, check },
    FETCHOPT_LIST(FETCHOPT_ROW)
#undef FETCHOPT_ROW
};

int fetchopt_of_code(int code)
{
    int id = code - FETCHOPT_CODE(0);

    return id >= 0 && id < FO_COUNT ? id : -1;
}

const char *fetchopt_name(enum fetchopt_id id)
{
    return fetchopts[id].name;
}

enum fetchopt_kind fetchopt_kind(enum fetchopt_id id)
{
    return fetchopts[id].kind;
}

long fetchopt_take(enum fetchopt_id id, const char *val)
{
    const struct fetchopt *o = &fetchopts[id];
    char err[512];

    switch (o->kind) {
    case FO_FLAG:
        return 0;
    case FO_NUM:
        return opt_long(o->name, val, o->min, o->max);
    case FO_STR:
        if (!*val)
            die_usage("--%s: an empty value", o->name);
        if (o->check && o->check(val, err, sizeof(err)) < 0)
            die_usage("--%s: %s", o->name, err);
        return 0;
    }
    return 0;
}
