/* Scripted RFB server: pieces of server messages (update and rectangle headers, pixels, Tight
 * compact lengths, zlib data) for streams that are well-formed only up to the point a test
 * chooses. */
#include "badsrv.h"

#include <rfb/rfbproto.h>
#include <stdlib.h>

bool badsrv_send_update_header(struct badsrv *srv, unsigned nrects)
{
    uint8_t h[4] = {rfbFramebufferUpdate, 0, (uint8_t)(nrects >> 8), (uint8_t)nrects};
    return badsrv_send(srv, h, sizeof h);
}

bool badsrv_send_rect_header(struct badsrv *srv, int x, int y, int w, int h, int32_t enc)
{
    uint32_t e = (uint32_t)enc;
    uint8_t r[12] = {
        (uint8_t)(x >> 8),  (uint8_t)x,         (uint8_t)(y >> 8), (uint8_t)y,
        (uint8_t)(w >> 8),  (uint8_t)w,         (uint8_t)(h >> 8), (uint8_t)h,
        (uint8_t)(e >> 24), (uint8_t)(e >> 16), (uint8_t)(e >> 8), (uint8_t)e,
    };
    return badsrv_send(srv, r, sizeof r);
}

bool badsrv_send_pixels(struct badsrv *srv, const uint32_t *rgb, size_t n)
{
    uint8_t buf[4096];
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        buf[used++] = (uint8_t)rgb[i];
        buf[used++] = (uint8_t)(rgb[i] >> 8);
        buf[used++] = (uint8_t)(rgb[i] >> 16);
        buf[used++] = 0;
        if (used == sizeof buf) {
            if (!badsrv_send(srv, buf, used))
                return false;
            used = 0;
        }
    }
    return used == 0 || badsrv_send(srv, buf, used);
}

bool badsrv_send_compact_len(struct badsrv *srv, uint32_t len)
{
    uint8_t b[3];
    size_t n = 0;
    b[n++] = (uint8_t)(len & 0x7F);
    if (len > 0x7F) {
        b[0] |= 0x80;
        b[n++] = (uint8_t)((len >> 7) & 0x7F);
        if (len > 0x3FFF) {
            b[1] |= 0x80;
            b[n++] = (uint8_t)(len >> 14);
        }
    }
    return badsrv_send(srv, b, n);
}

bool badsrv_deflate(z_stream *zs, const void *in, size_t n, uint8_t **out, size_t *out_len)
{
    size_t cap = deflateBound(zs, (uLong)n) + 64;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return false;
    zs->next_in = (Bytef *)in;
    zs->avail_in = (uInt)n;
    zs->next_out = buf;
    zs->avail_out = (uInt)cap;
    int rc = deflate(zs, Z_SYNC_FLUSH);
    if (rc != Z_OK || zs->avail_in != 0) {
        free(buf);
        return false;
    }
    *out = buf;
    *out_len = cap - zs->avail_out;
    return true;
}
