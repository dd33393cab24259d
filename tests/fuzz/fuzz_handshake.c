/* libFuzzer target for our side of the RFB handshake (viewer/handshake.c, vencrypt.c,
 * secpolicy.c, and tls.c's error paths): a hostile server's bytes from its protocol version on
 * (security type lists, failure reasons, VncAuth challenge, SecurityResult, VeNCrypt version,
 * subtypes and go-aheads), read through an in-memory transport. Besides crashes it checks that
 * a successful handshake used a type the policy allows, that "encrypted" is true exactly when
 * TLS came up, and that no password or VncAuth response went out in clear unless the user
 * (or --insecure, loopback, a tunnel) allowed it. TLS: see fuzz_hs_shim.c.
 * Input layout:
 *   byte 0: bits 0-1 password: 0 known (--passwd, --user), 1 asked and given, 2 asked and
 *           cancelled, 3 nobody to ask; bit 2 --insecure; bit 3 loopback; bit 4 SSH tunnel;
 *           bit 5 unencrypted already confirmed; bit 6 real GnuTLS on the fuzz bytes;
 *           bit 7 the previous password was wrong
 *   byte 1: bits 0-3 the --security list (table below); bits 4-5 how reads are split (whole,
 *           1 byte, up to 3, up to 7); bit 6 answer "Cancel" to the unencrypted question;
 *           bit 7 no --user
 *   then the server's bytes; the pretend TLS layer takes its control bytes from them. */
#include "fuzz_hs.h"

#include "handshake.h"
#include "log.h"
#include "plat.h"
#include "secpolicy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASSWORD "fuzzpw12"
/* What the user types when asked: longer than VncAuth's 8 characters, PASSWORD as a prefix. */
#define TYPED_PASSWORD PASSWORD "-long"
#define USER "fuzzuser"

static const char *const security_lists[16] = {
    NULL,
    "None",
    "VncAuth",
    "Plain",
    "TLS",
    "X509Vnc",
    "TLSVnc,X509Vnc",
    "X509Plain,TLSPlain",
    "X509None,TLSNone,None",
    "VncAuth,None",
    "Plain,VncAuth",
    "TLSPlain,Plain",
    "X509Vnc,X509Plain,X509None,TLSVnc,TLSPlain,TLSNone,TLS,VncAuth,Plain,None",
    "None,VncAuth,TLS",
    " tlsnone  x509none ",
    "bogus",
};

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_handshake: invariant broken: %s\n", what);
        abort();
    }
}

/* The server's side of the connection: reads come from the input, writes are recorded. */
struct mem_transport {
    struct transport base;
    const uint8_t *data;
    size_t len, off;
    unsigned split; /* 0: whole reads; else at most 1, 3 or 7 bytes per read */
    unsigned rnd;
    uint8_t *sent; /* everything written in clear */
    size_t sent_len, sent_cap;
};

static ssize_t mem_read(struct transport *t, void *buf, size_t n)
{
    struct mem_transport *m = (struct mem_transport *)t;
    size_t left = m->len - m->off;
    if (left == 0)
        return 0;
    if (m->split) {
        static const size_t most[4] = {0, 1, 3, 7};
        m->rnd = m->rnd * 1103515245u + 12345u;
        size_t k = 1 + (m->rnd >> 16) % most[m->split];
        n = n < k ? n : k;
    }
    n = n < left ? n : left;
    memcpy(buf, m->data + m->off, n);
    m->off += n;
    return (ssize_t)n;
}

static ssize_t mem_write(struct transport *t, const void *buf, size_t n)
{
    struct mem_transport *m = (struct mem_transport *)t;
    if (m->sent_len + n > m->sent_cap) {
        size_t cap = m->sent_cap ? m->sent_cap : 256;
        while (cap < m->sent_len + n)
            cap *= 2;
        uint8_t *p = realloc(m->sent, cap);
        if (!p)
            return -ENOMEM;
        m->sent = p;
        m->sent_cap = cap;
    }
    memcpy(m->sent + m->sent_len, buf, n);
    m->sent_len += n;
    return (ssize_t)n;
}

/* Always "ready": transport_read_full never polls; the end of the input reads as EOF. */
static bool mem_pending(struct transport *t)
{
    (void)t;
    return true;
}

static void mem_close(struct transport *t)
{
    /* The sent record outlives the transport (TLS closes it): the target frees it. */
    (void)t;
}

static const struct transport_ops mem_ops = {mem_read, mem_write, mem_pending, mem_close};

struct answers {
    int password_mode;
    bool cancel_insecure;
    bool insecure_yes; /* the user said "connect without encryption" */
    int asked;
};

static int ask(void *ctx, struct prompt *p)
{
    struct answers *a = ctx;
    a->asked++;
    if (a->password_mode == 2)
        return -1;
    switch (p->kind) {
    case PROMPT_INSECURE:
        if (a->cancel_insecure)
            return 1;
        a->insecure_yes = true;
        return 0;
    case PROMPT_VNC_PASSWORD:
        check(p->nfields == 1, "VNC password prompt fields");
        p->fields[0].value = strdup(TYPED_PASSWORD);
        return 0;
    case PROMPT_CREDENTIALS:
        check(p->nfields == 2, "credentials prompt fields");
        p->fields[0].value = strdup(USER);
        p->fields[1].value = strdup(TYPED_PASSWORD);
        return 0;
    default:
        return -1;
    }
}

