/* Stream guard, per-encoding framing: where each rectangle's data ends (CopyRect, RRE, CoRRE,
 * Zlib, ZRLE, Ultra, Hextile tile by tile, Tight control/filter/palette/compact length), the
 * checks that keep hostile values away from libvncclient's decoders, and the renaming of ZRLE,
 * Zlib, Ultra and Tight rectangles for ours. */
#include "guard_int.h"

#include "encodings.h"

#include <string.h>

enum {
    HEX_RAW = 1,
    HEX_BG = 2,
    HEX_FG = 4,
    HEX_ANY_SUBRECTS = 8,
    HEX_COLOURED = 16,
    TIGHT_FILL = 8,
    TIGHT_JPEG = 9,
    TIGHT_EXPLICIT_FILTER = 4,
    TIGHT_FILTER_COPY = 0,
    TIGHT_FILTER_PALETTE = 1,
    TIGHT_FILTER_GRADIENT = 2,
    TIGHT_MIN_TO_COMPRESS = 12,         /* smaller data comes without length, uncompressed */
    TIGHT_MAX_WIDTH = 2048,             /* the protocol's limit (and tightdec's row buffer) */
    CORRE_MAX_SUBRECTS = 640 * 480 / 8, /* libvncclient reads them into its 300 KB buffer */
};

/* GP_COPYRECT, GP_LENGTH and GP_RRE: the 12-byte header plus the encoding's fixed prefix. */
bool guard_rect_prefix(struct guard *g)
{
    const uint8_t *p = g->hdr + 12;
    const char *name = enc_name(g->enc);
    switch (g->phase) {
    case GP_COPYRECT: {
        uint32_t sx = guard_be16(p), sy = guard_be16(p + 2);
        if (sx + g->rw > g->fb_w || sy + g->rh > g->fb_h)
            return guard_fail(g,
                              "the server sent rectangle %u (CopyRect, %ux%u at %u,%u) copying "
                              "from %u,%u, outside its %ux%u desktop",
                              g->rect_no, g->rw, g->rh, g->rx, g->ry, sx, sy, g->fb_w, g->fb_h);
        g->st.rects[GUARD_STAT_COPYRECT]++;
        guard_emit(g);
        guard_next_rect(g);
        return true;
    }
    case GP_LENGTH: {
        uint32_t len = guard_be32(p);
        /* Ultra sends 0 for "nothing changed"; a deflate stream never has 0 bytes. */
        if (len == 0 && g->enc != ENC_ULTRA)
            return guard_fail(g, "the server sent rectangle %u (%s, %ux%u) with no data",
                              g->rect_no, name, g->rw, g->rh);
        if (len > g->lim.max_compressed)
            return guard_fail(g,
                              "the server announced %u bytes of compressed data for rectangle %u "
                              "(%s, %ux%u); the limit is %u",
                              len, g->rect_no, name, g->rw, g->rh, g->lim.max_compressed);
        /* F1 for ZRLE, whole-buffer painting for Zlib and Ultra: libvncclient's decoders must
         * never see them; ours take them under private numbers. */
        uint32_t e;
        if (g->enc == ENC_ZRLE) {
            e = (uint32_t)GUARD_ENC_ZRLE_PRIVATE;
            g->st.zrle_rewritten++;
            g->st.rects[GUARD_STAT_ZRLE]++;
        } else if (g->enc == ENC_ZLIB) {
            e = (uint32_t)GUARD_ENC_ZLIB_PRIVATE;
            g->st.zlib_rewritten++;
            g->st.rects[GUARD_STAT_ZLIB]++;
        } else {
            e = (uint32_t)GUARD_ENC_ULTRA_PRIVATE;
            g->st.ultra_rewritten++;
            g->st.rects[GUARD_STAT_ULTRA]++;
        }
        g->hdr[8] = (uint8_t)(e >> 24);
        g->hdr[9] = (uint8_t)(e >> 16);
        g->hdr[10] = (uint8_t)(e >> 8);
        g->hdr[11] = (uint8_t)e;
        g->patched = true;
        g->pass = len;
        guard_emit(g);
        guard_next_rect(g);
        return true;
    }
    case GP_RRE: {
        bool corre = g->enc == ENC_CORRE;
        uint32_t n = guard_be32(p);
        uint64_t pixels = (uint64_t)g->rw * g->rh;
        if (corre && (g->rw > 255 || g->rh > 255))
            return guard_fail(g,
                              "the server sent rectangle %u (CoRRE) of %ux%u; CoRRE rectangles "
                              "are at most 255x255",
                              g->rect_no, g->rw, g->rh);
        if (n > pixels || (corre && n > CORRE_MAX_SUBRECTS))
            return guard_fail(g,
                              "the server announced %u subrectangles for rectangle %u (%s, %ux%u)",
                              n, g->rect_no, name, g->rw, g->rh);
        g->st.rects[corre ? GUARD_STAT_CORRE : GUARD_STAT_RRE]++;
        guard_emit(g);
        g->subs_left = n;
        g->sub_no = 0;
        if (n == 0) {
            guard_next_rect(g);
        } else {
            g->subs_batch = n < GUARD_BATCH ? n : GUARD_BATCH;
            g->phase = GP_RRE_SUBS;
            g->need = (size_t)g->subs_batch * (corre ? 8 : 12);
        }
        return true;
    }
    default:
        return guard_fail(g, "internal error in the stream guard (prefix)");
    }
}

