/* json.h: the little JSON reading the writers need: classify a value and
 * decode a string literal (as buf_json_str writes them). */
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

#endif
