/* Unit tests for viewer/guard: ServerInit, message types, rectangle headers, pseudo-encodings,
 * clipboard truncation, amplification, and byte-exact equality however the stream is split.
 * Per-encoding framing is in test_guard_enc.c. */
#include "guard.h"
#include "guard_check.h"

#include <stdlib.h>

static uint32_t guard_be32_for_test(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_serverinit(void)
{
    struct gstream s = {0};
    gs_serverinit(&s, 64, 48, "test");
    EXPECT_OK(&s);
    gs_free(&s);
    gs_serverinit(&s, 0, 1, "");
    EXPECT_FAIL(&s, "the server announced a 0x1 desktop");
    gs_free(&s);
    gs_serverinit(&s, 16385, 10, "");
    EXPECT_FAIL(&s, "16385x10 desktop");
    gs_free(&s);
    gs_serverinit(&s, 16384, 16384, "");
    EXPECT_OK(&s);
    gs_free(&s);
    gs_serverinit(&s, 64, 48, "x");
    s.data[4] = 24; /* bits per pixel */
    EXPECT_FAIL(&s, "24 bits per pixel");
    s.data[4] = 16;
    EXPECT_OK(&s);
    gs_free(&s);

    struct guard_limits l;
    guard_default_limits(&l);
    l.max_width = 640;
    l.max_height = 480;
    gs_serverinit(&s, 641, 480, "");
    EXPECT_FAIL_LIM(&s, &l, "641x480 desktop; vncview accepts 1x1 to 640x480");
    gs_free(&s);

    /* A name over the hard limit: only the header is needed to refuse it. */
    gs_serverinit(&s, 64, 48, "");
    s.data[20] = 0, s.data[21] = 0x10, s.data[22] = 0, s.data[23] = 1;
    EXPECT_FAIL(&s, "desktop name of");
    gs_free(&s);
}

/* A 5000-byte name is forwarded as its first 4096 bytes; the stream goes on. */
static void test_long_name(void)
{
    char *name = malloc(5001);
    for (int i = 0; i < 5000; i++)
        name[i] = (char)('a' + i % 26);
    name[5000] = '\0';
    struct gstream s = {0}, want = {0};
    gs_serverinit(&s, 64, 48, name);
    gs_u8(&s, 2); /* bell */
    name[4096] = '\0';
    gs_serverinit(&want, 64, 48, name);
    gs_u8(&want, 2);
    EXPECT_OUT(&s, &want);
    gs_free(&s);
    gs_free(&want);
    free(name);
}

static void test_message_types(void)
{
    struct gstream s = {0};
    gs_serverinit(&s, 64, 48, "test");
    gs_u8(&s, 2);
    gs_fbu(&s, 0);
    gs_u8(&s, 2);
    EXPECT_OK(&s);
    static const struct {
        unsigned type;
        const char *text;
    } refused[] = {
        {1, "SetColourMapEntries message (type 1)"},
        {4, "ResizeFrameBuffer message (type 4)"},
        {11, "TextChat message (type 11)"},
        {15, "PalmVNC ReSizeFrameBuffer message (type 15)"},
        {150, "EndOfContinuousUpdates message (type 150)"},
        {248, "ServerFence message (type 248)"},
        {250, "xvp message (type 250)"},
        {201, "unknown message type 201"},
        {5, "unknown message type 5"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        gs_free(&s);
        gs_serverinit(&s, 64, 48, "test");
        gs_u8(&s, 2);
        gs_u8(&s, refused[i].type);
        gs_fill(&s, 0, 20);
        EXPECT_FAIL(&s, refused[i].text);
    }
    gs_free(&s);
}

static void test_rect_bounds(void)
{
    struct gstream s = {0};
    gc_start(&s, 3);
    gs_rect(&s, 0, 0, 64, 48, ENC_RAW);
    gs_fill(&s, 0x11, 64 * 48 * 4);
    gs_rect(&s, 63, 47, 1, 1, ENC_RAW);
    gs_fill(&s, 0x22, 4);
    gs_rect(&s, 10, 10, 5, 5, ENC_COPYRECT);
    gs_u16(&s, 59);
    gs_u16(&s, 43);
    EXPECT_OK(&s);

    gc_start(&s, 3);
    gs_rect(&s, 0, 0, 1, 1, ENC_RAW);
    gs_fill(&s, 0, 4);
    gs_rect(&s, 0, 0, 1, 1, ENC_RAW);
    gs_fill(&s, 0, 4);
    gs_rect(&s, 60, 40, 5, 8, ENC_RAW);
    gs_fill(&s, 0, 5 * 8 * 4);
    EXPECT_FAIL(&s, "the server sent rectangle 3 (Raw, 5x8 at 60,40) outside its 64x48 desktop");

    gc_start(&s, 1);
    gs_rect(&s, 0, 40, 1, 9, ENC_HEXTILE);
    EXPECT_FAIL(&s, "outside its 64x48 desktop");
    gc_start(&s, 1);
    gs_rect(&s, 65535, 65535, 65535, 65535, ENC_RAW);
    EXPECT_FAIL(&s, "rectangle 1 (Raw, 65535x65535 at 65535,65535) outside");

    gc_start(&s, 1);
    gs_rect(&s, 3, 3, 0, 5, ENC_TIGHT);
    gs_u8(&s, 0x80);
    gs_fill(&s, 0, 3);
    EXPECT_FAIL(&s, "empty rectangle 1 (Tight, 0x5 at 3,3)");
    gc_start(&s, 1);
    gs_rect(&s, 64, 0, 0, 1, ENC_TIGHT);
    EXPECT_FAIL(&s, "empty rectangle");
    gc_start(&s, 1);
    gs_rect(&s, 3, 3, 5, 0, ENC_COPYRECT);
    EXPECT_FAIL(&s, "empty rectangle");

    gc_start(&s, 1);
    gs_rect(&s, 10, 10, 20, 20, ENC_COPYRECT);
    gs_u16(&s, 50);
    gs_u16(&s, 0);
    EXPECT_FAIL(&s, "rectangle 1 (CopyRect, 20x20 at 10,10) copying from 50,0, outside its 64x48");
    gs_free(&s);
}

static void test_encodings_offered(void)
{
    static const struct {
        int32_t enc;
        const char *text;
    } refused[] = {
        {17, "encoding ZYWRLE in rectangle 1, which was not offered"},
        {15, "encoding TRLE"},
        {8, "encoding ZlibHex"},
        {3, "encoding 3 in rectangle 1"},
        {(int32_t)ENC_ULTRAZIP, "encoding UltraZip"},
        {ENC_EXTDESKTOPSIZE, "encoding ExtendedDesktopSize"},
        {ENC_POINTERPOS, "encoding PointerPos"},
        {ENC_COMPRESS_0 + 2, "encoding CompressLevel"},
        {ENC_QUALITY_0 + 5, "encoding QualityLevel"},
        {ENC_SUPPORTED_MESSAGES, "SupportedMessages"},
        {ENC_SERVER_IDENTITY, "ServerIdentity"},
        {-307, "DesktopName"},
        {GUARD_ENC_ZRLE_PRIVATE, "not offered"},
    };
    struct gstream s = {0};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        gc_start(&s, 1);
        gs_rect(&s, 0, 0, 1, 1, refused[i].enc);
        gs_fill(&s, 0, 16);
        EXPECT_FAIL(&s, refused[i].text);
    }
    /* Only what this session's list holds: hextile and the LED state are missing here. */
    struct enc_list el;
    struct vv_error err;
    CHECK(enc_parse("tight raw", &el, &err));
    gc_nenc = enc_build(&el, -1, -1, true, gc_enc, ENC_MAX);
    for (int i = 0; i < gc_nenc; i++)
        if (gc_enc[i] == ENC_KBD_LED)
            gc_enc[i] = ENC_RAW;
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 16, 16, ENC_HEXTILE);
    gs_u8(&s, 0);
    EXPECT_FAIL(&s, "encoding Hextile in rectangle 1, which was not offered");
    gc_start(&s, 1);
    gs_rect(&s, 1, 0, 0, 0, ENC_KBD_LED);
    EXPECT_FAIL(&s, "encoding keyboard LED state");
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 2, 2, ENC_RAW);
    gs_fill(&s, 0, 16);
    EXPECT_OK(&s);
    gc_init(true);
    gs_free(&s);
}

