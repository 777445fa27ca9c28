/* serialize.h: inner HTML of a node, serialized from gumbo's tree as the
 * HTML standard's fragment serialization algorithm does (void elements
 * without end tags, raw text in script and style, &amp; &lt; &gt; &nbsp;
 * and &quot; escaped).  Stackless: pages nest 100,000 deep. */
#ifndef ZS_SERIALIZE_H
#define ZS_SERIALIZE_H

#include "common/compat.h"

#include <gumbo.h>

#include "common/buf.h"

/* Append the inner HTML of node (an element or the document) to out.
 * Returns 0, or -1 when out's cap is hit (out then holds a prefix). */
int serialize_inner(const GumboNode *node, struct buf *out);

#endif
