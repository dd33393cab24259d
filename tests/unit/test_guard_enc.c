/* Unit tests for viewer/guard's per-encoding framing: RRE, CoRRE, Hextile, Zlib, ZRLE and Ultra
 * (and their rewrite to private encodings), and Tight, each accepted or refused as expected
 * however the stream is split. */
#include "guard.h"
#include "guard_check.h"

/* RRE subrectangle: pixel, then x, y, w, h as u16. */
static void rre_sub(struct gstream *s, unsigned x, unsigned y, unsigned w, unsigned h)
{
    gs_u32(s, 0x00112233);
    gs_u16(s, x);
    gs_u16(s, y);
    gs_u16(s, w);
    gs_u16(s, h);
}

static void corre_sub(struct gstream *s, unsigned x, unsigned y, unsigned w, unsigned h)
{
    gs_u32(s, 0x00445566);
    gs_u8(s, x);
    gs_u8(s, y);
    gs_u8(s, w);
    gs_u8(s, h);
}

static void test_rre(void)
{
    struct gstream s = {0};
    gc_start(&s, 2);
    gs_rect(&s, 2, 3, 10, 10, ENC_RRE);
    gs_u32(&s, 2);
    gs_u32(&s, 0);
    rre_sub(&s, 0, 0, 10, 1);
    rre_sub(&s, 9, 9, 1, 1);
    gs_rect(&s, 0, 0, 30, 30, ENC_RRE);
    gs_u32(&s, 300); /* three batches */
    gs_u32(&s, 0);
    for (int i = 0; i < 300; i++)
        rre_sub(&s, (unsigned)i % 30, (unsigned)i / 30, 1, 1);
    gs_u8(&s, 2);
    EXPECT_OK(&s);

    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 2, 2, ENC_RRE);
    gs_u32(&s, 5);
    gs_u32(&s, 0);
    EXPECT_FAIL(&s, "the server announced 5 subrectangles for rectangle 1 (RRE, 2x2)");
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 10, 10, ENC_RRE);
    gs_u32(&s, 2);
    gs_u32(&s, 0);
    rre_sub(&s, 0, 0, 1, 1);
    rre_sub(&s, 8, 0, 3, 1);
    EXPECT_FAIL(&s,
                "the server sent subrectangle 2 (3x1 at 8,0) outside its rectangle 1 (RRE, 10x10)");
    /* Subrectangles count towards the update's painted area. */
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 64, 48, ENC_RRE);
    gs_u32(&s, 9);
    gs_u32(&s, 0);
    for (int i = 0; i < 9; i++)
        rre_sub(&s, 0, 0, 64, 48);
    EXPECT_FAIL(&s, "CPU amplification");
    gs_free(&s);
}

static void test_corre(void)
{
    struct gstream s = {0};
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 20, 20, ENC_CORRE);
    gs_u32(&s, 2);
    gs_u32(&s, 0);
    corre_sub(&s, 0, 0, 20, 20);
    corre_sub(&s, 19, 5, 1, 15);
    EXPECT_OK(&s);
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 20, 20, ENC_CORRE);
    gs_u32(&s, 1);
    gs_u32(&s, 0);
    corre_sub(&s, 19, 5, 2, 1);
    EXPECT_FAIL(&s, "subrectangle 1 (2x1 at 19,5) outside its rectangle 1 (CoRRE, 20x20)");

    gs_free(&s);
    gs_serverinit(&s, 300, 300, "big");
    gs_fbu(&s, 1);
    gs_rect(&s, 0, 0, 256, 10, ENC_CORRE);
    gs_u32(&s, 0);
    gs_u32(&s, 0);
    EXPECT_FAIL(
        &s, "the server sent rectangle 1 (CoRRE) of 256x10; CoRRE rectangles are at most 255x255");
    gs_free(&s);
    gs_serverinit(&s, 300, 300, "big");
    gs_fbu(&s, 1);
    gs_rect(&s, 0, 0, 255, 255, ENC_CORRE);
    gs_u32(&s, 40000);
    gs_u32(&s, 0);
    EXPECT_FAIL(&s, "announced 40000 subrectangles");
    gs_free(&s);
}

