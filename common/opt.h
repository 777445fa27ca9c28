/* opt.h: option values shared by the three executables' getopt loops;
 * a bad value is exit status 2 with a message naming the option. */
#ifndef ZS_OPT_H
#define ZS_OPT_H

#include "common/compat.h"

/* --NAME V: V as a number in min..max. */
long opt_long(const char *name, const char *v, long min, long max);
/* --log-level V: sets the log level. */
void opt_log_level(const char *v);

#endif
