/* Shared by fuzz_handshake.c (the target, its in-memory transport and prompter) and
 * fuzz_hs_shim.c (the stand-ins linked with -Wl,--wrap for TLS, certificate checks and the
 * VncAuth response). Fuzzing only. */
#ifndef VV_FUZZ_HS_H
#define VV_FUZZ_HS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

#define FUZZ_HS_MAX_RESPONSES 4

struct fuzz_hs {
    struct transport *raw; /* the server's stream: the shim's control bytes come from it */
    bool real_tls; /* this input runs GnuTLS itself (on the fuzz bytes) instead of the shim */
    int tls_started;
    /* VncAuth responses computed so far: they must never go out in clear unless allowed. */
    uint8_t responses[FUZZ_HS_MAX_RESPONSES][16];
    int nresponses;
};
extern struct fuzz_hs fuzz_hs;

/* True if t is the shim's pretend-TLS transport. */
bool fuzz_hs_is_shim(const struct transport *t);

#endif
