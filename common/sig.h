/* sig.h: SIGINT/SIGTERM become a counter and a byte on a self-pipe, so the
 * event loop wakes up and does the work.  SIGPIPE is ignored. */
#ifndef ZS_SIG_H
#define ZS_SIG_H

#include <signal.h>

extern volatile sig_atomic_t sig_stop;   /* number of stop signals seen */

void sig_init(void);
/* When ZSCRAPE_PARENT_PID is set (by the launcher), get SIGTERM when that
 * parent dies, so no worker outlives a killed launcher. */
void sig_follow_parent(void);
/* Read end of the self-pipe (non-blocking); drain it with sig_drain(). */
int sig_fd(void);
void sig_drain(void);

#endif
