/* RFB 3.3/3.7/3.8 version and security handshake: the type chosen by our preference, None and
 * VncAuth (VeNCrypt and anonymous TLS in vencrypt.c), the insecure-connection question and the
 * SecurityResult; every byte bounds-checked, every failure a sentence a user can act on. */
#include "handshake_int.h"

#include "log.h"
#include "plat.h"

#include <ctype.h>
#include <rfb/rfbclient.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_MAX 4096

/* Exported by libvncclient (its d3des build renamed rfbEncryptBytes) but not in its headers. */
extern void rfbClientEncryptBytes(unsigned char *bytes, char *passwd);

const char *handshake_security_name(int type)
{
    static _Thread_local char buf[4][24]; /* pump threads of several sessions */
    static _Thread_local int next;
    switch (type) {
    case 0:
        return "Invalid";
    case 1:
        return "None";
    case 2:
        return "VncAuth";
    case 5:
        return "RA2";
    case 6:
        return "RA2ne";
    case 16:
        return "Tight";
    case 17:
        return "Ultra";
    case 18:
        return "TLS";
    case 19:
        return "VeNCrypt";
    case 20:
        return "SASL";
    case 21:
        return "MD5";
    case 22:
        return "xvp";
    case 30:
        return "Apple ARD";
    case 113:
        return "MSLogonII";
    case 263:
        return "X509SASL";
    case 264:
        return "TLSSASL";
    default: {
        if (type >= 256 && secpolicy_name(type))
            return secpolicy_name(type);
        char *b = buf[next++ & 3];
        snprintf(b, sizeof buf[0], "type %d", type);
        return b;
    }
    }
}

uint32_t hs_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Printable rendering of bytes that were not what we expected, for "not RFB" messages. */
static void printable(const uint8_t *p, size_t n, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < size; i++) {
        if (isprint(p[i]) && p[i] != '\\')
            out[o++] = (char)p[i];
        else
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", p[i]);
    }
    out[o] = '\0';
}

bool hs_read(struct hs *h, void *buf, size_t n, const char *what, struct vv_error *err)
{
    return transport_read_full(h->t, buf, n, h->deadline, h->cfg->cancel_fd, what, err);
}

bool hs_write(struct hs *h, const void *buf, size_t n, struct vv_error *err)
{
    return transport_write_full(h->t, buf, n, h->deadline, h->cfg->cancel_fd, err);
}

int hs_ask(struct hs *h, struct prompt *p)
{
    uint64_t asked = plat_now_ms();
    int r = prompt_ask(h->cfg->prompter, p);
    h->deadline += plat_now_ms() - asked;
    return r;
}

/* Reads a u32 length and that many bytes of reason text (truncated to REASON_MAX). */
bool hs_read_reason(struct hs *h, char *reason, size_t size, struct vv_error *err)
{
    uint8_t lenb[4];
    if (!hs_read(h, lenb, 4, "the failure reason", err))
        return false;
    uint32_t len = hs_be32(lenb);
    if (len > 1024 * 1024) {
        vv_error_set(err, VV_ERR_NOT_RFB, "%s sent a %u-byte failure reason: not a VNC server?",
                     h->t->peer, len);
        return false;
    }
    char buf[REASON_MAX];
    size_t keep = len < sizeof buf - 1 ? len : sizeof buf - 1;
    if (!hs_read(h, buf, keep, "the failure reason", err))
        return false;
    for (uint32_t skipped = (uint32_t)keep; skipped < len;) {
        char sink[512];
        uint32_t n = len - skipped < sizeof sink ? len - skipped : (uint32_t)sizeof sink;
        if (!hs_read(h, sink, n, "the failure reason", err))
            return false;
        skipped += n;
    }
    for (size_t i = 0; i < keep; i++)
        if (!isprint((unsigned char)buf[i]))
            buf[i] = ' ';
    buf[keep] = '\0';
    snprintf(reason, size, "%s", keep ? buf : "(no reason given)");
    return true;
}

void hs_describe_types(const uint8_t *types, size_t n, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o + 2 < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "",
                              handshake_security_name(types[i]));
}

