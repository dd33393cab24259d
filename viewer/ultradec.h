/* Our own Ultra decoder (UltraVNC's encoding 9: each rectangle's pixels LZO1X-compressed on
 * their own). libvncclient 0.9.14 paints its whole w*h buffer even when the data decompresses
 * to less (it only logs it), showing the previous rectangle's pixels, another session's, or
 * uninitialised heap. The stream guard renames Ultra rectangles to GUARD_ENC_ULTRA_PRIVATE;
 * this decoder, a client extension, paints a rectangle only when its data decompresses to
 * exactly w*h*4 bytes. Decompression is liblzo2's bounds-checked lzo1x_decompress_safe (Debian
 * package liblzo2-dev; libvncclient links the same library). 32bpp clients only. */
#ifndef VV_ULTRADEC_H
#define VV_ULTRADEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct ultradec;

/* One per connection (it counts rectangles for messages and keeps its buffer). NULL if out of
 * memory. Free with ultradec_free (NULL allowed). */
struct ultradec *ultradec_new(void);
void ultradec_free(struct ultradec *u);

/* Decompresses one rectangle's data (the bytes after its u32 length) and paints it into fb at
 * x,y (stride bytes per row; the caller checked that it lies inside the framebuffer). len 0 is
 * UltraVNC's "nothing changed": nothing is painted. false with err (VV_ERR_PROTOCOL: "the
 * server's Ultra rectangle 2 holds 64 bytes of pixels, 8x4 needs 128", rectangles counted from
 * the connection's first Ultra one; corrupt data) and nothing painted otherwise. */
bool ultradec_decode(struct ultradec *u, const uint8_t *data, size_t len, uint8_t *fb, int stride,
                     int x, int y, int w, int h, struct vv_error *err);

#endif
