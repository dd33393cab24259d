/* A VNC session: connects, authenticates (our own handshake, in the transport pump) and runs
 * libvncclient on its own network thread. Everything it reports goes through one callback;
 * the main thread talks to it only through the non-blocking functions below. No SDL here. */
#ifndef VV_SESSION_H
#define VV_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "error.h"
#include "guard.h"
#include "handshake.h"
#include "prompt.h"

struct session;

struct vv_rect {
    int x, y, w, h;
};

enum session_event_type {
    SESSION_EV_STATUS,    /* progress text ("Connecting to host:1 (127.0.0.1 port 5901)") */
    SESSION_EV_QUESTION,  /* answer with session_answer() (any thread) */
    SESSION_EV_CONNECTED, /* desktop name and size known; frames follow */
    SESSION_EV_FRAME,     /* new damage: call session_frame_lock() */
    SESSION_EV_CURSOR,    /* new cursor shape (ARGB8888, not premultiplied) */
    SESSION_EV_CLIPBOARD, /* server clipboard, converted to UTF-8 */
    SESSION_EV_BELL,
    SESSION_EV_DISCONNECTED, /* final event: error says why (VV_OK = closed by us) */
};

struct session_event {
    enum session_event_type type;
    /* Pointers are valid only during the callback. */
    union {
        struct {
            const char *text;
        } status;
        struct {
            const struct prompt *prompt; /* copy what you need */
        } question;
        struct {
            const char *desktop_name;
            int width, height;
            const char *security; /* "NOT ENCRYPTED", ... */
        } connected;
        struct {
            int hot_x, hot_y, width, height;
            const uint32_t *argb; /* width*height pixels, 0xAARRGGBB, alpha 0 or 255 */
        } cursor;
        struct {
            const char *utf8;
            size_t len;
        } clipboard;
        struct {
            const struct vv_error *error;
        } disconnected;
    } u;
};

typedef void (*session_event_fn)(void *ctx, const struct session_event *ev);

struct session_config {
    struct vv_address addr;
    int timeout_ms;              /* connect + handshake; default 15000 */
    const char *encodings;       /* space- or comma-separated; NULL = default list */
    int quality;                 /* 0-9, -1 = default */
    int compress;                /* 0-9, -1 = default */
    bool lossless;               /* no JPEG (snapshot) */
    bool view_only;              /* no input is sent */
    bool interactive;            /* QUESTION events may be answered; else they fail at once */
    bool shared;                 /* ClientInit shared flag; default true */
    double decode_budget_s;      /* CPU seconds one server message may take to decode; 0 = 5 */
    const char *password;        /* known password (copied, wiped after use), or NULL */
    struct security_options sec; /* --security, --user, --ca, --insecure (strings copied) */
    const char *ssh;             /* --ssh [USER@]HOST[:PORT], or NULL */
    const char *ssh_config;      /* --ssh-config FILE, or NULL for ~/.ssh/config */
    const char *ssh_key;         /* --ssh-key FILE, or NULL */
    struct guard_limits limits;  /* the stream guard's (--max-desktop...); zero fields: default */
    /* false (snapshots, tests): each published frame is a copy, exactly the state after a whole
     * update. true (the window): the published frame is the framebuffer the session decodes
     * into, no copy per update; a reader may then see rectangles of the next update already
     * painted (their damage follows), never a torn rectangle (paints and reads share the
     * frame lock). */
    bool share_frame;
    session_event_fn on_event;
    void *ctx;
};

/* Validates cfg (encodings list etc.) and starts the session threads. Returns NULL with err
 * set on a configuration error; connection errors arrive as SESSION_EV_DISCONNECTED. */
struct session *session_start(const struct session_config *cfg, struct vv_error *err);
/* Asks the session to end (non-blocking, any thread). DISCONNECTED follows with VV_OK. */
void session_stop(struct session *s);
/* Stops if needed, joins the threads, frees everything. Call from the owning thread only,
 * never from inside the event callback. */
void session_destroy(struct session *s);

/* Answers the pending QUESTION: choice is the button index (0 = OK when the prompt has no
 * choices), -1 cancels; values are the fields' contents (copied, wiped by the session). */
void session_answer(struct session *s, int choice, const char *const *values, int nvalues);

/* Input, queued and sent by the network thread. Ignored in view-only mode.
 * A key press or release: keysym is what it types (for printable keys, learnt from the text it
 * produced), xt_code its XT scancode for the QEMU extended key event (0 if unknown; E0 keys as
 * 0x80|code). Servers that take QEMU key events get both; others get the keysym. no_text: the
 * key typed nothing by itself (a dead key): only QEMU-key servers, which compose themselves,
 * are told about it. */
void session_send_key(struct session *s, uint32_t keysym, uint32_t xt_code, bool down,
                      bool no_text);
/* A character typed without a key of its own (input methods): press and release. */
void session_send_text_keysym(struct session *s, uint32_t keysym);
void session_send_pointer(struct session *s, int x, int y, uint8_t buttons);
void session_send_clipboard(struct session *s, const char *utf8, size_t len);
/* Ask the server to resize its desktop to w x h (SetDesktopSize; servers that announced
 * ExtendedDesktopSize, e.g. Xvnc; others are left alone). Ignored in view-only mode. The new
 * size arrives as a resize like any other; a refusal is logged. */
void session_request_desktop_size(struct session *s, int w, int h);
/* True once the server has said it takes SetDesktopSize (ExtendedDesktopSize) and the session
 * may ask (not view-only). Any thread. */
bool session_can_resize(struct session *s);
/* Ask the server for a full (non-incremental) update. */
void session_request_refresh(struct session *s);

/* The published framebuffer (B,G,R,X bytes = SDL_PIXELFORMAT_XRGB8888) and the damage since
 * the last unlock. Lock is short: copy or upload, then unlock. */
struct session_frame {
    const uint8_t *pixels;
    int width, height, stride;
    bool full;    /* whole frame is damaged (first frame, resize) */
    bool resized; /* size changed since the last unlock */
    int ndamage;
    const struct vv_rect *damage;
    uint64_t updates; /* complete framebuffer updates published so far */
};
bool session_frame_lock(struct session *s, struct session_frame *out);
/* The same, waiting at most max_ms for a paint under way: false with *busy set when it is still
 * painting then (try again soon). With share_frame one paint can take long (a hostile server's
 * huge rectangle), so the UI waits only briefly; ordinary paints take a millisecond or two. */
bool session_frame_lock_within(struct session *s, struct session_frame *out, int max_ms,
                               bool *busy);
/* clear_damage: forget the damage just read. */
void session_frame_unlock(struct session *s, bool clear_damage);

/* Security of the running session, as shown in the title/badge ("NOT ENCRYPTED"). */
void session_security(struct session *s, char *buf, size_t size);

#endif
