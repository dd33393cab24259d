/* POSIX implementation of platform/plat.h. */
#include "plat.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int plat_socketpair(int sv[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return -errno;
    return 0;
}

int plat_set_nonblock(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -errno;
    fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    if (fcntl(fd, F_SETFL, fl) != 0)
        return -errno;
    return 0;
}

void plat_ignore_sigpipe(void)
{
    signal(SIGPIPE, SIG_IGN);
}

int plat_close(int fd)
{
    return fd >= 0 ? close(fd) : 0;
}

int plat_wake_open(struct plat_wake *w)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
        w->rfd = w->wfd = -1;
        return -errno;
    }
    w->rfd = p[0];
    w->wfd = p[1];
    return 0;
}

void plat_wake_signal(struct plat_wake *w)
{
    char c = 1;
    /* A full pipe already means "wake up"; nothing else can go wrong worth reporting. */
    ssize_t r = write(w->wfd, &c, 1);
    (void)r;
}

void plat_wake_drain(struct plat_wake *w)
{
    char buf[64];
    while (read(w->rfd, buf, sizeof buf) > 0) {
    }
}

void plat_wake_close(struct plat_wake *w)
{
    plat_close(w->rfd);
    plat_close(w->wfd);
    w->rfd = w->wfd = -1;
}

uint64_t plat_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static double cpu_clock(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double plat_thread_cpu_seconds(void)
{
    return cpu_clock(CLOCK_THREAD_CPUTIME_ID);
}

double plat_process_cpu_seconds(void)
{
    return cpu_clock(CLOCK_PROCESS_CPUTIME_ID);
}

void plat_wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}
