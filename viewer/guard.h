/* The stream guard: a bounds-checked, incremental parser of the RFB server-to-client stream that
 * checks every message before libvncclient sees it (libvncclient decodes whatever a rectangle
 * names and has unfixed memory-safety bugs: see hostile-servers.md). It sits in the transport
 * pump, passes the stream through (rewriting only ZRLE, Zlib, Ultra and Tight rectangle headers and
 * over-long clipboard and desktop-name lengths) and stops it at the first violation with a
 * sentence naming it. */
#ifndef VV_GUARD_H
#define VV_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* ZRLE rectangles reach libvncclient under this private encoding number, so that libvncclient's
 * own ZRLE decoder (F1: palette index read past a stack array) never runs. What follows the
 * rewritten 12-byte rectangle header is unchanged ZRLE: a big-endian u32 length, then that many
 * bytes of the connection's single zlib stream. A client extension registered with libvncclient
 * (rfbClientProtocolExtension.handleEncoding) decodes it. */
#define GUARD_ENC_ZRLE_PRIVATE ((int32_t)0x56560010)
/* Zlib and Ultra rectangles likewise, for our decoders (viewer/zlibdec.c, viewer/ultradec.c):
 * libvncclient's paint their whole w*h buffer even when the data holds fewer pixels, showing
 * the previous rectangle's pixels or uninitialised heap. The data that follows is unchanged
 * (a u32 length, then Zlib's connection-wide zlib stream or Ultra's LZO1X block). */
#define GUARD_ENC_ZLIB_PRIVATE ((int32_t)0x56560006)
#define GUARD_ENC_ULTRA_PRIVATE ((int32_t)0x56560009)
/* Tight likewise, for viewer/tightdec.c: libvncclient 0.9.14's lets the copy filter write rows
 * past the rectangle (and the framebuffer); the guard cannot see that without inflating. The
 * data that follows (control byte onwards) is unchanged. */
#define GUARD_ENC_TIGHT_PRIVATE ((int32_t)0x56560007)

/* Desktop names above this are fatal (libvncclient's own ceiling); between max_name and this
 * they are truncated to max_name bytes. */
#define GUARD_NAME_HARD (1u << 20)

/* Ceilings of the limits a user may set (--max-desktop, --max-cursor): the largest desktop the
 * session allocates (a GPU texture's size) and the largest cursor it converts. */
#define GUARD_MAX_DESKTOP 16384
#define GUARD_MAX_CURSOR 1024
#define GUARD_STR_(x) #x
#define GUARD_STR(x) GUARD_STR_(x)

/* A zero field means "the default". */
struct guard_limits {
    int max_width, max_height; /* desktop (ServerInit, NewFBSize), default 16384 each */
    uint32_t max_name;         /* desktop name bytes forwarded, default 4096 (longer: truncated) */
    /* Server clipboard bytes forwarded, default 1 MiB - 1: libvncclient 0.9.14 ends the session
     * above 1 MiB, so longer texts are truncated here, not fatal. */
    uint32_t max_cut_text;
    uint32_t max_cut_text_hard; /* above this the server is flooding: fatal, default 64 MiB */
    int max_cursor;             /* cursor width and height, default 256 */
    uint32_t max_rects;         /* rectangles per update (LastRect included), default 65536 */
    /* The pixels an update paints (every rectangle, CopyRects and fills included, plus RRE and
     * CoRRE subrectangles) are at most this many times the desktop's area: CPU amplification.
     * Hextile subrectangles are not counted (at most 128 pixels per byte, inside their tile).
     * Default 8. */
    uint64_t max_update_area_factor;
    uint32_t max_compressed; /* Zlib, ZRLE and Ultra bytes per rectangle, default 64 MiB */
};

/* Rectangle kinds counted in guard_stats.rects. */
enum guard_stat_kind {
    GUARD_STAT_RAW,
    GUARD_STAT_COPYRECT,
    GUARD_STAT_RRE,
    GUARD_STAT_CORRE,
    GUARD_STAT_HEXTILE,
    GUARD_STAT_ZLIB,
    GUARD_STAT_TIGHT,
    GUARD_STAT_ULTRA,
    GUARD_STAT_ZRLE,
    GUARD_STAT_CURSOR,    /* RichCursor and XCursor */
    GUARD_STAT_NEWFBSIZE, /* desktop resizes */
    GUARD_STAT_LASTRECT,
    GUARD_STAT_OTHER, /* QEMU extended key event, keyboard LED state */
    GUARD_STAT_N
};

