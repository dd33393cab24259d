/* Internals shared by guardclient.c (client thread, API) and guardclient_relay.c (relay
 * thread). Not for tests: use guardclient.h. */
#ifndef VV_GUARDCLIENT_PRIV_H
#define VV_GUARDCLIENT_PRIV_H

#include "encodings.h"
#include "guardclient.h"
#include "plat.h"

#include <pthread.h>
#include <rfb/rfbclient.h>
#include <stdatomic.h>

struct guardclient {
    struct guardclient_opts o;
    int32_t codes[ENC_MAX];
    int ncodes;
    rfbClient *cl;
    int srv_fd, sv[2];
    struct plat_wake stop_wake;
    atomic_bool stop;
    pthread_t relay_thread, client_thread;
    bool relay_started, client_started;

    pthread_mutex_t lock; /* everything below */
    pthread_cond_t cond;
    uint64_t updates;
    bool ended;
    struct guardclient_events ev;
    bool guard_failed;
    struct vv_error guard_err;
    struct guard_stats stats;
    uint8_t *rec[2]; /* guard input, output */
    size_t rec_len[2], rec_cap[2];
    bool rec_truncated;

    pthread_mutex_t fb_lock; /* held while libvncclient handles a message */
    /* Zlib and Ultra arrive under the guard's private numbers: our decoders (client thread). */
    struct zlibdec *zlib;
    struct ultradec *ultra;
    struct tightdec *tight;
};

/* Unlocks c->lock after waking its waiters. */
void guardclient_notify(struct guardclient *c);
/* The relay thread: arg is the guardclient. */
void *guardclient_relay_main(void *arg);

#endif