static void test_rect_count_and_lastrect(void)
{
    struct guard_limits l;
    guard_default_limits(&l);
    l.max_rects = 2;
    struct gstream s = {0};
    gc_start(&s, 3);
    for (int i = 0; i < 3; i++) {
        gs_rect(&s, 0, 0, 1, 1, ENC_RAW);
        gs_fill(&s, 0, 4);
    }
    EXPECT_FAIL_LIM(&s, &l, "more than 2 rectangles in one update");
    gc_start(&s, 2);
    for (int i = 0; i < 2; i++) {
        gs_rect(&s, 0, 0, 1, 1, ENC_RAW);
        gs_fill(&s, 0, 4);
    }
    EXPECT_OK_LIM(&s, &l);

    /* LastRect ends an update announced with 65535 rectangles. */
    gc_start(&s, 0xFFFF);
    gs_rect(&s, 0, 0, 1, 1, ENC_RAW);
    gs_fill(&s, 0, 4);
    gs_rect(&s, 0, 0, 0, 0, ENC_LASTRECT);
    gs_u8(&s, 2);
    gs_fbu(&s, 0);
    EXPECT_OK(&s);
    struct gresult r;
    CHECK(gs_run(gc_enc, gc_nenc, NULL, s.data, s.len, GS_WHOLE, 0, &r));
    CHECK_EQ_INT(r.st.updates, 2);
    CHECK_EQ_INT(r.st.bells, 1);
    CHECK_EQ_INT(r.st.messages, 3);
    CHECK_EQ_INT(r.st.rects[GUARD_STAT_LASTRECT], 1);
    CHECK_EQ_INT(r.st.rects[GUARD_STAT_RAW], 1);
    CHECK_EQ_INT(r.st.bytes_in, s.len);
    CHECK_EQ_INT(r.st.bytes_out, s.len);
    gresult_free(&r);
    gs_free(&s);
}

