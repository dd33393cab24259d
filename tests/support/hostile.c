/* Hostile-server scenarios: the table (what each sends and what the viewer must say about it)
 * and the script that serves one: handshake, a valid desktop and first update, then the
 * attack, then the connection held open until the client gives up on it. */
#include "hostile_int.h"

#include "encodings.h"
#include "error.h"
#include "plat.h"

#include <rfb/rfbproto.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ULTRAZIP ((int32_t)0xFFFF0009)
#define CLIP_HARD ((int32_t)(65 << 20))

/* Scenario table. Words are what the guard (viewer/guard*.c), the session's own checks
 * (session_*.c, zrle.c, jpegdec.c) or the pump (lost connections) actually say. */
#define PROTO VV_ERR_PROTOCOL
/* One scenario per row: name, summary; desktop, encodings, quality, end code, words;
 * flags, attack, its parameters (and what a benign one must deliver). */
/* clang-format off */
static const struct hostile_scenario scenarios[] = {
    /* Desktop sizes: ServerInit, NewFBSize, ExtDesktopSize (not offered), msg 4 and 15. */
    {"init-0x100", "ServerInit: 0x100 desktop",
     0, 0, NULL, -1, PROTO, {"0x100 desktop"},
     HOSTILE_AT_INIT, hostile_atk_init_size, {0, 100}, 0, 0},
    {"init-100x0", "ServerInit: 100x0 desktop",
     0, 0, NULL, -1, PROTO, {"100x0 desktop"},
     HOSTILE_AT_INIT, hostile_atk_init_size, {100, 0}, 0, 0},
    {"init-20000x100", "ServerInit: 20000x100 desktop",
     0, 0, NULL, -1, PROTO, {"20000x100 desktop", "16384x16384"},
     HOSTILE_AT_INIT, hostile_atk_init_size, {20000, 100}, 0, 0},
    {"init-65535x65535", "ServerInit: 65535x65535 desktop (16 GiB)",
     0, 0, NULL, -1, PROTO, {"65535x65535 desktop"},
     HOSTILE_AT_INIT, hostile_atk_init_size, {65535, 65535}, 0, 0},
    {"newfb-0x100", "NewFBSize to 0x100",
     32, 16, NULL, -1, PROTO, {"resized its desktop to 0x100"},
     0, hostile_atk_newfb, {0, 100}, 0, 0},
    {"newfb-100x0", "NewFBSize to 100x0",
     32, 16, NULL, -1, PROTO, {"resized its desktop to 100x0"},
     0, hostile_atk_newfb, {100, 0}, 0, 0},
    {"newfb-20000x100", "NewFBSize to 20000x100",
     32, 16, NULL, -1, PROTO, {"resized its desktop to 20000x100"},
     0, hostile_atk_newfb, {20000, 100}, 0, 0},
    {"newfb-65535x65535", "NewFBSize to 65535x65535",
     32, 16, NULL, -1, PROTO, {"resized its desktop to 65535x65535"},
     0, hostile_atk_newfb, {65535, 65535}, 0, 0},
    {"extdesk-0x100", "ExtendedDesktopSize to 0x100",
     32, 16, NULL, -1, PROTO, {"resized its desktop to 0x100"},
     0, hostile_atk_extdesk, {0, 100}, 0, 0},
    {"extdesk-65535x65535", "ExtendedDesktopSize to 65535x65535",
     32, 16, NULL, -1, PROTO, {"resized its desktop to 65535x65535"},
     0, hostile_atk_extdesk, {65535, 65535}, 0, 0},
    {"extdesk-screen-outside", "ExtendedDesktopSize: a 200x50 screen on a 100x50 desktop",
     32, 16, NULL, -1, PROTO, {"screen 1 as 200x50", "not inside its 100x50 desktop"},
     0, hostile_atk_extdesk, {100, 50, 200, 1}, 0, 0},
    {"extdesk-200-screens", "ExtendedDesktopSize with 200 screens",
     32, 16, NULL, -1, PROTO, {"200 screens", "at most 64"},
     0, hostile_atk_extdesk, {100, 50, 0, 200}, 0, 0},
    {"msg4-resize", "ResizeFrameBuffer message (type 4) to 0x0",
     32, 16, NULL, -1, PROTO, {"ResizeFrameBuffer message (type 4)", "never asks for"},
     0, hostile_atk_msg, {4, 5}, 0, 0},
    {"msg15-resize", "PalmVNC ReSizeFrameBuffer message (type 15) to 0x0",
     32, 16, NULL, -1, PROTO, {"PalmVNC ReSizeFrameBuffer message (type 15)"},
     0, hostile_atk_msg, {15, 11}, 0, 0},
    /* Rectangles outside the desktop. */
    {"rect-outside", "Raw rectangle 16x8 at 24,12 of a 32x16 desktop",
     32, 16, NULL, -1, PROTO, {"(Raw, 16x8 at 24,12) outside its 32x16 desktop"},
     0, hostile_atk_rect, {24, 12, 16, 8}, 0, 0},
    {"rect-huge", "Raw rectangle 65535x65535 at 0,0",
     32, 16, NULL, -1, PROTO, {"65535x65535 at 0,0) outside"},
     0, hostile_atk_rect, {0, 0, 65535, 65535}, 0, 0},
    {"copyrect-source-outside", "CopyRect from 30,10 of a 32x16 desktop",
     32, 16, NULL, -1, PROTO, {"copying from 30,10, outside its 32x16 desktop"},
     0, hostile_atk_copy_from, {30, 10}, 0, 0},
    /* Encodings that were not offered (the default list, or as noted). */
    {"enc-zywrle", "ZYWRLE rectangle",
     32, 16, NULL, -1, PROTO, {"encoding ZYWRLE in rectangle 1, which was not offered"},
     0, hostile_atk_encoding, {17}, 0, 0},
    {"enc-trle", "TRLE rectangle",
     32, 16, NULL, -1, PROTO, {"encoding TRLE in rectangle 1, which was not offered"},
     0, hostile_atk_encoding, {15}, 0, 0},
    {"enc-ultra", "Ultra rectangle (not in the default list)",
     32, 16, NULL, -1, PROTO, {"encoding Ultra in rectangle 1, which was not offered"},
     0, hostile_atk_encoding, {9}, 0, 0},
    {"enc-ultrazip", "UltraZip rectangle",
     32, 16, "ultra", -1, PROTO, {"encoding UltraZip in rectangle 1, which was not offered"},
     0, hostile_atk_encoding, {ULTRAZIP}, 0, 0},
    {"enc-rre", "RRE rectangle (not in the default list)",
     32, 16, NULL, -1, PROTO, {"encoding RRE in rectangle 1, which was not offered"},
     0, hostile_atk_encoding, {2}, 0, 0},
    {"enc-unknown", "rectangle in encoding 1234",
     32, 16, NULL, -1, PROTO, {"encoding 1234 in rectangle 1, which was not offered"},
     0, hostile_atk_encoding, {1234}, 0, 0},
    {"tight-jpeg-lossless", "Tight JPEG to a lossless client (snapshot; windows offer JPEG)",
     32, 16, NULL, -1, PROTO, {"JPEG was not offered"},
     0, hostile_atk_tight_jpeg, {16}, 0, 0},
    /* Messages: unknown, refused, TextChat. */
    {"msg-unknown", "message type 238",
     32, 16, NULL, -1, PROTO, {"unknown message type 238"},
     0, hostile_atk_msg, {238, 300}, 0, 0},
    {"msg-colourmap", "SetColourMapEntries (libvncclient's stub desyncs)",
     32, 16, NULL, -1, PROTO, {"SetColourMapEntries message (type 1)"},
     0, hostile_atk_msg, {1, 11}, 0, 0},
    {"textchat", "TextChat message (type 11)",
     32, 16, NULL, -1, PROTO, {"TextChat message (type 11)"},
     0, hostile_atk_msg, {11, 7}, 0, 0},
    /* Names, clipboards and cursors past their limits. */
    {"name-hard", "ServerInit announcing a 2 MiB desktop name",
     32, 16, NULL, -1, PROTO, {"desktop name of 2097152 bytes"},
     HOSTILE_AT_INIT, hostile_atk_name_hard, {2 << 20}, 0, 0},
    {"name-soft", "6000-byte desktop name: truncated to 4096, session goes on",
     32, 16, NULL, -1, VV_OK, {NULL},
     HOSTILE_AT_INIT | HOSTILE_BENIGN, hostile_atk_name_soft, {6000}, 4096, 0},
    {"cut-hard", "ServerCutText announcing 65 MiB",
     32, 16, NULL, -1, PROTO, {"clipboard of 65 MB"},
     0, hostile_atk_cut, {CLIP_HARD, 4096}, 0, 0},
    {"cut-soft", "1.5 MiB clipboard: truncated to 1 MiB - 1, session goes on",
     32, 16, NULL, -1, VV_OK, {NULL},
     HOSTILE_BENIGN, hostile_atk_cut, {3 << 19, 3 << 19}, 0, (1u << 20) - 1},
    {"cursor-huge", "1024x1024 RichCursor",
     32, 16, NULL, -1, PROTO, {"1024x1024 cursor", "at most 256x256"},
     0, hostile_atk_cursor, {1024, 1024, 0, 0}, 0, 0},
    {"cursor-hotspot", "16x16 RichCursor with its hotspot at 40,3",
     32, 16, NULL, -1, PROTO, {"hotspot at 40,3", "outside the cursor"},
     0, hostile_atk_cursor, {16, 16, 40, 3}, 0, 0},
    {"hextile-no-fg", "Hextile subrectangles before any foreground colour",
     32, 16, NULL, -1, PROTO, {"foreground colour it never set"},
     0, hostile_atk_hextile_nofg, {0}, 0, 0},
    /* Tight, Tight JPEG, ZRLE (hostile-servers F1, F5, F7, F8, F9 and Debian's patches). */
    {"tight-rows", "Tight rectangle of 2 rows whose data inflates to 16",
     32, 16, NULL, -1, PROTO, {"Tight rectangle 1 holds 1536 bytes of copy-filtered pixels, 32x2 needs 192 (too many rows)"},
     0, hostile_atk_tight_rows, {16}, 0, 0},
    {"tight-gradient-wide", "Tight gradient rectangle 2049 pixels wide",
     4096, 16, NULL, -1, PROTO, {"Tight rectangle 1 2049 pixels wide"},
     0, hostile_atk_tight_gradient, {0, 2049, 1}, 0, 0},
    {"tight-gradient-empty", "Tight gradient rectangle 0x1 at the right edge (F9)",
     32, 16, NULL, -1, PROTO, {"empty rectangle 1 (Tight, 0x1 at 32,15)"},
     0, hostile_atk_tight_gradient, {32, 0, 1}, 0, 0},
    {"tight-nozlib", "Tight \"no zlib\" control byte 0xA0 (F8)",
     32, 16, NULL, -1, PROTO, {"control byte 0xa0", "no zlib"},
     0, hostile_atk_tight_ctl, {0xA0}, 0, 0},
    {"tight-jpeg-marker", "Tight JPEG with an APP0 length past its data (F7)",
     32, 16, NULL, 5, PROTO, {"bad JPEG rectangle"},
     0, hostile_atk_tight_jpeg, {0xFFF0}, 0, 0},
    {"zrle-palette-index", "ZRLE packed tile with an index past its palette (F1)",
     32, 16, NULL, -1, PROTO, {"palette index past the palette"},
     0, hostile_atk_zrle, {HOSTILE_ZRLE_PALETTE_INDEX}, 0, 0},
    {"zrle-raw-long", "ZRLE raw tile longer than the data (F5)",
     128, 16, NULL, -1, PROTO, {"raw tile longer than the data"},
     0, hostile_atk_zrle, {HOSTILE_ZRLE_RAW_LONG}, 0, 0},
    {"zrle-reserved", "ZRLE tile in reserved subencoding 17 (F1)",
     32, 16, NULL, -1, PROTO, {"reserved tile subencoding"},
     0, hostile_atk_zrle, {HOSTILE_ZRLE_RESERVED}, 0, 0},
    /* CPU amplification at 3840x2160: nine desktops of pixels in one update. */
    {"amp-copyrect", "9 full-screen CopyRects at 3840x2160",
     3840, 2160, NULL, -1, PROTO, {"CPU amplification", "3840x2160 desktop"},
     0, hostile_atk_amp_copyrect, {9}, 0, 0},
    {"amp-fill", "9 full-screen Tight fills at 3840x2160",
     3840, 2160, NULL, -1, PROTO, {"CPU amplification", "3840x2160 desktop"},
     0, hostile_atk_amp_fill, {9}, 0, 0},
    {"amp-rre", "an RRE rectangle of 8 full-screen subrectangles at 3840x2160",
     3840, 2160, "rre copyrect raw", -1, PROTO, {"CPU amplification", "3840x2160 desktop"},
     0, hostile_atk_amp_rre, {8}, 0, 0},
    /* Truncated streams and the flood. */
    {"truncated-pixels", "closes after half of a Raw rectangle",
     32, 16, NULL, -1, VV_ERR_LOST, {"closed the connection in the middle of a message"},
     HOSTILE_CLOSES, hostile_atk_truncated, {HOSTILE_TRUNC_PIXELS}, 0, 0},
    {"truncated-header", "closes in the middle of a rectangle header",
     32, 16, NULL, -1, VV_ERR_LOST, {"closed the connection in the middle of a message"},
     HOSTILE_CLOSES, hostile_atk_truncated, {HOSTILE_TRUNC_HEADER}, 0, 0},
    {"truncated-reset", "resets the connection in the middle of a Raw rectangle",
     32, 16, NULL, -1, VV_ERR_LOST, {"lost", "reset"},
     HOSTILE_CLOSES, hostile_atk_truncated, {HOSTILE_TRUNC_RESET}, 0, 0},
    {"flood", "endless 1920x1080 updates (fill, 2 MB Raw, CopyRects) until the client leaves",
     1920, 1080, NULL, -1, VV_OK, {NULL},
     HOSTILE_ENDLESS, hostile_atk_flood, {0}, 0, 0},
    {"flood-4k", "endless 3840x2160 updates of 8 desktops of pixels each (the guard's limit)",
     3840, 2160, NULL, -1, VV_OK, {NULL},
     HOSTILE_ENDLESS, hostile_atk_flood, {1}, 0, 0},
};
/* clang-format on */
/* clang-format on */

