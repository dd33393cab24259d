/* libvncserver served from a listener of our own on 127.0.0.1 (a kernel-chosen port): the
 * screen gets no listener of libvncserver's (which would default to port 5900 on every IPv4 and
 * IPv6 interface); accepted sockets are handed over with rfbNewClient. Used by the demo server
 * and the test servers. */
#ifndef VV_LVS_LOOPBACK_H
#define VV_LVS_LOOPBACK_H

#include <rfb/rfb.h>

#include "log.h"

/* A listening socket on 127.0.0.1; *port receives its port. Returns the fd or -errno. */
int lvs_listen_loopback(int *port, int backlog);
/* Turns off every listener libvncserver would open itself, and sends updates undeferred. */
void lvs_configure_screen(rfbScreenInfoPtr sc);
/* Accepts one connection and hands it to the screen (which then owns it). Blocks ~100 ms:
 * libvncserver first waits to see whether the client speaks WebSockets. */
void lvs_accept(rfbScreenInfoPtr sc, int listen_fd);
/* Routes libvncserver's process-wide loggers into our log: lines at debug level, its errors
 * (mostly clients going away) at err_level, both prefixed with name. Last caller wins. */
void lvs_route_logs(const char *name, enum log_level err_level);
/* Clients past the handshake. */
int lvs_ready_clients(rfbScreenInfoPtr sc);

#endif
