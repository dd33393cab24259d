/* Tight rectangles read piece by piece through a read callback: zlib data inflated into a
 * buffer of exactly the rectangle's size, every palette index checked, and only then painted,
 * inside the framebuffer. JPEG goes straight to jpegdec (the hot path: one read, no copy). */
#include "tightdec.h"

#include "jpegdec.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum {
    CTL_FILL = 8,
    CTL_JPEG = 9,
    CTL_EXPLICIT_FILTER = 4,
    FILTER_COPY = 0,
    FILTER_PALETTE = 1,
    FILTER_GRADIENT = 2,
    MIN_TO_COMPRESS = 12, /* smaller data comes uncompressed and without a length */
    MAX_WIDTH = 2048,     /* the protocol's limit for filtered rectangles */
    STREAMS = 4,
};

#define CHUNK (64u * 1024)
/* A compact length holds 22 bits; JPEG data is bounded the same way. */
#define MAX_COMPACT ((1u << 22) - 1)
/* How far past the rectangle's size over-long data is counted before giving up counting. */
#define MAX_EXTRA (1u << 20)

struct tightdec {
    z_stream zs[STREAMS];
    bool zs_ready[STREAMS], failed;
    unsigned long rects; /* Tight rectangles begun on this connection, for messages */
    uint8_t *pix;        /* the current rectangle's filtered data, exactly need bytes */
    size_t pix_cap;
    uint8_t *jpeg; /* the current JPEG image */
    size_t jpeg_cap;
    uint8_t palette[256 * 3];
    uint8_t prev[MAX_WIDTH * 3]; /* gradient filter: the row above */
    uint8_t chunk[CHUNK];        /* compressed data being inflated */
};

struct membuf {
    const uint8_t *p;
    size_t left;
};

/* One rectangle being decoded. */
struct trect {
    tightdec_read_fn read;
    tightdec_paint_fn paint;
    void *ctx;
    const struct membuf *mem; /* tightdec_decode's data, else NULL */
    uint8_t *fb;
    int fb_w, x, y, w, h;
    unsigned filter, colours;
    size_t need, got, extra; /* filtered bytes: needed, inflated into pix, inflated past it */
};

struct tightdec *tightdec_new(void)
{
    return calloc(1, sizeof(struct tightdec));
}

void tightdec_free(struct tightdec *t)
{
    if (!t)
        return;
    for (int i = 0; i < STREAMS; i++)
        if (t->zs_ready[i])
            inflateEnd(&t->zs[i]);
    free(t->pix);
    free(t->jpeg);
    free(t);
}

/* Brackets painting for the caller (tightdec_read_rect's paint). */
static void paint(const struct trect *r, bool begin)
{
    if (r->paint)
        r->paint(r->ctx, begin);
}

static bool tfail(struct tightdec *t, struct vv_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool tfail(struct tightdec *t, struct vv_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vv_error_vset(err, VV_ERR_PROTOCOL, fmt, ap);
    va_end(ap);
    t->failed = true;
    return false;
}

static bool get(struct tightdec *t, struct trect *r, void *buf, size_t n, struct vv_error *err)
{
    if (r->read(r->ctx, buf, n))
        return true;
    vv_error_set(err, VV_ERR_CLOSED, "the connection ended inside Tight rectangle %lu", t->rects);
    t->failed = true;
    return false;
}

/* Called once everything is read, before anything is painted: from memory, data past the
 * rectangle's end is as wrong as data missing. */
static bool check_end(struct tightdec *t, const struct trect *r, struct vv_error *err)
{
    if (!r->mem || r->mem->left == 0)
        return true;
    return tfail(t, err, "the server's Tight rectangle %lu has %zu bytes past its end", t->rects,
                 r->mem->left);
}

static bool grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (*cap >= need)
        return true;
    uint8_t *n = realloc(*buf, need);
    if (!n)
        return false;
    *buf = n;
    *cap = need;
    return true;
}

static bool out_of_memory(struct tightdec *t, const struct trect *r, struct vv_error *err)
{
    vv_error_set(err, VV_ERR_GENERIC, "out of memory decoding a %dx%d Tight rectangle", r->w, r->h);
    t->failed = true;
    return false;
}

