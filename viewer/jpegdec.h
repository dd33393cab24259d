/* Tight JPEG rectangles decoded with the system libjpeg-turbo (bounds-checked memory source),
 * replacing libvncclient's bundled TurboJPEG wrapper (hostile-servers F7). No SDL. */
#ifndef VV_JPEGDEC_H
#define VV_JPEGDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Decodes data into the w*h rectangle at x,y of fb (B,G,R,X pixels, stride bytes per row; the
 * caller checked the rectangle lies inside). The JPEG must be exactly w*h. */
bool jpegdec_decode(const uint8_t *data, size_t len, uint8_t *fb, int stride, int x, int y, int w,
                    int h, struct vv_error *err);

#endif
