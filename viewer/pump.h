/* The transport pump: one thread per session that connects, runs our handshake, then relays bytes
 * between the server's transport and the socketpair libvncclient reads, presenting libvncclient
 * a synthetic "None" handshake. The only thread that touches the transport. */
#ifndef VV_PUMP_H
#define VV_PUMP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "error.h"
#include "guard.h"
#include "handshake.h"
#include "ssh.h"

struct pump;

struct pump_config {
    struct vv_address addr;
    int timeout_ms;
    const char *password;            /* copied; wiped when no longer needed */
    const struct prompter *prompter; /* asks passwords, host keys, certificates */
    const struct security_options *sec;
    const struct ssh_params *ssh; /* NULL: direct TCP */
    void (*on_status)(void *ctx, const char *text);
    void *ctx;
    int client_fd;                  /* our end of the socketpair; the pump owns and closes it */
    const int32_t *encodings;       /* the SetEncodings list the session sends: the guard allows */
    int nenc;                       /* exactly these (copied) */
    struct pump_watchdog *watchdog; /* the session thread's decode CPU, or NULL */
    /* The guard's limits; NULL = the defaults (copied). */
    const struct guard_limits *limits;
};

/* CPU budget per server message on the session thread: libvncclient decodes synchronously, so
 * only a thread outside it can notice an update that costs too much (amplification, or a loop
 * nobody has found yet) and cut the session off. */
struct pump_watchdog {
    clockid_t clock;            /* the session thread's CPU clock */
    atomic_bool armed;          /* inside HandleRFBServerMessage */
    _Atomic long long start_ns; /* its CPU time when the message began */
    double budget_s;
    /* Added to the budget for the desktop's size: allocating, first touching and copying a
     * framebuffer of up to 16384x16384 is legitimate work inside one message (a resize and
     * the first full frame), ~1 s per 16 Mpx on a slow VM. The session clears it at each
     * message and sets it when the message resizes or publishes the whole desktop. */
    _Atomic long long allowance_ns;
};
/* The allowance for a w x h desktop. */
long long pump_watchdog_allowance_ns(int w, int h);
/* CPU nanoseconds of a thread's clock. */
long long pump_cpu_ns(clockid_t clock);

struct pump *pump_start(const struct pump_config *cfg, struct vv_error *err);
/* The session has started (ServerInit handled): a server hang-up now means "connection lost". */
void pump_mark_running(struct pump *p);
/* Any thread: stop connecting / relaying as soon as possible. */
void pump_cancel(struct pump *p);
/* Joins the thread; err receives why the pump ended (VV_OK if the session side closed first). */
void pump_join(struct pump *p, struct vv_error *err);
void pump_free(struct pump *p);
/* Security of the established transport, e.g. "NOT ENCRYPTED"; valid once connected. */
const char *pump_security(struct pump *p);
/* What the server's ExtendedDesktopSize rectangles said so far (any thread). */
void pump_layout(struct pump *p, struct guard_layout *out);
/* Bytes relayed so far, server to client and client to server (for benchmarks). */
void pump_counters(struct pump *p, unsigned long long *s2c, unsigned long long *c2s);

#endif
