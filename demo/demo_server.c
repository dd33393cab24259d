/* The demo server: our own 127.0.0.1 listener feeding libvncserver (which opens no socket of its
 * own), one thread that serves viewers and animates the scene at 30 frames per second, and the
 * hooks that turn viewer input into scene changes, the bell and clipboard text. */
#include "demo_server.h"
#include "demo_scene.h"
#include "demo_text.h"
#include "log.h"
#include "plat.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <rfb/keysym.h>
#include <rfb/rfb.h>

#include "lvs_loopback.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEMO_FPS 30
#define DEMO_MIN_DIM 64
#define DEMO_MAX_DIM 8192
#define DEMO_MAX_POLL_CLIENTS 32

struct demo_server {
    /* Held around every libvncserver and scene call; hooks run with it held. */
    pthread_mutex_t lock;
    rfbScreenInfoPtr screen;
    struct demo_scene *scene;
    struct demo_fonts fonts;
    bool stopping;
    int bells;
    int listen_fd, port;
    struct plat_wake wake;
    pthread_t thread;
    bool thread_started;
};

/* libvncserver 0.9.14 leaks a client iterator (24 bytes) every time a SetDesktopSize hook
 * returns success (rfbserver.c, case rfbSetDesktopSize: no rfbReleaseClientIterator). Only
 * LeakSanitizer reads this; weak, so the test server's identical copy can share a binary. */
__attribute__((weak)) const char *__lsan_default_suppressions(void);
__attribute__((weak)) const char *__lsan_default_suppressions(void)
{
    return "leak:rfbGetClientIterator\n";
}

static int clamp_dim(int v)
{
    return v < DEMO_MIN_DIM ? DEMO_MIN_DIM : v > DEMO_MAX_DIM ? DEMO_MAX_DIM : v;
}

/* rfbSendBell/rfbSendServerCutText also write to viewers still in the handshake, which
 * corrupts it; we only write to those in the normal state. Returns how many got it. */
static int send_to_ready(struct demo_server *d, const void *hdr, int hlen, const void *body,
                         int blen)
{
    int n = 0;
    rfbClientIteratorPtr it = rfbGetClientIterator(d->screen);
    rfbClientPtr cl;
    while ((cl = rfbClientIteratorNext(it))) {
        if (cl->state != RFB_NORMAL)
            continue;
        if (rfbWriteExact(cl, hdr, hlen) < 0 || (blen > 0 && rfbWriteExact(cl, body, blen) < 0))
            rfbCloseClient(cl);
        else
            n++;
    }
    rfbReleaseClientIterator(it);
    return n;
}

static void ring_bell(struct demo_server *d)
{
    rfbBellMsg b = {.type = rfbBell};
    int n = send_to_ready(d, &b, sz_rfbBellMsg, NULL, 0);
    d->bells++;
    char note[128];
    snprintf(note, sizeof note, "Bell sent to %d viewer%s (F2), %d so far", n, n == 1 ? "" : "s",
             d->bells);
    demo_scene_note(d->scene, note);
}

static void send_clipboard(struct demo_server *d)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char text[96]; /* ASCII, hence valid Latin-1 */
    int len =
        snprintf(text, sizeof text, "Hello from the vncview demo server, sent at %02d:%02d:%02d",
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
    rfbServerCutTextMsg m;
    memset(&m, 0, sizeof m);
    m.type = rfbServerCutText;
    m.length = htonl((uint32_t)len);
    int n = send_to_ready(d, &m, sz_rfbServerCutTextMsg, text, len);
    char note[128];
    snprintf(note, sizeof note, "Clipboard text sent to %d viewer%s (F3)", n, n == 1 ? "" : "s");
    demo_scene_note(d->scene, note);
}

/* ---- hooks (server thread, lock held) ---- */

static void on_key(rfbBool down, rfbKeySym sym, rfbClientPtr cl)
{
    struct demo_server *d = cl->screen->screenData;
    demo_scene_key(d->scene, (uint32_t)sym, down != 0);
    if (down && sym == XK_F2)
        ring_bell(d);
    else if (down && sym == XK_F3)
        send_clipboard(d);
}

static void on_pointer(int buttons, int x, int y, rfbClientPtr cl)
{
    struct demo_server *d = cl->screen->screenData;
    demo_scene_pointer(d->scene, x, y, buttons);
    rfbDefaultPtrAddEvent(buttons, x, y, cl);
}

