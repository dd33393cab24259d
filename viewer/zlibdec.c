/* Zlib rectangles inflated into a staging buffer of exactly w*h*4 bytes and painted only when
 * the data filled it exactly: never a pixel the server did not send for that place. */
#include "zlibdec.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CHUNK (64u * 1024)
/* The guard bounds a rectangle's compressed bytes; never trust one check. */
/* How far past the rectangle's size over-long data is counted before giving up counting. */
#define MAX_EXTRA (1u << 20)

struct zlibdec {
    z_stream zs;
    bool zs_ready, failed;
    unsigned long rects; /* Zlib rectangles begun on this connection, for messages */
    int w, h;
    uint8_t *out; /* staging: w*h*4 bytes of the current rectangle */
    size_t out_cap, need, got, extra;
};

struct zlibdec *zlibdec_new(void)
{
    return calloc(1, sizeof(struct zlibdec));
}

void zlibdec_free(struct zlibdec *z)
{
    if (!z)
        return;
    if (z->zs_ready)
        inflateEnd(&z->zs);
    free(z->out);
    free(z);
}

static bool zfail(struct zlibdec *z, struct vv_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool zfail(struct zlibdec *z, struct vv_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vv_error_vset(err, VV_ERR_PROTOCOL, fmt, ap);
    va_end(ap);
    z->failed = true;
    return false;
}

static bool wrong_size(struct zlibdec *z, struct vv_error *err)
{
    size_t held = z->got + z->extra;
    return zfail(z, err,
                 "the server's Zlib rectangle %lu holds %s%zu bytes of pixels, %dx%d needs %zu",
                 z->rects, z->extra > MAX_EXTRA ? "more than " : "",
                 z->extra > MAX_EXTRA ? z->need + MAX_EXTRA : held, z->w, z->h, z->need);
}

bool zlibdec_begin(struct zlibdec *z, int w, int h, struct vv_error *err)
{
    if (z->failed)
        return zfail(z, err, "the Zlib decoder already failed on this connection");
    z->rects++;
    if (w <= 0 || h <= 0)
        return zfail(z, err, "the server's Zlib rectangle %lu is empty (%dx%d)", z->rects, w, h);
    size_t need = (size_t)w * (size_t)h * 4;
    if (z->out_cap < need) {
        uint8_t *n = realloc(z->out, need);
        if (!n) {
            vv_error_set(err, VV_ERR_GENERIC, "out of memory decoding a %dx%d Zlib rectangle", w,
                         h);
            z->failed = true;
            return false;
        }
        z->out = n;
        z->out_cap = need;
    }
    if (!z->zs_ready) {
        memset(&z->zs, 0, sizeof z->zs);
        if (inflateInit(&z->zs) != Z_OK) {
            vv_error_set(err, VV_ERR_GENERIC, "cannot start zlib");
            z->failed = true;
            return false;
        }
        z->zs_ready = true;
    }
    z->w = w, z->h = h;
    z->need = need;
    z->got = z->extra = 0;
    return true;
}

/* Inflates what is in zs.next_in (possibly nothing: then only output zlib still holds), into
 * the staging buffer, and past its end into a scratch buffer that only counts. */
static bool run(struct zlibdec *z, struct vv_error *err)
{
    uint8_t scratch[4096];
    for (;;) {
        bool into_out = z->got < z->need;
        z->zs.next_out = into_out ? z->out + z->got : scratch;
        z->zs.avail_out = (uInt)(into_out ? z->need - z->got : sizeof scratch);
        size_t room = z->zs.avail_out;
        int rc = inflate(&z->zs, Z_SYNC_FLUSH);
        size_t made = room - z->zs.avail_out;
        if (into_out)
            z->got += made;
        else
            z->extra += made;
        if (rc == Z_STREAM_END)
            return zfail(z, err,
                         "the server ended its Zlib stream in rectangle %lu (the encoding keeps "
                         "one stream for the whole connection)",
                         z->rects);
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return zfail(z, err, "the server's Zlib rectangle %lu is corrupt (zlib: %s)", z->rects,
                         z->zs.msg ? z->zs.msg : "error");
        if (z->extra > MAX_EXTRA)
            return wrong_size(z, err);
        /* Done when zlib made no progress, or took all the input and had room left over. */
        if (rc == Z_BUF_ERROR || (z->zs.avail_in == 0 && z->zs.avail_out > 0))
            return true;
    }
}

bool zlibdec_feed(struct zlibdec *z, const uint8_t *data, size_t len, struct vv_error *err)
{
    if (z->failed)
        return zfail(z, err, "the Zlib decoder already failed on this connection");
    while (len > 0) {
        size_t k = len < CHUNK ? len : CHUNK; /* avail_in is a uInt */
        z->zs.next_in = (Bytef *)data;
        z->zs.avail_in = (uInt)k;
        if (!run(z, err))
            return false;
        data += k;
        len -= k;
    }
    return true;
}

bool zlibdec_finish(struct zlibdec *z, uint8_t *fb, int stride, int x, int y, struct vv_error *err)
{
    if (z->failed)
        return zfail(z, err, "the Zlib decoder already failed on this connection");
    /* Output zlib still holds (a rectangle that inflates to more than its buffer). */
    z->zs.next_in = NULL;
    z->zs.avail_in = 0;
    if (z->got == z->need && !run(z, err))
        return false;
    if (z->got != z->need || z->extra > 0)
        return wrong_size(z, err);
    size_t row = (size_t)z->w * 4;
    for (int j = 0; j < z->h; j++)
        memcpy(fb + (size_t)(y + j) * (size_t)stride + (size_t)x * 4, z->out + (size_t)j * row,
               row);
    return true;
}

bool zlibdec_decode(struct zlibdec *z, const uint8_t *data, size_t len, uint8_t *fb, int stride,
                    int x, int y, int w, int h, struct vv_error *err)
{
    return zlibdec_begin(z, w, h, err) && zlibdec_feed(z, data, len, err) &&
           zlibdec_finish(z, fb, stride, x, y, err);
}
