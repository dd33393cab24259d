/* Minimal test helpers: CHECK records a failure and goes on; the test's main returns
 * vv_test_finish(), which prints "N passed, N failed" and returns non-zero on any failure. */
#ifndef VV_TEST_H
#define VV_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

extern int vv_test_passed, vv_test_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            vv_test_passed++;                                                                      \
        } else {                                                                                   \
            vv_test_failed++;                                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                       \
    do {                                                                                           \
        if (cond) {                                                                                \
            vv_test_passed++;                                                                      \
        } else {                                                                                   \
            vv_test_failed++;                                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    CHECK_MSG((long long)(a) == (long long)(b), "%lld != %lld", (long long)(a), (long long)(b))
#define CHECK_EQ_STR(a, b) CHECK_MSG(strcmp((a), (b)) == 0, "\"%s\" != \"%s\"", (a), (b))

int vv_test_finish(void);

/* True if msg names the loopback server on port: "127.0.0.1 port N" (transport, guard and
 * session messages) or "127.0.0.1::N", with exactly N (not a longer number starting with it). */
bool vv_test_names_peer(const char *msg, int port);

#endif
