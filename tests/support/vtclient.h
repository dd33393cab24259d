/* A headless viewer for tests and benchmarks: runs a session of the real core and records its
 * events so a test can wait for them and compare the published frame with a server's pixels. */
#ifndef VV_VTCLIENT_H
#define VV_VTCLIENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "session.h"

struct testsrv;

struct vtclient {
    struct session *session;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool connected, ended;
    struct vv_error error;
    char desktop[256];
    size_t desktop_len; /* of the whole name (desktop holds its beginning) */
    char security[300];
    int frames; /* FRAME events */
    int bells, cursors, password_requests;
    int cursor_w, cursor_h, cursor_hot_x, cursor_hot_y;
    uint32_t cursor_first_pixel;
    char *clipboard;    /* last server clipboard, UTF-8 */
    const char *answer; /* password to give when asked (NULL = cancel) */
    const char *choose; /* label of the choice to pick in other questions (NULL = cancel) */
    int questions;      /* QUESTION events of any kind */
    int last_prompt_kind;
    char last_prompt_message[1024];
    char last_prompt_detail[2048];
    bool answer_wrong_first; /* answer "wrong-pw" to the first request */
    char last_status[256];   /* the last STATUS event's text */
};

/* Starts a session to 127.0.0.1::port with cfg's options (callbacks are filled in). */
bool vtclient_start(struct vtclient *c, int port, struct session_config cfg);
void vtclient_stop(struct vtclient *c);
/* Waits until pred(c) is true (checked under the lock) or timeout_ms passed. */
bool vtclient_wait(struct vtclient *c, bool (*pred)(struct vtclient *c), int timeout_ms);
bool vtclient_is_connected(struct vtclient *c);
bool vtclient_is_ended(struct vtclient *c);
/* Count of pixels of the published frame that differ from want (w*h 0x00RRGGBB), or -1 if the
 * sizes differ. max_delta: per-channel tolerance (0 = exact). */
long vtclient_diff(struct vtclient *c, const uint32_t *want, int w, int h, int max_delta);
/* Waits until the published frame equals the server's framebuffer (within max_delta); returns
 * the last difference count (0 = equal). */
long vtclient_wait_equal(struct vtclient *c, struct testsrv *srv, int max_delta, int timeout_ms);

#endif
