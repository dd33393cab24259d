/* Local input to the remote desktop: keys (QEMU scancodes or keysyms), typed text, pointer
 * buttons and wheels through the current scaling, and the clipboard. Main thread. */
#include "app_int.h"

#include "keymap.h"
#include "log.h"

#include <rfb/keysym.h>
#include <stdlib.h>
#include <string.h>

static bool input_allowed(struct app *a)
{
    return a->session && a->state == APP_RUNNING && !a->dialog && !a->o->view_only;
}

static void press(struct app *a, SDL_Scancode sc, uint32_t keysym, uint32_t xt, bool no_text)
{
    int i;
    for (i = 0; i < a->nheld && a->held[i].sc != sc; i++) {
    }
    if (i == a->nheld && a->nheld < APP_MAX_HELD)
        a->held[a->nheld++] = (struct held_key){sc, keysym, xt, no_text};
    session_send_key(a->session, keysym, xt, true, no_text);
}

/* A printable key waits for its SDL_TEXTINPUT to learn what it types (Shift, AltGr, layout):
 * servers act on the keysym even in QEMU key events (Xvnc adjusts Shift to match it). A key
 * that types nothing (a dead key) is sent as "no text", which only QEMU-key servers use. */
static void flush_pending(struct app *a)
{
    if (!a->pending.sc)
        return;
    press(a, a->pending.sc, a->pending.keysym, a->pending.xt, true);
    a->pending.sc = SDL_SCANCODE_UNKNOWN;
}

static void key_event(struct app *a, const SDL_KeyboardEvent *k)
{
    bool down = k->type == SDL_KEYDOWN;
    SDL_Scancode sc = k->keysym.scancode;
    bool printable = false;
    uint32_t keysym = keymap_keysym_for_key(k->keysym.sym, k->keysym.mod, &printable);
    uint32_t xt = keymap_xt_for_scancode(sc);
    if (printable) {
        /* Fallback if no text comes: the key's character, in the case Shift/Caps give it. */
        SDL_Keycode sym = k->keysym.sym;
        bool upper = ((k->keysym.mod & KMOD_SHIFT) != 0) != ((k->keysym.mod & KMOD_CAPS) != 0);
        if (sym >= 'a' && sym <= 'z' && upper)
            sym -= 'a' - 'A';
        keysym = keymap_keysym_for_codepoint((uint32_t)sym);
    }
    if (!keysym && !xt)
        return;
    if (down) {
        flush_pending(a);
        /* Alt+c and keypad digits come as a key and as text: the key is sent, drop the text. */
        a->drop_next_text = !printable;
        if (printable && sc != SDL_SCANCODE_UNKNOWN) {
            a->pending = (struct held_key){sc, keysym, xt, true};
            return;
        }
        press(a, sc, keysym, xt, printable);
        return;
    }
    if (a->pending.sc == sc)
        flush_pending(a); /* typed nothing: a dead key, or text went elsewhere */
    int i;
    for (i = 0; i < a->nheld && a->held[i].sc != sc; i++) {
    }
    if (i == a->nheld)
        return; /* never sent down (pressed while a dialog was open) */
    /* Release what was pressed, whatever the modifiers are now. */
    struct held_key h = a->held[i];
    a->held[i] = a->held[--a->nheld];
    session_send_key(a->session, h.keysym, h.xt, false, h.no_text);
}

void app_release_keys(struct app *a)
{
    a->pending.sc = SDL_SCANCODE_UNKNOWN;
    for (int i = a->nheld - 1; i >= 0; i--)
        if (a->session)
            session_send_key(a->session, a->held[i].keysym, a->held[i].xt, false,
                             a->held[i].no_text);
    a->nheld = 0;
}

/* SDL_TEXTINPUT: UTF-8 text typed, after dead keys, AltGr and input methods. The first
 * character completes a pending key press; any others (input methods) are typed as keysyms. */
static void text_event(struct app *a, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        uint32_t cp;
        int n;
        if (p[0] < 0x80)
            cp = p[0], n = 1;
        else if ((p[0] & 0xE0) == 0xC0 && p[1])
            cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F), n = 2;
        else if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2])
            cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F),
            n = 3;
        else if ((p[0] & 0xF8) == 0xF0 && p[1] && p[2] && p[3])
            cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
                 (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F),
            n = 4;
        else
            break; /* SDL hands us valid UTF-8; stop at anything else */
        uint32_t keysym = keymap_keysym_for_codepoint(cp);
        if (keysym && a->pending.sc) {
            /* Right Alt that changed the character was AltGr (SDL cannot tell them apart on
             * X11): the server must not see Alt held, or it types Meta+char. Release it around
             * the press, as TigerVNC does for AltGr. */
            int ralt = -1;
            for (int i = 0; i < a->nheld; i++)
                if (a->held[i].sc == SDL_SCANCODE_RALT)
                    ralt = i;
            bool altgr = ralt >= 0 && keysym != a->pending.keysym;
            struct held_key r = ralt >= 0 ? a->held[ralt] : (struct held_key){0};
            if (altgr)
                session_send_key(a->session, r.keysym, r.xt, false, r.no_text);
            press(a, a->pending.sc, keysym, a->pending.xt, false);
            if (altgr)
                session_send_key(a->session, r.keysym, r.xt, true, r.no_text);
            a->pending.sc = SDL_SCANCODE_UNKNOWN;
        } else if (keysym) {
            session_send_text_keysym(a->session, keysym);
        }
        p += n;
    }
}

