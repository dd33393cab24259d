/* The viewer window: SDL setup, the event loop, rendering (desktop, overlays, dialogs), window
 * sizing, full screen and the F8 menu. The main thread never waits on the network. */
#include "app.h"
#include "app_int.h"

#include "log.h"
#include "fullscreen.h"
#include "overlay.h"

#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool app_dialog_event(struct app *a, const SDL_Event *ev);

float app_output_scale(struct app *a)
{
    int ww, wh, ow, oh;
    SDL_GetWindowSize(a->win, &ww, &wh);
    SDL_GetRendererOutputSize(a->ren, &ow, &oh);
    return ww > 0 ? (float)ow / (float)ww : 1.0f;
}

void app_toast(struct app *a, const char *text)
{
    snprintf(a->toast, sizeof a->toast, "%s", text);
    a->toast_until = SDL_GetTicks() + 2000;
    a->dirty = true;
}

void app_update_title(struct app *a)
{
    char title[700];
    if (a->state == APP_RUNNING && a->desktop[0])
        snprintf(title, sizeof title, "%s (%s) - vncview", a->desktop, a->name);
    else
        snprintf(title, sizeof title, "%s - vncview", a->name);
    SDL_SetWindowTitle(a->win, title);
}

/* The user resized the window (or went full screen) and stopped: ask the server for a desktop
 * of the window's size in output pixels, so that it shows 1:1. */
void app_remote_resize(struct app *a)
{
    if (!a->resize_due || !SDL_TICKS_PASSED(SDL_GetTicks(), a->resize_due))
        return;
    a->resize_due = 0;
    if (a->o->no_remote_resize || a->o->view_only || !a->session || a->state != APP_RUNNING ||
        !a->view.tex)
        return;
    int w, h;
    SDL_GetRendererOutputSize(a->ren, &w, &h);
    if (w != a->view.w || h != a->view.h)
        session_request_desktop_size(a->session, w, h);
}

/* Sizes the window to the desktop, within the screen's usable area, unless full screen. */
void app_fit_window(struct app *a, int fb_w, int fb_h)
{
    if (a->fullscreen)
        return;
    SDL_Rect usable;
    int disp = SDL_GetWindowDisplayIndex(a->win);
    if (SDL_GetDisplayUsableBounds(disp < 0 ? 0 : disp, &usable) != 0)
        usable = (SDL_Rect){0, 0, 1280, 800};
    /* The window's frame (title bar, borders) as the window manager reports it; none under a
     * bare X server. A desktop that fits the work area with its frame is shown 1:1 (sharper,
     * and cheaper: no scaling); only a larger one is scaled down. When the window manager has
     * not said yet, leave a typical frame's room. */
    int top = 0, left = 0, bottom = 0, right = 0;
    if (SDL_GetWindowBordersSize(a->win, &top, &left, &bottom, &right) != 0) {
        top = 40;
        left = right = bottom = 8;
    }
    int maxw = usable.w - left - right, maxh = usable.h - top - bottom;
    int w = fb_w, h = fb_h;
    if (w > maxw || h > maxh) {
        if ((long long)maxw * fb_h <= (long long)maxh * fb_w) {
            w = maxw;
            h = (int)((long long)fb_h * maxw / fb_w);
        } else {
            h = maxh;
            w = (int)((long long)fb_w * maxh / fb_h);
        }
    }
    float sc = app_output_scale(a); /* HiDPI: a desktop pixel per output pixel */
    if (sc > 1.0f) {
        w = (int)((float)w / sc);
        h = (int)((float)h / sc);
    }
    w = w < 200 ? 200 : w;
    h = h < 150 ? 150 : h;
    int cur_w, cur_h;
    SDL_GetWindowSize(a->win, &cur_w, &cur_h);
    /* The SIZE_CHANGED this causes is ours, not the user's (none comes if the size stays). */
    a->fit_w = cur_w == w && cur_h == h ? 0 : w;
    a->fit_h = cur_w == w && cur_h == h ? 0 : h;
    SDL_SetWindowSize(a->win, w, h);
    /* Keep the whole window on the screen it is on (no window manager does it for us under a
     * bare X server, and a grown window would hang off the edge). */
    int x, y;
    SDL_GetWindowPosition(a->win, &x, &y);
    if (x < usable.x || y < usable.y || x + w > usable.x + usable.w || y + h > usable.y + usable.h)
        SDL_SetWindowPosition(a->win, usable.x + (usable.w - w) / 2, usable.y + (usable.h - h) / 2);
}