static void test_hextile(void)
{
    struct gstream s = {0};
    /* 33x18: tiles of 16x16, 16x16, 1x16, then 16x2, 16x2, 1x2. */
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 33, 18, ENC_HEXTILE);
    gs_u8(&s, 0x02); /* background only */
    gs_u32(&s, 0x00FF0000);
    gs_u8(&s, 0x0C); /* foreground, 1 subrect 16x16 */
    gs_u32(&s, 0x0000FF00);
    gs_u8(&s, 1);
    gs_u8(&s, 0x00), gs_u8(&s, 0xFF);
    gs_u8(&s, 0x01); /* raw 1x16 */
    gs_fill(&s, 0x5A, 1 * 16 * 4);
    gs_u8(&s, 0x08); /* subrects in the foreground of an earlier tile */
    gs_u8(&s, 2);
    gs_u8(&s, 0x00), gs_u8(&s, 0xF1);
    gs_u8(&s, 0xF0), gs_u8(&s, 0x00);
    gs_u8(&s, 0x1A); /* background + coloured subrects */
    gs_u32(&s, 0);
    gs_u8(&s, 1);
    gs_u32(&s, 0x00ABCDEF);
    gs_u8(&s, 0x00), gs_u8(&s, 0xF1);
    gs_u8(&s, 0x00); /* 1x2: nothing new */
    EXPECT_OK(&s);
    struct gresult r;
    CHECK(gs_run(gc_enc, gc_nenc, NULL, s.data, s.len, GS_WHOLE, 0, &r));
    CHECK_EQ_INT(r.st.hextile_tiles, 6);
    CHECK_EQ_INT(r.st.rects[GUARD_STAT_HEXTILE], 1);
    gresult_free(&r);

    /* Coloured subrects leave a foreground behind; "any subrects" with none needs no colour. */
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 32, 16, ENC_HEXTILE);
    gs_u8(&s, 0x1A);
    gs_u32(&s, 0);
    gs_u8(&s, 1);
    gs_u32(&s, 0x00ABCDEF);
    gs_u8(&s, 0x00), gs_u8(&s, 0x00);
    gs_u8(&s, 0x08);
    gs_u8(&s, 1);
    gs_u8(&s, 0x00), gs_u8(&s, 0x00);
    EXPECT_OK(&s);
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 16, 16, ENC_HEXTILE);
    gs_u8(&s, 0x0A);
    gs_u32(&s, 0);
    gs_u8(&s, 0);
    EXPECT_OK(&s);

    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 16, 16, ENC_HEXTILE);
    gs_u8(&s, 0x20);
    EXPECT_FAIL(&s,
                "the server sent Hextile tile 1 of rectangle 1 with the invalid subencoding 0x20");
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 32, 16, ENC_HEXTILE);
    gs_u8(&s, 0x02);
    gs_u32(&s, 0);
    gs_u8(&s, 0xFF);
    EXPECT_FAIL(&s, "tile 2 of rectangle 1 with the invalid subencoding 0xff");

    /* hostile-servers: the first subrects without any foreground paint uninitialised memory. */
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 16, 16, ENC_HEXTILE);
    gs_u8(&s, 0x0A);
    gs_u32(&s, 0);
    gs_u8(&s, 1);
    gs_u8(&s, 0x00), gs_u8(&s, 0x00);
    EXPECT_FAIL(&s, "the server sent Hextile tile 1 of rectangle 1 with subrectangles in a "
                    "foreground colour it never set");
    /* ...and a foreground does not carry over to the next rectangle. */
    gc_start(&s, 2);
    gs_rect(&s, 0, 0, 16, 16, ENC_HEXTILE);
    gs_u8(&s, 0x06);
    gs_u32(&s, 0);
    gs_u32(&s, 0x00FFFFFF);
    gs_rect(&s, 16, 0, 16, 16, ENC_HEXTILE);
    gs_u8(&s, 0x0A);
    gs_u32(&s, 0);
    gs_u8(&s, 1);
    gs_u8(&s, 0x00), gs_u8(&s, 0x00);
    EXPECT_FAIL(&s, "tile 1 of rectangle 2 with subrectangles in a foreground colour");

    /* Subrectangles stay inside their (partial) tile. */
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 20, 20, ENC_HEXTILE);
    gs_u8(&s, 0x00);
    gs_u8(&s, 0x1A);
    gs_u32(&s, 0);
    gs_u8(&s, 1);
    gs_u32(&s, 0);
    gs_u8(&s, 0x20), gs_u8(&s, 0x30); /* 4x1 at 2,0 in a 4-wide tile */
    EXPECT_FAIL(&s, "the server sent Hextile subrectangle 1 (4x1 at 2,0) outside its 4x16 tile "
                    "2 of rectangle 1");
    gs_free(&s);
}

