/* writer.h: the output interface; one file per format (writer_*.c).
 * Records are written whole: a crash never leaves a torn record that a
 * resume would keep. */
#ifndef ZS_WRITER_H
#define ZS_WRITER_H

#include "common/compat.h"

#include "sink/record.h"

struct writer;

struct writer_ops {
    const char *name;       /* "jsonl" */
    int (*write)(struct writer *w, const struct record *r);
    int (*flush)(struct writer *w);
    int (*close)(struct writer *w);   /* flushes and frees */
};

struct writer {
    const struct writer_ops *ops;
    void *state;            /* the format's own state */
};

/* Format name from an output file name's extension ("jsonl" default). */
const char *writer_format_for(const char *path);
/* The format to write: format (--format) when given, which must be
 * known, else the one of path's extension; ".json" is refused (a JSON
 * array is not what a record-by-record, resumable output can be).
 * die_usage() on a bad one. */
const char *writer_pick_format(const char *format, const char *path);
/* The record columns every format has, in order (README, Output). */
#define WRITER_META_COLUMNS \
    "url", "final_url", "status", "error", "depth", "elapsed_ms", "bytes", \
    "content_type", "fetched_at"
#define WRITER_NMETA 9

/* Open a writer of format for path ("-" or NULL: stdout), for records
 * with the rule fields names[0..nfields) (borrowed for the writer's
 * life).  append: keep what the file holds (a resumed crawl).  NULL
 * with a logged error when the file cannot be opened or the
 * format is unknown. */
struct writer *writer_open(const char *format, const char *path,
                           const char *const *names, int nfields,
                           bool append);
/* True for jsonl, csv, sqlite. */
bool writer_format_known(const char *format);
int writer_write(struct writer *w, const struct record *r);
int writer_flush(struct writer *w);
int writer_close(struct writer *w);

struct writer *writer_jsonl_open(const char *path, bool append);
struct writer *writer_csv_open(const char *path, const char *const *names,
                               int nfields, bool append);
struct writer *writer_sqlite_open(const char *path, const char *const *names,
                                  int nfields);

/* Shared helpers for the tabular writers: the metadata column i of r as
 * text (NULL for a null value), using tmp for numbers. */
const char *record_meta_text(const struct record *r, int i, char *tmp,
                             size_t tmplen);

/* Shared helper: the record as one JSON object line (no newline). */
struct buf;
int record_to_json(const struct record *r, struct buf *out);

#endif
