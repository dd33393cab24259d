/* Internals of the hostile-server scenarios: the attacks (hostile_attacks.c, hostile_tight.c)
 * that the scenario table (hostile.c) names. Not for tests: use hostile.h. */
#ifndef VV_HOSTILE_INT_H
#define VV_HOSTILE_INT_H

#include "badsrv.h"
#include "hostile.h"

/* How long a script keeps the connection open after its attack, waiting for the client. */
#define HOSTILE_HOLD_MS 30000

/* Shared steps. */
/* A FramebufferUpdate of one Raw rectangle: the whole desktop in hostile_pattern2. */
bool hostile_send_pattern2(struct hostile_run *r);
/* A FramebufferUpdate of one rectangle header followed by pad zero bytes. */
bool hostile_send_one_rect(struct badsrv *srv, int x, int y, int w, int h, int32_t enc, size_t pad);
bool hostile_send_zeros(struct badsrv *srv, size_t n);

/* hostile_attacks.c: sizes, messages, rectangles, encodings, amplification, truncation, flood. */
bool hostile_atk_init_size(struct hostile_run *r, const int32_t *p); /* w, h */
bool hostile_atk_name_hard(struct hostile_run *r, const int32_t *p); /* announced length */
bool hostile_atk_name_soft(struct hostile_run *r, const int32_t *p); /* length */
bool hostile_atk_newfb(struct hostile_run *r, const int32_t *p);     /* w, h */
bool hostile_atk_extdesk(struct hostile_run *r, const int32_t *p);   /* w, h */
bool hostile_atk_msg(struct hostile_run *r, const int32_t *p);       /* type, pad bytes */
bool hostile_atk_rect(struct hostile_run *r, const int32_t *p);      /* x, y, w, h (Raw) */
bool hostile_atk_copy_from(struct hostile_run *r, const int32_t *p); /* source x, y */
bool hostile_atk_encoding(struct hostile_run *r, const int32_t *p);  /* encoding */
bool hostile_atk_cut(struct hostile_run *r, const int32_t *p);       /* announced, sent */
bool hostile_atk_cursor(struct hostile_run *r, const int32_t *p);    /* w, h, hot x, hot y */
bool hostile_atk_hextile_nofg(struct hostile_run *r, const int32_t *p);
bool hostile_atk_amp_copyrect(struct hostile_run *r, const int32_t *p); /* rectangles */
bool hostile_atk_amp_rre(struct hostile_run *r, const int32_t *p);      /* subrectangles */
bool hostile_atk_truncated(struct hostile_run *r, const int32_t *p);    /* HOSTILE_TRUNC_* */
bool hostile_atk_flood(struct hostile_run *r, const int32_t *p);

enum { HOSTILE_TRUNC_PIXELS, HOSTILE_TRUNC_HEADER, HOSTILE_TRUNC_RESET };

/* hostile_tight.c: Tight, Tight JPEG and ZRLE payloads. */
bool hostile_atk_amp_fill(struct hostile_run *r, const int32_t *p);       /* rectangles */
bool hostile_atk_tight_rows(struct hostile_run *r, const int32_t *p);     /* rows sent */
bool hostile_atk_tight_gradient(struct hostile_run *r, const int32_t *p); /* x, w, h */
bool hostile_atk_tight_ctl(struct hostile_run *r, const int32_t *p);      /* control byte */
bool hostile_atk_tight_jpeg(struct hostile_run *r, const int32_t *p);     /* marker length */
bool hostile_atk_zrle(struct hostile_run *r, const int32_t *p);           /* HOSTILE_ZRLE_* */

enum { HOSTILE_ZRLE_PALETTE_INDEX, HOSTILE_ZRLE_RAW_LONG, HOSTILE_ZRLE_RESERVED };

#endif
