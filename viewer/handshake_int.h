/* Internals shared by handshake.c (version, type choice, VncAuth, result) and vencrypt.c
 * (VeNCrypt, anonymous TLS, Plain): the state of one handshake and its I/O helpers. */
#ifndef VV_HANDSHAKE_INT_H
#define VV_HANDSHAKE_INT_H

#include "handshake.h"
#include "secpolicy.h"

struct hs {
    struct transport *t; /* the stream now: TCP/SSH, or the TLS transport wrapping it */
    const struct handshake_config *cfg;
    struct handshake_result *res;
    struct secpolicy policy;
    uint64_t deadline;        /* cfg->deadline_ms plus the time spent in prompts */
    enum secpolicy_auth auth; /* how we authenticated: names the SecurityResult failure */
    bool result_expected;     /* the server sends a SecurityResult */
};

uint32_t hs_be32(const uint8_t *p);
bool hs_read(struct hs *h, void *buf, size_t n, const char *what, struct vv_error *err);
bool hs_write(struct hs *h, const void *buf, size_t n, struct vv_error *err);
/* Asks the user; the time spent does not count against the deadline. */
int hs_ask(struct hs *h, struct prompt *p);
/* Reads a u32 length and that much reason text (truncated, made printable). */
bool hs_read_reason(struct hs *h, char *reason, size_t size, struct vv_error *err);
/* "offered" list for messages from type bytes. */
void hs_describe_types(const uint8_t *types, size_t n, char *buf, size_t size);
/* Before anything secret or typed goes out unencrypted to another machine: asks (once per
 * connection), or fails without --insecure when nobody can be asked. */
bool hs_confirm_insecure(struct hs *h, struct vv_error *err);
/* VncAuth: challenge, password (known or asked), response. */
bool hs_vnc_auth(struct hs *h, struct vv_error *err);

/* vencrypt.c: the rest of security type 19 (VeNCrypt) or 18 (anonymous TLS) once chosen, up
 * to but not including the SecurityResult. h->t becomes the TLS transport. */
bool vencrypt_run(struct hs *h, struct vv_error *err);
bool anontls_run(struct hs *h, struct vv_error *err);

#endif
