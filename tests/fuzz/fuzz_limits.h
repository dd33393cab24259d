/* The small guard limits both stream targets use under their flag bit 4, so that a fuzzer
 * reaches every limit's check (and its message) with short inputs. */
#ifndef VV_FUZZ_LIMITS_H
#define VV_FUZZ_LIMITS_H

#include "guard.h"

static inline void fuzz_small_limits(struct guard_limits *lim)
{
    lim->max_width = lim->max_height = 256;
    lim->max_cursor = 32;
    lim->max_rects = 16;
    lim->max_cut_text = 100;
    lim->max_cut_text_hard = 5000;
    lim->max_name = 10;
    lim->max_compressed = 3000;
}

#endif
