/* log.c: the one logger of every process (stderr, one line an event). */
#include "common/compat.h"

#include <time.h>
#include <unistd.h>

#include "common/log.h"

enum log_level log_max_level = LOG_INFO;
static const char *log_role = "zscrape";
static const char *log_voice;   /* the user-facing name, or NULL */
static bool log_json;
static void (*log_before)(void);/* erases a progress line, or NULL */

static const char *const level_names[] = { "ERROR", "WARN", "INFO", "DEBUG" };

void log_init(const char *role, enum log_level level)
{
    const char *v = getenv(LOG_VOICE_ENV);

    log_role = role;
    log_max_level = level;
    log_voice = v && *v ? v : NULL;
}

void log_set_before_line(void (*fn)(void))
{
    log_before = fn;
}

const char *log_voice_name(void)
{
    return log_voice ? log_voice : log_role;
}

void log_set_json(bool on)
{
    log_json = on;
}

int log_level_parse(const char *s)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(names); i++)
        if (!strcmp(s, names[i]))
            return (int)i;
    return -1;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
    int saved = errno;
    char line[2048];
    char ts[32];
    struct timespec now;
    struct tm tm;

    if (log_before)
        log_before();
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    vsnprintf(line, sizeof(line), fmt, ap);
    if (log_json) {
        fprintf(stderr, "{\"time\":\"%s.%03ldZ\",\"role\":\"%s\",\"pid\":%ld,"
                "\"level\":\"%s\",\"msg\":", ts, now.tv_nsec / 1000000,
                log_role, (long)getpid(), level_names[lvl]);
        json_str(stderr, line);
        fputs("}\n", stderr);
    } else {
        fprintf(stderr, "%s.%03ldZ %s[%ld] %s %s\n", ts,
                now.tv_nsec / 1000000, log_role, (long)getpid(),
                level_names[lvl], line);
    }
    errno = saved;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    va_list ap;

    if (lvl > log_max_level)
        return;
    va_start(ap, fmt);
    log_vmsg(lvl, fmt, ap);
    va_end(ap);
}

int error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vmsg(LOG_ERROR, fmt, ap);
    va_end(ap);
    return -1;
}

void fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vmsg(LOG_ERROR, fmt, ap);
    va_end(ap);
    exit(1);
}

static void say_v(const char *fmt, va_list ap)
{
    char line[2048];

    if (log_before)
        log_before();
    vsnprintf(line, sizeof(line), fmt, ap);
    fprintf(stderr, "%s: %s\n", log_voice_name(), line);
}

void say(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;

    va_start(ap, fmt);
    say_v(fmt, ap);
    va_end(ap);
    errno = saved;
}

void die_usage(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    say_v(fmt, ap);
    va_end(ap);
    exit(2);
}
