/* Resizing the server's desktop from our side: SetDesktopSize over what the guard learnt from
 * the server's ExtendedDesktopSize rectangles (pump_layout), and telling the user when the
 * server refuses. Network thread, except session_can_resize. */
#include "session_int.h"

#include "log.h"

#include <stdio.h>

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xFFFF);
}

static struct guard_layout layout_of(struct session *s)
{
    struct guard_layout l = {0};
    pthread_mutex_lock(&s->lock);
    if (s->pump)
        pump_layout(s->pump, &l);
    pthread_mutex_unlock(&s->lock);
    return l;
}

bool session_can_resize(struct session *s)
{
    return !s->cfg.view_only && layout_of(s).count > 0;
}

/* SetDesktopSize, built here (0.9.14's SendExtDesktopSize sends uninitialised screen fields):
 * one screen covering the desktop, with the number and flags the server gave its first one. */
bool session_send_desktop_size(struct session *s, int w, int h)
{
    struct guard_layout l = layout_of(s);
    if (l.count == 0) {
        log_info("the server cannot resize its desktop (it does not take ExtendedDesktopSize)");
        return true;
    }
    if (w == s->fb_w && h == s->fb_h)
        return true;
    log_info("asking the server for a %dx%d desktop", w, h);
    uint8_t m[24] = {251 /* SetDesktopSize */, 0};
    put16(m + 2, (unsigned)w);
    put16(m + 4, (unsigned)h);
    m[6] = 1; /* screens */
    m[7] = 0;
    put32(m + 8, l.screen_id);
    put16(m + 12, 0);
    put16(m + 14, 0);
    put16(m + 16, (unsigned)w);
    put16(m + 18, (unsigned)h);
    put32(m + 20, l.flags);
    s->resize_asked = true;
    return WriteToRFBServer(s->cl, (char *)m, sizeof m) != 0;
}

/* After each message: says why the server refused our SetDesktopSize, if it did. */
void session_check_layout(struct session *s)
{
    if (!s->resize_asked)
        return;
    struct guard_layout l = layout_of(s);
    if (l.count == s->layouts_seen)
        return;
    s->layouts_seen = l.count;
    if (l.reason != 1) /* not an answer to this client */
        return;
    s->resize_asked = false;
    static const char *const why[] = {"", "resizing is not allowed", "out of resources",
                                      "invalid screen layout"};
    if (l.status != 0) {
        char text[200];
        snprintf(text, sizeof text, "The server keeps its %dx%d desktop: %s", s->fb_w, s->fb_h,
                 l.status >= 1 && l.status <= 3 ? why[l.status] : "refused");
        log_info("%s (SetDesktopSize status %d)", text, l.status);
        struct session_event ev = {.type = SESSION_EV_STATUS};
        ev.u.status.text = text;
        session_emit(s, &ev);
    }
}
