/* Hostile-server attacks on sizes, messages, rectangles and encodings, CPU amplification,
 * truncated streams and the endless flood. Each sends its bytes right after the scenario's valid
 * part (or in place of ServerInit) and returns false if the client went away first. */
#include "hostile_int.h"

#include "encodings.h"

#include <rfb/rfbproto.h>
#include <stdlib.h>
#include <string.h>

bool hostile_send_zeros(struct badsrv *srv, size_t n)
{
    static const uint8_t zeros[4096];
    while (n > 0) {
        size_t k = n < sizeof zeros ? n : sizeof zeros;
        if (!badsrv_send(srv, zeros, k))
            return false;
        n -= k;
    }
    return true;
}

bool hostile_send_one_rect(struct badsrv *srv, int x, int y, int w, int h, int32_t enc, size_t pad)
{
    return badsrv_send_update_header(srv, 1) && badsrv_send_rect_header(srv, x, y, w, h, enc) &&
           hostile_send_zeros(srv, pad);
}

/* n bytes of hostile_text, starting at byte 0. */
static bool send_text(struct badsrv *srv, size_t n)
{
    char buf[4096];
    for (size_t done = 0; done < n;) {
        size_t k = n - done < sizeof buf ? n - done : sizeof buf;
        for (size_t i = 0; i < k; i++)
            buf[i] = hostile_text(done + i);
        if (!badsrv_send(srv, buf, k))
            return false;
        done += k;
    }
    return true;
}

bool hostile_atk_init_size(struct hostile_run *r, const int32_t *p)
{
    return badsrv_send_server_init(hostile_srv(r), p[0], p[1], "hostile size");
}

bool hostile_atk_name_hard(struct hostile_run *r, const int32_t *p)
{
    /* The length alone must be refused: nothing of the name follows. */
    const struct hostile_scenario *sc = hostile_scenario_of(r);
    return badsrv_send_server_init_header(hostile_srv(r), sc->w, sc->h, (uint32_t)p[0]);
}

bool hostile_atk_name_soft(struct hostile_run *r, const int32_t *p)
{
    const struct hostile_scenario *sc = hostile_scenario_of(r);
    struct badsrv *srv = hostile_srv(r);
    return badsrv_send_server_init_header(srv, sc->w, sc->h, (uint32_t)p[0]) &&
           send_text(srv, (size_t)p[0]) && badsrv_wait_update_request(srv, 5000) &&
           hostile_send_pattern2(r);
}

bool hostile_atk_newfb(struct hostile_run *r, const int32_t *p)
{
    return hostile_send_one_rect(hostile_srv(r), 0, 0, p[0], p[1], rfbEncodingNewFBSize, 0);
}