/* A batch of subrectangles: each inside its rectangle, their pixels counted. */
bool guard_rre_subs(struct guard *g)
{
    bool corre = g->enc == ENC_CORRE;
    size_t rec = corre ? 8 : 12;
    uint64_t pixels = 0;
    for (uint32_t i = 0; i < g->subs_batch; i++) {
        const uint8_t *p = g->hdr + i * rec + 4; /* after the pixel value */
        uint32_t x, y, w, h;
        if (corre) {
            x = p[0], y = p[1], w = p[2], h = p[3];
        } else {
            x = guard_be16(p), y = guard_be16(p + 2), w = guard_be16(p + 4), h = guard_be16(p + 6);
        }
        g->sub_no++;
        if (x + w > g->rw || y + h > g->rh)
            return guard_fail(g,
                              "the server sent subrectangle %u (%ux%u at %u,%u) outside its "
                              "rectangle %u (%s, %ux%u)",
                              g->sub_no, w, h, x, y, g->rect_no, enc_name(g->enc), g->rw, g->rh);
        pixels += (uint64_t)w * h;
    }
    if (!guard_add_area(g, pixels))
        return false;
    guard_emit(g);
    g->subs_left -= g->subs_batch;
    if (g->subs_left == 0) {
        guard_next_rect(g);
    } else {
        g->subs_batch = g->subs_left < GUARD_BATCH ? g->subs_left : GUARD_BATCH;
        g->need = (size_t)g->subs_batch * rec;
    }
    return true;
}

bool guard_hextile_start(struct guard *g)
{
    g->tx = g->ty = 0;
    g->tile_no = 0;
    /* libvncclient's foreground is an uninitialised local per rectangle. */
    g->fg_known = false;
    g->st.rects[GUARD_STAT_HEXTILE]++;
    guard_emit(g);
    g->phase = GP_HEXTILE;
    g->need = 1;
    return true;
}

static inline void hextile_advance(struct guard *g)
{
    g->st.hextile_tiles++;
    g->tile_no++;
    g->tx += 16;
    if (g->tx >= g->rw) {
        g->tx = 0;
        g->ty += 16;
    }
    if (g->ty >= g->rh)
        guard_next_rect(g);
    else
        g->need = 1;
}

