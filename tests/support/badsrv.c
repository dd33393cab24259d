/* Scripted RFB server: one listener on 127.0.0.1, one accepted connection, a test-supplied script,
 * and poll-based I/O helpers that all give up when the server is stopped. */
#include "badsrv.h"

#include "plat.h"

#include <errno.h>
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
#include <time.h>
#include <unistd.h>

/* How long badsrv_close waits for the client to close its side (see there). */
#define CLOSE_LINGER_MS 3000

struct badsrv {
    int listen_fd, conn_fd, port;
    badsrv_script_fn script;
    void *arg;
    pthread_t thread;
    struct plat_wake wake; /* signalled once by badsrv_stop, never drained */
    atomic_bool stopping;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool released;
    bool done; /* the script returned and the connection is closed */
};

static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

int badsrv_unused_port(void)
{
    int port = -1;
    int fd = listen_loopback(&port);
    if (fd < 0)
        return -1;
    close(fd); /* nothing listens there now; the kernel does not hand it out again at once */
    return port;
}

/* Waits for events on fd, or stop; false on timeout or stop. */
static bool wait_fd(struct badsrv *srv, int fd, short events, int timeout_ms)
{
    uint64_t until = plat_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        if (atomic_load(&srv->stopping))
            return false;
        uint64_t now = plat_now_ms();
        if (now >= until)
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

static void serve_one(struct badsrv *srv)
{
    if (!wait_fd(srv, srv->listen_fd, POLLIN, 60000))
        return;
    srv->conn_fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (srv->conn_fd < 0)
        return;
    int one = 1; /* scripts send in small pieces: no Nagle delays between them */
    setsockopt(srv->conn_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    srv->script(srv, srv->arg);
    badsrv_close(srv);
}

static void *serve(void *arg)
{
    struct badsrv *srv = arg;
    serve_one(srv);
    pthread_mutex_lock(&srv->lock);
    srv->done = true;
    pthread_cond_broadcast(&srv->cond);
    pthread_mutex_unlock(&srv->lock);
    return NULL;
}

struct badsrv *badsrv_start(badsrv_script_fn script, void *arg)
{
    struct badsrv *srv = calloc(1, sizeof *srv);
    if (!srv)
        return NULL;
    srv->conn_fd = -1;
    srv->script = script;
    srv->arg = arg;
    pthread_mutex_init(&srv->lock, NULL);
    pthread_cond_init(&srv->cond, NULL);
    plat_ignore_sigpipe();
    srv->listen_fd = listen_loopback(&srv->port);
    if (srv->listen_fd < 0) {
        fprintf(stderr, "badsrv: cannot listen on 127.0.0.1: %s\n", strerror(errno));
        goto fail;
    }
    if (plat_wake_open(&srv->wake) != 0) {
        fprintf(stderr, "badsrv: cannot open a wake-up pipe\n");
        close(srv->listen_fd);
        goto fail;
    }
    if (pthread_create(&srv->thread, NULL, serve, srv) != 0) {
        fprintf(stderr, "badsrv: cannot start the server thread\n");
        plat_wake_close(&srv->wake);
        close(srv->listen_fd);
        goto fail;
    }
    return srv;
fail:
    pthread_mutex_destroy(&srv->lock);
    pthread_cond_destroy(&srv->cond);
    free(srv);
    return NULL;
}

int badsrv_port(const struct badsrv *srv)
{
    return srv->port;
}

void badsrv_stop(struct badsrv *srv)
{
    if (!srv)
        return;
    atomic_store(&srv->stopping, true);
    plat_wake_signal(&srv->wake);
    pthread_mutex_lock(&srv->lock);
    pthread_cond_broadcast(&srv->cond);
    pthread_mutex_unlock(&srv->lock);
    pthread_join(srv->thread, NULL);
    if (srv->conn_fd >= 0)
        close(srv->conn_fd);
    close(srv->listen_fd);
    plat_wake_close(&srv->wake);
    pthread_mutex_destroy(&srv->lock);
    pthread_cond_destroy(&srv->cond);
    free(srv);
}

void badsrv_release(struct badsrv *srv)
{
    pthread_mutex_lock(&srv->lock);
    srv->released = true;
    pthread_cond_broadcast(&srv->cond);
    pthread_mutex_unlock(&srv->lock);
}

/* Waits (lock held) until *flag is set, stop, or timeout_ms passed. */
static void wait_flag(struct badsrv *srv, const bool *flag, int timeout_ms)
{
    uint64_t until = plat_now_ms() + (uint64_t)timeout_ms;
    while (!*flag && !atomic_load(&srv->stopping)) {
        uint64_t now = plat_now_ms();
        if (now >= until)
            break;
        /* Short slices rather than an absolute CLOCK_REALTIME deadline: immune to clock steps. */
        uint64_t slice = until - now < 50 ? until - now : 50;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)slice * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->cond, &srv->lock, &ts);
    }
}

