/* Test server framebuffer: the deterministic pattern, pixel access, server-side changes (fill,
 * CopyRect, resize), bell, server cut text and cursors. */
#include "testsrv_priv.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* A well-mixed 32-bit hash, so every noise pixel differs from its neighbours. */
static uint32_t mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

static uint32_t hash3(uint32_t a, uint32_t b, uint32_t c)
{
    return mix32(a * 0x9e3779b1u ^ mix32(b * 0x85ebca77u ^ mix32(c + 0x27d4eb2fu)));
}

/* Regions exercise different encoder paths: gradients (Tight gradient filter, ZRLE runs), flat
 * colour (RRE/hextile background, Tight fill), flat with small rectangles (RRE/CoRRE/hextile
 * subrects), two colours (palettes), noise (raw/zlib worst case). */
uint32_t testsrv_pattern_rgb(int x, int y, int w, int h, uint32_t seed)
{
    int q = h / 4 > 0 ? h / 4 : 1;
    uint32_t salt = mix32(seed);
    if (y < q) {
        uint32_t r = (uint32_t)(x * 255 / (w > 1 ? w - 1 : 1));
        uint32_t g = (uint32_t)(y * 255 / (q > 1 ? q - 1 : 1));
        uint32_t b = (uint32_t)((x + y) * 255 / (w + q)) ^ (salt & 0x80);
        return r << 16 | g << 8 | b;
    }
    if (y < 2 * q) {
        if (x < w / 3)
            return (salt & 0xffffff) | 0x202020;
        if (x < 2 * w / 3) {
            int cx = x / 16, cy = y / 16, ix = x % 16, iy = y % 16;
            uint32_t cell = hash3((uint32_t)cx, (uint32_t)cy, seed);
            if ((cell & 3) == 0 && ix >= 3 && ix < 3 + 4 + (int)(cell >> 8 & 7) && iy >= 4 &&
                iy < 4 + 3 + (int)(cell >> 12 & 7))
                return cell >> 8 & 0xffffff;
            return 0x304860 ^ (salt >> 8 & 0x0f0f0f);
        }
        return (hash3((uint32_t)x / 2, (uint32_t)y / 2, seed) & 1) ? 0x101010 : 0xf0f0e0;
    }
    return hash3((uint32_t)x, (uint32_t)y, seed) & 0xffffff;
}

static void put_rgb(uint8_t *p, uint32_t rgb)
{
    p[0] = (uint8_t)(rgb >> 16);
    p[1] = (uint8_t)(rgb >> 8);
    p[2] = (uint8_t)rgb;
    p[3] = 0;
}

static uint32_t get_rgb(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

void testsrv_draw_pattern(uint8_t *fb, int w, int h, uint32_t seed)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            put_rgb(fb + ((size_t)y * (size_t)w + (size_t)x) * 4,
                    testsrv_pattern_rgb(x, y, w, h, seed));
}

bool testsrv_resize_locked(struct testsrv *s, int w, int h)
{
    uint8_t *nfb = malloc((size_t)w * (size_t)h * 4);
    if (!nfb)
        return false;
    testsrv_draw_pattern(nfb, w, h, s->seed);
    /* Tells NewFBSize/ExtDesktopSize clients and marks everything modified. */
    rfbNewFramebuffer(s->screen, (char *)nfb, w, h, 8, 3, 4);
    free(s->fb);
    s->fb = nfb;
    s->width = w;
    s->height = h;
    return true;
}

/* Clips (x,y,w,h) to the framebuffer; false if nothing is left. */
static bool clip(const struct testsrv *s, int *x, int *y, int *w, int *h)
{
    if (*x < 0) {
        *w += *x;
        *x = 0;
    }
    if (*y < 0) {
        *h += *y;
        *y = 0;
    }
    if (*x + *w > s->width)
        *w = s->width - *x;
    if (*y + *h > s->height)
        *h = s->height - *y;
    return *w > 0 && *h > 0;
}

void testsrv_size(struct testsrv *s, int *w, int *h)
{
    pthread_mutex_lock(&testsrv_lvs_lock);
    *w = s->width;
    *h = s->height;
    pthread_mutex_unlock(&testsrv_lvs_lock);
}

void testsrv_fill_pattern(struct testsrv *s, uint32_t seed)
{
    pthread_mutex_lock(&testsrv_lvs_lock);
    s->seed = seed;
    testsrv_draw_pattern(s->fb, s->width, s->height, seed);
    rfbMarkRectAsModified(s->screen, 0, 0, s->width, s->height);
    pthread_mutex_unlock(&testsrv_lvs_lock);
    testsrv_kick(s);
}

