/* Unit tests for viewer/guard's two drivers: guard_push (sticky refusal, held-back output,
 * every split point with every small output size) and guard_scan (in-place rewrite, skipped
 * truncations, held-back headers, every split point). */
#include "guard.h"
#include "guard_check.h"

#include <stdlib.h>

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
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
    CHECK_EQ_INT(be32(rest + 8), (uint32_t)GUARD_ENC_ZRLE_PRIVATE);
    CHECK_EQ_INT(be32(rest + 22), 4);
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
    test_sticky_failure();
    test_pending_flush();
    test_every_split();
    test_scan_contract();
    return vv_test_finish();
}
