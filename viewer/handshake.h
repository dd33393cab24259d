/* Our side of the RFB handshake with the real server: protocol version, security type chosen by
 * our preference, authentication and the security result. libvncclient never sees any of it. */
#ifndef VV_HANDSHAKE_H
#define VV_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "transport.h"

enum rfb_security {
    RFB_SEC_INVALID = 0,
    RFB_SEC_NONE = 1,
    RFB_SEC_VNCAUTH = 2,
};

struct handshake_config {
    /* Password already known (from --passwd / VNC_PASSWORD / the previous attempt), or NULL. */
    const char *password;
    /* Asks for a password, blocking; writes a NUL-terminated password into buf and returns true,
     * or false if none can be had (non-interactive, cancelled). May be NULL. */
    bool (*get_password)(void *ctx, char *buf, size_t size);
    void *ctx;
    uint64_t deadline_ms; /* for network waits; time spent in get_password is added to it */
    int cancel_fd;
};

struct handshake_result {
    int server_major, server_minor; /* what the server announced */
    int minor;                      /* what we speak: 3, 7 or 8 (RFB 3.x) */
    int security;                   /* the type used */
    char offered[160];              /* "VncAuth, None": what the server offered, for messages */
};

/* Runs the handshake up to and including a successful SecurityResult; the next thing the server
 * expects is ClientInit. On failure err says exactly what happened (VV_ERR_NOT_RFB, VV_ERR_AUTH,
 * VV_ERR_NO_PASSWORD, VV_ERR_SECURITY, VV_ERR_CLOSED, VV_ERR_TIMEOUT...). */
bool handshake_run(struct transport *t, const struct handshake_config *cfg,
                   struct handshake_result *res, struct vv_error *err);

/* "VncAuth", "VeNCrypt", "type 42": names for messages. */
const char *handshake_security_name(int type);

#endif