static void test_newfbsize(void)
{
    struct gstream s = {0};
    /* The rectangle after the resize is checked against the new size. */
    gc_start(&s, 2);
    gs_rect(&s, 0, 0, 128, 96, ENC_NEWFBSIZE);
    gs_rect(&s, 100, 80, 28, 16, ENC_COPYRECT);
    gs_u16(&s, 0);
    gs_u16(&s, 0);
    EXPECT_OK(&s);
    gc_start(&s, 2);
    gs_rect(&s, 0, 0, 32, 24, ENC_NEWFBSIZE);
    gs_rect(&s, 40, 0, 1, 1, ENC_RAW);
    gs_fill(&s, 0, 4);
    EXPECT_FAIL(&s, "rectangle 2 (Raw, 1x1 at 40,0) outside its 32x24 desktop");
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 0, 5, ENC_NEWFBSIZE);
    EXPECT_FAIL(&s, "resized its desktop to 0x5");
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 20000, 10, ENC_NEWFBSIZE);
    EXPECT_FAIL(&s, "resized its desktop to 20000x10; vncview accepts 1x1 to 16384x16384");
    gs_free(&s);
}

static void test_cursors(void)
{
    struct gstream s = {0};
    gc_start(&s, 4);
    gs_rect(&s, 1, 2, 8, 7, ENC_RICHCURSOR);
    gs_fill(&s, 0x33, 8 * 7 * 4 + 1 * 7);
    gs_rect(&s, 9, 0, 10, 3, ENC_XCURSOR);
    gs_fill(&s, 0x44, 6 + 2 * 2 * 3);
    gs_rect(&s, 0, 0, 0, 0, ENC_RICHCURSOR); /* no cursor: no data */
    gs_rect(&s, 255, 255, 256, 256, ENC_RICHCURSOR);
    gs_fill(&s, 0x55, 256 * 256 * 4 + 32 * 256);
    gs_u8(&s, 2);
    EXPECT_OK(&s);
    struct gresult r;
    CHECK(gs_run(gc_enc, gc_nenc, NULL, s.data, s.len, GS_WHOLE, 0, &r));
    CHECK_EQ_INT(r.st.rects[GUARD_STAT_CURSOR], 4);
    CHECK_EQ_INT(r.st.bells, 1);
    gresult_free(&r);

    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 257, 10, ENC_RICHCURSOR);
    EXPECT_FAIL(&s, "a 257x10 cursor; vncview accepts at most 256x256");
    gc_start(&s, 1);
    gs_rect(&s, 8, 0, 8, 7, ENC_RICHCURSOR);
    EXPECT_FAIL(&s, "8x7 cursor with its hotspot at 8,0, outside the cursor");
    gc_start(&s, 1);
    gs_rect(&s, 0, 3, 4, 3, ENC_XCURSOR);
    EXPECT_FAIL(&s, "hotspot at 0,3");
    gs_free(&s);
}

