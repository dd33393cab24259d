/* Event recorder around a real session, for integration tests and benchmarks. */
#include "testsrv.h"
#include "vtclient.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void on_event(void *ctx, const struct session_event *ev)
{
    struct vtclient *c = ctx;
    pthread_mutex_lock(&c->lock);
    switch (ev->type) {
    case SESSION_EV_CONNECTED:
        c->connected = true;
        snprintf(c->desktop, sizeof c->desktop, "%s", ev->u.connected.desktop_name);
        c->desktop_len = strlen(ev->u.connected.desktop_name);
        snprintf(c->security, sizeof c->security, "%s", ev->u.connected.security);
        break;
    case SESSION_EV_FRAME:
        c->frames++;
        break;
    case SESSION_EV_BELL:
        c->bells++;
        break;
    case SESSION_EV_CURSOR:
        c->cursors++;
        c->cursor_w = ev->u.cursor.width;
        c->cursor_h = ev->u.cursor.height;
        c->cursor_hot_x = ev->u.cursor.hot_x;
        c->cursor_hot_y = ev->u.cursor.hot_y;
        c->cursor_first_pixel = ev->u.cursor.width ? ev->u.cursor.argb[0] : 0;
        break;
    case SESSION_EV_CLIPBOARD:
        free(c->clipboard);
        c->clipboard = strdup(ev->u.clipboard.utf8);
        break;
    case SESSION_EV_QUESTION: {
        const struct prompt *q = ev->u.question.prompt;
        c->questions++;
        c->last_prompt_kind = q->kind;
        snprintf(c->last_prompt_message, sizeof c->last_prompt_message, "%s", q->message);
        snprintf(c->last_prompt_detail, sizeof c->last_prompt_detail, "%s", q->detail);
        int choice = -1;
        const char *values[PROMPT_MAX_FIELDS] = {0};
        if (q->kind == PROMPT_VNC_PASSWORD) {
            c->password_requests++;
            const char *a =
                (c->answer_wrong_first && c->password_requests == 1) ? "wrong-pw" : c->answer;
            values[0] = a;
            choice = a ? 0 : -1;
        } else {
            for (int i = 0; i < q->nchoices; i++)
                if (c->choose && strcmp(q->choices[i], c->choose) == 0)
                    choice = i;
            for (int i = 0; i < q->nfields; i++)
                values[i] = c->answer;
            if (q->nchoices == 0 && c->answer)
                choice = 0;
        }
        /* Answering from inside the callback is allowed: it only queues the answer. */
        pthread_mutex_unlock(&c->lock);
        session_answer(c->session, choice, values, q->nfields);
        pthread_mutex_lock(&c->lock);
        break;
    }
    case SESSION_EV_DISCONNECTED:
        c->ended = true;
        c->error = *ev->u.disconnected.error;
        break;
    case SESSION_EV_STATUS:
        snprintf(c->last_status, sizeof c->last_status, "%s", ev->u.status.text);
        break;
    }
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

bool vtclient_start(struct vtclient *c, int port, struct session_config cfg)
{
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    char text[64];
    snprintf(text, sizeof text, "127.0.0.1::%d", port);
    struct vv_error err;
    if (!addr_parse(text, &cfg.addr, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return false;
    }
    if (!cfg.timeout_ms)
        cfg.timeout_ms = 10000;
    cfg.on_event = on_event;
    cfg.ctx = c;
    pthread_mutex_lock(&c->lock); /* session is set before any event is looked at */
    c->session = session_start(&cfg, &err);
    pthread_mutex_unlock(&c->lock);
    if (!c->session)
        fprintf(stderr, "session_start: %s\n", err.message);
    return c->session != NULL;
}

void vtclient_stop(struct vtclient *c)
{
    if (c->session)
        session_destroy(c->session);
    c->session = NULL;
    free(c->clipboard);
    c->clipboard = NULL;
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->cond);
}

bool vtclient_wait(struct vtclient *c, bool (*pred)(struct vtclient *c), int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&c->lock);
    bool ok;
    while (!(ok = pred(c)))
        if (pthread_cond_timedwait(&c->cond, &c->lock, &until) == ETIMEDOUT) {
            ok = pred(c);
            break;
        }
    pthread_mutex_unlock(&c->lock);
    return ok;
}

bool vtclient_is_connected(struct vtclient *c)
{
    return c->connected;
}

bool vtclient_is_ended(struct vtclient *c)
{
    return c->ended;
}

long vtclient_diff(struct vtclient *c, const uint32_t *want, int w, int h, int max_delta)
{
    struct session_frame f;
    if (!session_frame_lock(c->session, &f))
        return -1;
    long diff = 0;
    if (f.width != w || f.height != h) {
        diff = -1;
    } else {
        for (int y = 0; y < h; y++) {
            const uint8_t *row = f.pixels + (size_t)y * (size_t)f.stride;
            for (int x = 0; x < w; x++) {
                uint32_t g = want[(size_t)y * (size_t)w + (size_t)x];
                int b = row[x * 4], gg = row[x * 4 + 1], r = row[x * 4 + 2];
                int dr = abs(r - (int)((g >> 16) & 255)), dg = abs(gg - (int)((g >> 8) & 255)),
                    db = abs(b - (int)(g & 255));
                if (dr > max_delta || dg > max_delta || db > max_delta)
                    diff++;
            }
        }
    }
    session_frame_unlock(c->session, false);
    return diff;
}

long vtclient_wait_equal(struct vtclient *c, struct testsrv *srv, int max_delta, int timeout_ms)
{
    long diff = -1;
    for (int waited = 0; waited <= timeout_ms; waited += 20) {
        int w, h;
        uint32_t *want = testsrv_copy_pixels(srv, &w, &h);
        if (want) {
            diff = vtclient_diff(c, want, w, h, max_delta);
            free(want);
        }
        if (diff == 0)
            return 0;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return diff;
}