uint32_t testsrv_pixel_rgb(struct testsrv *s, int x, int y)
{
    uint32_t v = 0;
    pthread_mutex_lock(&testsrv_lvs_lock);
    if (x >= 0 && y >= 0 && x < s->width && y < s->height)
        v = get_rgb(s->fb + ((size_t)y * (size_t)s->width + (size_t)x) * 4);
    pthread_mutex_unlock(&testsrv_lvs_lock);
    return v;
}

uint32_t *testsrv_copy_pixels(struct testsrv *s, int *w, int *h)
{
    pthread_mutex_lock(&testsrv_lvs_lock);
    size_t n = (size_t)s->width * (size_t)s->height;
    uint32_t *out = malloc(n * sizeof *out);
    if (out) {
        for (size_t i = 0; i < n; i++)
            out[i] = get_rgb(s->fb + i * 4);
        *w = s->width;
        *h = s->height;
    }
    pthread_mutex_unlock(&testsrv_lvs_lock);
    return out;
}

void testsrv_fill_rect(struct testsrv *s, int x, int y, int w, int h, uint32_t rgb)
{
    pthread_mutex_lock(&testsrv_lvs_lock);
    if (clip(s, &x, &y, &w, &h)) {
        for (int j = y; j < y + h; j++)
            for (int i = x; i < x + w; i++)
                put_rgb(s->fb + ((size_t)j * (size_t)s->width + (size_t)i) * 4, rgb);
        rfbMarkRectAsModified(s->screen, x, y, x + w, y + h);
    }
    pthread_mutex_unlock(&testsrv_lvs_lock);
    testsrv_kick(s);
}

void testsrv_copy_rect(struct testsrv *s, int sx, int sy, int w, int h, int dx, int dy)
{
    pthread_mutex_lock(&testsrv_lvs_lock);
    /* Clip source and destination together so the copy stays a pure translation. */
    int lo_x = sx < dx ? sx : dx, lo_y = sy < dy ? sy : dy;
    if (lo_x < 0) {
        sx -= lo_x, dx -= lo_x, w += lo_x;
    }
    if (lo_y < 0) {
        sy -= lo_y, dy -= lo_y, h += lo_y;
    }
    int hi_x = sx > dx ? sx : dx, hi_y = sy > dy ? sy : dy;
    if (hi_x + w > s->width)
        w = s->width - hi_x;
    if (hi_y + h > s->height)
        h = s->height - hi_y;
    if (w > 0 && h > 0) {
        /* Moves the pixels itself (overlap-safe) and schedules a CopyRect. */
        rfbDoCopyRect(s->screen, dx, dy, dx + w, dy + h, dx - sx, dy - sy);
    }
    pthread_mutex_unlock(&testsrv_lvs_lock);
    testsrv_kick(s);
}

void testsrv_mark(struct testsrv *s, int x, int y, int w, int h)
{
    pthread_mutex_lock(&testsrv_lvs_lock);
    if (clip(s, &x, &y, &w, &h))
        rfbMarkRectAsModified(s->screen, x, y, x + w, y + h);
    pthread_mutex_unlock(&testsrv_lvs_lock);
    testsrv_kick(s);
}

void testsrv_resize(struct testsrv *s, int w, int h)
{
    if (w < 1 || h < 1 || w > TESTSRV_MAX_DIM || h > TESTSRV_MAX_DIM)
        return;
    pthread_mutex_lock(&testsrv_lvs_lock);
    testsrv_resize_locked(s, w, h);
    pthread_mutex_unlock(&testsrv_lvs_lock);
    testsrv_kick(s);
}

/* rfbSendBell/rfbSendServerCutText write to every client, even one still in the handshake,
 * which corrupts it; we only write to clients in the normal state. */
static void send_to_ready(struct testsrv *s, const void *hdr, int hlen, const void *body, int blen)
{
    rfbClientIteratorPtr it = rfbGetClientIterator(s->screen);
    rfbClientPtr cl;
    while ((cl = rfbClientIteratorNext(it))) {
        if (cl->state != RFB_NORMAL)
            continue;
        if (rfbWriteExact(cl, hdr, hlen) < 0 || (blen > 0 && rfbWriteExact(cl, body, blen) < 0))
            rfbCloseClient(cl);
    }
    rfbReleaseClientIterator(it);
}

