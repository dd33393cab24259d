/* VeNCrypt, anonymous TLS (type 18), Plain and the insecure-connection question against a
 * scripted TLS server on 127.0.0.1: credentials only ever inside TLS unless the user asked,
 * our subtype order, lying servers, and bulk data through the TLS transport both ways. */
#include "testprompt.h"
#include "vencsrv.h"
#include "vv_test.h"

#include "plat.h"
#include "secpolicy.h"
#include "tls.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BULK (3 * 1024 * 1024)

enum { LIE_NONE, LIE_NO_TLS, LIE_TLS_REFUSED, LIE_OLD_VERSION };

struct sarg {
    uint8_t types[4];
    size_t ntypes;
    uint32_t subs[6];
    size_t nsubs;
    uint8_t inner[2]; /* type 18: the inner list (2 entries) */
    const char *user, *password;
    int lie;
    bool bulk; /* after success: receive and send BULK bytes */
    uint8_t chosen;
    uint32_t sub;
    bool auth_ok, bulk_ok;
    char got_user[64], got_pw[64];
};

static uint8_t bulk_byte(size_t i)
{
    return (uint8_t)(i * 131 + (i >> 11));
}

static bool auth(struct vencsrv *srv, struct sarg *a, int type)
{
    switch (secpolicy_auth(type)) {
    case SECPOLICY_AUTH_VNC:
        return vencsrv_vncauth(srv, a->password, &a->auth_ok);
    case SECPOLICY_AUTH_PLAIN:
        if (!vencsrv_plain(srv, a->got_user, sizeof a->got_user, a->got_pw, sizeof a->got_pw))
            return false;
        a->auth_ok = strcmp(a->got_user, a->user) == 0 && strcmp(a->got_pw, a->password) == 0;
        return true;
    default:
        a->auth_ok = true;
        return true;
    }
}

static void s_server(struct vencsrv *srv, void *arg)
{
    struct sarg *a = arg;
    if (!vencsrv_greet(srv, a->types, a->ntypes, &a->chosen))
        return;
    int type = a->chosen;
    if (a->chosen == SEC_VENCRYPT) {
        if (a->lie == LIE_OLD_VERSION) {
            vencsrv_send(srv, "\x00\x01", 2);
            vencsrv_hold(srv, 5000);
            return;
        }
        if (!vencsrv_vencrypt(srv, a->subs, a->nsubs, &a->sub))
            return;
        type = (int)a->sub;
        if (secpolicy_tls(type) != SECPOLICY_TLS_NO) {
            if (!vencsrv_send_u8(srv, a->lie == LIE_TLS_REFUSED ? 0 : 1))
                return;
            if (a->lie == LIE_NO_TLS) {
                /* Pretends TLS is up and asks for the password in clear; takes whatever
                 * comes (our ClientHello) as the answer, and hangs up. */
                uint8_t junk[16];
                if (secpolicy_auth(type) == SECPOLICY_AUTH_VNC) {
                    if (vencsrv_send(srv, "0123456789abcdef", 16))
                        vencsrv_recv(srv, junk, sizeof junk, 5000);
                } else {
                    vencsrv_plain(srv, a->got_user, sizeof a->got_user, a->got_pw,
                                  sizeof a->got_pw);
                }
                return;
            }
            if (a->lie == LIE_TLS_REFUSED ||
                !vencsrv_start_tls(srv, NULL)) /* X509 cases are in itest_certcheck */
                return;
        }
    } else if (a->chosen == SEC_TLS) {
        uint8_t n = 2;
        if (!vencsrv_start_tls(srv, NULL) || !vencsrv_send(srv, &n, 1) ||
            !vencsrv_send(srv, a->inner, 2) || !vencsrv_recv(srv, &a->chosen, 1, 5000))
            return;
        type = a->chosen;
    }
    if (!auth(srv, a, type) || !vencsrv_result(srv, a->auth_ok, "Authentication failed"))
        return;
    if (a->bulk && a->auth_ok) {
        usleep(200 * 1000); /* let the client's writes back up: it must handle EAGAIN */
        uint8_t *buf = malloc(BULK);
        bool ok = buf && vencsrv_recv(srv, buf, BULK, 10000);
        for (size_t i = 0; ok && i < BULK; i++)
            ok = buf[i] == bulk_byte(i);
        for (size_t i = 0; buf && i < BULK; i++)
            buf[i] = bulk_byte(BULK - i);
        a->bulk_ok = ok && vencsrv_send(srv, buf, BULK);
        free(buf);
    }
    vencsrv_hold(srv, 10000);
}

