/* test_hello.c: common/hello.c, the settings hand-off, over real ZeroMQ
 * ipc sockets: a sink thread answers, the test asks as a worker. */
#include "common/compat.h"

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "common/hello.h"
#include "common/log.h"
#include "common/msg.h"
#include "common/sig.h"
#include "common/util.h"
#include "common/zsock.h"
#include "tests/unit/test.h"

static char coord[256];         /* ipc://TMP/zs */
static volatile int sink_stop;

struct sink_arg {
    void *ctx;
    const struct hello_offer *offer;
    struct hello_procs *procs;
};

/* The sink's side: answer hellos until told to stop. */
static void *sink_main(void *arg)
{
    struct sink_arg *a = arg;
    void *router = zsock_new(a->ctx, ZMQ_ROUTER, 16);
    char *ep = zsock_endpoint(coord, EP_HELLO);

    zsock_bind(router, ep);
    free(ep);
    while (!sink_stop) {
        zmq_pollitem_t it = { router, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&it, 1, 50) > 0)
            hello_answer(router, a->offer, a->procs);
    }
    zmq_close(router);
    return NULL;
}

static void test_roundtrip(void *ctx)
{
    struct hello_offer o;
    struct hello_reply r;
    struct hello_procs procs;
    struct sink_arg a = { ctx, &o, &procs };
    char a0[] = "zscrape-fetcher", a1[] = "--coordinator", a3[] = "--delay";
    char a4[] = "5";
    char *argv[] = { a0, a1, coord, a3, a4, NULL };
    char **m;
    pthread_t t;

    memset(&procs, 0, sizeof(procs));
    int n;

    hello_offer_init(&o);
    hello_offer_add(&o, HELLO_FETCHER, "--delay", "250");
    hello_offer_add(&o, HELLO_FETCHER, "--insecure", NULL);
    hello_offer_add(&o, HELLO_PARSER, "--parse-timeout", "7");
    o.rules = xstrdup("title  title  text\n");
    o.rules_len = strlen(o.rules);
    o.rules_name = "shop.rules";
    sink_stop = 0;
    pthread_create(&t, NULL, sink_main, &a);

    CHECK_INT(hello_ask(ctx, coord, HELLO_FETCHER, NULL, &r), 0);
    CHECK_INT(r.argc, 3);
    if (r.argc == 3) {
        CHECK_STR(r.argv[0], "--delay");
        CHECK_STR(r.argv[1], "250");
        CHECK_STR(r.argv[2], "--insecure");
    }
    CHECK(r.argv[r.argc] == NULL);
    CHECK_STR(r.rules, "title  title  text\n");
    CHECK_INT(r.rules_len, strlen(o.rules));
    CHECK_STR(r.rules_name, "shop.rules");
    /* the sink's words first, the worker's own flags after them: the
     * second --delay (the worker's) is the one getopt keeps */
    m = hello_merge_argv(&r, 5, argv, &n);
    CHECK_INT(n, 8);
    CHECK_STR(m[0], "zscrape-fetcher");
    CHECK_STR(m[1], "--delay");
    CHECK_STR(m[2], "250");
    CHECK_STR(m[3], "--insecure");
    CHECK_STR(m[4], "--coordinator");
    CHECK_STR(m[6], "--delay");
    CHECK_STR(m[7], "5");
    CHECK(m[8] == NULL);
    free(m);
    hello_reply_release(&r);

    /* the parser's share: its words only; then its counter reports */
    CHECK_INT(hello_ask(ctx, coord, HELLO_PARSER, NULL, &r), 0);
    CHECK_INT(r.argc, 2);
    if (r.argc == 2)
        CHECK_STR(r.argv[1], "7");
    hello_report(&r, false, "parsed=3 parse_ms=9");
    hello_report(&r, true, "parsed=5 parse_ms=11 bad=x junk");
    hello_reply_release(&r);

    usleep(300 * 1000);
    sink_stop = 1;
    pthread_join(t, NULL);
    /* the fetcher (joined, never reported) and the parser */
    CHECK_INT(procs.n, 2);
    CHECK(!hello_procs_all_final(&procs));
    /* two joined (the fetcher never reported): not all stopped */
    CHECK_INT(procs.joined, 2);
    CHECK(!hello_procs_all_stopped(&procs));
    procs.joined = 1;
    CHECK(hello_procs_all_stopped(&procs));
    procs.v[0].final = true;
    CHECK(hello_procs_all_final(&procs));
    CHECK_INT(hello_procs_sum(&procs, "parsed"), 5);
    CHECK_INT(hello_procs_sum(&procs, "parse_ms"), 11);
    CHECK_INT(hello_procs_sum(&procs, "absent"), 0);
    if (procs.n == 1) {
        char *json = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&json, &len);
        hello_procs_json(&procs, f);
        fclose(f);
        CHECK(strstr(json, "\"role\": \"parser\"") != NULL);
        CHECK(strstr(json, "\"parsed\": 5, \"parse_ms\": 11}") != NULL);
        CHECK(strstr(json, "bad") == NULL);   /* not a number: left out */
        CHECK(strstr(json, "\"host\": \"local\"") != NULL);
        free(json);
    }
    hello_procs_free(&procs);
    hello_offer_release(&o);
}

