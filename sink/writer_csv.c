/* writer_csv.c: CSV output (RFC 4180): a header line, then one line per
 * record; fields with a comma, quote, CR or LF are quoted, quotes doubled.
 * Rule fields: strings as their text, arrays and numbers as JSON text,
 * null as an empty cell.  Lines end in CRLF as the RFC says. */
#include "common/compat.h"

#include "common/buf.h"
#include "common/json.h"
#include "common/log.h"
#include "common/util.h"
#include "sink/writer.h"

#define CSV_RECORD_MAX ((size_t)512 << 20)
#define CSV_STDIO_BUF (1 << 20)

struct csv {
    FILE *f;                /* output stream */
    bool is_stdout;         /* not ours to fclose */
    struct buf line;        /* reused line buffer */
    struct buf cell;        /* reused decoded-string buffer */
    char *iobuf;            /* stdio buffer */
};

static int cell(struct buf *b, const char *s, size_t n, bool first)
{
    int rc = first ? 0 : buf_addch(b, ',');
    size_t i;

    if (!s)
        return rc;
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
        !memchr(s, '\r', n))
        return rc | buf_add(b, s, n);
    rc |= buf_addch(b, '"');
    for (i = 0; i < n; i++) {
        if (s[i] == '"')
            rc |= buf_addch(b, '"');
        rc |= buf_addch(b, s[i]);
    }
    return rc | buf_addch(b, '"');
}

static int csv_write(struct writer *w, const struct record *r)
{
    struct csv *c = w->state;
    char tmp[48];
    int i, rc = 0;

    buf_reset(&c->line);
    for (i = 0; i < WRITER_NMETA; i++) {
        const char *t = record_meta_text(r, i, tmp, sizeof(tmp));
        rc |= cell(&c->line, t, t ? strlen(t) : 0, i == 0);
    }
    for (i = 0; i < r->nfields; i++) {
        const char *j = r->fields[i].json;
        size_t n = r->fields[i].json_len;
        switch (json_kind(j, n)) {
        case JSON_NULL:
            rc |= cell(&c->line, NULL, 0, false);
            break;
        case JSON_STRING:
            buf_reset(&c->cell);
            if (json_string_decode(j, n, &c->cell) < 0)
                rc |= cell(&c->line, j, n, false);
            else
                rc |= cell(&c->line, c->cell.data ? c->cell.data : "",
                           c->cell.len, false);
            break;
        default:
            rc |= cell(&c->line, j, n, false);
        }
    }
    rc |= buf_add(&c->line, "\r\n", 2);
    if (rc)
        return error("record of '%s' is too large to write", r->url);
    if (fwrite(c->line.data, 1, c->line.len, c->f) != c->line.len)
        return error("cannot write output: %s", strerror(errno));
    return 0;
}

static int csv_flush(struct writer *w)
{
    struct csv *c = w->state;

    if (fflush(c->f) != 0)
        return error("cannot write output: %s", strerror(errno));
    return 0;
}

static int csv_close(struct writer *w)
{
    struct csv *c = w->state;
    int rc = csv_flush(w);

    if (!c->is_stdout && fclose(c->f) != 0)
        rc = error("cannot close output: %s", strerror(errno));
    buf_release(&c->line);
    buf_release(&c->cell);
    free(c->iobuf);
    free(c);
    free(w);
    return rc;
}

static const struct writer_ops csv_ops = {
    "csv", csv_write, csv_flush, csv_close,
};

struct writer *writer_csv_open(const char *path, const char *const *names,
                               int nfields, bool append)
{
    static const char *const meta[] = { WRITER_META_COLUMNS };
    struct csv *c = xcalloc(1, sizeof(*c));
    struct writer *w;
    int i, rc = 0;

    if (!path || !strcmp(path, "-")) {
        c->f = stdout;
        c->is_stdout = true;
    } else if (!(c->f = fopen(path, append ? "a" : "w"))) {
        error("cannot open output '%s': %s", path, strerror(errno));
        free(c);
        return NULL;
    }
    c->iobuf = xmalloc(CSV_STDIO_BUF);
    setvbuf(c->f, c->iobuf, _IOFBF, CSV_STDIO_BUF);
    buf_init(&c->line, CSV_RECORD_MAX);
    buf_init(&c->cell, CSV_RECORD_MAX);
    for (i = 0; i < WRITER_NMETA; i++)
        rc |= cell(&c->line, meta[i], strlen(meta[i]), i == 0);
    for (i = 0; i < nfields; i++)
        rc |= cell(&c->line, names[i], strlen(names[i]), false);
    rc |= buf_add(&c->line, "\r\n", 2);
    if (!append || ftell(c->f) <= 0)   /* a header on a new file only */
        fwrite(c->line.data, 1, c->line.len, c->f);
    w = xcalloc(1, sizeof(*w));
    w->ops = &csv_ops;
    w->state = c;
    (void)rc;
    return w;
}
