/* decode.c: page bytes to UTF-8, sniffed as the HTML standard says (BOM,
 * Content-Type charset, <meta> prescan, windows-1252).  Labels map to
 * encodings as in the WHATWG Encoding standard.  UTF-8, UTF-16 and
 * windows-1252 are decoded here; the other legacy encodings go through
 * iconv, one handle per encoding opened on first use and kept (the
 * parser is single-threaded; this file is not thread-safe). */
#include "common/compat.h"

#include <iconv.h>
#include <strings.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "parser/decode.h"

#define DECODE_PRESCAN_LEN 1024 /* bytes the <meta> prescan looks at */
#define DECODE_LABEL_MAX 40     /* longer labels are unknown */
#define DECODE_CHUNK 4096       /* output staged before it is appended */

/* prescan results besides an encoding */
#define ENC_NONE (-2)           /* no declaration ("null" in the spec) */
#define ENC_FAIL (-1)           /* a label we do not know ("failure") */
#define ENC_EOF (-3)            /* the prescan ran out of bytes: abort */

static const char repl_char[] = "\xef\xbf\xbd";  /* U+FFFD in UTF-8 */

/* ------------------------------------------------------------------ */
/* Encodings and their labels                                          */

enum enc_kind {
    KIND_UTF8,      /* validated and repaired here */
    KIND_UTF16LE,   /* decoded here */
    KIND_UTF16BE,   /* decoded here */
    KIND_1252,      /* decoded here with a table */
    KIND_ICONV,     /* converted by iconv */
};

enum enc_id {
    E_UTF8, E_UTF16LE, E_UTF16BE, E_1252, E_SJIS, E_EUCJP, E_ISO2022JP,
    E_GBK, E_GB18030, E_BIG5, E_EUCKR, E_KOI8R, E_KOI8U, E_IBM866,
    E_ISO2, E_ISO3, E_ISO4, E_ISO5, E_ISO6, E_ISO7, E_ISO8, E_ISO8I,
    E_ISO10, E_ISO13, E_ISO14, E_ISO15, E_ISO16, E_874, E_1250, E_1251,
    E_1253, E_1254, E_1255, E_1256, E_1257, E_1258, E_MAC, E_MACCYR,
    E_COUNT
};

struct encoding {
    const char *name;   /* canonical WHATWG name, lower case */
    const char *iconv;  /* iconv's name for KIND_ICONV, else NULL */
    enum enc_kind kind; /* who decodes it */
    bool ascii;         /* bytes < 0x80 are ASCII (fast path allowed) */
};

/* WHATWG's gbk decoder is its gb18030 decoder, a superset of GBK; its
 * Shift_JIS, EUC-JP, Big5 and EUC-KR are Microsoft's and HKSCS variants,
 * which glibc calls CP932, EUC-JP-MS, BIG5-HKSCS and CP949. */
