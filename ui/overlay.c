/* Status screen, security badge and toasts, and anti-aliased shapes built from SDL_RenderGeometry
 * triangles (every SDL2 renderer, the software one included, draws them). */
#include "overlay.h"

#include <math.h>

#define PI_F 3.14159265f
#define MAX_CORNER_STEPS 12
#define MAX_RING ((MAX_CORNER_STEPS + 1) * 4)
#define MAX_ARC_STEPS 96

static struct ui_text_cache *overlay_cache;

struct draw_state {
    SDL_BlendMode blend;
    Uint8 r, g, b, a;
};

static struct draw_state state_push(SDL_Renderer *r)
{
    struct draw_state s;
    SDL_GetRenderDrawBlendMode(r, &s.blend);
    SDL_GetRenderDrawColor(r, &s.r, &s.g, &s.b, &s.a);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    return s;
}

static void state_pop(SDL_Renderer *r, struct draw_state s)
{
    SDL_SetRenderDrawBlendMode(r, s.blend);
    SDL_SetRenderDrawColor(r, s.r, s.g, s.b, s.a);
}

static SDL_Color with_alpha(SDL_Color c, float a)
{
    float v = c.a * a;
    c.a = (Uint8)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5f);
    return c;
}

static int corner_steps(float radius)
{
    int n = (int)(radius / 2.0f);
    return n < 2 ? 2 : n > MAX_CORNER_STEPS ? MAX_CORNER_STEPS : n;
}

/* One closed outline of a rounded rect at distance (rad + off) from the corner centres;
 * clockwise from the top-left corner. Returns the number of vertices written. */
static int rr_outline(SDL_Vertex *v, SDL_FRect rc, float rad, float off, SDL_Color c, int steps)
{
    const float cx[4] = {rc.x + rad, rc.x + rc.w - rad, rc.x + rc.w - rad, rc.x + rad};
    const float cy[4] = {rc.y + rad, rc.y + rad, rc.y + rc.h - rad, rc.y + rc.h - rad};
    int n = 0;
    for (int k = 0; k < 4; k++) {
        float base = PI_F + k * PI_F / 2;
        for (int i = 0; i <= steps; i++) {
            float a = base + (PI_F / 2) * i / steps;
            v[n].position.x = cx[k] + cosf(a) * (rad + off);
            v[n].position.y = cy[k] + sinf(a) * (rad + off);
            v[n].color = c;
            v[n].tex_coord.x = v[n].tex_coord.y = 0;
            n++;
        }
    }
    return n;
}

/* Indices for the band between outline a (at offset ia) and outline b (at ib), n points each. */
static int band(int *idx, int ia, int ib, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        idx[k++] = ia + i;
        idx[k++] = ib + i;
        idx[k++] = ia + j;
        idx[k++] = ia + j;
        idx[k++] = ib + i;
        idx[k++] = ib + j;
    }
    return k;
}

static float clamp_radius(SDL_FRect rc, float radius)
{
    float lim = (rc.w < rc.h ? rc.w : rc.h) / 2;
    if (radius > lim)
        radius = lim;
    return radius < 1 ? 1 : radius;
}

void ui_draw_round_rect(SDL_Renderer *r, SDL_FRect rc, float radius, SDL_Color c)
{
    if (rc.w <= 0 || rc.h <= 0 || c.a == 0)
        return;
    radius = clamp_radius(rc, radius);
    int steps = corner_steps(radius);
    SDL_Vertex v[1 + 2 * MAX_RING];
    int idx[3 * MAX_RING + 6 * MAX_RING];
    /* A solid polygon half a pixel inside the edge and a feather ring fading to transparent
     * half a pixel outside: cheap anti-aliasing that needs no texture. */
    v[0].position.x = rc.x + rc.w / 2;
    v[0].position.y = rc.y + rc.h / 2;
    v[0].color = c;
    v[0].tex_coord.x = v[0].tex_coord.y = 0;
    int n = rr_outline(v + 1, rc, radius, -0.5f, c, steps);
    rr_outline(v + 1 + n, rc, radius, 0.5f, with_alpha(c, 0), steps);
    int k = 0;
    for (int i = 0; i < n; i++) {
        idx[k++] = 0;
        idx[k++] = 1 + i;
        idx[k++] = 1 + (i + 1) % n;
    }
    k += band(idx + k, 1, 1 + n, n);
    struct draw_state s = state_push(r);
    SDL_RenderGeometry(r, NULL, v, 1 + 2 * n, idx, k);
    state_pop(r, s);
}

