/* Dialogs and overlays without a display: SDL's software renderer draws into a surface, synthetic
 * events drive the dialog, and the test checks results, field values and pixels. */
#include <stdlib.h>
#include <string.h>
#include <SDL.h>

#include "dialog.h"
#include "font.h"
#include "overlay.h"
#include "vv_test.h"

#define OUT_W 800
#define OUT_H 600

static SDL_Renderer *ren;
static struct ui_font *font;

static int key(struct ui_dialog *d, SDL_Keycode k, Uint16 mod)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.state = SDL_PRESSED;
    e.key.keysym.sym = k;
    e.key.keysym.mod = mod;
    return ui_dialog_handle_event(d, &e);
}

static int text(struct ui_dialog *d, const char *s)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_TEXTINPUT;
    SDL_strlcpy(e.text.text, s, sizeof e.text.text);
    return ui_dialog_handle_event(d, &e);
}

static int mouse(struct ui_dialog *d, Uint32 type, int x, int y)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = x;
    e.button.y = y;
    return ui_dialog_handle_event(d, &e);
}

/* Clicks the middle of a drawn button; coordinates given to SDL in window points. */
static int click_button(struct ui_dialog *d, int index, float scale)
{
    SDL_Rect rc;
    if (!ui_dialog_button_rect(d, index, &rc))
        return -100;
    int x = (int)((rc.x + rc.w / 2) / scale), y = (int)((rc.y + rc.h / 2) / scale);
    int res = mouse(d, SDL_MOUSEBUTTONDOWN, x, y);
    return res != UI_DIALOG_OPEN ? -200 : mouse(d, SDL_MOUSEBUTTONUP, x, y);
}

static SDL_Color pixel(int x, int y)
{
    Uint32 p = 0;
    SDL_Rect rc = {x, y, 1, 1};
    SDL_RenderReadPixels(ren, &rc, SDL_PIXELFORMAT_ARGB8888, &p, 4);
    return (SDL_Color){(Uint8)(p >> 16), (Uint8)(p >> 8), (Uint8)p, 255};
}

static bool same(SDL_Color a, SDL_Color b)
{
    return abs(a.r - b.r) <= 2 && abs(a.g - b.g) <= 2 && abs(a.b - b.b) <= 2;
}

static void clear_to(Uint8 r, Uint8 g, Uint8 b)
{
    SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(ren, r, g, b, 255);
    SDL_RenderClear(ren);
}

static void test_editing(void)
{
    struct ui_dialog *d = ui_dialog_password("Password required", "Server asks for a password.");
    ui_dialog_render(d, ren, font, OUT_W, OUT_H, 1);
    CHECK(SDL_IsTextInputActive()); /* the password field has focus */
    CHECK_EQ_INT(text(d, "secret"), UI_DIALOG_OPEN);
    CHECK_EQ_STR(ui_dialog_field_value(d, 0), "secret");
    key(d, SDLK_BACKSPACE, 0);
    CHECK_EQ_STR(ui_dialog_field_value(d, 0), "secre");
    text(d, "t!");
    key(d, SDLK_LEFT, 0);
    key(d, SDLK_LEFT, 0);
    key(d, SDLK_DELETE, 0);
    CHECK_EQ_STR(ui_dialog_field_value(d, 0), "secre!");
    key(d, SDLK_HOME, 0);
    text(d, "X");
    key(d, SDLK_END, 0);
    text(d, "\xc3\xa9"); /* é: two bytes, one Backspace */
    CHECK_EQ_STR(ui_dialog_field_value(d, 0), "Xsecre!\xc3\xa9");
    key(d, SDLK_BACKSPACE, 0);
    CHECK_EQ_STR(ui_dialog_field_value(d, 0), "Xsecre!");
    key(d, SDLK_a, KMOD_LCTRL);
    text(d, "z"); /* replaces the selection */
    CHECK_EQ_STR(ui_dialog_field_value(d, 0), "z");
    SDL_SetClipboardText("pa\nste\t");
    key(d, SDLK_v, KMOD_LCTRL);
    CHECK_EQ_STR(ui_dialog_field_value(d, 0), "zpaste"); /* control characters dropped */
    ui_dialog_render(d, ren, font, OUT_W, OUT_H, 1);
    CHECK_EQ_INT(key(d, SDLK_RETURN, 0), 0); /* Enter in the field = default (OK) */
    CHECK_EQ_INT(text(d, "more"), 0);        /* closed: result sticks, text ignored */
    CHECK_EQ_STR(ui_dialog_field_value(d, 0), "zpaste");
    CHECK(!SDL_IsTextInputActive()); /* we started it, we stopped it */
    ui_dialog_free(d);
}

