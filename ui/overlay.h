/* Overlays drawn with SDL_Renderer over (or instead of) the remote desktop: the status screen,
 * the security badge and toasts, plus the anti-aliased shape primitives the dialogs share. */
#ifndef VV_UI_OVERLAY_H
#define VV_UI_OVERLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <SDL.h>

#include "font.h"

/* All functions draw in OUTPUT pixels with the renderer's scale at 1:1 and no viewport;
 * scale = output pixels per window point (HiDPI), applied to spacing and shapes. The font is
 * expected to be opened at base size * scale already (see font.h). The renderer's draw colour
 * and blend mode are restored on return. */

enum ui_security_level {
    UI_SEC_VERIFIED,   /* green: encrypted and the peer's identity checked */
    UI_SEC_UNVERIFIED, /* amber: encrypted, identity not checked (anonymous TLS, new key) */
    UI_SEC_NONE,       /* red: plain RFB, anyone on the path can read it */
    UI_SEC_SSH,        /* blue: carried inside an SSH tunnel */
};

/* Short English label for a level ("Verified encryption", ...). Static string. */
const char *ui_security_level_text(enum ui_security_level level);

/* Fills the whole output with a dark background and draws title (large) and detail (wrapped)
 * centred. When ticks_ms != 0 an animated spinner is drawn above them (pass SDL_GetTicks();
 * pass 0 for a static screen such as "Connection lost"). detail may be NULL. */
void ui_overlay_status(SDL_Renderer *r, struct ui_font *font, int out_w, int out_h, float scale,
                       const char *title, const char *detail, uint32_t ticks_ms);

/* A pill in the top-right corner with a lock icon coloured by level and text (NULL = the
 * level's default label). alpha (0-255) fades the whole badge. */
void ui_overlay_badge(SDL_Renderer *r, struct ui_font *font, int out_w, int out_h, float scale,
                      enum ui_security_level level, const char *text, uint8_t alpha);

/* A transient message ("Clipboard sent") centred near the bottom edge, faded by alpha. */
void ui_overlay_toast(SDL_Renderer *r, struct ui_font *font, int out_w, int out_h, float scale,
                      const char *text, uint8_t alpha);

/* Frees the text textures the overlays cache. Call it before destroying the renderer, on
 * SDL_RENDER_TARGETS_RESET / SDL_RENDER_DEVICE_RESET, and whenever memory matters. */
void ui_overlay_flush_cache(void);

/* Shape primitives (output pixels, anti-aliased edges, any renderer with RenderGeometry). */
void ui_draw_round_rect(SDL_Renderer *r, SDL_FRect rect, float radius, SDL_Color c);
/* A border of the given width drawn inside rect. */
void ui_draw_round_frame(SDL_Renderer *r, SDL_FRect rect, float radius, float width, SDL_Color c);
/* A ring segment from angle a0 to a1 (radians, clockwise on screen, 0 = 3 o'clock) whose alpha
 * goes linearly from c.a * alpha0 to c.a * alpha1 (0..1). */
void ui_draw_arc(SDL_Renderer *r, float cx, float cy, float radius, float thickness, float a0,
                 float a1, SDL_Color c, float alpha0, float alpha1);
/* Copies a texture at (x, y) with its natural size and the given alpha. NULL is a no-op. */
void ui_draw_texture(SDL_Renderer *r, SDL_Texture *t, int x, int y, int w, int h, uint8_t alpha);

#endif
