/* Validates the test server (tests/support/testsrv) with libvncclient directly: pixel-exact
 * framebuffers in every encoding, CopyRect, resize both ways, input, clipboard, bell, cursor,
 * VncAuth and the QEMU-style screen id 0. */
#include "testsrv.h"
#include "vv_test.h"
#include "plat.h"
#include "log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <rfb/rfbclient.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* What a client's callbacks saw. */
struct seen {
    int bells, copyrects, cursor_w, cursor_h, cursor_shapes;
    char cut[256];
    int cut_len;
    const char *password;
    GotCopyRectProc default_copyrect;
};

static int seen_tag;

static struct seen *seen_of(rfbClient *cl)
{
    return rfbClientGetClientData(cl, &seen_tag);
}

static void on_bell(rfbClient *cl)
{
    seen_of(cl)->bells++;
}

static void on_cut(rfbClient *cl, const char *text, int len)
{
    struct seen *s = seen_of(cl);
    s->cut_len = len < (int)sizeof s->cut ? len : (int)sizeof s->cut;
    memcpy(s->cut, text, (size_t)s->cut_len);
}

static void on_copyrect(rfbClient *cl, int sx, int sy, int w, int h, int dx, int dy)
{
    struct seen *s = seen_of(cl);
    s->copyrects++;
    s->default_copyrect(cl, sx, sy, w, h, dx, dy);
}

static void on_cursor(rfbClient *cl, int xhot, int yhot, int w, int h, int bpp)
{
    (void)xhot, (void)yhot, (void)bpp;
    struct seen *s = seen_of(cl);
    s->cursor_shapes++;
    s->cursor_w = w;
    s->cursor_h = h;
    /* libvncclient 0.9.14 leaks rcMask on every new shape unless we free it. */
    free(cl->rcMask);
    cl->rcMask = NULL;
}

static char *on_password(rfbClient *cl)
{
    const char *p = seen_of(cl)->password;
    return strdup(p ? p : "");
}

/* Connects a libvncclient with a B,G,R,X framebuffer (a pixel read as uint32 is 0x00RRGGBB).
 * Returns NULL if the connection or handshake failed. */
static rfbClient *client_connect(int port, const char *encodings, bool cursor, struct seen *seen)
{
    rfbClient *cl = rfbGetClient(8, 3, 4);
    cl->format.redShift = 16;
    cl->format.greenShift = 8;
    cl->format.blueShift = 0;
    cl->appData.encodingsString = encodings;
    cl->appData.enableJPEG = FALSE;
    cl->appData.useRemoteCursor = cursor ? TRUE : FALSE;
    cl->canHandleNewFBSize = TRUE;
    free(cl->serverHost);
    cl->serverHost = strdup("127.0.0.1");
    cl->serverPort = port;
    cl->Bell = on_bell;
    cl->GotXCutText = on_cut;
    cl->GetPassword = on_password;
    cl->GotCursorShape = on_cursor;
    seen->default_copyrect = cl->GotCopyRect;
    cl->GotCopyRect = on_copyrect;
    rfbClientSetClientData(cl, &seen_tag, seen);
    if (!rfbInitClient(cl, NULL, NULL))
        return NULL; /* already freed by libvncclient */
    return cl;
}

static void client_close(rfbClient *cl)
{
    if (!cl)
        return;
    free(cl->frameBuffer);
    cl->frameBuffer = NULL;
    /* 0.9.14's cleanup frees neither of these. */
    free(cl->rcSource);
    cl->rcSource = NULL;
    free(cl->rcMask);
    cl->rcMask = NULL;
    rfbClientCleanup(cl);
}

static int count_diffs(rfbClient *cl, struct testsrv *s, int *first_x, int *first_y)
{
    int w, h;
    uint32_t *srv = testsrv_copy_pixels(s, &w, &h);
    if (!srv)
        return -1;
    int diffs = 0;
    if (cl->width != w || cl->height != h) {
        diffs = -2;
    } else {
        const uint32_t *px = (const uint32_t *)cl->frameBuffer;
        for (int i = 0; i < w * h; i++)
            if ((px[i] & 0xffffff) != srv[i]) {
                if (!diffs) {
                    *first_x = i % w;
                    *first_y = i / w;
                }
                diffs++;
            }
    }
    free(srv);
    return diffs;
}

