/* hoststats.h: the per-host figures of the --stats file ("hosts"): how
 * many hosts, how many active and waiting at the end, and the hosts with
 * the longest queues and the longest waits. */
#ifndef ZS_HOSTSTATS_H
#define ZS_HOSTSTATS_H

#include "common/compat.h"

#include "common/buf.h"

#define HOSTSTATS_TOP 10        /* hosts listed in each top list */

struct frontier;

/* The "hosts" object as JSON text appended to out. */
void hoststats_json(const struct frontier *f, int64_t now,
                    uint64_t robots_fetched, struct buf *out);

#endif
