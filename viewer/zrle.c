/* ZRLE (RFC 6143 7.7.6) for 32bpp depth 24 little-endian clients: CPIXELs are 3 bytes B,G,R.
 * The rectangle's data is inflated into a bounded buffer first, then the tiles are walked with
 * a cursor that never reads past what was inflated. */
#include "zrle.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define TILE 64
/* A ZRLE rectangle's compressed data is bounded by the guard; this bounds what it inflates to. */

struct zrle {
    z_stream zs;
    bool zs_ready;
    uint8_t *out;
    size_t out_cap;
};

struct zrle *zrle_new(void)
{
    return calloc(1, sizeof(struct zrle));
}

void zrle_free(struct zrle *z)
{
    if (!z)
        return;
    if (z->zs_ready)
        inflateEnd(&z->zs);
    free(z->out);
    free(z);
}

struct reader {
    const uint8_t *p;
    size_t left;
};

static bool take(struct reader *r, size_t n, const uint8_t **out)
{
    if (r->left < n)
        return false;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static uint32_t cpixel(const uint8_t *c)
{
    return (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16;
}

/* Run length: bytes of 255 continue, the first byte below 255 ends; length = sum + 1. */
static bool run_length(struct reader *r, size_t max, size_t *len)
{
    size_t n = 1;
    for (;;) {
        const uint8_t *b;
        if (!take(r, 1, &b))
            return false;
        n += *b;
        if (n > max)
            return false;
        if (*b != 255)
            break;
    }
    *len = n;
    return true;
}

static void put(uint8_t *fb, int stride, int x, int y, uint32_t px)
{
    memcpy(fb + (size_t)y * (size_t)stride + (size_t)x * 4, &px, 4);
}

static bool tile(struct reader *r, uint8_t *fb, int stride, int tx, int ty, int tw, int th,
                 const char **why)
{
    const uint8_t *b;
    if (!take(r, 1, &b)) {
        *why = "truncated tile";
        return false;
    }
    unsigned sub = *b;
    size_t npx = (size_t)tw * (size_t)th;
    uint32_t palette[128];
    unsigned psize = 0;
    if (sub == 0) { /* raw */
        const uint8_t *px;
        if (!take(r, npx * 3, &px)) {
            *why = "raw tile longer than the data";
            return false;
        }
        for (int j = 0; j < th; j++)
            for (int i = 0; i < tw; i++)
                put(fb, stride, tx + i, ty + j, cpixel(px + ((size_t)j * (size_t)tw + i) * 3));
        return true;
    }
    if (sub == 1) { /* solid */
        const uint8_t *px;
        if (!take(r, 3, &px)) {
            *why = "truncated solid tile";
            return false;
        }
        uint32_t c = cpixel(px);
        for (int j = 0; j < th; j++)
            for (int i = 0; i < tw; i++)
                put(fb, stride, tx + i, ty + j, c);
        return true;
    }
    if ((sub >= 17 && sub <= 127) || sub == 129) {
        *why = "reserved tile subencoding";
        return false;
    }
    psize = sub <= 16 ? sub : (sub >= 130 ? sub - 128 : 0);
    for (unsigned i = 0; i < psize; i++) {
        const uint8_t *px;
        if (!take(r, 3, &px)) {
            *why = "truncated palette";
            return false;
        }
        palette[i] = cpixel(px);
    }
    if (sub <= 16) { /* packed palette: 1, 2 or 4 bits per index, rows padded to bytes */
        unsigned bits = psize <= 2 ? 1 : psize <= 4 ? 2 : 4;
        size_t row_bytes = ((size_t)tw * bits + 7) / 8;
        for (int j = 0; j < th; j++) {
            const uint8_t *row;
            if (!take(r, row_bytes, &row)) {
                *why = "packed tile longer than the data";
                return false;
            }
            for (int i = 0; i < tw; i++) {
                size_t bit = (size_t)i * bits;
                unsigned idx = (row[bit / 8] >> (8 - bits - bit % 8)) & ((1u << bits) - 1);
                if (idx >= psize) {
                    *why = "palette index past the palette";
                    return false;
                }
                put(fb, stride, tx + i, ty + j, palette[idx]);
            }
        }
        return true;
    }
    /* RLE: plain (128) or with a palette (130-255). */
    size_t done = 0;
    while (done < npx) {
        uint32_t c;
        size_t len = 1;
        if (sub == 128) {
            const uint8_t *px;
            if (!take(r, 3, &px)) {
                *why = "truncated run";
                return false;
            }
            c = cpixel(px);
            if (!run_length(r, npx - done, &len)) {
                *why = "run longer than the tile";
                return false;
            }
        } else {
            const uint8_t *ib;
            if (!take(r, 1, &ib)) {
                *why = "truncated run";
                return false;
            }
            unsigned idx = *ib & 0x7F;
            if (idx >= psize) {
                *why = "palette index past the palette";
                return false;
            }
            c = palette[idx];
            if ((*ib & 0x80) && !run_length(r, npx - done, &len)) {
                *why = "run longer than the tile";
                return false;
            }
        }
        for (size_t k = 0; k < len; k++, done++)
            put(fb, stride, tx + (int)(done % (size_t)tw), ty + (int)(done / (size_t)tw), c);
    }
    return true;
}

/* Inflates exactly the rectangle's data; the output may not exceed what any valid encoding of
 * a w*h rectangle needs (plain RLE of single pixels: 4 bytes per pixel, plus tile headers and
 * palettes). */
static bool inflate_rect(struct zrle *z, const uint8_t *data, size_t len, int w, int h,
                         size_t *out_len, struct vv_error *err)
{
    size_t tiles = ((size_t)(w + TILE - 1) / TILE) * ((size_t)(h + TILE - 1) / TILE);
    size_t bound = (size_t)w * (size_t)h * 4 + tiles * (1 + 127 * 3) + 64;
    if (z->out_cap < bound) {
        uint8_t *n = realloc(z->out, bound);
        if (!n) {
            vv_error_set(err, VV_ERR_GENERIC, "out of memory decoding ZRLE");
            return false;
        }
        z->out = n;
        z->out_cap = bound;
    }
    if (!z->zs_ready) {
        memset(&z->zs, 0, sizeof z->zs);
        if (inflateInit(&z->zs) != Z_OK) {
            vv_error_set(err, VV_ERR_GENERIC, "cannot start zlib");
            return false;
        }
        z->zs_ready = true;
    }
    z->zs.next_in = (Bytef *)data;
    z->zs.avail_in = (uInt)len;
    z->zs.next_out = z->out;
    z->zs.avail_out = (uInt)bound;
    while (z->zs.avail_in > 0) {
        int rc = inflate(&z->zs, Z_SYNC_FLUSH);
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            vv_error_set(err, VV_ERR_PROTOCOL, "the server sent corrupt ZRLE data (zlib: %s)",
                         z->zs.msg ? z->zs.msg : "error");
            return false;
        }
        if (z->zs.avail_out == 0 && z->zs.avail_in > 0) {
            vv_error_set(err, VV_ERR_PROTOCOL,
                         "a %dx%d ZRLE rectangle inflates to more than it can hold", w, h);
            return false;
        }
        if (rc == Z_BUF_ERROR)
            break;
    }
    *out_len = bound - z->zs.avail_out;
    return true;
}

bool zrle_decode(struct zrle *z, const uint8_t *data, size_t len, uint8_t *fb, int stride, int x,
                 int y, int w, int h, struct vv_error *err)
{
    size_t out_len;
    if (w <= 0 || h <= 0) {
        vv_error_set(err, VV_ERR_PROTOCOL, "an empty %dx%d ZRLE rectangle", w, h);
        return false;
    }
    if (!inflate_rect(z, data, len, w, h, &out_len, err))
        return false;
    struct reader r = {z->out, out_len};
    for (int ty = 0; ty < h; ty += TILE)
        for (int tx = 0; tx < w; tx += TILE) {
            int tw = w - tx < TILE ? w - tx : TILE, th = h - ty < TILE ? h - ty : TILE;
            const char *why = "";
            if (!tile(&r, fb, stride, x + tx, y + ty, tw, th, &why)) {
                vv_error_set(err, VV_ERR_PROTOCOL,
                             "the server sent a bad ZRLE tile at %d,%d in a %dx%d rectangle: %s",
                             x + tx, y + ty, w, h, why);
                return false;
            }
        }
    return true;
}