static const struct encoding encodings[E_COUNT] = {
    [E_UTF8] = { "utf-8", NULL, KIND_UTF8, true },
    [E_UTF16LE] = { "utf-16le", NULL, KIND_UTF16LE, false },
    [E_UTF16BE] = { "utf-16be", NULL, KIND_UTF16BE, false },
    [E_1252] = { "windows-1252", NULL, KIND_1252, true },
    [E_SJIS] = { "shift_jis", "CP932", KIND_ICONV, true },
    [E_EUCJP] = { "euc-jp", "EUC-JP-MS", KIND_ICONV, true },
    [E_ISO2022JP] = { "iso-2022-jp", "ISO-2022-JP", KIND_ICONV, false },
    [E_GBK] = { "gbk", "GB18030", KIND_ICONV, true },
    [E_GB18030] = { "gb18030", "GB18030", KIND_ICONV, true },
    [E_BIG5] = { "big5", "BIG5-HKSCS", KIND_ICONV, true },
    [E_EUCKR] = { "euc-kr", "CP949", KIND_ICONV, true },
    [E_KOI8R] = { "koi8-r", "KOI8-R", KIND_ICONV, true },
    [E_KOI8U] = { "koi8-u", "KOI8-U", KIND_ICONV, true },
    [E_IBM866] = { "ibm866", "IBM866", KIND_ICONV, true },
    [E_ISO2] = { "iso-8859-2", "ISO-8859-2", KIND_ICONV, true },
    [E_ISO3] = { "iso-8859-3", "ISO-8859-3", KIND_ICONV, true },
    [E_ISO4] = { "iso-8859-4", "ISO-8859-4", KIND_ICONV, true },
    [E_ISO5] = { "iso-8859-5", "ISO-8859-5", KIND_ICONV, true },
    [E_ISO6] = { "iso-8859-6", "ISO-8859-6", KIND_ICONV, true },
    [E_ISO7] = { "iso-8859-7", "ISO-8859-7", KIND_ICONV, true },
    [E_ISO8] = { "iso-8859-8", "ISO-8859-8", KIND_ICONV, true },
    [E_ISO8I] = { "iso-8859-8-i", "ISO-8859-8", KIND_ICONV, true },
    [E_ISO10] = { "iso-8859-10", "ISO-8859-10", KIND_ICONV, true },
    [E_ISO13] = { "iso-8859-13", "ISO-8859-13", KIND_ICONV, true },
    [E_ISO14] = { "iso-8859-14", "ISO-8859-14", KIND_ICONV, true },
    [E_ISO15] = { "iso-8859-15", "ISO-8859-15", KIND_ICONV, true },
    [E_ISO16] = { "iso-8859-16", "ISO-8859-16", KIND_ICONV, true },
    [E_874] = { "windows-874", "CP874", KIND_ICONV, true },
    [E_1250] = { "windows-1250", "CP1250", KIND_ICONV, true },
    [E_1251] = { "windows-1251", "CP1251", KIND_ICONV, true },
    [E_1253] = { "windows-1253", "CP1253", KIND_ICONV, true },
    [E_1254] = { "windows-1254", "CP1254", KIND_ICONV, true },
    [E_1255] = { "windows-1255", "CP1255", KIND_ICONV, true },
    [E_1256] = { "windows-1256", "CP1256", KIND_ICONV, true },
    [E_1257] = { "windows-1257", "CP1257", KIND_ICONV, true },
    [E_1258] = { "windows-1258", "CP1258", KIND_ICONV, true },
    [E_MAC] = { "macintosh", "MACINTOSH", KIND_ICONV, true },
    [E_MACCYR] = { "x-mac-cyrillic", "MAC-CYRILLIC", KIND_ICONV, true },
};

struct label {
    const char *label;  /* lower case, as the WHATWG table spells it */
    enum enc_id enc;    /* the encoding it names */
};

