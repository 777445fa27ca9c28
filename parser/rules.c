/* rules.c: the rule file: parse it once, report every error as
 * FILE:LINE:COL: message, and hand the compiled rules to extract.c.
 *
 * A line is FIELD SELECTOR [VALUE] [all].  The selector may hold spaces,
 * so the line is read from both ends: the first word is the field, a last
 * word `all` is the flag, a word before it that is `text`, `html` or
 * `@NAME` is the value, and what lies between is the selector.  A last
 * word that is a plain name but neither a value nor a known HTML element
 * ("txt") is reported as an unknown value kind rather than taken for an
 * element; to select such custom elements, write the value too. */
#include "common/compat.h"

#include <strings.h>

#include "common/buf.h"
#include "common/util.h"
#include "parser/extract.h"
#include "parser/rules.h"
#include "parser/select.h"

#include <gumbo.h>

#define RULES_MAX_FILE (1u << 20)   /* largest rule file read */
#define RULES_MAX_NAME 64           /* longest field name */
#define RULES_MAX_TOKENS 256        /* words on one line */

/* A rule and the memory it owns. */
struct rule_own {
    struct rule r;          /* what extract.c sees */
    char *name;             /* owned r.name */
    char *attr;             /* owned r.attr */
    struct select *sel;     /* owned r.sel */
};

struct rules {
    struct rule_own *fields;    /* fields in file order */
    int nfields;                /* entries in fields */
    struct rule_own *follow;    /* follow rules in file order */
    int nfollow;                /* entries in follow */
};

/* Metadata keys of every record: no field may take these names. */
static const char *const reserved[] = {
    "url", "final_url", "status", "error", "depth", "elapsed_ms", "bytes",
    "content_type", "fetched_at",
};

static const char *const url_attrs[] = {
    "href", "src", "action", "formaction", "poster", "cite", "background",
    "data", "longdesc",
};

bool rules_url_attr(const char *name)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(url_attrs); i++)
        if (!strcmp(name, url_attrs[i]))
            return true;
    return false;
}

/* ------------------------------------------------------------ freeing */

static void own_release(struct rule_own *o)
{
    free(o->name);
    free(o->attr);
    select_free(o->sel);
}

void rules_free(struct rules *r)
{
    int i;

    if (!r)
        return;
    for (i = 0; i < r->nfields; i++)
        own_release(&r->fields[i]);
    for (i = 0; i < r->nfollow; i++)
        own_release(&r->follow[i]);
    free(r->fields);
    free(r->follow);
    free(r);
}

/* ------------------------------------------------------------ parsing */

/* Parser state for one file. */
struct rp {
    const char *fname;      /* for messages */
    char *err;              /* message out */
    size_t errlen;          /* bytes in err */
    const char *line;       /* current line */
    size_t len;             /* its length, CR and LF excluded */
    int lineno;             /* 1-based */
    int *first_line;        /* line each field was defined on */
    struct rules *r;        /* being built */
};

/* One word of a line. */
struct word {
    size_t start;           /* offset in the line */
    size_t end;             /* offset just past it */
};

static int rp_fail(struct rp *p, size_t off, const char *fmt, ...)
    ZS_PRINTF(3, 4);

/* Report "FILE:LINE:COL: message" with COL the 1-based character (UTF-8
 * code point) column of byte off.  Returns -1. */
static int rp_fail(struct rp *p, size_t off, const char *fmt, ...)
{
    va_list ap;
    size_t i, col = 1;
    int n;

    for (i = 0; i < off && i < p->len; i++)
        if (((unsigned char)p->line[i] & 0xc0) != 0x80)
            col++;
    if (off > p->len)
        col += off - p->len;
    n = snprintf(p->err, p->errlen, "%s:%d:%zu: ", p->fname, p->lineno,
                 col);
    if (n < 0 || (size_t)n >= p->errlen)
        return -1;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static bool word_is(const struct rp *p, const struct word *w, const char *s)
{
    size_t n = strlen(s);

    return w->end - w->start == n &&
           !strncasecmp(p->line + w->start, s, n);
}

/* A word of letters, digits and '_', starting with a letter: what a
 * mistyped value kind looks like (custom elements have a '-'). */
static bool word_plain(const struct rp *p, const struct word *w)
{
    size_t i;

    for (i = w->start; i < w->end; i++) {
        char c = p->line[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alpha && (i == w->start || ((c < '0' || c > '9') && c != '_')))
            return false;
    }
    return w->end > w->start;
}

static char *word_dup(const struct rp *p, const struct word *w)
{
    return xstrndup(p->line + w->start, w->end - w->start);
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s + 32);
}

/* Check the field name in w: letters, digits and '_', not reserved, not
 * taken. */
