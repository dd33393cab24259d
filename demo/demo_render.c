/* Draws any rectangle of the demo desktop from the scene state, back to front, each primitive
 * clipped to that rectangle: redrawing a damaged area gives exactly what a full redraw would. */
#include "demo_scene_priv.h"

#include <math.h>

static float orb_radius(const struct demo_scene *sc)
{
    struct demo_rect a = sc->lay.anim_area;
    int r = (a.w < a.h ? a.w : a.h) / 9;
    return (float)(r < 6 ? 6 : r > 26 ? 26 : r);
}

struct demo_rect demo_render_orb_box(const struct demo_scene *sc)
{
    struct demo_rect box = {0, 0, 0, 0};
    float glow = orb_radius(sc) * 2.6f + 2.0f;
    for (int i = 0; i < sc->trail_len; i++) {
        struct demo_rect r = {(int)(sc->trail_x[i] - glow), (int)(sc->trail_y[i] - glow),
                              (int)(2 * glow) + 2, (int)(2 * glow) + 2};
        box = demo_rect_union(box, r);
        glow = orb_radius(sc) + 2.0f; /* only the orb itself glows */
    }
    return demo_rect_intersect(box, sc->lay.anim_area);
}

struct demo_rect demo_render_ripple_box(const struct demo_ripple *r)
{
    int reach = 40;
    return (struct demo_rect){(int)r->x - reach, (int)r->y - reach, 2 * reach + 1, 2 * reach + 1};
}

static void card(struct demo_scene *sc, struct demo_rect clip, struct demo_rect r,
                 const struct demo_label *heading)
{
    struct demo_canvas *cv = &sc->cv;
    if (demo_rect_empty(demo_rect_intersect(clip, r)))
        return;
    demo_round_rect(cv, clip, r, 12, COL_CARD_EDGE, 255);
    demo_round_rect(cv, clip, (struct demo_rect){r.x + 1, r.y + 1, r.w - 2, r.h - 2}, 11, COL_CARD,
                    255);
    demo_label_draw(heading, cv, demo_rect_intersect(clip, r), r.x + sc->lay.pad,
                    r.y + sc->lay.pad - 2);
}

static void header(struct demo_scene *sc, struct demo_rect clip)
{
    struct demo_layout *L = &sc->lay;
    struct demo_canvas *cv = &sc->cv;
    int th = demo_font_height(sc->fonts, DEMO_FONT_TITLE);
    /* A soft accent light behind the title. */
    demo_glow(cv, clip, (float)(L->m + 40), (float)(L->m + th / 2), 220.0f, 0x3d7eff, 46);
    demo_circle(cv, clip, (float)L->m + 9.0f, (float)(L->m + th / 2), 9.0f, COL_DOWN, 255);
    demo_ring(cv, clip, (float)L->m + 9.0f, (float)(L->m + th / 2), 13.0f, 2.0f, COL_DOWN, 110);
    struct demo_rect left = {0, 0, L->clock.x - 8, cv->h};
    demo_label_draw(&sc->title, cv, demo_rect_intersect(clip, left), L->m + 30, L->m - 2);
    demo_label_draw(&sc->subtitle, cv, demo_rect_intersect(clip, left), L->m, L->m + th + 4);
    struct demo_rect c = demo_rect_intersect(clip, L->clock);
    demo_label_draw(&sc->clock, cv, c, L->clock.x + L->clock.w - demo_label_width(&sc->clock),
                    L->clock.y);
    c = demo_rect_intersect(clip, L->frame);
    demo_label_draw(&sc->frame, cv, c, L->frame.x + L->frame.w - demo_label_width(&sc->frame),
                    L->frame.y);
}

