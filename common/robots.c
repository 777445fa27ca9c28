/* robots.c: robots.txt parsing and matching (RFC 9309); see robots.h for
 * the rules.  Patterns are kept percent-decoded and split at their '*'s
 * into literal segments.  A path matches when the first segment is its
 * prefix and every later segment is found, leftmost first, after the one
 * before (the last one at the very end if the pattern ends in '$').  That
 * greedy search is exact for '*' globs and, with memmem(), linear-ish in
 * the path for each rule: no backtracking, no recursion. */
#include "common/compat.h"

#include "common/util.h"
#include "common/robots.h"

#define ROBOTS_BOM "\xEF\xBB\xBF"
#define ROBOTS_BOM_LEN 3
#define ROBOTS_SELF "/robots.txt"       /* always allowed */
#define ROBOTS_SELF_LEN 11
#define ROBOTS_PATH_STACK 1024          /* paths this long decode on stack */
#define ROBOTS_MS_PER_S 1000L

/* One allow or disallow line. */
struct robots_rule {
    unsigned char *lit;     /* decoded literal octets of all segments */
    uint32_t *ends;         /* end offset in lit of each segment */
    uint32_t nseg;          /* segments: the runs of '*' plus one */
    bool anchored;          /* the pattern ended in '$' */
    bool allow;             /* allow rule, else disallow */
    size_t prio;            /* octets of the pattern: more wins */
};

/* The rules of one kind of group (ours or "*"), combined while parsing. */
struct robots_set {
    struct robots_rule *rules; /* array of n used, cap allocated */
    int n;                  /* rules used */
    int cap;                /* rules allocated */
    long delay_ms;          /* largest Crawl-delay, -1 if none */
    bool found;             /* at least one such group exists */
};

/* Parser state. */
struct robots_parser {
    const char *product;    /* our product token (borrowed) */
    size_t plen;            /* its length, 0 = match only "*" */
    bool in_agents;         /* the last group line was a user-agent line */
    bool grp_ours;          /* the current group names our product */
    bool grp_any;           /* the current group is for "*" */
    struct robots_set ours; /* the groups naming our product */
    struct robots_set any;  /* the "*" groups */
    struct robots *r;       /* the result; sitemaps go straight in */
    int sitemaps_cap;       /* r->sitemaps allocated */
};

struct robots {
    struct robots_rule *rules; /* highest prio first, allow first among
                                  equals: the first match decides */
    int nrules;             /* rules */
    long delay_ms;          /* Crawl-delay of the group we obey, or -1 */
    char **sitemaps;        /* sitemap URLs (owned) */
    int nsitemaps;          /* sitemap URLs */
};

static const char *const keys_user_agent[] = {
    "user-agent", "useragent", "user agent", NULL
};
static const char *const keys_allow[] = { "allow", NULL };
/* Misspellings of a disallow are read as one: the polite reading. */
static const char *const keys_disallow[] = {
    "disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw",
    NULL
};
static const char *const keys_crawl_delay[] = {
    "crawl-delay", "crawldelay", "crawl delay", NULL
};
static const char *const keys_sitemap[] = { "sitemap", "site-map", NULL };

/* ------------------------------------------------------------------ */
/* Text helpers                                                       */
/* ------------------------------------------------------------------ */

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static bool is_eol(char c)
{
    return c == '\n' || c == '\r';
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Do the n bytes at s equal the NUL-terminated w, ignoring ASCII case? */
static bool eq_nocase(const char *s, size_t n, const char *w)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (w[i] == '\0' || ascii_lower((unsigned char)s[i]) !=
                            ascii_lower((unsigned char)w[i]))
            return false;
    return w[n] == '\0';
}

/* Is the n-byte key one of the NULL-terminated list of spellings? */
static bool key_is(const char *key, size_t n, const char *const *words)
{
    for (; *words; words++)
        if (eq_nocase(key, n, *words))
            return true;
    return false;
}

