/* log.h: one line per event on stderr:
 *   TIME ROLE[PID] LEVEL message key=value ...
 * The level is checked before anything is formatted; errno is preserved.
 *
 * What the user did wrong (a bad option, a bad seed line, a file that
 * cannot be written) is not an event: say() and die_usage() print it as
 * "NAME: message", NAME being the role, or $ZSCRAPE_VOICE when set (the
 * launcher sets it to "zscrape", so a crawl speaks with one voice). */
#ifndef ZS_LOG_H
#define ZS_LOG_H

#include "common/compat.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

#define LOG_VOICE_ENV "ZSCRAPE_VOICE"

/* Set the role name shown on every line (borrowed: a string literal);
 * reads $ZSCRAPE_VOICE, the name user messages go by. */
void log_init(const char *role, enum log_level level);
/* The name say() and die_usage() print first. */
const char *log_voice_name(void);
/* fn runs before any line is written to stderr (the sink's progress line
 * erases itself there); NULL for none. */
void log_set_before_line(void (*fn)(void));
/* Parse "error|warn|info|debug"; -1 if unknown. */
int log_level_parse(const char *s);
void log_set_json(bool on);
extern enum log_level log_max_level;

void log_msg(enum log_level lvl, const char *fmt, ...) ZS_PRINTF(2, 3);
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) \
    do { if (log_max_level >= LOG_WARN) log_msg(LOG_WARN, __VA_ARGS__); \
    } while (0)
#define log_info(...) \
    do { if (log_max_level >= LOG_INFO) log_msg(LOG_INFO, __VA_ARGS__); \
    } while (0)
#define log_debug(...) \
    do { if (log_max_level >= LOG_DEBUG) log_msg(LOG_DEBUG, __VA_ARGS__); \
    } while (0)

/* Log at error level and return -1 (git's error()). */
int error(const char *fmt, ...) ZS_PRINTF(1, 2);
/* Log and exit(1); only at start-up and on out-of-memory. */
ZS_NORETURN void fatal(const char *fmt, ...) ZS_PRINTF(1, 2);
/* Print "NAME: message" (a note or warning for the user, not an event:
 * a bad seed line, what a resume resumes). */
void say(const char *fmt, ...) ZS_PRINTF(1, 2);
/* Print "NAME: message" and exit(2): bad usage or bad input file. */
ZS_NORETURN void die_usage(const char *fmt, ...) ZS_PRINTF(1, 2);

#endif
