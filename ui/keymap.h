/* Input translation from SDL2 to RFB: keysyms for key presses and typed text, XT scancodes for
 * the QEMU extended key event, pointer button masks and wheel clicks. Pure table lookups that
 * need no SDL initialisation, so they are unit-testable. */
#ifndef VV_KEYMAP_H
#define VV_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>

#include <SDL.h>

/* RFB PointerEvent button-mask bits (button n is bit n-1). */
enum keymap_button {
    KEYMAP_BTN_LEFT = 1,
    KEYMAP_BTN_MIDDLE = 2,
    KEYMAP_BTN_RIGHT = 4,
    KEYMAP_BTN_WHEEL_UP = 8,     /* button 4 */
    KEYMAP_BTN_WHEEL_DOWN = 16,  /* button 5 */
    KEYMAP_BTN_WHEEL_LEFT = 32,  /* button 6 */
    KEYMAP_BTN_WHEEL_RIGHT = 64, /* button 7 */
    KEYMAP_BTN_BACK = 128,       /* button 8 */
};

/* X11 keysym to send for an SDL_KEYDOWN/SDL_KEYUP (sym = event.key.keysym.sym, mod =
 * event.key.keysym.mod). Returns 0 when this key press must not be sent as a keysym.
 *
 * Non-printable keys (function, editing, cursor, lock, modifier and keypad keys) always map
 * directly and *defer_to_text is false. Keypad keys follow NumLock (KMOD_NUM): KP_0..KP_9 and
 * KP_Decimal when on, KP_Insert/KP_End/.../KP_Delete when off.
 *
 * Printable keys (letters, digits, punctuation, space, anything that types a character) return
 * 0 with *defer_to_text true: the character arrives as SDL_TEXTINPUT, already composed with
 * Shift/AltGr/dead keys, and goes through keymap_keysym_for_codepoint(). The exception is a
 * printable key with Ctrl or Alt held, for which SDL may send no text (Ctrl on every platform,
 * Alt on Windows): then the key's unshifted character is returned as a keysym (Ctrl+C -> XK_c,
 * Ctrl+Space -> XK_space) and *defer_to_text is false.
 * AltGr types text, so it does not count as Alt: KMOD_MODE, and a Right Alt held without Ctrl
 * or Left Alt (SDL 2 on X11 reports AltGr as SDLK_RALT/KMOD_RALT; on Windows AltGr arrives as
 * LCtrl+RAlt and a lone Right Alt is a real Alt) keep printable keys deferred to text.
 * On macOS Option types characters, so either Alt defers to text there.
 *
 * Caller contract: some keys that map directly still produce SDL_TEXTINPUT (keypad digits
 * with NumLock on; a letter with Alt on X11). Drop the SDL_TEXTINPUT that immediately follows
 * an SDL_KEYDOWN for which this function returned non-zero, or the server gets it twice.
 * defer_to_text may be NULL. */
uint32_t keymap_keysym_for_key(SDL_Keycode sym, uint16_t mod, bool *defer_to_text);

/* X11 keysym for a typed Unicode code point (from SDL_TEXTINPUT). 0x20-0x7E and 0xA0-0xFF are
 * Latin-1 keysyms of the same value; '\n' and '\r' give XK_Return, '\t' XK_Tab, '\b'
 * XK_BackSpace; other control characters, DEL, surrogates and values above U+10FFFF give 0;
 * everything else is 0x01000000 | cp, the X11 Unicode keysym convention. */
uint32_t keymap_keysym_for_codepoint(uint32_t cp);

/* XT (set 1) scancode of a physical key for the QEMU extended key event, as noVNC and TigerVNC
 * send it: E0-prefixed keys are 0x80 | code (RCtrl 0x9d, Up 0xc8). Pause is 0xc6 and
 * PrintScreen 0x54, matching the keycodemapdb "qnum" values those viewers and QEMU/Xvnc use.
 * Returns 0 for keys with no XT code. */
uint32_t keymap_xt_for_scancode(SDL_Scancode sc);

/* RFB button mask for SDL_GetMouseState()-style button bits: left 1, middle 2, right 4,
 * X1 ("back") 128 = button 8. X2 ("forward") would be button 9, which the 8-bit RFB mask
 * cannot carry, so it is dropped (0). Wheel bits are not included: see keymap_wheel_clicks(). */
uint8_t keymap_button_mask(uint32_t sdl_mouse_state_buttons);

/* Accumulates a precise wheel delta (SDL_MouseWheelEvent.preciseX/preciseY, SDL 2.0.18+) for one
 * axis and returns the whole clicks to send now, keeping the fraction in *accum (start it at 0,
 * one accumulator per axis). A reversal of direction drops the leftover fraction so the first
 * click the other way is not delayed; NaN/infinite deltas are ignored. Sign as in SDL: y > 0 is
 * up (button 4, KEYMAP_BTN_WHEEL_UP), y < 0 down (button 5); x > 0 right (button 7), x < 0 left
 * (button 6). Negate for SDL_MOUSEWHEEL_FLIPPED. Each click is a press+release of that button. */
int keymap_wheel_clicks(float *accum, float precise_delta);

#endif