static void test_other_pseudo(void)
{
    struct gstream s = {0};
    gc_start(&s, 2);
    gs_rect(&s, 0, 0, 0, 0, ENC_QEMU_EXTKEY);
    gs_rect(&s, 7, 0, 0, 0, ENC_KBD_LED);
    EXPECT_OK(&s);
    gc_start(&s, 1);
    gs_rect(&s, 60, 0, 5, 0, ENC_QEMU_EXTKEY);
    EXPECT_FAIL(&s, "the server sent rectangle 1 (QEMU extended key event, 5x0 at 60,0) outside");
    gs_free(&s);
}

static void test_clipboard(void)
{
    struct gstream s = {0}, want = {0};
    gs_serverinit(&s, 64, 48, "test");
    gs_u8(&s, 3);
    gs_fill(&s, 0, 3);
    gs_u32(&s, 5);
    gs_bytes(&s, "h\xe9llo", 5);
    gs_u8(&s, 3);
    gs_fill(&s, 0, 3);
    gs_u32(&s, 0);
    EXPECT_OK(&s);

    /* 2 MiB: forwarded as its first 1 MiB - 1 bytes; the stream goes on. */
    size_t big = 2u << 20, keep = (1u << 20) - 1;
    uint8_t *text = malloc(big);
    for (size_t i = 0; i < big; i++)
        text[i] = (uint8_t)('A' + i % 23);
    gs_free(&s);
    gs_serverinit(&s, 64, 48, "test");
    gs_serverinit(&want, 64, 48, "test");
    gs_u8(&s, 3);
    gs_fill(&s, 0, 3);
    gs_u32(&s, (uint32_t)big);
    gs_bytes(&s, text, big);
    gs_u8(&s, 2);
    gs_u8(&want, 3);
    gs_fill(&want, 0, 3);
    gs_u32(&want, (uint32_t)keep);
    gs_bytes(&want, text, keep);
    gs_u8(&want, 2);
    EXPECT_OUT(&s, &want);
    struct gresult r;
    CHECK(gs_run(gc_enc, gc_nenc, NULL, s.data, s.len, GS_RANDOM, 3, &r));
    CHECK(r.ok);
    CHECK_EQ_INT(r.st.cut_texts, 1);
    CHECK_EQ_INT(r.st.cut_bytes_dropped, big - keep);
    CHECK_EQ_INT(r.st.bells, 1);
    gresult_free(&r);
    free(text);

    /* Exactly the limit passes untouched. */
    struct guard_limits l;
    guard_default_limits(&l);
    l.max_cut_text = 5;
    gs_free(&s);
    gs_serverinit(&s, 64, 48, "test");
    gs_u8(&s, 3);
    gs_fill(&s, 0, 3);
    gs_u32(&s, 5);
    gs_bytes(&s, "abcde", 5);
    EXPECT_OK_LIM(&s, &l);

    gs_free(&s);
    gs_serverinit(&s, 64, 48, "test");
    gs_u8(&s, 3);
    gs_fill(&s, 0, 3);
    gs_u32(&s, 80u << 20);
    gs_fill(&s, 'x', 100);
    EXPECT_FAIL(&s, "clipboard of 80 MB (83886080 bytes)");
    gs_free(&s);
    gs_free(&want);
}

