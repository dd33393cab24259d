/* Our side of the RFB handshake with the real server: protocol version, security type chosen by
 * our preference, authentication and the security result. libvncclient never sees any of it. */
#ifndef VV_HANDSHAKE_H
#define VV_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "prompt.h"
#include "transport.h"

enum rfb_security {
    RFB_SEC_INVALID = 0,
    RFB_SEC_NONE = 1,
    RFB_SEC_VNCAUTH = 2,
    RFB_SEC_TLS = 18,      /* anonymous TLS, then an inner None/VncAuth */
    RFB_SEC_VENCRYPT = 19, /* subtypes: see secpolicy.h */
};

/* What the user asked for (--security, --user, --ca, --insecure). */
struct security_options {
    const char *types;   /* TigerVNC names in preference order; NULL = default preference */
    const char *user;    /* user name for Plain / TLSPlain / X509Plain */
    const char *ca_file; /* extra trusted CA certificates (PEM) */
    bool insecure;       /* plain RFB to a remote host without asking */
    const char *store;   /* per-user store (pins), NULL = default location */
};

struct handshake_config {
    /* Password already known (from --passwd / VNC_PASSWORD), or NULL: then the prompter asks. */
    const char *password;
    bool password_retry; /* the last password was wrong: say so when asking */
    const struct prompter *prompter;
    const struct security_options *sec;
    const char *host; /* as the user typed it: certificate names and pins are checked for it */
    int port;
    bool tunnelled;       /* inside an SSH tunnel: the transport already encrypts */
    bool loopback;        /* the target is this machine */
    uint64_t deadline_ms; /* for network waits; time spent answering prompts is added */
    int cancel_fd;
    /* The user already agreed to an unencrypted connection to this server (an earlier attempt
     * of the same session, e.g. before a wrong password): do not ask again. */
    bool insecure_confirmed;
};

struct handshake_result {
    int server_major, server_minor; /* what the server announced */
    int minor;                      /* what we speak: 3, 7 or 8 (RFB 3.x) */
    int security;                   /* the top-level type used */
    int subtype;                    /* VeNCrypt subtype; for TLS (18) the inner type; else 0 */
    bool encrypted;                 /* TLS inside the RFB stream */
    bool verified;                  /* the server's certificate was trusted or pinned */
    /* For the UI (which colours by these forms):
     *   "verified TLS (X509Vnc, TLS1.3, cert SHA256:AB:CD:...)" (a CA vouches for it)
     *   "verified TLS (X509Vnc, TLS1.2, pinned cert SHA256:...)"
     *   "encrypted, certificate accepted once, NOT verified (X509Vnc)"
     *   "encrypted, server identity NOT verified (TLSVnc)"
     *   "NOT ENCRYPTED" */
    char security_text[256];
    char offered[160];          /* "VncAuth, None": what the server offered, for messages */
    char tls_version[16];       /* "TLS1.3", empty without TLS */
    char cert_fingerprint[104]; /* leaf certificate "SHA256:AB:...", empty without one */
    bool insecure_confirmed;    /* the user agreed to go on unencrypted (pass it to a retry) */
};

/* Runs the handshake up to and including a successful SecurityResult; the next thing the server
 * expects is ClientInit. *t may be replaced by an encrypting transport wrapping it (TLS). On
 * failure err says exactly what happened (VV_ERR_NOT_RFB, VV_ERR_AUTH, VV_ERR_NO_PASSWORD,
 * VV_ERR_SECURITY, VV_ERR_CLOSED, VV_ERR_TIMEOUT, VV_ERR_CANCELLED...). */
bool handshake_run(struct transport **t, const struct handshake_config *cfg,
                   struct handshake_result *res, struct vv_error *err);

/* "VncAuth", "VeNCrypt", "X509Vnc", "type 42": names for messages (types and subtypes). */
const char *handshake_security_name(int type);

#endif