bool hs_confirm_insecure(struct hs *h, struct vv_error *err)
{
    const struct handshake_config *cfg = h->cfg;
    if (h->res->encrypted || cfg->tunnelled || cfg->loopback || h->res->insecure_confirmed ||
        (cfg->sec && cfg->sec->insecure))
        return true;
    struct prompt p;
    prompt_init(&p, PROMPT_INSECURE, "Connection not encrypted");
    p.warning = true;
    snprintf(p.message, sizeof p.message,
             "The connection to %s is not encrypted (the server offers %s). Anyone on the "
             "network path can read the password and everything you type, and see the screen.\n\n"
             "To encrypt it, connect through SSH with --ssh, or ask the server's administrator "
             "for TLS (VeNCrypt).",
             h->t->peer, h->res->offered);
    prompt_add_choice(&p, "Connect without encryption");
    prompt_add_choice(&p, "Cancel");
    p.default_choice = 1;
    p.cancel_choice = 1;
    int r = hs_ask(h, &p);
    prompt_clear(&p);
    if (r == 0) {
        h->res->insecure_confirmed = true;
        log_info("connecting to %s without encryption, as the user chose", h->t->peer);
        return true;
    }
    if (cfg->prompter && cfg->prompter->interactive)
        vv_error_set(err, VV_ERR_CANCELLED,
                     "not connected to %s: the connection would not be encrypted", h->t->peer);
    else
        vv_error_set(err, VV_ERR_SECURITY,
                     "the connection to %s would not be encrypted (the server offers %s): anyone "
                     "on the network path could read the password and keystrokes. Tunnel it "
                     "with --ssh [USER@]HOST, or pass --insecure to connect anyway",
                     h->t->peer, h->res->offered);
    return false;
}

static bool read_version(struct hs *h, struct vv_error *err)
{
    struct transport *t = h->t;
    struct handshake_result *res = h->res;
    uint8_t v[12];
    struct vv_error e;
    if (!hs_read(h, v, sizeof v, "the server's protocol version", &e)) {
        if (e.code == VV_ERR_TIMEOUT)
            vv_error_set(err, VV_ERR_TIMEOUT,
                         "%s accepted the connection but sent no VNC greeting: it is probably "
                         "not a VNC server (or it is stalled)",
                         t->peer);
        else
            *err = e;
        return false;
    }
    int major = 0, minor = 0;
    bool ok = memcmp(v, "RFB ", 4) == 0 && v[11] == '\n';
    for (int i = 4; ok && i < 11; i++)
        ok = i == 7 ? v[i] == '.' : isdigit(v[i]) != 0;
    if (ok) {
        major = (v[4] - '0') * 100 + (v[5] - '0') * 10 + (v[6] - '0');
        minor = (v[8] - '0') * 100 + (v[9] - '0') * 10 + (v[10] - '0');
    }
    if (!ok || major < 3) {
        char shown[64];
        printable(v, sizeof v, shown, sizeof shown);
        const char *hint = "";
        if (memcmp(v, "SSH-", 4) == 0)
            hint = ": that is an SSH server (to tunnel through it, use --ssh)";
        else if (memcmp(v, "HTTP", 4) == 0 || v[0] == '<')
            hint = ": that is a web server";
        else if (v[0] == 0x16 || v[0] == 0x15)
            hint = ": that looks like TLS without the VNC greeting";
        vv_error_set(err, VV_ERR_NOT_RFB, "%s is not a VNC server: it sent \"%s\"%s", t->peer,
                     shown, hint);
        return false;
    }
    res->server_major = major;
    res->server_minor = minor;
    /* 3.889 (Apple) and 4.x (old RealVNC) speak 3.8; 3.4-3.6 speak 3.3. */
    if (major > 3 || minor >= 8)
        res->minor = 8;
    else if (minor == 7)
        res->minor = 7;
    else
        res->minor = 3;
    char reply[13];
    snprintf(reply, sizeof reply, "RFB 003.%03d\n", res->minor);
    log_debug("server speaks RFB %d.%d, we answer %.11s", major, minor, reply);
    return hs_write(h, reply, 12, err);
}

