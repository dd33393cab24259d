/* Operating-system differences: socket pairs, non-blocking fds, wake-up pipes, clocks, paths.
 * Everything #ifdef'd per platform lives behind these functions. */
#ifndef VV_PLAT_H
#define VV_PLAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

/* A connected pair of stream sockets (AF_UNIX socketpair on POSIX). Returns 0 or -errno. */
int plat_socketpair(int sv[2]);
int plat_set_nonblock(int fd, bool on);
/* Ignore SIGPIPE process-wide: writes to a closed peer must return EPIPE, not kill us. */
void plat_ignore_sigpipe(void);
int plat_close(int fd);

/* A wake-up channel: one thread signals, another polls rfd. */
struct plat_wake {
    int rfd, wfd;
};
int plat_wake_open(struct plat_wake *w);
void plat_wake_signal(struct plat_wake *w);
void plat_wake_drain(struct plat_wake *w);
void plat_wake_close(struct plat_wake *w);

/* Monotonic milliseconds since an arbitrary start. */
uint64_t plat_now_ms(void);
/* CPU seconds used by the calling thread / the whole process. */
double plat_thread_cpu_seconds(void);
double plat_process_cpu_seconds(void);

/* Overwrite memory holding a secret in a way the compiler does not elide. */
void plat_wipe(void *p, size_t n);

#endif
