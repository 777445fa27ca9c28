/* reqseed.c: request seeds (JSON lines) and the table that keeps them. */
#include "common/compat.h"

#include <curl/curl.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/json.h"
#include "common/log.h"
#include "common/msg.h"
#include "common/url.h"
#include "common/util.h"
#include "sink/reqseed.h"

#define REQSEED_METHOD_MAX 16
#define REQSEED_LABEL_MAX 256

/* ------------------------------------------------------------------ */
/* a JSON object, member by member                                     */

struct jobj {
    const char *p;
    size_t n, i;
    size_t key_at;          /* where the last member's key starts */
    bool first;
};

static size_t ws(const char *p, size_t i, size_t n)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
                     p[i] == '\n'))
        i++;
    return i;
}

/* Open the object at p[*at]; -1 when there is none. */
static int obj_open(struct jobj *o, const char *p, size_t n, size_t at)
{
    at = ws(p, at, n);
    if (at >= n || p[at] != '{')
        return -1;
    *o = (struct jobj){ p, n, at + 1, at + 1, true };
    return 0;
}

/* The next member: its key decoded into key, its value at *v (*vlen
 * bytes).  1 for a member, 0 at the object's end, -1 on bad JSON (o->i is
 * then where). */
static int obj_next(struct jobj *o, struct buf *key, const char **v,
                    size_t *vlen)
{
    long len;

    o->i = ws(o->p, o->i, o->n);
    if (o->i < o->n && o->p[o->i] == '}') {
        o->i++;
        return 0;
    }
    if (!o->first) {
        if (o->i >= o->n || o->p[o->i] != ',')
            return -1;
        o->i = ws(o->p, o->i + 1, o->n);
    }
    o->first = false;
    o->key_at = o->i;
    if (o->i >= o->n || o->p[o->i] != '"' ||
        (len = json_skip(o->p + o->i, o->n - o->i)) < 0)
        return -1;
    buf_reset(key);
    if (json_string_decode(o->p + o->i, (size_t)len, key) < 0)
        return -1;
    o->i = ws(o->p, o->i + (size_t)len, o->n);
    if (o->i >= o->n || o->p[o->i] != ':')
        return -1;
    o->i = ws(o->p, o->i + 1, o->n);
    if (o->i >= o->n || (len = json_skip(o->p + o->i, o->n - o->i)) < 0)
        return -1;
    *v = o->p + o->i;
    *vlen = (size_t)len;
    o->i += (size_t)len;
    return 1;
}

/* ------------------------------------------------------------------ */
/* parsing                                                             */

struct parse {
    const char *line;
    char *err;
    size_t errlen;
};

static int fail_at(struct parse *ps, const char *at, const char *fmt, ...)
    ZS_PRINTF(3, 4);

static int fail_at(struct parse *ps, const char *at, const char *fmt, ...)
{
    va_list ap;
    int k = snprintf(ps->err, ps->errlen, "column %ld: ",
                     (long)(at - ps->line) + 1);

    va_start(ap, fmt);
    if (k > 0 && (size_t)k < ps->errlen)
        vsnprintf(ps->err + k, ps->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

/* The JSON string v[0..n) decoded into out (reset first); -1 when it is
 * not a string. */
static int string_value(const char *v, size_t n, struct buf *out)
{
    buf_reset(out);
    if (n < 2 || v[0] != '"' || json_string_decode(v, n, out) < 0)
        return -1;
    if (!out->data && buf_addstr(out, "") < 0)
        return -1;
    return 0;
}

static bool is_token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c);
}

static bool header_set(const struct buf *h, const char *name)
{
    return msg_header_has(h->data, h->len, name, strlen(name));
}

/* "headers": {"Name": "value", ...} into h as NUL-ended lines. */
static int parse_headers(struct parse *ps, const char *v, size_t vlen,
                         struct buf *h)
{
    struct buf name, val;
    struct jobj o;
    const char *hv;
    size_t hvlen, k;
    int rc, count = 0;

