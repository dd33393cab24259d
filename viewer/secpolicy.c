/* Security-type preference: --security parsing and the choice among what the server offers. */
#include "secpolicy.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct sec_name {
    const char *name;
    int type;
};

/* TigerVNC's names; the order is the one --help and error messages show. */
static const struct sec_name names[] = {
    {"X509Vnc", SEC_X509VNC}, {"X509Plain", SEC_X509PLAIN}, {"X509None", SEC_X509NONE},
    {"TLSVnc", SEC_TLSVNC},   {"TLSPlain", SEC_TLSPLAIN},   {"TLSNone", SEC_TLSNONE},
    {"TLS", SEC_TLS},         {"VncAuth", SEC_VNCAUTH},     {"Plain", SEC_PLAIN},
    {"None", SEC_NONE},
};
#define NNAMES (sizeof names / sizeof names[0])

/* Verified encryption first, then unverified encryption, then plain. Plain (a password in
 * clear) is not here: only a user who lists it gets it. */
static const int default_order[] = {SEC_X509VNC, SEC_X509PLAIN, SEC_X509NONE,
                                    SEC_TLSVNC,  SEC_TLSPLAIN,  SEC_TLSNONE,
                                    SEC_TLS,     SEC_VNCAUTH,   SEC_NONE};

const char *secpolicy_name(int type)
{
    for (size_t i = 0; i < NNAMES; i++)
        if (names[i].type == type)
            return names[i].name;
    return NULL;
}

const char *secpolicy_valid_names(void)
{
    return "X509Vnc, X509Plain, X509None, TLSVnc, TLSPlain, TLSNone, TLS (anonymous TLS), "
           "VncAuth, Plain, None";
}

enum secpolicy_auth secpolicy_auth(int type)
{
    switch (type) {
    case SEC_VNCAUTH:
    case SEC_TLSVNC:
    case SEC_X509VNC:
        return SECPOLICY_AUTH_VNC;
    case SEC_PLAIN:
    case SEC_TLSPLAIN:
    case SEC_X509PLAIN:
        return SECPOLICY_AUTH_PLAIN;
    default:
        return SECPOLICY_AUTH_NONE;
    }
}

enum secpolicy_tls secpolicy_tls(int type)
{
    switch (type) {
    case SEC_TLS:
    case SEC_TLSNONE:
    case SEC_TLSVNC:
    case SEC_TLSPLAIN:
        return SECPOLICY_TLS_ANON;
    case SEC_X509NONE:
    case SEC_X509VNC:
    case SEC_X509PLAIN:
        return SECPOLICY_TLS_X509;
    default:
        return SECPOLICY_TLS_NO;
    }
}

bool secpolicy_allows(const struct secpolicy *p, int type)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->types[i] == type)
            return true;
    return false;
}

static void add(struct secpolicy *p, int type)
{
    if (!secpolicy_allows(p, type) && p->n < SECPOLICY_MAX)
        p->types[p->n++] = type;
}

bool secpolicy_parse(const char *list, struct secpolicy *out, struct vv_error *err)
{
    memset(out, 0, sizeof *out);
    if (!list) {
        for (size_t i = 0; i < sizeof default_order / sizeof default_order[0]; i++)
            add(out, default_order[i]);
        return true;
    }
    out->from_user = true;
    const char *p = list;
    const char *seps = ", \t\n";
    for (;;) {
        p += strspn(p, seps);
        if (!*p)
            break;
        size_t len = strcspn(p, seps);
        int type = 0;
        for (size_t i = 0; i < NNAMES && !type; i++)
            if (strlen(names[i].name) == len && strncasecmp(p, names[i].name, len) == 0)
                type = names[i].type;
        if (!type) {
            vv_error_set(err, VV_ERR_USAGE,
                         "--security: unknown security type '%.*s'; valid names (in your order "
                         "of preference, comma-separated): %s",
                         (int)(len > 64 ? 64 : len), p, secpolicy_valid_names());
            return false;
        }
        add(out, type);
        p += len;
    }
    if (out->n == 0) {
        vv_error_set(err, VV_ERR_USAGE, "--security: the list is empty; give one or more of: %s",
                     secpolicy_valid_names());
        return false;
    }
    return true;
}

bool secpolicy_check(const char *list, struct vv_error *err)
{
    struct secpolicy p;
    return secpolicy_parse(list, &p, err);
}

void secpolicy_describe(const struct secpolicy *p, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < p->n && o + 2 < size; i++)
        o +=
            (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", secpolicy_name(p->types[i]));
}

static bool offered_u8(const uint8_t *offered, size_t n, int type)
{
    for (size_t i = 0; i < n; i++)
        if (offered[i] == type)
            return true;
    return false;
}

int secpolicy_choose_type(const struct secpolicy *p, const uint8_t *offered, size_t n)
{
    bool vencrypt = offered_u8(offered, n, SEC_VENCRYPT);
    for (size_t i = 0; i < p->n; i++) {
        int t = p->types[i];
        if (t < 256 && offered_u8(offered, n, t))
            return t;
        if (t >= 256 && vencrypt)
            return SEC_VENCRYPT;
    }
    /* VeNCrypt may also carry None and VncAuth as subtypes. */
    if (vencrypt && (secpolicy_allows(p, SEC_NONE) || secpolicy_allows(p, SEC_VNCAUTH)))
        return SEC_VENCRYPT;
    return 0;
}

int secpolicy_choose_subtype(const struct secpolicy *p, const uint32_t *offered, size_t n)
{
    for (size_t i = 0; i < p->n; i++) {
        int t = p->types[i];
        if (t == SEC_TLS)
            continue; /* not a VeNCrypt subtype */
        for (size_t j = 0; j < n; j++)
            if (offered[j] == (uint32_t)t)
                return t;
    }
    return 0;
}

int secpolicy_choose_inner(const uint8_t *offered, size_t n)
{
    if (offered_u8(offered, n, SEC_VNCAUTH))
        return SEC_VNCAUTH;
    if (offered_u8(offered, n, SEC_NONE))
        return SEC_NONE;
    return 0;
}