/* Compact length: 1 to 3 bytes, 7 + 7 + 8 bits. */
static bool compact_len(struct tightdec *t, struct trect *r, uint32_t *len, struct vv_error *err)
{
    uint8_t b;
    if (!get(t, r, &b, 1, err))
        return false;
    uint32_t v = b & 0x7F;
    if (b & 0x80) {
        if (!get(t, r, &b, 1, err))
            return false;
        v |= (uint32_t)(b & 0x7F) << 7;
        if (b & 0x80) {
            if (!get(t, r, &b, 1, err))
                return false;
            v |= (uint32_t)b << 14;
        }
    }
    *len = v;
    return true;
}

static const char *filter_name(unsigned f)
{
    return f == FILTER_PALETTE ? "palette" : f == FILTER_GRADIENT ? "gradient" : "copy";
}

static bool wrong_size(struct tightdec *t, const struct trect *r, struct vv_error *err)
{
    bool huge = r->extra > MAX_EXTRA;
    return tfail(t, err,
                 "the server's Tight rectangle %lu holds %s%zu bytes of %s-filtered pixels, "
                 "%dx%d needs %zu%s",
                 t->rects, huge ? "more than " : "", huge ? r->need + MAX_EXTRA : r->got + r->extra,
                 filter_name(r->filter), r->w, r->h, r->need,
                 r->got + r->extra > r->need ? " (too many rows)" : "");
}

/* Inflates what is in zs->next_in (possibly nothing: then only output zlib still holds) into
 * pix, and past its end into a scratch buffer that only counts. */
