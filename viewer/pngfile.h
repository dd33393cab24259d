/* PNG files for snapshots and tests: write a B,G,R,X framebuffer as 8-bit RGB, read one back. */
#ifndef VV_PNG_H
#define VV_PNG_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Writes width x height pixels, 4 bytes each in memory order B,G,R,X (SDL_PIXELFORMAT_XRGB8888
 * on little-endian; X is ignored), rows stride bytes apart, to path as an 8-bit RGB PNG.
 * The data goes to a temporary file next to path that is renamed over path only once it is
 * complete, so path is either untouched or a whole PNG. path "-" writes to standard output.
 * Failures: VV_ERR_IO ("cannot write /x/y.png: Permission denied"), VV_ERR_USAGE for bad
 * arguments. */
bool png_write_bgrx(const char *path, const uint8_t *pixels, int width, int height, int stride,
                    struct vv_error *err);

/* Reads any PNG libpng understands and converts it to 8-bit RGB (alpha dropped, grey and palette
 * expanded), 3 bytes per pixel, rows packed. On success *rgb is malloc'd: caller frees.
 * Failures: VV_ERR_IO naming the file. */
bool png_read_rgb(const char *path, uint8_t **rgb, int *w, int *h, struct vv_error *err);

#endif