struct guard_stats {
    uint64_t bytes_in, bytes_out; /* consumed from the server, written to out */
    uint64_t messages;            /* ServerInit not counted */
    uint64_t updates, bells, cut_texts;
    uint64_t cut_bytes_dropped; /* clipboard (and desktop name) bytes cut by truncation */
    uint64_t rects[GUARD_STAT_N];
    uint64_t tight_fill, tight_jpeg, tight_basic;
    uint64_t hextile_tiles;
    uint64_t zrle_rewritten; /* rectangle headers rewritten to GUARD_ENC_ZRLE_PRIVATE */
    uint64_t zlib_rewritten, ultra_rewritten; /* ... to GUARD_ENC_ZLIB/ULTRA_PRIVATE */
    uint64_t tight_rewritten;                 /* ... to GUARD_ENC_TIGHT_PRIVATE */
};

struct guard;

void guard_default_limits(struct guard_limits *l);

/* A guard for one connection. encodings: the exact SetEncodings list the session sent (copied;
 * codes the guard cannot frame, e.g. ExtDesktopSize, TRLE, ZYWRLE, UltraZip, PointerPos, are
 * treated as not offered). Raw is always accepted (RFC 6143 lets servers use it unasked).
 * l: NULL for the defaults (copied; its zero fields take their defaults); a violation of a
 * desktop or cursor limit set below its ceiling names the option that raises it. Tight JPEG is
 * accepted only if the list holds a QualityLevel pseudo-encoding (servers send JPEG only then).
 * NULL if out of memory.
 * Free with guard_free. */
struct guard *guard_new(const int32_t *encodings, int n, const struct guard_limits *l);
void guard_free(struct guard *g);

/* Feeds n server bytes, starting with ServerInit (the pump does the handshake itself), and
 * appends the validated stream, possibly rewritten, to out[*out_len .. out_cap); *out_len is
 * updated. Returns the number of input bytes consumed: less than n when out is full (drain it,
 * then call again with the rest). Consumed bytes may still be held back when out filled up in
 * the middle of a header: while guard_pending() > 0, call again (n = 0 is fine) once out has
 * room, or the client never receives them. Never buffers payloads: only headers of at most
 * about 1.6 KB. On a violation returns -1 with err set to VV_ERR_PROTOCOL and a sentence naming
 * what the server did wrong; out then holds everything validated before it; every later call
 * fails the same way. */
ssize_t guard_push(struct guard *g, const uint8_t *in, size_t n, uint8_t *out, size_t out_cap,
                   size_t *out_len, struct vv_error *err);
/* Validated bytes waiting for room in out. */
size_t guard_pending(const struct guard *g);

/* What guard_scan decided about the caller's buffer. */
struct guard_span {
    size_t forward; /* buf[0, forward) is validated (maybe rewritten in place): send it */
    size_t skip;    /* then drop buf[forward, forward + skip) (a truncated clipboard or name) */
};
/* The zero-copy alternative to guard_push, for a caller that keeps the server's bytes in its
 * own buffer: checks buf[0, n) in place, rewriting the few bytes it rewrites there. The caller
 * sends buf[0, span->forward), discards the next span->skip bytes and keeps the rest,
 * buf[forward + skip, n), at the front of its next call, followed by newer bytes (it may move
 * them). With skip == 0 the rest is an incomplete header (at most ~1.6 KB): wait for more
 * bytes. With skip > 0 the guard stopped after the skipped bytes: call again at once with the
 * rest. False on a violation, err set as for guard_push; span->forward is still the validated
 * prefix. Use either guard_push or guard_scan on a guard, not both. */
bool guard_scan(struct guard *g, uint8_t *buf, size_t n, struct guard_span *span,
                struct vv_error *err);
/* The desktop size as the guard knows it (ServerInit, then NewFBSize); false before ServerInit. */
bool guard_desktop(const struct guard *g, int *w, int *h);
/* What the server's ExtendedDesktopSize rectangles said, for the client's SetDesktopSize. */
struct guard_layout {
    unsigned count;     /* ExtendedDesktopSize rectangles seen; 0: the server never sent one */
    uint32_t screen_id; /* its first screen, as the server numbered it (QEMU: 0) */
    uint32_t flags;
    int width, height;  /* the desktop size it announced */
    int reason, status; /* the last one's: 1 = answer to this client, then 0 = done, else refused */
};
void guard_layout(const struct guard *g, struct guard_layout *out);
/* True between the first and the last byte of a server message (after ServerInit): a stream
 * that ends here was cut off, not closed between messages. */
bool guard_mid_message(const struct guard *g);
/* Counters for benchmarks and diagnostics. */
void guard_get_stats(const struct guard *g, struct guard_stats *st);
/* "Raw", "Hextile", "cursor"...: names of enum guard_stat_kind values. */
const char *guard_stat_name(int kind);

#endif
