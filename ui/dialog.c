/* Modal in-window dialogs: construction and keyboard/mouse/text-input handling (drawing is in
 * dialog_draw.c). Field buffers have a fixed capacity and are wiped on every deletion and on free.
 */
#include "dialog.h"
#include "dialog_int.h"

#include <stdlib.h>
#include <string.h>

#include "overlay.h"
#include "plat.h"

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

struct ui_dialog *ui_dialog_new(const char *title, const char *message)
{
    struct ui_dialog *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->title = dup_or_empty(title);
    d->message = dup_or_empty(message);
    d->cache = ui_text_cache_new(24);
    if (!d->title || !d->message || !d->cache) {
        ui_dialog_free(d);
        return NULL;
    }
    d->default_btn = d->cancel_btn = -1;
    d->focus = d->hover = d->pressed = -1;
    d->result = UI_DIALOG_OPEN;
    d->scale = 1;
    return d;
}

void ui_dialog_set_mono(struct ui_dialog *d, const char *text)
{
    free(d->mono);
    d->mono = text && *text ? strdup(text) : NULL;
}

static size_t utf8_len_at(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 1;
}

static size_t utf8_prev(const char *s, size_t pos)
{
    while (pos > 0 && ((unsigned char)s[--pos] & 0xC0) == 0x80)
        ;
    return pos;
}

static size_t utf8_next(const char *s, size_t len, size_t pos)
{
    size_t n = pos + utf8_len_at((unsigned char)s[pos]);
    return n > len ? len : n;
}

static void field_clear(struct dlg_field *f)
{
    plat_wipe(f->buf, UI_DIALOG_FIELD_CAP);
    f->len = f->caret = 0;
    f->select_all = false;
    f->scroll = 0;
}

static void field_delete(struct dlg_field *f, size_t a, size_t b)
{
    memmove(f->buf + a, f->buf + b, f->len - b);
    plat_wipe(f->buf + f->len - (b - a), b - a); /* the stale tail would be a copy of a secret */
    f->len -= b - a;
    if (f->caret > b)
        f->caret -= b - a;
    else if (f->caret > a)
        f->caret = a;
}

/* Inserts at the caret, dropping control characters and stopping at a character boundary when
 * the fixed buffer is full. */
static void field_insert(struct dlg_field *f, const char *text)
{
    if (f->select_all)
        field_clear(f);
    f->compose[0] = '\0';
    for (const char *p = text; *p;) {
        size_t n = utf8_len_at((unsigned char)*p);
        if (strnlen(p, n) < n)
            break;
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            p++;
            continue;
        }
        if (f->len + n >= UI_DIALOG_FIELD_CAP)
            break;
        memmove(f->buf + f->caret + n, f->buf + f->caret, f->len - f->caret);
        memcpy(f->buf + f->caret, p, n);
        f->len += n;
        f->caret += n;
        p += n;
    }
}

void ui_dialog_add_field(struct ui_dialog *d, const char *label, const char *initial, bool password)
{
    if (d->nfields >= UI_DIALOG_MAX_FIELDS)
        return;
    struct dlg_field *f = &d->field[d->nfields];
    f->label = dup_or_empty(label);
    f->buf = calloc(1, UI_DIALOG_FIELD_CAP);
    if (!f->label || !f->buf) {
        free(f->label);
        free(f->buf);
        memset(f, 0, sizeof *f);
        return;
    }
    f->password = password;
    if (initial)
        field_insert(f, initial);
    d->nfields++;
}

void ui_dialog_add_button(struct ui_dialog *d, const char *label, bool is_default, bool is_cancel)
{
    if (d->nbuttons >= UI_DIALOG_MAX_BUTTONS)
        return;
    char *l = dup_or_empty(label);
    if (!l)
        return;
    d->button[d->nbuttons].label = l;
    if (is_default)
        d->default_btn = d->nbuttons;
    if (is_cancel)
        d->cancel_btn = d->nbuttons;
    d->nbuttons++;
}

void dlg_ensure_ready(struct ui_dialog *d)
{
    if (d->nbuttons == 0)
        ui_dialog_add_button(d, "OK", true, true);
    if (d->focus < 0)
        d->focus = d->nfields > 0 ? 0 : d->nfields + (d->default_btn >= 0 ? d->default_btn : 0);
}

