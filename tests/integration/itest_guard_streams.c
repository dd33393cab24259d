/* The stream guard against real server streams: the in-process libvncserver serves every
 * encoding (with CopyRect, resizes, cursors, bell and clipboard) to libvncclient through a relay
 * that runs the stream through guard_push. The guard must accept every byte and forward it
 * untouched (ZRLE, Zlib and Ultra: only their encoding numbers rewritten), and the client's pixels
 * (Zlib and Ultra through vncview's own decoders) must equal the server's. 64x48 runs use
 * guard_push, 301x203 runs guard_scan. VV_GUARD_CORPUS_OUT=DIR also writes the 64x48 streams there
 * as fuzz seeds. */
#include "encodings.h"
#include "guard.h"
#include "guardclient.h"
#include "log.h"
#include "testsrv.h"
#include "vv_test.h"

#include <rfb/rfbclient.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAIT_MS 10000

struct scase {
    const char *name, *encodings;
    int quality; /* -1: lossless */
    int tol;     /* JPEG: channel tolerance and share of pixels allowed to differ */
    int percent;
    bool zrle;    /* pixels not decoded here: wait for updates instead */
    bool xcursor; /* drop RichCursor from the list: the server sends XCursor */
    int kind;     /* GUARD_STAT_ counter that must grow */
};

static const struct scase cases[] = {
    {"raw", "raw", -1, 0, 0, false, false, GUARD_STAT_RAW},
    {"copyrect", "copyrect raw", -1, 0, 0, false, false, GUARD_STAT_COPYRECT},
    {"rre", "rre copyrect", -1, 0, 0, false, false, GUARD_STAT_RRE},
    {"corre", "corre copyrect", -1, 0, 0, false, false, GUARD_STAT_CORRE},
    {"hextile", "hextile copyrect", -1, 0, 0, false, false, GUARD_STAT_HEXTILE},
    {"zlib", "zlib copyrect", -1, 0, 0, false, false, GUARD_STAT_ZLIB},
    {"zrle", "zrle copyrect", -1, 0, 0, true, false, GUARD_STAT_ZRLE},
    {"tight", "tight copyrect", -1, 0, 0, false, false, GUARD_STAT_TIGHT},
    {"tight-jpeg5", "tight copyrect", 5, 64, 60, false, false, GUARD_STAT_TIGHT},
    {"ultra", "ultra copyrect", -1, 0, 0, false, false, GUARD_STAT_ULTRA},
    {"xcursor", "hextile", -1, 0, 0, false, true, GUARD_STAT_HEXTILE},
};

static bool got_cursor(const struct guardclient_events *ev, int n)
{
    return ev->cursors >= n;
}
static bool got_bell(const struct guardclient_events *ev, int n)
{
    return ev->bells >= n;
}
static bool got_cut(const struct guardclient_events *ev, int n)
{
    return ev->cut_texts >= n;
}

/* After a server change: the client's pixels equal the server's (ZRLE: one more update). */
static void settle(struct guardclient *gc, struct testsrv *srv, const struct scase *sc,
                   uint64_t before, const char *step, int w, int h)
{
    if (sc->zrle) {
        CHECK_MSG(guardclient_wait_updates(gc, before + 1, WAIT_MS), "%s %dx%d: %s: no update",
                  sc->name, w, h, step);
        struct timespec ts = {0, 150 * 1000000L}; /* let a split change finish */
        nanosleep(&ts, NULL);
        return;
    }
    long allowed = (long)w * h * sc->percent / 100;
    long d = guardclient_wait_equal(gc, srv, sc->tol, allowed, WAIT_MS);
    CHECK_MSG(d >= 0 && d <= allowed, "%s %dx%d: %s: %ld pixels differ", sc->name, w, h, step, d);
}

