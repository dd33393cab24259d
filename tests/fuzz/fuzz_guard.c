/* libFuzzer target for viewer/guard: hostile server streams must never crash, leak or hang the
 * guard, and every way of splitting a stream, through guard_push or guard_scan, must give the
 * same output and the same verdict.
 * Input layout: byte 0 = flags, byte 1 = chunking seed, then the server's bytes.
 *   flags bit 0: prepend a valid ServerInit (64x48) instead of taking the stream's own
 *   flags bit 1: lossless session (no QualityLevel: Tight JPEG refused)
 *   flags bits 2-3: output room per call: 1, 7, 100 or 65536 bytes
 *   flags bit 4: small limits (desktop 256x256, cursor 32, 16 rectangles, 100-byte clipboard)
 *   flags bit 5: only the default encodings (tight zrle hextile zlib copyrect raw)
 * Corpus files recorded from real servers start with 00 00 then ServerInit. */
#include "encodings.h"
#include "fuzz_limits.h"
#include "guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t serverinit[] = {0,  64, 0, 48, 32, 24, 0, 1, 0, 255, 0,   255, 0,   255,
                                     16, 8,  0, 0,  0,  0,  0, 0, 0, 4,   'f', 'u', 'z', 'z'};

struct run {
    uint8_t *out;
    size_t len, cap;
    bool ok;
    struct vv_error err;
};

static void append(struct run *r, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n)
            cap *= 2;
        uint8_t *o = realloc(r->out, cap);
        if (!o)
            abort();
        r->out = o;
        r->cap = cap;
    }
    memcpy(r->out + r->len, p, n);
    r->len += n;
}

/* Feeds in to a fresh guard in chunks (chunky: sizes from rnd) with room bytes of output. */
static void feed(const int32_t *enc, int nenc, const struct guard_limits *lim, const uint8_t *in,
                 size_t n, bool chunky, unsigned rnd, size_t room, struct run *r)
{
    static uint8_t buf[65536];
    struct guard *g = guard_new(enc, nenc, lim);
    if (!g)
        abort();
    memset(r, 0, sizeof *r);
    r->ok = true;
    size_t off = 0;
    for (;;) {
        size_t chunk = n - off;
        if (chunky) {
            rnd = rnd * 1103515245u + 12345u;
            size_t c = 1 + (rnd >> 16) % ((rnd >> 8 & 3) == 0 ? 2000 : 17);
            chunk = chunk < c ? chunk : c;
        }
        size_t ol = 0;
        ssize_t k = guard_push(g, in + off, chunk, buf, room, &ol, &r->err);
        if (ol > room || (k >= 0 && (size_t)k > chunk))
            abort();
        append(r, buf, ol);
        if (k < 0) {
            if (r->err.code != VV_ERR_PROTOCOL || !r->err.message[0])
                abort();
            r->ok = false;
            break;
        }
        off += (size_t)k;
        if (off == n && guard_pending(g) == 0)
            break;
        if (k == 0 && ol == 0)
            abort(); /* stalled: neither input taken nor output given */
    }
    struct guard_stats st;
    guard_get_stats(g, &st);
    if (st.bytes_out != r->len)
        abort();
    guard_free(g);
}

/* The same through guard_scan, as a pump keeping the bytes in its own buffer would. */
static void feed_scan(const int32_t *enc, int nenc, const struct guard_limits *lim,
                      const uint8_t *in, size_t n, unsigned rnd, struct run *r)
{
    struct guard *g = guard_new(enc, nenc, lim);
    uint8_t *buf = malloc(n + 1);
    if (!g || !buf)
        abort();
    memset(r, 0, sizeof *r);
    r->ok = true;
    size_t off = 0, len = 0; /* buf[0, len): bytes kept for the next call */
    while (r->ok) {
        rnd = rnd * 1103515245u + 12345u;
        size_t chunk = 1 + (rnd >> 16) % ((rnd >> 8 & 3) == 0 ? 2000 : 17);
        if (chunk > n - off)
            chunk = n - off;
        memcpy(buf + len, in + off, chunk);
        len += chunk;
        off += chunk;
        for (;;) {
            struct guard_span sp;
            bool ok = guard_scan(g, buf, len, &sp, &r->err);
            if (sp.forward + sp.skip > len || (!ok && r->err.code != VV_ERR_PROTOCOL))
                abort();
            append(r, buf, sp.forward);
            if (!ok) {
                r->ok = false;
                break;
            }
            size_t gone = sp.forward + sp.skip;
            memmove(buf, buf + gone, len - gone);
            len -= gone;
            if (sp.skip == 0)
                break;
        }
        if (off == n)
            break;
    }
    /* Whatever it keeps is an incomplete header: never more than its buffer. */
    if (r->ok && len > 2048)
        abort();
    free(buf);
    guard_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned flags = data[0], seed = data[1];
    data += 2;
    size -= 2;

    struct enc_list l;
    struct vv_error e;
    if (!enc_parse(flags & 32 ? NULL : "copyrect tight zrle hextile zlib raw rre corre ultra", &l,
                   &e))
        abort();
    int32_t enc[ENC_MAX];
    int nenc = enc_build(&l, flags & 2 ? -1 : 5, 2, (flags & 2) != 0, enc, ENC_MAX);
    struct guard_limits lim;
    guard_default_limits(&lim);
    if (flags & 16)
        fuzz_small_limits(&lim);
    static const size_t rooms[4] = {1, 7, 100, 65536};
    size_t room = rooms[flags >> 2 & 3];

    uint8_t *in = malloc(size + sizeof serverinit);
    if (!in)
        return 0;
    size_t n = 0;
    if (flags & 1) {
        memcpy(in, serverinit, sizeof serverinit);
        n = sizeof serverinit;
    }
    if (size)
        memcpy(in + n, data, size);
    n += size;

    struct run whole, split, scan;
    feed(enc, nenc, &lim, in, n, false, 0, 65536, &whole);
    feed(enc, nenc, &lim, in, n, true, seed, room, &split);
    feed_scan(enc, nenc, &lim, in, n, seed ^ flags, &scan);
    const struct run *other[2] = {&split, &scan};
    for (int i = 0; i < 2; i++) {
        const struct run *o = other[i];
        if (whole.ok != o->ok || whole.len != o->len ||
            (whole.len && memcmp(whole.out, o->out, whole.len) != 0) ||
            strcmp(whole.err.message, o->err.message) != 0) {
            fprintf(stderr, "%s mismatch: whole ok %d %zu bytes \"%s\", other ok %d %zu \"%s\"\n",
                    i ? "scan" : "split", whole.ok, whole.len, whole.err.message, o->ok, o->len,
                    o->err.message);
            abort();
        }
    }
    /* What was forwarded is the input, except for rewritten headers: never longer. */
    if (whole.len > n)
        abort();
    free(whole.out);
    free(split.out);
    free(scan.out);
    free(in);
    return 0;
}
