/* UI fonts: faces found with fontconfig and opened with SDL_ttf, UTF-8 text rendered to
 * textures, and a small LRU cache of rendered strings for text that is not secret. */
#ifndef VV_UI_FONT_H
#define VV_UI_FONT_H

#include <stdbool.h>
#include <SDL.h>

#include "error.h"

/* Sizes are in OUTPUT pixels (renderer output, not window points): on a HiDPI display open
 * the font at base_size * scale, and call ui_font_set_pixel_size() when the scale changes. */
struct ui_font;

/* Companion faces owned by a font, same size family: opened lazily, closed with it. */
enum ui_font_variant {
    UI_FONT_TITLE,      /* bold, ~1.2x: dialog titles, status headline */
    UI_FONT_BOLD,       /* bold, same size */
    UI_FONT_MONO,       /* monospace, ~0.94x: fingerprints */
    UI_FONT_SMALL,      /* regular, ~0.87x: badges, hints */
    UI_FONT_SMALL_BOLD, /* bold, ~0.87x: warnings in badges */
    UI_FONT_VARIANT_COUNT
};

enum ui_align { UI_ALIGN_LEFT, UI_ALIGN_CENTER, UI_ALIGN_RIGHT };

/* fontconfig "sans-serif" (DejaVu Sans on Debian) at pixel_size px. NULL + err on failure.
 * Caller closes with ui_font_close(). */
struct ui_font *ui_font_open(int pixel_size, struct vv_error *err);
/* fontconfig "monospace". Caller closes with ui_font_close(). */
struct ui_font *ui_font_open_mono(int pixel_size, struct vv_error *err);
/* Closes the font and its variants. NULL is allowed. */
void ui_font_close(struct ui_font *f);

/* Resizes the font and its variants (HiDPI scale change). Textures rendered before keep their
 * size; caches notice through ui_font_id(). Returns false if SDL_ttf refused. */
bool ui_font_set_pixel_size(struct ui_font *f, int pixel_size);
int ui_font_pixel_size(const struct ui_font *f);
/* Changes whenever the font is opened or resized: a cache key that survives address reuse. */
unsigned ui_font_id(const struct ui_font *f);
/* The file fontconfig picked (for logs). Borrowed. */
const char *ui_font_file(const struct ui_font *f);
/* A companion face; owned by f (do not close). Falls back to f itself if it cannot be opened. */
struct ui_font *ui_font_variant(struct ui_font *f, enum ui_font_variant v);

/* Renders one line. Returns a new texture (caller destroys) with blending on, or NULL for empty
 * text or on error; *w and *h (may be NULL) get its size, or 0 x line height for NULL. */
SDL_Texture *ui_font_render(struct ui_font *f, SDL_Renderer *r, const char *utf8, SDL_Color color,
                            int *w, int *h);
/* Like ui_font_render but breaks lines at '\n' and at word boundaries to fit max_width px
 * (0 = only at '\n'); over-long words are broken between characters. Caller destroys. */
SDL_Texture *ui_font_render_wrapped(struct ui_font *f, SDL_Renderer *r, const char *utf8,
                                    SDL_Color color, int max_width, enum ui_align align, int *w,
                                    int *h);
/* Advance width of one line of text in pixels (0 for NULL or ""). */
int ui_font_text_width(struct ui_font *f, const char *utf8);
/* Height of one line box in pixels. */
int ui_font_height(struct ui_font *f);
/* Distance between baselines of wrapped lines. */
int ui_font_line_skip(struct ui_font *f);

/* A cache of rendered non-secret strings keyed by (renderer, font id, colour, wrap, text).
 * Textures belong to the cache. Free or flush it BEFORE destroying the renderer it drew on:
 * SDL frees a renderer's textures with it and the cache cannot tell. Never put secrets in. */
struct ui_text_cache;

/* slots: how many strings to keep (least recently used is dropped). NULL on OOM. */
struct ui_text_cache *ui_text_cache_new(int slots);
void ui_text_cache_free(struct ui_text_cache *c);
void ui_text_cache_flush(struct ui_text_cache *c);
/* The texture for text (wrapped when max_width > 0), rendered on a miss. Borrowed: valid until
 * the next call on this cache. NULL for empty text (then *w = 0, *h = line height). The caller
 * may set alpha mod on it; it is reset to opaque on every get. */
SDL_Texture *ui_text_cache_get(struct ui_text_cache *c, struct ui_font *f, SDL_Renderer *r,
                               const char *utf8, SDL_Color color, int max_width,
                               enum ui_align align, int *w, int *h);

#endif
