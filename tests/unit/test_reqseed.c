/* test_reqseed.c: sink/reqseed.c, request seeds: what a JSON seed line
 * gives (method, headers, body, key), every refusal with its column, the
 * key's stability, the table (grown past its first slots) and its
 * DIR/requests file read back (bad lines skipped, a torn tail cut off);
 * and
 * common/json.c's json_skip, which finds the values. */
#include "common/compat.h"

#include <unistd.h>

#include "common/json.h"
#include "common/log.h"
#include "common/util.h"
#include "sink/reqseed.h"
#include "tests/unit/test.h"

#define MANY 300

static int parse(const char *line, struct reqseed *r, char *err)
{
    return reqseed_parse(line, strlen(line), r, err, 300);
}

static void test_json_skip(void)
{
    static const struct { const char *in; long want; } cases[] = {
        { "\"a\\\"b\" x", 6 }, { "123,", 3 }, { "-1.5e3]", 6 },
        { "true ", 4 }, { "null", 4 }, { "{}", 2 }, { "[ ]", 3 },
        { "{\"a\": [1, {\"b\": \"}\"}], \"c\": null} tail", 33 },
        { "[1, 2", -1 }, { "{\"a\" 1}", -1 }, { "{1: 2}", -1 },
        { "\"abc", -1 }, { "tru", -1 }, { "", -1 }, { "[1,]", -1 },
        { "\"a\nb\"", -1 }, { "x", -1 }, { "{\"a\": 1,}", -1 },
    };
    char deep[2 * (JSON_SKIP_DEPTH + 1) + 1];
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        long got = json_skip(cases[i].in, strlen(cases[i].in));
        if (got != cases[i].want)
            fprintf(stderr, "json_skip('%s')\n", cases[i].in);
        CHECK_INT(got, cases[i].want);
    }
    memset(deep, '[', JSON_SKIP_DEPTH);
    memset(deep + JSON_SKIP_DEPTH, ']', JSON_SKIP_DEPTH);
    CHECK_INT(json_skip(deep, 2 * JSON_SKIP_DEPTH), 2 * JSON_SKIP_DEPTH);
    memset(deep, '[', JSON_SKIP_DEPTH + 1);
    memset(deep + JSON_SKIP_DEPTH + 1, ']', JSON_SKIP_DEPTH + 1);
    CHECK_INT(json_skip(deep, 2 * JSON_SKIP_DEPTH + 2), -1);
}

