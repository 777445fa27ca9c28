/* test_fetchopt.c: common/fetchopt.c, the checks of the fetchers' header,
 * credential, proxy-list and file options. */
#include "common/compat.h"

#include <unistd.h>

#include "common/fetchopt.h"
#include "tests/unit/test.h"

#define TEMP_NAME "/tmp/zs-fetchopt.XXXXXX"

static void test_header(void)
{
    char err[256];

    CHECK_INT(fetchopt_header("X-Test: a b", err, sizeof(err)), 0);
    CHECK_INT(fetchopt_header("Accept:", err, sizeof(err)), 0);
    CHECK_INT(fetchopt_header("Authorization: Bearer t", err, sizeof(err)),
              0);
    CHECK_INT(fetchopt_header("X-Test", err, sizeof(err)), -1);
    CHECK_INT(fetchopt_header(": v", err, sizeof(err)), -1);
    CHECK_INT(fetchopt_header("X Test: v", err, sizeof(err)), -1);
    CHECK_INT(fetchopt_header("X: a\r\nY: b", err, sizeof(err)), -1);
    CHECK_STR(err, "a header line holds no CR or LF");
}

static void test_auth(void)
{
    char err[256];
    size_t n = 0;

    CHECK_INT(fetchopt_auth("Example.com=al:pw:x", &n, err, sizeof(err)), 0);
    CHECK_INT(n, 11);
    CHECK_INT(fetchopt_auth("[::1]=al:pw", &n, err, sizeof(err)), 0);
    CHECK_INT(n, 5);
    CHECK_INT(fetchopt_auth("al:secret", &n, err, sizeof(err)), -1);
    CHECK(!strstr(err, "secret"));
    CHECK_INT(fetchopt_auth("h=secret", &n, err, sizeof(err)), -1);
    CHECK(!strstr(err, "secret"));
    CHECK_INT(fetchopt_auth("=al:pw", &n, err, sizeof(err)), -1);
    CHECK_INT(fetchopt_auth("h=:pw", &n, err, sizeof(err)), -1);
    CHECK_INT(fetchopt_auth("h:80=al:pw", &n, err, sizeof(err)), -1);
    CHECK_INT(fetchopt_auth("http://h=al:pw", &n, err, sizeof(err)), -1);
}

/* write text to a temporary file; its name in path */
static void temp_file(char *path, const char *text)
{
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");

    fputs(text, f);
    fclose(f);
}

static void test_proxies(void)
{
    char path[] = TEMP_NAME, err[256], **list = NULL;
    size_t n = 0;

    temp_file(path, "# c\n\n  http://a:3128/ \nsocks5h://u:p@b:1080\n"
              "HTTPS://c\n");
    CHECK_INT(fetchopt_proxies(path, &list, &n, err, sizeof(err)), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_STR(list[0], "http://a:3128/");
        CHECK_STR(list[1], "socks5h://u:p@b:1080");
        CHECK_STR(list[2], "HTTPS://c");
        CHECK(list[3] == NULL);
    }
    fetchopt_proxies_free(list);
    CHECK_INT(fetchopt_proxies(path, NULL, NULL, err, sizeof(err)), 0);
    unlink(path);

    snprintf(path, sizeof(path), "%s", TEMP_NAME);
    temp_file(path, "http://a\nftp://u:secret@b\n");
    CHECK_INT(fetchopt_proxies(path, &list, &n, err, sizeof(err)), -1);
    CHECK(strstr(err, ":2: not a proxy URL") != NULL);
    CHECK(!strstr(err, "secret"));
    unlink(path);

    snprintf(path, sizeof(path), "%s", TEMP_NAME);
    temp_file(path, "http://\nhttp://a/b\nhttp://:80\n");
    CHECK_INT(fetchopt_proxies(path, NULL, NULL, err, sizeof(err)), -1);
    CHECK(strstr(err, ":1: not a proxy URL") != NULL);
    unlink(path);

    snprintf(path, sizeof(path), "%s", TEMP_NAME);
    temp_file(path, "# none\n");
    CHECK_INT(fetchopt_proxies(path, NULL, NULL, err, sizeof(err)), -1);
    CHECK(strstr(err, "no proxy URL") != NULL);
    unlink(path);
}

static void test_files(void)
{
    char path[] = TEMP_NAME, err[256];

    CHECK_INT(fetchopt_file("/nonexistent/x.pem", err, sizeof(err)), -1);
    CHECK(strstr(err, "cannot read '/nonexistent/x.pem'") != NULL);
    CHECK_INT(fetchopt_file("/tmp", err, sizeof(err)), -1);
    CHECK_STR(err, "'/tmp' is not a file");
    temp_file(path, "");
    CHECK_INT(fetchopt_file(path, err, sizeof(err)), 0);
    unlink(path);
    /* a missing jar is created empty */
    CHECK_INT(fetchopt_jar(path, err, sizeof(err)), 0);
    CHECK_INT(access(path, R_OK | W_OK), 0);
    unlink(path);
    CHECK_INT(fetchopt_jar("/nonexistent/jar", err, sizeof(err)), -1);
}

/* The one list: codes map back to their options, names are distinct,
 * good values pass (a bad one exits 2: the e2e tests check those). */
static void test_list(void)
{
    int i, j;

    CHECK_INT(fetchopt_of_code(FETCHOPT_CODE(FO_CONC)), FO_CONC);
    CHECK_INT(fetchopt_of_code(FETCHOPT_CODE(FO_ROBOTS)), FO_ROBOTS);
    CHECK_INT(fetchopt_of_code(FETCHOPT_CODE(FO_COUNT)), -1);
    CHECK_INT(fetchopt_of_code(256), -1);
    CHECK_STR(fetchopt_name(FO_HTTP11), "http1.1");
    CHECK_INT(fetchopt_kind(FO_INSECURE), FO_FLAG);
    for (i = 0; i < FO_COUNT; i++)
        for (j = i + 1; j < FO_COUNT; j++)
            CHECK(strcmp(fetchopt_name((enum fetchopt_id)i),
                         fetchopt_name((enum fetchopt_id)j)) != 0);
    CHECK_INT(fetchopt_take(FO_CONC, "12"), 12);
    CHECK_INT(fetchopt_take(FO_DELAY, "0"), 0);
    CHECK_INT(fetchopt_take(FO_ROBOTS, "off"), 0);
    CHECK_INT(fetchopt_take(FO_HEADER, "X-A: 1"), 0);
    CHECK_INT(fetchopt_take(FO_INSECURE, NULL), 0);
}

int main(void)
{
    test_list();
    test_header();
    test_auth();
    test_proxies();
    test_files();
    return TEST_DONE();
}