static const struct label labels[] = {
    { "unicode-1-1-utf-8", E_UTF8 }, { "unicode11utf8", E_UTF8 },
    { "unicode20utf8", E_UTF8 }, { "utf-8", E_UTF8 }, { "utf8", E_UTF8 },
    { "x-unicode20utf8", E_UTF8 },
    { "csunicode", E_UTF16LE }, { "iso-10646-ucs-2", E_UTF16LE },
    { "ucs-2", E_UTF16LE }, { "unicode", E_UTF16LE },
    { "unicodefeff", E_UTF16LE }, { "utf-16", E_UTF16LE },
    { "utf-16le", E_UTF16LE },
    { "unicodefffe", E_UTF16BE }, { "utf-16be", E_UTF16BE },
    { "ansi_x3.4-1968", E_1252 }, { "ascii", E_1252 }, { "cp1252", E_1252 },
    { "cp819", E_1252 }, { "csisolatin1", E_1252 }, { "ibm819", E_1252 },
    { "iso-8859-1", E_1252 }, { "iso-ir-100", E_1252 },
    { "iso8859-1", E_1252 }, { "iso88591", E_1252 },
    { "iso_8859-1", E_1252 }, { "iso_8859-1:1987", E_1252 },
    { "l1", E_1252 }, { "latin1", E_1252 }, { "us-ascii", E_1252 },
    { "windows-1252", E_1252 }, { "x-cp1252", E_1252 },
    { "csshiftjis", E_SJIS }, { "ms932", E_SJIS }, { "ms_kanji", E_SJIS },
    { "shift-jis", E_SJIS }, { "shift_jis", E_SJIS }, { "sjis", E_SJIS },
    { "windows-31j", E_SJIS }, { "x-sjis", E_SJIS },
    { "cseucpkdfmtjapanese", E_EUCJP }, { "euc-jp", E_EUCJP },
    { "x-euc-jp", E_EUCJP },
    { "csiso2022jp", E_ISO2022JP }, { "iso-2022-jp", E_ISO2022JP },
    { "chinese", E_GBK }, { "csgb2312", E_GBK },
    { "csiso58gb231280", E_GBK }, { "gb2312", E_GBK }, { "gb_2312", E_GBK },
    { "gb_2312-80", E_GBK }, { "gbk", E_GBK }, { "iso-ir-58", E_GBK },
    { "x-gbk", E_GBK },
    { "gb18030", E_GB18030 },
    { "big5", E_BIG5 }, { "big5-hkscs", E_BIG5 }, { "cn-big5", E_BIG5 },
    { "csbig5", E_BIG5 }, { "x-x-big5", E_BIG5 },
    { "cseuckr", E_EUCKR }, { "csksc56011987", E_EUCKR },
    { "euc-kr", E_EUCKR }, { "iso-ir-149", E_EUCKR }, { "korean", E_EUCKR },
    { "ks_c_5601-1987", E_EUCKR }, { "ks_c_5601-1989", E_EUCKR },
    { "ksc5601", E_EUCKR }, { "ksc_5601", E_EUCKR },
    { "windows-949", E_EUCKR },
    { "cskoi8r", E_KOI8R }, { "koi", E_KOI8R }, { "koi8", E_KOI8R },
    { "koi8-r", E_KOI8R }, { "koi8_r", E_KOI8R },
    { "koi8-ru", E_KOI8U }, { "koi8-u", E_KOI8U },
    { "866", E_IBM866 }, { "cp866", E_IBM866 }, { "csibm866", E_IBM866 },
    { "ibm866", E_IBM866 },
    { "csisolatin2", E_ISO2 }, { "iso-8859-2", E_ISO2 },
    { "iso-ir-101", E_ISO2 }, { "iso8859-2", E_ISO2 },
    { "iso88592", E_ISO2 }, { "iso_8859-2", E_ISO2 },
    { "iso_8859-2:1987", E_ISO2 }, { "l2", E_ISO2 }, { "latin2", E_ISO2 },
    { "csisolatin3", E_ISO3 }, { "iso-8859-3", E_ISO3 },
    { "iso-ir-109", E_ISO3 }, { "iso8859-3", E_ISO3 },
    { "iso88593", E_ISO3 }, { "iso_8859-3", E_ISO3 },
    { "iso_8859-3:1988", E_ISO3 }, { "l3", E_ISO3 }, { "latin3", E_ISO3 },
    { "csisolatin4", E_ISO4 }, { "iso-8859-4", E_ISO4 },
    { "iso-ir-110", E_ISO4 }, { "iso8859-4", E_ISO4 },
    { "iso88594", E_ISO4 }, { "iso_8859-4", E_ISO4 },
    { "iso_8859-4:1988", E_ISO4 }, { "l4", E_ISO4 }, { "latin4", E_ISO4 },
    { "csisolatincyrillic", E_ISO5 }, { "cyrillic", E_ISO5 },
    { "iso-8859-5", E_ISO5 }, { "iso-ir-144", E_ISO5 },
    { "iso8859-5", E_ISO5 }, { "iso88595", E_ISO5 },
    { "iso_8859-5", E_ISO5 }, { "iso_8859-5:1988", E_ISO5 },
    { "arabic", E_ISO6 }, { "asmo-708", E_ISO6 }, { "csiso88596e", E_ISO6 },
    { "csiso88596i", E_ISO6 }, { "csisolatinarabic", E_ISO6 },
    { "ecma-114", E_ISO6 }, { "iso-8859-6", E_ISO6 },
    { "iso-8859-6-e", E_ISO6 }, { "iso-8859-6-i", E_ISO6 },
    { "iso-ir-127", E_ISO6 }, { "iso8859-6", E_ISO6 },
    { "iso88596", E_ISO6 }, { "iso_8859-6", E_ISO6 },
    { "iso_8859-6:1987", E_ISO6 },
    { "csisolatingreek", E_ISO7 }, { "ecma-118", E_ISO7 },
    { "elot_928", E_ISO7 }, { "greek", E_ISO7 }, { "greek8", E_ISO7 },
    { "iso-8859-7", E_ISO7 }, { "iso-ir-126", E_ISO7 },
    { "iso8859-7", E_ISO7 }, { "iso88597", E_ISO7 },
    { "iso_8859-7", E_ISO7 }, { "iso_8859-7:1987", E_ISO7 },
    { "sun_eu_greek", E_ISO7 },
    { "csiso88598e", E_ISO8 }, { "csisolatinhebrew", E_ISO8 },
    { "hebrew", E_ISO8 }, { "iso-8859-8", E_ISO8 },
    { "iso-8859-8-e", E_ISO8 }, { "iso-ir-138", E_ISO8 },
    { "iso8859-8", E_ISO8 }, { "iso88598", E_ISO8 },
    { "iso_8859-8", E_ISO8 }, { "iso_8859-8:1988", E_ISO8 },
    { "visual", E_ISO8 },
    { "csiso88598i", E_ISO8I }, { "iso-8859-8-i", E_ISO8I },
    { "logical", E_ISO8I },
    { "csisolatin6", E_ISO10 }, { "iso-8859-10", E_ISO10 },
    { "iso-ir-157", E_ISO10 }, { "iso8859-10", E_ISO10 },
    { "iso885910", E_ISO10 }, { "l6", E_ISO10 }, { "latin6", E_ISO10 },
    { "iso-8859-13", E_ISO13 }, { "iso8859-13", E_ISO13 },
    { "iso885913", E_ISO13 },
    { "iso-8859-14", E_ISO14 }, { "iso8859-14", E_ISO14 },
    { "iso885914", E_ISO14 },
    { "csisolatin9", E_ISO15 }, { "iso-8859-15", E_ISO15 },
    { "iso8859-15", E_ISO15 }, { "iso885915", E_ISO15 },
    { "iso_8859-15", E_ISO15 }, { "l9", E_ISO15 },
    { "iso-8859-16", E_ISO16 },
    { "dos-874", E_874 }, { "iso-8859-11", E_874 },
    { "iso8859-11", E_874 }, { "iso885911", E_874 }, { "tis-620", E_874 },
    { "windows-874", E_874 },
    { "cp1250", E_1250 }, { "windows-1250", E_1250 },
    { "x-cp1250", E_1250 },
    { "cp1251", E_1251 }, { "windows-1251", E_1251 },
    { "x-cp1251", E_1251 },
    { "cp1253", E_1253 }, { "windows-1253", E_1253 },
    { "x-cp1253", E_1253 },
    { "cp1254", E_1254 }, { "csisolatin5", E_1254 },
    { "iso-8859-9", E_1254 }, { "iso-ir-148", E_1254 },
    { "iso8859-9", E_1254 }, { "iso88599", E_1254 },
    { "iso_8859-9", E_1254 }, { "iso_8859-9:1989", E_1254 },
    { "l5", E_1254 }, { "latin5", E_1254 }, { "windows-1254", E_1254 },
    { "x-cp1254", E_1254 },
    { "cp1255", E_1255 }, { "windows-1255", E_1255 },
    { "x-cp1255", E_1255 },
    { "cp1256", E_1256 }, { "windows-1256", E_1256 },
    { "x-cp1256", E_1256 },
    { "cp1257", E_1257 }, { "windows-1257", E_1257 },
    { "x-cp1257", E_1257 },
    { "cp1258", E_1258 }, { "windows-1258", E_1258 },
    { "x-cp1258", E_1258 },
    { "csmacintosh", E_MAC }, { "mac", E_MAC }, { "macintosh", E_MAC },
    { "x-mac-roman", E_MAC },
    { "x-mac-cyrillic", E_MACCYR }, { "x-mac-ukrainian", E_MACCYR },
};

