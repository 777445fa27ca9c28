/* msg.h: the wire protocol; the only encoder and decoder of frames.
 *
 * Every message is multipart.  Frame 0 is a fixed header:
 *   version(1) type(1) id(8) depth(4) status(2) error(1) attempt(1)
 *   elapsed_ms(4) fetched_at(8) bytes(8) fetch_wait_ms(4) parse_wait_ms(4)
 *   parse_ms(4)                                 little-endian, 50 bytes
 * then body frames by type:
 *   DISPATCH  sink -> fetcher   url, [etag, last_modified,
 *                               [method, headers, body]]
 *   GO        sink -> fetcher   (none): start the next attempt of the job
 *                               id the fetcher parked (its RETRY)
 *   DROP      sink -> fetcher   (none): forget the parked job id (its
 *                               record came another way)
 *   ROBOTS    sink -> fetcher   url: fetch an origin's /robots.txt
 *             fetcher -> sink   url, body: what it got (status, error)
 *   CREDIT    fetcher -> sink   (none): it can take `bytes` more URLs
 *   STARTED   fetcher -> sink   (none): the request of id is being sent
 *                               now (its host's next may start a delay
 *                               after this)
 *   ENDED     fetcher -> sink   (none): the transfer of id is over (its
 *                               host's slot is free); the page follows
 *                               to a parser
 *   RETRY     fetcher -> sink   (none): id failed for now; its next
 *                               attempt may start after elapsed_ms, when
 *                               the sink says GO
 *   TAKEN     parser -> sink    token: the parser of that worker token
 *                               started parsing page id
 *   PAGE      fetcher -> parser url, final_url, content_type, body,
 *                               etag, last_modified
 *   RESULT    parser -> sink    url, final_url, content_type, links,
 *                               etag, last_modified, field...
 *                               (links: each URL NUL-ended;
 *                               field: "name\0json-value")
 * etag and last_modified are a page's validators (--state), empty when
 * unknown: in DISPATCH the stored ones (the fetcher sends a conditional
 * request), in PAGE and RESULT the ones the response carried.  method,
 * headers ("Name: value" lines, each NUL-ended) and body: a request seed's
 * (sink/reqseed.h); its url then has a fragment, its key, never sent.
 *   CONTROL   sink -> everyone  "stop" | "hb SESSION" (every second: the
 *                               sink's random session, new at each start)
 *                               | "reset TOKEN" (that worker rejoins)
 * The sink's dispatch socket is a ROUTER: it sends DISPATCH, GO, DROP and
 * ROBOTS
 * to one fetcher (whose DEALER's routing id is its worker token) and gets
 * CREDIT, STARTED, ENDED, RETRY and ROBOTS from each.
 * A frame of another version or shape is refused, never misread. */
#ifndef ZS_MSG_H
#define ZS_MSG_H

#include "common/compat.h"

#include <zmq.h>

#define MSG_VERSION 5
#define MSG_HDR_LEN 50
#define MSG_MAX_PARTS 64
/* Fixed frame positions of the validators, and of RESULT's first field. */
#define MSG_DISPATCH_ETAG 1
#define MSG_DISPATCH_LASTMOD 2
#define MSG_DISPATCH_METHOD 3
#define MSG_DISPATCH_HEADERS 4
#define MSG_DISPATCH_BODY 5
#define MSG_PAGE_ETAG 4
#define MSG_PAGE_LASTMOD 5
#define MSG_RESULT_ETAG 4
#define MSG_RESULT_LASTMOD 5
#define MSG_RESULT_FIELDS 6
/* The status of an unchanged page (a conditional request's answer): a
 * record with null rule fields, never parsed. */
#define MSG_STATUS_NOT_MODIFIED 304

enum msg_type {
    MSG_DISPATCH = 1,
    MSG_PAGE = 2,
    MSG_RESULT = 3,
    MSG_CONTROL = 4,
    MSG_GO = 5,
    MSG_ROBOTS = 6,
    MSG_CREDIT = 7,
    MSG_ENDED = 8,
    MSG_RETRY = 9,
    MSG_TAKEN = 10,
    MSG_DROP = 11,
    MSG_STARTED = 12,
};

/* Terminal error codes of DESIGN.md; ZS_OK is "error": null. */
enum zs_err {
    ZS_OK = 0,
    ZS_BAD_URL,
    ZS_DNS,
    ZS_CONNECT,
    ZS_TIMEOUT,
    ZS_TLS,
    ZS_RESET,
    ZS_HTTP,
    ZS_TOO_LARGE,
    ZS_REDIRECTS,
    ZS_ROBOTS,
    ZS_NOT_HTML,
    ZS_PARSE_LIMIT,
    ZS_LOST,
    ZS_ERR_COUNT
};

/* True when the header lines lines[0..len) (DISPATCH's headers frame:
 * "Name: value", each NUL-ended) set the header name[0..n). */
