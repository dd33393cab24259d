/* UI fonts: fontconfig lookup, SDL_ttf faces with lazily opened variants, text rendering and
 * an LRU cache of rendered strings. */
#include "font.h"

#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum font_kind { KIND_SANS, KIND_SANS_BOLD, KIND_MONO };

struct ui_font {
    TTF_Font *ttf;
    enum font_kind kind;
    int px;
    unsigned id;
    float rel; /* variant size relative to its parent */
    bool is_variant;
    struct ui_font *variants[UI_FONT_VARIANT_COUNT];
    char path[512];
};

static atomic_uint font_next_id = 1;

/* Used only when fontconfig has no answer (broken config, minimal container). */
static const char *const fallback_paths[] = {
    [KIND_SANS] = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    [KIND_SANS_BOLD] = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    [KIND_MONO] = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
};

struct face_choice {
    char path[512];
    int index;
    bool real_bold; /* the file is a bold face; otherwise SDL_ttf embolds */
    bool found;
};

/* Resolved once per process: fontconfig's answer does not change while we run. */
static struct face_choice faces[3];
static bool faces_resolved;
static SDL_SpinLock faces_lock;

static void face_match(FcConfig *cfg, enum font_kind kind, struct face_choice *out)
{
    FcPattern *pat = FcNameParse((const FcChar8 *)(kind == KIND_MONO ? "monospace" : "sans-serif"));
    if (!pat)
        return;
    FcPatternAddBool(pat, FC_SCALABLE, FcTrue);
    if (kind == KIND_SANS_BOLD)
        FcPatternAddInteger(pat, FC_WEIGHT, FC_WEIGHT_BOLD);
    FcConfigSubstitute(cfg, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *match = FcFontMatch(cfg, pat, &res);
    FcChar8 *file = NULL;
    int weight = FC_WEIGHT_REGULAR;
    if (match && FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch && file) {
        if (FcPatternGetInteger(match, FC_INDEX, 0, &out->index) != FcResultMatch)
            out->index = 0;
        FcPatternGetInteger(match, FC_WEIGHT, 0, &weight);
        out->real_bold = weight >= FC_WEIGHT_DEMIBOLD;
        out->found =
            snprintf(out->path, sizeof out->path, "%s", (const char *)file) < (int)sizeof out->path;
    }
    if (match)
        FcPatternDestroy(match);
    FcPatternDestroy(pat);
}

/* A private fontconfig configuration, destroyed after use: FcInit()'s global one is never
 * released and shows up as a leak under LeakSanitizer. */
static struct face_choice face_for(enum font_kind kind)
{
    SDL_AtomicLock(&faces_lock);
    if (!faces_resolved) {
        FcConfig *cfg = FcInitLoadConfigAndFonts();
        for (int k = 0; cfg && k < 3; k++)
            face_match(cfg, (enum font_kind)k, &faces[k]);
        if (cfg)
            FcConfigDestroy(cfg);
        for (int k = 0; k < 3; k++) {
            if (!faces[k].found) {
                snprintf(faces[k].path, sizeof faces[k].path, "%s", fallback_paths[k]);
                faces[k].index = 0;
                faces[k].real_bold = k == KIND_SANS_BOLD;
            }
        }
        faces_resolved = true;
    }
    struct face_choice c = faces[kind];
    SDL_AtomicUnlock(&faces_lock);
    return c;
}

static size_t utf8_char_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 1;
}

