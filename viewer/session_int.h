/* Internals shared by session.c (lifecycle, commands) and session_rfb.c (libvncclient glue). */
#ifndef VV_SESSION_INT_H
#define VV_SESSION_INT_H

#include "encodings.h"
#include "plat.h"
#include "prompt.h"
#include "pump.h"
#include "ssh.h"
#include "session.h"

#include <pthread.h>
#include <rfb/rfbclient.h>
#include <stdatomic.h>

#define SESSION_MAX_DAMAGE 64
/* The largest desktop we accept: what GPUs take as a texture. */
#define SESSION_MAX_DIM 16384

enum cmd_type { CMD_KEY, CMD_TEXT, CMD_POINTER, CMD_CUT, CMD_REFRESH, CMD_RESIZE };

struct cmd {
    enum cmd_type type;
    uint32_t keysym, xt;
    bool down, no_text;
    int x, y;
    uint8_t buttons;
    char *text; /* Latin-1, for CMD_CUT */
    size_t len;
    struct cmd *next;
};

struct session {
    struct session_config cfg;
    char name[300];  /* "host:1" */
    char where[300]; /* "host port 5901", for messages */
    struct enc_list enc;
    int32_t codes[ENC_MAX]; /* the SetEncodings list we send; the guard allows exactly it */
    int ncodes;
    struct pump_watchdog watchdog;
    pthread_t thread;
    struct plat_wake wake;
    atomic_bool stop;

    pthread_mutex_t lock; /* guards: commands, sock, password exchange, pump pointer */
    pthread_cond_t cond;
    struct cmd *head, *tail;
    int sock; /* libvncclient's end of the socketpair, -1 when closed */
    struct pump *pump;
    bool q_waiting, q_answered; /* the question being asked (pump thread waits) */
    int q_choice;
    char *q_values[PROMPT_MAX_FIELDS];
    struct prompter prompter;
    struct ssh_params ssh;
    char security[256];

    pthread_mutex_t frame_lock; /* guards the published frame */
    uint8_t *front;
    int front_w, front_h;
    bool front_full, front_resized;
    struct vv_rect damage[SESSION_MAX_DAMAGE];
    int ndamage;
    uint64_t updates;

    /* Network-thread only. */
    rfbClient *cl;
    uint8_t *fb;
    int fb_w, fb_h;
    bool fb_resized;
    struct vv_rect pending[SESSION_MAX_DAMAGE];
    int npending;
    bool pending_full;
    /* The next incremental request went out at this update's first rectangle (so the server
     * encodes update N+1 while we decode N); libvncclient sends its own again at the end. */
    bool requested_ahead;
    bool painted; /* this update had a pixel rectangle (GotFrameBufferUpdate) */
    /* SetDesktopSize: ExtendedDesktopSize answers looked at so far, and whether we asked. */
    unsigned layouts_seen;
    bool resize_asked;
    bool resized_request;        /* the desktop was resized: ask for all of it after this message */
    struct vv_error proto_error; /* set by our callbacks when the server misbehaves */
    struct zrle *zrle;           /* our ZRLE decoder's zlib stream */
    struct zlibdec *zlib;        /* our Zlib decoder's zlib stream (session_draw.c) */
    struct ultradec *ultra;      /* our Ultra decoder (session_draw.c) */
    struct tightdec *tight;      /* our Tight decoder's four zlib streams (session_draw.c) */
};

void session_emit(struct session *s, const struct session_event *ev);
/* Creates the rfbClient on libvncclient's end of the socket pair (which it then owns), reads
 * the pump's synthetic greeting and the server's ServerInit, sends our formats and the first
 * full update request. False with s->proto_error or libvncclient's log saying why. */
bool session_client_init(struct session *s, int sock);
/* Sets up the rfbClient callbacks and pixel format (network thread). */
rfbClient *session_rfb_new(struct session *s, int sock);
/* Sends SetPixelFormat and our SetEncodings. */
bool session_rfb_send_formats(struct session *s);
/* Frees the client and everything 0.9.14 forgets (cursor, TurboJPEG handle) and our fb. */
void session_rfb_free(struct session *s);
/* session_draw.c: bounded drawing callbacks and JPEG. */
void session_draw_install(rfbClient *cl);
/* session_decode.c: the extension for the guard's private encodings (once per process), and
 * freeing a session's decoders (network thread, after the client). */
void session_decode_install(void);
void session_decode_free(struct session *s);
/* Ends the session after the current message with err (first error wins). */
void session_fail(struct session *s, const struct vv_error *err);
/* session_resize.c: sends SetDesktopSize for w x h (false if the write failed), and after each
 * server message, tells the user if the server refused it. */
bool session_send_desktop_size(struct session *s, int w, int h);
void session_check_layout(struct session *s);
/* Publishes the pending damage to the front buffer (network thread). */
void session_publish(struct session *s);

#endif
