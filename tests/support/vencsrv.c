/* Scripted TLS-capable VNC server for security tests; see vencsrv.h. */
#include "vencsrv.h"

#include "plat.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <rfb/rfbproto.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define IO_TIMEOUT_MS 5000

struct vencsrv {
    int listen_fd, conn_fd, port;
    vencsrv_script_fn script;
    void *arg;
    pthread_t thread;
    struct plat_wake wake;
    atomic_bool stopping, tls_active, accepted, done;
    gnutls_session_t tls;
    gnutls_certificate_credentials_t xcred;
    gnutls_anon_server_credentials_t acred;
    int timeout_ms; /* for the pull function during a TLS read */
    uint8_t *wire;  /* everything received, as it came */
    size_t wire_len, wire_cap;
};

static bool wait_fd(struct vencsrv *srv, int fd, short events, int timeout_ms)
{
    uint64_t until = plat_now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        uint64_t now = plat_now_ms();
        if (atomic_load(&srv->stopping) || now >= until)
            return false;
        struct pollfd p[2] = {{fd, events, 0}, {srv->wake.rfd, POLLIN, 0}};
        int r = poll(p, 2, (int)(until - now));
        if (r < 0 && errno != EINTR)
            return false;
        if (p[1].revents)
            return false;
        if (r > 0 && p[0].revents)
            return true;
    }
}

/* One read from the socket, recorded. -1 with errno on timeout/stop/error, 0 on EOF. */
static ssize_t wire_read(struct vencsrv *srv, void *buf, size_t n, int timeout_ms)
{
    if (!wait_fd(srv, srv->conn_fd, POLLIN, timeout_ms)) {
        errno = ETIMEDOUT;
        return -1;
    }
    ssize_t r = recv(srv->conn_fd, buf, n, 0);
    if (r > 0) {
        if (srv->wire_len + (size_t)r > srv->wire_cap) {
            size_t cap = (srv->wire_cap + (size_t)r) * 2;
            uint8_t *w = realloc(srv->wire, cap);
            if (!w)
                return -1;
            srv->wire = w;
            srv->wire_cap = cap;
        }
        memcpy(srv->wire + srv->wire_len, buf, (size_t)r);
        srv->wire_len += (size_t)r;
    }
    return r;
}

static bool wire_write(struct vencsrv *srv, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n > 0) {
        if (!wait_fd(srv, srv->conn_fd, POLLOUT, IO_TIMEOUT_MS))
            return false;
        ssize_t r = send(srv->conn_fd, p, n, MSG_NOSIGNAL);
        if (r < 0 && errno != EAGAIN && errno != EINTR)
            return false;
        if (r > 0) {
            p += r;
            n -= (size_t)r;
        }
    }
    return true;
}

static ssize_t tls_pull(gnutls_transport_ptr_t ptr, void *buf, size_t n)
{
    struct vencsrv *srv = ptr;
    ssize_t r = wire_read(srv, buf, n, srv->timeout_ms);
    if (r < 0)
        gnutls_transport_set_errno(srv->tls, errno == EAGAIN ? EAGAIN : EIO);
    return r;
}

static ssize_t tls_push(gnutls_transport_ptr_t ptr, const void *buf, size_t n)
{
    struct vencsrv *srv = ptr;
    if (!wire_write(srv, buf, n)) {
        gnutls_transport_set_errno(srv->tls, EIO);
        return -1;
    }
    return (ssize_t)n;
}

