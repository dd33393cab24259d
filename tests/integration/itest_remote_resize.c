/* The viewer asks the server for a desktop size (SetDesktopSize over ExtendedDesktopSize): the
 * server resizes and the frame follows, pixel-exact; also with a server that numbers its screen
 * 0 (QEMU), which libvncclient 0.9.14 alone would ignore; a refused size leaves the session as
 * it was; and nothing is asked in view-only mode. */
#include "testsrv.h"
#include "vtclient.h"
#include "vv_test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool frame_is(struct vtclient *c, int w, int h)
{
    struct session_frame f;
    if (!session_frame_lock(c->session, &f))
        return false;
    bool same = f.width == w && f.height == h;
    session_frame_unlock(c->session, false);
    return same;
}

static void run(bool screen_id0)
{
    const char *what = screen_id0 ? "screen id 0" : "screen id 1";
    struct testsrv_opts so = {.width = 400, .height = 300, .screen_id0 = screen_id0};
    struct testsrv *srv = testsrv_start(&so);
    CHECK(srv != NULL);
    if (!srv)
        return;
    testsrv_fill_pattern(srv, 3);
    struct vtclient c = {0};
    struct session_config cfg = {
        .lossless = true, .quality = -1, .compress = -1, .shared = true, .share_frame = true};
    CHECK(vtclient_start(&c, testsrv_port(srv), cfg));
    CHECK_MSG(vtclient_wait(&c, vtclient_is_connected, 10000), "%s: not connected: %s", what,
              c.error.message);
    long d = vtclient_wait_equal(&c, srv, 0, 5000);
    CHECK_MSG(d == 0, "%s: first frame: %ld pixels differ", what, d);

    session_request_desktop_size(c.session, 520, 250);
    int rw = 0, rh = 0;
    for (int i = 0; i < 250 && !testsrv_last_resize_request(srv, &rw, &rh); i++)
        usleep(20000);
    CHECK_MSG(rw == 520 && rh == 250, "%s: the server was asked for %dx%d, want 520x250", what, rw,
              rh);
    d = vtclient_wait_equal(&c, srv, 0, 5000);
    CHECK_MSG(d == 0 && frame_is(&c, 520, 250), "%s: after the resize: %ld pixels differ", what, d);

    /* Refused (the test server takes at most 8192 pixels a side): nothing changes. */
    session_request_desktop_size(c.session, 9000, 250);
    for (int i = 0; i < 250 && !(testsrv_last_resize_request(srv, &rw, &rh) && rw == 9000); i++)
        usleep(20000);
    CHECK_MSG(rw == 9000, "%s: the refused size was never asked for", what);
    usleep(300000);
    CHECK_MSG(!c.ended && frame_is(&c, 520, 250), "%s: a refused resize changed the session", what);
    pthread_mutex_lock(&c.lock);
    CHECK_MSG(strstr(c.last_status, "keeps its 520x250 desktop: invalid screen layout") != NULL,
              "%s: the refusal was told as \"%s\"", what, c.last_status);
    pthread_mutex_unlock(&c.lock);
    testsrv_fill_rect(srv, 5, 5, 50, 40, 0x00ff00);
    d = vtclient_wait_equal(&c, srv, 0, 5000);
    CHECK_MSG(d == 0, "%s: updates after the refusal: %ld pixels differ", what, d);
    vtclient_stop(&c);
    testsrv_stop(srv);
    fprintf(stderr, "%s: ok\n", what);
}

static void view_only(void)
{
    struct testsrv_opts so = {.width = 320, .height = 200};
    struct testsrv *srv = testsrv_start(&so);
    CHECK(srv != NULL);
    if (!srv)
        return;
    struct vtclient c = {0};
    struct session_config cfg = {
        .lossless = true, .quality = -1, .compress = -1, .shared = true, .view_only = true};
    CHECK(vtclient_start(&c, testsrv_port(srv), cfg));
    CHECK(vtclient_wait(&c, vtclient_is_connected, 10000));
    CHECK(vtclient_wait_equal(&c, srv, 0, 5000) == 0);
    session_request_desktop_size(c.session, 200, 100);
    usleep(500000);
    int rw, rh;
    CHECK_MSG(!testsrv_last_resize_request(srv, &rw, &rh), "view-only asked for %dx%d", rw, rh);
    CHECK(frame_is(&c, 320, 200));
    vtclient_stop(&c);
    testsrv_stop(srv);
}

int main(void)
{
    run(false);
    run(true);
    view_only();
    return vv_test_finish();
}
