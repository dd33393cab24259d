/* Certificate trust: CA verification and host-name check with our own trust list, then pins,
 * then the user. Every refusal says why and what to do. */
#include "certcheck.h"

#include "addr.h"
#include "log.h"
#include "plat.h"

#include <arpa/inet.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_CHAIN 16

/* What the user is shown about a certificate. */
struct cert_info {
    char subject[256], issuer[256], names[256];
    char not_before[40], not_after[40];
    time_t activation, expiration;
    bool self_signed;
};

void certcheck_server_name(const char *host, int port, char *buf, size_t size)
{
    struct vv_address a;
    memset(&a, 0, sizeof a);
    snprintf(a.host, sizeof a.host, "%s", host);
    a.port = port;
    a.display = -1;
    addr_format(&a, buf, size);
}

static void format_time(time_t t, char *buf, size_t size)
{
    struct tm tm;
    if (t == (time_t)-1 || !gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, size, "unknown");
}

static void get_dn(gnutls_x509_crt_t crt, bool issuer, char *buf, size_t size)
{
    gnutls_datum_t d = {NULL, 0};
    int r =
        issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &d, 0) : gnutls_x509_crt_get_dn3(crt, &d, 0);
    snprintf(buf, size, "%s", r == 0 && d.data ? (const char *)d.data : "(none)");
    gnutls_free(d.data);
}

/* DNS and IP subject alternative names, else the common name: what the certificate is for. */
static void get_names(gnutls_x509_crt_t crt, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (unsigned i = 0; o + 2 < size; i++) {
        char san[256];
        size_t len = sizeof san - 1;
        int type = gnutls_x509_crt_get_subject_alt_name(crt, i, san, &len, NULL);
        if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        char shown[INET6_ADDRSTRLEN + 1] = "";
        if (type == GNUTLS_SAN_DNSNAME) {
            san[len < sizeof san ? len : sizeof san - 1] = '\0';
            snprintf(shown, sizeof shown, "%.*s", (int)sizeof shown - 1, san);
        } else if (type == GNUTLS_SAN_IPADDRESS && (len == 4 || len == 16)) {
            inet_ntop(len == 4 ? AF_INET : AF_INET6, san, shown, sizeof shown);
        } else {
            continue;
        }
        o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? ", " : "", shown);
    }
    if (o == 0) {
        char cn[256];
        size_t len = sizeof cn;
        if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &len) == 0)
            snprintf(buf, size, "%s", cn);
        else
            snprintf(buf, size, "no name at all");
    }
}

static void describe_cert(gnutls_x509_crt_t crt, struct cert_info *ci)
{
    get_dn(crt, false, ci->subject, sizeof ci->subject);
    get_dn(crt, true, ci->issuer, sizeof ci->issuer);
    get_names(crt, ci->names, sizeof ci->names);
    ci->activation = gnutls_x509_crt_get_activation_time(crt);
    ci->expiration = gnutls_x509_crt_get_expiration_time(crt);
    format_time(ci->activation, ci->not_before, sizeof ci->not_before);
    format_time(ci->expiration, ci->not_after, sizeof ci->not_after);
    ci->self_signed = gnutls_x509_crt_check_issuer(crt, crt) != 0;
}