static void anim_card(struct demo_scene *sc, struct demo_rect clip)
{
    struct demo_layout *L = &sc->lay;
    struct demo_canvas *cv = &sc->cv;
    card(sc, clip, L->anim, &sc->heading[0]);
    struct demo_rect a = L->anim_area, c = demo_rect_intersect(clip, a);
    if (!demo_rect_empty(c)) {
        demo_round_rect(cv, c, a, 8, COL_INSET, 255);
        /* A faint grid makes the motion easy to follow. */
        for (int x = a.x + 24; x < a.x + a.w; x += 24)
            demo_fill(cv, c, (struct demo_rect){x, a.y + 1, 1, a.h - 2}, 0xffffff, 10);
        for (int y = a.y + 24; y < a.y + a.h; y += 24)
            demo_fill(cv, c, (struct demo_rect){a.x + 1, y, a.w - 2, 1}, 0xffffff, 10);
        float r = orb_radius(sc);
        for (int i = sc->trail_len - 1; i >= 1; i--) {
            float k = 1.0f - (float)i / (float)DEMO_TRAIL;
            demo_circle(cv, c, sc->trail_x[i], sc->trail_y[i], r * (0.25f + 0.6f * k),
                        demo_hsv(sc->hue - 9.0f * (float)i, 0.75f, 1.0f), (int)(170.0f * k));
        }
        if (sc->trail_len > 0) {
            uint32_t col = demo_hsv(sc->hue, 0.7f, 1.0f);
            float x = sc->trail_x[0], y = sc->trail_y[0];
            demo_glow(cv, c, x, y, r * 2.6f, col, 150);
            demo_circle(cv, c, x, y, r, col, 255);
            demo_circle(cv, c, x - r * 0.3f, y - r * 0.3f, r * 0.35f, 0xffffff, 110);
        }
    }
    demo_label_draw(&sc->anim_caption, cv, demo_rect_intersect(clip, L->anim), L->anim.x + L->pad,
                    a.y + a.h + 6);
}

static void chip(struct demo_scene *sc, struct demo_rect clip, int x, struct demo_rect row,
                 const struct demo_label *l, bool on, int *width)
{
    int w = demo_label_width(l) + 18;
    if (w < 30)
        w = 48;
    struct demo_rect r = {x, row.y + 2, w, row.h - 4};
    demo_round_rect(&sc->cv, clip, r, 6, on ? COL_CHIP_ON : COL_CHIP_OFF, 255);
    int lh = demo_font_height(sc->fonts, l->font);
    demo_label_draw(l, &sc->cv, demo_rect_intersect(clip, r), x + 9, r.y + (r.h - lh) / 2);
    *width = w;
}

static void keys_card(struct demo_scene *sc, struct demo_rect clip)
{
    struct demo_layout *L = &sc->lay;
    struct demo_canvas *cv = &sc->cv;
    card(sc, clip, L->keys, &sc->heading[1]);
    struct demo_rect inside = demo_rect_intersect(clip, L->keys);
    if (demo_rect_empty(inside))
        return;
    int mh = demo_font_height(sc->fonts, DEMO_FONT_MONO);
    if (sc->nkeys == 0) /* clipped to line 0: the first key redraws only that line */
        demo_label_draw(&sc->keys_empty, cv, demo_rect_intersect(inside, L->key_line[0]),
                        L->key_line[0].x + 4, L->key_line[0].y + 3);
    for (int i = 0; i < sc->nkeys; i++) {
        struct demo_rect ln = L->key_line[i];
        if (ln.y + ln.h > L->mods.y - 4)
            break; /* no room left above the modifier chips */
        struct demo_rect c = demo_rect_intersect(inside, ln);
        if (demo_rect_empty(c))
            continue;
        if (i == 0)
            demo_round_rect(cv, c, (struct demo_rect){ln.x, ln.y + 1, ln.w, ln.h - 2}, 6, COL_INSET,
                            255);
        int y = ln.y + (ln.h - mh) / 2;
        demo_label_draw(&sc->key_arrow[i], cv, c, ln.x + 8, y);
        demo_label_draw(&sc->key_hex[i], cv, c, ln.x + 34, y);
        demo_label_draw(&sc->key_name[i], cv, c, ln.x + 34 + 110, y);
    }
    struct demo_rect c = demo_rect_intersect(inside, L->mods);
    if (!demo_rect_empty(c)) {
        int x = L->mods.x, w = 0;
        for (int i = 0; i < MOD_COUNT; i++) {
            chip(sc, c, x, L->mods, &sc->mod_label[i], sc->mods[i], &w);
            x += w + 8;
        }
    }
}

