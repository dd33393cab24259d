/* Ultra rectangles decompressed into a buffer a little larger than w*h*4 (so that over-long
 * data can be measured) and painted only when they filled exactly w*h*4 bytes. */
#include "ultradec.h"

#include <lzo/lzo1x.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The guard bounds a rectangle's compressed bytes; never trust one check. */
/* Room past the rectangle's size, to say how long over-long data is. */
#define SLACK (64u * 1024)

struct ultradec {
    unsigned long rects; /* Ultra rectangles on this connection, for messages */
    uint8_t *out;
    size_t out_cap;
};

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
static bool lzo_ok;

static void lzo_start(void)
{
    lzo_ok = lzo_init() == LZO_E_OK;
}

struct ultradec *ultradec_new(void)
{
    pthread_once(&lzo_once, lzo_start);
    return calloc(1, sizeof(struct ultradec));
}

void ultradec_free(struct ultradec *u)
{
    if (!u)
        return;
    free(u->out);
    free(u);
}

bool ultradec_decode(struct ultradec *u, const uint8_t *data, size_t len, uint8_t *fb, int stride,
                     int x, int y, int w, int h, struct vv_error *err)
{
    u->rects++;
    if (w <= 0 || h <= 0) {
        vv_error_set(err, VV_ERR_PROTOCOL, "the server's Ultra rectangle %lu is empty (%dx%d)",
                     u->rects, w, h);
        return false;
    }
    if (len == 0)
        return true;
    if (!lzo_ok) {
        vv_error_set(err, VV_ERR_GENERIC, "cannot start the LZO library");
        return false;
    }
    size_t need = (size_t)w * (size_t)h * 4;
    if (u->out_cap < need + SLACK) {
        uint8_t *n = realloc(u->out, need + SLACK);
        if (!n) {
            vv_error_set(err, VV_ERR_GENERIC, "out of memory decoding a %dx%d Ultra rectangle", w,
                         h);
            return false;
        }
        u->out = n;
        u->out_cap = need + SLACK;
    }
    lzo_uint got = need + SLACK;
    int rc = lzo1x_decompress_safe(data, len, u->out, &got, NULL);
    if (rc == LZO_E_OUTPUT_OVERRUN) {
        vv_error_set(err, VV_ERR_PROTOCOL,
                     "the server's Ultra rectangle %lu holds more than %zu bytes of pixels, %dx%d "
                     "needs %zu",
                     u->rects, need + SLACK, w, h, need);
        return false;
    }
    if (rc != LZO_E_OK) {
        vv_error_set(err, VV_ERR_PROTOCOL, "the server's Ultra rectangle %lu is corrupt (%s)",
                     u->rects,
                     rc == LZO_E_INPUT_OVERRUN        ? "its data ends early"
                     : rc == LZO_E_INPUT_NOT_CONSUMED ? "bytes after its end"
                                                      : "LZO error");
        return false;
    }
    if (got != need) {
        vv_error_set(err, VV_ERR_PROTOCOL,
                     "the server's Ultra rectangle %lu holds %zu bytes of pixels, %dx%d needs %zu",
                     u->rects, (size_t)got, w, h, need);
        return false;
    }
    size_t row = (size_t)w * 4;
    for (int j = 0; j < h; j++)
        memcpy(fb + (size_t)(y + j) * (size_t)stride + (size_t)x * 4, u->out + (size_t)j * row,
               row);
    return true;
}
