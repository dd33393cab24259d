/* Test server lifecycle: our own loopback listener, a server thread that hands accepted sockets to
 * libvncserver and runs its event processing, and the hooks that record client input. */
#include "testsrv_priv.h"
#include "lvs_loopback.h"
#include "log.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

pthread_mutex_t testsrv_lvs_lock = PTHREAD_MUTEX_INITIALIZER;

/* libvncserver 0.9.14 leaks a client iterator (24 bytes) every time a SetDesktopSize hook
 * returns success (rfbserver.c, case rfbSetDesktopSize: no rfbReleaseClientIterator). Only
 * LeakSanitizer reads this; weak, so demo_server.c's identical copy can share a binary. */
__attribute__((weak)) const char *__lsan_default_suppressions(void);
__attribute__((weak)) const char *__lsan_default_suppressions(void)
{
    return "leak:rfbGetClientIterator\n";
}

#define MAX_POLL_CLIENTS 64

/* ---- libvncserver hooks (server thread, under testsrv_lvs_lock) ---- */

static void on_key(rfbBool down, rfbKeySym keysym, rfbClientPtr cl)
{
    struct testsrv *s = cl->screen->screenData;
    struct testsrv_key_event ev = {.keysym = (uint32_t)keysym, .down = down != 0};
    pthread_mutex_lock(&s->ev_lock);
    testsrv_queue_push(&s->keys, &ev);
    pthread_cond_broadcast(&s->ev_cond);
    pthread_mutex_unlock(&s->ev_lock);
}

static void on_pointer(int buttons, int x, int y, rfbClientPtr cl)
{
    struct testsrv *s = cl->screen->screenData;
    struct testsrv_ptr_event ev = {.x = x, .y = y, .buttons = (uint8_t)buttons};
    pthread_mutex_lock(&s->ev_lock);
    testsrv_queue_push(&s->ptrs, &ev);
    pthread_cond_broadcast(&s->ev_cond);
    pthread_mutex_unlock(&s->ev_lock);
    /* Keeps libvncserver's cursor position (drawn cursor, CursorPos to other clients). */
    rfbDefaultPtrAddEvent(buttons, x, y, cl);
}

static void on_cut_text(char *text, int len, rfbClientPtr cl)
{
    struct testsrv *s = cl->screen->screenData;
    struct testsrv_cut c = {.text = malloc((size_t)len + 1), .len = (size_t)len};
    if (!c.text)
        return;
    memcpy(c.text, text, (size_t)len);
    c.text[len] = '\0';
    pthread_mutex_lock(&s->ev_lock);
    testsrv_queue_push(&s->cuts, &c);
    pthread_cond_broadcast(&s->ev_cond);
    pthread_mutex_unlock(&s->ev_lock);
}

static int on_set_desktop_size(int w, int h, int nscreens, struct rfbExtDesktopScreen *screens,
                               rfbClientPtr cl)
{
    (void)nscreens;
    (void)screens;
    struct testsrv *s = cl->screen->screenData;
    pthread_mutex_lock(&s->ev_lock);
    s->have_resize_req = true;
    s->req_w = w;
    s->req_h = h;
    pthread_cond_broadcast(&s->ev_cond);
    pthread_mutex_unlock(&s->ev_lock);
    if (w < 1 || h < 1 || w > TESTSRV_MAX_DIM || h > TESTSRV_MAX_DIM)
        return rfbExtDesktopSize_InvalidScreenLayout;
    if (!testsrv_resize_locked(s, w, h))
        return rfbExtDesktopSize_OutOfResources;
    return rfbExtDesktopSize_Success;
}

/* QEMU reports screen id 0; libvncclient 0.9.14 ignores such screens. */
static rfbBool screen_id0_hook(int seq, struct rfbExtDesktopScreen *eds, rfbClientPtr cl)
{
    if (seq != 0)
        return FALSE;
    eds->id = 0;
    eds->x = eds->y = 0;
    eds->width = (uint16_t)cl->screen->width;
    eds->height = (uint16_t)cl->screen->height;
    eds->flags = 0;
    return TRUE;
}

/* ---- server thread ---- */