static void write_seed(const char *dir, const char *name, int w, int h, const uint8_t *in,
                       size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real-%s-%dx%d", dir, name, w, h);
    FILE *f = fopen(path, "wb");
    CHECK_MSG(f != NULL, "cannot write %s", path);
    if (!f)
        return;
    /* fuzz_guard.c's prefix: flags 0x0C (stream's own ServerInit, JPEG offered, 64 KiB out). */
    static const uint8_t prefix[2] = {0x0C, 0x00};
    fwrite(prefix, 1, 2, f);
    fwrite(in, 1, len, f);
    fclose(f);
    fprintf(stderr, "seed %s: %zu bytes\n", path, len + 2);
}

/* Forwarded bytes are the received ones, except ZRLE, Zlib, Ultra and Tight rectangle encodings; a
 * fresh guard given the whole recording at once forwards exactly the same bytes. */
static void check_recording(const struct scase *sc, int w, int h, const uint8_t *in, size_t in_len,
                            const uint8_t *out, size_t out_len, const struct guard_stats *st,
                            const int32_t *codes, int ncodes)
{
    CHECK_MSG(in_len > 0 && in_len == out_len, "%s %dx%d: %zu bytes in, %zu out", sc->name, w, h,
              in_len, out_len);
    size_t differ = 0;
    for (size_t i = 0; i < in_len && i < out_len; i++)
        differ += in[i] != out[i];
    /* Only rewritten encoding numbers (ZRLE, Zlib, Ultra, Tight) differ, at most 4 bytes each. */
    uint64_t rewrites =
        st->zrle_rewritten + st->zlib_rewritten + st->ultra_rewritten + st->tight_rewritten;
    CHECK_MSG((differ == 0) == (rewrites == 0) && differ <= 4 * rewrites,
              "%s %dx%d: %zu bytes differ for %llu rewrites", sc->name, w, h, differ,
              (unsigned long long)rewrites);
    struct guard *g = guard_new(codes, ncodes, NULL);
    uint8_t *again = malloc(in_len + 1);
    size_t ol = 0;
    struct vv_error err;
    ssize_t n = guard_push(g, in, in_len, again, in_len + 1, &ol, &err);
    CHECK_MSG(n == (ssize_t)in_len && ol == out_len && memcmp(again, out, ol) == 0,
              "%s %dx%d: replay differs (%zd, %zu)", sc->name, w, h, n, ol);
    free(again);
    guard_free(g);
}

