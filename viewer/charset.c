/* Latin-1 <-> UTF-8 conversion for RFB cut text (see charset.h for the rules). */
#include "charset.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Shared argument checks; a NULL in is fine only for empty input. */
static bool args_ok(const char *in, size_t len)
{
    if (!in && len) {
        errno = EINVAL;
        return false;
    }
    return true;
}

char *charset_latin1_to_utf8(const char *in, size_t len, size_t *out_len)
{
    if (!args_ok(in, len))
        return NULL;
    /* Each byte becomes at most two; refuse before touching the input if that cannot be sized. */
    if (len > (SIZE_MAX - 1) / 2) {
        errno = EOVERFLOW;
        return NULL;
    }
    if (len) {
        const char *nul = memchr(in, '\0', len);
        if (nul)
            len = (size_t)(nul - in);
    }
    size_t need = len;
    for (size_t i = 0; i < len; i++)
        need += ((unsigned char)in[i] >= 0x80);
    char *out = malloc(need + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x80) {
            out[o++] = (char)c;
        } else {
            out[o++] = (char)(0xC0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    return out;
}

/* Decodes one UTF-8 character at s[0..n) (n >= 1). Returns the number of bytes consumed (>= 1)
 * and sets *cp, or sets *cp to UINT32_MAX for a malformed sequence; then the count is the length
 * of the maximal invalid subsequence, so the caller resumes at the first byte that broke it. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t want;
    uint32_t v;
    /* Bounds for the second byte exclude overlongs, surrogates and > U+10FFFF up front
     * (Unicode Table 3-7), so later bytes only need to be continuation bytes. */
    unsigned char lo = 0x80, hi = 0xBF;

    *cp = UINT32_MAX;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        want = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        want = 3;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        want = 4;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 1; /* continuation byte, C0/C1 (always overlong) or F5-FF */
    }
    for (size_t i = 1; i < want; i++) {
        if (i >= n)
            return i; /* truncated by the end of input */
        unsigned char b = s[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
            return i;
        v = (v << 6) | (b & 0x3F);
    }
    *cp = v;
    return want;
}

char *charset_utf8_to_latin1(const char *in, size_t len, size_t *out_len, size_t *unrepresentable)
{
    if (!args_ok(in, len))
        return NULL;
    /* Output never exceeds the input: every character or invalid run yields at most one byte. */
    if (len > SIZE_MAX - 1) {
        errno = EOVERFLOW;
        return NULL;
    }
    if (len) {
        const char *nul = memchr(in, '\0', len);
        if (nul)
            len = (size_t)(nul - in);
    }
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0, o = 0, bad = 0;
    while (i < len) {
        if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') {
            i++; /* drop the CR of CRLF; the LF is copied next round */
            continue;
        }
        uint32_t cp;
        i += utf8_decode(s + i, len - i, &cp);
        if (cp <= 0xFF) {
            out[o++] = (char)cp;
        } else {
            out[o++] = '?';
            bad++;
        }
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    if (unrepresentable)
        *unrepresentable = bad;
    return out;
}
