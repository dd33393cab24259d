/* Hand-built RFB server streams for the stream guard's tests, and a runner that feeds a stream to
 * a guard whole, one byte at a time, and in random chunks with tiny output buffers, and checks
 * that every way of splitting gives the same output and the same verdict. */
#ifndef VV_GSTREAM_H
#define VV_GSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guard.h"

struct gstream {
    uint8_t *data;
    size_t len, cap;
};

void gs_u8(struct gstream *s, unsigned v);
void gs_u16(struct gstream *s, unsigned v); /* big-endian, as on the wire */
void gs_u32(struct gstream *s, uint32_t v);
void gs_bytes(struct gstream *s, const void *p, size_t n);
void gs_fill(struct gstream *s, unsigned byte, size_t n);
/* ServerInit: w x h, 32 bpp depth 24 true colour, the name. */
void gs_serverinit(struct gstream *s, unsigned w, unsigned h, const char *name);
void gs_fbu(struct gstream *s, unsigned nrects);
void gs_rect(struct gstream *s, unsigned x, unsigned y, unsigned w, unsigned h, int32_t enc);
void gs_free(struct gstream *s);

struct gresult {
    bool ok;
    uint8_t *out; /* everything the guard forwarded */
    size_t out_len;
    size_t consumed;
    struct vv_error err;
    struct guard_stats st;
};

enum gs_mode {
    GS_WHOLE,         /* all input at once, a large output buffer */
    GS_BYTEWISE,      /* one input byte per call, a 1-byte output buffer */
    GS_RANDOM,        /* random input chunks, random output room of 1..64 bytes */
    GS_TINY_OUT,      /* all input at once, a 3-byte output buffer */
    GS_SCAN_BYTEWISE, /* guard_scan, one new byte per call */
    GS_SCAN_RANDOM,   /* guard_scan, random chunks, kept bytes moved between calls */
    GS_NMODES
};

/* Runs one guard over in. lim NULL: defaults. Caller frees with gresult_free. False only if the
 * guard stopped making progress (a bug): r->err then says so. */
bool gs_run(const int32_t *enc, int nenc, const struct guard_limits *lim, const uint8_t *in,
            size_t len, enum gs_mode mode, unsigned seed, struct gresult *r);
/* Every mode (random with a few seeds); r receives GS_WHOLE's result. why receives the first
 * disagreement; returns false if any mode disagrees or stalls. */
bool gs_run_all(const int32_t *enc, int nenc, const struct guard_limits *lim, const uint8_t *in,
                size_t len, struct gresult *r, char *why, size_t why_size);
void gresult_free(struct gresult *r);

/* The SetEncodings list of a session with every encoding vncview can ask for; jpeg: with a
 * QualityLevel (so Tight JPEG is allowed). Returns the count. */
int gs_all_encodings(int32_t *codes, int max, bool jpeg);

#endif
