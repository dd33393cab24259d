/* VeNCrypt (type 19) and anonymous TLS (type 18): we start TLS ourselves, judge the certificate
 * before any password leaves, then run the sub-authentication (None, VncAuth, Plain) inside. */
#include "handshake_int.h"

#include "certcheck.h"
#include "log.h"
#include "plat.h"
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CREDENTIAL 1024 /* bytes of a Plain user name or password */

/* "SHA256:AB:CD:EF:01:23:45:67:89…": the first 8 bytes, enough to recognise it in a badge. */
static void short_fingerprint(const char *fp, char *buf, size_t size)
{
    size_t keep = strlen("SHA256:") + 8 * 3 - 1;
    if (strlen(fp) <= keep)
        snprintf(buf, size, "%s", fp);
    else
        snprintf(buf, size, "%.*s\u2026", (int)keep, fp);
}

/* TLS over the current stream; for X509 the certificate is judged before anything else. */
static bool start_tls(struct hs *h, bool x509, const char *label, struct vv_error *err)
{
    const struct handshake_config *cfg = h->cfg;
    struct handshake_result *res = h->res;
    const char *host = cfg->host ? cfg->host : "";
    struct tls_options o = {.anonymous = !x509, .server_name = host};
    struct transport *tt = tls_start(h->t, &o, h->deadline, cfg->cancel_fd, err);
    if (!tt)
        return false;
    h->t = tt;
    res->encrypted = true;
    snprintf(res->tls_version, sizeof res->tls_version, "%s", tls_protocol_name(tt));
    if (!x509) {
        snprintf(res->security_text, sizeof res->security_text,
                 "encrypted, server identity NOT verified (%s)", label);
        return true;
    }
    unsigned n = 0;
    const gnutls_datum_t *chain = tls_peer_certificates(tt, &n);
    struct certcheck_params p = {
        .host = host,
        .port = cfg->port,
        .ca_file = cfg->sec ? cfg->sec->ca_file : NULL,
        .system_trust = true,
        .store = cfg->sec ? cfg->sec->store : NULL,
        .prompter = cfg->prompter,
    };
    struct certcheck_result cr;
    bool ok = certcheck_run(chain, n, &p, &cr, err);
    h->deadline += cr.prompt_ms;
    if (!ok)
        return false;
    snprintf(res->cert_fingerprint, sizeof res->cert_fingerprint, "%s", cr.fingerprint);
    char fp[64];
    short_fingerprint(cr.fingerprint, fp, sizeof fp);
    switch (cr.outcome) {
    case CERTCHECK_VERIFIED:
        res->verified = true;
        snprintf(res->security_text, sizeof res->security_text, "verified TLS (%s, %s, cert %s)",
                 label, res->tls_version, fp);
        break;
    case CERTCHECK_PINNED:
        res->verified = true;
        snprintf(res->security_text, sizeof res->security_text,
                 "verified TLS (%s, %s, pinned cert %s)", label, res->tls_version, fp);
        break;
    case CERTCHECK_ACCEPTED_ONCE:
        snprintf(res->security_text, sizeof res->security_text,
                 "encrypted, certificate accepted once, NOT verified (%s)", label);
        break;
    }
    return true;
}

/* Plain: user name and password, only inside TLS (or in clear when the user listed Plain and
 * confirmed an unencrypted connection). */
