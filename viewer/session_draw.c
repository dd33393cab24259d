/* The drawing callbacks libvncclient's decoders call, replaced by bounded ones (hostile-servers:
 * its CopyRectangleFromRectangle loops forever on a zero-width desktop and nothing checks
 * source rectangles). Our ZRLE, Zlib, Ultra and Tight decoders (JPEG through the system
 * libjpeg) are reached through session_decode.c; libvncclient's own never run.
 * Network thread only. */
#include "session_int.h"

#include "log.h"
#include "paint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

extern int session_rfb_tag; /* session_rfb.c: the rfbClientData key */

static struct session *owner(rfbClient *cl)
{
    return rfbClientGetClientData(cl, &session_rfb_tag);
}

static bool inside(struct session *s, int x, int y, int w, int h)
{
    return x >= 0 && y >= 0 && w > 0 && h > 0 && w <= s->fb_w && h <= s->fb_h && x <= s->fb_w - w &&
           y <= s->fb_h - h;
}

/* Decoders (zrle.c, jpegdec.c...) do not know the server: "the server sent ..." becomes "the
 * server HOST port N sent ...", as the pump does for the guard's sentences. */
static void name_server(struct vv_error *e, const char *where)
{
    const char *prefix = "the server ";
    char msg[sizeof e->message];
    if (strstr(e->message, where))
        return;
    if (strncmp(e->message, prefix, strlen(prefix)) == 0)
        snprintf(msg, sizeof msg, "the server %s %s", where, e->message + strlen(prefix));
    else
        snprintf(msg, sizeof msg, "%s: %s", where, e->message);
    snprintf(e->message, sizeof e->message, "%s", msg);
}

/* A void callback cannot fail: remember why and make the next read fail, so the session ends
 * right after this message with our message, not libvncclient's. */
void session_fail(struct session *s, const struct vv_error *err)
{
    if (s->proto_error.code == VV_OK) {
        s->proto_error = *err;
        name_server(&s->proto_error, s->where);
    }
    if (s->cl)
        shutdown(s->cl->sock, SHUT_RDWR);
}

static void fail_rect(struct session *s, const char *what, int x, int y, int w, int h)
{
    struct vv_error e;
    vv_error_set(&e, VV_ERR_PROTOCOL, "%s sent a %s %dx%d at %d,%d outside the %dx%d desktop",
                 s->where, what, w, h, x, y, s->fb_w, s->fb_h);
    session_fail(s, &e);
}

static void copy_rect(rfbClient *cl, int sx, int sy, int w, int h, int dx, int dy)
{
    struct session *s = owner(cl);
    if (!inside(s, sx, sy, w, h) || !inside(s, dx, dy, w, h)) {
        fail_rect(s, "copy", dx, dy, w, h);
        return;
    }
    size_t stride = (size_t)s->fb_w * 4, bytes = (size_t)w * 4;
    session_paint(cl, true);
    /* Overlapping copies: walk rows away from the destination's side. */
    if (dy <= sy)
        for (int j = 0; j < h; j++)
            memmove(s->fb + (size_t)(dy + j) * stride + (size_t)dx * 4,
                    s->fb + (size_t)(sy + j) * stride + (size_t)sx * 4, bytes);
    else
        for (int j = h - 1; j >= 0; j--)
            memmove(s->fb + (size_t)(dy + j) * stride + (size_t)dx * 4,
                    s->fb + (size_t)(sy + j) * stride + (size_t)sx * 4, bytes);
    session_paint(cl, false);
}

static void fill_rect(rfbClient *cl, int x, int y, int w, int h, uint32_t colour)
{
    struct session *s = owner(cl);
    if (!inside(s, x, y, w, h)) {
        fail_rect(s, "fill", x, y, w, h);
        return;
    }
    size_t stride = (size_t)s->fb_w * 4;
    uint32_t *row0 = (uint32_t *)(s->fb + (size_t)y * stride + (size_t)x * 4);
    session_paint(cl, true);
    for (int i = 0; i < w; i++)
        row0[i] = colour;
    for (int j = 1; j < h; j++)
        memcpy(s->fb + (size_t)(y + j) * stride + (size_t)x * 4, row0, (size_t)w * 4);
    session_paint(cl, false);
}

static void bitmap(rfbClient *cl, const uint8_t *buf, int x, int y, int w, int h)
{
    struct session *s = owner(cl);
    if (!inside(s, x, y, w, h)) {
        fail_rect(s, "rectangle", x, y, w, h);
        return;
    }
    size_t stride = (size_t)s->fb_w * 4;
    session_paint(cl, true);
    for (int j = 0; j < h; j++)
        memcpy(s->fb + (size_t)(y + j) * stride + (size_t)x * 4, buf + (size_t)j * (size_t)w * 4,
               (size_t)w * 4);
    session_paint(cl, false);
}

void session_draw_install(rfbClient *cl)
{
    /* libvncclient: "set all three or none" of CopyRect... they are used together. */
    cl->GotCopyRect = copy_rect;
    cl->GotFillRect = fill_rect;
    cl->GotBitmap = bitmap;
    session_decode_install();
}