    if (obj_open(&o, v, vlen, 0) < 0)
        return fail_at(ps, v, "headers must be an object of strings");
    buf_init(&name, 4096);
    buf_init(&val, 16384);
    while ((rc = obj_next(&o, &name, &hv, &hvlen)) == 1) {
        rc = -1;
        if (!name.len) {
            fail_at(ps, hv, "an empty header name");
            break;
        }
        for (k = 0; k < name.len && is_token_char(name.data[k]); k++)
            ;
        if (k < name.len) {
            fail_at(ps, hv, "bad header name '%.*s'", (int)name.len,
                    name.data);
            break;
        }
        if (!strncasecmp(name.data, "Content-Length", name.len) &&
            name.len == 14) {
            fail_at(ps, hv, "Content-Length is set from the body");
            break;
        }
        if (string_value(hv, hvlen, &val) < 0) {
            fail_at(ps, hv, "header '%.*s' must be a string", (int)name.len,
                    name.data);
            break;
        }
        if (strlen(val.data) != val.len || strpbrk(val.data, "\r\n")) {
            fail_at(ps, hv, "header '%.*s' holds a line break or NUL",
                    (int)name.len, name.data);
            break;
        }
        if (++count > REQSEED_MAX_HEADERS) {
            fail_at(ps, hv, "more than %d headers", REQSEED_MAX_HEADERS);
            break;
        }
        if (buf_add(h, name.data, name.len) < 0 ||
            buf_add(h, ": ", 2) < 0 ||
            buf_add(h, val.data, val.len + 1) < 0) {
            fail_at(ps, hv, "headers too large");
            break;
        }
        rc = 1;
    }
    if (rc < 0 && !ps->err[0])
        fail_at(ps, v + o.i, "bad JSON in headers");
    buf_release(&name);
    buf_release(&val);
    return rc < 0 ? -1 : 0;
}

/* "form": {"k": "v", ...} url-encoded into body. */
static int parse_form(struct parse *ps, const char *v, size_t vlen,
                      struct buf *body)
{
    struct buf name, val;
    struct jobj o;
    const char *fv;
    size_t fvlen;
    int rc;

    if (obj_open(&o, v, vlen, 0) < 0)
        return fail_at(ps, v, "form must be an object of strings");
    buf_init(&name, REQSEED_BODY_MAX);
    buf_init(&val, REQSEED_BODY_MAX);
    while ((rc = obj_next(&o, &name, &fv, &fvlen)) == 1) {
        char *ek, *ev;
        rc = -1;
        if (string_value(fv, fvlen, &val) < 0) {
            fail_at(ps, fv, "form value '%.*s' must be a string",
                    (int)name.len, name.data);
            break;
        }
        ek = curl_easy_escape(NULL, name.data ? name.data : "",
                              (int)name.len);
        ev = curl_easy_escape(NULL, val.data, (int)val.len);
        if (ek && ev && (!body->len || buf_addch(body, '&') == 0) &&
            buf_addstr(body, ek) == 0 && buf_addch(body, '=') == 0 &&
            buf_addstr(body, ev) == 0)
            rc = 1;
        else
            fail_at(ps, fv, "form too large");
        curl_free(ek);
        curl_free(ev);
        if (rc < 0)
            break;
    }
    if (rc < 0 && !ps->err[0])
        fail_at(ps, v + o.i, "bad JSON in form");
    buf_release(&name);
    buf_release(&val);
    return rc < 0 ? -1 : 0;
}

static bool label_ok(const char *s)
{
    size_t n = strlen(s);

    if (!n || n > REQSEED_LABEL_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || strchr("-._~!$&'()*+,;=:@/?%", *s)))
            return false;
    return true;
}