/* windows-1252 bytes 0x80..0x9f (WHATWG index); the rest is Latin-1 */
static const uint16_t cp1252_c1[32] = {
    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
    0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

static iconv_t iconv_cache[E_COUNT];  /* open handles, by encoding */
static bool iconv_tried[E_COUNT];     /* iconv_open was called */

/* The cached iconv handle of enc, opened on first use; (iconv_t)-1 when
 * this system's iconv lacks it (logged once). */
static iconv_t enc_iconv(int enc)
{
    if (!iconv_tried[enc]) {
        iconv_tried[enc] = true;
        iconv_cache[enc] = iconv_open("UTF-8", encodings[enc].iconv);
        if (iconv_cache[enc] == (iconv_t)-1)
            log_warn("no iconv converter from '%s'; charset '%s' ignored",
                     encodings[enc].iconv, encodings[enc].name);
    }
    return iconv_cache[enc];
}

static bool is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* WHATWG "get an encoding": the encoding labelled by s[0..n) (ASCII
 * case-insensitive, surrounding whitespace ignored), or ENC_FAIL when the
 * label is unknown or this system cannot convert from it. */
static int enc_lookup(const char *s, size_t n)
{
    char low[DECODE_LABEL_MAX + 1];
    size_t i;

    while (n && is_ws((unsigned char)*s))
        s++, n--;
    while (n && is_ws((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n > DECODE_LABEL_MAX)
        return ENC_FAIL;
    for (i = 0; i < n; i++)
        low[i] = (char)lower((unsigned char)s[i]);
    low[n] = '\0';
    for (i = 0; i < ARRAY_SIZE(labels); i++) {
        int enc = (int)labels[i].enc;
        if (strcmp(low, labels[i].label))
            continue;
        if (encodings[enc].kind == KIND_ICONV &&
            enc_iconv(enc) == (iconv_t)-1)
            return ENC_FAIL;
        return enc;
    }
    return ENC_FAIL;
}

/* ------------------------------------------------------------------ */
/* Sniffing                                                            */

/* A byte order mark: its encoding and length in *skip, or ENC_NONE. */
static int sniff_bom(const unsigned char *s, size_t n, size_t *skip)
{
    if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) {
        *skip = 3;
        return E_UTF8;
    }
    if (n >= 2 && s[0] == 0xfe && s[1] == 0xff) {
        *skip = 2;
        return E_UTF16BE;
    }
    if (n >= 2 && s[0] == 0xff && s[1] == 0xfe) {
        *skip = 2;
        return E_UTF16LE;
    }
    *skip = 0;
    return ENC_NONE;
}

/* The charset parameter of a Content-Type value (the first one counts,
 * quoted or not), or ENC_FAIL when there is none or it is unknown. */
static int sniff_content_type(const char *ct)
{
    const char *p = strchr(ct, ';');

    while (p) {
        const char *name, *val;
        char quoted[DECODE_LABEL_MAX + 1];
        size_t nlen, vlen = 0;

        p++;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        name = p;
        p += strcspn(p, ";=");
        nlen = (size_t)(p - name);
        if (!*p)
            break;
        if (*p != '=')
            continue;   /* a name without a value: the next parameter */
        p++;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                if (vlen < DECODE_LABEL_MAX)
                    quoted[vlen] = *p;
                vlen++;
            }
            val = quoted;
            if (vlen > DECODE_LABEL_MAX)
                val = "", vlen = 0;
            p = strchr(p, ';');
        } else {
            val = p;
            p += strcspn(p, ";");
            vlen = (size_t)(p - val);
            if (!*p)
                p = NULL;
        }
        if (nlen == 7 && !strncasecmp(name, "charset", 7))
            return enc_lookup(val, vlen);
    }
    return ENC_FAIL;
}

