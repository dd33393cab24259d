/* Guarded test client: the libvncclient thread on the socketpair, start/stop and the waits;
 * the relay thread is in guardclient_relay.c. */
#include "guardclient_priv.h"

#include "encodings.h"
#include "plat.h"
#include "testsrv.h"
#include "tightdec.h"
#include "ultradec.h"
#include "zlibdec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <rfb/rfbclient.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Exported by libvncclient; 0.9.14 leaks the handle otherwise. */
extern int tjDestroy(void *handle);

static int guardclient_tag;

static struct guardclient *owner(rfbClient *cl)
{
    return rfbClientGetClientData(cl, &guardclient_tag);
}

void guardclient_notify(struct guardclient *c)
{
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

/* The private encoding's data is skipped: ZRLE pixels are another module's business. */
static rfbBool skip_private_zrle(rfbClient *cl, rfbFramebufferUpdateRectHeader *rect)
{
    if ((int32_t)rect->encoding != GUARD_ENC_ZRLE_PRIVATE)
        return FALSE;
    uint32_t len;
    if (!ReadFromRFBServer(cl, (char *)&len, 4))
        return FALSE;
    len = ntohl(len);
    char buf[4096];
    while (len > 0) {
        uint32_t k = len < sizeof buf ? len : (uint32_t)sizeof buf;
        if (!ReadFromRFBServer(cl, buf, (unsigned)k))
            return FALSE;
        len -= k;
    }
    struct guardclient *c = owner(cl);
    pthread_mutex_lock(&c->lock);
    c->ev.private_zrle++;
    guardclient_notify(c);
    return TRUE;
}

/* Zlib and Ultra through vncview's decoders (the session registers its own glue, which looks
 * up a session and so passes these clients on to this one). */
static rfbBool decode_private(rfbClient *cl, rfbFramebufferUpdateRectHeader *rect)
{
    int32_t enc = (int32_t)rect->encoding;
    if (enc != GUARD_ENC_ZLIB_PRIVATE && enc != GUARD_ENC_ULTRA_PRIVATE)
        return FALSE;
    struct guardclient *c = owner(cl);
    uint32_t len;
    if (!c || !ReadFromRFBServer(cl, (char *)&len, 4))
        return FALSE;
    len = ntohl(len);
    int x = rect->r.x, y = rect->r.y, w = rect->r.w, h = rect->r.h;
    if (len > (64u << 20) || x + w > cl->width || y + h > cl->height)
        return FALSE;
    uint8_t *data = malloc(len ? len : 1);
    if (!data || !ReadFromRFBServer(cl, (char *)data, len)) {
        free(data);
        return FALSE;
    }
    struct vv_error err;
    bool ok;
    if (enc == GUARD_ENC_ZLIB_PRIVATE) {
        if (!c->zlib)
            c->zlib = zlibdec_new();
        ok = c->zlib && zlibdec_decode(c->zlib, data, len, (uint8_t *)cl->frameBuffer,
                                       cl->width * 4, x, y, w, h, &err);
    } else {
        if (!c->ultra)
            c->ultra = ultradec_new();
        ok = c->ultra && ultradec_decode(c->ultra, data, len, (uint8_t *)cl->frameBuffer,
                                         cl->width * 4, x, y, w, h, &err);
    }
    free(data);
    if (!ok)
        fprintf(stderr, "guardclient: %s\n", c->zlib || c->ultra ? err.message : "out of memory");
    return ok ? TRUE : FALSE;
}

static bool read_server(void *ctx, void *buf, size_t n)
{
    return ReadFromRFBServer(ctx, buf, (unsigned)n) != 0;
}

/* Tight through vncview's decoder, which reads its variable-length data itself. */
static rfbBool decode_private_tight(rfbClient *cl, rfbFramebufferUpdateRectHeader *rect)
{
    struct guardclient *c = owner(cl);
    if ((int32_t)rect->encoding != GUARD_ENC_TIGHT_PRIVATE || !c)
        return FALSE;
    if (!c->tight)
        c->tight = tightdec_new();
    struct vv_error err;
    vv_error_clear(&err);
    bool ok = c->tight && tightdec_read_rect(c->tight, read_server, NULL, cl,
                                             (uint8_t *)cl->frameBuffer, cl->width, cl->height,
                                             rect->r.x, rect->r.y, rect->r.w, rect->r.h, &err);
    if (!ok)
        fprintf(stderr, "guardclient: %s\n", c->tight ? err.message : "out of memory");
    return ok ? TRUE : FALSE;
}

static rfbClientProtocolExtension private_zrle_ext = {.handleEncoding = skip_private_zrle};
static rfbClientProtocolExtension private_decode_ext = {.handleEncoding = decode_private};
static rfbClientProtocolExtension private_tight_ext = {.handleEncoding = decode_private_tight};
static void register_ext(void)
{
    rfbClientRegisterExtension(&private_zrle_ext);
    rfbClientRegisterExtension(&private_decode_ext);
    rfbClientRegisterExtension(&private_tight_ext);
}

static void on_update(rfbClient *cl)
{
    struct guardclient *c = owner(cl);
    pthread_mutex_lock(&c->lock);
    c->updates++;
    c->ev.width = cl->width;
    c->ev.height = cl->height;
    guardclient_notify(c);
}

static void on_cursor(rfbClient *cl, int xhot, int yhot, int w, int h, int bpp)
{
    (void)bpp;
    struct guardclient *c = owner(cl);
    free(cl->rcMask); /* 0.9.14 leaks the previous one */
    cl->rcMask = NULL;
    pthread_mutex_lock(&c->lock);
    c->ev.cursors++;
    c->ev.cursor_w = w, c->ev.cursor_h = h, c->ev.cursor_hot_x = xhot, c->ev.cursor_hot_y = yhot;
    guardclient_notify(c);
}

static void on_cut_text(rfbClient *cl, const char *text, int len)
{
    (void)text;
    struct guardclient *c = owner(cl);
    pthread_mutex_lock(&c->lock);
    c->ev.cut_texts++;
    c->ev.cut_len = (size_t)len;
    guardclient_notify(c);
}

static void on_bell(rfbClient *cl)
{
    struct guardclient *c = owner(cl);
    pthread_mutex_lock(&c->lock);
    c->ev.bells++;
    guardclient_notify(c);
}

/* vncview's SetPixelFormat and SetEncodings (as session_rfb_send_formats sends them). */
static bool send_formats(struct guardclient *c)
{
    rfbClient *cl = c->cl;
    rfbSetPixelFormatMsg spf;
    memset(&spf, 0, sizeof spf);
    spf.type = rfbSetPixelFormat;
    spf.format = cl->format;
    spf.format.redMax = htons(cl->format.redMax);
    spf.format.greenMax = htons(cl->format.greenMax);
    spf.format.blueMax = htons(cl->format.blueMax);
    if (!WriteToRFBServer(cl, (char *)&spf, sz_rfbSetPixelFormatMsg))
        return false;
    uint8_t msg[4 + ENC_MAX * 4] = {rfbSetEncodings, 0, 0, (uint8_t)c->ncodes};
    for (int i = 0; i < c->ncodes; i++) {
        uint32_t be = htonl((uint32_t)c->codes[i]);
        memcpy(msg + 4 + i * 4, &be, 4);
    }
    return WriteToRFBServer(cl, (char *)msg, 4 + c->ncodes * 4);
}

static bool handle(struct guardclient *c)
{
    pthread_mutex_lock(&c->fb_lock);
    bool ok = HandleRFBServerMessage(c->cl);
    pthread_mutex_unlock(&c->fb_lock);
    return ok;
}

static void *client_main(void *arg)
{
    struct guardclient *c = arg;
    rfbClient *cl = c->cl;
    bool ok = InitialiseRFBConnection(cl);
    if (ok) {
        cl->width = cl->si.framebufferWidth;
        cl->height = cl->si.framebufferHeight;
        /* What libvncclient's incremental requests ask for (full frame, as in the session). */
        cl->updateRect.x = cl->updateRect.y = 0;
        cl->updateRect.w = cl->width;
        cl->updateRect.h = cl->height;
        ok = cl->MallocFrameBuffer(cl) && send_formats(c) &&
             SendFramebufferUpdateRequest(cl, 0, 0, cl->width, cl->height, FALSE);
    }
    while (ok && !c->stop) {
        while (ok && cl->buffered > 0 && !c->stop)
            ok = handle(c);
        struct pollfd pf[2] = {{cl->sock, POLLIN, 0}, {c->stop_wake.rfd, POLLIN, 0}};
        if (!ok || poll(pf, 2, -1) < 0 || (pf[1].revents & POLLIN))
            break;
        if (pf[0].revents)
            ok = handle(c);
    }
    pthread_mutex_lock(&c->lock);
    c->ended = true;
    guardclient_notify(c);
    return NULL;
}

static int connect_loopback(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

struct guardclient *guardclient_start(const struct guardclient_opts *o)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_ext);
    struct guardclient *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->o = *o;
    c->srv_fd = c->sv[0] = c->sv[1] = -1;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->fb_lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    plat_wake_open(&c->stop_wake);
    if (o->codes) {
        c->ncodes = o->ncodes < ENC_MAX ? o->ncodes : ENC_MAX;
        memcpy(c->codes, o->codes, (size_t)c->ncodes * sizeof c->codes[0]);
    } else {
        struct enc_list l;
        struct vv_error err;
        if (!enc_parse(o->encodings, &l, &err)) {
            fprintf(stderr, "guardclient: %s\n", err.message);
            guardclient_stop(c);
            return NULL;
        }
        c->ncodes = enc_build(&l, o->quality, o->compress, o->quality < 0, c->codes, ENC_MAX);
    }
    c->srv_fd = connect_loopback(o->port);
    if (c->srv_fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->sv) != 0) {
        fprintf(stderr, "guardclient: cannot connect to 127.0.0.1:%d\n", o->port);
        guardclient_stop(c);
        return NULL;
    }
    plat_set_nonblock(c->sv[0], true);
    rfbClient *cl = c->cl = rfbGetClient(8, 3, 4);
    cl->format.redShift = 16; /* B,G,R,X like the session */
    cl->format.greenShift = 8;
    cl->format.blueShift = 0;
    cl->FinishedFrameBufferUpdate = on_update;
    cl->GotCursorShape = on_cursor;
    cl->GotXCutText = on_cut_text;
    cl->Bell = on_bell;
    cl->canHandleNewFBSize = TRUE;
    rfbClientSetClientData(cl, &guardclient_tag, c);
    cl->sock = c->sv[1];
    c->sv[1] = -1; /* rfbClientCleanup closes it */
    cl->listenSpecified = TRUE;
    c->relay_started = pthread_create(&c->relay_thread, NULL, guardclient_relay_main, c) == 0;
    c->client_started =
        c->relay_started && pthread_create(&c->client_thread, NULL, client_main, c) == 0;
    if (!c->client_started) {
        guardclient_stop(c);
        return NULL;
    }
    return c;
}

