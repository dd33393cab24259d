/* Modal dialogs drawn inside the viewer window with SDL_Renderer: title, wrapped message, an
 * optional monospace block, up to two text fields (password fields show bullets) and buttons. */
#ifndef VV_UI_DIALOG_H
#define VV_UI_DIALOG_H

#include <stdbool.h>
#include <SDL.h>

#include "font.h"

#define UI_DIALOG_MAX_FIELDS 2
#define UI_DIALOG_MAX_BUTTONS 4
/* Field capacity in bytes including the terminating NUL. Fixed so that a secret is never
 * copied by a realloc; longer input is refused at a character boundary. */
#define UI_DIALOG_FIELD_CAP 256
/* ui_dialog_handle_event() result while the dialog stays open. */
#define UI_DIALOG_OPEN (-1)

struct ui_dialog;

/* Copies title and message (message may hold '\n'; either may be NULL). Caller frees with
 * ui_dialog_free(). NULL on out of memory. */
struct ui_dialog *ui_dialog_new(const char *title, const char *message);
/* A block of monospace text under the message (fingerprints); copied. */
void ui_dialog_set_mono(struct ui_dialog *d, const char *text);
/* Adds a labelled text field, pre-filled with initial (may be NULL; copied, truncated to fit).
 * A password field draws bullets only. Ignored beyond UI_DIALOG_MAX_FIELDS. */
void ui_dialog_add_field(struct ui_dialog *d, const char *label, const char *initial,
                         bool password);
/* Adds a button; labels are copied. Enter chooses the default button unless another button has
 * keyboard focus; Escape and closing the window choose the cancel button. Without a flagged
 * default the first button is default; without a flagged cancel the last button is cancel. A
 * dialog without buttons gets an "OK". Ignored beyond UI_DIALOG_MAX_BUTTONS. */
void ui_dialog_add_button(struct ui_dialog *d, const char *label, bool is_default, bool is_cancel);

/* Feeds one event. Returns UI_DIALOG_OPEN (-1) while the dialog stays open, else the index of
 * the chosen button; once chosen, the same index is returned for every later event. Mouse
 * coordinates are window points, mapped with the scale of the last ui_dialog_render() (mouse
 * events before the first render are ignored). Starts SDL text input while a field has focus
 * and stops it again (if it started it) on leaving the field or closing. */
int ui_dialog_handle_event(struct ui_dialog *d, const SDL_Event *ev);

/* Current text of field index (UTF-8), "" if there is no such field. Borrowed: valid until the
 * next event or ui_dialog_free(); copy a password out and wipe the copy when done. */
const char *ui_dialog_field_value(const struct ui_dialog *d, int index);
/* The chosen button index, or UI_DIALOG_OPEN. */
int ui_dialog_result(const struct ui_dialog *d);

/* Draws a dimmed backdrop over the whole output and the centred panel. out_w/out_h: renderer
 * output size in pixels (SDL_GetRendererOutputSize); scale: output pixels per window point; the
 * font should be opened at base size * scale. Text of non-secret strings is cached in the
 * dialog; password text is rendered as bullets into a texture destroyed before returning. */
void ui_dialog_render(struct ui_dialog *d, SDL_Renderer *r, struct ui_font *font, int out_w,
                      int out_h, float scale);

/* Where button / field box index was last drawn, in output pixels. False if not drawn yet. */
bool ui_dialog_button_rect(const struct ui_dialog *d, int index, SDL_Rect *out);
bool ui_dialog_field_rect(const struct ui_dialog *d, int index, SDL_Rect *out);

/* Drops the dialog's cached textures. Call before destroying the renderer it drew on while the
 * dialog lives on (ui_dialog_free does it too, so free dialogs before their renderer). */
void ui_dialog_flush_cache(struct ui_dialog *d);
/* Wipes every field (plat_wipe), stops text input if the dialog started it, frees. NULL ok. */
void ui_dialog_free(struct ui_dialog *d);

/* One password field; buttons "OK" (default) and "Cancel" (cancel): returns 0 or 1. */
struct ui_dialog *ui_dialog_password(const char *title, const char *message);
/* A message with buttons: buttons[0] is the default, buttons[nbuttons-1] the cancel. */
struct ui_dialog *ui_dialog_message(const char *title, const char *message,
                                    const char *const *buttons, int nbuttons);

#endif
