/* Every encoding we offer delivers the server's framebuffer pixel-exact (Tight JPEG within a
 * tolerance), for the first frame, incremental changes, CopyRect and a server-side resize;
 * with published frames copied (snapshot) and shared with the session (the window). */
#include "testsrv.h"
#include "vtclient.h"
#include "vv_test.h"

#include <stdlib.h>

#define W 640
#define H 400

static bool share; /* share_frame for this pass */

static void run(const char *enc, bool lossless, int tolerance, long allowed, bool screen_id0)
{
    struct testsrv_opts so = {.width = W, .height = H, .screen_id0 = screen_id0};
    struct testsrv *srv = testsrv_start(&so);
    CHECK(srv != NULL);
    if (!srv)
        return;
    testsrv_fill_pattern(srv, 7);
    struct vtclient c = {0};
    struct session_config cfg = {.encodings = enc,
                                 .lossless = lossless,
                                 .quality = 9,
                                 .compress = 6,
                                 .shared = true,
                                 .share_frame = share};
    CHECK(vtclient_start(&c, testsrv_port(srv), cfg));
    CHECK_MSG(vtclient_wait(&c, vtclient_is_connected, 10000), "%s: not connected: %s", enc,
              c.error.message);

    long d = vtclient_wait_equal(&c, srv, tolerance, 5000);
    CHECK_MSG(d >= 0 && d <= allowed, "%s: first frame: %ld pixels differ", enc, d);

    /* Incremental: a filled rectangle and fresh noise somewhere else. */
    testsrv_fill_rect(srv, 10, 10, 100, 50, 0x123456);
    testsrv_fill_pattern(srv, 99);
    d = vtclient_wait_equal(&c, srv, tolerance, 5000);
    CHECK_MSG(d >= 0 && d <= allowed, "%s: after change: %ld pixels differ", enc, d);

    /* CopyRect (or whatever the encoding turns it into). */
    testsrv_copy_rect(srv, 0, 200, 200, 100, 300, 20);
    d = vtclient_wait_equal(&c, srv, tolerance, 5000);
    CHECK_MSG(d >= 0 && d <= allowed, "%s: after copy: %ld pixels differ", enc, d);

    /* Server-side resize: the frame follows, content exact. */
    testsrv_resize(srv, 320, 240);
    d = vtclient_wait_equal(&c, srv, tolerance, 5000);
    CHECK_MSG(d >= 0 && d <= allowed, "%s: after resize: %ld pixels differ", enc, d);
    struct session_frame f;
    CHECK(session_frame_lock(c.session, &f));
    CHECK_EQ_INT(f.width, 320);
    CHECK_EQ_INT(f.height, 240);
    session_frame_unlock(c.session, false);

    CHECK(!c.ended);
    vtclient_stop(&c);
    testsrv_stop(srv);
    fprintf(stderr, "encoding %-10s ok (%s frame)\n", enc ? enc : "(default)",
            share ? "shared" : "copied");
}

int main(void)
{
    const char *lossless[] = {"raw",          "hextile", "zlib",  "zrle",  "tight",
                              "copyrect raw", "rre",     "corre", "ultra", NULL};
    for (int pass = 0; pass < 2; pass++) {
        share = pass == 1;
        for (int i = 0; lossless[i]; i++)
            run(lossless[i], true, 0, 0, false);
        /* The default list, lossless: what snapshot uses. */
        run(NULL, true, 0, 0, false);
        /* QEMU reports screen id 0, which 0.9.14 ignores in ExtDesktopSize: resizes must still
         * work. */
        run(NULL, true, 0, 0, true);
        /* Tight with JPEG at quality 9: noise is where JPEG hurts most, so allow a channel
         * delta of 48 on up to 15% of pixels; flat areas must stay close. */
        run("tight", false, 48, (long)W * H * 15 / 100, false);
    }
    return vv_test_finish();
}
