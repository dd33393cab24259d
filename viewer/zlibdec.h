/* Our own Zlib decoder (RFC 6143 7.7.4 style "zlib" encoding, number 6). libvncclient 0.9.14
 * paints its whole w*h buffer whatever the rectangle's data inflated to, so a short rectangle
 * shows the previous rectangle's pixels, or another session's, or uninitialised heap. The
 * stream guard renames Zlib rectangles to GUARD_ENC_ZLIB_PRIVATE; this decoder, registered as
 * a client extension, paints a rectangle only when its data inflates to exactly w*h*4 bytes.
 * 32bpp clients only (B,G,R,X as sent). */
#ifndef VV_ZLIBDEC_H
#define VV_ZLIBDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct zlibdec;

/* One per connection: the encoding keeps one zlib stream across all rectangles. NULL if out of
 * memory. Free with zlibdec_free (NULL allowed). */
struct zlibdec *zlibdec_new(void);
void zlibdec_free(struct zlibdec *z);

/* A rectangle in three steps, so that its data can be fed as it arrives:
 * begin (w, h > 0), feed its bytes (any split), finish (paints into fb at x,y, stride bytes per
 * row; the caller checked that the rectangle lies inside the framebuffer). Each returns false
 * with err set (VV_ERR_PROTOCOL: "the server's Zlib rectangle 3 holds 1024 bytes of pixels,
 * 32x16 needs 2048", rectangles counted from the connection's first Zlib one; corrupt data; the
 * stream ended) and then the decoder is unusable: end the session. Nothing is painted unless
 * finish succeeds. */
bool zlibdec_begin(struct zlibdec *z, int w, int h, struct vv_error *err);
bool zlibdec_feed(struct zlibdec *z, const uint8_t *data, size_t len, struct vv_error *err);
bool zlibdec_finish(struct zlibdec *z, uint8_t *fb, int stride, int x, int y, struct vv_error *err);
/* begin + feed + finish. */
bool zlibdec_decode(struct zlibdec *z, const uint8_t *data, size_t len, uint8_t *fb, int stride,
                    int x, int y, int w, int h, struct vv_error *err);

#endif
