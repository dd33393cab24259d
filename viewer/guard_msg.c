/* Stream guard, messages: ServerInit, message types, FramebufferUpdate and rectangle headers,
 * pseudo-encodings (cursors, resizes, LastRect...), clipboard and desktop-name truncation. */
#include "guard_int.h"

#include "encodings.h"

#include <stdio.h>
#include <string.h>

enum {
    MSG_FRAMEBUFFER_UPDATE = 0,
    MSG_BELL = 2,
    MSG_SERVER_CUT_TEXT = 3,
};

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static void expect(struct guard *g, enum guard_phase phase, size_t need)
{
    g->phase = phase;
    g->need = need;
}

void guard_next_rect(struct guard *g)
{
    if (--g->rects_left == 0) {
        g->st.updates++;
        expect(g, GP_MSG, 1);
    } else {
        expect(g, GP_RECT, 12);
    }
}

bool guard_add_area(struct guard *g, uint64_t pixels)
{
    g->area += pixels;
    if (g->area > g->area_limit)
        /* "the server sent": the pump puts the server's address after "the server". */
        return guard_fail(g,
                          "the server sent more to paint than one update may (CPU amplification): "
                          "the update paints %llu pixels by rectangle %u, more than %llu times "
                          "its %ux%u desktop",
                          (unsigned long long)g->area, g->rect_no,
                          (unsigned long long)g->lim.max_update_area_factor, g->fb_w, g->fb_h);
    return true;
}

/* factor * w * h, saturated: the limits are the caller's to choose. */
static uint64_t area_limit(const struct guard *g, uint32_t w, uint32_t h)
{
    uint64_t a = (uint64_t)w * h, f = g->lim.max_update_area_factor;
    return a != 0 && f > UINT64_MAX / a ? UINT64_MAX : a * f;
}

/* "4 MB (4194304 bytes)": sizes a user can read in a message. */
static const char *size_text(uint64_t n, char *buf, size_t size)
{
    if (n >= 10u << 20)
        snprintf(buf, size, "%llu MB (%llu bytes)", (unsigned long long)(n >> 20),
                 (unsigned long long)n);
    else
        snprintf(buf, size, "%llu bytes", (unsigned long long)n);
    return buf;
}

static bool dims_ok(const struct guard *g, uint32_t w, uint32_t h)
{
    return w >= 1 && h >= 1 && w <= (uint32_t)g->lim.max_width && h <= (uint32_t)g->lim.max_height;
}

static bool handle_serverinit(struct guard *g)
{
    const uint8_t *h = g->hdr;
    uint32_t w = guard_be16(h), ht = guard_be16(h + 2), bpp = h[4], name = guard_be32(h + 20);
    if (!dims_ok(g, w, ht))
        return guard_fail(g, "the server announced a %ux%u desktop; vncview accepts 1x1 to %dx%d",
                          w, ht, g->lim.max_width, g->lim.max_height);
    /* The client sets its own format at once, but a bpp outside 8/16/32 is garbage. */
    if (bpp != 8 && bpp != 16 && bpp != 32)
        return guard_fail(g,
                          "the server announced %u bits per pixel in ServerInit (8, 16 or 32 "
                          "expected): this is not a VNC server speaking RFB",
                          bpp);
    if (name > GUARD_NAME_HARD) {
        char sz[64];
        return guard_fail(g, "the server announced a desktop name of %s",
                          size_text(name, sz, sizeof sz));
    }
    g->fb_w = w;
    g->fb_h = ht;
    g->pass = name;
    if (name > g->lim.max_name) {
        put_be32(g->hdr + 20, g->lim.max_name);
        g->patched = true;
        g->pass = g->lim.max_name;
        g->drop = name - g->lim.max_name;
        g->st.cut_bytes_dropped += g->drop;
    }
    guard_emit(g);
    expect(g, GP_MSG, 1);
    return true;
}

static const char *refused_message(unsigned type)
{
    switch (type) {
    case 1:
        return "SetColourMapEntries";
    case 4:
        return "ResizeFrameBuffer";
    case 11:
        return "TextChat";
    case 15:
        return "PalmVNC ReSizeFrameBuffer";
    case 150:
        return "EndOfContinuousUpdates";
    case 248:
        return "ServerFence";
    case 250:
        return "xvp";
    case 252:
        return "tight file transfer";
    case 253:
        return "gii";
    case 255:
        return "QEMU";
    }
    return NULL;
}