void ui_draw_round_frame(SDL_Renderer *r, SDL_FRect rc, float radius, float width, SDL_Color c)
{
    if (rc.w <= 0 || rc.h <= 0 || c.a == 0 || width <= 0)
        return;
    if (width < 1) { /* thinner than a pixel: a 1 px line at reduced alpha looks the same */
        c = with_alpha(c, width);
        width = 1;
    }
    radius = clamp_radius(rc, radius);
    if (radius < width + 1)
        radius = width + 1;
    int steps = corner_steps(radius);
    SDL_Vertex v[4 * MAX_RING];
    int idx[3 * 6 * MAX_RING];
    int n = rr_outline(v, rc, radius, 0.5f, with_alpha(c, 0), steps);
    rr_outline(v + n, rc, radius, -0.5f, c, steps);
    rr_outline(v + 2 * n, rc, radius, -width + 0.5f, c, steps);
    rr_outline(v + 3 * n, rc, radius, -width - 0.5f, with_alpha(c, 0), steps);
    int k = band(idx, 0, n, n);
    k += band(idx + k, n, 2 * n, n);
    k += band(idx + k, 2 * n, 3 * n, n);
    struct draw_state s = state_push(r);
    SDL_RenderGeometry(r, NULL, v, 4 * n, idx, k);
    state_pop(r, s);
}

void ui_draw_arc(SDL_Renderer *r, float cx, float cy, float radius, float thickness, float a0,
                 float a1, SDL_Color c, float alpha0, float alpha1)
{
    int steps = (int)(fabsf(a1 - a0) * radius / 3.0f);
    steps = steps < 6 ? 6 : steps > MAX_ARC_STEPS ? MAX_ARC_STEPS : steps;
    SDL_Vertex v[4 * (MAX_ARC_STEPS + 1)];
    int idx[18 * MAX_ARC_STEPS];
    const float off[4] = {radius + thickness / 2 + 0.5f, radius + thickness / 2 - 0.5f,
                          radius - thickness / 2 + 0.5f, radius - thickness / 2 - 0.5f};
    int nv = 0, k = 0;
    for (int i = 0; i <= steps; i++) {
        float t = (float)i / steps;
        float a = a0 + (a1 - a0) * t;
        SDL_Color col = with_alpha(c, alpha0 + (alpha1 - alpha0) * t);
        for (int j = 0; j < 4; j++) {
            v[nv].position.x = cx + cosf(a) * off[j];
            v[nv].position.y = cy + sinf(a) * off[j];
            v[nv].color = (j == 0 || j == 3) ? with_alpha(col, 0) : col;
            v[nv].tex_coord.x = v[nv].tex_coord.y = 0;
            nv++;
        }
        if (i == 0)
            continue;
        int p = nv - 8, q = nv - 4;
        for (int j = 0; j < 3; j++) {
            idx[k++] = p + j;
            idx[k++] = q + j;
            idx[k++] = p + j + 1;
            idx[k++] = p + j + 1;
            idx[k++] = q + j;
            idx[k++] = q + j + 1;
        }
    }
    struct draw_state s = state_push(r);
    SDL_RenderGeometry(r, NULL, v, nv, idx, k);
    state_pop(r, s);
}

void ui_draw_texture(SDL_Renderer *r, SDL_Texture *t, int x, int y, int w, int h, uint8_t alpha)
{
    if (!t)
        return;
    SDL_Rect dst = {x, y, w, h};
    SDL_SetTextureAlphaMod(t, alpha);
    SDL_RenderCopy(r, t, NULL, &dst);
}

static SDL_Texture *cached_text(struct ui_font *f, SDL_Renderer *r, const char *text, SDL_Color c,
                                int max_width, int *w, int *h)
{
    if (!overlay_cache)
        overlay_cache = ui_text_cache_new(16);
    return ui_text_cache_get(overlay_cache, f, r, text, c, max_width, UI_ALIGN_CENTER, w, h);
}

void ui_overlay_flush_cache(void)
{
    ui_text_cache_free(overlay_cache);
    overlay_cache = NULL;
}