static void run_case(const struct scase *sc, int w, int h, bool scan, const char *corpus_dir)
{
    struct testsrv_opts so = {.width = w, .height = h, .remote_cursor_shape = true};
    struct testsrv *srv = testsrv_start(&so);
    CHECK(srv != NULL);
    if (!srv)
        return;
    testsrv_fill_pattern(srv, 7);
    int32_t codes[ENC_MAX];
    struct enc_list el;
    struct vv_error err;
    CHECK(enc_parse(sc->encodings, &el, &err));
    int n = enc_build(&el, sc->quality, 6, sc->quality < 0, codes, ENC_MAX), k = 0;
    for (int i = 0; i < n; i++)
        if (!(sc->xcursor && codes[i] == ENC_RICHCURSOR))
            codes[k++] = codes[i];
    struct guardclient_opts go = {.port = testsrv_port(srv),
                                  .codes = codes,
                                  .ncodes = k,
                                  .record_max = 4u << 20,
                                  .scan = scan};
    struct guardclient *gc = guardclient_start(&go);
    CHECK(gc != NULL);
    if (!gc) {
        testsrv_stop(srv);
        return;
    }
    settle(gc, srv, sc, 0, "first frame", w, h);

    uint64_t before = guardclient_updates(gc);
    testsrv_fill_rect(srv, 3, 3, w / 3, h / 4, 0x123456);
    testsrv_fill_pattern(srv, 99);
    settle(gc, srv, sc, before, "new pattern", w, h);

    before = guardclient_updates(gc);
    testsrv_copy_rect(srv, 0, h / 2, w / 2, h / 4, w / 3, 2);
    settle(gc, srv, sc, before, "copy", w, h);

    /* Flat areas: RRE/CoRRE subrectangles, Hextile background tiles, Tight fills. */
    before = guardclient_updates(gc);
    testsrv_fill_rect(srv, 5, 6, 40, 30, 0x336699);
    testsrv_fill_rect(srv, 10, 10, 7, 5, 0xFFEE00);
    testsrv_fill_rect(srv, 30, 12, 3, 9, 0x00AA00);
    settle(gc, srv, sc, before, "flat", w, h);

    struct guardclient_events ev;
    guardclient_events(gc, &ev);
    uint32_t argb[8 * 8];
    for (int i = 0; i < 64; i++)
        argb[i] = (i % 3 ? 0xFF000000u : 0) | (uint32_t)i * 0x030507u;
    testsrv_set_cursor(srv, 8, 8, 3, 4, argb);
    CHECK_MSG(guardclient_wait_event(gc, got_cursor, ev.cursors + 1, WAIT_MS), "%s: no cursor",
              sc->name);
    testsrv_bell(srv);
    CHECK_MSG(guardclient_wait_event(gc, got_bell, 1, WAIT_MS), "%s: no bell", sc->name);
    testsrv_send_cut_text(srv, "hello \xe9t\xe9", 10);
    CHECK_MSG(guardclient_wait_event(gc, got_cut, 1, WAIT_MS), "%s: no clipboard", sc->name);

    before = guardclient_updates(gc);
    testsrv_resize(srv, w + 16, h + 8);
    settle(gc, srv, sc, before, "resize", w + 16, h + 8);

    guardclient_events(gc, &ev);
    CHECK_MSG(ev.cursor_w == 8 && ev.cursor_h == 8 && ev.cursor_hot_x == 3 && ev.cursor_hot_y == 4,
              "%s: cursor %dx%d hot %d,%d", sc->name, ev.cursor_w, ev.cursor_h, ev.cursor_hot_x,
              ev.cursor_hot_y);
    CHECK_MSG(ev.cut_len == 10, "%s: clipboard of %zu bytes", sc->name, ev.cut_len);
    CHECK_MSG(sc->zrle || (ev.width == w + 16 && ev.height == h + 8), "%s: client at %dx%d",
              sc->name, ev.width, ev.height);
    CHECK_MSG(guardclient_guard_ok(gc, &err), "%s %dx%d: guard refused: %s", sc->name, w, h,
              err.message);
    CHECK_MSG(!guardclient_ended(gc), "%s %dx%d: client ended", sc->name, w, h);

    /* Quiet now (nothing changes on the server): stop the threads, keep the recording. */
    struct timespec ts = {0, 200 * 1000000L};
    nanosleep(&ts, NULL);
    guardclient_halt(gc);
    struct guard_stats st;
    guardclient_stats(gc, &st);
    CHECK_MSG(st.rects[sc->kind] > 0, "%s: no %s rectangles", sc->name, guard_stat_name(sc->kind));
    CHECK_MSG(st.rects[GUARD_STAT_CURSOR] >= 2 && st.rects[GUARD_STAT_NEWFBSIZE] == 1 &&
                  st.bells == 1 && st.cut_texts == 1,
              "%s: cursors %llu resizes %llu bells %llu clipboards %llu", sc->name,
              (unsigned long long)st.rects[GUARD_STAT_CURSOR],
              (unsigned long long)st.rects[GUARD_STAT_NEWFBSIZE], (unsigned long long)st.bells,
              (unsigned long long)st.cut_texts);
    if (sc->zrle)
        CHECK_MSG(st.zrle_rewritten > 0 && (uint64_t)ev.private_zrle == st.zrle_rewritten,
                  "zrle: %llu rewritten, %d received", (unsigned long long)st.zrle_rewritten,
                  ev.private_zrle);
    if (sc->kind == GUARD_STAT_ZLIB || sc->kind == GUARD_STAT_ULTRA)
        CHECK_MSG(
            st.zlib_rewritten + st.ultra_rewritten == st.rects[sc->kind] && st.rects[sc->kind] > 0,
            "%s: %llu rectangles, %llu rewritten", sc->name, (unsigned long long)st.rects[sc->kind],
            (unsigned long long)(st.zlib_rewritten + st.ultra_rewritten));
    if (sc->quality >= 0)
        CHECK_MSG(st.tight_jpeg > 0, "%s: no JPEG rectangles", sc->name);

    const uint8_t *in, *out;
    size_t in_len, out_len;
    bool truncated;
    guardclient_recorded(gc, &in, &in_len, &out, &out_len, &truncated);
    CHECK(!truncated);
    check_recording(sc, w, h, in, in_len, out, out_len, &st, codes, k);
    if (corpus_dir)
        write_seed(corpus_dir, sc->name, w, h, in, in_len);
    fprintf(stderr, "%-12s %4dx%-4d %s: %llu updates, %zu bytes, %llu tiles, %llu rewritten\n",
            sc->name, w, h, scan ? "scan" : "push", (unsigned long long)st.updates, in_len,
            (unsigned long long)st.hextile_tiles,
            (unsigned long long)(st.zrle_rewritten + st.zlib_rewritten + st.ultra_rewritten));
    guardclient_stop(gc);
    testsrv_stop(srv);
}

