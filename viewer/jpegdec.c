/* libjpeg decoding straight into the framebuffer (JCS_EXT_BGRX), errors via longjmp. */
#include "jpegdec.h"

/* jpeglib.h needs FILE and size_t declared first. */
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <setjmp.h>

struct err_mgr {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static void on_error(j_common_ptr cinfo)
{
    struct err_mgr *e = (struct err_mgr *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->message);
    longjmp(e->jump, 1);
}

static void on_message(j_common_ptr cinfo)
{
    (void)cinfo; /* warnings (corrupt-but-decodable data) are not worth a log line each */
}

bool jpegdec_decode(const uint8_t *data, size_t len, uint8_t *fb, int stride, int x, int y, int w,
                    int h, struct vv_error *err)
{
    struct jpeg_decompress_struct cinfo;
    struct err_mgr jerr;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = on_error;
    jerr.pub.output_message = on_message;
    jerr.message[0] = '\0';
    if (setjmp(jerr.jump)) {
        vv_error_set(err, VV_ERR_PROTOCOL, "the server sent a bad JPEG rectangle (%s)",
                     jerr.message);
        jpeg_destroy_decompress(&cinfo);
        return false;
    }
    jpeg_create_decompress(&cinfo);
    if (len == 0 || len > 64u * 1024 * 1024) {
        vv_error_set(err, VV_ERR_PROTOCOL, "a JPEG rectangle of %zu bytes", len);
        jpeg_destroy_decompress(&cinfo);
        return false;
    }
    jpeg_mem_src(&cinfo, data, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    if ((int)cinfo.image_width != w || (int)cinfo.image_height != h) {
        vv_error_set(err, VV_ERR_PROTOCOL, "a JPEG image of %ux%u sent for a %dx%d rectangle",
                     cinfo.image_width, cinfo.image_height, w, h);
        jpeg_destroy_decompress(&cinfo);
        return false;
    }
    cinfo.out_color_space = JCS_EXT_BGRX; /* our framebuffer's byte order */
    /* The fast integer IDCT and plain upsampling: what VNC JPEG (already lossy, quality chosen
     * for speed) is for; measurably cheaper per pixel than the defaults (tests/bench). */
    cinfo.dct_method = JDCT_IFAST;
    cinfo.do_fancy_upsampling = FALSE;
    jpeg_start_decompress(&cinfo);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row =
            fb + (size_t)(y + (int)cinfo.output_scanline) * (size_t)stride + (size_t)x * 4;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return true;
}
