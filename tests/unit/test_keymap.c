/* Unit tests for ui/keymap: SDL key/text/mouse input to RFB keysyms, XT codes, buttons, wheel. */
#include "keymap.h"
#include "vv_test.h"

#include <math.h>
#include <rfb/keysym.h>

#define UNI(cp) (0x01000000u | (cp))

/* Checks the keysym and the defer flag for one key press. */
static void expect_key(SDL_Keycode sym, uint16_t mod, uint32_t want, bool want_defer, int line)
{
    bool defer = !want_defer;
    uint32_t ks = keymap_keysym_for_key(sym, mod, &defer);
    CHECK_MSG(ks == want, "line %d: sym 0x%x mod 0x%x -> keysym 0x%x, want 0x%x", line,
              (unsigned)sym, (unsigned)mod, (unsigned)ks, (unsigned)want);
    CHECK_MSG(defer == want_defer, "line %d: sym 0x%x mod 0x%x -> defer %d, want %d", line,
              (unsigned)sym, (unsigned)mod, defer, want_defer);
}
#define KEY(sym, mod, want) expect_key((sym), (mod), (want), false, __LINE__)
#define TEXT(sym, mod) expect_key((sym), (mod), 0, true, __LINE__)

static void test_function_keys(void)
{
    static const SDL_Keycode fkeys[24] = {
        SDLK_F1,  SDLK_F2,  SDLK_F3,  SDLK_F4,  SDLK_F5,  SDLK_F6,  SDLK_F7,  SDLK_F8,
        SDLK_F9,  SDLK_F10, SDLK_F11, SDLK_F12, SDLK_F13, SDLK_F14, SDLK_F15, SDLK_F16,
        SDLK_F17, SDLK_F18, SDLK_F19, SDLK_F20, SDLK_F21, SDLK_F22, SDLK_F23, SDLK_F24};
    for (int i = 0; i < 24; i++) {
        KEY(fkeys[i], KMOD_NONE, (uint32_t)XK_F1 + (uint32_t)i);
        KEY(fkeys[i], KMOD_LCTRL | KMOD_LALT, (uint32_t)XK_F1 + (uint32_t)i);
    }
    KEY(SDLK_F12, KMOD_NONE, XK_F12);
    KEY(SDLK_F24, KMOD_SHIFT, XK_F24);
}

static void test_editing_and_lock_keys(void)
{
    KEY(SDLK_ESCAPE, KMOD_NONE, XK_Escape);
    KEY(SDLK_TAB, KMOD_NONE, XK_Tab);
    KEY(SDLK_TAB, KMOD_LSHIFT, XK_Tab);
    KEY(SDLK_BACKSPACE, KMOD_NONE, XK_BackSpace);
    KEY(SDLK_RETURN, KMOD_NONE, XK_Return);
    KEY(SDLK_RETURN, KMOD_LCTRL, XK_Return);
    KEY(SDLK_DELETE, KMOD_NONE, XK_Delete);
    KEY(SDLK_DELETE, KMOD_LCTRL | KMOD_LALT, XK_Delete);
    KEY(SDLK_INSERT, KMOD_NONE, XK_Insert);
    KEY(SDLK_HOME, KMOD_NONE, XK_Home);
    KEY(SDLK_END, KMOD_NONE, XK_End);
    KEY(SDLK_PAGEUP, KMOD_NONE, XK_Page_Up);
    KEY(SDLK_PAGEDOWN, KMOD_NONE, XK_Page_Down);
    KEY(SDLK_UP, KMOD_NONE, XK_Up);
    KEY(SDLK_DOWN, KMOD_NONE, XK_Down);
    KEY(SDLK_LEFT, KMOD_NONE, XK_Left);
    KEY(SDLK_RIGHT, KMOD_SHIFT, XK_Right);
    KEY(SDLK_PRINTSCREEN, KMOD_NONE, XK_Print);
    KEY(SDLK_PAUSE, KMOD_NONE, XK_Pause);
    KEY(SDLK_SCROLLLOCK, KMOD_NONE, XK_Scroll_Lock);
    KEY(SDLK_NUMLOCKCLEAR, KMOD_NONE, XK_Num_Lock);
    KEY(SDLK_CAPSLOCK, KMOD_NONE, XK_Caps_Lock);
    KEY(SDLK_APPLICATION, KMOD_NONE, XK_Menu);
    KEY(SDLK_MENU, KMOD_NONE, XK_Menu);
}

