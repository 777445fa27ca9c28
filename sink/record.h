/* record.h: one terminal record as the writers see it.  Everything is
 * borrowed from the result message (or the sink) for the call. */
#ifndef ZS_RECORD_H
#define ZS_RECORD_H

#include "common/compat.h"

#include "common/msg.h"

#define RECORD_MAX_FIELDS 64

struct record_field {
    const char *name;       /* field name, NUL-terminated */
    const char *json;       /* value as JSON text (not NUL-terminated) */
    size_t json_len;
};

struct record {
    struct msg_meta meta;   /* status, error, depth, elapsed, bytes... */
    const char *url;        /* as dispatched, normalized */
    const char *final_url;  /* after redirects */
    const char *content_type; /* "" when none */
    int nfields;            /* rule fields */
    struct record_field fields[RECORD_MAX_FIELDS];
};

#endif