static uint64_t fnv1a(uint64_t h, const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* url, key and is_request from the raw url and what else was given. */
static int set_identity(struct parse *ps, const char *at, const char *raw,
                        struct reqseed *r)
{
    const char *why, *frag = strchr(raw, '#');
    uint64_t h;

    if (!url_is_http(raw))
        return fail_at(ps, at, "url must be http or https");
    r->url = url_normalize(raw, &why);
    if (!r->url)
        return fail_at(ps, at, "url: %s", why);
    if (frag && !label_ok(frag + 1))
        return fail_at(ps, at, "the url's fragment (the seed's label) must "
                       "be 1-%d URL characters", REQSEED_LABEL_MAX);
    r->is_request = frag || strcmp(r->method, "GET") || r->headers_len ||
                    r->body;
    if (frag) {
        r->key = xasprintf("%s%s", r->url, frag);
    } else if (r->is_request) {
        h = fnv1a(0xcbf29ce484222325ULL, r->method, strlen(r->method) + 1);
        h = fnv1a(h, r->headers ? r->headers : "", r->headers_len);
        h = fnv1a(h, "", 1);
        h = fnv1a(h, r->body ? r->body : "", r->body_len);
        r->key = xasprintf("%s#%s-%016llx", r->url, r->method,
                           (unsigned long long)h);
    } else {
        r->key = xstrdup(r->url);
    }
    return 0;
}

int reqseed_parse(const char *line, size_t n, struct reqseed *r, char *err,
                  size_t errlen)
{
    struct parse ps = { line, err, errlen };
    struct buf key, s, headers, body;
    struct jobj o;
    const char *v, *url_at = line, *body_at = NULL;
    char *raw_url = NULL;
    size_t vlen, end;
    int rc;
    bool json = false;

    memset(r, 0, sizeof(*r));
    err[0] = '\0';
    if (obj_open(&o, line, n, 0) < 0)
        return fail_at(&ps, line, "a request seed is a JSON object");
    buf_init(&key, 4096);
    buf_init(&s, REQSEED_BODY_MAX);
    buf_init(&headers, 64 * 1024);
    buf_init(&body, REQSEED_BODY_MAX);
    while ((rc = obj_next(&o, &key, &v, &vlen)) == 1) {
        rc = -1;
        if (!strcmp(key.data ? key.data : "", "url") && key.len == 3) {
            if (string_value(v, vlen, &s) < 0 || !s.len) {
                fail_at(&ps, v, "url must be a string");
                break;
            }
            free(raw_url);
            raw_url = xstrdup(s.data);
            url_at = v;
        } else if (key.len == 6 && !memcmp(key.data, "method", 6)) {
            size_t k;
            if (string_value(v, vlen, &s) < 0 || !s.len ||
                s.len > REQSEED_METHOD_MAX) {
                fail_at(&ps, v, "method must be a string of 1-%d letters",
                        REQSEED_METHOD_MAX);
                break;
            }
            for (k = 0; k < s.len && s.data[k] >= 'A' && s.data[k] <= 'Z';
                 k++)
                ;
            if (k < s.len) {
                fail_at(&ps, v, "method '%s': upper-case letters only",
                        s.data);
                break;
            }
            free(r->method);
            r->method = xstrdup(s.data);
        } else if (key.len == 7 && !memcmp(key.data, "headers", 7)) {
            buf_reset(&headers);
            if (parse_headers(&ps, v, vlen, &headers) < 0)
                break;
        } else if ((key.len == 4 && (!memcmp(key.data, "body", 4) ||
                                     !memcmp(key.data, "json", 4) ||
                                     !memcmp(key.data, "form", 4)))) {
            if (body_at) {
                fail_at(&ps, v, "only one of body, json and form");
                break;
            }
            body_at = v;
            json = key.data[0] == 'j';
            if (key.data[0] == 'b') {
                if (string_value(v, vlen, &body) < 0) {
                    fail_at(&ps, v, "body must be a string (or use json)");
                    break;
                }
            } else if (json) {
                if (buf_add(&body, v, vlen) < 0) {
                    fail_at(&ps, v, "json body over %zu bytes",
                            REQSEED_BODY_MAX);
                    break;
                }
            } else if (parse_form(&ps, v, vlen, &body) < 0) {
                break;
            }
        } else {
            fail_at(&ps, line + o.key_at, "unknown key '%.*s' (url, "
                    "method, headers, body, json, form)", (int)key.len,
                    key.data);
            break;
        }
        rc = 1;
    }
    if (rc == 0) {
        end = ws(line, o.i, n);
        if (end < n)
            rc = fail_at(&ps, line + end, "text after the object");
        else if (!raw_url)
            rc = fail_at(&ps, line, "no url");
    } else if (!err[0]) {
        fail_at(&ps, line + o.i, "bad JSON");
    }
    if (rc == 0) {
        if (!r->method)
            r->method = xstrdup(body_at ? "POST" : "GET");
        if (body_at && (!strcmp(r->method, "GET") ||
                        !strcmp(r->method, "HEAD")))
            rc = fail_at(&ps, body_at, "a %s request has no body",
                         r->method);
    }
    if (rc == 0 && body_at && *body_at != '"' &&
        !header_set(&headers, "Content-Type") &&
        buf_add(&headers, json ? "Content-Type: application/json" :
                "Content-Type: application/x-www-form-urlencoded",
                json ? 31 : 48) < 0)
        rc = fail_at(&ps, body_at, "headers too large");
    if (rc == 0) {
        r->headers_len = headers.len;
        r->headers = headers.len ? buf_detach(&headers, NULL) : NULL;
        if (body_at) {
            r->body_len = body.len;
            /* an empty body is still a body */
            r->body = body.len ? buf_detach(&body, NULL) : xstrdup("");
        }
        rc = set_identity(&ps, url_at, raw_url, r);
    }
    buf_release(&key);
    buf_release(&s);
    buf_release(&headers);
    buf_release(&body);
    free(raw_url);
    if (rc < 0) {
        reqseed_release(r);
        return -1;
    }
    return 0;
}

void reqseed_release(struct reqseed *r)
{
    free(r->key);
    free(r->url);
    free(r->method);
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

bool reqseed_is_key(const char *url)
{
    return strchr(url, '#') != NULL;
}

/* ------------------------------------------------------------------ */
/* the table                                                           */

struct reqtab {
    struct reqseed *v;      /* open addressing on the key's hash */
    size_t cap, n;
    FILE *state;            /* DIR/requests for appending, or NULL */
    char *path;
};

struct reqtab *reqtab_new(void)
{
    struct reqtab *t = xcalloc(1, sizeof(*t));

    t->cap = 64;
    t->v = xcalloc(t->cap, sizeof(*t->v));
    return t;
}

void reqtab_free(struct reqtab *t)
{
    size_t i;

    if (!t)
        return;
    for (i = 0; i < t->cap; i++)
        reqseed_release(&t->v[i]);
    free(t->v);
    if (t->state)
        fclose(t->state);
    free(t->path);
    free(t);
}

static size_t slot_of(const struct reqtab *t, const char *key)
{
    size_t i = (size_t)fnv1a(0xcbf29ce484222325ULL, key, strlen(key)) &
               (t->cap - 1);

    while (t->v[i].key && strcmp(t->v[i].key, key))
        i = (i + 1) & (t->cap - 1);
    return i;
}

static void grow(struct reqtab *t)
{
    struct reqseed *old = t->v;
    size_t i, oldcap = t->cap;

    t->cap *= 2;
    t->v = xcalloc(t->cap, sizeof(*t->v));
    for (i = 0; i < oldcap; i++)
        if (old[i].key)
            t->v[slot_of(t, old[i].key)] = old[i];
    free(old);
}

/* Keep r under its key: 1 new, 0 known (r released). */
static int keep(struct reqtab *t, struct reqseed *r)
{
    size_t i;

    if ((t->n + 1) * 4 > t->cap * 3)
        grow(t);
    i = slot_of(t, r->key);
    if (t->v[i].key) {
        reqseed_release(r);
        return 0;
    }
    t->v[i] = *r;
    memset(r, 0, sizeof(*r));
    t->n++;
    return 1;
}

int reqtab_open_state(struct reqtab *t, const char *dir)
{
    char *line = NULL, err[256];
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    off_t whole = 0;            /* bytes of whole lines */
    bool torn = false;
    FILE *f;

    t->path = xasprintf("%s/requests", dir);
    if ((f = fopen(t->path, "r"))) {
        while ((len = getline(&line, &cap, f)) >= 0) {
            struct reqseed r;
            lineno++;
            if (len == 0 || line[len - 1] != '\n') {
                torn = true;    /* a last line never synced whole */
                break;
            }
            whole += len--;
            if (reqseed_parse(line, (size_t)len, &r, err, sizeof(err)) < 0) {
                log_warn("%s:%ld: %s, skipped", t->path, lineno, err);
                continue;
            }
            keep(t, &r);
        }
        free(line);
        fclose(f);
        /* cut it off, or the next line appended would join it */
        if (torn && truncate(t->path, whole) < 0)
            return error("cannot truncate '%s': %s", t->path,
                         strerror(errno));
    } else if (errno != ENOENT) {
        return error("cannot read '%s': %s", t->path, strerror(errno));
    }
    t->state = fopen(t->path, "a");
    if (!t->state)
        return error("cannot write '%s': %s", t->path, strerror(errno));
    return 0;
}

int reqtab_add(struct reqtab *t, struct reqseed *r, const char *line,
               size_t n)
{
    if (keep(t, r) == 0)
        return 0;
    if (t->state && (fwrite(line, 1, n, t->state) != n ||
                     fputc('\n', t->state) == EOF))
        return error("cannot write '%s': %s", t->path, strerror(errno));
    return 1;
}

const struct reqseed *reqtab_get(const struct reqtab *t, const char *key)
{
    size_t i = slot_of(t, key);

    return t->v[i].key ? &t->v[i] : NULL;
}

size_t reqtab_count(const struct reqtab *t)
{
    return t->n;
}

int reqtab_sync(struct reqtab *t)
{
    if (!t->state)
        return 0;
    if (fflush(t->state) != 0 || fdatasync(fileno(t->state)) != 0)
        return error("cannot write '%s': %s", t->path, strerror(errno));
    return 0;
}