static void test_amplification(void)
{
    struct gstream s = {0};
    /* 8 full-screen CopyRects are allowed (factor 8), a ninth is not. */
    gc_start(&s, 9);
    for (int i = 0; i < 9; i++) {
        gs_rect(&s, 0, 0, 64, 48, ENC_COPYRECT);
        gs_u16(&s, 0);
        gs_u16(&s, 0);
    }
    EXPECT_FAIL(&s, "update paints 27648 pixels by rectangle 9, more than 8 times its 64x48");
    s.data[31] = 8; /* announce 8 rectangles and drop the ninth */
    s.len -= 16;
    EXPECT_OK(&s);
    /* The count starts again with each update. */
    gs_fbu(&s, 8);
    for (int i = 0; i < 8; i++) {
        gs_rect(&s, 0, 0, 64, 48, ENC_TIGHT);
        gs_u8(&s, 0x80);
        gs_fill(&s, 0, 3);
    }
    EXPECT_OK(&s);
    /* Tight fills count like any rectangle. */
    gc_start(&s, 9);
    for (int i = 0; i < 9; i++) {
        gs_rect(&s, 0, 0, 64, 48, ENC_TIGHT);
        gs_u8(&s, 0x80);
        gs_fill(&s, 0, 3);
    }
    EXPECT_FAIL(&s, "CPU amplification");
    gs_free(&s);
}

/* Refused streams stay refused: later calls fail the same way and forward nothing. */
static void test_sticky_failure(void)
{
    struct gstream s = {0};
    gs_serverinit(&s, 64, 48, "test");
    gs_u8(&s, 77);
    struct guard *g = guard_new(gc_enc, gc_nenc, NULL);
    uint8_t out[256];
    size_t ol = 0;
    struct vv_error err = {0};
    CHECK(guard_push(g, s.data, s.len, out, sizeof out, &ol, &err) < 0);
    CHECK_EQ_INT(ol, 28); /* the ServerInit */
    CHECK_EQ_STR(err.message, "the server sent unknown message type 77");
    struct vv_error err2 = {0};
    size_t ol2 = 0;
    CHECK(guard_push(g, (const uint8_t *)"\x02", 1, out, sizeof out, &ol2, &err2) < 0);
    CHECK_EQ_INT(ol2, 0);
    CHECK_EQ_STR(err2.message, err.message);
    int w = 0, h = 0;
    CHECK(guard_desktop(g, &w, &h));
    CHECK(w == 64 && h == 48);
    guard_free(g);
    gs_free(&s);
}

/* A header held back for lack of room is delivered by a call with no input. */
static void test_pending_flush(void)
{
    struct gstream s = {0};
    gs_serverinit(&s, 64, 48, "");
    struct guard *g = guard_new(gc_enc, gc_nenc, NULL);
    uint8_t out[32];
    size_t ol = 0;
    struct vv_error err;
    int w = 0, h = 0;
    CHECK(!guard_desktop(g, &w, &h));
    CHECK_EQ_INT(guard_push(g, s.data, s.len, out, 10, &ol, &err), 24);
    CHECK_EQ_INT(ol, 10);
    CHECK_EQ_INT(guard_pending(g), 14);
    CHECK_EQ_INT(guard_push(g, NULL, 0, out, sizeof out, &ol, &err), 0);
    CHECK_EQ_INT(ol, 24);
    CHECK_EQ_INT(guard_pending(g), 0);
    CHECK(memcmp(out, s.data, 24) == 0);
    /* With a full output buffer a header is still taken in, and waits. */
    ol = sizeof out;
    CHECK_EQ_INT(guard_push(g, (const uint8_t *)"\x02\x02", 2, out, sizeof out, &ol, &err), 1);
    CHECK_EQ_INT(guard_pending(g), 1);
    ol = 0;
    CHECK_EQ_INT(guard_push(g, (const uint8_t *)"\x02", 1, out, sizeof out, &ol, &err), 1);
    CHECK_EQ_INT(ol, 2);
    guard_free(g);
    gs_free(&s);
}

