/* Loopback listener plumbing for in-process libvncserver screens. */
#include "lvs_loopback.h"

#include "log.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

int lvs_listen_loopback(int *port, int backlog)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, backlog) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

void lvs_configure_screen(rfbScreenInfoPtr sc)
{
    sc->port = 0;
    sc->ipv6port = 0;
    sc->autoPort = FALSE;
    sc->httpPort = -1;
    sc->http6Port = -1;
    sc->listenInterface = htonl(INADDR_LOOPBACK);
    sc->alwaysShared = TRUE;
    /* Our loops pace themselves; deferring would need timers in them. */
    sc->deferUpdateTime = 0;
    sc->deferPtrUpdateTime = 0;
}

void lvs_accept(rfbScreenInfoPtr sc, int listen_fd)
{
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    /* libvncserver select()s on its clients: an fd past FD_SETSIZE would overflow its sets. */
    if (fd >= FD_SETSIZE) {
        log_warn("VNC server: too many open files, connection dropped");
        close(fd);
        return;
    }
    rfbNewClient(sc, fd); /* takes ownership of fd, also on failure */
}

int lvs_ready_clients(rfbScreenInfoPtr sc)
{
    int n = 0;
    for (rfbClientPtr cl = sc->clientHead; cl; cl = cl->next)
        if (cl->sock != RFB_INVALID_SOCKET && cl->state == RFB_NORMAL)
            n++;
    return n;
}

static const char *log_name = "VNC server";
static enum log_level log_err_level = LOG_INFO;

static void route(enum log_level level, const char *fmt, va_list ap)
{
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    log_msg(level, "%s: %s", log_name, buf);
}

static void lvs_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    route(LOG_DEBUG, fmt, ap);
    va_end(ap);
}

static void lvs_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    route(log_err_level, fmt, ap);
    va_end(ap);
}

void lvs_route_logs(const char *name, enum log_level err_level)
{
    log_name = name;
    log_err_level = err_level;
    rfbLog = lvs_log;
    rfbErr = lvs_err;
}