/* Nonzero if any of the n subrectangles at s (rec bytes apart) leaves a 16x16 tile: adding
 * the packed x,y and w-1,h-1 bytes must carry out of neither nibble (bit 8 of the sum, bit 4
 * of a ^ b ^ sum). This is the hot loop of a Hextile stream (20 subrectangles per tile on a
 * busy desktop), so four pairs are checked at once in 16-bit lanes of a 64-bit word; the
 * check is symmetric in a and b, so byte order does not matter. */
static inline unsigned outside16(const uint8_t *s, unsigned n, size_t rec)
{
    const uint64_t lanes = 0x00FF00FF00FF00FFull;
    uint64_t bad = 0;
    unsigned i = 0;
    for (; i + 4 <= n; i += 4, s += 4 * rec) {
        uint64_t v;
        if (rec == 2) {
            memcpy(&v, s, 8);
        } else {
            uint16_t p[4];
            memcpy(&p[0], s, 2);
            memcpy(&p[1], s + rec, 2);
            memcpy(&p[2], s + 2 * rec, 2);
            memcpy(&p[3], s + 3 * rec, 2);
            v = (uint64_t)p[0] | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 32 | (uint64_t)p[3] << 48;
        }
        uint64_t a = v & lanes, b = (v >> 8) & lanes, sum = a + b;
        bad |= sum | ((a ^ b ^ sum) << 4);
    }
    for (; i < n; i++, s += rec) {
        unsigned sum = (unsigned)s[0] + s[1];
        bad |= sum | (((unsigned)s[0] ^ s[1] ^ sum) << 4);
    }
    return (bad & 0x0100010001000100ull) != 0;
}

/* The sentence for a refused tile, out of the hot path. sub: the subencoding; subs: its n
 * subrectangles rec bytes apart. */
__attribute__((noinline, cold)) static long hextile_refuse(struct guard *g, unsigned sub,
                                                           const uint8_t *subs, unsigned n,
                                                           size_t rec, unsigned tw, unsigned th)
{
    if (sub > 0x1F) {
        guard_fail(g,
                   "the server sent Hextile tile %u of rectangle %u with the invalid subencoding "
                   "0x%02x",
                   g->tile_no + 1, g->rect_no, sub);
        return -1;
    }
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *s = subs + i * rec;
        unsigned x = s[0] >> 4, y = s[0] & 15, w = (s[1] >> 4) + 1u, h = (s[1] & 15) + 1u;
        if (x + w > tw || y + h > th) {
            guard_fail(g,
                       "the server sent Hextile subrectangle %u (%ux%u at %u,%u) outside its "
                       "%ux%u tile %u of rectangle %u",
                       i + 1, w, h, x, y, tw, th, g->tile_no + 1, g->rect_no);
            return -1;
        }
    }
    guard_fail(g,
               "the server sent Hextile tile %u of rectangle %u with subrectangles in a "
               "foreground colour it never set (libvncclient would paint uninitialised memory)",
               g->tile_no + 1, g->rect_no);
    return -1;
}

/* Checks the tile header at h[0, avail). Returns its length once complete and valid, with
 * the tile applied (payload countdown, foreground state, next tile); 0 with *need set if more
 * bytes are needed; -1 on a violation. */