static bool handle_cut_text(struct guard *g)
{
    uint32_t len = guard_be32(g->hdr + 4);
    char sz[64], lim[64];
    if (len > g->lim.max_cut_text_hard)
        return guard_fail(g, "the server sent a clipboard of %s (limit %s)",
                          size_text(len, sz, sizeof sz),
                          size_text(g->lim.max_cut_text_hard, lim, sizeof lim));
    g->st.cut_texts++;
    g->pass = len;
    if (len > g->lim.max_cut_text) {
        /* libvncclient would end the session: forward the beginning only. */
        put_be32(g->hdr + 4, g->lim.max_cut_text);
        g->patched = true;
        g->pass = g->lim.max_cut_text;
        g->drop = len - g->lim.max_cut_text;
        g->st.cut_bytes_dropped += g->drop;
    }
    guard_emit(g);
    expect(g, GP_MSG, 1);
    return true;
}

static bool handle_msg(struct guard *g)
{
    unsigned type = g->hdr[0];
    if (g->have == 1)
        g->st.messages++;
    switch (type) {
    case MSG_FRAMEBUFFER_UPDATE:
        if (g->have < 4) {
            g->need = 4;
            return true;
        }
        g->rects_left = guard_be16(g->hdr + 2);
        g->rect_no = 0;
        g->area = 0;
        g->area_limit = area_limit(g, g->fb_w, g->fb_h);
        guard_emit(g);
        if (g->rects_left == 0) {
            g->st.updates++;
            expect(g, GP_MSG, 1);
        } else {
            expect(g, GP_RECT, 12);
        }
        return true;
    case MSG_BELL:
        g->st.bells++;
        guard_emit(g);
        expect(g, GP_MSG, 1);
        return true;
    case MSG_SERVER_CUT_TEXT:
        if (g->have < 8) {
            g->need = 8;
            return true;
        }
        return handle_cut_text(g);
    }
    const char *name = refused_message(type);
    if (name)
        return guard_fail(g, "the server sent a %s message (type %u), which vncview never asks for",
                          name, type);
    return guard_fail(g, "the server sent unknown message type %u", type);
}

static const char *pseudo_name(int32_t enc)
{
    switch (enc) {
    case ENC_RICHCURSOR:
        return "RichCursor";
    case ENC_XCURSOR:
        return "XCursor";
    case ENC_LASTRECT:
        return "LastRect";
    case ENC_NEWFBSIZE:
        return "NewFBSize";
    case ENC_QEMU_EXTKEY:
        return "QEMU extended key event";
    case ENC_KBD_LED:
        return "keyboard LED state";
    case ENC_EXTDESKTOPSIZE:
        return "ExtendedDesktopSize";
    case ENC_POINTERPOS:
        return "PointerPos";
    case ENC_SUPPORTED_MESSAGES:
        return "SupportedMessages";
    case ENC_SUPPORTED_ENCODINGS:
        return "SupportedEncodings";
    case ENC_SERVER_IDENTITY:
        return "ServerIdentity";
    case -307:
        return "DesktopName";
    case -312:
        return "Fence";
    case -313:
        return "ContinuousUpdates";
    }
    if (enc >= ENC_COMPRESS_0 && enc <= ENC_COMPRESS_0 + 9)
        return "CompressLevel";
    if (enc >= ENC_QUALITY_0 && enc <= ENC_QUALITY_0 + 9)
        return "QualityLevel";
    return enc_name(enc);
}

static bool not_offered(struct guard *g, int32_t enc)
{
    const char *name = pseudo_name(enc);
    char num[16];
    if (strncmp(name, "encoding ", 9) == 0) { /* no name: the number alone */
        snprintf(num, sizeof num, "%d", (int)enc);
        name = num;
    }
    return guard_fail(g, "the server used encoding %s in rectangle %u, which was not offered", name,
                      g->rect_no);
}

/* A desktop size the server announces: libvncclient resizes at once, so later rectangles are
 * checked against it. */