/* Runs one handshake against a fresh server; fills res/err; returns handshake_run's result. */
static bool run(struct sarg *a, struct security_options *sec, struct testprompt *tp,
                const char *password, bool loopback, struct handshake_result *res,
                struct vv_error *err, struct vencsrv **keep_srv)
{
    struct vencsrv *srv = vencsrv_start(s_server, a);
    if (!srv) {
        vv_error_set(err, VV_ERR_GENERIC, "no server");
        return false;
    }
    if (tp)
        tp->srv = srv;
    struct handshake_config cfg = {
        .password = password,
        .prompter = tp ? &tp->pr : NULL,
        .sec = sec,
        .host = "127.0.0.1",
        .port = vencsrv_port(srv),
        .loopback = loopback,
        .cancel_fd = -1,
    };
    vv_error_clear(err);
    bool ok = vencsrv_client(vencsrv_port(srv), &cfg, res, err, NULL);
    if (tp)
        tp->srv = NULL;
    if (keep_srv) {
        vencsrv_wait(srv, 5000); /* it has seen all we sent */
        *keep_srv = srv;
    } else
        vencsrv_stop(srv);
    if (!ok)
        fprintf(stderr, "  (handshake: %s)\n", err->message);
    return ok;
}

static void test_plain(void)
{
    struct handshake_result res;
    struct vv_error err;
    struct vencsrv *srv;
    /* Plain alone: never by default, and nothing secret leaves. */
    struct sarg a = {.types = {SEC_VENCRYPT},
                     .ntypes = 1,
                     .subs = {SEC_PLAIN},
                     .nsubs = 1,
                     .user = "alice",
                     .password = "pw-plain-1"};
    struct security_options sec = {.user = "alice"};
    CHECK(!run(&a, &sec, NULL, "pw-plain-1", false, &res, &err, &srv));
    CHECK_EQ_INT(err.code, VV_ERR_SECURITY);
    CHECK(strstr(err.message, "Plain") && strstr(err.message, "--security Plain"));
    CHECK(!vencsrv_wire_contains(srv, "pw-plain-1", 10));
    vencsrv_stop(srv);

    /* Listed explicitly, to another machine, nobody to ask, no --insecure: still refused. */
    sec.types = "Plain";
    a = (struct sarg){.types = {SEC_VENCRYPT},
                      .ntypes = 1,
                      .subs = {SEC_PLAIN},
                      .nsubs = 1,
                      .user = "alice",
                      .password = "pw-plain-1"};
    CHECK(!run(&a, &sec, NULL, "pw-plain-1", false, &res, &err, &srv));
    CHECK_EQ_INT(err.code, VV_ERR_SECURITY);
    CHECK(strstr(err.message, "--insecure") && strstr(err.message, "--ssh"));
    CHECK(!vencsrv_wire_contains(srv, "pw-plain-1", 10));
    vencsrv_stop(srv);

    /* ...and with --insecure it goes, in clear, as asked. */
    sec.insecure = true;
    a = (struct sarg){.types = {SEC_VENCRYPT},
                      .ntypes = 1,
                      .subs = {SEC_PLAIN},
                      .nsubs = 1,
                      .user = "alice",
                      .password = "pw-plain-1"};
    CHECK(run(&a, &sec, NULL, "pw-plain-1", false, &res, &err, NULL));
    CHECK(a.auth_ok);
    CHECK(!res.encrypted);
    CHECK_EQ_STR(res.security_text, "NOT ENCRYPTED");
}