static void test_modifier_keys(void)
{
    KEY(SDLK_LSHIFT, KMOD_LSHIFT, XK_Shift_L);
    KEY(SDLK_RSHIFT, KMOD_RSHIFT, XK_Shift_R);
    KEY(SDLK_LCTRL, KMOD_LCTRL, XK_Control_L);
    KEY(SDLK_RCTRL, KMOD_RCTRL, XK_Control_R);
    KEY(SDLK_LALT, KMOD_LALT, XK_Alt_L);
    KEY(SDLK_RALT, KMOD_RALT, XK_Alt_R);
    KEY(SDLK_LGUI, KMOD_LGUI, XK_Super_L);
    KEY(SDLK_RGUI, KMOD_RGUI, XK_Super_R);
    /* AltGr: Right Alt flagged as Mode, or SDL's own Mode key. */
    KEY(SDLK_RALT, KMOD_MODE, 0xFE03);
    KEY(SDLK_RALT, KMOD_RALT | KMOD_MODE, 0xFE03);
    KEY(SDLK_MODE, KMOD_MODE, 0xFE03);
    KEY(SDLK_MODE, KMOD_NONE, 0xFE03);
    /* Modifier keys are reported on release too, when the modifier bit is already clear. */
    KEY(SDLK_LCTRL, KMOD_NONE, XK_Control_L);
}

static void test_keypad(void)
{
    static const SDL_Keycode digits[10] = {SDLK_KP_0, SDLK_KP_1, SDLK_KP_2, SDLK_KP_3, SDLK_KP_4,
                                           SDLK_KP_5, SDLK_KP_6, SDLK_KP_7, SDLK_KP_8, SDLK_KP_9};
    static const uint32_t nav[10] = {XK_KP_Insert, XK_KP_End,   XK_KP_Down,  XK_KP_Next,
                                     XK_KP_Left,   XK_KP_Begin, XK_KP_Right, XK_KP_Home,
                                     XK_KP_Up,     XK_KP_Prior};
    for (int i = 0; i < 10; i++) {
        KEY(digits[i], KMOD_NUM, (uint32_t)XK_KP_0 + (uint32_t)i);
        KEY(digits[i], KMOD_NONE, nav[i]);
        KEY(digits[i], KMOD_NUM | KMOD_LCTRL, (uint32_t)XK_KP_0 + (uint32_t)i);
    }
    KEY(SDLK_KP_PERIOD, KMOD_NUM, XK_KP_Decimal);
    KEY(SDLK_KP_PERIOD, KMOD_NONE, XK_KP_Delete);
    /* Operators do not depend on NumLock. */
    uint16_t mods[2] = {KMOD_NONE, KMOD_NUM};
    for (int i = 0; i < 2; i++) {
        KEY(SDLK_KP_ENTER, mods[i], XK_KP_Enter);
        KEY(SDLK_KP_PLUS, mods[i], XK_KP_Add);
        KEY(SDLK_KP_MINUS, mods[i], XK_KP_Subtract);
        KEY(SDLK_KP_MULTIPLY, mods[i], XK_KP_Multiply);
        KEY(SDLK_KP_DIVIDE, mods[i], XK_KP_Divide);
        KEY(SDLK_KP_EQUALS, mods[i], XK_KP_Equal);
    }
    /* NumLock must be read from its own bit, not confused with Caps. */
    KEY(SDLK_KP_5, KMOD_CAPS, XK_KP_Begin);
}

