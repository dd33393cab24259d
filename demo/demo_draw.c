/* Software drawing for the demo desktop (see demo_draw.h). Anti-aliasing uses the distance to
 * the shape's edge as coverage, which is plenty for a demo and needs no extra library. */
#include "demo_draw.h"

#include <SDL2/SDL.h>
#include <math.h>

struct demo_rect demo_rect_intersect(struct demo_rect a, struct demo_rect b)
{
    int x0 = a.x > b.x ? a.x : b.x, y0 = a.y > b.y ? a.y : b.y;
    int x1 = a.x + a.w < b.x + b.w ? a.x + a.w : b.x + b.w;
    int y1 = a.y + a.h < b.y + b.h ? a.y + a.h : b.y + b.h;
    struct demo_rect r = {x0, y0, x1 - x0, y1 - y0};
    if (r.w < 0)
        r.w = 0;
    if (r.h < 0)
        r.h = 0;
    return r;
}

bool demo_rect_empty(struct demo_rect r)
{
    return r.w <= 0 || r.h <= 0;
}

struct demo_rect demo_rect_union(struct demo_rect a, struct demo_rect b)
{
    if (demo_rect_empty(a))
        return b;
    if (demo_rect_empty(b))
        return a;
    int x0 = a.x < b.x ? a.x : b.x, y0 = a.y < b.y ? a.y : b.y;
    int x1 = a.x + a.w > b.x + b.w ? a.x + a.w : b.x + b.w;
    int y1 = a.y + a.h > b.y + b.h ? a.y + a.h : b.y + b.h;
    return (struct demo_rect){x0, y0, x1 - x0, y1 - y0};
}

uint32_t demo_mix(uint32_t a, uint32_t b, int t)
{
    if (t <= 0)
        return a;
    if (t >= 256)
        return b;
    uint32_t out = 0;
    for (int sh = 0; sh <= 16; sh += 8) {
        int ca = (int)(a >> sh & 0xff), cb = (int)(b >> sh & 0xff);
        out |= (uint32_t)(ca + ((cb - ca) * t >> 8)) << sh;
    }
    return out;
}

uint32_t demo_hsv(float h, float s, float v)
{
    h = fmodf(h, 360.0f);
    if (h < 0)
        h += 360.0f;
    float c = v * s, x = c * (1.0f - fabsf(fmodf(h / 60.0f, 2.0f) - 1.0f)), m = v - c;
    float r = 0, g = 0, b = 0;
    switch ((int)(h / 60.0f)) {
    case 0:
        r = c, g = x;
        break;
    case 1:
        r = x, g = c;
        break;
    case 2:
        g = c, b = x;
        break;
    case 3:
        g = x, b = c;
        break;
    case 4:
        r = x, b = c;
        break;
    default:
        r = c, b = x;
        break;
    }
    return (uint32_t)((r + m) * 255.0f + 0.5f) << 16 | (uint32_t)((g + m) * 255.0f + 0.5f) << 8 |
           (uint32_t)((b + m) * 255.0f + 0.5f);
}

static inline void blend_px(uint8_t *p, uint32_t rgb, int alpha)
{
    if (alpha <= 0)
        return;
    if (alpha >= 255) {
        p[0] = (uint8_t)(rgb >> 16);
        p[1] = (uint8_t)(rgb >> 8);
        p[2] = (uint8_t)rgb;
        return;
    }
    p[0] = (uint8_t)(p[0] + (((int)(rgb >> 16 & 0xff) - p[0]) * alpha) / 255);
    p[1] = (uint8_t)(p[1] + (((int)(rgb >> 8 & 0xff) - p[1]) * alpha) / 255);
    p[2] = (uint8_t)(p[2] + (((int)(rgb & 0xff) - p[2]) * alpha) / 255);
}

static struct demo_rect clip_to_canvas(const struct demo_canvas *c, struct demo_rect clip,
                                       struct demo_rect r)
{
    struct demo_rect all = {0, 0, c->w, c->h};
    return demo_rect_intersect(demo_rect_intersect(clip, all), r);
}

static inline uint8_t *px_at(struct demo_canvas *c, int x, int y)
{
    return c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 4;
}

void demo_fill(struct demo_canvas *c, struct demo_rect clip, struct demo_rect r, uint32_t rgb,
               int alpha)
{
    struct demo_rect a = clip_to_canvas(c, clip, r);
    for (int y = a.y; y < a.y + a.h; y++) {
        uint8_t *p = px_at(c, a.x, y);
        for (int x = 0; x < a.w; x++, p += 4)
            blend_px(p, rgb, alpha);
    }
}

void demo_vgradient(struct demo_canvas *c, struct demo_rect clip, uint32_t top, uint32_t bottom)
{
    struct demo_rect a = clip_to_canvas(c, clip, (struct demo_rect){0, 0, c->w, c->h});
    for (int y = a.y; y < a.y + a.h; y++) {
        uint32_t rgb = demo_mix(top, bottom, c->h > 1 ? y * 256 / (c->h - 1) : 0);
        uint8_t *p = px_at(c, a.x, y);
        for (int x = 0; x < a.w; x++, p += 4)
            blend_px(p, rgb, 255);
    }
}

static int coverage(float dist_inside)
{
    /* dist_inside > 0.5: fully inside; < -0.5: outside; linear in between. */
    float v = dist_inside + 0.5f;
    if (v <= 0.0f)
        return 0;
    if (v >= 1.0f)
        return 256;
    return (int)(v * 256.0f);
}

