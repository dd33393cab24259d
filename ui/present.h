/* Partial presentation for SDL's software renderer: its window surface keeps what was drawn, so a
 * frame that changed only the desktop redraws just the damaged rectangles instead of the whole
 * window (the renderer copies every pixel it is asked to draw, on the CPU). */
#ifndef VV_PRESENT_H
#define VV_PRESENT_H

#include <SDL.h>
#include <stdbool.h>

#include "session.h"
#include "view.h"

#define PRESENT_MAX_DAMAGE 64

struct present {
    bool enabled;  /* the renderer is SDL's software renderer */
    bool retained; /* the window shows exactly the desktop at `drawn`, nothing drawn over it */
    struct view_layout drawn;
    int out_w, out_h;
    struct vv_rect damage[PRESENT_MAX_DAMAGE]; /* framebuffer damage since the last draw */
    int ndamage;
    bool all; /* too much or unknown damage: redraw everything */
    /* Frames went straight to the window (present_direct), not into the texture: the next
     * full redraw must upload the whole frame first. */
    bool tex_stale;
    SDL_Rect shown[PRESENT_MAX_DAMAGE]; /* copied by present_direct, shown by present_show */
    int nshown;
};

/* Decides whether the renderer keeps its window contents (call once after creating it). */
void present_init(struct present *p, SDL_Renderer *r);
/* Adds a published frame's damage (the main thread, while the frame is locked). */
void present_add_damage(struct present *p, const struct session_frame *f);
/* Draws only the damage into the window and presents, if the window holds the desktop unscaled
 * at the same place as last time; false if a full redraw is needed instead. */
bool present_partial(struct present *p, SDL_Renderer *r, SDL_Texture *tex,
                     const struct view_layout *now, int out_w, int out_h);
/* Copies a published frame's damage straight into the window surface, skipping the texture,
 * when the window holds the desktop unscaled and nothing is drawn over it (the main thread,
 * frame locked); present_show then shows it, after the frame is unlocked (showing waits for
 * the display server; the session must not wait for that). false: upload to the texture and
 * render as usual. */
bool present_direct(struct present *p, SDL_Window *win, const struct session_frame *f,
                    const struct view_layout *now, int out_w, int out_h);
void present_show(struct present *p, SDL_Window *win);
/* After a full redraw: overlays says whether anything was drawn over the desktop. */
void present_full_done(struct present *p, const struct view_layout *l, int out_w, int out_h,
                       bool overlays);

#endif
