/* Demo desktop state: layout for any size, the animation step, input echo and the damage list
 * that keeps updates down to the rectangles that really changed. Drawing is in demo_render.c. */
#include "demo_keys.h"
#include "demo_scene_priv.h"

#include "charset.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void demo_scene_damage(struct demo_scene *sc, struct demo_rect r)
{
    r = demo_rect_intersect(r, (struct demo_rect){0, 0, sc->cv.w, sc->cv.h});
    if (demo_rect_empty(r))
        return;
    /* Merge with anything it touches, so flush never draws a pixel twice. */
    for (int i = 0; i < sc->ndamage;) {
        struct demo_rect grown = {r.x - 1, r.y - 1, r.w + 2, r.h + 2};
        if (!demo_rect_empty(demo_rect_intersect(grown, sc->damage[i]))) {
            r = demo_rect_union(r, sc->damage[i]);
            sc->damage[i] = sc->damage[--sc->ndamage];
            i = 0;
        } else {
            i++;
        }
    }
    if (sc->ndamage == DEMO_DAMAGE)
        r = demo_rect_union(r, sc->damage[--sc->ndamage]);
    sc->damage[sc->ndamage++] = r;
}

/* Static texts get a shorter wording when the desktop is too narrow for the full one. */
static void fit(struct demo_label *l, int max_w, const char *full, const char *brief)
{
    demo_label_set(l, l->rgb, "%s", full);
    if (demo_label_width(l) > max_w)
        demo_label_set(l, l->rgb, "%s", brief);
}

static void fit_texts(struct demo_scene *sc)
{
    struct demo_layout *L = &sc->lay;
    fit(&sc->subtitle, L->clock.x - 8 - L->m,
        "A live VNC desktop served from inside vncview. Type, click, scroll and paste: "
        "everything you do shows up here.",
        "A live VNC desktop served from inside vncview.");
    fit(&sc->anim_caption, L->anim.w - 2 * L->pad,
        "30 frames per second; only the rectangles that change are sent",
        "30 frames/s, only changes are sent");
    fit(&sc->canvas_hint, L->canvas_area.w - 16,
        "Left button draws, middle draws pink, right button clears",
        "Draw here; right-click clears");
    fit(&sc->keys_empty, L->keys.w - 2 * L->pad - 8,
        "Press any key: it appears here, newest first.", "Press any key.");
    fit(&sc->footer, L->footer.w,
        "F2 rings the bell   ·   F3 puts text on your clipboard   ·   resize the window and the "
        "desktop follows",
        "F2: bell  ·  F3: clipboard text  ·  resizing follows the window");
}

