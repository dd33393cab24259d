/* Every hostile-server scenario (tests/support/hostile.h) but the floods, against a real
 * session: it must end within END_MS with the scenario's error class and a message that names
 * the problem and the server, after the valid part was accepted; the published frame must
 * still be exactly what the server sent before the attack. Benign scenarios (a long desktop
 * name or clipboard) must keep the session up and deliver the truncated text. Run one
 * scenario: itest_hostile NAME. */
#include "hostile.h"
#include "vtclient.h"
#include "vv_test.h"

#include "plat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define END_MS 10000  /* from the attack to the end of the session (or the benign result) */
#define START_MS 8000 /* from the start to the valid first frame */

static bool frame_or_end(struct vtclient *c)
{
    return c->frames > 0 || c->ended;
}

/* Published pixels that differ from hostile_pattern `which` at w x h (-1: other size or none). */
static long frame_diff(struct vtclient *c, int which, int w, int h)
{
    uint32_t *want = hostile_pattern_pixels(which, w, h);
    long d = want ? vtclient_diff(c, want, w, h, 0) : -1;
    free(want);
    return d;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A benign scenario: the second update arrives (the stream stayed in step after the cut), the
 * truncated text was delivered, and the session is still up. */
static void check_benign(const struct hostile_scenario *sc, struct vtclient *c)
{
    long d = -1;
    for (int waited = 0; waited <= END_MS && d != 0; waited += 20) {
        d = frame_diff(c, 2, sc->w, sc->h);
        if (d != 0)
            sleep_ms(20);
    }
    CHECK_MSG(d == 0, "%s: the update after the truncated text never showed (%ld pixels differ)",
              sc->name, d);
    sleep_ms(200); /* anything wrong with the rest of the stream ends the session by now */
    pthread_mutex_lock(&c->lock);
    CHECK_MSG(!c->ended, "%s: the session ended: %d %s", sc->name, c->error.code, c->error.message);
    if (sc->want_name_len) {
        CHECK_MSG(c->desktop_len == sc->want_name_len, "%s: desktop name of %zu bytes, want %u",
                  sc->name, c->desktop_len, sc->want_name_len);
        bool same = true;
        for (size_t i = 0; i < strlen(c->desktop); i++)
            same &= c->desktop[i] == hostile_text(i);
        CHECK_MSG(same && c->desktop[0], "%s: the desktop name is not the server's", sc->name);
    }
    if (sc->want_cut_len) {
        size_t len = c->clipboard ? strlen(c->clipboard) : 0;
        CHECK_MSG(len == sc->want_cut_len, "%s: clipboard of %zu bytes, want %u", sc->name, len,
                  sc->want_cut_len);
        bool same = len > 0;
        for (size_t i = 0; i < len && same; i++)
            same = c->clipboard[i] == hostile_text(i);
        CHECK_MSG(same, "%s: the clipboard text is not the server's", sc->name);
    }
    pthread_mutex_unlock(&c->lock);
}

/* A failing scenario: the end, its class and its words, and the frame left on screen. */
static void check_end(const struct hostile_scenario *sc, struct vtclient *c, int port,
                      struct hostile_run *r, uint64_t t_attack)
{
    bool ended = vtclient_wait(c, vtclient_is_ended, END_MS);
    long ms = (long)(plat_now_ms() - t_attack);
    pthread_mutex_lock(&c->lock);
    struct vv_error err = c->error;
    bool connected = c->connected;
    int frames = c->frames;
    pthread_mutex_unlock(&c->lock);
    fprintf(stderr, "[%s] %s after %ld ms: %s (%d): %s\n", sc->name,
            ended ? "ended" : "STILL RUNNING", ms, vv_status_name(err.code), err.code, err.message);
    CHECK_MSG(ended, "%s: the session did not end within %d ms", sc->name, END_MS);
    if (!ended)
        return;
    CHECK_MSG(hostile_attacked(r), "%s: the session ended before the attack", sc->name);
    CHECK_MSG(err.code == sc->code, "%s: code %d (%s), want %d (%s)", sc->name, err.code,
              vv_status_name(err.code), sc->code, vv_status_name(sc->code));
    for (int i = 0; i < 3 && sc->words[i]; i++)
        CHECK_MSG(strstr(err.message, sc->words[i]) != NULL, "%s: \"%s\" not in \"%s\"", sc->name,
                  sc->words[i], err.message);
    CHECK_MSG(vv_test_names_peer(err.message, port),
              "%s: the server (port %d) is not named in \"%s\"", sc->name, port, err.message);
    if (sc->flags & HOSTILE_AT_INIT) {
        CHECK_MSG(!connected && frames == 0, "%s: %s before the refused ServerInit", sc->name,
                  connected ? "CONNECTED" : "a frame");
    } else {
        /* Nothing of the refused update may show: the frame is what came before it. */
        long d = frame_diff(c, 1, sc->w, sc->h);
        CHECK_MSG(d == 0, "%s: the frame left differs from the server's first update (%ld)",
                  sc->name, d);
    }
}

static void run_scenario(const struct hostile_scenario *sc)
{
    struct hostile_run *r = hostile_start(sc, true);
    CHECK_MSG(r != NULL, "%s: cannot start the server", sc->name);
    if (!r)
        return;
    int port = hostile_port(r);
    struct vtclient c = {0};
    struct session_config cfg = {.shared = true,
                                 .encodings = sc->encodings,
                                 .quality = sc->quality,
                                 .compress = -1,
                                 .timeout_ms = START_MS};
    uint64_t t0 = plat_now_ms();
    CHECK(vtclient_start(&c, port, cfg));
    if (!(sc->flags & HOSTILE_AT_INIT)) {
        /* The valid part first: connected, and the server's first update on screen. */
        vtclient_wait(&c, frame_or_end, START_MS);
        CHECK_MSG(c.frames > 0 && !c.ended, "%s: no first frame: %d %s", sc->name, c.error.code,
                  c.error.message);
        CHECK_MSG(frame_diff(&c, 1, sc->w, sc->h) == 0, "%s: the first frame is wrong", sc->name);
        hostile_release(r);
    }
    uint64_t t_attack = plat_now_ms();
    if (sc->flags & HOSTILE_BENIGN)
        check_benign(sc, &c);
    else
        check_end(sc, &c, port, r, t_attack);
    vtclient_stop(&c);
    /* The server sees the client go (its hold ends) promptly. */
    CHECK_MSG(hostile_wait_done(r, 5000), "%s: the server still waits for the client", sc->name);
    hostile_stop(r);
    fprintf(stderr, "[%s] %ld ms in all\n", sc->name, (long)(plat_now_ms() - t0));
}

int main(int argc, char **argv)
{
    size_t n;
    const struct hostile_scenario *all = hostile_all(&n);
    size_t ran = 0;
    uint64_t t0 = plat_now_ms();
    for (size_t i = 0; i < n; i++) {
        if (all[i].flags & HOSTILE_ENDLESS) /* itest_hostile_flood */
            continue;
        if (argc > 1 && strcmp(argv[1], all[i].name) != 0)
            continue;
        run_scenario(&all[i]);
        ran++;
    }
    CHECK_MSG(ran > 0, "no scenario named %s", argc > 1 ? argv[1] : "(any)");
    fprintf(stderr, "%zu scenarios in %llu ms\n", ran, (unsigned long long)(plat_now_ms() - t0));
    return vv_test_finish();
}