/* A 2 MiB clipboard: truncated by the guard instead of ending the session (libvncclient's
 * limit is 1 MiB). */
static void run_big_clipboard(bool scan)
{
    struct testsrv_opts so = {.width = 64, .height = 48};
    struct testsrv *srv = testsrv_start(&so);
    CHECK(srv != NULL);
    if (!srv)
        return;
    struct guardclient_opts go = {.port = testsrv_port(srv),
                                  .encodings = "hextile",
                                  .quality = -1,
                                  .compress = -1,
                                  .scan = scan};
    struct guardclient *gc = guardclient_start(&go);
    CHECK(gc != NULL);
    if (!gc) {
        testsrv_stop(srv);
        return;
    }
    CHECK(guardclient_wait_updates(gc, 1, WAIT_MS));
    size_t big = 2u << 20;
    char *text = malloc(big);
    memset(text, 'q', big);
    testsrv_send_cut_text(srv, text, big);
    free(text);
    CHECK(guardclient_wait_event(gc, got_cut, 1, WAIT_MS));
    testsrv_bell(srv);
    CHECK(guardclient_wait_event(gc, got_bell, 1, WAIT_MS));
    struct guardclient_events ev;
    guardclient_events(gc, &ev);
    CHECK_EQ_INT(ev.cut_len, (1u << 20) - 1);
    struct guard_stats st;
    guardclient_stats(gc, &st);
    CHECK_EQ_INT(st.cut_bytes_dropped, big - ((1u << 20) - 1));
    CHECK(!guardclient_ended(gc));
    CHECK(guardclient_guard_ok(gc, NULL));
    guardclient_stop(gc);
    testsrv_stop(srv);
    fprintf(stderr, "2 MiB clipboard truncated (%s), session alive\n", scan ? "scan" : "push");
}

static void quiet(const char *fmt, ...)
{
    (void)fmt;
}

int main(int argc, char **argv)
{
    log_set_level(LOG_WARN);
    rfbClientLog = quiet; /* libvncclient's chatter; its errors still print */
    const char *corpus = getenv("VV_GUARD_CORPUS_OUT");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
            continue;
        run_case(&cases[i], 64, 48, false, corpus);
        run_case(&cases[i], 301, 203, true, NULL); /* the zero-copy guard_scan */
    }
    if (argc == 1 || strcmp(argv[1], "clipboard") == 0) {
        run_big_clipboard(false);
        run_big_clipboard(true);
    }
    return vv_test_finish();
}