static int check_name(struct rp *p, const struct word *w)
{
    const char *s = p->line + w->start;
    size_t n = w->end - w->start, i;
    int k;

    if (n > RULES_MAX_NAME)
        return rp_fail(p, w->start, "field name longer than %d "
                       "characters", RULES_MAX_NAME);
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || (i && c >= '0' && c <= '9')))
            return rp_fail(p, w->start + i, "bad field name '%.*s' "
                           "(letters, digits and '_', not starting with "
                           "a digit)", (int)n, s);
    }
    for (i = 0; i < ARRAY_SIZE(reserved); i++)
        if (word_is(p, w, reserved[i]))
            return rp_fail(p, w->start, "reserved field name '%.*s' "
                           "(a metadata key of every record)", (int)n, s);
    for (k = 0; k < p->r->nfields; k++)
        if (strlen(p->r->fields[k].name) == n &&
            !strncasecmp(p->r->fields[k].name, s, n))
            return rp_fail(p, w->start, "duplicate field name '%.*s' "
                           "(first on line %d)", (int)n, s,
                           p->first_line[k]);
    return 0;
}

/* Split the line into words at blanks. */
static int split_words(struct rp *p, struct word *ws, int max)
{
    size_t i = 0;
    int n = 0;

    for (;;) {
        while (i < p->len && (p->line[i] == ' ' || p->line[i] == '\t'))
            i++;
        if (i >= p->len)
            return n;
        if (n == max)
            return rp_fail(p, i, "too many words on one line");
        ws[n].start = i;
        while (i < p->len && p->line[i] != ' ' && p->line[i] != '\t')
            i++;
        ws[n++].end = i;
    }
}

/* Parse one rule line (not blank, not a comment) into p->r. */
static int parse_rule(struct rp *p)
{
    struct word ws[RULES_MAX_TOKENS];
    struct rule_own o;
    struct rules *r = p->r;
    int n, last, vw = -1;
    bool follow, all = false;
    enum rule_value value = RULE_TEXT;
    char err[256];
    size_t errpos = 0, sstart, send;

    if ((n = split_words(p, ws, RULES_MAX_TOKENS)) < 0)
        return -1;
    follow = word_is(p, &ws[0], "follow");
    if (!follow && check_name(p, &ws[0]) < 0)
        return -1;
    if (n == 1)
        return rp_fail(p, ws[0].end, "missing selector after '%.*s'",
                       (int)(ws[0].end - ws[0].start),
                       p->line + ws[0].start);
    last = n - 1;
    if (n >= 3 && word_is(p, &ws[last], "all")) {
        all = true;
        last--;
    }
    if (last >= 2) {
        const struct word *w = &ws[last];
        if (p->line[w->start] == '@') {
            value = RULE_ATTR;
            vw = last--;
        } else if (word_is(p, w, "text") || word_is(p, w, "html")) {
            value = word_is(p, w, "text") ? RULE_TEXT : RULE_HTML;
            vw = last--;
        } else if (word_plain(p, w)) {
            char *s = word_dup(p, w);
            bool known = gumbo_tag_enum(s) != GUMBO_TAG_UNKNOWN;
            free(s);
            if (!known)
                return rp_fail(p, w->start, "unknown value kind '%.*s' "
                               "(text, html or @ATTRIBUTE)",
                               (int)(w->end - w->start),
                               p->line + w->start);
        }
    }
    memset(&o, 0, sizeof(o));
    if (value == RULE_ATTR) {
        const struct word *w = &ws[vw];
        if (w->end - w->start == 1)
            return rp_fail(p, w->start, "missing attribute name after "
                           "'@'");
        o.attr = xstrndup(p->line + w->start + 1, w->end - w->start - 1);
        lower(o.attr);
    }
    sstart = ws[1].start;
    send = ws[last].end;
    o.sel = select_compile(p->line + sstart, send - sstart, err,
                           sizeof(err), &errpos);
    if (!o.sel) {
        rp_fail(p, sstart + errpos, "%s", err);
        goto fail;
    }
    if (select_kind(o.sel) != SELECT_ELEMENT && value != RULE_TEXT) {
        rp_fail(p, ws[vw].start, "a selector ending in %s gives strings: "
                "its value must be text",
                select_kind(o.sel) == SELECT_TEXT ? "'::text'" :
                "'::attr()'");
        goto fail;
    }
    if (follow) {
        if (select_kind(o.sel) == SELECT_TEXT ||
            (vw >= 0 && value != RULE_ATTR)) {
            rp_fail(p, vw >= 0 ? ws[vw].start : sstart, "'follow' takes "
                    "URLs: an @ATTRIBUTE value or '::attr()'");
            goto fail;
        }
        if (select_kind(o.sel) == SELECT_ELEMENT && value != RULE_ATTR) {
            value = RULE_ATTR;
            o.attr = xstrdup("href");
        }
        all = true;
    } else if (r->nfields == EXTRACT_MAX_FIELDS) {
        rp_fail(p, ws[0].start, "too many fields (at most %d)",
                EXTRACT_MAX_FIELDS);
        goto fail;
    }
    o.name = follow ? xstrdup("follow") : word_dup(p, &ws[0]);
    o.r.name = o.name;
    o.r.sel = o.sel;
    o.r.value = value;
    o.r.attr = o.attr;
    o.r.url = o.attr && rules_url_attr(o.attr);
    o.r.all = all;
    o.r.line = p->lineno;
    if (follow) {
        r->follow = xrealloc(r->follow,
                             (size_t)(r->nfollow + 1) * sizeof(o));
        r->follow[r->nfollow++] = o;
    } else {
        r->fields = xrealloc(r->fields,
                             (size_t)(r->nfields + 1) * sizeof(o));
        p->first_line = xrealloc(p->first_line,
                                 (size_t)(r->nfields + 1) * sizeof(int));
        p->first_line[r->nfields] = p->lineno;
        r->fields[r->nfields++] = o;
    }
    return 0;
fail:
    own_release(&o);
    return -1;
}

