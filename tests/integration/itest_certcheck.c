/* Certificate trust through the whole VeNCrypt X509 handshake against a scripted GnuTLS server
 * on 127.0.0.1: CA and name checks, each reason for distrust in words, the certificate question
 * (trust / once / refuse) before any password, pins (stored, used, changed = refused without a
 * question), and --ca problems. Pins go to a store in a temporary directory. */
#include "testcert.h"
#include "testprompt.h"
#include "vencsrv.h"
#include "vv_test.h"

#include "secpolicy.h"
#include "trust.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PIN_PORT 5944 /* the port pins are kept under (the scripted server's own port varies) */

struct sarg {
    uint32_t sub;
    const struct testcert *cert;
    bool responded, auth_ok;
};

static void s_x509(struct vencsrv *srv, void *arg)
{
    struct sarg *a = arg;
    uint8_t chosen;
    uint32_t sub;
    if (!vencsrv_greet(srv, (const uint8_t *)"\x13", 1, &chosen) ||
        !vencsrv_vencrypt(srv, &a->sub, 1, &sub) || sub != a->sub || !vencsrv_send_u8(srv, 1) ||
        !vencsrv_start_tls(srv, a->cert))
        return;
    if (secpolicy_auth((int)sub) == SECPOLICY_AUTH_VNC) {
        if (!vencsrv_vncauth(srv, "pw", &a->auth_ok))
            return;
        a->responded = true;
    } else {
        a->auth_ok = true;
    }
    vencsrv_result(srv, a->auth_ok, "no");
    vencsrv_hold(srv, 10000);
}

static char store[300], ca_path[300], bad_ca[300];

static bool run(uint32_t sub, const struct testcert *cert, const char *host, const char *ca,
                struct testprompt *tp, struct handshake_result *res, struct vv_error *err,
                struct sarg *out)
{
    struct sarg a = {.sub = sub, .cert = cert};
    struct vencsrv *srv = vencsrv_start(s_x509, &a);
    if (!srv)
        return false;
    if (tp)
        tp->srv = srv;
    struct security_options sec = {.ca_file = ca, .store = store};
    struct handshake_config cfg = {.password = "pw",
                                   .prompter = tp ? &tp->pr : NULL,
                                   .sec = &sec,
                                   .host = host,
                                   .port = PIN_PORT,
                                   .loopback = true,
                                   .cancel_fd = -1};
    vv_error_clear(err);
    bool ok = vencsrv_client(vencsrv_port(srv), &cfg, res, err, NULL);
    vencsrv_stop(srv);
    if (tp)
        tp->srv = NULL;
    if (out)
        *out = a;
    if (!ok)
        fprintf(stderr, "  (handshake: %s)\n", err->message);
    return ok;
}

static bool has_pin(const char *fp)
{
    struct trust_pin pin;
    bool found = false;
    struct vv_error err;
    if (!trust_pin_get(store, "127.0.0.1", PIN_PORT, &pin, &found, &err))
        return false;
    return found && (!fp || strcmp(pin.fingerprint, fp) == 0);
}