/* One attribute as the prescan reads it: names and values lower-cased. */
struct attr {
    char name[DECODE_PRESCAN_LEN + 1];   /* attribute name */
    size_t nlen;                         /* its length */
    char value[DECODE_PRESCAN_LEN + 1];  /* attribute value */
    size_t vlen;                         /* its length */
};

/* The HTML standard's "get an attribute" from s[*pos..n).  Returns 1 with
 * the attribute in *a, 0 when the tag ends (*pos at '>'), -1 when the
 * input ends first.  Lengths stay below n <= DECODE_PRESCAN_LEN. */
static int get_attr(const unsigned char *s, size_t n, size_t *pos,
                    struct attr *a)
{
    size_t i = *pos;
    int c, q;

    a->nlen = a->vlen = 0;
    while (i < n && (is_ws(s[i]) || s[i] == '/'))
        i++;
    if (i >= n)
        return -1;
    if (s[i] == '>') {
        *pos = i;
        return 0;
    }
    for (;; i++) {                      /* the name */
        if (i >= n)
            return -1;
        c = s[i];
        if (c == '=' && a->nlen) {
            i++;
            goto value;
        }
        if (is_ws(c))
            break;
        if (c == '/' || c == '>') {
            *pos = i;
            return 1;
        }
        a->name[a->nlen++] = (char)lower(c);
    }
    while (i < n && is_ws(s[i]))
        i++;
    if (i >= n)
        return -1;
    if (s[i] != '=') {
        *pos = i;
        return 1;
    }
    i++;
value:
    while (i < n && is_ws(s[i]))
        i++;
    if (i >= n)
        return -1;
    q = s[i];
    if (q == '"' || q == '\'') {
        for (i++; i < n; i++) {
            if (s[i] == q) {
                *pos = i + 1;
                return 1;
            }
            a->value[a->vlen++] = (char)lower(s[i]);
        }
        return -1;
    }
    if (q == '>') {
        *pos = i;
        return 1;
    }
    for (; i < n; i++) {
        if (is_ws(s[i]) || s[i] == '>') {
            *pos = i;
            return 1;
        }
        a->value[a->vlen++] = (char)lower(s[i]);
    }
    return -1;
}

