/* The libvncclient extension for the private encodings the stream guard renames ZRLE, Zlib,
 * Ultra and Tight rectangles to (guard.h): it reads each rectangle's data and hands it to our
 * decoders (zrle.c, zlibdec.c, ultradec.c, tightdec.c), which never see libvncclient. Painting
 * is bracketed for the shared frame (paint.h), never a read. Network thread only. */
#include "session_int.h"

#include "guard.h"
#include "paint.h"
#include "tightdec.h"
#include "ultradec.h"
#include "zlibdec.h"
#include "zrle.h"

#include <pthread.h>
#include <stdlib.h>

/* The guard allows far less; never trust one check. */
#define MAX_COMPRESSED (64u * 1024 * 1024)

extern int session_rfb_tag; /* session_rfb.c: the rfbClientData key */

static bool fail(struct session *s, struct vv_error *err)
{
    session_fail(s, err);
    return false;
}

static bool read_u32(rfbClient *cl, uint32_t *v)
{
    uint8_t b[4];
    if (!ReadFromRFBServer(cl, (char *)b, 4))
        return false;
    *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    return true;
}

/* ZRLE and Ultra: a u32 length, then that much data, read whole. NULL if the connection failed
 * or the length is absurd (then the session is failed). */
static uint8_t *read_blob(struct session *s, const char *name, uint32_t *len)
{
    if (!read_u32(s->cl, len))
        return NULL;
    if (*len > MAX_COMPRESSED) {
        struct vv_error e;
        vv_error_set(&e, VV_ERR_PROTOCOL, "the server announced a %s rectangle of %u bytes", name,
                     *len);
        fail(s, &e);
        return NULL;
    }
    uint8_t *data = malloc(*len ? *len : 1);
    if (data && !ReadFromRFBServer(s->cl, (char *)data, *len)) {
        free(data);
        return NULL;
    }
    return data;
}

static bool inside(const rfbClient *cl, const rfbRectangle *r)
{
    return r->x + r->w <= cl->width && r->y + r->h <= cl->height; /* u16 fields: no negatives */
}

static bool outside(struct session *s, const char *name, const rfbRectangle *r)
{
    struct vv_error e;
    vv_error_set(&e, VV_ERR_PROTOCOL,
                 "the server sent a %dx%d %s rectangle at %d,%d outside its %dx%d desktop", r->w,
                 r->h, name, r->x, r->y, s->cl->width, s->cl->height);
    return fail(s, &e);
}

static bool zrle(struct session *s, const rfbRectangle *r)
{
    if (!s->zrle && !(s->zrle = zrle_new()))
        return false;
    uint32_t len;
    uint8_t *data = read_blob(s, "ZRLE", &len);
    if (!data)
        return false;
    struct vv_error e;
    vv_error_clear(&e);
    bool ok = inside(s->cl, r);
    if (ok) {
        session_paint(s->cl, true);
        ok = zrle_decode(s->zrle, data, len, s->cl->frameBuffer, s->cl->width * 4, r->x, r->y, r->w,
                         r->h, &e);
        session_paint(s->cl, false);
    }
    free(data);
    if (ok)
        return true;
    return e.code == VV_OK ? outside(s, "ZRLE", r) : fail(s, &e);
}

static bool ultra(struct session *s, const rfbRectangle *r)
{
    if (!s->ultra && !(s->ultra = ultradec_new()))
        return false;
    if (!inside(s->cl, r))
        return outside(s, "Ultra", r);
    uint32_t len;
    uint8_t *data = read_blob(s, "Ultra", &len);
    if (!data)
        return false;
    struct vv_error e;
    vv_error_clear(&e);
    session_paint(s->cl, true);
    bool ok = ultradec_decode(s->ultra, data, len, s->cl->frameBuffer, s->cl->width * 4, r->x, r->y,
                              r->w, r->h, &e);
    session_paint(s->cl, false);
    free(data);
    return ok || fail(s, &e);
}

