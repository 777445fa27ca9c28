/* writer_jsonl.c: JSON Lines output, one record a line, written with one
 * fwrite each so a record is never interleaved; flushed by the sink. */
#include "common/compat.h"

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "sink/writer.h"

#define JSONL_RECORD_MAX ((size_t)256 << 20)
#define JSONL_STDIO_BUF (1 << 20)

struct jsonl {
    FILE *f;                /* output stream */
    bool is_stdout;         /* not ours to fclose */
    struct buf line;        /* reused line buffer */
    char *iobuf;            /* stdio buffer */
};

static int jsonl_write(struct writer *w, const struct record *r)
{
    struct jsonl *j = w->state;

    buf_reset(&j->line);
    if (record_to_json(r, &j->line) < 0 || buf_addch(&j->line, '\n') < 0)
        return error("record of '%s' is too large to write", r->url);
    if (fwrite(j->line.data, 1, j->line.len, j->f) != j->line.len)
        return error("cannot write output: %s", strerror(errno));
    return 0;
}

static int jsonl_flush(struct writer *w)
{
    struct jsonl *j = w->state;

    if (fflush(j->f) != 0)
        return error("cannot write output: %s", strerror(errno));
    return 0;
}

static int jsonl_close(struct writer *w)
{
    struct jsonl *j = w->state;
    int rc = jsonl_flush(w);

    if (!j->is_stdout && fclose(j->f) != 0)
        rc = error("cannot close output: %s", strerror(errno));
    buf_release(&j->line);
    free(j->iobuf);
    free(j);
    free(w);
    return rc;
}

static const struct writer_ops jsonl_ops = {
    "jsonl", jsonl_write, jsonl_flush, jsonl_close,
};

struct writer *writer_jsonl_open(const char *path, bool append)
{
    struct jsonl *j = xcalloc(1, sizeof(*j));
    struct writer *w;

    if (!path || !strcmp(path, "-")) {
        j->f = stdout;
        j->is_stdout = true;
    } else if (!(j->f = fopen(path, append ? "a" : "w"))) {
        error("cannot open output '%s': %s", path, strerror(errno));
        free(j);
        return NULL;
    }
    j->iobuf = xmalloc(JSONL_STDIO_BUF);
    setvbuf(j->f, j->iobuf, _IOFBF, JSONL_STDIO_BUF);
    buf_init(&j->line, JSONL_RECORD_MAX);
    w = xcalloc(1, sizeof(*w));
    w->ops = &jsonl_ops;
    w->state = j;
    return w;
}
