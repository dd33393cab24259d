/* Internals shared by testsrv.c (server thread, hooks), testsrv_input.c (recorded input) and
 * testsrv_fb.c (framebuffer, pattern, cursor). Not for tests: use testsrv.h. */
#ifndef VV_TESTSRV_PRIV_H
#define VV_TESTSRV_PRIV_H

#include "testsrv.h"
#include "plat.h"

#include <pthread.h>
#include <rfb/rfb.h>

#define TESTSRV_MAX_DIM 8192

/* One lock for every testsrv in the process, held around every libvncserver call (server thread
 * and mutators alike). Per-server locks would not be enough: rfbGetScreen re-initialises
 * libvncserver's global client-list mutex, which other running servers use. */
extern pthread_mutex_t testsrv_lvs_lock;

struct testsrv_queue {
    void *items; /* array of item_size elements */
    size_t item_size, len, cap;
};

struct testsrv {
    /* Under testsrv_lvs_lock. */
    rfbScreenInfoPtr screen;
    uint8_t *fb; /* R,G,B,X bytes, width*height*4; ours, libvncserver only borrows it */
    int width, height;
    uint32_t seed;
    bool stopping;
    char *passwords[2]; /* NULL-terminated list for rfbCheckPasswordByList */

    int listen_fd, port;
    struct plat_wake wake; /* tells the server thread that something changed */
    pthread_t thread;
    bool thread_started;
    bool screen_id0;

    /* Recorded input, under ev_lock; ev_cond is broadcast on every change. */
    pthread_mutex_t ev_lock;
    pthread_cond_t ev_cond;
    struct testsrv_queue keys, ptrs, cuts; /* cuts holds struct testsrv_cut */
    int nclients;
    bool have_resize_req;
    int req_w, req_h;
};

struct testsrv_cut {
    char *text;
    size_t len;
};

/* testsrv_fb.c. Callers hold testsrv_lvs_lock. */
uint32_t testsrv_pattern_rgb(int x, int y, int w, int h, uint32_t seed);
void testsrv_draw_pattern(uint8_t *fb, int w, int h, uint32_t seed);
/* Replaces the framebuffer (pattern content); false if out of memory. */
bool testsrv_resize_locked(struct testsrv *s, int w, int h);
/* A cursor libvncserver frees itself; NULL if out of memory. */
rfbCursorPtr testsrv_make_cursor(int w, int h, int hotx, int hoty, const uint32_t *argb);
rfbCursorPtr testsrv_default_cursor(void);

/* testsrv_input.c. Callers hold s->ev_lock. */
void testsrv_queue_push(struct testsrv_queue *q, const void *item);
size_t testsrv_queue_pop(struct testsrv_queue *q, size_t n, void *out);
void testsrv_queue_clear(struct testsrv_queue *q);
void testsrv_queue_free(struct testsrv_queue *q);

/* testsrv.c */
void testsrv_kick(struct testsrv *s); /* wake the server thread to send what changed */

#endif