/* Zlib: inflated as it arrives, painted once the rectangle is whole. */
static bool zlib(struct session *s, const rfbRectangle *r)
{
    if (!s->zlib && !(s->zlib = zlibdec_new()))
        return false;
    uint32_t len;
    if (!read_u32(s->cl, &len))
        return false;
    struct vv_error e;
    vv_error_clear(&e);
    if (len > MAX_COMPRESSED) {
        vv_error_set(&e, VV_ERR_PROTOCOL, "the server announced a Zlib rectangle of %u bytes", len);
        return fail(s, &e);
    }
    if (!inside(s->cl, r))
        return outside(s, "Zlib", r);
    if (!zlibdec_begin(s->zlib, r->w, r->h, &e))
        return fail(s, &e);
    uint8_t chunk[16 * 1024];
    while (len > 0) {
        uint32_t k = len < sizeof chunk ? len : (uint32_t)sizeof chunk;
        if (!ReadFromRFBServer(s->cl, (char *)chunk, k))
            return false;
        if (!zlibdec_feed(s->zlib, chunk, k, &e))
            return fail(s, &e);
        len -= k;
    }
    session_paint(s->cl, true);
    bool ok =
        zlibdec_finish(s->zlib, (uint8_t *)s->cl->frameBuffer, s->cl->width * 4, r->x, r->y, &e);
    session_paint(s->cl, false);
    return ok || fail(s, &e);
}

static bool tight_read(void *ctx, void *buf, size_t n)
{
    /* ReadFromRFBServer takes an unsigned int; Tight reads are at most 4 MiB. */
    return ReadFromRFBServer(ctx, buf, (unsigned int)n) != 0;
}

static void tight_paint(void *ctx, bool begin)
{
    session_paint(ctx, begin);
}

static bool tight(struct session *s, const rfbRectangle *r)
{
    if (!s->tight && !(s->tight = tightdec_new()))
        return false;
    struct vv_error e;
    vv_error_clear(&e);
    if (tightdec_read_rect(s->tight, tight_read, tight_paint, s->cl, (uint8_t *)s->cl->frameBuffer,
                           s->cl->width, s->cl->height, r->x, r->y, r->w, r->h, &e))
        return true;
    return e.code != VV_ERR_CLOSED && fail(s, &e);
}

static rfbBool handle_encoding(rfbClient *cl, rfbFramebufferUpdateRectHeader *rect)
{
    struct session *s = rfbClientGetClientData(cl, &session_rfb_tag);
    if (!s)
        return FALSE; /* not a session's client: nothing read, another extension may take it */
    switch ((int32_t)rect->encoding) {
    case GUARD_ENC_ZRLE_PRIVATE:
        return zrle(s, &rect->r) ? TRUE : FALSE;
    case GUARD_ENC_ZLIB_PRIVATE:
        return zlib(s, &rect->r) ? TRUE : FALSE;
    case GUARD_ENC_ULTRA_PRIVATE:
        return ultra(s, &rect->r) ? TRUE : FALSE;
    case GUARD_ENC_TIGHT_PRIVATE:
        return tight(s, &rect->r) ? TRUE : FALSE;
    }
    return FALSE;
}

static int private_encodings[] = {GUARD_ENC_ZRLE_PRIVATE, GUARD_ENC_ZLIB_PRIVATE,
                                  GUARD_ENC_ULTRA_PRIVATE, GUARD_ENC_TIGHT_PRIVATE, 0};
static rfbClientProtocolExtension extension = {
    private_encodings, handle_encoding, NULL, NULL, NULL, NULL};

static void register_once(void)
{
    rfbClientRegisterExtension(&extension); /* libvncclient's list is global */
}

void session_decode_install(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_once);
}

void session_decode_free(struct session *s)
{
    zrle_free(s->zrle);
    s->zrle = NULL;
    tightdec_free(s->tight);
    s->tight = NULL;
    zlibdec_free(s->zlib);
    s->zlib = NULL;
    ultradec_free(s->ultra);
    s->ultra = NULL;
}
