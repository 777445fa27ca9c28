/* test_validators.c: sink/validators.c, the --state folder's stored URLs
 * with their depth, ETag and Last-Modified: the line format, what is
 * refused, the append-only file read back (last line wins, torn tail and
 * bad lines skipped), and a table grown past its first buckets. */
#include "common/compat.h"

#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "sink/validators.h"
#include "tests/unit/test.h"

#define LMOD "Tue, 01 Jan 2030 00:00:00 GMT"
#define MANY 5000

static void test_parse_line(void)
{
    char a[] = "http://a/\t2\t\"e1\"\t" LMOD, b[] = "http://a/\t0\t\t";
    char c[] = "http://a/\t\"e1\"\t" LMOD, d[] = "\t0\t\"e\"\t";
    char e[] = "http://a/\tx\t\"e\"\t", f[] = "http://a/\t1\ta\tb\tc";
    char *url, *etag, *lastmod;
    uint32_t depth;

    CHECK_INT(validators_parse_line(a, &url, &depth, &etag, &lastmod), 0);
    CHECK_STR(url, "http://a/");
    CHECK_INT(depth, 2);
    CHECK_STR(etag, "\"e1\"");
    CHECK_STR(lastmod, LMOD);
    CHECK_INT(validators_parse_line(b, &url, &depth, &etag, &lastmod), 0);
    CHECK_STR(etag, "");
    CHECK_STR(lastmod, "");
    CHECK_INT(validators_parse_line(c, &url, &depth, &etag, &lastmod), -1);
    CHECK_INT(validators_parse_line(d, &url, &depth, &etag, &lastmod), -1);
    CHECK_INT(validators_parse_line(e, &url, &depth, &etag, &lastmod), -1);
    CHECK_INT(validators_parse_line(f, &url, &depth, &etag, &lastmod), -1);
}

static int lines_of(const char *path)
{
    FILE *f = fopen(path, "r");
    int c, n = 0;

    if (!f)
        return -1;
    while ((c = getc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static size_t counted;   /* URLs validators_each gave */
static uint32_t depth_sum;

static void on_url(void *arg, const char *url, uint32_t depth)
{
    (void)arg;
    (void)url;
    counted++;
    depth_sum += depth;
}

static void test_store(const char *dir)
{
    char *path = xasprintf("%s/%s", dir, VALIDATORS_FILE);
    char big[VALIDATORS_VALUE_MAX + 2];
    const char *etag, *lastmod;
    struct validators *v;
    FILE *f;
    int i;

    v = validators_open(dir);
    CHECK(v != NULL);
    if (!v)
        goto out;
    CHECK(!validators_get(v, "http://a/", &etag, &lastmod));
    CHECK_INT(validators_put(v, "http://a/", 0, "\"e1\"", 4, LMOD,
                             strlen(LMOD)), 1);
    CHECK_INT(validators_put(v, "http://a/", 0, "\"e1\"", 4, LMOD,
                             strlen(LMOD)), 0);          /* the same */
    CHECK_INT(validators_put(v, "http://b/", 1, "\"b\"", 3, "", 0), 1);
    CHECK_INT(validators_put(v, "http://b/", 1, "\"b2\"", 4, "", 0), 1);
    /* a URL without validators is stored (a re-crawl fetches it again)
     * but has nothing to ask with */
    CHECK_INT(validators_put(v, "http://c/", 2, "", 0, "", 0), 1);
    CHECK(!validators_get(v, "http://c/", &etag, &lastmod));
    /* refused: control characters, too long, a tab in the URL */
    CHECK_INT(validators_put(v, "http://d/", 0, "a\nb", 3, "", 0), 0);
    memset(big, 'x', sizeof(big));
    CHECK_INT(validators_put(v, "http://d/", 0, big, sizeof(big), "", 0), 0);
    CHECK_INT(validators_put(v, "http://d/\tx", 0, "e", 1, "", 0), 0);
    CHECK(validators_get(v, "http://b/", &etag, &lastmod));
    CHECK_STR(etag, "\"b2\"");
    CHECK_STR(lastmod, "");
    CHECK_INT(validators_count(v), 3);
    CHECK_INT(validators_close(v), 0);
    CHECK_INT(lines_of(path), 4);

    /* read back; then a bad line and a torn tail are skipped */
    f = fopen(path, "a");
    fputs("garbage line\nhttp://a/\t0\t\"torn", f);
    fclose(f);
    v = validators_open(dir);
    CHECK(v != NULL);
    if (!v)
        goto out;
    CHECK_INT(validators_count(v), 3);
    CHECK(validators_get(v, "http://a/", &etag, &lastmod));
    CHECK_STR(etag, "\"e1\"");
    CHECK_STR(lastmod, LMOD);
    CHECK(validators_get(v, "http://b/", &etag, &lastmod));
    CHECK_STR(etag, "\"b2\"");
    /* the next line starts on a line of its own after the torn tail */
    CHECK_INT(validators_put(v, "http://a/", 0, "\"e2\"", 4, "", 0), 1);
    /* grow the table past its first buckets */
    for (i = 0; i < MANY; i++) {
        char url[64];
        snprintf(url, sizeof(url), "http://many/%d", i);
        validators_put(v, url, 1, "\"m\"", 3, "", 0);
    }
    CHECK_INT(validators_count(v), 3 + MANY);
    counted = 0;
    depth_sum = 0;
    validators_each(v, on_url, NULL);
    CHECK_INT(counted, 3 + MANY);
    CHECK_INT(depth_sum, 3 + MANY);     /* a:0 b:1 c:2, many:1 each */
    CHECK_INT(validators_close(v), 0);
    v = validators_open(dir);
    CHECK(v != NULL);
    if (!v)
        goto out;
    CHECK_INT(validators_count(v), 3 + MANY);
    CHECK(validators_get(v, "http://a/", &etag, &lastmod));
    CHECK_STR(etag, "\"e2\"");
    CHECK_STR(lastmod, "");
    CHECK(validators_get(v, "http://many/4999", &etag, &lastmod));
    CHECK_INT(validators_close(v), 0);
out:
    unlink(path);
    free(path);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = xasprintf("%s/zs-validators.XXXXXX", tmp && *tmp ? tmp
                                                                   : "/tmp");

    log_init("test", LOG_ERROR);
    test_parse_line();
    CHECK(mkdtemp(dir) != NULL);
    test_store(dir);
    rmdir(dir);
    free(dir);
    return TEST_DONE();
}
