/* Every way a connection can fail, against scripted misbehaving servers on 127.0.0.1: each ends
 * the session promptly with its own error code and a message naming host and port; and the
 * older protocol versions (RFB 3.3 with None, 3.7 with VncAuth) connect and show pixels. */
#include "badsrv.h"
#include "vtclient.h"
#include "vv_test.h"

#include "plat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 2000 /* the session's connect + handshake timeout, unless a case says */
#define GRACE_MS 5000   /* DISCONNECTED must come within the timeout plus this */
#define PROMPT_MS 1500  /* failures that need no timeout must be reported quicker than it */
#define HOLD_MS 15000   /* scripts keep the connection open this long at most */

/* Scripted-server parameters and what the scripts saw (read after badsrv_stop joined them). */
struct script_arg {
    const char *text;           /* bytes to send (s_send_text) */
    uint32_t reason_len;        /* announced failure reason length (s_no_types) */
    int w, h;                   /* ServerInit size (s_size) */
    int after;                  /* AFTER_* */
    bool version_ok, auth_done; /* the client answered the expected version / sent a response */
    bool auth_matched;          /* its VncAuth response was right for "pw" */
};

/* What a script does after its valid part (s_connected: once the test releases it). */
enum { AFTER_HOLD, AFTER_UNKNOWN_TYPE, AFTER_UNKNOWN_TYPE_PADDED, AFTER_CLOSE };

static uint32_t pattern(int x, int y)
{
    return (uint32_t)(x * 4 & 255) << 16 | (uint32_t)(y * 5 & 255) << 8 |
           (uint32_t)((x * 7 + y * 3) & 255);
}

static uint32_t *pattern_pixels(int w, int h)
{
    uint32_t *px = malloc((size_t)w * (size_t)h * 4);
    for (int y = 0; px && y < h; y++)
        for (int x = 0; x < w; x++)
            px[y * w + x] = pattern(x, y);
    return px;
}

/* Sends ServerInit, waits for the client's first request and answers it with the pattern. */
static bool serve_desktop(struct badsrv *srv, int w, int h, const char *name)
{
    uint32_t *px = pattern_pixels(w, h);
    bool ok = px && badsrv_send_server_init(srv, w, h, name) &&
              badsrv_wait_update_request(srv, 5000) && badsrv_send_raw_update(srv, 0, 0, w, h, px);
    free(px);
    return ok;
}

static bool version_is(struct badsrv *srv, const char *want)
{
    char got[12];
    return badsrv_recv(srv, got, 12, 5000) && memcmp(got, want, 12) == 0;
}

static void s_silent(struct badsrv *srv, void *arg)
{
    (void)arg;
    badsrv_hold(srv, HOLD_MS);
}

static void s_send_text(struct badsrv *srv, void *arg)
{
    struct script_arg *a = arg;
    if (badsrv_send(srv, a->text, strlen(a->text)))
        badsrv_hold(srv, HOLD_MS);
}

static void s_close_now(struct badsrv *srv, void *arg)
{
    (void)srv;
    (void)arg; /* the server closes the connection when the script returns */
}

/* RFB 3.8, zero security types, then a failure reason of the announced length. */
static void s_no_types(struct badsrv *srv, void *arg)
{
    struct script_arg *a = arg;
    if (badsrv_send(srv, "RFB 003.008\n", 12) && version_is(srv, "RFB 003.008\n") &&
        badsrv_send_u8(srv, 0) && badsrv_send_u32(srv, a->reason_len) &&
        badsrv_send(srv, a->text, strlen(a->text)))
        badsrv_hold(srv, HOLD_MS);
}

static void s_unusable_types(struct badsrv *srv, void *arg)
{
    (void)arg;
    const uint8_t types[] = {3, 5, 6, 30}; /* RA2, RA2ne, Apple ARD */
    if (badsrv_send(srv, "RFB 003.008\n", 12) && version_is(srv, "RFB 003.008\n") &&
        badsrv_send(srv, types, sizeof types))
        badsrv_hold(srv, HOLD_MS);
}

