/* GnuTLS transport: push/pull through the inner transport's read/write, non-blocking, so the
 * pump's poll loop drives it exactly like TCP. */
#include "tls.h"

#include "log.h"
#include "plat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TLS_PRIORITY_ANON "NORMAL:+ANON-ECDH:+ANON-DH"
#define TLS_PRIORITY_X509 "NORMAL"

struct tls {
    struct transport base; /* first: a struct transport * is a struct tls * */
    struct transport *inner;
    gnutls_session_t session;
    gnutls_certificate_credentials_t xcred;
    gnutls_anon_client_credentials_t acred;
    int inner_errno;  /* why the inner transport failed, for messages */
    size_t again_len; /* size of a send that returned E_AGAIN: GnuTLS must get it again */
};

static ssize_t tls_push(gnutls_transport_ptr_t ptr, const void *buf, size_t n)
{
    struct tls *tl = ptr;
    ssize_t r = tl->inner->ops->write(tl->inner, buf, n);
    if (r >= 0)
        return r;
    int e = r == -EAGAIN ? EAGAIN : (int)-r;
    if (e != EAGAIN)
        tl->inner_errno = e;
    gnutls_transport_set_errno(tl->session, e);
    return -1;
}

static ssize_t tls_pull(gnutls_transport_ptr_t ptr, void *buf, size_t n)
{
    struct tls *tl = ptr;
    ssize_t r = tl->inner->ops->read(tl->inner, buf, n);
    if (r >= 0)
        return r;
    int e = r == -EAGAIN ? EAGAIN : (int)-r;
    if (e != EAGAIN)
        tl->inner_errno = e;
    gnutls_transport_set_errno(tl->session, e);
    return -1;
}

/* GnuTLS calls this only when a handshake or record timeout is set, and we set none (our own
 * deadline rules; verified: never called against Xvnc). A safety net: it never blocks long. */
static int tls_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
    struct tls *tl = ptr;
    if (tl->inner->ops->pending(tl->inner))
        return 1;
    int wait = ms == GNUTLS_INDEFINITE_TIMEOUT ? 1000 : (ms > 1000 ? 1000 : (int)ms);
    struct pollfd p = {tl->inner->fd, POLLIN, 0};
    int r = poll(&p, 1, wait);
    if (r < 0) {
        gnutls_transport_set_errno(tl->session, errno == EINTR ? EAGAIN : errno);
        return -1;
    }
    return r;
}

static ssize_t tls_read(struct transport *t, void *buf, size_t n)
{
    struct tls *tl = (struct tls *)t;
    for (;;) {
        ssize_t r = gnutls_record_recv(tl->session, buf, n);
        if (r >= 0)
            return r;
        switch (r) {
        case GNUTLS_E_AGAIN:
        case GNUTLS_E_INTERRUPTED:
            return -EAGAIN;
        case GNUTLS_E_REHANDSHAKE: /* a TLS 1.2 renegotiation request: declining is allowed */
        case GNUTLS_E_WARNING_ALERT_RECEIVED:
            log_debug("TLS from %s: %s; going on", t->peer, gnutls_strerror((int)r));
            continue;
        case GNUTLS_E_PREMATURE_TERMINATION:
            /* Closed without close_notify: RFB messages carry their own lengths, so a cut
             * stream is just the end of the session. */
            log_debug("%s closed the TLS connection without close_notify", t->peer);
            return 0;
        case GNUTLS_E_PULL_ERROR:
        case GNUTLS_E_PUSH_ERROR:
            return -(tl->inner_errno ? tl->inner_errno : EIO);
        default:
            log_warn("TLS error from %s: %s", t->peer, gnutls_strerror((int)r));
            return -EPROTO;
        }
    }
}