/* Verifies the chain against the system CAs and ca_file; *status gets GnuTLS's bits. */
static bool verify_chain(const gnutls_datum_t *chain, unsigned n, const struct certcheck_params *p,
                         unsigned *status, struct vv_error *err)
{
    gnutls_x509_crt_t crts[MAX_CHAIN];
    unsigned ncrt = 0;
    gnutls_x509_trust_list_t tl = NULL;
    bool ok = false, reported = false;
    *status = GNUTLS_CERT_INVALID;
    if (gnutls_x509_trust_list_init(&tl, 0) != 0)
        goto out;
    if (p->system_trust) {
        int r = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
        if (r < 0)
            log_debug("no system CA certificates: %s", gnutls_strerror(r));
    }
    if (p->ca_file) {
        int r =
            gnutls_x509_trust_list_add_trust_file(tl, p->ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
        if (r <= 0) {
            vv_error_set(err, VV_ERR_IO, "--ca %s: %s", p->ca_file,
                         r == 0                     ? "no PEM certificate in the file"
                         : r == GNUTLS_E_FILE_ERROR ? "cannot read the file"
                                                    : gnutls_strerror(r));
            reported = true;
            goto out;
        }
    }
    for (; ncrt < n && ncrt < MAX_CHAIN; ncrt++) {
        if (gnutls_x509_crt_init(&crts[ncrt]) != 0)
            goto out;
        if (gnutls_x509_crt_import(crts[ncrt], &chain[ncrt], GNUTLS_X509_FMT_DER) != 0) {
            gnutls_x509_crt_deinit(crts[ncrt]);
            break; /* verify what parsed; an unparsable leaf is caught by the caller */
        }
    }
    if (ncrt > 0 && gnutls_x509_trust_list_verify_crt(tl, crts, ncrt, 0, status, NULL) != 0)
        *status = GNUTLS_CERT_INVALID;
    ok = true;
out:
    for (unsigned i = 0; i < ncrt; i++)
        gnutls_x509_crt_deinit(crts[i]);
    if (tl)
        gnutls_x509_trust_list_deinit(tl, 1);
    if (!ok && !reported)
        vv_error_set(err, VV_ERR_GENERIC, "out of memory verifying the certificate");
    return ok;
}

/* Why the certificate is not trusted, as a clause list ("it is self-signed; it expired ..."). */
static void reasons(unsigned status, bool name_ok, const char *host, const struct cert_info *ci,
                    char *buf, size_t size)
{
    size_t o = 0;
    time_t now = time(NULL);
#define CLAUSE(...)                                                                                \
    do {                                                                                           \
        if (o + 2 < size)                                                                          \
            o += (size_t)snprintf(buf + o, size - o, "%s", o ? "; " : "");                         \
        if (o + 2 < size)                                                                          \
            o += (size_t)snprintf(buf + o, size - o, __VA_ARGS__);                                 \
    } while (0)
    buf[0] = '\0';
    if (status & GNUTLS_CERT_SIGNER_NOT_FOUND) {
        if (ci->self_signed)
            CLAUSE("it is self-signed (no certificate authority vouches for it)");
        else
            CLAUSE("it was issued by an authority that is not trusted here (%s)", ci->issuer);
    }
    if (status & GNUTLS_CERT_REVOKED)
        CLAUSE("it was revoked");
    if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
        CLAUSE("it is signed with an insecure algorithm");
    if (ci->expiration != (time_t)-1 && now > ci->expiration)
        CLAUSE("it expired on %s", ci->not_after);
    if (ci->activation != (time_t)-1 && now < ci->activation)
        CLAUSE("it is not valid before %s", ci->not_before);
    if (!name_ok)
        CLAUSE("it was issued for %s, not %s", ci->names, host);
    if (o == 0 && status) {
        gnutls_datum_t d = {NULL, 0};
        gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &d, 0);
        CLAUSE("it does not verify (%s)", d.data ? (const char *)d.data : "unknown reason");
        gnutls_free(d.data);
    }
#undef CLAUSE
}

/* The user decides: trust (pin), once, or refuse. Non-interactive: refuse with the command. */
static bool ask_user(const struct certcheck_params *p, const struct cert_info *ci, const char *why,
                     struct certcheck_result *out, struct vv_error *err)
{
    char server[300];
    certcheck_server_name(p->host, p->port, server, sizeof server);
    struct prompt q;
    prompt_init(&q, PROMPT_CERTIFICATE, "Untrusted certificate");
    q.warning = true;
    snprintf(q.message, sizeof q.message,
             "The certificate of %s is not trusted: %s.\n\nIf you cannot confirm its fingerprint "
             "with the server's administrator, someone on the network could be posing as the "
             "server. \"Trust this certificate\" remembers it for %s.",
             server, why, server);
    /* The fingerprint in two rows of 16 bytes: narrow enough not to wrap anywhere. */
    const char *hex = out->fingerprint + strlen("SHA256:");
    snprintf(q.detail, sizeof q.detail,
             "Subject:     %s\nIssuer:      %s\nNames:       %s\nValid from:  %s\nValid until: "
             "%s\nSHA-256 fingerprint:\n  %.47s\n  %s",
             ci->subject, ci->issuer, ci->names, ci->not_before, ci->not_after, hex,
             strlen(hex) > 48 ? hex + 48 : "");
    prompt_add_choice(&q, "Trust this certificate");
    prompt_add_choice(&q, "Accept once");
    prompt_add_choice(&q, "Refuse");
    q.default_choice = 2; /* Enter must not trust a certificate nobody looked at */
    q.cancel_choice = 2;
    uint64_t asked = plat_now_ms();
    int r = prompt_ask(p->prompter, &q);
    out->prompt_ms += plat_now_ms() - asked;
    prompt_clear(&q);
    if (r == 0) {
        struct trust_pin pin;
        memset(&pin, 0, sizeof pin);
        snprintf(pin.host, sizeof pin.host, "%s", p->host);
        pin.port = p->port;
        snprintf(pin.fingerprint, sizeof pin.fingerprint, "%s", out->fingerprint);
        snprintf(pin.subject, sizeof pin.subject, "%s", ci->subject);
        pin.added = time(NULL);
        struct vv_error e;
        vv_error_clear(&e);
        if (trust_pin_put(p->store, &pin, &e)) {
            log_info("pinned the certificate of %s (%s)", server, out->fingerprint);
            out->outcome = CERTCHECK_PINNED;
        } else {
            log_warn("could not remember the certificate: %s; accepted for this connection only",
                     e.message);
            out->outcome = CERTCHECK_ACCEPTED_ONCE;
        }
        return true;
    }
    if (r == 1) {
        out->outcome = CERTCHECK_ACCEPTED_ONCE;
        return true;
    }
    if (p->prompter && p->prompter->interactive) {
        vv_error_set(err, VV_ERR_CANCELLED, "certificate of %s refused; not connected", server);
        return false;
    }
    /* The command first: a long message is cut at the end, and the command is what matters. */
    vv_error_set(err, VV_ERR_CERT,
                 "the certificate of %s is not trusted: %.220s. If it is the server's own "
                 "certificate, trust it with: vncview trust add %s %s (compare the fingerprint "
                 "on the server: openssl x509 -noout -fingerprint -sha256 -in CERT), or give its "
                 "CA with --ca FILE",
                 server, why, server, out->fingerprint);
    return false;
}

