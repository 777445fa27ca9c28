/* resume.c: read back the URLs of an earlier run's output. */
#include "common/compat.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/json.h"
#include "common/log.h"
#include "sink/resume.h"

#define RESUME_URL_MAX (64 * 1024)

/* The JSON string that follows {"url": at the start of line. */
static int jsonl_url(const char *line, size_t n, struct buf *out)
{
    static const char key[] = "{\"url\":\"";
    size_t i;

    if (n < sizeof(key) || memcmp(line, key, sizeof(key) - 1))
        return -1;
    for (i = sizeof(key) - 1; i < n; i++) {
        if (line[i] == '\\') {
            i++;
            continue;
        }
        if (line[i] == '"')
            return json_string_decode(line + sizeof(key) - 2,
                                      i - (sizeof(key) - 2) + 1, out);
    }
    return -1;
}

static long scan_jsonl(FILE *f, const char *path, resume_fn *fn, void *arg)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    off_t good = 0;
    long count = 0;
    struct buf url;

    buf_init(&url, RESUME_URL_MAX);
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] != '\n')
            break;              /* torn tail */
        buf_reset(&url);
        if (jsonl_url(line, (size_t)n, &url) == 0) {
            fn(arg, url.data);
            count++;
        } else {
            log_warn("%s: a line without a url at byte %lld, kept as is",
                     path, (long long)good);
        }
        good += n;
    }
    free(line);
    buf_release(&url);
    if (ftruncate(fileno(f), good) < 0)
        return error("cannot truncate '%s': %s", path, strerror(errno));
    return count;
}

/* RFC 4180 records: the first field of each, after the header. */
static long scan_csv(FILE *f, const char *path, resume_fn *fn, void *arg)
{
    struct buf field;
    bool quoted = false, first_field = true, header = true;
    off_t pos = 0, good = 0;
    long count = 0;
    int c;

    buf_init(&field, RESUME_URL_MAX);
    while ((c = getc(f)) != EOF) {
        pos++;
        if (quoted) {
            if (c == '"') {
                int d = getc(f);
                if (d == '"') {
                    pos++;
                    if (first_field)
                        buf_addch(&field, '"');
                    continue;
                }
                if (d != EOF)
                    ungetc(d, f);
                quoted = false;
            } else if (first_field) {
                buf_addch(&field, (char)c);
            }
            continue;
        }
        if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            first_field = false;
        } else if (c == '\n') {
            if (!header && field.len) {
                fn(arg, field.data);
                count++;
            }
            header = false;
            buf_reset(&field);
            first_field = true;
            good = pos;
        } else if (c != '\r' && first_field) {
            buf_addch(&field, (char)c);
        }
    }
    buf_release(&field);
    if (ftruncate(fileno(f), good) < 0)
        return error("cannot truncate '%s': %s", path, strerror(errno));
    return count;
}

static long scan_sqlite(const char *path, resume_fn *fn, void *arg)
{
    sqlite3 *db;
    sqlite3_stmt *st = NULL;
    long count = 0;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        error("cannot read '%s': %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    if (sqlite3_prepare_v2(db, "SELECT url FROM pages", -1, &st, NULL) ==
        SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *u = sqlite3_column_text(st, 0);
            if (u) {
                fn(arg, (const char *)u);
                count++;
            }
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return count;
}

long resume_scan_output(const char *format, const char *path, resume_fn *fn,
                        void *arg)
{
    struct stat st;
    FILE *f;
    long n;

    if (!path || !strcmp(path, "-") || stat(path, &st) < 0)
        return 0;
    if (!strcmp(format, "sqlite"))
        return scan_sqlite(path, fn, arg);
    f = fopen(path, "r+");
    if (!f)
        return error("cannot read '%s': %s", path, strerror(errno));
    n = !strcmp(format, "csv") ? scan_csv(f, path, fn, arg)
                               : scan_jsonl(f, path, fn, arg);
    fclose(f);
    return n;
}