const char *ui_security_level_text(enum ui_security_level level)
{
    switch (level) {
    case UI_SEC_VERIFIED:
        return "Verified encryption";
    case UI_SEC_UNVERIFIED:
        return "Encrypted, not verified";
    case UI_SEC_NONE:
        return "NOT ENCRYPTED";
    case UI_SEC_SSH:
        return "SSH tunnel";
    }
    return "Unknown security";
}

void ui_overlay_status(SDL_Renderer *r, struct ui_font *font, int out_w, int out_h, float scale,
                       const char *title, const char *detail, uint32_t ticks_ms)
{
    struct draw_state s = state_push(r);
    /* A faint vertical gradient reads as a surface rather than a black hole. */
    SDL_Vertex bg[4] = {
        {{0, 0}, {24, 27, 34, 255}, {0, 0}},
        {{(float)out_w, 0}, {24, 27, 34, 255}, {0, 0}},
        {{(float)out_w, (float)out_h}, {11, 12, 16, 255}, {0, 0}},
        {{0, (float)out_h}, {11, 12, 16, 255}, {0, 0}},
    };
    const int bg_idx[6] = {0, 1, 2, 0, 2, 3};
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    SDL_RenderGeometry(r, NULL, bg, 4, bg_idx, 6);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);

    struct ui_font *tf = ui_font_variant(font, UI_FONT_TITLE);
    int wrap = (int)(520 * scale);
    if (wrap > out_w - (int)(48 * scale))
        wrap = out_w - (int)(48 * scale);
    if (wrap < 50)
        wrap = 50;
    const SDL_Color title_c = {236, 239, 244, 255}, detail_c = {160, 167, 180, 255};
    int tw, th, dw = 0, dh = 0;
    cached_text(tf, r, title, title_c, wrap, &tw, &th);
    if (detail && *detail)
        cached_text(font, r, detail, detail_c, wrap, &dw, &dh);
    float spin_r = 22 * scale, spin_gap = ticks_ms ? 28 * scale : 0;
    float block = (ticks_ms ? 2 * spin_r : 0) + spin_gap + th + (dh ? 10 * scale + dh : 0);
    float y = (out_h - block) * 0.45f;
    if (ticks_ms) {
        float cx = out_w / 2.0f, cy = y + spin_r;
        float th_px = 4 * scale;
        ui_draw_arc(r, cx, cy, spin_r, th_px, 0, 2 * PI_F, (SDL_Color){255, 255, 255, 28}, 1, 1);
        float head = (ticks_ms % 1000) / 1000.0f * 2 * PI_F;
        ui_draw_arc(r, cx, cy, spin_r, th_px, head - 1.6f * PI_F, head,
                    (SDL_Color){90, 160, 255, 255}, 0, 1);
        y += 2 * spin_r + spin_gap;
    }
    /* The cache hands out one texture at a time: fetch each right before drawing it. */
    SDL_Texture *t = cached_text(tf, r, title, title_c, wrap, &tw, &th);
    ui_draw_texture(r, t, (out_w - tw) / 2, (int)y, tw, th, 255);
    y += th + 10 * scale;
    if (dh) {
        t = cached_text(font, r, detail, detail_c, wrap, &dw, &dh);
        ui_draw_texture(r, t, (out_w - dw) / 2, (int)y, dw, dh, 255);
    }
    state_pop(r, s);
}

static SDL_Color level_color(enum ui_security_level level)
{
    switch (level) {
    case UI_SEC_VERIFIED:
        return (SDL_Color){52, 199, 89, 255};
    case UI_SEC_UNVERIFIED:
        return (SDL_Color){255, 176, 32, 255};
    case UI_SEC_NONE:
        return (SDL_Color){255, 69, 58, 255};
    case UI_SEC_SSH:
        return (SDL_Color){64, 156, 255, 255};
    }
    return (SDL_Color){160, 160, 160, 255};
}