static void test_tlsplain(void)
{
    struct handshake_result res;
    struct vv_error err;
    struct vencsrv *srv;
    struct security_options sec = {.user = "alice"};
    /* Default order: TLSPlain over Plain; the password travels only encrypted. */
    struct sarg a = {.types = {SEC_VENCRYPT},
                     .ntypes = 1,
                     .subs = {SEC_PLAIN, SEC_TLSPLAIN},
                     .nsubs = 2,
                     .user = "alice",
                     .password = "pw-inside-tls"};
    CHECK(run(&a, &sec, NULL, "pw-inside-tls", false, &res, &err, &srv));
    CHECK_EQ_INT(a.sub, SEC_TLSPLAIN);
    CHECK(a.auth_ok);
    CHECK_EQ_STR(a.got_user, "alice");
    CHECK(!vencsrv_wire_contains(srv, "pw-inside-tls", 13));
    CHECK(vencsrv_wire_bytes(srv) > 100); /* a TLS handshake did happen */
    vencsrv_stop(srv);
    CHECK(res.encrypted && !res.verified);
    CHECK_EQ_INT(res.security, SEC_VENCRYPT);
    CHECK_EQ_INT(res.subtype, SEC_TLSPLAIN);
    CHECK_EQ_STR(res.security_text, "encrypted, server identity NOT verified (TLSPlain)");
    CHECK(strncmp(res.tls_version, "TLS1.", 5) == 0);

    /* Wrong password: an authentication error naming both. */
    a = (struct sarg){.types = {SEC_VENCRYPT},
                      .ntypes = 1,
                      .subs = {SEC_TLSPLAIN},
                      .nsubs = 1,
                      .user = "alice",
                      .password = "right"};
    CHECK(!run(&a, &sec, NULL, "wrong", false, &res, &err, NULL));
    CHECK_EQ_INT(err.code, VV_ERR_AUTH);
    CHECK(strstr(err.message, "user name or password") != NULL);

    /* Asked for, only once TLS is up; the user from --user is offered. */
    struct testprompt tp;
    testprompt_init(&tp, true);
    tp.fields[0] = "bob";
    tp.fields[1] = "pw-bob";
    tp.wait_tls = true;
    sec.user = "carol";
    a = (struct sarg){.types = {SEC_VENCRYPT},
                      .ntypes = 1,
                      .subs = {SEC_TLSPLAIN},
                      .nsubs = 1,
                      .user = "bob",
                      .password = "pw-bob"};
    CHECK(run(&a, &sec, &tp, NULL, false, &res, &err, NULL));
    CHECK(a.auth_ok);
    CHECK_EQ_INT(tp.asked, 1);
    CHECK_EQ_INT(tp.kind[0], PROMPT_CREDENTIALS);
    CHECK(tp.tls_up[0]);
    CHECK_EQ_STR(tp.initial[0], "carol");

    /* Nobody to ask and no user: says how to give them. */
    sec.user = NULL;
    a = (struct sarg){.types = {SEC_VENCRYPT},
                      .ntypes = 1,
                      .subs = {SEC_TLSPLAIN},
                      .nsubs = 1,
                      .user = "bob",
                      .password = "pw-bob"};
    CHECK(!run(&a, &sec, NULL, "pw-bob", false, &res, &err, NULL));
    CHECK_EQ_INT(err.code, VV_ERR_NO_PASSWORD);
    CHECK(strstr(err.message, "--user") != NULL);
}

static void test_anon_type18(void)
{
    struct handshake_result res;
    struct vv_error err;
    struct vencsrv *srv;
    /* The server lists None and VncAuth first; anonymous TLS still wins, VncAuth inside. */
    struct sarg a = {.types = {SEC_NONE, SEC_VNCAUTH, SEC_TLS},
                     .ntypes = 3,
                     .inner = {SEC_NONE, SEC_VNCAUTH},
                     .password = "pw18"};
    CHECK(run(&a, NULL, NULL, "pw18", false, &res, &err, &srv));
    CHECK(a.auth_ok);
    CHECK_EQ_INT(a.chosen, SEC_VNCAUTH);
    CHECK_EQ_INT(res.security, SEC_TLS);
    CHECK_EQ_INT(res.subtype, SEC_VNCAUTH);
    CHECK(res.encrypted && !res.verified);
    CHECK_EQ_STR(res.security_text, "encrypted, server identity NOT verified (TLS, VncAuth)");
    CHECK(vencsrv_wire_bytes(srv) > 100);
    vencsrv_stop(srv);
}