static void layout(struct demo_scene *sc)
{
    struct demo_layout *L = &sc->lay;
    const struct demo_fonts *f = sc->fonts;
    int w = sc->cv.w, h = sc->cv.h;
    int th = demo_font_height(f, DEMO_FONT_TITLE), bh = demo_font_height(f, DEMO_FONT_BODY);
    int sh = demo_font_height(f, DEMO_FONT_SMALL), mh = demo_font_height(f, DEMO_FONT_MONO);
    int ch = demo_font_height(f, DEMO_FONT_CLOCK), hh = demo_font_height(f, DEMO_FONT_HEADING);
    int m = clampi((w < h ? w : h) / 30, 8, 28), p = clampi(m * 3 / 5, 8, 16), gap = m * 3 / 4;
    L->m = m;
    L->pad = p;

    int slot_w = clampi(w / 3, 120, 340);
    L->clock = (struct demo_rect){w - m - slot_w, m - 4, slot_w, ch};
    L->frame = (struct demo_rect){w - m - slot_w, m - 4 + ch, slot_w, sh + 2};
    int top = m + th + 4 + bh + m;
    L->footer_size = (struct demo_rect){w - m - slot_w, h - m - sh, slot_w, sh + 2};
    L->footer = (struct demo_rect){m, h - m - sh, w - 2 * m - slot_w - gap, sh + 2};

    int bottom = L->footer.y - gap, content_h = bottom - top;
    int lw = (w - 2 * m - gap) * 52 / 100, rw = w - 2 * m - gap - lw, rx = m + lw + gap;
    int toprow = (content_h - gap) * 56 / 100, lowrow = content_h - gap - toprow;
    L->anim = (struct demo_rect){m, top, lw, toprow};
    L->keys = (struct demo_rect){rx, top, rw, toprow};
    L->canvas = (struct demo_rect){m, top + toprow + gap, lw, lowrow};
    L->info = (struct demo_rect){rx, top + toprow + gap, rw, lowrow};

    int inner = p + hh + p / 2 + 2; /* card top to content */
    L->anim_area = (struct demo_rect){L->anim.x + p, L->anim.y + inner, L->anim.w - 2 * p,
                                      L->anim.h - inner - p - sh - 6};
    L->canvas_area = (struct demo_rect){L->canvas.x + p, L->canvas.y + inner, L->canvas.w - 2 * p,
                                        L->canvas.h - inner - p};
    L->line = mh + 6;
    for (int i = 0; i < DEMO_KEY_LINES; i++)
        L->key_line[i] = (struct demo_rect){L->keys.x + p, L->keys.y + inner + i * L->line,
                                            L->keys.w - 2 * p, L->line};
    L->mods = (struct demo_rect){L->keys.x + p, L->keys.y + L->keys.h - p - (sh + 10),
                                 L->keys.w - 2 * p, sh + 10};
    int step = (bh > mh ? bh : mh) + 10;
    fit_texts(sc);
    L->info_label_x = L->info.x + p;
    L->info_value_x = L->info.x + p + 96;
    for (int i = 0; i < ROW_COUNT; i++)
        L->row[i] = (struct demo_rect){L->info_value_x, L->info.y + inner + i * step,
                                       L->info.x + L->info.w - p - L->info_value_x, step};
}

/* ---- dynamic labels ---- */

static void set_footer_size(struct demo_scene *sc)
{
    int n = sc->nclients;
    if (demo_label_set(&sc->footer_size, COL_MUTED, "%d × %d  ·  %d viewer%s connected", sc->cv.w,
                       sc->cv.h, n, n == 1 ? "" : "s"))
        demo_scene_damage(sc, sc->lay.footer_size);
}

static void update_keys(struct demo_scene *sc)
{
    char name[64];
    for (int i = 0; i < DEMO_KEY_LINES; i++) {
        if (i < sc->nkeys) {
            bool dn = sc->keys[i].down;
            demo_label_set(&sc->key_arrow[i], dn ? COL_DOWN : COL_UP, "%s", dn ? "▼" : "▲");
            demo_label_set(&sc->key_hex[i], COL_MUTED, "0x%04x", (unsigned)sc->keys[i].sym);
            demo_label_set(&sc->key_name[i], i == 0 ? COL_TEXT : 0xb8c2d6, "%s  %s",
                           demo_keysym_name(sc->keys[i].sym, name, sizeof name),
                           dn ? "down" : "up");
        }
        demo_scene_damage(sc, sc->lay.key_line[i]);
    }
}

static void update_pointer_rows(struct demo_scene *sc)
{
    struct demo_layout *L = &sc->lay;
    if (sc->have_pointer &&
        demo_label_set(&sc->row_value[ROW_POINTER], COL_TEXT, "%d, %d", sc->px, sc->py))
        demo_scene_damage(sc, L->row[ROW_POINTER]);
    if (demo_label_set(&sc->row_value[ROW_WHEEL], COL_TEXT, "▲ %d  ▼ %d  ◀ %d  ▶ %d", sc->wheel[0],
                       sc->wheel[1], sc->wheel[2], sc->wheel[3]))
        demo_scene_damage(sc, L->row[ROW_WHEEL]);
}

/* ---- lifecycle ---- */

