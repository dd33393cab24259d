/* --security parsing and the choice of security type and VeNCrypt subtype: our order wins over
 * the server's, Plain without TLS only when listed, no silent downgrade. */
#include "secpolicy.h"
#include "vv_test.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_parse(void)
{
    struct secpolicy p;
    struct vv_error err;
    vv_error_clear(&err);

    CHECK(secpolicy_parse(NULL, &p, &err));
    CHECK(!p.from_user);
    CHECK_EQ_INT(p.n, 9);
    int want_default[] = {SEC_X509VNC, SEC_X509PLAIN, SEC_X509NONE, SEC_TLSVNC, SEC_TLSPLAIN,
                          SEC_TLSNONE, SEC_TLS,       SEC_VNCAUTH,  SEC_NONE};
    for (size_t i = 0; i < N(want_default) && i < p.n; i++)
        CHECK_EQ_INT(p.types[i], want_default[i]);
    CHECK(!secpolicy_allows(&p, SEC_PLAIN)); /* never by default */

    /* Case-insensitive, commas and/or spaces, the user's order, duplicates dropped. */
    CHECK(secpolicy_parse("tlsvnc, X509VNC  vncauth,,tlsvnc", &p, &err));
    CHECK(p.from_user);
    CHECK_EQ_INT(p.n, 3);
    CHECK_EQ_INT(p.types[0], SEC_TLSVNC);
    CHECK_EQ_INT(p.types[1], SEC_X509VNC);
    CHECK_EQ_INT(p.types[2], SEC_VNCAUTH);
    char buf[200];
    secpolicy_describe(&p, buf, sizeof buf);
    CHECK_EQ_STR(buf, "TLSVnc, X509Vnc, VncAuth");

    CHECK(secpolicy_parse("Plain", &p, &err));
    CHECK(secpolicy_allows(&p, SEC_PLAIN));
    CHECK(secpolicy_parse("TLS", &p, &err));
    CHECK_EQ_INT(p.types[0], SEC_TLS);

    /* Unknown names: usage error naming the bad word and listing the valid ones. */
    CHECK(!secpolicy_parse("X509Vnc,RA2", &p, &err));
    CHECK_EQ_INT(err.code, VV_ERR_USAGE);
    CHECK(strstr(err.message, "'RA2'") != NULL);
    CHECK(strstr(err.message, "X509Plain") != NULL && strstr(err.message, "TLSNone") != NULL);
    vv_error_clear(&err);
    CHECK(!secpolicy_check("X509", &err));
    CHECK_EQ_INT(err.code, VV_ERR_USAGE);
    vv_error_clear(&err);
    CHECK(!secpolicy_check(" , ", &err));
    CHECK_EQ_INT(err.code, VV_ERR_USAGE);
    CHECK(strstr(err.message, "empty") != NULL);
    CHECK(secpolicy_check(NULL, &err));
    CHECK(secpolicy_check("x509plain tlsplain", &err));
}

static void test_properties(void)
{
    CHECK_EQ_STR(secpolicy_name(SEC_X509VNC), "X509Vnc");
    CHECK_EQ_STR(secpolicy_name(SEC_TLS), "TLS");
    CHECK(secpolicy_name(19) == NULL);
    CHECK_EQ_INT(secpolicy_tls(SEC_X509NONE), SECPOLICY_TLS_X509);
    CHECK_EQ_INT(secpolicy_tls(SEC_TLSPLAIN), SECPOLICY_TLS_ANON);
    CHECK_EQ_INT(secpolicy_tls(SEC_TLS), SECPOLICY_TLS_ANON);
    CHECK_EQ_INT(secpolicy_tls(SEC_PLAIN), SECPOLICY_TLS_NO);
    CHECK_EQ_INT(secpolicy_tls(SEC_VNCAUTH), SECPOLICY_TLS_NO);
    CHECK_EQ_INT(secpolicy_auth(SEC_X509PLAIN), SECPOLICY_AUTH_PLAIN);
    CHECK_EQ_INT(secpolicy_auth(SEC_PLAIN), SECPOLICY_AUTH_PLAIN);
    CHECK_EQ_INT(secpolicy_auth(SEC_TLSVNC), SECPOLICY_AUTH_VNC);
    CHECK_EQ_INT(secpolicy_auth(SEC_TLSNONE), SECPOLICY_AUTH_NONE);
}

