/* Internals shared by the app's units: app.c (loop, rendering), app_bridge.c (session events
 * into SDL events), app_input.c (keyboard, mouse, clipboard to the session). */
#ifndef VV_UI_APP_INT_H
#define VV_UI_APP_INT_H

#include <SDL.h>
#include <stdatomic.h>

#include "dialog.h"
#include "font.h"
#include "fullscreen.h"
#include "options.h"
#include "present.h"
#include "session.h"
#include "view.h"

enum app_state { APP_CONNECTING, APP_RUNNING, APP_ENDED };
enum app_dialog { DLG_NONE, DLG_QUESTION, DLG_ENDED, DLG_MENU };

#define APP_MAX_HELD 32

struct held_key {
    SDL_Scancode sc;
    uint32_t keysym, xt;
    bool no_text; /* sent as "typed nothing" (see session_send_key) */
};

struct app {
    const struct vv_options *o;
    const char *address;
    struct session_config cfg;
    SDL_Window *win;
    SDL_Renderer *ren;
    struct ui_font *font;
    Uint32 ev_type;
    atomic_uint generation; /* events of older sessions are dropped */
    atomic_bool frame_pending;
    bool frame_retry; /* a frame event found the frame busy: on_frame again shortly */
    struct session *session;
    enum app_state state;
    char status[320];
    char name[300];    /* "host:1" */
    char desktop[256]; /* desktop name */
    char security[256];
    struct ui_dialog *dialog;
    enum app_dialog dialog_kind;
    int question_cancel, question_fields; /* of the QUESTION being shown */
    struct view view;
    struct view_layout layout;
    enum view_scale scale;
    float pan_x, pan_y;
    bool fullscreen, dirty, quit, ever_connected;
    bool frame_dirty; /* only the desktop changed since the last draw (see present.h) */
    struct present present;
    struct fullscreen fs;
    int exit_code;
    uint8_t buttons;
    float wheel_x, wheel_y;
    struct held_key held[APP_MAX_HELD];
    int nheld;
    struct held_key pending; /* printable key waiting for its SDL_TEXTINPUT */
    bool drop_next_text;     /* the key just sent as a keysym may also produce SDL_TEXTINPUT */
    char *clip_last;         /* last clipboard text exchanged, to avoid echoing it back */
    bool focused;
    Uint32 clip_polled; /* SDL 2.26 on X11 reports no outside clipboard changes: we poll */
    SDL_Cursor *cursor;
    Uint32 bell_until, badge_until, toast_until;
    char toast[160];
    int mouse_out_y; /* last pointer y in output pixels, for the badge */
    /* Remote resize: the window size we set ourselves (its SIZE_CHANGED is not the user's),
     * and a user's resize waiting for the window to settle. */
    int fit_w, fit_h;
    Uint32 resize_due; /* 0: none */
};

/* app_bridge.c */
void app_bridge_event(void *ctx, const struct session_event *ev); /* session callback */
void app_handle_session_event(struct app *a, const SDL_UserEvent *ue);
bool app_start_session(struct app *a);
/* Before a full redraw: uploads the whole frame if frames went straight to the window. */
void app_refresh_texture(struct app *a);
/* A frame event that found the frame busy (session_frame_trylock): takes the frame now. */
void app_retry_frame(struct app *a);
void app_end_session(struct app *a);

/* app_input.c */
void app_input_event(struct app *a, const SDL_Event *ev);
void app_release_keys(struct app *a);
void app_clipboard_check(struct app *a);
void app_send_ctrl_alt_del(struct app *a);

/* app.c */
void app_toast(struct app *a, const char *text);
void app_update_title(struct app *a);
void app_fit_window(struct app *a, int fb_w, int fb_h);
void app_remote_resize(struct app *a);
float app_output_scale(struct app *a);

#endif