static bool attr_is(const struct attr *a, const char *name)
{
    return a->nlen == strlen(name) && !memcmp(a->name, name, a->nlen);
}

/* The HTML standard's "extract a character encoding from a meta element"
 * on a content attribute (already lower case): an encoding, ENC_FAIL for
 * an unknown label, or ENC_NONE when there is no charset=. */
static int meta_content_charset(const char *v, size_t n)
{
    size_t i = 0, end;

    for (;;) {
        while (i + 7 <= n && memcmp(v + i, "charset", 7))
            i++;
        if (i + 7 > n)
            return ENC_NONE;
        i += 7;
        while (i < n && is_ws((unsigned char)v[i]))
            i++;
        if (i < n && v[i] == '=')
            break;
    }
    i++;
    while (i < n && is_ws((unsigned char)v[i]))
        i++;
    if (i >= n)
        return ENC_NONE;
    if (v[i] == '"' || v[i] == '\'') {
        const char *close = memchr(v + i + 1, v[i], n - i - 1);
        if (!close)
            return ENC_NONE;
        return enc_lookup(v + i + 1, (size_t)(close - (v + i + 1)));
    }
    for (end = i; end < n && !is_ws((unsigned char)v[end]) &&
         v[end] != ';'; end++)
        ;
    return enc_lookup(v + i, end - i);
}

/* After "<meta" and its space: read the attributes and decide.  Returns
 * the declared encoding, ENC_NONE to go on scanning (*pos at the tag's
 * '>'), or ENC_EOF when the input ends inside the tag. */
static int prescan_meta(const unsigned char *s, size_t n, size_t *pos)
{
    struct attr a;
    bool seen_he = false, seen_content = false, seen_charset = false;
    bool got_pragma = false;
    int need_pragma = -1;   /* -1 null, 0 false, 1 true */
    int charset = ENC_NONE;
    int rc;

    while ((rc = get_attr(s, n, pos, &a)) == 1) {
        if (attr_is(&a, "http-equiv")) {
            if (seen_he)
                continue;
            seen_he = true;
            if (a.vlen == 12 && !memcmp(a.value, "content-type", 12))
                got_pragma = true;
        } else if (attr_is(&a, "content")) {
            if (seen_content)
                continue;
            seen_content = true;
            if (charset == ENC_NONE) {
                charset = meta_content_charset(a.value, a.vlen);
                if (charset != ENC_NONE)
                    need_pragma = 1;
            }
        } else if (attr_is(&a, "charset")) {
            if (seen_charset)
                continue;
            seen_charset = true;
            if (charset == ENC_NONE) {
                charset = enc_lookup(a.value, a.vlen);
                need_pragma = 0;
            }
        }
    }
    if (rc < 0)
        return ENC_EOF;
    if (need_pragma < 0 || (need_pragma == 1 && !got_pragma) ||
        charset < 0)
        return ENC_NONE;
    if (charset == E_UTF16LE || charset == E_UTF16BE)
        return E_UTF8;
    return charset;
}

static bool is_alpha(int c)
{
    c = lower(c);
    return c >= 'a' && c <= 'z';
}

/* The HTML standard's prescan of the first bytes for a <meta> charset:
 * the encoding it declares, or ENC_NONE. */
