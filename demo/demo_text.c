/* Demo desktop text (see demo_text.h): fontconfig finds DejaVu (or any sans/mono face), SDL_ttf
 * renders blended ARGB surfaces that demo_blit composes into the framebuffer. */
#include "demo_text.h"
#include "log.h"

#include <SDL2/SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns the file of the best match for a fontconfig pattern; caller frees. NULL if none. */
static char *find_font(FcConfig *cfg, const char *pattern)
{
    FcPattern *pat = FcNameParse((const FcChar8 *)pattern);
    if (!pat)
        return NULL;
    FcConfigSubstitute(cfg, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *match = FcFontMatch(cfg, pat, &res);
    FcPatternDestroy(pat);
    if (!match)
        return NULL;
    FcChar8 *file = NULL;
    char *out = NULL;
    if (FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch && file)
        out = strdup((const char *)file);
    FcPatternDestroy(match);
    return out;
}

static TTF_Font *open_font(FcConfig *cfg, const char *const *patterns, int px)
{
    for (; cfg && *patterns; patterns++) {
        char *file = find_font(cfg, *patterns);
        if (!file)
            continue;
        TTF_Font *f = TTF_OpenFont(file, px);
        if (!f)
            log_debug("demo: cannot open font %s: %s", file, TTF_GetError());
        free(file);
        if (f)
            return f;
    }
    return NULL;
}

void demo_fonts_open(struct demo_fonts *fonts)
{
    static const char *const sans[] = {"DejaVu Sans", "sans-serif", NULL};
    static const char *const bold[] = {"DejaVu Sans:bold", "sans-serif:bold", NULL};
    static const char *const mono[] = {"DejaVu Sans Mono", "monospace", NULL};
    static const char *const monobold[] = {"DejaVu Sans Mono:bold", "monospace:bold", NULL};
    static const struct {
        const char *const *patterns;
        int px;
    } spec[DEMO_FONT_COUNT] = {
        [DEMO_FONT_TITLE] = {bold, 30}, [DEMO_FONT_HEADING] = {bold, 14},
        [DEMO_FONT_BODY] = {sans, 15},  [DEMO_FONT_SMALL] = {sans, 13},
        [DEMO_FONT_MONO] = {mono, 15},  [DEMO_FONT_CLOCK] = {monobold, 26},
    };
    memset(fonts, 0, sizeof *fonts);
    if (TTF_Init() != 0) {
        log_warn("demo: SDL_ttf unavailable (%s); the demo desktop will have no text",
                 TTF_GetError());
        return;
    }
    fonts->ttf_inited = true;
    /* A private configuration, destroyed after use: FcInit()'s global one lives until exit and
     * shows up under LeakSanitizer. */
    FcConfig *cfg = FcInitLoadConfigAndFonts();
    int missing = 0;
    for (int i = 0; i < DEMO_FONT_COUNT; i++) {
        fonts->f[i] = open_font(cfg, spec[i].patterns, spec[i].px);
        if (!fonts->f[i])
            missing++;
    }
    if (cfg)
        FcConfigDestroy(cfg);
    if (missing)
        log_warn("demo: %d of %d fonts not found (install fonts-dejavu-core); some text of the "
                 "demo desktop is missing",
                 missing, DEMO_FONT_COUNT);
}

void demo_fonts_close(struct demo_fonts *fonts)
{
    for (int i = 0; i < DEMO_FONT_COUNT; i++)
        if (fonts->f[i])
            TTF_CloseFont(fonts->f[i]);
    if (fonts->ttf_inited)
        TTF_Quit();
    memset(fonts, 0, sizeof *fonts);
}

int demo_font_height(const struct demo_fonts *fonts, enum demo_font_id id)
{
    static const int guess[DEMO_FONT_COUNT] = {36, 17, 18, 16, 18, 31};
    return fonts->f[id] ? TTF_FontHeight(fonts->f[id]) : guess[id];
}

void demo_label_init(struct demo_label *l, const struct demo_fonts *fonts, enum demo_font_id font,
                     uint32_t rgb)
{
    memset(l, 0, sizeof *l);
    l->fonts = fonts;
    l->font = font;
    l->rgb = rgb;
}

bool demo_label_set(struct demo_label *l, uint32_t rgb, const char *fmt, ...)
{
    char buf[sizeof l->text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (rgb == l->rgb && strcmp(buf, l->text) == 0)
        return false;
    memcpy(l->text, buf, sizeof buf);
    l->rgb = rgb;
    if (l->surf)
        SDL_FreeSurface(l->surf);
    l->surf = NULL;
    TTF_Font *f = l->fonts->f[l->font];
    if (f && buf[0]) {
        SDL_Color col = {(Uint8)(rgb >> 16), (Uint8)(rgb >> 8), (Uint8)rgb, 255};
        l->surf = TTF_RenderUTF8_Blended(f, buf, col);
    }
    return true;
}

int demo_label_width(const struct demo_label *l)
{
    return l->surf ? l->surf->w : 0;
}

void demo_label_draw(const struct demo_label *l, struct demo_canvas *c, struct demo_rect clip,
                     int x, int y)
{
    if (l->surf)
        demo_blit(c, clip, l->surf, x, y);
}

void demo_label_free(struct demo_label *l)
{
    if (l->surf)
        SDL_FreeSurface(l->surf);
    l->surf = NULL;
}
