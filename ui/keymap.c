/* SDL2 -> RFB input translation: keysyms, XT scancodes, button masks, wheel clicks. */
#include "keymap.h"

#include <math.h>
#include <rfb/keysym.h>

/* rfb/keysym.h leaves these inside groups (XKB, Korean) that it does not enable. */
#ifndef XK_ISO_Level3_Shift
#define XK_ISO_Level3_Shift 0xFE03
#endif
#ifndef XK_Hangul
#define XK_Hangul 0xFF31
#endif
#ifndef XK_Hangul_Hanja
#define XK_Hangul_Hanja 0xFF34
#endif
/* XFree86 vendor keysyms (X11/XF86keysym.h, not available on every platform). */
#define VV_XF86_AUDIO_LOWER_VOLUME 0x1008FF11
#define VV_XF86_AUDIO_MUTE 0x1008FF12
#define VV_XF86_AUDIO_RAISE_VOLUME 0x1008FF13
#define VV_XF86_AUDIO_PLAY 0x1008FF14
#define VV_XF86_AUDIO_STOP 0x1008FF15
#define VV_XF86_AUDIO_PREV 0x1008FF16
#define VV_XF86_AUDIO_NEXT 0x1008FF17

#define UNICODE_KEYSYM_BASE 0x01000000u

/* Keypad keys: the keysym with NumLock on, then with it off. */
static uint32_t keypad_keysym(SDL_Keycode sym, bool numlock)
{
    switch (sym) {
    case SDLK_KP_0:
        return numlock ? XK_KP_0 : XK_KP_Insert;
    case SDLK_KP_1:
        return numlock ? XK_KP_1 : XK_KP_End;
    case SDLK_KP_2:
        return numlock ? XK_KP_2 : XK_KP_Down;
    case SDLK_KP_3:
        return numlock ? XK_KP_3 : XK_KP_Next;
    case SDLK_KP_4:
        return numlock ? XK_KP_4 : XK_KP_Left;
    case SDLK_KP_5:
        return numlock ? XK_KP_5 : XK_KP_Begin;
    case SDLK_KP_6:
        return numlock ? XK_KP_6 : XK_KP_Right;
    case SDLK_KP_7:
        return numlock ? XK_KP_7 : XK_KP_Home;
    case SDLK_KP_8:
        return numlock ? XK_KP_8 : XK_KP_Up;
    case SDLK_KP_9:
        return numlock ? XK_KP_9 : XK_KP_Prior;
    case SDLK_KP_PERIOD:
        return numlock ? XK_KP_Decimal : XK_KP_Delete;
    case SDLK_KP_ENTER:
        return XK_KP_Enter;
    case SDLK_KP_PLUS:
        return XK_KP_Add;
    case SDLK_KP_MINUS:
        return XK_KP_Subtract;
    case SDLK_KP_MULTIPLY:
        return XK_KP_Multiply;
    case SDLK_KP_DIVIDE:
        return XK_KP_Divide;
    case SDLK_KP_EQUALS:
    case SDLK_KP_EQUALSAS400:
        return XK_KP_Equal;
    case SDLK_KP_COMMA:
        return XK_KP_Separator;
    case SDLK_KP_SPACE:
        return XK_KP_Space;
    case SDLK_KP_TAB:
        return XK_KP_Tab;
    default:
        return 0;
    }
}