static void init_labels(struct demo_scene *sc)
{
    const struct demo_fonts *f = sc->fonts;
    demo_label_init(&sc->title, f, DEMO_FONT_TITLE, COL_TEXT);
    demo_label_set(&sc->title, COL_TEXT, "vncview demo server");
    demo_label_init(&sc->subtitle, f, DEMO_FONT_BODY, COL_MUTED);
    demo_label_init(&sc->clock, f, DEMO_FONT_CLOCK, COL_TEXT);
    demo_label_init(&sc->frame, f, DEMO_FONT_SMALL, COL_MUTED);
    static const char *const headings[4] = {"ANIMATION", "KEYBOARD  ·  last 8 key events",
                                            "CANVAS  ·  click or drag to draw",
                                            "POINTER  ·  CLIPBOARD"};
    for (int i = 0; i < 4; i++) {
        demo_label_init(&sc->heading[i], f, DEMO_FONT_HEADING, COL_ACCENT);
        demo_label_set(&sc->heading[i], COL_ACCENT, "%s", headings[i]);
    }
    demo_label_init(&sc->anim_caption, f, DEMO_FONT_SMALL, COL_MUTED);
    demo_label_init(&sc->canvas_hint, f, DEMO_FONT_BODY, COL_MUTED);
    demo_label_init(&sc->keys_empty, f, DEMO_FONT_BODY, COL_MUTED);
    for (int i = 0; i < DEMO_KEY_LINES; i++) {
        demo_label_init(&sc->key_arrow[i], f, DEMO_FONT_MONO, COL_DOWN);
        demo_label_init(&sc->key_hex[i], f, DEMO_FONT_MONO, COL_MUTED);
        demo_label_init(&sc->key_name[i], f, DEMO_FONT_MONO, COL_TEXT);
    }
    static const char *const mods[MOD_COUNT] = {"Shift", "Ctrl", "Alt", "AltGr", "Super"};
    for (int i = 0; i < MOD_COUNT; i++) {
        demo_label_init(&sc->mod_label[i], f, DEMO_FONT_SMALL, COL_TEXT);
        demo_label_set(&sc->mod_label[i], COL_TEXT, "%s", mods[i]);
    }
    static const char *const buttons[3] = {"Left", "Middle", "Right"};
    for (int i = 0; i < 3; i++) {
        demo_label_init(&sc->button_label[i], f, DEMO_FONT_SMALL, COL_TEXT);
        demo_label_set(&sc->button_label[i], COL_TEXT, "%s", buttons[i]);
    }
    static const char *const rows[ROW_COUNT] = {"Pointer", "Buttons", "Wheel", "Clipboard",
                                                "Server"};
    for (int i = 0; i < ROW_COUNT; i++) {
        demo_label_init(&sc->row_label[i], f, DEMO_FONT_BODY, COL_MUTED);
        demo_label_set(&sc->row_label[i], COL_MUTED, "%s", rows[i]);
        demo_label_init(&sc->row_value[i], f,
                        i == ROW_POINTER || i == ROW_WHEEL ? DEMO_FONT_MONO : DEMO_FONT_BODY,
                        COL_TEXT);
    }
    demo_label_set(&sc->row_value[ROW_POINTER], COL_MUTED, "move the mouse over the desktop");
    demo_label_set(&sc->row_value[ROW_CLIPBOARD], COL_MUTED,
                   "copy text in your own desktop: it arrives here");
    demo_label_set(&sc->row_value[ROW_EVENTS], COL_MUTED, "nothing sent yet");
    demo_label_init(&sc->footer, f, DEMO_FONT_SMALL, COL_MUTED);
    demo_label_init(&sc->footer_size, f, DEMO_FONT_SMALL, COL_MUTED);
    update_pointer_rows(sc);
}