static void test_printable_keys(void)
{
    /* Plain and shifted printable keys: the character comes as SDL_TEXTINPUT. */
    TEXT('a', KMOD_NONE);
    TEXT('a', KMOD_LSHIFT);
    TEXT('a', KMOD_CAPS);
    TEXT('1', KMOD_NONE);
    TEXT('/', KMOD_RSHIFT);
    TEXT(SDLK_SPACE, KMOD_NONE);
    TEXT(SDLK_SPACE, KMOD_SHIFT);
    TEXT(0xE4, KMOD_NONE);  /* German a-umlaut key */
    TEXT(0x444, KMOD_NONE); /* Cyrillic ef key */
    TEXT(SDLK_UNKNOWN, KMOD_NONE);
    /* Super/GUI is not a shortcut modifier for text purposes: X11 still types the character. */
    TEXT('a', KMOD_LGUI);
    KEY(SDLK_LEFT, KMOD_LGUI, XK_Left);
    /* Keys with no character and no keysym: neither sent nor expected as text. */
    KEY(SDLK_BRIGHTNESSUP, KMOD_NONE, 0);
    KEY(SDLK_AUDIOMUTE, KMOD_NONE, 0x1008FF12);
    /* defer_to_text may be NULL. */
    CHECK_EQ_INT(keymap_keysym_for_key('a', KMOD_NONE, NULL), 0);
    CHECK_EQ_INT(keymap_keysym_for_key(SDLK_F5, KMOD_NONE, NULL), XK_F5);
}

static void test_ctrl_alt_shortcuts(void)
{
    /* Ctrl+letter: every letter gives its lowercase keysym, with or without Shift. */
    int wrong = 0;
    for (SDL_Keycode c = 'a'; c <= 'z'; c++) {
        bool defer = true;
        if (keymap_keysym_for_key(c, KMOD_LCTRL, &defer) != (uint32_t)c || defer)
            wrong++;
        if (keymap_keysym_for_key(c, KMOD_RCTRL | KMOD_LSHIFT, &defer) != (uint32_t)c || defer)
            wrong++;
    }
    CHECK_EQ_INT(wrong, 0);
    KEY('c', KMOD_LCTRL, XK_c);
    KEY('C', KMOD_LCTRL, XK_c); /* defensive: SDL keycodes are lowercase already */
    KEY('c', KMOD_LALT, XK_c);
    KEY('x', KMOD_LCTRL | KMOD_LALT, XK_x);
    KEY('1', KMOD_LCTRL, XK_1);
    KEY('[', KMOD_LCTRL, XK_bracketleft);
    KEY(SDLK_SPACE, KMOD_LCTRL, XK_space);
    KEY(SDLK_SPACE, KMOD_LALT, XK_space);
    KEY(0xE4, KMOD_LCTRL, XK_adiaeresis);
    KEY(0xC4, KMOD_LCTRL, XK_adiaeresis);
    KEY(0x444, KMOD_LCTRL, UNI(0x444));
    KEY('a', KMOD_RCTRL | KMOD_RALT | KMOD_LALT, XK_a);
}

static void test_altgr(void)
{
    /* AltGr flagged as Mode types text even together with Ctrl or Alt. */
    TEXT('q', KMOD_MODE);
    TEXT('q', KMOD_MODE | KMOD_RALT);
    TEXT('e', KMOD_MODE | KMOD_LCTRL);
    TEXT('7', KMOD_MODE | KMOD_SHIFT);
    TEXT(SDLK_SPACE, KMOD_MODE);
#if defined(_WIN32)
    /* Windows: AltGr is LCtrl+RAlt; a lone Right Alt is a real Alt. */
    TEXT('q', KMOD_LCTRL | KMOD_RALT);
    KEY('q', KMOD_RALT, XK_q);
#elif defined(__APPLE__)
    TEXT('e', KMOD_LALT);
    TEXT('e', KMOD_RALT);
    KEY('e', KMOD_LCTRL, XK_e);
#else
    /* X11/Wayland: SDL 2 reports AltGr as a plain Right Alt, so it must defer to text. */
    TEXT('q', KMOD_RALT);
    TEXT('q', KMOD_RALT | KMOD_LSHIFT);
    KEY('q', KMOD_RALT | KMOD_LCTRL, XK_q);
    KEY('q', KMOD_RALT | KMOD_LALT, XK_q);
#endif
}

