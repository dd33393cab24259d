/* Streaming-texture presentation: only damaged rectangles are uploaded, the GPU scales. */
#include "view.h"

void view_compute(int fb_w, int fb_h, int out_w, int out_h, enum view_scale mode, float pan_x,
                  float pan_y, struct view_layout *out)
{
    out->src = (SDL_Rect){0, 0, fb_w, fb_h};
    if (fb_w <= 0 || fb_h <= 0 || out_w <= 0 || out_h <= 0) {
        out->dst = (SDL_Rect){0, 0, 0, 0};
        return;
    }
    if (mode == VIEW_FIT) {
        /* Integer arithmetic: exact aspect ratio, no float drift at the edges. */
        int w = out_w, h = (int)((long long)fb_h * out_w / fb_w);
        if (h > out_h) {
            h = out_h;
            w = (int)((long long)fb_w * out_h / fb_h);
        }
        if (w < 1)
            w = 1;
        if (h < 1)
            h = 1;
        out->dst = (SDL_Rect){(out_w - w) / 2, (out_h - h) / 2, w, h};
        return;
    }
    pan_x = pan_x < 0 ? 0 : pan_x > 1 ? 1 : pan_x;
    pan_y = pan_y < 0 ? 0 : pan_y > 1 ? 1 : pan_y;
    if (fb_w <= out_w) {
        out->dst.x = (out_w - fb_w) / 2;
        out->dst.w = fb_w;
    } else {
        out->src.x = (int)(pan_x * (float)(fb_w - out_w) + 0.5f);
        out->src.w = out_w;
        out->dst.x = 0;
        out->dst.w = out_w;
    }
    if (fb_h <= out_h) {
        out->dst.y = (out_h - fb_h) / 2;
        out->dst.h = fb_h;
    } else {
        out->src.y = (int)(pan_y * (float)(fb_h - out_h) + 0.5f);
        out->src.h = out_h;
        out->dst.y = 0;
        out->dst.h = out_h;
    }
}

bool view_out_to_fb(const struct view_layout *l, float ox, float oy, int *fx, int *fy)
{
    if (l->dst.w <= 0 || l->dst.h <= 0)
        return false;
    bool inside =
        ox >= l->dst.x && oy >= l->dst.y && ox < l->dst.x + l->dst.w && oy < l->dst.y + l->dst.h;
    float x = (float)l->src.x + (ox - (float)l->dst.x) * (float)l->src.w / (float)l->dst.w;
    float y = (float)l->src.y + (oy - (float)l->dst.y) * (float)l->src.h / (float)l->dst.h;
    int ix = (int)x, iy = (int)y;
    int maxx = l->src.x + l->src.w - 1, maxy = l->src.y + l->src.h - 1;
    *fx = ix < l->src.x ? l->src.x : ix > maxx ? maxx : ix;
    *fy = iy < l->src.y ? l->src.y : iy > maxy ? maxy : iy;
    return inside;
}

void view_set_filter(struct view *v, bool linear)
{
    v->linear = linear;
    if (v->tex)
        SDL_SetTextureScaleMode(v->tex, linear ? SDL_ScaleModeLinear : SDL_ScaleModeNearest);
}

bool view_upload(struct view *v, SDL_Renderer *r, const struct session_frame *f)
{
    bool all = f->full || f->resized;
    if (!v->tex || v->w != f->width || v->h != f->height) {
        if (v->tex)
            SDL_DestroyTexture(v->tex);
        /* B,G,R,X bytes: the session's framebuffer layout, so uploads are plain copies. */
        v->tex = SDL_CreateTexture(r, SDL_PIXELFORMAT_XRGB8888, SDL_TEXTUREACCESS_STREAMING,
                                   f->width, f->height);
        if (!v->tex)
            return false;
        v->w = f->width;
        v->h = f->height;
        SDL_SetTextureBlendMode(v->tex, SDL_BLENDMODE_NONE);
        view_set_filter(v, v->linear);
        all = true;
    }
    if (all) {
        SDL_UpdateTexture(v->tex, NULL, f->pixels, f->stride);
        v->uploaded_pixels += (unsigned long long)f->width * (unsigned long long)f->height;
        v->uploads++;
        return true;
    }
    for (int i = 0; i < f->ndamage; i++) {
        const struct vv_rect *d = &f->damage[i];
        SDL_Rect rect = {d->x, d->y, d->w, d->h};
        const uint8_t *p = f->pixels + (size_t)d->y * (size_t)f->stride + (size_t)d->x * 4;
        SDL_UpdateTexture(v->tex, &rect, p, f->stride);
        v->uploaded_pixels += (unsigned long long)d->w * (unsigned long long)d->h;
        v->uploads++;
    }
    return true;
}

void view_destroy(struct view *v)
{
    if (v->tex)
        SDL_DestroyTexture(v->tex);
    v->tex = NULL;
    v->w = v->h = 0;
}