static struct ui_font *font_open_kind(enum font_kind kind, int px, struct vv_error *err)
{
    if (px < 4)
        px = 4;
    if (px > 400)
        px = 400;
    /* SDL_ttf counts Init/Quit pairs: each font holds one reference, so the demo server's own
     * use of SDL_ttf is unaffected by ours. */
    if (TTF_Init() != 0) {
        vv_error_set(err, VV_ERR_GENERIC, "cannot initialise SDL_ttf: %s", TTF_GetError());
        return NULL;
    }
    struct ui_font *f = calloc(1, sizeof *f);
    if (!f) {
        vv_error_set(err, VV_ERR_GENERIC, "out of memory opening a font");
        TTF_Quit();
        return NULL;
    }
    struct face_choice face = face_for(kind);
    snprintf(f->path, sizeof f->path, "%s", face.path);
    f->ttf = TTF_OpenFontIndex(f->path, px, face.index);
    if (!f->ttf) {
        vv_error_set(err, VV_ERR_GENERIC,
                     "cannot open the UI font %s: %s (install fonts-dejavu-core)", f->path,
                     TTF_GetError());
        free(f);
        TTF_Quit();
        return NULL;
    }
    if (kind == KIND_SANS_BOLD && !face.real_bold)
        TTF_SetFontStyle(f->ttf, TTF_STYLE_BOLD); /* synthetic bold beats no emphasis */
    TTF_SetFontHinting(f->ttf, TTF_HINTING_LIGHT);
    TTF_SetFontKerning(f->ttf, 1);
    f->kind = kind;
    f->px = px;
    f->rel = 1.0f;
    f->id = atomic_fetch_add(&font_next_id, 1);
    return f;
}

struct ui_font *ui_font_open(int pixel_size, struct vv_error *err)
{
    return font_open_kind(KIND_SANS, pixel_size, err);
}

struct ui_font *ui_font_open_mono(int pixel_size, struct vv_error *err)
{
    return font_open_kind(KIND_MONO, pixel_size, err);
}

void ui_font_close(struct ui_font *f)
{
    if (!f)
        return;
    for (int i = 0; i < UI_FONT_VARIANT_COUNT; i++)
        if (f->variants[i] && f->variants[i] != f)
            ui_font_close(f->variants[i]);
    TTF_CloseFont(f->ttf);
    free(f);
    TTF_Quit();
}

static int scaled_px(int px, float rel)
{
    int v = (int)(px * rel + 0.5f);
    return v < 4 ? 4 : v;
}

bool ui_font_set_pixel_size(struct ui_font *f, int pixel_size)
{
    if (pixel_size < 4)
        pixel_size = 4;
    if (TTF_SetFontSize(f->ttf, pixel_size) != 0)
        return false;
    f->px = pixel_size;
    f->id = atomic_fetch_add(&font_next_id, 1);
    bool ok = true;
    for (int i = 0; i < UI_FONT_VARIANT_COUNT; i++) {
        struct ui_font *v = f->variants[i];
        if (v && v != f)
            ok = ui_font_set_pixel_size(v, scaled_px(pixel_size, v->rel)) && ok;
    }
    return ok;
}

int ui_font_pixel_size(const struct ui_font *f)
{
    return f->px;
}

unsigned ui_font_id(const struct ui_font *f)
{
    return f->id;
}

const char *ui_font_file(const struct ui_font *f)
{
    return f->path;
}

struct ui_font *ui_font_variant(struct ui_font *f, enum ui_font_variant v)
{
    static const struct {
        enum font_kind kind;
        float rel;
    } spec[UI_FONT_VARIANT_COUNT] = {
        [UI_FONT_TITLE] = {KIND_SANS_BOLD, 1.2f},
        [UI_FONT_BOLD] = {KIND_SANS_BOLD, 1.0f},
        [UI_FONT_MONO] = {KIND_MONO, 0.94f},
        [UI_FONT_SMALL] = {KIND_SANS, 0.87f},
        [UI_FONT_SMALL_BOLD] = {KIND_SANS_BOLD, 0.87f},
    };
    if ((int)v < 0 || v >= UI_FONT_VARIANT_COUNT || f->is_variant)
        return f;
    if (!f->variants[v]) {
        struct ui_font *nf = font_open_kind(spec[v].kind, scaled_px(f->px, spec[v].rel), NULL);
        if (nf) {
            nf->rel = spec[v].rel;
            nf->is_variant = true;
        }
        f->variants[v] = nf ? nf : f; /* remember the failure: do not retry every frame */
    }
    return f->variants[v];
}

SDL_Texture *ui_font_render(struct ui_font *f, SDL_Renderer *r, const char *utf8, SDL_Color color,
                            int *w, int *h)
{
    return ui_font_render_wrapped(f, r, utf8, color, -1, UI_ALIGN_LEFT, w, h);
}

