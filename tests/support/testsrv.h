/* A controllable in-process VNC server (libvncserver) on 127.0.0.1 for integration tests and
 * benchmarks: known framebuffer contents, server-side changes on demand, recorded client input. */
#ifndef VV_TESTSRV_H
#define VV_TESTSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct testsrv_opts {
    int width, height;    /* initial framebuffer size, 1..8192 */
    const char *password; /* NULL = security type None, else VncAuth (first 8 chars count) */
    bool screen_id0;      /* ExtDesktopSize reports screen id 0, as QEMU does */
    /* true: the server has a cursor (a 12x19 arrow until testsrv_set_cursor) and sends its shape
     * to clients that ask for cursor pseudo-encodings; clients that do not ask get it drawn into
     * the pixels they receive. false: an invisible cursor (clients asking for shapes get an empty
     * one), so received pixels always equal testsrv_pixel_rgb() until testsrv_set_cursor. */
    bool remote_cursor_shape;
};

struct testsrv;

/* Starts the server on 127.0.0.1 on a port the kernel picks, with the pattern of seed 1 in the
 * framebuffer, and a background thread serving clients. Returns NULL on failure (the reason is
 * printed on stderr). Free with testsrv_stop. */
struct testsrv *testsrv_start(const struct testsrv_opts *o);
int testsrv_port(struct testsrv *s);
/* Disconnects all clients, joins the thread, frees everything. NULL is allowed. */
void testsrv_stop(struct testsrv *s);

/* Framebuffer. Coordinates outside the framebuffer are clipped; every change is sent to clients.
 * All of these are safe to call from any thread while the server runs. */
void testsrv_size(struct testsrv *s, int *w, int *h);
/* Deterministic pattern: smooth gradients (top quarter), a flat area, flat area with small
 * rectangles and a two-colour area (second quarter), per-pixel hash noise (bottom half). */
void testsrv_fill_pattern(struct testsrv *s, uint32_t seed);
/* 0x00RRGGBB of the pixel the server holds; 0 outside the framebuffer. */
uint32_t testsrv_pixel_rgb(struct testsrv *s, int x, int y);
/* The whole framebuffer as w*h 0x00RRGGBB values, row by row. Caller frees. NULL if out of
 * memory. */
uint32_t *testsrv_copy_pixels(struct testsrv *s, int *w, int *h);
void testsrv_fill_rect(struct testsrv *s, int x, int y, int w, int h, uint32_t rgb);
/* Copies the w x h area at (sx,sy) to (dx,dy) and sends it as a CopyRect to clients that
 * accept CopyRect. */
void testsrv_copy_rect(struct testsrv *s, int sx, int sy, int w, int h, int dx, int dy);
/* Marks an area as changed (sends it again) without changing pixels. */
void testsrv_mark(struct testsrv *s, int x, int y, int w, int h);
/* New framebuffer of w x h (1..8192) filled with the pattern of the last seed; clients that
 * support NewFBSize/ExtDesktopSize are told. */
void testsrv_resize(struct testsrv *s, int w, int h);
/* Bell and ServerCutText go only to clients that finished the handshake. */
void testsrv_bell(struct testsrv *s);
void testsrv_send_cut_text(struct testsrv *s, const char *latin1, size_t len);
/* Installs a rich cursor: argb is w*h 0xAARRGGBB values (alpha > 0 = part of the cursor). */
void testsrv_set_cursor(struct testsrv *s, int w, int h, int hotx, int hoty, const uint32_t *argb);

/* Recorded client input. Each wait consumes what it returns, oldest first, so consecutive
 * waits see consecutive events. */
struct testsrv_key_event {
    uint32_t keysym;
    bool down;
};
struct testsrv_ptr_event {
    int x, y;
    uint8_t buttons;
};
/* Waits until at least n events are queued or timeout_ms passes, then moves up to n of them
 * into out. Returns how many were moved (< n means timeout). */
int testsrv_wait_keys(struct testsrv *s, int n, int timeout_ms, struct testsrv_key_event *out);
int testsrv_wait_pointer(struct testsrv *s, int n, int timeout_ms, struct testsrv_ptr_event *out);
/* Oldest client cut text not yet returned, NUL-terminated (*len excludes the NUL; the bytes are
 * whatever the client sent, Latin-1 by the protocol). Caller frees. NULL on timeout. */
char *testsrv_wait_cut_text(struct testsrv *s, int timeout_ms, size_t *len);
/* Drops all queued key, pointer and cut-text events. */
void testsrv_clear_input(struct testsrv *s);

/* Clients that completed the handshake (RFB "normal" state). Counted by the server thread after
 * each step, so it can lag a client's own view by a few ms: prefer testsrv_wait_clients. Each new
 * connection takes ~100 ms (libvncserver waits for a possible WebSockets handshake first). */
int testsrv_client_count(struct testsrv *s);
/* Waits until exactly n clients are connected; returns the count when it returns. */
int testsrv_wait_clients(struct testsrv *s, int n, int timeout_ms);

/* Client SetDesktopSize requests are accepted (the framebuffer is resized, new content = pattern)
 * when both sides are in 1..8192. Returns whether any request arrived, and the last size
 * requested (even a refused one). */
bool testsrv_last_resize_request(struct testsrv *s, int *w, int *h);

#endif
