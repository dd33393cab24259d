/* Presentation of the remote desktop: the streaming texture that holds it, damage uploads, and
 * the mapping between window and framebuffer coordinates for fit-to-window and 1:1 scaling. */
#ifndef VV_UI_VIEW_H
#define VV_UI_VIEW_H

#include <SDL.h>
#include <stdbool.h>

#include "session.h"

enum view_scale { VIEW_FIT, VIEW_1TO1 };

struct view_layout {
    SDL_Rect src; /* part of the framebuffer shown */
    SDL_Rect dst; /* where it goes, in output pixels */
};

/* Pure layout: fit keeps the aspect ratio and centres; 1:1 centres a small desktop and pans a
 * large one (pan_x/pan_y from 0 to 1 choose the visible part). */
void view_compute(int fb_w, int fb_h, int out_w, int out_h, enum view_scale mode, float pan_x,
                  float pan_y, struct view_layout *out);
/* Output pixel -> framebuffer pixel, clamped into the desktop. false if (ox, oy) is outside dst. */
bool view_out_to_fb(const struct view_layout *l, float ox, float oy, int *fx, int *fy);

struct view {
    SDL_Texture *tex;
    int w, h;
    bool linear;
    unsigned long long uploaded_pixels; /* statistics for benchmarks */
    unsigned long long uploads;
};

/* Uploads what the frame says is damaged (all of it after a resize). Recreates the texture when
 * the size changed. Returns false if the texture could not be created. */
bool view_upload(struct view *v, SDL_Renderer *r, const struct session_frame *f);
/* Linear filtering when scaled, nearest at 1:1 (keeps text crisp). */
void view_set_filter(struct view *v, bool linear);
void view_destroy(struct view *v);

#endif
