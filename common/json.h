/* json.h: the little JSON reading zscrape needs: classify a value, decode
 * a string literal (as buf_json_str writes them), find where a value ends
 * (the writers, request seeds). */
#ifndef ZS_JSON_H
#define ZS_JSON_H

#include "common/compat.h"

#include "common/buf.h"

enum json_kind { JSON_NULL, JSON_STRING, JSON_OTHER };

/* Kind of the JSON value in p[0..n) (leading whitespace skipped). */
enum json_kind json_kind(const char *p, size_t n);

/* Decode the JSON string literal p[0..n) (quotes included) into out
 * (appended, NUL-terminated).  -1 if it is not a valid string literal or
 * out's cap is hit. */
int json_string_decode(const char *p, size_t n, struct buf *out);

/* JSON_SKIP_DEPTH: nesting a skipped value may have. */
#define JSON_SKIP_DEPTH 64

/* Length of the one JSON value at p[0..n) (no leading whitespace): a
 * string, number, true, false, null, or an object or array nested at
 * most JSON_SKIP_DEPTH deep.  -1 when it is not one. */
long json_skip(const char *p, size_t n);

#endif
