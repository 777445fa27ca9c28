/* extract.h: one parsed page -> the record's rule fields and the links to
 * follow.  Pure: no ZeroMQ, no IO. */
#ifndef ZS_EXTRACT_H
#define ZS_EXTRACT_H

#include "common/compat.h"

#include <gumbo.h>

#include "common/buf.h"

struct rules;   /* rules.h; NULL means the default rules */

#define EXTRACT_MAX_FIELDS 60
#define EXTRACT_FIELD_MAX (64u << 20)   /* cap on one field's JSON */
#define EXTRACT_FOLLOW_MAX (16u << 20)  /* cap on the follow list */

struct extract_field {
    const char *name;   /* borrowed from the rules */
    struct buf json;    /* the field's value as JSON text */
};

struct extract_out {
    int nfields;                                   /* fields[] in use */
    struct extract_field fields[EXTRACT_MAX_FIELDS]; /* in rule order */
    struct buf follow;  /* absolute URLs to follow, each NUL-terminated */
};

void extract_out_init(struct extract_out *o);
void extract_out_release(struct extract_out *o);

/* Apply the rules (NULL: default rules, "title" text and "links" of every
 * a[href]) to doc, whose final URL is url.  Fills o (fields in rule order,
 * plus the follow list: the follow rule's URLs, or every a[href] when
 * there is no follow rule).  Returns 0, or -1 when a cap was hit. */
int extract_page(const struct rules *r, GumboOutput *doc, const char *url,
                 struct extract_out *o);

/* The same, but a page nesting deeper than max_depth elements (0: no
 * limit) is refused with -2 before any rule runs. */
int extract_page_depth(const struct rules *r, GumboOutput *doc,
                       const char *url, int max_depth,
                       struct extract_out *o);

/* Fill o with every field null, "all" fields too (DESIGN.md: an error
 * record's rule fields are null) and no follow URLs. */
void extract_nulls(const struct rules *r, struct extract_out *o);

#endif