static bool plain_auth(struct hs *h, int subtype, struct vv_error *err)
{
    const struct handshake_config *cfg = h->cfg;
    const char *peer = h->t->peer;
    h->auth = SECPOLICY_AUTH_PLAIN;
    if (secpolicy_tls(subtype) != SECPOLICY_TLS_NO && !h->res->encrypted) {
        /* Cannot happen by construction; libvncclient has exactly this bug, so say it loudly. */
        vv_error_set(err, VV_ERR_SECURITY, "internal error: Plain credentials without TLS");
        return false;
    }
    if (!h->res->encrypted && !hs_confirm_insecure(h, err))
        return false;
    const char *user = cfg->sec ? cfg->sec->user : NULL;
    char *u = NULL, *pw = NULL;
    bool ok = false;
    if (user && cfg->password) {
        u = strdup(user);
        pw = strdup(cfg->password);
    } else {
        struct prompt p;
        prompt_init(&p, PROMPT_CREDENTIALS,
                    cfg->password_retry ? "Wrong user name or password" : "Log in");
        snprintf(p.message, sizeof p.message,
                 cfg->password_retry ? "%s did not accept the user name or password. Try again:"
                                     : "%s asks for a user name and password:",
                 peer);
        prompt_add_field(&p, "User name", false);
        if (user)
            snprintf(p.fields[0].initial, sizeof p.fields[0].initial, "%s", user);
        prompt_add_field(&p, "Password", true);
        int r = hs_ask(h, &p);
        if (r == 0 && p.fields[0].value && p.fields[1].value) {
            u = strdup(p.fields[0].value);
            pw = strdup(p.fields[1].value);
        }
        prompt_clear(&p);
        if (r != 0) {
            if (cfg->prompter && cfg->prompter->interactive)
                vv_error_set(err, VV_ERR_CANCELLED, "login cancelled; not connected to %s", peer);
            else
                vv_error_set(err, VV_ERR_NO_PASSWORD,
                             "%s asks for a user name and password (%s): give the user with "
                             "--user NAME and the password with VNC_PASSWORD or --passwd FILE",
                             peer, handshake_security_name(subtype));
            return false;
        }
    }
    size_t ulen = u ? strlen(u) : 0, plen = pw ? strlen(pw) : 0;
    uint8_t *msg = NULL;
    if (!u || !pw) {
        vv_error_set(err, VV_ERR_GENERIC, "out of memory");
        goto out;
    }
    if (ulen > MAX_CREDENTIAL || plen > MAX_CREDENTIAL) {
        vv_error_set(err, VV_ERR_USAGE, "the user name or password is longer than %d bytes",
                     MAX_CREDENTIAL);
        goto out;
    }
    size_t len = 8 + ulen + plen;
    msg = malloc(len);
    if (!msg) {
        vv_error_set(err, VV_ERR_GENERIC, "out of memory");
        goto out;
    }
    for (int i = 0; i < 4; i++) {
        msg[i] = (uint8_t)(ulen >> (24 - 8 * i));
        msg[4 + i] = (uint8_t)(plen >> (24 - 8 * i));
    }
    memcpy(msg + 8, u, ulen);
    memcpy(msg + 8 + ulen, pw, plen);
    ok = hs_write(h, msg, len, err);
    plat_wipe(msg, len);
out:
    free(msg);
    if (u) {
        plat_wipe(u, ulen);
        free(u);
    }
    if (pw) {
        plat_wipe(pw, plen);
        free(pw);
    }
    return ok;
}

/* The sub-authentication of a VeNCrypt subtype (or the inner type of anonymous TLS). */
static bool sub_auth(struct hs *h, int type, struct vv_error *err)
{
    switch (secpolicy_auth(type)) {
    case SECPOLICY_AUTH_VNC:
        return hs_confirm_insecure(h, err) && hs_vnc_auth(h, err);
    case SECPOLICY_AUTH_PLAIN:
        return plain_auth(h, type, err);
    case SECPOLICY_AUTH_NONE:
    default:
        return hs_confirm_insecure(h, err);
    }
}

/* Why no VeNCrypt subtype will do. */
static void no_subtype(struct hs *h, const char *subs, bool plain_only, struct vv_error *err)
{
    const char *peer = h->t->peer;
    char asked[200];
    secpolicy_describe(&h->policy, asked, sizeof asked);
    if (h->policy.from_user)
        vv_error_set(err, VV_ERR_SECURITY,
                     "%s offers VeNCrypt with %s, but --security allows only %s; not connecting "
                     "with other security than you asked for",
                     peer, subs, asked);
    else if (plain_only)
        vv_error_set(err, VV_ERR_SECURITY,
                     "%s offers only Plain (VeNCrypt), which sends the user name and password "
                     "unencrypted; vncview uses it only if you ask for it with --security Plain",
                     peer);
    else
        vv_error_set(err, VV_ERR_SECURITY,
                     "%s offers VeNCrypt with %s only, none of which vncview can use", peer, subs);
}

