/* Our own ZRLE decoder. The stream guard renames ZRLE rectangles to GUARD_ENC_ZRLE_PRIVATE so
 * that libvncclient's decoder (which paints stack memory for out-of-range palette indices and
 * over-reads raw tiles: hostile-servers F1, F5) never runs; this one, registered as a client
 * extension, decodes them with every index, run and length checked. 32bpp depth 24 only. */
#ifndef VV_ZRLE_H
#define VV_ZRLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct zrle;

struct zrle *zrle_new(void);
void zrle_free(struct zrle *z);
/* Decodes one rectangle's zlib data (the bytes after its u32 length) into fb (stride bytes per
 * row, B,G,R,X pixels); the rectangle must lie inside the framebuffer (the caller checked). The
 * zlib stream continues across rectangles, as the protocol says. false + err on bad data. */
bool zrle_decode(struct zrle *z, const uint8_t *data, size_t len, uint8_t *fb, int stride, int x,
                 int y, int w, int h, struct vv_error *err);

#endif