static ssize_t tls_write(struct transport *t, const void *buf, size_t n)
{
    struct tls *tl = (struct tls *)t;
    size_t len = n;
    if (tl->again_len) {
        /* GnuTLS already holds that record: it wants the same call again. Our callers retry
         * from the same position with at least as many bytes; anything else is a bug. */
        if (n < tl->again_len) {
            log_error("TLS write retried with %zu bytes after %zu were pending", n, tl->again_len);
            return -EINVAL;
        }
        len = tl->again_len;
    }
    ssize_t r = gnutls_record_send(tl->session, buf, len);
    if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
        tl->again_len = len;
        return -EAGAIN;
    }
    tl->again_len = 0;
    if (r >= 0)
        return r;
    if (r == GNUTLS_E_PUSH_ERROR || r == GNUTLS_E_PULL_ERROR)
        return -(tl->inner_errno ? tl->inner_errno : EIO);
    log_warn("TLS error sending to %s: %s", t->peer, gnutls_strerror((int)r));
    return -EPROTO;
}

static bool tls_pending(struct transport *t)
{
    struct tls *tl = (struct tls *)t;
    return gnutls_record_check_pending(tl->session) > 0 || tl->inner->ops->pending(tl->inner);
}

static void tls_free(struct tls *tl, bool close_inner)
{
    if (tl->session)
        gnutls_deinit(tl->session);
    if (tl->xcred)
        gnutls_certificate_free_credentials(tl->xcred);
    if (tl->acred)
        gnutls_anon_free_client_credentials(tl->acred);
    if (close_inner)
        transport_close(tl->inner);
    free(tl);
}

static void tls_close(struct transport *t)
{
    struct tls *tl = (struct tls *)t;
    /* close_notify, best effort: one non-blocking attempt, no waiting for the server. */
    gnutls_bye(tl->session, GNUTLS_SHUT_WR);
    tls_free(tl, true);
}

static const struct transport_ops tls_ops = {tls_read, tls_write, tls_pending, tls_close};

static bool is_ip_literal(const char *host)
{
    unsigned char b[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, b) == 1 || inet_pton(AF_INET6, host, b) == 1;
}

/* Turns a failed handshake into a sentence. */
static void handshake_error(struct tls *tl, int r, struct vv_error *err)
{
    const char *peer = tl->inner->peer;
    switch (r) {
    case GNUTLS_E_PULL_ERROR:
    case GNUTLS_E_PUSH_ERROR:
    case GNUTLS_E_PREMATURE_TERMINATION:
    case GNUTLS_E_UNEXPECTED_PACKET_LENGTH:
        vv_error_set(err, VV_ERR_CLOSED, "%s closed the connection during the TLS handshake%s%s",
                     peer, tl->inner_errno ? ": " : "",
                     tl->inner_errno ? strerror(tl->inner_errno) : "");
        break;
    case GNUTLS_E_FATAL_ALERT_RECEIVED:
        vv_error_set(err, VV_ERR_SECURITY, "%s refused the TLS handshake (alert: %s)", peer,
                     gnutls_alert_get_name(gnutls_alert_get(tl->session)));
        break;
    case GNUTLS_E_NO_CIPHER_SUITES:
    case GNUTLS_E_UNKNOWN_CIPHER_SUITE:
    case GNUTLS_E_INSUFFICIENT_CREDENTIALS:
    case GNUTLS_E_UNSUPPORTED_VERSION_PACKET:
    case GNUTLS_E_NO_PRIORITIES_WERE_SET:
        vv_error_set(err, VV_ERR_SECURITY,
                     "TLS with %s failed: no TLS version or cipher both sides accept (%s)", peer,
                     gnutls_strerror(r));
        break;
    default:
        vv_error_set(err, VV_ERR_SECURITY, "TLS handshake with %s failed: %s", peer,
                     gnutls_strerror(r));
    }
}

/* Waits for the inner transport in the direction GnuTLS needs. */
static bool handshake_wait(struct tls *tl, uint64_t deadline_ms, int cancel_fd,
                           struct vv_error *err)
{
    bool writing = gnutls_record_get_direction(tl->session) == 1;
    if (!writing && tl->inner->ops->pending(tl->inner))
        return true;
    for (;;) {
        uint64_t now = plat_now_ms();
        if (now >= deadline_ms) {
            vv_error_set(err, VV_ERR_TIMEOUT,
                         "%s: the TLS handshake did not finish within the timeout (see "
                         "--timeout)",
                         tl->inner->peer);
            return false;
        }
        struct pollfd p[2] = {{tl->inner->fd, writing ? POLLOUT : POLLIN, 0},
                              {cancel_fd, POLLIN, 0}};
        int r = poll(p, cancel_fd >= 0 ? 2 : 1, (int)(deadline_ms - now));
        if (r < 0 && errno == EINTR)
            continue;
        if (cancel_fd >= 0 && (p[1].revents & POLLIN)) {
            vv_error_set(err, VV_ERR_CANCELLED, "cancelled");
            return false;
        }
        if (r > 0 && p[0].revents)
            return true;
    }
}