/* Every (x,y, w-1,h-1) byte pair, in each of the four lanes of the checker's 64-bit word and
 * in its scalar tail, coloured and plain: refused exactly when it leaves the 16x16 tile. */
static void test_hextile_subrect_pairs(void)
{
    struct gstream s = {0};
    int wrong = 0;
    for (unsigned pair = 0; pair < 65536; pair++) {
        unsigned a = pair >> 8, b = pair & 255, slot = pair % 5, coloured = pair / 5 % 2;
        bool fits = (a >> 4) + (b >> 4) + 1 <= 16 && (a & 15) + (b & 15) + 1 <= 16;
        gc_start(&s, 1);
        gs_rect(&s, 0, 0, 16, 16, ENC_HEXTILE);
        gs_u8(&s, coloured ? 0x1A : 0x0E); /* background (+ foreground), subrects */
        gs_u32(&s, 0);
        if (!coloured)
            gs_u32(&s, 0x00FFFFFF);
        gs_u8(&s, 5);
        for (unsigned i = 0; i < 5; i++) {
            if (coloured)
                gs_u32(&s, 0x00102030);
            gs_u8(&s, i == slot ? a : 0x00);
            gs_u8(&s, i == slot ? b : 0xFF);
        }
        struct gresult r;
        gs_run(gc_enc, gc_nenc, NULL, s.data, s.len, GS_WHOLE, 0, &r);
        if (r.ok != fits || (!fits && !strstr(r.err.message, "outside its 16x16 tile 1"))) {
            if (wrong++ < 5)
                fprintf(stderr, "pair %02x %02x slot %u coloured %u: %s\n", a, b, slot, coloured,
                        r.ok ? "accepted" : r.err.message);
        }
        gresult_free(&r);
    }
    CHECK_EQ_INT(wrong, 0);
    gs_free(&s);
}

static void test_length_prefixed(void)
{
    struct gstream s = {0}, want = {0};
    /* Zlib and Ultra reach libvncclient under private numbers (its decoders paint stale
     * memory for short data), the data untouched; Ultra's 0 means "nothing changed". */
    gc_start(&s, 3);
    gc_start(&want, 3);
    gs_rect(&s, 0, 0, 64, 48, ENC_ZLIB);
    gs_rect(&want, 0, 0, 64, 48, GUARD_ENC_ZLIB_PRIVATE);
    for (int i = 0; i < 2; i++) {
        struct gstream *t = i ? &want : &s;
        gs_u32(t, 10);
        gs_fill(t, 0x78, 10);
        gs_rect(t, 0, 0, 8, 8, i ? GUARD_ENC_ULTRA_PRIVATE : ENC_ULTRA);
        gs_u32(t, 0);
        gs_rect(t, 0, 0, 8, 8, i ? GUARD_ENC_ULTRA_PRIVATE : ENC_ULTRA);
        gs_u32(t, 3);
        gs_fill(t, 1, 3);
    }
    EXPECT_OUT(&s, &want);
    struct gresult r;
    CHECK(gs_run(gc_enc, gc_nenc, NULL, s.data, s.len, GS_BYTEWISE, 0, &r));
    CHECK_EQ_INT(r.st.zlib_rewritten, 1);
    CHECK_EQ_INT(r.st.ultra_rewritten, 2);
    CHECK_EQ_INT(r.st.rects[GUARD_STAT_ZLIB], 1);
    CHECK_EQ_INT(r.st.rects[GUARD_STAT_ULTRA], 2);
    gresult_free(&r);
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 64, 48, ENC_ZLIB);
    gs_u32(&s, 0);
    EXPECT_FAIL(&s, "the server sent rectangle 1 (Zlib, 64x48) with no data");
    struct guard_limits l;
    guard_default_limits(&l);
    l.max_compressed = 1000;
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 64, 48, ENC_ZRLE);
    gs_u32(&s, 1001);
    EXPECT_FAIL_LIM(&s, &l,
                    "the server announced 1001 bytes of compressed data for rectangle 1 (ZRLE, "
                    "64x48); the limit is 1000");
    gc_start(&s, 1);
    gs_rect(&s, 0, 0, 64, 48, ENC_ULTRA);
    gs_u32(&s, 0x80000000u);
    EXPECT_FAIL(&s, "announced 2147483648 bytes");

    /* ZRLE reaches libvncclient under the private number, the rest untouched. */
    gc_start(&s, 2);
    gc_start(&want, 2);
    for (int i = 0; i < 2; i++) {
        gs_rect(&s, 8, 8, 16, 16, ENC_ZRLE);
        gs_rect(&want, 8, 8, 16, 16, GUARD_ENC_ZRLE_PRIVATE);
        gs_u32(&s, 5);
        gs_u32(&want, 5);
        gs_bytes(&s, "\x78\x9c\x01\x02\x03", 5);
        gs_bytes(&want, "\x78\x9c\x01\x02\x03", 5);
    }
    EXPECT_OUT(&s, &want);
    CHECK(gs_run(gc_enc, gc_nenc, NULL, s.data, s.len, GS_BYTEWISE, 0, &r));
    CHECK_EQ_INT(r.st.zrle_rewritten, 2);
    CHECK_EQ_INT(r.st.rects[GUARD_STAT_ZRLE], 2);
    gresult_free(&r);
    gs_free(&s);
    gs_free(&want);
}

