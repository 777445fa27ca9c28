/* resume.h: what an earlier run already wrote.  The output file is the
 * truth of what is done: each URL with a whole record there is done.  A
 * torn last record (the sink was killed mid-write) is cut off. */
#ifndef ZS_RESUME_H
#define ZS_RESUME_H

#include "common/compat.h"

typedef void resume_fn(void *arg, const char *url);

/* Call fn for the url of every whole record in the output file path of
 * format (jsonl, csv, sqlite) and truncate a torn tail.  Returns the number
 * of records, 0 when the file does not exist, -1 on an IO error. */
long resume_scan_output(const char *format, const char *path, resume_fn *fn,
                        void *arg);

#endif
