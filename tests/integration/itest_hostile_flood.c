/* The endless floods of tests/support/hostile.h against a real session: legitimate updates
 * (1920x1080 with a 2 MB Raw block each; 3840x2160 with 8 desktops of pixels each, the guard's
 * limit) that never stop. The session must keep up without ending (no false refusal, no
 * watchdog cut-off), keep publishing frames, and end promptly when the user disconnects in
 * the middle of it; the server must see the client go. And the CPU watchdog, the defence
 * against amplification the guard allows: with a budget below what one 3840x2160 update
 * costs, the same flood is cut off with a message that says so. */
#include "hostile.h"
#include "vtclient.h"
#include "vv_test.h"

#include "plat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define START_MS 10000
#define STOP_MS 3000 /* session_destroy in the middle of a flood */
#define RUN_MS 3000  /* how long each flood runs before the user disconnects */

static bool frame_or_end(struct vtclient *c)
{
    return c->frames > 0 || c->ended;
}

static int frames_of(struct vtclient *c)
{
    pthread_mutex_lock(&c->lock);
    int f = c->frames;
    pthread_mutex_unlock(&c->lock);
    return f;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Every published pixel is one of the flood's: a fill colour (R = G * 9/4 + 60, B = G / 2, all
 * mod 256, for the update's k) or a noise block pixel (anything): the check is the frame size
 * and that the fill dominates, which stale or foreign memory would not give. */
static double fill_share(struct vtclient *c, int w, int h)
{
    struct session_frame f;
    if (!session_frame_lock(c->session, &f))
        return -1;
    long fills = 0, total = 0;
    if (f.width == w && f.height == h)
        for (int y = 0; y < h; y += 7)
            for (int x = 0; x < w; x += 7) {
                const uint8_t *p = f.pixels + (size_t)y * (size_t)f.stride + (size_t)x * 4;
                unsigned b = p[0], g = p[1], r = p[2];
                for (unsigned k = 0; k < 256; k++)
                    if ((uint8_t)(k * 40) == r && (uint8_t)(k * 90 + 60) == g &&
                        (uint8_t)(k * 20) == b) {
                        fills++;
                        break;
                    }
                total++;
            }
    session_frame_unlock(c->session, false);
    return total ? (double)fills / (double)total : -1;
}

static void run_flood(const char *name)
{
    const struct hostile_scenario *sc = hostile_find(name);
    CHECK_MSG(sc != NULL, "no scenario %s", name);
    if (!sc)
        return;
    struct hostile_run *r = hostile_start(sc, true);
    CHECK(r != NULL);
    if (!r)
        return;
    struct vtclient c = {0};
    struct session_config cfg = {
        .shared = true, .quality = -1, .compress = -1, .timeout_ms = START_MS};
    CHECK(vtclient_start(&c, hostile_port(r), cfg));
    vtclient_wait(&c, frame_or_end, START_MS);
    CHECK_MSG(c.frames > 0 && !c.ended, "%s: no first frame: %s", name, c.error.message);
    hostile_release(r);

    /* The flood runs: frames keep coming and the session does not end. */
    uint64_t t0 = plat_now_ms();
    int f0 = frames_of(&c), f_mid = 0;
    uint64_t u_mid = 0;
    while (plat_now_ms() - t0 < RUN_MS && !c.ended) {
        sleep_ms(100);
        if (!u_mid && plat_now_ms() - t0 >= RUN_MS / 2) {
            f_mid = frames_of(&c);
            u_mid = hostile_updates_sent(r);
        }
    }
    int f1 = frames_of(&c);
    uint64_t sent = hostile_updates_sent(r);
    double share = fill_share(&c, sc->w, sc->h);
    fprintf(stderr,
            "[%s] %llu updates sent, %d frames published in %d ms (%d in the second half)"
            ", fill colours in %.0f%% of the frame\n",
            name, (unsigned long long)sent, f1 - f0, RUN_MS, f1 - f_mid, share * 100);
    pthread_mutex_lock(&c.lock);
    CHECK_MSG(!c.ended, "%s: the session ended under the flood: %d %s", name, c.error.code,
              c.error.message);
    pthread_mutex_unlock(&c.lock);
    /* The server may block in the second half: the viewer reads only as fast as it decodes, and
     * the kernel's socket buffers hold thousands of small updates. What matters is that frames
     * keep coming, from a bounded amount of memory. */
    CHECK_MSG(sent >= 5 && u_mid > 0, "%s: the flood never ran (%llu updates)", name,
              (unsigned long long)sent);
    CHECK_MSG(f1 - f_mid > 0, "%s: no frame published in the second half of the flood", name);
    /* Which kind of update came last (fill, noise, copy) decides the share: only "not 0". */
    CHECK_MSG(share > 0.1, "%s: the frame is not the flood's (fill share %.2f)", name, share);

    /* The user disconnects in the middle of it. */
    uint64_t t_stop = plat_now_ms();
    vtclient_stop(&c);
    long stop_ms = (long)(plat_now_ms() - t_stop);
    fprintf(stderr, "[%s] disconnected in %ld ms: %s\n", name, stop_ms,
            c.ended ? (c.error.code == 0 ? "ended by the user" : c.error.message) : "no end");
    CHECK_MSG(stop_ms <= STOP_MS, "%s: disconnecting took %ld ms (limit %d)", name, stop_ms,
              STOP_MS);
    CHECK_MSG(c.ended && c.error.code == 0, "%s: the end was not the user's: %d %s", name,
              c.error.code, c.error.message);
    CHECK_MSG(hostile_wait_done(r, 5000), "%s: the server did not notice the client leave", name);
    hostile_stop(r);
}

/* The CPU watchdog, the only defence against amplification the guard lets through: with a
 * 10 ms budget per server message, the 3840x2160 flood (8 desktops of pixels per update, 40 ms
 * and more) is cut off with a message that says why. Which message trips it is not checked:
 * where first touching new memory is slow (0.2 s per 33 MB on some VMs) the first frame alone
 * costs more (its front buffer is new), and the pump looks only every 200 ms or when data
 * moves. */
static void run_watchdog(void)
{
    const struct hostile_scenario *sc = hostile_find("flood-4k");
    struct hostile_run *r = sc ? hostile_start(sc, false) : NULL;
    CHECK(r != NULL);
    if (!r)
        return;
    struct vtclient c = {0};
    struct session_config cfg = {.shared = true,
                                 .quality = -1,
                                 .compress = -1,
                                 .timeout_ms = START_MS,
                                 .decode_budget_s = 0.01};
    uint64_t t0 = plat_now_ms();
    CHECK(vtclient_start(&c, hostile_port(r), cfg));
    bool ended = vtclient_wait(&c, vtclient_is_ended, 15000);
    long ms = (long)(plat_now_ms() - t0);
    fprintf(stderr, "[watchdog] %s after %ld ms, %d frames, attack %s, %llu updates sent: %s\n",
            ended ? "ended" : "STILL RUNNING", ms, c.frames,
            hostile_attacked(r) ? "begun" : "not begun",
            (unsigned long long)hostile_updates_sent(r), c.error.message);
    CHECK_MSG(ended, "watchdog: the session was not cut off within 15 s");
    CHECK_MSG(c.connected && c.frames > 0, "watchdog: the session ended before its first frame");
    CHECK_MSG(c.error.code == VV_ERR_PROTOCOL, "watchdog: code %d (%s)", c.error.code,
              vv_status_name(c.error.code));
    CHECK_MSG(strstr(c.error.message, "of CPU to decode") &&
                  strstr(c.error.message, "127.0.0.1 port"),
              "watchdog: the message does not say why: %s", c.error.message);
    vtclient_stop(&c);
    CHECK_MSG(hostile_wait_done(r, 5000), "watchdog: the server did not notice the client leave");
    hostile_stop(r);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        run_flood(argv[1]);
    } else {
        run_flood("flood");
        run_flood("flood-4k");
        run_watchdog();
    }
    return vv_test_finish();
}