void testsrv_bell(struct testsrv *s)
{
    rfbBellMsg b = {.type = rfbBell};
    pthread_mutex_lock(&testsrv_lvs_lock);
    send_to_ready(s, &b, sz_rfbBellMsg, NULL, 0);
    pthread_mutex_unlock(&testsrv_lvs_lock);
    testsrv_kick(s);
}

void testsrv_send_cut_text(struct testsrv *s, const char *latin1, size_t len)
{
    rfbServerCutTextMsg m;
    memset(&m, 0, sizeof m);
    m.type = rfbServerCutText;
    m.length = htonl((uint32_t)len);
    pthread_mutex_lock(&testsrv_lvs_lock);
    send_to_ready(s, &m, sz_rfbServerCutTextMsg, latin1, (int)len);
    pthread_mutex_unlock(&testsrv_lvs_lock);
    testsrv_kick(s);
}

rfbCursorPtr testsrv_make_cursor(int w, int h, int hotx, int hoty, const uint32_t *argb)
{
    if (w < 1 || h < 1 || w > 256 || h > 256)
        return NULL;
    size_t bpr = (size_t)(w + 7) / 8, n = (size_t)w * (size_t)h;
    rfbCursorPtr c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cleanup = c->cleanupSource = c->cleanupMask = c->cleanupRichSource = TRUE;
    c->width = (unsigned short)w;
    c->height = (unsigned short)h;
    c->xhot = (unsigned short)(hotx < 0 ? 0 : hotx >= w ? w - 1 : hotx);
    c->yhot = (unsigned short)(hoty < 0 ? 0 : hoty >= h ? h - 1 : hoty);
    /* XCursor colours for clients that ask for the two-colour shape: dark pixels black. */
    c->backRed = c->backGreen = c->backBlue = 0xffff;
    c->source = calloc(bpr * (size_t)h, 1);
    c->mask = calloc(bpr * (size_t)h, 1);
    c->richSource = malloc(n * 4);
    c->alphaSource = malloc(n);
    if (!c->source || !c->mask || !c->richSource || !c->alphaSource) {
        rfbFreeCursor(c);
        return NULL;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t v = argb[(size_t)y * (size_t)w + (size_t)x];
            uint8_t a = (uint8_t)(v >> 24);
            put_rgb(c->richSource + ((size_t)y * (size_t)w + (size_t)x) * 4, v & 0xffffff);
            c->alphaSource[(size_t)y * (size_t)w + (size_t)x] = a;
            uint8_t bit = (uint8_t)(0x80 >> (x % 8));
            unsigned lum = ((v >> 16 & 0xff) * 3 + (v >> 8 & 0xff) * 6 + (v & 0xff)) / 10;
            if (a)
                c->mask[(size_t)y * bpr + (size_t)x / 8] |= bit;
            if (a && lum < 128)
                c->source[(size_t)y * bpr + (size_t)x / 8] |= bit;
        }
    return c;
}

rfbCursorPtr testsrv_default_cursor(void)
{
    /* A classic arrow: '#' black, '.' white, ' ' transparent. */
    static const char *const art[] = {
        "#           ", "##          ", "#.#         ", "#..#        ", "#...#       ",
        "#....#      ", "#.....#     ", "#......#    ", "#.......#   ", "#........#  ",
        "#.........# ", "#......#####", "#...#..#    ", "#..# #..#   ", "#.#  #..#   ",
        "##    #..#  ", "#     #..#  ", "       #..# ", "       #### ",
    };
    enum { W = 12, H = 19 };
    uint32_t argb[W * H];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            argb[y * W + x] = art[y][x] == '#' ? 0xff000000u : art[y][x] == '.' ? 0xffffffffu : 0;
    return testsrv_make_cursor(W, H, 0, 0, argb);
}

void testsrv_set_cursor(struct testsrv *s, int w, int h, int hotx, int hoty, const uint32_t *argb)
{
    rfbCursorPtr c = testsrv_make_cursor(w, h, hotx, hoty, argb);
    if (!c)
        return;
    pthread_mutex_lock(&testsrv_lvs_lock);
    /* Frees the previous cursor (ours all have cleanup set) and flags the change to clients. */
    rfbSetCursor(s->screen, c);
    pthread_mutex_unlock(&testsrv_lvs_lock);
    testsrv_kick(s);
}