struct rules *rules_parse(const char *text, size_t len, const char *fname,
                          char *err, size_t errlen)
{
    struct rp p;
    size_t off = 0;

    memset(&p, 0, sizeof(p));
    p.fname = fname;
    p.err = err;
    p.errlen = errlen;
    p.r = xcalloc(1, sizeof(*p.r));
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        off = 3;
    while (off < len) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t end = nl ? (size_t)(nl - text) : len, i = 0;

        p.line = text + off;
        p.len = end - off;
        p.lineno++;
        if (p.len && p.line[p.len - 1] == '\r')
            p.len--;
        off = end + 1;
        while (i < p.len && (p.line[i] == ' ' || p.line[i] == '\t'))
            i++;
        if (i == p.len || p.line[i] == '#')
            continue;
        if (memchr(p.line, '\0', p.len)) {
            rp_fail(&p, (size_t)((const char *)memchr(p.line, '\0', p.len) -
                                 p.line), "NUL byte in the rule file");
            goto fail;
        }
        if (parse_rule(&p) < 0)
            goto fail;
    }
    free(p.first_line);
    return p.r;
fail:
    free(p.first_line);
    rules_free(p.r);
    return NULL;
}

char *rules_read(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[8192];
    size_t n;

    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    buf_init(&b, RULES_MAX_FILE);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (buf_add(&b, chunk, n) < 0) {
            snprintf(err, errlen, "%s: larger than %u bytes", path,
                     RULES_MAX_FILE);
            goto fail;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto fail;
    }
    fclose(f);
    if (!b.data) {          /* an empty file */
        *len = 0;
        return xstrdup("");
    }
    return buf_detach(&b, len);
fail:
    fclose(f);
    buf_release(&b);
    return NULL;
}

struct rules *rules_load(const char *path, char *err, size_t errlen)
{
    struct rules *r;
    size_t len;
    char *text = rules_read(path, &len, err, errlen);

    if (!text)
        return NULL;
    r = rules_parse(text, len, path, err, errlen);
    free(text);
    return r;
}

/* ------------------------------------------------------------ access */

/* The built-in rules: title and links; compiled on first use and kept
 * for the life of the process. */
static const struct rules *rules_default(void)
{
    static struct rules *dflt;
    static const char text[] =
        "title  title\n"
        "links  a[href]  @href  all\n";
    char err[256];

    if (!dflt) {
        dflt = rules_parse(text, sizeof(text) - 1, "(default rules)", err,
                           sizeof(err));
        if (!dflt)
            abort();   /* the built-in text is known to parse */
    }
    return dflt;
}

int rules_nfields(const struct rules *r)
{
    if (!r)
        r = rules_default();
    return r->nfields;
}

const char *rules_field_name(const struct rules *r, int i)
{
    const struct rule *f = rules_field(r, i);

    return f ? f->name : NULL;
}

const struct rule *rules_field(const struct rules *r, int i)
{
    if (!r)
        r = rules_default();
    if (i < 0 || i >= r->nfields)
        return NULL;
    return &r->fields[i].r;
}

int rules_nfollow(const struct rules *r)
{
    return r ? r->nfollow : 0;
}

const struct rule *rules_follow(const struct rules *r, int i)
{
    if (!r || i < 0 || i >= r->nfollow)
        return NULL;
    return &r->follow[i].r;
}

const struct rule *rules_follow_default(void)
{
    static struct rules *dflt;
    static const char text[] = "follow  a[href]  @href\n";
    char err[256];

    if (!dflt) {
        dflt = rules_parse(text, sizeof(text) - 1, "(default rules)", err,
                           sizeof(err));
        if (!dflt)
            abort();
    }
    return &dflt->follow[0].r;
}
