/* Loopback listener plumbing for in-process libvncserver screens. */
#include "lvs_loopback.h"

#include "log.h"

#include <arpa/inet.h>
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
