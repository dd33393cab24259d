/* TCP transport: name resolution, connect with a timeout and cancellation, classified errors. */
#include "transport.h"

#include "log.h"
#include "plat.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static ssize_t tcp_read(struct transport *t, void *buf, size_t n)
{
    ssize_t r = recv(t->fd, buf, n, 0);
    if (r < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -EAGAIN : -errno;
    return r;
}

static ssize_t tcp_write(struct transport *t, const void *buf, size_t n)
{
    ssize_t r = send(t->fd, buf, n, MSG_NOSIGNAL);
    if (r < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -EAGAIN : -errno;
    return r;
}

static bool tcp_pending(struct transport *t)
{
    (void)t;
    return false;
}

static void tcp_close(struct transport *t)
{
    plat_close(t->fd);
    free(t);
}

static const struct transport_ops tcp_ops = {tcp_read, tcp_write, tcp_pending, tcp_close};

/* Why a connect failed, in words a user can act on. */
static void connect_error(struct vv_error *err, int e, const struct vv_address *a, const char *peer,
                          int timeout_ms)
{
    char hint[96] = "";
    if (a->display >= 0)
        snprintf(hint, sizeof hint, ": is a VNC server running on display %d?", a->display);
    else
        snprintf(hint, sizeof hint, ": is a VNC server listening on port %d?", a->port);
    switch (e) {
    case ECONNREFUSED:
        vv_error_set(err, VV_ERR_REFUSED, "connection to %s refused%s", peer, hint);
        break;
    case ETIMEDOUT:
        vv_error_set(err, VV_ERR_TIMEOUT,
                     "connection to %s timed out after %d s: the host is down or a firewall "
                     "drops the traffic (try --timeout, or an SSH tunnel)",
                     peer, timeout_ms / 1000);
        break;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EADDRNOTAVAIL:
    case ENETDOWN:
        vv_error_set(err, VV_ERR_UNREACHABLE,
                     "cannot reach %s: %s (check the address and your "
                     "network)",
                     peer, strerror(e));
        break;
    default:
        vv_error_set(err, VV_ERR_UNREACHABLE, "cannot connect to %s: %s", peer, strerror(e));
    }
}

static void describe_peer(const struct sockaddr *sa, socklen_t len, int port, char *buf,
                          size_t size)
{
    char ip[INET6_ADDRSTRLEN + 8] = "?";
    getnameinfo(sa, len, ip, sizeof ip, NULL, 0, NI_NUMERICHOST);
    snprintf(buf, size, "%s port %d", ip, port);
}

/* One non-blocking connect attempt; returns fd or -errno (-ETIMEDOUT, -ECANCELED). */
static int try_connect(const struct addrinfo *ai, uint64_t deadline, int cancel_fd)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0)
        return -errno;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        return -e;
    }
    for (;;) {
        uint64_t now = plat_now_ms();
        if (now >= deadline) {
            close(fd);
            return -ETIMEDOUT;
        }
        struct pollfd p[2] = {{fd, POLLOUT, 0}, {cancel_fd, POLLIN, 0}};
        int r = poll(p, cancel_fd >= 0 ? 2 : 1, (int)(deadline - now));
        if (r < 0 && errno == EINTR)
            continue;
        if (cancel_fd >= 0 && (p[1].revents & POLLIN)) {
            close(fd);
            return -ECANCELED;
        }
        if (r > 0 && p[0].revents) {
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
            if (soerr) {
                close(fd);
                return -soerr;
            }
            return fd;
        }
    }
}