static bool resize(struct guard *g)
{
    if (!dims_ok(g, g->rw, g->rh))
        return guard_fail(g,
                          "the server resized its desktop to %ux%u; vncview accepts 1x1 to "
                          "%dx%d",
                          g->rw, g->rh, g->lim.max_width, g->lim.max_height);
    if (g->enc == ENC_EXTDESKTOPSIZE && g->rw == g->fb_w && g->rh == g->fb_h)
        return true; /* the same size: an answer or the first announcement, not a resize */
    g->fb_w = g->rw;
    g->fb_h = g->rh;
    uint64_t lim = area_limit(g, g->fb_w, g->fb_h);
    if (lim > g->area_limit)
        g->area_limit = lim;
    g->st.rects[GUARD_STAT_NEWFBSIZE]++;
    return true;
}

static bool handle_cursor(struct guard *g, bool rich)
{
    uint32_t w = g->rw, h = g->rh, max = (uint32_t)g->lim.max_cursor;
    if (w > max || h > max)
        return guard_fail(g, "the server sent a %ux%u cursor; vncview accepts at most %ux%u", w, h,
                          max, max);
    uint64_t mask = (uint64_t)((w + 7) / 8) * h, size = 0;
    if ((uint64_t)w * h != 0) {
        if (g->rx >= w || g->ry >= h)
            return guard_fail(g,
                              "the server sent a %ux%u cursor with its hotspot at %u,%u, "
                              "outside the cursor",
                              w, h, g->rx, g->ry);
        size = rich ? (uint64_t)w * h * 4 + mask : 6 + 2 * mask;
    }
    g->st.rects[GUARD_STAT_CURSOR]++;
    g->pass = size;
    guard_emit(g);
    guard_next_rect(g);
    return true;
}

/* Pseudo-encodings: anything but pixels. */
static bool handle_pseudo(struct guard *g)
{
    switch (g->enc) {
    case ENC_RICHCURSOR:
        return g->rich_cursor ? handle_cursor(g, true) : not_offered(g, g->enc);
    case ENC_XCURSOR:
        return g->x_cursor ? handle_cursor(g, false) : not_offered(g, g->enc);
    case ENC_LASTRECT:
        if (!g->last_rect)
            return not_offered(g, g->enc);
        g->st.rects[GUARD_STAT_LASTRECT]++;
        g->st.updates++;
        guard_emit(g);
        expect(g, GP_MSG, 1);
        return true;
    case ENC_NEWFBSIZE:
        if (!g->new_fb_size)
            return not_offered(g, g->enc);
        if (!resize(g))
            return false;
        break;
    case ENC_EXTDESKTOPSIZE:
        if (!g->ext_desktop_size)
            return not_offered(g, g->enc);
        expect(g, GP_EXTDS, 16); /* then the screen count */
        return true;
    case ENC_QEMU_EXTKEY:
        if (!g->qemu_key)
            return not_offered(g, g->enc);
        /* libvncclient checks this one against the desktop like a pixel rectangle. */
        if (g->rx + g->rw > g->fb_w || g->ry + g->rh > g->fb_h)
            return guard_fail(g,
                              "the server sent rectangle %u (QEMU extended key event, %ux%u at "
                              "%u,%u) outside its %ux%u desktop",
                              g->rect_no, g->rw, g->rh, g->rx, g->ry, g->fb_w, g->fb_h);
        g->st.rects[GUARD_STAT_OTHER]++;
        break;
    case ENC_KBD_LED:
        if (!g->kbd_led)
            return not_offered(g, g->enc);
        g->st.rects[GUARD_STAT_OTHER]++;
        break;
    default:
        return not_offered(g, g->enc);
    }
    guard_emit(g);
    guard_next_rect(g);
    return true;
}