static void toggle_fullscreen(struct app *a)
{
    a->fullscreen = !a->fullscreen;
    a->fit_w = a->fit_h = 0; /* the size changes that follow are the user's */
    fullscreen_set(&a->fs, a->win, a->fullscreen);
    /* Back from full screen: the window manager restores the window's size; the desktop then
     * goes back to it if the server resizes (SIZE_CHANGED asks), else the window is fitted to
     * the desktop. */
    bool remote = !a->o->no_remote_resize && a->session && session_can_resize(a->session);
    if (!a->fullscreen && a->view.tex && !a->fs.manual && !remote)
        app_fit_window(a, a->view.w, a->view.h);
    a->dirty = true;
}

static void open_menu(struct app *a)
{
    if (a->dialog)
        return;
    app_release_keys(a);
    const char *const buttons[] = {"Send Ctrl+Alt+Del",
                                   a->scale == VIEW_FIT ? "Show 1:1" : "Scale to fit", "Disconnect",
                                   "Close menu"};
    char msg[600];
    snprintf(msg, sizeof msg, "%s\nSecurity: %s\nF11 toggles full screen.",
             a->desktop[0] ? a->desktop : a->name, a->security[0] ? a->security : "-");
    a->dialog = ui_dialog_message("vncview", msg, buttons, 4);
    a->dialog_kind = DLG_MENU;
    a->dirty = true;
}

static enum ui_security_level security_level(const char *s)
{
    if (strncmp(s, "NOT ENCRYPTED", 13) == 0)
        return UI_SEC_NONE;
    if (strstr(s, "NOT verified"))
        return UI_SEC_UNVERIFIED;
    if (strncmp(s, "SSH", 3) == 0)
        return UI_SEC_SSH;
    return UI_SEC_VERIFIED;
}

static bool animating(struct app *a, Uint32 now)
{
    return (a->state == APP_CONNECTING && !a->view.tex) || now < a->bell_until ||
           now < a->badge_until + 400 || now < a->toast_until + 400;
}

/* Paints the window's background only where the desktop does not cover it: with SDL's software
 * renderer a full clear is a second pass over every pixel of every frame (tests/bench). */
static void clear_around(SDL_Renderer *r, const SDL_Rect *d, int ow, int oh)
{
    int right = d->x + d->w, bottom = d->y + d->h;
    SDL_Rect bars[4] = {
        {0, 0, ow, d->y > 0 ? d->y : 0},
        {0, bottom, ow, oh > bottom ? oh - bottom : 0},
        {0, d->y, d->x > 0 ? d->x : 0, d->h},
        {right, d->y, ow > right ? ow - right : 0, d->h},
    };
    SDL_Rect fill[4];
    int n = 0;
    for (int i = 0; i < 4; i++)
        if (bars[i].w > 0 && bars[i].h > 0)
            fill[n++] = bars[i];
    if (n)
        SDL_RenderFillRects(r, fill, n);
}

