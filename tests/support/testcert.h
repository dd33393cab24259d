/* X.509 certificates made in memory for TLS tests (GnuTLS): a CA, server certificates it signs
 * or self-signed ones, with chosen names and validity. */
#ifndef VV_TESTCERT_H
#define VV_TESTCERT_H

#include <stdbool.h>
#include <time.h>

#include "trust.h"

struct testcert {
    char *cert_pem; /* malloc'd */
    char *key_pem;  /* malloc'd */
    char fingerprint[TRUST_FP_LEN];
    void *crt, *key; /* gnutls_x509_crt_t / gnutls_x509_privkey_t, for signing others */
};

struct testcert_spec {
    const char *cn;
    const char *dns[4];           /* DNS subject alternative names, NULL-terminated */
    const char *ip;               /* an IPv4 or IPv6 SAN, or NULL */
    bool ca;                      /* a CA certificate (can sign) */
    time_t not_before, not_after; /* 0 = an hour ago / in a day */
};

/* Makes a certificate for spec, signed by issuer (NULL = self-signed). false on failure. */
bool testcert_make(struct testcert *out, const struct testcert_spec *spec,
                   const struct testcert *issuer);
/* Writes the certificate PEM to path. */
bool testcert_write(const struct testcert *c, const char *path);
void testcert_free(struct testcert *c);

#endif
