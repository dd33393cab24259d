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

bool present_partial(struct present *p, SDL_Renderer *r, SDL_Texture *tex,
                     const struct view_layout *now, int out_w, int out_h)
{
    /* Scaled copies of sub-rectangles would not match a scaled copy of the whole (filtering
     * at the seams): partial redraws are for 1:1 only. */
    if (!p->enabled || !p->retained || p->all || !tex || out_w != p->out_w || out_h != p->out_h ||
        !same_layout(now, &p->drawn) || now->src.w != now->dst.w || now->src.h != now->dst.h)
        return false;
    for (int i = 0; i < p->ndamage; i++) {
        SDL_Rect d = {p->damage[i].x, p->damage[i].y, p->damage[i].w, p->damage[i].h};
        SDL_Rect s;
        if (!SDL_IntersectRect(&d, &now->src, &s))
            continue;
        SDL_Rect o = {s.x - now->src.x + now->dst.x, s.y - now->src.y + now->dst.y, s.w, s.h};
        SDL_RenderCopy(r, tex, &s, &o);
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