static bool pump_once(rfbClient *cl, int wait_us)
{
    int n = WaitForMessage(cl, (unsigned)wait_us);
    if (n < 0)
        return false;
    /* WaitForMessage ignores bytes libvncclient has already buffered. */
    if (n > 0 || cl->buffered > 0)
        return HandleRFBServerMessage(cl) != 0;
    return true;
}

/* Handles server messages until the client's framebuffer equals the server's. */
static bool pump_until_equal(rfbClient *cl, struct testsrv *s, const char *what)
{
    uint64_t end = plat_now_ms() + 10000;
    int diffs = 0, fx = 0, fy = 0;
    while (plat_now_ms() < end) {
        diffs = count_diffs(cl, s, &fx, &fy);
        if (diffs == 0)
            return true;
        if (!pump_once(cl, 20000)) {
            fprintf(stderr, "%s: connection failed\n", what);
            return false;
        }
    }
    fprintf(stderr, "%s: %d pixels differ (first at %d,%d), client %dx%d\n", what, diffs, fx, fy,
            cl->width, cl->height);
    return false;
}

static void pump_for(rfbClient *cl, int ms)
{
    uint64_t end = plat_now_ms() + (uint64_t)ms;
    while (plat_now_ms() < end)
        if (!pump_once(cl, 10000))
            return;
}

static void test_encoding(struct testsrv *s, const char *enc, uint32_t seed)
{
    char what[128];
    struct seen seen = {0};
    rfbClient *cl = client_connect(testsrv_port(s), enc, false, &seen);
    CHECK_MSG(cl != NULL, "connect with \"%s\"", enc);
    if (!cl)
        return;
    CHECK_EQ_INT(testsrv_wait_clients(s, 1, 5000), 1);
    snprintf(what, sizeof what, "%s: initial", enc);
    CHECK(pump_until_equal(cl, s, what));

    testsrv_fill_rect(s, 10, 12, 57, 31, 0x123456);
    snprintf(what, sizeof what, "%s: fill", enc);
    CHECK(pump_until_equal(cl, s, what));

    testsrv_fill_pattern(s, seed);
    snprintf(what, sizeof what, "%s: new pattern", enc);
    CHECK(pump_until_equal(cl, s, what));

    testsrv_copy_rect(s, 100, 110, 90, 60, 30, 40);
    snprintf(what, sizeof what, "%s: copy", enc);
    CHECK(pump_until_equal(cl, s, what));
    if (strstr(enc, "copyrect"))
        CHECK_MSG(seen.copyrects > 0, "%s: no CopyRect arrived", enc);
    else
        CHECK_MSG(seen.copyrects == 0, "%s: CopyRect without asking", enc);

    client_close(cl);
    CHECK_EQ_INT(testsrv_wait_clients(s, 0, 5000), 0);
}