static bool handle_rect(struct guard *g)
{
    const uint8_t *h = g->hdr;
    g->rect_no++;
    g->rx = guard_be16(h);
    g->ry = guard_be16(h + 2);
    g->rw = guard_be16(h + 4);
    g->rh = guard_be16(h + 6);
    g->enc = (int32_t)guard_be32(h + 8);
    if (g->rect_no > g->lim.max_rects)
        return guard_fail(g, "the server sent more than %u rectangles in one update",
                          g->lim.max_rects);
    if (g->enc < 0 || g->enc > 31)
        return handle_pseudo(g);
    if (!(g->pixel_offered & (1u << g->enc)))
        return not_offered(g, g->enc);
    const char *name = enc_name(g->enc);
    if (g->rw == 0 || g->rh == 0)
        return guard_fail(g, "the server sent an empty rectangle %u (%s, %ux%u at %u,%u)",
                          g->rect_no, name, g->rw, g->rh, g->rx, g->ry);
    if (g->rx + g->rw > g->fb_w || g->ry + g->rh > g->fb_h)
        return guard_fail(g,
                          "the server sent rectangle %u (%s, %ux%u at %u,%u) outside its %ux%u "
                          "desktop",
                          g->rect_no, name, g->rw, g->rh, g->rx, g->ry, g->fb_w, g->fb_h);
    if (!guard_add_area(g, (uint64_t)g->rw * g->rh))
        return false;
    switch (g->enc) {
    case ENC_RAW:
        g->st.rects[GUARD_STAT_RAW]++;
        g->pass = (uint64_t)g->rw * g->rh * 4;
        guard_emit(g);
        guard_next_rect(g);
        return true;
    case ENC_COPYRECT:
        expect(g, GP_COPYRECT, 16);
        return true;
    case ENC_RRE:
    case ENC_CORRE:
        expect(g, GP_RRE, 20);
        return true;
    case ENC_ZLIB:
    case ENC_ZRLE:
    case ENC_ULTRA:
        expect(g, GP_LENGTH, 16);
        return true;
    case ENC_HEXTILE:
        return guard_hextile_start(g);
    case ENC_TIGHT:
        expect(g, GP_TIGHT, 13);
        return true;
    }
    return not_offered(g, g->enc); /* offered but not framed: unreachable by guard_new */
}

/* GP_EXTDS: ExtendedDesktopSize (x = reason, y = status), its screen count, then 16 bytes per
 * screen: id, x, y, width, height, flags. */
static bool handle_extds(struct guard *g)
{
    unsigned n = g->hdr[12];
    if (g->have == 16 && n > 0) {
        if (n > GUARD_MAX_SCREENS)
            return guard_fail(g, "the server described %u screens; vncview accepts at most %d", n,
                              GUARD_MAX_SCREENS);
        g->need = 16 + 16 * (size_t)n;
        return true;
    }
    if (!resize(g))
        return false;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *s = g->hdr + 16 + 16 * (size_t)i;
        unsigned sx = guard_be16(s + 4), sy = guard_be16(s + 6), sw = guard_be16(s + 8),
                 sh = guard_be16(s + 10);
        if (sw == 0 || sh == 0 || sx + sw > g->rw || sy + sh > g->rh)
            return guard_fail(g,
                              "the server described screen %u as %ux%u at %u,%u, not inside its "
                              "%ux%u desktop",
                              i + 1, sw, sh, sx, sy, g->rw, g->rh);
        if (i == 0) {
            g->layout.screen_id = guard_be32(s);
            g->layout.flags = guard_be32(s + 12);
        }
        /* libvncclient 0.9.14 ignores a layout with a screen numbered 0 (QEMU numbers its
         * screen 0): it gets a non-zero number; SetDesktopSize goes out with the real one. */
        if (guard_be32(s) == 0) {
            s[0] = s[1] = s[2] = s[3] = 0xFF;
            g->patched = true;
        }
    }
    g->layout.count++;
    g->layout.width = (int)g->rw;
    g->layout.height = (int)g->rh;
    g->layout.reason = (int)g->rx;
    g->layout.status = (int)g->ry;
    guard_emit(g);
    guard_next_rect(g);
    return true;
}

bool guard_step(struct guard *g)
{
    switch (g->phase) {
    case GP_SERVERINIT:
        return handle_serverinit(g);
    case GP_MSG:
        return handle_msg(g);
    case GP_RECT:
        return handle_rect(g);
    case GP_COPYRECT:
    case GP_LENGTH:
    case GP_RRE:
        return guard_rect_prefix(g);
    case GP_RRE_SUBS:
        return guard_rre_subs(g);
    case GP_HEXTILE:
        return guard_hextile_tile(g);
    case GP_TIGHT:
        return guard_tight(g);
    case GP_EXTDS:
        return handle_extds(g);
    }
    return guard_fail(g, "internal error in the stream guard (phase %d)", (int)g->phase);
}