static void s_rfb33(struct badsrv *srv, void *arg)
{
    struct script_arg *a = arg;
    uint8_t client_init;
    if (!badsrv_send(srv, "RFB 003.003\n", 12))
        return;
    a->version_ok = version_is(srv, "RFB 003.003\n");
    if (a->version_ok && badsrv_send_u32(srv, 1) && badsrv_recv(srv, &client_init, 1, 5000) &&
        serve_desktop(srv, 64, 48, "three-three"))
        badsrv_hold(srv, HOLD_MS);
}

/* RFB 3.7, VncAuth only, password "pw"; a wrong response gets result 1 (3.7: no reason). */
static void s_vncauth37(struct badsrv *srv, void *arg)
{
    struct script_arg *a = arg;
    const uint8_t types[] = {1, 2};
    uint8_t choice, client_init;
    if (!badsrv_send(srv, "RFB 003.007\n", 12))
        return;
    a->version_ok = version_is(srv, "RFB 003.007\n");
    if (!a->version_ok || !badsrv_send(srv, types, 2) || !badsrv_recv(srv, &choice, 1, 5000) ||
        choice != 2 || !badsrv_vncauth(srv, "pw", &a->auth_matched))
        return;
    a->auth_done = true;
    if (!badsrv_send_u32(srv, a->auth_matched ? 0 : 1) || !a->auth_matched)
        return;
    if (badsrv_recv(srv, &client_init, 1, 5000) && serve_desktop(srv, 32, 16, "three-seven"))
        badsrv_hold(srv, HOLD_MS);
}

static void s_size(struct badsrv *srv, void *arg)
{
    struct script_arg *a = arg;
    if (badsrv_handshake_none(srv, 8) && badsrv_send_server_init(srv, a->w, a->h, "size") &&
        a->after != AFTER_CLOSE)
        badsrv_hold(srv, HOLD_MS);
}

/* A valid session; once the test releases it, misbehaves as a->after says. */
static void s_connected(struct badsrv *srv, void *arg)
{
    struct script_arg *a = arg;
    if (!badsrv_handshake_none(srv, 8) || !serve_desktop(srv, 32, 16, "fine") ||
        !badsrv_wait_release(srv, HOLD_MS))
        return;
    if (a->after == AFTER_CLOSE)
        return;
    if (a->after == AFTER_HOLD) {
        badsrv_hold(srv, HOLD_MS);
        return;
    }
    uint8_t junk[300] = {0xEE};
    /* libvncclient reads 256 bytes after an unknown type before it gives up; the padded variant
     * provides them, the plain one leaves the client to notice on its own. */
    if (badsrv_send(srv, junk, a->after == AFTER_UNKNOWN_TYPE_PADDED ? sizeof junk : 1))
        badsrv_hold(srv, HOLD_MS);
}

static bool has_frame(struct vtclient *c)
{
    return c->frames > 0;
}

static bool connected_or_ended(struct vtclient *c)
{
    return c->connected || c->ended;
}

/* What one failing case must produce. */
struct expect {
    const char *name;
    int code;
    const char *words[4]; /* each must appear in the message */
    long min_ms, max_ms;  /* when DISCONNECTED must arrive, from the start */
    bool connects;        /* the session reached CONNECTED before the failure */
};

/* Waits for the end of c's session and checks it against e. */
static void check_end(const struct expect *e, struct vtclient *c, int port, int timeout_ms,
                      uint64_t t0)
{
    bool ended = vtclient_wait(c, vtclient_is_ended, timeout_ms + GRACE_MS);
    long ms = (long)(plat_now_ms() - t0);
    pthread_mutex_lock(&c->lock);
    struct vv_error err = c->error;
    bool connected = c->connected;
    pthread_mutex_unlock(&c->lock);
    fprintf(stderr, "[%s] %s after %ld ms: code %d: %s\n", e->name,
            ended ? "ended" : "STILL RUNNING", ms, err.code, err.message);
    CHECK_MSG(ended, "%s: no DISCONNECTED within %d ms", e->name, timeout_ms + GRACE_MS);
    if (!ended)
        return;
    CHECK_MSG(err.code == e->code, "%s: code %d (%s), want %d (%s)", e->name, err.code,
              vv_status_name(err.code), e->code, vv_status_name(e->code));
    for (int i = 0; i < 4 && e->words[i]; i++)
        CHECK_MSG(strstr(err.message, e->words[i]) != NULL, "%s: \"%s\" not in \"%s\"", e->name,
                  e->words[i], err.message);
    CHECK_MSG(vv_test_names_peer(err.message, port), "%s: host and port %d not named in \"%s\"",
              e->name, port, err.message);
    CHECK_MSG(ms >= e->min_ms && ms <= e->max_ms, "%s: ended after %ld ms, want %ld..%ld", e->name,
              ms, e->min_ms, e->max_ms);
    CHECK_MSG(connected == e->connects, "%s: CONNECTED %s", e->name,
              connected ? "reported before failing" : "never reported");
}