static void canvas_card(struct demo_scene *sc, struct demo_rect clip)
{
    struct demo_layout *L = &sc->lay;
    struct demo_canvas *cv = &sc->cv;
    card(sc, clip, L->canvas, &sc->heading[2]);
    struct demo_rect a = L->canvas_area, c = demo_rect_intersect(clip, a);
    if (demo_rect_empty(c))
        return;
    demo_round_rect(cv, c, a, 8, COL_INSET, 255);
    for (int y = a.y + 12; y < a.y + a.h - 4; y += 20)
        for (int x = a.x + 12; x < a.x + a.w - 4; x += 20)
            if (x >= c.x - 2 && x < c.x + c.w + 2 && y >= c.y - 2 && y < c.y + c.h + 2)
                demo_circle(cv, c, (float)x, (float)y, 1.2f, 0xffffff, 34);
    if (sc->nstrokes == 0) {
        int bh = demo_font_height(sc->fonts, DEMO_FONT_BODY);
        demo_label_draw(&sc->canvas_hint, cv, c,
                        a.x + (a.w - demo_label_width(&sc->canvas_hint)) / 2, a.y + (a.h - bh) / 2);
    }
    for (int i = 0; i < sc->nstrokes; i++) {
        const struct demo_stroke *s = &sc->strokes[i];
        struct demo_rect box = {(int)fminf(s->x0, s->x1) - 4, (int)fminf(s->y0, s->y1) - 4,
                                (int)fabsf(s->x1 - s->x0) + 9, (int)fabsf(s->y1 - s->y0) + 9};
        if (!demo_rect_empty(demo_rect_intersect(box, c)))
            demo_line(cv, c, s->x0 + 0.5f, s->y0 + 0.5f, s->x1 + 0.5f, s->y1 + 0.5f, 5.0f, s->rgb,
                      255);
    }
}

static void info_card(struct demo_scene *sc, struct demo_rect clip)
{
    struct demo_layout *L = &sc->lay;
    struct demo_canvas *cv = &sc->cv;
    card(sc, clip, L->info, &sc->heading[3]);
    struct demo_rect inside = demo_rect_intersect(clip, L->info);
    if (demo_rect_empty(inside))
        return;
    for (int i = 0; i < ROW_COUNT; i++) {
        struct demo_rect row = L->row[i];
        if (row.y + row.h > L->info.y + L->info.h - L->pad + 4)
            break;
        int lh = demo_font_height(sc->fonts, sc->row_label[i].font);
        demo_label_draw(&sc->row_label[i], cv, inside, L->info_label_x, row.y + (row.h - lh) / 2);
        struct demo_rect c = demo_rect_intersect(inside, row);
        if (i == ROW_BUTTONS) {
            int x = row.x, w = 0;
            for (int b = 0; b < 3; b++) {
                chip(sc, c, x, row, &sc->button_label[b], sc->buttons & 1 << b, &w);
                x += w + 8;
            }
            continue;
        }
        int vh = demo_font_height(sc->fonts, sc->row_value[i].font);
        demo_label_draw(&sc->row_value[i], cv, c, row.x, row.y + (row.h - vh) / 2);
    }
}

static void ripples(struct demo_scene *sc, struct demo_rect clip)
{
    for (int i = 0; i < DEMO_RIPPLES; i++) {
        const struct demo_ripple *r = &sc->ripples[i];
        if (r->t0 < 0)
            continue;
        double age = sc->now - r->t0;
        if (age < 0)
            age = 0;
        if (age > DEMO_RIPPLE_SECONDS)
            continue;
        float k = (float)(age / DEMO_RIPPLE_SECONDS);
        struct demo_rect box = demo_render_ripple_box(r);
        struct demo_rect c = demo_rect_intersect(clip, box);
        demo_ring(&sc->cv, c, r->x, r->y, 6.0f + 30.0f * k, 3.0f, r->rgb, (int)(230 * (1 - k)));
        demo_circle(&sc->cv, c, r->x, r->y, 4.0f, r->rgb, (int)(255 * (1 - k)));
    }
}

void demo_render(struct demo_scene *sc, struct demo_rect clip)
{
    struct demo_layout *L = &sc->lay;
    demo_vgradient(&sc->cv, clip, COL_BG_TOP, COL_BG_BOTTOM);
    header(sc, clip);
    anim_card(sc, clip);
    keys_card(sc, clip);
    canvas_card(sc, clip);
    info_card(sc, clip);
    demo_label_draw(&sc->footer, &sc->cv, demo_rect_intersect(clip, L->footer), L->footer.x,
                    L->footer.y);
    demo_label_draw(&sc->footer_size, &sc->cv, demo_rect_intersect(clip, L->footer_size),
                    L->footer_size.x + L->footer_size.w - demo_label_width(&sc->footer_size),
                    L->footer_size.y);
    ripples(sc, clip);
}
