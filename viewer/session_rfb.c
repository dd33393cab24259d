/* libvncclient glue for a session: pixel format, our SetEncodings, our framebuffer allocator,
 * damage collection and publication, cursor, clipboard and bell callbacks; plus the cleanup of
 * what libvncclient 0.9.14 forgets to free. Runs on the session's network thread, except the
 * published frame's lock functions (session_frame_lock...), which the UI calls. */
#include "session_int.h"

#include "charset.h"
#include "log.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Exported by libvncclient (bundled TurboJPEG wrapper); frees the handle it leaks. */
extern int tjDestroy(void *handle);

int session_rfb_tag; /* its address is the rfbClientData key */

static struct session *owner(rfbClient *cl)
{
    return rfbClientGetClientData(cl, &session_rfb_tag);
}

static rfbBool alloc_framebuffer(rfbClient *cl)
{
    struct session *s = owner(cl);
    int w = cl->width, h = cl->height;
    if (w <= 0 || h <= 0 || w > SESSION_MAX_DIM || h > SESSION_MAX_DIM) {
        vv_error_set(&s->proto_error, VV_ERR_PROTOCOL,
                     "%s announced a %dx%d desktop; vncview accepts 1x1 to %dx%d", s->where, w, h,
                     SESSION_MAX_DIM, SESSION_MAX_DIM);
        return FALSE;
    }
    s->watchdog.allowance_ns = pump_watchdog_allowance_ns(w, h);
    uint8_t *fb = calloc((size_t)w * (size_t)h, 4);
    if (!fb) {
        vv_error_set(&s->proto_error, VV_ERR_GENERIC, "out of memory for a %dx%d desktop", w, h);
        return FALSE;
    }
    /* A resize: ExtendedDesktopSize does not make libvncclient ask for the new content. */
    s->resized_request = s->fb != NULL;
    /* A shared framebuffer stays the published frame until the new size is published. */
    pthread_mutex_lock(&s->frame_lock);
    if (s->fb != s->front)
        free(s->fb);
    s->fb = fb;
    s->fb_w = w;
    s->fb_h = h;
    s->fb_resized = true;
    s->pending_full = true;
    s->npending = 0;
    cl->frameBuffer = fb;
    pthread_mutex_unlock(&s->frame_lock);
    log_debug("framebuffer %dx%d", w, h);
    return TRUE;
}

static void add_damage(struct session *s, int x, int y, int w, int h)
{
    /* Clamp: libvncclient checks rectangles, but the published list must be exact. */
    if (x < 0)
        w += x, x = 0;
    if (y < 0)
        h += y, y = 0;
    if (x + w > s->fb_w)
        w = s->fb_w - x;
    if (y + h > s->fb_h)
        h = s->fb_h - y;
    if (w <= 0 || h <= 0 || s->pending_full)
        return;
    if (s->npending == SESSION_MAX_DAMAGE) {
        s->pending_full = true;
        return;
    }
    s->pending[s->npending++] = (struct vv_rect){x, y, w, h};
}

static void got_update(rfbClient *cl, int x, int y, int w, int h)
{
    struct session *s = owner(cl);
    s->painted |= w > 0 && h > 0; /* libvncclient reports some pseudo-rectangles as 0x0 */
    add_damage(s, x, y, w, h);
    /* Request-ahead: ask for the next update as soon as this one starts arriving, as TigerVNC
     * does, so that the server's encoding overlaps our decoding instead of waiting for it.
     * Servers merge outstanding incremental requests, so at most two updates are in flight and
     * a slow viewer is never flooded. This thread owns cl, so the write is safe here. */
    if (!s->requested_ahead) {
        s->requested_ahead = true;
        SendIncrementalFramebufferUpdateRequest(cl);
    }
}

static void finished_update(rfbClient *cl)
{
    struct session *s = owner(cl);
    s->requested_ahead = false;
    /* Only pseudo-rectangles (a cursor, the ExtendedDesktopSize announcement that answers our
     * SetEncodings): no pixel changed; a new desktop is published with its first pixels. */
    if (s->npending || s->painted)
        session_publish(s);
    s->painted = false;
}

static void copy_rect(uint8_t *dst, const uint8_t *src, int stride, struct vv_rect r)
{
    for (int row = 0; row < r.h; row++) {
        size_t off = (size_t)(r.y + row) * (size_t)stride + (size_t)r.x * 4;
        memcpy(dst + off, src + off, (size_t)r.w * 4);
    }
}

