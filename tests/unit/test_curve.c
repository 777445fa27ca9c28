/* test_curve.c: common/curve.c (key files: keygen, loading, the errors a
 * user meets) and zsec_private_endpoint. */
#include "common/compat.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "common/curve.h"
#include "common/util.h"
#include "common/zsec.h"
#include "tests/unit/test.h"

static char root[256];
static char err[512];

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static char *path_of(const char *dir, const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

static void put(const char *dir, const char *name, const char *text,
                mode_t mode)
{
    char *p = path_of(dir, name);
    FILE *f;

    unlink(p);
    f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    chmod(p, mode);
    free(p);
}

static mode_t mode_of(const char *dir, const char *name)
{
    char *p = path_of(dir, name);
    struct stat st;
    mode_t m = 0;

    if (stat(p, &st) == 0)
        m = st.st_mode & 07777;
    free(p);
    return m;
}

static bool err_has(const char *what)
{
    if (strstr(err, what))
        return true;
    fprintf(stderr, "error '%s' lacks '%s'\n", err, what);
    return false;
}

/* A fresh key folder NAME under root; caller frees. */
static char *fresh(const char *name)
{
    char *dir = path_of(root, name);

    CHECK_INT(curve_keygen(dir, err, sizeof(err)), 0);
    return dir;
}

static void test_keygen(void)
{
    char *dir = path_of(root, "k"), *sub;
    uint8_t key[CURVE_KEY_LEN];
    char z85[CURVE_Z85_LEN + 1];

    CHECK_INT(curve_keygen(dir, err, sizeof(err)), 0);
    CHECK_INT(mode_of(root, "k"), 0700);
    CHECK_INT(mode_of(dir, "coordinator.key"), 0600);
    CHECK_INT(mode_of(dir, "worker.key"), 0600);
    CHECK_INT(mode_of(dir, "coordinator.pub"), 0644);
    CHECK_INT(mode_of(dir, "worker.pub"), 0644);
    CHECK_INT(mode_of(dir, "workers"), 0700);
    /* never overwrites */
    errno = 0;
    CHECK_INT(curve_keygen(dir, err, sizeof(err)), -1);
    CHECK_INT(errno, EEXIST);
    CHECK(err_has("coordinator.key' exists"));
    /* one key file: 40 Z85 characters and a newline */
    sub = path_of(dir, "worker.pub");
    CHECK_INT(curve_read_key(sub, false, key, err, sizeof(err)), 0);
    curve_z85(key, z85);
    CHECK_INT(strlen(z85), CURVE_Z85_LEN);
    free(sub);
    free(dir);
    /* a folder that cannot be made */
    CHECK_INT(curve_keygen("/proc/no/such/dir", err, sizeof(err)), -1);
    CHECK(err_has("cannot make '/proc/no/such/dir'"));
}

static void test_load(void)
{
    char *dir = fresh("ok"), *p;
    struct curve_keys *srv, *cli;
    uint8_t wpub[CURVE_KEY_LEN], cpub[CURVE_KEY_LEN];

    srv = curve_keys_load(dir, CURVE_SERVER, err, sizeof(err));
    cli = curve_keys_load(dir, CURVE_CLIENT, err, sizeof(err));
    CHECK(srv != NULL && cli != NULL);
    if (!srv || !cli)
        goto out;
    p = path_of(dir, "worker.pub");
    CHECK_INT(curve_read_key(p, false, wpub, err, sizeof(err)), 0);
    free(p);
    p = path_of(dir, "coordinator.pub");
    CHECK_INT(curve_read_key(p, false, cpub, err, sizeof(err)), 0);
    free(p);
    /* the client's public key is derived from worker.key and is the one
     * the server admits; the client knows the server's public key */
    CHECK(!memcmp(cli->public, wpub, CURVE_KEY_LEN));
    CHECK(!memcmp(cli->server, cpub, CURVE_KEY_LEN));
    CHECK(!memcmp(srv->public, cpub, CURVE_KEY_LEN));
    CHECK_INT(srv->nworkers, 1);
    CHECK(curve_keys_admits(srv, wpub));
    CHECK(!curve_keys_admits(srv, cpub));
    CHECK(memcmp(srv->secret, cli->secret, CURVE_KEY_LEN) != 0);
out:
    curve_keys_free(srv);
    curve_keys_free(cli);
    free(dir);
}

static void test_workers_dir(void)
{
    char *dir = fresh("many"), *other = fresh("other"), *p, *sub;
    struct curve_keys *srv;
    uint8_t okey[CURVE_KEY_LEN];
    char z85[CURVE_Z85_LEN + 2];

    p = path_of(other, "worker.pub");
    CHECK_INT(curve_read_key(p, false, okey, err, sizeof(err)), 0);
    free(p);
    curve_z85(okey, z85);
    strncat(z85, "\n", 2);
    srv = curve_keys_load(dir, CURVE_SERVER, err, sizeof(err));
    CHECK(srv && !curve_keys_admits(srv, okey));
    /* a key added to workers/ is admitted after a reload; other files
     * there are not keys */
    sub = path_of(dir, "workers");
    put(sub, "host2.pub", z85, 0644);
    put(sub, "README", "not a key\n", 0644);
    CHECK_INT(curve_keys_reload(srv, err, sizeof(err)), 0);
    CHECK(srv && curve_keys_admits(srv, okey));
    CHECK_INT(srv ? srv->nworkers : 0, 2);
    /* a bad key there: the reload fails and keeps the old list */
    put(sub, "host3.pub", "garbage\n", 0644);
    CHECK_INT(curve_keys_reload(srv, err, sizeof(err)), -1);
    CHECK(err_has("host3.pub' is not a CURVE key"));
    CHECK(srv && curve_keys_admits(srv, okey));
    curve_keys_free(srv);
    /* keys in workers/ alone are enough; none at all is an error */
    p = path_of(sub, "host3.pub");
    unlink(p);
    free(p);
    p = path_of(dir, "worker.pub");
    unlink(p);
    free(p);
    srv = curve_keys_load(dir, CURVE_SERVER, err, sizeof(err));
    CHECK(srv && srv->nworkers == 1 && curve_keys_admits(srv, okey));
    curve_keys_free(srv);
    p = path_of(sub, "host2.pub");
    unlink(p);
    free(p);
    CHECK(curve_keys_load(dir, CURVE_SERVER, err, sizeof(err)) == NULL);
    CHECK(err_has("no worker key in"));
    /* a workers/ folder others may write is refused */
    chmod(sub, 0777);
    put(sub, "host2.pub", z85, 0644);
    CHECK(curve_keys_load(dir, CURVE_SERVER, err, sizeof(err)) == NULL);
    CHECK(err_has("workers' is writable by other users (mode 0777)"));
    free(sub);
    free(dir);
    free(other);
}

static void test_errors(void)
{
    char *dir = fresh("bad"), *other = fresh("bad2"), *p;
    char line[CURVE_Z85_LEN + 8];
    struct curve_keys *k;
    uint8_t key[CURVE_KEY_LEN];

    /* missing file */
    p = path_of(dir, "coordinator.pub");
    unlink(p);
    free(p);
    CHECK(curve_keys_load(dir, CURVE_CLIENT, err, sizeof(err)) == NULL);
    CHECK(err_has("cannot read '"));
    CHECK(err_has("coordinator.pub': No such file"));
    /* the server does not need its .pub (it derives it) */
    curve_keys_free(curve_keys_load(dir, CURVE_SERVER, err, sizeof(err)));
    /* not Z85: wrong length, a character outside the alphabet */
    put(dir, "coordinator.pub", "hello\n", 0644);
    CHECK(curve_keys_load(dir, CURVE_CLIENT, err, sizeof(err)) == NULL);
    CHECK(err_has("coordinator.pub' is not a CURVE key: want 40 Z85"));
    snprintf(line, sizeof(line), "%.39s~\n",
             "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG");
    put(dir, "coordinator.pub", line, 0644);
    CHECK(curve_keys_load(dir, CURVE_CLIENT, err, sizeof(err)) == NULL);
    CHECK(err_has("character 40 is not Z85"));
    /* CRLF and trailing blanks are fine */
    p = path_of(other, "coordinator.pub");
    CHECK_INT(curve_read_key(p, false, key, err, sizeof(err)), 0);
    free(p);
    curve_z85(key, line);
    strncat(line, " \r\n", 4);
    put(dir, "coordinator.pub", line, 0644);
    k = curve_keys_load(dir, CURVE_CLIENT, err, sizeof(err));
    CHECK(k != NULL && !memcmp(k->server, key, CURVE_KEY_LEN));
    curve_keys_free(k);
    /* a secret others can read; a public key others can write */
    p = path_of(dir, "worker.key");
    chmod(p, 0640);
    CHECK(curve_keys_load(dir, CURVE_CLIENT, err, sizeof(err)) == NULL);
    CHECK(err_has("worker.key' is open to other users (mode 0640): chmod "
                  "600"));
    chmod(p, 0600);
    free(p);
    p = path_of(dir, "worker.pub");
    chmod(p, 0646);
    CHECK(curve_keys_load(dir, CURVE_CLIENT, err, sizeof(err)) == NULL);
    CHECK(err_has("worker.pub' is writable by other users"));
    chmod(p, 0644);
    /* a public key that is not the secret's */
    free(p);
    p = path_of(other, "worker.pub");
    CHECK_INT(curve_read_key(p, false, key, err, sizeof(err)), 0);
    free(p);
    curve_z85(key, line);
    strncat(line, "\n", 2);
    put(dir, "worker.pub", line, 0644);
    CHECK(curve_keys_load(dir, CURVE_CLIENT, err, sizeof(err)) == NULL);
    CHECK(err_has("worker.pub' is not the public key of '"));
    /* the folder: missing, a file, writable by others */
    CHECK(curve_keys_load("/no/such/keys", CURVE_CLIENT, err,
                          sizeof(err)) == NULL);
    CHECK(err_has("cannot use '/no/such/keys'"));
    p = path_of(other, "worker.pub");
    CHECK(curve_keys_load(p, CURVE_CLIENT, err, sizeof(err)) == NULL);
    CHECK(err_has("is not a folder"));
    free(p);
    chmod(other, 0777);
    CHECK(curve_keys_load(other, CURVE_CLIENT, err, sizeof(err)) == NULL);
    CHECK(err_has("is writable by other users (mode 0777)"));
    /* a folder where a key file should be */
    p = path_of(dir, "worker.key");
    unlink(p);
    mkdir(p, 0700);
    CHECK(curve_keys_load(dir, CURVE_CLIENT, err, sizeof(err)) == NULL);
    CHECK(err_has("worker.key' is not a key file"));
    free(p);
    free(dir);
    free(other);
}

static void test_private(void)
{
    CHECK(zsec_private_endpoint("tcp://127.0.0.1:7000"));
    CHECK(zsec_private_endpoint("tcp://10.1.2.3:7000"));
    CHECK(zsec_private_endpoint("tcp://172.16.0.1:7000"));
    CHECK(zsec_private_endpoint("tcp://172.31.255.1:7000"));
    CHECK(!zsec_private_endpoint("tcp://172.32.0.1:7000"));
    CHECK(zsec_private_endpoint("tcp://192.168.1.1:7000"));
    CHECK(zsec_private_endpoint("tcp://169.254.1.1:7000"));
    CHECK(zsec_private_endpoint("tcp://[::1]:7000"));
    CHECK(zsec_private_endpoint("tcp://[fd00::1]:7000"));
    CHECK(zsec_private_endpoint("tcp://[fe80::1]:7000"));
    CHECK(zsec_private_endpoint("tcp://localhost:7000"));
    CHECK(zsec_private_endpoint("tcp://eth0:7000"));
    CHECK(!zsec_private_endpoint("tcp://*:7000"));
    CHECK(!zsec_private_endpoint("tcp://0.0.0.0:7000"));
    CHECK(!zsec_private_endpoint("tcp://[::]:7000"));
    CHECK(!zsec_private_endpoint("tcp://203.0.113.5:7000"));
    CHECK(!zsec_private_endpoint("tcp://[2001:db8::1]:7000"));
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(root, sizeof(root), "%s/zs-curve.XXXXXX", tmp ? tmp : "/tmp");
    if (!zmq_has("curve")) {
        printf("no CURVE in this libzmq: nothing to test\n");
        return TEST_DONE();
    }
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    umask(022);
    test_keygen();
    test_load();
    test_workers_dir();
    test_errors();
    test_private();
    nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return TEST_DONE();
}