static void test_capacity(void)
{
    struct ui_dialog *d = ui_dialog_password("t", NULL);
    for (int i = 0; i < 20; i++)
        text(d, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); /* 600 bytes offered */
    CHECK_EQ_INT(strlen(ui_dialog_field_value(d, 0)), UI_DIALOG_FIELD_CAP - 1);
    key(d, SDLK_BACKSPACE, 0);
    text(d, "\xc3\xa9"); /* 254 + 2 bytes leaves no room for the NUL: refused whole */
    CHECK_EQ_INT(strlen(ui_dialog_field_value(d, 0)), UI_DIALOG_FIELD_CAP - 2);
    text(d, "b");
    CHECK_EQ_INT(strlen(ui_dialog_field_value(d, 0)), UI_DIALOG_FIELD_CAP - 1);
    ui_dialog_render(d, ren, font, OUT_W, OUT_H, 1); /* long text scrolls, must not crash */
    CHECK_EQ_INT(key(d, SDLK_ESCAPE, 0), 1);
    ui_dialog_free(d);
}

static void test_keyboard_focus(void)
{
    struct ui_dialog *d = ui_dialog_new("Log in", "two fields");
    ui_dialog_add_field(d, "User", "alice", false);
    ui_dialog_add_field(d, "Password", NULL, true);
    ui_dialog_add_button(d, "Cancel", false, true);
    ui_dialog_add_button(d, "Log in", true, false);
    ui_dialog_render(d, ren, font, OUT_W, OUT_H, 1);
    text(d, "!"); /* caret starts at the end of the initial text */
    key(d, SDLK_TAB, 0);
    text(d, "pw");
    key(d, SDLK_TAB, KMOD_LSHIFT); /* back to the user field, all selected */
    text(d, "bob");
    CHECK_EQ_STR(ui_dialog_field_value(d, 0), "bob");
    CHECK_EQ_STR(ui_dialog_field_value(d, 1), "pw");
    CHECK_EQ_STR(ui_dialog_field_value(d, 2), "");
    key(d, SDLK_TAB, 0);
    key(d, SDLK_TAB, 0);                    /* focus on Cancel */
    CHECK_EQ_INT(key(d, SDLK_SPACE, 0), 0); /* Space activates the focused button */
    ui_dialog_free(d);

    d = ui_dialog_new("Log in", NULL);
    ui_dialog_add_field(d, "User", NULL, false);
    ui_dialog_add_button(d, "Cancel", false, true);
    ui_dialog_add_button(d, "Log in", true, false);
    key(d, SDLK_TAB, KMOD_LSHIFT); /* wraps backwards from the field to the last button */
    key(d, SDLK_LEFT, 0);          /* arrows walk the row: Cancel */
    CHECK_EQ_INT(key(d, SDLK_RETURN, 0), 0);
    ui_dialog_free(d);

    const char *b[] = {"Reconnect", "Quit"};
    d = ui_dialog_message("Connection lost", "reset by peer", b, 2);
    CHECK_EQ_INT(key(d, SDLK_ESCAPE, 0), 1);
    ui_dialog_free(d);
    d = ui_dialog_message("Connection lost", "reset by peer", b, 2);
    CHECK_EQ_INT(key(d, SDLK_KP_ENTER, 0), 0);
    ui_dialog_free(d);
    d = ui_dialog_new("No buttons", "gets an OK");
    SDL_Event quit = {.type = SDL_QUIT};
    CHECK_EQ_INT(ui_dialog_handle_event(d, &quit), 0);
    ui_dialog_free(d);
}

