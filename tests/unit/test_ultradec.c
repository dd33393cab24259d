/* Unit tests for viewer/ultradec: LZO1X rectangles decode exactly; data that decompresses to
 * fewer or more bytes than w*h*4, or is corrupt, is refused with a sentence and nothing is
 * painted; length 0 ("nothing changed") paints nothing and is fine. */
#include "ultradec.h"

#include "vv_test.h"

#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>

#define FW 40
#define FH 30

static uint8_t fb[FW * FH * 4];

/* UltraVNC's side: each rectangle compressed on its own. Caller frees. */
static uint8_t *compress(const uint8_t *raw, size_t n, size_t *len)
{
    static uint8_t work[LZO1X_1_MEM_COMPRESS];
    uint8_t *out = malloc(n + n / 16 + 64 + 3);
    lzo_uint olen = 0;
    CHECK(lzo1x_1_compress(raw, n, out, &olen, work) == LZO_E_OK);
    *len = olen;
    return out;
}

static uint8_t *pixels(size_t bytes, unsigned seed)
{
    uint8_t *p = malloc(bytes + 1);
    for (size_t i = 0; i < bytes; i++)
        p[i] = (uint8_t)((i * 13 + seed * 7) ^ (i >> 6));
    return p;
}

static void test_exact(void)
{
    struct ultradec *u = ultradec_new();
    struct vv_error err;
    uint8_t *px = pixels(17 * 9 * 4, 1);
    size_t len;
    uint8_t *data = compress(px, 17 * 9 * 4, &len);
    CHECK_MSG(ultradec_decode(u, data, len, fb, FW * 4, 3, 4, 17, 9, &err), "%s", err.message);
    bool same = true;
    for (int j = 0; j < 9; j++)
        same &= memcmp(fb + ((size_t)(4 + j) * FW + 3) * 4, px + (size_t)j * 17 * 4, 17 * 4) == 0;
    CHECK(same);
    /* Length 0: nothing changed, nothing painted. */
    uint8_t before[sizeof fb];
    memcpy(before, fb, sizeof fb);
    CHECK(ultradec_decode(u, NULL, 0, fb, FW * 4, 0, 0, FW, FH, &err));
    CHECK(memcmp(before, fb, sizeof fb) == 0);
    free(px);
    free(data);
    ultradec_free(u);
}

/* A good rectangle first (so the buffer holds its pixels), then a 16x8 one whose data holds
 * `bytes` (or the given stream): refused with want, framebuffer unchanged. */
static void refused(size_t bytes, const uint8_t *stream, size_t stream_len, const char *want)
{
    struct ultradec *u = ultradec_new();
    struct vv_error err;
    uint8_t *px = pixels(16 * 8 * 4, 2);
    size_t len;
    uint8_t *data = compress(px, 16 * 8 * 4, &len);
    CHECK(ultradec_decode(u, data, len, fb, FW * 4, 0, 0, 16, 8, &err));
    free(data);
    free(px);
    if (stream) {
        data = malloc(stream_len);
        memcpy(data, stream, stream_len);
        len = stream_len;
    } else {
        px = pixels(bytes, 3);
        data = compress(px, bytes, &len);
        free(px);
    }
    memset(fb, 0x55, sizeof fb);
    uint8_t before[sizeof fb];
    memcpy(before, fb, sizeof fb);
    bool ok = ultradec_decode(u, data, len, fb, FW * 4, 0, 0, 16, 8, &err);
    CHECK_MSG(!ok && err.code == VV_ERR_PROTOCOL && strstr(err.message, want),
              "%s: \"%s\", want \"%s\"", ok ? "accepted" : "refused", err.message, want);
    CHECK_MSG(memcmp(before, fb, sizeof fb) == 0, "%s: the framebuffer changed", want);
    free(data);
    ultradec_free(u);
}

static void test_refused(void)
{
    refused(256, NULL, 0,
            "the server's Ultra rectangle 2 holds 256 bytes of pixels, 16x8 needs 512");
    refused(528, NULL, 0,
            "the server's Ultra rectangle 2 holds 528 bytes of pixels, 16x8 needs 512");
    refused(512 + (1u << 20), NULL, 0,
            "the server's Ultra rectangle 2 holds more than 66048 bytes of pixels, 16x8 needs 512");
    /* A literal run announced longer than the data. */
    static const uint8_t cut[] = {17 + 100, 1, 2, 3};
    refused(0, cut, sizeof cut, "the server's Ultra rectangle 2 is corrupt (its data ends early)");
    /* A valid 4-byte stream, then junk after its end marker. */
    static const uint8_t trailing[] = {17 + 4, 1, 2, 3, 4, 0x11, 0, 0, 9, 9};
    refused(0, trailing, sizeof trailing,
            "the server's Ultra rectangle 2 is corrupt (bytes after its end)");
    /* A match reaching back before the start of the output. */
    static const uint8_t behind[] = {17 + 1, 7, 0x40 | 0x1C, 0xFF, 0x11, 0, 0};
    refused(0, behind, sizeof behind, "the server's Ultra rectangle 2 is corrupt");
}

int main(void)
{
    CHECK(lzo_init() == LZO_E_OK);
    test_exact();
    test_refused();
    return vv_test_finish();
}
