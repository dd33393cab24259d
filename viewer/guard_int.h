/* Internals of the stream guard shared by guard.c (stream, messages, rectangle headers) and
 * guard_rect.c (per-encoding framing). Not for other modules: use guard.h. */
#ifndef VV_GUARD_INT_H
#define VV_GUARD_INT_H

#include "guard.h"

/* Largest structure collected before it is checked and forwarded: a Hextile tile header with
 * 255 coloured subrectangles (1 + 4 + 4 + 1 + 255 * 6 = 1540 bytes). */
#define GUARD_HDR_CAP 2048
/* ExtendedDesktopSize screens we take: 16 + 16 per screen must fit in hdr. */
#define GUARD_MAX_SCREENS 64
#define GUARD_BATCH 128 /* RRE/CoRRE subrectangles checked per structure */

/* What the collected bytes are; each phase has a handler in guard.c or guard_rect.c. */
enum guard_phase {
    GP_SERVERINIT,
    GP_MSG,      /* message type byte, then FramebufferUpdate or ServerCutText header */
    GP_RECT,     /* 12-byte rectangle header, then its fixed encoding prefix */
    GP_COPYRECT, /* header + source position */
    GP_LENGTH,   /* header + u32 length: Zlib, ZRLE, Ultra */
    GP_RRE,      /* header + subrectangle count + background (RRE, CoRRE) */
    GP_RRE_SUBS, /* a batch of RRE / CoRRE subrectangles */
    GP_HEXTILE,  /* one Hextile tile header with its subrectangles */
    GP_TIGHT,    /* header + Tight control, filter, palette, compact length */
    GP_EXTDS,    /* header + ExtendedDesktopSize screen count, then its screens */
};

struct guard {
    struct guard_limits lim;
    uint32_t pixel_offered; /* bit n: pixel encoding n (0..31) was offered */
    bool rich_cursor, x_cursor, last_rect, new_fb_size, ext_desktop_size, qemu_key, kbd_led, jpeg;
    struct guard_layout layout; /* from ExtendedDesktopSize rectangles */

    uint32_t fb_w, fb_h; /* 0 until ServerInit */

    /* Input side: bytes collected in hdr until need, then handled by phase. */
    enum guard_phase phase;
    size_t need, have;
    /* Output side: hdr[emit_off, emit_len) is validated and waits for room in out. */
    size_t emit_off, emit_len;
    uint64_t pass; /* payload bytes to forward as they are */
    uint64_t drop; /* bytes to swallow (truncated clipboard or name) */
    bool patched;  /* hdr was rewritten: guard_scan writes it back into the caller's buffer */

    /* Current FramebufferUpdate. */
    uint32_t rects_left, rect_no;
    uint64_t area, area_limit;
    /* Current rectangle. */
    int32_t enc;
    uint32_t rx, ry, rw, rh;
    /* Hextile: next tile's offset in the rectangle; whether a foreground colour exists. */
    uint32_t tx, ty, tile_no;
    bool fg_known;
    /* RRE / CoRRE subrectangles still to come, and the batch being collected. */
    uint32_t subs_left, subs_batch, sub_no;

    bool failed;
    struct vv_error error;
    struct guard_stats st;
    uint8_t hdr[GUARD_HDR_CAP];
};

/* guard.c */
bool guard_fail(struct guard *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Forwards the collected bytes, then expects the next structure. */
void guard_emit(struct guard *g);
uint32_t guard_be32(const uint8_t *p);
uint16_t guard_be16(const uint8_t *p);

/* guard_msg.c */
/* Handles the structure collected in hdr according to phase; false on a violation. Either
 * asks for more bytes (need > have) or forwards (guard_emit). */
bool guard_step(struct guard *g);
/* The current rectangle is framed: expect the next one, or the next message. */
void guard_next_rect(struct guard *g);
/* Adds painted pixels to the update; false (violation set) over the limit. */
bool guard_add_area(struct guard *g, uint64_t pixels);

/* guard_rect.c: handlers of the per-encoding phases; false on a violation. */
bool guard_rect_prefix(struct guard *g); /* GP_COPYRECT, GP_LENGTH, GP_RRE */
bool guard_rre_subs(struct guard *g);
bool guard_hextile_start(struct guard *g);
bool guard_hextile_tile(struct guard *g);
/* Fast path: the Hextile tiles (headers and raw pixels) that lie complete in p[0, avail),
 * checked where they lie, without collecting them. Returns the bytes validated (a raw tile's
 * pixels beyond avail are then left in pass); 0 if not even one tile header is complete
 * (collect it instead). A violation sets g->failed; the bytes before it are still returned. */
size_t guard_hextile_direct(struct guard *g, const uint8_t *p, size_t avail);
bool guard_tight(struct guard *g);

#endif
