/* libFuzzer target for the session core: a hostile server's stream, from ServerInit on, through
 * the stream guard into a real libvncclient rfbClient set up by session_rfb_new (our pixel
 * format, SetEncodings, framebuffer allocator, drawing callbacks, JPEG and ZRLE decoders), read
 * over a socketpair after the pump's synthetic None greeting, exactly as a session runs it.
 * One thread, no threads per input: the guard's whole output is written into the socketpair
 * (its send buffer is raised so 1 MiB always fits), then libvncclient reads until EOF while we
 * drain what it sends. Every published frame, cursor and clipboard is checked and read.
 * Input layout (as fuzz_guard.c, so its corpus and recordings serve here too):
 *   byte 0 = flags: bit 0 prepend a valid 64x48 ServerInit; bit 1 lossless (no JPEG);
 *            bit 4 small guard limits; bit 5 only the default encodings (else every one);
 *   byte 1 unused (fuzz_guard's chunking seed); then the server's bytes (first 1 MiB used). */
#include "fuzz_limits.h"
#include "guard.h"
#include "log.h"
#include "session_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FUZZ_MAX_INPUT (1u << 20)
#define SOCK_BUF (4 << 20) /* holds FUZZ_MAX_INPUT plus the kernel's per-buffer overhead */
/* Desktops above this are refused by the guard here (16384 in the viewer): a 1 GiB framebuffer
 * per input would make the campaign measure memset, not find bugs. */
#define FUZZ_MAX_DIM 1024

/* What the pump sends libvncclient before the server's ServerInit (pump.c). */
static const uint8_t greeting[] = "RFB 003.008\n\x01\x01\x00\x00\x00\x00";
static const uint8_t serverinit[] = {0,  64, 0, 48, 32, 24, 0, 1, 0, 255, 0,   255, 0,   255,
                                     16, 8,  0, 0,  0,  0,  0, 0, 0, 4,   'f', 'u', 'z', 'z'};

static volatile uint32_t sink; /* pixel sums: reads ASan checks, kept from the optimiser */
static bool verbose;           /* VV_FUZZ_VERBOSE=1: one line per input */
static unsigned long frames;

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_session: invariant broken: %s\n", what);
        abort();
    }
}

static void check_frame(struct session *s)
{
    struct session_frame f;
    check(session_frame_lock(s, &f), "FRAME event without a published frame");
    check(f.width > 0 && f.height > 0 && f.width <= FUZZ_MAX_DIM && f.height <= FUZZ_MAX_DIM,
          "published frame size");
    check(f.stride == f.width * 4, "stride");
    check(f.ndamage >= 0 && f.ndamage <= SESSION_MAX_DAMAGE, "damage count");
    uint32_t sum = 0;
    for (int i = 0; i < f.ndamage; i++) {
        struct vv_rect r = f.damage[i];
        check(r.x >= 0 && r.y >= 0 && r.w > 0 && r.h > 0 && r.x + r.w <= f.width &&
                  r.y + r.h <= f.height,
              "damage rectangle outside the frame");
        /* First and last pixel of each row: ASan sees any row outside the buffer. */
        for (int y = r.y; y < r.y + r.h; y++) {
            const uint8_t *row = f.pixels + (size_t)y * (size_t)f.stride;
            sum += row[r.x * 4] + row[(r.x + r.w) * 4 - 1];
        }
    }
    if (f.full)
        sum += f.pixels[(size_t)f.stride * (size_t)f.height - 1];
    sink += sum;
    session_frame_unlock(s, true);
}

static void on_event(void *ctx, const struct session_event *ev)
{
    struct session *s = ctx;
    switch (ev->type) {
    case SESSION_EV_FRAME:
        frames++;
        check_frame(s);
        break;
    case SESSION_EV_CURSOR: {
        int w = ev->u.cursor.width, h = ev->u.cursor.height;
        check(w >= 0 && h >= 0 && w <= 1024 && h <= 1024, "cursor size");
        uint32_t sum = 0;
        for (long i = 0; i < (long)w * h; i++) {
            uint32_t a = ev->u.cursor.argb[i] >> 24;
            check(a == 0 || a == 255, "cursor alpha");
            sum += ev->u.cursor.argb[i];
        }
        sink += sum;
        break;
    }
    case SESSION_EV_CLIPBOARD: {
        const unsigned char *u = (const unsigned char *)ev->u.clipboard.utf8;
        size_t n = ev->u.clipboard.len;
        check(u[n] == '\0', "clipboard not terminated");
        /* Latin-1 converted: only ASCII and two-byte sequences C2/C3 xx. */
        for (size_t i = 0; i < n; i++) {
            if (u[i] < 0x80)
                continue;
            check((u[i] == 0xC2 || u[i] == 0xC3) && i + 1 < n && (u[i + 1] & 0xC0) == 0x80,
                  "clipboard is not UTF-8 from Latin-1");
            i++;
        }
        break;
    }
    case SESSION_EV_CONNECTED:
        check(ev->u.connected.width == s->fb_w && ev->u.connected.height == s->fb_h,
              "CONNECTED size");
        sink += (uint32_t)strlen(ev->u.connected.desktop_name);
        break;
    default:
        break;
    }
}

