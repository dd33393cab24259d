/* Checks shared by the stream guard's unit tests (test_guard.c, test_guard_enc.c): a stream must
 * pass untouched, or be refused with a given message, identically however it is split. */
#ifndef VV_GUARD_CHECK_H
#define VV_GUARD_CHECK_H

#include "encodings.h"
#include "gstream.h"
#include "vv_test.h"

#include <string.h>

static int32_t gc_enc[ENC_MAX];
static int gc_nenc;

static inline void gc_init(bool jpeg)
{
    gc_nenc = gs_all_encodings(gc_enc, ENC_MAX, jpeg);
}

/* Equal, except that out may hold GUARD_ENC_TIGHT_PRIVATE where in holds Tight's encoding
 * number: the guard renames every Tight rectangle for our decoder (viewer/tightdec.c). */
static inline bool gc_same(const uint8_t *out, const uint8_t *in, size_t n)
{
    static const uint8_t tight[4] = {0, 0, 0, 7};
    const uint8_t priv[4] = {(uint8_t)((uint32_t)GUARD_ENC_TIGHT_PRIVATE >> 24),
                             (uint8_t)((uint32_t)GUARD_ENC_TIGHT_PRIVATE >> 16),
                             (uint8_t)((uint32_t)GUARD_ENC_TIGHT_PRIVATE >> 8),
                             (uint8_t)GUARD_ENC_TIGHT_PRIVATE};
    for (size_t i = 0; i < n; i++) {
        if (out[i] == in[i])
            continue;
        bool renamed = false;
        for (size_t k = i >= 3 ? i - 3 : 0; k <= i && k + 4 <= n && !renamed; k++)
            renamed = memcmp(in + k, tight, 4) == 0 && memcmp(out + k, priv, 4) == 0;
        if (!renamed)
            return false;
    }
    return true;
}

/* want: the expected output, NULL = the input itself (Tight renamed). */
static inline void gc_expect_ok(const struct gstream *s, const struct guard_limits *l,
                                const struct gstream *want, int line)
{
    struct gresult r;
    char why[1024];
    bool agree = gs_run_all(gc_enc, gc_nenc, l, s->data, s->len, &r, why, sizeof why);
    CHECK_MSG(agree, "line %d: %s", line, why);
    CHECK_MSG(r.ok, "line %d: refused: %s", line, r.err.message);
    const struct gstream *w = want ? want : s;
    CHECK_MSG(r.out_len == w->len && (!w->len || gc_same(r.out, w->data, w->len)),
              "line %d: output differs (%zu bytes, want %zu)", line, r.out_len, w->len);
    gresult_free(&r);
}

/* Refused with a message containing text; what was forwarded is a prefix of the input. */
static inline void gc_expect_fail(const struct gstream *s, const struct guard_limits *l,
                                  const char *text, int line)
{
    struct gresult r;
    char why[1024];
    bool agree = gs_run_all(gc_enc, gc_nenc, l, s->data, s->len, &r, why, sizeof why);
    CHECK_MSG(agree, "line %d: %s", line, why);
    CHECK_MSG(!r.ok, "line %d: accepted, expected \"%s\"", line, text);
    CHECK_MSG(!r.ok && r.err.code == VV_ERR_PROTOCOL && strstr(r.err.message, text),
              "line %d: message \"%s\", expected \"%s\"", line, r.err.message, text);
    CHECK_MSG(r.out_len < s->len && (!r.out_len || gc_same(r.out, s->data, r.out_len)),
              "line %d: forwarded %zu bytes that are not a prefix of the input", line, r.out_len);
    gresult_free(&r);
}

#define EXPECT_OK(s) gc_expect_ok((s), NULL, NULL, __LINE__)
#define EXPECT_OK_LIM(s, l) gc_expect_ok((s), (l), NULL, __LINE__)
#define EXPECT_OUT(s, want) gc_expect_ok((s), NULL, (want), __LINE__)
#define EXPECT_FAIL(s, text) gc_expect_fail((s), NULL, (text), __LINE__)
#define EXPECT_FAIL_LIM(s, l, text) gc_expect_fail((s), (l), (text), __LINE__)

/* A 64x48 desktop called "test" with n rectangles announced. */
static inline void gc_start(struct gstream *s, unsigned nrects)
{
    gs_free(s);
    gs_serverinit(s, 64, 48, "test");
    gs_fbu(s, nrects);
}

#endif