static void test_lies(void)
{
    struct handshake_result res;
    struct vv_error err;
    struct vencsrv *srv;
    struct security_options sec = {.user = "alice"};
    /* Acks TLSPlain, then waits for credentials in clear: it gets a TLS ClientHello. */
    struct sarg a = {.types = {SEC_VENCRYPT},
                     .ntypes = 1,
                     .subs = {SEC_TLSPLAIN},
                     .nsubs = 1,
                     .user = "alice",
                     .password = "never-in-clear",
                     .lie = LIE_NO_TLS};
    CHECK(!run(&a, &sec, NULL, "never-in-clear", false, &res, &err, &srv));
    CHECK(err.code == VV_ERR_CLOSED || err.code == VV_ERR_SECURITY);
    CHECK(!vencsrv_wire_contains(srv, "never-in-clear", 14));
    vencsrv_stop(srv);

    /* Acks TLSVnc, then sends a VncAuth challenge in clear: the TLS handshake fails, no
     * response goes out (only our ClientHello: it starts with 0x16). */
    a = (struct sarg){.types = {SEC_VENCRYPT},
                      .ntypes = 1,
                      .subs = {SEC_TLSVNC},
                      .nsubs = 1,
                      .password = "pw",
                      .lie = LIE_NO_TLS};
    CHECK(!run(&a, NULL, NULL, "pw", false, &res, &err, &srv));
    CHECK(err.code == VV_ERR_SECURITY || err.code == VV_ERR_CLOSED);
    CHECK(strstr(err.message, "TLS") != NULL);
    vencsrv_stop(srv);

    /* Refuses the TLS it offered. */
    a = (struct sarg){.types = {SEC_VENCRYPT},
                      .ntypes = 1,
                      .subs = {SEC_TLSNONE},
                      .nsubs = 1,
                      .lie = LIE_TLS_REFUSED};
    CHECK(!run(&a, NULL, NULL, NULL, false, &res, &err, NULL));
    CHECK_EQ_INT(err.code, VV_ERR_SECURITY);
    CHECK(strstr(err.message, "could not start TLS") != NULL);

    /* VeNCrypt 0.1. */
    a = (struct sarg){.types = {SEC_VENCRYPT}, .ntypes = 1, .lie = LIE_OLD_VERSION};
    CHECK(!run(&a, NULL, NULL, NULL, false, &res, &err, NULL));
    CHECK_EQ_INT(err.code, VV_ERR_SECURITY);
    CHECK(strstr(err.message, "VeNCrypt 0.1") != NULL);

    /* Subtypes we cannot use, and an absurd number: refused, naming them. */
    a = (struct sarg){
        .types = {SEC_VENCRYPT}, .ntypes = 1, .subs = {0xffffffffu, 263, 264}, .nsubs = 3};
    CHECK(!run(&a, NULL, NULL, NULL, false, &res, &err, NULL));
    CHECK_EQ_INT(err.code, VV_ERR_SECURITY);
    CHECK(strstr(err.message, "X509SASL") && strstr(err.message, "TLSSASL"));
}