/* Keys that never type text. Modifiers depend on mod only for AltGr. */
static uint32_t special_keysym(SDL_Keycode sym, uint16_t mod)
{
    if (sym >= SDLK_F1 && sym <= SDLK_F12)
        return XK_F1 + (uint32_t)(sym - SDLK_F1);
    if (sym >= SDLK_F13 && sym <= SDLK_F24)
        return XK_F13 + (uint32_t)(sym - SDLK_F13);
    switch (sym) {
    case SDLK_ESCAPE:
        return XK_Escape;
    case SDLK_TAB:
        return XK_Tab;
    case SDLK_BACKSPACE:
        return XK_BackSpace;
    case SDLK_RETURN:
    case SDLK_RETURN2:
        return XK_Return;
    case SDLK_DELETE:
        return XK_Delete;
    case SDLK_INSERT:
        return XK_Insert;
    case SDLK_HOME:
        return XK_Home;
    case SDLK_END:
        return XK_End;
    case SDLK_PAGEUP:
        return XK_Page_Up;
    case SDLK_PAGEDOWN:
        return XK_Page_Down;
    case SDLK_UP:
        return XK_Up;
    case SDLK_DOWN:
        return XK_Down;
    case SDLK_LEFT:
        return XK_Left;
    case SDLK_RIGHT:
        return XK_Right;
    case SDLK_PRINTSCREEN:
        return XK_Print;
    case SDLK_SYSREQ:
        return XK_Sys_Req;
    case SDLK_PAUSE:
        return XK_Pause;
    case SDLK_SCROLLLOCK:
        return XK_Scroll_Lock;
    case SDLK_NUMLOCKCLEAR:
        return XK_Num_Lock;
    case SDLK_CAPSLOCK:
        return XK_Caps_Lock;
    case SDLK_APPLICATION:
    case SDLK_MENU:
        return XK_Menu;
    case SDLK_LSHIFT:
        return XK_Shift_L;
    case SDLK_RSHIFT:
        return XK_Shift_R;
    case SDLK_LCTRL:
        return XK_Control_L;
    case SDLK_RCTRL:
        return XK_Control_R;
    case SDLK_LALT:
        return XK_Alt_L;
    case SDLK_RALT:
        return (mod & KMOD_MODE) ? XK_ISO_Level3_Shift : XK_Alt_R;
    case SDLK_MODE:
        return XK_ISO_Level3_Shift;
    case SDLK_LGUI:
        return XK_Super_L;
    case SDLK_RGUI:
        return XK_Super_R;
    case SDLK_HELP:
        return XK_Help;
    case SDLK_UNDO:
        return XK_Undo;
    case SDLK_AGAIN:
        return XK_Redo;
    case SDLK_FIND:
        return XK_Find;
    case SDLK_CANCEL:
    case SDLK_STOP:
        return XK_Cancel;
    case SDLK_CLEAR:
        return XK_Clear;
    case SDLK_SELECT:
        return XK_Select;
    case SDLK_EXECUTE:
        return XK_Execute;
    case SDLK_MUTE:
    case SDLK_AUDIOMUTE:
        return VV_XF86_AUDIO_MUTE;
    case SDLK_VOLUMEUP:
        return VV_XF86_AUDIO_RAISE_VOLUME;
    case SDLK_VOLUMEDOWN:
        return VV_XF86_AUDIO_LOWER_VOLUME;
    case SDLK_AUDIOPLAY:
        return VV_XF86_AUDIO_PLAY;
    case SDLK_AUDIOSTOP:
        return VV_XF86_AUDIO_STOP;
    case SDLK_AUDIOPREV:
        return VV_XF86_AUDIO_PREV;
    case SDLK_AUDIONEXT:
        return VV_XF86_AUDIO_NEXT;
    default:
        return 0;
    }
}

/* Whether the held modifiers make SDL withhold SDL_TEXTINPUT for a printable key. */
static bool shortcut_modifiers(uint16_t mod)
{
    if (mod & KMOD_MODE)
        return false; /* AltGr types text */
#if defined(_WIN32)
    /* Windows delivers AltGr as LCtrl+RAlt and sends the composed character as text. */
    if ((mod & KMOD_LCTRL) && (mod & KMOD_RALT))
        return false;
    return (mod & (KMOD_CTRL | KMOD_ALT)) != 0;
#elif defined(__APPLE__)
    /* Option composes characters (Option+e is a dead acute), so only Ctrl is a shortcut. */
    return (mod & KMOD_CTRL) != 0;
#else
    /* X11/Wayland: SDL 2 reports AltGr as Right Alt, and a real Right Alt still delivers its
     * text, so deferring Right Alt combinations loses nothing. */
    if ((mod & KMOD_RALT) && !(mod & (KMOD_CTRL | KMOD_LALT)))
        return false;
    return (mod & (KMOD_CTRL | KMOD_ALT)) != 0;
#endif
}

