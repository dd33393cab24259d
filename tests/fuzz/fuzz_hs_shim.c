/* Stand-ins for the handshake fuzz target, linked with -Wl,--wrap=tls_start,
 * --wrap=tls_protocol_name, --wrap=tls_peer_certificates and --wrap=rfbClientEncryptBytes, and
 * in place of certcheck.c (not linked into the target):
 * - a pretend TLS layer: the fuzz bytes after the server's TLS go-ahead say whether "TLS" came
 *   up (one byte, 0 = the handshake failed); then the stream goes on in clear, so the fuzzer
 *   reaches everything vencrypt.c does inside TLS. Writes through it are "encrypted": dropped.
 *   Inputs with the real-TLS flag run GnuTLS (tls.c) on the fuzz bytes instead;
 * - certcheck_run: one more byte picks the verdict (verified, pinned, accepted once, refused,
 *   cancelled). Certificate parsing is GnuTLS's and needs the system CA list per input;
 * - rfbClientEncryptBytes: computes the real VncAuth response and remembers it, so the target
 *   can check that it never went out unencrypted without the user's consent. */
#include "fuzz_hs.h"

#include "certcheck.h"
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fuzz_hs fuzz_hs;

struct transport *__real_tls_start(struct transport *inner, const struct tls_options *o,
                                   uint64_t deadline_ms, int cancel_fd, struct vv_error *err);
const char *__real_tls_protocol_name(struct transport *t);
const gnutls_datum_t *__real_tls_peer_certificates(struct transport *t, unsigned *n);
void __real_rfbClientEncryptBytes(unsigned char *bytes, char *passwd);

struct transport *__wrap_tls_start(struct transport *inner, const struct tls_options *o,
                                   uint64_t deadline_ms, int cancel_fd, struct vv_error *err);
const char *__wrap_tls_protocol_name(struct transport *t);
const gnutls_datum_t *__wrap_tls_peer_certificates(struct transport *t, unsigned *n);
void __wrap_rfbClientEncryptBytes(unsigned char *bytes, char *passwd);

struct shim {
    struct transport base; /* first: a struct transport * is a struct shim * */
    struct transport *inner;
    bool tls13;
};

static ssize_t shim_read(struct transport *t, void *buf, size_t n)
{
    struct shim *s = (struct shim *)t;
    return s->inner->ops->read(s->inner, buf, n);
}

static ssize_t shim_write(struct transport *t, const void *buf, size_t n)
{
    (void)t;
    (void)buf;
    return (ssize_t)n; /* encrypted: nothing of it is visible in clear */
}

static bool shim_pending(struct transport *t)
{
    struct shim *s = (struct shim *)t;
    return s->inner->ops->pending(s->inner);
}

static void shim_close(struct transport *t)
{
    struct shim *s = (struct shim *)t;
    transport_close(s->inner);
    free(s);
}

static const struct transport_ops shim_ops = {shim_read, shim_write, shim_pending, shim_close};

bool fuzz_hs_is_shim(const struct transport *t)
{
    return t && t->ops == &shim_ops;
}

/* One control byte from the stream; false at its end. */
static bool control_byte(struct transport *t, uint8_t *b)
{
    return t && t->ops->read(t, b, 1) == 1;
}

struct transport *__wrap_tls_start(struct transport *inner, const struct tls_options *o,
                                   uint64_t deadline_ms, int cancel_fd, struct vv_error *err)
{
    fuzz_hs.tls_started++;
    if (fuzz_hs.real_tls)
        return __real_tls_start(inner, o, deadline_ms, cancel_fd, err);
    uint8_t b;
    if (!control_byte(inner, &b)) {
        vv_error_set(err, VV_ERR_CLOSED, "%s closed the connection during the TLS handshake",
                     inner->peer);
        return NULL;
    }
    if (b == 0) {
        vv_error_set(err, VV_ERR_SECURITY, "TLS handshake with %s failed: (fuzz)", inner->peer);
        return NULL;
    }
    struct shim *s = calloc(1, sizeof *s);
    if (!s) {
        vv_error_set(err, VV_ERR_GENERIC, "out of memory");
        return NULL;
    }
    s->base.ops = &shim_ops;
    s->base.fd = inner->fd;
    snprintf(s->base.peer, sizeof s->base.peer, "%s", inner->peer);
    snprintf(s->base.description, sizeof s->base.description, "%s", inner->description);
    s->inner = inner;
    s->tls13 = b & 1;
    return &s->base;
}

const char *__wrap_tls_protocol_name(struct transport *t)
{
    if (fuzz_hs_is_shim(t))
        return ((struct shim *)t)->tls13 ? "TLS1.3" : "TLS1.2";
    return __real_tls_protocol_name(t);
}

const gnutls_datum_t *__wrap_tls_peer_certificates(struct transport *t, unsigned *n)
{
    if (fuzz_hs_is_shim(t)) {
        *n = 0;
        return NULL;
    }
    return __real_tls_peer_certificates(t, n);
}

void __wrap_rfbClientEncryptBytes(unsigned char *bytes, char *passwd)
{
    __real_rfbClientEncryptBytes(bytes, passwd);
    if (fuzz_hs.nresponses < FUZZ_HS_MAX_RESPONSES)
        memcpy(fuzz_hs.responses[fuzz_hs.nresponses++], bytes, 16);
}

/* certcheck.c is not linked: the verdict comes from the stream (the raw transport). */
bool certcheck_run(const gnutls_datum_t *chain, unsigned n, const struct certcheck_params *p,
                   struct certcheck_result *out, struct vv_error *err)
{
    (void)chain;
    (void)n;
    memset(out, 0, sizeof *out);
    snprintf(out->fingerprint, sizeof out->fingerprint,
             "SHA256:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:"
             "99:AA:BB:CC:DD:EE:FF");
    uint8_t b;
    if (!control_byte(fuzz_hs.raw, &b)) {
        vv_error_set(err, VV_ERR_CERT, "%s sent no certificate", p->host);
        return false;
    }
    switch (b % 5) {
    case 0:
        out->outcome = CERTCHECK_VERIFIED;
        return true;
    case 1:
        out->outcome = CERTCHECK_PINNED;
        return true;
    case 2:
        out->outcome = CERTCHECK_ACCEPTED_ONCE;
        return true;
    case 3:
        vv_error_set(err, VV_ERR_CERT, "the certificate of %s is not trusted (fuzz)", p->host);
        return false;
    default:
        vv_error_set(err, VV_ERR_CANCELLED, "certificate of %s refused; not connected", p->host);
        return false;
    }
}
