/* png_write_bgrx / png_read_rgb: exact round trip, atomic replacement, errors that name the file.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pngfile.h"
#include "vv_test.h"

static char dir[256];

/* Number of entries in dir other than . and .. (a leftover temporary file shows up here). */
static int count_entries(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* A B,G,R,X image whose every pixel differs from its neighbours; X holds junk that must not
 * leak into the PNG. stride is padded so a stride bug shows. */
static uint8_t *make_image(int h, int stride, unsigned seed)
{
    uint8_t *p = malloc((size_t)stride * h);
    uint32_t s = seed * 2654435761u + 1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < stride; x++) {
            s = s * 1664525u + 1013904223u;
            p[(size_t)y * stride + x] = (uint8_t)(s >> 24);
        }
    return p;
}

/* Compares every pixel of the RGB read back with the BGRX source; returns the mismatch count. */
static long compare(const uint8_t *bgrx, int stride, const uint8_t *rgb, int w, int h)
{
    long bad = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *s = bgrx + (size_t)y * stride + 4 * x;
            const uint8_t *d = rgb + ((size_t)y * w + x) * 3;
            if (d[0] != s[2] || d[1] != s[1] || d[2] != s[0])
                bad++;
        }
    return bad;
}

static void test_round_trip(void)
{
    const int w = 37, h = 23, stride = 37 * 4 + 12;
    char path[300];
    snprintf(path, sizeof path, "%s/rt.png", dir);
    uint8_t *img = make_image(h, stride, 1);
    struct vv_error err = {0};
    CHECK_MSG(png_write_bgrx(path, img, w, h, stride, &err), "%s", err.message);
    CHECK_EQ_INT(count_entries(), 1);

    uint8_t *rgb = NULL;
    int rw = 0, rh = 0;
    CHECK_MSG(png_read_rgb(path, &rgb, &rw, &rh, &err), "%s", err.message);
    CHECK_EQ_INT(rw, w);
    CHECK_EQ_INT(rh, h);
    if (rgb && rw == w && rh == h)
        CHECK_EQ_INT(compare(img, stride, rgb, w, h), 0);
    free(rgb);

    /* Overwriting an existing file replaces it whole. */
    uint8_t *img2 = make_image(300, 5 * 4, 2);
    CHECK_MSG(png_write_bgrx(path, img2, 5, 300, 5 * 4, &err), "%s", err.message);
    CHECK(png_read_rgb(path, &rgb, &rw, &rh, &err));
    CHECK_EQ_INT(rw, 5);
    CHECK_EQ_INT(rh, 300);
    if (rgb && rw == 5 && rh == 300)
        CHECK_EQ_INT(compare(img2, 5 * 4, rgb, 5, 300), 0);
    CHECK_EQ_INT(count_entries(), 1);

    /* The file gets the usual umask-derived mode, not mkstemp's 0600. */
    struct stat st;
    mode_t mask = umask(022);
    umask(mask);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == (0666 & ~mask));

    free(rgb);
    free(img);
    free(img2);
    unlink(path);
}

static void test_unwritable(void)
{
    uint8_t px[4 * 4 * 4] = {0};
    struct vv_error err = {0};
    char path[300];

    snprintf(path, sizeof path, "%s/no/such/dir/x.png", dir);
    CHECK(!png_write_bgrx(path, px, 4, 4, 16, &err));
    CHECK_EQ_INT(err.code, VV_ERR_IO);
    CHECK_MSG(strstr(err.message, path) != NULL, "%s", err.message);
    CHECK_MSG(strstr(err.message, "No such file or directory") != NULL, "%s", err.message);

    /* Permission bits do not stop root, so only check them when they apply. */
    if (geteuid() != 0) {
        char ro[300];
        snprintf(ro, sizeof ro, "%s/ro", dir);
        mkdir(ro, 0500);
        snprintf(path, sizeof path, "%s/x.png", ro);
        CHECK(!png_write_bgrx(path, px, 4, 4, 16, &err));
        CHECK_EQ_INT(err.code, VV_ERR_IO);
        CHECK_MSG(strstr(err.message, "Permission denied") != NULL, "%s", err.message);
        rmdir(ro);
    }

    /* The target is a directory: the PNG is written, then rename fails; no temp may remain. */
    snprintf(path, sizeof path, "%s/adir", dir);
    mkdir(path, 0700);
    CHECK(!png_write_bgrx(path, px, 4, 4, 16, &err));
    CHECK_EQ_INT(err.code, VV_ERR_IO);
    CHECK_MSG(strstr(err.message, path) != NULL, "%s", err.message);
    CHECK_EQ_INT(count_entries(), 1);
    rmdir(path);
    CHECK_EQ_INT(count_entries(), 0);
}

