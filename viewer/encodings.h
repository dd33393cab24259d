/* The encodings a session asks for: parsing --encodings and building the SetEncodings list.
 * We send our own list (never libvncclient's), so it holds exactly what we decode. */
#ifndef VV_ENCODINGS_H
#define VV_ENCODINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define ENC_MAX 40

enum {
    ENC_RAW = 0,
    ENC_COPYRECT = 1,
    ENC_RRE = 2,
    ENC_CORRE = 4,
    ENC_HEXTILE = 5,
    ENC_ZLIB = 6,
    ENC_TIGHT = 7,
    ENC_ULTRA = 9,
    ENC_ZRLE = 16,
    ENC_ULTRAZIP = 0xFFFF0009,
    ENC_COMPRESS_0 = -256,
    ENC_QUALITY_0 = -32,
    ENC_XCURSOR = -240,
    ENC_RICHCURSOR = -239,
    ENC_POINTERPOS = -232,
    ENC_LASTRECT = -224,
    ENC_NEWFBSIZE = -223,
    ENC_QEMU_EXTKEY = -258,
    ENC_EXTDESKTOPSIZE = -308,
    ENC_KBD_LED = (int32_t)0xFFFE0000,
    ENC_SUPPORTED_MESSAGES = (int32_t)0xFFFE0001,
    ENC_SUPPORTED_ENCODINGS = (int32_t)0xFFFE0002,
    ENC_SERVER_IDENTITY = (int32_t)0xFFFE0003,
};

struct enc_list {
    int n;
    int32_t codes[16]; /* pixel encodings in preference order */
    char text[128];    /* "tight zrle ...": canonical names, space-separated */
};

/* Parses a comma- or space-separated list ("tight,zrle"); NULL or "" gives the default list.
 * Unknown names, zlibhex and duplicates are refused with VV_ERR_USAGE. */
bool enc_parse(const char *text, struct enc_list *out, struct vv_error *err);
/* The default list: tight zrle hextile zlib copyrect raw, CopyRect first. */
const char *enc_default_text(void);
/* Fills codes (max entries) with the pixel encodings plus the pseudo-encodings we handle.
 * quality < 0 or lossless: no JPEG. compress < 0: server default. Returns the count. */
int enc_build(const struct enc_list *l, int quality, int compress, bool lossless, int32_t *codes,
              int max);
/* Name of an encoding number ("ZRLE", "pseudo -223"), for messages. */
const char *enc_name(int32_t code);

#endif
