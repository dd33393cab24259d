/* Encoding names, the --encodings parser and the SetEncodings list. */
#include "encodings.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct enc_def {
    const char *name;
    int32_t code;
    const char *display;
};

/* RRE, CoRRE and Ultra decoders carried most of libvncclient's CVEs: only on request. */
static const struct enc_def known[] = {
    {"tight", ENC_TIGHT, "Tight"},
    {"zrle", ENC_ZRLE, "ZRLE"},
    {"hextile", ENC_HEXTILE, "Hextile"},
    {"zlib", ENC_ZLIB, "Zlib"},
    {"copyrect", ENC_COPYRECT, "CopyRect"},
    {"raw", ENC_RAW, "Raw"},
    {"rre", ENC_RRE, "RRE"},
    {"corre", ENC_CORRE, "CoRRE"},
    {"ultra", ENC_ULTRA, "Ultra"},
};

const char *enc_default_text(void)
{
    return "copyrect tight zrle hextile zlib raw";
}

const char *enc_name(int32_t code)
{
    static char buf[4][24];
    static int next;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].code == code)
            return known[i].display;
    switch (code) {
    case 15:
        return "TRLE";
    case 17:
        return "ZYWRLE";
    case 8:
        return "ZlibHex";
    case (int32_t)ENC_ULTRAZIP:
        return "UltraZip";
    }
    char *b = buf[next++ & 3];
    snprintf(b, sizeof buf[0], "encoding %d", code);
    return b;
}

bool enc_parse(const char *text, struct enc_list *out, struct vv_error *err)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text)
        text = enc_default_text();
    const char *p = text;
    while (*p) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        size_t len = 0;
        while (p[len] && p[len] != ',' && !isspace((unsigned char)p[len]))
            len++;
        const struct enc_def *d = NULL;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (strlen(known[i].name) == len && strncasecmp(known[i].name, p, len) == 0)
                d = &known[i];
        if (!d) {
            const char *why = "unknown encoding";
            if (len == 7 && strncasecmp(p, "zlibhex", 7) == 0)
                why = "ZlibHex cannot be decoded by libvncclient";
            else if ((len == 4 && strncasecmp(p, "trle", 4) == 0) ||
                     (len == 6 && strncasecmp(p, "zywrle", 6) == 0))
                why = "not offered: its decoder is not safe against hostile servers";
            vv_error_set(err, VV_ERR_USAGE,
                         "--encodings: '%.*s': %s. Choose from: tight zrle hextile zlib "
                         "copyrect raw rre corre ultra",
                         (int)len, p, why);
            return false;
        }
        for (int i = 0; i < out->n; i++)
            if (out->codes[i] == d->code) {
                vv_error_set(err, VV_ERR_USAGE, "--encodings: '%s' is listed twice", d->name);
                return false;
            }
        out->codes[out->n++] = d->code;
        size_t used = strlen(out->text);
        snprintf(out->text + used, sizeof out->text - used, "%s%s", used ? " " : "", d->name);
        p += len;
    }
    if (out->n == 0) {
        vv_error_set(err, VV_ERR_USAGE, "--encodings: the list is empty");
        return false;
    }
    return true;
}

int enc_build(const struct enc_list *l, int quality, int compress, bool lossless, int32_t *codes,
              int max)
{
    int n = 0;
#define ADD(c)                                                                                     \
    do {                                                                                           \
        if (n < max)                                                                               \
            codes[n++] = (int32_t)(c);                                                             \
    } while (0)
    bool raw = false;
    for (int i = 0; i < l->n; i++) {
        ADD(l->codes[i]);
        raw |= l->codes[i] == ENC_RAW;
    }
    /* Every client must take Raw (RFC 6143 7.7.1) and servers use it whatever was asked: say
     * so, last, so the guard allows it. */
    if (!raw)
        ADD(ENC_RAW);
    if (compress >= 0 && compress <= 9)
        ADD(ENC_COMPRESS_0 + compress);
    if (!lossless && quality >= 0 && quality <= 9)
        ADD(ENC_QUALITY_0 + quality);
    ADD(ENC_RICHCURSOR);
    ADD(ENC_XCURSOR);
    ADD(ENC_LASTRECT);
    /* Both: ExtendedDesktopSize lets us ask for a size (SetDesktopSize); the guard renumbers
     * a screen 0 (QEMU), which 0.9.14 would ignore. NewFBSize for servers without it. */
    ADD(ENC_EXTDESKTOPSIZE);
    ADD(ENC_NEWFBSIZE);
    ADD(ENC_QEMU_EXTKEY);
    ADD(ENC_KBD_LED);
#undef ADD
    return n;
}
