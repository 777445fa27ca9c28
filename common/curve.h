/* curve.h: CURVE keys (CurveZMQ) for --curve-keys DIR: loading them with
 * clear errors, the sink's list of admitted worker keys, and keygen.
 *
 * DIR holds Z85 text files, one key each (40 characters, then a newline):
 *   coordinator.key   the sink's secret key (needed only on its host)
 *   coordinator.pub   the sink's public key (every worker needs it)
 *   worker.key        the workers' secret key
 *   worker.pub        the workers' public key: the sink admits it
 *   workers/NAME.pub  more worker public keys the sink admits (optional:
 *                     one a host, from a keygen of its own)
 * A secret file must not be readable by group or others (0600), and no
 * key file nor DIR nor DIR/workers writable by them: such a file or folder
 * is refused, as ssh refuses a loose ~/.ssh. */
#ifndef ZS_CURVE_H
#define ZS_CURVE_H

#include "common/compat.h"

#define CURVE_KEY_LEN 32           /* a key, binary */
#define CURVE_Z85_LEN 40           /* a key, Z85 text */
#define CURVE_MAX_WORKERS 4096     /* admitted worker keys at most */

enum curve_role {
    CURVE_SERVER,      /* the sink: coordinator.key, admits worker keys */
    CURVE_CLIENT,      /* a worker: worker.key and coordinator.pub */
};

struct curve_keys {
    char *dir;                          /* DIR (owned) */
    enum curve_role role;               /* which files were loaded */
    uint8_t secret[CURVE_KEY_LEN];      /* our secret key */
    uint8_t public[CURVE_KEY_LEN];      /* our public key (from secret) */
    uint8_t server[CURVE_KEY_LEN];      /* the coordinator's public key */
    uint8_t (*workers)[CURVE_KEY_LEN];  /* server: admitted keys (owned) */
    size_t nworkers;                    /* entries in workers */
};

/* Load what role needs from dir: the server reads coordinator.key (and
 * checks coordinator.pub against it when present) and the admitted worker
 * keys (worker.pub, workers/ *.pub: at least one); a client reads
 * worker.key (checking worker.pub when present) and coordinator.pub.
 * NULL on error with a message naming the file in err: missing, not a
 * Z85 key, loose permissions, or a public key that does not match its
 * secret.  Caller frees with curve_keys_free(). */
struct curve_keys *curve_keys_load(const char *dir, enum curve_role role,
                                   char *err, size_t errlen);
void curve_keys_free(struct curve_keys *k);

/* True when key is one of k's admitted worker keys. */
bool curve_keys_admits(const struct curve_keys *k,
                       const uint8_t key[CURVE_KEY_LEN]);

/* Read the admitted worker keys again (a worker key added to DIR/workers
 * during a crawl).  0 on success; -1 with err set, k unchanged. */
int curve_keys_reload(struct curve_keys *k, char *err, size_t errlen);

/* Read one Z85 key file into key; secret: the file must be 0600 or
 * stricter.  0 on success, -1 with err set. */
int curve_read_key(const char *path, bool secret,
                   uint8_t key[CURVE_KEY_LEN], char *err, size_t errlen);

/* Key as Z85 text into out (CURVE_Z85_LEN + 1 bytes). */
void curve_z85(const uint8_t key[CURVE_KEY_LEN], char *out);

/* Make dir (mode 0700) with a coordinator and a worker key pair and an
 * empty workers/ folder; never overwrites a key.  0 on success, -1 with
 * err set. */
int curve_keygen(const char *dir, char *err, size_t errlen);

/* The keygen command (zscrape keygen DIR): curve_keygen, then a note on
 * stderr; returns the exit status (0, or 1 with the message). */
int curve_keygen_cmd(const char *dir);

#endif
