/* buf.h: a growable byte buffer with a hard cap set at creation (curl's
 * dynbuf).  The bytes are always NUL-terminated for convenience. */
#ifndef ZS_BUF_H
#define ZS_BUF_H

#include "common/compat.h"

struct buf {
    char *data;      /* bytes, NUL-terminated; NULL until first append */
    size_t len;      /* bytes used, not counting the NUL */
    size_t cap;      /* bytes allocated */
    size_t max;      /* hard limit on len */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
/* Append n bytes; -1 (and nothing appended) if that would pass max. */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) ZS_PRINTF(2, 3);
/* Append s as a JSON string literal (quotes included); invalid UTF-8
 * bytes become U+FFFD. */
int buf_json_str(struct buf *b, const char *s, size_t n);
/* Take the bytes out: caller frees; the buffer is left empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