static void test_parse(void)
{
    struct reqseed r;
    char err[300];

    /* a form: POST, url-encoded, its Content-Type */
    CHECK_INT(parse("{\"url\": \"HTTP://Ex.COM/a/../s?q=1\", "
                    "\"form\": {\"q\": \"red shoes\", \"x\": \"&=\"}}",
                    &r, err), 0);
    CHECK_STR(r.url, "http://ex.com/s?q=1");
    CHECK_STR(r.method, "POST");
    CHECK_INT(r.body_len, strlen("q=red%20shoes&x=%26%3D"));
    CHECK(r.body && !memcmp(r.body, "q=red%20shoes&x=%26%3D", r.body_len));
    CHECK_STR(r.headers, "Content-Type: application/x-www-form-urlencoded");
    CHECK(r.is_request);
    CHECK(!strncmp(r.key, "http://ex.com/s?q=1#POST-", 25) &&
          strlen(r.key) == 25 + 16);
    reqseed_release(&r);

    /* json: its text as given; headers; a label names it */
    CHECK_INT(parse(" {\"headers\": {\"X-A\": \"1\", \"X-B\": \"\\u00e9\"}, "
                    "\"json\": [1, {\"k\": null}], "
                    "\"url\": \"http://ex.com/api#my-label\", "
                    "\"method\": \"PATCH\"} ", &r, err), 0);
    CHECK_STR(r.method, "PATCH");
    CHECK_STR(r.key, "http://ex.com/api#my-label");
    CHECK_STR(r.url, "http://ex.com/api");
    CHECK_INT(r.body_len, strlen("[1, {\"k\": null}]"));
    CHECK(r.headers_len == strlen("X-A: 1") + strlen("X-B: \xc3\xa9") +
          strlen("Content-Type: application/json") + 3);
    CHECK_STR(r.headers, "X-A: 1");
    CHECK_STR(r.headers + 7, "X-B: \xc3\xa9");
    reqseed_release(&r);

    /* a body as is, NUL included, no Content-Type added */
    CHECK_INT(parse("{\"url\": \"http://ex.com/\", \"method\": \"PUT\", "
                    "\"body\": \"a\\u0000b\"}", &r, err), 0);
    CHECK_INT(r.body_len, 3);
    CHECK(r.body && !memcmp(r.body, "a\0b", 3));
    CHECK(r.headers == NULL && r.headers_len == 0);
    reqseed_release(&r);

    /* headers' Content-Type wins over json's */
    CHECK_INT(parse("{\"url\": \"http://ex.com/\", \"json\": 1, \"headers\": "
                    "{\"content-type\": \"text/x\"}}", &r, err), 0);
    CHECK_INT(r.headers_len, strlen("content-type: text/x") + 1);
    reqseed_release(&r);

    /* a plain GET is just a URL; a method without a body has none */
    CHECK_INT(parse("{\"url\": \"http://ex.com/x#frag-less\"}", &r, err), 0);
    CHECK(r.is_request);        /* a label asks for a key of its own */
    reqseed_release(&r);
    CHECK_INT(parse("{\"url\": \"http://ex.com/x\", \"method\": \"GET\"}",
                    &r, err), 0);
    CHECK(!r.is_request);
    CHECK_STR(r.key, "http://ex.com/x");
    reqseed_release(&r);
    CHECK_INT(parse("{\"url\": \"http://ex.com/x\", \"method\": \"DELETE\"}",
                    &r, err), 0);
    CHECK(r.is_request && r.body == NULL);
    CHECK(!strncmp(r.key, "http://ex.com/x#DELETE-", 23));
    reqseed_release(&r);
    /* an empty body is a body */
    CHECK_INT(parse("{\"url\": \"http://ex.com/x\", \"body\": \"\"}", &r,
                    err), 0);
    CHECK(r.body != NULL && r.body_len == 0);
    CHECK_STR(r.method, "POST");
    reqseed_release(&r);
}

static void test_key(void)
{
    struct reqseed a, b, c;
    char err[300];

    /* the same request, written otherwise: the same key */
    CHECK_INT(parse("{\"url\":\"http://ex.com/s\",\"json\":{\"q\":1}}", &a,
                    err), 0);
    CHECK_INT(parse("{ \"json\" : {\"q\":1} , \"url\" : \"http://EX.com/s\" }",
                    &b, err), 0);
    /* another body: another key */
    CHECK_INT(parse("{\"url\":\"http://ex.com/s\",\"json\":{\"q\":2}}", &c,
                    err), 0);
    CHECK_STR(a.key, b.key);
    CHECK(strcmp(a.key, c.key) != 0);
    reqseed_release(&a);
    reqseed_release(&b);
    reqseed_release(&c);
}

static void test_refused(void)
{
    static const struct { const char *in, *err; } cases[] = {
        { "[1]", "column 1: a request seed is a JSON object" },
        { "{\"url\": \"http://e/\", \"x\": 1}",
          "column 22: unknown key 'x' (url, method, headers, body, json, "
          "form)" },
        { "{\"method\": \"POST\"}", "column 1: no url" },
        { "{\"url\": \"ftp://e/\"}", "column 9: url must be http or https" },
        { "{\"url\": 5}", "column 9: url must be a string" },
        { "{\"url\": \"http://e/\", \"method\": \"post\"}",
          "column 32: method 'post': upper-case letters only" },
        { "{\"url\": \"http://e/\", \"body\": \"a\", \"json\": 1}",
          "column 43: only one of body, json and form" },
        { "{\"url\": \"http://e/\", \"method\": \"GET\", \"body\": \"a\"}",
          "column 47: a GET request has no body" },
        { "{\"url\": \"http://e/\", \"headers\": {\"A B\": \"1\"}}",
          "column 41: bad header name 'A B'" },
        { "{\"url\": \"http://e/\", \"headers\": {\"A\": \"1\\r\\n2\"}}",
          "column 39: header 'A' holds a line break or NUL" },
        { "{\"url\": \"http://e/\", \"headers\": {\"Content-Length\": \"1\"}}",
          "column 52: Content-Length is set from the body" },
        { "{\"url\": \"http://e/\", \"headers\": [\"A: 1\"]}",
          "column 33: headers must be an object of strings" },
        { "{\"url\": \"http://e/\", \"form\": {\"a\": 1}}",
          "column 36: form value 'a' must be a string" },
        { "{\"url\": \"http://e/\", \"body\": {}}",
          "column 30: body must be a string (or use json)" },
        { "{\"url\": \"http://e/#a b\"}",
          "column 9: the url's fragment (the seed's label) must be 1-256 "
          "URL characters" },
        { "{\"url\": \"http://e/\"} x", "column 22: text after the object" },
        { "{\"url\": \"http://e/\"", "column 20: bad JSON" },
        { "{\"url\": \"http://e/\",, }", "column 21: bad JSON" },
    };
    struct reqseed r;
    char err[300];
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc = parse(cases[i].in, &r, err);
        CHECK_INT(rc, -1);
        if (rc == -1)
            CHECK_STR(err, cases[i].err);
        CHECK(r.key == NULL && r.url == NULL && r.body == NULL);
    }
}