bool hostile_atk_extdesk(struct hostile_run *r, const int32_t *p)
{
    /* One screen of the new size, as a server answering a resize would send it: screen count
     * and padding; screen id 1 at 0,0, its size, flags. p[2]: another width for the screen;
     * p[3]: another screen count (the body still holds one screen). */
    int sw = p[2] ? p[2] : p[0];
    uint8_t body[4 + 16] = {p[3] ? (uint8_t)p[3] : 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    body[12] = (uint8_t)(sw >> 8);
    body[13] = (uint8_t)sw;
    body[14] = (uint8_t)(p[1] >> 8);
    body[15] = (uint8_t)p[1];
    struct badsrv *srv = hostile_srv(r);
    return hostile_send_one_rect(srv, 0, 0, p[0], p[1], ENC_EXTDESKTOPSIZE, 0) &&
           badsrv_send(srv, body, sizeof body);
}

bool hostile_atk_msg(struct hostile_run *r, const int32_t *p)
{
    /* Zeros after the type: the sizes of msg 4 and 15 resizes, an empty TextChat... */
    return badsrv_send_u8(hostile_srv(r), (uint8_t)p[0]) &&
           hostile_send_zeros(hostile_srv(r), (size_t)p[1]);
}

bool hostile_atk_rect(struct hostile_run *r, const int32_t *p)
{
    /* The pixels it announces follow, as far as they are sane to send. */
    size_t n = (size_t)p[2] * (size_t)p[3] * 4;
    return hostile_send_one_rect(hostile_srv(r), p[0], p[1], p[2], p[3], rfbEncodingRaw,
                                 n < 65536 ? n : 65536);
}

bool hostile_atk_copy_from(struct hostile_run *r, const int32_t *p)
{
    struct badsrv *srv = hostile_srv(r);
    uint8_t src[4] = {(uint8_t)(p[0] >> 8), (uint8_t)p[0], (uint8_t)(p[1] >> 8), (uint8_t)p[1]};
    return hostile_send_one_rect(srv, 0, 0, 16, 8, rfbEncodingCopyRect, 0) &&
           badsrv_send(srv, src, sizeof src);
}

bool hostile_atk_encoding(struct hostile_run *r, const int32_t *p)
{
    /* A plausible rectangle: what follows would be its data. */
    return hostile_send_one_rect(hostile_srv(r), 0, 0, 16, 8, p[0], 256);
}

bool hostile_atk_cut(struct hostile_run *r, const int32_t *p)
{
    struct badsrv *srv = hostile_srv(r);
    uint8_t hdr[4] = {rfbServerCutText, 0, 0, 0};
    if (!badsrv_send(srv, hdr, sizeof hdr) || !badsrv_send_u32(srv, (uint32_t)p[0]) ||
        !send_text(srv, (size_t)p[1]))
        return false;
    return !(hostile_scenario_of(r)->flags & HOSTILE_BENIGN) || hostile_send_pattern2(r);
}

bool hostile_atk_cursor(struct hostile_run *r, const int32_t *p)
{
    int w = p[0], h = p[1];
    size_t size = (size_t)w * (size_t)h * 4 + (size_t)((w + 7) / 8) * (size_t)h;
    return hostile_send_one_rect(hostile_srv(r), p[2], p[3], w, h, rfbEncodingRichCursor,
                                 size < 65536 ? size : 65536);
}

bool hostile_atk_hextile_nofg(struct hostile_run *r, const int32_t *p)
{
    (void)p;
    /* AnySubrects without a foreground colour: libvncclient paints an uninitialised local. */
    const uint8_t tile[] = {rfbHextileAnySubrects, 1, 0x00, 0x33};
    struct badsrv *srv = hostile_srv(r);
    return hostile_send_one_rect(srv, 0, 0, 16, 16, rfbEncodingHextile, 0) &&
           badsrv_send(srv, tile, sizeof tile);
}

bool hostile_atk_amp_copyrect(struct hostile_run *r, const int32_t *p)
{
    const struct hostile_scenario *sc = hostile_scenario_of(r);
    struct badsrv *srv = hostile_srv(r);
    const uint8_t src[4] = {0, 0, 0, 0};
    if (!badsrv_send_update_header(srv, (unsigned)p[0]))
        return false;
    for (int i = 0; i < p[0]; i++)
        if (!badsrv_send_rect_header(srv, 0, 0, sc->w, sc->h, rfbEncodingCopyRect) ||
            !badsrv_send(srv, src, sizeof src))
            return false;
    return true;
}

bool hostile_atk_amp_rre(struct hostile_run *r, const int32_t *p)
{
    const struct hostile_scenario *sc = hostile_scenario_of(r);
    struct badsrv *srv = hostile_srv(r);
    /* Every subrectangle covers the whole rectangle: 30 bytes per desktop-sized fill. */
    uint8_t sub[12] = {0x20, 0x40, 0x80, 0, 0, 0, 0, 0};
    sub[8] = (uint8_t)(sc->w >> 8);
    sub[9] = (uint8_t)sc->w;
    sub[10] = (uint8_t)(sc->h >> 8);
    sub[11] = (uint8_t)sc->h;
    if (!hostile_send_one_rect(srv, 0, 0, sc->w, sc->h, rfbEncodingRRE, 0) ||
        !badsrv_send_u32(srv, (uint32_t)p[0]) || !hostile_send_zeros(srv, 4))
        return false;
    for (int i = 0; i < p[0]; i++)
        if (!badsrv_send(srv, sub, sizeof sub))
            return false;
    return true;
}

bool hostile_atk_truncated(struct hostile_run *r, const int32_t *p)
{
    const struct hostile_scenario *sc = hostile_scenario_of(r);
    struct badsrv *srv = hostile_srv(r);
    size_t half = (size_t)sc->w * (size_t)sc->h * 2;
    switch (p[0]) {
    case HOSTILE_TRUNC_PIXELS:
    case HOSTILE_TRUNC_RESET:
        if (!hostile_send_one_rect(srv, 0, 0, sc->w, sc->h, rfbEncodingRaw, half))
            return false;
        break;
    case HOSTILE_TRUNC_HEADER: {
        const uint8_t part[6] = {0, 0, 0, 0, 0, 8};
        if (!badsrv_send_update_header(srv, 2) ||
            !badsrv_send_rect_header(srv, 0, 0, 8, 8, rfbEncodingRaw) ||
            !hostile_send_zeros(srv, 8 * 8 * 4) || !badsrv_send(srv, part, sizeof part))
            return false;
        break;
    }
    }
    if (p[0] == HOSTILE_TRUNC_RESET)
        badsrv_reset(srv);
    else
        badsrv_close(srv);
    return true;
}

/* The flood's noise block. */
#define FLOOD_BLOCK_W 1024
#define FLOOD_BLOCK_H 512

/* One update of the flood. Plain (amplified false): a Tight fill of everything, a 2 MB noise
 * block, the top half copied down and the left half copied right: about 2.3 desktops of pixels.
 * Amplified: the fill and 7 desktop-sized CopyRects, exactly the guard's limit of 8 desktops. */
static bool flood_update(struct badsrv *srv, int w, int h, uint32_t k, const uint8_t *block, int bw,
                         int bh, bool amplified)
{
    const uint8_t fill[4] = {0x80, (uint8_t)(k * 40), (uint8_t)(k * 90 + 60), (uint8_t)(k * 20)};
    const uint8_t origin[4] = {0, 0, 0, 0}, right1[4] = {0, 1, 0, 0};
    if (!badsrv_send_update_header(srv, amplified ? 8 : 4) ||
        !badsrv_send_rect_header(srv, 0, 0, w, h, rfbEncodingTight) ||
        !badsrv_send(srv, fill, sizeof fill))
        return false;
    if (amplified) {
        for (int i = 0; i < 7; i++)
            if (!badsrv_send_rect_header(srv, 0, 0, w - 1, h, rfbEncodingCopyRect) ||
                !badsrv_send(srv, right1, sizeof right1))
                return false;
        return true;
    }
    int bx = (int)(k * 37u % (unsigned)(w - bw + 1)), by = (int)(k * 23u % (unsigned)(h - bh + 1));
    return badsrv_send_rect_header(srv, bx, by, bw, bh, rfbEncodingRaw) &&
           badsrv_send(srv, block, (size_t)bw * (size_t)bh * 4) &&
           badsrv_send_rect_header(srv, 0, h / 2, w, h / 2, rfbEncodingCopyRect) &&
           badsrv_send(srv, origin, sizeof origin) &&
           badsrv_send_rect_header(srv, w / 2, 0, w / 2, h, rfbEncodingCopyRect) &&
           badsrv_send(srv, origin, sizeof origin);
}

bool hostile_atk_flood(struct hostile_run *r, const int32_t *p)
{
    const struct hostile_scenario *sc = hostile_scenario_of(r);
    struct badsrv *srv = hostile_srv(r);
    int w = sc->w, h = sc->h;
    int bw = w < FLOOD_BLOCK_W ? w : FLOOD_BLOCK_W, bh = h < FLOOD_BLOCK_H ? h : FLOOD_BLOCK_H;
    uint8_t *block = malloc((size_t)bw * (size_t)bh * 4);
    if (!block)
        return false;
    uint32_t seed = 12345;
    for (size_t i = 0; i < (size_t)bw * (size_t)bh * 4; i++) { /* B,G,R,X */
        seed = seed * 1103515245u + 12345u;
        block[i] = (i & 3) == 3 ? 0 : (uint8_t)(seed >> 16);
    }
    /* Never reading would fill the client's send buffer and stall it: not this attack. */
    for (uint32_t k = 0; badsrv_drain(srv); k++) {
        if (!flood_update(srv, w, h, k, block, bw, bh, p[0] != 0))
            break;
        hostile_count_update(r);
    }
    free(block);
    return false; /* it only ends when the client has gone */
}