static void tight_rect(struct gstream *s, unsigned w, unsigned h, unsigned ctl)
{
    gc_start(s, 1);
    gs_rect(s, 0, 0, w, h, ENC_TIGHT);
    gs_u8(s, ctl);
}

static void test_tight_ok(void)
{
    struct gstream s = {0};
    gc_start(&s, 8);
    gs_rect(&s, 0, 0, 64, 48, ENC_TIGHT); /* fill, resetting all four streams */
    gs_u8(&s, 0x8F);
    gs_fill(&s, 0x40, 3);
    gs_rect(&s, 0, 0, 1, 3, ENC_TIGHT); /* copy, 9 bytes: sent without a length */
    gs_u8(&s, 0x00);
    gs_fill(&s, 0x41, 9);
    gs_rect(&s, 0, 0, 2, 2, ENC_TIGHT); /* copy, 12 bytes: compressed, 1-byte length */
    gs_u8(&s, 0x10);
    gs_u8(&s, 5);
    gs_fill(&s, 0x42, 5);
    gs_rect(&s, 0, 0, 16, 3, ENC_TIGHT); /* 2 colours: 2 bytes per row, 6 bytes raw */
    gs_u8(&s, 0x60);
    gs_u8(&s, 1);
    gs_u8(&s, 1);
    gs_fill(&s, 0x43, 6);
    gs_fill(&s, 0x44, 6);
    gs_rect(&s, 0, 0, 16, 20, ENC_TIGHT); /* 2 colours, 40 bytes: 2-byte length */
    gs_u8(&s, 0x40);
    gs_u8(&s, 1);
    gs_u8(&s, 1);
    gs_fill(&s, 0x45, 6);
    gs_u8(&s, 0x80 | 0x04), gs_u8(&s, 0x01); /* 132 */
    gs_fill(&s, 0x46, 132);
    gs_rect(&s, 0, 0, 4, 4, ENC_TIGHT); /* gradient */
    gs_u8(&s, 0x70);
    gs_u8(&s, 2);
    gs_u8(&s, 20);
    gs_fill(&s, 0x47, 20);
    gs_rect(&s, 0, 0, 64, 48, ENC_TIGHT); /* explicit copy filter, 3-byte length */
    gs_u8(&s, 0x44);
    gs_u8(&s, 0);
    gs_u8(&s, 0x81), gs_u8(&s, 0x80), gs_u8(&s, 0x01); /* 1 + (1 << 14) = 16385 */
    gs_fill(&s, 0x48, 16385);
    gs_rect(&s, 0, 0, 64, 48, ENC_TIGHT); /* JPEG */
    gs_u8(&s, 0x90);
    gs_u8(&s, 0xFF), gs_u8(&s, 0xFF), gs_u8(&s, 0x01); /* 127 + (127 << 7) + (1 << 14) */
    gs_fill(&s, 0xD8, 32767);
    EXPECT_OK(&s);
    struct gresult r;
    CHECK(gs_run(gc_enc, gc_nenc, NULL, s.data, s.len, GS_WHOLE, 0, &r));
    CHECK_EQ_INT(r.st.tight_fill, 1);
    CHECK_EQ_INT(r.st.tight_basic, 6);
    CHECK_EQ_INT(r.st.tight_jpeg, 1);
    CHECK_EQ_INT(r.st.rects[GUARD_STAT_TIGHT], 8);
    CHECK_EQ_INT(r.st.tight_rewritten, 8);
    /* ServerInit (28 bytes), update header, x y w h: the first encoding number. */
    CHECK(r.out_len == s.len && memcmp(r.out + 28 + 4 + 8, "\x56\x56\x00\x07", 4) == 0);
    gresult_free(&r);

    /* 256 colours: a byte per pixel. */
    tight_rect(&s, 3, 3, 0x40);
    gs_u8(&s, 1);
    gs_u8(&s, 255);
    gs_fill(&s, 0x11, 256 * 3);
    gs_fill(&s, 0x12, 9);
    EXPECT_OK(&s);
    /* Width limits apply to the basic form only: a fill may be wider than 2048. */
    gs_free(&s);
    gs_serverinit(&s, 4096, 16, "wide");
    gs_fbu(&s, 1);
    gs_rect(&s, 0, 0, 4096, 16, ENC_TIGHT);
    gs_u8(&s, 0x80);
    gs_fill(&s, 0, 3);
    EXPECT_OK(&s);
    gs_free(&s);
}

