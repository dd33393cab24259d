/* Unit tests for viewer/tightdec: fill, the copy, palette and gradient filters, JPEG, stream
 * resets and data read in pieces decode exactly; short, long and corrupt data, palette indices
 * past the palette, over-wide rectangles and bad headers are refused with a sentence, and the
 * framebuffer is left untouched then. */
#include "tightdec.h"

#include "vv_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <zlib.h>

#define FW 64
#define FH 48

static uint8_t fb[FW * FH * 4];

/* The server side: a rectangle's bytes being built, and its four deflate streams. */
struct msg {
    uint8_t *p;
    size_t len, cap;
};
static z_stream zs[4];

static void put(struct msg *m, const void *d, size_t n)
{
    if (m->len + n > m->cap) {
        m->cap = (m->len + n) * 2;
        m->p = realloc(m->p, m->cap);
    }
    memcpy(m->p + m->len, d, n);
    m->len += n;
}

static void put8(struct msg *m, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(m, &b, 1);
}

static void put_compact(struct msg *m, size_t n)
{
    put8(m, (n & 0x7F) | (n > 0x7F ? 0x80 : 0));
    if (n > 0x7F) {
        put8(m, (n >> 7 & 0x7F) | (n > 0x3FFF ? 0x80 : 0));
        if (n > 0x3FFF)
            put8(m, n >> 14);
    }
}

static void reset_streams(void)
{
    for (int i = 0; i < 4; i++) {
        deflateEnd(&zs[i]);
        memset(&zs[i], 0, sizeof zs[i]);
        deflateInit(&zs[i], 6);
    }
}

/* Filtered data as Tight sends it: raw under 12 bytes, else compact length + zlib on stream s. */
static void put_data(struct msg *m, int s, const uint8_t *d, size_t n)
{
    if (n < 12) {
        put(m, d, n);
        return;
    }
    size_t cap = deflateBound(&zs[s], (uLong)n) + 64;
    uint8_t *out = malloc(cap);
    zs[s].next_in = (Bytef *)d;
    zs[s].avail_in = (uInt)n;
    zs[s].next_out = out;
    zs[s].avail_out = (uInt)cap;
    deflate(&zs[s], Z_SYNC_FLUSH);
    size_t len = cap - zs[s].avail_out;
    put_compact(m, len);
    put(m, out, len);
    free(out);
}

static uint8_t *rgb_pattern(int w, int h, unsigned seed)
{
    uint8_t *p = malloc((size_t)w * h * 3);
    for (size_t i = 0; i < (size_t)w * h * 3; i++)
        p[i] = (uint8_t)((i * 7 + seed * 31) ^ (i >> 4));
    return p;
}

/* The rectangle at x,y of fb against R,G,B pixels (tolerance tol per channel). */
static bool rect_is(const uint8_t *f, int fw, int x, int y, int w, int h, const uint8_t *rgb,
                    int tol)
{
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++) {
            const uint8_t *d = f + ((size_t)(y + j) * fw + x + i) * 4;
            const uint8_t *s = rgb + ((size_t)j * w + i) * 3;
            if (abs(d[0] - s[2]) > tol || abs(d[1] - s[1]) > tol || abs(d[2] - s[0]) > tol ||
                d[3] != 0)
                return false;
        }
    return true;
}

static bool decode(struct tightdec *t, const struct msg *m, int x, int y, int w, int h,
                   struct vv_error *err)
{
    return tightdec_decode(t, m->p, m->len, fb, FW, FH, x, y, w, h, err);
}

