/* Unit tests for viewer/guard: ServerInit, message types, rectangle headers, pseudo-encodings,
 * clipboard truncation and amplification, each checked in every split mode (guard_check.h).
 * Per-encoding framing: test_guard_enc.c; the two drivers' contracts: test_guard_split.c. */
#include "guard.h"
#include "guard_check.h"

#include <stdlib.h>

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
        {ENC_POINTERPOS, "encoding PointerPos"},
        {ENC_COMPRESS_0 + 2, "encoding CompressLevel"},
        {ENC_QUALITY_0 + 5, "encoding QualityLevel"},
        {ENC_SUPPORTED_MESSAGES, "SupportedMessages"},
        {ENC_SERVER_IDENTITY, "ServerIdentity"},
        {-307, "DesktopName"},
        {GUARD_ENC_ZRLE_PRIVATE, "not offered"},
        {GUARD_ENC_ZLIB_PRIVATE, "not offered"}, /* a server cannot reach our decoders unchecked */
        {GUARD_ENC_ULTRA_PRIVATE, "not offered"},
        {GUARD_ENC_TIGHT_PRIVATE, "not offered"},
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

/* ExtendedDesktopSize rect (x = reason, y = status) with one screen. */
static void extds(struct gstream *s, unsigned w, unsigned h, uint32_t id, unsigned sw, unsigned sh)
{
    gs_rect(s, 1, 0, w, h, ENC_EXTDESKTOPSIZE);
    gs_u8(s, 1);
    gs_fill(s, 0, 3);
    gs_u32(s, id);
    gs_u16(s, 0);
    gs_u16(s, 0);
    gs_u16(s, sw);
    gs_u16(s, sh);
    gs_u32(s, 7);
}

static void test_extdesktopsize(void)
{
    struct gstream s = {0}, want = {0};
    /* A resize; the rectangle after it is checked against the new size. */
    gc_start(&s, 2);
    extds(&s, 128, 96, 0x2a, 128, 96);
    gs_rect(&s, 100, 80, 28, 16, ENC_COPYRECT);
    gs_u16(&s, 0);
    gs_u16(&s, 0);
    EXPECT_OK(&s);
    /* Screen id 0 (QEMU), which libvncclient 0.9.14 would ignore, reaches it renumbered. */
    gc_start(&s, 1);
    extds(&s, 128, 96, 0, 128, 96);
    gc_start(&want, 1);
    extds(&want, 128, 96, 0xFFFFFFFFu, 128, 96);
    EXPECT_OUT(&s, &want);
    /* Several screens, collected whole. */
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 200, 100, ENC_EXTDESKTOPSIZE);
    gs_u8(&s, 2);
    gs_fill(&s, 0, 3);
    for (unsigned i = 0; i < 2; i++) {
        gs_u32(&s, i + 1);
        gs_u16(&s, 100 * i);
        gs_u16(&s, 0);
        gs_u16(&s, 100);
        gs_u16(&s, 100);
        gs_u32(&s, 0);
    }
    EXPECT_OK(&s);
    gc_start(&s, 1);
    extds(&s, 100, 50, 1, 200, 50);
    EXPECT_FAIL(&s, "screen 1 as 200x50 at 0,0, not inside its 100x50 desktop");
    gc_start(&s, 1);
    extds(&s, 100, 50, 1, 100, 0);
    EXPECT_FAIL(&s, "screen 1 as 100x0");
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 100, 50, ENC_EXTDESKTOPSIZE);
    gs_u8(&s, 65);
    gs_fill(&s, 0, 3 + 16 * 65);
    EXPECT_FAIL(&s, "described 65 screens; vncview accepts at most 64");
    gc_start(&s, 1);
    extds(&s, 20000, 10, 1, 20000, 10);
    EXPECT_FAIL(&s, "resized its desktop to 20000x10; vncview accepts 1x1 to 16384x16384");
    gs_free(&s);
    gs_free(&want);
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
    test_extdesktopsize();
    test_cursors();
    test_other_pseudo();
    test_clipboard();
    test_amplification();
    return vv_test_finish();
}
