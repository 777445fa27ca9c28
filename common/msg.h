/* msg.h: the wire protocol; the only encoder and decoder of frames.
 *
 * Every message is multipart.  Frame 0 is a fixed header:
 *   version(1) type(1) id(8) depth(4) status(2) error(1) attempt(1)
 *   elapsed_ms(4) fetched_at(8) bytes(8) fetch_wait_ms(4) parse_wait_ms(4)
 *   parse_ms(4)                                 little-endian, 50 bytes
 * then body frames by type:
 *   DISPATCH  sink -> fetcher   url, [etag, last_modified,
 *                               [method, headers, body]]
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
 *   CONTROL   sink -> everyone  command ("stop"), [argument]
 * A frame of another version or shape is refused, never misread. */
#ifndef ZS_MSG_H
#define ZS_MSG_H

#include "common/compat.h"

#include <zmq.h>

#define MSG_VERSION 4
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

/* The sink says "hb" on the control socket every MSG_HEARTBEAT_MS; a
 * worker that heard it once and then nothing for MSG_ORPHAN_MS stops (its
 * crawl is gone: it missed the stop). */
#define MSG_HEARTBEAT_MS 1000
#define MSG_ORPHAN_MS 30000

/* A worker's side of the control socket: read every message waiting on
 * sock (a SUB); *last_heard_ms is set when one came from the sink.  True
 * when one said "stop". */
bool msg_control_drain(void *sock, int64_t *last_heard_ms);
/* True when the sink spoke once and then nothing for MSG_ORPHAN_MS: its
 * crawl is over (a stop was missed) or it died. */
bool msg_sink_silent(int64_t last_heard_ms);

/* Counters of refused frames since start (for stats). */
extern uint64_t msg_refused;

#endif