static bool run(struct tightdec *t, struct trect *r, z_stream *zs, struct vv_error *err)
{
    uint8_t scratch[4096];
    for (;;) {
        bool into_pix = r->got < r->need;
        zs->next_out = into_pix ? t->pix + r->got : scratch;
        zs->avail_out = (uInt)(into_pix ? r->need - r->got : sizeof scratch);
        size_t room = zs->avail_out;
        int rc = inflate(zs, Z_SYNC_FLUSH);
        size_t made = room - zs->avail_out;
        if (into_pix)
            r->got += made;
        else
            r->extra += made;
        if (rc == Z_STREAM_END) {
            /* A finished stream: data past its end is an error, the next rectangle may start
             * a new one (libvncclient accepts the end too). */
            if (zs->avail_in > 0)
                return tfail(t, err,
                             "the server's Tight rectangle %lu holds data past the end of its "
                             "zlib stream",
                             t->rects);
            inflateReset(zs);
            return true;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return tfail(t, err, "the server's Tight rectangle %lu is corrupt (zlib: %s)", t->rects,
                         zs->msg ? zs->msg : "error");
        if (r->extra > MAX_EXTRA)
            return wrong_size(t, r, err);
        if (rc == Z_BUF_ERROR || (zs->avail_in == 0 && zs->avail_out > 0))
            return true;
    }
}

/* The filtered data into pix: need bytes exactly, raw when short, else zlib on stream s. */
static bool read_data(struct tightdec *t, struct trect *r, unsigned s, struct vv_error *err)
{
    if (!grow(&t->pix, &t->pix_cap, r->need))
        return out_of_memory(t, r, err);
    r->got = r->extra = 0;
    if (r->need < MIN_TO_COMPRESS) {
        r->got = r->need;
        return get(t, r, t->pix, r->need, err);
    }
    uint32_t len;
    if (!compact_len(t, r, &len, err))
        return false;
    if (len == 0)
        return tfail(t, err, "the server's Tight rectangle %lu announces 0 bytes of data",
                     t->rects);
    z_stream *zs = &t->zs[s];
    if (!t->zs_ready[s]) {
        memset(zs, 0, sizeof *zs);
        if (inflateInit(zs) != Z_OK) {
            vv_error_set(err, VV_ERR_GENERIC, "cannot start zlib");
            t->failed = true;
            return false;
        }
        t->zs_ready[s] = true;
    }
    while (len > 0) {
        uint32_t k = len < CHUNK ? len : CHUNK;
        if (!get(t, r, t->chunk, k, err))
            return false;
        zs->next_in = t->chunk;
        zs->avail_in = k;
        if (!run(t, r, zs, err))
            return false;
        len -= k;
    }
    zs->next_in = NULL;
    zs->avail_in = 0;
    if (r->got == r->need && !run(t, r, zs, err))
        return false;
    if (r->got != r->need || r->extra > 0)
        return wrong_size(t, r, err);
    return true;
}

static inline void put_px(uint8_t *d, const uint8_t *rgb)
{
    d[0] = rgb[2];
    d[1] = rgb[1];
    d[2] = rgb[0];
    d[3] = 0;
}

static inline uint8_t *row_at(const struct trect *r, int j)
{
    return r->fb + ((size_t)(r->y + j) * (size_t)r->fb_w + (size_t)r->x) * 4;
}

static void paint_copy(const struct tightdec *t, const struct trect *r)
{
    const uint8_t *s = t->pix;
    for (int j = 0; j < r->h; j++) {
        uint8_t *d = row_at(r, j);
        for (int i = 0; i < r->w; i++, s += 3, d += 4)
            put_px(d, s);
    }
}

static bool paint_palette(struct tightdec *t, const struct trect *r, struct vv_error *err)
{
    uint32_t px[256];
    for (unsigned c = 0; c < r->colours; c++) {
        uint8_t b[4];
        put_px(b, t->palette + c * 3);
        memcpy(&px[c], b, 4);
    }
    if (r->colours == 2) { /* 1 bit per pixel, most significant first, rows padded to bytes */
        size_t stride = ((size_t)r->w + 7) / 8;
        for (int j = 0; j < r->h; j++) {
            const uint8_t *s = t->pix + (size_t)j * stride;
            uint8_t *d = row_at(r, j);
            for (int i = 0; i < r->w; i++)
                memcpy(d + (size_t)i * 4, &px[(s[i >> 3] >> (7 - (i & 7))) & 1], 4);
        }
        return true;
    }
    size_t n = r->need;
    for (size_t i = 0; i < n; i++)
        if (t->pix[i] >= r->colours)
            return tfail(t, err,
                         "the server's Tight rectangle %lu uses palette index %u at pixel %zu, "
                         "past its %u-colour palette",
                         t->rects, t->pix[i], i, r->colours);
    const uint8_t *s = t->pix;
    for (int j = 0; j < r->h; j++) {
        uint8_t *d = row_at(r, j);
        for (int i = 0; i < r->w; i++, d += 4)
            memcpy(d, &px[*s++], 4);
    }
    return true;
}

/* Each channel predicted as left + above - above-left (clamped to 0..255), plus the data. */
static void paint_gradient(struct tightdec *t, const struct trect *r)
{
    uint8_t *prev = t->prev;
    memset(prev, 0, (size_t)r->w * 3);
    const uint8_t *s = t->pix;
    for (int j = 0; j < r->h; j++) {
        uint8_t *d = row_at(r, j);
        uint8_t left[3] = {0, 0, 0}, upleft[3] = {0, 0, 0};
        for (int i = 0; i < r->w; i++, s += 3, d += 4) {
            uint8_t pix[3];
            for (int c = 0; c < 3; c++) {
                int est = (int)prev[i * 3 + c] + left[c] - upleft[c];
                est = est < 0 ? 0 : est > 255 ? 255 : est;
                pix[c] = (uint8_t)(est + s[c]);
                upleft[c] = prev[i * 3 + c];
                left[c] = pix[c];
                prev[i * 3 + c] = pix[c];
            }
            put_px(d, pix);
        }
    }
}

static bool basic(struct tightdec *t, struct trect *r, unsigned kind, struct vv_error *err)
{
    r->filter = FILTER_COPY;
    if (kind & CTL_EXPLICIT_FILTER) {
        uint8_t f;
        if (!get(t, r, &f, 1, err))
            return false;
        r->filter = f;
    }
    if (r->filter > FILTER_GRADIENT)
        return tfail(t, err, "the server's Tight rectangle %lu uses the unknown filter %u",
                     t->rects, r->filter);
    if (r->w > MAX_WIDTH)
        return tfail(t, err,
                     "the server's Tight rectangle %lu is %d pixels wide; the %s filter takes at "
                     "most %d",
                     t->rects, r->w, filter_name(r->filter), MAX_WIDTH);
    size_t row = (size_t)r->w * 3;
    if (r->filter == FILTER_PALETTE) {
        uint8_t n;
        if (!get(t, r, &n, 1, err))
            return false;
        r->colours = n + 1u;
        if (r->colours < 2)
            return tfail(t, err,
                         "the server's Tight rectangle %lu has a palette of 1 colour (2 to 256 "
                         "expected)",
                         t->rects);
        if (!get(t, r, t->palette, (size_t)r->colours * 3, err))
            return false;
        row = r->colours == 2 ? ((size_t)r->w + 7) / 8 : (size_t)r->w;
    }
    r->need = row * (size_t)r->h;
    if (!read_data(t, r, kind & 3, err) || !check_end(t, r, err))
        return false;
    bool ok = true;
    paint(r, true);
    if (r->filter == FILTER_PALETTE)
        ok = paint_palette(t, r, err);
    else if (r->filter == FILTER_GRADIENT)
        paint_gradient(t, r);
    else
        paint_copy(t, r);
    paint(r, false);
    return ok;
}

static bool jpeg(struct tightdec *t, struct trect *r, struct vv_error *err)
{
    uint32_t len;
    if (!compact_len(t, r, &len, err))
        return false;
    if (len == 0)
        return tfail(t, err, "the server's Tight rectangle %lu announces a JPEG image of 0 bytes",
                     t->rects);
    if (!grow(&t->jpeg, &t->jpeg_cap, len))
        return out_of_memory(t, r, err);
    if (!get(t, r, t->jpeg, len, err) || !check_end(t, r, err))
        return false;
    paint(r, true);
    bool ok = jpegdec_decode(t->jpeg, len, r->fb, r->fb_w * 4, r->x, r->y, r->w, r->h, err);
    paint(r, false);
    if (!ok) {
        t->failed = true;
        return false;
    }
    return true;
}

static bool decode_rect(struct tightdec *t, tightdec_read_fn read, tightdec_paint_fn painter,
                        void *ctx, const struct membuf *mem, uint8_t *fb, int fb_w, int fb_h, int x,
                        int y, int w, int h, struct vv_error *err)
{
    if (t->failed)
        return tfail(t, err, "the Tight decoder already failed on this connection");
    t->rects++;
    if (x < 0 || y < 0 || w <= 0 || h <= 0 || w > fb_w || h > fb_h || x > fb_w - w || y > fb_h - h)
        return tfail(t, err,
                     "the server's Tight rectangle %lu (%dx%d at %d,%d) is outside its %dx%d "
                     "desktop",
                     t->rects, w, h, x, y, fb_w, fb_h);
    struct trect r = {.read = read,
                      .paint = painter,
                      .ctx = ctx,
                      .mem = mem,
                      .fb = fb,
                      .fb_w = fb_w,
                      .x = x,
                      .y = y,
                      .w = w,
                      .h = h};
    uint8_t ctl;
    if (!get(t, &r, &ctl, 1, err))
        return false;
    /* The low four bits reset streams 0 to 3 before this rectangle. */
    for (int s = 0; s < STREAMS; s++)
        if ((ctl >> s & 1) && t->zs_ready[s])
            inflateReset(&t->zs[s]);
    unsigned kind = ctl >> 4;
    if (kind == CTL_FILL) {
        uint8_t rgb[3], b[4];
        if (!get(t, &r, rgb, 3, err) || !check_end(t, &r, err))
            return false;
        put_px(b, rgb);
        paint(&r, true);
        for (int i = 0; i < w; i++)
            memcpy(row_at(&r, 0) + (size_t)i * 4, b, 4);
        for (int j = 1; j < h; j++)
            memcpy(row_at(&r, j), row_at(&r, 0), (size_t)w * 4);
        paint(&r, false);
        return true;
    }
    if (kind == CTL_JPEG)
        return jpeg(t, &r, err);
    if (kind > CTL_JPEG)
        return tfail(t, err, "the server's Tight rectangle %lu has the invalid control byte 0x%02x",
                     t->rects, ctl);
    return basic(t, &r, kind, err);
}

bool tightdec_read_rect(struct tightdec *t, tightdec_read_fn read, tightdec_paint_fn painter,
                        void *ctx, uint8_t *fb, int fb_w, int fb_h, int x, int y, int w, int h,
                        struct vv_error *err)
{
    return decode_rect(t, read, painter, ctx, NULL, fb, fb_w, fb_h, x, y, w, h, err);
}

static bool mem_read(void *ctx, void *buf, size_t n)
{
    struct membuf *m = ctx;
    if (n > m->left)
        return false;
    memcpy(buf, m->p, n);
    m->p += n;
    m->left -= n;
    return true;
}

bool tightdec_decode(struct tightdec *t, const uint8_t *data, size_t len, uint8_t *fb, int fb_w,
                     int fb_h, int x, int y, int w, int h, struct vv_error *err)
{
    struct membuf m = {data, len};
    if (decode_rect(t, mem_read, NULL, &m, &m, fb, fb_w, fb_h, x, y, w, h, err))
        return true;
    if (err->code == VV_ERR_CLOSED)
        vv_error_set(err, VV_ERR_PROTOCOL,
                     "the server's Tight rectangle %lu ends early (%zu bytes)", t->rects, len);
    return false;
}