static void test_subtype_order(void)
{
    struct handshake_result res;
    struct vv_error err;
    /* The server puts plain VncAuth first; the default takes TLSVnc. */
    struct sarg a = {.types = {SEC_VENCRYPT},
                     .ntypes = 1,
                     .subs = {SEC_VNCAUTH, SEC_TLSNONE, SEC_TLSVNC},
                     .nsubs = 3,
                     .password = "p"};
    CHECK(run(&a, NULL, NULL, "p", false, &res, &err, NULL));
    CHECK_EQ_INT(a.sub, SEC_TLSVNC);
    /* The user's order: TLSNone first. */
    struct security_options sec = {.types = "tlsnone tlsvnc"};
    a = (struct sarg){.types = {SEC_VENCRYPT},
                      .ntypes = 1,
                      .subs = {SEC_VNCAUTH, SEC_TLSVNC, SEC_TLSNONE},
                      .nsubs = 3,
                      .password = "p"};
    CHECK(run(&a, &sec, NULL, "p", false, &res, &err, NULL));
    CHECK_EQ_INT(a.sub, SEC_TLSNONE);
    CHECK_EQ_STR(res.security_text, "encrypted, server identity NOT verified (TLSNone)");
    /* Only encrypted types asked for, only plain offered: no downgrade, both named. */
    sec.types = "TLSVnc";
    a = (struct sarg){.types = {SEC_VNCAUTH, SEC_NONE}, .ntypes = 2, .password = "p"};
    CHECK(!run(&a, &sec, NULL, "p", true, &res, &err, NULL));
    CHECK_EQ_INT(err.code, VV_ERR_SECURITY);
    CHECK(strstr(err.message, "offers VncAuth, None") && strstr(err.message, "TLSVnc"));
}

static void test_insecure(void)
{
    struct handshake_result res;
    struct vv_error err;
    struct vencsrv *srv;
    /* VncAuth to "another machine", nobody to ask: refused before the response. */
    struct sarg a = {.types = {SEC_VNCAUTH}, .ntypes = 1, .password = "pw"};
    CHECK(!run(&a, NULL, NULL, "pw", false, &res, &err, &srv));
    CHECK_EQ_INT(err.code, VV_ERR_SECURITY);
    CHECK(strstr(err.message, "--insecure") && strstr(err.message, "--ssh"));
    CHECK(strstr(err.message, "not be encrypted") != NULL);
    CHECK_EQ_INT(vencsrv_wire_bytes(srv), 13); /* version + type choice, no response */
    vencsrv_stop(srv);

    /* Interactive: asked once, with a warning and Cancel as the default, then the password. */
    struct testprompt tp;
    testprompt_init(&tp, true);
    tp.choose[PROMPT_INSECURE] = "Connect without encryption";
    tp.fields[0] = "pw";
    a = (struct sarg){.types = {SEC_VNCAUTH}, .ntypes = 1, .password = "pw"};
    CHECK(run(&a, NULL, &tp, NULL, false, &res, &err, NULL));
    CHECK(a.auth_ok);
    CHECK_EQ_INT(tp.asked, 2);
    CHECK_EQ_INT(tp.kind[0], PROMPT_INSECURE);
    CHECK_EQ_INT(tp.kind[1], PROMPT_VNC_PASSWORD);
    CHECK(tp.warning[0]);
    CHECK_EQ_INT(tp.default_choice[0], 1);
    CHECK(strstr(tp.message[0], "--ssh") && strstr(tp.message[0], "password"));
    CHECK(res.insecure_confirmed);
    CHECK_EQ_STR(res.security_text, "NOT ENCRYPTED");

    /* Cancelled: nothing sent. */
    testprompt_init(&tp, true);
    a = (struct sarg){.types = {SEC_VNCAUTH}, .ntypes = 1, .password = "pw"};
    CHECK(!run(&a, NULL, &tp, "pw", false, &res, &err, &srv));
    CHECK_EQ_INT(err.code, VV_ERR_CANCELLED);
    CHECK_EQ_INT(vencsrv_wire_bytes(srv), 13);
    vencsrv_stop(srv);

    /* None to another machine: also asked (keystrokes); --insecure lets it through. */
    a = (struct sarg){.types = {SEC_NONE}, .ntypes = 1};
    CHECK(!run(&a, NULL, NULL, NULL, false, &res, &err, NULL));
    CHECK_EQ_INT(err.code, VV_ERR_SECURITY);
    struct security_options sec = {.insecure = true};
    a = (struct sarg){.types = {SEC_NONE}, .ntypes = 1};
    CHECK(run(&a, &sec, NULL, NULL, false, &res, &err, NULL));

    /* Loopback, an SSH tunnel, or an earlier yes: no question. */
    testprompt_init(&tp, true);
    a = (struct sarg){.types = {SEC_VNCAUTH}, .ntypes = 1, .password = "pw"};
    CHECK(run(&a, NULL, &tp, "pw", true, &res, &err, NULL));
    a = (struct sarg){.types = {SEC_VNCAUTH}, .ntypes = 1, .password = "pw"};
    struct vencsrv *s2 = vencsrv_start(s_server, &a);
    struct handshake_config cfg = {.password = "pw",
                                   .prompter = &tp.pr,
                                   .host = "127.0.0.1",
                                   .tunnelled = true,
                                   .cancel_fd = -1};
    CHECK(s2 && vencsrv_client(vencsrv_port(s2), &cfg, &res, &err, NULL));
    vencsrv_stop(s2);
    a = (struct sarg){.types = {SEC_VNCAUTH}, .ntypes = 1, .password = "pw"};
    s2 = vencsrv_start(s_server, &a);
    cfg = (struct handshake_config){.password = "pw",
                                    .prompter = &tp.pr,
                                    .host = "127.0.0.1",
                                    .insecure_confirmed = true,
                                    .cancel_fd = -1};
    CHECK(s2 && vencsrv_client(vencsrv_port(s2), &cfg, &res, &err, NULL));
    CHECK(res.insecure_confirmed);
    vencsrv_stop(s2);
    CHECK_EQ_INT(tp.asked, 0);
}

