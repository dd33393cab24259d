/* Drawing of the in-window dialogs: backdrop, panel, wrapped message, fields (password fields as
 * dots), buttons with focus and hover states. */
#include "dialog_int.h"

#include <string.h>

#include "overlay.h"

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

    int pad = dlg_text_pad(d), inner_w = f->box.w - 2 * pad;
    size_t cl = f->password ? 0 : strlen(f->compose);
    int x0 = dlg_prefix_width(font, f, f->caret);
    int comp_w = cl ? ui_font_text_width(font, f->compose) : 0;
    int caret_x = x0 + comp_w; /* the caret sits after the pre-edit text */
    int total_w = dlg_prefix_width(font, f, f->len) + comp_w;
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
        int adv = dlg_dot_advance(font), n = (int)dlg_count_chars(f->buf, f->len);
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
    bool is_def = i == dlg_default_index(d), hover = d->hover == i, down = d->pressed == i && hover;
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
    dlg_ensure_ready(d);
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
        struct ui_font *bf = i == dlg_default_index(d) ? ui_font_variant(font, UI_FONT_BOLD) : font;
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
    dlg_sync_text_input(d);
    SDL_SetRenderDrawBlendMode(r, old_blend);
}
