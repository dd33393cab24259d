/* Session events cross from the network threads to the SDL main thread as SDL user events with
 * owned copies of their data; the main thread reacts to them here. */
#include "app_int.h"

#include "log.h"
#include "passwd.h"
#include "plat.h"
#include "sessioncfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ev_connected {
    char name[256];
    int w, h;
    char security[256];
};
struct ev_cursor {
    int hot_x, hot_y, w, h;
    uint32_t argb[];
};

/* Network thread. The callback context carries the generation it was started with. */
struct bridge_ctx {
    struct app *app;
    unsigned generation;
};

void app_bridge_event(void *ctx, const struct session_event *ev)
{
    struct bridge_ctx *bc = ctx;
    struct app *a = bc->app;
    void *data = NULL;
    switch (ev->type) {
    case SESSION_EV_FRAME:
        /* One pending frame event is enough: the main thread takes all damage at once. */
        if (atomic_exchange(&a->frame_pending, true))
            return;
        break;
    case SESSION_EV_STATUS:
        data = strdup(ev->u.status.text);
        break;
    case SESSION_EV_QUESTION: {
        struct prompt *p = malloc(sizeof *p);
        if (p)
            *p = *ev->u.question.prompt; /* labels are inline; choices point at constants */
        data = p;
        break;
    }
    case SESSION_EV_CONNECTED: {
        struct ev_connected *c = calloc(1, sizeof *c);
        if (c) {
            snprintf(c->name, sizeof c->name, "%s", ev->u.connected.desktop_name);
            snprintf(c->security, sizeof c->security, "%s", ev->u.connected.security);
            c->w = ev->u.connected.width;
            c->h = ev->u.connected.height;
        }
        data = c;
        break;
    }
    case SESSION_EV_CURSOR: {
        size_t n = (size_t)ev->u.cursor.width * (size_t)ev->u.cursor.height;
        struct ev_cursor *c = malloc(sizeof *c + n * 4);
        if (c) {
            c->hot_x = ev->u.cursor.hot_x;
            c->hot_y = ev->u.cursor.hot_y;
            c->w = ev->u.cursor.width;
            c->h = ev->u.cursor.height;
            memcpy(c->argb, ev->u.cursor.argb, n * 4);
        }
        data = c;
        break;
    }
    case SESSION_EV_CLIPBOARD:
        data = strdup(ev->u.clipboard.utf8);
        break;
    case SESSION_EV_BELL:
        break;
    case SESSION_EV_DISCONNECTED: {
        struct vv_error *e = malloc(sizeof *e);
        if (e)
            *e = *ev->u.disconnected.error;
        data = e;
        break;
    }
    }
    SDL_Event se;
    SDL_zero(se);
    se.type = a->ev_type;
    se.user.code = (Sint32)ev->type;
    se.user.data1 = data;
    se.user.data2 = (void *)(uintptr_t)bc->generation;
    if (SDL_PushEvent(&se) != 1) {
        if (ev->type == SESSION_EV_FRAME)
            a->frame_pending = false;
        free(data);
    }
}

static struct bridge_ctx bridge; /* one session per app at a time */

bool app_start_session(struct app *a)
{
    struct vv_options o = *a->o;
    o.address = a->address;
    char *password = NULL;
    struct vv_error err;
    vv_error_clear(&err);
    if (!sessioncfg_from_options(&o, &a->cfg, &password, &err)) {
        log_error("%s", err.message);
        snprintf(a->status, sizeof a->status, "%s", err.message);
        a->exit_code = err.code;
        a->state = APP_ENDED;
        return false;
    }
    addr_format(&a->cfg.addr, a->name, sizeof a->name);
    a->cfg.interactive = true;
    a->cfg.on_event = app_bridge_event;
    a->cfg.share_frame = true; /* the window reads the session's framebuffer: no copy per update */
    bridge.app = a;
    bridge.generation = ++a->generation;
    a->cfg.ctx = &bridge;
    a->frame_pending = false;
    a->state = APP_CONNECTING;
    snprintf(a->status, sizeof a->status, "Connecting to %s", a->name);
    a->session = session_start(&a->cfg, &err);
    passwd_free(password);
    a->cfg.password = NULL;
    if (!a->session) {
        snprintf(a->status, sizeof a->status, "%s", err.message);
        a->exit_code = err.code;
        a->state = APP_ENDED;
        return false;
    }
    app_update_title(a);
    a->dirty = true;
    return true;
}

void app_end_session(struct app *a)
{
    if (!a->session)
        return;
    app_release_keys(a);
    app_refresh_texture(a); /* the last picture stays on screen, dimmed */
    a->generation++;        /* whatever is still queued belongs to the old session */
    session_destroy(a->session);
    a->session = NULL;
}