/* Why no offered type will do, in the words that fit the case. */
static void no_acceptable_type(struct hs *h, const uint8_t *types, size_t n, struct vv_error *err)
{
    bool known = false;
    for (size_t i = 0; i < n; i++)
        known |= types[i] == RFB_SEC_NONE || types[i] == RFB_SEC_VNCAUTH ||
                 types[i] == RFB_SEC_TLS || types[i] == RFB_SEC_VENCRYPT;
    if (!known) {
        vv_error_set(err, VV_ERR_SECURITY,
                     "%s offers only security types this version cannot use (%s); vncview "
                     "supports VeNCrypt (X509 and TLS types), TLS, None and VncAuth",
                     h->t->peer, h->res->offered);
        return;
    }
    char asked[200];
    secpolicy_describe(&h->policy, asked, sizeof asked);
    vv_error_set(err, VV_ERR_SECURITY,
                 "%s offers %s, but --security allows only %s; not connecting with other "
                 "security than you asked for",
                 h->t->peer, h->res->offered, asked);
}

static bool choose_security(struct hs *h, struct vv_error *err)
{
    struct handshake_result *res = h->res;
    uint8_t types[255];
    size_t n;
    if (res->minor == 3) {
        uint8_t b[4];
        if (!hs_read(h, b, 4, "the security type", err))
            return false;
        uint32_t type = hs_be32(b);
        if (type > 255) {
            vv_error_set(err, VV_ERR_NOT_RFB, "%s announced security type %u: not a VNC server?",
                         h->t->peer, type);
            return false;
        }
        types[0] = (uint8_t)type;
        n = 1;
    } else {
        uint8_t count;
        if (!hs_read(h, &count, 1, "the list of security types", err))
            return false;
        n = count;
        if (n > 0 && !hs_read(h, types, n, "the list of security types", err))
            return false;
    }
    if (n == 0 || types[0] == 0) {
        char reason[REASON_MAX];
        if (!hs_read_reason(h, reason, sizeof reason, err))
            return false;
        vv_error_set(err, VV_ERR_SECURITY, "%s refused the connection: %s", h->t->peer, reason);
        return false;
    }
    hs_describe_types(types, n, res->offered, sizeof res->offered);
    log_debug("security types offered: %s", res->offered);

    int chosen = secpolicy_choose_type(&h->policy, types, n);
    /* RFB 3.3 servers decide alone, and know neither TLS nor VeNCrypt. */
    if (res->minor == 3 && chosen != RFB_SEC_NONE && chosen != RFB_SEC_VNCAUTH)
        chosen = RFB_SEC_INVALID;
    if (!chosen) {
        no_acceptable_type(h, types, n, err);
        return false;
    }
    res->security = chosen;
    log_debug("chose security type %s", handshake_security_name(chosen));
    if (res->minor == 3)
        return true;
    uint8_t c = (uint8_t)chosen;
    return hs_write(h, &c, 1, err);
}

bool hs_vnc_auth(struct hs *h, struct vv_error *err)
{
    const struct handshake_config *cfg = h->cfg;
    struct transport *t = h->t;
    h->auth = SECPOLICY_AUTH_VNC;
    uint8_t challenge[16];
    if (!hs_read(h, challenge, sizeof challenge, "the VncAuth challenge", err))
        return false;
    char pw[256];
    if (cfg->password) {
        snprintf(pw, sizeof pw, "%s", cfg->password);
    } else {
        struct prompt p;
        prompt_init(&p, PROMPT_VNC_PASSWORD,
                    cfg->password_retry ? "Wrong password" : "VNC password");
        snprintf(p.message, sizeof p.message,
                 cfg->password_retry ? "The password was not accepted by %s. Try again:"
                                     : "%s asks for its VNC password:",
                 t->peer);
        prompt_add_field(&p, "Password", true);
        int r = hs_ask(h, &p);
        bool got = r == 0 && p.fields[0].value;
        if (got)
            snprintf(pw, sizeof pw, "%s", p.fields[0].value);
        prompt_clear(&p);
        if (!got) {
            plat_wipe(pw, sizeof pw);
            if (cfg->prompter && cfg->prompter->interactive)
                vv_error_set(err, VV_ERR_CANCELLED, "password entry cancelled; not connected to %s",
                             t->peer);
            else
                vv_error_set(err, VV_ERR_NO_PASSWORD,
                             "%s asks for a VNC password and none was given: use --passwd FILE "
                             "(made by vncpasswd) or the VNC_PASSWORD environment variable",
                             t->peer);
            return false;
        }
    }
    if (strlen(pw) > 8)
        log_info("VNC passwords are limited to 8 characters; the rest is ignored");
    /* rfbClientEncryptBytes uses at most the first 8 characters, as every VNC server does. */
    rfbClientEncryptBytes(challenge, pw);
    plat_wipe(pw, sizeof pw);
    bool ok = hs_write(h, challenge, sizeof challenge, err);
    plat_wipe(challenge, sizeof challenge);
    return ok;
}

