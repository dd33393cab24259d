/* Stream guard: the public API and its two drivers around the parser (guard_msg.c,
 * guard_rect.c): guard_push copies into the caller's output buffer, guard_scan works in place.
 * Both collect each structure, check it, forward it and stream its payload by countdown. */
#include "guard_int.h"

#include "encodings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void guard_default_limits(struct guard_limits *l)
{
    l->max_width = GUARD_MAX_DESKTOP;
    l->max_height = GUARD_MAX_DESKTOP;
    l->max_name = 4096;
    l->max_cut_text = (1u << 20) - 1;
    l->max_cut_text_hard = 64u << 20;
    l->max_cursor = 256;
    l->max_rects = 65536;
    l->max_update_area_factor = 8;
    l->max_compressed = 64u << 20;
}

/* The caller's limits, its zero fields replaced by the defaults. */
static void merge_limits(struct guard_limits *out, const struct guard_limits *l)
{
    guard_default_limits(out);
    if (!l)
        return;
#define TAKE(field)                                                                                \
    if (l->field)                                                                                  \
    out->field = l->field
    TAKE(max_width);
    TAKE(max_height);
    TAKE(max_name);
    TAKE(max_cut_text);
    TAKE(max_cut_text_hard);
    TAKE(max_cursor);
    TAKE(max_rects);
    TAKE(max_update_area_factor);
    TAKE(max_compressed);
#undef TAKE
}

struct guard *guard_new(const int32_t *encodings, int n, const struct guard_limits *l)
{
    struct guard *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    merge_limits(&g->lim, l);
    /* RFC 6143 7.5.2: servers may send Raw even if not asked (libvncserver does, when it is
     * smaller than what was asked). */
    g->pixel_offered = 1u << ENC_RAW;
    for (int i = 0; i < n; i++) {
        int32_t e = encodings[i];
        switch (e) {
        case ENC_RAW:
        case ENC_COPYRECT:
        case ENC_RRE:
        case ENC_CORRE:
        case ENC_HEXTILE:
        case ENC_ZLIB:
        case ENC_TIGHT:
        case ENC_ULTRA:
        case ENC_ZRLE:
            g->pixel_offered |= 1u << e;
            break;
        case ENC_RICHCURSOR:
            g->rich_cursor = true;
            break;
        case ENC_XCURSOR:
            g->x_cursor = true;
            break;
        case ENC_LASTRECT:
            g->last_rect = true;
            break;
        case ENC_NEWFBSIZE:
            g->new_fb_size = true;
            break;
        case ENC_EXTDESKTOPSIZE:
            g->ext_desktop_size = true;
            break;
        case ENC_QEMU_EXTKEY:
            g->qemu_key = true;
            break;
        case ENC_KBD_LED:
            g->kbd_led = true;
            break;
        default:
            /* QualityLevel 0..9: the server may use Tight JPEG. */
            if (e >= ENC_QUALITY_0 && e <= ENC_QUALITY_0 + 9)
                g->jpeg = true;
            break;
        }
    }
    g->phase = GP_SERVERINIT;
    g->need = 24;
    return g;
}

void guard_layout(const struct guard *g, struct guard_layout *out)
{
    *out = g->layout;
}

void guard_free(struct guard *g)
{
    free(g);
}

uint32_t guard_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint16_t guard_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* The command-line option that raises the limit a violation hit, if the user lowered it:
 * judged from what the failing check (guard_msg.c) left in g. NULL for every other violation. */
static const char *lowered_limit_option(const struct guard *g)
{
    const struct guard_limits *l = &g->lim;
    if (l->max_width < GUARD_MAX_DESKTOP || l->max_height < GUARD_MAX_DESKTOP) {
        uint32_t w = 0, h = 0;
        if (g->phase == GP_SERVERINIT && g->have >= 4)
            w = guard_be16(g->hdr), h = guard_be16(g->hdr + 2);
        else if ((g->phase == GP_RECT && g->enc == ENC_NEWFBSIZE) ||
                 (g->phase == GP_EXTDS && g->enc == ENC_EXTDESKTOPSIZE))
            w = g->rw, h = g->rh;
        if (w > (uint32_t)l->max_width || h > (uint32_t)l->max_height)
            return "--max-desktop, up to " GUARD_STR(GUARD_MAX_DESKTOP) "x" GUARD_STR(
                GUARD_MAX_DESKTOP);
    }
    if (l->max_cursor < GUARD_MAX_CURSOR && g->phase == GP_RECT &&
        (g->enc == ENC_RICHCURSOR || g->enc == ENC_XCURSOR) &&
        (g->rw > (uint32_t)l->max_cursor || g->rh > (uint32_t)l->max_cursor))
        return "--max-cursor, up to " GUARD_STR(GUARD_MAX_CURSOR);
    return NULL;
}

bool guard_fail(struct guard *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vv_error_vset(&g->error, VV_ERR_PROTOCOL, fmt, ap);
    va_end(ap);
    const char *option = lowered_limit_option(g);
    if (option) {
        size_t used = strlen(g->error.message);
        snprintf(g->error.message + used, sizeof g->error.message - used,
                 " (raise the limit with %s)", option);
    }
    g->failed = true;
    return false;
}

void guard_emit(struct guard *g)
{
    g->emit_off = 0;
    g->emit_len = g->have;
}
/* One handler call, with the engine's own invariant checked: every handler either asks for
 * more bytes or forwards what it checked, within the header buffer. */
static bool step_checked(struct guard *g)
{
    if (!guard_step(g))
        return false;
    if (!g->emit_len && g->have >= g->need)
        return guard_fail(g, "internal error in the stream guard (phase %d stalled)",
                          (int)g->phase);
    if (g->need > GUARD_HDR_CAP)
        return guard_fail(g, "internal error in the stream guard (%zu-byte header)", g->need);
    return true;
}