bool vencsrv_send(struct vencsrv *srv, const void *buf, size_t n)
{
    if (!srv->tls)
        return wire_write(srv, buf, n);
    const uint8_t *p = buf;
    while (n > 0) {
        ssize_t r = gnutls_record_send(srv->tls, p, n);
        if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
            continue;
        if (r < 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

bool vencsrv_send_u8(struct vencsrv *srv, uint8_t v)
{
    return vencsrv_send(srv, &v, 1);
}

bool vencsrv_send_u32(struct vencsrv *srv, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return vencsrv_send(srv, b, 4);
}

bool vencsrv_recv(struct vencsrv *srv, void *buf, size_t n, int timeout_ms)
{
    uint8_t *p = buf;
    srv->timeout_ms = timeout_ms;
    while (n > 0) {
        ssize_t r =
            srv->tls ? gnutls_record_recv(srv->tls, p, n) : wire_read(srv, p, n, timeout_ms);
        if (srv->tls && (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED))
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

bool vencsrv_recv_u32(struct vencsrv *srv, uint32_t *v, int timeout_ms)
{
    uint8_t b[4];
    if (!vencsrv_recv(srv, b, 4, timeout_ms))
        return false;
    *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    return true;
}

bool vencsrv_hold(struct vencsrv *srv, int timeout_ms)
{
    uint64_t until = plat_now_ms() + (uint64_t)timeout_ms;
    uint8_t sink[4096];
    while (plat_now_ms() < until) {
        ssize_t r = wire_read(srv, sink, sizeof sink, (int)(until - plat_now_ms()));
        if (r == 0)
            return true;
        if (r < 0)
            return false;
    }
    return false;
}

bool vencsrv_start_tls(struct vencsrv *srv, const struct testcert *cert)
{
    int r = gnutls_init(&srv->tls, GNUTLS_SERVER);
    if (r == 0 && cert) {
        gnutls_datum_t c = {(unsigned char *)cert->cert_pem, (unsigned)strlen(cert->cert_pem)};
        gnutls_datum_t k = {(unsigned char *)cert->key_pem, (unsigned)strlen(cert->key_pem)};
        r = gnutls_certificate_allocate_credentials(&srv->xcred);
        if (r == 0)
            r = gnutls_certificate_set_x509_key_mem(srv->xcred, &c, &k, GNUTLS_X509_FMT_PEM);
        if (r == 0)
            r = gnutls_credentials_set(srv->tls, GNUTLS_CRD_CERTIFICATE, srv->xcred);
        if (r == 0)
            r = gnutls_priority_set_direct(srv->tls, "NORMAL", NULL);
    } else if (r == 0) {
        r = gnutls_anon_allocate_server_credentials(&srv->acred);
        if (r == 0)
            r = gnutls_credentials_set(srv->tls, GNUTLS_CRD_ANON, srv->acred);
        if (r == 0) /* anonymous key exchange exists only up to TLS 1.2 */
            r = gnutls_priority_set_direct(srv->tls, "NORMAL:-VERS-TLS1.3:+ANON-ECDH", NULL);
    }
    if (r != 0) {
        fprintf(stderr, "vencsrv: TLS setup: %s\n", gnutls_strerror(r));
        return false;
    }
    gnutls_transport_set_ptr(srv->tls, srv);
    gnutls_transport_set_pull_function(srv->tls, tls_pull);
    gnutls_transport_set_push_function(srv->tls, tls_push);
    srv->timeout_ms = IO_TIMEOUT_MS;
    do {
        r = gnutls_handshake(srv->tls);
    } while (r < 0 && !gnutls_error_is_fatal(r));
    if (r != 0) {
        fprintf(stderr, "vencsrv: TLS handshake: %s\n", gnutls_strerror(r));
        return false;
    }
    atomic_store(&srv->tls_active, true);
    return true;
}

bool vencsrv_tls_active(struct vencsrv *srv)
{
    return atomic_load(&srv->tls_active);
}

bool vencsrv_greet(struct vencsrv *srv, const uint8_t *types, size_t n, uint8_t *chosen)
{
    char v[12];
    uint8_t count = (uint8_t)n;
    return vencsrv_send(srv, "RFB 003.008\n", 12) && vencsrv_recv(srv, v, 12, IO_TIMEOUT_MS) &&
           memcmp(v, "RFB 003.008\n", 12) == 0 && vencsrv_send(srv, &count, 1) &&
           vencsrv_send(srv, types, n) && vencsrv_recv(srv, chosen, 1, IO_TIMEOUT_MS);
}

bool vencsrv_vencrypt(struct vencsrv *srv, const uint32_t *subtypes, size_t n, uint32_t *chosen)
{
    uint8_t ver[2];
    if (!vencsrv_send(srv, "\x00\x02", 2) || !vencsrv_recv(srv, ver, 2, IO_TIMEOUT_MS) ||
        ver[0] != 0 || ver[1] != 2 || !vencsrv_send_u8(srv, 0) || !vencsrv_send_u8(srv, (uint8_t)n))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!vencsrv_send_u32(srv, subtypes[i]))
            return false;
    return vencsrv_recv_u32(srv, chosen, IO_TIMEOUT_MS);
}

bool vencsrv_vncauth(struct vencsrv *srv, const char *password, bool *ok)
{
    uint8_t challenge[16], want[16], got[16];
    for (int i = 0; i < 16; i++)
        challenge[i] = (uint8_t)(i * 37 + 11);
    memcpy(want, challenge, 16);
    char pw[9] = {0};
    snprintf(pw, sizeof pw, "%s", password);
    rfbEncryptBytes(want, pw);
    *ok = false;
    if (!vencsrv_send(srv, challenge, 16) || !vencsrv_recv(srv, got, 16, IO_TIMEOUT_MS))
        return false;
    *ok = memcmp(want, got, 16) == 0;
    return true;
}

bool vencsrv_plain(struct vencsrv *srv, char *user, size_t usize, char *pw, size_t psize)
{
    uint32_t ulen, plen;
    if (!vencsrv_recv_u32(srv, &ulen, IO_TIMEOUT_MS) ||
        !vencsrv_recv_u32(srv, &plen, IO_TIMEOUT_MS) || ulen >= usize || plen >= psize)
        return false;
    if (!vencsrv_recv(srv, user, ulen, IO_TIMEOUT_MS) ||
        !vencsrv_recv(srv, pw, plen, IO_TIMEOUT_MS))
        return false;
    user[ulen] = '\0';
    pw[plen] = '\0';
    return true;
}

bool vencsrv_result(struct vencsrv *srv, bool ok, const char *reason)
{
    if (ok)
        return vencsrv_send_u32(srv, 0);
    return vencsrv_send_u32(srv, 1) && vencsrv_send_u32(srv, (uint32_t)strlen(reason)) &&
           vencsrv_send(srv, reason, strlen(reason));
}

static void serve(struct vencsrv *srv)
{
    if (!wait_fd(srv, srv->listen_fd, POLLIN, 60000))
        return;
    int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
        return;
    srv->conn_fd = fd;
    atomic_store(&srv->accepted, true);
    int one = 1;
    setsockopt(srv->conn_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    srv->script(srv, srv->arg);
    if (srv->tls)
        gnutls_bye(srv->tls, GNUTLS_SHUT_WR);
    atomic_store(&srv->tls_active, false);
    shutdown(srv->conn_fd, SHUT_WR);
}

static void *serve_thread(void *arg)
{
    struct vencsrv *srv = arg;
    serve(srv);
    atomic_store(&srv->done, true);
    return NULL;
}

struct vencsrv *vencsrv_start(vencsrv_script_fn script, void *arg)
{
    struct vencsrv *srv = calloc(1, sizeof *srv);
    if (!srv)
        return NULL;
    srv->conn_fd = -1;
    srv->script = script;
    srv->arg = arg;
    plat_ignore_sigpipe();
    srv->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    if (srv->listen_fd < 0 || bind(srv->listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(srv->listen_fd, 4) != 0 ||
        getsockname(srv->listen_fd, (struct sockaddr *)&sa, &len) != 0) {
        fprintf(stderr, "vencsrv: cannot listen on 127.0.0.1: %s\n", strerror(errno));
        goto fail;
    }
    srv->port = ntohs(sa.sin_port);
    if (plat_wake_open(&srv->wake) != 0)
        goto fail;
    if (pthread_create(&srv->thread, NULL, serve_thread, srv) != 0) {
        plat_wake_close(&srv->wake);
        goto fail;
    }
    return srv;
fail:
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    free(srv);
    return NULL;
}

int vencsrv_port(const struct vencsrv *srv)
{
    return srv->port;
}

bool vencsrv_wait(struct vencsrv *srv, int timeout_ms)
{
    for (int i = 0; i < timeout_ms / 10 && !atomic_load(&srv->done); i++)
        usleep(10 * 1000);
    return atomic_load(&srv->done);
}

void vencsrv_stop(struct vencsrv *srv)
{
    if (!srv)
        return;
    /* The client has hung up by now: let the script see that and finish, so that everything
     * the client sent is counted; then force it. */
    if (atomic_load(&srv->accepted))
        vencsrv_wait(srv, 3000);
    atomic_store(&srv->stopping, true);
    plat_wake_signal(&srv->wake);
    pthread_join(srv->thread, NULL);
    if (srv->tls)
        gnutls_deinit(srv->tls);
    if (srv->xcred)
        gnutls_certificate_free_credentials(srv->xcred);
    if (srv->acred)
        gnutls_anon_free_server_credentials(srv->acred);
    if (srv->conn_fd >= 0)
        close(srv->conn_fd);
    close(srv->listen_fd);
    plat_wake_close(&srv->wake);
    free(srv->wire);
    free(srv);
}

bool vencsrv_wire_contains(struct vencsrv *srv, const void *needle, size_t n)
{
    return srv->wire && memmem(srv->wire, srv->wire_len, needle, n) != NULL;
}

size_t vencsrv_wire_bytes(struct vencsrv *srv)
{
    return srv->wire_len;
}

bool vencsrv_client(int port, struct handshake_config *cfg, struct handshake_result *res,
                    struct vv_error *err, struct transport **keep)
{
    struct vv_address a = {.host = "127.0.0.1", .port = port, .display = -1};
    if (cfg->deadline_ms == 0)
        cfg->deadline_ms = plat_now_ms() + 10000;
    struct transport *t = tcp_connect(&a, 5000, cfg->cancel_fd, err);
    if (!t)
        return false;
    bool ok = handshake_run(&t, cfg, res, err);
    if (keep && ok)
        *keep = t;
    else
        transport_close(t);
    return ok;
}
