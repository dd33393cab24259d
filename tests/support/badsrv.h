/* A scripted, possibly misbehaving, RFB server on 127.0.0.1 for error and hostile-server tests:
 * it accepts one connection and hands it to a test-supplied script that says exactly which bytes
 * go out and when, with helpers for the well-formed parts (version, None/VncAuth, ServerInit). */
#ifndef VV_BADSRV_H
#define VV_BADSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

struct badsrv;

/* Runs on the server's thread once a client connected. The connection is closed when it returns
 * (unless it was closed already with badsrv_close). Every helper below gives up (returns false)
 * when badsrv_stop is called, so a script never outlives its server. */
typedef void (*badsrv_script_fn)(struct badsrv *srv, void *arg);

/* Listens on 127.0.0.1, on a port the kernel picks, and starts the thread that accepts one
 * connection and runs script(srv, arg). NULL on failure (reason on stderr). Free with
 * badsrv_stop. */
struct badsrv *badsrv_start(badsrv_script_fn script, void *arg);
int badsrv_port(const struct badsrv *srv);
/* Wakes the script's waits, joins the thread, closes everything and frees srv. NULL allowed. */
void badsrv_stop(struct badsrv *srv);
/* A port on 127.0.0.1 on which nothing listens (bound, read back, closed); -1 on failure. */
int badsrv_unused_port(void);

/* Test thread -> script: a gate the script can wait on ("the client is connected, now close"). */
void badsrv_release(struct badsrv *srv);
bool badsrv_wait_release(struct badsrv *srv, int timeout_ms);
/* Test thread: waits until the script has returned and the connection is closed (or no client
 * came within the accept timeout); false on timeout or stop. */
bool badsrv_wait_done(struct badsrv *srv, int timeout_ms);

/* Raw I/O on the accepted connection. Timeouts in ms; false on timeout, EOF, error or stop. */
bool badsrv_send(struct badsrv *srv, const void *buf, size_t n);
bool badsrv_send_u8(struct badsrv *srv, uint8_t v);
bool badsrv_send_u32(struct badsrv *srv, uint32_t v); /* big-endian, as RFB */
bool badsrv_recv(struct badsrv *srv, void *buf, size_t n, int timeout_ms);
/* Reads and discards until the client closes (true) or timeout/stop (false): keeps the
 * connection open while the client decides what went wrong. */
bool badsrv_hold(struct badsrv *srv, int timeout_ms);
/* Closes the connection now (FIN, not RST: unread input is drained first). */
void badsrv_close(struct badsrv *srv);
/* Reads and discards what the client sent so far, without waiting: a server that never reads
 * would fill the client's send buffer. False once the client closed (or on error). */
bool badsrv_drain(struct badsrv *srv);
/* Aborts the connection with a reset (RST) instead of FIN. */
void badsrv_reset(struct badsrv *srv);

/* Well-formed protocol steps. */
/* Version "RFB 003.00<minor>\n", reads the client's version, security type None as that version
 * does it (3.3: u32 type; 3.7: list + choice; 3.8: also SecurityResult 0), then ClientInit. */
bool badsrv_handshake_none(struct badsrv *srv, int minor);
/* VncAuth after the type was chosen: sends a challenge and reads the response; *matches tells
 * whether it was the response for password. Sends no SecurityResult. */
bool badsrv_vncauth(struct badsrv *srv, const char *password, bool *matches);
/* ServerInit: w x h (sent as 16-bit fields, truncated), 32bpp depth 24 true colour little-endian,
 * shifts 16/8/0 (the format the core asks for, so pixels go out as B,G,R,X bytes), and name. */
bool badsrv_send_server_init(struct badsrv *srv, int w, int h, const char *name);
/* The same 24-byte ServerInit announcing a name of name_len bytes, which the caller sends (or
 * does not: hostile tests announce more than they send). */
bool badsrv_send_server_init_header(struct badsrv *srv, int w, int h, uint32_t name_len);
/* Reads client messages (SetPixelFormat, SetEncodings, key, pointer, cut text...) until a
 * FramebufferUpdateRequest; false on an unknown client message, timeout, EOF or stop. */
bool badsrv_wait_update_request(struct badsrv *srv, int timeout_ms);
/* A FramebufferUpdate with one Raw rectangle; rgb is w*h 0x00RRGGBB values. */
bool badsrv_send_raw_update(struct badsrv *srv, int x, int y, int w, int h, const uint32_t *rgb);

/* Pieces of messages, for streams the helpers above cannot make (badsrv_msg.c). */
/* FramebufferUpdate header announcing nrects rectangles. */
bool badsrv_send_update_header(struct badsrv *srv, unsigned nrects);
/* A 12-byte rectangle header; fields are sent as 16 bits (truncated), enc as 32. */
bool badsrv_send_rect_header(struct badsrv *srv, int x, int y, int w, int h, int32_t enc);
/* Raw pixels in the format of badsrv_send_server_init (B,G,R,X), from n 0x00RRGGBB values. */
bool badsrv_send_pixels(struct badsrv *srv, const uint32_t *rgb, size_t n);
/* Tight's compact length (1 to 3 bytes). */
bool badsrv_send_compact_len(struct badsrv *srv, uint32_t len);
/* Compresses n bytes on zs, which the caller made with deflateInit and keeps across calls (ZRLE
 * and Tight continue one zlib stream over many rectangles), ending with a sync flush as VNC
 * servers do. *out: the compressed bytes (caller frees); false if zlib fails. */
bool badsrv_deflate(z_stream *zs, const void *in, size_t n, uint8_t **out, size_t *out_len);

/* Ultra rectangle data (badsrv_enc.c): raw[0, n) (1 <= n <= 238) as an LZO1X stream of one
 * literal run and the end marker, sent as a u32 length and the stream. */
bool badsrv_send_ultra_data(struct badsrv *srv, const void *raw, size_t n);

#endif