static int sniff_meta(const unsigned char *s, size_t n)
{
    size_t i;
    struct attr a;

    if (n > DECODE_PRESCAN_LEN)
        n = DECODE_PRESCAN_LEN;
    for (i = 0; i < n; i++) {
        if (s[i] != '<')
            continue;
        if (n - i >= 4 && !memcmp(s + i, "<!--", 4)) {
            /* to the '>' of a "-->", which may share the "<!--" dashes */
            for (i += 2; i + 2 < n; i++)
                if (s[i] == '-' && s[i + 1] == '-' && s[i + 2] == '>')
                    break;
            i += 2;
        } else if (n - i >= 6 && !strncasecmp((const char *)s + i + 1,
                                              "meta", 4) &&
                   (is_ws(s[i + 5]) || s[i + 5] == '/')) {
            int enc;
            i += 6;
            enc = prescan_meta(s, n, &i);
            if (enc >= 0)
                return enc;
            if (enc == ENC_EOF)
                break;
        } else if (n - i >= 2 && (is_alpha(s[i + 1]) || (n - i >= 3 &&
                   s[i + 1] == '/' && is_alpha(s[i + 2])))) {
            int rc;
            while (i < n && !is_ws(s[i]) && s[i] != '>')
                i++;
            while ((rc = get_attr(s, n, &i, &a)) == 1)
                ;
            if (rc < 0)
                break;
        } else if (n - i >= 2 && (s[i + 1] == '!' || s[i + 1] == '/' ||
                   s[i + 1] == '?')) {
            while (i < n && s[i] != '>')
                i++;
        }
    }
    return ENC_NONE;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

/* The growing result, with small writes staged in a chunk. */
struct out {
    struct buf b;               /* the result, capped at max_out */
    char chunk[DECODE_CHUNK];   /* staged bytes not yet in b */
    size_t n;                   /* bytes used in chunk */
    bool full;                  /* b refused bytes: the result is too big */
};

static void out_flush(struct out *o)
{
    if (o->n && !o->full && buf_add(&o->b, o->chunk, o->n) < 0)
        o->full = true;
    o->n = 0;
}

static void out_bytes(struct out *o, const void *p, size_t n)
{
    if (n > sizeof(o->chunk) - o->n) {
        out_flush(o);
        if (n >= sizeof(o->chunk)) {
            if (!o->full && buf_add(&o->b, p, n) < 0)
                o->full = true;
            return;
        }
    }
    memcpy(o->chunk + o->n, p, n);
    o->n += n;
}

/* Append code point cp (< 0x110000, not a surrogate) as UTF-8. */
static void out_cp(struct out *o, uint32_t cp)
{
    unsigned char u[4];
    size_t k;

    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        k = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xc0 | cp >> 6);
        u[1] = (unsigned char)(0x80 | (cp & 0x3f));
        k = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xe0 | cp >> 12);
        u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        u[2] = (unsigned char)(0x80 | (cp & 0x3f));
        k = 3;
    } else {
        u[0] = (unsigned char)(0xf0 | cp >> 18);
        u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
        u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        u[3] = (unsigned char)(0x80 | (cp & 0x3f));
        k = 4;
    }
    out_bytes(o, u, k);
}

/* ------------------------------------------------------------------ */
/* Decoders                                                            */

/* Length of the all-ASCII prefix of s, eight bytes at a time. */
static size_t ascii_prefix(const unsigned char *s, size_t n)
{
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & UINT64_C(0x8080808080808080))
            break;
    }
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

/* The UTF-8 sequence at s (first byte >= 0x80), with the WHATWG decoder's
 * bounds.  Returns its length (2..4) when valid; else 0 and in *bad the
 * length of the maximal invalid subpart (one U+FFFD replaces it). */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned c = s[0], lo = 0x80, hi = 0xbf;
    size_t need, i;

    if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        *bad = 1;
        return 0;
    }
    for (i = 1; i <= need; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xbf;
    }
    return need + 1;
}

/* Length of the longest valid UTF-8 prefix of s. */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n)
{
    size_t i = 0, k, bad;

    while (i < n) {
        i += ascii_prefix(s + i, n - i);
        if (i == n)
            break;
        k = utf8_seq(s + i, n - i, &bad);
        if (!k)
            break;
        i += k;
    }
    return i;
}

/* UTF-8 whose first `valid` bytes are known good; invalid sequences
 * become U+FFFD. */
static void dec_utf8(struct out *o, const unsigned char *s, size_t n,
                     size_t valid)
{
    size_t i = 0, bad;

    while (!o->full) {
        out_bytes(o, s + i, valid);
        i += valid;
        if (i >= n)
            break;
        utf8_seq(s + i, n - i, &bad);
        out_bytes(o, repl_char, 3);
        i += bad;
        valid = utf8_valid_prefix(s + i, n - i);
    }
}

