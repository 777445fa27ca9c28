/* reqseed.h: request seeds.  A line of a seeds file that starts with '{'
 * is a JSON object that asks for more than a GET of a URL:
 *
 *   {"url": "https://api.example/search", "method": "POST",
 *    "headers": {"X-Token": "abc"}, "json": {"q": "shoes"}}
 *
 * Keys: url (required), method (default GET, or POST when there is a
 * body), headers (an object of strings), and at most one body: body (a
 * string, sent as is, with no Content-Type but one headers give), json
 * (any JSON value, sent as its text, Content-Type: application/json) or
 * form (an object of strings, sent url-encoded, Content-Type:
 * application/x-www-form-urlencoded); headers may set another
 * Content-Type.  Anything else is refused.
 *
 * A request seed needs a name of its own: two POSTs to one URL are two
 * pages.  Its key, the URL in the ledger, the journal and the record, is
 * the normalized URL plus a fragment (never sent; normalized URLs have
 * none): the seed's own fragment when its url has one (a label the user
 * chooses: "https://api.example/search#shoes"), else "#METHOD-" and 16 hex
 * digits of a hash of method, headers and body.  A seed whose JSON asks
 * for a plain GET without a fragment is an ordinary URL.
 *
 * The sink keeps every request seed in a table for the whole crawl (a
 * lease that runs out dispatches it again) and, with --state, in
 * DIR/requests (its JSON lines as given), so a resumed crawl can send the
 * requests its journal still holds. */
#ifndef ZS_REQSEED_H
#define ZS_REQSEED_H

#include "common/compat.h"

#define REQSEED_MAX_HEADERS 64
#define REQSEED_BODY_MAX ((size_t)1 << 20)

struct reqseed {
    char *key;              /* the ledger's URL: url#fragment (owned) */
    char *url;              /* normalized, what is fetched (owned) */
    char *method;           /* "GET", "POST", ... (owned) */
    char *headers;          /* "Name: value" lines, each NUL-ended */
    size_t headers_len;
    char *body;             /* may hold NULs; NULL when none */
    size_t body_len;
    bool is_request;        /* more than a plain GET of url */
};

/* Parse the JSON object line[0..n) into r.  -1 with a message naming the
 * column in err (r then holds nothing). */
int reqseed_parse(const char *line, size_t n, struct reqseed *r, char *err,
                  size_t errlen);
void reqseed_release(struct reqseed *r);

/* True when url is a request seed's key (it has a fragment). */
bool reqseed_is_key(const char *url);

struct reqtab;

struct reqtab *reqtab_new(void);
void reqtab_free(struct reqtab *t);
/* --state: load DIR/requests (bad lines skipped with a warning), then
 * append new seeds to it.  -1 when it cannot be read or opened. */
int reqtab_open_state(struct reqtab *t, const char *dir);
/* Keep r (taken; r is emptied) under its key, and its line in
 * DIR/requests.  1 when new, 0 when the key was known (r is released;
 * the first one stays), -1 when DIR/requests cannot be written. */
int reqtab_add(struct reqtab *t, struct reqseed *r, const char *line,
               size_t n);
/* The request of key, or NULL. */
const struct reqseed *reqtab_get(const struct reqtab *t, const char *key);
size_t reqtab_count(const struct reqtab *t);
/* Flush DIR/requests to disk (before the journal names its keys). */
int reqtab_sync(struct reqtab *t);

#endif
