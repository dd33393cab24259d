/* The server-side byte stream of a session: plain TCP now, TLS and SSH channels later. Only the
 * transport pump thread touches a transport once the session runs. */
#ifndef VV_TRANSPORT_H
#define VV_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"
#include "error.h"

struct transport {
    const struct transport_ops *ops;
    int fd;                /* what to poll for readiness */
    char peer[128];        /* "127.0.0.1 port 5901", for messages */
    char description[128]; /* "host:1 (127.0.0.1 port 5901)" */
};

struct transport_ops {
    /* >0 bytes, 0 on orderly EOF, -EAGAIN when nothing is ready, other -errno on error. */
    ssize_t (*read)(struct transport *t, void *buf, size_t n);
    ssize_t (*write)(struct transport *t, const void *buf, size_t n);
    /* Bytes already decrypted/buffered inside the transport, readable without polling. */
    bool (*pending)(struct transport *t);
    void (*close)(struct transport *t); /* frees t */
};

/* Connects over TCP within timeout_ms; polls cancel_fd too (readable = give up, VV_ERR_CANCELLED).
 * Returns a transport whose fd is non-blocking, or NULL with err naming host and port. */
struct transport *tcp_connect(const struct vv_address *addr, int timeout_ms, int cancel_fd,
                              struct vv_error *err);

/* Blocking helpers for the handshake: they poll with a deadline (plat_now_ms based) and the
 * cancel fd. what names the item for messages ("the server's protocol version"). */
bool transport_read_full(struct transport *t, void *buf, size_t n, uint64_t deadline_ms,
                         int cancel_fd, const char *what, struct vv_error *err);
bool transport_write_full(struct transport *t, const void *buf, size_t n, uint64_t deadline_ms,
                          int cancel_fd, struct vv_error *err);
static inline void transport_close(struct transport *t)
{
    if (t)
        t->ops->close(t);
}

#endif
