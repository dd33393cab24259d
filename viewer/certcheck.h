/* Whether to trust a TLS server's certificate: the system CAs plus --ca and the host name the
 * user typed; else the pin for host:port in the per-user store; else ask (or refuse with the
 * exact `vncview trust add` command). A changed pin is refused, never asked about. No SDL. */
#ifndef VV_CERTCHECK_H
#define VV_CERTCHECK_H

#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "prompt.h"
#include "trust.h"

struct certcheck_params {
    const char *host;    /* as the user typed it (also through an SSH tunnel) */
    int port;            /* the VNC server's port: pins are per host:port */
    const char *ca_file; /* --ca FILE (PEM), or NULL */
    bool system_trust;   /* also trust the system's CA store */
    const char *store;   /* per-user store path, NULL = default */
    const struct prompter *prompter;
};

enum certcheck_outcome {
    CERTCHECK_VERIFIED,      /* a trusted CA issued it for this host name */
    CERTCHECK_PINNED,        /* equal to the pin (or pinned just now by the user) */
    CERTCHECK_ACCEPTED_ONCE, /* the user accepted it for this connection only */
};

struct certcheck_result {
    enum certcheck_outcome outcome;
    char fingerprint[TRUST_FP_LEN]; /* of the leaf: "SHA256:AB:CD:..." */
    uint64_t prompt_ms;             /* time spent waiting for the user */
};

/* Judges chain (leaf first, DER, as the server sent it). false + err: VV_ERR_CERT (untrusted and
 * refused, name mismatch refused, pin changed), VV_ERR_CANCELLED (the user refused),
 * VV_ERR_STORE, VV_ERR_IO (--ca unreadable). */
bool certcheck_run(const gnutls_datum_t *chain, unsigned n, const struct certcheck_params *p,
                   struct certcheck_result *out, struct vv_error *err);

/* "host:1" / "host::5000" / "[::1]:1": how pins and the trust command name a server. */
void certcheck_server_name(const char *host, int port, char *buf, size_t size);

#endif