static void test_codepoints(void)
{
    CHECK_EQ_INT(keymap_keysym_for_codepoint('a'), XK_a);
    CHECK_EQ_INT(keymap_keysym_for_codepoint('A'), XK_A);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(' '), XK_space);
    CHECK_EQ_INT(keymap_keysym_for_codepoint('~'), XK_asciitilde);
    CHECK_EQ_INT(keymap_keysym_for_codepoint('@'), XK_at);
    int wrong = 0;
    for (uint32_t c = 0x20; c <= 0x7E; c++)
        wrong += keymap_keysym_for_codepoint(c) != c;
    for (uint32_t c = 0xA0; c <= 0xFF; c++)
        wrong += keymap_keysym_for_codepoint(c) != c;
    CHECK_EQ_INT(wrong, 0);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0xE9), XK_eacute);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0xA0), XK_nobreakspace);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0xFF), XK_ydiaeresis);
    /* Beyond Latin-1: Unicode keysyms. */
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0x100), UNI(0x100));
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0x20AC), 0x010020AC); /* euro */
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0x444), 0x01000444);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0x4E2D), 0x01004E2D);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0x1F600), 0x0101F600); /* 4-byte UTF-8 emoji */
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0x10FFFF), 0x0110FFFF);
    /* Specials. */
    CHECK_EQ_INT(keymap_keysym_for_codepoint('\n'), XK_Return);
    CHECK_EQ_INT(keymap_keysym_for_codepoint('\r'), XK_Return);
    CHECK_EQ_INT(keymap_keysym_for_codepoint('\t'), XK_Tab);
    CHECK_EQ_INT(keymap_keysym_for_codepoint('\b'), XK_BackSpace);
    /* Control and invalid. */
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0), 0);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0x01), 0);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0x1B), 0);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0x7F), 0);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0x80), 0);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0x9F), 0);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0xD800), 0);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0xDFFF), 0);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0x110000), 0);
    CHECK_EQ_INT(keymap_keysym_for_codepoint(0xFFFFFFFF), 0);
}