void guardclient_halt(struct guardclient *c)
{
    c->stop = true;
    plat_wake_signal(&c->stop_wake);
    if (c->relay_started)
        pthread_join(c->relay_thread, NULL);
    if (c->client_started)
        pthread_join(c->client_thread, NULL);
    c->relay_started = c->client_started = false;
}

void guardclient_stop(struct guardclient *c)
{
    if (!c)
        return;
    guardclient_halt(c);
    if (c->cl) {
        free(c->cl->rcSource);
        c->cl->rcSource = NULL;
        free(c->cl->rcMask);
        c->cl->rcMask = NULL;
        if (c->cl->tjhnd)
            tjDestroy(c->cl->tjhnd);
        c->cl->tjhnd = NULL;
        free(c->cl->frameBuffer);
        c->cl->frameBuffer = NULL;
        rfbClientCleanup(c->cl);
    }
    for (int i = 0; i < 2; i++)
        if (c->sv[i] >= 0)
            close(c->sv[i]);
    if (c->srv_fd >= 0)
        close(c->srv_fd);
    plat_wake_close(&c->stop_wake);
    zlibdec_free(c->zlib);
    ultradec_free(c->ultra);
    tightdec_free(c->tight);
    free(c->rec[0]);
    free(c->rec[1]);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->fb_lock);
    pthread_cond_destroy(&c->cond);
    free(c);
}

