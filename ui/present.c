/* Partial presentation for SDL's software renderer (see present.h). */
#include "present.h"

#include <string.h>

void present_init(struct present *p, SDL_Renderer *r)
{
    memset(p, 0, sizeof *p);
    SDL_RendererInfo info;
    /* GPU renderers' back buffers are undefined after a present: only the software one keeps
     * its window surface. */
    p->enabled = SDL_GetRendererInfo(r, &info) == 0 && strcmp(info.name, "software") == 0;
    p->all = true;
}

void present_add_damage(struct present *p, const struct session_frame *f)
{
    if (f->full || f->resized) {
        p->all = true;
        return;
    }
    for (int i = 0; i < f->ndamage && !p->all; i++) {
        if (p->ndamage == PRESENT_MAX_DAMAGE)
            p->all = true;
        else
            p->damage[p->ndamage++] = f->damage[i];
    }
}

static bool same_layout(const struct view_layout *a, const struct view_layout *b)
{
    return SDL_RectEquals(&a->src, &b->src) && SDL_RectEquals(&a->dst, &b->dst);
}

static bool can_draw_damage(const struct present *p, const struct view_layout *now, int out_w,
                            int out_h)
{
    /* Scaled copies of sub-rectangles would not match a scaled copy of the whole (filtering
     * at the seams): partial redraws are for 1:1 only. */
    return p->enabled && p->retained && !p->all && out_w == p->out_w && out_h == p->out_h &&
           same_layout(now, &p->drawn) && now->src.w == now->dst.w && now->src.h == now->dst.h;
}

/* A framebuffer rectangle's visible part and where it goes in the window. */
static bool map_rect(const struct vv_rect *r, const struct view_layout *l, SDL_Rect *src,
                     SDL_Rect *dst)
{
    SDL_Rect d = {r->x, r->y, r->w, r->h};
    if (!SDL_IntersectRect(&d, &l->src, src))
        return false;
    *dst = (SDL_Rect){src->x - l->src.x + l->dst.x, src->y - l->src.y + l->dst.y, src->w, src->h};
    return true;
}

bool present_direct(struct present *p, SDL_Window *win, const struct session_frame *f,
                    const struct view_layout *now, int out_w, int out_h)
{
    if (f->full || f->resized || p->ndamage || !can_draw_damage(p, now, out_w, out_h))
        return false;
    SDL_Surface *ws = SDL_GetWindowSurface(win);
    if (!ws || ws->w != out_w || ws->h != out_h) /* HiDPI: output pixels are not window pixels */
        return false;
    if (f->ndamage > PRESENT_MAX_DAMAGE)
        return false;
    /* The usual case, a window surface in the frame's own format: plain row copies (the C
     * library's memcpy is the fastest copy here; SDL's blitter is slower). */
    if (ws->format->format == SDL_PIXELFORMAT_XRGB8888 && !SDL_MUSTLOCK(ws)) {
        int n = 0;
        for (int i = 0; i < f->ndamage; i++) {
            SDL_Rect s, d, c;
            if (!map_rect(&f->damage[i], now, &s, &d) || !SDL_IntersectRect(&d, &ws->clip_rect, &c))
                continue;
            s.x += c.x - d.x, s.y += c.y - d.y, s.w = c.w, s.h = c.h;
            d = c;
            for (int j = 0; j < s.h; j++)
                memcpy((uint8_t *)ws->pixels + (size_t)(d.y + j) * (size_t)ws->pitch +
                           (size_t)d.x * 4,
                       f->pixels + (size_t)(s.y + j) * (size_t)f->stride + (size_t)s.x * 4,
                       (size_t)s.w * 4);
            p->shown[n++] = d;
        }
        p->nshown = n;
        p->tex_stale = true;
        return true;
    }
    SDL_Surface *fs = SDL_CreateRGBSurfaceWithFormatFrom((void *)f->pixels, f->width, f->height, 32,
                                                         f->stride, SDL_PIXELFORMAT_XRGB8888);
    if (!fs)
        return false;
    SDL_Rect *shown = p->shown;
    int n = 0;
    bool ok = f->ndamage <= PRESENT_MAX_DAMAGE;
    for (int i = 0; ok && i < f->ndamage; i++) {
        SDL_Rect s, d;
        if (!map_rect(&f->damage[i], now, &s, &d))
            continue;
        ok = SDL_BlitSurface(fs, &s, ws, &d) == 0;
        shown[n++] = d;
    }
    SDL_FreeSurface(fs);
    if (!ok) {
        p->all = true; /* the window may be half drawn: the next render redraws it all */
        p->nshown = 0;
        return false;
    }
    p->nshown = n;
    p->tex_stale = true;
    return true;
}

void present_show(struct present *p, SDL_Window *win)
{
    if (p->nshown)
        SDL_UpdateWindowSurfaceRects(win, p->shown, p->nshown);
    p->nshown = 0;
}

bool present_partial(struct present *p, SDL_Renderer *r, SDL_Texture *tex,
                     const struct view_layout *now, int out_w, int out_h)
{
    if (!tex || p->tex_stale || !can_draw_damage(p, now, out_w, out_h))
        return false;
    for (int i = 0; i < p->ndamage; i++) {
        SDL_Rect s, d;
        if (map_rect(&p->damage[i], now, &s, &d))
            SDL_RenderCopy(r, tex, &s, &d);
    }
    SDL_RenderPresent(r);
    p->ndamage = 0;
    return true;
}

void present_full_done(struct present *p, const struct view_layout *l, int out_w, int out_h,
                       bool overlays)
{
    p->retained = p->enabled && !overlays;
    p->drawn = *l;
    p->out_w = out_w;
    p->out_h = out_h;
    p->ndamage = 0;
    p->all = false;
}