bool vencrypt_run(struct hs *h, struct vv_error *err)
{
    struct handshake_result *res = h->res;
    const char *peer = h->t->peer;
    uint8_t ver[2], status;
    if (!hs_read(h, ver, 2, "the VeNCrypt version", err))
        return false;
    if (ver[0] != 0 || ver[1] < 2) {
        vv_error_set(err, VV_ERR_SECURITY, "%s speaks VeNCrypt %d.%d; vncview needs 0.2", peer,
                     ver[0], ver[1]);
        return false;
    }
    static const uint8_t ours[2] = {0, 2};
    if (!hs_write(h, ours, 2, err) || !hs_read(h, &status, 1, "the VeNCrypt version answer", err))
        return false;
    if (status != 0) {
        vv_error_set(err, VV_ERR_SECURITY, "%s refused VeNCrypt version 0.2", peer);
        return false;
    }
    uint8_t count, raw[255 * 4];
    if (!hs_read(h, &count, 1, "the list of VeNCrypt subtypes", err))
        return false;
    if (count == 0) {
        vv_error_set(err, VV_ERR_SECURITY, "%s offers VeNCrypt without any subtype", peer);
        return false;
    }
    if (!hs_read(h, raw, (size_t)count * 4, "the list of VeNCrypt subtypes", err))
        return false;
    uint32_t subs[255];
    char names[160] = "";
    size_t o = 0;
    bool plain_only = true;
    for (size_t i = 0; i < count; i++) {
        subs[i] = hs_be32(raw + 4 * i);
        plain_only &= subs[i] == SEC_PLAIN;
        char other[24];
        snprintf(other, sizeof other, "type %u", subs[i]);
        if (o + 2 < sizeof names)
            o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", i ? ", " : "",
                                  subs[i] > 0xffff ? other : handshake_security_name((int)subs[i]));
    }
    /* "VncAuth, VeNCrypt" becomes "VncAuth, VeNCrypt (X509Vnc, TLSVnc)" for messages. */
    char top[160];
    snprintf(top, sizeof top, "%s", res->offered);
    char *v = strstr(top, "VeNCrypt");
    if (v) {
        v += strlen("VeNCrypt");
        snprintf(res->offered, sizeof res->offered, "%.*s (%s)%s", (int)(v - top), top, names, v);
    }
    log_debug("VeNCrypt subtypes offered: %s", names);
    int sub = secpolicy_choose_subtype(&h->policy, subs, count);
    if (!sub) {
        no_subtype(h, names, plain_only, err);
        return false;
    }
    res->subtype = sub;
    const char *label = handshake_security_name(sub);
    log_debug("chose VeNCrypt subtype %s", label);
    uint8_t c[4] = {0, 0, (uint8_t)(sub >> 8), (uint8_t)sub};
    if (!hs_write(h, c, 4, err))
        return false;
    enum secpolicy_tls tls = secpolicy_tls(sub);
    if (tls != SECPOLICY_TLS_NO) {
        uint8_t ack;
        if (!hs_read(h, &ack, 1, "the server's go-ahead for TLS", err))
            return false;
        if (ack == 0) {
            vv_error_set(err, VV_ERR_SECURITY, "%s could not start TLS (%s)", peer, label);
            return false;
        }
        if (!start_tls(h, tls == SECPOLICY_TLS_X509, label, err))
            return false;
    }
    return sub_auth(h, sub, err);
}

bool anontls_run(struct hs *h, struct vv_error *err)
{
    struct handshake_result *res = h->res;
    if (!start_tls(h, false, "TLS", err))
        return false;
    uint8_t count, types[255];
    if (!hs_read(h, &count, 1, "the security types inside TLS", err))
        return false;
    if (count == 0) {
        char reason[512];
        if (!hs_read_reason(h, reason, sizeof reason, err))
            return false;
        vv_error_set(err, VV_ERR_SECURITY, "%s refused the connection: %s", h->t->peer, reason);
        return false;
    }
    if (!hs_read(h, types, count, "the security types inside TLS", err))
        return false;
    char inner[120];
    hs_describe_types(types, count, inner, sizeof inner);
    int chosen = secpolicy_choose_inner(types, count);
    if (!chosen) {
        vv_error_set(err, VV_ERR_SECURITY,
                     "%s offers %s inside TLS; vncview supports None and VncAuth there", h->t->peer,
                     inner);
        return false;
    }
    uint8_t c = (uint8_t)chosen;
    if (!hs_write(h, &c, 1, err))
        return false;
    res->subtype = chosen;
    snprintf(res->security_text, sizeof res->security_text,
             "encrypted, server identity NOT verified (TLS, %s)", handshake_security_name(chosen));
    return sub_auth(h, chosen, err);
}