static void test_mouse(float scale)
{
    const char *b[] = {"Accept once", "Accept and remember", "Refuse"};
    struct ui_dialog *d = ui_dialog_message("Unknown host key", "Compare the fingerprint:", b, 3);
    ui_dialog_set_mono(d, "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8");
    SDL_Rect rc;
    CHECK(!ui_dialog_button_rect(d, 0, &rc)); /* nothing drawn yet: clicks are ignored */
    CHECK_EQ_INT(mouse(d, SDL_MOUSEBUTTONDOWN, 1, 1), UI_DIALOG_OPEN);
    ui_dialog_render(d, ren, font, OUT_W, OUT_H, scale);
    CHECK(ui_dialog_button_rect(d, 2, &rc) && rc.x + rc.w <= OUT_W && rc.y + rc.h <= OUT_H);
    SDL_Rect r0, r1;
    ui_dialog_button_rect(d, 0, &r0);
    ui_dialog_button_rect(d, 1, &r1);
    CHECK(!SDL_HasIntersection(&r0, &r1));
    /* pressed on one button, released on another: nothing chosen */
    mouse(d, SDL_MOUSEBUTTONDOWN, (int)((r0.x + 2) / scale), (int)((r0.y + 2) / scale));
    CHECK_EQ_INT(mouse(d, SDL_MOUSEBUTTONUP, (int)((r1.x + 2) / scale), (int)((r1.y + 2) / scale)),
                 UI_DIALOG_OPEN);
    CHECK_EQ_INT(click_button(d, 1, scale), 1);
    ui_dialog_free(d);

    /* clicking a field moves the caret there */
    d = ui_dialog_new("Host", NULL);
    ui_dialog_add_field(d, "Address", "abcdef", false);
    ui_dialog_render(d, ren, font, OUT_W, OUT_H, scale);
    CHECK(ui_dialog_field_rect(d, 0, &rc));
    int x = (int)((rc.x + 10 * scale + ui_font_text_width(font, "abc")) / scale);
    mouse(d, SDL_MOUSEBUTTONDOWN, x, (int)((rc.y + rc.h / 2) / scale));
    mouse(d, SDL_MOUSEBUTTONUP, x, (int)((rc.y + rc.h / 2) / scale));
    text(d, "_");
    CHECK_EQ_STR(ui_dialog_field_value(d, 0), "abc_def");
    CHECK_EQ_INT(click_button(d, 0, scale), 0); /* the implicit OK */
    ui_dialog_free(d);
}

static void test_ime_and_tiny_output(void)
{
    struct ui_dialog *d = ui_dialog_new("Host", NULL);
    ui_dialog_add_field(d, "Address", "ab", false);
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_TEXTEDITING;
    SDL_strlcpy(e.edit.text, "ni", sizeof e.edit.text);
    ui_dialog_handle_event(d, &e);
    ui_dialog_render(d, ren, font, OUT_W, OUT_H, 1);      /* draws the pre-edit text underlined */
    CHECK_EQ_STR(ui_dialog_field_value(d, 0), "ab");      /* pre-edit is not part of the value */
    CHECK_EQ_INT(key(d, SDLK_RETURN, 0), UI_DIALOG_OPEN); /* Enter belongs to the IME now */
    CHECK_EQ_INT(key(d, SDLK_ESCAPE, 0), UI_DIALOG_OPEN);
    text(d, "\xe4\xbd\xa0"); /* committed: 你 */
    CHECK_EQ_STR(ui_dialog_field_value(d, 0), "ab\xe4\xbd\xa0");
    CHECK_EQ_INT(key(d, SDLK_RETURN, 0), 0);
    ui_dialog_free(d);

    /* A window far too small for the panel: layout degrades, nothing breaks. */
    d = ui_dialog_password("A long title that cannot possibly fit", "and a message too");
    clear_to(0, 0, 0);
    ui_dialog_render(d, ren, font, 120, 90, 1);
    SDL_Rect rc;
    CHECK(ui_dialog_button_rect(d, 1, &rc) && rc.w > 0);
    CHECK_EQ_INT(click_button(d, 1, 1), 1);
    ui_dialog_free(d);
}