static bool security_result(struct hs *h, struct vv_error *err)
{
    struct handshake_result *res = h->res;
    const char *peer = h->t->peer;
    uint8_t b[4];
    struct vv_error e;
    if (!hs_read(h, b, 4, "the authentication result", &e)) {
        /* Some servers just hang up on a wrong password. */
        if (e.code == VV_ERR_CLOSED && h->auth != SECPOLICY_AUTH_NONE)
            vv_error_set(err, VV_ERR_AUTH,
                         "%s closed the connection after the password was sent: the password "
                         "is probably wrong",
                         peer);
        else
            *err = e;
        return false;
    }
    uint32_t r = hs_be32(b);
    if (r == 0)
        return true;
    char reason[REASON_MAX] = "";
    if (res->minor >= 8 && !hs_read_reason(h, reason, sizeof reason, err))
        return false;
    if (h->auth == SECPOLICY_AUTH_VNC && r == 1)
        vv_error_set(err, VV_ERR_AUTH, "%s rejected the password%s%s", peer, reason[0] ? ": " : "",
                     reason);
    else if (h->auth == SECPOLICY_AUTH_PLAIN && r == 1)
        vv_error_set(err, VV_ERR_AUTH, "%s rejected the user name or password%s%s", peer,
                     reason[0] ? ": " : "", reason);
    else
        vv_error_set(err, VV_ERR_SECURITY, "%s refused the connection%s%s%s", peer,
                     r == 2 ? " (too many attempts)" : "", reason[0] ? ": " : "", reason);
    return false;
}

/* Everything between the type choice and the SecurityResult. */
static bool authenticate(struct hs *h, struct vv_error *err)
{
    switch (h->res->security) {
    case RFB_SEC_NONE:
        /* RFB 3.8 still sends a SecurityResult after None, older versions do not. */
        h->result_expected = h->res->minor >= 8;
        return hs_confirm_insecure(h, err);
    case RFB_SEC_VNCAUTH:
        h->result_expected = true;
        return hs_confirm_insecure(h, err) && hs_vnc_auth(h, err);
    case RFB_SEC_TLS:
        h->result_expected = true;
        return anontls_run(h, err);
    case RFB_SEC_VENCRYPT:
        h->result_expected = true;
        return vencrypt_run(h, err);
    default:
        vv_error_set(err, VV_ERR_SECURITY, "security type %d is not implemented", h->res->security);
        return false;
    }
}

bool handshake_run(struct transport **tp, const struct handshake_config *cfg,
                   struct handshake_result *res, struct vv_error *err)
{
    memset(res, 0, sizeof *res);
    struct hs h = {.t = *tp, .cfg = cfg, .res = res, .deadline = cfg->deadline_ms};
    res->insecure_confirmed = cfg->insecure_confirmed;
    snprintf(res->security_text, sizeof res->security_text, "%s", "NOT ENCRYPTED");
    bool ok = secpolicy_parse(cfg->sec ? cfg->sec->types : NULL, &h.policy, err) &&
              read_version(&h, err) && choose_security(&h, err) && authenticate(&h, err) &&
              (!h.result_expected || security_result(&h, err));
    *tp = h.t; /* the TLS transport, if one was started: the caller closes that one */
    return ok;
}