uint32_t keymap_keysym_for_key(SDL_Keycode sym, uint16_t mod, bool *defer_to_text)
{
    bool defer_dummy;
    if (!defer_to_text)
        defer_to_text = &defer_dummy;
    *defer_to_text = false;

    uint32_t ks = keypad_keysym(sym, (mod & KMOD_NUM) != 0);
    if (!ks)
        ks = special_keysym(sym, mod);
    if (ks)
        return ks;
    /* A key SDL could not name may still type text (exotic layouts): let the text carry it. */
    if (sym == SDLK_UNKNOWN) {
        *defer_to_text = true;
        return 0;
    }
    /* Everything else with the scancode bit, or a control code, has no character: media and
     * system keys we do not forward. */
    if (sym < 0x20 || sym == 0x7F || (sym & SDLK_SCANCODE_MASK))
        return 0;
    /* A printable key: its SDL keycode is the unshifted character of the current layout. */
    if (!shortcut_modifiers(mod)) {
        *defer_to_text = true;
        return 0;
    }
    uint32_t cp = (uint32_t)sym;
    if (cp >= 'A' && cp <= 'Z')
        cp += 'a' - 'A';
    else if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        cp += 0x20; /* Latin-1 capitals */
    return keymap_keysym_for_codepoint(cp);
}

uint32_t keymap_keysym_for_codepoint(uint32_t cp)
{
    switch (cp) {
    case '\n':
    case '\r':
        return XK_Return;
    case '\t':
        return XK_Tab;
    case '\b':
        return XK_BackSpace;
    default:
        break;
    }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0; /* C0/C1 controls and DEL */
    if (cp <= 0xFF)
        return cp;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return UNICODE_KEYSYM_BASE | cp;
}