static void test_fill_and_copy(void)
{
    reset_streams();
    struct tightdec *t = tightdec_new();
    struct vv_error err;
    struct msg m = {0};
    put8(&m, 0x8F); /* fill, resetting all four streams */
    put(&m, "\x10\x80\xF0", 3);
    CHECK_MSG(decode(t, &m, 2, 3, 10, 5, &err), "fill: %s", err.message);
    uint8_t want[10 * 5 * 3];
    for (int i = 0; i < 50; i++)
        memcpy(want + i * 3, "\x10\x80\xF0", 3);
    CHECK(rect_is(fb, FW, 2, 3, 10, 5, want, 0));
    /* Copy filter: compressed on stream 0 twice (the stream goes on), then 9 raw bytes. */
    for (int r = 0; r < 3; r++) {
        int w = r == 2 ? 3 : 40, h = r == 2 ? 1 : 20;
        uint8_t *px = rgb_pattern(w, h, (unsigned)r);
        m.len = 0;
        put8(&m, 0x00);
        put_data(&m, 0, px, (size_t)w * h * 3);
        CHECK_MSG(decode(t, &m, r, 2 * r, w, h, &err), "copy %d: %s", r, err.message);
        CHECK_MSG(rect_is(fb, FW, r, 2 * r, w, h, px, 0), "copy %d: pixels differ", r);
        free(px);
    }
    free(m.p);
    tightdec_free(t);
}

static void test_palette_gradient(void)
{
    reset_streams();
    struct tightdec *t = tightdec_new();
    struct vv_error err;
    struct msg m = {0};
    const uint8_t pal[3 * 3] = {1, 2, 3, 200, 100, 50, 9, 8, 7};
    /* 2 colours, 13 wide: 2 bytes per row, on stream 1. */
    int w = 13, h = 6;
    uint8_t bits[2 * 6], want[13 * 6 * 3];
    for (int j = 0; j < h; j++) {
        bits[j * 2] = (uint8_t)(0xA5 ^ j);
        bits[j * 2 + 1] = (uint8_t)(0x3C + j);
        for (int i = 0; i < w; i++)
            memcpy(want + (j * w + i) * 3, pal + 3 * (bits[j * 2 + i / 8] >> (7 - i % 8) & 1), 3);
    }
    put8(&m, 0x50);
    put8(&m, 1);
    put8(&m, 1);
    put(&m, pal, 6);
    put_data(&m, 1, bits, sizeof bits);
    CHECK_MSG(decode(t, &m, 50, 40, w, h, &err), "2 colours: %s", err.message);
    CHECK(rect_is(fb, FW, 50, 40, w, h, want, 0));
    /* 3 colours: a byte per pixel, on stream 2. */
    uint8_t idx[20 * 10];
    uint8_t want3[20 * 10 * 3];
    for (int i = 0; i < 200; i++) {
        idx[i] = (uint8_t)(i * 7 % 3);
        memcpy(want3 + i * 3, pal + idx[i] * 3, 3);
    }
    m.len = 0;
    put8(&m, 0x60);
    put8(&m, 1);
    put8(&m, 2);
    put(&m, pal, 9);
    put_data(&m, 2, idx, sizeof idx);
    CHECK_MSG(decode(t, &m, 0, 0, 20, 10, &err), "3 colours: %s", err.message);
    CHECK(rect_is(fb, FW, 0, 0, 20, 10, want3, 0));
    /* Gradient on stream 3: residuals from the predictor left + above - above-left. */
    w = 30, h = 12;
    uint8_t *px = rgb_pattern(w, h, 5), *res = malloc((size_t)w * h * 3);
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++)
            for (int c = 0; c < 3; c++) {
                int a = j ? px[((j - 1) * w + i) * 3 + c] : 0;
                int l = i ? px[(j * w + i - 1) * 3 + c] : 0;
                int al = i && j ? px[((j - 1) * w + i - 1) * 3 + c] : 0;
                int est = l + a - al;
                est = est < 0 ? 0 : est > 255 ? 255 : est;
                res[(j * w + i) * 3 + c] = (uint8_t)(px[(j * w + i) * 3 + c] - est);
            }
    m.len = 0;
    put8(&m, 0x70);
    put8(&m, 2);
    put_data(&m, 3, res, (size_t)w * h * 3);
    CHECK_MSG(decode(t, &m, 30, 30, w, h, &err), "gradient: %s", err.message);
    CHECK(rect_is(fb, FW, 30, 30, w, h, px, 0));
    free(px);
    free(res);
    free(m.p);
    tightdec_free(t);
}

