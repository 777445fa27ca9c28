/* curve.c: CURVE key files: read, check, admit, generate. */
#include "common/compat.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "common/curve.h"
#include "common/util.h"

#define CURVE_FILE_MAX 256          /* a key file is 41 bytes; slack */

#define COORD_SECRET "coordinator.key"
#define COORD_PUBLIC "coordinator.pub"
#define WORKER_SECRET "worker.key"
#define WORKER_PUBLIC "worker.pub"
#define WORKERS_DIR "workers"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    ZS_PRINTF(3, 4);

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Refuse a file or folder others may write (and, secret, read). */
static int check_mode(const char *path, const struct stat *st, bool secret,
                      char *err, size_t errlen)
{
    unsigned mode = (unsigned)st->st_mode & 0777;

    if (secret && (mode & 077))
        return fail(err, errlen, "'%s' is open to other users (mode %04o): "
                    "chmod 600 it", path, mode);
    if (mode & 022)
        return fail(err, errlen, "'%s' is writable by other users (mode "
                    "%04o): chmod go-w it", path, mode);
    return 0;
}

static int check_dir(const char *path, char *err, size_t errlen)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return fail(err, errlen, "cannot use '%s': %s", path,
                    strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return fail(err, errlen, "'%s' is not a folder", path);
    return check_mode(path, &st, false, err, errlen);
}

void curve_z85(const uint8_t key[CURVE_KEY_LEN], char *out)
{
    zmq_z85_encode(out, key, CURVE_KEY_LEN);
}

int curve_read_key(const char *path, bool secret, uint8_t key[CURVE_KEY_LEN],
                   char *err, size_t errlen)
{
    char text[CURVE_FILE_MAX + 1];
    struct stat st;
    ssize_t n;
    size_t len, i;
    int fd;

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ELOOP)
        fd = open(path, O_RDONLY | O_CLOEXEC);   /* a symlink is fine */
    if (fd < 0)
        return fail(err, errlen, "cannot read '%s': %s", path,
                    strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, errlen, "'%s' is not a key file", path);
    }
    if (check_mode(path, &st, secret, err, errlen) < 0) {
        close(fd);
        return -1;
    }
    n = read(fd, text, sizeof(text));
    close(fd);
    if (n < 0)
        return fail(err, errlen, "cannot read '%s': %s", path,
                    strerror(errno));
    len = (size_t)n;
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
                   text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    text[len] = '\0';
    if (len != CURVE_Z85_LEN)
        return fail(err, errlen, "'%s' is not a CURVE key: want %d Z85 "
                    "characters on one line, found %zu bytes", path,
                    CURVE_Z85_LEN, (size_t)n > CURVE_FILE_MAX ?
                    (size_t)n : len);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x21 || c > 0x7d || c == '"' || c == '\'' || c == ',' ||
            c == ';' || c == '\\' || c == '_' || c == '`' || c == '|' ||
            c == '~')
            return fail(err, errlen, "'%s' is not a CURVE key: character "
                        "%zu is not Z85", path, i + 1);
    }
    if (!zmq_z85_decode(key, text))
        return fail(err, errlen, "'%s' is not a CURVE key: bad Z85", path);
    return 0;
}

/* Read the secret key at dir/sname into k->secret, derive k->public, and
 * check it against dir/pname when that exists. */
static int read_pair(struct curve_keys *k, const char *sname,
                     const char *pname, char *err, size_t errlen)
{
    char *spath = xasprintf("%s/%s", k->dir, sname);
    char *ppath = xasprintf("%s/%s", k->dir, pname);
    char z85s[CURVE_Z85_LEN + 1], z85p[CURVE_Z85_LEN + 1];
    uint8_t pub[CURVE_KEY_LEN];
    int rc = -1;

    if (curve_read_key(spath, true, k->secret, err, errlen) < 0)
        goto out;
    curve_z85(k->secret, z85s);
    if (zmq_curve_public(z85p, z85s) < 0) {
        fail(err, errlen, "cannot derive the public key of '%s': %s", spath,
             zmq_strerror(errno));
        goto out;
    }
    zmq_z85_decode(k->public, z85p);
    if (access(ppath, F_OK) == 0) {
        if (curve_read_key(ppath, false, pub, err, errlen) < 0)
            goto out;
        if (memcmp(pub, k->public, CURVE_KEY_LEN)) {
            fail(err, errlen, "'%s' is not the public key of '%s'", ppath,
                 spath);
            goto out;
        }
    }
    rc = 0;
out:
    memset(z85s, 0, sizeof(z85s));
    free(spath);
    free(ppath);
    return rc;
}