bool msg_header_has(const char *lines, size_t len, const char *name,
                    size_t n);

/* Name of an error code ("dns"), or NULL for ZS_OK and unknown codes. */
const char *zs_err_name(int err);

struct msg_meta {
    uint8_t type;         /* enum msg_type */
    uint64_t id;          /* the sink's lease id of this URL */
    uint32_t depth;       /* link depth from the seeds */
    uint16_t status;      /* HTTP status, 0 when there was no response */
    uint8_t error;        /* enum zs_err */
    uint8_t attempt;      /* dispatch attempt, 0 first */
    uint32_t elapsed_ms;  /* fetch time, all retries included */
    int64_t fetched_at;   /* epoch ms when the fetch ended */
    uint64_t bytes;       /* decoded body bytes */
    uint32_t fetch_wait_ms; /* fetcher: dispatch received -> transfer
                             * started (per-host queue, delay, robots) */
    uint32_t parse_wait_ms; /* parser: fetch ended -> parse started
                             * (streamer and parser queues; wall clocks) */
    uint32_t parse_ms;    /* parser: decode, parse and extract */
};

/* One outgoing body frame.  With ffn NULL the bytes are copied; with ffn
 * set, ownership of data passes to ZeroMQ (zero copy), which calls
 * ffn(data, hint) when done, also when the send fails. */
struct msg_frame {
    const void *data;     /* frame bytes */
    size_t len;           /* frame length */
    zmq_free_fn *ffn;     /* NULL: copy; else zero-copy release function */
    void *hint;           /* passed to ffn */
};

/* A received message: the decoded header and the raw frames. */
struct msg {
    struct msg_meta meta;          /* decoded header */
    int nparts;                    /* body frames in parts[] */
    zmq_msg_t parts[MSG_MAX_PARTS]; /* body frames (header excluded) */
};

void msg_encode_header(const struct msg_meta *m, unsigned char *out);
/* Decode a header frame; -1 with a reason in *why if it is not ours. */
int msg_decode_header(const void *p, size_t len, struct msg_meta *m,
                      const char **why);

/* Send header + frames as one multipart message.  flags: 0 or
 * ZMQ_DONTWAIT.  Returns 0, or -1 with errno (EAGAIN when the peer is full;
 * nothing was sent then).  Zero-copy frames are released in every case. */
int msg_send(void *sock, const struct msg_meta *meta,
             struct msg_frame *frames, int n, int flags);

/* Receive one whole multipart message.  Returns 0; -1 with errno EAGAIN
 * or EINTR when there is nothing; -2 when a message arrived but was
 * malformed (it is drained and logged once per reason).  On 0 the caller
 * calls msg_close(). */
int msg_recv(void *sock, struct msg *m, int flags);
void msg_close(struct msg *m);

/* Body frame i: pointer and length (borrowed until msg_close). */
const char *msg_part(struct msg *m, int i, size_t *len);
/* Body frame i as a new NUL-terminated string; caller frees. */
char *msg_part_str(struct msg *m, int i);
/* Number of body frames each type needs at least. */
int msg_min_parts(int type);

/* Send header + frames to the peer of routing id id[0..idlen) of a
 * ROUTER (ZMQ_ROUTER_MANDATORY set: EHOSTUNREACH when that peer is
 * gone).  Returns 0, or -1 with errno; zero-copy frames are released. */
int msg_send_to(void *router, const void *id, size_t idlen,
                const struct msg_meta *meta, struct msg_frame *frames, int n,
                int flags);
/* Receive one message on a ROUTER: its sender's routing id (up to
 * *idlen bytes into id; *idlen set), then as msg_recv. */
int msg_recv_from(void *router, void *id, size_t *idlen, struct msg *m,
                  int flags);

/* The sink says "hb SESSION" on the control socket every
 * MSG_HEARTBEAT_MS; a worker that heard it once and then nothing for
 * MSG_ORPHAN_MS stops (its crawl is gone: it missed the stop). */
#define MSG_HEARTBEAT_MS 1000
#define MSG_ORPHAN_MS 30000

/* A worker's view of the control socket. */
struct msg_ctl {
    int64_t last_heard_ms;  /* last message from the sink (0: none yet) */
    uint64_t session;       /* the session of the sink it joined (0: not
                             * known yet) */
    const char *token;      /* our worker token: "reset TOKEN" is for us */
    bool stop;              /* the sink said stop */
    bool rejoin;            /* the sink restarted (another session) or
                             * told us to reset: start over and join again */
};

/* Read every message waiting on sock (a SUB) into c.  True when c->stop
 * or c->rejoin is set. */
bool msg_control_drain(void *sock, struct msg_ctl *c);
/* True when the sink spoke once and then nothing for MSG_ORPHAN_MS: its
 * crawl is over (a stop was missed) or it died. */
bool msg_sink_silent(int64_t last_heard_ms);

/* Counters of refused frames since start (for stats). */
extern uint64_t msg_refused;

#endif
