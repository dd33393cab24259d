/* Headless snapshot: the session core without SDL. The PNG is written once every pixel of the
 * framebuffer has arrived in some update (the first full update request usually does it). */
#include "snapshot.h"

#include "log.h"
#include "passwd.h"
#include "plat.h"
#include "pngfile.h"
#include "sessioncfg.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct snap {
    struct session *session;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool complete, ended;
    struct vv_error error;
    uint8_t *covered; /* one byte per pixel: has it arrived yet? */
    int w, h;
    long remaining;
    char desktop[256];
};

static void mark(struct snap *sn, const struct vv_rect *r)
{
    for (int y = r->y; y < r->y + r->h; y++) {
        uint8_t *row = sn->covered + (size_t)y * (size_t)sn->w;
        for (int x = r->x; x < r->x + r->w; x++)
            if (!row[x]) {
                row[x] = 1;
                sn->remaining--;
            }
    }
}

/* Network thread: track which pixels arrived; the frame stays published for the main thread. */
static void on_frame(struct snap *sn)
{
    struct session_frame f;
    pthread_mutex_lock(&sn->lock); /* first: sn->session is set under it */
    if (!session_frame_lock(sn->session, &f)) {
        pthread_mutex_unlock(&sn->lock);
        return;
    }
    if (f.resized || !sn->covered || sn->w != f.width || sn->h != f.height) {
        free(sn->covered);
        sn->w = f.width;
        sn->h = f.height;
        sn->covered = calloc((size_t)f.width * (size_t)f.height, 1);
        sn->remaining = (long)f.width * f.height;
    }
    if (sn->covered) {
        if (f.full) {
            struct vv_rect all = {0, 0, f.width, f.height};
            mark(sn, &all);
        }
        for (int i = 0; i < f.ndamage; i++)
            mark(sn, &f.damage[i]);
        if (sn->remaining == 0)
            sn->complete = true;
    }
    pthread_cond_broadcast(&sn->cond);
    pthread_mutex_unlock(&sn->lock);
    session_frame_unlock(sn->session, true);
}

static void on_event(void *ctx, const struct session_event *ev)
{
    struct snap *sn = ctx;
    switch (ev->type) {
    case SESSION_EV_FRAME:
        on_frame(sn);
        break;
    case SESSION_EV_CONNECTED:
        log_info("connected: desktop '%s' %dx%d, security: %s", ev->u.connected.desktop_name,
                 ev->u.connected.width, ev->u.connected.height, ev->u.connected.security);
        pthread_mutex_lock(&sn->lock);
        snprintf(sn->desktop, sizeof sn->desktop, "%s", ev->u.connected.desktop_name);
        pthread_mutex_unlock(&sn->lock);
        break;
    case SESSION_EV_DISCONNECTED:
        pthread_mutex_lock(&sn->lock);
        sn->ended = true;
        sn->error = *ev->u.disconnected.error;
        pthread_cond_broadcast(&sn->cond);
        pthread_mutex_unlock(&sn->lock);
        break;
    default:
        break;
    }
}

int snapshot_run(const struct vv_options *o)
{
    struct session_config cfg;
    char *password = NULL;
    struct vv_error err;
    vv_error_clear(&err);
    if (!sessioncfg_from_options(o, &cfg, &password, &err)) {
        fprintf(stderr, "vncview: %s\n", err.message);
        return err.code;
    }
    struct snap sn = {0};
    pthread_mutex_init(&sn.lock, NULL);
    pthread_cond_init(&sn.cond, NULL);
    cfg.lossless = true; /* the PNG must equal the server's screen */
    cfg.interactive = false;
    cfg.on_event = on_event;
    cfg.ctx = &sn;
    pthread_mutex_lock(&sn.lock); /* on_event may fire before session_start returns */
    sn.session = session_start(&cfg, &err);
    passwd_free(password);
    int rc = VV_OK;
    if (!sn.session) {
        pthread_mutex_unlock(&sn.lock);
        fprintf(stderr, "vncview: %s\n", err.message);
        rc = err.code;
        goto out;
    }
    /* Connecting has its own timeout; the frame itself gets as long again. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2L * o->timeout_s + 5;
    while (!sn.complete && !sn.ended)
        if (pthread_cond_timedwait(&sn.cond, &sn.lock, &until) == ETIMEDOUT)
            break;
    bool complete = sn.complete, ended = sn.ended;
    struct vv_error ended_err = sn.error;
    pthread_mutex_unlock(&sn.lock);

    if (!complete) {
        session_destroy(sn.session);
        if (ended) {
            fprintf(stderr, "vncview: %s\n", ended_err.message);
            rc = ended_err.code != VV_OK ? ended_err.code : VV_ERR_LOST;
        } else {
            fprintf(stderr, "vncview: no complete frame arrived within %d s\n",
                    2 * o->timeout_s + 5);
            rc = VV_ERR_TIMEOUT;
        }
        goto out;
    }
    struct session_frame f;
    if (session_frame_lock(sn.session, &f)) {
        if (!png_write_bgrx(o->output, f.pixels, f.width, f.height, f.stride, &err))
            rc = err.code;
        else
            log_info("wrote %dx%d snapshot of '%s' to %s", f.width, f.height, sn.desktop,
                     o->output);
        session_frame_unlock(sn.session, false);
    }
    session_destroy(sn.session);
    if (rc != VV_OK)
        fprintf(stderr, "vncview: %s\n", err.message);
out:
    free(sn.covered);
    pthread_mutex_destroy(&sn.lock);
    pthread_cond_destroy(&sn.cond);
    return rc;
}