static void on_cut_text(char *text, int len, rfbClientPtr cl)
{
    struct demo_server *d = cl->screen->screenData;
    demo_scene_cut_text(d->scene, text, len > 0 ? (size_t)len : 0);
}

static bool resize_locked(struct demo_server *d, int w, int h)
{
    if (!demo_scene_resize(d->scene, w, h))
        return false;
    /* The scene freed the old pixels: repoint libvncserver before anything reads them. It marks
     * everything modified and tells viewers about the new size. */
    rfbNewFramebuffer(d->screen, (char *)demo_scene_pixels(d->scene), w, h, 8, 3, 4);
    return true;
}

static int on_set_desktop_size(int w, int h, int nscreens, struct rfbExtDesktopScreen *screens,
                               rfbClientPtr cl)
{
    (void)nscreens;
    (void)screens;
    struct demo_server *d = cl->screen->screenData;
    if (!resize_locked(d, clamp_dim(w), clamp_dim(h)))
        return rfbExtDesktopSize_OutOfResources;
    return rfbExtDesktopSize_Success;
}

/* An arrow with a white body and dark outline; viewers that take cursor shapes draw it
 * locally. */
static rfbCursorPtr make_cursor(void)
{
    static const char *const art[] = {
        "#           ", "##          ", "#.#         ", "#..#        ", "#...#       ",
        "#....#      ", "#.....#     ", "#......#    ", "#.......#   ", "#........#  ",
        "#.........# ", "#......#####", "#...#..#    ", "#..# #..#   ", "#.#  #..#   ",
        "##    #..#  ", "#     #..#  ", "       #..# ", "       #### ",
    };
    enum { W = 12, H = 19, BPR = (W + 7) / 8 };
    rfbCursorPtr c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cleanup = c->cleanupSource = c->cleanupMask = c->cleanupRichSource = TRUE;
    c->width = W;
    c->height = H;
    c->backRed = c->backGreen = c->backBlue = 0xffff;
    c->source = calloc(BPR * H, 1);
    c->mask = calloc(BPR * H, 1);
    c->richSource = calloc(W * H, 4);
    if (!c->source || !c->mask || !c->richSource) {
        rfbFreeCursor(c);
        return NULL;
    }
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t bit = (uint8_t)(0x80 >> (x % 8));
            if (art[y][x] == ' ')
                continue;
            c->mask[y * BPR + x / 8] |= bit;
            uint8_t v = art[y][x] == '#' ? 0x10 : 0xff;
            if (art[y][x] == '#')
                c->source[y * BPR + x / 8] |= bit; /* XCursor: source bit = foreground (black) */
            memset(c->richSource + (y * W + x) * 4, v, 3);
        }
    return c;
}

/* ---- server thread ---- */

static void mark(void *ctx, struct demo_rect r)
{
    rfbMarkRectAsModified(ctx, r.x, r.y, r.x + r.w, r.y + r.h);
}

static void *demo_main(void *arg)
{
    struct demo_server *d = arg;
    struct pollfd pfd[2 + DEMO_MAX_POLL_CLIENTS];
    uint64_t t0 = plat_now_ms(), frame = 0;
    for (;;) {
        int n = 0;
        pfd[n++] = (struct pollfd){.fd = d->listen_fd, .events = POLLIN};
        pfd[n++] = (struct pollfd){.fd = d->wake.rfd, .events = POLLIN};
        pthread_mutex_lock(&d->lock);
        bool stop = d->stopping;
        for (rfbClientPtr cl = d->screen->clientHead; cl && n < 2 + DEMO_MAX_POLL_CLIENTS;
             cl = cl->next)
            if (cl->sock != RFB_INVALID_SOCKET)
                pfd[n++] = (struct pollfd){.fd = cl->sock, .events = POLLIN};
        pthread_mutex_unlock(&d->lock);
        if (stop)
            break;

        uint64_t next = t0 + (frame + 1) * 1000 / DEMO_FPS, now = plat_now_ms();
        poll(pfd, (nfds_t)n, next > now ? (int)(next - now) : 0);

        pthread_mutex_lock(&d->lock);
        if (pfd[1].revents)
            plat_wake_drain(&d->wake);
        if (!d->stopping && (pfd[0].revents & POLLIN))
            lvs_accept(d->screen, d->listen_fd);
        /* Input first, so the frame drawn below already shows it. */
        rfbProcessEvents(d->screen, 0);
        now = plat_now_ms();
        if (now >= next) {
            frame++;
            /* After a stall (a slow viewer, a suspended laptop) skip frames, don't race. */
            if (now - next > 250)
                frame = (now - t0) * DEMO_FPS / 1000;
            demo_scene_tick(d->scene, (double)(now - t0) / 1000.0, frame);
        }
        demo_scene_clients(d->scene, lvs_ready_clients(d->screen));
        demo_scene_flush(d->scene, mark, d->screen);
        /* Sends what was just drawn to viewers waiting for an update. */
        rfbProcessEvents(d->screen, 0);
        pthread_mutex_unlock(&d->lock);
    }
    return NULL;
}

