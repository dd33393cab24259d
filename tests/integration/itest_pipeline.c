/* Request-ahead: the session asks for the next update as soon as an update starts arriving, so
 * the server encodes update N+1 while the viewer decodes N. A scripted server sends the first of
 * an update's two rectangles and then waits for that request before it sends the second: a
 * viewer that asks only after an update is complete never gets the second rectangle. */
#include "badsrv.h"
#include "vtclient.h"
#include "vv_test.h"

#include <stdlib.h>
#include <string.h>

#define W 64
#define H 32

struct pipe_arg {
    bool ahead; /* a request arrived between the update's two rectangles */
};

static uint32_t pattern(int x, int y)
{
    return (uint32_t)(x * 9 & 255) << 16 | (uint32_t)(y * 7 & 255) << 8 | (uint32_t)(x ^ y);
}

static void s_two_halves(struct badsrv *srv, void *arg)
{
    struct pipe_arg *a = arg;
    uint32_t px[W * H];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            px[y * W + x] = pattern(x, y);
    if (!badsrv_handshake_none(srv, 8) || !badsrv_send_server_init(srv, W, H, "pipeline") ||
        !badsrv_wait_update_request(srv, 5000))
        return;
    if (!badsrv_send_update_header(srv, 2) || !badsrv_send_rect_header(srv, 0, 0, W, H / 2, 0) ||
        !badsrv_send_pixels(srv, px, W * H / 2))
        return;
    a->ahead = badsrv_wait_update_request(srv, 3000);
    if (!a->ahead)
        return; /* the viewer waits for the rest of the update: it never comes */
    if (!badsrv_send_rect_header(srv, 0, H / 2, W, H / 2, 0) ||
        !badsrv_send_pixels(srv, px + W * H / 2, W * H / 2))
        return;
    badsrv_hold(srv, 15000);
}

static bool frame_or_end(struct vtclient *c)
{
    return c->frames >= 1 || c->ended;
}

int main(void)
{
    struct pipe_arg a = {0};
    struct badsrv *srv = badsrv_start(s_two_halves, &a);
    CHECK(srv != NULL);
    if (!srv)
        return vv_test_finish();
    struct vtclient c = {0};
    struct session_config cfg = {.shared = true, .quality = -1, .compress = -1, .timeout_ms = 5000};
    CHECK(vtclient_start(&c, badsrv_port(srv), cfg));
    CHECK_MSG(vtclient_wait(&c, frame_or_end, 8000), "no complete update within 8 s");
    uint32_t want[W * H];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            want[y * W + x] = pattern(x, y);
    long d = vtclient_diff(&c, want, W, H, 0);
    CHECK_MSG(d == 0, "the two-rectangle update differs in %ld pixels", d);
    vtclient_stop(&c);
    badsrv_stop(srv);
    CHECK_MSG(a.ahead, "the viewer sent no update request until the update was complete");
    return vv_test_finish();
}