static void quiet(const char *fmt, ...)
{
    (void)fmt;
}

/* Discards what libvncclient sent (requests): its socket buffer must never fill up. */
static void drain(int fd)
{
    static char buf[65536];
    while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
}

/* The guard's output for in[0, n), after the greeting; NULL if out of memory. */
static uint8_t *guarded_stream(struct session *s, unsigned flags, const uint8_t *in, size_t n,
                               size_t *len)
{
    struct guard_limits lim;
    guard_default_limits(&lim);
    lim.max_width = lim.max_height = FUZZ_MAX_DIM;
    if (flags & 16)
        fuzz_small_limits(&lim);
    struct guard *g = guard_new(s->codes, s->ncodes, &lim);
    size_t cap = sizeof greeting - 1 + n + 64;
    uint8_t *out = malloc(cap);
    if (!g || !out) {
        guard_free(g);
        free(out);
        return NULL;
    }
    memcpy(out, greeting, sizeof greeting - 1);
    *len = sizeof greeting - 1;
    struct vv_error err;
    ssize_t k = guard_push(g, in, n, out, cap, len, &err);
    /* Never more out than in (only headers are rewritten), so it all fits in one call. */
    check(k < 0 || ((size_t)k == n && guard_pending(g) == 0), "guard held bytes back");
    check(k >= 0 || (err.code == VV_ERR_PROTOCOL && err.message[0]), "guard refusal unexplained");
    guard_free(g);
    return out;
}

static void run(unsigned flags, const uint8_t *in, size_t n)
{
    struct session *s = calloc(1, sizeof *s);
    check(s != NULL, "out of memory");
    struct vv_error err;
    check(enc_parse(flags & 32 ? NULL : "copyrect tight zrle hextile zlib raw rre corre ultra",
                    &s->enc, &err),
          "encodings");
    bool lossless = (flags & 2) != 0;
    s->ncodes = enc_build(&s->enc, lossless ? -1 : 5, 2, lossless, s->codes, ENC_MAX);
    s->cfg.on_event = on_event;
    s->cfg.ctx = s;
    s->cfg.shared = true;
    snprintf(s->cfg.addr.host, sizeof s->cfg.addr.host, "fuzz.invalid");
    s->cfg.addr.port = 5900;
    snprintf(s->where, sizeof s->where, "fuzz.invalid port 5900");
    s->sock = -1;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    pthread_mutex_init(&s->frame_lock, NULL);

    size_t len = 0;
    uint8_t *stream = guarded_stream(s, flags, in, n, &len);
    int sv[2] = {-1, -1};
    check(stream && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
    int big = SOCK_BUF;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    plat_set_nonblock(sv[0], true);
    plat_set_nonblock(sv[1], true); /* as session_main does */
    for (size_t off = 0; off < len;) {
        ssize_t w = send(sv[0], stream + off, len - off, MSG_NOSIGNAL);
        check(w > 0, "the socketpair did not take the whole stream");
        off += (size_t)w;
    }
    shutdown(sv[0], SHUT_WR); /* libvncclient reads EOF after the stream, never blocks */
    free(stream);

    unsigned long messages = 0;
    frames = 0;
    if (session_client_init(s, sv[1])) {
        struct session_event ev = {.type = SESSION_EV_CONNECTED};
        ev.u.connected.desktop_name = s->cl->desktopName ? s->cl->desktopName : "";
        ev.u.connected.width = s->fb_w;
        ev.u.connected.height = s->fb_h;
        ev.u.connected.security = "fuzz";
        session_emit(s, &ev);
        for (;;) {
            drain(sv[0]);
            /* session.c's handle_message without the watchdog (libFuzzer's -timeout is it). */
            if (!HandleRFBServerMessage(s->cl) || s->proto_error.code != VV_OK)
                break;
            messages++;
            check(s->cl->frameBuffer == s->fb && s->cl->width == s->fb_w &&
                      s->cl->height == s->fb_h,
                  "libvncclient's framebuffer is not ours");
        }
    }
    if (verbose)
        fprintf(stderr, "fuzz_session: %zu bytes guarded, %lu messages, %lu frames, %dx%d%s%s\n",
                len, messages, frames, s->fb_w, s->fb_h, s->proto_error.code ? ": " : "",
                s->proto_error.message);
    session_rfb_free(s); /* closes sv[1] (rfbClientCleanup) */
    close(sv[0]);
    free(s->front);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->frame_lock);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool once;
    if (!once) {
        once = true;
        log_set_level(LOG_ERROR);
        rfbClientLog = quiet;
        rfbClientErr = quiet;
        signal(SIGPIPE, SIG_IGN);
        verbose = getenv("VV_FUZZ_VERBOSE") != NULL;
    }
    if (size < 2)
        return 0;
    unsigned flags = data[0];
    data += 2;
    size -= 2;
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    uint8_t *in = malloc(size + sizeof serverinit);
    check(in != NULL, "out of memory");
    size_t n = 0;
    if (flags & 1) {
        memcpy(in, serverinit, sizeof serverinit);
        n = sizeof serverinit;
    }
    if (size)
        memcpy(in + n, data, size);
    run(flags, in, n + size);
    free(in);
    return 0;
}