bool certcheck_run(const gnutls_datum_t *chain, unsigned n, const struct certcheck_params *p,
                   struct certcheck_result *out, struct vv_error *err)
{
    memset(out, 0, sizeof *out);
    char server[300];
    certcheck_server_name(p->host, p->port, server, sizeof server);
    gnutls_x509_crt_t leaf = NULL;
    bool ok = false;
    if (n == 0 || !chain) {
        vv_error_set(err, VV_ERR_CERT, "%s sent no certificate", server);
        return false;
    }
    unsigned char digest[32];
    size_t dlen = sizeof digest;
    if (gnutls_fingerprint(GNUTLS_DIG_SHA256, &chain[0], digest, &dlen) != 0 || dlen != 32 ||
        gnutls_x509_crt_init(&leaf) != 0) {
        vv_error_set(err, VV_ERR_GENERIC, "cannot compute a certificate fingerprint");
        return false;
    }
    trust_fp_format(digest, out->fingerprint);
    if (gnutls_x509_crt_import(leaf, &chain[0], GNUTLS_X509_FMT_DER) != 0) {
        vv_error_set(err, VV_ERR_CERT, "%s sent a certificate that cannot be parsed (%s)", server,
                     out->fingerprint);
        goto out;
    }
    struct cert_info ci;
    describe_cert(leaf, &ci);
    unsigned status = 0;
    if (!verify_chain(chain, n, p, &status, err))
        goto out;
    bool name_ok = gnutls_x509_crt_check_hostname2(leaf, p->host, 0) != 0;
    log_debug("certificate of %s: subject %s, issuer %s, names %s, chain status 0x%x, name %s",
              server, ci.subject, ci.issuer, ci.names, status, name_ok ? "ok" : "mismatch");
    if (status == 0 && name_ok) {
        out->outcome = CERTCHECK_VERIFIED;
        ok = true;
        goto out;
    }
    struct trust_pin pin;
    bool found = false;
    if (!trust_pin_get(p->store, p->host, p->port, &pin, &found, err))
        goto out;
    if (found && strcasecmp(pin.fingerprint, out->fingerprint) == 0) {
        out->outcome = CERTCHECK_PINNED;
        ok = true;
        goto out;
    }
    if (found) {
        /* Like OpenSSH's changed host key: never a question, the user must act deliberately. */
        vv_error_set(err, VV_ERR_CERT,
                     "WARNING: THE CERTIFICATE OF %s HAS CHANGED! Someone may be intercepting "
                     "the connection (man-in-the-middle), or the server got a new certificate. "
                     "Old %s, new %s. If the change is expected: vncview trust remove %s",
                     server, pin.fingerprint, out->fingerprint, server);
        goto out;
    }
    char why[700];
    reasons(status, name_ok, p->host, &ci, why, sizeof why);
    ok = ask_user(p, &ci, why, out, err);
out:
    if (leaf)
        gnutls_x509_crt_deinit(leaf);
    return ok;
}
