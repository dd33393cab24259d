/* Unit tests for viewer/charset: Latin-1 <-> UTF-8 for RFB cut text. */
#include "charset.h"
#include "vv_test.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* Converts UTF-8 and checks the exact Latin-1 bytes and the substitution count. */
static void expect_latin1(const char *in, size_t len, const char *want, size_t want_len,
                          size_t want_bad, int line)
{
    size_t out_len = 12345, bad = 12345;
    char *out = charset_utf8_to_latin1(in, len, &out_len, &bad);
    CHECK_MSG(out != NULL, "line %d: NULL", line);
    if (!out)
        return;
    CHECK_MSG(out_len == want_len, "line %d: length %zu, want %zu", line, out_len, want_len);
    CHECK_MSG(out_len == want_len && memcmp(out, want, want_len) == 0, "line %d: bytes differ",
              line);
    CHECK_MSG(out[out_len] == '\0', "line %d: not terminated", line);
    CHECK_MSG(bad == want_bad, "line %d: %zu substitutions, want %zu", line, bad, want_bad);
    free(out);
}
#define EXPECT_L1(in, want, bad)                                                                   \
    expect_latin1((in), sizeof(in) - 1, (want), sizeof(want) - 1, (bad), __LINE__)

static void test_latin1_to_utf8_basic(void)
{
    size_t n = 99;
    char *s = charset_latin1_to_utf8("", 0, &n);
    CHECK(s && s[0] == '\0' && n == 0);
    free(s);
    s = charset_latin1_to_utf8(NULL, 0, &n);
    CHECK(s && s[0] == '\0' && n == 0);
    free(s);
    errno = 0;
    CHECK(charset_latin1_to_utf8(NULL, 3, &n) == NULL);
    CHECK_EQ_INT(errno, EINVAL);

    s = charset_latin1_to_utf8("plain ASCII\n", 12, &n);
    CHECK_EQ_STR(s, "plain ASCII\n");
    CHECK_EQ_INT(n, 12);
    free(s);

    s = charset_latin1_to_utf8("caf\xe9 \xa0\xff", 7, &n);
    CHECK_EQ_STR(s, "caf\xc3\xa9 \xc2\xa0\xc3\xbf");
    CHECK_EQ_INT(n, 10);
    free(s);

    /* C1 range maps to U+0080..U+009F, not to Windows-1252 punctuation. */
    s = charset_latin1_to_utf8("\x80\x9f", 2, &n);
    CHECK(s && n == 4 && memcmp(s, "\xc2\x80\xc2\x9f", 4) == 0);
    free(s);

    /* Line endings are passed through untouched. */
    s = charset_latin1_to_utf8("a\r\nb\rc\n", 7, NULL);
    CHECK_EQ_STR(s, "a\r\nb\rc\n");
    free(s);

    /* NUL ends the text. */
    s = charset_latin1_to_utf8("ab\0\xe9z", 5, &n);
    CHECK_EQ_STR(s, "ab");
    CHECK_EQ_INT(n, 2);
    free(s);
    s = charset_latin1_to_utf8("\0abc", 4, &n);
    CHECK(s && n == 0 && s[0] == '\0');
    free(s);
}

/* A length that cannot be sized must be refused before the input is read (ASan would flag a
 * read beyond the one-byte buffer). */
static void test_overflow_guard(void)
{
    char one = 'x';
    errno = 0;
    CHECK(charset_latin1_to_utf8(&one, SIZE_MAX, NULL) == NULL);
    CHECK_EQ_INT(errno, EOVERFLOW);
    errno = 0;
    CHECK(charset_latin1_to_utf8(&one, SIZE_MAX / 2 + 1, NULL) == NULL);
    CHECK_EQ_INT(errno, EOVERFLOW);
    errno = 0;
    CHECK(charset_utf8_to_latin1(&one, SIZE_MAX, NULL, NULL) == NULL);
    CHECK_EQ_INT(errno, EOVERFLOW);
}

static void test_all_latin1_roundtrip(void)
{
    char all[255];
    for (int i = 1; i <= 255; i++)
        all[i - 1] = (char)i;
    size_t n = 0;
    char *u = charset_latin1_to_utf8(all, sizeof all, &n);
    CHECK(u != NULL);
    if (!u)
        return;
    CHECK_EQ_INT(n, 127 + 128 * 2);
    /* Check each encoding from its definition: U+0080..U+00FF is 110000xx 10xxxxxx. */
    size_t pos = 0;
    int ok = 1;
    for (int c = 1; c <= 255; c++) {
        unsigned char *p = (unsigned char *)u + pos;
        if (c < 0x80) {
            ok &= p[0] == c;
            pos += 1;
        } else {
            ok &= p[0] == (0xC0 | (c >> 6)) && p[1] == (0x80 | (c & 0x3F));
            pos += 2;
        }
    }
    CHECK(ok);
    size_t back_len = 0, bad = 99;
    char *back = charset_utf8_to_latin1(u, n, &back_len, &bad);
    CHECK(back != NULL);
    CHECK_EQ_INT(back_len, sizeof all);
    CHECK_EQ_INT(bad, 0);
    /* The round trip only differs where CRLF would be folded, and 1..255 has no "\r\n". */
    CHECK(back && memcmp(back, all, sizeof all) == 0);
    free(back);
    free(u);
}