static void add_line(struct reqtab *t, const char *line, int want)
{
    struct reqseed r;
    char err[300];

    CHECK_INT(parse(line, &r, err), 0);
    CHECK_INT(reqtab_add(t, &r, line, strlen(line)), want);
    CHECK(r.key == NULL);       /* taken or released */
}

static void test_table(void)
{
    char dir[] = "/tmp/zs-reqseed.XXXXXX", *path, line[200], *key0 = NULL;
    struct reqtab *t;
    const struct reqseed *g;
    struct reqseed r;
    char err[300];
    FILE *f;
    int i;

    CHECK(mkdtemp(dir) != NULL);
    t = reqtab_new();
    CHECK_INT(reqtab_open_state(t, dir), 0);
    for (i = 0; i < MANY; i++) {
        snprintf(line, sizeof(line), "{\"url\": \"http://e/%d\", \"body\": "
                 "\"n=%d\"}", i % 7, i);
        add_line(t, line, 1);
    }
    add_line(t, "{\"url\": \"http://e/1\", \"body\": \"n=1\"}", 0);
    add_line(t, "{\"url\": \"http://e/x#lab\", \"method\": \"PUT\"}", 1);
    CHECK_INT(reqtab_count(t), MANY + 1);
    CHECK_INT(reqtab_sync(t), 0);
    CHECK_INT(parse("{\"url\": \"http://e/3\", \"body\": \"n=10\"}", &r, err),
              0);
    key0 = xstrdup(r.key);
    reqseed_release(&r);
    g = reqtab_get(t, key0);
    CHECK(g && g->body_len == 4 && !memcmp(g->body, "n=10", 4));
    CHECK(reqtab_get(t, "http://e/x#lab") != NULL);
    CHECK(reqtab_get(t, "http://e/x#other") == NULL);
    reqtab_free(t);

    /* read back, with a bad line and a torn last one */
    path = xasprintf("%s/requests", dir);
    f = fopen(path, "a");
    CHECK(f != NULL);
    if (f) {
        fputs("{\"url\": 1}\n{\"url\": \"http://e/torn\", \"body\"", f);
        fclose(f);
    }
    t = reqtab_new();
    CHECK_INT(reqtab_open_state(t, dir), 0);
    CHECK_INT(reqtab_count(t), MANY + 1);
    g = reqtab_get(t, key0);
    CHECK(g && g->body_len == 4 && !memcmp(g->body, "n=10", 4));
    g = reqtab_get(t, "http://e/x#lab");
    CHECK(g && !strcmp(g->method, "PUT"));
    /* the torn tail is cut off: a line added now reads back whole */
    add_line(t, "{\"url\": \"http://e/after\", \"method\": \"DELETE\"}", 1);
    reqtab_free(t);
    t = reqtab_new();
    CHECK_INT(reqtab_open_state(t, dir), 0);
    CHECK_INT(reqtab_count(t), MANY + 2);
    CHECK_INT(parse("{\"url\": \"http://e/after\", \"method\": \"DELETE\"}",
                    &r, err), 0);
    CHECK(reqtab_get(t, r.key) != NULL);
    reqseed_release(&r);
    reqtab_free(t);
    free(key0);
    unlink(path);
    free(path);
    rmdir(dir);
}

int main(void)
{
    log_init("test", LOG_ERROR);
    test_json_skip();
    test_parse();
    test_key();
    test_refused();
    test_table();
    return TEST_DONE();
}
