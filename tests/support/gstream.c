/* Stream builder and split-mode runner for the stream guard's tests. */
#include "gstream.h"

#include "encodings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void grow(struct gstream *s, size_t more)
{
    if (s->len + more <= s->cap)
        return;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->len + more)
        cap *= 2;
    uint8_t *d = realloc(s->data, cap);
    if (!d) {
        fprintf(stderr, "gstream: out of memory\n");
        abort();
    }
    s->data = d;
    s->cap = cap;
}

void gs_bytes(struct gstream *s, const void *p, size_t n)
{
    grow(s, n);
    if (n)
        memcpy(s->data + s->len, p, n);
    s->len += n;
}

void gs_fill(struct gstream *s, unsigned byte, size_t n)
{
    grow(s, n);
    memset(s->data + s->len, (int)byte, n);
    s->len += n;
}

void gs_u8(struct gstream *s, unsigned v)
{
    uint8_t b = (uint8_t)v;
    gs_bytes(s, &b, 1);
}

void gs_u16(struct gstream *s, unsigned v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    gs_bytes(s, b, 2);
}

void gs_u32(struct gstream *s, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    gs_bytes(s, b, 4);
}

void gs_serverinit(struct gstream *s, unsigned w, unsigned h, const char *name)
{
    gs_u16(s, w);
    gs_u16(s, h);
    /* bpp 32, depth 24, little-endian, true colour, max 255 each, shifts 16/8/0, padding */
    static const uint8_t pf[16] = {32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0};
    gs_bytes(s, pf, sizeof pf);
    gs_u32(s, (uint32_t)strlen(name));
    gs_bytes(s, name, strlen(name));
}

void gs_fbu(struct gstream *s, unsigned nrects)
{
    gs_u8(s, 0);
    gs_u8(s, 0);
    gs_u16(s, nrects);
}

void gs_rect(struct gstream *s, unsigned x, unsigned y, unsigned w, unsigned h, int32_t enc)
{
    gs_u16(s, x);
    gs_u16(s, y);
    gs_u16(s, w);
    gs_u16(s, h);
    gs_u32(s, (uint32_t)enc);
}

void gs_free(struct gstream *s)
{
    free(s->data);
    memset(s, 0, sizeof *s);
}

void gresult_free(struct gresult *r)
{
    free(r->out);
    memset(r, 0, sizeof *r);
}

static unsigned next_rand(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 16;
}

/* guard_scan as a pump would use it: new bytes appended after the ones it kept, validated
 * bytes sent, skipped bytes dropped; kept bytes moved to a fresh buffer now and then. */
static void run_scan(struct guard *g, const uint8_t *in, size_t len, bool bytewise, unsigned rnd,
                     struct gstream *out, struct gresult *r)
{
    struct gstream buf = {0};
    size_t off = 0;
    while (r->ok) {
        size_t chunk = len - off;
        if (bytewise) {
            chunk = chunk ? 1 : 0;
        } else {
            size_t c = 1 + next_rand(&rnd) % (next_rand(&rnd) % 4 == 0 ? 4096 : 40);
            chunk = chunk < c ? chunk : c;
        }
        gs_bytes(&buf, in + off, chunk);
        off += chunk;
        for (;;) {
            struct guard_span span;
            bool ok = guard_scan(g, buf.data, buf.len, &span, &r->err);
            if (span.forward + span.skip > buf.len) {
                vv_error_set(&r->err, VV_ERR_GENERIC, "span beyond the buffer");
                ok = false;
            }
            gs_bytes(out, buf.data, span.forward);
            if (!ok) {
                r->ok = false;
                break;
            }
            size_t gone = span.forward + span.skip, keep = buf.len - gone;
            if (!bytewise && next_rand(&rnd) % 3 == 0) {
                struct gstream moved = {0};
                gs_bytes(&moved, buf.data + gone, keep);
                gs_free(&buf);
                buf = moved;
            } else {
                if (keep)
                    memmove(buf.data, buf.data + gone, keep);
                buf.len = keep;
            }
            if (span.skip == 0)
                break;
        }
        if (off == len)
            break;
    }
    r->consumed = off;
    gs_free(&buf);
}