int main(void)
{
    char dir[] = "/tmp/vv-itest-cert-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(store, sizeof store, "%s/store.db", dir);
    snprintf(ca_path, sizeof ca_path, "%s/ca.pem", dir);
    snprintf(bad_ca, sizeof bad_ca, "%s/missing.pem", dir);
    setenv("VNCVIEW_STORE", store, 1); /* whatever happens, never the user's store */

    time_t now = time(NULL);
    struct testcert ca, good, self, self2, other, expired, future;
    bool made =
        testcert_make(&ca, &(struct testcert_spec){.cn = "Test CA", .ca = true}, NULL) &&
        testcert_make(
            &good,
            &(struct testcert_spec){.cn = "localhost", .dns = {"localhost"}, .ip = "127.0.0.1"},
            &ca) &&
        testcert_make(
            &self, &(struct testcert_spec){.cn = "selfie", .dns = {"localhost"}, .ip = "127.0.0.1"},
            NULL) &&
        testcert_make(&self2, &(struct testcert_spec){.cn = "impostor", .ip = "127.0.0.1"}, NULL) &&
        testcert_make(&other, &(struct testcert_spec){.cn = "otherhost", .dns = {"otherhost"}},
                      &ca) &&
        testcert_make(&expired,
                      &(struct testcert_spec){.cn = "old",
                                              .ip = "127.0.0.1",
                                              .not_before = now - 10 * 86400,
                                              .not_after = now - 86400},
                      &ca) &&
        testcert_make(&future,
                      &(struct testcert_spec){.cn = "young",
                                              .ip = "127.0.0.1",
                                              .not_before = now + 86400,
                                              .not_after = now + 10 * 86400},
                      &ca) &&
        testcert_write(&ca, ca_path);
    CHECK(made);
    if (!made)
        return vv_test_finish();
    struct handshake_result res;
    struct vv_error err;
    struct sarg a;
    struct testprompt tp;

    /* 1. CA-signed, for the IP and for the name: verified, TLS 1.3, no question. */
    testprompt_init(&tp, true);
    CHECK(run(SEC_X509NONE, &good, "127.0.0.1", ca_path, &tp, &res, &err, NULL));
    CHECK(res.verified && res.encrypted);
    CHECK_EQ_STR(res.tls_version, "TLS1.3");
    CHECK(strncmp(res.security_text, "verified TLS (X509None, TLS1.3, cert SHA256:", 44) == 0);
    CHECK_EQ_STR(res.cert_fingerprint, good.fingerprint);
    CHECK(run(SEC_X509VNC, &good, "localhost", ca_path, &tp, &res, &err, &a));
    CHECK(a.auth_ok);
    CHECK_EQ_INT(tp.asked, 0);

    /* 2. Self-signed, nobody to ask: refused with the reason and the exact command. */
    CHECK(!run(SEC_X509VNC, &self, "127.0.0.1", NULL, NULL, &res, &err, &a));
    CHECK_EQ_INT(err.code, VV_ERR_CERT);
    CHECK(strstr(err.message, "self-signed") != NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "vncview trust add 127.0.0.1:%d %s", PIN_PORT - 5900,
             self.fingerprint);
    CHECK_MSG(strstr(err.message, cmd) != NULL, "no '%s' in: %s", cmd, err.message);
    CHECK(!a.responded); /* no password response before the certificate was accepted */

    /* 3. Asked: Refuse is the default; the details are shown; refusing sends nothing. */
    testprompt_init(&tp, true);
    tp.choose[PROMPT_CERTIFICATE] = "Refuse";
    CHECK(!run(SEC_X509VNC, &self, "127.0.0.1", NULL, &tp, &res, &err, &a));
    CHECK_EQ_INT(err.code, VV_ERR_CANCELLED);
    CHECK_EQ_INT(tp.asked, 1);
    CHECK_EQ_INT(tp.kind[0], PROMPT_CERTIFICATE);
    CHECK(tp.warning[0]);
    CHECK_EQ_INT(tp.default_choice[0], 2);
    CHECK(strstr(tp.message[0], "self-signed") != NULL);
    char row1[48], row2[48];
    snprintf(row1, sizeof row1, "%.47s", self.fingerprint + 7);
    snprintf(row2, sizeof row2, "%s", self.fingerprint + 7 + 48);
    CHECK(strstr(tp.detail[0], "CN=selfie") && strstr(tp.detail[0], "Valid until") &&
          strstr(tp.detail[0], "127.0.0.1") && strstr(tp.detail[0], "SHA-256"));
    CHECK(strstr(tp.detail[0], row1) && strstr(tp.detail[0], row2));
    CHECK(!a.responded);

    /* 4. Accept once: connected, said so, nothing stored. */
    testprompt_init(&tp, true);
    tp.choose[PROMPT_CERTIFICATE] = "Accept once";
    CHECK(run(SEC_X509VNC, &self, "127.0.0.1", NULL, &tp, &res, &err, &a));
    CHECK(a.auth_ok && res.encrypted && !res.verified);
    CHECK_EQ_STR(res.security_text, "encrypted, certificate accepted once, NOT verified (X509Vnc)");
    CHECK(!has_pin(NULL));

    /* 5. Trust: pinned and stored; the next connection needs no question. */
    testprompt_init(&tp, true);
    tp.choose[PROMPT_CERTIFICATE] = "Trust this certificate";
    CHECK(run(SEC_X509VNC, &self, "127.0.0.1", NULL, &tp, &res, &err, &a));
    CHECK(res.verified);
    CHECK(strstr(res.security_text, "verified TLS (X509Vnc, TLS1.3, pinned cert SHA256:") ==
          res.security_text);
    CHECK(has_pin(self.fingerprint));
    CHECK(run(SEC_X509VNC, &self, "127.0.0.1", NULL, NULL, &res, &err, &a));
    CHECK(res.verified && strstr(res.security_text, "pinned cert") != NULL);

    /* 6. Another certificate for the pinned server: refused loudly, never asked. */
    testprompt_init(&tp, true);
    tp.choose[PROMPT_CERTIFICATE] = "Trust this certificate";
    CHECK(!run(SEC_X509VNC, &self2, "127.0.0.1", NULL, &tp, &res, &err, &a));
    CHECK_EQ_INT(err.code, VV_ERR_CERT);
    CHECK_EQ_INT(tp.asked, 0);
    CHECK(strstr(err.message, "WARNING: THE CERTIFICATE OF 127.0.0.1:44 HAS CHANGED!") != NULL);
    CHECK(strstr(err.message, self.fingerprint) && strstr(err.message, self2.fingerprint));
    CHECK(strstr(err.message, "vncview trust remove 127.0.0.1:44") != NULL);
    CHECK(!a.responded);
    CHECK(has_pin(self.fingerprint)); /* the pin is untouched */
    bool removed = false;
    CHECK(trust_pin_remove(store, "127.0.0.1", PIN_PORT, &removed, &err) && removed);

    /* 7. Trusted CA, wrong name: same flow as untrusted (here: refused), naming both names. */
    CHECK(!run(SEC_X509VNC, &other, "127.0.0.1", ca_path, NULL, &res, &err, NULL));
    CHECK_EQ_INT(err.code, VV_ERR_CERT);
    CHECK(strstr(err.message, "issued for otherhost, not 127.0.0.1") != NULL);
    CHECK(strstr(err.message, "self-signed") == NULL && strstr(err.message, "authority") == NULL);
    testprompt_init(&tp, true);
    tp.choose[PROMPT_CERTIFICATE] = "Accept once";
    CHECK(run(SEC_X509VNC, &other, "127.0.0.1", ca_path, &tp, &res, &err, NULL));
    CHECK(strstr(tp.message[0], "issued for otherhost, not 127.0.0.1") != NULL);

    /* 8. Unknown issuer, expired, not yet valid: each said in words. */
    CHECK(!run(SEC_X509NONE, &good, "127.0.0.1", NULL, NULL, &res, &err, NULL));
    CHECK(strstr(err.message, "authority that is not trusted here (CN=Test CA)") != NULL);
    CHECK(!run(SEC_X509NONE, &expired, "127.0.0.1", ca_path, NULL, &res, &err, NULL));
    CHECK_EQ_INT(err.code, VV_ERR_CERT);
    CHECK(strstr(err.message, "it expired on ") != NULL);
    CHECK(!run(SEC_X509NONE, &future, "127.0.0.1", ca_path, NULL, &res, &err, NULL));
    CHECK(strstr(err.message, "it is not valid before ") != NULL);

    /* 9. --ca that cannot be read. */
    CHECK(!run(SEC_X509NONE, &good, "127.0.0.1", bad_ca, NULL, &res, &err, NULL));
    CHECK_EQ_INT(err.code, VV_ERR_IO);
    CHECK(strstr(err.message, bad_ca) != NULL);

    struct testcert *all[] = {&ca, &good, &self, &self2, &other, &expired, &future};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        testcert_free(all[i]);
    const char *suffixes[] = {"", "-journal", "-wal", "-shm"};
    for (size_t i = 0; i < 4; i++) {
        char f[320];
        snprintf(f, sizeof f, "%s%s", store, suffixes[i]);
        unlink(f);
    }
    unlink(ca_path);
    rmdir(dir);
    return vv_test_finish();
}