struct transport *tcp_connect(const struct vv_address *addr, int timeout_ms, int cancel_fd,
                              struct vv_error *err)
{
    char portstr[16], peer[300];
    snprintf(portstr, sizeof portstr, "%d", addr->port);
    snprintf(peer, sizeof peer, "%s port %d", addr->host, addr->port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    int g = getaddrinfo(addr->host, portstr, &hints, &res);
    if (g == EAI_ADDRFAMILY || g == EAI_NONAME) {
        hints.ai_flags = 0; /* loopback-only machines: AI_ADDRCONFIG hides ::1 and 127.0.0.1 */
        g = getaddrinfo(addr->host, portstr, &hints, &res);
    }
    if (g != 0) {
        if (g == EAI_NONAME || g == EAI_AGAIN || g == EAI_FAIL || g == EAI_NODATA)
            vv_error_set(err, VV_ERR_DNS,
                         "cannot resolve host name '%s': %s (check the spelling, or use an IP "
                         "address)",
                         addr->host, gai_strerror(g));
        else
            vv_error_set(err, VV_ERR_DNS, "cannot look up '%s': %s", addr->host, gai_strerror(g));
        return NULL;
    }
    uint64_t deadline = plat_now_ms() + (uint64_t)timeout_ms;
    int fd = -1, last = ECONNREFUSED;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        char ip[128];
        describe_peer(ai->ai_addr, ai->ai_addrlen, addr->port, ip, sizeof ip);
        /* "host (10.0.0.5 port 5901)", or just the IP when that is what the user typed */
        if (strncmp(ip, addr->host, strlen(addr->host)) == 0 && ip[strlen(addr->host)] == ' ')
            snprintf(peer, sizeof peer, "%s", ip);
        else
            snprintf(peer, sizeof peer, "%s (%s)", addr->host, ip);
        log_debug("connecting to %s", peer);
        fd = try_connect(ai, deadline, cancel_fd);
        if (fd >= 0)
            break;
        last = -fd;
        if (last == ECANCELED || last == ETIMEDOUT)
            break;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        if (last == ECANCELED)
            vv_error_set(err, VV_ERR_CANCELLED, "connection to %s cancelled", peer);
        else
            connect_error(err, last, addr, peer, timeout_ms);
        return NULL;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* input events are tiny */
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    struct transport *t = calloc(1, sizeof *t);
    if (!t) {
        close(fd);
        vv_error_set(err, VV_ERR_GENERIC, "out of memory");
        return NULL;
    }
    t->ops = &tcp_ops;
    t->fd = fd;
    snprintf(t->peer, sizeof t->peer, "%s", peer);
    char name[300];
    addr_format(addr, name, sizeof name);
    snprintf(t->description, sizeof t->description, "%s (%s)", name, peer);
    return t;
}

static bool wait_ready(struct transport *t, short events, uint64_t deadline, int cancel_fd,
                       struct vv_error *err, const char *what)
{
    for (;;) {
        uint64_t now = plat_now_ms();
        if (now >= deadline) {
            vv_error_set(err, VV_ERR_TIMEOUT,
                         "%s: no answer for %s within the timeout (is this a VNC server? a busy "
                         "or stalled server can also cause this; see --timeout)",
                         t->peer, what);
            return false;
        }
        struct pollfd p[2] = {{t->fd, events, 0}, {cancel_fd, POLLIN, 0}};
        int r = poll(p, cancel_fd >= 0 ? 2 : 1, (int)(deadline - now));
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

bool transport_read_full(struct transport *t, void *buf, size_t n, uint64_t deadline_ms,
                         int cancel_fd, const char *what, struct vv_error *err)
{
    uint8_t *p = buf;
    size_t got = 0;
    while (got < n) {
        if (!t->ops->pending(t) && !wait_ready(t, POLLIN, deadline_ms, cancel_fd, err, what))
            return false;
        ssize_t r = t->ops->read(t, p + got, n - got);
        if (r == -EAGAIN)
            continue;
        if (r == 0) {
            vv_error_set(err, VV_ERR_CLOSED, "%s closed the connection while we waited for %s",
                         t->peer, what);
            return false;
        }
        if (r < 0) {
            vv_error_set(err, VV_ERR_CLOSED, "reading %s from %s failed: %s", what, t->peer,
                         strerror((int)-r));
            return false;
        }
        got += (size_t)r;
    }
    return true;
}

bool transport_write_full(struct transport *t, const void *buf, size_t n, uint64_t deadline_ms,
                          int cancel_fd, struct vv_error *err)
{
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < n) {
        ssize_t r = t->ops->write(t, p + done, n - done);
        if (r == -EAGAIN) {
            if (!wait_ready(t, POLLOUT, deadline_ms, cancel_fd, err, "the network to drain"))
                return false;
            continue;
        }
        if (r < 0) {
            vv_error_set(err, VV_ERR_CLOSED, "writing to %s failed: %s", t->peer,
                         strerror((int)-r));
            return false;
        }
        done += (size_t)r;
    }
    return true;
}