/* Garbage and hellos of another version get no config; the sink goes on
 * and a good hello after them is answered. */
static void test_refusals(void *ctx)
{
    struct hello_offer o;
    struct sink_arg a = { ctx, &o, NULL };
    void *d = zsock_new(ctx, ZMQ_DEALER, 16);
    char *ep = zsock_endpoint(coord, EP_HELLO);
    char reply[256], want[64];
    int timeout = 2000, len;
    pthread_t t;

    hello_offer_init(&o);
    sink_stop = 0;
    pthread_create(&t, NULL, sink_main, &a);
    zmq_setsockopt(d, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
    zsock_connect(d, ep);
    free(ep);
    zmq_send(d, "GET / HTTP/1.0", 14, 0);
    snprintf(want, sizeof(want), "zscrape-hello %d janitor", MSG_VERSION);
    zmq_send(d, want, strlen(want), 0);
    zmq_send(d, "zscrape-hello 99 parser", 23, 0);
    len = zmq_recv(d, reply, sizeof(reply) - 1, 0);
    CHECK(len > 0);
    reply[len > 0 ? len : 0] = '\0';
    snprintf(want, sizeof(want), "zscrape-refused %d ", MSG_VERSION);
    CHECK(!strncmp(reply, want, strlen(want)));
    snprintf(want, sizeof(want), "zscrape-hello %d parser", MSG_VERSION);
    zmq_send(d, want, strlen(want), 0);
    len = zmq_recv(d, reply, sizeof(reply) - 1, 0);
    reply[len > 0 ? len : 0] = '\0';
    snprintf(want, sizeof(want), "zscrape-config %d", MSG_VERSION);
    CHECK_STR(reply, want);
    zmq_close(d);
    sink_stop = 1;
    pthread_join(t, NULL);
    hello_offer_release(&o);
}

/* A worker that a sink of another version refuses exits 1. */
static void test_refused_worker(void)
{
    pid_t pid;
    int st = 0;

    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        void *ctx = zmq_ctx_new();
        void *router = zsock_new(ctx, ZMQ_ROUTER, 16);
        char *ep = zsock_endpoint(coord, EP_HELLO);
        pid_t worker;

        zsock_bind(router, ep);
        free(ep);
        worker = fork();
        if (worker == 0) {
            struct hello_reply r;
            void *wctx = zmq_ctx_new();
            hello_ask(wctx, coord, HELLO_PARSER, NULL, &r);
            _exit(0);           /* not reached: refused means exit 1 */
        } else {
            zmq_msg_t id, body;
            int wst = 0;
            zmq_msg_init(&id);
            zmq_msg_init(&body);
            zmq_msg_recv(&id, router, 0);
            zmq_msg_recv(&body, router, 0);
            zmq_msg_send(&id, router, ZMQ_SNDMORE);
            zmq_send(router, "zscrape-refused 2 too new", 25, 0);
            waitpid(worker, &wst, 0);
            _exit(WIFEXITED(wst) ? WEXITSTATUS(wst) : 99);
        }
    }
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st));
    CHECK_INT(WEXITSTATUS(st), 1);
}

int main(void)
{
    char dir[] = "/tmp/zstest-hello.XXXXXX";
    void *ctx;

    log_init("test", LOG_ERROR);
    sig_init();
    if (!mkdtemp(dir))
        return 1;
    snprintf(coord, sizeof(coord), "ipc://%s/zs", dir);
    ctx = zmq_ctx_new();
    test_roundtrip(ctx);
    test_refusals(ctx);
    zmq_ctx_term(ctx);
    snprintf(coord, sizeof(coord), "ipc://%s/zs2", dir);
    test_refused_worker();
    {
        char *p = xasprintf("%s/zs.hello", dir), *q;
        unlink(p);
        q = xasprintf("%s/zs2.hello", dir);
        unlink(q);
        free(p);
        free(q);
        rmdir(dir);
    }
    return TEST_DONE();
}