/* full: something besides the desktop changed (overlays, window, state): redraw everything. */
static void render(struct app *a, bool full)
{
    Uint32 now = SDL_GetTicks();
    int ow, oh;
    SDL_GetRendererOutputSize(a->ren, &ow, &oh);
    a->frame_dirty = false;
    if (!full && a->state == APP_RUNNING && a->view.tex && !a->dialog) {
        struct view_layout l;
        view_compute(a->view.w, a->view.h, ow, oh, a->scale, a->pan_x, a->pan_y, &l);
        if (present_partial(&a->present, a->ren, a->view.tex, &l, ow, oh))
            return;
    }
    app_refresh_texture(a);
    bool overlays = a->state != APP_RUNNING || !a->view.tex || a->dialog;
    float sc = app_output_scale(a);
    int px = (int)(16 * sc + 0.5f);
    if (ui_font_pixel_size(a->font) != px) /* moved to a screen of another scale */
        ui_font_set_pixel_size(a->font, px);
    SDL_SetRenderDrawBlendMode(a->ren, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(a->ren, 24, 26, 31, 255);
    if (a->view.tex) {
        view_compute(a->view.w, a->view.h, ow, oh, a->scale, a->pan_x, a->pan_y, &a->layout);
        clear_around(a->ren, &a->layout.dst, ow, oh);
        SDL_RenderCopy(a->ren, a->view.tex, &a->layout.src, &a->layout.dst);
        if (a->state == APP_ENDED) { /* a lost session stays visible, dimmed */
            SDL_SetRenderDrawBlendMode(a->ren, SDL_BLENDMODE_BLEND);
            SDL_SetRenderDrawColor(a->ren, 0, 0, 0, 140);
            SDL_RenderFillRect(a->ren, NULL);
        }
    } else {
        SDL_RenderClear(a->ren);
        const char *title = a->state == APP_ENDED ? "Not connected" : "Connecting";
        ui_overlay_status(a->ren, a->font, ow, oh, sc, title, a->status,
                          a->state == APP_CONNECTING ? (now ? now : 1) : 0);
    }
    if (a->state == APP_RUNNING && a->security[0]) {
        bool near_top = a->mouse_out_y >= 0 && a->mouse_out_y < (int)(24 * sc);
        Uint32 alpha = 0;
        if (near_top || now < a->badge_until)
            alpha = 255;
        else if (now < a->badge_until + 400)
            alpha = 255 * (a->badge_until + 400 - now) / 400;
        overlays |= alpha > 0;
        if (alpha)
            ui_overlay_badge(a->ren, a->font, ow, oh, sc, security_level(a->security), a->security,
                             (uint8_t)alpha);
    }
    if (now < a->toast_until + 400) {
        overlays = true;
        Uint32 alpha = now < a->toast_until ? 255 : 255 * (a->toast_until + 400 - now) / 400;
        ui_overlay_toast(a->ren, a->font, ow, oh, sc, a->toast, (uint8_t)alpha);
    }
    if (now < a->bell_until) { /* visual bell: a bright frame around the desktop */
        overlays = true;
        SDL_SetRenderDrawBlendMode(a->ren, SDL_BLENDMODE_BLEND);
        SDL_SetRenderDrawColor(a->ren, 255, 210, 80, 200);
        int t = (int)(6 * sc);
        SDL_Rect edges[4] = {{0, 0, ow, t}, {0, oh - t, ow, t}, {0, 0, t, oh}, {ow - t, 0, t, oh}};
        SDL_RenderFillRects(a->ren, edges, 4);
    }
    if (a->dialog)
        ui_dialog_render(a->dialog, a->ren, a->font, ow, oh, sc);
    SDL_RenderPresent(a->ren);
    present_full_done(&a->present, &a->layout, ow, oh, overlays);
    a->dirty = false;
}

static void handle_event(struct app *a, const SDL_Event *ev)
{
    if (ev->type == a->ev_type) {
        app_handle_session_event(a, &ev->user);
        return;
    }
    switch (ev->type) {
    case SDL_QUIT:
        a->quit = true;
        return;
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_FOCUS_LOST) {
            a->focused = false;
            app_release_keys(a); /* no key stays stuck down on the server */
        } else if (ev->window.event == SDL_WINDOWEVENT_FOCUS_GAINED) {
            a->focused = true;
            app_clipboard_check(a);
        } else if (ev->window.event == SDL_WINDOWEVENT_LEAVE) {
            a->mouse_out_y = -1;
        } else if (ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
            if (ev->window.data1 == a->fit_w && ev->window.data2 == a->fit_h && !a->fullscreen)
                a->fit_w = a->fit_h = 0; /* our own app_fit_window */
            else
                a->resize_due = SDL_GetTicks() + 400; /* once the user stops dragging */
        }
        a->dirty = true;
        return;
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET:
        ui_overlay_flush_cache();
        if (a->dialog)
            ui_dialog_flush_cache(a->dialog);
        if (a->session) {
            view_destroy(&a->view);
            session_request_refresh(a->session);
        }
        a->dirty = true;
        return;
    case SDL_KEYDOWN:
        if (ev->key.keysym.sym == SDLK_F11 && !a->dialog) {
            if (!ev->key.repeat)
                toggle_fullscreen(a);
            return;
        }
        if (ev->key.keysym.sym == SDLK_F8 && !a->dialog) {
            open_menu(a);
            return;
        }
        break;
    case SDL_KEYUP:
        if (ev->key.keysym.sym == SDLK_F11 || ev->key.keysym.sym == SDLK_F8)
            return;
        break;
    default:
        break;
    }
    if (app_dialog_event(a, ev))
        return;
    app_input_event(a, ev);
}

/* True if the current OpenGL context renders on the CPU (llvmpipe, softpipe, SwiftShader). */
static bool gl_is_software(void)
{
    typedef const unsigned char *(*get_string_fn)(unsigned int);
    SDL_GLContext ctx = SDL_GL_GetCurrentContext();
    get_string_fn get = ctx ? (get_string_fn)SDL_GL_GetProcAddress("glGetString") : NULL;
    const char *name = get ? (const char *)get(0x1F01 /* GL_RENDERER */) : NULL;
    if (!name)
        return false;
    log_info("OpenGL renderer: %s", name);
    return strstr(name, "llvmpipe") || strstr(name, "softpipe") || strstr(name, "SwiftShader");
}