static void send_pointer(struct app *a, int wx, int wy)
{
    float sc = app_output_scale(a);
    float ox = (float)wx * sc, oy = (float)wy * sc;
    a->mouse_out_y = (int)oy;
    if (a->scale == VIEW_1TO1 && a->view.tex) {
        int ow, oh;
        SDL_GetRendererOutputSize(a->ren, &ow, &oh);
        /* Large desktops at 1:1 follow the pointer. */
        float px = ow > 1 ? ox / (float)(ow - 1) : 0, py = oh > 1 ? oy / (float)(oh - 1) : 0;
        if (px != a->pan_x || py != a->pan_y) {
            a->pan_x = px;
            a->pan_y = py;
            if (a->view.w > ow || a->view.h > oh)
                a->dirty = true;
        }
    }
    int fx, fy;
    view_out_to_fb(&a->layout, ox, oy, &fx, &fy);
    if (input_allowed(a))
        session_send_pointer(a->session, fx, fy, a->buttons);
}

static void wheel(struct app *a, const SDL_MouseWheelEvent *w)
{
    float dy = w->preciseY, dx = w->preciseX;
    if (w->direction == SDL_MOUSEWHEEL_FLIPPED)
        dy = -dy, dx = -dx;
    int cy = keymap_wheel_clicks(&a->wheel_y, dy);
    int cx = keymap_wheel_clicks(&a->wheel_x, dx);
    int mx, my;
    SDL_GetMouseState(&mx, &my);
    float sc = app_output_scale(a);
    int fx, fy;
    view_out_to_fb(&a->layout, (float)mx * sc, (float)my * sc, &fx, &fy);
    /* Buttons 4/5 scroll up/down, 6/7 left/right: a press and a release per click. */
    for (int i = 0; i < abs(cy); i++) {
        uint8_t bit = cy > 0 ? 8 : 16;
        session_send_pointer(a->session, fx, fy, a->buttons | bit);
        session_send_pointer(a->session, fx, fy, a->buttons);
    }
    for (int i = 0; i < abs(cx); i++) {
        uint8_t bit = cx > 0 ? 64 : 32;
        session_send_pointer(a->session, fx, fy, a->buttons | bit);
        session_send_pointer(a->session, fx, fy, a->buttons);
    }
}

void app_clipboard_check(struct app *a)
{
    if (!input_allowed(a) || !SDL_HasClipboardText())
        return;
    char *text = SDL_GetClipboardText();
    if (!text)
        return;
    if (*text && (!a->clip_last || strcmp(a->clip_last, text) != 0)) {
        session_send_clipboard(a->session, text, strlen(text));
        free(a->clip_last);
        a->clip_last = strdup(text);
        log_debug("clipboard sent (%zu bytes of UTF-8)", strlen(text));
    }
    SDL_free(text);
}

void app_send_ctrl_alt_del(struct app *a)
{
    if (!input_allowed(a))
        return;
    /* XT codes: LCtrl 0x1d, LAlt 0x38, Delete 0xd3 (E0 53). */
    session_send_key(a->session, XK_Control_L, 0x1d, true, false);
    session_send_key(a->session, XK_Alt_L, 0x38, true, false);
    session_send_key(a->session, XK_Delete, 0xd3, true, false);
    session_send_key(a->session, XK_Delete, 0xd3, false, false);
    session_send_key(a->session, XK_Alt_L, 0x38, false, false);
    session_send_key(a->session, XK_Control_L, 0x1d, false, false);
    app_toast(a, "Sent Ctrl+Alt+Del");
}

void app_input_event(struct app *a, const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        if (input_allowed(a))
            key_event(a, &ev->key);
        break;
    case SDL_TEXTINPUT:
        if (input_allowed(a) && !a->drop_next_text)
            text_event(a, ev->text.text);
        a->drop_next_text = false;
        break;
    case SDL_MOUSEMOTION:
        send_pointer(a, ev->motion.x, ev->motion.y);
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
        /* From the event, not SDL_GetMouseState(): a quick click's release is already in the
         * current state when its press is handled, and the press would be lost. */
        uint8_t bit = keymap_button_mask(SDL_BUTTON(ev->button.button));
        if (ev->type == SDL_MOUSEBUTTONDOWN)
            a->buttons |= bit;
        else
            a->buttons &= (uint8_t)~bit;
        send_pointer(a, ev->button.x, ev->button.y);
        break;
    }
    case SDL_MOUSEWHEEL:
        if (input_allowed(a))
            wheel(a, &ev->wheel);
        break;
    case SDL_CLIPBOARDUPDATE:
        app_clipboard_check(a);
        break;
    default:
        break;
    }
}
