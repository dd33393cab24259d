/* Full screen that also works under a bare X server: SDL 2.26 asks the window manager for it,
 * and with none running the X window keeps its size while SDL reports the screen's. */
#ifndef VV_UI_FULLSCREEN_H
#define VV_UI_FULLSCREEN_H

#include <SDL.h>
#include <stdbool.h>

struct fullscreen {
    bool on, manual; /* manual: borderless window over the display, no window manager */
    SDL_Rect saved;  /* the window's geometry before, to come back to */
};

void fullscreen_set(struct fullscreen *fs, SDL_Window *win, bool on);

#endif
