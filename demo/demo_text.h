/* Text for the demo desktop: fonts found with fontconfig and rendered by SDL_ttf (no SDL video),
 * and labels that cache their rendered surface until the text changes. */
#ifndef VV_DEMO_TEXT_H
#define VV_DEMO_TEXT_H

#include "demo_draw.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct _TTF_Font TTF_Font;

enum demo_font_id {
    DEMO_FONT_TITLE,   /* sans bold, large */
    DEMO_FONT_HEADING, /* sans bold, card titles */
    DEMO_FONT_BODY,    /* sans */
    DEMO_FONT_SMALL,   /* sans, footer and hints */
    DEMO_FONT_MONO,    /* mono, key codes and numbers */
    DEMO_FONT_CLOCK,   /* mono bold, the clock */
    DEMO_FONT_COUNT
};

/* Any entry may be NULL (font not found): text is then simply not drawn. */
struct demo_fonts {
    TTF_Font *f[DEMO_FONT_COUNT];
    bool ttf_inited;
};

/* Opens the fonts; logs a warning and leaves entries NULL if fonts cannot be found. Call from the
 * thread that opens the UI's fonts: FreeType needs face creation serialised. */
void demo_fonts_open(struct demo_fonts *fonts);
void demo_fonts_close(struct demo_fonts *fonts);
/* Line height in pixels of a font, or a guess when the font is missing. */
int demo_font_height(const struct demo_fonts *fonts, enum demo_font_id id);

struct demo_label {
    const struct demo_fonts *fonts;
    enum demo_font_id font;
    uint32_t rgb;
    char text[256];
    struct SDL_Surface *surf; /* NULL when empty or no font */
};

void demo_label_init(struct demo_label *l, const struct demo_fonts *fonts, enum demo_font_id font,
                     uint32_t rgb);
/* Sets UTF-8 text; returns true if the text or colour changed (the caller redraws its area). */
bool demo_label_set(struct demo_label *l, uint32_t rgb, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int demo_label_width(const struct demo_label *l);
/* Draws the label with its top-left at (x,y), clipped to clip. */
void demo_label_draw(const struct demo_label *l, struct demo_canvas *c, struct demo_rect clip,
                     int x, int y);
void demo_label_free(struct demo_label *l);

#endif