/* ---- lifecycle ---- */

static bool init_screen(struct demo_server *d, int w, int h)
{
    d->screen = rfbGetScreen(NULL, NULL, w, h, 8, 3, 4); /* R,G,B,X in memory */
    if (!d->screen)
        return false;
    rfbScreenInfoPtr sc = d->screen;
    sc->frameBuffer = (char *)demo_scene_pixels(d->scene);
    sc->screenData = d;
    sc->desktopName = "vncview demo";
    lvs_configure_screen(sc); /* no listener of libvncserver's own: ours */
    sc->kbdAddEvent = on_key;
    sc->ptrAddEvent = on_pointer;
    sc->setXCutText = on_cut_text;
    sc->setDesktopSizeHook = on_set_desktop_size;
    sc->cursor = make_cursor();
    if (!sc->cursor)
        return false;
    rfbInitServer(sc);
    return true;
}

struct demo_server *demo_server_start(int width, int height, struct vv_error *err)
{
    int w = clamp_dim(width), h = clamp_dim(height);
    struct demo_server *d = calloc(1, sizeof *d);
    if (!d) {
        vv_error_set(err, VV_ERR_GENERIC, "out of memory starting the demo server");
        return NULL;
    }
    pthread_mutex_init(&d->lock, NULL);
    d->listen_fd = -1;
    d->wake.rfd = d->wake.wfd = -1;
    plat_ignore_sigpipe();
    lvs_route_logs("demo server", LOG_INFO);

    int rc = plat_wake_open(&d->wake);
    if (rc < 0) {
        vv_error_set(err, VV_ERR_GENERIC, "demo server: cannot create a pipe: %s", strerror(-rc));
        goto fail;
    }
    d->listen_fd = lvs_listen_loopback(&d->port, 8);
    if (d->listen_fd < 0) {
        vv_error_set(err, VV_ERR_GENERIC,
                     "demo server: cannot listen on 127.0.0.1: %s (is the loopback interface up?)",
                     strerror(-d->listen_fd));
        goto fail;
    }
    demo_fonts_open(&d->fonts);
    d->scene = demo_scene_new(w, h, &d->fonts);
    if (!d->scene || !init_screen(d, w, h)) {
        vv_error_set(err, VV_ERR_GENERIC, "demo server: out of memory for a %dx%d desktop", w, h);
        goto fail;
    }
    rc = pthread_create(&d->thread, NULL, demo_main, d);
    if (rc != 0) {
        vv_error_set(err, VV_ERR_GENERIC, "demo server: cannot start its thread: %s", strerror(rc));
        goto fail;
    }
    d->thread_started = true;
    log_info("demo server listening on 127.0.0.1 port %d", d->port);
    return d;
fail:
    demo_server_stop(d);
    return NULL;
}

int demo_server_port(struct demo_server *d)
{
    return d->port;
}

void demo_server_resize(struct demo_server *d, int w, int h)
{
    pthread_mutex_lock(&d->lock);
    resize_locked(d, clamp_dim(w), clamp_dim(h));
    pthread_mutex_unlock(&d->lock);
    plat_wake_signal(&d->wake);
}

void demo_server_stop(struct demo_server *d)
{
    if (!d)
        return;
    if (d->thread_started) {
        pthread_mutex_lock(&d->lock);
        d->stopping = true;
        pthread_mutex_unlock(&d->lock);
        plat_wake_signal(&d->wake);
        pthread_join(d->thread, NULL);
    }
    if (d->screen) {
        /* Closes and frees every viewer, then the screen and its cursor; not the pixels. */
        rfbShutdownServer(d->screen, TRUE);
        rfbScreenCleanup(d->screen);
    }
    demo_scene_free(d->scene);
    demo_fonts_close(&d->fonts);
    plat_close(d->listen_fd);
    plat_wake_close(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}