static void test_utf8_to_latin1_valid(void)
{
    size_t n = 99, bad = 99;
    char *s = charset_utf8_to_latin1("", 0, &n, &bad);
    CHECK(s && s[0] == '\0' && n == 0 && bad == 0);
    free(s);
    s = charset_utf8_to_latin1(NULL, 0, &n, &bad);
    CHECK(s && n == 0 && bad == 0);
    free(s);
    errno = 0;
    CHECK(charset_utf8_to_latin1(NULL, 1, &n, &bad) == NULL);
    CHECK_EQ_INT(errno, EINVAL);

    EXPECT_L1("hello", "hello", 0);
    EXPECT_L1("caf\xc3\xa9", "caf\xe9", 0);
    EXPECT_L1("\xc2\x80\xc3\xbf", "\x80\xff", 0);
    /* U+0100 is the first code point Latin-1 cannot hold. */
    EXPECT_L1("\xc4\x80", "?", 1);
    EXPECT_L1("5 \xe2\x82\xac", "5 ?", 1); /* euro sign, 3 bytes */
    EXPECT_L1("a\xf0\x9f\x98\x80"
              "b",
              "a?b", 1);                   /* emoji, 4 bytes: one '?' */
    EXPECT_L1("\xf4\x8f\xbf\xbf", "?", 1); /* U+10FFFF, the last code point */
    EXPECT_L1("\xe4\xb8\xad\xe6\x96\x87", "??", 2);
    /* Optional out-parameters. */
    s = charset_utf8_to_latin1("\xc3\xa9", 2, NULL, NULL);
    CHECK_EQ_STR(s, "\xe9");
    free(s);
}

static void test_utf8_to_latin1_invalid(void)
{
    EXPECT_L1("\x80", "?", 1); /* stray continuation */
    EXPECT_L1("a\xbf\xbf"
              "b",
              "a??b", 2);                     /* two stray continuations */
    EXPECT_L1("\xc0\xaf", "??", 2);           /* overlong '/' */
    EXPECT_L1("\xc1\xbf", "??", 2);           /* overlong DEL */
    EXPECT_L1("\xe0\x80\xaf", "???", 3);      /* 3-byte overlong */
    EXPECT_L1("\xf0\x80\x80\xaf", "????", 4); /* 4-byte overlong */
    EXPECT_L1("\xed\xa0\x80", "???", 3);      /* surrogate U+D800 */
    EXPECT_L1("\xed\xbf\xbf", "???", 3);      /* surrogate U+DFFF */
    EXPECT_L1("\xed\x9f\xbf", "?", 1);        /* U+D7FF is valid */
    EXPECT_L1("\xf4\x90\x80\x80", "????", 4); /* U+110000 */
    EXPECT_L1("\xf5\x80\x80\x80", "????", 4); /* lead byte F5 */
    EXPECT_L1("\xfe\xff", "??", 2);
    EXPECT_L1("\xc3", "?", 1);         /* truncated at end */
    EXPECT_L1("a\xe2\x82", "a?", 1);   /* truncated 3-byte: one '?' */
    EXPECT_L1("\xf0\x9f\x98", "?", 1); /* truncated 4-byte */
    EXPECT_L1("\xe2\x82"
              "A",
              "?A", 1);                    /* cut short by ASCII: the A survives */
    EXPECT_L1("\xc3\xc3\xa9", "?\xe9", 1); /* cut short by a lead byte that is valid */
    EXPECT_L1("\xf0\x9f\x98\xc3\xa9", "?\xe9", 1);
}

static void test_crlf_and_nul(void)
{
    EXPECT_L1("a\r\nb\r\n", "a\nb\n", 0);
    EXPECT_L1("a\rb", "a\rb", 0);   /* a lone CR is kept */
    EXPECT_L1("a\r", "a\r", 0);     /* CR at the very end */
    EXPECT_L1("\r\r\n", "\r\n", 0); /* only the CR directly before LF goes */
    EXPECT_L1("\n\r", "\n\r", 0);
    EXPECT_L1("x\0y\xc3\xa9", "x", 0);   /* NUL ends the text */
    EXPECT_L1("\xe2\x82\0\xa9", "?", 1); /* and cuts a sequence short */
}

/* Every 2- and 3-byte sequence, and a broad sample of 4-byte ones, checked against the
 * arithmetic definition of UTF-8: a well-formed sequence yields exactly one output byte. */