static void test_choose_type(void)
{
    struct secpolicy def, p;
    struct vv_error err;
    CHECK(secpolicy_parse(NULL, &def, &err));

    /* The server lists VncAuth first; VeNCrypt (verified TLS possible) still wins. */
    uint8_t a[] = {SEC_VNCAUTH, SEC_VENCRYPT, SEC_NONE};
    CHECK_EQ_INT(secpolicy_choose_type(&def, a, N(a)), SEC_VENCRYPT);
    /* Anonymous TLS before plain. */
    uint8_t b[] = {SEC_NONE, SEC_VNCAUTH, SEC_TLS};
    CHECK_EQ_INT(secpolicy_choose_type(&def, b, N(b)), SEC_TLS);
    /* VncAuth before None. */
    uint8_t c[] = {SEC_NONE, SEC_VNCAUTH};
    CHECK_EQ_INT(secpolicy_choose_type(&def, c, N(c)), SEC_VNCAUTH);
    uint8_t d[] = {SEC_NONE};
    CHECK_EQ_INT(secpolicy_choose_type(&def, d, N(d)), SEC_NONE);
    uint8_t unusable[] = {5, 6, 30};
    CHECK_EQ_INT(secpolicy_choose_type(&def, unusable, N(unusable)), 0);

    /* Only encrypted types asked for, only plain offered: nothing (no silent downgrade). */
    CHECK(secpolicy_parse("X509Vnc", &p, &err));
    CHECK_EQ_INT(secpolicy_choose_type(&p, c, N(c)), 0);
    CHECK_EQ_INT(secpolicy_choose_type(&p, a, N(a)), SEC_VENCRYPT);
    CHECK_EQ_INT(secpolicy_choose_type(&p, b, N(b)), 0);

    /* The user's order: plain VncAuth first means VncAuth even with VeNCrypt on offer. */
    CHECK(secpolicy_parse("VncAuth,X509Vnc", &p, &err));
    CHECK_EQ_INT(secpolicy_choose_type(&p, a, N(a)), SEC_VNCAUTH);
    /* VncAuth only, but the server has it only inside VeNCrypt. */
    CHECK(secpolicy_parse("VncAuth", &p, &err));
    uint8_t e[] = {SEC_VENCRYPT};
    CHECK_EQ_INT(secpolicy_choose_type(&p, e, N(e)), SEC_VENCRYPT);
    CHECK(secpolicy_parse("TLS", &p, &err));
    CHECK_EQ_INT(secpolicy_choose_type(&p, e, N(e)), 0);
}

static void test_choose_subtype(void)
{
    struct secpolicy def, p;
    struct vv_error err;
    CHECK(secpolicy_parse(NULL, &def, &err));

    /* Xvnc's order puts anonymous TLS first; we take X509 (libvncclient took TLSVnc). */
    uint32_t a[] = {SEC_TLSVNC, SEC_X509VNC};
    CHECK_EQ_INT(secpolicy_choose_subtype(&def, a, N(a)), SEC_X509VNC);
    /* ...unless the user says otherwise. */
    CHECK(secpolicy_parse("TLSVnc,X509Vnc", &p, &err));
    CHECK_EQ_INT(secpolicy_choose_subtype(&p, a, N(a)), SEC_TLSVNC);

    /* Plain (clear text) never by default, even when it is all there is. */
    uint32_t plain[] = {SEC_PLAIN};
    CHECK_EQ_INT(secpolicy_choose_subtype(&def, plain, N(plain)), 0);
    CHECK(secpolicy_parse("Plain", &p, &err));
    CHECK_EQ_INT(secpolicy_choose_subtype(&p, plain, N(plain)), SEC_PLAIN);
    /* With TLSPlain next to it, the default takes TLSPlain. */
    uint32_t plains[] = {SEC_PLAIN, SEC_TLSPLAIN};
    CHECK_EQ_INT(secpolicy_choose_subtype(&def, plains, N(plains)), SEC_TLSPLAIN);

    /* None and VncAuth inside VeNCrypt are the plain types, last in the default order. */
    uint32_t mixed[] = {SEC_NONE, SEC_VNCAUTH, SEC_TLSNONE};
    CHECK_EQ_INT(secpolicy_choose_subtype(&def, mixed, N(mixed)), SEC_TLSNONE);
    uint32_t plainish[] = {SEC_NONE, SEC_VNCAUTH};
    CHECK_EQ_INT(secpolicy_choose_subtype(&def, plainish, N(plainish)), SEC_VNCAUTH);
    CHECK(secpolicy_parse("X509None,X509Vnc", &p, &err));
    CHECK_EQ_INT(secpolicy_choose_subtype(&p, plainish, N(plainish)), 0);

    /* Unknown and SASL subtypes, and absurd numbers, are never picked. */
    uint32_t odd[] = {263, 264, 0xffffffffu, 18, 19};
    CHECK_EQ_INT(secpolicy_choose_subtype(&def, odd, N(odd)), 0);
    CHECK(secpolicy_parse("TLS,X509Vnc", &p, &err));
    uint32_t t18[] = {18};
    CHECK_EQ_INT(secpolicy_choose_subtype(&p, t18, N(t18)), 0);

    uint8_t inner[] = {SEC_NONE, SEC_VNCAUTH};
    CHECK_EQ_INT(secpolicy_choose_inner(inner, N(inner)), SEC_VNCAUTH);
    uint8_t inner2[] = {SEC_NONE, 30};
    CHECK_EQ_INT(secpolicy_choose_inner(inner2, N(inner2)), SEC_NONE);
    uint8_t inner3[] = {16, 30};
    CHECK_EQ_INT(secpolicy_choose_inner(inner3, N(inner3)), 0);
}

int main(void)
{
    test_parse();
    test_properties();
    test_choose_type();
    test_choose_subtype();
    return vv_test_finish();
}