void demo_round_rect(struct demo_canvas *c, struct demo_rect clip, struct demo_rect r, int radius,
                     uint32_t rgb, int alpha)
{
    struct demo_rect a = clip_to_canvas(c, clip, r);
    float rad = (float)radius;
    for (int y = a.y; y < a.y + a.h; y++) {
        uint8_t *p = px_at(c, a.x, y);
        for (int x = a.x; x < a.x + a.w; x++, p += 4) {
            /* Distance from the pixel centre to the nearest corner circle centre, if any. */
            float px = (float)x + 0.5f, py = (float)y + 0.5f;
            float cx = px < (float)r.x + rad           ? (float)r.x + rad
                       : px > (float)(r.x + r.w) - rad ? (float)(r.x + r.w) - rad
                                                       : px;
            float cy = py < (float)r.y + rad           ? (float)r.y + rad
                       : py > (float)(r.y + r.h) - rad ? (float)(r.y + r.h) - rad
                                                       : py;
            int cov = 256;
            if (cx != px && cy != py) {
                float d = sqrtf((px - cx) * (px - cx) + (py - cy) * (py - cy));
                cov = coverage(rad - d);
            }
            blend_px(p, rgb, alpha * cov >> 8);
        }
    }
}

void demo_circle(struct demo_canvas *c, struct demo_rect clip, float cx, float cy, float radius,
                 uint32_t rgb, int alpha)
{
    struct demo_rect box = {(int)floorf(cx - radius - 1), (int)floorf(cy - radius - 1),
                            (int)(2 * radius + 3), (int)(2 * radius + 3)};
    struct demo_rect a = clip_to_canvas(c, clip, box);
    for (int y = a.y; y < a.y + a.h; y++) {
        uint8_t *p = px_at(c, a.x, y);
        for (int x = a.x; x < a.x + a.w; x++, p += 4) {
            float dx = (float)x + 0.5f - cx, dy = (float)y + 0.5f - cy;
            int cov = coverage(radius - sqrtf(dx * dx + dy * dy));
            blend_px(p, rgb, alpha * cov >> 8);
        }
    }
}

void demo_ring(struct demo_canvas *c, struct demo_rect clip, float cx, float cy, float radius,
               float width, uint32_t rgb, int alpha)
{
    float outer = radius + width / 2.0f;
    struct demo_rect box = {(int)floorf(cx - outer - 1), (int)floorf(cy - outer - 1),
                            (int)(2 * outer + 3), (int)(2 * outer + 3)};
    struct demo_rect a = clip_to_canvas(c, clip, box);
    for (int y = a.y; y < a.y + a.h; y++) {
        uint8_t *p = px_at(c, a.x, y);
        for (int x = a.x; x < a.x + a.w; x++, p += 4) {
            float dx = (float)x + 0.5f - cx, dy = (float)y + 0.5f - cy;
            int cov = coverage(width / 2.0f - fabsf(sqrtf(dx * dx + dy * dy) - radius));
            blend_px(p, rgb, alpha * cov >> 8);
        }
    }
}

void demo_glow(struct demo_canvas *c, struct demo_rect clip, float cx, float cy, float radius,
               uint32_t rgb, int alpha)
{
    struct demo_rect box = {(int)floorf(cx - radius), (int)floorf(cy - radius),
                            (int)(2 * radius + 2), (int)(2 * radius + 2)};
    struct demo_rect a = clip_to_canvas(c, clip, box);
    for (int y = a.y; y < a.y + a.h; y++) {
        uint8_t *p = px_at(c, a.x, y);
        for (int x = a.x; x < a.x + a.w; x++, p += 4) {
            float dx = (float)x + 0.5f - cx, dy = (float)y + 0.5f - cy;
            float t = 1.0f - sqrtf(dx * dx + dy * dy) / radius;
            if (t > 0.0f)
                blend_px(p, rgb, (int)((float)alpha * t * t));
        }
    }
}

void demo_line(struct demo_canvas *c, struct demo_rect clip, float x0, float y0, float x1, float y1,
               float width, uint32_t rgb, int alpha)
{
    float r = width / 2.0f;
    struct demo_rect box = {(int)floorf(fminf(x0, x1) - r - 1), (int)floorf(fminf(y0, y1) - r - 1),
                            (int)(fabsf(x1 - x0) + 2 * r + 3), (int)(fabsf(y1 - y0) + 2 * r + 3)};
    struct demo_rect a = clip_to_canvas(c, clip, box);
    float vx = x1 - x0, vy = y1 - y0, len2 = vx * vx + vy * vy;
    for (int y = a.y; y < a.y + a.h; y++) {
        uint8_t *p = px_at(c, a.x, y);
        for (int x = a.x; x < a.x + a.w; x++, p += 4) {
            float px = (float)x + 0.5f - x0, py = (float)y + 0.5f - y0;
            float t = len2 > 0.0f ? (px * vx + py * vy) / len2 : 0.0f;
            t = t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
            float dx = px - t * vx, dy = py - t * vy;
            int cov = coverage(r - sqrtf(dx * dx + dy * dy));
            blend_px(p, rgb, alpha * cov >> 8);
        }
    }
}

void demo_blit(struct demo_canvas *c, struct demo_rect clip, const SDL_Surface *s, int x, int y)
{
    if (!s || s->format->format != SDL_PIXELFORMAT_ARGB8888)
        return;
    struct demo_rect a = clip_to_canvas(c, clip, (struct demo_rect){x, y, s->w, s->h});
    for (int j = a.y; j < a.y + a.h; j++) {
        const uint32_t *src =
            (const uint32_t *)((const uint8_t *)s->pixels + (size_t)(j - y) * (size_t)s->pitch) +
            (a.x - x);
        uint8_t *p = px_at(c, a.x, j);
        for (int i = 0; i < a.w; i++, p += 4)
            blend_px(p, src[i] & 0xffffff, (int)(src[i] >> 24));
    }
}
