/* VNC address parsing: HOST[:DISPLAY], HOST::PORT, [IPv6][:DISPLAY], [IPv6]::PORT,
 * vnc://HOST[:PORT]. */
#ifndef VV_ADDR_H
#define VV_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define VV_BASE_PORT 5900

struct vv_address {
    char host[256]; /* host name or IP literal, without brackets */
    int port;       /* TCP port, 1..65535 */
    int display;    /* display number, or -1 when a port was given */
    char note[160]; /* how the text was read, e.g. "display 1 = port 5901" */
};

/* Parses text into out. On failure sets err (VV_ERR_USAGE) with a message naming the problem
 * and listing the accepted forms. */
bool addr_parse(const char *text, struct vv_address *out, struct vv_error *err);
/* "host:1", "host::5000", "[::1]:1": the canonical way to write the address back. */
void addr_format(const struct vv_address *a, char *buf, size_t size);
/* The accepted forms, one line, for error messages and --help. */
const char *addr_forms(void);

#endif