/* Everything at once, split at every byte boundary with every output size from 1 to 40. */
static void test_every_split(void)
{
    struct gstream s = {0};
    gc_start(&s, 4);
    gs_rect(&s, 0, 0, 3, 2, ENC_RAW);
    gs_fill(&s, 0x99, 24);
    gs_rect(&s, 1, 1, 20, 17, ENC_HEXTILE);
    gs_u8(&s, 0x0E); /* bg, fg, 2 subrects */
    gs_u32(&s, 0x10203040);
    gs_u32(&s, 0x50607080);
    gs_u8(&s, 2);
    gs_u8(&s, 0x00), gs_u8(&s, 0x33);
    gs_u8(&s, 0x44), gs_u8(&s, 0x11);
    gs_u8(&s, 0x01); /* raw 4x16 */
    gs_fill(&s, 0x12, 4 * 16 * 4);
    gs_u8(&s, 0x18); /* 1 coloured subrect */
    gs_u8(&s, 1);
    gs_u32(&s, 0xAABBCCDD);
    gs_u8(&s, 0x00), gs_u8(&s, 0x00);
    gs_u8(&s, 0x00); /* same background */
    gs_rect(&s, 0, 0, 10, 10, ENC_ZRLE);
    gs_u32(&s, 7);
    gs_fill(&s, 0x78, 7);
    gs_rect(&s, 5, 5, 30, 2, ENC_TIGHT);
    gs_u8(&s, 0x46); /* explicit filter, stream 0 reset bits 0x6 */
    gs_u8(&s, 1);    /* palette */
    gs_u8(&s, 2);    /* 3 colours */
    gs_fill(&s, 0x10, 9);
    gs_u8(&s, 0x85), gs_u8(&s, 0x01); /* 133 bytes */
    gs_fill(&s, 0x20, 133);
    gs_u8(&s, 3);
    gs_fill(&s, 0, 3);
    gs_u32(&s, 3);
    gs_bytes(&s, "abc", 3);
    gs_u8(&s, 2);

    struct gresult ref;
    CHECK(gs_run(gc_enc, gc_nenc, NULL, s.data, s.len, GS_WHOLE, 0, &ref));
    CHECK_MSG(ref.ok, "%s", ref.err.message);
    CHECK_EQ_INT(ref.out_len, s.len);
    CHECK_EQ_INT(ref.st.zrle_rewritten, 1);
    CHECK_EQ_INT(ref.st.hextile_tiles, 4);
    CHECK_EQ_INT(ref.st.tight_basic, 1);
    int bad = 0;
    for (size_t cut = 0; cut <= s.len; cut++) {
        for (size_t cap = 1; cap <= 40; cap += (cap < 8 ? 1 : 11)) {
            struct guard *g = guard_new(gc_enc, gc_nenc, NULL);
            uint8_t *out = malloc(s.len), buf[64];
            size_t got = 0, off = 0;
            struct vv_error err;
            /* The first part in one call, then the rest, always with cap bytes of room. */
            size_t parts[2] = {cut, s.len - cut};
            for (int p = 0; p < 2; p++) {
                size_t end = off + parts[p];
                while (off < end || guard_pending(g)) {
                    size_t ol = 0;
                    ssize_t n = guard_push(g, s.data + off, end - off, buf, cap, &ol, &err);
                    if (n < 0 || got + ol > s.len || (n == 0 && ol == 0)) {
                        bad++;
                        break;
                    }
                    memcpy(out + got, buf, ol);
                    got += ol;
                    off += (size_t)n;
                }
            }
            if (got != ref.out_len || memcmp(out, ref.out, got) != 0)
                bad++;
            free(out);
            guard_free(g);
        }
    }
    CHECK_EQ_INT(bad, 0);

    /* guard_scan: the first part, then the kept bytes followed by the rest. */
    int bad_scan = 0;
    for (size_t cut = 0; cut <= s.len; cut++) {
        struct guard *g = guard_new(gc_enc, gc_nenc, NULL);
        uint8_t *buf = malloc(s.len), *out = malloc(s.len);
        size_t kept = 0, got = 0;
        size_t parts[2][2] = {{0, cut}, {cut, s.len}};
        for (int p = 0; p < 2; p++) {
            memcpy(buf + kept, s.data + parts[p][0], parts[p][1] - parts[p][0]);
            kept += parts[p][1] - parts[p][0];
            struct guard_span sp;
            struct vv_error err;
            if (!guard_scan(g, buf, kept, &sp, &err) || sp.skip != 0) {
                bad_scan++;
                break;
            }
            memcpy(out + got, buf, sp.forward);
            got += sp.forward;
            kept -= sp.forward;
            memmove(buf, buf + sp.forward, kept);
        }
        if (kept != 0 || got != ref.out_len || memcmp(out, ref.out, got) != 0)
            bad_scan++;
        free(buf);
        free(out);
        guard_free(g);
    }
    CHECK_EQ_INT(bad_scan, 0);
    gresult_free(&ref);
    gs_free(&s);
}