static void test_input(struct testsrv *s)
{
    struct seen seen = {0};
    rfbClient *cl = client_connect(testsrv_port(s), "zrle raw", false, &seen);
    CHECK(cl != NULL);
    if (!cl)
        return;
    CHECK_EQ_INT(testsrv_wait_clients(s, 1, 5000), 1);
    CHECK(pump_until_equal(cl, s, "input: initial"));

    SendKeyEvent(cl, XK_a, TRUE);
    SendKeyEvent(cl, XK_a, FALSE);
    SendKeyEvent(cl, XK_F2, TRUE);
    struct testsrv_key_event k[3];
    CHECK_EQ_INT(testsrv_wait_keys(s, 3, 5000, k), 3);
    CHECK_EQ_INT(k[0].keysym, XK_a);
    CHECK(k[0].down);
    CHECK_EQ_INT(k[1].keysym, XK_a);
    CHECK(!k[1].down);
    CHECK_EQ_INT(k[2].keysym, XK_F2);
    /* Consumed: nothing more is queued. */
    CHECK_EQ_INT(testsrv_wait_keys(s, 1, 100, k), 0);

    SendPointerEvent(cl, 17, 23, 0);
    SendPointerEvent(cl, 18, 24, rfbButton1Mask | rfbButton3Mask);
    struct testsrv_ptr_event p[2];
    CHECK_EQ_INT(testsrv_wait_pointer(s, 2, 5000, p), 2);
    CHECK(p[0].x == 17 && p[0].y == 23 && p[0].buttons == 0);
    CHECK(p[1].x == 18 && p[1].y == 24 && p[1].buttons == 5);

    char text[] = "caf\xe9 au lait";
    SendClientCutText(cl, text, (int)strlen(text));
    size_t len = 0;
    char *got = testsrv_wait_cut_text(s, 5000, &len);
    CHECK(got != NULL);
    if (got) {
        CHECK_EQ_INT(len, strlen(text));
        CHECK_EQ_STR(got, text);
        free(got);
    }
    CHECK(testsrv_wait_cut_text(s, 50, &len) == NULL);

    testsrv_bell(s);
    testsrv_send_cut_text(s, "na\xefve", 5);
    uint64_t end = plat_now_ms() + 5000;
    while ((seen.bells == 0 || seen.cut_len == 0) && plat_now_ms() < end)
        pump_once(cl, 20000);
    CHECK_EQ_INT(seen.bells, 1);
    CHECK_EQ_INT(seen.cut_len, 5);
    CHECK(memcmp(seen.cut, "na\xefve", 5) == 0);

    /* Server-initiated resize (ExtDesktopSize, screen id 1). */
    testsrv_resize(s, 320, 240);
    CHECK(pump_until_equal(cl, s, "server resize"));
    CHECK_EQ_INT(cl->width, 320);

    /* Client-initiated SetDesktopSize, built by hand: 0.9.14's SendExtDesktopSize is broken. */
    rfbSetDesktopSizeMsg m = {.type = rfbSetDesktopSize, .numberOfScreens = 1};
    m.width = htons(200);
    m.height = htons(148);
    rfbExtDesktopScreen scr = {.id = htonl(1), .width = htons(200), .height = htons(148)};
    CHECK(WriteToRFBServer(cl, (char *)&m, sz_rfbSetDesktopSizeMsg));
    CHECK(WriteToRFBServer(cl, (char *)&scr, sz_rfbExtDesktopScreen));
    end = plat_now_ms() + 5000;
    while (cl->width != 200 && plat_now_ms() < end)
        pump_once(cl, 20000);
    CHECK_EQ_INT(cl->width, 200);
    CHECK_EQ_INT(cl->height, 148);
    CHECK(pump_until_equal(cl, s, "client resize"));
    int rw = 0, rh = 0;
    CHECK(testsrv_last_resize_request(s, &rw, &rh));
    CHECK(rw == 200 && rh == 148);

    client_close(cl);
    CHECK_EQ_INT(testsrv_wait_clients(s, 0, 5000), 0);
}

static void test_password(void)
{
    struct testsrv_opts o = {.width = 64, .height = 48, .password = "s3cret"};
    struct testsrv *s = testsrv_start(&o);
    CHECK(s != NULL);
    if (!s)
        return;
    struct seen good = {.password = "s3cret"}, bad = {.password = "wrong"};
    rfbClient *cl = client_connect(testsrv_port(s), "raw", false, &good);
    CHECK_MSG(cl != NULL, "right password refused");
    if (cl) {
        CHECK_EQ_INT(cl->authScheme, rfbVncAuth);
        CHECK(pump_until_equal(cl, s, "password: initial"));
        client_close(cl);
    }
    cl = client_connect(testsrv_port(s), "raw", false, &bad);
    CHECK_MSG(cl == NULL, "wrong password accepted");
    client_close(cl);
    testsrv_stop(s);
}

static void test_cursor(void)
{
    struct testsrv_opts o = {.width = 64, .height = 48, .remote_cursor_shape = true};
    struct testsrv *s = testsrv_start(&o);
    CHECK(s != NULL);
    if (!s)
        return;
    struct seen seen = {0};
    rfbClient *cl = client_connect(testsrv_port(s), "raw", true, &seen);
    CHECK(cl != NULL);
    if (cl) {
        /* With cursor shape updates the pixels stay exact: the cursor is not drawn in. */
        CHECK(pump_until_equal(cl, s, "cursor: initial"));
        pump_for(cl, 200);
        CHECK(seen.cursor_shapes >= 1);
        CHECK(seen.cursor_w == 12 && seen.cursor_h == 19);
        uint32_t argb[8 * 6];
        for (int i = 0; i < 8 * 6; i++)
            argb[i] = i % 3 ? 0xffff8000u : 0;
        testsrv_set_cursor(s, 8, 6, 2, 3, argb);
        uint64_t end = plat_now_ms() + 5000;
        while (seen.cursor_w != 8 && plat_now_ms() < end)
            pump_once(cl, 20000);
        CHECK(seen.cursor_w == 8 && seen.cursor_h == 6);
        client_close(cl);
    }
    testsrv_stop(s);
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return ntohl(v);
}

