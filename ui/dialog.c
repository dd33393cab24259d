/* Modal in-window dialogs: construction, keyboard/mouse/text-input handling and drawing. Field
 * buffers have a fixed capacity and are wiped on every deletion and on free. */
#include "dialog.h"

#include <stdlib.h>
#include <string.h>

#include "overlay.h"
#include "plat.h"

struct dlg_field {
    char *label;
    char *buf; /* UI_DIALOG_FIELD_CAP bytes, zero past len */
    size_t len, caret;
    bool password, select_all;
    int scroll;
    char compose[SDL_TEXTEDITINGEVENT_TEXT_SIZE]; /* IME pre-edit text */
    SDL_Rect box;
};

struct dlg_button {
    char *label;
    SDL_Rect rect;
};

struct ui_dialog {
    char *title, *message, *mono;
    struct dlg_field field[UI_DIALOG_MAX_FIELDS];
    struct dlg_button button[UI_DIALOG_MAX_BUTTONS];
    int nfields, nbuttons;
    int default_btn, cancel_btn; /* -1: not flagged */
    int focus;                   /* fields first, then buttons; -1 until resolved */
    int hover, pressed;          /* button indices or -1 */
    int result;
    bool drawn, started_text_input;
    float scale;
    struct ui_font *font; /* of the last render, to map clicks to caret positions */
    struct ui_text_cache *cache;
};

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

static void ensure_ready(struct ui_dialog *d)
{
    if (d->nbuttons == 0)
        ui_dialog_add_button(d, "OK", true, true);
    if (d->focus < 0)
        d->focus = d->nfields > 0 ? 0 : d->nfields + (d->default_btn >= 0 ? d->default_btn : 0);
}

static int default_index(const struct ui_dialog *d)
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
static void sync_text_input(struct ui_dialog *d)
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
    sync_text_input(d);
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
    sync_text_input(d);
}