/* XT set-1 codes ("qnum": E0 xx as 0x80|xx) indexed by SDL scancode (USB HID usage). */
static const uint8_t xt_codes[SDL_NUM_SCANCODES] = {
    [SDL_SCANCODE_A] = 0x1e,
    [SDL_SCANCODE_B] = 0x30,
    [SDL_SCANCODE_C] = 0x2e,
    [SDL_SCANCODE_D] = 0x20,
    [SDL_SCANCODE_E] = 0x12,
    [SDL_SCANCODE_F] = 0x21,
    [SDL_SCANCODE_G] = 0x22,
    [SDL_SCANCODE_H] = 0x23,
    [SDL_SCANCODE_I] = 0x17,
    [SDL_SCANCODE_J] = 0x24,
    [SDL_SCANCODE_K] = 0x25,
    [SDL_SCANCODE_L] = 0x26,
    [SDL_SCANCODE_M] = 0x32,
    [SDL_SCANCODE_N] = 0x31,
    [SDL_SCANCODE_O] = 0x18,
    [SDL_SCANCODE_P] = 0x19,
    [SDL_SCANCODE_Q] = 0x10,
    [SDL_SCANCODE_R] = 0x13,
    [SDL_SCANCODE_S] = 0x1f,
    [SDL_SCANCODE_T] = 0x14,
    [SDL_SCANCODE_U] = 0x16,
    [SDL_SCANCODE_V] = 0x2f,
    [SDL_SCANCODE_W] = 0x11,
    [SDL_SCANCODE_X] = 0x2d,
    [SDL_SCANCODE_Y] = 0x15,
    [SDL_SCANCODE_Z] = 0x2c,

    [SDL_SCANCODE_1] = 0x02,
    [SDL_SCANCODE_2] = 0x03,
    [SDL_SCANCODE_3] = 0x04,
    [SDL_SCANCODE_4] = 0x05,
    [SDL_SCANCODE_5] = 0x06,
    [SDL_SCANCODE_6] = 0x07,
    [SDL_SCANCODE_7] = 0x08,
    [SDL_SCANCODE_8] = 0x09,
    [SDL_SCANCODE_9] = 0x0a,
    [SDL_SCANCODE_0] = 0x0b,

    [SDL_SCANCODE_RETURN] = 0x1c,
    [SDL_SCANCODE_ESCAPE] = 0x01,
    [SDL_SCANCODE_BACKSPACE] = 0x0e,
    [SDL_SCANCODE_TAB] = 0x0f,
    [SDL_SCANCODE_SPACE] = 0x39,
    [SDL_SCANCODE_MINUS] = 0x0c,
    [SDL_SCANCODE_EQUALS] = 0x0d,
    [SDL_SCANCODE_LEFTBRACKET] = 0x1a,
    [SDL_SCANCODE_RIGHTBRACKET] = 0x1b,
    [SDL_SCANCODE_BACKSLASH] = 0x2b,
    [SDL_SCANCODE_NONUSHASH] = 0x2b, /* same position as backslash on ISO boards */
    [SDL_SCANCODE_SEMICOLON] = 0x27,
    [SDL_SCANCODE_APOSTROPHE] = 0x28,
    [SDL_SCANCODE_GRAVE] = 0x29,
    [SDL_SCANCODE_COMMA] = 0x33,
    [SDL_SCANCODE_PERIOD] = 0x34,
    [SDL_SCANCODE_SLASH] = 0x35,
    [SDL_SCANCODE_CAPSLOCK] = 0x3a,
    [SDL_SCANCODE_NONUSBACKSLASH] = 0x56,

    [SDL_SCANCODE_F1] = 0x3b,
    [SDL_SCANCODE_F2] = 0x3c,
    [SDL_SCANCODE_F3] = 0x3d,
    [SDL_SCANCODE_F4] = 0x3e,
    [SDL_SCANCODE_F5] = 0x3f,
    [SDL_SCANCODE_F6] = 0x40,
    [SDL_SCANCODE_F7] = 0x41,
    [SDL_SCANCODE_F8] = 0x42,
    [SDL_SCANCODE_F9] = 0x43,
    [SDL_SCANCODE_F10] = 0x44,
    [SDL_SCANCODE_F11] = 0x57,
    [SDL_SCANCODE_F12] = 0x58,
    [SDL_SCANCODE_F13] = 0x5d,
    [SDL_SCANCODE_F14] = 0x5e,
    [SDL_SCANCODE_F15] = 0x5f,
    [SDL_SCANCODE_F16] = 0x55,
    [SDL_SCANCODE_F17] = 0x83,
    [SDL_SCANCODE_F18] = 0xf7,
    [SDL_SCANCODE_F19] = 0x84,
    [SDL_SCANCODE_F20] = 0x5a,
    [SDL_SCANCODE_F21] = 0x74,
    [SDL_SCANCODE_F22] = 0xf9,
    [SDL_SCANCODE_F23] = 0x6d,
    [SDL_SCANCODE_F24] = 0x6f,

    /* PrintScreen is E0 37 on the wire, but keycodemapdb (QEMU, TigerVNC, noVNC) numbers it
     * 0x54 like SysRq, and Xvnc maps only 0x54 to the Print key. */
    [SDL_SCANCODE_PRINTSCREEN] = 0x54,
    [SDL_SCANCODE_SYSREQ] = 0x54,
    [SDL_SCANCODE_SCROLLLOCK] = 0x46,
    [SDL_SCANCODE_PAUSE] = 0xc6, /* really E1 1D 45; every qnum user agrees on 0xc6 */
    [SDL_SCANCODE_INSERT] = 0xd2,
    [SDL_SCANCODE_HOME] = 0xc7,
    [SDL_SCANCODE_PAGEUP] = 0xc9,
    [SDL_SCANCODE_DELETE] = 0xd3,
    [SDL_SCANCODE_END] = 0xcf,
    [SDL_SCANCODE_PAGEDOWN] = 0xd1,
    [SDL_SCANCODE_RIGHT] = 0xcd,
    [SDL_SCANCODE_LEFT] = 0xcb,
    [SDL_SCANCODE_DOWN] = 0xd0,
    [SDL_SCANCODE_UP] = 0xc8,

    [SDL_SCANCODE_NUMLOCKCLEAR] = 0x45,
    [SDL_SCANCODE_KP_DIVIDE] = 0xb5,
    [SDL_SCANCODE_KP_MULTIPLY] = 0x37,
    [SDL_SCANCODE_KP_MINUS] = 0x4a,
    [SDL_SCANCODE_KP_PLUS] = 0x4e,
    [SDL_SCANCODE_KP_ENTER] = 0x9c,
    [SDL_SCANCODE_KP_1] = 0x4f,
    [SDL_SCANCODE_KP_2] = 0x50,
    [SDL_SCANCODE_KP_3] = 0x51,
    [SDL_SCANCODE_KP_4] = 0x4b,
    [SDL_SCANCODE_KP_5] = 0x4c,
    [SDL_SCANCODE_KP_6] = 0x4d,
    [SDL_SCANCODE_KP_7] = 0x47,
    [SDL_SCANCODE_KP_8] = 0x48,
    [SDL_SCANCODE_KP_9] = 0x49,
    [SDL_SCANCODE_KP_0] = 0x52,
    [SDL_SCANCODE_KP_PERIOD] = 0x53,
    [SDL_SCANCODE_KP_EQUALS] = 0x59,
    [SDL_SCANCODE_KP_COMMA] = 0x7e,
    [SDL_SCANCODE_KP_LEFTPAREN] = 0xf6,
    [SDL_SCANCODE_KP_RIGHTPAREN] = 0xfb,

    [SDL_SCANCODE_LCTRL] = 0x1d,
    [SDL_SCANCODE_LSHIFT] = 0x2a,
    [SDL_SCANCODE_LALT] = 0x38,
    [SDL_SCANCODE_LGUI] = 0xdb,
    [SDL_SCANCODE_RCTRL] = 0x9d,
    [SDL_SCANCODE_RSHIFT] = 0x36,
    [SDL_SCANCODE_RALT] = 0xb8,
    [SDL_SCANCODE_RGUI] = 0xdc,
    [SDL_SCANCODE_MODE] = 0xb8, /* the AltGr key when the layout calls it Mode_switch */
    [SDL_SCANCODE_APPLICATION] = 0xdd,
    [SDL_SCANCODE_MENU] = 0x9e,
    [SDL_SCANCODE_POWER] = 0xde,

    /* Japanese and Korean keys. */
    [SDL_SCANCODE_INTERNATIONAL1] = 0x73, /* Ro */
    [SDL_SCANCODE_INTERNATIONAL2] = 0x70, /* Katakana/Hiragana */
    [SDL_SCANCODE_INTERNATIONAL3] = 0x7d, /* Yen */
    [SDL_SCANCODE_INTERNATIONAL4] = 0x79, /* Henkan */
    [SDL_SCANCODE_INTERNATIONAL5] = 0x7b, /* Muhenkan */
    [SDL_SCANCODE_INTERNATIONAL6] = 0x5c, /* keypad JP comma */
    [SDL_SCANCODE_LANG1] = 0x72,          /* Hangul */
    [SDL_SCANCODE_LANG2] = 0x71,          /* Hanja */
    [SDL_SCANCODE_LANG3] = 0x78,          /* Katakana */
    [SDL_SCANCODE_LANG4] = 0x77,          /* Hiragana */
    [SDL_SCANCODE_LANG5] = 0x76,          /* Zenkaku/Hankaku */

    /* Editing and media keys found on many keyboards. */
    [SDL_SCANCODE_HELP] = 0xf5,
    [SDL_SCANCODE_STOP] = 0xe8,
    [SDL_SCANCODE_AGAIN] = 0x85,
    [SDL_SCANCODE_UNDO] = 0x87,
    [SDL_SCANCODE_CUT] = 0xbc,
    [SDL_SCANCODE_COPY] = 0xf8,
    [SDL_SCANCODE_PASTE] = 0x65,
    [SDL_SCANCODE_FIND] = 0xc1,
    [SDL_SCANCODE_MUTE] = 0xa0,
    [SDL_SCANCODE_VOLUMEUP] = 0xb0,
    [SDL_SCANCODE_VOLUMEDOWN] = 0xae,
    [SDL_SCANCODE_AUDIONEXT] = 0x99,
    [SDL_SCANCODE_AUDIOPREV] = 0x90,
    [SDL_SCANCODE_AUDIOSTOP] = 0xa4,
    [SDL_SCANCODE_AUDIOPLAY] = 0xa2,
    [SDL_SCANCODE_AUDIOMUTE] = 0xa0,
    [SDL_SCANCODE_MEDIASELECT] = 0xed,
    [SDL_SCANCODE_WWW] = 0x82,
    [SDL_SCANCODE_MAIL] = 0xec,
    [SDL_SCANCODE_CALCULATOR] = 0xa1,
    [SDL_SCANCODE_COMPUTER] = 0xeb,
    [SDL_SCANCODE_AC_SEARCH] = 0xe5,
    [SDL_SCANCODE_AC_HOME] = 0xb2,
    [SDL_SCANCODE_AC_BACK] = 0xea,
    [SDL_SCANCODE_AC_FORWARD] = 0xe9,
    [SDL_SCANCODE_AC_STOP] = 0xe8,
    [SDL_SCANCODE_AC_REFRESH] = 0xe7,
    [SDL_SCANCODE_AC_BOOKMARKS] = 0xe6,
    [SDL_SCANCODE_EJECT] = 0x6c,
    [SDL_SCANCODE_SLEEP] = 0xdf,
};