const struct hostile_scenario *hostile_all(size_t *n)
{
    *n = sizeof scenarios / sizeof scenarios[0];
    return scenarios;
}

const struct hostile_scenario *hostile_find(const char *name)
{
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        if (strcmp(scenarios[i].name, name) == 0)
            return &scenarios[i];
    return NULL;
}

uint32_t hostile_pattern(int x, int y)
{
    return (uint32_t)(x * 5 & 255) << 16 | (uint32_t)(y * 3 & 255) << 8 |
           (uint32_t)((x * 11 + y * 7) & 255);
}

uint32_t hostile_pattern2(int x, int y)
{
    return hostile_pattern(x, y) ^ 0x00FF8040u;
}

uint32_t *hostile_pattern_pixels(int which, int w, int h)
{
    uint32_t *px = malloc((size_t)w * (size_t)h * 4 + 4);
    for (int y = 0; px && y < h; y++)
        for (int x = 0; x < w; x++)
            px[(size_t)y * (size_t)w + (size_t)x] =
                which == 2 ? hostile_pattern2(x, y) : hostile_pattern(x, y);
    return px;
}

char hostile_text(size_t i)
{
    return (char)('a' + i % 26);
}

struct hostile_run {
    const struct hostile_scenario *sc;
    struct badsrv *srv;  /* the test thread's handle */
    struct badsrv *conn; /* the same, as the script's thread received it */
    bool gated;
    atomic_bool attacked, sent;
    atomic_ullong updates;
};