static void test_pixels(void)
{
    clear_to(200, 40, 40);
    struct ui_dialog *d = ui_dialog_password("Password required", "Server asks for a password.");
    text(d, "hunter2");
    ui_dialog_render(d, ren, font, OUT_W, OUT_H, 1);
    SDL_Color corner = pixel(3, 3), centre = pixel(OUT_W / 2, OUT_H / 2);
    CHECK_MSG(corner.r < 120 && corner.r > 40, "backdrop not dimmed: r=%d", corner.r);
    CHECK(!same(centre, corner));
    CHECK_MSG(centre.r < 60 && centre.g < 60 && centre.b < 70, "panel not dark: %d,%d,%d", centre.r,
              centre.g, centre.b);
    SDL_Rect ok, field;
    ui_dialog_button_rect(d, 0, &ok);
    ui_dialog_field_rect(d, 0, &field);
    SDL_Color ok_px = pixel(ok.x + 4, ok.y + ok.h / 2);
    CHECK_MSG(ok_px.b > ok_px.r + 80, "default button not accent blue: %d,%d,%d", ok_px.r, ok_px.g,
              ok_px.b);
    /* password dots: some bright pixels inside the field, none of them glyphs */
    int bright = 0;
    for (int x = field.x; x < field.x + field.w / 2; x++) {
        SDL_Color p = pixel(x, field.y + field.h / 2);
        bright += p.r > 180 && p.g > 180 && p.b > 180;
    }
    CHECK_MSG(bright >= 7, "expected 7 dots, %d bright pixels", bright);
    ui_dialog_free(d);
}

static void test_overlays(void)
{
    clear_to(255, 255, 255);
    ui_overlay_status(ren, font, OUT_W, OUT_H, 1, "Connecting to host:1 \xe2\x80\xa6",
                      "Resolving host name", 1234);
    SDL_Color c = pixel(2, OUT_H - 2);
    CHECK_MSG(c.r < 40 && c.g < 40 && c.b < 50, "status background not dark: %d,%d,%d", c.r, c.g,
              c.b);
    int lit = 0; /* the title is drawn in light text around the middle */
    for (int x = OUT_W / 4; x < 3 * OUT_W / 4; x++)
        for (int y = OUT_H / 3; y < 2 * OUT_H / 3; y += 2)
            lit += pixel(x, y).r > 150;
    CHECK(lit > 50);

    clear_to(0, 0, 0);
    ui_overlay_badge(ren, font, OUT_W, OUT_H, 1, UI_SEC_VERIFIED, NULL, 255);
    int green = 0, red = 0;
    for (int x = OUT_W - 300; x < OUT_W; x++)
        for (int y = 0; y < 60; y++) {
            SDL_Color p = pixel(x, y);
            green += p.g > 120 && p.r < 100;
            red += p.r > 150 && p.g < 100;
        }
    CHECK(green > 20 && red == 0);
    clear_to(0, 0, 0);
    ui_overlay_badge(ren, font, OUT_W, OUT_H, 1, UI_SEC_NONE, NULL, 255);
    green = red = 0;
    for (int x = OUT_W - 300; x < OUT_W; x++)
        for (int y = 0; y < 60; y++) {
            SDL_Color p = pixel(x, y);
            green += p.g > 120 && p.r < 100;
            red += p.r > 150 && p.g < 100;
        }
    CHECK(red > 20 && green == 0);
    CHECK_EQ_STR(ui_security_level_text(UI_SEC_SSH), "SSH tunnel");

    clear_to(0, 0, 0);
    ui_overlay_toast(ren, font, OUT_W, OUT_H, 1, "Clipboard sent", 0); /* alpha 0: nothing */
    CHECK(same(pixel(OUT_W / 2, OUT_H - 60), (SDL_Color){0, 0, 0, 255}));
    ui_overlay_toast(ren, font, OUT_W, OUT_H, 1, "Clipboard sent", 255);
    lit = 0;
    for (int x = OUT_W / 3; x < 2 * OUT_W / 3; x++)
        for (int y = OUT_H - 110; y < OUT_H; y++)
            lit += pixel(x, y).r > 150;
    CHECK(lit > 30);
    CHECK(pixel(3, 3).r == 0 && pixel(OUT_W / 2, OUT_H / 2).r == 0); /* toast stays at bottom */
    ui_overlay_flush_cache();
}

