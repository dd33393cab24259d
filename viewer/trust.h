/* Certificate pins: "this host:port presents this certificate", stored per user (like SSH's
 * known_hosts). Fingerprints are SHA-256 over the DER certificate, written
 * "SHA256:AB:CD:..." (upper-case hex, colon-separated); input also accepts no colons and lower
 * case. No SDL. */
#ifndef VV_TRUST_H
#define VV_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "error.h"

#define TRUST_FP_LEN 104 /* "SHA256:" + 32 * "XX:" - 1 + NUL */

struct trust_pin {
    char host[256];
    int port;
    char fingerprint[TRUST_FP_LEN];
    char subject[256]; /* for `trust list`; may be empty when added by fingerprint */
    time_t added;
};

/* store: path of the per-user store, or NULL for the default (see store.h). */
/* Looks up the pin for host:port. *found false if none. false + err (VV_ERR_STORE) if the
 * store cannot be read. */
bool trust_pin_get(const char *store, const char *host, int port, struct trust_pin *out,
                   bool *found, struct vv_error *err);
/* Adds or replaces the pin for host:port. */
bool trust_pin_put(const char *store, const struct trust_pin *pin, struct vv_error *err);
/* Removes it; *removed says whether there was one. */
bool trust_pin_remove(const char *store, const char *host, int port, bool *removed,
                      struct vv_error *err);
/* All pins, sorted by host and port; caller frees *pins. */
bool trust_pin_list(const char *store, struct trust_pin **pins, size_t *count,
                    struct vv_error *err);

/* Canonical form of a fingerprint typed by a user ("sha256:abcd..." -> "SHA256:AB:CD:...").
 * false + err (VV_ERR_USAGE) if it is not 32 bytes of hex after "SHA256:". */
bool trust_fp_normalize(const char *in, char out[TRUST_FP_LEN], struct vv_error *err);
/* Formats a raw 32-byte SHA-256 digest. */
void trust_fp_format(const unsigned char digest[32], char out[TRUST_FP_LEN]);

/* The form hosts are stored and compared in: lower case, without brackets, an IPv6 address in
 * its shortest spelling (its %zone kept as given). The pin functions apply it themselves.
 * false + err (VV_ERR_USAGE) if in is empty, longer than 255 or holds spaces or brackets. */
bool trust_host_normalize(const char *in, char out[256], struct vv_error *err);

#endif