static void deadline(struct timespec *ts, int timeout_ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += timeout_ms / 1000;
    ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

uint64_t guardclient_updates(struct guardclient *c)
{
    pthread_mutex_lock(&c->lock);
    uint64_t n = c->updates;
    pthread_mutex_unlock(&c->lock);
    return n;
}

bool guardclient_wait_updates(struct guardclient *c, uint64_t n, int timeout_ms)
{
    struct timespec until;
    deadline(&until, timeout_ms);
    pthread_mutex_lock(&c->lock);
    while (c->updates < n && !c->ended)
        if (pthread_cond_timedwait(&c->cond, &c->lock, &until) != 0)
            break;
    bool ok = c->updates >= n;
    pthread_mutex_unlock(&c->lock);
    return ok;
}

bool guardclient_wait_event(struct guardclient *c,
                            bool (*pred)(const struct guardclient_events *ev, int arg), int arg,
                            int timeout_ms)
{
    struct timespec until;
    deadline(&until, timeout_ms);
    pthread_mutex_lock(&c->lock);
    while (!pred(&c->ev, arg) && !c->ended)
        if (pthread_cond_timedwait(&c->cond, &c->lock, &until) != 0)
            break;
    bool ok = pred(&c->ev, arg);
    pthread_mutex_unlock(&c->lock);
    return ok;
}

static long diff_once(struct guardclient *c, struct testsrv *srv, int tol)
{
    int sw = 0, sh = 0;
    uint32_t *want = testsrv_copy_pixels(srv, &sw, &sh); /* before the lock: see bench_decode */
    long d = 0;
    pthread_mutex_lock(&c->fb_lock);
    const uint8_t *fb = c->cl->frameBuffer;
    if (!want || !fb || c->cl->width != sw || c->cl->height != sh) {
        d = -1;
    } else {
        for (long i = 0; i < (long)sw * sh; i++) {
            const uint8_t *p = fb + i * 4;
            uint32_t g = want[i];
            if (abs(p[2] - (int)(g >> 16 & 255)) > tol || abs(p[1] - (int)(g >> 8 & 255)) > tol ||
                abs(p[0] - (int)(g & 255)) > tol)
                d++;
        }
    }
    pthread_mutex_unlock(&c->fb_lock);
    free(want);
    return d;
}

long guardclient_wait_equal(struct guardclient *c, struct testsrv *srv, int tol, long allowed,
                            int timeout_ms)
{
    uint64_t until = plat_now_ms() + (uint64_t)timeout_ms;
    long d;
    while (((d = diff_once(c, srv, tol)) < 0 || d > allowed) && plat_now_ms() < until &&
           !guardclient_ended(c)) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return d;
}

bool guardclient_ended(struct guardclient *c)
{
    pthread_mutex_lock(&c->lock);
    bool e = c->ended;
    pthread_mutex_unlock(&c->lock);
    return e;
}

bool guardclient_guard_ok(struct guardclient *c, struct vv_error *err)
{
    pthread_mutex_lock(&c->lock);
    bool ok = !c->guard_failed;
    if (err)
        *err = c->guard_err;
    pthread_mutex_unlock(&c->lock);
    return ok;
}

void guardclient_stats(struct guardclient *c, struct guard_stats *st)
{
    pthread_mutex_lock(&c->lock);
    *st = c->stats;
    pthread_mutex_unlock(&c->lock);
}

void guardclient_events(struct guardclient *c, struct guardclient_events *ev)
{
    pthread_mutex_lock(&c->lock);
    *ev = c->ev;
    pthread_mutex_unlock(&c->lock);
}

void guardclient_recorded(struct guardclient *c, const uint8_t **in, size_t *in_len,
                          const uint8_t **out, size_t *out_len, bool *truncated)
{
    pthread_mutex_lock(&c->lock);
    *in = c->rec[0];
    *in_len = c->rec_len[0];
    *out = c->rec[1];
    *out_len = c->rec_len[1];
    *truncated = c->rec_truncated;
    pthread_mutex_unlock(&c->lock);
}