static bool contains(const uint8_t *hay, size_t n, const void *needle, size_t k)
{
    return n >= k && memmem(hay, n, needle, k) != NULL;
}

/* After a handshake, successful or not. */
static void check_outcome(bool ok, const struct handshake_config *cfg,
                          const struct handshake_result *res, const struct vv_error *err,
                          const struct mem_transport *m, const struct answers *a)
{
    bool clear_ok = cfg->loopback || cfg->tunnelled || cfg->sec->insecure ||
                    cfg->insecure_confirmed || a->insecure_yes;
    /* Secrets in clear: the Plain password verbatim, or a VncAuth response. */
    if (!clear_ok) {
        check(!contains(m->sent, m->sent_len, PASSWORD, strlen(PASSWORD)),
              "password sent in clear without consent");
        for (int i = 0; i < fuzz_hs.nresponses; i++)
            check(!contains(m->sent, m->sent_len, fuzz_hs.responses[i], 16),
                  "VncAuth response sent in clear without consent");
    }
    check(res->insecure_confirmed == (cfg->insecure_confirmed || a->insecure_yes),
          "insecure_confirmed does not say what the user said");
    if (!ok) {
        check(err->code != VV_OK && err->message[0], "failure without a sentence");
        return;
    }
    check(res->minor == 3 || res->minor == 7 || res->minor == 8, "RFB minor version");
    struct secpolicy pol;
    struct vv_error e;
    check(secpolicy_parse(cfg->sec->types, &pol, &e), "policy parses");
    int effective = res->security == RFB_SEC_VENCRYPT ? res->subtype : res->security;
    check(secpolicy_allows(&pol, effective), "a security type the policy does not allow");
    check(res->security != RFB_SEC_VENCRYPT || effective != SEC_PLAIN || pol.from_user,
          "Plain without the user asking for it");
    bool tls = res->security == RFB_SEC_TLS || secpolicy_tls(effective) != SECPOLICY_TLS_NO;
    check(res->encrypted == tls, "encrypted flag disagrees with the type");
    check(res->encrypted == (strcmp(res->security_text, "NOT ENCRYPTED") != 0),
          "security text disagrees with the encrypted flag");
    check(!res->verified || secpolicy_tls(effective) == SECPOLICY_TLS_X509,
          "verified without a certificate");
    check(res->encrypted || !fuzz_hs.tls_started || fuzz_hs.real_tls,
          "TLS started but the result says unencrypted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool once, verbose; /* VV_FUZZ_VERBOSE=1: one line per input */
    if (!once) {
        once = true;
        log_set_level(LOG_ERROR);
        verbose = getenv("VV_FUZZ_VERBOSE") != NULL;
    }
    if (size < 2)
        return 0;
    unsigned f0 = data[0], f1 = data[1];
    memset(&fuzz_hs, 0, sizeof fuzz_hs);
    fuzz_hs.real_tls = (f0 & 64) != 0;

    struct mem_transport *m = calloc(1, sizeof *m);
    check(m != NULL, "out of memory");
    m->base.ops = &mem_ops;
    m->base.fd = -1;
    snprintf(m->base.peer, sizeof m->base.peer, "fuzz.invalid port 5900");
    snprintf(m->base.description, sizeof m->base.description, "fuzz.invalid:0");
    m->data = data + 2;
    m->len = size - 2;
    m->split = f1 >> 4 & 3;
    m->rnd = f0 * 257u + f1;
    fuzz_hs.raw = &m->base;

    struct answers a = {.password_mode = f0 & 3, .cancel_insecure = (f1 & 64) != 0};
    struct prompter pr = {ask, &a, (f0 & 3) != 3};
    struct security_options sec = {
        .types = security_lists[f1 & 15],
        .user = (f1 & 128) ? NULL : USER,
        .insecure = (f0 & 4) != 0,
    };
    struct handshake_config cfg = {
        .password = (f0 & 3) == 0 ? PASSWORD : NULL,
        .password_retry = (f0 & 128) != 0,
        .prompter = &pr,
        .sec = &sec,
        .host = "fuzz.invalid",
        .port = 5900,
        .tunnelled = (f0 & 16) != 0,
        .loopback = (f0 & 8) != 0,
        .deadline_ms = plat_now_ms() + 60000, /* never reached: reads never wait */
        .cancel_fd = -1,
        .insecure_confirmed = (f0 & 32) != 0,
    };
    struct transport *t = &m->base;
    struct handshake_result res;
    struct vv_error err;
    vv_error_clear(&err);
    bool ok = handshake_run(&t, &cfg, &res, &err);
    check(t == &m->base || fuzz_hs_is_shim(t) || fuzz_hs.real_tls, "unknown transport");
    check_outcome(ok, &cfg, &res, &err, m, &a);
    if (verbose)
        fprintf(stderr, "fuzz_handshake: %s %s/%s, %zu of %zu bytes read, %zu sent: %s\n",
                ok ? "OK" : "FAILED", handshake_security_name(res.security),
                handshake_security_name(res.subtype), m->off, m->len, m->sent_len,
                ok ? res.security_text : err.message);
    transport_close(t); /* the TLS layer, if any, closes the mem transport */
    free(m->sent);
    free(m);
    return 0;
}