/* A write that fails half-way (file size limit → EFBIG) leaves the old file untouched. */
static void test_fails_midway(void)
{
    const int w = 256, h = 256;
    char path[300];
    snprintf(path, sizeof path, "%s/keep.png", dir);
    uint8_t *small = make_image(2, 8, 3);
    struct vv_error err = {0};
    CHECK(png_write_bgrx(path, small, 2, 2, 8, &err));

    uint8_t *big = make_image(h, w * 4, 4); /* noise: compresses to far more than the limit */
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 4096;
    signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    bool ok = png_write_bgrx(path, big, w, h, w * 4, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    CHECK(!ok);
    CHECK_EQ_INT(err.code, VV_ERR_IO);
    CHECK_MSG(strstr(err.message, path) && strstr(err.message, strerror(EFBIG)), "%s", err.message);
    CHECK_EQ_INT(count_entries(), 1);

    uint8_t *rgb = NULL;
    int rw = 0, rh = 0;
    CHECK_MSG(png_read_rgb(path, &rgb, &rw, &rh, &err), "%s", err.message);
    CHECK(rw == 2 && rh == 2 && rgb && compare(small, 8, rgb, 2, 2) == 0);
    free(rgb);
    free(small);
    free(big);
    unlink(path);
}

/* "-" writes the PNG to standard output. */
static void test_stdout(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/stdout.png", dir);
    uint8_t *img = make_image(9, 7 * 4, 6);
    struct vv_error err = {0};
    fflush(stdout);
    int saved = dup(1);
    FILE *f = fopen(path, "wb");
    dup2(fileno(f), 1);
    bool ok = png_write_bgrx("-", img, 7, 9, 7 * 4, &err);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    fclose(f);
    CHECK_MSG(ok, "%s", err.message);
    uint8_t *rgb = NULL;
    int rw = 0, rh = 0;
    CHECK_MSG(png_read_rgb(path, &rgb, &rw, &rh, &err), "%s", err.message);
    CHECK(rw == 7 && rh == 9 && rgb && compare(img, 7 * 4, rgb, 7, 9) == 0);
    free(rgb);
    free(img);
    unlink(path);
}

static void test_bad_input(void)
{
    struct vv_error err = {0};
    uint8_t *rgb = (uint8_t *)&err;
    int w = -1, h = -1;
    char path[300];

    snprintf(path, sizeof path, "%s/missing.png", dir);
    CHECK(!png_read_rgb(path, &rgb, &w, &h, &err));
    CHECK_EQ_INT(err.code, VV_ERR_IO);
    CHECK(rgb == NULL);
    CHECK_MSG(strstr(err.message, path) != NULL, "%s", err.message);

    /* Not a PNG. */
    snprintf(path, sizeof path, "%s/text.png", dir);
    FILE *f = fopen(path, "w");
    fputs("this is not a png file at all\n", f);
    fclose(f);
    CHECK(!png_read_rgb(path, &rgb, &w, &h, &err));
    CHECK_MSG(strstr(err.message, "not a PNG") != NULL, "%s", err.message);

    /* A real PNG cut short: libpng longjmps out of the middle of decoding. */
    uint8_t *img = make_image(64, 256, 5);
    CHECK(png_write_bgrx(path, img, 64, 64, 256, &err));
    CHECK(truncate(path, 200) == 0);
    CHECK(!png_read_rgb(path, &rgb, &w, &h, &err));
    CHECK_EQ_INT(err.code, VV_ERR_IO);
    CHECK(rgb == NULL);
    CHECK_MSG(strstr(err.message, path) != NULL, "%s", err.message);
    unlink(path);

    /* Invalid arguments are refused before any file is created. */
    snprintf(path, sizeof path, "%s/args.png", dir);
    CHECK(!png_write_bgrx(path, img, 64, 64, 100, &err));
    CHECK_EQ_INT(err.code, VV_ERR_USAGE);
    CHECK(!png_write_bgrx(path, img, 0, 64, 256, &err));
    CHECK_EQ_INT(count_entries(), 0);
    free(img);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/vv_test_png.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_round_trip();
    test_unwritable();
    test_fails_midway();
    test_stdout();
    test_bad_input();
    CHECK_EQ_INT(count_entries(), 0);
    rmdir(dir);
    return vv_test_finish();
}