static void free_labels(struct demo_scene *sc)
{
    struct demo_label *all[] = {&sc->title,      &sc->subtitle,     &sc->clock,
                                &sc->frame,      &sc->anim_caption, &sc->canvas_hint,
                                &sc->keys_empty, &sc->footer,       &sc->footer_size};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        demo_label_free(all[i]);
    for (int i = 0; i < 4; i++)
        demo_label_free(&sc->heading[i]);
    for (int i = 0; i < DEMO_KEY_LINES; i++) {
        demo_label_free(&sc->key_arrow[i]);
        demo_label_free(&sc->key_hex[i]);
        demo_label_free(&sc->key_name[i]);
    }
    for (int i = 0; i < MOD_COUNT; i++)
        demo_label_free(&sc->mod_label[i]);
    for (int i = 0; i < 3; i++)
        demo_label_free(&sc->button_label[i]);
    for (int i = 0; i < ROW_COUNT; i++) {
        demo_label_free(&sc->row_label[i]);
        demo_label_free(&sc->row_value[i]);
    }
}

struct demo_scene *demo_scene_new(int w, int h, const struct demo_fonts *fonts)
{
    struct demo_scene *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->fonts = fonts;
    sc->strokes = malloc(DEMO_STROKES * sizeof *sc->strokes);
    for (int i = 0; i < DEMO_RIPPLES; i++)
        sc->ripples[i].t0 = -1.0;
    init_labels(sc);
    if (!sc->strokes || !demo_scene_resize(sc, w, h)) {
        demo_scene_free(sc);
        return NULL;
    }
    return sc;
}

void demo_scene_free(struct demo_scene *sc)
{
    if (!sc)
        return;
    free_labels(sc);
    free(sc->strokes);
    free(sc->cv.px);
    free(sc);
}

uint8_t *demo_scene_pixels(struct demo_scene *sc)
{
    return sc->cv.px;
}

bool demo_scene_resize(struct demo_scene *sc, int w, int h)
{
    uint8_t *px = malloc((size_t)w * (size_t)h * 4);
    if (!px)
        return false;
    free(sc->cv.px);
    sc->cv = (struct demo_canvas){px, w, h};
    layout(sc);
    /* Strokes belong to the old canvas card; the orb restarts its trail. */
    sc->nstrokes = 0;
    sc->drawing = false;
    sc->trail_len = 0;
    sc->anim_damage = (struct demo_rect){0, 0, 0, 0};
    set_footer_size(sc);
    sc->ndamage = 0;
    demo_render(sc, (struct demo_rect){0, 0, w, h});
    return true;
}

/* ---- time ---- */

void demo_scene_tick(struct demo_scene *sc, double t, uint64_t frame)
{
    struct demo_layout *L = &sc->lay;
    sc->now = t;
    struct demo_rect a = L->anim_area;
    float r = (float)clampi((a.w < a.h ? a.w : a.h) / 9, 6, 26);
    float ax = (float)a.w / 2.0f - r * 2.2f, ay = (float)a.h / 2.0f - r * 2.2f;
    if (ax < 0)
        ax = 0;
    if (ay < 0)
        ay = 0;
    memmove(sc->trail_x + 1, sc->trail_x, (DEMO_TRAIL - 1) * sizeof(float));
    memmove(sc->trail_y + 1, sc->trail_y, (DEMO_TRAIL - 1) * sizeof(float));
    sc->trail_x[0] = (float)a.x + (float)a.w / 2.0f + ax * sinf((float)t * 0.83f);
    sc->trail_y[0] = (float)a.y + (float)a.h / 2.0f + ay * sinf((float)t * 1.31f + 0.6f);
    if (sc->trail_len < DEMO_TRAIL)
        sc->trail_len++;
    sc->hue = fmodf((float)t * 48.0f, 360.0f);
    struct demo_rect box = demo_render_orb_box(sc);
    demo_scene_damage(sc, demo_rect_union(sc->anim_damage, box));
    sc->anim_damage = box;

    for (int i = 0; i < DEMO_RIPPLES; i++) {
        struct demo_ripple *rp = &sc->ripples[i];
        if (rp->t0 < 0)
            continue;
        demo_scene_damage(sc, demo_render_ripple_box(rp));
        if (t - rp->t0 > DEMO_RIPPLE_SECONDS)
            rp->t0 = -1.0; /* this last redraw erases it */
    }

    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    if (demo_label_set(&sc->clock, COL_TEXT, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec))
        demo_scene_damage(sc, L->clock);
    double fps = t > 0.5 ? (double)frame / t : 0.0;
    if (demo_label_set(&sc->frame, COL_MUTED, "frame %llu  ·  %.0f fps", (unsigned long long)frame,
                       fps))
        demo_scene_damage(sc, L->frame);
}