static void close_dialog(struct app *a)
{
    ui_dialog_free(a->dialog);
    a->dialog = NULL;
    a->dialog_kind = DLG_NONE;
    SDL_StartTextInput(); /* the session wants SDL_TEXTINPUT again */
}

static void show_ended(struct app *a, const struct vv_error *e)
{
    const char *title = a->ever_connected ? "Connection lost" : "Could not connect";
    char msg[700];
    snprintf(msg, sizeof msg, "%s", e->message);
    static const char *const buttons[] = {"Reconnect", "Quit"};
    if (a->dialog)
        close_dialog(a);
    a->dialog = ui_dialog_message(title, msg, buttons, 2);
    a->dialog_kind = DLG_ENDED;
}

static void set_cursor(struct app *a, const struct ev_cursor *c)
{
    SDL_Surface *s = NULL;
    SDL_Cursor *cur = NULL;
    static uint32_t clear_px;
    if (c->w > 0 && c->h > 0)
        s = SDL_CreateRGBSurfaceWithFormatFrom((void *)c->argb, c->w, c->h, 32, c->w * 4,
                                               SDL_PIXELFORMAT_ARGB8888);
    else /* an empty shape means "no pointer" */
        s = SDL_CreateRGBSurfaceWithFormatFrom(&clear_px, 1, 1, 32, 4, SDL_PIXELFORMAT_ARGB8888);
    if (s) {
        int hx = c->hot_x < 0 || c->hot_x >= s->w ? 0 : c->hot_x;
        int hy = c->hot_y < 0 || c->hot_y >= s->h ? 0 : c->hot_y;
        cur = SDL_CreateColorCursor(s, hx, hy);
        SDL_FreeSurface(s);
    }
    if (!cur)
        return;
    SDL_SetCursor(cur);
    if (a->cursor)
        SDL_FreeCursor(a->cursor);
    a->cursor = cur;
}

static void on_frame(struct app *a)
{
    a->frame_pending = false;
    a->frame_retry = false;
    struct session_frame f;
    if (!a->session)
        return;
    bool busy;
    if (!session_frame_lock_within(a->session, &f, 20, &busy)) {
        /* Still painting into the shared frame after 20 ms (a hostile server's rectangle can
         * take seconds): handle input and look again, rather than wait on. */
        a->frame_retry = busy;
        return;
    }
    bool resized = !a->view.tex || f.width != a->view.w || f.height != a->view.h;
    bool direct = false;
    if (!resized && a->state == APP_RUNNING && !a->dialog) {
        int ow, oh;
        struct view_layout l;
        SDL_GetRendererOutputSize(a->ren, &ow, &oh);
        view_compute(a->view.w, a->view.h, ow, oh, a->scale, a->pan_x, a->pan_y, &l);
        direct = present_direct(&a->present, a->win, &f, &l, ow, oh);
    }
    if (!direct) {
        struct session_frame up = f;
        up.full |= a->present.tex_stale; /* it missed frames that went straight to the window */
        if (!view_upload(&a->view, a->ren, &up))
            log_error("cannot create a %dx%d texture: %s", f.width, f.height, SDL_GetError());
        a->present.tex_stale = false;
        present_add_damage(&a->present, &f);
        a->frame_dirty = true;
    }
    session_frame_unlock(a->session, true);
    if (direct)
        present_show(&a->present, a->win);
    if (resized) {
        log_info("desktop is %dx%d", f.width, f.height);
        app_fit_window(a, f.width, f.height);
        a->dirty = true;
    }
}

void app_retry_frame(struct app *a)
{
    if (a->frame_retry)
        on_frame(a);
}

void app_refresh_texture(struct app *a)
{
    struct session_frame f;
    if (!a->present.tex_stale || !a->session || !session_frame_lock(a->session, &f))
        return;
    f.full = true;
    view_upload(&a->view, a->ren, &f);
    session_frame_unlock(a->session, false); /* the damage stays for on_frame */
    a->present.tex_stale = false;
}