static void test_jpeg(void)
{
    int w = 32, h = 16;
    uint8_t *px = malloc((size_t)w * h * 3);
    for (int i = 0; i < w * h; i++)
        px[i * 3] = 200, px[i * 3 + 1] = (uint8_t)(i % w * 4), px[i * 3 + 2] = 60;
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    unsigned char *jpg = NULL;
    unsigned long jlen = 0;
    jpeg_mem_dest(&c, &jpg, &jlen);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 95, TRUE);
    jpeg_start_compress(&c, TRUE);
    for (int j = 0; j < h; j++) {
        JSAMPROW row = px + (size_t)j * w * 3;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    struct tightdec *t = tightdec_new();
    struct vv_error err;
    struct msg m = {0};
    put8(&m, 0x90);
    put_compact(&m, jlen);
    put(&m, jpg, jlen);
    memset(fb, 0, sizeof fb);
    CHECK_MSG(decode(t, &m, 8, 8, w, h, &err), "jpeg: %s", err.message);
    /* libjpeg's X byte is 0xFF: compare colours only. */
    int off = 0;
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++) {
            const uint8_t *d = fb + ((size_t)(8 + j) * FW + 8 + i) * 4, *s = px + (j * w + i) * 3;
            off += abs(d[0] - s[2]) > 12 || abs(d[1] - s[1]) > 12 || abs(d[2] - s[0]) > 12;
        }
    CHECK_EQ_INT(off, 0);
    /* A bad image (the header's size is not the rectangle's) is refused. */
    CHECK(!decode(t, &m, 0, 0, 16, 16, &err));
    CHECK_MSG(strstr(err.message, "JPEG image of 32x16 sent for a 16x16") != NULL, "%s",
              err.message);
    free(jpg);
    free(m.p);
    free(px);
    tightdec_free(t);
}

/* Stream resets: a fresh deflate stream is readable only after the reset bit. */
static void test_resets(void)
{
    reset_streams();
    struct tightdec *t = tightdec_new();
    struct vv_error err;
    struct msg m = {0};
    uint8_t *px = rgb_pattern(10, 10, 9);
    put8(&m, 0x10); /* stream 1 */
    put_data(&m, 1, px, 300);
    CHECK_MSG(decode(t, &m, 0, 0, 10, 10, &err), "%s", err.message);
    reset_streams();
    m.len = 0;
    put8(&m, 0x12); /* stream 1, reset stream 1 */
    put_data(&m, 1, px, 300);
    CHECK_MSG(decode(t, &m, 0, 0, 10, 10, &err), "after reset: %s", err.message);
    CHECK(rect_is(fb, FW, 0, 0, 10, 10, px, 0));
    reset_streams();
    m.len = 0;
    put8(&m, 0x11); /* stream 1, but stream 0 reset: a new zlib header mid-stream */
    put_data(&m, 1, px, 300);
    CHECK(!decode(t, &m, 0, 0, 10, 10, &err));
    CHECK_MSG(strstr(err.message, "the server's Tight rectangle 3 is corrupt (zlib") != NULL, "%s",
              err.message);
    free(px);
    free(m.p);
    tightdec_free(t);
}

/* A big rectangle is read in several pieces (never all at once) and decodes exactly. */
struct pieces {
    const uint8_t *p;
    size_t left, calls, largest;
};

static bool read_pieces(void *ctx, void *buf, size_t n)
{
    struct pieces *r = ctx;
    if (n > r->left)
        return false;
    memcpy(buf, r->p, n);
    r->p += n;
    r->left -= n;
    r->calls++;
    r->largest = n > r->largest ? n : r->largest;
    return true;
}

