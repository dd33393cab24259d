/* Internals shared by demo_scene.c (state, layout, input, damage) and demo_render.c (drawing any
 * rectangle of the scene from that state). */
#ifndef VV_DEMO_SCENE_PRIV_H
#define VV_DEMO_SCENE_PRIV_H

#include "demo_scene.h"

#define DEMO_KEY_LINES 8
#define DEMO_TRAIL 14
#define DEMO_RIPPLES 16
#define DEMO_STROKES 4000
#define DEMO_DAMAGE 48
#define DEMO_RIPPLE_SECONDS 0.6

/* Palette. */
#define COL_BG_TOP 0x1d2740u
#define COL_BG_BOTTOM 0x0b0f18u
#define COL_CARD 0x182031u
#define COL_CARD_EDGE 0x2e3a55u
#define COL_INSET 0x121927u
#define COL_TEXT 0xe8edf5u
#define COL_MUTED 0x8c98b0u
#define COL_ACCENT 0x6cb2ffu
#define COL_DOWN 0x6fdc8cu
#define COL_UP 0xffb454u
#define COL_PINK 0xff7eb6u
#define COL_CHIP_OFF 0x252f45u
#define COL_CHIP_ON 0x3d7effu

enum demo_mod { MOD_SHIFT, MOD_CTRL, MOD_ALT, MOD_ALTGR, MOD_SUPER, MOD_COUNT };
enum demo_info_row { ROW_POINTER, ROW_BUTTONS, ROW_WHEEL, ROW_CLIPBOARD, ROW_EVENTS, ROW_COUNT };

struct demo_layout {
    int m, pad, line;
    struct demo_rect clock, frame;             /* header slots on the right */
    struct demo_rect anim, keys, canvas, info; /* cards */
    struct demo_rect anim_area, canvas_area;   /* card interiors */
    struct demo_rect key_line[DEMO_KEY_LINES];
    struct demo_rect mods;           /* modifier chips row */
    struct demo_rect row[ROW_COUNT]; /* value slots of the info card */
    int info_label_x, info_value_x;
    struct demo_rect footer, footer_size;
};

struct demo_stroke {
    float x0, y0, x1, y1;
    uint32_t rgb;
};

struct demo_ripple {
    float x, y;
    double t0; /* scene seconds; < 0 = unused */
    uint32_t rgb;
};

struct demo_scene {
    struct demo_canvas cv;
    const struct demo_fonts *fonts;
    struct demo_layout lay;
    double now;

    /* Animation. */
    float trail_x[DEMO_TRAIL], trail_y[DEMO_TRAIL]; /* [0] = the orb */
    int trail_len;
    float hue;
    struct demo_rect anim_damage; /* area the orb and trail covered last frame */

    /* Input state. */
    struct {
        uint32_t sym;
        bool down;
    } keys[DEMO_KEY_LINES]; /* [0] = newest */
    int nkeys;
    bool mods[MOD_COUNT];
    int px, py, buttons, wheel[4];
    bool have_pointer;
    struct demo_stroke *strokes;
    int nstrokes;
    bool drawing;
    float last_x, last_y;
    struct demo_ripple ripples[DEMO_RIPPLES];
    int nclients;

    /* Labels; their slots are in lay. */
    struct demo_label title, subtitle, clock, frame;
    struct demo_label heading[4], anim_caption, canvas_hint, keys_empty;
    struct demo_label key_arrow[DEMO_KEY_LINES], key_hex[DEMO_KEY_LINES], key_name[DEMO_KEY_LINES];
    struct demo_label mod_label[MOD_COUNT], button_label[3];
    struct demo_label row_label[ROW_COUNT], row_value[ROW_COUNT];
    struct demo_label footer, footer_size;

    /* Damage since the last flush. */
    struct demo_rect damage[DEMO_DAMAGE];
    int ndamage;
};

/* demo_render.c */
void demo_render(struct demo_scene *sc, struct demo_rect clip);
/* Bounding box of the orb, its glow and its trail. */
struct demo_rect demo_render_orb_box(const struct demo_scene *sc);
struct demo_rect demo_render_ripple_box(const struct demo_ripple *r);

/* demo_scene.c */
void demo_scene_damage(struct demo_scene *sc, struct demo_rect r);

#endif