static void *server_main(void *arg)
{
    struct testsrv *s = arg;
    struct pollfd pfd[2 + MAX_POLL_CLIENTS];
    for (;;) {
        int n = 0;
        pfd[n++] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
        pfd[n++] = (struct pollfd){.fd = s->wake.rfd, .events = POLLIN};
        pthread_mutex_lock(&testsrv_lvs_lock);
        bool stop = s->stopping;
        for (rfbClientPtr cl = s->screen->clientHead; cl && n < 2 + MAX_POLL_CLIENTS; cl = cl->next)
            if (cl->sock != RFB_INVALID_SOCKET)
                pfd[n++] = (struct pollfd){.fd = cl->sock, .events = POLLIN};
        pthread_mutex_unlock(&testsrv_lvs_lock);
        if (stop)
            break;

        /* Waiting outside the lock lets mutators run; they wake us through s->wake. The
         * timeout only bounds the damage if a wake-up were ever lost. */
        poll(pfd, (nfds_t)n, 200);

        pthread_mutex_lock(&testsrv_lvs_lock);
        if (pfd[1].revents)
            plat_wake_drain(&s->wake);
        if (!s->stopping && (pfd[0].revents & POLLIN))
            lvs_accept(s->screen, s->listen_fd);
        /* Reads at most one message per ready client, sends pending updates, reaps closed
         * clients. */
        rfbProcessEvents(s->screen, 0);
        int ready = lvs_ready_clients(s->screen);
        pthread_mutex_unlock(&testsrv_lvs_lock);

        pthread_mutex_lock(&s->ev_lock);
        if (ready != s->nclients) {
            s->nclients = ready;
            pthread_cond_broadcast(&s->ev_cond);
        }
        pthread_mutex_unlock(&s->ev_lock);
    }
    return NULL;
}

void testsrv_kick(struct testsrv *s)
{
    plat_wake_signal(&s->wake);
}

/* ---- lifecycle ---- */

static bool init_events(struct testsrv *s)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&s->ev_cond, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0)
        return false;
    pthread_mutex_init(&s->ev_lock, NULL);
    s->keys.item_size = sizeof(struct testsrv_key_event);
    s->ptrs.item_size = sizeof(struct testsrv_ptr_event);
    s->cuts.item_size = sizeof(struct testsrv_cut);
    return true;
}

/* Everything libvncserver-related, under testsrv_lvs_lock. */
static bool init_screen(struct testsrv *s, const struct testsrv_opts *o)
{
    s->width = o->width;
    s->height = o->height;
    s->seed = 1;
    s->fb = malloc((size_t)s->width * (size_t)s->height * 4);
    if (!s->fb)
        return false;
    testsrv_draw_pattern(s->fb, s->width, s->height, s->seed);

    /* 8 bits x 3 samples in 4 bytes: R,G,B,X in memory. */
    s->screen = rfbGetScreen(NULL, NULL, s->width, s->height, 8, 3, 4);
    if (!s->screen)
        return false;
    rfbScreenInfoPtr sc = s->screen;
    sc->frameBuffer = (char *)s->fb;
    sc->screenData = s;
    sc->desktopName = "vncview test server";
    lvs_configure_screen(sc); /* no listener of libvncserver's own: ours */
    sc->kbdAddEvent = on_key;
    sc->ptrAddEvent = on_pointer;
    sc->setXCutText = on_cut_text;
    sc->setDesktopSizeHook = on_set_desktop_size;
    if (o->screen_id0)
        sc->getExtDesktopScreenHook = screen_id0_hook;
    if (o->password) {
        s->passwords[0] = strdup(o->password);
        if (!s->passwords[0])
            return false;
        sc->authPasswdData = s->passwords;
        sc->passwordCheck = rfbCheckPasswordByList;
    }
    /* "No cursor" is a transparent 1x1 one: libvncserver sends it as an empty shape, draws
     * nothing, and (unlike a NULL cursor) does not crash in rfbScheduleCopyRegion. */
    static const uint32_t transparent = 0;
    sc->cursor = o->remote_cursor_shape ? testsrv_default_cursor()
                                        : testsrv_make_cursor(1, 1, 0, 0, &transparent);
    if (!sc->cursor)
        return false;
    rfbInitServer(sc);
    return true;
}