static void test_pieces(void)
{
    reset_streams();
    int w = 600, h = 300;
    uint8_t *big = calloc((size_t)w * h, 4), *px = malloc((size_t)w * h * 3);
    unsigned v = 12345;
    for (size_t i = 0; i < (size_t)w * h * 3; i++) {
        v = v * 1103515245u + 12345u;
        px[i] = (uint8_t)(v >> 16); /* noise: ~540 KB compressed */
    }
    struct msg m = {0};
    put8(&m, 0x00);
    put_data(&m, 0, px, (size_t)w * h * 3);
    struct tightdec *t = tightdec_new();
    struct vv_error err;
    struct pieces r = {m.p, m.len, 0, 0};
    CHECK_MSG(tightdec_read_rect(t, read_pieces, NULL, &r, big, w, h, 0, 0, w, h, &err), "%s",
              err.message);
    CHECK(r.left == 0 && r.calls > 8 && r.largest <= 64 * 1024);
    CHECK(rect_is(big, w, 0, 0, w, h, px, 0));
    /* The connection ending inside the data: VV_ERR_CLOSED. */
    r = (struct pieces){m.p, m.len / 2, 0, 0};
    struct tightdec *t2 = tightdec_new();
    CHECK(!tightdec_read_rect(t2, read_pieces, NULL, &r, big, w, h, 0, 0, w, h, &err));
    CHECK_EQ_INT(err.code, VV_ERR_CLOSED);
    tightdec_free(t2);
    tightdec_free(t);
    free(m.p);
    free(px);
    free(big);
}

/* A good copy rectangle first, then the bad one: refused with want in its sentence, the
 * framebuffer unchanged, and the decoder refusing everything after. */
static void expect_bad(const struct msg *m, int x, int y, int w, int h, const char *want)
{
    reset_streams();
    struct tightdec *t = tightdec_new();
    struct vv_error err;
    struct msg good = {0};
    uint8_t *px = rgb_pattern(4, 4, 1);
    put8(&good, 0x00);
    put_data(&good, 0, px, 48);
    CHECK(decode(t, &good, 0, 0, 4, 4, &err));
    static uint8_t before[sizeof fb];
    memcpy(before, fb, sizeof fb);
    CHECK_MSG(!decode(t, m, x, y, w, h, &err), "accepted, expected \"%s\"", want);
    CHECK_MSG(err.code == VV_ERR_PROTOCOL && strstr(err.message, want), "\"%s\", expected \"%s\"",
              err.message, want);
    CHECK_MSG(memcmp(before, fb, sizeof fb) == 0, "painted: %s", want);
    CHECK(!decode(t, &good, 0, 0, 4, 4, &err) && strstr(err.message, "already failed"));
    free(px);
    free(good.p);
    tightdec_free(t);
}

/* Filtered data of n bytes (pattern) after the header bytes hdr, compressed on stream 0 after
 * the good rectangle (the same stream state as in expect_bad). */
static void bad_data(struct msg *m, const char *hdr, size_t hlen, size_t n)
{
    reset_streams();
    uint8_t *px = rgb_pattern(4, 4, 1), *d = calloc(n + 1, 1);
    struct msg skip = {0};
    put_data(&skip, 0, px, 48);
    m->len = 0;
    put(m, hdr, hlen);
    put_data(m, 0, d, n);
    free(skip.p);
    free(px);
    free(d);
}