/* Strip whitespace from both ends of s[0..*n). */
static void trim(const char **s, size_t *n)
{
    while (*n && is_ws((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_ws((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Length of the product token at the start of s[0..n): up to the first
 * '/' or whitespace. */
static size_t token_len(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] == '/' || is_ws((unsigned char)s[i]))
            break;
    return i;
}

/* Decode the octet at s[i] of s[0..n) into *c: a %XX escape (any case)
 * or the byte itself (also a '%' without two hex digits).  Returns the
 * bytes consumed, 3 or 1. */
static size_t decode_at(const char *s, size_t n, size_t i, unsigned char *c)
{
    int hi, lo;

    if (s[i] == '%' && n - i > 2 &&
        (hi = hex_digit((unsigned char)s[i + 1])) >= 0 &&
        (lo = hex_digit((unsigned char)s[i + 2])) >= 0) {
        *c = (unsigned char)(hi << 4 | lo);
        return 3;
    }
    *c = (unsigned char)s[i];
    return 1;
}

/* Percent-decode s[0..n) into out (room for n bytes); returns the
 * decoded length. */
static size_t pct_decode(const char *s, size_t n, unsigned char *out)
{
    size_t i = 0, o = 0;

    while (i < n)
        i += decode_at(s, n, i, &out[o++]);
    return o;
}

void robots_product(const char *user_agent, char *out, size_t outlen)
{
    size_t n;

    if (!outlen)
        return;
    if (!user_agent)
        user_agent = "";
    while (is_ws((unsigned char)*user_agent))
        user_agent++;
    n = token_len(user_agent, strlen(user_agent));
    if (n > outlen - 1)
        n = outlen - 1;
    memcpy(out, user_agent, n);
    out[n] = '\0';
}

/* ------------------------------------------------------------------ */
/* Rules                                                              */
/* ------------------------------------------------------------------ */

/* Compile the pattern p[0..n) (n > 0, n <= ROBOTS_PARSE_MAX) into r. */
static void rule_compile(struct robots_rule *r, const char *p, size_t n,
                         bool allow)
{
    size_t i, o = 0, stars = 0, segs = 1;

    r->allow = allow;
    r->anchored = p[n - 1] == '$';
    if (r->anchored)
        n--;
    for (i = 0; i < n; i++)
        if (p[i] == '*') {
            stars++;
            if (i == 0 || p[i - 1] != '*')
                segs++;
        }
    r->lit = xmalloc(n + 1);
    r->ends = xmalloc(segs * sizeof(*r->ends));
    r->nseg = 0;
    i = 0;
    while (i < n) {
        if (p[i] == '*') {
            /* a run of '*' is one wildcard */
            if (i == 0 || p[i - 1] != '*')
                r->ends[r->nseg++] = (uint32_t)o;
            i++;
            continue;
        }
        i += decode_at(p, n, i, &r->lit[o++]);
    }
    r->ends[r->nseg++] = (uint32_t)o;
    r->prio = o + stars + (r->anchored ? 1 : 0);
}

static void rule_release(struct robots_rule *r)
{
    free(r->lit);
    free(r->ends);
}

/* Does rule r match the decoded path s[0..n)? */
static bool rule_match(const struct robots_rule *r, const unsigned char *s,
                       size_t n)
{
    size_t start = 0, pos, len;
    uint32_t k;

    /* the first segment is a prefix */
    len = r->ends[0];
    if (len > n || memcmp(s, r->lit, len) != 0)
        return false;
    pos = len;
    if (r->nseg == 1)
        return !r->anchored || pos == n;
    for (k = 1; k < r->nseg; k++) {
        const unsigned char *lit, *hit;
        start = r->ends[k - 1];
        lit = r->lit + start;
        len = r->ends[k] - start;
        if (k == r->nseg - 1 && r->anchored)
            return len <= n - pos && memcmp(s + n - len, lit, len) == 0;
        if (len == 0)
            continue;       /* a trailing '*' */
        hit = memmem(s + pos, n - pos, lit, len);
        if (!hit)
            return false;
        pos = (size_t)(hit - s) + len;
    }
    return true;
}

/* qsort order: most octets first; allow before disallow among equals. */
static int rule_cmp(const void *a, const void *b)
{
    const struct robots_rule *x = a, *y = b;

    if (x->prio != y->prio)
        return x->prio > y->prio ? -1 : 1;
    return (int)y->allow - (int)x->allow;
}

static void set_add(struct robots_set *set, const char *p, size_t n,
                    bool allow)
{
    if (set->n >= ROBOTS_RULES_MAX)
        return;
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 16;
        set->rules = xrealloc(set->rules, (size_t)set->cap *
                                          sizeof(*set->rules));
    }
    rule_compile(&set->rules[set->n++], p, n, allow);
}

static void set_release(struct robots_set *set)
{
    int i;

    for (i = 0; i < set->n; i++)
        rule_release(&set->rules[i]);
    free(set->rules);
    set->rules = NULL;
    set->n = set->cap = 0;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                            */
/* ------------------------------------------------------------------ */

/* Parse a Crawl-delay value: seconds with an optional fraction ("2",
 * "0.5", ".25"; anything after the number is ignored).  Returns
 * milliseconds, at most ROBOTS_DELAY_MAX_MS, or -1 if there is no
 * number. */
static long parse_delay(const char *v, size_t n)
{
    const long max_s = ROBOTS_DELAY_MAX_MS / ROBOTS_MS_PER_S;
    long whole = 0, frac = 0, scale = ROBOTS_MS_PER_S / 10, ms;
    bool digits = false;
    size_t i = 0;

    for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
        digits = true;
        if (whole <= max_s)
            whole = whole * 10 + (v[i] - '0');
    }
    if (i < n && v[i] == '.')
        for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
            digits = true;
            frac += (v[i] - '0') * scale;
            scale /= 10;
        }
    if (!digits)
        return -1;
    if (whole > max_s)
        return ROBOTS_DELAY_MAX_MS;
    ms = whole * ROBOTS_MS_PER_S + frac;
    return ms > ROBOTS_DELAY_MAX_MS ? ROBOTS_DELAY_MAX_MS : ms;
}

static void on_user_agent(struct robots_parser *ps, const char *v, size_t n)
{
    size_t tl = token_len(v, n);

    if (!ps->in_agents) {
        /* the first user-agent line after rules starts a new group */
        ps->in_agents = true;
        ps->grp_ours = ps->grp_any = false;
    }
    if (tl == 1 && v[0] == '*') {
        ps->grp_any = true;
        ps->any.found = true;
    } else if (ps->plen && tl == ps->plen &&
               eq_nocase(v, tl, ps->product)) {
        ps->grp_ours = true;
        ps->ours.found = true;
    }
}

static void on_rule(struct robots_parser *ps, const char *v, size_t n,
                    bool allow)
{
    ps->in_agents = false;
    if (n == 0)
        return;             /* "disallow:" alone disallows nothing */
    if (ps->grp_ours)
        set_add(&ps->ours, v, n, allow);
    /* once a group names us, "*" groups no longer matter */
    if (ps->grp_any && !ps->ours.found)
        set_add(&ps->any, v, n, allow);
}

static void on_crawl_delay(struct robots_parser *ps, const char *v,
                           size_t n)
{
    long ms = parse_delay(v, n);

    ps->in_agents = false;
    if (ms < 0)
        return;
    if (ps->grp_ours && ms > ps->ours.delay_ms)
        ps->ours.delay_ms = ms;
    if (ps->grp_any && ms > ps->any.delay_ms)
        ps->any.delay_ms = ms;
}

static void on_sitemap(struct robots_parser *ps, const char *v, size_t n)
{
    struct robots *r = ps->r;

    if (n == 0 || r->nsitemaps >= ROBOTS_SITEMAPS_MAX)
        return;
    if (r->nsitemaps == ps->sitemaps_cap) {
        ps->sitemaps_cap = ps->sitemaps_cap ? ps->sitemaps_cap * 2 : 4;
        r->sitemaps = xrealloc(r->sitemaps, (size_t)ps->sitemaps_cap *
                                            sizeof(*r->sitemaps));
    }
    r->sitemaps[r->nsitemaps++] = xstrndup(v, n);
}

/* One line, without its line end. */
static void parse_line(struct robots_parser *ps, const char *line, size_t n)
{
    const char *hash = memchr(line, '#', n), *colon, *key, *val;
    size_t klen, vlen;

    if (hash)
        n = (size_t)(hash - line);
    colon = memchr(line, ':', n);
    if (!colon)
        return;
    key = line;
    klen = (size_t)(colon - line);
    val = colon + 1;
    vlen = n - klen - 1;
    trim(&key, &klen);
    trim(&val, &vlen);
    if (key_is(key, klen, keys_user_agent))
        on_user_agent(ps, val, vlen);
    else if (key_is(key, klen, keys_allow))
        on_rule(ps, val, vlen, true);
    else if (key_is(key, klen, keys_disallow))
        on_rule(ps, val, vlen, false);
    else if (key_is(key, klen, keys_crawl_delay))
        on_crawl_delay(ps, val, vlen);
    else if (key_is(key, klen, keys_sitemap))
        on_sitemap(ps, val, vlen);
    /* anything else is ignored and does not end a group */
}

/* How much of text[0..len) to parse: at most ROBOTS_PARSE_MAX bytes, and
 * not a last line that the limit cuts short. */
static size_t parse_limit(const char *text, size_t len)
{
    size_t cut = ROBOTS_PARSE_MAX;

    if (len <= cut || is_eol(text[cut]))
        return len <= cut ? len : cut;
    while (cut > 0 && !is_eol(text[cut - 1]))
        cut--;
    return cut;
}

struct robots *robots_parse(const char *text, size_t len,
                            const char *product)
{
    struct robots *r = xcalloc(1, sizeof(*r));
    struct robots_parser ps;
    struct robots_set *use = NULL;
    size_t i = 0;

    memset(&ps, 0, sizeof(ps));
    ps.product = product ? product : "";
    ps.plen = strlen(ps.product);
    ps.ours.delay_ms = ps.any.delay_ms = -1;
    ps.r = r;
    if (!text)
        len = 0;
    len = parse_limit(text, len);
    if (len >= ROBOTS_BOM_LEN && !memcmp(text, ROBOTS_BOM, ROBOTS_BOM_LEN))
        i = ROBOTS_BOM_LEN;
    while (i < len) {
        size_t start = i;
        while (i < len && !is_eol(text[i]))
            i++;
        parse_line(&ps, text + start, i - start);
        if (i + 1 < len && text[i] == '\r' && text[i + 1] == '\n')
            i++;
        i++;
    }

    if (ps.ours.found)
        use = &ps.ours;
    else if (ps.any.found)
        use = &ps.any;
    r->delay_ms = -1;
    if (use) {
        r->rules = use->rules;
        r->nrules = use->n;
        r->delay_ms = use->delay_ms;
        use->rules = NULL;
        use->n = use->cap = 0;
    }
    set_release(&ps.ours);
    set_release(&ps.any);
    if (r->nrules > 1)
        qsort(r->rules, (size_t)r->nrules, sizeof(*r->rules), rule_cmp);
    return r;
}

struct robots *robots_allow_all(void)
{
    return robots_parse(NULL, 0, NULL);
}

struct robots *robots_disallow_all(void)
{
    static const char all[] = "user-agent: *\ndisallow: /\n";

    return robots_parse(all, sizeof(all) - 1, NULL);
}

void robots_free(struct robots *r)
{
    int i;

    if (!r)
        return;
    for (i = 0; i < r->nrules; i++)
        rule_release(&r->rules[i]);
    free(r->rules);
    for (i = 0; i < r->nsitemaps; i++)
        free(r->sitemaps[i]);
    free(r->sitemaps);
    free(r);
}

/* ------------------------------------------------------------------ */
/* Queries                                                            */
/* ------------------------------------------------------------------ */

bool robots_allowed(const struct robots *r, const char *path_and_query)
{
    unsigned char stack[ROBOTS_PATH_STACK], *path = stack;
    size_t n, len;
    bool ok = true;
    int i;

    if (!r || !r->nrules)
        return true;
    if (!path_and_query)
        path_and_query = "";
    n = strlen(path_and_query);
    if (n + 1 > sizeof(stack))
        path = xmalloc(n + 1);
    /* an empty path is "/" (RFC 3986 6.2.3) */
    len = 0;
    if (path_and_query[0] == '\0' || path_and_query[0] == '?')
        path[len++] = '/';
    len += pct_decode(path_and_query, n, path + len);
    if (len >= ROBOTS_SELF_LEN &&
        !memcmp(path, ROBOTS_SELF, ROBOTS_SELF_LEN) &&
        (len == ROBOTS_SELF_LEN || path[ROBOTS_SELF_LEN] == '?'))
        goto out;
    /* sorted by precedence: the first rule that matches decides */
    for (i = 0; i < r->nrules; i++)
        if (rule_match(&r->rules[i], path, len)) {
            ok = r->rules[i].allow;
            break;
        }
out:
    if (path != stack)
        free(path);
    return ok;
}

long robots_crawl_delay_ms(const struct robots *r)
{
    return r ? r->delay_ms : -1;
}

int robots_nsitemaps(const struct robots *r)
{
    return r ? r->nsitemaps : 0;
}

const char *robots_sitemap(const struct robots *r, int i)
{
    if (!r || i < 0 || i >= r->nsitemaps)
        return NULL;
    return r->sitemaps[i];
}
