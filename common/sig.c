/* sig.c: signal flag and self-pipe. */
#include "common/compat.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/log.h"
#include "common/sig.h"
#include "common/util.h"

volatile sig_atomic_t sig_stop;
static int sig_pipe[2] = { -1, -1 };

static void on_signal(int signo)
{
    int saved = errno;
    char c = (char)signo;
    ssize_t w;

    sig_stop++;
    w = write(sig_pipe[1], &c, 1);
    (void)w;
    errno = saved;
}

void sig_init(void)
{
    struct sigaction sa;
    int i;

    if (pipe(sig_pipe) < 0)
        fatal("cannot make signal pipe: %s", strerror(errno));
    for (i = 0; i < 2; i++) {
        fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

int sig_fd(void)
{
    return sig_pipe[0];
}

void sig_drain(void)
{
    char tmp[64];

    while (read(sig_pipe[0], tmp, sizeof(tmp)) > 0)
        ;
}

void sig_follow_parent(void)
{
    const char *env = getenv("ZSCRAPE_PARENT_PID");
    long ppid;

    if (!env || parse_long(env, 1, LONG_MAX, &ppid) < 0)
        return;
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
        log_warn("cannot ask for the parent's death signal: %s",
                 strerror(errno));
    if ((long)getppid() != ppid)
        raise(SIGTERM);   /* the parent died before we asked */
}