static void dec_utf16(struct out *o, const unsigned char *s, size_t n,
                      bool be)
{
    uint32_t lead = 0;
    size_t i;

    for (i = 0; i + 1 < n && !o->full; i += 2) {
        uint32_t u = be ? (uint32_t)s[i] << 8 | s[i + 1]
                        : (uint32_t)s[i + 1] << 8 | s[i];
        if (lead) {
            if (u >= 0xdc00 && u <= 0xdfff) {
                out_cp(o, 0x10000 + ((lead - 0xd800) << 10) +
                       (u - 0xdc00));
                lead = 0;
                continue;
            }
            out_cp(o, 0xfffd);   /* a lone lead; u is read again */
            lead = 0;
        }
        if (u >= 0xd800 && u <= 0xdbff)
            lead = u;
        else if (u >= 0xdc00 && u <= 0xdfff)
            out_cp(o, 0xfffd);
        else
            out_cp(o, u);
    }
    if (lead || (n & 1))
        out_cp(o, 0xfffd);
}

static void dec_1252(struct out *o, const unsigned char *s, size_t n)
{
    size_t i = 0, run;

    while (i < n && !o->full) {
        run = ascii_prefix(s + i, n - i);
        out_bytes(o, s + i, run);
        i += run;
        if (i < n) {
            out_cp(o, s[i] < 0xa0 ? cp1252_c1[s[i] - 0x80] : s[i]);
            i++;
        }
    }
}

/* Through iconv; a byte that does not convert becomes U+FFFD and
 * conversion goes on after it, in the converter's current state. */
static void dec_iconv(struct out *o, iconv_t cd, const unsigned char *s,
                      size_t n)
{
    char *in = (char *)s;
    size_t inleft = n;

    iconv(cd, NULL, NULL, NULL, NULL);
    while (!o->full) {
        char *op = o->chunk + o->n;
        size_t oleft = sizeof(o->chunk) - o->n, rc;
        bool flushing = inleft == 0;

        if (flushing)
            rc = iconv(cd, NULL, NULL, &op, &oleft);
        else
            rc = iconv(cd, &in, &inleft, &op, &oleft);
        o->n = (size_t)(op - o->chunk);
        if (rc != (size_t)-1) {
            if (flushing)
                break;
        } else if (errno == E2BIG) {
            if (!o->n)
                break;   /* cannot happen: one character fits a chunk */
            out_flush(o);
        } else if (errno == EILSEQ && inleft) {
            out_bytes(o, repl_char, 3);
            in++;
            inleft--;
        } else {
            /* EINVAL: the input ends inside a sequence */
            out_bytes(o, repl_char, 3);
            if (flushing)
                break;
            inleft = 0;
        }
    }
}

/* ------------------------------------------------------------------ */
/* API                                                                 */

char *decode_to_utf8(const char *body, size_t len, const char *content_type,
                     size_t max_out, size_t *outlen, const char **charset)
{
    const unsigned char *s = (const unsigned char *)(body ? body : "");
    const struct encoding *e;
    struct out o;
    size_t skip, valid = 0;
    char *res;
    int enc;

    if (!body)
        len = 0;
    enc = sniff_bom(s, len, &skip);
    if (enc < 0 && content_type && *content_type)
        enc = sniff_content_type(content_type);
    if (enc < 0)
        enc = sniff_meta(s, len);
    if (enc < 0)
        enc = E_1252;
    s += skip;
    len -= skip;
    e = &encodings[enc];
    if (charset)
        *charset = e->name;
    if (outlen)
        *outlen = 0;

    /* the fast path: one scan, one copy */
    if (e->kind == KIND_UTF8)
        valid = utf8_valid_prefix(s, len);
    else if (e->ascii)
        valid = ascii_prefix(s, len);
    if (valid == len) {
        if (len > max_out)
            return NULL;
        res = xmalloc(len + 1);
        memcpy(res, s, len);
        res[len] = '\0';
        if (outlen)
            *outlen = len;
        return res;
    }

    buf_init(&o.b, max_out);
    o.n = 0;
    o.full = false;
    switch (e->kind) {
    case KIND_UTF8:
        dec_utf8(&o, s, len, valid);
        break;
    case KIND_UTF16LE:
    case KIND_UTF16BE:
        dec_utf16(&o, s, len, e->kind == KIND_UTF16BE);
        break;
    case KIND_1252:
        out_bytes(&o, s, valid);
        dec_1252(&o, s + valid, len - valid);
        break;
    case KIND_ICONV:
        out_bytes(&o, s, valid);
        dec_iconv(&o, enc_iconv(enc), s + valid, len - valid);
        break;
    }
    out_flush(&o);
    if (o.full) {
        buf_release(&o.b);
        return NULL;
    }
    return buf_detach(&o.b, outlen);
}