static void test_exhaustive_multibyte(void)
{
    int wrong2 = 0, wrong3 = 0, wrong4 = 0;
    for (int b0 = 0xC0; b0 <= 0xDF; b0++)
        for (int b1 = 0; b1 <= 0xFF; b1++) {
            if (b1 == 0)
                continue;
            char in[2] = {(char)b0, (char)b1};
            uint32_t cp = ((uint32_t)(b0 & 0x1F) << 6) | (b1 & 0x3F);
            int valid = (b1 & 0xC0) == 0x80 && cp >= 0x80;
            size_t n, bad;
            char *o = charset_utf8_to_latin1(in, 2, &n, &bad);
            if (!o ||
                (valid && (n != 1 || (cp <= 0xFF ? (unsigned char)o[0] != cp || bad
                                                 : o[0] != '?' || bad != 1))) ||
                (!valid && n < 2))
                wrong2++;
            free(o);
        }
    for (int b0 = 0xE0; b0 <= 0xEF; b0++)
        for (int b1 = 1; b1 <= 0xFF; b1++)
            for (int b2 = 1; b2 <= 0xFF; b2++) {
                char in[3] = {(char)b0, (char)b1, (char)b2};
                uint32_t cp =
                    ((uint32_t)(b0 & 0x0F) << 12) | ((uint32_t)(b1 & 0x3F) << 6) | (b2 & 0x3F);
                int valid = (b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80 && cp >= 0x800 &&
                            !(cp >= 0xD800 && cp <= 0xDFFF);
                size_t n, bad;
                char *o = charset_utf8_to_latin1(in, 3, &n, &bad);
                if (!o || (valid && (n != 1 || bad != 1)) || (!valid && n < 2))
                    wrong3++;
                free(o);
            }
    static const unsigned char sample[] = {0x01, 0x7F, 0x80, 0x8F, 0x90, 0x9F,
                                           0xA0, 0xBF, 0xC0, 0xC3, 0xF0, 0xFF};
    for (int b0 = 0xF0; b0 <= 0xF7; b0++)
        for (int b1 = 1; b1 <= 0xFF; b1++)
            for (size_t i = 0; i < sizeof sample; i++)
                for (size_t j = 0; j < sizeof sample; j++) {
                    int b2 = sample[i], b3 = sample[j];
                    char in[4] = {(char)b0, (char)b1, (char)b2, (char)b3};
                    uint32_t cp = ((uint32_t)(b0 & 0x07) << 18) | ((uint32_t)(b1 & 0x3F) << 12) |
                                  ((uint32_t)(b2 & 0x3F) << 6) | (b3 & 0x3F);
                    int valid = b0 <= 0xF4 && (b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80 &&
                                (b3 & 0xC0) == 0x80 && cp >= 0x10000 && cp <= 0x10FFFF;
                    size_t n, bad;
                    char *o = charset_utf8_to_latin1(in, 4, &n, &bad);
                    if (!o || (valid && (n != 1 || bad != 1)) || (!valid && n < 2))
                        wrong4++;
                    free(o);
                }
    CHECK_EQ_INT(wrong2, 0);
    CHECK_EQ_INT(wrong3, 0);
    CHECK_EQ_INT(wrong4, 0);
}

/* Random bytes: never crash or overrun (ASan build), output bounded by input, counts add up. */
static void test_random_garbage(void)
{
    uint32_t seed = 12345;
    int bad_runs = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)(iter % 48);
        char *in = malloc(len ? len : 1); /* exact size so ASan sees any over-read */
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (char)((seed >> 16) | 1); /* no NUL, so all bytes are decoded */
        }
        size_t n = 0, bad = 0, q = 0;
        char *o = charset_utf8_to_latin1(in, len, &n, &bad);
        if (!o || n > len || strlen(o) != n) {
            bad_runs++;
        } else {
            for (size_t i = 0; i < n; i++)
                q += o[i] == '?';
            size_t q_in = 0;
            for (size_t i = 0; i < len; i++)
                q_in += in[i] == '?';
            if (q != bad + q_in)
                bad_runs++;
        }
        free(o);
        free(in);
    }
    CHECK_EQ_INT(bad_runs, 0);
}

static void test_large(void)
{
    size_t count = 1u << 20;
    char *l1 = malloc(count);
    memset(l1, 0xE9, count);
    size_t n = 0;
    char *u = charset_latin1_to_utf8(l1, count, &n);
    CHECK(u != NULL);
    CHECK_EQ_INT(n, 2 * count);
    size_t back_len = 0, bad = 1;
    char *back = u ? charset_utf8_to_latin1(u, n, &back_len, &bad) : NULL;
    CHECK(back != NULL);
    CHECK_EQ_INT(back_len, count);
    CHECK_EQ_INT(bad, 0);
    CHECK(back && memcmp(back, l1, count) == 0);
    free(back);
    free(u);
    free(l1);
}

int main(void)
{
    test_latin1_to_utf8_basic();
    test_overflow_guard();
    test_all_latin1_roundtrip();
    test_utf8_to_latin1_valid();
    test_utf8_to_latin1_invalid();
    test_crlf_and_nul();
    test_exhaustive_multibyte();
    test_random_garbage();
    test_large();
    return vv_test_finish();
}