int dlg_default_index(const struct ui_dialog *d)
{
    return d->default_btn >= 0 ? d->default_btn : 0;
}

static int cancel_index(const struct ui_dialog *d)
{
    return d->cancel_btn >= 0 ? d->cancel_btn : d->nbuttons - 1;
}

static struct dlg_field *focused_field(struct ui_dialog *d)
{
    return d->focus >= 0 && d->focus < d->nfields ? &d->field[d->focus] : NULL;
}

/* Text input on while a field has focus; only what we switched on is switched off again. */
void dlg_sync_text_input(struct ui_dialog *d)
{
    bool want = d->result == UI_DIALOG_OPEN && focused_field(d);
    if (want && !SDL_IsTextInputActive()) {
        SDL_StartTextInput();
        d->started_text_input = true;
    } else if (!want && d->started_text_input) {
        SDL_StopTextInput();
        d->started_text_input = false;
    }
    struct dlg_field *f = focused_field(d);
    if (want && f && d->drawn) {
        SDL_Rect wr = {(int)(f->box.x / d->scale), (int)(f->box.y / d->scale),
                       (int)(f->box.w / d->scale), (int)(f->box.h / d->scale)};
        SDL_SetTextInputRect(&wr); /* IME candidate window goes under the field */
    }
}

static int finish(struct ui_dialog *d, int index)
{
    d->result = index;
    for (int i = 0; i < d->nfields; i++)
        d->field[i].compose[0] = '\0';
    dlg_sync_text_input(d);
    return index;
}

static void set_focus(struct ui_dialog *d, int focus)
{
    int n = d->nfields + d->nbuttons;
    d->focus = ((focus % n) + n) % n;
    struct dlg_field *f = focused_field(d);
    if (f) { /* tabbing into a field selects it, as in most toolkits */
        f->caret = f->len;
        f->select_all = f->len > 0;
    }
    dlg_sync_text_input(d);
}