void session_paint(rfbClient *cl, bool begin)
{
    struct session *s = cl ? owner(cl) : NULL;
    if (!s || !s->cfg.share_frame)
        return;
    if (begin)
        pthread_mutex_lock(&s->frame_lock);
    else
        pthread_mutex_unlock(&s->frame_lock);
}

/* Hands the pending damage to the UI. share_frame: the framebuffer is the published frame and
 * only the damage list goes over; otherwise the damage is copied into a front buffer of our
 * own, so that the published frame is exactly the state after a whole update. */
void session_publish(struct session *s)
{
    if (!s->fb)
        return;
    bool share = s->cfg.share_frame;
    int stride = s->fb_w * 4;
    bool new_front = share ? s->front != s->fb : s->fb_resized || !s->front;
    if (!share && (new_front || s->pending_full)) /* a whole-desktop copy: see pump.h */
        s->watchdog.allowance_ns = pump_watchdog_allowance_ns(s->fb_w, s->fb_h);
    pthread_mutex_lock(&s->frame_lock);
    if (new_front) { /* first frame, or the first at a new size */
        uint8_t *f = share ? s->fb : malloc((size_t)stride * (size_t)s->fb_h);
        if (!f) {
            pthread_mutex_unlock(&s->frame_lock);
            return; /* keep the old frame; the next update retries */
        }
        free(s->front); /* shared: the framebuffer before the resize */
        s->front = f;
        s->front_w = s->fb_w;
        s->front_h = s->fb_h;
        s->front_resized = true;
        s->pending_full = true;
        s->fb_resized = false;
    }
    if (s->pending_full) {
        if (!share)
            memcpy(s->front, s->fb, (size_t)stride * (size_t)s->fb_h);
        s->front_full = true;
        s->ndamage = 0;
    } else {
        for (int i = 0; i < s->npending; i++) {
            if (!share)
                copy_rect(s->front, s->fb, stride, s->pending[i]);
            if (s->front_full)
                continue;
            if (s->ndamage == SESSION_MAX_DAMAGE)
                s->front_full = true;
            else
                s->damage[s->ndamage++] = s->pending[i];
        }
    }
    s->updates++;
    pthread_mutex_unlock(&s->frame_lock);
    s->npending = 0;
    s->pending_full = false;
    struct session_event ev = {.type = SESSION_EV_FRAME};
    session_emit(s, &ev);
}

/* The published frame, for the UI (any thread). */
static bool frame_locked(struct session *s, struct session_frame *out);

bool session_frame_lock(struct session *s, struct session_frame *out)
{
    pthread_mutex_lock(&s->frame_lock);
    return frame_locked(s, out);
}

bool session_frame_lock_within(struct session *s, struct session_frame *out, int max_ms, bool *busy)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until); /* pthread_mutex_timedlock's clock */
    until.tv_sec += max_ms / 1000;
    until.tv_nsec += (long)(max_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    *busy = pthread_mutex_timedlock(&s->frame_lock, &until) != 0;
    return !*busy && frame_locked(s, out);
}

static bool frame_locked(struct session *s, struct session_frame *out)
{
    if (!s->front) {
        pthread_mutex_unlock(&s->frame_lock);
        return false;
    }
    out->pixels = s->front;
    out->width = s->front_w;
    out->height = s->front_h;
    out->stride = s->front_w * 4;
    out->full = s->front_full;
    out->resized = s->front_resized;
    out->ndamage = s->ndamage;
    out->damage = s->damage;
    out->updates = s->updates;
    return true;
}

void session_frame_unlock(struct session *s, bool clear_damage)
{
    if (clear_damage) {
        s->ndamage = 0;
        s->front_full = false;
        s->front_resized = false;
    }
    pthread_mutex_unlock(&s->frame_lock);
}

static void got_cursor(rfbClient *cl, int xhot, int yhot, int width, int height, int bpp)
{
    struct session *s = owner(cl);
    if (bpp != 4 || width < 0 || height < 0 || width > 1024 || height > 1024 || !cl->rcSource)
        goto out;
    size_t n = (size_t)width * (size_t)height;
    uint32_t *argb = malloc(n ? n * 4 : 4);
    if (!argb)
        goto out;
    for (size_t i = 0; i < n; i++) {
        uint32_t px;
        memcpy(&px, cl->rcSource + i * 4, 4); /* B,G,R,X in memory = 0x00RRGGBB */
        argb[i] = (cl->rcMask && cl->rcMask[i]) ? (0xFF000000u | (px & 0xFFFFFFu)) : 0;
    }
    struct session_event ev = {.type = SESSION_EV_CURSOR};
    ev.u.cursor.hot_x = xhot;
    ev.u.cursor.hot_y = yhot;
    ev.u.cursor.width = width;
    ev.u.cursor.height = height;
    ev.u.cursor.argb = argb;
    session_emit(s, &ev);
    free(argb);
out:
    /* 0.9.14 allocates a new mask for every shape and never frees the old one. */
    free(cl->rcMask);
    cl->rcMask = NULL;
}