static bool read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

/* Speaks just enough RFB by hand to read the screen id of the first ExtDesktopSize rect
 * (libvncclient 0.9.14 drops screens with id 0, so it cannot tell us). -1 on failure. */
static long probe_screen_id(int port)
{
    long id = -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    uint8_t buf[64];
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 || !read_full(fd, buf, 12) ||
        write(fd, "RFB 003.008\n", 12) != 12 || !read_full(fd, buf, 2) || buf[0] != 1 ||
        buf[1] != rfbNoAuth || write(fd, "\x01", 1) != 1 || !read_full(fd, buf, 4) ||
        write(fd, "\x01", 1) != 1 || !read_full(fd, buf, 24))
        goto out;
    uint32_t name_len = get32(buf + 20);
    for (uint32_t i = 0; i < name_len; i++)
        if (!read_full(fd, buf, 1))
            goto out;
    /* SetEncodings [ExtDesktopSize], then a full update request of 1x1. */
    uint8_t msg[] = {2, 0, 0, 1, 0xff, 0xff, 0xfe, 0xcc, 3, 0, 0, 0, 0, 0, 0, 1, 0, 1};
    if (write(fd, msg, sizeof msg) != (ssize_t)sizeof msg || !read_full(fd, buf, 4 + 12) ||
        buf[0] != rfbFramebufferUpdate)
        goto out;
    if (get32(buf + 4 + 8) != (uint32_t)rfbEncodingExtDesktopSize || !read_full(fd, buf, 4 + 16) ||
        buf[0] != 1)
        goto out;
    id = (long)get32(buf + 4);
out:
    close(fd);
    return id;
}

static void test_screen_id(void)
{
    for (int zero = 0; zero <= 1; zero++) {
        struct testsrv_opts o = {.width = 64, .height = 48, .screen_id0 = zero};
        struct testsrv *s = testsrv_start(&o);
        CHECK(s != NULL);
        if (!s)
            return;
        CHECK_EQ_INT(probe_screen_id(testsrv_port(s)), zero ? 0 : 1);
        testsrv_stop(s);
    }
}

/* Stopping with a viewer still connected frees everything (ASan) and closes its connection. */
static void test_stop_with_client(void)
{
    struct testsrv_opts o = {.width = 64, .height = 48};
    struct testsrv *s = testsrv_start(&o);
    CHECK(s != NULL);
    if (!s)
        return;
    struct seen seen = {0};
    rfbClient *cl = client_connect(testsrv_port(s), "zlib", false, &seen);
    CHECK(cl != NULL);
    CHECK_EQ_INT(testsrv_wait_clients(s, 1, 5000), 1);
    testsrv_stop(s);
    if (cl) {
        bool closed = false;
        uint64_t end = plat_now_ms() + 5000;
        while (!closed && plat_now_ms() < end)
            closed = !pump_once(cl, 20000);
        CHECK_MSG(closed, "connection still open after testsrv_stop");
        client_close(cl);
    }
}

int main(void)
{
    plat_ignore_sigpipe();
    log_route_libvncclient();
    struct testsrv_opts o = {.width = 300, .height = 200};
    struct testsrv *s = testsrv_start(&o);
    CHECK(s != NULL);
    if (!s)
        return vv_test_finish();
    CHECK(testsrv_port(s) > 0);
    CHECK_EQ_INT(testsrv_client_count(s), 0);

    /* The pattern is what the header promises: noise differs from its neighbours, the flat
     * area is flat. */
    CHECK(testsrv_pixel_rgb(s, 10, 150) != testsrv_pixel_rgb(s, 11, 150));
    CHECK_EQ_INT(testsrv_pixel_rgb(s, 5, 60), testsrv_pixel_rgb(s, 90, 95));

    static const char *const encodings[] = {"raw",   "hextile",      "zlib", "zrle",
                                            "tight", "copyrect raw", "rre",  "corre"};
    for (size_t i = 0; i < sizeof encodings / sizeof encodings[0]; i++)
        test_encoding(s, encodings[i], (uint32_t)(100 + i));
    test_input(s);
    testsrv_stop(s);

    test_password();
    test_cursor();
    test_screen_id();
    test_stop_with_client();
    return vv_test_finish();
}
