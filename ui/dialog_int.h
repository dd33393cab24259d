/* Internals shared by dialog.c (state, input) and dialog_draw.c (rendering). */
#ifndef VV_UI_DIALOG_INT_H
#define VV_UI_DIALOG_INT_H

#include "dialog.h"

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

size_t dlg_count_chars(const char *s, size_t upto);
int dlg_default_index(const struct ui_dialog *d);
int dlg_dot_advance(struct ui_font *font);
void dlg_ensure_ready(struct ui_dialog *d);
int dlg_prefix_width(struct ui_font *font, const struct dlg_field *f, size_t upto);
void dlg_sync_text_input(struct ui_dialog *d);
int dlg_text_pad(const struct ui_dialog *d);

#endif