static size_t count_chars(const char *s, size_t upto)
{
    size_t n = 0;
    for (size_t i = 0; i < upto; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Password characters are drawn as dots, not glyphs: no texture ever holds anything derived
 * from the secret but its length. */
static int dot_advance(struct ui_font *font)
{
    int a = ui_font_height(font) * 11 / 20;
    return a < 4 ? 4 : a;
}

/* Width of the first upto bytes of the value as displayed (without IME pre-edit text). */
static int prefix_width(struct ui_font *font, const struct dlg_field *f, size_t upto)
{
    if (f->password)
        return (int)count_chars(f->buf, upto) * dot_advance(font);
    char tmp[UI_DIALOG_FIELD_CAP];
    memcpy(tmp, f->buf, upto);
    tmp[upto] = '\0';
    return ui_font_text_width(font, tmp);
}

static int text_pad(const struct ui_dialog *d)
{
    return (int)(10 * d->scale);
}

static void click_field(struct ui_dialog *d, int index, int x)
{
    struct dlg_field *f = &d->field[index];
    if (d->focus != index) {
        d->focus = index;
        sync_text_input(d);
    }
    f->select_all = false;
    f->compose[0] = '\0';
    int target = x - (f->box.x + text_pad(d)) + f->scroll;
    size_t best = 0;
    int best_dist = abs(target);
    for (size_t i = utf8_next(f->buf, f->len, 0); i <= f->len && i > 0;) {
        int dist = abs(prefix_width(d->font, f, i) - target);
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
        return finish(d, btn >= 0 ? btn : default_index(d));
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
    ensure_ready(d);
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

/* ---- drawing ---- */

static const SDL_Color COL_TITLE = {240, 242, 246, 255}, COL_TEXT = {204, 209, 218, 255},
                       COL_LABEL = {158, 166, 180, 255}, COL_ACCENT = {64, 132, 240, 255},
                       COL_FOCUS = {122, 176, 255, 255}, COL_WHITE = {255, 255, 255, 255};

static SDL_FRect frect(SDL_Rect r)
{
    return (SDL_FRect){(float)r.x, (float)r.y, (float)r.w, (float)r.h};
}

static SDL_FRect grow(SDL_Rect r, float by)
{
    return (SDL_FRect){r.x - by, r.y - by, r.w + 2 * by, r.h + 2 * by};
}

/* Draws cached text at (x, y) and returns its height. */
static int text_at(struct ui_dialog *d, SDL_Renderer *r, struct ui_font *f, const char *s,
                   SDL_Color c, int wrap, int x, int y)
{
    int w, h;
    SDL_Texture *t = ui_text_cache_get(d->cache, f, r, s, c, wrap, UI_ALIGN_LEFT, &w, &h);
    ui_draw_texture(r, t, x, y, w, h, 255);
    return h;
}

static void text_size(struct ui_dialog *d, SDL_Renderer *r, struct ui_font *f, const char *s,
                      int wrap, int *w, int *h)
{
    ui_text_cache_get(d->cache, f, r, s, COL_WHITE, wrap, UI_ALIGN_LEFT, w, h);
}

static void draw_field(struct ui_dialog *d, SDL_Renderer *r, struct ui_font *font, int i)
{
    struct dlg_field *f = &d->field[i];
    float s = d->scale;
    bool focused = d->focus == i;
    SDL_FRect box = frect(f->box);
    ui_draw_round_rect(r, box, 6 * s, (SDL_Color){20, 22, 27, 255});
    ui_draw_round_frame(r, box, 6 * s, focused ? 2 * s : 1 * s,
                        focused ? COL_ACCENT : (SDL_Color){74, 80, 93, 255});

    int pad = text_pad(d), inner_w = f->box.w - 2 * pad;
    size_t cl = f->password ? 0 : strlen(f->compose);
    int x0 = prefix_width(font, f, f->caret);
    int comp_w = cl ? ui_font_text_width(font, f->compose) : 0;
    int caret_x = x0 + comp_w; /* the caret sits after the pre-edit text */
    int total_w = prefix_width(font, f, f->len) + comp_w;
    if (caret_x - f->scroll > inner_w)
        f->scroll = caret_x - inner_w;
    if (caret_x < f->scroll)
        f->scroll = caret_x;
    if (total_w - f->scroll < inner_w && f->scroll > 0) /* no blank tail after deleting */
        f->scroll = total_w > inner_w ? total_w - inner_w : 0;

    SDL_Rect clip = {f->box.x + pad / 2, f->box.y, f->box.w - pad, f->box.h};
    SDL_Rect old_clip;
    bool had_clip = SDL_RenderIsClipEnabled(r);
    SDL_RenderGetClipRect(r, &old_clip);
    SDL_RenderSetClipRect(r, &clip);
    int fh = ui_font_height(font);
    int tx = f->box.x + pad - f->scroll, ty = f->box.y + (f->box.h - fh) / 2;
    if (f->select_all && focused)
        ui_draw_round_rect(r, (SDL_FRect){(float)tx, (float)ty, (float)total_w, (float)fh}, 2 * s,
                           (SDL_Color){52, 101, 196, 255});
    if (f->password) {
        int adv = dot_advance(font), n = (int)count_chars(f->buf, f->len);
        float dia = adv * 0.62f;
        for (int k = 0; k < n; k++) {
            float cx = tx + k * adv + adv / 2.0f, cy = ty + fh / 2.0f;
            if (cx + adv < clip.x || cx - adv > clip.x + clip.w)
                continue;
            ui_draw_round_rect(r, (SDL_FRect){cx - dia / 2, cy - dia / 2, dia, dia}, dia / 2,
                               COL_WHITE);
        }
    } else {
        /* Rendered each frame and destroyed at once, so field text never sits in a cache. */
        char tmp[UI_DIALOG_FIELD_CAP + SDL_TEXTEDITINGEVENT_TEXT_SIZE];
        memcpy(tmp, f->buf, f->caret);
        memcpy(tmp + f->caret, f->compose, cl);
        memcpy(tmp + f->caret + cl, f->buf + f->caret, f->len - f->caret + 1);
        int tw, th;
        SDL_Texture *t = ui_font_render(font, r, tmp, COL_WHITE, &tw, &th);
        ui_draw_texture(r, t, tx, ty, tw, th, 255);
        if (t)
            SDL_DestroyTexture(t);
    }
    if (cl) { /* underline the IME pre-edit text */
        SDL_SetRenderDrawColor(r, 200, 200, 200, 255);
        SDL_RenderFillRect(r, &(SDL_Rect){tx + x0, ty + fh - (int)s, comp_w, (int)s + 1});
    }
    if (focused && !f->select_all) {
        SDL_SetRenderDrawColor(r, 230, 236, 245, 255);
        SDL_RenderFillRect(
            r, &(SDL_Rect){tx + caret_x, ty + (int)(2 * s), s > 1.5f ? 2 : 1, fh - (int)(4 * s)});
    }
    SDL_RenderSetClipRect(r, had_clip ? &old_clip : NULL);
}

static void draw_button(struct ui_dialog *d, SDL_Renderer *r, struct ui_font *font, int i)
{
    struct dlg_button *b = &d->button[i];
    float s = d->scale;
    bool is_def = i == default_index(d), hover = d->hover == i, down = d->pressed == i && hover;
    SDL_FRect rc = frect(b->rect);
    SDL_Color fill = is_def ? (down    ? (SDL_Color){40, 98, 200, 255}
                               : hover ? (SDL_Color){82, 148, 255, 255}
                                       : COL_ACCENT)
                            : (SDL_Color){255, 255, 255,
                                          (Uint8)(down    ? 16
                                                  : hover ? 44
                                                          : 26)};
    ui_draw_round_rect(r, rc, 7 * s, fill);
    if (!is_def)
        ui_draw_round_frame(r, rc, 7 * s, 1 * s, (SDL_Color){255, 255, 255, 40});
    if (d->focus == d->nfields + i)
        ui_draw_round_frame(r, grow(b->rect, 3 * s), 10 * s, 2 * s, COL_FOCUS);
    struct ui_font *bf = is_def ? ui_font_variant(font, UI_FONT_BOLD) : font;
    int tw, th;
    text_size(d, r, bf, b->label, 0, &tw, &th);
    text_at(d, r, bf, b->label, COL_WHITE, 0, b->rect.x + (b->rect.w - tw) / 2,
            b->rect.y + (b->rect.h - th) / 2);
}

void ui_dialog_render(struct ui_dialog *d, SDL_Renderer *r, struct ui_font *font, int out_w,
                      int out_h, float scale)
{
    ensure_ready(d);
    if (scale <= 0)
        scale = 1;
    float s = d->scale = scale;
    d->font = font;
    struct ui_font *tf = ui_font_variant(font, UI_FONT_TITLE);
    struct ui_font *mf = ui_font_variant(font, UI_FONT_MONO);
    SDL_BlendMode old_blend;
    SDL_GetRenderDrawBlendMode(r, &old_blend);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, 0, 0, 0, 150);
    SDL_RenderFillRect(r, NULL);

    /* Layout: widths first (title, buttons, message), then a top-down pass. */
    int pad = (int)(24 * s), fh = ui_font_height(font);
    int max_w = (int)(560 * s) < out_w - (int)(32 * s) ? (int)(560 * s) : out_w - (int)(32 * s);
    int min_w = (int)(400 * s) < max_w ? (int)(400 * s) : max_w;
    int content_max = max_w - 2 * pad > 40 ? max_w - 2 * pad : 40;
    int btn_h = fh + (int)(18 * s), btn_gap = (int)(10 * s), row_w = 0, bw[UI_DIALOG_MAX_BUTTONS];
    for (int i = 0; i < d->nbuttons; i++) {
        int tw, th;
        struct ui_font *bf = i == default_index(d) ? ui_font_variant(font, UI_FONT_BOLD) : font;
        text_size(d, r, bf, d->button[i].label, 0, &tw, &th);
        bw[i] = tw + (int)(36 * s) > (int)(96 * s) ? tw + (int)(36 * s) : (int)(96 * s);
        row_w += bw[i] + (i ? btn_gap : 0);
    }
    int title_w, title_h, msg_w = 0, msg_h = 0, mono_w = 0, mono_h = 0;
    text_size(d, r, tf, d->title, content_max, &title_w, &title_h);
    if (d->message[0])
        text_size(d, r, font, d->message, content_max, &msg_w, &msg_h);
    int mono_pad = (int)(12 * s);
    if (d->mono)
        text_size(d, r, mf, d->mono, content_max - 2 * mono_pad, &mono_w, &mono_h);
    int content_w = title_w;
    if (msg_w > content_w)
        content_w = msg_w;
    if (mono_w + 2 * mono_pad > content_w)
        content_w = mono_w + 2 * mono_pad;
    if (row_w > content_w)
        content_w = row_w;
    if (content_w + 2 * pad < min_w)
        content_w = min_w - 2 * pad;
    if (content_w > content_max)
        content_w = content_max;
    bool stacked = row_w > content_w; /* too many/long buttons: one per row, full width */

    int label_h = fh, box_h = fh + (int)(18 * s);
    int h = pad + title_h;
    h += msg_h ? (int)(10 * s) + msg_h : 0;
    h += d->mono ? (int)(14 * s) + mono_h + 2 * mono_pad * 3 / 4 : 0;
    for (int i = 0; i < d->nfields; i++)
        h += (int)((i ? 12 : 18) * s) + label_h + (int)(6 * s) + box_h;
    h += (int)(24 * s) + (stacked ? d->nbuttons * (btn_h + btn_gap) - btn_gap : btn_h) + pad;
    SDL_Rect panel = {(out_w - content_w - 2 * pad) / 2, (out_h - h) / 2, content_w + 2 * pad, h};
    if (panel.y < (int)(8 * s))
        panel.y = (int)(8 * s);

    /* A soft shadow under the panel, then the panel with a hairline edge. */
    for (int i = 3; i >= 1; i--)
        ui_draw_round_rect(r,
                           (SDL_FRect){panel.x - 4.0f * i * s, panel.y - 2.0f * i * s + 6 * s,
                                       panel.w + 8.0f * i * s, panel.h + 4.0f * i * s},
                           (14 + 4 * i) * s, (SDL_Color){0, 0, 0, (Uint8)(34 - 8 * i)});
    ui_draw_round_rect(r, frect(panel), 12 * s, (SDL_Color){34, 37, 44, 252});
    ui_draw_round_frame(r, frect(panel), 12 * s, 1 * s, (SDL_Color){255, 255, 255, 30});

    int x = panel.x + pad, y = panel.y + pad;
    y += text_at(d, r, tf, d->title, COL_TITLE, content_max, x, y);
    if (msg_h)
        y += (int)(10 * s) +
             text_at(d, r, font, d->message, COL_TEXT, content_max, x, y + (int)(10 * s));
    if (d->mono) {
        y += (int)(14 * s);
        int bh = mono_h + 2 * mono_pad * 3 / 4;
        ui_draw_round_rect(r, (SDL_FRect){(float)x, (float)y, (float)content_w, (float)bh}, 6 * s,
                           (SDL_Color){18, 20, 25, 255});
        text_at(d, r, mf, d->mono, (SDL_Color){226, 232, 240, 255}, content_max - 2 * mono_pad,
                x + mono_pad, y + mono_pad * 3 / 4);
        y += bh;
    }
    for (int i = 0; i < d->nfields; i++) {
        y += (int)((i ? 12 : 18) * s);
        y += text_at(d, r, font, d->field[i].label, COL_LABEL, 0, x, y) + (int)(6 * s);
        d->field[i].box = (SDL_Rect){x, y, content_w, box_h};
        draw_field(d, r, font, i);
        y += box_h;
    }
    y += (int)(24 * s);
    int bx = x + content_w - row_w;
    for (int i = 0; i < d->nbuttons; i++) {
        if (stacked) {
            d->button[i].rect = (SDL_Rect){x, y, content_w, btn_h};
            y += btn_h + btn_gap;
        } else {
            d->button[i].rect = (SDL_Rect){bx, y, bw[i], btn_h};
            bx += bw[i] + btn_gap;
        }
        draw_button(d, r, font, i);
    }
    d->drawn = true;
    sync_text_input(d);
    SDL_SetRenderDrawBlendMode(r, old_blend);
}