static size_t min_size(size_t a, uint64_t b)
{
    return b < a ? (size_t)b : a;
}

ssize_t guard_push(struct guard *g, const uint8_t *in, size_t n, uint8_t *out, size_t out_cap,
                   size_t *out_len, struct vv_error *err)
{
    size_t used = 0, o = *out_len;
    if (out_cap < o)
        out_cap = o; /* a full buffer: no room */
    while (!g->failed) {
        size_t room = out_cap - o;
        if (g->emit_len) {
            size_t k = min_size(room, g->emit_len - g->emit_off);
            if (k == 0)
                break;
            memcpy(out + o, g->hdr + g->emit_off, k);
            o += k;
            g->emit_off += k;
            if (g->emit_off == g->emit_len)
                g->emit_off = g->emit_len = g->have = 0;
            g->patched = false;
            continue;
        }
        if (g->pass) {
            size_t k = min_size(min_size(n - used, room), g->pass);
            if (k == 0)
                break;
            memcpy(out + o, in + used, k);
            o += k;
            used += k;
            g->pass -= k;
            continue;
        }
        if (g->drop) {
            size_t k = min_size(n - used, g->drop);
            if (k == 0)
                break;
            used += k;
            g->drop -= k;
            continue;
        }
        if (g->have == 0 && g->phase == GP_HEXTILE && used < n && room > 0) {
            /* A Hextile rectangle is thousands of small tiles: check them where they lie. */
            size_t r = guard_hextile_direct(g, in + used, min_size(n - used, room));
            if (r > 0) {
                memcpy(out + o, in + used, r);
                o += r;
                used += r;
            }
            if (r > 0 || g->failed)
                continue;
        }
        if (g->have < g->need) {
            size_t k = min_size(n - used, g->need - g->have);
            if (k == 0)
                break;
            memcpy(g->hdr + g->have, in + used, k);
            g->have += k;
            used += k;
            if (g->have < g->need)
                break;
        }
        if (!step_checked(g))
            break;
    }
    g->st.bytes_in += used;
    g->st.bytes_out += o - *out_len;
    *out_len = o;
    if (g->failed) {
        if (err)
            *err = g->error;
        return -1;
    }
    return (ssize_t)used;
}

bool guard_scan(struct guard *g, uint8_t *buf, size_t n, struct guard_span *span,
                struct vv_error *err)
{
    /* buf[0, held) is the incomplete structure of the last call, already in hdr. */
    size_t held = g->have, pos = held, hdr_pos = 0;
    span->forward = span->skip = 0;
    if (!g->failed && g->emit_len)
        guard_fail(g, "internal error: guard_scan used after guard_push left output pending");
    else if (!g->failed && n < held)
        guard_fail(g, "internal error: guard_scan was not given back the %zu bytes it held", held);
    else if (g->failed)
        pos = held = 0;
    while (!g->failed) {
        if (g->emit_len) {
            if (g->patched) /* a length or encoding rewritten: into the stream it goes */
                memcpy(buf + hdr_pos, g->hdr, g->emit_len);
            g->patched = false;
            span->forward = hdr_pos + g->emit_len;
            g->emit_off = g->emit_len = g->have = 0;
            continue;
        }
        if (g->pass) {
            size_t k = min_size(n - pos, g->pass);
            if (k == 0)
                break;
            pos += k;
            span->forward = pos;
            g->pass -= k;
            continue;
        }
        if (g->drop) {
            /* The caller removes these; what follows them is scanned by the next call. */
            span->skip = min_size(n - pos, g->drop);
            g->drop -= span->skip;
            pos += span->skip;
            break;
        }
        if (g->have == 0 && g->phase == GP_HEXTILE && pos < n) {
            size_t r = guard_hextile_direct(g, buf + pos, n - pos);
            pos += r;
            span->forward = pos;
            if (r > 0 || g->failed)
                continue;
        }
        if (g->have < g->need) {
            size_t k = min_size(n - pos, g->need - g->have);
            if (k == 0)
                break;
            if (g->have == 0)
                hdr_pos = pos;
            memcpy(g->hdr + g->have, buf + pos, k);
            g->have += k;
            pos += k;
            if (g->have < g->need)
                break;
        }
        if (!step_checked(g))
            break;
    }
    g->st.bytes_in += pos - held;
    g->st.bytes_out += span->forward;
    if (g->failed) {
        if (err)
            *err = g->error;
        return false;
    }
    return true;
}

size_t guard_pending(const struct guard *g)
{
    return g->emit_len - g->emit_off;
}

bool guard_desktop(const struct guard *g, int *w, int *h)
{
    *w = (int)g->fb_w;
    *h = (int)g->fb_h;
    return g->fb_w != 0;
}

bool guard_mid_message(const struct guard *g)
{
    return g->fb_w != 0 && (g->phase != GP_MSG || g->have > 0 || g->pass > 0 || g->drop > 0);
}

void guard_get_stats(const struct guard *g, struct guard_stats *st)
{
    *st = g->st;
}

const char *guard_stat_name(int kind)
{
    static const char *const names[GUARD_STAT_N] = {
        "Raw",
        "CopyRect",
        "RRE",
        "CoRRE",
        "Hextile",
        "Zlib",
        "Tight",
        "Ultra",
        "ZRLE",
        "cursor",
        "NewFBSize",
        "LastRect",
        "other pseudo-encodings",
    };
    return kind >= 0 && kind < GUARD_STAT_N ? names[kind] : "?";
}
