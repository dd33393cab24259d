/* Software drawing for the demo desktop: anti-aliased shapes and text blits into an R,G,B,X
 * framebuffer, every primitive clipped to a rectangle so any area can be redrawn on its own. */
#ifndef VV_DEMO_DRAW_H
#define VV_DEMO_DRAW_H

#include <stdbool.h>
#include <stdint.h>

struct SDL_Surface;

struct demo_rect {
    int x, y, w, h;
};

/* 4 bytes per pixel, R,G,B,X in memory; stride = w * 4. Not owned. */
struct demo_canvas {
    uint8_t *px;
    int w, h;
};

struct demo_rect demo_rect_intersect(struct demo_rect a, struct demo_rect b);
bool demo_rect_empty(struct demo_rect r);
struct demo_rect demo_rect_union(struct demo_rect a, struct demo_rect b);

/* Colours are 0xRRGGBB; alpha 0..255. */
uint32_t demo_mix(uint32_t a, uint32_t b, int t256); /* t256 = 0 gives a, 256 gives b */
uint32_t demo_hsv(float h_deg, float s, float v);

void demo_fill(struct demo_canvas *c, struct demo_rect clip, struct demo_rect r, uint32_t rgb,
               int alpha);
/* Vertical gradient over the whole canvas height, drawn only inside clip. */
void demo_vgradient(struct demo_canvas *c, struct demo_rect clip, uint32_t top, uint32_t bottom);
void demo_round_rect(struct demo_canvas *c, struct demo_rect clip, struct demo_rect r, int radius,
                     uint32_t rgb, int alpha);
void demo_circle(struct demo_canvas *c, struct demo_rect clip, float cx, float cy, float radius,
                 uint32_t rgb, int alpha);
/* A circle outline of the given stroke width. */
void demo_ring(struct demo_canvas *c, struct demo_rect clip, float cx, float cy, float radius,
               float width, uint32_t rgb, int alpha);
/* Soft radial glow fading to nothing at radius. */
void demo_glow(struct demo_canvas *c, struct demo_rect clip, float cx, float cy, float radius,
               uint32_t rgb, int alpha);
/* A round-capped line of the given width. */
void demo_line(struct demo_canvas *c, struct demo_rect clip, float x0, float y0, float x1, float y1,
               float width, uint32_t rgb, int alpha);
/* Blends an ARGB8888 surface (SDL_ttf output) at (x,y). */
void demo_blit(struct demo_canvas *c, struct demo_rect clip, const struct SDL_Surface *s, int x,
               int y);

#endif