/* Writes like the pump does: after -EAGAIN the same start again, with more bytes behind it. */
static bool pump_like_write(struct transport *t, const uint8_t *data, size_t total, int *eagains)
{
    size_t off = 0, len = 0;
    uint64_t until = plat_now_ms() + 20000;
    while (off < total && plat_now_ms() < until) {
        len = len + 7000 < total ? len + 7000 : total; /* the buffer keeps filling */
        ssize_t r = t->ops->write(t, data + off, len - off);
        if (r == -EAGAIN) {
            (*eagains)++;
            struct pollfd p = {t->fd, POLLOUT, 0};
            poll(&p, 1, 100);
            continue;
        }
        if (r <= 0)
            return false;
        off += (size_t)r;
    }
    return off == total;
}

static void test_bulk_through_tls(void)
{
    struct sarg a = {
        .types = {SEC_VENCRYPT}, .ntypes = 1, .subs = {SEC_TLSNONE}, .nsubs = 1, .bulk = true};
    struct vencsrv *srv = vencsrv_start(s_server, &a);
    CHECK(srv != NULL);
    if (!srv)
        return;
    struct handshake_config cfg = {.host = "127.0.0.1", .loopback = true, .cancel_fd = -1};
    struct handshake_result res;
    struct vv_error err;
    struct transport *t = NULL;
    CHECK(vencsrv_client(vencsrv_port(srv), &cfg, &res, &err, &t));
    uint8_t *out = malloc(BULK), *in = malloc(BULK);
    if (t && out && in) {
        /* A small send buffer, so that writes back up while the server sleeps. */
        int small = 32 * 1024;
        setsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        for (size_t i = 0; i < BULK; i++)
            out[i] = bulk_byte(i);
        int eagains = 0;
        CHECK(pump_like_write(t, out, BULK, &eagains));
        CHECK_MSG(eagains > 0, "the server's delay should have made writes wait");
        CHECK(transport_read_full(t, in, BULK, plat_now_ms() + 20000, -1, "bulk data", &err));
        bool same = true;
        for (size_t i = 0; i < BULK && same; i++)
            same = in[i] == bulk_byte(BULK - i);
        CHECK(same);
        transport_close(t);
    }
    free(out);
    free(in);
    vencsrv_stop(srv);
    CHECK(a.bulk_ok);
}

int main(void)
{
    test_plain();
    test_tlsplain();
    test_anon_type18();
    test_lies();
    test_subtype_order();
    test_insecure();
    test_bulk_through_tls();
    return vv_test_finish();
}
