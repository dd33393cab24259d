/* RFB 3.3/3.7/3.8 version and security handshake with None and VncAuth, every byte bounds-checked
 * and every failure turned into a sentence a user can act on. */
#include "handshake.h"

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
    static char buf[4][24];
    static int next;
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
    default: {
        char *b = buf[next++ & 3];
        snprintf(b, sizeof buf[0], "type %d", type);
        return b;
    }
    }
}

static uint32_t be32(const uint8_t *p)
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

/* Reads a u32 length and that many bytes of reason text (truncated to REASON_MAX). */
static bool read_reason(struct transport *t, const struct handshake_config *cfg, char *reason,
                        size_t size, struct vv_error *err)
{
    uint8_t lenb[4];
    if (!transport_read_full(t, lenb, 4, cfg->deadline_ms, cfg->cancel_fd, "the failure reason",
                             err))
        return false;
    uint32_t len = be32(lenb);
    if (len > 1024 * 1024) {
        vv_error_set(err, VV_ERR_NOT_RFB, "%s sent a %u-byte failure reason: not a VNC server?",
                     t->peer, len);
        return false;
    }
    char buf[REASON_MAX];
    size_t keep = len < sizeof buf - 1 ? len : sizeof buf - 1;
    if (!transport_read_full(t, buf, keep, cfg->deadline_ms, cfg->cancel_fd, "the failure reason",
                             err))
        return false;
    for (uint32_t skipped = (uint32_t)keep; skipped < len;) {
        char sink[512];
        uint32_t n = len - skipped < sizeof sink ? len - skipped : (uint32_t)sizeof sink;
        if (!transport_read_full(t, sink, n, cfg->deadline_ms, cfg->cancel_fd, "the failure reason",
                                 err))
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

static bool read_version(struct transport *t, const struct handshake_config *cfg,
                         struct handshake_result *res, struct vv_error *err)
{
    uint8_t v[12];
    struct vv_error e;
    if (!transport_read_full(t, v, sizeof v, cfg->deadline_ms, cfg->cancel_fd,
                             "the server's protocol version", &e)) {
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
    return transport_write_full(t, reply, 12, cfg->deadline_ms, cfg->cancel_fd, err);
}

static bool choose_security(struct transport *t, const struct handshake_config *cfg,
                            struct handshake_result *res, struct vv_error *err)
{
    uint8_t types[255];
    size_t n;
    if (res->minor == 3) {
        uint8_t b[4];
        if (!transport_read_full(t, b, 4, cfg->deadline_ms, cfg->cancel_fd, "the security type",
                                 err))
            return false;
        uint32_t type = be32(b);
        if (type > 255) {
            vv_error_set(err, VV_ERR_NOT_RFB, "%s announced security type %u: not a VNC server?",
                         t->peer, type);
            return false;
        }
        types[0] = (uint8_t)type;
        n = 1;
    } else {
        uint8_t count;
        if (!transport_read_full(t, &count, 1, cfg->deadline_ms, cfg->cancel_fd,
                                 "the list of security types", err))
            return false;
        n = count;
        if (n > 0 && !transport_read_full(t, types, n, cfg->deadline_ms, cfg->cancel_fd,
                                          "the list of security types", err))
            return false;
    }
    if (n == 0 || types[0] == 0) {
        char reason[REASON_MAX];
        if (!read_reason(t, cfg, reason, sizeof reason, err))
            return false;
        vv_error_set(err, VV_ERR_SECURITY, "%s refused the connection: %s", t->peer, reason);
        return false;
    }
    size_t o = 0;
    res->offered[0] = '\0';
    for (size_t i = 0; i < n && o + 2 < sizeof res->offered; i++)
        o += (size_t)snprintf(res->offered + o, sizeof res->offered - o, "%s%s", i ? ", " : "",
                              handshake_security_name(types[i]));
    log_debug("security types offered: %s", res->offered);

    /* Our preference. None needs nothing from the user; neither encrypts. */
    static const int preference[] = {RFB_SEC_NONE, RFB_SEC_VNCAUTH};
    int chosen = RFB_SEC_INVALID;
    for (size_t p = 0; p < sizeof preference / sizeof preference[0] && !chosen; p++)
        for (size_t i = 0; i < n; i++)
            if (types[i] == preference[p])
                chosen = preference[p];
    if (!chosen) {
        vv_error_set(err, VV_ERR_SECURITY,
                     "%s offers only security types this version cannot use (%s); vncview "
                     "supports None and VncAuth",
                     t->peer, res->offered);
        return false;
    }
    res->security = chosen;
    if (res->minor == 3)
        return true;
    uint8_t c = (uint8_t)chosen;
    return transport_write_full(t, &c, 1, cfg->deadline_ms, cfg->cancel_fd, err);
}

static bool vnc_auth(struct transport *t, const struct handshake_config *cfg,
                     struct handshake_result *res, struct vv_error *err)
{
    (void)res;
    uint8_t challenge[16];
    if (!transport_read_full(t, challenge, sizeof challenge, cfg->deadline_ms, cfg->cancel_fd,
                             "the VncAuth challenge", err))
        return false;
    char pw[256];
    uint64_t extra = 0;
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
        uint64_t asked = plat_now_ms();
        int r = prompt_ask(cfg->prompter, &p);
        extra = plat_now_ms() - asked;
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
    bool ok = transport_write_full(t, challenge, sizeof challenge, cfg->deadline_ms + extra,
                                   cfg->cancel_fd, err);
    plat_wipe(challenge, sizeof challenge);
    return ok;
}

static bool security_result(struct transport *t, const struct handshake_config *cfg,
                            struct handshake_result *res, struct vv_error *err)
{
    uint8_t b[4];
    struct vv_error e;
    if (!transport_read_full(t, b, 4, cfg->deadline_ms, cfg->cancel_fd, "the authentication result",
                             &e)) {
        /* Some servers just hang up on a wrong password. */
        if (e.code == VV_ERR_CLOSED && res->security == RFB_SEC_VNCAUTH)
            vv_error_set(err, VV_ERR_AUTH,
                         "%s closed the connection after the password was sent: the password "
                         "is probably wrong",
                         t->peer);
        else
            *err = e;
        return false;
    }
    uint32_t r = be32(b);
    if (r == 0)
        return true;
    char reason[REASON_MAX] = "";
    if (res->minor >= 8 && !read_reason(t, cfg, reason, sizeof reason, err))
        return false;
    if (res->security == RFB_SEC_VNCAUTH && r == 1)
        vv_error_set(err, VV_ERR_AUTH, "%s rejected the password%s%s", t->peer,
                     reason[0] ? ": " : "", reason);
    else
        vv_error_set(err, VV_ERR_SECURITY, "%s refused the connection%s%s%s", t->peer,
                     r == 2 ? " (too many attempts)" : "", reason[0] ? ": " : "", reason);
    return false;
}

bool handshake_run(struct transport **tp, const struct handshake_config *cfg,
                   struct handshake_result *res, struct vv_error *err)
{
    struct transport *t = *tp;
    memset(res, 0, sizeof *res);
    if (!read_version(t, cfg, res, err) || !choose_security(t, cfg, res, err))
        return false;
    snprintf(res->security_text, sizeof res->security_text, "%s", "NOT ENCRYPTED");
    if (res->security == RFB_SEC_VNCAUTH) {
        if (!vnc_auth(t, cfg, res, err))
            return false;
        return security_result(t, cfg, res, err);
    }
    /* None: RFB 3.8 still sends a SecurityResult, older versions do not. */
    if (res->minor >= 8)
        return security_result(t, cfg, res, err);
    return true;
}