/* Runs script against a fresh session that is expected to fail before connecting. */
static void expect_failure(const struct expect *e, badsrv_script_fn script, struct script_arg *a,
                           int timeout_ms)
{
    struct badsrv *srv = badsrv_start(script, a);
    CHECK_MSG(srv != NULL, "%s: cannot start the scripted server", e->name);
    if (!srv)
        return;
    struct vtclient c = {0};
    struct session_config cfg = {
        .shared = true, .quality = -1, .compress = -1, .timeout_ms = timeout_ms};
    uint64_t t0 = plat_now_ms();
    CHECK(vtclient_start(&c, badsrv_port(srv), cfg));
    check_end(e, &c, badsrv_port(srv), timeout_ms, t0);
    vtclient_stop(&c);
    badsrv_stop(srv);
}

static void test_refused(void)
{
    int port = badsrv_unused_port();
    CHECK(port > 0);
    struct expect e = {.name = "1 refused",
                       .code = VV_ERR_REFUSED,
                       .words = {"refused"},
                       .min_ms = 0,
                       .max_ms = PROMPT_MS};
    char where[48];
    snprintf(where, sizeof where, "127.0.0.1 port %d", port);
    e.words[1] = where;
    struct vtclient c = {0};
    struct session_config cfg = {
        .shared = true, .quality = -1, .compress = -1, .timeout_ms = TIMEOUT_MS};
    uint64_t t0 = plat_now_ms();
    CHECK(vtclient_start(&c, port, cfg));
    check_end(&e, &c, port, TIMEOUT_MS, t0);
    vtclient_stop(&c);
}