/* A padlock icon of height h with its top-left at (x, y); open = shackle lifted on one side. */
static void draw_lock(SDL_Renderer *r, float x, float y, float h, bool open, SDL_Color c)
{
    float bw = h * 0.78f, bh = h * 0.56f, stroke = h * 0.13f;
    float sr = bw * 0.30f; /* shackle radius (centre line) */
    float scx = x + bw / 2, lift = open ? h * 0.16f : 0;
    float body_y = y + h - bh;
    float scy = body_y - h * 0.12f - lift;
    ui_draw_arc(r, scx, scy, sr, stroke, PI_F, 2 * PI_F, c, 1, 1);
    /* legs: from the arc ends down into the body; the open lock's left leg stops short */
    SDL_FRect right = {scx + sr - stroke / 2, scy, stroke, body_y - scy + 1};
    SDL_FRect left = {scx - sr - stroke / 2, scy, stroke, open ? h * 0.08f : body_y - scy + 1};
    ui_draw_round_rect(r, right, 0.5f, c);
    ui_draw_round_rect(r, left, 0.5f, c);
    ui_draw_round_rect(r, (SDL_FRect){x, body_y, bw, bh}, h * 0.12f, c);
}

void ui_overlay_badge(SDL_Renderer *r, struct ui_font *font, int out_w, int out_h, float scale,
                      enum ui_security_level level, const char *text, uint8_t alpha)
{
    (void)out_h;
    if (alpha == 0)
        return;
    if (!text)
        text = ui_security_level_text(level);
    struct ui_font *sf =
        ui_font_variant(font, level == UI_SEC_NONE ? UI_FONT_SMALL_BOLD : UI_FONT_SMALL);
    float a = alpha / 255.0f;
    SDL_Color lc = level_color(level);
    int tw, th;
    cached_text(sf, r, text, (SDL_Color){245, 246, 248, 255}, 0, &tw, &th);
    float icon = th * 0.86f, pad = 12 * scale, gap = 8 * scale;
    float h = th + 12 * scale, w = pad + icon + gap + tw + pad;
    float margin = 12 * scale;
    SDL_FRect rc = {out_w - margin - w, margin, w, h};
    /* The level colour tints a dark glass so the pill stays readable over any desktop. */
    SDL_Color bg = {(Uint8)(18 + lc.r * 0.22f), (Uint8)(20 + lc.g * 0.22f),
                    (Uint8)(24 + lc.b * 0.22f), 232};
    struct draw_state s = state_push(r);
    ui_draw_round_rect(r, rc, h / 2, with_alpha(bg, a));
    ui_draw_round_frame(r, rc, h / 2, 1.2f * scale, with_alpha(lc, a * 0.85f));
    draw_lock(r, rc.x + pad, rc.y + (h - icon) / 2, icon, level == UI_SEC_NONE, with_alpha(lc, a));
    SDL_Texture *t = cached_text(sf, r, text, (SDL_Color){245, 246, 248, 255}, 0, &tw, &th);
    ui_draw_texture(r, t, (int)(rc.x + pad + icon + gap), (int)(rc.y + (h - th) / 2), tw, th,
                    alpha);
    state_pop(r, s);
}

void ui_overlay_toast(SDL_Renderer *r, struct ui_font *font, int out_w, int out_h, float scale,
                      const char *text, uint8_t alpha)
{
    if (alpha == 0 || !text || !*text)
        return;
    float a = alpha / 255.0f;
    int wrap = out_w - (int)(96 * scale);
    if (wrap < 50)
        wrap = 50;
    const SDL_Color tc = {240, 242, 245, 255};
    int tw, th;
    cached_text(font, r, text, tc, wrap, &tw, &th);
    float padx = 20 * scale, pady = 10 * scale;
    SDL_FRect rc = {(out_w - tw) / 2.0f - padx, out_h - 40 * scale - th - 2 * pady, tw + 2 * padx,
                    th + 2 * pady};
    rc.x = floorf(rc.x);
    rc.y = floorf(rc.y);
    float radius = ui_font_height(font) / 2.0f + pady;
    struct draw_state s = state_push(r);
    ui_draw_round_rect(r, rc, radius, with_alpha((SDL_Color){30, 32, 38, 235}, a));
    ui_draw_round_frame(r, rc, radius, 1 * scale, with_alpha((SDL_Color){255, 255, 255, 38}, a));
    SDL_Texture *t = cached_text(font, r, text, tc, wrap, &tw, &th);
    ui_draw_texture(r, t, (int)(rc.x + padx), (int)(rc.y + pady), tw, th, alpha);
    state_pop(r, s);
}