static inline long hextile_header(struct guard *g, const uint8_t *h, size_t avail, size_t *need)
{
    unsigned tw = g->rw - g->tx < 16 ? g->rw - g->tx : 16;
    unsigned th = g->rh - g->ty < 16 ? g->rh - g->ty : 16;
    unsigned sub = h[0];
    if (sub > 0x1F)
        return hextile_refuse(g, sub, NULL, 0, 0, tw, th);
    if (sub & HEX_RAW) {
        g->pass = (uint64_t)tw * th * 4;
        hextile_advance(g);
        return 1;
    }
    size_t pos = 1 + (sub & HEX_BG ? 4 : 0) + (sub & HEX_FG ? 4 : 0);
    unsigned n = 0;
    if (sub & HEX_ANY_SUBRECTS) {
        if (avail < pos + 1) {
            *need = pos + 1;
            return 0;
        }
        n = h[pos++];
    }
    size_t rec = sub & HEX_COLOURED ? 6 : 2;
    size_t total = pos + (size_t)n * rec;
    if (avail < total) {
        *need = total;
        return 0;
    }
    /* The subrectangles (20 per tile on a busy desktop): branch free. Their pixels are not
     * added to the update's area: at most 128 per byte received, and a Hextile tile cannot
     * draw outside itself. libvncclient's foreground is an uninitialised local until a tile
     * gives one (or coloured subrectangles leave their last colour in it). */
    const uint8_t *s = h + pos + (sub & HEX_COLOURED ? 4 : 0);
    unsigned bad;
    if (tw == 16 && th == 16) {
        bad = rec == 6 ? outside16(s, n, 6) : outside16(s, n, 2);
    } else {
        bad = 0;
        for (unsigned i = 0; i < n; i++)
            bad |= ((s[i * rec] >> 4) + (s[i * rec + 1] >> 4) + 1u > tw) |
                   ((s[i * rec] & 15u) + (s[i * rec + 1] & 15u) + 1u > th);
    }
    if (n > 0 && !(sub & (HEX_COLOURED | HEX_FG)) && !g->fg_known)
        bad = 1;
    if (bad)
        return hextile_refuse(g, sub, s, n, rec, tw, th);
    if ((sub & HEX_FG) || (n > 0 && (sub & HEX_COLOURED)))
        g->fg_known = true;
    hextile_advance(g);
    return (long)total;
}

/* One tile collected in hdr: subencoding, optional background and foreground, subrectangles. */
bool guard_hextile_tile(struct guard *g)
{
    size_t need = 0;
    long r = hextile_header(g, g->hdr, g->have, &need);
    if (r < 0)
        return false;
    if (r == 0) {
        g->need = need;
        return true;
    }
    guard_emit(g);
    return true;
}

size_t guard_hextile_direct(struct guard *g, const uint8_t *p, size_t avail)
{
    size_t used = 0, need;
    while (g->phase == GP_HEXTILE && used < avail) {
        long r = hextile_header(g, p + used, avail - used, &need);
        if (r <= 0)
            break; /* incomplete, or a violation (g->failed) after the tiles before it */
        used += (size_t)r;
        /* A raw tile's pixels that are here already: past them to the next tile. */
        if (g->pass) {
            if (g->pass > avail - used)
                break;
            used += (size_t)g->pass;
            g->pass = 0;
        }
    }
    return used;
}

/* Tight's compact length (1 to 3 bytes, 7 + 7 + 8 bits) at pos: 0 and the value in *len once
 * complete, else the total header size needed to know it. */
static size_t compact_len(const struct guard *g, size_t pos, uint32_t *len)
{
    const uint8_t *p = g->hdr + pos;
    if (g->have < pos + 1)
        return pos + 1;
    uint32_t v = p[0] & 0x7F;
    if (p[0] & 0x80) {
        if (g->have < pos + 2)
            return pos + 2;
        v |= (uint32_t)(p[1] & 0x7F) << 7;
        if (p[1] & 0x80) {
            if (g->have < pos + 3)
                return pos + 3;
            v |= (uint32_t)p[2] << 14;
        }
    }
    *len = v;
    return 0;
}

static bool tight_done(struct guard *g, uint64_t data, uint64_t *counter)
{
    (*counter)++;
    /* Too many rows: libvncclient's decoder never sees Tight; ours takes it privately. */
    const uint32_t e = (uint32_t)GUARD_ENC_TIGHT_PRIVATE;
    g->hdr[8] = (uint8_t)(e >> 24);
    g->hdr[9] = (uint8_t)(e >> 16);
    g->hdr[10] = (uint8_t)(e >> 8);
    g->hdr[11] = (uint8_t)e;
    g->patched = true;
    g->st.tight_rewritten++;
    g->pass = data;
    g->st.rects[GUARD_STAT_TIGHT]++;
    guard_emit(g);
    guard_next_rect(g);
    return true;
}

