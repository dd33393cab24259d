/* libpng glue behind png.h: atomic PNG writes through a temporary file, and a reader for tests.
 * libpng reports errors by longjmp; every function here keeps that contained in one place. */
#include "pngfile.h"

/* A plain <png.h> would find viewer/png.h (this directory is on the include path before
 * libpng's), so name libpng's header through its versioned directory. */
#include <png.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* Larger images are refused by the reader: it exists for tests, and a hostile file must not make
 * it allocate gigabytes. */
#define PNG_READ_MAX_PIXELS (1u << 28)

/* State shared between the libpng callbacks and the code that called libpng. */
struct png_io {
    FILE *fp;
    int saved_errno; /* errno of a failed fwrite/fread/fflush; 0 when libpng itself complained */
    char msg[160];   /* libpng's own error text */
};

static void io_error_fn(png_structp png, png_const_charp msg)
{
    struct png_io *io = png_get_error_ptr(png);
    snprintf(io->msg, sizeof io->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void io_warning_fn(png_structp png, png_const_charp msg)
{
    (void)png;
    log_debug("libpng: %s", msg);
}

static void io_write_fn(png_structp png, png_bytep data, size_t len)
{
    struct png_io *io = png_get_io_ptr(png);
    errno = 0;
    if (fwrite(data, 1, len, io->fp) != len) {
        io->saved_errno = errno ? errno : EIO;
        png_error(png, "write failed");
    }
}

static void io_flush_fn(png_structp png)
{
    struct png_io *io = png_get_io_ptr(png);
    if (fflush(io->fp) != 0) {
        io->saved_errno = errno ? errno : EIO;
        png_error(png, "write failed");
    }
}

static void io_read_fn(png_structp png, png_bytep data, size_t len)
{
    struct png_io *io = png_get_io_ptr(png);
    if (fread(data, 1, len, io->fp) != len) {
        if (ferror(io->fp))
            io->saved_errno = errno ? errno : EIO;
        png_error(png, "the file is truncated");
    }
}

/* Sentence tail for a failure recorded in io: the OS error if there was one, else libpng's. */
static void io_describe(const struct png_io *io, char *buf, size_t n)
{
    if (io->saved_errno)
        snprintf(buf, n, "%s", strerror(io->saved_errno));
    else
        snprintf(buf, n, "libpng: %s", io->msg[0] ? io->msg : "unknown error");
}

/* Encodes the image into io->fp. row is a caller-owned buffer of width * 3 bytes, allocated
 * before setjmp so that no local changed after setjmp is needed once libpng longjmps back. */
static bool encode(struct png_io *io, const uint8_t *pixels, int width, int height, int stride,
                   uint8_t *row)
{
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, io, io_error_fn, io_warning_fn);
    if (!png) {
        snprintf(io->msg, sizeof io->msg, "out of memory");
        return false;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(io->msg, sizeof io->msg, "out of memory");
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        /* png and info were set before setjmp and never changed: their values are intact. */
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, io, io_write_fn, io_flush_fn);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; y++) {
        const uint8_t *src = pixels + (size_t)y * (size_t)stride;
        for (int x = 0; x < width; x++) {
            row[3 * x + 0] = src[4 * x + 2];
            row[3 * x + 1] = src[4 * x + 1];
            row[3 * x + 2] = src[4 * x + 0];
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return true;
}

/* Creates a new, empty file next to path ("dir/.name.PID-N.tmp"), with the mode a plain
 * open(O_CREAT) would give, so the renamed PNG gets the usual permissions (mkstemp's are 0600).
 * Returns the fd and sets *tmp (caller frees), or -1 with errno set. */
static int open_temp(const char *path, char **tmp)
{
    static atomic_uint counter;
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dirlen;
    size_t n = strlen(path) + 64;
    char *name = malloc(n);
    if (!name) {
        errno = ENOMEM;
        return -1;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned k = atomic_fetch_add(&counter, 1);
        snprintf(name, n, "%.*s.%s.%ld-%u.tmp", (int)dirlen, path, base, (long)getpid(), k);
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            *tmp = name;
            return fd;
        }
        if (errno != EEXIST)
            break;
    }
    int saved = errno;
    free(name);
    errno = saved;
    return -1;
}

static bool write_stdout(struct png_io *io, const uint8_t *pixels, int width, int height,
                         int stride, uint8_t *row, struct vv_error *err)
{
    char why[200];
    io->fp = stdout;
    bool ok = encode(io, pixels, width, height, stride, row);
    if (ok && fflush(stdout) != 0) {
        io->saved_errno = errno ? errno : EIO;
        ok = false;
    }
    if (!ok) {
        io_describe(io, why, sizeof why);
        vv_error_set(err, VV_ERR_IO, "cannot write the PNG to standard output: %s", why);
    }
    return ok;
}

/* Flushes, syncs and closes fp; returns 0 or an errno value. fsync is skipped where the file
 * system cannot do it: the rename still makes the file appear whole or not at all. */
static int finish_file(FILE *fp)
{
    int rc = 0;
    if (fflush(fp) != 0)
        rc = errno ? errno : EIO;
    if (rc == 0 && fsync(fileno(fp)) != 0 && errno != EINVAL && errno != ENOTSUP)
        rc = errno;
    if (fclose(fp) != 0 && rc == 0)
        rc = errno ? errno : EIO;
    return rc;
}

bool png_write_bgrx(const char *path, const uint8_t *pixels, int width, int height, int stride,
                    struct vv_error *err)
{
    struct png_io io = {0};
    char *tmp = NULL;
    char why[200];
    bool ok = false;

    if (!path || !*path || !pixels || width <= 0 || height <= 0 || stride / 4 < width) {
        vv_error_set(err, VV_ERR_USAGE, "cannot write %s: invalid image (%dx%d, stride %d)",
                     path && *path ? path : "(no file name)", width, height, stride);
        return false;
    }
    uint8_t *row = malloc((size_t)width * 3);
    if (!row) {
        vv_error_set(err, VV_ERR_IO, "cannot write %s: out of memory", path);
        return false;
    }
    if (strcmp(path, "-") == 0) {
        ok = write_stdout(&io, pixels, width, height, stride, row, err);
        goto out;
    }

    int fd = open_temp(path, &tmp);
    if (fd < 0) {
        vv_error_set(err, VV_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    io.fp = fdopen(fd, "wb");
    if (!io.fp) {
        vv_error_set(err, VV_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        goto fail_unlink;
    }
    bool encoded = encode(&io, pixels, width, height, stride, row);
    int rc = finish_file(io.fp);
    if (!encoded) {
        io_describe(&io, why, sizeof why);
        vv_error_set(err, VV_ERR_IO, "cannot write %s: %s", path, why);
        goto fail_unlink;
    }
    if (rc != 0) {
        vv_error_set(err, VV_ERR_IO, "cannot write %s: %s", path, strerror(rc));
        goto fail_unlink;
    }
    if (rename(tmp, path) != 0) {
        vv_error_set(err, VV_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        goto fail_unlink;
    }
    ok = true;
    goto out;

fail_unlink:
    unlink(tmp);
out:
    free(tmp);
    free(row);
    return ok;
}

/* Decodes io->fp (signature already consumed) into packed RGB. The buffers are allocated after
 * setjmp and must be freed on the longjmp path, hence volatile. */
static bool decode(struct png_io *io, uint8_t **out, int *w, int *h)
{
    uint8_t *volatile buf = NULL;
    png_bytep *volatile rows = NULL;

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, io, io_error_fn, io_warning_fn);
    if (!png) {
        snprintf(io->msg, sizeof io->msg, "out of memory");
        return false;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(io->msg, sizeof io->msg, "out of memory");
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(rows);
        free(buf);
        return false;
    }
    png_set_read_fn(png, io, io_read_fn);
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info);
    png_uint_32 height = png_get_image_height(png, info);
    if (width == 0 || height == 0 || (uint64_t)width * height > PNG_READ_MAX_PIXELS)
        png_error(png, "image size out of range");

    /* Whatever the file holds, deliver 8-bit RGB. */
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_set_gray_to_rgb(png);
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t rowbytes = (size_t)width * 3;
    if (png_get_rowbytes(png, info) != rowbytes)
        png_error(png, "unexpected pixel layout after conversion to RGB");

    buf = malloc(rowbytes * height);
    rows = malloc(sizeof(png_bytep) * height);
    if (!buf || !rows)
        png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < height; y++)
        rows[y] = buf + rowbytes * y;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    *out = buf;
    *w = (int)width;
    *h = (int)height;
    return true;
}

bool png_read_rgb(const char *path, uint8_t **rgb, int *w, int *h, struct vv_error *err)
{
    struct png_io io = {0};
    uint8_t sig[8];
    char why[200];

    *rgb = NULL;
    *w = *h = 0;
    io.fp = fopen(path, "rb");
    if (!io.fp) {
        vv_error_set(err, VV_ERR_IO, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    size_t got = fread(sig, 1, sizeof sig, io.fp);
    if (got != sizeof sig || png_sig_cmp(sig, 0, sizeof sig) != 0) {
        if (ferror(io.fp))
            vv_error_set(err, VV_ERR_IO, "cannot read %s: %s", path, strerror(errno));
        else
            vv_error_set(err, VV_ERR_IO, "cannot read %s: not a PNG file", path);
        fclose(io.fp);
        return false;
    }
    bool ok = decode(&io, rgb, w, h);
    fclose(io.fp);
    if (!ok) {
        io_describe(&io, why, sizeof why);
        vv_error_set(err, VV_ERR_IO, "cannot read %s: %s", path, why);
    }
    return ok;
}
