/* Our own Tight decoder (fill, JPEG, basic with the copy, palette and gradient filters on four
 * zlib streams). libvncclient 0.9.14's lets a server write rows past the framebuffer (Tight too
 * many rows, fixed only by Debian's patch); the stream guard renames Tight rectangles to
 * GUARD_ENC_TIGHT_PRIVATE and this decoder, registered as a client extension, paints a
 * rectangle only when its data is exactly what the rectangle needs. 32bpp depth 24 clients
 * only (TPIXEL = R,G,B; the framebuffer is B,G,R,X). */
#ifndef VV_TIGHTDEC_H
#define VV_TIGHTDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct tightdec;

/* One per connection: the four zlib streams live across rectangles. NULL if out of memory.
 * Free with tightdec_free (NULL allowed). */
struct tightdec *tightdec_new(void);
void tightdec_free(struct tightdec *t);

/* Fills buf with exactly n bytes of the server's stream; false if the connection failed. */
typedef bool (*tightdec_read_fn)(void *ctx, void *buf, size_t n);
/* Called with true before painting into fb and with false after, never around a read (the
 * session's frame lock, paint.h). */
typedef void (*tightdec_paint_fn)(void *ctx, bool begin);

/* Reads one Tight rectangle's data (from its control byte on) through read and paints it into
 * fb (fb_w x fb_h pixels, fb_w * 4 bytes per row) at x,y, w x h. Returns false with err set:
 * VV_ERR_PROTOCOL and a sentence ("the server's Tight rectangle 3 ...", rectangles counted
 * from the connection's first Tight one) when the data is wrong, VV_ERR_CLOSED when read
 * failed. Nothing is painted then, except by a JPEG image that fails halfway (libjpeg writes
 * straight into the framebuffer), and the decoder is unusable: end the session. */
bool tightdec_read_rect(struct tightdec *t, tightdec_read_fn read, tightdec_paint_fn paint,
                        void *ctx, uint8_t *fb, int fb_w, int fb_h, int x, int y, int w, int h,
                        struct vv_error *err);

/* The same from memory: data[0, len) must be exactly the rectangle's data. */
bool tightdec_decode(struct tightdec *t, const uint8_t *data, size_t len, uint8_t *fb, int fb_w,
                     int fb_h, int x, int y, int w, int h, struct vv_error *err);

#endif
