/* decode.h: page bytes to UTF-8, sniffed as the HTML standard says:
 * a BOM, then the Content-Type charset, then a <meta> prescan of the first
 * 1024 bytes (<meta charset> and <meta http-equiv="Content-Type"
 * content="...charset=...">), else windows-1252.  Conversion uses iconv;
 * bytes that do not convert become U+FFFD.  UTF-8 input is validated and
 * invalid sequences replaced by U+FFFD as well. */
#ifndef ZS_DECODE_H
#define ZS_DECODE_H

#include "common/compat.h"

/* Decode len bytes of body.  content_type may be NULL or "".
 * Returns a new NUL-terminated buffer (caller frees), its length in
 * *outlen (the BOM is dropped), and the canonical name of the charset used
 * in *charset (a static string such as "utf-8", "windows-1252",
 * "shift_jis").  Returns NULL only when the output would exceed max_out
 * bytes. */
char *decode_to_utf8(const char *body, size_t len, const char *content_type,
                     size_t max_out, size_t *outlen, const char **charset);

#endif