struct line {
    size_t start, end;
};

/* Breaks buf (modifiable copy, len bytes) into lines no wider than max_width (0: only at '\n'),
 * preferring spaces and falling back to character boundaries for over-long words. */
static size_t wrap_lines(TTF_Font *ttf, char *buf, size_t len, int max_width, struct line *lines)
{
    size_t n = 0, pos = 0;
    while (pos <= len) {
        size_t para_end = pos;
        while (para_end < len && buf[para_end] != '\n')
            para_end++;
        char saved = buf[para_end];
        buf[para_end] = '\0';
        do {
            int extent = 0, count = 0;
            size_t end = para_end;
            if (max_width > 0 && TTF_MeasureUTF8(ttf, buf + pos, max_width, &extent, &count) == 0) {
                size_t fit = pos;
                for (int c = 0; c < count && fit < para_end; c++)
                    fit += utf8_char_len((unsigned char)buf[fit]);
                if (fit < para_end) {
                    size_t brk = fit;
                    while (brk > pos && buf[brk] != ' ')
                        brk--;
                    end = brk > pos
                              ? brk
                              : (fit > pos ? fit : fit + utf8_char_len((unsigned char)buf[fit]));
                }
            }
            size_t trim = end;
            while (trim > pos && buf[trim - 1] == ' ')
                trim--;
            lines[n++] = (struct line){pos, trim};
            pos = end;
            while (pos < para_end && buf[pos] == ' ')
                pos++;
        } while (pos < para_end);
        buf[para_end] = saved;
        pos = para_end + 1;
    }
    return n;
}

/* Each line rendered by SDL_ttf, then copied into one surface exactly as wide as the widest line
 * (SDL_ttf's own wrapper makes every surface as wide as the wrap limit). */
static SDL_Surface *render_lines(struct ui_font *f, const char *utf8, SDL_Color color,
                                 int max_width, enum ui_align align)
{
    size_t len = strlen(utf8);
    char *buf = malloc(len + 1);
    struct line *lines = malloc((len + 2) * sizeof *lines);
    SDL_Surface **ls = calloc(len + 2, sizeof *ls), *out = NULL;
    size_t n = 0;
    if (!buf || !lines || !ls)
        goto done;
    memcpy(buf, utf8, len + 1);
    n = wrap_lines(f->ttf, buf, len, max_width, lines);
    int width = 1, skip = TTF_FontLineSkip(f->ttf), height = TTF_FontHeight(f->ttf);
    for (size_t i = 0; i < n; i++) {
        char saved = buf[lines[i].end]; /* may be the next line's first byte */
        buf[lines[i].end] = '\0';
        if (lines[i].end > lines[i].start)
            ls[i] = TTF_RenderUTF8_Blended(f->ttf, buf + lines[i].start, color);
        buf[lines[i].end] = saved;
        if (ls[i] && ls[i]->w > width)
            width = ls[i]->w;
    }
    out = SDL_CreateRGBSurfaceWithFormat(0, width, (int)(n - 1) * skip + height, 32,
                                         SDL_PIXELFORMAT_ARGB8888);
    for (size_t i = 0; out && i < n; i++) {
        if (!ls[i])
            continue;
        int x = align == UI_ALIGN_CENTER  ? (width - ls[i]->w) / 2
                : align == UI_ALIGN_RIGHT ? width - ls[i]->w
                                          : 0;
        SDL_SetSurfaceBlendMode(ls[i], SDL_BLENDMODE_NONE); /* copy alpha as it is */
        SDL_BlitSurface(ls[i], NULL, out, &(SDL_Rect){x, (int)i * skip, ls[i]->w, ls[i]->h});
    }
done:
    for (size_t i = 0; ls && i < n; i++)
        SDL_FreeSurface(ls[i]);
    free(ls);
    free(lines);
    free(buf);
    return out;
}