static int add_worker(uint8_t (**keys)[CURVE_KEY_LEN], size_t *n,
                      const char *path, char *err, size_t errlen)
{
    uint8_t key[CURVE_KEY_LEN];

    if (*n >= CURVE_MAX_WORKERS)
        return fail(err, errlen, "more than %d worker keys: '%s'",
                    CURVE_MAX_WORKERS, path);
    if (curve_read_key(path, false, key, err, errlen) < 0)
        return -1;
    *keys = xrealloc(*keys, (*n + 1) * sizeof(**keys));
    memcpy((*keys)[*n], key, CURVE_KEY_LEN);
    (*n)++;
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every admitted worker key: worker.pub, then workers/ *.pub by name. */
static int read_workers(const char *dir, uint8_t (**keys)[CURVE_KEY_LEN],
                        size_t *n, char *err, size_t errlen)
{
    char *path = xasprintf("%s/%s", dir, WORKER_PUBLIC);
    char *sub = xasprintf("%s/%s", dir, WORKERS_DIR);
    char **names = NULL;
    size_t nnames = 0, i;
    struct dirent *de;
    DIR *d = NULL;
    int rc = -1;

    *keys = NULL;
    *n = 0;
    if (access(path, F_OK) == 0 &&
        add_worker(keys, n, path, err, errlen) < 0)
        goto out;
    if (access(sub, F_OK) == 0) {
        if (check_dir(sub, err, errlen) < 0)
            goto out;
        if (!(d = opendir(sub))) {
            fail(err, errlen, "cannot read '%s': %s", sub, strerror(errno));
            goto out;
        }
        while ((de = readdir(d))) {
            size_t len = strlen(de->d_name);
            if (de->d_name[0] == '.' || len < 5 ||
                strcmp(de->d_name + len - 4, ".pub"))
                continue;
            names = xrealloc(names, (nnames + 1) * sizeof(*names));
            names[nnames++] = xasprintf("%s/%s", sub, de->d_name);
        }
        if (nnames)
            qsort(names, nnames, sizeof(*names), name_cmp);
        for (i = 0; i < nnames; i++)
            if (add_worker(keys, n, names[i], err, errlen) < 0)
                goto out;
    }
    if (*n == 0) {
        fail(err, errlen, "no worker key in '%s' (%s or %s/*.pub)", dir,
             WORKER_PUBLIC, WORKERS_DIR);
        goto out;
    }
    rc = 0;
out:
    if (d)
        closedir(d);
    for (i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    free(path);
    free(sub);
    if (rc < 0) {
        free(*keys);
        *keys = NULL;
        *n = 0;
    }
    return rc;
}

struct curve_keys *curve_keys_load(const char *dir, enum curve_role role,
                                   char *err, size_t errlen)
{
    struct curve_keys *k;
    char *path;
    int rc;

    if (!zmq_has("curve")) {
        fail(err, errlen, "this libzmq has no CURVE support");
        return NULL;
    }
    if (check_dir(dir, err, errlen) < 0)
        return NULL;
    k = xcalloc(1, sizeof(*k));
    k->dir = xstrdup(dir);
    k->role = role;
    if (role == CURVE_SERVER) {
        rc = read_pair(k, COORD_SECRET, COORD_PUBLIC, err, errlen);
        memcpy(k->server, k->public, CURVE_KEY_LEN);
        if (rc == 0)
            rc = read_workers(dir, &k->workers, &k->nworkers, err, errlen);
    } else {
        rc = read_pair(k, WORKER_SECRET, WORKER_PUBLIC, err, errlen);
        if (rc == 0) {
            path = xasprintf("%s/%s", dir, COORD_PUBLIC);
            rc = curve_read_key(path, false, k->server, err, errlen);
            free(path);
        }
    }
    if (rc < 0) {
        curve_keys_free(k);
        return NULL;
    }
    return k;
}

void curve_keys_free(struct curve_keys *k)
{
    if (!k)
        return;
    memset(k->secret, 0, sizeof(k->secret));
    free(k->workers);
    free(k->dir);
    free(k);
}

bool curve_keys_admits(const struct curve_keys *k,
                       const uint8_t key[CURVE_KEY_LEN])
{
    size_t i;

    for (i = 0; i < k->nworkers; i++)
        if (!memcmp(k->workers[i], key, CURVE_KEY_LEN))
            return true;
    return false;
}

int curve_keys_reload(struct curve_keys *k, char *err, size_t errlen)
{
    uint8_t (*keys)[CURVE_KEY_LEN];
    size_t n;

    if (read_workers(k->dir, &keys, &n, err, errlen) < 0)
        return -1;
    free(k->workers);
    k->workers = keys;
    k->nworkers = n;
    return 0;
}

/* ------------------------------------------------------------------ */
/* keygen                                                              */

static int write_key(const char *dir, const char *name, const char *z85,
                     mode_t mode, char *err, size_t errlen)
{
    char *path = xasprintf("%s/%s", dir, name);
    char line[CURVE_Z85_LEN + 2];
    int fd, rc = 0;

    snprintf(line, sizeof(line), "%s\n", z85);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        rc = fail(err, errlen, "cannot make '%s': %s", path,
                  errno == EEXIST ? "a key is there already (not "
                  "overwritten)" : strerror(errno));
    } else {
        if (fchmod(fd, mode) < 0 ||
            write(fd, line, strlen(line)) != (ssize_t)strlen(line) ||
            fsync(fd) < 0)
            rc = fail(err, errlen, "cannot write '%s': %s", path,
                      strerror(errno));
        if (close(fd) < 0 && rc == 0)
            rc = fail(err, errlen, "cannot write '%s': %s", path,
                      strerror(errno));
    }
    memset(line, 0, sizeof(line));
    free(path);
    return rc;
}

int curve_keygen(const char *dir, char *err, size_t errlen)
{
    static const char *const names[] = { COORD_SECRET, COORD_PUBLIC,
                                         WORKER_SECRET, WORKER_PUBLIC };
    char pub[2][CURVE_Z85_LEN + 1], sec[2][CURVE_Z85_LEN + 1];
    char *path;
    size_t i;
    int rc = -1;

    if (!zmq_has("curve"))
        return fail(err, errlen, "this libzmq has no CURVE support");
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return fail(err, errlen, "cannot make '%s': %s", dir,
                    strerror(errno));
    if (check_dir(dir, err, errlen) < 0)
        return -1;
    /* all or nothing: refuse before writing anything */
    for (i = 0; i < ARRAY_SIZE(names); i++) {
        path = xasprintf("%s/%s", dir, names[i]);
        if (access(path, F_OK) == 0) {
            fail(err, errlen, "'%s' exists: keys are never overwritten "
                 "(remove them first, or choose another folder)", path);
            free(path);
            errno = EEXIST;
            return -1;
        }
        free(path);
    }
    if (zmq_curve_keypair(pub[0], sec[0]) < 0 ||
        zmq_curve_keypair(pub[1], sec[1]) < 0)
        return fail(err, errlen, "cannot make a key pair: %s",
                    zmq_strerror(errno));
    path = xasprintf("%s/%s", dir, WORKERS_DIR);
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        fail(err, errlen, "cannot make '%s': %s", path, strerror(errno));
    else if (write_key(dir, COORD_SECRET, sec[0], 0600, err, errlen) == 0 &&
             write_key(dir, COORD_PUBLIC, pub[0], 0644, err, errlen) == 0 &&
             write_key(dir, WORKER_SECRET, sec[1], 0600, err, errlen) == 0 &&
             write_key(dir, WORKER_PUBLIC, pub[1], 0644, err, errlen) == 0)
        rc = 0;
    free(path);
    memset(sec, 0, sizeof(sec));
    return rc;
}

int curve_keygen_cmd(const char *dir)
{
    char err[512];
    int saved;

    if (curve_keygen(dir, err, sizeof(err)) < 0) {
        saved = errno;
        fprintf(stderr, "zscrape: keygen: %s\n", err);
        return saved == EEXIST ? 2 : 1;
    }
    fprintf(stderr,
            "zscrape: made CURVE keys in '%s':\n"
            "  coordinator.key  the sink's secret key: keep it on the "
            "sink's host only\n"
            "  coordinator.pub  the sink's public key\n"
            "  worker.key       the workers' secret key\n"
            "  worker.pub       the workers' public key (the sink admits "
            "it)\n"
            "  workers/         more worker public keys to admit "
            "(NAME.pub)\n"
            "Copy the folder to every worker host (without "
            "coordinator.key), then\n"
            "give --curve-keys '%s' to the crawl and to every worker.\n",
            dir, dir);
    return 0;
}
