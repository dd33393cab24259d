/* Benchmark load for a VNC server: repaints the whole root window with new content every frame
 * (a moving gradient on the top half, fresh noise on the bottom half) with one XPutImage per
 * frame, as fast as the X server takes it or at a fixed rate. Prints "frames N" once a second.
 * Build: cc -O2 fullscreen_painter.c -lX11. Usage: fullscreen_painter [-r FPS] [-t SECONDS] */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t xorshift(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* Frame n into a 32-bit ZPixmap (0x00RRGGBB per pixel, any byte order: XPutImage converts). */
static void draw(XImage *img, int w, int h, unsigned n, uint32_t *rng)
{
    for (int y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *)(img->data + (size_t)y * (size_t)img->bytes_per_line);
        if (y < h / 2) {
            uint32_t g = (uint32_t)(y * 255 / (h / 2)) & 255;
            for (int x = 0; x < w; x++) {
                uint32_t r = (uint32_t)((x + (int)n * 8) * 255 / w) & 255;
                uint32_t b = (uint32_t)(x + y + (int)n * 3) & 255;
                row[x] = r << 16 | g << 8 | b;
            }
        } else {
            for (int x = 0; x < w; x++)
                row[x] = xorshift(rng) & 0xffffff;
        }
    }
}

int main(int argc, char **argv)
{
    double fps = 0, seconds = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-r") == 0)
            fps = atof(argv[i + 1]);
        else if (strcmp(argv[i], "-t") == 0)
            seconds = atof(argv[i + 1]);
    }
    Display *dpy = XOpenDisplay(NULL);
    if (!dpy) {
        fprintf(stderr, "fullscreen_painter: cannot open display %s\n", XDisplayName(NULL));
        return 1;
    }
    int scr = DefaultScreen(dpy);
    int w = DisplayWidth(dpy, scr), h = DisplayHeight(dpy, scr);
    if (DefaultDepth(dpy, scr) < 24) {
        fprintf(stderr, "fullscreen_painter: needs a 24-bit display\n");
        return 1;
    }
    Window root = RootWindow(dpy, scr);
    GC gc = XCreateGC(dpy, root, 0, NULL);
    char *data = malloc((size_t)w * (size_t)h * 4);
    XImage *img = data ? XCreateImage(dpy, DefaultVisual(dpy, scr), 24, ZPixmap, 0, data,
                                      (unsigned)w, (unsigned)h, 32, 0)
                       : NULL;
    if (!img) {
        fprintf(stderr, "fullscreen_painter: out of memory\n");
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("painting %dx%d%s\n", w, h, fps > 0 ? "" : " as fast as possible");
    uint32_t rng = 2463534242u;
    unsigned n = 0;
    double start = now_s(), next_report = start + 1;
    while (!stop && (seconds <= 0 || now_s() - start < seconds)) {
        draw(img, w, h, n, &rng);
        XPutImage(dpy, root, gc, img, 0, 0, 0, 0, (unsigned)w, (unsigned)h);
        XSync(dpy, False); /* one frame in flight: the X server sets the pace */
        n++;
        double t = now_s();
        if (t >= next_report) {
            printf("frames %u after %.1f s\n", n, t - start);
            next_report += 1;
        }
        if (fps > 0) {
            double due = start + n / fps;
            if (due > t) {
                struct timespec ts = {(time_t)(due - t),
                                      (long)((due - t - (time_t)(due - t)) * 1e9)};
                nanosleep(&ts, NULL);
            }
        }
    }
    printf("frames %u after %.1f s (done)\n", n, now_s() - start);
    XDestroyImage(img); /* frees data */
    XFreeGC(dpy, gc);
    XCloseDisplay(dpy);
    return 0;
}
