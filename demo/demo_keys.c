/* Keysym names for the demo desktop's key echo: a table of the keys people press, characters for
 * Latin-1 and Unicode keysyms, hex for everything else. */
#include "demo_keys.h"

#include <stdio.h>

static const struct {
    uint32_t sym;
    const char *name;
} names[] = {
    {0x0020, "space"},        {0xff08, "BackSpace"},
    {0xff09, "Tab"},          {0xff0d, "Return"},
    {0xff13, "Pause"},        {0xff14, "Scroll_Lock"},
    {0xff15, "Sys_Req"},      {0xff1b, "Escape"},
    {0xffff, "Delete"},       {0xff50, "Home"},
    {0xff51, "Left"},         {0xff52, "Up"},
    {0xff53, "Right"},        {0xff54, "Down"},
    {0xff55, "Page_Up"},      {0xff56, "Page_Down"},
    {0xff57, "End"},          {0xff61, "Print"},
    {0xff63, "Insert"},       {0xff67, "Menu"},
    {0xff7f, "Num_Lock"},     {0xff8d, "KP_Enter"},
    {0xff95, "KP_Home"},      {0xff96, "KP_Left"},
    {0xff97, "KP_Up"},        {0xff98, "KP_Right"},
    {0xff99, "KP_Down"},      {0xff9a, "KP_Page_Up"},
    {0xff9b, "KP_Page_Down"}, {0xff9c, "KP_End"},
    {0xff9d, "KP_Begin"},     {0xff9e, "KP_Insert"},
    {0xff9f, "KP_Delete"},    {0xffaa, "KP_Multiply"},
    {0xffab, "KP_Add"},       {0xffac, "KP_Separator"},
    {0xffad, "KP_Subtract"},  {0xffae, "KP_Decimal"},
    {0xffaf, "KP_Divide"},    {0xffbd, "KP_Equal"},
    {0xffe1, "Shift_L"},      {0xffe2, "Shift_R"},
    {0xffe3, "Control_L"},    {0xffe4, "Control_R"},
    {0xffe5, "Caps_Lock"},    {0xffe7, "Meta_L"},
    {0xffe8, "Meta_R"},       {0xffe9, "Alt_L"},
    {0xffea, "Alt_R"},        {0xffeb, "Super_L"},
    {0xffec, "Super_R"},      {0xfe03, "ISO_Level3_Shift"},
    {0xff7e, "Mode_switch"},
};

/* UTF-8 encoding of a code point; buf must hold 5 bytes. */
static void utf8(uint32_t cp, char *buf)
{
    if (cp < 0x80) {
        buf[0] = (char)cp, buf[1] = 0;
    } else if (cp < 0x800) {
        buf[0] = (char)(0xc0 | cp >> 6), buf[1] = (char)(0x80 | (cp & 0x3f)), buf[2] = 0;
    } else if (cp < 0x10000) {
        buf[0] = (char)(0xe0 | cp >> 12), buf[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        buf[2] = (char)(0x80 | (cp & 0x3f)), buf[3] = 0;
    } else {
        buf[0] = (char)(0xf0 | cp >> 18), buf[1] = (char)(0x80 | (cp >> 12 & 0x3f));
        buf[2] = (char)(0x80 | (cp >> 6 & 0x3f)), buf[3] = (char)(0x80 | (cp & 0x3f));
        buf[4] = 0;
    }
}

const char *demo_keysym_name(uint32_t keysym, char *buf, size_t n)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].sym == keysym) {
            snprintf(buf, n, "%s", names[i].name);
            return buf;
        }
    char ch[5];
    if (keysym >= 0xffbe && keysym <= 0xffe0) { /* F1..F35 */
        snprintf(buf, n, "F%u", (unsigned)(keysym - 0xffbe + 1));
    } else if (keysym >= 0xffb0 && keysym <= 0xffb9) {
        snprintf(buf, n, "KP_%u", (unsigned)(keysym - 0xffb0));
    } else if ((keysym > 0x20 && keysym < 0x7f) || (keysym >= 0xa0 && keysym <= 0xff)) {
        /* Latin-1 keysyms equal their code points. */
        utf8(keysym, ch);
        snprintf(buf, n, "%s", ch);
    } else if (keysym >= 0x01000100 && keysym <= 0x0110ffff) {
        uint32_t cp = keysym & 0x00ffffff;
        if (cp >= 0xd800 && cp <= 0xdfff) {
            snprintf(buf, n, "U+%04X", (unsigned)cp);
        } else {
            utf8(cp, ch);
            snprintf(buf, n, "U+%04X %s", (unsigned)cp, ch);
        }
    } else {
        snprintf(buf, n, "0x%x", (unsigned)keysym);
    }
    return buf;
}