size_t dlg_count_chars(const char *s, size_t upto)
{
    size_t n = 0;
    for (size_t i = 0; i < upto; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Password characters are drawn as dots, not glyphs: no texture ever holds anything derived
 * from the secret but its length. */
int dlg_dot_advance(struct ui_font *font)
{
    int a = ui_font_height(font) * 11 / 20;
    return a < 4 ? 4 : a;
}

/* Width of the first upto bytes of the value as displayed (without IME pre-edit text). */
int dlg_prefix_width(struct ui_font *font, const struct dlg_field *f, size_t upto)
{
    if (f->password)
        return (int)dlg_count_chars(f->buf, upto) * dlg_dot_advance(font);
    char tmp[UI_DIALOG_FIELD_CAP];
    memcpy(tmp, f->buf, upto);
    tmp[upto] = '\0';
    return ui_font_text_width(font, tmp);
}

int dlg_text_pad(const struct ui_dialog *d)
{
    return (int)(10 * d->scale);
}

static void click_field(struct ui_dialog *d, int index, int x)
{
    struct dlg_field *f = &d->field[index];
    if (d->focus != index) {
        d->focus = index;
        dlg_sync_text_input(d);
    }
    f->select_all = false;
    f->compose[0] = '\0';
    int target = x - (f->box.x + dlg_text_pad(d)) + f->scroll;
    size_t best = 0;
    int best_dist = abs(target);
    for (size_t i = utf8_next(f->buf, f->len, 0); i <= f->len && i > 0;) {
        int dist = abs(dlg_prefix_width(d->font, f, i) - target);
        if (dist < best_dist) {
            best_dist = dist;
            best = i;
        }
        if (i == f->len)
            break;
        i = utf8_next(f->buf, f->len, i);
    }
    f->caret = best;
}

static void paste(struct dlg_field *f)
{
    char *clip = SDL_GetClipboardText();
    if (!clip)
        return;
    field_insert(f, clip);
    plat_wipe(clip, strlen(clip)); /* people paste passwords */
    SDL_free(clip);
}

static size_t word_left(const struct dlg_field *f)
{
    size_t p = f->caret;
    while (p > 0 && f->buf[p - 1] == ' ')
        p--;
    while (p > 0 && f->buf[p - 1] != ' ')
        p--;
    return p;
}

static size_t word_right(const struct dlg_field *f)
{
    size_t p = f->caret;
    while (p < f->len && f->buf[p] == ' ')
        p++;
    while (p < f->len && f->buf[p] != ' ')
        p++;
    return p;
}

static void edit_key(struct dlg_field *f, SDL_Keycode key, Uint16 mod)
{
    bool ctrl = mod & (KMOD_CTRL | KMOD_GUI);
    bool sel = f->select_all;
    /* Word jumps would reveal where a password has spaces: move to the ends instead. */
    bool word = ctrl && !f->password;
    switch (key) {
    case SDLK_BACKSPACE:
        if (sel)
            field_clear(f);
        else if (f->caret > 0)
            field_delete(f, ctrl ? (f->password ? 0 : word_left(f)) : utf8_prev(f->buf, f->caret),
                         f->caret);
        break;
    case SDLK_DELETE:
        if (sel)
            field_clear(f);
        else if (f->caret < f->len)
            field_delete(f, f->caret, utf8_next(f->buf, f->len, f->caret));
        break;
    case SDLK_LEFT:
        f->caret = sel ? 0 : word ? word_left(f) : ctrl ? 0 : utf8_prev(f->buf, f->caret);
        break;
    case SDLK_RIGHT:
        f->caret = sel    ? f->len
                   : word ? word_right(f)
                   : ctrl ? f->len
                          : utf8_next(f->buf, f->len, f->caret);
        break;
    case SDLK_HOME:
        f->caret = 0;
        break;
    case SDLK_END:
        f->caret = f->len;
        break;
    case SDLK_a:
        if (ctrl) {
            f->select_all = f->len > 0;
            f->caret = f->len;
        }
        return;
    case SDLK_v:
        if (ctrl)
            paste(f);
        return;
    case SDLK_INSERT:
        if (mod & KMOD_SHIFT)
            paste(f);
        return;
    default:
        return;
    }
    f->select_all = false;
}

static int button_at(const struct ui_dialog *d, int x, int y)
{
    SDL_Point p = {x, y};
    for (int i = 0; i < d->nbuttons; i++)
        if (SDL_PointInRect(&p, &d->button[i].rect))
            return i;
    return -1;
}

static int field_at(const struct ui_dialog *d, int x, int y)
{
    SDL_Point p = {x, y};
    for (int i = 0; i < d->nfields; i++)
        if (SDL_PointInRect(&p, &d->field[i].box))
            return i;
    return -1;
}

static int handle_key(struct ui_dialog *d, const SDL_KeyboardEvent *k)
{
    struct dlg_field *f = focused_field(d);
    int btn = f ? -1 : d->focus - d->nfields;
    switch (k->keysym.sym) {
    case SDLK_ESCAPE:
        if (f && f->compose[0]) /* the IME is cancelling its pre-edit, not the dialog */
            return UI_DIALOG_OPEN;
        return finish(d, cancel_index(d));
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
        if (f && f->compose[0])
            return UI_DIALOG_OPEN;
        return finish(d, btn >= 0 ? btn : dlg_default_index(d));
    case SDLK_SPACE:
        return btn >= 0 ? finish(d, btn) : UI_DIALOG_OPEN;
    case SDLK_TAB:
        set_focus(d, d->focus + ((k->keysym.mod & KMOD_SHIFT) ? -1 : 1));
        return UI_DIALOG_OPEN;
    case SDLK_LEFT:
    case SDLK_RIGHT:
        if (btn >= 0) { /* arrows walk the button row */
            int step = k->keysym.sym == SDLK_LEFT ? -1 : 1;
            int nb = btn + step;
            if (nb >= 0 && nb < d->nbuttons)
                set_focus(d, d->nfields + nb);
            return UI_DIALOG_OPEN;
        }
        break;
    default:
        break;
    }
    if (f && !f->compose[0])
        edit_key(f, k->keysym.sym, k->keysym.mod);
    return UI_DIALOG_OPEN;
}

int ui_dialog_handle_event(struct ui_dialog *d, const SDL_Event *ev)
{
    if (d->result != UI_DIALOG_OPEN)
        return d->result;
    dlg_ensure_ready(d);
    struct dlg_field *f = focused_field(d);
    int x = 0, y = 0;
    switch (ev->type) {
    case SDL_QUIT:
        return finish(d, cancel_index(d));
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_CLOSE)
            return finish(d, cancel_index(d));
        return UI_DIALOG_OPEN;
    case SDL_KEYDOWN:
        return handle_key(d, &ev->key);
    case SDL_TEXTINPUT:
        if (f)
            field_insert(f, ev->text.text);
        return UI_DIALOG_OPEN;
    case SDL_TEXTEDITING:
        if (f) {
            SDL_strlcpy(f->compose, ev->edit.text, sizeof f->compose);
            if (f->compose[0])
                f->select_all = false;
        }
        return UI_DIALOG_OPEN;
    case SDL_MOUSEMOTION:
        if (d->drawn)
            d->hover = button_at(d, (int)(ev->motion.x * d->scale), (int)(ev->motion.y * d->scale));
        return UI_DIALOG_OPEN;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        if (!d->drawn || ev->button.button != SDL_BUTTON_LEFT)
            return UI_DIALOG_OPEN;
        x = (int)(ev->button.x * d->scale);
        y = (int)(ev->button.y * d->scale);
        break;
    default:
        return UI_DIALOG_OPEN;
    }
    int b = button_at(d, x, y);
    if (ev->type == SDL_MOUSEBUTTONDOWN) {
        d->pressed = b;
        int fi = field_at(d, x, y);
        if (fi >= 0 && d->font)
            click_field(d, fi, x);
        return UI_DIALOG_OPEN;
    }
    int pressed = d->pressed;
    d->pressed = -1;
    return b >= 0 && b == pressed ? finish(d, b) : UI_DIALOG_OPEN;
}

const char *ui_dialog_field_value(const struct ui_dialog *d, int index)
{
    if (!d || index < 0 || index >= d->nfields)
        return "";
    return d->field[index].buf;
}

int ui_dialog_result(const struct ui_dialog *d)
{
    return d->result;
}

bool ui_dialog_button_rect(const struct ui_dialog *d, int index, SDL_Rect *out)
{
    if (!d->drawn || index < 0 || index >= d->nbuttons)
        return false;
    *out = d->button[index].rect;
    return true;
}

bool ui_dialog_field_rect(const struct ui_dialog *d, int index, SDL_Rect *out)
{
    if (!d->drawn || index < 0 || index >= d->nfields)
        return false;
    *out = d->field[index].box;
    return true;
}

void ui_dialog_flush_cache(struct ui_dialog *d)
{
    ui_text_cache_flush(d->cache);
}

void ui_dialog_free(struct ui_dialog *d)
{
    if (!d)
        return;
    if (d->started_text_input)
        SDL_StopTextInput();
    for (int i = 0; i < d->nfields; i++) {
        struct dlg_field *f = &d->field[i];
        plat_wipe(f->buf, UI_DIALOG_FIELD_CAP);
        plat_wipe(f->compose, sizeof f->compose);
        free(f->buf);
        free(f->label);
    }
    for (int i = 0; i < d->nbuttons; i++)
        free(d->button[i].label);
    ui_text_cache_free(d->cache);
    free(d->title);
    free(d->message);
    free(d->mono);
    plat_wipe(d, sizeof *d);
    free(d);
}

struct ui_dialog *ui_dialog_password(const char *title, const char *message)
{
    struct ui_dialog *d = ui_dialog_new(title, message);
    if (!d)
        return NULL;
    ui_dialog_add_field(d, "Password", NULL, true);
    ui_dialog_add_button(d, "OK", true, false);
    ui_dialog_add_button(d, "Cancel", false, true);
    return d;
}

struct ui_dialog *ui_dialog_message(const char *title, const char *message,
                                    const char *const *buttons, int nbuttons)
{
    struct ui_dialog *d = ui_dialog_new(title, message);
    if (!d)
        return NULL;
    for (int i = 0; i < nbuttons; i++)
        ui_dialog_add_button(d, buttons[i], i == 0, i == nbuttons - 1);
    return d;
}
