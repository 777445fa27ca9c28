/* hello.h: a joining worker asks the sink for the crawl's settings.
 *
 * The crawl's settings live with the sink, so hosts never disagree: a
 * worker started with nothing but --coordinator ADDR connects a DEALER to
 * the sink's hello endpoint (zsock.h EP_HELLO) and sends one frame
 *
 *     "zscrape-hello VERSION ROLE PID BOOT PIDNS START"
 *
 * (ROLE: fetcher | parser; BOOT the kernel's boot id, PIDNS its pid
 * namespace's inode, START its start time in clock ticks since boot: the
 * sink, when it runs on the same kernel and in the same pid namespace,
 * sees at once when that process is gone).  The DEALER's routing id is
 * the worker's token (HELLO_TOKEN_LEN hex digits, new at every start),
 * the same on its other sockets to the sink that need one (a fetcher's
 * dispatch DEALER), and in a parser's TAKEN messages.
 *
 * The sink's ROUTER answers with four frames
 *
 *     "zscrape-config VERSION"
 *     the role's options: NUL-terminated words ("--delay" "250" ...)
 *     the rule file's text (empty: the default rules)
 *     the rule file's name (for error messages)
 *
 * or, to a worker of another protocol version, one frame
 *
 *     "zscrape-refused VERSION REASON"
 *
 * Plain text, so any version can read any other's refusal.  The worker
 * puts the options before its own command line, so its explicit flags
 * win.
 *
 * The worker keeps its DEALER and reports its counters on it every few
 * seconds and once more when it stops:
 *
 *     "zscrape-counters VERSION ROLE PID FINAL name=value ..."
 *
 * (FINAL 0 or 1; values are integers, except a fetcher's per-proxy
 * entries "proxy=LABEL,N,N,N,N" of proxystat.h); the sink keeps the last
 * report of each worker for its --stats file.  A report is at most
 * HELLO_REPORT_MAX bytes. */
#ifndef ZS_HELLO_H
#define ZS_HELLO_H

#include "common/buf.h"
#include "common/compat.h"

enum hello_role { HELLO_FETCHER, HELLO_PARSER, HELLO_NROLES };

#define HELLO_REPORT_MS 2000    /* a worker reports its counters this often */
#define HELLO_TOKEN_LEN 16      /* hex digits of a worker token */
#define HELLO_REPORT_MAX (256 * 1024) /* longest counters text of a report */

/* What the sink hands out. */
struct hello_offer {
    struct buf words[HELLO_NROLES]; /* per role: NUL-terminated words */
    char *rules;                    /* rule file text, or NULL */
    size_t rules_len;
    const char *rules_name;         /* its path, or "" */
};

void hello_offer_init(struct hello_offer *o);
void hello_offer_release(struct hello_offer *o);
/* Hand option OPT (with VAL, or none when VAL is NULL) to ROLE. */
void hello_offer_add(struct hello_offer *o, enum hello_role role,
                     const char *opt, const char *val);

/* Where a process runs: enough for another process to tell whether it
 * can see it (hello_where_alive). */
struct hello_where {
    char boot[40];          /* /proc/sys/kernel/random/boot_id, "" unknown */
    uint64_t pidns;         /* inode of /proc/self/ns/pid, 0 unknown */
    uint64_t start;         /* start time, clock ticks after boot */
};

/* Fill w for this process. */
void hello_where_self(struct hello_where *w);
/* Is process pid, which runs at w, alive, as seen from self?  1 alive,
 * 0 gone (exited, a zombie, or another process has its PID now), -1
 * cannot tell (another kernel or pid namespace, or nothing known). */
int hello_where_alive(const struct hello_where *self,
                      const struct hello_where *w, long pid);
/* A new random worker token: HELLO_TOKEN_LEN hex digits and a NUL. */
void hello_token_new(char *out);

/* What the sink heard of one worker. */
struct hello_proc {
    unsigned char id[16];   /* the ROUTER's identity of its connection */
    size_t idlen;
    char role[16];
    long pid;
    char peer[64];          /* its address, "local" for ipc */
    char *counters;         /* "name=value ..." of its last report */
    bool final;             /* that report was its last */
    int64_t heard_ms;       /* when it came (monotonic) */
    struct hello_where where; /* where it runs (from its hello) */
};

/* What the sink is told of a worker: it joined (its hello was answered)
 * or it reported. */
enum hello_event { HELLO_JOINED, HELLO_REPORTED };
typedef void hello_event_fn(void *arg, const struct hello_proc *p,
                            enum hello_event ev);

struct hello_procs {
    struct hello_proc *v;
    size_t n, cap;
    size_t joined;          /* hellos answered with the settings */
    hello_event_fn *on_event; /* told of joins and reports, or NULL */
    void *event_arg;        /* its argument */
};

/* Sink side: answer every hello and take every report waiting on ROUTER
 * (procs may be NULL: reports are dropped). */
void hello_answer(void *router, const struct hello_offer *o,
                  struct hello_procs *procs);
/* True when every worker heard of lately has sent its final report (one
 * silent for three report periods is taken for dead). */
bool hello_procs_all_final(const struct hello_procs *p);
/* True when some worker joined and there are as many final reports as
 * hellos answered: every worker that joined has stopped (a worker that
 * joined twice, after a restart, keeps this false). */
bool hello_procs_all_stopped(const struct hello_procs *p);
/* Sum of counter NAME over the workers. */
uint64_t hello_procs_sum(const struct hello_procs *p, const char *name);
/* The workers as a JSON array of objects (role, pid, host, counters). */
void hello_procs_json(const struct hello_procs *p, FILE *f);
void hello_procs_free(struct hello_procs *p);

/* What a worker got. */
struct hello_reply {
    char **argv;        /* the options, NULL-terminated */
    int argc;
    char *words;        /* storage of argv */
    char *rules;        /* rule text (NUL-terminated), "" for default */
    size_t rules_len;
    char *rules_name;
    void *sock;         /* the DEALER, kept for hello_report() */
    enum hello_role role;
};

/* Worker side: ask the sink at COORD for ROLE's settings on a DEALER of
 * CTX whose routing id is token, waiting as long as it takes (the sink
 * may start later), with a log line now and then.  0 with *r filled; -1
 * on a stop signal; exits 1 when the sink refuses us (another protocol
 * version). */
int hello_ask(void *ctx, const char *coord, enum hello_role role,
              const char *token, struct hello_reply *r);
/* Close the DEALER (before zmq_ctx_term) and free the rest. */
void hello_reply_release(struct hello_reply *r);
/* Worker side: report counters ("name=value ...") to the sink. */
void hello_report(const struct hello_reply *r, bool final,
                  const char *counters);

/* The sink restarted or asked this worker to reset: start this program
 * over (same PID, the arguments of main), to join again from scratch.
 * Returns only when exec failed (logged). */
void hello_rejoin(char **argv);

/* argv for a second option pass: argv0, then the sink's words, then the
 * worker's own argv[1..]; caller frees the array (not the strings). */
char **hello_merge_argv(const struct hello_reply *r, int argc, char **argv,
                        int *out_argc);

#endif