static void test_refused(void)
{
    struct msg m = {0};
    bad_data(&m, "\x00", 1, 20 * 10 * 3 - 1); /* short */
    expect_bad(&m, 5, 5, 20, 10,
               "the server's Tight rectangle 2 holds 599 bytes of copy-filtered pixels, 20x10 "
               "needs 600");
    bad_data(&m, "\x00", 1, 20 * 16 * 3); /* 16 rows for 10: too many rows */
    expect_bad(&m, 5, 5, 20, 10,
               "holds 960 bytes of copy-filtered pixels, 20x10 needs 600 (too "
               "many rows)");
    m.len = 0;
    put(&m, "\x00", 1);
    put(&m, "abcdefghijklmnopqrst", 20); /* 3x1: 9 raw bytes, then 11 more */
    expect_bad(&m, 0, 0, 3, 1, "the server's Tight rectangle 2 has 11 bytes past its end");
    m.len = 0;
    put(&m, "\x00\x05\x01\x02", 4);
    expect_bad(&m, 0, 0, 3, 1, "ends early (4 bytes)");
    m.len = 0;
    put(&m, "\x00\x0A\x78\x9c\xff\xff\xff\xff\xff\xff\xff\xff", 12); /* corrupt zlib */
    expect_bad(&m, 0, 0, 10, 10, "the server's Tight rectangle 2 is corrupt (zlib");
    /* 4 colours, index 7 at pixel 13. */
    uint8_t idx[16] = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 7, 1, 1};
    m.len = 0;
    put(&m, "\x40\x01\x03", 3);
    put(&m, "\x01\x01\x01\x02\x02\x02\x03\x03\x03\x04\x04\x04", 12);
    put_compact(&m, 0); /* replaced below */
    m.len--;
    reset_streams();
    {
        struct msg skip = {0};
        uint8_t *px = rgb_pattern(4, 4, 1);
        put_data(&skip, 0, px, 48);
        free(px);
        free(skip.p);
    }
    put_data(&m, 0, idx, 16);
    expect_bad(&m, 0, 0, 4, 4,
               "the server's Tight rectangle 2 uses palette index 7 at pixel 13, past its "
               "4-colour palette");
    m.len = 0;
    put(&m, "\x40\x01\x00\x01\x02\x03", 6);
    expect_bad(&m, 0, 0, 4, 4, "has a palette of 1 colour");
    m.len = 0;
    put(&m, "\x40\x03", 2);
    expect_bad(&m, 0, 0, 4, 4, "uses the unknown filter 3");
    m.len = 0;
    put(&m, "\xA0\x00", 2);
    expect_bad(&m, 0, 0, 4, 4, "has the invalid control byte 0xa0");
    m.len = 0;
    put(&m, "\x00\x00", 2);
    expect_bad(&m, 0, 0, 4, 4, "announces 0 bytes of data");
    m.len = 0;
    put(&m, "\x80\x01\x02\x03", 4);
    expect_bad(&m, 60, 0, 5, 1,
               "the server's Tight rectangle 2 (5x1 at 60,0) is outside its 64x48");
    expect_bad(&m, 0, 0, 0, 1, "(0x1 at 0,0) is outside");

    /* Gradient 2049 wide (the framebuffer is wide enough). */
    struct tightdec *t = tightdec_new();
    struct vv_error err;
    int w = 2049;
    uint8_t *wide = calloc((size_t)w * 2, 4), *zero = calloc((size_t)w * 2, 4);
    reset_streams();
    m.len = 0;
    put(&m, "\x40\x02", 2);
    uint8_t *d = calloc((size_t)w * 3, 1);
    put_data(&m, 0, d, (size_t)w * 3);
    CHECK(!tightdec_decode(t, m.p, m.len, wide, w, 2, 0, 1, w, 1, &err));
    CHECK_MSG(strstr(err.message, "the server's Tight rectangle 1 is 2049 pixels wide; the "
                                  "gradient filter takes at most 2048") != NULL,
              "%s", err.message);
    CHECK(memcmp(wide, zero, (size_t)w * 2 * 4) == 0);
    tightdec_free(t);
    free(d);
    free(wide);
    free(zero);
    free(m.p);
}

int main(void)
{
    test_fill_and_copy();
    test_palette_gradient();
    test_jpeg();
    test_resets();
    test_pieces();
    test_refused();
    for (int i = 0; i < 4; i++)
        deflateEnd(&zs[i]);
    return vv_test_finish();
}
