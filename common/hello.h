/* hello.h: a joining worker asks the sink for the crawl's settings.
 *
 * The crawl's settings live with the sink, so hosts never disagree: a
 * worker started with nothing but --coordinator ADDR connects a DEALER to
 * the sink's hello endpoint (zsock.h EP_HELLO) and sends one frame
 *
 *     "zscrape-hello VERSION ROLE"            ROLE: fetcher | parser
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
 * win. */
#ifndef ZS_HELLO_H
#define ZS_HELLO_H

#include "common/buf.h"
#include "common/compat.h"

enum hello_role { HELLO_FETCHER, HELLO_PARSER, HELLO_NROLES };

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

/* Sink side: answer every hello waiting on ROUTER. */
void hello_answer(void *router, const struct hello_offer *o);

/* What a worker got. */
struct hello_reply {
    char **argv;        /* the options, NULL-terminated */
    int argc;
    char *words;        /* storage of argv */
    char *rules;        /* rule text (NUL-terminated), "" for default */
    size_t rules_len;
    char *rules_name;
};

/* Worker side: ask the sink at COORD for ROLE's settings on a DEALER of
 * CTX, waiting as long as it takes (the sink may start later), with a log
 * line now and then.  0 with *r filled; -1 on a stop signal; exits 1 when
 * the sink refuses us (another protocol version). */
int hello_ask(void *ctx, const char *coord, enum hello_role role,
              struct hello_reply *r);
void hello_reply_release(struct hello_reply *r);

/* argv for a second option pass: argv0, then the sink's words, then the
 * worker's own argv[1..]; caller frees the array (not the strings). */
char **hello_merge_argv(const struct hello_reply *r, int argc, char **argv,
                        int *out_argc);

#endif
