/* Which security type a connection uses: --security (TigerVNC names, our preference order) and
 * that order applied to what the server offers. The server's order never decides. No I/O. */
#ifndef VV_SECPOLICY_H
#define VV_SECPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* RFB security types (1, 2, 18, 19) and VeNCrypt subtypes (256...), one number space. */
enum secpolicy_type {
    SEC_NONE = 1,
    SEC_VNCAUTH = 2,
    SEC_TLS = 18, /* anonymous TLS, then an ordinary security-type list inside it */
    SEC_VENCRYPT = 19,
    SEC_PLAIN = 256, /* user name and password in clear */
    SEC_TLSNONE = 257,
    SEC_TLSVNC = 258,
    SEC_TLSPLAIN = 259,
    SEC_X509NONE = 260,
    SEC_X509VNC = 261,
    SEC_X509PLAIN = 262,
};

/* What authenticates us once any TLS is up. */
enum secpolicy_auth { SECPOLICY_AUTH_NONE, SECPOLICY_AUTH_VNC, SECPOLICY_AUTH_PLAIN };
/* What protects the stream: nothing, anonymous (unauthenticated) TLS, or certificate TLS. */
enum secpolicy_tls { SECPOLICY_TLS_NO, SECPOLICY_TLS_ANON, SECPOLICY_TLS_X509 };

#define SECPOLICY_MAX 16

struct secpolicy {
    int types[SECPOLICY_MAX]; /* preference order, no duplicates */
    size_t n;
    bool from_user; /* given with --security (else the default order) */
};

/* Parses a --security list: names separated by commas and/or spaces, case-insensitive. NULL
 * gives the default order (verified TLS first, then anonymous TLS, then plain; Plain without
 * TLS never). false + err (VV_ERR_USAGE, listing the valid names) on an unknown or empty list. */
bool secpolicy_parse(const char *list, struct secpolicy *out, struct vv_error *err);
/* The same check without a result, for option parsing. NULL is valid. */
bool secpolicy_check(const char *list, struct vv_error *err);

/* "X509Vnc", "TLS", "None"...; NULL for a number that is none of ours. */
const char *secpolicy_name(int type);
/* "X509Vnc, X509Plain, ..." for messages (all names we accept). */
const char *secpolicy_valid_names(void);
enum secpolicy_auth secpolicy_auth(int type);
enum secpolicy_tls secpolicy_tls(int type);
bool secpolicy_allows(const struct secpolicy *p, int type);
/* The policy as a list of names ("X509Vnc, TLSVnc") into buf. */
void secpolicy_describe(const struct secpolicy *p, char *buf, size_t size);

/* The top-level type to answer (1, 2, 18 or 19) for the server's list, or 0 if none will do.
 * VeNCrypt is chosen when one of its subtypes ranks before every plain type the server offers
 * directly (its subtype list is only seen after choosing it). */
int secpolicy_choose_type(const struct secpolicy *p, const uint8_t *offered, size_t n);
/* The VeNCrypt subtype (1, 2 or 256...262) we prefer among offered, or 0. */
int secpolicy_choose_subtype(const struct secpolicy *p, const uint32_t *offered, size_t n);
/* Inside anonymous TLS (type 18): VncAuth, else None, from the inner list; 0 if neither. */
int secpolicy_choose_inner(const uint8_t *offered, size_t n);

#endif