/* ---- input ---- */

static int mod_of(uint32_t sym)
{
    switch (sym) {
    case 0xffe1:
    case 0xffe2:
        return MOD_SHIFT;
    case 0xffe3:
    case 0xffe4:
        return MOD_CTRL;
    case 0xffe9:
    case 0xffea:
    case 0xffe7:
    case 0xffe8:
        return MOD_ALT;
    case 0xfe03:
    case 0xff7e:
        return MOD_ALTGR;
    case 0xffeb:
    case 0xffec:
        return MOD_SUPER;
    default:
        return -1;
    }
}

void demo_scene_key(struct demo_scene *sc, uint32_t keysym, bool down)
{
    memmove(sc->keys + 1, sc->keys, (DEMO_KEY_LINES - 1) * sizeof sc->keys[0]);
    sc->keys[0].sym = keysym;
    sc->keys[0].down = down;
    if (sc->nkeys < DEMO_KEY_LINES)
        sc->nkeys++;
    update_keys(sc);
    int mod = mod_of(keysym);
    if (mod >= 0 && sc->mods[mod] != down) {
        sc->mods[mod] = down;
        demo_scene_damage(sc, sc->lay.mods);
    }
}

static bool in_rect(struct demo_rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

static void add_stroke(struct demo_scene *sc, float x0, float y0, float x1, float y1, uint32_t rgb)
{
    struct demo_rect area = sc->lay.canvas_area;
    if (sc->nstrokes == DEMO_STROKES) {
        /* Forget the older half rather than refuse to draw. */
        memmove(sc->strokes, sc->strokes + DEMO_STROKES / 2,
                (DEMO_STROKES / 2) * sizeof *sc->strokes);
        sc->nstrokes = DEMO_STROKES / 2;
        demo_scene_damage(sc, area);
    }
    sc->strokes[sc->nstrokes++] = (struct demo_stroke){x0, y0, x1, y1, rgb};
    int pad = 4;
    demo_scene_damage(sc, (struct demo_rect){(int)fminf(x0, x1) - pad, (int)fminf(y0, y1) - pad,
                                             (int)fabsf(x1 - x0) + 2 * pad + 1,
                                             (int)fabsf(y1 - y0) + 2 * pad + 1});
    if (sc->nstrokes == 1)
        demo_scene_damage(sc, area); /* the hint text goes away */
}

static void add_ripple(struct demo_scene *sc, int x, int y, uint32_t rgb)
{
    int oldest = 0;
    for (int i = 0; i < DEMO_RIPPLES; i++) {
        if (sc->ripples[i].t0 < 0) {
            oldest = i;
            break;
        }
        if (sc->ripples[i].t0 < sc->ripples[oldest].t0)
            oldest = i;
    }
    struct demo_ripple *rp = &sc->ripples[oldest];
    if (rp->t0 >= 0)
        demo_scene_damage(sc, demo_render_ripple_box(rp));
    *rp = (struct demo_ripple){(float)x, (float)y, sc->now, rgb};
    demo_scene_damage(sc, demo_render_ripple_box(rp));
}

void demo_scene_pointer(struct demo_scene *sc, int x, int y, int buttons)
{
    struct demo_rect area = sc->lay.canvas_area;
    int pressed = buttons & ~sc->buttons;
    static const uint32_t button_rgb[3] = {COL_ACCENT, COL_PINK, COL_UP};
    for (int b = 0; b < 3; b++)
        if (pressed & 1 << b)
            add_ripple(sc, x, y, button_rgb[b]);
    /* Buttons 4-7 are wheel clicks: up, down, left, right. */
    for (int b = 3; b < 7; b++)
        if (pressed & 1 << b)
            sc->wheel[b - 3]++;

    bool held = buttons & 3;
    uint32_t ink = buttons & 1 ? COL_ACCENT : COL_PINK;
    if ((pressed & 4) && in_rect(area, x, y)) {
        sc->nstrokes = 0;
        sc->drawing = false;
        demo_scene_damage(sc, area);
    } else if ((pressed & 3) && in_rect(area, x, y)) {
        sc->drawing = true;
        add_stroke(sc, (float)x, (float)y, (float)x, (float)y, ink);
    } else if (held && sc->drawing && (x != sc->px || y != sc->py)) {
        float cx = fminf(fmaxf((float)x, (float)area.x), (float)(area.x + area.w - 1));
        float cy = fminf(fmaxf((float)y, (float)area.y), (float)(area.y + area.h - 1));
        add_stroke(sc, sc->last_x, sc->last_y, cx, cy, ink);
    }
    if (!held)
        sc->drawing = false;
    sc->last_x = fminf(fmaxf((float)x, (float)area.x), (float)(area.x + area.w - 1));
    sc->last_y = fminf(fmaxf((float)y, (float)area.y), (float)(area.y + area.h - 1));

    if ((buttons & 7) != (sc->buttons & 7))
        demo_scene_damage(sc, sc->lay.row[ROW_BUTTONS]);
    sc->px = x;
    sc->py = y;
    sc->buttons = buttons;
    sc->have_pointer = true;
    update_pointer_rows(sc);
}

void demo_scene_cut_text(struct demo_scene *sc, const char *latin1, size_t len)
{
    /* Show the start of the text on one line: controls become spaces, newlines a return sign. */
    char shown[64];
    size_t n = 0;
    for (size_t i = 0; i < len && n < 48; i++) {
        unsigned char c = (unsigned char)latin1[i];
        shown[n++] = c == '\n' ? '\x0b' : (c < 0x20 || (c >= 0x7f && c < 0xa0)) ? ' ' : (char)c;
    }
    char *utf8 = charset_latin1_to_utf8(shown, n, NULL);
    if (!utf8)
        return;
    /* \x0b stood in for a newline; U+23CE is drawn instead. */
    char line[256];
    size_t o = 0;
    for (const char *p = utf8; *p && o + 4 < sizeof line; p++) {
        if (*p == '\x0b') {
            memcpy(line + o, "\xe2\x8f\x8e", 3);
            o += 3;
        } else {
            line[o++] = *p;
        }
    }
    line[o] = '\0';
    free(utf8);
    demo_label_set(&sc->row_value[ROW_CLIPBOARD], COL_TEXT, "“%s%s”  (%zu byte%s)", line,
                   len > 48 ? "…" : "", len, len == 1 ? "" : "s");
    demo_scene_damage(sc, sc->lay.row[ROW_CLIPBOARD]);
}

void demo_scene_note(struct demo_scene *sc, const char *utf8)
{
    if (demo_label_set(&sc->row_value[ROW_EVENTS], COL_TEXT, "%s", utf8))
        demo_scene_damage(sc, sc->lay.row[ROW_EVENTS]);
}

void demo_scene_clients(struct demo_scene *sc, int n)
{
    sc->nclients = n;
    set_footer_size(sc);
}

void demo_scene_flush(struct demo_scene *sc, void (*mark)(void *ctx, struct demo_rect r), void *ctx)
{
    for (int i = 0; i < sc->ndamage; i++) {
        demo_render(sc, sc->damage[i]);
        mark(ctx, sc->damage[i]);
    }
    sc->ndamage = 0;
}