bool badsrv_wait_release(struct badsrv *srv, int timeout_ms)
{
    pthread_mutex_lock(&srv->lock);
    wait_flag(srv, &srv->released, timeout_ms);
    bool ok = srv->released && !atomic_load(&srv->stopping);
    pthread_mutex_unlock(&srv->lock);
    return ok;
}

bool badsrv_wait_done(struct badsrv *srv, int timeout_ms)
{
    pthread_mutex_lock(&srv->lock);
    wait_flag(srv, &srv->done, timeout_ms);
    bool ok = srv->done;
    pthread_mutex_unlock(&srv->lock);
    return ok;
}

bool badsrv_send(struct badsrv *srv, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n > 0) {
        if (srv->conn_fd < 0)
            return false;
        ssize_t r = send(srv->conn_fd, p, n, MSG_NOSIGNAL);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_fd(srv, srv->conn_fd, POLLOUT, 10000))
                return false;
            continue;
        }
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

bool badsrv_send_u8(struct badsrv *srv, uint8_t v)
{
    return badsrv_send(srv, &v, 1);
}

bool badsrv_send_u32(struct badsrv *srv, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return badsrv_send(srv, b, 4);
}

bool badsrv_recv(struct badsrv *srv, void *buf, size_t n, int timeout_ms)
{
    uint8_t *p = buf;
    uint64_t until = plat_now_ms() + (uint64_t)timeout_ms;
    while (n > 0) {
        if (srv->conn_fd < 0)
            return false;
        ssize_t r = recv(srv->conn_fd, p, n, 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
            uint64_t now = plat_now_ms();
            if (now >= until || !wait_fd(srv, srv->conn_fd, POLLIN, (int)(until - now)))
                return false;
            continue;
        }
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

bool badsrv_hold(struct badsrv *srv, int timeout_ms)
{
    uint64_t until = plat_now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        if (srv->conn_fd < 0)
            return false;
        uint8_t sink[4096];
        ssize_t r = recv(srv->conn_fd, sink, sizeof sink, 0);
        if (r == 0)
            return true;
        if (r < 0 && errno != EAGAIN && errno != EINTR)
            return true; /* reset: the client is gone as well */
        if (r < 0) {
            uint64_t now = plat_now_ms();
            if (now >= until || !wait_fd(srv, srv->conn_fd, POLLIN, (int)(until - now)))
                return false;
        }
    }
}

bool badsrv_drain(struct badsrv *srv)
{
    for (;;) {
        if (srv->conn_fd < 0)
            return false;
        uint8_t sink[4096];
        ssize_t r = recv(srv->conn_fd, sink, sizeof sink, 0);
        if (r > 0)
            continue;
        return r < 0 && (errno == EAGAIN || errno == EINTR);
    }
}

void badsrv_reset(struct badsrv *srv)
{
    if (srv->conn_fd < 0)
        return;
    struct linger lg = {.l_onoff = 1, .l_linger = 0}; /* close() then sends RST, not FIN */
    setsockopt(srv->conn_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(srv->conn_fd);
    srv->conn_fd = -1;
}

void badsrv_close(struct badsrv *srv)
{
    if (srv->conn_fd < 0)
        return;
    /* FIN first, then wait for the client to close too: closing with its unread bytes in our
     * buffer would send a reset, and the client would see "reset" instead of "closed". */
    shutdown(srv->conn_fd, SHUT_WR);
    badsrv_hold(srv, CLOSE_LINGER_MS);
    close(srv->conn_fd);
    srv->conn_fd = -1;
}

bool badsrv_handshake_none(struct badsrv *srv, int minor)
{
    char version[13];
    snprintf(version, sizeof version, "RFB 003.%03d\n", minor);
    uint8_t reply[12], choice, client_init;
    if (!badsrv_send(srv, version, 12) || !badsrv_recv(srv, reply, 12, 5000))
        return false;
    if (minor < 7) {
        if (!badsrv_send_u32(srv, rfbNoAuth))
            return false;
    } else {
        const uint8_t types[2] = {1, rfbNoAuth};
        if (!badsrv_send(srv, types, 2) || !badsrv_recv(srv, &choice, 1, 5000) ||
            choice != rfbNoAuth)
            return false;
        if (minor >= 8 && !badsrv_send_u32(srv, 0))
            return false;
    }
    return badsrv_recv(srv, &client_init, 1, 5000);
}

bool badsrv_vncauth(struct badsrv *srv, const char *password, bool *matches)
{
    uint8_t challenge[16], want[16], got[16];
    uint64_t seed = plat_now_ms();
    for (int i = 0; i < 16; i++)
        challenge[i] = (uint8_t)((seed >> (i % 8)) * 2654435761u + (uint64_t)i * 40503u);
    memcpy(want, challenge, 16);
    char pw[9] = {0};
    snprintf(pw, sizeof pw, "%s", password); /* VncAuth uses at most 8 characters */
    rfbEncryptBytes(want, pw);
    *matches = false;
    if (!badsrv_send(srv, challenge, 16) || !badsrv_recv(srv, got, 16, 5000))
        return false;
    *matches = memcmp(want, got, 16) == 0;
    return true;
}

bool badsrv_send_server_init_header(struct badsrv *srv, int w, int h, uint32_t name_len)
{
    uint8_t si[24] = {
        (uint8_t)(w >> 8),
        (uint8_t)w,
        (uint8_t)(h >> 8),
        (uint8_t)h,
        32,
        24,
        0 /* little-endian */,
        1 /* true colour */,
        0,
        255,
        0,
        255,
        0,
        255, /* red, green, blue max */
        16,
        8,
        0,
        0,
        0,
        0, /* shifts, padding */
        (uint8_t)(name_len >> 24),
        (uint8_t)(name_len >> 16),
        (uint8_t)(name_len >> 8),
        (uint8_t)name_len,
    };
    return badsrv_send(srv, si, sizeof si);
}

bool badsrv_send_server_init(struct badsrv *srv, int w, int h, const char *name)
{
    size_t nlen = strlen(name);
    return badsrv_send_server_init_header(srv, w, h, (uint32_t)nlen) &&
           badsrv_send(srv, name, nlen);
}

static bool skip(struct badsrv *srv, size_t n, int timeout_ms)
{
    uint8_t sink[512];
    while (n > 0) {
        size_t k = n < sizeof sink ? n : sizeof sink;
        if (!badsrv_recv(srv, sink, k, timeout_ms))
            return false;
        n -= k;
    }
    return true;
}

bool badsrv_wait_update_request(struct badsrv *srv, int timeout_ms)
{
    for (;;) {
        uint8_t type, hdr[7];
        if (!badsrv_recv(srv, &type, 1, timeout_ms))
            return false;
        switch (type) {
        case rfbSetPixelFormat:
            if (!skip(srv, 19, timeout_ms))
                return false;
            break;
        case rfbSetEncodings:
            if (!badsrv_recv(srv, hdr, 3, timeout_ms) ||
                !skip(srv, 4u * (size_t)(hdr[1] << 8 | hdr[2]), timeout_ms))
                return false;
            break;
        case rfbFramebufferUpdateRequest:
            return skip(srv, 9, timeout_ms);
        case rfbKeyEvent:
            if (!skip(srv, 7, timeout_ms))
                return false;
            break;
        case rfbPointerEvent:
            if (!skip(srv, 5, timeout_ms))
                return false;
            break;
        case rfbClientCutText:
            if (!badsrv_recv(srv, hdr, 7, timeout_ms) ||
                !skip(srv,
                      (size_t)hdr[3] << 24 | (size_t)hdr[4] << 16 | (size_t)hdr[5] << 8 | hdr[6],
                      timeout_ms))
                return false;
            break;
        default:
            fprintf(stderr, "badsrv: unexpected client message type %u\n", type);
            return false;
        }
    }
}

bool badsrv_send_raw_update(struct badsrv *srv, int x, int y, int w, int h, const uint32_t *rgb)
{
    uint8_t hdr[16] = {
        rfbFramebufferUpdate,
        0,
        0,
        1, /* one rectangle */
        (uint8_t)(x >> 8),
        (uint8_t)x,
        (uint8_t)(y >> 8),
        (uint8_t)y,
        (uint8_t)(w >> 8),
        (uint8_t)w,
        (uint8_t)(h >> 8),
        (uint8_t)h,
        0,
        0,
        0,
        rfbEncodingRaw,
    };
    size_t n = (size_t)w * (size_t)h;
    uint8_t *px = malloc(n ? n * 4 : 1);
    if (!px)
        return false;
    for (size_t i = 0; i < n; i++) { /* B, G, R, X: the client's little-endian 16/8/0 format */
        px[i * 4] = (uint8_t)rgb[i];
        px[i * 4 + 1] = (uint8_t)(rgb[i] >> 8);
        px[i * 4 + 2] = (uint8_t)(rgb[i] >> 16);
        px[i * 4 + 3] = 0;
    }
    bool ok = badsrv_send(srv, hdr, sizeof hdr) && badsrv_send(srv, px, n * 4);
    free(px);
    return ok;
}
