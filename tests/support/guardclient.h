/* A libvncclient client of a test server whose server-to-client stream runs through the stream
 * guard in a relay thread, the way the pump runs it: the client speaks the handshake itself
 * through the relay, then everything from ServerInit on passes guard_push. It sends vncview's
 * own SetPixelFormat (32bpp B,G,R,X) and SetEncodings (enc_build), so the server sends what a
 * vncview session gets. Records the guard's input and output for comparisons, corpus seeds and
 * benchmarks. ZRLE rectangles arrive as GUARD_ENC_ZRLE_PRIVATE: a client extension registered
 * here only skips their data (pixels are not decoded). Zlib and Ultra arrive as
 * GUARD_ENC_ZLIB_PRIVATE and GUARD_ENC_ULTRA_PRIVATE, Tight as GUARD_ENC_TIGHT_PRIVATE, and are
 * decoded with vncview's decoders. */
#ifndef VV_GUARDCLIENT_H
#define VV_GUARDCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "guard.h"

struct testsrv;

struct guardclient_opts {
    int port;
    const char *encodings; /* --encodings syntax; NULL = vncview's default list */
    int quality;           /* JPEG quality 0..9; -1 = lossless */
    int compress;          /* -1 = server default */
    const int32_t *codes;  /* if set: exactly this SetEncodings list instead */
    int ncodes;
    size_t out_cap;    /* guard output room per call, 0 = 512 KiB (the pump's buffer) */
    size_t record_max; /* record up to this many bytes of guard input and output, 0 = none */
    bool scan;         /* guard_scan in place instead of guard_push into an output buffer */
};

struct guardclient;

/* Connects and starts the relay and client threads. NULL on failure (printed on stderr).
 * Free with guardclient_stop. */
struct guardclient *guardclient_start(const struct guardclient_opts *o);
/* Stops the relay and the client (joins both); results and recordings stay readable. */
void guardclient_halt(struct guardclient *c);
/* Halts if needed, then frees everything. NULL is allowed. */
void guardclient_stop(struct guardclient *c);

/* FramebufferUpdates handled so far; waits until at least n (false on timeout or end). */
uint64_t guardclient_updates(struct guardclient *c);
bool guardclient_wait_updates(struct guardclient *c, uint64_t n, int timeout_ms);
/* Waits until at most allowed pixels of the client's framebuffer differ from the server's by
 * more than tol in a channel; returns the last count, -1 if the sizes differ. */
long guardclient_wait_equal(struct guardclient *c, struct testsrv *srv, int tol, long allowed,
                            int timeout_ms);
/* The client ended (guard refusal, libvncclient error or hang-up). */
bool guardclient_ended(struct guardclient *c);
/* false with err set if the guard refused the stream. */
bool guardclient_guard_ok(struct guardclient *c, struct vv_error *err);
void guardclient_stats(struct guardclient *c, struct guard_stats *st);

struct guardclient_events {
    int bells, cursors, cut_texts, private_zrle;
    int cursor_w, cursor_h, cursor_hot_x, cursor_hot_y;
    size_t cut_len; /* last clipboard's length */
    int width, height;
};
void guardclient_events(struct guardclient *c, struct guardclient_events *ev);
/* Waits until pred(ev) holds. */
bool guardclient_wait_event(struct guardclient *c,
                            bool (*pred)(const struct guardclient_events *ev, int arg), int arg,
                            int timeout_ms);

/* Recorded guard input (ServerInit onwards) and output; valid until guardclient_stop. Only
 * after guardclient_halt. *truncated: record_max was reached. */
void guardclient_recorded(struct guardclient *c, const uint8_t **in, size_t *in_len,
                          const uint8_t **out, size_t *out_len, bool *truncated);

#endif