void app_handle_session_event(struct app *a, const SDL_UserEvent *ue)
{
    void *data = ue->data1;
    if ((unsigned)(uintptr_t)ue->data2 != a->generation || !a->session) {
        free(data); /* from a session that is gone */
        return;
    }
    switch ((enum session_event_type)ue->code) {
    case SESSION_EV_STATUS:
        if (data && a->state == APP_RUNNING)
            app_toast(a, data); /* news during the session (a refused resize) */
        else if (data)
            snprintf(a->status, sizeof a->status, "%s", (char *)data);
        a->dirty = true;
        break;
    case SESSION_EV_QUESTION: {
        struct prompt *p = data;
        if (!p) {
            session_answer(a->session, -1, NULL, 0);
            break;
        }
        if (a->dialog)
            close_dialog(a);
        app_release_keys(a);
        a->dialog = ui_dialog_new(p->title, p->message);
        if (p->detail[0])
            ui_dialog_set_mono(a->dialog, p->detail);
        for (int i = 0; i < p->nfields; i++)
            ui_dialog_add_field(a->dialog, p->fields[i].label, p->fields[i].initial,
                                p->fields[i].secret);
        if (p->nchoices == 0) {
            ui_dialog_add_button(a->dialog, "OK", true, false);
            ui_dialog_add_button(a->dialog, "Cancel", false, true);
            a->question_cancel = 1;
        } else {
            for (int i = 0; i < p->nchoices; i++)
                ui_dialog_add_button(a->dialog, p->choices[i], i == p->default_choice,
                                     i == p->cancel_choice);
            a->question_cancel = p->cancel_choice;
        }
        a->question_fields = p->nfields;
        a->dialog_kind = DLG_QUESTION;
        a->dirty = true;
        break;
    }
    case SESSION_EV_CONNECTED: {
        struct ev_connected *c = data;
        a->state = APP_RUNNING;
        a->ever_connected = true;
        a->exit_code = 0;
        if (c) {
            snprintf(a->desktop, sizeof a->desktop, "%s", c->name);
            snprintf(a->security, sizeof a->security, "%s", c->security);
            log_info("connected to '%s' (%dx%d), security: %s", c->name, c->w, c->h, c->security);
        }
        a->badge_until = SDL_GetTicks() + 4000;
        app_update_title(a);
        a->dirty = true;
        break;
    }
    case SESSION_EV_FRAME:
        on_frame(a);
        break;
    case SESSION_EV_CURSOR:
        if (data)
            set_cursor(a, data);
        break;
    case SESSION_EV_CLIPBOARD:
        if (data && (!a->clip_last || strcmp(a->clip_last, data) != 0)) {
            SDL_SetClipboardText(data);
            free(a->clip_last);
            a->clip_last = strdup(data);
            app_toast(a, "Clipboard received from the server");
        }
        break;
    case SESSION_EV_BELL:
        log_info("bell");
        a->bell_until = SDL_GetTicks() + 150;
        SDL_FlashWindow(a->win, SDL_FLASH_BRIEFLY);
        a->dirty = true;
        break;
    case SESSION_EV_DISCONNECTED: {
        struct vv_error *e = data;
        a->state = APP_ENDED;
        if (e && e->code != VV_OK) {
            log_error("%s", e->message);
            snprintf(a->status, sizeof a->status, "%s", e->message);
            if (!a->ever_connected)
                a->exit_code = e->code;
            show_ended(a, e);
        } else if (!a->dialog) {
            a->quit = true;
        }
        a->dirty = true;
        break;
    }
    }
    free(data);
}

/* Dialog results, main thread. Returns true if the event was consumed by a dialog. */
bool app_dialog_event(struct app *a, const SDL_Event *ev);
bool app_dialog_event(struct app *a, const SDL_Event *ev)
{
    if (!a->dialog)
        return false;
    int r = ui_dialog_handle_event(a->dialog, ev);
    a->dirty = true;
    if (r == UI_DIALOG_OPEN)
        return true;
    enum app_dialog kind = a->dialog_kind;
    if (kind == DLG_QUESTION) {
        const char *values[PROMPT_MAX_FIELDS] = {0};
        for (int i = 0; i < a->question_fields && i < PROMPT_MAX_FIELDS; i++)
            values[i] = ui_dialog_field_value(a->dialog, i);
        if (a->session)
            session_answer(a->session, r == a->question_cancel ? -1 : r, values,
                           a->question_fields);
        close_dialog(a);
    } else if (kind == DLG_ENDED) {
        close_dialog(a);
        app_end_session(a);
        if (r == 0)
            app_start_session(a);
        else
            a->quit = true;
    } else if (kind == DLG_MENU) {
        close_dialog(a);
        if (r == 0)
            app_send_ctrl_alt_del(a);
        else if (r == 1) {
            a->scale = a->scale == VIEW_FIT ? VIEW_1TO1 : VIEW_FIT;
            view_set_filter(&a->view, a->scale == VIEW_FIT);
        } else if (r == 2) {
            a->ever_connected = true;
            app_end_session(a);
            a->quit = true;
        }
    }
    return true;
}
