/* Full screen through the window manager when there is one, else by hand. */
#include "fullscreen.h"

#include "log.h"
#include "vv_config.h"

#include <SDL_syswm.h>
#ifdef VV_HAVE_X11
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#endif

/* True unless this is X11 without an EWMH window manager (_NET_SUPPORTING_WM_CHECK unset). */
static bool have_window_manager(SDL_Window *win)
{
#ifdef VV_HAVE_X11
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (!SDL_GetWindowWMInfo(win, &info) || info.subsystem != SDL_SYSWM_X11)
        return true;
    Display *d = info.info.x11.display;
    Atom check = XInternAtom(d, "_NET_SUPPORTING_WM_CHECK", True);
    if (check == None)
        return false;
    Atom type;
    int format;
    unsigned long n = 0, after;
    unsigned char *data = NULL;
    int rc = XGetWindowProperty(d, DefaultRootWindow(d), check, 0, 1, False, XA_WINDOW, &type,
                                &format, &n, &after, &data);
    bool found = rc == Success && n == 1;
    if (data)
        XFree(data);
    return found;
#else
    (void)win;
    return true;
#endif
}

void fullscreen_set(struct fullscreen *fs, SDL_Window *win, bool on)
{
    if (on == fs->on)
        return;
    if (on) {
        SDL_GetWindowPosition(win, &fs->saved.x, &fs->saved.y);
        SDL_GetWindowSize(win, &fs->saved.w, &fs->saved.h);
        fs->manual = !have_window_manager(win);
        if (fs->manual) {
            SDL_Rect b;
            int disp = SDL_GetWindowDisplayIndex(win);
            if (SDL_GetDisplayBounds(disp < 0 ? 0 : disp, &b) != 0)
                return;
            log_info("no window manager: full screen as a borderless window over the display");
            SDL_SetWindowBordered(win, SDL_FALSE);
            SDL_SetWindowPosition(win, b.x, b.y);
            SDL_SetWindowSize(win, b.w, b.h);
            SDL_RaiseWindow(win);
        } else {
            SDL_SetWindowFullscreen(win, SDL_WINDOW_FULLSCREEN_DESKTOP);
        }
    } else if (fs->manual) {
        SDL_SetWindowBordered(win, SDL_TRUE);
        SDL_SetWindowSize(win, fs->saved.w, fs->saved.h);
        SDL_SetWindowPosition(win, fs->saved.x, fs->saved.y);
    } else {
        SDL_SetWindowFullscreen(win, 0);
    }
    fs->on = on;
    /* In full screen, system shortcuts (Alt+Tab) go to the remote desktop, as in TigerVNC. */
    SDL_SetWindowKeyboardGrab(win, on ? SDL_TRUE : SDL_FALSE);
}