static bool tight_data_len(struct guard *g, size_t pos, const char *what, uint32_t *len)
{
    size_t more = compact_len(g, pos, len);
    if (more) {
        g->need = more;
        return false;
    }
    if (*len == 0)
        return guard_fail(g,
                          "the server announced 0 bytes of data for Tight %s rectangle %u (%ux%u)",
                          what, g->rect_no, g->rw, g->rh);
    return true;
}

/* Re-parsed from the control byte each time more bytes arrived: the structure is short. */
bool guard_tight(struct guard *g)
{
    const uint8_t *h = g->hdr;
    unsigned ctl = h[12], kind = ctl >> 4;
    size_t pos = 13;
    uint32_t len = 0;
    if (kind == TIGHT_FILL) {
        if (g->have < pos + 3) {
            g->need = pos + 3;
            return true;
        }
        return tight_done(g, 0, &g->st.tight_fill);
    }
    if (kind == TIGHT_JPEG) {
        if (!g->jpeg)
            return guard_fail(g,
                              "the server sent Tight JPEG rectangle %u, but JPEG was not "
                              "offered (lossless session)",
                              g->rect_no);
        if (!tight_data_len(g, pos, "JPEG", &len))
            return !g->failed;
        return tight_done(g, len, &g->st.tight_jpeg);
    }
    if (kind > TIGHT_JPEG) {
        /* F8: libvncclient's "no zlib" path reads rows*rowSize whatever the length says. */
        if ((kind & 0xA) == 0xA)
            return guard_fail(g,
                              "the server sent Tight rectangle %u with control byte 0x%02x "
                              "(TightPNG or uncompressed \"no zlib\" data), which vncview "
                              "refuses",
                              g->rect_no, ctl);
        return guard_fail(g,
                          "the server sent Tight rectangle %u with the invalid control byte 0x%02x",
                          g->rect_no, ctl);
    }
    if (g->rw > TIGHT_MAX_WIDTH)
        return guard_fail(g,
                          "the server sent Tight rectangle %u %u pixels wide; Tight's filters take "
                          "at most %d",
                          g->rect_no, g->rw, TIGHT_MAX_WIDTH);
    unsigned filter = TIGHT_FILTER_COPY;
    if (kind & TIGHT_EXPLICIT_FILTER) {
        if (g->have < pos + 1) {
            g->need = pos + 1;
            return true;
        }
        filter = h[pos++];
    }
    uint64_t row = (uint64_t)g->rw * 3; /* TPIXELs: 3 bytes at 32bpp depth 24 */
    if (filter == TIGHT_FILTER_PALETTE) {
        if (g->have < pos + 1) {
            g->need = pos + 1;
            return true;
        }
        unsigned colours = h[pos++] + 1u;
        if (colours < 2)
            return guard_fail(g,
                              "the server sent Tight rectangle %u with a palette of 1 colour (2 to "
                              "256 expected)",
                              g->rect_no);
        pos += colours * 3;
        if (g->have < pos) {
            g->need = pos;
            return true;
        }
        row = colours == 2 ? (g->rw + 7) / 8 : g->rw;
    } else if (filter != TIGHT_FILTER_COPY && filter != TIGHT_FILTER_GRADIENT) {
        return guard_fail(g, "the server sent Tight rectangle %u with the unknown filter %u",
                          g->rect_no, filter);
    }
    uint64_t raw = row * g->rh;
    if (raw < TIGHT_MIN_TO_COMPRESS)
        return tight_done(g, raw, &g->st.tight_basic);
    if (!tight_data_len(g, pos, "compressed", &len))
        return !g->failed;
    return tight_done(g, len, &g->st.tight_basic);
}
