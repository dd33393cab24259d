/* The demo desktop's content: an animated, input-echoing scene drawn into an R,G,B,X pixel buffer,
 * tracking which rectangles changed so only those are sent to viewers. Not thread-safe: the
 * demo server calls it under its lock. */
#ifndef VV_DEMO_SCENE_H
#define VV_DEMO_SCENE_H

#include "demo_draw.h"
#include "demo_text.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct demo_scene;

/* fonts must outlive the scene. NULL if out of memory. */
struct demo_scene *demo_scene_new(int w, int h, const struct demo_fonts *fonts);
void demo_scene_free(struct demo_scene *sc);
/* The current pixel buffer (w*h*4 bytes, R,G,B,X), owned by the scene. */
uint8_t *demo_scene_pixels(struct demo_scene *sc);
/* Replaces the pixel buffer with a w x h one (the old one is freed: repoint the server first
 * thing after) and redraws everything. False if out of memory; the old buffer is kept. */
bool demo_scene_resize(struct demo_scene *sc, int w, int h);

/* Advances the animation and the clock to `seconds` since start; frame counts ticks. */
void demo_scene_tick(struct demo_scene *sc, double seconds, uint64_t frame);
void demo_scene_key(struct demo_scene *sc, uint32_t keysym, bool down);
void demo_scene_pointer(struct demo_scene *sc, int x, int y, int buttons);
/* Text a viewer put on the server's clipboard (Latin-1 bytes, as RFB sends them). */
void demo_scene_cut_text(struct demo_scene *sc, const char *latin1, size_t len);
/* One line of feedback about what the server just did ("Bell sent"). */
void demo_scene_note(struct demo_scene *sc, const char *utf8);
void demo_scene_clients(struct demo_scene *sc, int n);

/* Redraws every area that changed since the last flush and calls mark() for each of them. */
void demo_scene_flush(struct demo_scene *sc, void (*mark)(void *ctx, struct demo_rect r),
                      void *ctx);

#endif
