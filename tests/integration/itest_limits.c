/* The stream guard's limits set on the command line (--max-desktop, --max-cursor,
 * --max-clipboard), parsed by options, carried by sessioncfg and the session into the pump's
 * guard, and enforced against the in-process libvncserver: a server over a lowered limit ends
 * the session with a message naming the option that raises it; the defaults let it through. */
#include "options.h"
#include "sessioncfg.h"
#include "testsrv.h"
#include "vtclient.h"
#include "vv_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 640
#define H 400
#define WAIT_MS 10000

/* A session from a command line: "vncview OPTION VALUE 127.0.0.1::port" (no option if NULL). */
static bool start_from_args(struct vtclient *c, struct testsrv *srv, const char *opt,
                            const char *value)
{
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1::%d", testsrv_port(srv));
    char *argv[4] = {"vncview", addr, NULL, NULL};
    int argc = 2;
    if (opt) {
        argv[1] = (char *)opt;
        argv[2] = (char *)value;
        argv[3] = addr;
        argc = 4;
    }
    struct vv_options o;
    struct vv_error err;
    struct session_config cfg;
    char *pw = NULL;
    unsetenv("VNC_PASSWORD");
    bool ok = options_parse(argc, argv, &o, &err) && sessioncfg_from_options(&o, &cfg, &pw, &err);
    CHECK_MSG(ok, "%s %s: %s", opt, value, err.message);
    if (!ok)
        return false;
    cfg.encodings = "hextile copyrect";
    cfg.lossless = true;
    ok = vtclient_start(c, testsrv_port(srv), cfg);
    free(pw);
    CHECK(ok);
    return ok;
}

static void expect_end(struct vtclient *c, const char *what, const char *text)
{
    bool ended = vtclient_wait(c, vtclient_is_ended, WAIT_MS);
    CHECK_MSG(ended, "%s: the session went on", what);
    CHECK_MSG(ended && c->error.code == VV_ERR_PROTOCOL && strstr(c->error.message, text),
              "%s: ended with \"%s\", want \"%s\"", what, c->error.message, text);
    fprintf(stderr, "%s: %s\n", what, c->error.message);
}

static struct testsrv *server(bool cursor)
{
    struct testsrv_opts so = {.width = W, .height = H, .remote_cursor_shape = cursor};
    struct testsrv *srv = testsrv_start(&so);
    CHECK(srv != NULL);
    return srv;
}

/* ServerInit over the limit; the same server without the option is fine. */
static void test_desktop_at_connect(void)
{
    struct testsrv *srv = server(false);
    if (!srv)
        return;
    struct vtclient c = {0};
    if (start_from_args(&c, srv, "--max-desktop", "320x200"))
        expect_end(&c, "--max-desktop 320x200",
                   "announced a 640x400 desktop; vncview accepts 1x1 to 320x200 "
                   "(raise the limit with --max-desktop, up to 16384x16384)");
    vtclient_stop(&c);

    struct vtclient d = {0};
    if (start_from_args(&d, srv, NULL, NULL)) {
        CHECK(vtclient_wait(&d, vtclient_is_connected, WAIT_MS));
        CHECK_EQ_INT(vtclient_wait_equal(&d, srv, 0, 5000), 0);
        CHECK(!d.ended);
    }
    vtclient_stop(&d);
    testsrv_stop(srv);
}

/* Under the limit at first, then the server grows past it. */
static void test_desktop_resize(void)
{
    struct testsrv *srv = server(false);
    if (!srv)
        return;
    struct vtclient c = {0};
    if (start_from_args(&c, srv, "--max-desktop", "700x500")) {
        CHECK(vtclient_wait(&c, vtclient_is_connected, WAIT_MS));
        CHECK_EQ_INT(vtclient_wait_equal(&c, srv, 0, 5000), 0);
        testsrv_resize(srv, 800, 480);
        expect_end(&c, "--max-desktop 700x500, resize",
                   "resized its desktop to 800x480; vncview accepts 1x1 to 700x500 "
                   "(raise the limit with --max-desktop");
    }
    vtclient_stop(&c);
    testsrv_stop(srv);
}

/* testsrv's arrow is 12x19: under 24, then a 32x32 shape. */
static void test_cursor(void)
{
    struct testsrv *srv = server(true);
    if (!srv)
        return;
    struct vtclient c = {0};
    if (start_from_args(&c, srv, "--max-cursor", "24")) {
        CHECK(vtclient_wait(&c, vtclient_is_connected, WAIT_MS));
        uint32_t argb[32 * 32];
        for (int i = 0; i < 32 * 32; i++)
            argb[i] = 0xFF000000u | (uint32_t)i;
        testsrv_set_cursor(srv, 32, 32, 1, 1, argb);
        expect_end(&c, "--max-cursor 24",
                   "sent a 32x32 cursor; vncview accepts at most 24x24 (raise the "
                   "limit with --max-cursor, up to 1024)");
    }
    vtclient_stop(&c);
    testsrv_stop(srv);
}

static bool has_clipboard(struct vtclient *c)
{
    return c->clipboard != NULL;
}

/* Truncation, not an end: the first SIZE bytes arrive; without the option all of them. */
static void test_clipboard(void)
{
    struct testsrv *srv = server(false);
    if (!srv)
        return;
    char text[5000];
    memset(text, 'q', sizeof text);
    for (int lowered = 1; lowered >= 0; lowered--) {
        struct vtclient c = {0};
        if (start_from_args(&c, srv, lowered ? "--max-clipboard" : NULL, "1K")) {
            CHECK(vtclient_wait(&c, vtclient_is_connected, WAIT_MS));
            CHECK_EQ_INT(vtclient_wait_equal(&c, srv, 0, 5000), 0);
            testsrv_send_cut_text(srv, text, sizeof text);
            CHECK(vtclient_wait(&c, has_clipboard, WAIT_MS));
            pthread_mutex_lock(&c.lock);
            size_t got = c.clipboard ? strlen(c.clipboard) : 0;
            pthread_mutex_unlock(&c.lock);
            CHECK_EQ_INT(got, lowered ? 1024 : sizeof text);
            CHECK(!c.ended);
            fprintf(stderr, "clipboard of %zu bytes, %s: %zu received\n", sizeof text,
                    lowered ? "--max-clipboard 1K" : "default", got);
        }
        vtclient_stop(&c);
        testsrv_wait_clients(srv, 0, 5000);
    }
    testsrv_stop(srv);
}

int main(void)
{
    test_desktop_at_connect();
    test_desktop_resize();
    test_cursor();
    test_clipboard();
    return vv_test_finish();
}
