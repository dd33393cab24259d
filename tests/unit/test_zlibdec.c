/* Unit tests for viewer/zlibdec: rectangles on one zlib stream decode exactly however their data
 * is split; data that inflates to fewer or more bytes than w*h*4, corrupt data and an ended
 * stream are refused with a sentence, and nothing is painted then. */
#include "zlibdec.h"

#include "vv_test.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define FW 40
#define FH 30

static uint8_t fb[FW * FH * 4];

/* The server side: one deflate stream for the connection, sync-flushed per rectangle. */
static uint8_t *deflate_rect(z_stream *zs, const uint8_t *raw, size_t n, size_t *len, int flush)
{
    size_t cap = deflateBound(zs, (uLong)n) + 64;
    uint8_t *out = malloc(cap);
    zs->next_in = (Bytef *)raw;
    zs->avail_in = (uInt)n;
    zs->next_out = out;
    zs->avail_out = (uInt)cap;
    int rc = deflate(zs, flush);
    CHECK(rc == Z_OK || rc == Z_STREAM_END || (rc == Z_BUF_ERROR && n == 0));
    *len = cap - zs->avail_out;
    return out;
}

static uint8_t *pixels(int w, int h, unsigned seed)
{
    uint8_t *p = malloc((size_t)w * h * 4);
    for (size_t i = 0; i < (size_t)w * h * 4; i++)
        p[i] = (uint8_t)((i * 7 + seed * 31) ^ (i >> 5));
    return p;
}

static bool rect_equals(int x, int y, int w, int h, const uint8_t *want)
{
    for (int j = 0; j < h; j++)
        if (memcmp(fb + ((size_t)(y + j) * FW + x) * 4, want + (size_t)j * w * 4, (size_t)w * 4))
            return false;
    return true;
}

/* Three rectangles on one stream, the second fed one byte at a time. */
static void test_exact(void)
{
    z_stream zs = {0};
    deflateInit(&zs, 6);
    struct zlibdec *z = zlibdec_new();
    struct vv_error err;
    const int rects[3][4] = {{0, 0, FW, FH}, {3, 4, 17, 9}, {39, 29, 1, 1}};
    for (int r = 0; r < 3; r++) {
        int x = rects[r][0], y = rects[r][1], w = rects[r][2], h = rects[r][3];
        uint8_t *px = pixels(w, h, (unsigned)r);
        size_t len;
        uint8_t *data = deflate_rect(&zs, px, (size_t)w * h * 4, &len, Z_SYNC_FLUSH);
        bool ok;
        if (r == 1) {
            ok = zlibdec_begin(z, w, h, &err);
            for (size_t i = 0; ok && i < len; i++)
                ok = zlibdec_feed(z, data + i, 1, &err);
            ok = ok && zlibdec_finish(z, fb, FW * 4, x, y, &err);
        } else {
            ok = zlibdec_decode(z, data, len, fb, FW * 4, x, y, w, h, &err);
        }
        CHECK_MSG(ok, "rectangle %d: %s", r, err.message);
        CHECK_MSG(rect_equals(x, y, w, h, px), "rectangle %d: pixels differ", r);
        free(px);
        free(data);
    }
    zlibdec_free(z);
    deflateEnd(&zs);
}

/* One good rectangle, then `bytes` of pixels for a w x h rectangle (flush as given): the
 * sentence must contain want, and the framebuffer must not change. */
static void refused(size_t bytes, int flush, const char *want, const uint8_t *tail, size_t tail_len)
{
    z_stream zs = {0};
    deflateInit(&zs, 6);
    struct zlibdec *z = zlibdec_new();
    struct vv_error err;
    uint8_t *px = pixels(8, 4, 1);
    size_t len;
    uint8_t *data = deflate_rect(&zs, px, 8 * 4 * 4, &len, Z_SYNC_FLUSH);
    CHECK(zlibdec_decode(z, data, len, fb, FW * 4, 0, 0, 8, 4, &err));
    free(data);
    free(px);
    uint8_t *big = pixels(1, (int)(bytes / 4 + 1), 2);
    data = deflate_rect(&zs, big, bytes, &len, flush);
    if (tail) { /* bytes after the compressed data */
        data = realloc(data, len + tail_len);
        memcpy(data + len, tail, tail_len);
        len += tail_len;
    }
    uint8_t before[sizeof fb];
    memcpy(before, fb, sizeof fb);
    bool ok = zlibdec_decode(z, data, len, fb, FW * 4, 0, 0, 16, 8, &err);
    CHECK_MSG(!ok, "%s: accepted", want);
    CHECK_MSG(!ok && err.code == VV_ERR_PROTOCOL && strstr(err.message, want),
              "\"%s\", want \"%s\"", err.message, want);
    CHECK_MSG(memcmp(before, fb, sizeof fb) == 0, "%s: the framebuffer changed", want);
    /* The decoder is spent: a later rectangle is refused too. */
    CHECK(!zlibdec_begin(z, 1, 1, &err));
    free(big);
    free(data);
    zlibdec_free(z);
    deflateEnd(&zs);
}

static void test_refused(void)
{
    refused(16 * 8 * 4 / 2, Z_SYNC_FLUSH,
            "the server's Zlib rectangle 2 holds 256 bytes of pixels, 16x8 needs 512", NULL, 0);
    refused(0, Z_SYNC_FLUSH, "the server's Zlib rectangle 2 holds 0 bytes of pixels", NULL, 0);
    refused(16 * 8 * 4 + 16, Z_SYNC_FLUSH,
            "the server's Zlib rectangle 2 holds 528 bytes of pixels, 16x8 needs 512", NULL, 0);
    refused(16 * 8 * 4 + (2u << 20), Z_SYNC_FLUSH,
            "the server's Zlib rectangle 2 holds more than 1049088 bytes of pixels", NULL, 0);
    refused(16 * 8 * 4, Z_FINISH, "the server ended its Zlib stream in rectangle 2", NULL, 0);
    static const uint8_t junk[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    refused(16 * 8 * 4 - 4, Z_SYNC_FLUSH, "the server's Zlib rectangle 2 is corrupt (zlib:", junk,
            sizeof junk);
}

/* A rectangle that is all of the data's output but arrives short: truncated mid-block. */
static void test_truncated(void)
{
    z_stream zs = {0};
    deflateInit(&zs, 6);
    struct zlibdec *z = zlibdec_new();
    struct vv_error err;
    uint8_t *px = pixels(16, 8, 3);
    size_t len;
    uint8_t *data = deflate_rect(&zs, px, 16 * 8 * 4, &len, Z_SYNC_FLUSH);
    CHECK(!zlibdec_decode(z, data, len / 2, fb, FW * 4, 0, 0, 16, 8, &err));
    CHECK_MSG(strstr(err.message, "the server's Zlib rectangle 1 holds ") &&
                  strstr(err.message, "16x8 needs 512"),
              "%s", err.message);
    free(px);
    free(data);
    zlibdec_free(z);
    deflateEnd(&zs);
}

int main(void)
{
    test_exact();
    test_refused();
    test_truncated();
    return vv_test_finish();
}
