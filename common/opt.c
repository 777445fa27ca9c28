/* opt.c: option values shared by the executables (opt.h). */
#include "common/compat.h"

#include "common/log.h"
#include "common/opt.h"
#include "common/util.h"

long opt_long(const char *name, const char *v, long min, long max)
{
    long n;

    if (parse_long(v, min, max, &n) < 0)
        die_usage("--%s: '%s' is not a number in %ld..%ld", name, v, min,
                  max);
    return n;
}

void opt_log_level(const char *v)
{
    int level = log_level_parse(v);

    if (level < 0)
        die_usage("--log-level: '%s' is not error|warn|info|debug", v);
    log_max_level = (enum log_level)level;
}