static void test_font(void)
{
    int w1, h1, w2, h2;
    SDL_Color white = {255, 255, 255, 255};
    const char *msg = "The quick brown fox jumps over the lazy dog again and again and again";
    SDL_Texture *t = ui_font_render(font, ren, msg, white, &w1, &h1);
    CHECK(t && w1 == ui_font_text_width(font, msg) && h1 == ui_font_height(font));
    SDL_DestroyTexture(t);
    t = ui_font_render_wrapped(font, ren, msg, white, 200, UI_ALIGN_LEFT, &w2, &h2);
    CHECK(t && w2 <= 200 && w2 > 100 && h2 >= 3 * ui_font_line_skip(font));
    SDL_DestroyTexture(t);
    t = ui_font_render_wrapped(font, ren, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", white, 80,
                               UI_ALIGN_CENTER, &w2, &h2); /* one long word: broken anyway */
    CHECK(t && w2 <= 80 && h2 > ui_font_height(font));
    SDL_DestroyTexture(t);
    t = ui_font_render_wrapped(font, ren, "a\n\nb", white, 0, UI_ALIGN_LEFT, &w2, &h2);
    CHECK(t && h2 == 2 * ui_font_line_skip(font) + ui_font_height(font));
    SDL_DestroyTexture(t);
    CHECK(ui_font_render(font, ren, "", white, &w2, &h2) == NULL && w2 == 0);
    CHECK(ui_font_variant(font, UI_FONT_MONO) != font);
    CHECK(ui_font_text_width(ui_font_variant(font, UI_FONT_MONO), "iiii") ==
          ui_font_text_width(ui_font_variant(font, UI_FONT_MONO), "WWWW"));

    struct ui_text_cache *c = ui_text_cache_new(2);
    int wsmall, wbig;
    SDL_Texture *a = ui_text_cache_get(c, font, ren, "one", white, 0, UI_ALIGN_LEFT, &wsmall, NULL);
    CHECK(a && a == ui_text_cache_get(c, font, ren, "one", white, 0, UI_ALIGN_LEFT, NULL, NULL));
    unsigned id = ui_font_id(font);
    CHECK(ui_font_set_pixel_size(font, 24) && ui_font_id(font) != id);
    ui_text_cache_get(c, font, ren, "one", white, 0, UI_ALIGN_LEFT, &wbig, NULL);
    CHECK_MSG(wbig > wsmall, "cache served a stale texture after resize: %d <= %d", wbig, wsmall);
    ui_text_cache_free(c);
    ui_font_set_pixel_size(font, 16);
}

int main(void)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    CHECK(SDL_Init(SDL_INIT_VIDEO) == 0); /* dummy video: clipboard and text input state */
    SDL_StopTextInput();
    SDL_Surface *surf =
        SDL_CreateRGBSurfaceWithFormat(0, OUT_W, OUT_H, 32, SDL_PIXELFORMAT_ARGB8888);
    ren = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    struct vv_error err = {0};
    font = ui_font_open(16, &err);
    CHECK_MSG(ren && font, "renderer %p font %p: %s %s", (void *)ren, (void *)font, SDL_GetError(),
              err.message);
    if (ren && font) {
        test_editing();
        test_capacity();
        test_keyboard_focus();
        test_mouse(1.0f);
        test_mouse(2.0f); /* HiDPI: window points are half the output pixels */
        test_ime_and_tiny_output();
        test_pixels();
        test_overlays();
        test_font();
    }
    ui_font_close(font);
    if (ren)
        SDL_DestroyRenderer(ren);
    SDL_FreeSurface(surf);
    SDL_Quit();
    return vv_test_finish();
}
