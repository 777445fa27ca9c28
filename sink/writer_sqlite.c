/* writer_sqlite.c: SQLite output: table `pages` with the metadata columns
 * and one TEXT column per rule field, primary key url, upserts, WAL mode,
 * batched transactions (committed every WRITER_SQLITE_BATCH records and at
 * each flush).  Strings are stored as their text, arrays as JSON text,
 * null as NULL. */
#include "common/compat.h"

#include <sqlite3.h>

#include "common/buf.h"
#include "common/json.h"
#include "common/log.h"
#include "common/util.h"
#include "sink/writer.h"

#define WRITER_SQLITE_BATCH 1000
#define SQLITE_VALUE_MAX ((size_t)512 << 20)

struct sq {
    sqlite3 *db;            /* the database */
    sqlite3_stmt *ins;      /* the prepared upsert */
    int pending;            /* records in the open transaction */
    struct buf text;        /* reused decoded-string buffer */
};

static int sq_exec(struct sq *q, const char *sql)
{
    char *err = NULL;

    if (sqlite3_exec(q->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        error("sqlite: %s: %s", sql, err ? err : "?");
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

static int sq_write(struct writer *w, const struct record *r)
{
    static const bool numeric[WRITER_NMETA] = {
        false, false, true, false, true, true, true, false, false,
    };
    struct sq *q = w->state;
    char tmp[48];
    int i, col = 1;

    if (!q->pending && sq_exec(q, "BEGIN") < 0)
        return -1;
    sqlite3_reset(q->ins);
    sqlite3_clear_bindings(q->ins);
    for (i = 0; i < WRITER_NMETA; i++, col++) {
        const char *t = record_meta_text(r, i, tmp, sizeof(tmp));
        if (!t)
            sqlite3_bind_null(q->ins, col);
        else if (numeric[i])
            sqlite3_bind_int64(q->ins, col, strtoll(t, NULL, 10));
        else
            sqlite3_bind_text(q->ins, col, t, -1, SQLITE_TRANSIENT);
    }
    for (i = 0; i < r->nfields; i++, col++) {
        const char *j = r->fields[i].json;
        size_t n = r->fields[i].json_len;
        switch (json_kind(j, n)) {
        case JSON_NULL:
            sqlite3_bind_null(q->ins, col);
            break;
        case JSON_STRING:
            buf_reset(&q->text);
            if (json_string_decode(j, n, &q->text) == 0) {
                sqlite3_bind_text(q->ins, col, q->text.data ? q->text.data
                                  : "", (int)q->text.len, SQLITE_TRANSIENT);
                break;
            }
            /* not a valid literal: store the JSON as it is */
            sqlite3_bind_text(q->ins, col, j, (int)n, SQLITE_TRANSIENT);
            break;
        default:
            sqlite3_bind_text(q->ins, col, j, (int)n, SQLITE_TRANSIENT);
        }
    }
    if (sqlite3_step(q->ins) != SQLITE_DONE)
        return error("sqlite: cannot write '%s': %s", r->url,
                     sqlite3_errmsg(q->db));
    if (++q->pending >= WRITER_SQLITE_BATCH) {
        if (sq_exec(q, "COMMIT") < 0)
            return -1;
        q->pending = 0;
    }
    return 0;
}

static int sq_flush(struct writer *w)
{
    struct sq *q = w->state;

    if (!q->pending)
        return 0;
    q->pending = 0;
    return sq_exec(q, "COMMIT");
}

static int sq_close(struct writer *w)
{
    struct sq *q = w->state;
    int rc = sq_flush(w);

    sqlite3_finalize(q->ins);
    if (sqlite3_close(q->db) != SQLITE_OK)
        rc = error("sqlite: cannot close the database");
    buf_release(&q->text);
    free(q);
    free(w);
    return rc;
}

static const struct writer_ops sq_ops = {
    "sqlite", sq_write, sq_flush, sq_close,
};

/* Append name as a quoted SQL identifier. */
static void ident(struct buf *b, const char *name)
{
    buf_addch(b, '"');
    for (; *name; name++) {
        if (*name == '"')
            buf_addch(b, '"');
        buf_addch(b, *name);
    }
    buf_addch(b, '"');
}

struct writer *writer_sqlite_open(const char *path, const char *const *names,
                                  int nfields)
{
    static const char *const meta[] = { WRITER_META_COLUMNS };
    static const char *const types[] = {
        "TEXT PRIMARY KEY", "TEXT", "INTEGER", "TEXT", "INTEGER", "INTEGER",
        "INTEGER", "TEXT", "TEXT",
    };
    struct sq *q;
    struct writer *w;
    struct buf sql;
    int i;

    if (!path || !strcmp(path, "-")) {
        error("sqlite output needs a file (-o FILE.db)");
        return NULL;
    }
    q = xcalloc(1, sizeof(*q));
    if (sqlite3_open(path, &q->db) != SQLITE_OK) {
        int e = sqlite3_system_errno(q->db);
        error("cannot open output '%s': %s%s%s%s", path,
              sqlite3_errmsg(q->db), e ? " (" : "", e ? strerror(e) : "",
              e ? ")" : "");
        sqlite3_close(q->db);
        free(q);
        return NULL;
    }
    buf_init(&sql, 1 << 20);
    buf_addstr(&sql, "CREATE TABLE IF NOT EXISTS pages (");
    for (i = 0; i < WRITER_NMETA; i++)
        buf_printf(&sql, "%s%s %s", i ? ", " : "", meta[i], types[i]);
    for (i = 0; i < nfields; i++) {
        buf_addstr(&sql, ", ");
        ident(&sql, names[i]);
        buf_addstr(&sql, " TEXT");
    }
    buf_addstr(&sql, ")");
    if (sq_exec(q, "PRAGMA journal_mode=WAL") < 0 ||
        sq_exec(q, "PRAGMA synchronous=NORMAL") < 0 ||
        sq_exec(q, sql.data) < 0)
        goto fail;
    buf_reset(&sql);
    buf_addstr(&sql, "INSERT INTO pages VALUES (");
    for (i = 0; i < WRITER_NMETA + nfields; i++)
        buf_addstr(&sql, i ? ", ?" : "?");
    buf_addstr(&sql, ") ON CONFLICT(url) DO UPDATE SET ");
    for (i = 1; i < WRITER_NMETA + nfields; i++) {
        const char *n = i < WRITER_NMETA ? meta[i] : names[i - WRITER_NMETA];
        if (i > 1)
            buf_addstr(&sql, ", ");
        ident(&sql, n);
        buf_addstr(&sql, " = excluded.");
        ident(&sql, n);
    }
    if (sqlite3_prepare_v2(q->db, sql.data, -1, &q->ins, NULL) != SQLITE_OK) {
        error("sqlite: cannot prepare the insert into '%s' (an older table "
              "with other columns?): %s", path, sqlite3_errmsg(q->db));
        goto fail;
    }
    buf_release(&sql);
    buf_init(&q->text, SQLITE_VALUE_MAX);
    w = xcalloc(1, sizeof(*w));
    w->ops = &sq_ops;
    w->state = q;
    return w;
fail:
    buf_release(&sql);
    sqlite3_close(q->db);
    free(q);
    return NULL;
}