static void test_xt_codes(void)
{
    struct {
        SDL_Scancode sc;
        uint32_t xt;
    } cases[] = {
        {SDL_SCANCODE_A, 0x1e},
        {SDL_SCANCODE_Q, 0x10},
        {SDL_SCANCODE_Z, 0x2c},
        {SDL_SCANCODE_M, 0x32},
        {SDL_SCANCODE_1, 0x02},
        {SDL_SCANCODE_0, 0x0b},
        {SDL_SCANCODE_ESCAPE, 0x01},
        {SDL_SCANCODE_RETURN, 0x1c},
        {SDL_SCANCODE_BACKSPACE, 0x0e},
        {SDL_SCANCODE_TAB, 0x0f},
        {SDL_SCANCODE_SPACE, 0x39},
        {SDL_SCANCODE_GRAVE, 0x29},
        {SDL_SCANCODE_BACKSLASH, 0x2b},
        {SDL_SCANCODE_NONUSBACKSLASH, 0x56},
        {SDL_SCANCODE_CAPSLOCK, 0x3a},
        {SDL_SCANCODE_LCTRL, 0x1d},
        {SDL_SCANCODE_LSHIFT, 0x2a},
        {SDL_SCANCODE_RSHIFT, 0x36},
        {SDL_SCANCODE_LALT, 0x38},
        {SDL_SCANCODE_F1, 0x3b},
        {SDL_SCANCODE_F10, 0x44},
        {SDL_SCANCODE_F11, 0x57},
        {SDL_SCANCODE_F12, 0x58},
        {SDL_SCANCODE_NUMLOCKCLEAR, 0x45},
        {SDL_SCANCODE_SCROLLLOCK, 0x46},
        {SDL_SCANCODE_KP_7, 0x47},
        {SDL_SCANCODE_KP_0, 0x52},
        {SDL_SCANCODE_KP_PERIOD, 0x53},
        {SDL_SCANCODE_KP_MULTIPLY, 0x37},
        {SDL_SCANCODE_KP_MINUS, 0x4a},
        {SDL_SCANCODE_KP_PLUS, 0x4e},
        {SDL_SCANCODE_INTERNATIONAL1, 0x73},
        {SDL_SCANCODE_INTERNATIONAL3, 0x7d},
        /* E0-prefixed keys. */
        {SDL_SCANCODE_RCTRL, 0x9d},
        {SDL_SCANCODE_RALT, 0xb8},
        {SDL_SCANCODE_UP, 0xc8},
        {SDL_SCANCODE_LEFT, 0xcb},
        {SDL_SCANCODE_RIGHT, 0xcd},
        {SDL_SCANCODE_DOWN, 0xd0},
        {SDL_SCANCODE_INSERT, 0xd2},
        {SDL_SCANCODE_DELETE, 0xd3},
        {SDL_SCANCODE_HOME, 0xc7},
        {SDL_SCANCODE_END, 0xcf},
        {SDL_SCANCODE_PAGEUP, 0xc9},
        {SDL_SCANCODE_PAGEDOWN, 0xd1},
        {SDL_SCANCODE_KP_ENTER, 0x9c},
        {SDL_SCANCODE_KP_DIVIDE, 0xb5},
        {SDL_SCANCODE_LGUI, 0xdb},
        {SDL_SCANCODE_RGUI, 0xdc},
        {SDL_SCANCODE_APPLICATION, 0xdd},
        {SDL_SCANCODE_PAUSE, 0xc6},
        {SDL_SCANCODE_PRINTSCREEN, 0x54},
        {SDL_SCANCODE_AUDIOMUTE, 0xa0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t got = keymap_xt_for_scancode(cases[i].sc);
        CHECK_MSG(got == cases[i].xt, "scancode %d (%s): XT 0x%x, want 0x%x", (int)cases[i].sc,
                  SDL_GetScancodeName(cases[i].sc), (unsigned)got, (unsigned)cases[i].xt);
    }
    /* Every key of a 105-key PC keyboard has a code, and no two keys share one (the Non-US
     * hash key sits where the US backslash is, so it alone may repeat 0x2b). */
    static const SDL_Scancode pc105[] = {
        SDL_SCANCODE_ESCAPE,      SDL_SCANCODE_GRAVE,        SDL_SCANCODE_MINUS,
        SDL_SCANCODE_EQUALS,      SDL_SCANCODE_BACKSPACE,    SDL_SCANCODE_TAB,
        SDL_SCANCODE_LEFTBRACKET, SDL_SCANCODE_RIGHTBRACKET, SDL_SCANCODE_BACKSLASH,
        SDL_SCANCODE_CAPSLOCK,    SDL_SCANCODE_SEMICOLON,    SDL_SCANCODE_APOSTROPHE,
        SDL_SCANCODE_RETURN,      SDL_SCANCODE_LSHIFT,       SDL_SCANCODE_NONUSBACKSLASH,
        SDL_SCANCODE_COMMA,       SDL_SCANCODE_PERIOD,       SDL_SCANCODE_SLASH,
        SDL_SCANCODE_RSHIFT,      SDL_SCANCODE_LCTRL,        SDL_SCANCODE_LGUI,
        SDL_SCANCODE_LALT,        SDL_SCANCODE_SPACE,        SDL_SCANCODE_RALT,
        SDL_SCANCODE_RGUI,        SDL_SCANCODE_APPLICATION,  SDL_SCANCODE_RCTRL,
        SDL_SCANCODE_PRINTSCREEN, SDL_SCANCODE_SCROLLLOCK,   SDL_SCANCODE_PAUSE,
        SDL_SCANCODE_INSERT,      SDL_SCANCODE_HOME,         SDL_SCANCODE_PAGEUP,
        SDL_SCANCODE_DELETE,      SDL_SCANCODE_END,          SDL_SCANCODE_PAGEDOWN,
        SDL_SCANCODE_UP,          SDL_SCANCODE_LEFT,         SDL_SCANCODE_DOWN,
        SDL_SCANCODE_RIGHT,       SDL_SCANCODE_NUMLOCKCLEAR, SDL_SCANCODE_KP_DIVIDE,
        SDL_SCANCODE_KP_MULTIPLY, SDL_SCANCODE_KP_MINUS,     SDL_SCANCODE_KP_PLUS,
        SDL_SCANCODE_KP_ENTER,    SDL_SCANCODE_KP_PERIOD};
    uint8_t seen[256] = {0};
    int missing = 0, dup = 0;
    size_t n = sizeof pc105 / sizeof pc105[0];
    SDL_Scancode all[128];
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        all[count++] = pc105[i];
    for (SDL_Scancode s = SDL_SCANCODE_A; s <= SDL_SCANCODE_0; s++)
        all[count++] = s; /* letters and digit row */
    for (SDL_Scancode s = SDL_SCANCODE_F1; s <= SDL_SCANCODE_F12; s++)
        all[count++] = s;
    for (SDL_Scancode s = SDL_SCANCODE_KP_1; s <= SDL_SCANCODE_KP_0; s++)
        all[count++] = s;
    CHECK_EQ_INT(count, 105);
    for (size_t i = 0; i < count; i++) {
        uint32_t xt = keymap_xt_for_scancode(all[i]);
        if (!xt) {
            missing++;
            fprintf(stderr, "no XT code for %s\n", SDL_GetScancodeName(all[i]));
        } else if (xt > 0xFF || seen[xt]++) {
            dup++;
            fprintf(stderr, "XT 0x%x repeated for %s\n", (unsigned)xt, SDL_GetScancodeName(all[i]));
        }
    }
    CHECK_EQ_INT(missing, 0);
    CHECK_EQ_INT(dup, 0);
    CHECK_EQ_INT(keymap_xt_for_scancode(SDL_SCANCODE_NONUSHASH), 0x2b);
    /* Unknown and out of range. */
    CHECK_EQ_INT(keymap_xt_for_scancode(SDL_SCANCODE_UNKNOWN), 0);
    CHECK_EQ_INT(keymap_xt_for_scancode(SDL_SCANCODE_KP_HEXADECIMAL), 0);
    CHECK_EQ_INT(keymap_xt_for_scancode((SDL_Scancode)SDL_NUM_SCANCODES), 0);
    CHECK_EQ_INT(keymap_xt_for_scancode((SDL_Scancode)100000), 0);
    CHECK_EQ_INT(keymap_xt_for_scancode((SDL_Scancode)-1), 0);
}

static void test_button_mask(void)
{
    CHECK_EQ_INT(keymap_button_mask(0), 0);
    CHECK_EQ_INT(keymap_button_mask(SDL_BUTTON_LMASK), 1);
    CHECK_EQ_INT(keymap_button_mask(SDL_BUTTON_MMASK), 2);
    CHECK_EQ_INT(keymap_button_mask(SDL_BUTTON_RMASK), 4);
    CHECK_EQ_INT(keymap_button_mask(SDL_BUTTON_X1MASK), 128);
    CHECK_EQ_INT(keymap_button_mask(SDL_BUTTON_X2MASK), 0);
    CHECK_EQ_INT(keymap_button_mask(SDL_BUTTON_LMASK | SDL_BUTTON_RMASK), 5);
    CHECK_EQ_INT(keymap_button_mask(SDL_BUTTON_LMASK | SDL_BUTTON_MMASK | SDL_BUTTON_RMASK |
                                    SDL_BUTTON_X1MASK | SDL_BUTTON_X2MASK),
                 1 | 2 | 4 | 128);
    /* Never sets wheel bits, whatever else is in the state word. */
    CHECK_EQ_INT(keymap_button_mask(0xFFFFFFFFu) & 0x78, 0);
}

static void test_wheel(void)
{
    float acc = 0.0f;
    CHECK_EQ_INT(keymap_wheel_clicks(&acc, 1.0f), 1);
    CHECK(acc == 0.0f);
    CHECK_EQ_INT(keymap_wheel_clicks(&acc, -3.0f), -3);
    CHECK_EQ_INT(keymap_wheel_clicks(&acc, 0.0f), 0);

    /* Touchpad-style fractions: 0.3 steps give a click on the 4th, 7th, 10th event. */
    acc = 0.0f;
    int clicks[10], total = 0;
    for (int i = 0; i < 10; i++)
        total += clicks[i] = keymap_wheel_clicks(&acc, 0.3f);
    CHECK_EQ_INT(clicks[0] + clicks[1] + clicks[2], 0);
    CHECK_EQ_INT(clicks[3], 1);
    CHECK_EQ_INT(total, 3);
    CHECK(fabsf(acc - 0.0f) < 0.01f);

    /* Float sums of small steps land just below whole numbers (100 x 0.01f leaves 0.99999
     * after truncation): the click must still come on time, and none may be lost. */
    acc = 0.0f;
    total = 0;
    for (int i = 0; i < 100; i++)
        total += keymap_wheel_clicks(&acc, 0.01f);
    CHECK_EQ_INT(total, 1);
    acc = 0.0f;
    total = 0;
    for (int i = 0; i < 100; i++)
        total += keymap_wheel_clicks(&acc, 0.7f);
    CHECK_EQ_INT(total, 70);
    acc = 0.0f;
    total = 0;
    for (int i = 0; i < 100; i++)
        total += keymap_wheel_clicks(&acc, -0.45f);
    CHECK_EQ_INT(total, -45);

    /* Remainder is kept: 2.5 then 0.5 gives 2 then 1. */
    acc = 0.0f;
    CHECK_EQ_INT(keymap_wheel_clicks(&acc, 2.5f), 2);
    CHECK(fabsf(acc - 0.5f) < 1e-6f);
    CHECK_EQ_INT(keymap_wheel_clicks(&acc, 0.5f), 1);
    /* Negative direction with fractions. */
    acc = 0.0f;
    CHECK_EQ_INT(keymap_wheel_clicks(&acc, -0.75f), 0);
    CHECK_EQ_INT(keymap_wheel_clicks(&acc, -0.75f), -1);
    CHECK(fabsf(acc + 0.5f) < 1e-6f);
    /* Reversal drops the leftover: -0.5 pending, +1.0 gives a full click up at once. */
    CHECK_EQ_INT(keymap_wheel_clicks(&acc, 1.0f), 1);
    CHECK(acc == 0.0f);

    /* Separate axes keep separate remainders. */
    float ax = 0.0f, ay = 0.0f;
    CHECK_EQ_INT(keymap_wheel_clicks(&ax, 0.6f), 0);
    CHECK_EQ_INT(keymap_wheel_clicks(&ay, -0.6f), 0);
    CHECK_EQ_INT(keymap_wheel_clicks(&ax, 0.6f), 1);
    CHECK_EQ_INT(keymap_wheel_clicks(&ay, -0.6f), -1);

    /* Garbage in: ignored, accumulator stays usable; huge deltas are capped. */
    acc = 0.25f;
    CHECK_EQ_INT(keymap_wheel_clicks(&acc, NAN), 0);
    CHECK_EQ_INT(keymap_wheel_clicks(&acc, INFINITY), 0);
    CHECK(fabsf(acc - 0.25f) < 1e-6f);
    acc = NAN;
    CHECK_EQ_INT(keymap_wheel_clicks(&acc, 1.0f), 1);
    acc = 0.0f;
    int big = keymap_wheel_clicks(&acc, 1e30f);
    CHECK(big > 0 && big <= 100);
    big = keymap_wheel_clicks(&acc, -1e30f);
    CHECK(big < 0 && big >= -100);
    CHECK_EQ_INT(keymap_wheel_clicks(NULL, 1.0f), 0);
}

int main(void)
{
    test_function_keys();
    test_editing_and_lock_keys();
    test_modifier_keys();
    test_keypad();
    test_printable_keys();
    test_ctrl_alt_shortcuts();
    test_altgr();
    test_codepoints();
    test_xt_codes();
    test_button_mask();
    test_wheel();
    return vv_test_finish();
}
