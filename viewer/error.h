/* Errors carried from the core to the user: a distinct code per failure class (also the
 * process exit code) and one human sentence that names the problem and what to do. */
#ifndef VV_ERROR_H
#define VV_ERROR_H

#include <stdarg.h>

enum vv_status {
    VV_OK = 0,
    VV_ERR_GENERIC = 1,      /* anything not listed below */
    VV_ERR_USAGE = 2,        /* bad command line or malformed address */
    VV_ERR_DNS = 3,          /* host name does not resolve */
    VV_ERR_REFUSED = 4,      /* TCP connection refused */
    VV_ERR_TIMEOUT = 5,      /* connect or handshake took longer than --timeout */
    VV_ERR_UNREACHABLE = 6,  /* network/host unreachable, other connect errors */
    VV_ERR_CLOSED = 7,       /* server closed the connection before the session started */
    VV_ERR_NOT_RFB = 8,      /* the peer does not speak RFB */
    VV_ERR_AUTH = 9,         /* the server rejected the password */
    VV_ERR_NO_PASSWORD = 10, /* a password is needed and none could be obtained */
    VV_ERR_SECURITY = 11,    /* no acceptable security type, or the server refused us */
    VV_ERR_LOST = 12,        /* connection lost after the session had started */
    VV_ERR_PROTOCOL = 13,    /* the server sent something invalid during the session */
    VV_ERR_IO = 14,          /* local file could not be read or written */
    VV_ERR_CANCELLED = 15,   /* the user cancelled */
    VV_ERR_HOSTKEY = 16,     /* SSH host key unknown (and not accepted) or changed */
    VV_ERR_SSH_AUTH = 17,    /* the SSH server did not accept any of our credentials */
    VV_ERR_TUNNEL = 18,      /* the SSH server refused the forward, or cannot reach the target */
    VV_ERR_CERT = 19,        /* certificate untrusted, for another name, or a pin changed */
    VV_ERR_STORE = 20,       /* the per-user store is unreadable or corrupt */
};

struct vv_error {
    int code;
    char message[1024];
};

void vv_error_clear(struct vv_error *e);
/* Sets code and a printf-formatted message; a NULL e is allowed and ignored. */
void vv_error_set(struct vv_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void vv_error_vset(struct vv_error *e, int code, const char *fmt, va_list ap);
/* Short name of a status ("connection refused"), for --help and logs. */
const char *vv_status_name(int code);

#endif
