/* Test certificates with GnuTLS: ECDSA P-256 keys (fast), SHA-256 signatures. */
#include "testcert.h"

#include <arpa/inet.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *export_pem(int (*fn)(void *, gnutls_x509_crt_fmt_t, gnutls_datum_t *), void *obj)
{
    gnutls_datum_t d = {NULL, 0};
    if (fn(obj, GNUTLS_X509_FMT_PEM, &d) != 0)
        return NULL;
    char *s = malloc(d.size + 1);
    if (s) {
        memcpy(s, d.data, d.size);
        s[d.size] = '\0';
    }
    gnutls_free(d.data);
    return s;
}

static int crt_export(void *o, gnutls_x509_crt_fmt_t f, gnutls_datum_t *d)
{
    return gnutls_x509_crt_export2(o, f, d);
}

static int key_export(void *o, gnutls_x509_crt_fmt_t f, gnutls_datum_t *d)
{
    return gnutls_x509_privkey_export2(o, f, d);
}

bool testcert_make(struct testcert *out, const struct testcert_spec *spec,
                   const struct testcert *issuer)
{
    static unsigned serial = 1000;
    memset(out, 0, sizeof *out);
    gnutls_x509_crt_t crt = NULL;
    gnutls_x509_privkey_t key = NULL;
    time_t now = time(NULL);
    unsigned char ser[4] = {0, 0, (unsigned char)(serial >> 8), (unsigned char)serial};
    serial++;
    int r = gnutls_x509_privkey_init(&key);
    if (r == 0)
        r = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                         GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
    if (r == 0)
        r = gnutls_x509_crt_init(&crt);
    if (r == 0)
        r = gnutls_x509_crt_set_version(crt, 3);
    if (r == 0)
        r = gnutls_x509_crt_set_serial(crt, ser, sizeof ser);
    if (r == 0)
        r = gnutls_x509_crt_set_activation_time(crt,
                                                spec->not_before ? spec->not_before : now - 3600);
    if (r == 0)
        r = gnutls_x509_crt_set_expiration_time(crt,
                                                spec->not_after ? spec->not_after : now + 86400);
    if (r == 0)
        r = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, spec->cn,
                                          (unsigned)strlen(spec->cn));
    for (int i = 0; r == 0 && i < 4 && spec->dns[i]; i++)
        r = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, spec->dns[i],
                                                 (unsigned)strlen(spec->dns[i]),
                                                 GNUTLS_FSAN_APPEND);
    if (r == 0 && spec->ip) {
        unsigned char ip[16];
        int len = inet_pton(AF_INET, spec->ip, ip) == 1 ? 4 : 16;
        if (len == 16 && inet_pton(AF_INET6, spec->ip, ip) != 1)
            r = -1;
        if (r == 0)
            r = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, (unsigned)len,
                                                     GNUTLS_FSAN_APPEND);
    }
    if (r == 0)
        r = gnutls_x509_crt_set_basic_constraints(crt, spec->ca ? 1 : 0, -1);
    if (r == 0)
        r = gnutls_x509_crt_set_key_usage(crt, spec->ca
                                                   ? GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN
                                                   : GNUTLS_KEY_DIGITAL_SIGNATURE);
    if (r == 0 && !spec->ca)
        r = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
    if (r == 0)
        r = gnutls_x509_crt_set_key(crt, key);
    if (r == 0) {
        unsigned char id[64];
        size_t idlen = sizeof id;
        r = gnutls_x509_crt_get_key_id(crt, 0, id, &idlen);
        if (r == 0)
            r = gnutls_x509_crt_set_subject_key_id(crt, id, idlen);
    }
    if (r == 0 && issuer) {
        unsigned char id[64];
        size_t idlen = sizeof id;
        if (gnutls_x509_crt_get_subject_key_id(issuer->crt, id, &idlen, NULL) == 0)
            gnutls_x509_crt_set_authority_key_id(crt, id, idlen);
    }
    if (r == 0)
        r = gnutls_x509_crt_sign2(crt, issuer ? issuer->crt : crt, issuer ? issuer->key : key,
                                  GNUTLS_DIG_SHA256, 0);
    if (r != 0) {
        fprintf(stderr, "testcert_make %s: %s\n", spec->cn, gnutls_strerror(r));
        goto fail;
    }
    out->crt = crt;
    out->key = key;
    out->cert_pem = export_pem(crt_export, crt);
    out->key_pem = export_pem(key_export, key);
    gnutls_datum_t der = {NULL, 0};
    unsigned char digest[32];
    size_t dlen = sizeof digest;
    if (!out->cert_pem || !out->key_pem ||
        gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) ||
        gnutls_fingerprint(GNUTLS_DIG_SHA256, &der, digest, &dlen) != 0) {
        gnutls_free(der.data);
        testcert_free(out);
        return false;
    }
    gnutls_free(der.data);
    trust_fp_format(digest, out->fingerprint);
    return true;
fail:
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return false;
}

bool testcert_write(const struct testcert *c, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    bool ok = fputs(c->cert_pem, f) >= 0;
    return fclose(f) == 0 && ok;
}

void testcert_free(struct testcert *c)
{
    free(c->cert_pem);
    free(c->key_pem);
    if (c->crt)
        gnutls_x509_crt_deinit(c->crt);
    if (c->key)
        gnutls_x509_privkey_deinit(c->key);
    memset(c, 0, sizeof *c);
}
