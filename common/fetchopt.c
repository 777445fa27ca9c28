/* fetchopt.c: checks of the fetchers' request options (see fetchopt.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fetchopt.h"

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
