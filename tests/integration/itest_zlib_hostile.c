/* Zlib and Ultra rectangles whose data holds fewer (or more) bytes of pixels than the rectangle
 * needs, from a scripted server: libvncclient 0.9.14 paints its whole w*h buffer anyway, so the
 * previous rectangle's pixels (or uninitialised heap) reach the screen. vncview must end the
 * session with a sentence saying what the server sent, and never show a pixel the server did
 * not send for that place. Well-formed rectangles (several per update, on one zlib stream) must
 * still be pixel-exact. */
#include "badsrv.h"
#include "encodings.h"
#include "vtclient.h"
#include "vv_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define W 32
#define H 16
#define HOLD_MS 15000
#define END_MS 6000

#define STALE 0xC0FFEEu /* what the first rectangle paints, later covered by Raw black */
#define FRESH 0x123456u /* what the bad rectangle holds */

enum scene {
    SHORT_AFTER_STALE, /* good rectangle, Raw black, then one that is short */
    SHORT_FIRST,       /* the first rectangle of the connection is short: uninitialised heap */
    LONG,              /* good rectangle, Raw black, then one that inflates to more */
    GOOD_PAIR,         /* two good rectangles in one update, then a third: all exact */
};

struct scene_arg {
    enum scene scene;
    int32_t enc; /* ENC_ZLIB or ENC_ULTRA */
    int rw, rh;  /* the bad rectangle (and the first good one) at 0,0 */
    bool served; /* the script got through everything it meant to send */
};

/* One rectangle of enc at x,y holding `bytes` of wire pixels (rgb repeated), its Zlib data on
 * the connection's deflate stream zs. */
static bool send_rect(struct badsrv *srv, z_stream *zs, int32_t enc, int x, int y, int w, int h,
                      uint32_t rgb, size_t bytes)
{
    size_t n = (bytes + 3) / 4;
    uint8_t *wire = malloc(n * 4 + 4), *packed = NULL;
    size_t packed_len = 0;
    bool ok = wire != NULL;
    for (size_t i = 0; ok && i < n; i++) { /* B, G, R, X */
        wire[i * 4] = (uint8_t)rgb;
        wire[i * 4 + 1] = (uint8_t)(rgb >> 8);
        wire[i * 4 + 2] = (uint8_t)(rgb >> 16);
        wire[i * 4 + 3] = 0;
    }
    ok = ok && badsrv_send_rect_header(srv, x, y, w, h, enc);
    if (ok && enc == ENC_ZLIB)
        ok = badsrv_deflate(zs, wire, bytes, &packed, &packed_len) &&
             badsrv_send_u32(srv, (uint32_t)packed_len) && badsrv_send(srv, packed, packed_len);
    else if (ok)
        ok = badsrv_send_ultra_data(srv, wire, bytes);
    free(packed);
    free(wire);
    return ok;
}

static bool raw_black(struct badsrv *srv)
{
    uint32_t px[W * H] = {0};
    return badsrv_wait_update_request(srv, 5000) && badsrv_send_raw_update(srv, 0, 0, W, H, px);
}

static void s_scene(struct badsrv *srv, void *arg)
{
    struct scene_arg *a = arg;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    bool zs_ok = deflateInit(&zs, 6) == Z_OK;
    z_stream *z = &zs;
    size_t need = (size_t)a->rw * (size_t)a->rh * 4;
    bool ok = zs_ok && badsrv_handshake_none(srv, 8) &&
              badsrv_send_server_init(srv, W, H, "hostile") &&
              badsrv_wait_update_request(srv, 5000);
    switch (a->scene) {
    case SHORT_AFTER_STALE:
    case LONG:
        ok = ok && badsrv_send_update_header(srv, 1) &&
             send_rect(srv, z, a->enc, 0, 0, a->rw, a->rh, STALE, need) && raw_black(srv) &&
             badsrv_wait_update_request(srv, 5000) && badsrv_send_update_header(srv, 1) &&
             send_rect(srv, z, a->enc, 0, 0, a->rw, a->rh, FRESH,
                       a->scene == LONG ? need + 16 : need / 2);
        break;
    case SHORT_FIRST:
        ok = ok && badsrv_send_update_header(srv, 1) &&
             send_rect(srv, z, a->enc, 0, 0, a->rw, a->rh, FRESH, need / 2);
        break;
    case GOOD_PAIR:
        /* Top half STALE, bottom half FRESH in one update, then the top half FRESH: three
         * rectangles on the same zlib stream. */
        ok = ok && badsrv_send_update_header(srv, 2) &&
             send_rect(srv, z, a->enc, 0, 0, a->rw, a->rh, STALE, need) &&
             send_rect(srv, z, a->enc, 0, a->rh, a->rw, a->rh, FRESH, need) &&
             badsrv_wait_update_request(srv, 5000) && badsrv_send_update_header(srv, 1) &&
             send_rect(srv, z, a->enc, 0, 0, a->rw, a->rh, FRESH, need);
        break;
    }
    a->served = ok;
    if (zs_ok)
        deflateEnd(&zs);
    if (ok)
        badsrv_hold(srv, HOLD_MS);
}

