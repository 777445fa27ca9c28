/* outpaths.c: the crawl's output paths checked at start (outpaths.h). */
#include "common/compat.h"

#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "sink/outpaths.h"

/* The folder path lives in (".": none given); caller frees. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

/* 0 when the folder dir exists and new files can be made in it. */
static int folder_ok(const char *dir, char *why, size_t n)
{
    struct stat st;

    if (stat(dir, &st) < 0) {
        snprintf(why, n, "folder '%s': %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, n, "'%s' is not a folder", dir);
        return -1;
    }
    if (access(dir, W_OK | X_OK) < 0) {
        snprintf(why, n, "folder '%s': %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int outpath_file_ok(const char *path, char *why, size_t n)
{
    struct stat st;
    char *dir;
    int rc;

    if (!*path) {
        snprintf(why, n, "an empty file name");
        return -1;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(why, n, "it is a folder");
            return -1;
        }
        if (access(path, W_OK) < 0) {
            snprintf(why, n, "%s", strerror(errno));
            return -1;
        }
        return 0;
    }
    if (errno != ENOENT) {
        snprintf(why, n, "%s", strerror(errno));
        return -1;
    }
    dir = folder_of(path);
    rc = folder_ok(dir, why, n);
    free(dir);
    return rc;
}

int outpath_dir_ok(const char *path, char *why, size_t n)
{
    struct stat st;
    char *dir;
    int rc;

    if (!*path) {
        snprintf(why, n, "an empty folder name");
        return -1;
    }
    if (stat(path, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            snprintf(why, n, "it is not a folder");
            return -1;
        }
        return folder_ok(path, why, n);
    }
    if (errno != ENOENT) {
        snprintf(why, n, "%s", strerror(errno));
        return -1;
    }
    dir = folder_of(path);
    rc = folder_ok(dir, why, n);
    free(dir);
    return rc;
}

void outpaths_check(const char *output, const char *stats,
                    const char *state)
{
    char why[512];

    if (output && strcmp(output, "-") &&
        outpath_file_ok(output, why, sizeof(why)) < 0)
        die_usage("-o: cannot write '%s': %s", output, why);
    if (stats && outpath_file_ok(stats, why, sizeof(why)) < 0)
        die_usage("--stats: cannot write '%s': %s", stats, why);
    if (state && outpath_dir_ok(state, why, sizeof(why)) < 0)
        die_usage("--state: cannot use '%s': %s", state, why);
}