SDL_Texture *ui_font_render_wrapped(struct ui_font *f, SDL_Renderer *r, const char *utf8,
                                    SDL_Color color, int max_width, enum ui_align align, int *w,
                                    int *h)
{
    if (w)
        *w = 0;
    if (h)
        *h = TTF_FontHeight(f->ttf);
    if (!utf8 || !*utf8)
        return NULL;
    SDL_Surface *s;
    if (!strchr(utf8, '\n') && (max_width <= 0 || ui_font_text_width(f, utf8) <= max_width))
        s = TTF_RenderUTF8_Blended(f->ttf, utf8, color);
    else
        s = render_lines(f, utf8, color, max_width, align);
    if (!s)
        return NULL;
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
    if (t) {
        SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
        if (w)
            *w = s->w;
        if (h)
            *h = s->h;
    }
    SDL_FreeSurface(s);
    return t;
}

int ui_font_text_width(struct ui_font *f, const char *utf8)
{
    int w = 0;
    if (!utf8 || !*utf8 || TTF_SizeUTF8(f->ttf, utf8, &w, NULL) != 0)
        return 0;
    return w;
}

int ui_font_height(struct ui_font *f)
{
    return TTF_FontHeight(f->ttf);
}

int ui_font_line_skip(struct ui_font *f)
{
    return TTF_FontLineSkip(f->ttf);
}

struct text_entry {
    SDL_Texture *tex;
    SDL_Renderer *r;
    unsigned font_id;
    uint32_t color;
    int max_width;
    enum ui_align align;
    int w, h;
    uint64_t last_use;
    char *text;
};

struct ui_text_cache {
    int slots;
    uint64_t clock;
    struct text_entry e[];
};

struct ui_text_cache *ui_text_cache_new(int slots)
{
    if (slots < 1)
        slots = 1;
    struct ui_text_cache *c = calloc(1, sizeof *c + (size_t)slots * sizeof c->e[0]);
    if (c)
        c->slots = slots;
    return c;
}

static void entry_clear(struct text_entry *e)
{
    if (e->tex)
        SDL_DestroyTexture(e->tex);
    free(e->text);
    memset(e, 0, sizeof *e);
}

void ui_text_cache_flush(struct ui_text_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->slots; i++)
        entry_clear(&c->e[i]);
}

void ui_text_cache_free(struct ui_text_cache *c)
{
    ui_text_cache_flush(c);
    free(c);
}

SDL_Texture *ui_text_cache_get(struct ui_text_cache *c, struct ui_font *f, SDL_Renderer *r,
                               const char *utf8, SDL_Color color, int max_width,
                               enum ui_align align, int *w, int *h)
{
    if (!utf8 || !*utf8 || !c)
        return c ? ui_font_render_wrapped(f, r, "", color, 0, align, w, h) : NULL;
    uint32_t key = (uint32_t)color.r << 24 | (uint32_t)color.g << 16 | color.b << 8 | color.a;
    if (max_width <= 0)
        max_width = -1;
    struct text_entry *victim = &c->e[0];
    for (int i = 0; i < c->slots; i++) {
        struct text_entry *e = &c->e[i];
        if (e->tex && e->r == r && e->font_id == f->id && e->color == key &&
            e->max_width == max_width && (max_width < 0 || e->align == align) &&
            strcmp(e->text, utf8) == 0) {
            e->last_use = ++c->clock;
            SDL_SetTextureAlphaMod(e->tex, 255);
            if (w)
                *w = e->w;
            if (h)
                *h = e->h;
            return e->tex;
        }
        if (!e->tex || (victim->tex && e->last_use < victim->last_use))
            victim = e;
    }
    entry_clear(victim);
    int tw, th;
    SDL_Texture *t = ui_font_render_wrapped(f, r, utf8, color, max_width, align, &tw, &th);
    if (w)
        *w = tw;
    if (h)
        *h = th;
    if (!t)
        return NULL;
    char *copy = strdup(utf8);
    if (!copy) {
        SDL_DestroyTexture(t);
        return NULL;
    }
    *victim = (struct text_entry){t, r, f->id, key, max_width, align, tw, th, ++c->clock, copy};
    return t;
}