struct badsrv *hostile_srv(struct hostile_run *r)
{
    return r->conn;
}

const struct hostile_scenario *hostile_scenario_of(const struct hostile_run *r)
{
    return r->sc;
}

void hostile_count_update(struct hostile_run *r)
{
    atomic_fetch_add(&r->updates, 1);
}

static bool send_update(struct hostile_run *r, int which)
{
    const struct hostile_scenario *sc = r->sc;
    uint32_t *px = hostile_pattern_pixels(which, sc->w, sc->h);
    bool ok = px && badsrv_send_raw_update(r->conn, 0, 0, sc->w, sc->h, px);
    free(px);
    return ok;
}

bool hostile_send_pattern2(struct hostile_run *r)
{
    return send_update(r, 2);
}

/* The valid part: ServerInit, the first update, and the client's request for the next. */
static bool valid_desktop(struct hostile_run *r)
{
    const struct hostile_scenario *sc = r->sc;
    char name[96];
    snprintf(name, sizeof name, "hostile %s", sc->name);
    if (!badsrv_send_server_init(r->conn, sc->w, sc->h, name) ||
        !badsrv_wait_update_request(r->conn, 5000))
        return false;
    bool ok;
    if (sc->flags & HOSTILE_ENDLESS) {
        /* A cheap first update: tests measure the flood's cost, not this one's. */
        uint32_t *px = hostile_pattern_pixels(1, 64, 64);
        ok = px && badsrv_send_raw_update(r->conn, 0, 0, 64, 64, px);
        free(px);
    } else {
        ok = send_update(r, 1);
    }
    if (!ok || !badsrv_wait_update_request(r->conn, 5000))
        return false;
    if (r->gated)
        return badsrv_wait_release(r->conn, HOSTILE_HOLD_MS);
    /* Ungated (hostilesrv): give the viewer time to show the frame before the attack. */
    struct timespec ts = {0, 300 * 1000000L};
    nanosleep(&ts, NULL);
    return true;
}