static void test_handshake_failures(void)
{
    struct script_arg a = {0};
    struct expect silent = {.name = "2 silent",
                            .code = VV_ERR_TIMEOUT,
                            .words = {"no VNC greeting"},
                            .min_ms = 900,
                            .max_ms = 3000};
    expect_failure(&silent, s_silent, &a, 1000);

    a = (struct script_arg){.text = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"};
    struct expect ssh = {.name = "3 ssh",
                         .code = VV_ERR_NOT_RFB,
                         .words = {"SSH", "\"SSH-2.0-Open"},
                         .min_ms = 0,
                         .max_ms = PROMPT_MS};
    expect_failure(&ssh, s_send_text, &a, TIMEOUT_MS);

    a = (struct script_arg){.text = "HTTP/1.1 400 Bad Request\r\n\r\n"};
    struct expect http = {.name = "4 http",
                          .code = VV_ERR_NOT_RFB,
                          .words = {"web server", "\"HTTP/1.1 400"},
                          .min_ms = 0,
                          .max_ms = PROMPT_MS};
    expect_failure(&http, s_send_text, &a, TIMEOUT_MS);

    a = (struct script_arg){0};
    struct expect closed = {.name = "5 closed",
                            .code = VV_ERR_CLOSED,
                            .words = {"closed the connection"},
                            .min_ms = 0,
                            .max_ms = PROMPT_MS};
    expect_failure(&closed, s_close_now, &a, TIMEOUT_MS);

    const char *why = "Too many security failures";
    a = (struct script_arg){.text = why, .reason_len = (uint32_t)strlen(why)};
    struct expect refused = {.name = "6 no types",
                             .code = VV_ERR_SECURITY,
                             .words = {"refused the connection", why},
                             .min_ms = 0,
                             .max_ms = PROMPT_MS};
    expect_failure(&refused, s_no_types, &a, TIMEOUT_MS);

    a = (struct script_arg){0};
    struct expect types = {.name = "7 unusable types",
                           .code = VV_ERR_SECURITY,
                           .words = {"RA2", "Apple ARD", "None and VncAuth"},
                           .min_ms = 0,
                           .max_ms = PROMPT_MS};
    expect_failure(&types, s_unusable_types, &a, TIMEOUT_MS);

    /* 13: a 4 GB reason is refused from its length alone: no allocation, no waiting for it. */
    a = (struct script_arg){.text = "Too many", .reason_len = 0xFFFFFFF0u};
    struct expect huge = {.name = "13 huge reason",
                          .code = VV_ERR_NOT_RFB,
                          .words = {"4294967280-byte failure reason"},
                          .min_ms = 0,
                          .max_ms = PROMPT_MS};
    expect_failure(&huge, s_no_types, &a, TIMEOUT_MS);
}

static void test_rfb33(void)
{
    struct script_arg a = {0};
    struct badsrv *srv = badsrv_start(s_rfb33, &a);
    CHECK(srv != NULL);
    if (!srv)
        return;
    struct vtclient c = {0};
    struct session_config cfg = {
        .shared = true, .quality = -1, .compress = -1, .timeout_ms = TIMEOUT_MS};
    CHECK(vtclient_start(&c, badsrv_port(srv), cfg));
    CHECK(vtclient_wait(&c, connected_or_ended, TIMEOUT_MS + GRACE_MS));
    CHECK_MSG(c.connected, "8 rfb 3.3: not connected: %d %s", c.error.code, c.error.message);
    CHECK_EQ_STR(c.desktop, "three-three");
    CHECK(vtclient_wait(&c, has_frame, 5000));
    struct session_frame f;
    if (c.connected && session_frame_lock(c.session, &f)) {
        CHECK_EQ_INT(f.width, 64);
        CHECK_EQ_INT(f.height, 48);
        const int at[5][2] = {{0, 0}, {63, 0}, {0, 47}, {63, 47}, {17, 29}};
        for (int i = 0; i < 5 && f.width == 64 && f.height == 48; i++) {
            const uint8_t *p = f.pixels + at[i][1] * f.stride + at[i][0] * 4;
            uint32_t got = (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
            CHECK_MSG(got == pattern(at[i][0], at[i][1]), "pixel %d,%d: 0x%06x, want 0x%06x",
                      at[i][0], at[i][1], got, pattern(at[i][0], at[i][1]));
        }
        session_frame_unlock(c.session, false);
    }
    uint32_t *want = pattern_pixels(64, 48);
    CHECK_EQ_INT(vtclient_diff(&c, want, 64, 48, 0), 0);
    free(want);
    CHECK(!c.ended);
    vtclient_stop(&c);
    badsrv_stop(srv);
    CHECK(a.version_ok); /* we answered 3.3 */
}

static void test_vncauth37(void)
{
    struct script_arg a = {0};
    struct badsrv *srv = badsrv_start(s_vncauth37, &a);
    CHECK(srv != NULL);
    if (!srv)
        return;
    struct vtclient c = {0};
    struct session_config cfg = {
        .shared = true, .quality = -1, .compress = -1, .timeout_ms = TIMEOUT_MS, .password = "pw"};
    CHECK(vtclient_start(&c, badsrv_port(srv), cfg));
    CHECK(vtclient_wait(&c, connected_or_ended, TIMEOUT_MS + GRACE_MS));
    CHECK_MSG(c.connected, "9 rfb 3.7: not connected: %d %s", c.error.code, c.error.message);
    CHECK_EQ_STR(c.desktop, "three-seven");
    CHECK(vtclient_wait(&c, has_frame, 5000));
    uint32_t *want = pattern_pixels(32, 16);
    CHECK_EQ_INT(vtclient_diff(&c, want, 32, 16, 0), 0);
    free(want);
    vtclient_stop(&c);
    badsrv_stop(srv);
    CHECK(a.version_ok);
    CHECK(a.auth_done && a.auth_matched);

    a = (struct script_arg){0};
    srv = badsrv_start(s_vncauth37, &a);
    CHECK(srv != NULL);
    if (!srv)
        return;
    struct vtclient w = {0};
    cfg.password = "wrong";
    struct expect e = {.name = "9 wrong password",
                       .code = VV_ERR_AUTH,
                       .words = {"rejected the password"},
                       .min_ms = 0,
                       .max_ms = PROMPT_MS};
    uint64_t t0 = plat_now_ms();
    CHECK(vtclient_start(&w, badsrv_port(srv), cfg));
    check_end(&e, &w, badsrv_port(srv), TIMEOUT_MS, t0);
    vtclient_stop(&w);
    badsrv_stop(srv);
    CHECK(a.auth_done && !a.auth_matched);
}

static void test_bad_sizes(void)
{
    /* The core's framebuffer allocator refuses both; libvncclient would take them. */
    struct script_arg a = {.w = 0, .h = 0};
    struct expect zero = {.name = "10 0x0 desktop",
                          .code = VV_ERR_PROTOCOL,
                          .words = {"0x0"},
                          .min_ms = 0,
                          .max_ms = PROMPT_MS};
    expect_failure(&zero, s_size, &a, TIMEOUT_MS);
    a = (struct script_arg){.w = 20000, .h = 20000};
    struct expect huge = {.name = "10 20000x20000 desktop",
                          .code = VV_ERR_PROTOCOL,
                          .words = {"20000x20000"},
                          .min_ms = 0,
                          .max_ms = PROMPT_MS};
    expect_failure(&huge, s_size, &a, TIMEOUT_MS);
    /* The same, and the server hangs up right after: the invalid ServerInit is still the reason,
     * whichever thread notices first. */
    a = (struct script_arg){.w = 0, .h = 0, .after = AFTER_CLOSE};
    struct expect zero_closed = {.name = "10 0x0 desktop, then close",
                                 .code = VV_ERR_PROTOCOL,
                                 .words = {"0x0"},
                                 .min_ms = 0,
                                 .max_ms = PROMPT_MS};
    expect_failure(&zero_closed, s_size, &a, TIMEOUT_MS);
}

/* Connects, lets the server misbehave (a->after), and checks how the session ends. */
static void after_connect(const struct expect *e, struct script_arg *a)
{
    struct badsrv *srv = badsrv_start(s_connected, a);
    CHECK(srv != NULL);
    if (!srv)
        return;
    struct vtclient c = {0};
    struct session_config cfg = {
        .shared = true, .quality = -1, .compress = -1, .timeout_ms = TIMEOUT_MS};
    CHECK(vtclient_start(&c, badsrv_port(srv), cfg));
    CHECK(vtclient_wait(&c, has_frame, TIMEOUT_MS + GRACE_MS));
    CHECK_MSG(c.connected && !c.ended, "%s: the valid part failed: %d %s", e->name, c.error.code,
              c.error.message);
    badsrv_release(srv);
    check_end(e, &c, badsrv_port(srv), TIMEOUT_MS, plat_now_ms());
    vtclient_stop(&c);
    badsrv_stop(srv);
}

static void test_after_connect(void)
{
    struct script_arg a = {.after = AFTER_UNKNOWN_TYPE_PADDED};
    struct expect padded = {.name = "11 unknown message type (padded)",
                            .code = VV_ERR_PROTOCOL,
                            .words = {"unknown message type 238"},
                            .min_ms = 0,
                            .max_ms = PROMPT_MS,
                            .connects = true};
    after_connect(&padded, &a);

    a = (struct script_arg){.after = AFTER_UNKNOWN_TYPE};
    struct expect bare = {.name = "11 unknown message type",
                          .code = VV_ERR_PROTOCOL,
                          .words = {"unknown message type 238"},
                          .min_ms = 0,
                          .max_ms = PROMPT_MS,
                          .connects = true};
    after_connect(&bare, &a);

    a = (struct script_arg){.after = AFTER_CLOSE};
    struct expect lost = {.name = "12 server closed",
                          .code = VV_ERR_LOST,
                          .words = {"closed the connection"},
                          .min_ms = 0,
                          .max_ms = PROMPT_MS,
                          .connects = true};
    after_connect(&lost, &a);
}

int main(void)
{
    test_refused();
    test_handshake_failures();
    test_rfb33();
    test_vncauth37();
    test_bad_sizes();
    test_after_connect();
    return vv_test_finish();
}