uint32_t keymap_xt_for_scancode(SDL_Scancode sc)
{
    if ((int)sc < 0 || (int)sc >= SDL_NUM_SCANCODES)
        return 0;
    return xt_codes[sc];
}

uint8_t keymap_button_mask(uint32_t sdl_mouse_state_buttons)
{
    uint8_t mask = 0;
    if (sdl_mouse_state_buttons & SDL_BUTTON_LMASK)
        mask |= KEYMAP_BTN_LEFT;
    if (sdl_mouse_state_buttons & SDL_BUTTON_MMASK)
        mask |= KEYMAP_BTN_MIDDLE;
    if (sdl_mouse_state_buttons & SDL_BUTTON_RMASK)
        mask |= KEYMAP_BTN_RIGHT;
    if (sdl_mouse_state_buttons & SDL_BUTTON_X1MASK)
        mask |= KEYMAP_BTN_BACK;
    return mask;
}

/* Caps one event's clicks: a runaway delta must not flood the connection or overflow int. */
#define WHEEL_MAX_CLICKS 100
/* Float sums of fractions land just below whole numbers (a hundred 0.01f steps reach 0.99999):
 * count those, or every later click arrives one event late. */
#define WHEEL_EPSILON 1e-4f

int keymap_wheel_clicks(float *accum, float precise_delta)
{
    if (!accum)
        return 0;
    if (!isfinite(*accum))
        *accum = 0.0f;
    if (!isfinite(precise_delta) || precise_delta == 0.0f)
        return 0;
    if ((*accum > 0.0f && precise_delta < 0.0f) || (*accum < 0.0f && precise_delta > 0.0f))
        *accum = 0.0f;
    float total = *accum + precise_delta;
    if (total > WHEEL_MAX_CLICKS)
        total = WHEEL_MAX_CLICKS;
    else if (total < -WHEEL_MAX_CLICKS)
        total = -WHEEL_MAX_CLICKS;
    float whole = truncf(total + (total > 0.0f ? WHEEL_EPSILON : -WHEEL_EPSILON));
    *accum = total - whole;
    if (fabsf(*accum) < WHEEL_EPSILON)
        *accum = 0.0f;
    return (int)whole;
}
