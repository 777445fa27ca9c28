/* writer.c: picks the writer by format and forwards to it. */
#include "common/compat.h"

#include <strings.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "sink/writer.h"

const char *writer_format_for(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;

    if (!dot)
        return "jsonl";
    if (!strcasecmp(dot, ".csv"))
        return "csv";
    if (!strcasecmp(dot, ".db") || !strcasecmp(dot, ".sqlite") ||
        !strcasecmp(dot, ".sqlite3"))
        return "sqlite";
    return "jsonl";
}

const char *writer_pick_format(const char *format, const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;

    if (format) {
        if (!writer_format_known(format))
            die_usage("--format: '%s' is not a format: jsonl (JSON Lines), "
                      "csv or sqlite", format);
        return format;
    }
    if (dot && !strchr(dot, '/') && !strcasecmp(dot, ".json"))
        die_usage("-o '%s': .json is not an output format (one JSON array "
                  "cannot be appended to record by record): use .jsonl "
                  "(JSON Lines, one record a line), .csv or .db/.sqlite, "
                  "or --format jsonl|csv|sqlite", path);
    return writer_format_for(path);
}

bool writer_format_known(const char *format)
{
    return !strcmp(format, "jsonl") || !strcmp(format, "csv") ||
           !strcmp(format, "sqlite");
}

struct writer *writer_open(const char *format, const char *path,
                           const char *const *names, int nfields,
                           bool append)
{
    if (!strcmp(format, "jsonl"))
        return writer_jsonl_open(path, append);
    if (!strcmp(format, "csv"))
        return writer_csv_open(path, names, nfields, append);
    if (!strcmp(format, "sqlite"))
        return writer_sqlite_open(path, names, nfields);
    error("output format '%s' is not supported (jsonl, csv, sqlite)",
          format);
    return NULL;
}

const char *record_meta_text(const struct record *r, int i, char *tmp,
                             size_t tmplen)
{
    switch (i) {
    case 0: return r->url;
    case 1: return r->final_url;
    case 2: snprintf(tmp, tmplen, "%u", r->meta.status); return tmp;
    case 3: return zs_err_name(r->meta.error);
    case 4: snprintf(tmp, tmplen, "%u", r->meta.depth); return tmp;
    case 5: snprintf(tmp, tmplen, "%u", r->meta.elapsed_ms); return tmp;
    case 6:
        snprintf(tmp, tmplen, "%llu", (unsigned long long)r->meta.bytes);
        return tmp;
    case 7: return r->content_type[0] ? r->content_type : NULL;
    case 8: fmt_rfc3339(r->meta.fetched_at, tmp, tmplen); return tmp;
    default: return NULL;
    }
}

int writer_write(struct writer *w, const struct record *r)
{
    return w->ops->write(w, r);
}

int writer_flush(struct writer *w)
{
    return w->ops->flush(w);
}

int writer_close(struct writer *w)
{
    return w ? w->ops->close(w) : 0;
}

int record_to_json(const struct record *r, struct buf *b)
{
    char ts[40];
    const char *err = zs_err_name(r->meta.error);
    int i, rc = 0;

    fmt_rfc3339(r->meta.fetched_at, ts, sizeof(ts));
    rc |= buf_addstr(b, "{\"url\":");
    rc |= buf_json_str(b, r->url, strlen(r->url));
    rc |= buf_addstr(b, ",\"final_url\":");
    rc |= buf_json_str(b, r->final_url, strlen(r->final_url));
    rc |= buf_printf(b, ",\"status\":%u,\"error\":", r->meta.status);
    if (err)
        rc |= buf_printf(b, "\"%s\"", err);
    else
        rc |= buf_addstr(b, "null");
    rc |= buf_printf(b, ",\"depth\":%u,\"elapsed_ms\":%u,\"bytes\":%llu,"
                     "\"content_type\":", r->meta.depth, r->meta.elapsed_ms,
                     (unsigned long long)r->meta.bytes);
    if (r->content_type[0])
        rc |= buf_json_str(b, r->content_type, strlen(r->content_type));
    else
        rc |= buf_addstr(b, "null");
    rc |= buf_printf(b, ",\"fetched_at\":\"%s\"", ts);
    for (i = 0; i < r->nfields; i++) {
        rc |= buf_addch(b, ',');
        rc |= buf_json_str(b, r->fields[i].name, strlen(r->fields[i].name));
        rc |= buf_addch(b, ':');
        rc |= buf_add(b, r->fields[i].json, r->fields[i].json_len);
    }
    rc |= buf_addch(b, '}');
    return rc ? -1 : 0;
}
