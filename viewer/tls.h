/* TLS over another transport (TCP or an SSH channel) with GnuTLS: a transport that encrypts,
 * non-blocking like the one it wraps. The certificate is not judged here (see certcheck.h). */
#ifndef VV_TLS_H
#define VV_TLS_H

#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "transport.h"

struct tls_options {
    bool anonymous;          /* anonymous (EC)DH: no certificate, nothing to verify */
    const char *server_name; /* sent as SNI when it is a host name (not an IP); may be NULL */
};

/* Runs the TLS handshake over inner, waiting at most until deadline_ms (plat_now_ms clock);
 * cancel_fd readable aborts with VV_ERR_CANCELLED. On success the returned transport owns
 * inner and closing it closes both. On failure: NULL + err (VV_ERR_SECURITY, VV_ERR_CLOSED,
 * VV_ERR_TIMEOUT, VV_ERR_CANCELLED), and inner is untouched and still the caller's. */
struct transport *tls_start(struct transport *inner, const struct tls_options *o,
                            uint64_t deadline_ms, int cancel_fd, struct vv_error *err);

/* The following take a transport returned by tls_start. */
/* "TLS1.3", "TLS1.2" (gnutls_protocol_get_name). */
const char *tls_protocol_name(struct transport *t);
/* The server's certificates as it sent them (leaf first); NULL and *n = 0 for anonymous TLS.
 * Owned by the session: valid until t is closed. */
const gnutls_datum_t *tls_peer_certificates(struct transport *t, unsigned *n);
/* "(TLS1.3)-(ECDHE-SECP256R1)-(RSA-PSS-RSAE-SHA256)-(AES-256-GCM)", for logs. */
void tls_describe(struct transport *t, char *buf, size_t size);

#endif