static void script(struct badsrv *srv, void *arg)
{
    struct hostile_run *r = arg;
    const struct hostile_scenario *sc = r->sc;
    r->conn = srv;
    if (!badsrv_handshake_none(srv, 8))
        return;
    if (!(sc->flags & HOSTILE_AT_INIT) && !valid_desktop(r))
        return;
    atomic_store(&r->attacked, true);
    if (!sc->attack(r, sc->p))
        return;
    atomic_store(&r->sent, true);
    if (!(sc->flags & HOSTILE_CLOSES))
        badsrv_hold(srv, HOSTILE_HOLD_MS); /* the client decides; the server waits */
}

struct hostile_run *hostile_start(const struct hostile_scenario *sc, bool gated)
{
    struct hostile_run *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->sc = sc;
    r->gated = gated;
    r->srv = badsrv_start(script, r);
    if (!r->srv) {
        free(r);
        return NULL;
    }
    return r;
}

int hostile_port(const struct hostile_run *r)
{
    return badsrv_port(r->srv);
}

void hostile_release(struct hostile_run *r)
{
    badsrv_release(r->srv);
}

bool hostile_wait_done(struct hostile_run *r, int timeout_ms)
{
    return badsrv_wait_done(r->srv, timeout_ms);
}

bool hostile_attacked(const struct hostile_run *r)
{
    return atomic_load(&r->attacked);
}

bool hostile_attack_sent(const struct hostile_run *r)
{
    return atomic_load(&r->sent);
}

uint64_t hostile_updates_sent(const struct hostile_run *r)
{
    return atomic_load(&r->updates);
}

void hostile_stop(struct hostile_run *r)
{
    if (!r)
        return;
    badsrv_stop(r->srv);
    free(r);
}
