/* Error struct helpers and the table of exit-status names. */
#include "error.h"

#include <stdio.h>
#include <string.h>

void vv_error_clear(struct vv_error *e)
{
    if (!e)
        return;
    e->code = VV_OK;
    e->message[0] = '\0';
}

void vv_error_vset(struct vv_error *e, int code, const char *fmt, va_list ap)
{
    if (!e)
        return;
    e->code = code;
    vsnprintf(e->message, sizeof e->message, fmt, ap);
}

void vv_error_set(struct vv_error *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vv_error_vset(e, code, fmt, ap);
    va_end(ap);
}

const char *vv_status_name(int code)
{
    static const char *const names[] = {
        [VV_OK] = "success",
        [VV_ERR_GENERIC] = "error",
        [VV_ERR_USAGE] = "usage error or malformed address",
        [VV_ERR_DNS] = "host name does not resolve",
        [VV_ERR_REFUSED] = "connection refused",
        [VV_ERR_TIMEOUT] = "timed out",
        [VV_ERR_UNREACHABLE] = "network or host unreachable",
        [VV_ERR_CLOSED] = "server closed the connection",
        [VV_ERR_NOT_RFB] = "server does not speak RFB",
        [VV_ERR_AUTH] = "authentication failed",
        [VV_ERR_NO_PASSWORD] = "password required but none given",
        [VV_ERR_SECURITY] = "security negotiation failed",
        [VV_ERR_LOST] = "connection lost during the session",
        [VV_ERR_PROTOCOL] = "server sent invalid data",
        [VV_ERR_IO] = "file error",
        [VV_ERR_CANCELLED] = "cancelled",
        [VV_ERR_HOSTKEY] = "SSH host key unknown or changed",
        [VV_ERR_SSH_AUTH] = "SSH authentication failed",
        [VV_ERR_TUNNEL] = "SSH tunnel refused or target unreachable from the SSH server",
        [VV_ERR_CERT] = "server certificate not trusted",
        [VV_ERR_STORE] = "per-user store unreadable",
    };
    if (code < 0 || code >= (int)(sizeof names / sizeof names[0]) || !names[code])
        return "error";
    return names[code];
}