/* Pixels of the published frame equal to rgb. */
static long count_colour(struct vtclient *c, uint32_t rgb)
{
    struct session_frame f;
    if (!session_frame_lock(c->session, &f))
        return -1;
    long n = 0;
    for (int y = 0; y < f.height; y++)
        for (int x = 0; x < f.width; x++) {
            const uint8_t *p = f.pixels + (size_t)y * (size_t)f.stride + (size_t)x * 4;
            n += ((uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]) == rgb;
        }
    session_frame_unlock(c->session, false);
    return n;
}

static bool updates_at_least(struct vtclient *c, uint64_t n)
{
    struct session_frame f;
    if (!session_frame_lock(c->session, &f))
        return false;
    bool ok = f.updates >= n;
    session_frame_unlock(c->session, false);
    return ok;
}

static void run(const char *encodings, int32_t enc, enum scene scene, int rw, int rh,
                const char *want)
{
    const char *names[] = {"short after a good one", "short first", "long", "good pair"};
    struct scene_arg a = {.scene = scene, .enc = enc, .rw = rw, .rh = rh};
    struct badsrv *srv = badsrv_start(s_scene, &a);
    CHECK(srv != NULL);
    if (!srv)
        return;
    struct vtclient c = {0};
    struct session_config cfg = {.encodings = encodings, .lossless = true, .shared = true};
    CHECK(vtclient_start(&c, badsrv_port(srv), cfg));
    CHECK_MSG(vtclient_wait(&c, vtclient_is_connected, 5000), "%s %s: not connected: %s", encodings,
              names[scene], c.error.message);
    if (scene == GOOD_PAIR) {
        /* Two updates: top STALE + bottom FRESH, then top FRESH. */
        uint64_t deadline = 0;
        while (deadline < (uint64_t)END_MS &&
               !(updates_at_least(&c, 2) && count_colour(&c, FRESH) == (long)rw * rh * 2)) {
            struct timespec ts = {0, 20 * 1000000L};
            nanosleep(&ts, NULL);
            deadline += 20;
        }
        long fresh = count_colour(&c, FRESH);
        CHECK_MSG(fresh == (long)rw * rh * 2, "%s %s: %ld fresh pixels, want %d", encodings,
                  names[scene], fresh, rw * rh * 2);
        CHECK_MSG(!c.ended, "%s %s: ended: %s", encodings, names[scene], c.error.message);
    } else {
        bool ended = vtclient_wait(&c, vtclient_is_ended, END_MS);
        CHECK_MSG(ended, "%s %s: the session went on after a bad rectangle", encodings,
                  names[scene]);
        CHECK_MSG(ended && c.error.code == VV_ERR_PROTOCOL && strstr(c.error.message, want),
                  "%s %s: ended with \"%s\", want \"%s\"", encodings, names[scene], c.error.message,
                  want);
        if (ended)
            fprintf(stderr, "  %s\n", c.error.message);
        /* Nothing of the bad rectangle, and none of the earlier pixels the server had covered,
         * may be on screen: the frame is the Raw black one (or nothing was ever published). */
        long stale = count_colour(&c, STALE), fresh = count_colour(&c, FRESH);
        CHECK_MSG(stale <= 0 && fresh <= 0, "%s %s: %ld stale and %ld half-sent pixels on screen",
                  encodings, names[scene], stale, fresh);
        if (scene == SHORT_FIRST) {
            long black = count_colour(&c, 0);
            CHECK_MSG(black < 0 || black == (long)W * H,
                      "%s %s: %ld pixels other than black: uninitialised memory shown", encodings,
                      names[scene], (long)W * H - black);
        }
    }
    vtclient_stop(&c);
    badsrv_stop(srv);
    CHECK_MSG(a.served, "%s %s: the script did not get through", encodings, names[scene]);
    fprintf(stderr, "%-6s %-24s checked\n", encodings, names[scene]);
}

int main(void)
{
    char msg[200];
    run("zlib", ENC_ZLIB, GOOD_PAIR, W, H / 2, "");
    snprintf(msg, sizeof msg,
             "the server's Zlib rectangle 2 holds %d bytes of pixels, %dx%d needs %d", W * H * 2, W,
             H, W * H * 4);
    run("zlib", ENC_ZLIB, SHORT_AFTER_STALE, W, H, msg);
    snprintf(msg, sizeof msg,
             "the server's Zlib rectangle 1 holds %d bytes of pixels, %dx%d needs %d", W * H * 2, W,
             H, W * H * 4);
    run("zlib", ENC_ZLIB, SHORT_FIRST, W, H, msg);
    snprintf(msg, sizeof msg,
             "the server's Zlib rectangle 2 holds %d bytes of pixels, %dx%d needs %d",
             W * H * 4 + 16, W, H, W * H * 4);
    run("zlib", ENC_ZLIB, LONG, W, H, msg);

    /* Ultra: 8x4 rectangles (the scripted LZO stream is one literal run of at most 238 bytes). */
    run("ultra", ENC_ULTRA, GOOD_PAIR, 8, 4, "");
    run("ultra", ENC_ULTRA, SHORT_AFTER_STALE, 8, 4,
        "the server's Ultra rectangle 2 holds 64 bytes of pixels, 8x4 needs 128");
    run("ultra", ENC_ULTRA, SHORT_FIRST, 8, 4,
        "the server's Ultra rectangle 1 holds 64 bytes of pixels, 8x4 needs 128");
    run("ultra", ENC_ULTRA, LONG, 8, 4,
        "the server's Ultra rectangle 2 holds 144 bytes of pixels, 8x4 needs 128");
    return vv_test_finish();
}