static void got_cut_text(rfbClient *cl, const char *text, int len)
{
    struct session *s = owner(cl);
    if (len < 0)
        return;
    size_t out_len = 0;
    char *utf8 = charset_latin1_to_utf8(text, (size_t)len, &out_len);
    if (!utf8)
        return;
    struct session_event ev = {.type = SESSION_EV_CLIPBOARD};
    ev.u.clipboard.utf8 = utf8;
    ev.u.clipboard.len = out_len;
    session_emit(s, &ev);
    free(utf8);
}

static void bell(rfbClient *cl)
{
    struct session_event ev = {.type = SESSION_EV_BELL};
    session_emit(owner(cl), &ev);
}

/* Authentication is ours; these only stop libvncclient from reading the terminal. */
static char *no_password(rfbClient *cl)
{
    (void)cl;
    return NULL;
}

static rfbCredential *no_credential(rfbClient *cl, int type)
{
    (void)cl;
    (void)type;
    return NULL;
}

rfbClient *session_rfb_new(struct session *s, int sock)
{
    rfbClient *cl = rfbGetClient(8, 3, 4);
    if (!cl)
        return NULL;
    /* B,G,R,X in memory: SDL_PIXELFORMAT_XRGB8888, uploads are straight copies. */
    cl->format.redShift = 16;
    cl->format.greenShift = 8;
    cl->format.blueShift = 0;
    rfbClientSetClientData(cl, &session_rfb_tag, s);
    session_draw_install(cl);
    cl->MallocFrameBuffer = alloc_framebuffer;
    cl->GotFrameBufferUpdate = got_update;
    cl->FinishedFrameBufferUpdate = finished_update;
    cl->GotCursorShape = got_cursor;
    cl->GotXCutText = got_cut_text;
    cl->Bell = bell;
    cl->GetPassword = no_password;
    cl->GetCredential = no_credential;
    cl->canHandleNewFBSize = TRUE;
    cl->appData.useRemoteCursor = TRUE;
    cl->appData.shareDesktop = s->cfg.shared ? TRUE : FALSE;
    free(cl->serverHost);
    cl->serverHost = strdup(s->cfg.addr.host);
    cl->serverPort = s->cfg.addr.port;
    cl->sock = sock;
    cl->listenSpecified = TRUE; /* the socket is connected already: no ConnectToRFBServer */
    return cl;
}

bool session_rfb_send_formats(struct session *s)
{
    rfbClient *cl = s->cl;
    rfbSetPixelFormatMsg spf;
    memset(&spf, 0, sizeof spf);
    spf.type = rfbSetPixelFormat;
    spf.format = cl->format;
    spf.format.redMax = htons(cl->format.redMax);
    spf.format.greenMax = htons(cl->format.greenMax);
    spf.format.blueMax = htons(cl->format.blueMax);
    if (!WriteToRFBServer(cl, (char *)&spf, sz_rfbSetPixelFormatMsg))
        return false;

    const int32_t *codes = s->codes;
    int n = s->ncodes;
    uint8_t msg[4 + ENC_MAX * 4];
    msg[0] = rfbSetEncodings;
    msg[1] = 0;
    msg[2] = (uint8_t)(n >> 8);
    msg[3] = (uint8_t)n;
    for (int i = 0; i < n; i++) {
        uint32_t be = htonl((uint32_t)codes[i]);
        memcpy(msg + 4 + i * 4, &be, 4);
    }
    return WriteToRFBServer(cl, (char *)msg, 4u + (unsigned)n * 4u);
}

void session_rfb_free(struct session *s)
{
    rfbClient *cl = s->cl;
    if (cl) {
        free(cl->rcSource);
        cl->rcSource = NULL;
        free(cl->rcMask);
        cl->rcMask = NULL;
        if (cl->tjhnd) {
            tjDestroy(cl->tjhnd);
            cl->tjhnd = NULL;
        }
        rfbClientCleanup(cl); /* closes cl->sock */
        s->cl = NULL;
    }
    session_decode_free(s);
    pthread_mutex_lock(&s->frame_lock);
    if (s->fb != s->front) /* a shared one is the published frame: session_destroy frees it */
        free(s->fb);
    s->fb = NULL;
    pthread_mutex_unlock(&s->frame_lock);
}
