/* The session core against an in-process libvncserver: input arrives as the expected key and
 * pointer events, clipboard round-trips through Latin-1, bell and cursor shapes arrive, VncAuth
 * succeeds, fails and retries, view-only sends nothing, and a lost server is reported. */
#include "testsrv.h"
#include "vtclient.h"
#include "vv_test.h"

#include <rfb/keysym.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool has_clipboard(struct vtclient *c)
{
    return c->clipboard != NULL;
}
static bool has_bell(struct vtclient *c)
{
    return c->bells > 0;
}
static bool has_cursor(struct vtclient *c)
{
    return c->cursors > 0 && c->cursor_w == 5;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static struct testsrv *server(const char *password)
{
    struct testsrv_opts so = {.width = 400, .height = 300, .password = password};
    struct testsrv *srv = testsrv_start(&so);
    if (srv)
        testsrv_fill_pattern(srv, 3);
    return srv;
}

static void test_input(void)
{
    struct testsrv *srv = server(NULL);
    CHECK(srv != NULL);
    struct vtclient c = {0};
    struct session_config cfg = {.shared = true, .quality = -1, .compress = -1};
    CHECK(vtclient_start(&c, testsrv_port(srv), cfg));
    CHECK(vtclient_wait(&c, vtclient_is_connected, 10000));
    CHECK_EQ_STR(c.security, "NOT ENCRYPTED (loopback)");
    CHECK_EQ_INT(vtclient_wait_equal(&c, srv, 0, 5000), 0);

    /* libvncserver takes no QEMU key events: keys go as keysyms, a key that typed nothing (a
     * dead key) is not sent, characters from an input method go as press+release. */
    session_send_key(c.session, XK_Shift_L, 0x2a, true, false);
    session_send_key(c.session, 'A', 0x1e, true, false);
    session_send_key(c.session, XK_dead_acute, 0x0d, true, true); /* dropped */
    session_send_key(c.session, XK_dead_acute, 0x0d, false, true);
    session_send_key(c.session, 'A', 0x1e, false, false);
    session_send_key(c.session, XK_Shift_L, 0x2a, false, false);
    session_send_text_keysym(c.session, 0xe9); /* é */
    session_send_key(c.session, XK_F5, 0x3f, true, false);
    session_send_key(c.session, XK_F5, 0x3f, false, false);
    struct testsrv_key_event k[8];
    int n = testsrv_wait_keys(srv, 8, 5000, k);
    CHECK_EQ_INT(n, 8);
    const uint32_t want[8] = {XK_Shift_L, 'A', 'A', XK_Shift_L, 0xe9, 0xe9, XK_F5, XK_F5};
    const bool down[8] = {true, true, false, false, true, false, true, false};
    for (int i = 0; i < n && i < 8; i++) {
        CHECK_MSG(k[i].keysym == want[i], "key %d: 0x%x != 0x%x", i, k[i].keysym, want[i]);
        CHECK_MSG(k[i].down == down[i], "key %d: down %d", i, k[i].down);
    }

    /* Pointer: position and buttons, wheel as press/release of buttons 4 and 5. */
    session_send_pointer(c.session, 10, 20, 0);
    session_send_pointer(c.session, 11, 21, 1);
    session_send_pointer(c.session, 11, 21, 0);
    session_send_pointer(c.session, 399, 299, 8);
    session_send_pointer(c.session, 5000, -3, 0); /* clamped into the desktop */
    struct testsrv_ptr_event p[5];
    n = testsrv_wait_pointer(srv, 5, 5000, p);
    CHECK_EQ_INT(n, 5);
    if (n == 5) {
        CHECK(p[0].x == 10 && p[0].y == 20 && p[0].buttons == 0);
        CHECK(p[1].x == 11 && p[1].y == 21 && p[1].buttons == 1);
        CHECK(p[2].buttons == 0);
        CHECK(p[3].x == 399 && p[3].y == 299 && p[3].buttons == 8);
        CHECK_MSG(p[4].x == 399 && p[4].y == 0, "clamped to %d,%d", p[4].x, p[4].y);
    }

    /* Clipboard to the server: UTF-8 becomes Latin-1, what Latin-1 lacks becomes '?'. */
    const char *utf8 = "h\xc3\xa9llo \xe2\x82\xac 1\r\n2";
    session_send_clipboard(c.session, utf8, strlen(utf8));
    size_t len = 0;
    char *got = testsrv_wait_cut_text(srv, 5000, &len);
    CHECK(got != NULL);
    if (got) {
        CHECK_EQ_INT(len, 11);
        CHECK(memcmp(got, "h\xe9llo ? 1\n2", 11) == 0);
        free(got);
    }
    /* And from the server: Latin-1 becomes UTF-8. */
    testsrv_send_cut_text(srv, "caf\xe9 \xbc", 6);
    CHECK(vtclient_wait(&c, has_clipboard, 5000));
    if (c.clipboard)
        CHECK_EQ_STR(c.clipboard, "caf\xc3\xa9 \xc2\xbc");

    testsrv_bell(srv);
    CHECK(vtclient_wait(&c, has_bell, 5000));

    uint32_t shape[5 * 3];
    for (int i = 0; i < 15; i++)
        shape[i] = 0xFF000000u | (uint32_t)(i * 0x111111);
    shape[0] = 0xFF00FF00u;
    testsrv_set_cursor(srv, 5, 3, 2, 1, shape);
    CHECK(vtclient_wait(&c, has_cursor, 5000));
    CHECK_EQ_INT(c.cursor_h, 3);
    CHECK_EQ_INT(c.cursor_hot_x, 2);
    CHECK_EQ_INT(c.cursor_hot_y, 1);
    CHECK_MSG(c.cursor_first_pixel == 0xFF00FF00u, "cursor pixel 0x%08x", c.cursor_first_pixel);

    CHECK(!c.ended);
    vtclient_stop(&c);
    testsrv_stop(srv);
}

static void test_view_only(void)
{
    struct testsrv *srv = server(NULL);
    struct vtclient c = {0};
    struct session_config cfg = {.shared = true, .view_only = true, .quality = -1, .compress = -1};
    CHECK(vtclient_start(&c, testsrv_port(srv), cfg));
    CHECK(vtclient_wait(&c, vtclient_is_connected, 10000));
    session_send_key(c.session, XK_Return, 0x1c, true, false);
    session_send_pointer(c.session, 1, 1, 1);
    session_send_clipboard(c.session, "x", 1);
    struct testsrv_key_event k;
    CHECK_EQ_INT(testsrv_wait_keys(srv, 1, 700, &k), 0);
    struct testsrv_ptr_event p;
    CHECK_EQ_INT(testsrv_wait_pointer(srv, 1, 300, &p), 0);
    size_t len;
    CHECK(testsrv_wait_cut_text(srv, 300, &len) == NULL);
    CHECK_EQ_INT(vtclient_wait_equal(&c, srv, 0, 5000), 0); /* but the desktop is shown */
    vtclient_stop(&c);
    testsrv_stop(srv);
}

static void test_auth(void)
{
    struct testsrv *srv = server("s3cret");
    int port = testsrv_port(srv);

    struct vtclient c = {0};
    struct session_config cfg = {
        .shared = true, .password = "s3cret", .quality = -1, .compress = -1};
    CHECK(vtclient_start(&c, port, cfg));
    CHECK(vtclient_wait(&c, vtclient_is_connected, 10000));
    CHECK_EQ_INT(vtclient_wait_equal(&c, srv, 0, 5000), 0);
    vtclient_stop(&c);

    struct vtclient w = {0};
    cfg.password = "wrong";
    CHECK(vtclient_start(&w, port, cfg));
    CHECK(vtclient_wait(&w, vtclient_is_ended, 10000));
    CHECK_EQ_INT(w.error.code, VV_ERR_AUTH);
    CHECK(strstr(w.error.message, "rejected the password") != NULL);
    CHECK(!w.connected);
    vtclient_stop(&w);

    struct vtclient none = {0};
    cfg.password = NULL;
    CHECK(vtclient_start(&none, port, cfg));
    CHECK(vtclient_wait(&none, vtclient_is_ended, 10000));
    CHECK_EQ_INT(none.error.code, VV_ERR_NO_PASSWORD);
    CHECK(strstr(none.error.message, "VNC_PASSWORD") != NULL);
    vtclient_stop(&none);

    /* Interactive: asked, a wrong answer is refused, asked again, the right one works. */
    struct vtclient ia = {.answer = "s3cret", .answer_wrong_first = true};
    cfg.interactive = true;
    CHECK(vtclient_start(&ia, port, cfg));
    CHECK(vtclient_wait(&ia, vtclient_is_connected, 15000));
    CHECK_EQ_INT(ia.password_requests, 2);
    vtclient_stop(&ia);

    /* Interactive and cancelled. */
    struct vtclient cancel = {.answer = NULL};
    CHECK(vtclient_start(&cancel, port, cfg));
    CHECK(vtclient_wait(&cancel, vtclient_is_ended, 10000));
    CHECK_EQ_INT(cancel.error.code, VV_ERR_CANCELLED);
    vtclient_stop(&cancel);
    testsrv_stop(srv);
}

static void test_lost(void)
{
    struct testsrv *srv = server(NULL);
    struct vtclient c = {0};
    struct session_config cfg = {.shared = true, .quality = -1, .compress = -1};
    CHECK(vtclient_start(&c, testsrv_port(srv), cfg));
    CHECK(vtclient_wait(&c, vtclient_is_connected, 10000));
    testsrv_stop(srv);
    CHECK(vtclient_wait(&c, vtclient_is_ended, 10000));
    CHECK_EQ_INT(c.error.code, VV_ERR_LOST);
    /* A stopped server closes or resets: either way the message names it. */
    CHECK_MSG(
        strstr(c.error.message, "127.0.0.1 port") != NULL &&
            (strstr(c.error.message, "closed the connection") || strstr(c.error.message, "lost")),
        "%s", c.error.message);
    vtclient_stop(&c);
}

static void test_stop_while_connected(void)
{
    struct testsrv *srv = server(NULL);
    struct vtclient c = {0};
    struct session_config cfg = {.shared = true, .quality = -1, .compress = -1};
    CHECK(vtclient_start(&c, testsrv_port(srv), cfg));
    CHECK(vtclient_wait(&c, vtclient_is_connected, 10000));
    session_stop(c.session);
    CHECK(vtclient_wait(&c, vtclient_is_ended, 5000));
    CHECK_EQ_INT(c.error.code, VV_OK);
    vtclient_stop(&c);
    sleep_ms(50);
    CHECK(testsrv_wait_clients(srv, 0, 5000) == 0);
    testsrv_stop(srv);
}

int main(void)
{
    test_input();
    test_view_only();
    test_auth();
    test_lost();
    test_stop_while_connected();
    return vv_test_finish();
}