static void test_tight_refused(void)
{
    struct gstream s = {0};
    static const unsigned nozlib[] = {0xA0, 0xB0, 0xE0, 0xF0, 0xA5};
    for (size_t i = 0; i < sizeof nozlib / sizeof nozlib[0]; i++) {
        tight_rect(&s, 2, 2, nozlib[i]);
        gs_fill(&s, 0, 20);
        EXPECT_FAIL(&s, "(TightPNG or uncompressed \"no zlib\" data), which vncview refuses");
    }
    tight_rect(&s, 2, 2, 0xC0);
    EXPECT_FAIL(&s, "the server sent Tight rectangle 1 with the invalid control byte 0xc0");
    tight_rect(&s, 2, 2, 0xD3);
    EXPECT_FAIL(&s, "invalid control byte 0xd3");
    tight_rect(&s, 4, 4, 0x40);
    gs_u8(&s, 3);
    EXPECT_FAIL(&s, "the server sent Tight rectangle 1 with the unknown filter 3");
    tight_rect(&s, 4, 4, 0x40);
    gs_u8(&s, 1);
    gs_u8(&s, 0);
    EXPECT_FAIL(&s, "the server sent Tight rectangle 1 with a palette of 1 colour");
    tight_rect(&s, 4, 4, 0x00);
    gs_u8(&s, 0);
    EXPECT_FAIL(&s, "the server announced 0 bytes of data for Tight compressed rectangle 1 (4x4)");
    tight_rect(&s, 4, 4, 0x90);
    gs_u8(&s, 0x80), gs_u8(&s, 0x00);
    EXPECT_FAIL(&s, "0 bytes of data for Tight JPEG rectangle 1 (4x4)");
    gs_free(&s);
    gs_serverinit(&s, 4096, 16, "wide");
    gs_fbu(&s, 1);
    gs_rect(&s, 0, 0, 2049, 1, ENC_TIGHT);
    gs_u8(&s, 0x00);
    EXPECT_FAIL(
        &s,
        "the server sent Tight rectangle 1 2049 pixels wide; Tight's filters take at most 2048");

    /* JPEG only when the session asked for it (a QualityLevel in the list). */
    gc_init(false);
    tight_rect(&s, 4, 4, 0x90);
    gs_u8(&s, 1);
    gs_u8(&s, 0);
    EXPECT_FAIL(&s, "the server sent Tight JPEG rectangle 1, but JPEG was not offered");
    tight_rect(&s, 4, 4, 0x80);
    gs_fill(&s, 0, 3);
    EXPECT_OK(&s);
    gc_init(true);
    gs_free(&s);
}

int main(void)
{
    gc_init(true);
    test_rre();
    test_corre();
    test_hextile();
    test_hextile_subrect_pairs();
    test_length_prefixed();
    test_tight_ok();
    test_tight_refused();
    return vv_test_finish();
}