/* guard_scan rewrites in place, skips what is truncated and holds back an incomplete header. */
static void test_scan_contract(void)
{
    struct gstream s = {0};
    gc_start(&s, 1);
    gs_rect(&s, 1, 2, 3, 4, ENC_ZRLE);
    gs_u32(&s, 2);
    gs_u16(&s, 0xABCD);
    gs_u8(&s, 3);
    gs_fill(&s, 0, 3);
    gs_u32(&s, 10);
    gs_bytes(&s, "0123456789", 10);
    gs_u8(&s, 2);
    struct guard_limits l;
    guard_default_limits(&l);
    l.max_cut_text = 4;
    struct guard *g = guard_new(gc_enc, gc_nenc, &l);
    struct guard_span sp;
    struct vv_error err;
    /* ServerInit, update header, rectangle header and half its length: the rectangle header
     * waits with its length (14 bytes held). */
    size_t first = 28 + 4 + 12 + 2;
    CHECK(guard_scan(g, s.data, first, &sp, &err));
    CHECK_EQ_INT(sp.forward, 32);
    CHECK_EQ_INT(sp.skip, 0);
    /* Given back the held bytes plus the rest: the encoding rewritten where it lies, the data,
     * the clipboard cut to 4 bytes. */
    uint8_t *rest = s.data + 32;
    size_t n = s.len - 32;
    CHECK(guard_scan(g, rest, n, &sp, &err));
    CHECK_EQ_INT(sp.forward, 12 + 4 + 2 + 8 + 4);
    CHECK_EQ_INT(sp.skip, 6);
    CHECK_EQ_INT(guard_be32_for_test(rest + 8), (uint32_t)GUARD_ENC_ZRLE_PRIVATE);
    CHECK_EQ_INT(guard_be32_for_test(rest + 22), 4);
    CHECK(memcmp(rest + 26, "0123", 4) == 0);
    /* After the skipped bytes: the bell. */
    CHECK(guard_scan(g, rest + 36, n - 36, &sp, &err));
    CHECK_EQ_INT(sp.forward, 1);
    CHECK_EQ_INT(sp.skip, 0);
    /* Not given back what it held: refused as a caller error. */
    CHECK(guard_scan(g, (uint8_t *)"\x00\x00", 2, &sp, &err));
    CHECK(!guard_scan(g, (uint8_t *)"\x00", 1, &sp, &err));
    CHECK(strstr(err.message, "was not given back the 2 bytes") != NULL);
    guard_free(g);
    gs_free(&s);
}

int main(void)
{
    gc_init(true);
    test_serverinit();
    test_long_name();
    test_message_types();
    test_rect_bounds();
    test_encodings_offered();
    test_rect_count_and_lastrect();
    test_newfbsize();
    test_cursors();
    test_other_pseudo();
    test_clipboard();
    test_amplification();
    test_sticky_failure();
    test_pending_flush();
    test_every_split();
    test_scan_contract();
    return vv_test_finish();
}