bool gs_run(const int32_t *enc, int nenc, const struct guard_limits *lim, const uint8_t *in,
            size_t len, enum gs_mode mode, unsigned seed, struct gresult *r)
{
    memset(r, 0, sizeof *r);
    if (mode == GS_SCAN_BYTEWISE || mode == GS_SCAN_RANDOM) {
        struct guard *g = guard_new(enc, nenc, lim);
        struct gstream out = {0};
        r->ok = true;
        if (g) {
            run_scan(g, in, len, mode == GS_SCAN_BYTEWISE, seed * 2654435761u + 7, &out, r);
            guard_get_stats(g, &r->st);
        }
        guard_free(g);
        r->out = out.data;
        r->out_len = out.len;
        return g != NULL;
    }
    struct guard *g = guard_new(enc, nenc, lim);
    struct gstream out = {0};
    uint8_t buf[4096];
    unsigned rnd = seed * 2654435761u + 1;
    size_t off = 0;
    bool progress = g != NULL;
    r->ok = true;
    while (progress) {
        size_t chunk = len - off, cap = sizeof buf;
        switch (mode) {
        case GS_WHOLE:
            break;
        case GS_BYTEWISE:
            chunk = chunk ? 1 : 0;
            cap = 1;
            break;
        case GS_RANDOM: {
            size_t c = 1 + next_rand(&rnd) % (next_rand(&rnd) % 4 == 0 ? 4096 : 40);
            chunk = chunk < c ? chunk : c;
            cap = 1 + next_rand(&rnd) % 64;
            break;
        }
        case GS_TINY_OUT:
        default:
            cap = 3;
            break;
        }
        size_t ol = 0;
        ssize_t n = guard_push(g, in + off, chunk, buf, cap, &ol, &r->err);
        gs_bytes(&out, buf, ol);
        if (n < 0) {
            r->ok = false;
            break;
        }
        off += (size_t)n;
        if (off == len && guard_pending(g) == 0)
            break;
        /* Each call must consume input or produce output unless it has neither to work on. */
        progress = n > 0 || ol > 0;
    }
    if (!progress) {
        vv_error_set(&r->err, VV_ERR_GENERIC, "the guard stalled at input byte %zu of %zu", off,
                     len);
        r->ok = false;
    }
    if (g)
        guard_get_stats(g, &r->st);
    r->consumed = off;
    guard_free(g);
    r->out = out.data;
    r->out_len = out.len;
    return progress;
}

bool gs_run_all(const int32_t *enc, int nenc, const struct guard_limits *lim, const uint8_t *in,
                size_t len, struct gresult *r, char *why, size_t why_size)
{
    static const char *const names[GS_NMODES] = {"whole",    "bytewise",      "random",
                                                 "tiny-out", "scan-bytewise", "scan-random"};
    snprintf(why, why_size, "all modes agree");
    if (!gs_run(enc, nenc, lim, in, len, GS_WHOLE, 0, r)) {
        snprintf(why, why_size, "whole: %s", r->err.message);
        return false;
    }
    for (int m = GS_BYTEWISE; m < GS_NMODES; m++) {
        for (unsigned seed = 1; seed <= (m == GS_RANDOM || m == GS_SCAN_RANDOM ? 5u : 1u); seed++) {
            struct gresult o;
            bool ok = gs_run(enc, nenc, lim, in, len, (enum gs_mode)m, seed, &o);
            bool same = ok && o.ok == r->ok && o.out_len == r->out_len &&
                        (!o.out_len || memcmp(o.out, r->out, o.out_len) == 0) &&
                        strcmp(o.err.message, r->err.message) == 0;
            if (!same)
                snprintf(why, why_size,
                         "mode %s (seed %u): ok %d out %zu bytes \"%s\"; whole: ok %d out %zu "
                         "bytes \"%s\"",
                         names[m], seed, o.ok, o.out_len, o.err.message, r->ok, r->out_len,
                         r->err.message);
            gresult_free(&o);
            if (!same)
                return false;
        }
    }
    return true;
}

int gs_all_encodings(int32_t *codes, int max, bool jpeg)
{
    struct enc_list l;
    struct vv_error err;
    if (!enc_parse("copyrect tight zrle hextile zlib raw rre corre ultra", &l, &err))
        return 0;
    return enc_build(&l, jpeg ? 5 : -1, 2, !jpeg, codes, max);
}