struct transport *tls_start(struct transport *inner, const struct tls_options *o,
                            uint64_t deadline_ms, int cancel_fd, struct vv_error *err)
{
    struct tls *tl = calloc(1, sizeof *tl);
    if (!tl) {
        vv_error_set(err, VV_ERR_GENERIC, "out of memory");
        return NULL;
    }
    tl->inner = inner;
    tl->base.ops = &tls_ops;
    tl->base.fd = inner->fd;
    snprintf(tl->base.peer, sizeof tl->base.peer, "%s", inner->peer);
    snprintf(tl->base.description, sizeof tl->base.description, "%s", inner->description);
    const char *prio = o->anonymous ? TLS_PRIORITY_ANON : TLS_PRIORITY_X509;
    int r = gnutls_init(&tl->session, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
    if (r == 0 && o->anonymous) {
        r = gnutls_anon_allocate_client_credentials(&tl->acred);
        if (r == 0)
            r = gnutls_credentials_set(tl->session, GNUTLS_CRD_ANON, tl->acred);
    } else if (r == 0) {
        /* Verification happens after the handshake (certcheck), with our own trust list. */
        r = gnutls_certificate_allocate_credentials(&tl->xcred);
        if (r == 0)
            r = gnutls_credentials_set(tl->session, GNUTLS_CRD_CERTIFICATE, tl->xcred);
        if (r == 0 && o->server_name && *o->server_name && !is_ip_literal(o->server_name))
            r = gnutls_server_name_set(tl->session, GNUTLS_NAME_DNS, o->server_name,
                                       strlen(o->server_name));
    }
    if (r == 0)
        r = gnutls_priority_set_direct(tl->session, prio, NULL);
    if (r != 0) {
        vv_error_set(err, VV_ERR_GENERIC, "cannot set up TLS: %s", gnutls_strerror(r));
        tls_free(tl, false);
        return NULL;
    }
    gnutls_transport_set_ptr(tl->session, tl);
    gnutls_transport_set_push_function(tl->session, tls_push);
    gnutls_transport_set_pull_function(tl->session, tls_pull);
    gnutls_transport_set_pull_timeout_function(tl->session, tls_pull_timeout);
    gnutls_handshake_set_timeout(tl->session, 0); /* our deadline rules */
    for (;;) {
        r = gnutls_handshake(tl->session);
        if (r == 0)
            break;
        if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED ||
            (r == GNUTLS_E_WARNING_ALERT_RECEIVED && !gnutls_error_is_fatal(r))) {
            if (!handshake_wait(tl, deadline_ms, cancel_fd, err)) {
                tls_free(tl, false);
                return NULL;
            }
            continue;
        }
        handshake_error(tl, r, err);
        tls_free(tl, false);
        return NULL;
    }
    char desc[160];
    tls_describe(&tl->base, desc, sizeof desc);
    log_debug("TLS with %s: %s", inner->peer, desc);
    return &tl->base;
}

const char *tls_protocol_name(struct transport *t)
{
    struct tls *tl = (struct tls *)t;
    const char *n = gnutls_protocol_get_name(gnutls_protocol_get_version(tl->session));
    return n ? n : "TLS";
}

const gnutls_datum_t *tls_peer_certificates(struct transport *t, unsigned *n)
{
    struct tls *tl = (struct tls *)t;
    *n = 0;
    if (gnutls_certificate_type_get(tl->session) != GNUTLS_CRT_X509)
        return NULL;
    const gnutls_datum_t *c = gnutls_certificate_get_peers(tl->session, n);
    if (!c)
        *n = 0;
    return c;
}

void tls_describe(struct transport *t, char *buf, size_t size)
{
    struct tls *tl = (struct tls *)t;
    char *d = gnutls_session_get_desc(tl->session);
    snprintf(buf, size, "%s", d ? d : "?");
    gnutls_free(d);
}
