/* fetchopt.c: checks of the fetchers' request options (see fetchopt.h). */
#include "common/compat.h"

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