struct testsrv *testsrv_start(const struct testsrv_opts *o)
{
    if (!o || o->width < 1 || o->height < 1 || o->width > TESTSRV_MAX_DIM ||
        o->height > TESTSRV_MAX_DIM) {
        fprintf(stderr, "testsrv: invalid size %dx%d\n", o ? o->width : 0, o ? o->height : 0);
        return NULL;
    }
    struct testsrv *s = calloc(1, sizeof *s);
    if (!s) {
        fprintf(stderr, "testsrv: out of memory\n");
        return NULL;
    }
    s->listen_fd = -1;
    s->wake.rfd = s->wake.wfd = -1;
    s->screen_id0 = o->screen_id0;
    plat_ignore_sigpipe();
    lvs_route_logs("testsrv", LOG_WARN);
    if (!init_events(s)) {
        fprintf(stderr, "testsrv: cannot create a condition variable\n");
        free(s);
        return NULL;
    }
    int rc = plat_wake_open(&s->wake);
    if (rc < 0) {
        fprintf(stderr, "testsrv: pipe: %s\n", strerror(-rc));
        goto fail;
    }
    s->listen_fd = lvs_listen_loopback(&s->port, 16);
    if (s->listen_fd < 0) {
        fprintf(stderr, "testsrv: cannot listen on 127.0.0.1: %s\n", strerror(-s->listen_fd));
        goto fail;
    }
    pthread_mutex_lock(&testsrv_lvs_lock);
    bool ok = init_screen(s, o);
    pthread_mutex_unlock(&testsrv_lvs_lock);
    if (!ok) {
        fprintf(stderr, "testsrv: cannot set up the libvncserver screen (out of memory?)\n");
        goto fail;
    }
    rc = pthread_create(&s->thread, NULL, server_main, s);
    if (rc != 0) {
        fprintf(stderr, "testsrv: cannot start the server thread: %s\n", strerror(rc));
        goto fail;
    }
    s->thread_started = true;
    return s;
fail:
    testsrv_stop(s);
    return NULL;
}

int testsrv_port(struct testsrv *s)
{
    return s->port;
}

/* libvncserver close()s client sockets outright. With client data still unread in the kernel
 * that sends a RST, and the client reports "connection reset" rather than "server closed the
 * connection". So send FIN first and give each client a moment to close its side, as a real
 * server's orderly close would. Server thread stopped, lock held. */
static void close_clients_gracefully(struct testsrv *s)
{
    struct pollfd pfd[MAX_POLL_CLIENTS];
    nfds_t n = 0;
    for (rfbClientPtr cl = s->screen->clientHead; cl && n < MAX_POLL_CLIENTS; cl = cl->next)
        if (cl->sock != RFB_INVALID_SOCKET) {
            shutdown(cl->sock, SHUT_WR);
            pfd[n++] = (struct pollfd){.fd = cl->sock, .events = POLLIN};
        }
    size_t open = n;
    uint64_t end = plat_now_ms() + 500;
    for (uint64_t now = plat_now_ms(); open > 0 && now < end; now = plat_now_ms()) {
        if (poll(pfd, n, (int)(end - now)) <= 0)
            break;
        for (nfds_t i = 0; i < n; i++) {
            if (pfd[i].fd < 0 || !pfd[i].revents)
                continue;
            char buf[4096];
            /* libvncserver made the socket non-blocking. */
            ssize_t r = recv(pfd[i].fd, buf, sizeof buf, 0);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                pfd[i].fd = -1;
                open--;
            }
        }
    }
}

void testsrv_stop(struct testsrv *s)
{
    if (!s)
        return;
    if (s->thread_started) {
        pthread_mutex_lock(&testsrv_lvs_lock);
        s->stopping = true;
        pthread_mutex_unlock(&testsrv_lvs_lock);
        testsrv_kick(s);
        pthread_join(s->thread, NULL);
    }
    pthread_mutex_lock(&testsrv_lvs_lock);
    if (s->screen) {
        close_clients_gracefully(s);
        /* Closes and frees every client; no listener of libvncserver's own to close. */
        rfbShutdownServer(s->screen, TRUE);
        /* Frees the screen and the cursor; not the framebuffer, which is ours. */
        rfbScreenCleanup(s->screen);
        s->screen = NULL;
    }
    pthread_mutex_unlock(&testsrv_lvs_lock);
    free(s->fb);
    if (s->passwords[0]) {
        plat_wipe(s->passwords[0], strlen(s->passwords[0]));
        free(s->passwords[0]);
    }
    plat_close(s->listen_fd);
    plat_wake_close(&s->wake);
    testsrv_queue_free(&s->keys);
    testsrv_queue_free(&s->ptrs);
    testsrv_queue_free(&s->cuts);
    pthread_cond_destroy(&s->ev_cond);
    pthread_mutex_destroy(&s->ev_lock);
    free(s);
}