int app_run(const struct vv_options *o, const char *address_override)
{
    struct app *a = calloc(1, sizeof *a);
    if (!a)
        return VV_ERR_GENERIC;
    a->o = o;
    a->address = address_override ? address_override : o->address;
    a->scale = o->scale == 100 ? VIEW_1TO1 : VIEW_FIT;
    a->view.linear = a->scale == VIEW_FIT;
    a->mouse_out_y = -1;
    int rc = VV_ERR_GENERIC;
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    SDL_SetHint(SDL_HINT_MOUSE_FOCUS_CLICKTHROUGH, "1");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        fprintf(stderr,
                "vncview: cannot open a window: %s (no display? use 'vncview snapshot' "
                "for headless use)\n",
                SDL_GetError());
        free(a);
        return VV_ERR_GENERIC;
    }
    if (TTF_Init() != 0) {
        fprintf(stderr, "vncview: cannot initialise fonts: %s\n", TTF_GetError());
        goto out_sdl;
    }
    a->ev_type = SDL_RegisterEvents(1);
    a->win = SDL_CreateWindow("vncview", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1024, 640,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!a->win) {
        fprintf(stderr, "vncview: cannot create a window: %s\n", SDL_GetError());
        goto out_ttf;
    }
    if (o->fullscreen)
        toggle_fullscreen(a);
    a->ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_ACCELERATED);
    if (a->ren && gl_is_software()) {
        /* Mesa's llvmpipe "accelerates" on the CPU and costs ~5x the software renderer on the
         * window's own framebuffer (tests/bench): without a GPU, take the cheaper path. */
        log_info("OpenGL is a software rasteriser here; using SDL's software renderer");
        SDL_DestroyRenderer(a->ren);
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        a->ren = NULL;
    }
    if (!a->ren)
        a->ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_SOFTWARE);
    if (!a->ren) {
        fprintf(stderr, "vncview: cannot create a renderer: %s\n", SDL_GetError());
        goto out_win;
    }
    /* Font sizes are in output pixels: 16 points on a HiDPI screen are more pixels. */
    struct vv_error err;
    vv_error_clear(&err);
    a->font = ui_font_open((int)(16 * app_output_scale(a) + 0.5f), &err);
    if (!a->font) {
        fprintf(stderr, "vncview: %s\n", err.message);
        goto out_ren_only;
    }
    present_init(&a->present, a->ren);
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(a->ren, &info) == 0)
        log_info("renderer: %s", info.name);
    SDL_EventState(SDL_DROPFILE, SDL_DISABLE);
    SDL_StartTextInput();

    app_start_session(a);
    if (a->state == APP_ENDED && !a->session) {
        /* Configuration error (bad password file...): nothing to show a window for. */
        fprintf(stderr, "vncview: %s\n", a->status);
        rc = a->exit_code;
        goto out_ren;
    }
    bool was_animating = false;
    while (!a->quit) {
        Uint32 now = SDL_GetTicks();
        SDL_Event ev;
        int got = SDL_WaitEventTimeout(&ev, a->frame_retry      ? 1
                                            : a->resize_due     ? 50
                                            : animating(a, now) ? 16
                                                                : 250);
        if (got) {
            handle_event(a, &ev);
            while (!a->quit && SDL_PollEvent(&ev))
                handle_event(a, &ev);
        }
        app_retry_frame(a);
        app_remote_resize(a);
        if (a->focused && SDL_GetTicks() - a->clip_polled >= 1000) {
            a->clip_polled = SDL_GetTicks();
            app_clipboard_check(a);
        }
        /* One more frame after an animation ends, so no half-faded badge stays on screen. */
        bool anim = animating(a, SDL_GetTicks());
        if (a->dirty || a->frame_dirty || anim || was_animating)
            render(a, a->dirty || anim || was_animating);
        was_animating = anim;
    }
    rc = a->ever_connected ? 0 : (a->exit_code ? a->exit_code : VV_ERR_CANCELLED);
    app_end_session(a);
    /* Session events still queued own copies of their data. */
    SDL_Event ev;
    while (SDL_PeepEvents(&ev, 1, SDL_GETEVENT, a->ev_type, a->ev_type) == 1)
        free(ev.user.data1);
out_ren:
    ui_dialog_free(a->dialog);
    view_destroy(&a->view);
    ui_overlay_flush_cache();
    if (a->cursor)
        SDL_FreeCursor(a->cursor);
    ui_font_close(a->font);
out_ren_only:
    SDL_DestroyRenderer(a->ren);
out_win:
    SDL_DestroyWindow(a->win);
out_ttf:
    TTF_Quit();
out_sdl:
    SDL_Quit();
    free(a->clip_last);
    free(a);
    return rc;
}
